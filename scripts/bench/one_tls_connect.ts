/**
 * The yardstick of a one-shot ping: a bare `node:tls` client that connects
 * once to `127.0.0.1:<port>` with a fixed client certificate read from files,
 * sends the request ping sends for one attempt (`GET /` and a blank line),
 * reads the whole answer, and exits: 0 on a `200` answer, 1 otherwise.
 *
 *   deno run -A scripts/bench/one_tls_connect.ts <port> <cert.pem> <key.pem>
 *
 * @module
 */
import { connect } from "node:tls";

const [port, certPath, keyPath] = Deno.args;
const socket = connect({
  host: "127.0.0.1",
  port: Number(port),
  cert: Deno.readTextFileSync(certPath),
  key: Deno.readTextFileSync(keyPath),
  rejectUnauthorized: false, // pong's certificate is self-signed, as a Tentacle's is
});
socket.on("secureConnect", () => {
  socket.end(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
});
let answer = "";
socket.setEncoding("latin1");
socket.on("data", (chunk: string) => answer += chunk);
socket.on("error", (error) => {
  console.error(`one_tls_connect: ${error.message}`);
  Deno.exit(1);
});
socket.on("close", () => Deno.exit(/^HTTP\/1\.[01] 200 /.test(answer) ? 0 : 1));
