import assert from "node:assert/strict";
import { linuxOnly, Pong } from "./support/helpers.ts";
import { tool } from "./support/openssl.ts";
import { which } from "./support/daemons.ts";

Deno.test({
  ...linuxOnly("pong survives clients offering only TLS 1.0 or 1.1, and serves the next ping", {
    what: "openssl",
    here: !!which("openssl"),
  }),
  async fn() {
    await using pong = await Pong.start();
    for (const version of ["-tls1", "-tls1_1"]) {
      await tool("openssl", [
        "s_client",
        version,
        "-cipher",
        "DEFAULT:@SECLEVEL=0",
        "-connect",
        `127.0.0.1:${pong.port}`,
      ]);
    }
    // In words a support engineer reads, not the TLS library's error names.
    const lines = await pong.stdout.waitForCount(/TLS handshake failed/, 2);
    for (const line of lines) {
      assert.match(
        line,
        /TLS handshake failed: the client offered only TLS 1\.0 or 1\.1, which pong, like Octopus, does not speak \(/,
      );
    }
    const ping = await pong.ping("/count=1");
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
  },
});
