/**
 * The ceiling of ping's TLS upload: a bare `tls.connect` with a client
 * certificate sends one request (a head, PAYLOAD_BYTES of payload in 256 KiB
 * pieces with one write in flight, as ping writes, and a blank line), then
 * reads the answer. It exits 0 when the server answered 200 with the count of
 * every byte sent (as `scripts/ceiling/server.ts` and pong's count do), 1
 * otherwise, and prints nothing else.
 *
 *   deno run -A scripts/ceiling/sender.ts PORT PAYLOAD_BYTES CERT KEY
 *
 * @module
 */
import tls from "node:tls";

const [port, payloadArg, certPath, keyPath] = Deno.args;
const payloadBytes = Number(payloadArg);
/** Ping's write size. */
const WRITE_BYTES = 256 * 1024;

const socket = tls.connect({
  host: "127.0.0.1",
  port: Number(port),
  rejectUnauthorized: false, // a Tentacle's certificate is self-signed
  cert: Deno.readTextFileSync(certPath),
  key: Deno.readTextFileSync(keyPath),
});
let answer = "";
socket.setEncoding("latin1");
socket.on("data", (text: string) => answer += text);
const answered = new Promise((resolve) => socket.on("end", resolve));
socket.on("error", (error) => {
  console.error(`sender.ts: ${error.message}`);
  Deno.exit(1);
});
await new Promise((resolve) => socket.once("secureConnect", resolve));

const write = (bytes: Uint8Array | string) =>
  new Promise<void>((resolve, reject) =>
    socket.write(bytes, (error) => error ? reject(error) : resolve())
  );
const head = "GET / HTTP/1.1\r\nHost: bench\r\n";
const tail = "\r\n\r\n";
await write(head);
const piece = new Uint8Array(WRITE_BYTES).fill(65);
for (let left = payloadBytes; left > 0; left -= WRITE_BYTES) {
  await write(left >= WRITE_BYTES ? piece : piece.subarray(0, left));
}
await write(tail);
await answered;
const sent = head.length + payloadBytes + tail.length;
const counted = answer.split("\r\n\r\n")[1];
Deno.exit(answer.startsWith("HTTP/1.1 200 ") && counted === String(sent) ? 0 : 1);
