/**
 * Transfers: ping -> pong in one chunk, through a proxy, and pong's receive
 * path alone, each beside socat doing the same work and, over TLS, beside the
 * bare-API scripts that are the runtime's ceiling.
 *
 * @module
 */
import {
  BARE_RECEIVERS,
  CEILING_GOALS,
  PAIR_NAMES,
  reverseCeiling,
  SERVER_NAMES,
  startBareServer,
  uploadCeiling,
  withCeiling,
} from "./ceilings.ts";
import {
  BUFFER,
  type Figure,
  MB,
  octoping,
  rate,
  rateFigure,
  run,
  type Sizes,
  startPong,
  startServer,
} from "./support.ts";

/**
 * Upload (or with `reverse`, download) one chunk: OctoPing against socat, whole processes, and
 * over TLS against the bare pair of scripts doing the same.
 */
export async function transfer(
  size: Sizes,
  dir: string,
  mode: "tls" | "tcp" | "reverse",
): Promise<Figure> {
  const mb = mode === "tcp" ? size.tcpTransferMB : size.transferMB;
  const bytes = mb * MB;
  // Pong sends nothing back unless /maxsend says how much it may.
  const pong = await startPong(
    mode === "tcp" ? ["/nossl"] : mode === "reverse" ? [`/maxsend=${mb}`] : [],
  );
  const pingArgs = [
    "ping",
    `/host=127.0.0.1:${pong.port}`,
    `/datasize=${mb}`,
    `/chunksize=${mb}`,
    "/count=1",
    ...(mode === "tcp" ? ["/nossl"] : mode === "reverse" ? ["/reverse"] : []),
  ];
  const ours = (await octoping(pingArgs)).ms;
  await pong.stop();

  // Both socat ends read or write the bytes themselves: no `head` in a pipe.
  const zeros = `FILE:/dev/zero,readbytes=${bytes}`;
  const server = await startServer(
    "socat",
    (port) =>
      mode === "tcp"
        ? ["-u", `-b${BUFFER}`, `TCP-LISTEN:${port},reuseaddr,fork`, "OPEN:/dev/null,wronly"]
        : [
          mode === "reverse" ? "-U" : "-u",
          `-b${BUFFER}`,
          `OPENSSL-LISTEN:${port},reuseaddr,fork,cert=${dir}/cert.pem,key=${dir}/key.pem,verify=0`,
          mode === "reverse" ? zeros : "OPEN:/dev/null,wronly",
        ],
  );
  const connect = mode === "tcp"
    ? `TCP:127.0.0.1:${server.port}`
    : `OPENSSL:127.0.0.1:${server.port},verify=0`;
  const theirs = mode === "reverse"
    ? (await run("socat", ["-u", `-b${BUFFER}`, connect, "OPEN:/dev/null,wronly"])).ms
    : (await run("socat", ["-u", `-b${BUFFER}`, zeros, connect])).ms;
  await server.stop();
  const what = {
    tls: `TLS upload, ${mb} MB in one chunk`,
    tcp: `TCP upload (/nossl), ${mb} MB`,
    reverse: `TLS download (/reverse), ${mb} MB`,
  }[mode];
  const figure = rateFigure(
    `${what}, whole process`,
    " MB/s",
    [rate(bytes, ours), rate(bytes, theirs)],
    "socat",
    mode === "tcp" ? ">= 1.0" : CEILING_GOALS[mode],
  );
  if (mode === "tcp") return figure;
  const ceiling = mode === "tls" ? await uploadCeiling(mb, dir) : await reverseCeiling(mb, dir);
  return withCeiling(figure, PAIR_NAMES[mode], ceiling);
}

/**
 * A TLS upload through tinyproxy's CONNECT tunnel (`/proxy`), beside the
 * same upload through a socat TCP relay in the proxy's place: what the
 * proxy's copying costs. For information: the proxy is not OctoPing's.
 */
