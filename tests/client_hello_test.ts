import assert from "node:assert/strict";
import { clientHello } from "../src/net/tls_probe/client_hello.ts";
import { GROUPS } from "../src/net/tls_probe/suites.ts";

/** Bytes from hex written field by field, spaces and comments ignored. */
function bytes(...fields: string[]): Uint8Array {
  const hex = fields.join("").replace(/\s+/g, "");
  return Uint8Array.from(hex.match(/../g)!, (byte) => parseInt(byte, 16));
}

const RANDOM = Uint8Array.from({ length: 32 }, (_, i) => i);
const SESSION_ID = Uint8Array.from({ length: 32 }, (_, i) => 0x20 + i);
const RANDOM_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const SESSION_HEX = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
const SIGNATURE_ALGORITHMS_HEX = "0403 0503 0603 0807 0808 0804 0805 0806 0809 080a 080b" +
  "0401 0501 0601 0203 0201";

Deno.test("a TLS 1.2 ClientHello offers its suites and groups, with SNI and signature algorithms", () => {
  const hello = clientHello({
    version: "TLSv1.2",
    suites: [0xc02f, 0xc030],
    groups: ["x25519", "secp256r1"],
    servername: "tentacle",
    random: RANDOM,
    sessionId: SESSION_ID,
  });
  const expected = bytes(
    "16 0301 00a1", // handshake record, TLS 1.0 on the record layer, 161 bytes
    "01 00009d", // ClientHello, 157 bytes
    "0303", // client_version TLS 1.2
    RANDOM_HEX,
    "20",
    SESSION_HEX,
    "0004 c02f c030", // two suites
    "01 00", // null compression
    "0050", // 80 bytes of extensions
    "0000 000d 000b 00 0008 74656e7461636c65", // server_name: host_name "tentacle"
    "000a 0006 0004 001d 0017", // supported_groups: x25519, secp256r1
    "000b 0002 01 00", // ec_point_formats: uncompressed
    "000d 0022 0020",
    SIGNATURE_ALGORITHMS_HEX, // signature_algorithms
    "0017 0000", // extended_master_secret
    "ff01 0001 00", // renegotiation_info, empty
  );
  assert.deepEqual(hello, expected);
});

Deno.test("a TLS 1.0 ClientHello has no signature_algorithms, which RFC 5246 forbids before 1.2", () => {
  const hello = clientHello({
    version: "TLSv1.0",
    suites: [0x002f],
    groups: ["secp256r1"],
    random: RANDOM,
    sessionId: SESSION_ID,
  });
  const expected = bytes(
    "16 0301 0066",
    "01 000062",
    "0301", // client_version TLS 1.0
    RANDOM_HEX,
    "20",
    SESSION_HEX,
    "0002 002f",
    "01 00",
    "0017", // no server_name without a name
    "000a 0004 0002 0017",
    "000b 0002 01 00",
    "0017 0000",
    "ff01 0001 00",
  );
  assert.deepEqual(hello, expected);
});

Deno.test("a TLS 1.3 ClientHello says TLS 1.2 and offers 1.3 in supported_versions, with a key share", () => {
  const key = new Uint8Array(32).fill(0x11);
  const hello = clientHello({
    version: "TLSv1.3",
    suites: [0x1301, 0x1302, 0x1303],
    groups: ["x25519"],
    keyShares: [{ group: "x25519", key }],
    random: RANDOM,
    sessionId: SESSION_ID,
  });
  const expected = bytes(
    "16 0301 00c7",
    "01 0000c3",
    "0303", // legacy_version TLS 1.2
    RANDOM_HEX,
    "20",
    SESSION_HEX,
    "0006 1301 1302 1303",
    "01 00",
    "0074", // 116 bytes of extensions
    "000a 0004 0002 001d",
    "000b 0002 01 00",
    "000d 0022 0020",
    SIGNATURE_ALGORITHMS_HEX,
    "0017 0000",
    "ff01 0001 00",
    "002b 0003 02 0304", // supported_versions: TLS 1.3 only
    "002d 0002 01 01", // psk_key_exchange_modes: psk_dhe_ke
    "0033 0026 0024 001d 0020",
    "11".repeat(32), // key_share: x25519, 32 bytes
  );
  assert.deepEqual(hello, expected);
});

Deno.test("a ClientHello of 256 to 511 bytes is padded to 512, which some load balancers need", () => {
  const options = { version: "TLSv1.2" as const, suites: [0xc02f], groups: GROUPS };
  const short = clientHello({ ...options, servername: "a".repeat(100) });
  assert.equal(short.length, 5 + 253, "unpadded below 256");
  const padded = clientHello({ ...options, servername: "a".repeat(150) });
  assert.equal(padded.length, 5 + 512);
  const padding = 512 - 303 - 4; // 303 bytes unpadded
  assert.deepEqual(
    padded.subarray(-padding - 4),
    bytes("0015", padding.toString(16).padStart(4, "0"), "00".repeat(padding)),
  );
});

Deno.test("a TLS 1.3 key share must be as long as its group's public keys", () => {
  const share = (group: "x25519" | "secp256r1" | "secp384r1", length: number) => () =>
    clientHello({
      version: "TLSv1.3",
      suites: [0x1301],
      groups: [group],
      keyShares: [{ group, key: new Uint8Array(length) }],
    });
  share("x25519", 32)();
  share("secp256r1", 65)();
  share("secp384r1", 97)();
  assert.throws(share("x25519", 65), RangeError);
  assert.throws(share("secp256r1", 32), RangeError);
  assert.throws(share("secp384r1", 65), RangeError);
});
