/**
 * The docs and `/?` agree with the option specs (src/options/specs.ts), the
 * one source the parser checks arguments against and `/?` is built from: which
 * commands take each option, and its default (what the parser fills in when
 * the option is not given).
 *
 * - Each command's page in docs/ (ping.md, pong.md, check.md, report.md) has
 *   an "Options" table with an `option` and a `default` column.
 * - `/?` names each command's options in its synopsis (the "Usage:" block).
 * - Each spec's help, the text `/?` prints for it, gives its default:
 *   `(default 500 ms)`, `(default: off)`.
 *
 * A default is held equal in the doc and in the spec's help, and to the
 * parser's value: a number with its unit (`30 s`, `2 MB`; a bare number is in
 * the option's own unit), or one of a few phrases whose meaning the test
 * knows. No network, no process: files and functions only.
 */
import assert from "node:assert/strict";
import { MB } from "../src/units.ts";
import { type Command } from "../src/options/options.ts";
import { parseArgs } from "../src/options/parse.ts";
import { type CommandName, SPECS } from "../src/options/specs.ts";
import { usage } from "../src/options/usage.ts";

const COMMANDS = Object.keys(SPECS) as CommandName[];
const DOCS = new URL("../docs/", import.meta.url);

/** `/name` tokens, not the path in `<ip/hostname>` nor a URL's `//`. */
const OPTION_NAME = /(?<![\w:/])\/([a-z]+[0-9]*)/g;

function optionNames(text: string): string[] {
  return [...text.matchAll(OPTION_NAME)].map((match) => match[1]);
}

// --- The docs ----------------------------------------------------------------

interface DocRow {
  options: string[];
  /** The default cell as written, backticks dropped; "" for none. */
  default: string;
}

/** The rows of the first table under `## Options` in docs/<command>.md. */
function docOptions(command: CommandName): DocRow[] {
  const page = `${command}.md`;
  const lines = Deno.readTextFileSync(new URL(page, DOCS)).split("\n");
  const heading = lines.findIndex((line) => /^## Options\s*$/.test(line));
  assert.ok(heading >= 0, `docs/${page} has no '## Options' section`);
  const start = lines.findIndex((line, i) => i > heading && line.startsWith("|"));
  assert.ok(start > heading, `docs/${page}: no table under '## Options'`);
  const cells = (line: string) => line.trim().slice(1, -1).split("|").map((c) => c.trim());
  const header = cells(lines[start]);
  const optionColumn = header.indexOf("option");
  const defaultColumn = header.indexOf("default");
  assert.ok(optionColumn >= 0 && defaultColumn >= 0, `docs/${page}: columns option and default`);
  const rows: DocRow[] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith("|"); i++) {
    const row = cells(lines[i]);
    const options = optionNames(row[optionColumn]);
    assert.ok(options.length > 0, `docs/${page}: a row names no option: ${lines[i]}`);
    rows.push({ options, default: row[defaultColumn].replaceAll("`", "").trim() });
  }
  return rows;
}

// --- /? ----------------------------------------------------------------------

