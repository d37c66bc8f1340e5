import assert from "node:assert/strict";
import fc from "fast-check";
import {
  FlightReader,
  HELLO_RETRY_RANDOM,
  type ServerFlight,
  TlsProbeError,
} from "../src/net/tls_probe/server_hello.ts";

// Server flights built by hand, as a server writes them.

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  parts.reduce((at, part) => (out.set(part, at), at + part.length), 0);
  return out;
}
const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
const u24 = (n: number) => Uint8Array.of(n >> 16, (n >> 8) & 0xff, n & 0xff);
const record = (type: number, fragment: Uint8Array) =>
  concat(Uint8Array.of(type, 3, 3), u16(fragment.length), fragment);
const message = (type: number, body: Uint8Array) =>
  concat(Uint8Array.of(type), u24(body.length), body);
const extension = (type: number, data: Uint8Array) => concat(u16(type), u16(data.length), data);

function serverHello(
  {
    version = 0x0303,
    suite = 0xc02f,
    random = new Uint8Array(32).fill(7),
    extensions = [] as Uint8Array[],
  } = {},
): Uint8Array {
  const list = concat(...extensions);
  return message(
    2,
    concat(
      u16(version),
      random,
      Uint8Array.of(0),
      u16(suite),
      Uint8Array.of(0),
      u16(list.length),
      list,
    ),
  );
}

const DER = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05); // stands for a certificate: not parsed here
const certificate = message(11, concat(u24(DER.length + 3), u24(DER.length), DER));
const certificateRequest = message(13, Uint8Array.of(1, 1, 0, 0));
const serverKeyExchange = message(12, Uint8Array.of(3, 0, 0x1d, 1, 9));
const serverHelloDone = message(14, new Uint8Array());
const TLS12_FLIGHT = record(
  22,
  concat(serverHello(), certificate, serverKeyExchange, certificateRequest, serverHelloDone),
);
const TLS13_HELLO = record(
  22,
  serverHello({
    suite: 0x1302,
    extensions: [
      extension(0x2b, u16(0x0304)),
      extension(0x33, concat(u16(0x17), u16(65), new Uint8Array(65))),
    ],
  }),
);
const ALERT = record(21, Uint8Array.of(2, 40));

/** Feeds `chunks` one by one; returns the flight and how many chunks it took. */
function feed(...chunks: Uint8Array[]): { flight: ServerFlight | null; used: number } {
  const reader = new FlightReader();
  for (const [i, chunk] of chunks.entries()) {
    const flight = reader.push(chunk);
    if (flight) return { flight, used: i + 1 };
  }
  return { flight: null, used: chunks.length };
}

/** The reason of the probe error `fn` throws; fails on any other outcome. */
function probeError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TlsProbeError, `threw ${error}`);
    return error.reason;
  }
  assert.fail("did not throw");
}

Deno.test("a TLS 1.2 flight gives the version, suite, first certificate and the certificate request", () => {
  assert.deepEqual(feed(TLS12_FLIGHT).flight, {
    hello: { version: "TLSv1.2", versionCode: 0x0303, suite: 0xc02f, group: null, retry: false },
    certificate: DER,
    certificateRequested: true,
  });
});

Deno.test("a flight is read across TCP chunks of one byte, and only complete at ServerHelloDone", () => {
  const bytes = [...TLS12_FLIGHT].map((byte) => Uint8Array.of(byte));
  const { flight, used } = feed(...bytes);
  assert.equal(used, TLS12_FLIGHT.length);
  assert.deepEqual(flight, feed(TLS12_FLIGHT).flight);
});

Deno.test("handshake messages split across records, and records holding several, are read", () => {
  const messages = concat(serverHello(), certificate, serverHelloDone);
  const split = concat(record(22, messages.subarray(0, 50)), record(22, messages.subarray(50)));
  assert.deepEqual(feed(split).flight, {
    hello: { version: "TLSv1.2", versionCode: 0x0303, suite: 0xc02f, group: null, retry: false },
    certificate: DER,
    certificateRequested: false,
  });
});

