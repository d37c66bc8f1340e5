/**
 * Ping through real HTTP proxies, as Octopus reaches a Tentacle through one:
 * Debian's tinyproxy and squid, configured here in a temporary directory, on
 * loopback. Whatever fails at the proxy is named `proxy`; past the tunnel,
 * ping and check work as they do without one; the proxy's password reaches
 * no record.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mitmdump, type ProxyDaemon, squid, tinyproxy, which } from "./support/daemons.ts";
import { afterHeader, freePort, linuxTest, Pong, runOctoPing, tempDir } from "./support/helpers.ts";
import { halibutListener } from "./support/halibut.ts";
import { selfSigned } from "./support/openssl.ts";
import { holdOpen, readRequest, serveWith, writeText } from "./support/servers.ts";

const TINYPROXY = { what: "tinyproxy", here: which("tinyproxy") !== undefined };
const SQUID = { what: "squid", here: which("squid") !== undefined };

const PASSWORD = "S3cret-pr0xy";
/** The password as it may leak: typed, percent-encoded, or in a Basic header. */
const LEAKS = [PASSWORD, "S3cret%2Dpr0xy", btoa(`alice:${PASSWORD}`)];

/** Runs `fn` with a running proxy, stopped after. */
async function withProxy(
  start: () => Promise<ProxyDaemon>,
  fn: (proxy: ProxyDaemon) => Promise<void>,
): Promise<void> {
  await using proxy = await start();
  await fn(proxy);
}

/** Runs `fn` with a pong started with `extra`, stopped after. */
async function withPong(extra: string[], fn: (pong: Pong) => Promise<void>): Promise<void> {
  await using pong = await Pong.start(extra);
  await fn(pong);
}

/** `command` against `port` on localhost through the proxy at `url`, with `options`. */
function runThrough(command: "ping" | "check", url: string, port: number, ...options: string[]) {
  return runOctoPing([command, "/host=localhost", `/port=${port}`, `/proxy=${url}`, ...options]);
}

/** One attempt of ping to `port` on localhost through the proxy at `url`, with `options`. */
function pingThrough(url: string, port: number, ...options: string[]) {
  return runThrough("ping", url, port, "/count=1", ...options);
}

/** The JSON objects of a /format=json run. */
function events(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split("\n").map((line) => JSON.parse(line));
}

function assertNoPassword(text: string, what: string): void {
  for (const leak of LEAKS) assert.ok(!text.includes(leak), `${what} holds the password:\n${text}`);
}

linuxTest(
  "through tinyproxy's open tunnel: TLS to pong, the proxy phase timed, pong sees the proxy",
  () =>
    withProxy(() => tinyproxy(), (proxy) =>
      withPong(["/listen=127.0.0.1"], async (pong) => {
        const run = await runThrough(
          "ping",
          `127.0.0.1:${proxy.port}`,
          pong.port,
          "/count=2",
          "/interval=0",
          `/thumbprint=${pong.thumbprint}`,
        );
        assert.equal(run.code, 0, run.stdout);
        const lines = afterHeader(run.stdout);
        assert.match(
          lines[0],
          new RegExp(
            `pinging localhost on port ${pong.port} with TLS through the proxy ` +
              `http://127\\.0\\.0\\.1:${proxy.port}$`,
          ),
        );
        const attempts = lines.filter((line) => line.includes("Connect: Success!"));
        assert.equal(attempts.length, 2, run.stdout);
        // The proxy's name is an IP address: no lookup; the TCP connect is the proxy phase's.
        for (const line of attempts) {
          assert.match(line, /\(proxy \d+, tls \d+, first byte \d+ ms\)$/);
        }
        assert.match(run.stdout, /answered by: OctoPing pong/);
        // Pong's line shows the proxy as the client: here both are 127.0.0.1.
        assert.match(await pong.stdout.waitFor(/bytes read/), /127\.0\.0\.1/);
      })),
  TINYPROXY,
);

linuxTest(
  "a 50 MB data-mode attempt goes through tinyproxy whole, 25 tunnels",
  () =>
    withProxy(() => tinyproxy(), (proxy) =>
      withPong([], async (pong) => {
        const run = await pingThrough(`http://127.0.0.1:${proxy.port}`, pong.port, "/datasize=50");
        assert.equal(run.code, 0, run.stdout);
        assert.match(run.stdout, /Connect: Success!/);
        const read = await pong.answered(25);
        assert.equal(read.reduce((sum, n) => sum + n, 0) > 50 * 1_048_576, true);
      })),
  TINYPROXY,
);

