/**
 * `/proxy=` as people write it: what is read from each form, what is bad
 * input and says what is supported, and how the password is kept out of
 * sight (the redacted URL, the copied command line, JSON).
 */
import assert from "node:assert/strict";
import { parseArgs, UsageError } from "../src/options/parse.ts";
import {
  authSchemes,
  connectRequest,
  MAX_PROXY_ANSWER_BYTES,
  PROXY_FAILURES,
  ProxyAnswerReader,
  ProxyError,
} from "../src/net/proxy.ts";
import { HttpProxy, parseProxyUrl, ProxyUrlError, redactProxyUrl } from "../src/net/proxy_url.ts";
import { diagnose } from "../src/connection/diagnosis.ts";
import { describeRun } from "../src/reporters/run_info.ts";

/** What a parsed proxy shows: host, port, user, the redacted URL and its Basic header. */
function read(text: string, variable?: string) {
  const proxy = parseProxyUrl(text, () => variable);
  return {
    host: proxy.host,
    port: proxy.port,
    user: proxy.user,
    url: proxy.url,
    authorization: proxy.authorization,
  };
}

const basic = (credentials: string) => `Basic ${btoa(credentials)}`;

Deno.test("proxy URLs that are read, and what is read from each", () => {
  const table: [string, ReturnType<typeof read>][] = [
    ["http://proxy:8080", {
      host: "proxy",
      port: 8080,
      user: undefined,
      url: "http://proxy:8080",
      authorization: undefined,
    }],
    ["proxy.corp.local:3128", {
      host: "proxy.corp.local",
      port: 3128,
      user: undefined,
      url: "http://proxy.corp.local:3128",
      authorization: undefined,
    }],
    ["HTTP://10.0.0.5:80/", {
      host: "10.0.0.5",
      port: 80,
      user: undefined,
      url: "http://10.0.0.5:80",
      authorization: undefined,
    }],
    ["  http://[fe80::1]:8080  ", {
      host: "fe80::1",
      port: 8080,
      user: undefined,
      url: "http://[fe80::1]:8080",
      authorization: undefined,
    }],
    ["http://alice:secret@proxy:8080", {
      host: "proxy",
      port: 8080,
      user: "alice",
      url: "http://alice:***@proxy:8080",
      authorization: basic("alice:secret"),
    }],
    // Percent-decoded; a password may hold : and @ (the last @ ends it).
    ["http://CORP%5Calice:p%40ss:w@rd@proxy:8080", {
      host: "proxy",
      port: 8080,
      user: "CORP\\alice",
      url: "http://CORP%5Calice:***@proxy:8080",
      authorization: basic("CORP\\alice:p@ss:w@rd"),
    }],
    ["http://alice:@proxy:8080", {
      host: "proxy",
      port: 8080,
      user: "alice",
      url: "http://alice:***@proxy:8080",
      authorization: basic("alice:"),
    }],
  ];
  for (const [text, expected] of table) assert.deepEqual(read(text), expected, text);
});

Deno.test("a user without a password takes it from OCTOPING_PROXY_PASSWORD", () => {
  assert.equal(read("http://alice@proxy:8080", "from-env").authorization, basic("alice:from-env"));
  assert.equal(
    read("http://alice:typed@proxy:8080", "from-env").authorization,
    basic("alice:typed"),
  );
  assert.throws(
    () => read("http://alice@proxy:8080"),
    /names the user but no password: set the environment variable OCTOPING_PROXY_PASSWORD/,
  );
});