Deno.test("a TLS 1.3 ServerHello ends the flight: what follows is encrypted, kept to decrypt", () => {
  const following = concat(record(20, Uint8Array.of(1)), record(23, new Uint8Array(40)));
  const { flight } = feed(concat(TLS13_HELLO, following));
  assert.deepEqual(flight, {
    hello: {
      version: "TLSv1.3",
      versionCode: 0x0304,
      suite: 0x1302,
      group: 0x17,
      retry: false,
      keyShare: new Uint8Array(65),
    },
    certificateRequested: false,
    serverHelloMessage: TLS13_HELLO.subarray(5),
    following,
  });
});

Deno.test("a HelloRetryRequest is told by its random and names the group the server wants", () => {
  const retry = record(
    22,
    serverHello({
      suite: 0x1301,
      random: HELLO_RETRY_RANDOM,
      extensions: [extension(0x2b, u16(0x0304)), extension(0x33, u16(0x18))],
    }),
  );
  assert.deepEqual(feed(retry).flight?.hello, {
    version: "TLSv1.3",
    versionCode: 0x0304,
    suite: 0x1301,
    group: 0x18,
    retry: true,
  });
});

Deno.test("an alert ends the flight, named", () => {
  assert.deepEqual(feed(ALERT).flight, {
    certificateRequested: false,
    alert: { level: 2, description: 40, name: "handshake_failure" },
  });
  const late = feed(concat(record(22, serverHello()), record(21, Uint8Array.of(2, 70)))).flight;
  assert.equal(late?.alert?.name, "protocol_version");
  assert.equal(late?.hello?.suite, 0xc02f);
});

Deno.test("every truncation of a flight asks for more, and the end of the stream then is a probe error", () => {
  for (const flight of [TLS12_FLIGHT, TLS13_HELLO, ALERT]) {
    for (let length = 0; length < flight.length; length++) {
      const reader = new FlightReader();
      assert.equal(reader.push(flight.subarray(0, length)), null, `${length} bytes`);
      assert.equal(probeError(() => reader.end()), length === 0 ? "closed" : "truncated");
    }
  }
});

Deno.test("an answer that is not TLS is a probe error: HTTP, SSH, a record of unknown type", () => {
  const text = (s: string) => new TextEncoder().encode(s);
  assert.equal(probeError(() => feed(text("HTTP/1.1 400 Bad Request\r\n\r\n"))), "malformed");
  assert.equal(probeError(() => feed(text("SSH-2.0-OpenSSH_9.2\r\n"))), "malformed");
  assert.equal(probeError(() => feed(record(99, Uint8Array.of(1)))), "malformed");
  assert.equal(
    probeError(() => feed(record(22, certificate))),
    "malformed",
    "no ServerHello first",
  );
  assert.equal(probeError(() => feed(record(21, Uint8Array.of(2)))), "malformed", "a short alert");
  const lying = message(2, Uint8Array.of(3, 3, 0)); // a ServerHello whose body ends too soon
  assert.equal(probeError(() => feed(record(22, lying))), "malformed");
});

Deno.test("a server that never ends its flight is cut off at 256 KB", () => {
  const reader = new FlightReader();
  reader.push(record(22, serverHello()));
  const filler = record(22, message(99, new Uint8Array(16000)));
  assert.equal(
    probeError(() => {
      for (let i = 0; i < 20; i++) reader.push(filler);
    }),
    "too-long",
  );
});

Deno.test("whatever bytes come, in whatever chunks, the reader throws nothing but a probe error", () => {
  const mutated = fc.tuple(fc.constantFrom(TLS12_FLIGHT, TLS13_HELLO, ALERT), fc.nat(), fc.nat(255))
    .map(([flight, at, byte]) => {
      const copy = flight.slice();
      copy[at % copy.length] = byte;
      return copy;
    });
  const bytes = fc.oneof(fc.uint8Array({ maxLength: 600 }), mutated);
  fc.assert(
    fc.property(bytes, fc.array(fc.nat(), { maxLength: 5 }), (data, cuts) => {
      const reader = new FlightReader();
      const points = [...new Set(cuts.map((cut) => cut % (data.length + 1)))].sort((a, b) => a - b);
      try {
        let from = 0;
        for (const to of [...points, data.length]) {
          if (reader.push(data.subarray(from, to))) return;
          from = to;
        }
        reader.end();
      } catch (error) {
        if (!(error instanceof TlsProbeError)) throw error;
      }
    }),
    { numRuns: 2000 },
  );
});
