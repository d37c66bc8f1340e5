/**
 * `check` says only what it saw: what TLS 1.3 hides, what `/nossl` checks,
 * which Octopus Servers a weak key stops, every suite it lists, and what
 * "answering" means in the `/hosts` table. Each against a real peer.
 *
 * @module
 */
import assert from "node:assert/strict";
import { PLATFORM_NAMES, REFUSED_ON } from "../src/net/tls_probe/octopus.ts";
import { SUITES } from "../src/net/tls_probe/suites.ts";
import { checkOpenssl, codes, type JsonFinding, PEERS } from "./support/check.ts";
import { afterHeader, linuxTest, Pong, runOctoPing, tempDir } from "./support/helpers.ts";
import { silentListener } from "./support/servers.ts";

/** The finding with `code`, failing the test when there is none. */
function finding(findings: JsonFinding[], code: string): JsonFinding {
  const found = findings.find((f) => f.code === code);
  assert.ok(found, `no ${code} among ${JSON.stringify(findings)}`);
  return found;
}

linuxTest(
  "TLS 1.3 only: whether it asks for a client certificate is read from its encrypted flight",
  async () => {
    const silent = await checkOpenssl(["-tls1_3"]);
    const tls = silent.check.addresses[0].tls;
    assert.equal(tls.clientCertificateRequested, false);
    // The probe reads the certificate too, from the same flight.
    assert.equal(tls.certificate.subject, "CN=checked");
    assert.ok(codes(silent.check.findings, "warning").includes("client-certificate-not-requested"));
    for (const options of [["-verify", "1"], ["-Verify", "1"]]) {
      const asks = await checkOpenssl(["-tls1_3", ...options]);
      assert.equal(asks.check.addresses[0].tls.clientCertificateRequested, true, options.join(" "));
      assert.ok(
        !asks.check.findings.some((f: JsonFinding) => f.code.startsWith("client-certificate")),
        JSON.stringify(asks.check.findings),
      );
    }
  },
  PEERS,
);

linuxTest(
  "TLS 1.3 only, where the flight cannot be read: a warning says so, and names old Windows",
  async () => {
    // P-256 only: the server asks again for another key share, and the probe reads no further.
    const { check, text } = await checkOpenssl(["-tls1_3", "-groups", "P-256"], {}, {
      text: true,
    });
    assert.equal(check.addresses[0].tls.clientCertificateRequested, null);
    const unseen = finding(check.findings, "client-certificate-unseen");
    assert.equal(unseen.level, "warning");
    assert.equal(
      unseen.message,
      "could not see whether 127.0.0.1 asks for a client certificate (TLS 1.3 hides it)",
    );
    const only = finding(check.findings, "tls13-only");
    assert.equal(only.level, "warning");
    assert.match(only.message, /^127\.0\.0\.1 speaks only TLS 1\.3: /);
    assert.match(only.message, /Windows before Windows Server 2022 has no TLS 1\.3/);
    assert.ok(text!.stdout.includes(`[WARN] ${unseen.message}`), text!.stdout);
  },
  PEERS,
);

Deno.test("/nossl: the verdict speaks of the plain TCP path checked, never of Octopus connecting", async () => {
  const pong = await Pong.start(["/listen=127.0.0.1", "/nossl"]);
  try {
    const run = await runOctoPing(["check", `/host=127.0.0.1:${pong.port}`, "/nossl"]);
    assert.equal(run.code, 0, run.stdout);
    assert.doesNotMatch(run.stdout, /Octopus should be able to connect/);
    assert.equal(
      afterHeader(run.stdout).at(-1),
      `The plain TCP path to 127.0.0.1:${pong.port} works (/nossl): this says nothing of ` +
        "Octopus, which always uses TLS; check without /nossl for that",
    );
    // The JSON carries the same decision the line words.
    const json = await runOctoPing([
      "check",
      `/host=127.0.0.1:${pong.port}`,
      "/nossl",
      "/format=json",
    ]);
    const check = JSON.parse(json.stdout.trim().split("\n").at(-1)!);
    assert.equal(check.about, "plain-tcp");
    assert.deepEqual(check.conclusion, { kind: "plain-path", works: true, code: null });
    assert.equal(check.platforms, null);
  } finally {
    await pong.stop();
  }
});

