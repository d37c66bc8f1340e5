import assert from "node:assert/strict";
import fc from "fast-check";
import { MB } from "../src/units.ts";
import { type Command, type PingOptions, type PongOptions } from "../src/options/options.ts";
import { parseArgs, UsageError } from "../src/options/parse.ts";
import { makesCertificate } from "../src/options/made_certificate.ts";
import { ipFamily } from "../src/net/address.ts";
import { isIP } from "node:net";

const PING_DEFAULTS: PingOptions = {
  target: { host: "MyServer", port: 10933 },
  noSsl: false,
  dataSize: 0,
  chunkSize: 2 * MB,
  count: Infinity,
  intervalMs: 500,
  timeoutMs: 30_000,
  family: undefined,
  proxy: undefined,
  thumbprint: undefined,
  reverse: false,
  clientCertificate: undefined,
  record: { format: "text", logfile: undefined },
};

const PONG_DEFAULTS: PongOptions = {
  port: 10933,
  noSsl: false,
  address: undefined,
  idleMs: 60_000,
  handshakeMs: 10_000,
  maxConnections: 1000,
  maxSendBytes: 0, // /reverse is off until /maxsend turns it on
  certificateFiles: undefined,
  durationMs: undefined, // runs until stopped
  record: { format: "text", logfile: undefined },
};

function ping(args: string[]): PingOptions {
  const command = parseArgs(args);
  assert.equal(command.kind, "ping");
  return (command as Extract<Command, { kind: "ping" }>).options;
}