linuxTest(
  "/nossl and /reverse work through the tunnel too",
  () =>
    withProxy(() => tinyproxy(), async (proxy) => {
      const url = `http://127.0.0.1:${proxy.port}`;
      await withPong(["/nossl"], async (pong) => {
        const run = await pingThrough(url, pong.port, "/nossl");
        assert.equal(run.code, 0, run.stdout);
        assert.match(run.stdout, /Success! .*\(proxy \d+, first byte \d+ ms\)/);
      });
      await withPong(["/maxsend=1"], async (pong) => {
        const run = await pingThrough(url, pong.port, "/datasize=1", "/reverse");
        assert.equal(run.code, 0, run.stdout);
        assert.match(run.stdout, /Connect: Success!/);
      });
    }),
  TINYPROXY,
);

linuxTest(
  "tinyproxy with BasicAuth: 407 named without credentials; with them, in the URL or the " +
    "environment, it works, and the password is in no output, log file or JSON",
  () =>
    withProxy(
      () => tinyproxy([`BasicAuth alice ${PASSWORD}`]),
      (proxy) =>
        withPong([], async (pong) => {
          const at = `127.0.0.1:${proxy.port}`;
          const none = await pingThrough(`http://${at}`, pong.port);
          assert.equal(none.code, 1);
          assert.match(
            none.stdout,
            /HTTP\/1\.0 407 Proxy Authentication Required \(it offers Basic\)/,
          );
          assert.match(
            none.stdout,
            /cause: proxy - the proxy .* wants credentials \(it offers Basic\)/,
          );
          assert.match(none.stdout, /hint: .*OCTOPING_PROXY_PASSWORD/);

          const wrong = await pingThrough(`http://alice:nope@${at}`, pong.port);
          assert.match(
            wrong.stdout,
            /cause: proxy - the proxy .* refused the credentials of alice/,
          );

          await using dir = await tempDir();
          const log = `${dir.path}/run.log`;
          const text = await pingThrough(
            `http://alice:S3cret%2Dpr0xy@${at}`,
            pong.port,
            `/logfile=${log}`,
          );
          assert.equal(text.code, 0, text.stdout);
          assert.match(text.stdout, /# command line: .*\/proxy=http:\/\/alice:\*\*\*@127/);
          assert.match(text.stdout, /through the proxy http:\/\/alice:\*\*\*@127/);
          assertNoPassword(text.stdout + text.stderr, "the output");
          assertNoPassword(await Deno.readTextFile(log), "the log file");

          const json = await runOctoPing(
            [
              "ping",
              "/host=localhost",
              `/port=${pong.port}`,
              "--proxy",
              `http://alice@${at}`,
              "/count=1",
              "/format=json",
              `/logfile=${dir.path}/run.jsonl`,
            ],
            { env: { OCTOPING_PROXY_PASSWORD: PASSWORD } },
          );
          assert.equal(json.code, 0, json.stdout);
          const start = events(json.stdout)[0];
          assert.equal((start.options as { proxy: string }).proxy, `http://alice:***@${at}`);
          assertNoPassword(json.stdout + json.stderr, "the JSON");
          assertNoPassword(await Deno.readTextFile(`${dir.path}/run.jsonl`), "the JSON log file");
        }),
    ),
  TINYPROXY,
);

linuxTest(
  "tinyproxy allowing CONNECT to port 443 only: its refusal is named",
  () =>
    withProxy(() => tinyproxy(["ConnectPort 443"]), (proxy) =>
      withPong([], async (pong) => {
        const run = await pingThrough(`http://127.0.0.1:${proxy.port}`, pong.port);
        assert.equal(run.code, 1);
        assert.match(run.stdout, /the proxy answered CONNECT with HTTP\/1\.0 403 Access violation/);
        assert.match(
          run.stdout,
          new RegExp(`cause: proxy - the proxy .* refuses CONNECT to localhost port ${pong.port}`),
        );
        assert.match(run.stdout, /hint: many proxies allow CONNECT to port 443 only/);
        assert.match(run.stdout, /connected: False/);
      })),
  TINYPROXY,
);

linuxTest(
  "tinyproxy that cannot reach the Tentacle (500 Unable to connect): the fault is behind it",
  () =>
    withProxy(() => tinyproxy(), async (proxy) => {
      const run = await pingThrough(`http://127.0.0.1:${proxy.port}`, freePort());
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        run.stdout,
        /cause: proxy - the proxy 127\.0\.0\.1:\d+ could not reach localhost port \d+ \(HTTP 500 Unable to connect\)\s+hint: the fault is behind the proxy/,
      );
    }),
  TINYPROXY,
);

