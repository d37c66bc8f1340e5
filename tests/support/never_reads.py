"""A TLS client that asks pong to send data back and then reads none of it.

Usage: python3 never_reads.py PORT BYTES SECONDS - asks for BYTES with /reverse's header, then
sleeps SECONDS without reading, so the server's writes back up.
"""
import socket
import ssl
import sys
import time

port, ask, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
with context.wrap_socket(socket.create_connection(("127.0.0.1", port))) as tls:
    request = "GET / HTTP/1.1\r\nHost: pong\r\nX-OctoPing-Reverse: %s\r\n\r\n" % ask
    tls.sendall(request.encode())
    time.sleep(seconds)
