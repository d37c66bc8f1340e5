import assert from "node:assert/strict";
import { TENTACLE_SESSION } from "./support/sessions.ts";
import { identifyPeer } from "../src/connection/identify.ts";
import type { ExchangeResult } from "../src/connection/result.ts";
import { certificateEvent } from "../src/ping/engine.ts";
import { certificateLines } from "../src/reporters/ping_text.ts";
import { VERSION } from "../src/version.ts";
import { pingLoopback, Pong, runOctoPing } from "./support/helpers.ts";
import { readRequest, serveWith, writeText } from "./support/servers.ts";
import { halibutListener } from "./support/halibut.ts";

const SESSION = TENTACLE_SESSION;

function answer(head: Partial<ExchangeResult>): ExchangeResult {
  return {
    connected: true,
    secured: true,
    bytesSent: 10,
    bytesRead: 10,
    phases: { dns: 0, connect: 0, proxy: null, tls: 0, firstByte: 0, transfer: 0 },
    ...head,
  };
}

const HALIBUT = new Map([["content-type", "text/html; charset=utf-8"], ["content-length", "500"]]);

Deno.test("pong is recognised by its X-OctoPing header", () => {
  const peer = identifyPeer(
    answer({ status: 200, headers: new Map([["x-octoping", "pong 9.9"]]) }),
  );
  assert.deepEqual(peer, { kind: "pong", description: "OctoPing pong 9.9" });
});