Deno.test("a proxy that is not running: cause proxy, in phase proxy, not refused", async () => {
  const run = await pingThrough(`http://127.0.0.1:${freePort()}`, 10933, "/format=json");
  assert.equal(run.code, 1);
  const attempt = events(run.stdout).find((event) => event.type === "attempt")!;
  assert.equal(attempt.cause, "proxy");
  assert.equal(attempt.phase, "proxy");
  assert.match(attempt.message as string, /ECONNREFUSED/);
  assert.deepEqual(
    Object.entries(attempt.phases as Record<string, unknown>)
      .filter(([, value]) => value === null).map(([name]) => name),
    ["dns", "connect"], // an IP address needs no lookup; the connect is the proxy phase's
  );
});

Deno.test(
  "check through a proxy that is not running: the blocking finding is the proxy's",
  async () => {
    const run = await runThrough("check", `http://127.0.0.1:${freePort()}`, 10933, "/format=json");
    assert.equal(run.code, 1);
    const check = events(run.stdout).find((event) => event.type === "check")!;
    const findings = check.findings as { level: string; code: string; message: string }[];
    assert.deepEqual(findings.filter((f) => f.level === "blocking").map((f) => f.code), ["proxy"]);
    assert.match(findings.find((f) => f.code === "proxy")!.message, /the proxy 127\.0\.0\.1:\d+/);
  },
);

Deno.test("a proxy's name that does not resolve is the proxy's fault, in phase dns", async () => {
  const run = await pingThrough("http://proxy.invalid:3128", 10933, "/format=json");
  const attempt = events(run.stdout).find((event) => event.type === "attempt")!;
  assert.equal(attempt.cause, "proxy");
  assert.equal(attempt.phase, "dns");
  assert.match(attempt.hint as string, /check \/proxy/);
});

/** A proxy of the test's own that answers CONNECT with `answer`, or never when undefined. */
function scriptedProxy(answer?: string) {
  return serveWith(async (conn) => {
    await readRequest(conn);
    if (answer !== undefined) await writeText(conn, answer);
    else await holdOpen(conn);
    conn.close();
  });
}

Deno.test(
  "what a proxy answers instead of a tunnel is named, escaped where it is not text",
  async () => {
    const cases: [string, string | undefined, RegExp, RegExp][] = [
      [
        "407 offering only NTLM and Negotiate",
        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\n" +
        "Proxy-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n",
        /it offers NTLM, Negotiate/,
        /cause: proxy - .* offers only NTLM, Negotiate\s+hint: NTLM and Negotiate .* not spoken by OctoPing/,
      ],
      [
        "502",
        "HTTP/1.1 502 Bad Gateway\r\n\r\n",
        /502 Bad Gateway/,
        /cause: proxy - the proxy .* could not reach localhost port 10933 \(HTTP 502 Bad Gateway\)\s+hint: the fault is behind the proxy/,
      ],
      [
        "an answer that is not HTTP",
        "\x1b[2JSSH-2.0-OpenSSH_9.2\r\n",
        /is not HTTP: '\\x1b\[2JSSH-2\.0-OpenSSH_9\.2\\x0d\\x0a'/,
        /cause: proxy - the proxy .* did not answer CONNECT in HTTP/,
      ],
      [
        "a proxy that closes",
        "",
        /the proxy closed the connection without answering CONNECT/,
        /cause: proxy - the proxy .* closed the connection without opening the tunnel/,
      ],
      [
        "a proxy that never answers",
        undefined,
        /the proxy did not answer CONNECT within 1 s/,
        /cause: proxy - the proxy .* did not answer CONNECT/,
      ],
    ];
    for (const [name, answer, message, diagnosis] of cases) {
      await using proxy = await scriptedProxy(answer);
      const run = await pingThrough(`127.0.0.1:${proxy.port}`, 10933, "/timeout=1");
      assert.equal(run.code, 1, name);
      assert.match(run.stdout, message, name);
      assert.match(run.stdout, diagnosis, name);
      assert.ok(!run.stdout.includes("\x1b"), `${name}: the peer's escape is escaped`);
    }
  },
);

