/**
 * nginx as a peer this project did not write: a web server on a plain port and
 * a TLS port of its own, configured in a temporary directory.
 *
 * @module
 */
import { startDaemon, which } from "./daemons.ts";
import { freePort } from "./helpers.ts";
import { selfSigned } from "./openssl.ts";

/** Where nginx is, when the machine has it. */
export const NGINX = which("nginx");

/** A running nginx: its plain and TLS ports; stopped by `stop()` or its scope's end. */
export interface Nginx extends AsyncDisposable {
  port: number;
  tlsPort: number;
  stop(): Promise<void>;
}

/** Starts nginx on two free loopback ports, answering its default way (a small page, or 400). */
export async function startNginx(): Promise<Nginx> {
  const dir = await Deno.makeTempDir();
  const { cert, key } = await selfSigned(dir, "nginx");
  const [port, tlsPort] = [freePort(), freePort()];
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  fastcgi_temp_path ${dir};
  uwsgi_temp_path ${dir};
  scgi_temp_path ${dir};
  server {
    listen 127.0.0.1:${port};
    listen 127.0.0.1:${tlsPort} ssl;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    location / { return 200 "nginx page\\n"; }
  }
}
`,
  );
  const nginx = await startDaemon(NGINX!, ["-c", `${dir}/nginx.conf`, "-e", `${dir}/error.log`], [
    port,
    tlsPort,
  ]);
  const stop = async () => {
    await nginx.stop();
    await Deno.remove(dir, { recursive: true });
  };
  return { port, tlsPort, stop, [Symbol.asyncDispose]: stop };
}
