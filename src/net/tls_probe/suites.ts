/**
 * The cipher suites and key-exchange groups the TLS probe offers, by their
 * IANA and OpenSSL names, and the ones Octopus requires.
 *
 * The broad offer covers what Octopus Servers and Tentacles, and the old
 * Windows Servers they run on, speak: TLS 1.2's ECDHE AEAD suites, CBC with
 * SHA-1 and SHA-2 (the only suites of TLS 1.0 and 1.1), RSA key exchange and
 * 3DES. Its order is the usual client preference, strongest first; the server
 * may prefer its own.
 *
 * @module
 */

/** A TLS version as node and OpenSSL name it. */
export type TlsVersion = "TLSv1.0" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";

/** The versions the probe tries, oldest first. */
export const TLS_VERSIONS: readonly TlsVersion[] = ["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/** Each version's number on the wire (`ProtocolVersion`). */
export const VERSION_CODES: Readonly<Record<TlsVersion, number>> = {
  "TLSv1.0": 0x0301,
  "TLSv1.1": 0x0302,
  "TLSv1.2": 0x0303,
  "TLSv1.3": 0x0304,
};

/** The version a wire number stands for, if it is one of TLS 1.0-1.3. */
export function versionName(code: number): TlsVersion | undefined {
  return TLS_VERSIONS.find((version) => VERSION_CODES[version] === code);
}

/** A cipher suite: its number on the wire and its two names. */
export interface Suite {
  id: number;
  /** As the IANA registry names it: `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`. */
  iana: string;
  /** As OpenSSL (and so `openssl`, sslscan and nginx) names it: `ECDHE-RSA-AES128-GCM-SHA256`. */
  openssl: string;
}

/** TLS 1.3's suites (OpenSSL names them as IANA does). */
export const TLS13_SUITES: readonly Suite[] = [
  { id: 0x1301, iana: "TLS_AES_128_GCM_SHA256", openssl: "TLS_AES_128_GCM_SHA256" },
  { id: 0x1302, iana: "TLS_AES_256_GCM_SHA384", openssl: "TLS_AES_256_GCM_SHA384" },
  { id: 0x1303, iana: "TLS_CHACHA20_POLY1305_SHA256", openssl: "TLS_CHACHA20_POLY1305_SHA256" },
];

/** Suites for TLS 1.0 to 1.2, strongest first; a server picks those its version allows. */
export const LEGACY_SUITES: readonly Suite[] = [
  suite(0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"),
  suite(0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"),
  suite(0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"),
  suite(0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"),
  suite(0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"),
  suite(0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"),
  suite(0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256"),
  suite(0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384"),
  suite(0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256"),
  suite(0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384"),
  suite(0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256"),
  suite(0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384"),
  suite(0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"),
  suite(0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"),
  suite(0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"),
  suite(0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"),
  suite(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA"),
  suite(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA"),
  suite(0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"),
  suite(0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"),
  suite(0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"),
  suite(0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256"),
  suite(0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"),
  suite(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"),
  suite(0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA"),
  suite(0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"),
];

/** Octopus's minimum for TLS 1.2: either of these two suites. */
export const OCTOPUS_TLS12_SUITES: readonly Suite[] = LEGACY_SUITES.filter((s) =>
  s.id === 0xc02f || s.id === 0xc030
);

/** Octopus's suites for TLS 1.3: all three. */
export const OCTOPUS_TLS13_SUITES: readonly Suite[] = TLS13_SUITES;

/** The legacy suites whose key exchange is ECDHE: what a TLS 1.2 group test offers. */
export const ECDHE_SUITES: readonly Suite[] = LEGACY_SUITES.filter((s) =>
  s.iana.startsWith("TLS_ECDHE_")
);

/** Every suite the probe knows, TLS 1.3's first. */
export const SUITES: readonly Suite[] = [...TLS13_SUITES, ...LEGACY_SUITES];

/** The IANA name of each suite the probe knows, by OpenSSL name. */
export const OPENSSL_TO_IANA: ReadonlyMap<string, string> = new Map(
  SUITES.map((s) => [s.openssl, s.iana]),
);

/** The OpenSSL name of each suite the probe knows, by IANA name. */
export const IANA_TO_OPENSSL: ReadonlyMap<string, string> = new Map(
  SUITES.map((s) => [s.iana, s.openssl]),
);

/** The IANA name of a suite number; `0xC0FF`-style hex for one the probe does not know. */
export function suiteName(id: number): string {
  return SUITES.find((s) => s.id === id)?.iana ?? `0x${hex4(id)}`;
}

/** A key-exchange group the probe tests. */
export type Group = "x25519" | "secp256r1" | "secp384r1";

/** The groups the probe tests, in the order it prefers them. */
export const GROUPS: readonly Group[] = ["x25519", "secp256r1", "secp384r1"];

/** Each group's number on the wire (`NamedGroup`). */
export const GROUP_CODES: Readonly<Record<Group, number>> = {
  x25519: 0x001d,
  secp256r1: 0x0017,
  secp384r1: 0x0018,
};

/** The group a wire number stands for, if the probe tests it. */
export function groupName(code: number): Group | undefined {
  return GROUPS.find((group) => GROUP_CODES[group] === code);
}

/** Four upper-case hex digits. */
export function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, "0");
}

function suite(id: number, iana: string, openssl: string): Suite {
  return { id, iana, openssl };
}