Deno.test("proxy URLs that are bad input say what is supported, and never the password", () => {
  const table: [string, RegExp][] = [
    ["https://proxy:8080", /https:\/\/\) is not supported.*expected http:\/\//],
    ["socks5://proxy:1080", /socks5:\/\/ proxies are not supported/],
    ["http://proxy", /give the proxy's port/],
    ["http://proxy:0", /the port must be 1-65535/],
    ["http://proxy:99999", /the port must be 1-65535/],
    ["http://proxy:8080/pac.js", /a proxy URL has no path/],
    ["http://pro xy:8080", /expected the proxy's name or IP address/],
    ["http://[10.0.0.1]:8080", /expected the proxy's name or IP address/],
    ["http://@proxy:8080", /no user before the @/],
    ["http://alice:50%off@proxy:8080", /write % itself as %25/],
  ];
  for (const [text, message] of table) {
    assert.throws(() => read(text, "x"), (error: unknown) => {
      assert.ok(error instanceof ProxyUrlError, text);
      assert.match(error.message, message, text);
      assert.match(error.message, /http:\/\/\[user\[:password\]@\]host:port/, text);
      assert.ok(!error.message.includes("50%off"), "the password is not repeated");
      return true;
    });
  }
});

Deno.test("redactProxyUrl blanks the password as typed, and leaves the rest", () => {
  const table: [string, string][] = [
    ["http://alice:secret@proxy:8080", "http://alice:***@proxy:8080"],
    ["alice:p@ss@proxy:8080", "alice:***@proxy:8080"],
    ["http://alice@proxy:8080", "http://alice@proxy:8080"],
    ["http://proxy:8080", "http://proxy:8080"],
    ["https://a:b@proxy:8080/x", "https://a:***@proxy:8080/x"],
  ];
  for (const [text, expected] of table) assert.equal(redactProxyUrl(text), expected, text);
});

Deno.test("the copied command line has the proxy's password blanked, in both spellings", () => {
  const run = describeRun("ping", [
    "ping",
    "/host=t",
    "/PROXY=http://alice:secret@proxy:8080",
    "--proxy",
    "bob:hunter2@proxy:3128",
    "/clientpassword=pfx-secret",
  ]);
  assert.equal(
    run.commandLine,
    "OctoPing ping /host=t /PROXY=http://alice:***@proxy:8080 --proxy bob:***@proxy:3128 " +
      "/clientpassword=***",
  );
});

Deno.test("a proxy serialises, and prints, without its password", () => {
  const proxy = new HttpProxy("proxy", 8080, { user: "alice", password: "secret" });
  assert.equal(JSON.stringify({ proxy }), '{"proxy":"http://alice:***@proxy:8080"}');
  assert.equal(`${proxy}`, "http://alice:***@proxy:8080");
  assert.ok(!Deno.inspect(proxy).includes("secret"), Deno.inspect(proxy));
});

Deno.test("the CONNECT request is Halibut's: HTTP/1.0, Host, Basic credentials", () => {
  const text = (proxy: HttpProxy, host: string) =>
    new TextDecoder().decode(connectRequest(proxy, { host, port: 10933 }));
  assert.equal(
    text(new HttpProxy("p", 1), "tentacle"),
    "CONNECT tentacle:10933 HTTP/1.0\r\nHost: tentacle:10933\r\n\r\n",
  );
  assert.equal(
    text(new HttpProxy("p", 1, { user: "alice", password: "s" }), "fe80::1"),
    "CONNECT [fe80::1]:10933 HTTP/1.0\r\nHost: [fe80::1]:10933\r\n" +
      `Proxy-Authorization: ${basic("alice:s")}\r\n\r\n`,
  );
});

Deno.test("the schemes a Proxy-Authenticate offers", () => {
  const table: [string, string[]][] = [
    ['Basic realm="Tinyproxy"', ["Basic"]],
    ["NTLM, Negotiate", ["NTLM", "Negotiate"]],
    ['Newauth realm="apps", type=1, title="Login, \\"apps\\"", Basic realm="simple"', [
      "Newauth",
      "Basic",
    ]],
    ['Negotiate, NTLM, Basic realm="x, y", ntlm', ["Negotiate", "NTLM", "Basic"]],
    ["", []],
  ];
  for (const [value, schemes] of table) assert.deepEqual(authSchemes(value), schemes, value);
});

Deno.test("/proxy with /ipv4 or /ipv6 is bad input: the proxy resolves the name", () => {
  for (const family of ["/ipv4", "/ipv6"]) {
    assert.throws(
      () => parseArgs(["ping", "/host=t", "/proxy=proxy:8080", family]),
      (error: unknown) =>
        error instanceof UsageError &&
        /with \/proxy: the proxy resolves the name/.test(error.message),
    );
  }
  assert.throws(() => parseArgs(["ping", "/host=t", "/proxy=https://p:1"]), UsageError);
});

Deno.test("a mistyped option holding a proxy URL is not echoed with its password", () => {
  for (
    const args of [
      ["ping", "/host=t", "/proxyy=http://alice:secret@proxy:8080"],
      ["ping", "/host=t", "/nossl=http://alice:secret@proxy:8080"],
      ["ping", "/host=t", "C:/Program Files/Git/proxy=http://alice:secret@proxy:8080"],
      ["ping", "/host=t", "http://alice:secret@proxy:8080"],
    ]
  ) {
    assert.throws(() => parseArgs(args), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.ok(!error.message.includes("secret"), error.message);
      assert.match(error.message, /alice:\*\*\*@proxy:8080/);
      return true;
    });
  }
});

/** Feeds `chunks` to a fresh reader: true once a 200 is whole, or the ProxyError it threw. */
function answer(...chunks: string[]): boolean | ProxyError {
  const reader = new ProxyAnswerReader();
  try {
    return chunks.map((chunk) => reader.push(new TextEncoder().encode(chunk))).at(-1)!;
  } catch (error) {
    if (error instanceof ProxyError) return error;
    throw error;
  }
}

Deno.test("the proxy's answer to CONNECT: a whole 200 opens the tunnel, across chunks", () => {
  assert.equal(answer("HTTP/1.0 200 Connection established\r\n", "\r\n"), true);
  assert.equal(answer("HTTP/1.1 2"), false, "not whole yet");
});

Deno.test("more after the 200, or a head that never ends, is named as such, not as 'not HTTP'", () => {
  const early = answer("HTTP/1.0 200 OK\r\n\r\nX") as ProxyError;
  assert.equal(early.code, PROXY_FAILURES.early);
  const endless = answer(
    "HTTP/1.0 200 OK\r\nX-Pad: " + "a".repeat(MAX_PROXY_ANSWER_BYTES),
  ) as ProxyError;
  assert.equal(endless.code, PROXY_FAILURES.tooLong);
  assert.match(endless.message, /did not end within 16384 bytes/);
  const context = {
    host: "t",
    port: 10933,
    dataMode: false,
    proxy: parseProxyUrl("p:3128", () => undefined),
  };
  const summary = (error: ProxyError) =>
    diagnose({
      phase: "proxy",
      code: error.code,
      message: error.message,
      proxy: { connected: true },
    }, context)
      .summary;
  assert.equal(
    summary(early),
    "the proxy p:3128 sent more after its 200 answer, before the tunnel was used",
  );
  assert.equal(
    summary(endless),
    "the proxy p:3128 sent an answer to CONNECT longer than 16384 bytes",
  );
});

Deno.test("a proxy saying it could not reach the Tentacle puts the fault behind it, whatever its status", () => {
  const behind: [string, boolean][] = [
    ["HTTP/1.0 502 Bad Gateway\r\n\r\n", true],
    ["HTTP/1.0 504 Gateway Timeout\r\n\r\n", true],
    ["HTTP/1.0 500 Unable to connect\r\n\r\n", true], // tinyproxy, a refused or unknown host
    ["HTTP/1.1 503 Service Unavailable\r\nX-Squid-Error: ERR_CONNECT_FAIL 111\r\n\r\n", true],
    ["HTTP/1.1 500 Internal Server Error\r\nX-Squid-Error: ERR_CANNOT_FORWARD 0\r\n\r\n", true],
    ["HTTP/1.1 500 Internal Server Error\r\n\r\n", false],
    ["HTTP/1.0 403 Access violation\r\n\r\n", false],
  ];
  const context = {
    host: "t",
    port: 10933,
    dataMode: false,
    proxy: parseProxyUrl("p:3128", () => undefined),
  };
  for (const [text, expected] of behind) {
    const error = answer(text) as ProxyError;
    assert.equal(error.unreachable, expected, text);
    const diagnosis = diagnose({
      phase: "proxy",
      code: error.code,
      message: error.message,
      proxy: {
        connected: true,
        status: error.status,
        reason: error.reason,
        unreachable: error.unreachable,
      },
    }, context);
    assert.equal(
      /^the fault is behind the proxy/.test(diagnosis.hint),
      expected,
      `${text}: ${diagnosis.hint}`,
    );
  }
});

Deno.test("a password in any URL on the command line is blanked, not only /proxy's", () => {
  const run = describeRun("ping", ["ping", "/host=http://alice:S3cret@127.0.0.1", "/port=1"]);
  assert.equal(run.commandLine, "OctoPing ping /host=http://alice:***@127.0.0.1 /port=1");
});
