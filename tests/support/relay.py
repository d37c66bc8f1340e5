"""A TCP relay that makes a link misbehave, for OctoPing's tests of slow and broken links.

Usage: python3 relay.py TARGET_PORT [rate=BYTES_PER_S] [cut=BYTES] [stall=BYTES] [reset=BYTES]
Prints its own port on the first line, then relays 127.0.0.1:its port -> 127.0.0.1:TARGET_PORT
until its stdin closes. The faults apply to what the client sends (the upload):
  rate=N   passes at most N bytes a second upstream; its receive buffer is kept small, so the
           client's writes are held up the way a slow WAN link holds them up
  cut=N    after N bytes upstream, closes both sides
  stall=N  after N bytes upstream, stops passing anything in either direction, and holds on
  reset=N  after N bytes upstream, resets the client's connection (RST)
On each connection's end it prints "relayed N" with the bytes it passed upstream.
"""
import socket
import struct
import sys
import threading
import time

LINGER_RESET = struct.pack("ii", 1, 0)
SMALL_BUFFER = 16 * 1024


def parse(arguments):
    faults = {}
    for argument in arguments:
        key, _, value = argument.partition("=")
        faults[key] = int(value)
    return faults


class Link:
    """One client's connection and its upstream, with the bytes passed so far."""

    def __init__(self, client, upstream, faults):
        self.client = client
        self.upstream = upstream
        self.faults = faults
        self.passed = 0
        self.started = time.monotonic()
        self.done = threading.Event()

    def allowance(self):
        """How many more bytes may pass now, sleeping while the rate says none."""
        rate = self.faults.get("rate")
        if not rate:
            return 65536
        while True:
            due = rate * (time.monotonic() - self.started) - self.passed
            if due >= 1:
                return int(min(due, rate / 10, 65536))
            time.sleep(0.01)

    def limit_reached(self):
        for fault in ("cut", "stall", "reset"):
            if fault in self.faults and self.passed >= self.faults[fault]:
                return fault
        return None

    def upload(self):
        while not self.done.is_set():
            fault = self.limit_reached()
            if fault:
                return self.act(fault)
            wanted = self.allowance()
            for fault in ("cut", "stall", "reset"):
                if fault in self.faults:
                    wanted = min(wanted, self.faults[fault] - self.passed)
            data = self.client.recv(wanted)
            if not data:
                return self.finish()
            self.upstream.sendall(data)
            self.passed += len(data)
        return None

    def download(self):
        while not self.done.is_set():
            try:
                data = self.upstream.recv(65536)
            except OSError:
                return
            if not data or self.done.is_set():
                return self.finish()
            try:
                self.client.sendall(data)
            except OSError:
                return self.finish()

    def act(self, fault):
        if fault == "stall":
            self.done.set()  # stop both directions, hold the sockets open
            return None
        if fault == "reset":
            self.client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RESET)
        return self.finish()

    def finish(self):
        if self.done.is_set() and self.limit_reached() == "stall":
            return
        self.done.set()
        for sock in (self.client, self.upstream):
            try:
                sock.close()
            except OSError:
                pass
        print(f"relayed {self.passed}", flush=True)


def serve(server, target_port, faults):
    while True:
        client, _ = server.accept()
        upstream = socket.create_connection(("127.0.0.1", target_port))
        link = Link(client, upstream, faults)
        for pump in (link.upload, link.download):
            threading.Thread(target=guarded(pump), daemon=True).start()


def guarded(pump):
    def run():
        try:
            pump()
        except OSError:
            pass
    return run


def main(target_port, faults):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if "rate" in faults:
        # Accepted sockets inherit the small buffer, so a slow relay holds the sender up.
        server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_BUFFER)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    print(server.getsockname()[1], flush=True)
    threading.Thread(target=serve, args=(server, target_port, faults), daemon=True).start()
    sys.stdin.read()


if __name__ == "__main__":
    main(int(sys.argv[1]), parse(sys.argv[2:]))
