/**
 * The bench's yardsticks (`scripts/ceiling/`) move every byte and check what
 * they are answered, so that a ceiling row never times a transfer that failed.
 */
import assert from "node:assert/strict";
import { scriptArgs, type ServerKind, startBareServer } from "../scripts/bench/ceilings.ts";
import { tempDir } from "./support/helpers.ts";
import { createSelfSignedCertificate } from "../src/net/certificate.ts";

const BYTES = 4 * 1024 * 1024 + 3; // not a whole number of writes
const KINDS: ServerKind[] = ["listen", "createServer", "net"];

/** Runs the bare `sender` or `reader` against `port`; its exit code. */
async function client(name: "sender" | "reader", dir: string, port: number, bytes: number) {
  const args = scriptArgs(name, dir, [port, bytes]);
  const { code } = await new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "null" })
    .output();
  return code;
}

/** A temporary folder with the `cert.pem` and `key.pem` the scripts read. */
async function withCertificate(test: (dir: string) => Promise<void>): Promise<void> {
  await using dir = await tempDir();
  const { certPem, keyPem } = await createSelfSignedCertificate("bench");
  await Deno.writeTextFile(`${dir.path}/cert.pem`, certPem);
  await Deno.writeTextFile(`${dir.path}/key.pem`, keyPem);
  await test(dir.path);
}

for (const kind of KINDS) {
  Deno.test(`bench scripts: ${kind} counts the bare sender's whole request and answers it`, () =>
    withCertificate(async (dir) => {
      const server = await startBareServer(kind, dir);
      try {
        assert.equal(await client("sender", dir, server.port, BYTES), 0);
      } finally {
        await server.stop();
      }
    }));

  Deno.test(`bench scripts: ${kind} sends /reverse's bytes, all read by the bare reader`, () =>
    withCertificate(async (dir) => {
      const server = await startBareServer(kind, dir, BYTES);
      try {
        assert.equal(await client("reader", dir, server.port, BYTES), 0);
      } finally {
        await server.stop();
      }
    }));
}

Deno.test("bench scripts: the sender and the reader fail on an answer that is not what they asked", () =>
  withCertificate(async (dir) => {
    // A server that sends payload back answers with no count of the request.
    const server = await startBareServer("createServer", dir, BYTES - 1);
    try {
      assert.equal(await client("sender", dir, server.port, BYTES), 1);
      assert.equal(await client("reader", dir, server.port, BYTES), 1);
    } finally {
      await server.stop();
    }
  }));