linuxTest(
  "through squid: ping works, and a Tentacle port closed behind it is squid's to say",
  () =>
    withProxy(squid, (proxy) =>
      withPong([], async (pong) => {
        const url = `http://127.0.0.1:${proxy.port}`;
        const run = await pingThrough(url, pong.port);
        assert.equal(run.code, 0, run.stdout);
        assert.match(run.stdout, /answered by: OctoPing pong/);
        const closed = await pingThrough(url, freePort());
        assert.equal(closed.code, 1);
        assert.match(closed.stdout, /503 Service Unavailable \(squid: ERR_CONNECT_FAIL/);
        assert.match(closed.stdout, /cause: proxy - the proxy .* could not reach localhost port/);
      })),
  SQUID,
);

/** What these tests read of check's JSON `check` object. */
interface CheckJson {
  verdict: string;
  lookup: unknown;
  notes: string[];
  findings: { message: string }[];
  addresses: {
    address: string | null;
    tcp: { ok: boolean; cause: string | null };
    tls: {
      versions: Record<string, boolean | null>;
      connections: number;
      certificate: { sha1: string };
    };
    exchange: { peer: string };
    trust: unknown;
  }[];
}

/** `check` in JSON of localhost at `port` through the proxy at `url`: its `check` object. */
async function checkThrough(url: string, port: number, ...extra: string[]) {
  const run = await runThrough("check", url, port, "/format=json", ...extra);
  const objects = events(run.stdout);
  assert.deepEqual(objects.map((o) => o.type), ["start", "check"], run.stdout + run.stderr);
  return { run, check: objects[1] as unknown as CheckJson };
}

linuxTest(
  "check through squid: one entry, reached by the name, its TLS probed through tunnels",
  () =>
    withProxy(squid, (proxy) =>
      withPong([], async (pong) => {
        const url = `http://127.0.0.1:${proxy.port}`;
        const { run, check } = await checkThrough(url, pong.port);
        assert.equal(run.code, 0, run.stdout);
        assert.equal(check.verdict, "ok");
        assert.deepEqual(check.lookup, { addresses: [], ms: null });
        assert.equal(check.addresses.length, 1);
        const [entry] = check.addresses;
        assert.equal(entry.address, null);
        assert.equal(entry.tcp.ok, true);
        assert.equal(entry.tls.versions["TLSv1.2"], true);
        assert.equal(entry.tls.versions["TLSv1.3"], true);
        assert.ok(entry.tls.connections > 5, "each ClientHello in a tunnel of its own");
        assert.equal(entry.tls.certificate.sha1, pong.thumbprint);
        assert.match(entry.exchange.peer, /^OctoPing pong/);
        assert.match(
          check.notes[0],
          /^through the proxy http:\/\/127\.0\.0\.1:\d+, which resolves/,
        );

        const closed = await checkThrough(url, freePort());
        assert.equal(closed.run.code, 1);
        assert.equal(closed.check.addresses[0].tcp.cause, "proxy");
        assert.match(
          closed.check.findings[0].message,
          /^localhost: the proxy .* could not reach localhost port \d+ \(HTTP 503 Service Unavailable\)$/,
        );
      })),
  SQUID,
);

linuxTest("check's trust test goes through the tunnel as Octopus's would", async () => {
  await using dir = await tempDir();
  const octopus = await selfSigned(dir.path, "octopus");
  const thumbprint = new X509Certificate(await Deno.readTextFile(octopus.cert)).fingerprint
    .replaceAll(":", "");
  await using tentacle = await halibutListener(thumbprint);
  await withProxy(() => tinyproxy([`BasicAuth alice ${PASSWORD}`]), async (proxy) => {
    const { run, check } = await checkThrough(
      `http://alice:${PASSWORD}@127.0.0.1:${proxy.port}`,
      tentacle.port,
      `/clientcert=${octopus.cert}`,
      `/clientkey=${octopus.key}`,
    );
    assert.equal(run.code, 0, run.stdout);
    assert.deepEqual(check.addresses[0].trust, { tested: true, trusted: true, thumbprint });
    assert.deepEqual(tentacle.identities, ["MX-CLIENT 1.0"]);
    assertNoPassword(run.stdout + run.stderr, "check's JSON");
  });
}, { what: "tinyproxy and openssl", here: TINYPROXY.here && which("openssl") !== undefined });

Deno.test("/proxy pointed at a TLS port (here pong's, as at the Tentacle's own) is named", () =>
  withPong(["/listen=127.0.0.1"], async (pong) => {
    const run = await pingThrough(`127.0.0.1:${pong.port}`, 10933);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /the proxy answered CONNECT in TLS/);
    assert.match(run.stdout, /cause: proxy - the proxy .* answered CONNECT in TLS: a TLS port/);
  }));

linuxTest(
  "an inspecting proxy (mitmproxy, regular mode) opens the tunnel, then replaces the certificate: intercepted",
  () =>
    withPong([], async (pong) => {
      await using mitm = await mitmdump();
      const run = await pingThrough(`127.0.0.1:${mitm.port}`, pong.port);
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stdout, /connected: True; SSL: True/);
      assert.match(
        run.stdout,
        /cause: intercepted - the server's certificate was replaced on the way \(TLS inspection\)/,
      );
      assert.match(run.stdout, /issued by [^\n]*mitmproxy/);
    }),
  { what: "mitmproxy", here: which("mitmdump") !== undefined },
);
