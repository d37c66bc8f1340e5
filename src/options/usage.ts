/**
 * The text `OctoPing /?` prints.
 *
 * @module
 */
import { PROGRAM, VERSION } from "../version.ts";

/** Usage with examples, for `/?`, `/help`, `-h` and `--help`. */
export function usage(): string {
  return `${PROGRAM} ${VERSION} - diagnoses connections between an Octopus Server and a listening Tentacle.

Usage:
  ${PROGRAM} ping /host=<ip/hostname> [/port=<port>] [/datasize=<MB>] [/chunksize=<MB>] [/nossl]
                  [/count=<N>] [/interval=<ms>] [/timeout=<s>] [/ipv4 | /ipv6] [/thumbprint=<hex>]
                  [/reverse] [/clientcert=<file> [/clientkey=<file> | /clientpassword=<p>]]
                  [/proxy=http://[user[:password]@]host:port] [/logfile=<path>] [/format=json]
  ${PROGRAM} pong [/port=<port>] [/nossl] [/listen=<ip>] [/idle=<s>] [/handshake=<s>]
                  [/maxconn=<N>] [/maxsend=<MB>] [/cert=<file.pem> /key=<file.pem>] [/duration=<s>]
                  [/logfile=<path>] [/format=json]
  ${PROGRAM} check /host=<ip/hostname> [/port=<port>] [/thumbprint=<hex>] [/timeout=<s>]
                  [/ipv4 | /ipv6] [/nossl] [/clientcert=<file> [/clientkey=<file> |
                  /clientpassword=<p>] [/subscription=poll://<id>/]] [/proxy=<url>]
                  [/logfile=<path>] [/format=json]
  ${PROGRAM} ping | check /hosts=<file> [/parallel=<N>]
                  [the options above but /host, /thumbprint and /subscription]
  ${PROGRAM} report <log file> [<log file> ...] [/in=<log file>] [/out=<report.html>]

/logfile=<path> also appends every line to that file; /format=json writes JSON Lines instead
of text.

ping   Makes repeated TLS connections to a Tentacle (or to a pong) and counts the failures.
       Leave it running for hours; Ctrl+C stops it. Exit code 0: no attempt failed; 1: some did.
  /host=<ip/hostname>  The Tentacle: MyServer, 10.0.0.1, MyServer:10933, https://MyServer:10933/,
                       MyServer:10933/, [2001:db8::5]:10933 (not link-local fe80::, see the docs)
  /port=<port>         Its port (default 10933, the Tentacle port)
  /datasize=<MB>       Also send this much data per attempt (default 0: none); 0.5, 100, 512KB,
                       1GB (units B, KB, MB, GB, TB)
  /chunksize=<MB>      Data per connection (default 2 MB); the last chunk holds the remainder
  /nossl               Plain TCP instead of TLS (for a pong started with /nossl)
  /count=<N>           Stop after N attempts (default: run until Ctrl+C)
  /interval=<ms>       Pause between attempts (default 500 ms)
  /timeout=<s>         Longest wait with no progress in any phase (default 30 s; 0.5 allowed)
  /ipv4, /ipv6         Use only IPv4 or only IPv6 addresses of the host
  /thumbprint=<hex>    Fail when the certificate is not this one (SHA-1 as Octopus shows it,
                       or SHA-256)
  /reverse             With /datasize: pong sends the data back (times the download; pong
                       must be started with /maxsend)
  /clientcert=<file>   The client certificate to present, as Octopus presents its own (default:
                       one made for this run). A PEM file with /clientkey=<file.pem>, or a .pfx
                       with /clientpassword=<p> (or the OCTOPING_CLIENT_PASSWORD variable)
  /proxy=<url>         Through this HTTP proxy, as Octopus can: http://[user[:password]@]host:port
                       (CONNECT, Basic credentials; a user without a password takes it from the
                       OCTOPING_PROXY_PASSWORD variable). The proxy resolves the Tentacle's name

  Each failure names its cause (dns, proxy, refused, timeout, reset, tls, closed, unreachable,
  thumbprint, intercepted, rejected, incomplete, other) with a hint; Ctrl+C or /count ends the
  run with statistics.

pong   Stands in for a Tentacle: if ping fails against the Tentacle but not against pong on the
       same machine and port, look at the Tentacle; if it fails against both, look at the network.
       Press Enter or Ctrl+C to stop it, or give /duration.
  /port=<port>         Port to listen on (default 10933; 0 picks a free port and prints it)
  /nossl               Plain TCP instead of TLS
  /listen=<ip>         Listen on this one address of the machine (default: every interface)
  /idle=<s>            Drop a client silent this long (default 60 s)
  /handshake=<s>       Give up on a TLS handshake not done in this time (default 10 s)
  /maxconn=<N>         Connections open at once; more are closed at once (default 1000)
  /maxsend=<MB>        Turns /reverse on: the most sent back for one request (default: off,
                       nothing is sent back)
  /cert=<file> /key=<file>  Serve this PEM certificate and key instead of a generated one
  /duration=<s>        Stop after this many seconds, with the statistics (default: run until
                       stopped); 7200 leaves pong for two hours

check  Runs Octopus's Tentacle troubleshooting checklist once: every address the name resolves
       to, TCP, which TLS versions, suites and curves the server speaks, its certificate, who
       answers, and (with /clientcert) whether the Tentacle trusts the Octopus Server's
       certificate. One [ OK ], [WARN] or [FAIL] line per finding, then a verdict. Exit code 0:
       Octopus should be able to connect (warnings allowed); 1: something blocks it.
  /host, /port, /thumbprint, /ipv4, /ipv6, /nossl, /proxy  As for ping (/nossl skips the TLS
                       probe; through /proxy, the name is checked as one entry, by CONNECT)
  /timeout=<s>         Longest wait for any one step (default 5 s)
  /clientcert=<file>   The Octopus Server's certificate (.pfx, or PEM with /clientkey): the
                       Tentacle is asked, as Octopus asks it, whether it trusts it
  /subscription=poll://<id>/  With /clientcert (a polling Tentacle's certificate), against an
                       Octopus Server's polling port: does the server accept this Tentacle?

/hosts=<file> Many Tentacles at once (ping and check): one per line, in any /host form, then
       optionally a name and thumbprint=<hex> ("web01:10933 Web01 thumbprint=3C2A..."); # starts
       a comment; /hosts=- reads stdin. Ends with a table, worst first, and the failing targets.
  /parallel=<N>        Connections in flight at most, over all targets (default 50)

report Reads a log (OctoPing's JSON or text, or TentaclePing's Output.txt) and prints its
       statistics, or with /out writes an HTML page with charts. /in=<file> names a log too.
       Several logs (or one from /hosts) are reported by machine and target, worst first;
       *.jsonl is expanded by OctoPing itself.

Examples:
  ${PROGRAM} ping /host=MyServer                                # default port 10933
  ${PROGRAM} ping /host=10.0.0.1 /port=10934                    # explicit port
  ${PROGRAM} pong /port=10945                                   # on server 1: listen
  ${PROGRAM} ping /host=Server1 /port=10945                     # on server 2: ping server 1
  ${PROGRAM} ping /host=Server1 /port=10945 /datasize=100       # send 100 MB in 2 MB chunks
  ${PROGRAM} ping /host=Server1 /port=10945 /datasize=100 /chunksize=10
  ${PROGRAM} pong /port=10945 /maxsend=100                      # may send 100 MB back
  ${PROGRAM} ping /host=Server1 /port=10945 /datasize=100 /reverse     # pong sends it back
  ${PROGRAM} ping /host=MyServer > Output.txt                   # keep the output for support
  ${PROGRAM} check /host=MyServer                               # the checklist, once
  ${PROGRAM} check /host=MyServer /clientcert=octopus.pfx       # ... and the Tentacle's trust
  ${PROGRAM} ping /host=MyServer /proxy=http://proxy:8080       # through Octopus's proxy
  ${PROGRAM} ping /host=MyServer /format=json /logfile=run.jsonl   # a record to chart
  ${PROGRAM} report run.jsonl /out=report.html                 # ... charted
  ${PROGRAM} ping /hosts=tentacles.txt /count=100 > Output.txt  # many Tentacles, one table
  ${PROGRAM} report node1.jsonl node2.jsonl /out=fleet.html     # merged from two HA nodes

Runs on Windows 10 / Windows Server 2019 or later (not 2012 R2; 2016 is untested), Linux with
glibc 2.27 or later (x64, arm64), and macOS.

${PROGRAM} /? (or help, -h, --help) prints this; -v (or --version) prints the version.

Options may also be written -name=value, --name=value or --name value; names are
case-insensitive. In Git Bash on Windows write --host=... or //host=... (it rewrites /host=...).
`;
}