/** Per command, the options named in its synopsis lines (the `Usage:` block). */
function usageSynopsis(text: string): Map<CommandName, Set<string>> {
  const lines = text.split("\n");
  const first = lines.findIndex((line) => line.trim() === "Usage:") + 1;
  const entries: string[] = [];
  for (let i = first; i < lines.length && lines[i].trim() !== ""; i++) {
    if (/^ {2}\S/.test(lines[i])) entries.push(lines[i].trim());
    else entries[entries.length - 1] += " " + lines[i].trim();
  }
  const synopsis = new Map<CommandName, Set<string>>(COMMANDS.map((c) => [c, new Set()]));
  for (const entry of entries) {
    // "OctoPing ping | check /hosts=..." names its commands before its first option.
    const words = entry.split(/\s+/).slice(1);
    const commands = words.slice(0, words.findIndex((w) => /^[/<[]/.test(w)));
    // Prose in brackets ("[the options above but /host, ...]") names no option it takes.
    let rest = words.slice(commands.length).join(" ");
    for (let before = ""; before !== rest;) {
      before = rest;
      rest = rest.replace(/\[(?!\/)[^[\]]*\]/g, "");
    }
    for (const command of commands.filter((w) => w !== "|")) {
      assert.ok(synopsis.has(command as CommandName), `/? synopsis names '${command}'`);
      for (const name of optionNames(rest)) synopsis.get(command as CommandName)!.add(name);
    }
  }
  return synopsis;
}

/** `(default 30 s; ...)` → `30 s`; `(default: run until Ctrl+C)` → `run until Ctrl+C`. */
function defaultIn(text: string): string | undefined {
  return /\(default:? ([^,;:)]+)/.exec(text)?.[1].trim();
}

/** The default the help of `command`'s `option` gives, as `/?` prints it. */
function specDefault(command: CommandName, option: string): string | undefined {
  const help = SPECS[command].find((spec) => spec.name === option)?.help;
  return help && defaultIn(help.join(" "));
}

// --- The code ----------------------------------------------------------------

/** What the parser builds from the least each command needs. */
function parsed(args: string[]) {
  return parseArgs(args) as Command & Record<string, unknown>;
}
const ping = parsed(["ping", "/host=MyServer"]).options as Record<string, unknown>;
const pong = parsed(["pong"]).options as Record<string, unknown>;
const check = parsed(["check", "/host=MyServer"]).options as Record<string, unknown>;
const pingFleet = parsed(["ping", "/hosts=tentacles.txt"]).fleet as Record<string, unknown>;
const checkFleet = parsed(["check", "/hosts=tentacles.txt"]).fleet as Record<string, unknown>;
const exporter = parsed(["exporter"]).options as Record<string, unknown>;

type Unit = "MB" | "s" | "ms";

/**
 * How to read each default from the parser's options, and the unit of a bare
 * number in the docs (the option's own: `/datasize=<MB>`, `/idle=<s>`).
 * The value read is in the code's own units: bytes, milliseconds.
 */
const CODE_DEFAULTS: Record<string, { read: () => unknown; unit?: Unit }> = {
  "ping /port": { read: () => (ping.target as { port: number }).port },
  "ping /parallel": { read: () => pingFleet.parallel },
  "ping /datasize": { read: () => ping.dataSize, unit: "MB" },
  "ping /chunksize": { read: () => ping.chunkSize, unit: "MB" },
  "ping /count": { read: () => ping.count },
  "ping /interval": { read: () => ping.intervalMs, unit: "ms" },
  "ping /timeout": { read: () => ping.timeoutMs, unit: "s" },
  "ping /clientcert": { read: () => ping.clientCertificate },
  "pong /port": { read: () => pong.port },
  "pong /listen": { read: () => pong.address },
  "pong /idle": { read: () => pong.idleMs, unit: "s" },
  "pong /handshake": { read: () => pong.handshakeMs, unit: "s" },
  "pong /maxconn": { read: () => pong.maxConnections },
  "pong /maxsend": { read: () => pong.maxSendBytes, unit: "MB" },
  "pong /duration": { read: () => pong.durationMs, unit: "s" },
  "check /port": { read: () => (check.target as { port: number }).port },
  "check /parallel": { read: () => checkFleet.parallel },
  "check /timeout": { read: () => check.timeoutMs, unit: "s" },
  "exporter /listen": { read: () => exporter.address },
  "exporter /port": { read: () => exporter.port },
  "exporter /parallel": { read: () => exporter.parallel },
  "exporter /maxdatasize": { read: () => exporter.maxDataSize, unit: "MB" },
  "exporter /clientcert": { read: () => exporter.clientCertificate },
  "exporter /duration": { read: () => exporter.durationMs, unit: "s" },
};

/** Defaults in words, and the value each stands for. */
const PHRASES: Record<string, unknown> = {
  "run until Ctrl+C": Infinity,
  "run until stopped": undefined,
  "every interface": undefined,
  "one made for this run": undefined,
  "one made at start": undefined,
  "127.0.0.1": "127.0.0.1",
  "off": 0,
};

const TO_CODE_UNITS: Record<Unit, number> = { MB, s: 1000, ms: 1 };

/** What a default as written stands for, in the code's units. */
function meaning(key: string, written: string): unknown {
  if (written in PHRASES) return PHRASES[written];
  const number = /^(\d+(?:\.\d+)?)(?: (MB|s|ms))?$/.exec(written);
  assert.ok(number, `${key}: default '${written}' is neither a number nor a known phrase`);
  const own = CODE_DEFAULTS[key]?.unit;
  const unit = (number[2] as Unit | undefined) ?? own;
  if (own === "s" || own === "ms") assert.ok(unit === "s" || unit === "ms", `${key}: a time`);
  else assert.equal(unit, own, `${key}: '${written}' is not in the option's unit`);
  return Number(number[1]) * (unit ? TO_CODE_UNITS[unit] : 1);
}

// --- The tests ---------------------------------------------------------------

const synopsis = usageSynopsis(usage());

Deno.test("each command's page lists exactly the options the parser takes for it", () => {
  for (const command of COMMANDS) {
    const documented = docOptions(command).flatMap((row) => row.options).sort();
    const code = SPECS[command].map((spec) => spec.name).sort();
    assert.deepEqual(documented, code, `docs/${command}.md's options table against the parser`);
  }
});

Deno.test("/?'s synopsis of each command names exactly the options the parser takes for it", () => {
  for (const command of COMMANDS) {
    const shown = [...synopsis.get(command)!].sort();
    const code = SPECS[command].map((spec) => spec.name).sort();
    assert.deepEqual(shown, code, `/?'s synopsis of ${command} against the parser`);
  }
});

Deno.test("every option's default is the same in its command's page and in /?", () => {
  for (const command of COMMANDS) {
    for (const row of docOptions(command)) {
      for (const option of row.options) {
        assert.equal(
          row.default,
          specDefault(command, option) ?? "",
          `${command} /${option}: the default in docs/${command}.md against /?`,
        );
      }
    }
  }
});

Deno.test("every default the docs and /? give is the parser's, and none is left out", () => {
  const given = new Map<string, string>();
  for (const command of COMMANDS) {
    for (const spec of SPECS[command]) {
      const written = specDefault(command, spec.name);
      if (written !== undefined) given.set(`${command} /${spec.name}`, written);
    }
  }
  for (const key of new Set([...given.keys(), ...Object.keys(CODE_DEFAULTS)])) {
    const written = given.get(key);
    assert.ok(written !== undefined, `${key} has a default in the code, but /? gives none`);
    assert.ok(key in CODE_DEFAULTS, `${key}: add how to read its default to CODE_DEFAULTS`);
    assert.deepEqual(CODE_DEFAULTS[key].read(), meaning(key, written), `${key}: '${written}'`);
  }
});

Deno.test("every line of /? fits in 100 columns", () => {
  for (const line of usage().split("\n")) {
    assert.ok(line.length <= 100, `${line.length} columns: ${line}`);
  }
});
