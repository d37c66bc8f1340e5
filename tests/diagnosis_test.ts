import assert from "node:assert/strict";
import { diagnose } from "../src/ping/diagnosis.ts";
import { type Cause, FAILURE_CODES, type Phase } from "../src/ping/failure.ts";

const context = { host: "MyServer", port: 10933, dataMode: false };

function causeOf(code: string | undefined, phase: Phase, dataMode = false) {
  return diagnose({ code, phase, message: "whatever the system said" }, { ...context, dataMode });
}

Deno.test("the cause comes from the error's code and phase", () => {
  const table: [string | undefined, Phase, Cause, RegExp][] = [
    ["ENOTFOUND", "dns", "dns", /the name MyServer does not resolve/],
    ["EAI_AGAIN", "dns", "dns", /does not resolve/],
    ["ECONNREFUSED", "connect", "refused", /nothing listens on MyServer port 10933/],
    [FAILURE_CODES.timeout, "connect", "timeout", /^timeout while connecting$/],
    [FAILURE_CODES.timeout, "tls", "timeout", /^timeout during the TLS handshake$/],
    [FAILURE_CODES.timeout, "response", "timeout", /^timeout while waiting for the response$/],
    ["ETIMEDOUT", "connect", "timeout", /^timeout while connecting$/],
    ["ECONNRESET", "tls", "reset", /during the TLS handshake/],
    ["ECONNRESET", "response", "reset", /^connection reset while waiting for the response$/],
    ["ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", "tls", "tls", /only TLS 1\.0 or 1\.1/],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "tls", "tls", /does not speak TLS/],
    ["ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "tls", "tls", /no TLS cipher suite in common/],
    ["ERR_SSL_SOMETHING_ELSE", "tls", "tls", /^the TLS handshake failed$/],
    [FAILURE_CODES.answeredEarly, "send", "closed", /stopped taking the request/],
    [FAILURE_CODES.closed, "response", "closed", /closed the connection while waiting/],
    [FAILURE_CODES.thumbprint, "tls", "thumbprint", /not the one \/thumbprint names/],
    [FAILURE_CODES.tooLarge, "response", "other", /too large/],
    ["ENETUNREACH", "connect", "unreachable", /no route to the host/],
    ["EHOSTUNREACH", "connect", "unreachable", /no route to the host/],
    ["EWHATEVER", "connect", "other", /unexpected failure while connecting/],
    [undefined, "response", "other", /unexpected failure/],
  ];
  for (const [code, phase, cause, summary] of table) {
    const diagnosis = causeOf(code, phase);
    assert.equal(diagnosis.cause, cause, `${code} in ${phase}`);
    assert.match(diagnosis.summary, summary, `${code} in ${phase}`);
    assert.ok(diagnosis.hint.length > 20, `${code} in ${phase} has a hint`);
  }
});

Deno.test("the message text never decides the cause", () => {
  const misleading = diagnose(
    { code: "ECONNREFUSED", phase: "connect", message: "getaddrinfo ENOTFOUND timeout reset" },
    context,
  );
  assert.equal(misleading.cause, "refused");
});

Deno.test("hints speak to Octopus users", () => {
  assert.match(causeOf("ECONNREFUSED", "connect").hint, /Tentacle service running/);
  assert.match(causeOf(FAILURE_CODES.timeout, "tls").hint, /proxy or TLS-inspecting firewall/);
  assert.match(causeOf("ECONNRESET", "tls").hint, /TLS-inspecting firewall/);
  // Octopus itself can be set to accept TLS 1.0/1.1: the hint must not claim it cannot connect.
  const old = causeOf("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", "tls").hint;
  assert.match(old, /TLS 1\.2 or later/);
  assert.match(old, /Octopus Server configured to accept TLS 1\.0\/1\.1 may still connect/);
  assert.match(
    causeOf("ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "tls").hint,
    /about this tool's TLS, not evidence of a network fault/,
  );
  assert.match(causeOf("ENOTFOUND", "dns").hint, /IP address/);
});

Deno.test("data mode against a Tentacle is told to use pong as the data target", () => {
  const dataMode = causeOf(FAILURE_CODES.answeredEarly, "send", true);
  assert.match(dataMode.hint, /first 20,000 bytes/);
  assert.match(dataMode.hint, /OctoPing pong/);
  assert.doesNotMatch(causeOf(FAILURE_CODES.answeredEarly, "send", false).hint, /20,000/);
});
