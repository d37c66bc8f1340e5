import assert from "node:assert/strict";
import { diagnose } from "../src/connection/diagnosis.ts";
import { type Cause, FAILURE_CODES, type Phase } from "../src/connection/failure.ts";

const context = { host: "MyServer", port: 10933, dataMode: false };

function causeOf(code: string | undefined, phase: Phase, dataMode = false) {
  return diagnose({ code, phase, message: "whatever the system said" }, { ...context, dataMode });
}

Deno.test("the cause comes from the error's code and phase", () => {
  // Each hint is checked for the advice that makes it actionable, not merely for being there.
  const table: [string | undefined, Phase, Cause, RegExp, RegExp][] = [
    [
      "ENOTFOUND",
      "dns",
      "dns",
      /the name MyServer does not resolve/,
      /try the Tentacle's IP address/,
    ],
    ["EAI_AGAIN", "dns", "dns", /does not resolve/, /nslookup/],
    [
      "ECONNREFUSED",
      "connect",
      "refused",
      /nothing listens on MyServer port 10933/,
      /is the Tentacle service running/,
    ],
    [
      FAILURE_CODES.timeout,
      "connect",
      "timeout",
      /^timeout while connecting$/,
      /nothing answered on MyServer port 10933: .*firewall that drops/,
    ],
    [
      FAILURE_CODES.timeout,
      "tls",
      "timeout",
      /^timeout during the TLS handshake$/,
      /never spoke TLS: a proxy or TLS-inspecting firewall/,
    ],
    [
      FAILURE_CODES.timeout,
      "response",
      "timeout",
      /^timeout while waiting for the response$/,
      /server stopped answering: .*Tentacle log/,
    ],
    ["ETIMEDOUT", "connect", "timeout", /^timeout while connecting$/, /firewall that drops/],
    ["ECONNRESET", "tls", "reset", /during the TLS handshake/, /TLS-inspecting firewall or proxy/],
    [
      "ECONNRESET",
      "response",
      "reset",
      /^connection reset while waiting for the response$/,
      /idle and session limits/,
    ],
    [
      "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
      "tls",
      "tls",
      /only TLS 1\.0 or 1\.1/,
      /enable TLS 1\.2 on the Tentacle's machine/,
    ],
    [
      "ERR_SSL_WRONG_VERSION_NUMBER",
      "tls",
      "tls",
      /does not speak TLS/,
      /pinged with \/nossl\. Anything else here is not a Tentacle/,
    ],
    [
      "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
      "tls",
      "tls",
      /no TLS cipher suite in common/,
      /so Octopus cannot connect either/,
    ],
    ["ERR_SSL_SOMETHING_ELSE", "tls", "tls", /^the TLS handshake failed$/, /refused the handshake/],
    [
      FAILURE_CODES.answeredEarly,
      "send",
      "closed",
      /stopped taking the request/,
      /cut the request short/,
    ],
    [
      FAILURE_CODES.closed,
      "response",
      "closed",
      /closed the connection while waiting/,
      /overloaded, or restarting/,
    ],
    [
      FAILURE_CODES.thumbprint,
      "tls",
      "thumbprint",
      /not the expected one: its thumbprint differs/,
      /compare it with the thumbprint on the Tentacle's page in Octopus/,
    ],
    [
      FAILURE_CODES.tooLarge,
      "response",
      "other",
      /too large/,
      /something else answered on this port/,
    ],
    ["ENETUNREACH", "connect", "unreachable", /no route to the host/, /routes and VPN/],
    ["EHOSTUNREACH", "connect", "unreachable", /no route to the host/, /tracert\/traceroute/],
    [
      "EWHATEVER",
      "connect",
      "other",
      /unexpected failure while connecting/,
      /the error as the system reported it/,
    ],
    [undefined, "response", "other", /unexpected failure/, /the error as the system reported it/],
  ];
  for (const [code, phase, cause, summary, hint] of table) {
    const diagnosis = causeOf(code, phase);
    assert.equal(diagnosis.cause, cause, `${code} in ${phase}`);
    assert.match(diagnosis.summary, summary, `${code} in ${phase}`);
    assert.match(diagnosis.hint, hint, `${code} in ${phase}: the hint`);
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
  // Octopus requires TLS 1.2 or later with its suites: where this tool fails, so does Octopus.
  const old = causeOf("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", "tls").hint;
  assert.match(old, /^Octopus requires TLS 1\.2 or later and cannot connect to it either/);
  assert.doesNotMatch(old, /may still connect/);
  const ciphers = causeOf("ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "tls").hint;
  assert.match(ciphers, /so Octopus cannot connect either/);
  assert.match(ciphers, /'OctoPing check' shows what it speaks/);
  assert.match(causeOf("ENOTFOUND", "dns").hint, /IP address/);
});

Deno.test("data mode against a Tentacle is told to use pong as the data target", () => {
  const dataMode = causeOf(FAILURE_CODES.answeredEarly, "send", true);
  assert.match(dataMode.hint, /first 20,000 bytes/);
  assert.match(dataMode.hint, /OctoPing pong/);
  assert.doesNotMatch(causeOf(FAILURE_CODES.answeredEarly, "send", false).hint, /20,000/);
});

Deno.test("data mode: a close before pong's answer, once pong has answered in the run, is the network's", () => {
  // The system takes the last megabytes of a chunk before they leave, so a cut on the way can
  // come after ping has handed over the whole request: pong never closes without answering.
  const run = { ...context, dataMode: true, pongAnswered: true };
  const closed = (bytesRead: number) => ({
    code: FAILURE_CODES.closed,
    phase: "response" as const,
    message: "the server closed the connection without answering",
    bytesSent: 2_097_214,
    bytesRead,
  });
  const unanswered = diagnose(closed(0), run);
  assert.equal(unanswered.cause, "closed");
  assert.match(
    unanswered.summary,
    /^the connection dropped after [\d.,]+ MB were sent, before pong answered$/,
  );
  assert.match(unanswered.hint, /the network between here and pong cut this connection/);
  // Not when pong had begun to answer, or has not answered in this run: the server's, as before.
  assert.match(diagnose(closed(100), run).hint, /overloaded, or restarting/);
  assert.match(
    diagnose(closed(0), { ...run, pongAnswered: false }).hint,
    /overloaded, or restarting/,
  );
});