/** `text` matched literally in a regular expression. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function rejects(args: string[], message: RegExp) {
  assert.throws(() => parseArgs(args), (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    assert.match(error.message, message);
    return true;
  }, `${JSON.stringify(args)} should be rejected`);
}

Deno.test("ping with only /host takes the original's defaults", () => {
  assert.deepEqual(ping(["ping", "/host=MyServer"]), PING_DEFAULTS);
});

Deno.test("every option is read into the typed options", () => {
  assert.deepEqual(
    ping([
      "ping",
      "/host=10.0.0.1",
      "/port=10934",
      "/datasize=100",
      "/chunksize=10",
      "/nossl",
      "/count=5",
      "/interval=0",
      "/timeout=2.5",
      "/ipv4",
      "/FORMAT=JSON",
      "/logfile=C:\\logs\\run.jsonl",
    ]),
    {
      target: { host: "10.0.0.1", port: 10934 },
      noSsl: true,
      dataSize: 100 * MB,
      chunkSize: 10 * MB,
      count: 5,
      intervalMs: 0,
      timeoutMs: 2_500,
      family: 4,
      proxy: undefined,
      thumbprint: undefined,
      reverse: false,
      clientCertificate: undefined,
      record: { format: "json", logfile: "C:\\logs\\run.jsonl" },
    },
  );
});

Deno.test("options may be written /x, -x, --x, //x, with = or a space, in any case", () => {
  for (
    const args of [
      ["PING", "/Host=MyServer", "/PORT=1"],
      ["ping", "-host=MyServer", "-port=1"],
      ["ping", "--host=MyServer", "--port", "1"],
      ["ping", "--host", "MyServer", "/port", "1"],
      ["Ping", "//host=MyServer", "//port=1"],
    ]
  ) {
    assert.deepEqual(ping(args).target, { host: "MyServer", port: 1 }, args.join(" "));
  }
});

Deno.test("sizes are MB of 1,048,576 bytes, fractional, with optional units", () => {
  const size = (text: string) => ping(["ping", "/host=h", `/datasize=${text}`]).dataSize;
  assert.equal(size("100"), 100 * MB);
  assert.equal(size("0.5"), MB / 2);
  assert.equal(size(".25"), MB / 4);
  assert.equal(size("100MB"), 100 * MB);
  assert.equal(size("100Mb"), 100 * MB);
  assert.equal(size("512KB"), 512 * 1024);
  assert.equal(size("512kb"), 512 * 1024);
  assert.equal(size("1GB"), 1024 * MB);
  assert.equal(size("1TB"), 1024 * 1024 * MB);
  assert.equal(size("2tib"), 2 * 1024 * 1024 * MB);
  assert.equal(size("0"), 0);
});

Deno.test("addresses are told from names as node's isIP tells them, without loading node:net", () => {
  const written = [
    ..."1.2.3.4 255.255.255.255 0.0.0.0 256.1.1.1 01.2.3.4 1.2.3 1.2.3.4.5".split(" "),
    ..."::1 :: 2001:db8:: ::ffff:1.2.3.4 1:2:3:4:5:6:7:8 fe80::1%eth0 fe80::1%25".split(" "),
    ..."fe80::1% 1::2::3 1:2:3:4:5:6:7:8:9 gggg::1 12345::1 ffff::1.2.3 ::1/64".split(" "),
    ...["[::1]", "localhost", "MyServer", " 1.2.3.4", "::1%eth0%x"],
  ];
  for (const text of written) assert.equal(ipFamily(text), isIP(text), text);
  fc.assert(fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), (text) => {
    assert.equal(ipFamily(text), isIP(text), text);
  }));
});

Deno.test("/host takes the forms people paste", () => {
  const target = (host: string) => ping(["ping", `/host=${host}`]).target;
  assert.deepEqual(target("server:10935"), { host: "server", port: 10935 });
  assert.deepEqual(target("https://server:10935/"), { host: "server", port: 10935 });
  assert.deepEqual(target("https://server.example.com/"), {
    host: "server.example.com",
    port: 10933,
  });
  assert.deepEqual(target("https://10.0.0.5:443/"), { host: "10.0.0.5", port: 443 });
  assert.deepEqual(target("[2001:db8::5]"), { host: "2001:db8::5", port: 10933 });
  assert.deepEqual(target("[2001:db8::5]:10935"), { host: "2001:db8::5", port: 10935 });
  assert.deepEqual(target("2001:db8::5"), { host: "2001:db8::5", port: 10933 });
  assert.deepEqual(target("::1"), { host: "::1", port: 10933 });
  assert.deepEqual(target("https://[::1]:10935/"), { host: "::1", port: 10935 });
});

Deno.test("/host: a link-local address (fe80::/10), with its zone or without, is bad input that names what to use instead", () => {
  rejects(
    ["ping", "/host=[fe80::1%12]:21020"],
    new RegExp(
      "^" + escape(
        "/host=[fe80::1%12]:21020: a link-local address (fe80::/10) can't be reached by this " +
          "OctoPing: it needs its zone (the interface, %eth0 or %12), which OctoPing's " +
          "runtime drops when it connects. Use the Tentacle's name, its IPv4 address, or a " +
          "global or unique-local IPv6 address (not fe80::): 'ipconfig' on the Tentacle " +
          "lists them",
      ) + "$",
    ),
  );
  // Every form a zone is written in is read, so the refusal, not a parse error, answers it.
  // In a URL the % is written %25 (RFC 6874); Windows writes it bare.
  const forms = [
    "fe80::1%eth0",
    "[fe80::1%eth0]:10935",
    "[fe80::1%12]",
    "https://[fe80::1%2512]:10935/",
    "https://[fe80::1%12]:10935/",
    "fe80::1",
    "[fe80::1]",
    "https://[fe80::1]:10933/",
    "FE80::a:b",
    "[febf:0:0:0:0:0:0:1]:10933",
    "fe80::1%eth0:10933", // with a port and no brackets: refused as link-local, not sent to brackets
  ];
  for (const host of forms) {
    rejects(["ping", `/host=${host}`], /a link-local address \(fe80::\/10\) can't be reached/);
  }
  // Beside fe80::/10, an address is reached as written.
  const target = (host: string) => ping(["ping", `/host=${host}`]).target;
  for (const host of ["fec0::1", "fe7f::1", "fe8::1", "::1", "2001:db8::fe80"]) {
    assert.deepEqual(target(`[${host}]`), { host, port: 10933 });
  }
});

Deno.test("/host: an IPv6 address with a port and no brackets is bad input that shows the brackets", () => {
  const table: [string, string][] = [
    ["::1:10933", "[::1]:10933"],
    ["2001:db8::5:21020", "[2001:db8::5]:21020"],
    ["2001:db8:0:0:0:0:0:5:443", "[2001:db8:0:0:0:0:0:5]:443"],
    ["::ffff:10.0.0.5:10933", "[::ffff:10.0.0.5]:10933"],
  ];
  for (const [host, bracketed] of table) {
    rejects(
      ["ping", `/host=${host}`],
      new RegExp(
        `^/host=${escape(host)}: an IPv6 address with a port is written in brackets, ` +
          `${escape(bracketed)} \\(without them, every ':' is part of the address, ` +
          `and ${escape(host)} is no IPv6 address\\)$`,
      ),
    );
  }
});

Deno.test("/host: without brackets, an IPv6 address whose last group could be a port is an address", () => {
  const target = (host: string) => ping(["ping", `/host=${host}`]).target;
  // A group has at most 4 hex digits: ::1:10933 can't be an address, ::1:443 is one.
  assert.deepEqual(target("::1:443"), { host: "::1:443", port: 10933 });
  assert.deepEqual(target("2001:db8::1:8443"), { host: "2001:db8::1:8443", port: 10933 });
  assert.deepEqual(target("1:2:3:4:5:6:7:8"), { host: "1:2:3:4:5:6:7:8", port: 10933 });
});

Deno.test("/host: a slash after host:port, as copied from a browser's address bar, is dropped", () => {
  const target = (host: string) => ping(["ping", `/host=${host}`]).target;
  assert.deepEqual(target("localhost:21020/"), { host: "localhost", port: 21020 });
  assert.deepEqual(target("server/"), { host: "server", port: 10933 });
  assert.deepEqual(target("10.0.0.5:10935/"), { host: "10.0.0.5", port: 10935 });
  assert.deepEqual(target("[::1]:10935/"), { host: "::1", port: 10935 });
  assert.deepEqual(target("https://localhost:21020/"), { host: "localhost", port: 21020 });
  rejects(["ping", "/host=localhost:21020/x"], /expected a port number, 1-65535, after the colon/);
  rejects(["ping", "/host=10.0.0.0/24"], /expected a host name or IP address/);
});

Deno.test("a port in /host and the same in /port is fine; a different one is bad input", () => {
  assert.equal(ping(["ping", "/host=server:10935", "/port=10935"]).target.port, 10935);
  rejects(["ping", "/host=server:10935", "/port=10936"], /port 10935 but \/port=10936/);
});

Deno.test("pong takes /port (0 = any free port), /nossl and /listen", () => {
  assert.deepEqual(parseArgs(["pong"]), {
    kind: "pong",
    options: PONG_DEFAULTS,
    notices: [],
  });
  assert.deepEqual(parseArgs(["pong", "/port=0", "/nossl", "/listen=::1"]), {
    kind: "pong",
    options: { ...PONG_DEFAULTS, port: 0, noSsl: true, address: "::1" },
    notices: [],
  });
});

Deno.test("pong's limits and certificate files", () => {
  const command = parseArgs([
    "pong",
    "/idle=1.5",
    "/handshake=2",
    "/maxconn=50",
    "/maxsend=10",
    "/cert=C:\\certs\\pong.pem",
    "/key=/etc/pong key.pem",
    "/duration=7200",
  ]);
  assert.equal(command.kind, "pong");
  const { options } = command as Extract<Command, { kind: "pong" }>;
  assert.equal(options.idleMs, 1500);
  assert.equal(options.handshakeMs, 2000);
  assert.equal(options.maxConnections, 50);
  assert.equal(options.maxSendBytes, 10 * MB);
  assert.equal(options.durationMs, 7_200_000);
  assert.deepEqual(options.certificateFiles, {
    cert: "C:\\certs\\pong.pem",
    key: "/etc/pong key.pem",
  });
});

Deno.test("pong given /host (TentaclePing's README's slip) runs as ping with one notice", () => {
  const command = parseArgs(["pong", "/host=YourServer", "/port=10945", "/datasize=100"]);
  assert.equal(command.kind, "ping");
  const { options, notices } = command as Extract<Command, { kind: "ping" }>;
  assert.deepEqual(options.target, { host: "YourServer", port: 10945 });
  assert.equal(options.dataSize, 100 * MB);
  assert.equal(notices.length, 1);
  assert.match(notices[0], /runs as 'ping'/);
});

Deno.test("help and version win wherever they stand", () => {
  for (const help of ["/?", "/help", "-h", "--help", "-?"]) {
    assert.deepEqual(parseArgs([help]), { kind: "help" });
    assert.deepEqual(parseArgs(["ping", help]), { kind: "help" });
    assert.deepEqual(parseArgs(["pong", "/port=x", help]), { kind: "help" });
  }
  for (const help of ["help", "HELP"]) assert.deepEqual(parseArgs([help]), { kind: "help" });
  for (const version of ["-v", "-V", "--version", "/v"]) {
    assert.deepEqual(parseArgs([version]), { kind: "version" });
  }
  assert.deepEqual(parseArgs(["--version"]), { kind: "version" });
  assert.deepEqual(parseArgs(["/version"]), { kind: "version" });
});

Deno.test("bad input is rejected with a message naming the argument", () => {
  const table: [string[], RegExp][] = [
    [[], /no command given: expected ping, pong, check, exporter or report/],
    [["/host=x"], /no command given/],
    [["pnig", "/host=x"], /unknown command 'pnig'.*did you mean ping\?/],
    [["hello"], /unknown command 'hello': expected ping, pong, check, exporter or report$/],
    [["ping"], /ping needs \/host=<ip\/hostname>/],
    [["ping", "/port=1"], /ping needs \/host/],
    [["ping", "/hots=x"], /unknown option '\/hots=x' for ping: did you mean \/host\?/],
    [["ping", "/host=x", "/datsize=1"], /did you mean \/datasize\?/],
    [["ping", "/host=x", "/zebra=1"], /unknown option .*expected one of \/host \/port/],
    [["ping", "/host=x", "/nossl=true"], /\/nossl is a switch and takes no value/],
    [["ping", "/host="], /\/host needs a value, e.g. \/host=MyServer/],
    [["ping", "/host"], /\/host needs a value/],
    [["ping", "/host", "/port=1"], /\/host needs a value/],
    [["ping", "/host=x", "/host=y"], /\/host is given twice/],
    [["ping", "/host=x", "/Port=1", "--port=1"], /\/port is given twice/],
    [["ping", "/host=x", "/port=0"], /\/port=0: expected a port number, 1-65535/],
    [["ping", "/host=x", "/port=65536"], /expected a port number/],
    [["ping", "/host=x", "/port=abc"], /\/port=abc: expected a port number/],
    [["ping", "/host=x", "/port=1.5"], /expected a port number/],
    [["ping", "/host=x:99999"], /expected a port number/],
    [["pong", "/port=-1"], /\/port=-1: expected a port number, 0 \(any free port\) or 1-65535/],
    [["ping", "/host=x", "/datasize=-1"], /\/datasize=-1: expected a size of 0 or more/],
    [["ping", "/host=x", "/datasize=lots"], /\/datasize=lots: expected a size/],
    [
      ["ping", "/host=x", "/datasize=10XB"],
      /\/datasize=10XB: unknown unit 'XB': use B, KB, MB, GB or TB/,
    ],
    [["ping", "/host=x", "/datasize=1PB"], /unknown unit 'PB': use B, KB, MB, GB or TB/],
    [["ping", "/host=x", "/chunksize=0"], /\/chunksize=0: expected a size above 0/],
    [["pong", "/maxsend=0"], /\/maxsend=0: expected a size above 0/],
    [["ping", "/host=x", "/count=0"], /\/count=0: expected a whole number, 1 or more/],
    [["ping", "/host=x", "/count=1.5"], /expected a whole number/],
    [["ping", "/host=x", "/interval=-5"], /\/interval=-5: expected a whole number of milliseconds/],
    [["ping", "--host=x", "--interval", "-5"], /\/interval=-5/],
    [["pong", "/datasize=1"], /\/datasize is an option of ping, not of pong/],
    [["pong", "/listen=localhost"], /\/listen=localhost: expected an IP address of this machine/],
    [["pong", "/cert=a.pem"], /\/cert and \/key go together/],
    [["pong", "/key=a.pem"], /\/cert and \/key go together/],
    [["pong", "/nossl", "/cert=a", "/key=b"], /\/cert and \/key are for TLS/],
    [["pong", "/maxconn=0"], /\/maxconn=0: expected a whole number of connections/],
    [["pong", "/idle=0"], /\/idle=0: expected a number of seconds above 0/],
    [["pong", "/duration=0"], /\/duration=0: expected a number of seconds above 0/],
    [["pong", "/duration=-5"], /\/duration=-5: expected a number of seconds above 0/],
    [["pong", "/duration=2h"], /\/duration=2h: expected a number of seconds above 0/],
    [["pong", "/duration=3000000"], /\/duration=3000000: .*up to 2,073,600 \(24 days\)/],
    [["ping", "/host=x", "/duration=5"], /\/duration is an option of pong, not of ping/],
    [["ping", "/host=x", "/reverse"], /\/reverse needs \/datasize/],
    [["ping", "/host=x", "/format=xml"], /\/format=xml: expected text or json/],
    [["ping", "/host=x", "/tmp/run.jsonl"], /unexpected argument '\/tmp\/run.jsonl'/],
    [["ping", "/host=x", "C:\\logs\\a.txt"], /unexpected argument 'C:\\logs\\a.txt'/],
    [["ping", "/host=x", "run.jsonl"], /unexpected argument 'run.jsonl'/],
    [["ping", "/host=bad host"], /\/host=bad host: expected a host name or IP address/],
    [["ping", "/host=[fe80::1"], /expected an IPv6 address in brackets/],
    [["ping", "/host=https://"], /\/host=https:\/\/: not a valid URL/],
    [
      ["ping", "/host=x:"],
      /\/host=x:: expected a port number, 1-65535, after the colon \(got ''\)/,
    ],
    [["ping", "/host=[::1]:99999"], /\/host=\[::1\]:99999: expected a port number/],
    [
      ["ping", "/host=x", "/datasize=0.0000001"],
      /\/datasize=0.0000001: that is less than one byte/,
    ],
    [["ping", "/host=x", "/chunksize=0.0000001"], /less than one byte/],
    [["ping", "/host=x", "/interval=3000000000"], /from 0 to 2,147,483,647 \(24 days\)/],
    [["ping", "/host=x", "/timeout=0"], /\/timeout=0: expected a number of seconds above 0/],
    [["ping", "/host=x", "/timeout=abc"], /expected a number of seconds/],
    [["ping", "/host=x", "/ipv4", "/ipv6"], /\/ipv4 and \/ipv6 exclude each other/],
    [["ping", "/host=::1", "/ipv4"], /\/ipv4 with the IPv6 address ::1/],
    [["ping", "/host=10.0.0.1", "/ipv6"], /\/ipv6 with the IPv4 address 10\.0\.0\.1/],
    [["ping", "/host=x", "/thumbprint=ABC"], /expected a SHA-1 thumbprint \(40 hex digits/],
    [["ping", "/host=x", "/nossl", `/thumbprint=${"A".repeat(40)}`], /\/thumbprint needs TLS/],
  ];
  for (const [args, message] of table) rejects(args, message);
});

Deno.test("/thumbprint takes SHA-1 or SHA-256 as people copy them", () => {
  const thumbprint = (text: string) => ping(["ping", "/host=h", `/thumbprint=${text}`]).thumbprint;
  const sha1 = "3C2A0F11223344556677889900AABBCCDDEEFF00";
  assert.equal(thumbprint(sha1), sha1);
  assert.equal(thumbprint(sha1.toLowerCase()), sha1);
  assert.equal(thumbprint(sha1.match(/../g)!.join(":")), sha1);
  assert.equal(thumbprint(sha1.match(/../g)!.join(" ")), sha1);
  assert.equal(thumbprint("ab".repeat(32)), "AB".repeat(32));
});

Deno.test("/thumbprint drops the invisible format characters Windows copies with it", () => {
  const thumbprint = (text: string) => ping(["ping", "/host=h", `/thumbprint=${text}`]).thumbprint;
  const sha1 = "3C2A0F11223344556677889900AABBCCDDEEFF00";
  // The certificate dialog's Thumbprint field starts with a left-to-right mark.
  assert.equal(thumbprint(`\u200e${sha1.toLowerCase()}`), sha1);
  assert.equal(thumbprint(`\u200e${sha1.match(/../g)!.join(" ")}`), sha1);
  for (const invisible of ["\u200f", "\ufeff", "\u200b", "\u200c", "\u200d", "\u2060", "\u00ad"]) {
    assert.equal(thumbprint(`${invisible}${sha1.slice(0, 20)}${invisible}${sha1.slice(20)}`), sha1);
  }
  assert.equal(thumbprint(`${sha1.slice(0, 20)}\u00a0${sha1.slice(20)}`), sha1, "a no-break space");
});

Deno.test("/thumbprint: any other character that is not hex is named by its code point", () => {
  const sha1 = "3C2A0F11223344556677889900AABBCCDDEEFF00";
  const thumbprint = (text: string) => ["ping", "/host=h", `/thumbprint=${text}`];
  rejects(
    thumbprint(`\u200e3C2A\u00e9${sha1.slice(5)}`),
    /^\/thumbprint=3C2A\u00e9F11.*: U\+00E9 is not a hex digit \(0-9, A-F\)$/,
  );
  rejects(thumbprint(`G${sha1.slice(1)}`), /: 'G' \(U\+0047\) is not a hex digit/);
  rejects(thumbprint(`${sha1.slice(1)}\u{1F600}`), /: U\+1F600 is not a hex digit/);
  rejects(thumbprint(`${sha1}-`), /: '-' \(U\+002D\) is not a hex digit/);
});

Deno.test("Git Bash's rewriting of /host=x into a path is recognised and explained", () => {
  rejects(
    ["ping", "C:/Program Files/Git/host=MyServer"],
    /looks like \/host=MyServer turned into a path by Git Bash: write --host=MyServer or \/\/host=MyServer/,
  );
  rejects(["ping", "--host=x", "C:/Program Files/Git/nossl"], /looks like \/nossl .*--nossl/);
});

// Properties: what holds for every input, not just the table's.

const optionName = (name: string) =>
  fc.tuple(fc.constantFrom("/", "-", "--", "//"), fc.boolean()).map(([prefix, upper]) =>
    prefix + (upper ? name.toUpperCase() : name)
  );

Deno.test("any spelling and order of valid ping options parses to the same options", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 65535 }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.integer({ min: 0, max: 100_000 }),
      optionName("host"),
      optionName("port"),
      optionName("count"),
      optionName("interval"),
      fc.boolean(),
      (port, count, interval, host, portName, countName, intervalName, spaced) => {
        const pairs: [string, string][] = [
          [host, "server.example"],
          [portName, String(port)],
          [countName, String(count)],
          [intervalName, String(interval)],
        ];
        const args = pairs.flatMap(([name, value]) =>
          spaced ? [name, value] : [`${name}=${value}`]
        );
        for (const order of [args, pairs.reverse().flatMap(([n, v]) => [`${n}=${v}`])]) {
          const options = ping(["ping", ...order]);
          assert.deepEqual(options.target, { host: "server.example", port });
          assert.equal(options.count, count);
          assert.equal(options.intervalMs, interval);
        }
      },
    ),
  );
});

Deno.test("a port is accepted exactly when it is an integer in 1-65535", () => {
  fc.assert(
    fc.property(fc.integer({ min: -100_000, max: 200_000 }), (port) => {
      const valid = port >= 1 && port <= 65535;
      try {
        assert.equal(ping(["ping", "/host=h", `/port=${port}`]).target.port, port);
        assert.ok(valid, `${port} was accepted`);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        assert.ok(!valid, `${port} was rejected`);
      }
    }),
  );
});

Deno.test("N MB, N*1024 KB and N/1024 GB are the same number of bytes", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 100_000 }), (n) => {
      const size = (text: string) => ping(["ping", "/host=h", `/datasize=${text}`]).dataSize;
      assert.equal(size(`${n}`), n * MB);
      assert.equal(size(`${n}mb`), n * MB);
      assert.equal(size(`${n * 1024}KB`), n * MB);
      assert.equal(size(`${n / 1024}GB`), n * MB);
    }),
  );
});

Deno.test("whatever the arguments, the parser answers with a command or a UsageError", () => {
  const token = fc.oneof(
    fc.string(),
    fc.constantFrom(
      "ping",
      "pong",
      "report",
      "/host=x",
      "/port=1",
      "/nossl",
      "--count",
      "5",
      "/?",
      "=",
      "/",
    ),
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 6 }), (args) => {
      try {
        const command = parseArgs(args);
        assert.ok(["ping", "pong", "report", "help", "version"].includes(command.kind));
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        assert.ok(error.message.length > 0 && !error.message.includes("\n"));
      }
    }),
  );
});

Deno.test("check takes ping's connection options, a 5 s step timeout and a polling subscription", () => {
  const check = (args: string[]) => {
    const command = parseArgs(["check", ...args]);
    assert.equal(command.kind, "check");
    return (command as Extract<Command, { kind: "check" }>).options;
  };
  assert.deepEqual(check(["/host=MyServer"]), {
    target: { host: "MyServer", port: 10933 },
    noSsl: false,
    family: undefined,
    proxy: undefined,
    thumbprint: undefined,
    clientCertificate: undefined,
    timeoutMs: 5_000,
    subscription: undefined,
    record: { format: "text", logfile: undefined },
  });
  const full = check([
    "/host=https://web01:10934/",
    "/timeout=2",
    "/ipv6",
    "/clientcert=octopus.pfx",
    "/subscription=poll://ABC123def",
    "/format=json",
  ]);
  assert.deepEqual(full.target, { host: "web01", port: 10934 });
  assert.equal(full.timeoutMs, 2_000);
  assert.equal(full.family, 6);
  assert.deepEqual(full.clientCertificate, { cert: "octopus.pfx" });
  assert.equal(full.subscription, "poll://ABC123def/", "with the slash Octopus shows");
  rejects(
    ["check"],
    /^check needs \/host=<ip\/hostname>, e\.g\. OctoPing check \/host=MyServer, or \/hosts=<file>/,
  );
  rejects(["check", "/host=x", "/datasize=5"], /^\/datasize is an option of ping, not of check$/);
  rejects(["ping", "/host=x", "/subscription=poll://a/"], /^\/subscription is an option of check/);
});

Deno.test("which commands make a certificate of their own, so its key can be started at once", () => {
  const cases: [string[], boolean][] = [
    [["ping", "/host=x"], true],
    [["ping", "/host=x", "/nossl"], false],
    [["ping", "/host=x", "/clientcert=c.pem", "/clientkey=k.pem"], false],
    [["ping", "/hosts=fleet.txt"], true],
    [["check", "/host=x"], true],
    [["check", "/host=x", "/clientcert=c.pfx"], false],
    [["check", "/hosts=fleet.txt", "/nossl"], false],
    [["exporter"], true],
    [["pong"], true],
    [["pong", "/nossl"], false],
    [["pong", "/cert=c.pem", "/key=k.pem"], false],
    [["report", "/in=run.jsonl"], false],
    [["--version"], false],
    [["/?"], false],
  ];
  for (const [args, makes] of cases) {
    assert.equal(makesCertificate(parseArgs(args)), makes, args.join(" "));
  }
});
