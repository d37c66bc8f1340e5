/**
 * `OctoPing exporter` over real sockets: the exporter as users run it (a
 * process), Prometheus's requests made with fetch, against pong, closed ports
 * and listeners that never answer.
 */
import assert from "node:assert/strict";
import { PERMISSIONS } from "../scripts/build.ts";
import type { ExporterEvent } from "../src/exporter/events.ts";
import { runExporter } from "../src/exporter/server.ts";
import type { Command } from "../src/options/options.ts";
import { parseArgs, UsageError } from "../src/options/parse.ts";
import { exporterTextReporter } from "../src/reporters/exporter_text.ts";
import {
  linuxTest,
  MAIN,
  Pong,
  Running,
  runOctoPing,
  runs,
  type SpawnOptions,
  tempDir,
} from "./support/helpers.ts";
import { NGINX, startNginx } from "./support/nginx.ts";
import { selfSigned } from "./support/openssl.ts";
import { silentListener, untilHeld } from "./support/servers.ts";

/** An exporter started on a free loopback port, ready once it says where it listens. */
class Exporter extends Running {
  url = "";

  /** Starts `OctoPing exporter /port=0` with `extra` options. */
  static async start(extra: string[] = [], options: SpawnOptions = {}): Promise<Exporter> {
    const exporter = new Exporter(["exporter", "/port=0", ...extra], options);
    const line = await exporter.stdout.waitFor(/^Exporter listening on /);
    exporter.url = /(http:\/\/\S+\/)/.exec(line)![1];
    return exporter;
  }

  /** GETs `path` (`probe?target=...`), with `headers`; the status and the body. */
  async get(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(this.url + path, { headers });
    return { status: response.status, body: await response.text(), type: response.headers };
  }
}

/** A sample line of the text format: a name, labels with escaped values, a number. */
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_]\w*="(\\[\\"n]|[^\\"\n])*",?)*\})? \S+$/;

/** Each sample of `body` as `name{labels}` → value, after checking every line's form. */
function samples(body: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of body.split("\n")) {
    if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
    assert.match(line, SAMPLE, "a line of the exposition format");
    const at = line.lastIndexOf(" ");
    found.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return found;
}

Deno.test("exporter /probe against pong: blackbox_exporter's names, the certificate, who answered", async () => {
  await using pong = await Pong.start(["/listen=127.0.0.1"]);
  await using exporter = await Exporter.start();
  const { status, body, type } = await exporter.get(`probe?target=127.0.0.1:${pong.port}`);
  assert.equal(status, 200, body);
  assert.match(type.get("content-type")!, /^text\/plain; version=0\.0\.4/);
  const metrics = samples(body);
  assert.equal(metrics.get("probe_success"), 1);
  assert.equal(metrics.get("probe_ip_protocol"), 4);
  assert.ok(metrics.get("probe_duration_seconds")! > 0);
  assert.match(body, /^# TYPE probe_success gauge$/m);
  const expiry = metrics.get("probe_ssl_earliest_cert_expiry")!;
  assert.ok(expiry > Date.now() / 1000, `a certificate not yet expired: ${expiry}`);
  assert.equal(metrics.get('probe_tls_version_info{version="TLS 1.3"}'), 1);
  assert.equal(metrics.get('octoping_answered_by_info{kind="pong"}'), 1);
  assert.match(
    body,
    new RegExp(
      `^octoping_certificate_info\\{sha1="${pong.thumbprint}",subject="CN=OctoPing Pong",key="RSA 2048",signature="sha256WithRSAEncryption"\\} 1$`,
      "m",
    ),
  );
  assert.ok(metrics.has('octoping_phase_seconds{phase="tls"}'));
  assert.ok(!body.includes("octoping_failure_info"), "no failure on a success");
  assert.ok(!body.includes("octoping_thumbprint_match"), "no thumbprint was given");
  const page = await exporter.get("");
  assert.match(
    page.body,
    new RegExp(`<td>127\\.0\\.0\\.1:${pong.port}</td><td>ping</td>.*success`),
  );
  assert.ok(!exporter.stdout.seen.some((line) => / Probe /.test(line)), "no line for a success");
});

Deno.test("exporter /probe of a closed port: probe_success 0, its cause and phase, one line with the hint", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (closed.addr as Deno.NetAddr).port;
  closed.close();
  await using exporter = await Exporter.start();
  for (let i = 0; i < 2; i++) {
    const { status, body } = await exporter.get(`probe?target=127.0.0.1:${port}`);
    assert.equal(status, 200, body);
    const metrics = samples(body);
    assert.equal(metrics.get("probe_success"), 0);
    assert.equal(metrics.get('octoping_failure_info{cause="refused",phase="connect"}'), 1);
    assert.ok(!metrics.has('octoping_phase_seconds{phase="tls"}'), "no TLS phase was reached");
  }
  const lines = await exporter.stdout.waitForCount(/ Probe 127\.0\.0\.1:\d+ failed: refused: /, 2);
  assert.match(lines[0], /connection refused: nothing listens on 127\.0\.0\.1 port \d+/);
  const hints = exporter.stdout.seen.filter((line) => line.startsWith("  Hint: "));
  assert.equal(hints.length, 1, "the hint once, with the cause's first failure");
  const own = samples((await exporter.get("metrics")).body);
  assert.equal(
    own.get('octoping_exporter_probes_total{module="ping",result="failure",cause="refused"}'),
    2,
  );
});