Deno.test("a Tentacle: self-signed certificate and Halibut's HTTP/1.0 HTML answer", () => {
  const peer = identifyPeer(
    answer({ tls: SESSION, status: 200, httpVersion: "HTTP/1.0", headers: HALIBUT }),
  );
  assert.equal(peer.kind, "tentacle");
  assert.match(
    peer.description,
    /Octopus Tentacle or Server \(self-signed certificate CN=Octopus Tentacle/,
  );
  assert.equal(peer.hint, undefined);
});

Deno.test("something else: a CA's certificate, a web server's answer, or no HTTP at all", () => {
  const byCa = identifyPeer(answer({
    tls: { ...SESSION, subject: "CN=proxy.corp", issuer: "CN=Corp CA", selfSigned: false },
    status: 200,
    httpVersion: "HTTP/1.0",
    headers: HALIBUT,
  }));
  assert.equal(byCa.kind, "other");
  assert.match(byCa.description, /issued by CN=Corp CA/);
  assert.match(byCa.hint!, /proxy, load balancer or SSL-offloading device/);
  const webServer = identifyPeer(answer({
    tls: SESSION,
    status: 502,
    httpVersion: "HTTP/1.1",
    headers: new Map([["server", "nginx"]]),
  }));
  assert.equal(webServer.kind, "other");
  assert.match(
    webServer.description,
    /a web server, not a Tentacle \(HTTP\/1\.1 502, Server: nginx\)/,
  );
  assert.equal(identifyPeer(answer({ tls: SESSION })).kind, "other");
  const forAName = identifyPeer(answer({
    tls: {
      ...SESSION,
      subject: "CN=www.example.com",
      issuer: "CN=www.example.com",
      altNames: "DNS:www.example.com",
    },
    status: 200,
    httpVersion: "HTTP/1.0",
    headers: HALIBUT,
  }));
  assert.equal(forAName.kind, "other");
  assert.match(forAName.description, /a certificate for DNS:www\.example\.com, not a Tentacle's/);
});

Deno.test("the certificate's lines: thumbprint as Octopus shows it, validity, TLS", () => {
  const lines = certificateLines(certificateEvent(SESSION, new Date("2026-01-01T00:00:00Z")));
  assert.deepEqual(lines, [
    "certificate: CN=Octopus Tentacle (self-signed); RSA 2048, SHA-256",
    `thumbprint: ${"A".repeat(40)} (SHA-1, as Octopus shows it); SHA-256: ${"B".repeat(64)}`,
    "valid from 2020-01-01 to 2100-01-01; TLSv1.2, ECDHE-RSA-AES256-GCM-SHA384",
  ]);
  const expired = certificateLines(
    certificateEvent(SESSION, new Date("2101-01-01T00:00:00Z"), "C".repeat(40)),
  );
  assert.match(expired[0], /^certificate changed: /);
  assert.match(expired[3], /^warning: the certificate expired on 2100-01-01/);
  const early = certificateLines(certificateEvent(SESSION, new Date("2019-01-01T00:00:00Z")));
  assert.match(early[3], /^warning: the certificate is not valid until 2020-01-01: .*clock/);
});

Deno.test("against pong: address, certificate and who answered, each once", async () => {
  await using pong = await Pong.start();
  const run = await runOctoPing([
    "ping",
    "/host=localhost",
    `/port=${pong.port}`,
    "/count=3",
    "/interval=0",
  ]);
  assert.equal(run.code, 0, run.stdout);
  const once = (pattern: RegExp) => {
    assert.equal(
      run.stdout.match(new RegExp(pattern, "gm"))?.length,
      1,
      `${pattern}\n${run.stdout}`,
    );
  };
  once(/^ {4}address: localhost is 127\.0\.0\.1$/);
  once(/^ {4}certificate: CN=OctoPing Pong \(self-signed\); .+, SHA-256$/);
  once(
    new RegExp(
      `^ {4}thumbprint: ${pong.thumbprint} \\(SHA-1, as Octopus shows it\\); SHA-256: [0-9A-F]{64}$`,
    ),
  );
  once(/^ {4}valid from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d; TLSv1\.3, TLS_\w+$/);
  once(new RegExp(`^ {4}answered by: OctoPing pong ${VERSION.replaceAll(".", "\\.")}$`));
});

Deno.test("against a Tentacle-like server: named as an Octopus Tentacle or Server", async () => {
  await using server = await serveWith(async (conn) => {
    await readRequest(conn);
    const page = "<html><body>Octopus Tentacle</body></html>";
    await writeText(
      conn,
      `HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${page.length}\r\n\r\n${page}\r\n\r\n`,
    );
    conn.close();
  }, true);
  const run = await pingLoopback(server.port, "/count=1");
  assert.equal(run.code, 0, run.stdout);
  assert.match(
    run.stdout,
    /\n {4}answered by: an Octopus Tentacle or Server \(self-signed certificate CN=OctoPing Pong, not the usual name, and Halibut's HTML answer\)\n/,
  );
  assert.doesNotMatch(run.stdout, /hint:/);
});

Deno.test("Halibut's page names the peer: a Tentacle, an Octopus Server's polling port, Halibut", () => {
  const page = (title: string) =>
    identifyPeer(answer({
      tls: SESSION,
      status: 200,
      httpVersion: "HTTP/1.0",
      headers: HALIBUT,
      answerStart: `HTTP/1.0 200 OK\r\n\r\n<html><head><title>${title}</title></head>`,
    }));
  const tentacle = page("Octopus Tentacle configured successfully");
  assert.equal(tentacle.kind, "tentacle");
  assert.match(tentacle.description, /^an Octopus Tentacle \(self-signed/);
  const server = page("Octopus Server configured successfully");
  assert.equal(server.kind, "server");
  assert.match(server.description, /^an Octopus Server's polling endpoint \(/);
  const halibut = page("Hello!");
  assert.equal(halibut.kind, "tentacle");
  assert.match(halibut.description, /^a Halibut service/);
});

Deno.test("the certificate comes before pong's header: a CA's is flagged unless pong vouches for it", () => {
  const byCa = { ...SESSION, subject: "CN=pong.corp", issuer: "CN=Corp CA", selfSigned: false };
  const intercepted = identifyPeer(answer({
    tls: byCa,
    status: 200,
    headers: new Map([["x-octoping", "pong 9.9"], ["x-octoping-certificate", "0".repeat(40)]]),
  }));
  assert.equal(intercepted.kind, "other");
  const vouched = identifyPeer(answer({
    tls: byCa,
    status: 200,
    headers: new Map([["x-octoping", "pong 9.9"], ["x-octoping-certificate", byCa.sha1]]),
  }));
  assert.equal(vouched.kind, "pong");
  assert.match(vouched.description, /serving its \/cert, issued by CN=Corp CA/);
});

Deno.test(
  "a TLS 1.2 server with Halibut's page that asks for no client certificate: warned of, and not called a Tentacle",
  async () => {
    const asks = (ask: boolean, maxVersion: "TLSv1.2" | "TLSv1.3") =>
      halibutListener("0".repeat(40), "Tentacle", { askClientCertificate: ask, maxVersion });
    const warning =
      /\n {4}warning: the server did not ask for a client certificate, which a Tentacle always does: something other than the Tentacle ends TLS here/;
    const tentacle =
      /\n {4}answered by: an Octopus Tentacle \(self-signed certificate CN=Octopus Tentacle, and Halibut's HTML answer\)\n/;
    await using impostor = await asks(false, "TLSv1.2");
    const run = await pingLoopback(impostor.port, "/count=2", "/interval=0", "/format=json");
    assert.equal(run.code, 0, run.stdout);
    const certificate = run.stdout.split("\n").filter((line) => line.includes('"certificate"'))
      .map((line) => JSON.parse(line));
    assert.equal(certificate.length, 1, run.stdout);
    assert.deepEqual(
      certificate[0].warnings.map((w: { code: string }) => w.code),
      ["client-certificate-not-requested"],
    );
    const text = await pingLoopback(impostor.port, "/count=1");
    assert.match(text.stdout, warning);
    assert.match(
      text.stdout,
      /\n {4}answered by: a server with Halibut's HTML answer that did not ask for a client certificate \(self-signed certificate CN=Octopus Tentacle\), so not a Tentacle or Octopus Server, which always ask\n {4}hint: a proxy/,
    );
    // A Tentacle asks: no warning. Under TLS 1.3 the request is encrypted: nothing is claimed.
    await using real = await asks(true, "TLSv1.2");
    await using hidden = await asks(false, "TLSv1.3");
    for (const server of [real, hidden]) {
      const seen = await pingLoopback(server.port, "/count=1");
      assert.equal(seen.code, 0, seen.stdout);
      assert.doesNotMatch(seen.stdout, /warning:/);
      assert.match(seen.stdout, tentacle);
    }
  },
);
