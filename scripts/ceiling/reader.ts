/**
 * The ceiling of ping's `/reverse` download: a bare `tls.connect` with a
 * client certificate sends a request without payload and reads the answer's
 * BODY_BYTES to the end. It exits 0 when the server answered 200 with exactly
 * BODY_BYTES of body, 1 otherwise, and prints nothing else.
 *
 * It reads into one 1 MiB buffer of its own (`onread`): the fastest way plain
 * `node:tls` reads in Deno 2.9.6 (about 0.8x the CPU and wall time of `data`
 * events into 1 MiB pieces, ping's way). Ping cannot read so: `onread` holds
 * only when `tls.connect` opens its own socket, and ping's runs over the one
 * it connected (or tunnelled through `/proxy`) first.
 *
 *   deno run -A scripts/ceiling/reader.ts PORT BODY_BYTES CERT KEY
 *
 * @module
 */
import type net from "node:net";
import tls from "node:tls";

const [port, bodyArg, certPath, keyPath] = Deno.args;
/** The start of the answer kept, to find its head in. */
const HEAD_BYTES = 1024;

let received = 0;
let start = "";
// `onread` is an option node's types give `net.connect` only.
const options: tls.ConnectionOptions & { onread: net.OnReadOpts } = {
  host: "127.0.0.1",
  port: Number(port),
  rejectUnauthorized: false, // a Tentacle's certificate is self-signed
  cert: Deno.readTextFileSync(certPath),
  key: Deno.readTextFileSync(keyPath),
  onread: {
    buffer: new Uint8Array(1024 * 1024),
    callback(n: number, buffer: Uint8Array) {
      received += n;
      if (start.length < HEAD_BYTES) {
        start += new TextDecoder("latin1").decode(buffer.subarray(0, Math.min(n, HEAD_BYTES)));
      }
      return true;
    },
  },
};
const socket = tls.connect(options);
socket.on("error", (error) => {
  console.error(`reader.ts: ${error.message}`);
  Deno.exit(1);
});
await new Promise((resolve) => socket.once("secureConnect", resolve));
socket.write("GET / HTTP/1.1\r\nHost: bench\r\n\r\n");
await new Promise((resolve) => socket.on("end", resolve));
const headBytes = start.indexOf("\r\n\r\n") + 4;
const whole = start.startsWith("HTTP/1.1 200 ") && received - headBytes === Number(bodyArg);
Deno.exit(headBytes > 3 && whole ? 0 : 1);