Deno.test("exporter: a name that does not resolve fails in dns, with no lookup time for it", async () => {
  await using exporter = await Exporter.start();
  const { body } = await exporter.get("probe?target=web01.invalid");
  const metrics = samples(body);
  assert.equal(metrics.get("probe_success"), 0);
  assert.equal(metrics.get('octoping_failure_info{cause="dns",phase="dns"}'), 1);
  assert.ok(!metrics.has("probe_dns_lookup_time_seconds"), "the lookup did not finish: " + body);
});

linuxTest(
  "exporter: a web server on the port fails the probe, and is named as what answered",
  async () => {
    await using nginx = await startNginx();
    await using exporter = await Exporter.start();
    const { body } = await exporter.get(`probe?target=127.0.0.1:${nginx.tlsPort}`);
    const metrics = samples(body);
    assert.equal(metrics.get("probe_success"), 0);
    assert.equal(metrics.get('octoping_answered_by_info{kind="other"}'), 1, body);
    assert.equal(metrics.get('octoping_failure_info{cause="other",phase="response"}'), 1, body);
    assert.ok(metrics.has('octoping_phase_seconds{phase="first_byte"}'), "the exchange finished");
    const [line] = await exporter.stdout.waitForCount(/ Probe 127\.0\.0\.1:\d+ failed: other: /, 1);
    assert.match(line, /: a web server, not a Tentacle \(HTTP\/1\.1 200, Server: nginx/);
  },
  { what: "nginx", here: NGINX !== undefined },
);

Deno.test("exporter: a bad target or parameter gets 400 and one line saying what is wrong", async () => {
  await using exporter = await Exporter.start();
  const table: [string, RegExp][] = [
    ["probe", /^target is missing/],
    ["probe?target=a%20b", /^target=a b: expected a host name or IP address/],
    ["probe?target=x:99999", /^target=x:99999: /],
    ["probe?target=x&module=http", /^module=http: expected ping or check$/],
    [
      "probe?target=x&proxy=http://p:8080",
      /^proxy= is not taken from a URL: start the exporter with \/proxy$/,
    ],
    ["probe?target=x&thumbprint=12", /^thumbprint=12: expected a SHA-1 thumbprint/],
    ["probe?target=x&color=red", /^unknown parameter 'color'/],
    ["probe?target=x&nossl=maybe", /^nossl=maybe: expected 1 or 0$/],
  ];
  for (const [path, message] of table) {
    const { status, body } = await exporter.get(path);
    assert.equal(status, 400, path);
    assert.match(body.trimEnd(), message, path);
    assert.equal(body.split("\n").length, 2, `${path}: one line`);
  }
  const header = await exporter.get("probe?target=x", {
    "X-Prometheus-Scrape-Timeout-Seconds": "soon",
  });
  assert.equal(header.status, 400);
});

Deno.test("exporter /hosts: other targets get 403; a name probes its line, with its thumbprint", async () => {
  await using pong = await Pong.start(["/listen=127.0.0.1"]);
  await using dir = await tempDir();
  const wrong = "AB".repeat(20);
  await Deno.writeTextFile(
    `${dir.path}/hosts.txt`,
    `127.0.0.1:${pong.port} Pong thumbprint=${pong.thumbprint}\n` +
      `https://127.0.0.1:${pong.port}/ Moved thumbprint=${wrong}\n`,
  );
  await using exporter = await Exporter.start([`/hosts=${dir.path}/hosts.txt`]);
  const outside = await exporter.get(`probe?target=127.0.0.2:${pong.port}`);
  assert.equal(outside.status, 403);
  assert.match(outside.body, /^target=127\.0\.0\.2:\d+ is not in this exporter's hosts file\n$/);
  assert.equal((await exporter.get("probe?target=127.0.0.1:10933")).status, 403, "its port too");
  const named = samples((await exporter.get("probe?target=pong")).body);
  assert.equal(named.get("probe_success"), 1);
  assert.equal(named.get("octoping_thumbprint_match"), 1);
  const byAddress = samples((await exporter.get(`probe?target=127.0.0.1:${pong.port}`)).body);
  assert.equal(byAddress.get("octoping_thumbprint_match"), 1, "its line's thumbprint");
  const moved = samples((await exporter.get("probe?target=Moved")).body);
  assert.equal(moved.get("probe_success"), 0);
  assert.equal(moved.get("octoping_thumbprint_match"), 0);
  assert.equal(moved.get('octoping_failure_info{cause="thumbprint",phase="tls"}'), 1);
  await exporter.stdout.waitFor(/ Probe Moved failed: thumbprint: /);
});

Deno.test("exporter /listen on an address other machines reach needs /hosts", async () => {
  const refused = await runOctoPing(["exporter", "/listen=0.0.0.0", "/port=0"]);
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /\/listen=0\.0\.0\.0 needs \/hosts=<file>: on an address other machines reach/,
  );
  assert.throws(() => parseArgs(["exporter", "/listen=10.1.2.3"]), UsageError);
  for (const loopback of ["127.0.0.1", "127.5.0.1", "::1"]) {
    const command = parseArgs(["exporter", `/listen=${loopback}`]);
    assert.equal(command.kind, "exporter", loopback);
  }
  const allowed = parseArgs(["exporter", "/listen=10.1.2.3", "/hosts=tentacles.txt"]);
  assert.equal(allowed.kind === "exporter" && allowed.options.address, "10.1.2.3");
});

Deno.test("exporter /maxdatasize: datasize over it gets 400; within it the data is sent", async () => {
  await using pong = await Pong.start(["/listen=127.0.0.1"]);
  await using unlimited = await Exporter.start();
  const none = await unlimited.get(`probe?target=127.0.0.1:${pong.port}&datasize=1KB`);
  assert.equal(none.status, 400, "the default allows no data");
  assert.match(
    none.body,
    /^datasize=1KB is over this exporter's limit of 0 MB: its operator sets it with \/maxdatasize\n$/,
  );
  await using exporter = await Exporter.start(["/maxdatasize=1"]);
  assert.equal((await exporter.get(`probe?target=127.0.0.1:${pong.port}&datasize=2`)).status, 400);
  const sent = await exporter.get(`probe?target=127.0.0.1:${pong.port}&datasize=0.5`);
  assert.equal(samples(sent.body).get("probe_success"), 1, sent.body);
  const [bytes] = await pong.answered(1);
  assert.ok(bytes >= 512 * 1024, `pong read ${bytes} bytes`);
});

Deno.test("exporter /parallel: a probe beyond the cap waits, and gets 503 when its time is up", async () => {
  await using silent = silentListener();
  await using exporter = await Exporter.start(["/parallel=1"]);
  const holding = exporter.get(`probe?target=127.0.0.1:${silent.port}`, {
    "X-Prometheus-Scrape-Timeout-Seconds": "3.5",
  });
  await untilHeld(silent);
  const started = performance.now();
  const waiting = await exporter.get(`probe?target=127.0.0.1:${silent.port}`, {
    "X-Prometheus-Scrape-Timeout-Seconds": "1.5",
  });
  const waited = performance.now() - started;
  assert.equal(waiting.status, 503);
  assert.match(
    waiting.body,
    /^all 1 probe slots stayed busy for the scrape's 1 s: raise \/parallel/,
  );
  assert.ok(waited >= 900 && waited < 2500, `answered after ${waited} ms: the limit less 0.5 s`);
  const held = await holding;
  assert.equal(held.status, 200);
  const metrics = samples(held.body);
  assert.equal(metrics.get("probe_success"), 0);
  assert.ok(metrics.get("probe_duration_seconds")! < 3.5, "within the scrape's time limit");
  assert.ok(
    [...metrics.keys()].some((key) => key.startsWith('octoping_failure_info{cause="timeout"')),
    held.body,
  );
});

linuxTest(
  "exporter: a hostile certificate subject reaches a label sanitised, then escaped",
  async () => {
    await using dir = await tempDir();
    // openssl reads `\\` in -subj as one backslash.
    const subject = '/CN=evil"quote\\\\back\nslash\x1b[2J\u202eend';
    const { cert, key } = await selfSigned(dir.path, "evil", { subject });
    await using pong = await Pong.start(["/listen=127.0.0.1", `/cert=${cert}`, `/key=${key}`]);
    await using exporter = await Exporter.start();
    const { body } = await exporter.get(`probe?target=127.0.0.1:${pong.port}`);
    const line = body.split("\n").find((l) => l.startsWith("octoping_certificate_info{"));
    assert.ok(line, body);
    const subjectLabel = /subject="((?:\\[\\"n]|[^\\"])*)"/.exec(line)![1];
    assert.equal(subjectLabel, String.raw`CN=evil\"quote\\back\\x0aslash\\x1b[2J\\u202eend`);
    samples(body); // every line still of the format
  },
  { what: "openssl", here: runs("openssl", ["version"]) },
);

Deno.test("exporter: each period's summary counts its probes, failures by cause and refusals", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (closed.addr as Deno.NetAddr).port;
  closed.close();
  const events: ExporterEvent[] = [];
  const stop = new AbortController();
  const options = parseArgs(["exporter", "/port=0"]) as Extract<Command, { kind: "exporter" }>;
  const running = runExporter(options.options, {
    emit: (event) => events.push(event),
    signal: stop.signal,
    summaryMs: 400,
  });
  const start = events.find((e) => e.type === "start")!;
  const url = start.type === "start" ? start.url : "";
  for (
    const path of [`probe?target=127.0.0.1:${port}`, `probe?target=127.0.0.1:${port}`, "probe"]
  ) {
    await (await fetch(url + path)).text();
  }
  const deadline = Date.now() + 5_000;
  while (!events.some((e) => e.type === "minute" && e.tally.probes > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  stop.abort();
  const total = await running;
  const minute = events.find((e) => e.type === "minute" && e.tally.probes > 0);
  assert.ok(minute?.type === "minute", JSON.stringify(events.map((e) => e.type)));
  assert.deepEqual(minute.tally, { probes: 2, failures: { refused: 2 }, refused: { 400: 1 } });
  assert.deepEqual(total, minute.tally, "the run's totals");
  const lines: string[] = [];
  const print = exporterTextReporter((line) => lines.push(line));
  events.forEach(print);
  assert.ok(
    lines.some((line) =>
      /^\S+Z Last minute: 2 probes, 2 failed \(refused 2\); 1 request refused \(400: 1\)$/.test(
        line,
      )
    ),
    lines.join("\n"),
  );
  assert.match(lines.at(-1)!, /Stopped\. In all: 2 probes, 2 failed \(refused 2\)/);
});

Deno.test("exporter /metrics under the permissions the build grants: process metrics that are true", async () => {
  const permissions = PERMISSIONS.filter((flag) => !flag.startsWith("--no-prompt"));
  const exporter = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...permissions, "--no-prompt", MAIN, "exporter", "/port=0"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await using _ = {
    [Symbol.asyncDispose]: async () => {
      exporter.kill();
      await exporter.status;
    },
  };
  const reader = exporter.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/Exporter listening on (http:\S+\/)/.test(text)) {
    const { value, done } = await reader.read();
    assert.ok(!done, `ended early: ${text}`);
    text += value;
  }
  const url = /Exporter listening on (http:\S+\/)/.exec(text)![1];
  const body = await (await fetch(`${url}metrics`)).text();
  const metrics = samples(body);
  assert.ok(metrics.get("process_resident_memory_bytes")! > 1_000_000, body);
  assert.ok(metrics.get("process_cpu_seconds_total")! > 0);
  assert.ok(metrics.has("nodejs_eventloop_lag_seconds"));
  assert.ok(!metrics.has("process_open_fds"), "not readable here: left out, not 0");
  assert.ok(metrics.has('octoping_exporter_probes_total{module="ping",result="success",cause=""}'));
  reader.releaseLock();
});
