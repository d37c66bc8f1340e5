/**
 * The exporter under a real Prometheus (Debian's package), scraped with
 * blackbox_exporter's usual multi-target relabelling, against pong and a
 * closed port; what Prometheus stored is read back through its HTTP API.
 * Every wait is bounded: a 1 s scrape interval, and queries until the series
 * are there or a deadline passes.
 */
import assert from "node:assert/strict";
import {
  freePort,
  Lines,
  linuxTest,
  Pong,
  Running,
  runs,
  runTool,
  tempDir,
} from "./support/helpers.ts";

/** How long the test waits for Prometheus to be ready, and then for its series. */
const DEADLINE_MS = 30_000;

/** The blocks of `lang` in docs/exporter.md, in order. */
function docBlocks(lang: string): string[] {
  const page = Deno.readTextFileSync(new URL("../docs/exporter.md", import.meta.url));
  return [...page.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
}

/** The scrape configuration blackbox_exporter's docs give, pointed at the exporter. */
function scrapeConfig(exporter: string, targets: string[]): string {
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [alerts.yml]
scrape_configs:
  - job_name: tentacles
    metrics_path: /probe
    params:
      module: [ping]
    static_configs:
      - targets: [${targets.map((t) => `"${t}"`).join(", ")}]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: "${exporter}"
`;
}

/** One sample Prometheus returned: its labels and value. */
interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Waits until Prometheus at `api` says it is ready, or the deadline. */
async function untilReady(api: string, log: () => string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const ready = await fetch(`${api}/-/ready`).then(async (r) => {
      await r.body?.cancel();
      return r.ok;
    }, () => false);
    if (ready) return;
    assert.ok(Date.now() < deadline, `Prometheus not ready in time:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Runs `query` through the HTTP API until `count` series come back, or the deadline. */
async function queryUntil(api: string, query: string, count: number): Promise<Sample[]> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(query)}`);
    const answer = await response.json();
    assert.equal(answer.status, "success", JSON.stringify(answer));
    if (answer.data.result.length >= count) return answer.data.result;
    assert.ok(Date.now() < deadline, `${query}: ${count} series not there in time`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * docs/exporter.md's alert rules load and evaluate, and each query of its dashboard runs and
 * finds series (the dashboard's `$__interval` as 1m).
 */
async function docsQueriesWork(api: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const groups = (await (await fetch(`${api}/api/v1/rules`)).json()).data.groups;
    const health: string[] = groups.flatMap((
      group: { rules: { name: string; health: string }[] },
    ) => group.rules.map((rule) => `${rule.name} ${rule.health}`));
    if (health.length === 2 && health.every((h) => h.endsWith(" ok"))) break;
    assert.ok(Date.now() < deadline, `the docs' alert rules: ${health.join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const dashboard = JSON.parse(docBlocks("json")[0]);
  for (const panel of dashboard.panels) {
    for (const target of panel.targets) {
      const expr = target.expr.replaceAll("$__interval", "1m");
      await queryUntil(api, expr, 1);
    }
  }
}

linuxTest(
  "a real Prometheus scrapes the exporter: probe_success, the cause, the certificate's expiry",
  async () => {
    await using pong = await Pong.start(["/listen=127.0.0.1"]);
    const closed = freePort();
    await using exporter = new Running(["exporter", "/port=0"]);
    const line = await exporter.stdout.waitFor(/^Exporter listening on /);
    const exporterUrl = /http:\/\/(\S+)\//.exec(line)![1];
    // The first probe loads the certificate parser: done before Prometheus's 1 s scrapes begin.
    await (await fetch(`http://${exporterUrl}/probe?target=127.0.0.1:${pong.port}`)).text();
    await using dir = await tempDir();
    const pongTarget = `127.0.0.1:${pong.port}`;
    const closedTarget = `127.0.0.1:${closed}`;
    await Deno.writeTextFile(
      `${dir.path}/prometheus.yml`,
      scrapeConfig(exporterUrl, [pongTarget, closedTarget]),
    );
    await Deno.writeTextFile(`${dir.path}/alerts.yml`, docBlocks("yaml")[1]);
    await Deno.writeTextFile(`${dir.path}/docs_scrape.yml`, docBlocks("yaml")[0]);
    const docsConfig = await runTool("promtool", [
      "check",
      "config",
      `${dir.path}/docs_scrape.yml`,
    ]);
    assert.equal(docsConfig.code, 0, `docs/exporter.md's scrape config: ${docsConfig.stderr}`);
    const web = `127.0.0.1:${freePort()}`;
    const prometheus = new Deno.Command("prometheus", {
      args: [
        `--config.file=${dir.path}/prometheus.yml`,
        `--storage.tsdb.path=${dir.path}/data`,
        `--web.listen-address=${web}`,
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const log = new Lines(prometheus.stderr);
    try {
      const api = `http://${web}`;
      await untilReady(api, () => log.text());
      const instances = await queryUntil(api, 'probe_success{job="tentacles"}', 2);
      const success = Object.fromEntries(instances.map((s) => [s.metric.instance, s.value[1]]));
      assert.deepEqual(success, { [pongTarget]: "1", [closedTarget]: "0" });
      const [failure] = await queryUntil(
        api,
        `octoping_failure_info{instance="${closedTarget}"}`,
        1,
      );
      assert.equal(failure.metric.cause, "refused");
      assert.equal(failure.metric.phase, "connect");
      const [expiry] = await queryUntil(
        api,
        `probe_ssl_earliest_cert_expiry{instance="${pongTarget}"}`,
        1,
      );
      assert.ok(Number(expiry.value[1]) > Date.now() / 1000, `expires ${expiry.value[1]}`);
      const none = await fetch(
        `${api}/api/v1/query?query=${
          encodeURIComponent(`probe_ssl_earliest_cert_expiry{instance="${closedTarget}"}`)
        }`,
      );
      assert.deepEqual((await none.json()).data.result, [], "no certificate from a closed port");
      await docsQueriesWork(api);
    } finally {
      prometheus.kill("SIGTERM");
      await prometheus.status;
      await log.rest();
    }
  },
  { what: "prometheus (Debian's package)", here: runs("prometheus", ["--version"]) },
);