export async function throughProxy(size: Sizes, dir: string): Promise<Figure> {
  const bytes = size.transferMB * MB;
  const pong = await startPong();
  const upload = async (port: number, extra: string[] = []) =>
    (await octoping([
      "ping",
      `/host=127.0.0.1:${port}`,
      `/datasize=${size.transferMB}`,
      `/chunksize=${size.transferMB}`,
      "/count=1",
      ...extra,
    ])).ms;
  const config = `${dir}/tinyproxy.conf`;
  const proxy = await startServer("tinyproxy", (port) => {
    Deno.writeTextFileSync(config, `Port ${port}\nListen 127.0.0.1\nAllow 127.0.0.1\n`);
    return ["-d", "-c", config];
  });
  const ours = await upload(pong.port, [`/proxy=127.0.0.1:${proxy.port}`]);
  await proxy.stop();
  const relay = await startServer("socat", (port) => [
    `-b${BUFFER}`,
    `TCP-LISTEN:${port},reuseaddr,fork`,
    `TCP:127.0.0.1:${pong.port}`,
  ]);
  const theirs = await upload(relay.port);
  await relay.stop();
  await pong.stop();
  return rateFigure(
    `TLS upload through tinyproxy (/proxy), ${size.transferMB} MB in one chunk, whole process`,
    " MB/s",
    [rate(bytes, ours), rate(bytes, theirs)],
    "through a socat TCP relay",
    "",
  );
}

/**
 * Pong's receive path alone: the same socat sender, with the same request
 * (head, `transferMB` of payload, blank line) from a file, to pong, to a
 * socat sink and, over TLS, to each bare receiver, each started beforehand.
 * The sender waits for the far end to close, so every time ends when the last
 * byte was read. Over TLS, one row per bare receiver, pong's figure the same.
 */
export async function receivePath(
  size: Sizes,
  dir: string,
  mode: "tls" | "tcp",
): Promise<Figure[]> {
  const request = `${dir}/request`;
  const bytes = size.transferMB * MB + await writeRequest(request, size.transferMB);
  const send = async (port: number) => {
    const to = mode === "tcp" ? `TCP:127.0.0.1:${port}` : `OPENSSL:127.0.0.1:${port},verify=0`;
    return (await run("socat", [
      `-b${BUFFER}`,
      `OPEN:${request},rdonly!!OPEN:/dev/null,wronly`,
      to,
    ]))
      .ms;
  };
  const pong = await startPong(mode === "tcp" ? ["/nossl"] : []);
  const ours = await send(pong.port);
  await pong.stop();
  const sink = await startServer("socat", (port) => [
    "-u",
    `-b${BUFFER}`,
    mode === "tcp"
      ? `TCP-LISTEN:${port},reuseaddr,fork`
      : `OPENSSL-LISTEN:${port},reuseaddr,fork,cert=${dir}/cert.pem,key=${dir}/key.pem,verify=0`,
    "OPEN:/dev/null,wronly",
  ]);
  const theirs = await send(sink.port);
  await sink.stop();
  const figure = rateFigure(
    `pong's receive path, ${
      mode === "tcp" ? "plain TCP" : "TLS"
    }: socat -> pong, ${size.transferMB} MB`,
    " MB/s",
    [rate(bytes, ours), rate(bytes, theirs)],
    "socat -> socat sink",
    mode === "tcp" ? ">= 1.0" : CEILING_GOALS.receive,
  );
  const figures: Figure[] = [];
  for (const kind of mode === "tls" ? BARE_RECEIVERS : []) {
    const receiver = await startBareServer(kind, dir);
    const ceiling = rate(bytes, await send(receiver.port));
    await receiver.stop();
    // The first is the ceiling of pong's own server path; the others, of the ways it could take.
    const row = figures.length === 0 ? figure : { ...figure, what: "  (the same pong figure)" };
    figures.push(withCeiling(row, `socat -> ${SERVER_NAMES[kind]}`, ceiling));
  }
  await Deno.remove(request);
  return mode === "tls" ? figures : [figure];
}

/** Writes a request pong reads to its end: a head, `mb` MB of payload with no LF, a blank line. */
export async function writeRequest(path: string, mb: number): Promise<number> {
  const head = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: bench\r\n");
  const tail = new TextEncoder().encode("\r\n\r\n");
  const payload = new Uint8Array(MB).fill(65);
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const writeAll = async (bytes: Uint8Array) => {
    for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
  };
  await writeAll(head);
  for (let i = 0; i < mb; i++) await writeAll(payload);
  await writeAll(tail);
  return head.length + tail.length;
}
