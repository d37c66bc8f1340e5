/**
 * ClientHello records built by hand, byte by byte (RFC 5246 7.4.1.2 and
 * RFC 8446 4.1.2), so the probe can offer exactly one version and chosen
 * suites and groups, which no TLS library lets a client do for TLS 1.0-1.3.
 *
 * The extensions are those real servers need before they answer, as sslscan
 * sends them: server_name, supported_groups, ec_point_formats,
 * signature_algorithms (TLS 1.2 and 1.3 only: RFC 5246 forbids it in older
 * hellos), extended_master_secret and renegotiation_info; for TLS 1.3
 * also supported_versions, psk_key_exchange_modes and key_share. A hello of
 * 256 to 511 bytes is padded to 512 (RFC 7685), as OpenSSL does, since some
 * load balancers hang on those lengths.
 *
 * @module
 */
import { type Group, GROUP_CODES, type TlsVersion, VERSION_CODES } from "./suites.ts";

/** One public key offered in a TLS 1.3 key_share. */
export interface KeyShare {
  group: Group;
  /** The public key as TLS sends it: 32 bytes for x25519, an uncompressed point for P-256/P-384. */
  key: Uint8Array;
}

/** What a ClientHello offers. */
export interface ClientHelloOptions {
  /** The one version offered; TLS 1.3 is offered through supported_versions alone. */
  version: TlsVersion;
  /** Cipher suite numbers, in order of preference. */
  suites: readonly number[];
  /** The groups for supported_groups. */
  groups: readonly Group[];
  /** TLS 1.3 only: the public keys sent in key_share (at least one is needed). */
  keyShares?: readonly KeyShare[];
  /** A DNS name for server_name (SNI); none for an IP address. */
  servername?: string;
  /** 32 bytes; random unless a test fixes it. */
  random?: Uint8Array;
  /** 32 bytes (TLS 1.3's middlebox compatibility mode); random unless a test fixes it. */
  sessionId?: Uint8Array;
}

/** Each group's public key length in key_share: a server refuses another. */
const KEY_SHARE_LENGTHS: Readonly<Record<Group, number>> = {
  x25519: 32,
  secp256r1: 65,
  secp384r1: 97,
};

/** signature_algorithms: ECDSA, RSA-PSS, EdDSA, PKCS#1 with SHA-2, then SHA-1 for old servers. */
const SIGNATURE_ALGORITHMS = [
  0x0403, // ecdsa_secp256r1_sha256
  0x0503, // ecdsa_secp384r1_sha384
  0x0603, // ecdsa_secp521r1_sha512
  0x0807, // ed25519
  0x0808, // ed448
  0x0804, // rsa_pss_rsae_sha256
  0x0805, // rsa_pss_rsae_sha384
  0x0806, // rsa_pss_rsae_sha512
  0x0809, // rsa_pss_pss_sha256
  0x080a, // rsa_pss_pss_sha384
  0x080b, // rsa_pss_pss_sha512
  0x0401, // rsa_pkcs1_sha256
  0x0501, // rsa_pkcs1_sha384
  0x0601, // rsa_pkcs1_sha512
  0x0203, // ecdsa_sha1
  0x0201, // rsa_pkcs1_sha1
];

const EXTENSION = {
  serverName: 0x0000,
  supportedGroups: 0x000a,
  ecPointFormats: 0x000b,
  signatureAlgorithms: 0x000d,
  padding: 0x0015,
  extendedMasterSecret: 0x0017,
  supportedVersions: 0x002b,
  pskKeyExchangeModes: 0x002d,
  keyShare: 0x0033,
  renegotiationInfo: 0xff01,
};

const HANDSHAKE = 22;
const CLIENT_HELLO = 1;

/** A ClientHello as one TLS record, ready to write to a TCP connection. */
export function clientHello(options: ClientHelloOptions): Uint8Array {
  const tls13 = options.version === "TLSv1.3";
  const random = options.random ?? crypto.getRandomValues(new Uint8Array(32));
  const sessionId = options.sessionId ?? crypto.getRandomValues(new Uint8Array(32));
  const list = extensions(options, tls13);
  const body = (extensions: Uint8Array[]) =>
    handshake(concat([
      u16(tls13 ? VERSION_CODES["TLSv1.2"] : VERSION_CODES[options.version]),
      random,
      vector8(sessionId),
      vector16(concat(options.suites.map(u16))),
      vector8(Uint8Array.of(0)), // compression: null only
      vector16(concat(extensions)),
    ]));
  let hello = body(list);
  if (hello.length >= 256 && hello.length < 512) {
    // Pad to 512: the padding extension's own 4 bytes count too (RFC 7685).
    const padding = new Uint8Array(Math.max(0, 512 - hello.length - 4));
    hello = body([...list, extension(EXTENSION.padding, padding)]);
  }
  // The record says TLS 1.0, as clients do for the first flight: old servers reject more.
  return concat([Uint8Array.of(HANDSHAKE), u16(VERSION_CODES["TLSv1.0"]), vector16(hello)]);
}

function extensions(options: ClientHelloOptions, tls13: boolean): Uint8Array[] {
  const list: Uint8Array[] = [];
  if (options.servername) {
    const name = new TextEncoder().encode(options.servername);
    list.push(
      extension(EXTENSION.serverName, vector16(concat([Uint8Array.of(0), vector16(name)]))),
    );
  }
  const groups = options.groups.map((group) => u16(GROUP_CODES[group]));
  list.push(extension(EXTENSION.supportedGroups, vector16(concat(groups))));
  list.push(extension(EXTENSION.ecPointFormats, vector8(Uint8Array.of(0)))); // uncompressed
  if (options.version === "TLSv1.2" || tls13) {
    const algorithms = concat(SIGNATURE_ALGORITHMS.map(u16));
    list.push(extension(EXTENSION.signatureAlgorithms, vector16(algorithms)));
  }
  list.push(extension(EXTENSION.extendedMasterSecret, new Uint8Array()));
  list.push(extension(EXTENSION.renegotiationInfo, vector8(new Uint8Array())));
  if (tls13) {
    list.push(extension(EXTENSION.supportedVersions, vector8(u16(VERSION_CODES["TLSv1.3"]))));
    list.push(extension(EXTENSION.pskKeyExchangeModes, vector8(Uint8Array.of(1)))); // psk_dhe_ke
    const shares = (options.keyShares ?? []).map((share) => {
      if (share.key.length !== KEY_SHARE_LENGTHS[share.group]) {
        throw new RangeError(
          `a ${share.group} key share needs ${
            KEY_SHARE_LENGTHS[share.group]
          } bytes, not ${share.key.length}`,
        );
      }
      return concat([u16(GROUP_CODES[share.group]), vector16(share.key)]);
    });
    list.push(extension(EXTENSION.keyShare, vector16(concat(shares))));
  }
  return list;
}

function handshake(body: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(CLIENT_HELLO), u24(body.length), body]);
}

function extension(type: number, data: Uint8Array): Uint8Array {
  return concat([u16(type), vector16(data)]);
}

function vector8(data: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(data.length), data]);
}

function vector16(data: Uint8Array): Uint8Array {
  return concat([u16(data.length), data]);
}

function u16(n: number): Uint8Array {
  return Uint8Array.of(n >> 8, n & 0xff);
}

function u24(n: number): Uint8Array {
  return Uint8Array.of(n >> 16, (n >> 8) & 0xff, n & 0xff);
}

/** `parts` joined into one new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
