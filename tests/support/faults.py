"""Fault servers for OctoPing's tests that need raw socket control Deno does not give.

Usage: python3 faults.py MODE — prints the port on the first line, then serves until killed.
  backlog-full  listens with a full accept queue and never accepts: new SYNs go unanswered
  reset-accept  resets each connection as soon as it is accepted (SO_LINGER 0)
  reset-hello   reads the client's first bytes (the TLS ClientHello), then resets
"""
import socket
import struct
import sys

LINGER_RESET = struct.pack("ii", 1, 0)


def main(mode):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    port = server.getsockname()[1]
    if mode == "backlog-full":
        server.listen(0)
        fillers = []
        for _ in range(2):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        print(port, flush=True)
        sys.stdin.read()  # hold everything open until the test closes our stdin
        return
    server.listen(16)
    print(port, flush=True)
    while True:
        conn, _ = server.accept()
        if mode == "reset-hello":
            conn.recv(4096)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RESET)
        conn.close()


if __name__ == "__main__":
    main(sys.argv[1])
