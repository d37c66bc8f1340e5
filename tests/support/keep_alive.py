"""A web server that keeps connections open, for OctoPing's tests: Python's own http.server.

Usage: python3 keep_alive.py — prints the port on the first line, then serves until killed.
Every GET gets a 502 with a small page, on HTTP/1.1 with keep-alive, even when the client
asks for `Connection: close` (as some servers and proxies do), so the connection stays open
after the answer.
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b"<html>Bad gateway</html>"


class KeepAlive(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response_only(502)  # no Server or Date header: the answer's size is known
        self.send_header("Content-Length", str(len(BODY)))
        self.send_header("Connection", "keep-alive")
        self.end_headers()
        self.wfile.write(BODY)
        self.close_connection = False

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeepAlive)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
