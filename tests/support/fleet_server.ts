/**
 * One process listening on many loopback ports, for fleet tests and the
 * bench: mostly Tentacle-like (TLS asking for a client certificate, Halibut's
 * page), some silent (accept, never answer), some closed (refused), some
 * flaky (reset every other connection, the first included).
 *
 *   deno run -A tests/fleet_server.ts tentacle=150 silent=10 closed=20 flaky=20
 *
 * Prints one JSON line, `{"tentacle":[ports],"silent":[…],"closed":[…],"flaky":[…]}`,
 * then serves until stdin closes or it is sent SIGTERM.
 *
 * @module
 */
import net from "node:net";
import tls from "node:tls";
import { createSelfSignedCertificate } from "../../src/net/certificate.ts";

/** The kinds of port, and how many of each. */
export type FleetServerPlan = Record<"tentacle" | "silent" | "closed" | "flaky", number>;

/** Halibut's answer to a browser's GET, as a listening Tentacle sends it. */
const HALIBUT_PAGE = "<html><head><title>Octopus Tentacle configured successfully</title></head>" +
  "<body><p>Listening Tentacle</p></body></html>";
const ANSWER = `HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n` +
  `Content-Length: ${HALIBUT_PAGE.length}\r\nServer: Microsoft-HTTPAPI/2.0\r\n\r\n${HALIBUT_PAGE}`;

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, backlog: 1024 }, () => {
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Answers every request read to its blank line with Halibut's page, then closes. */
function tentacle(options: tls.TlsOptions): tls.Server {
  return tls.createServer(options, (socket) => {
    let request = "";
    socket.on("data", (data) => {
      request += data.toString("latin1");
      if (request.includes("\r\n\r\n")) socket.end(ANSWER);
    });
    socket.on("error", () => {});
  });
}

async function serve(plan: FleetServerPlan): Promise<Record<keyof FleetServerPlan, number[]>> {
  const certificate = await createSelfSignedCertificate("Octopus Tentacle");
  const options: tls.TlsOptions = {
    cert: certificate.certPem,
    key: certificate.keyPem,
    requestCert: true, // as a Tentacle does
    rejectUnauthorized: false,
  };
  const ports: Record<keyof FleetServerPlan, number[]> = {
    tentacle: [],
    silent: [],
    closed: [],
    flaky: [],
  };
  for (let i = 0; i < plan.tentacle; i++) ports.tentacle.push(await listen(tentacle(options)));
  for (let i = 0; i < plan.silent; i++) {
    ports.silent.push(await listen(net.createServer((socket) => socket.on("error", () => {}))));
  }
  for (let i = 0; i < plan.flaky; i++) {
    const server = tentacle(options);
    let connections = 0;
    server.prependListener("connection", (socket: net.Socket) => {
      if (connections++ % 2 === 0) socket.resetAndDestroy();
    });
    ports.flaky.push(await listen(server));
  }
  for (let i = 0; i < plan.closed; i++) {
    const server = net.createServer();
    ports.closed.push(await listen(server));
    server.close(); // bound and released: nothing listens there now
  }
  return ports;
}

if (import.meta.main) {
  const plan: FleetServerPlan = { tentacle: 0, silent: 0, closed: 0, flaky: 0 };
  for (const arg of Deno.args) {
    const [kind, count] = arg.split("=");
    if (!(kind in plan) || !/^\d+$/.test(count)) throw new Error(`bad argument ${arg}`);
    plan[kind as keyof FleetServerPlan] = Number(count);
  }
  console.log(JSON.stringify(await serve(plan)));
  Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
  for await (const _ of Deno.stdin.readable); // until stdin closes
  Deno.exit(0);
}