linuxTest(
  "a 1024-bit key: the verdict names the Octopus Servers it stops, as the docs' table does",
  async () => {
    // The table in docs/check.md, row by row: each platform's cell is what REFUSED_ON says.
    const docs = (await Deno.readTextFile(new URL("../docs/check.md", import.meta.url))).split(
      "\n",
    );
    const cells = (row: string) => row.split("|").slice(1, -1).map((cell) => cell.trim());
    const header = docs.findIndex((line) => line.startsWith("| finding "));
    assert.deepEqual(cells(docs[header]).slice(2), Object.values(PLATFORM_NAMES));
    const end = docs.findIndex((line, i) => i > header && !line.startsWith("|"));
    const table = new Map(
      docs.slice(header + 2, end).map(cells).map((
        row,
      ) => [row[0].replaceAll("`", ""), row.slice(2)]),
    );
    assert.deepEqual([...table.keys()].sort(), Object.keys(REFUSED_ON).sort());
    for (const [code, refused] of Object.entries(REFUSED_ON)) {
      assert.deepEqual(
        table.get(code),
        Object.keys(PLATFORM_NAMES).map((p) =>
          refused.includes(p as keyof typeof PLATFORM_NAMES) ? "cannot connect" : "connects"
        ),
        code,
      );
    }
    // And check's verdict says the same, in text and in JSON.
    const { check, text } = await checkOpenssl(["-cipher", "DEFAULT:@SECLEVEL=0"], {
      newkey: "rsa:1024",
    }, { text: true });
    assert.deepEqual(check.conclusion, { kind: "some-platforms", code: "weak-key" });
    assert.deepEqual(check.platforms.cannot, ["linux", "cloud"]);
    const last = afterHeader(text!.stdout).at(-1)!;
    assert.match(
      last,
      /^Octopus Server on Linux and Octopus Cloud cannot connect to 127\.0\.0\.1:\d+ \(a Windows Octopus Server can\): the certificate [0-9A-F]{40} has a 1024-bit RSA key$/,
    );
    assert.equal(text!.code, 1);
  },
  PEERS,
);

linuxTest(
  "the suites listed are sslscan's: all of TLS 1.3's, and before 1.2 named as the pick",
  async () => {
    const modern = await checkOpenssl([], {}, { text: true });
    const tls13 = SUITES.filter((s) => modern.scan.suites.has(`TLSv1.3 ${s.id}`));
    assert.equal(tls13.length, 3, "sslscan finds OpenSSL's three TLS 1.3 suites");
    const line = modern.text!.stdout.split("\n").find((l) =>
      l.startsWith("[ OK ] 127.0.0.1 speaks")
    )!;
    assert.ok(
      line.includes(
        `TLS 1.3 with ${tls13.map((s) => s.iana).join(", ").replace(/, ([^,]*)$/, " and $1")}`,
      ),
      line,
    );
    // TLS 1.0 alone: sslscan finds several suites; check names the one the server picked as that.
    const old = await checkOpenssl(["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"], {}, { text: true });
    const tls10 = SUITES.filter((s) => old.scan.suites.has(`TLSv1.0 ${s.id}`));
    assert.ok(tls10.length > 1, "sslscan finds more than one TLS 1.0 suite");
    const fail = finding(old.check.findings, "no-modern-tls");
    assert.match(
      fail.message,
      /^127\.0\.0\.1 speaks only TLS 1\.0 \(picking TLS_\w+ \(\S+\) of the suites offered\)$/,
    );
  },
  PEERS,
);

Deno.test("check /hosts: a port that accepts and never speaks is not counted as answering", async () => {
  const silent = silentListener();
  const pong = await Pong.start(["/listen=127.0.0.1"]);
  await using dir = await tempDir();
  try {
    const hosts = `${dir.path}/hosts.txt`;
    await Deno.writeTextFile(
      hosts,
      `127.0.0.1:${silent.port} Blackhole\n127.0.0.1:${pong.port} Pong\n`,
    );
    const run = await runOctoPing(["check", `/hosts=${hosts}`, "/timeout=1"]);
    assert.match(run.stdout, /^Blackhole +0\/1 +- +blocking +exchange-failed: /m);
    assert.match(run.stdout, /^Pong +1\/1 +1\.2, 1\.3 +ok +-$/m);
  } finally {
    await silent.close();
    await pong.stop();
  }
});
