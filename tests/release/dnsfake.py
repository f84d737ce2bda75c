"""A tiny DNS server for the release tests, standard library only.

Answers A queries for the names it is given, NOERROR with no answer for any
other type of a known name (so AAAA lookups are empty), NXDOMAIN for every
other name; over UDP and TCP on one address and port. Every question is
recorded, so a test can tell that a lookup really went to DNS.

    dns = DNSFake({"ssm-dns.envssm.test": "127.0.0.1"}, port=53).start()
    ...
    dns.stop()
    dns.queries()   # [["ssm-dns.envssm.test", "A", "udp"], ...]
"""

import socket
import struct
import threading

TYPES = {1: "A", 28: "AAAA", 5: "CNAME", 12: "PTR", 15: "MX", 16: "TXT", 33: "SRV", 65: "HTTPS"}
RCODE_NXDOMAIN = 3
RCODE_FORMERR = 1


def parse_question(msg):
    """(id, flags, name, qtype, end of the question) of a query; ValueError when malformed."""
    if len(msg) < 12:
        raise ValueError("short header")
    ident, flags, qdcount = struct.unpack("!HHH", msg[:6])
    if qdcount < 1:
        raise ValueError("no question")
    labels, pos = [], 12
    while True:
        if pos >= len(msg):
            raise ValueError("name runs past the message")
        n = msg[pos]
        pos += 1
        if n == 0:
            break
        if n & 0xC0 or pos + n > len(msg):
            raise ValueError("compressed or truncated name in a question")
        labels.append(msg[pos:pos + n].decode("ascii", "replace"))
        pos += n
    if pos + 4 > len(msg):
        raise ValueError("no type and class")
    qtype, = struct.unpack("!H", msg[pos:pos + 2])
    return ident, flags, ".".join(labels).lower().rstrip("."), qtype, pos + 4


def answer(msg, records):
    """The response to one query (bytes), and (name, type) it asked; None for garbage."""
    try:
        ident, flags, name, qtype, end = parse_question(msg)
    except ValueError:
        if len(msg) < 2:
            return None, None
        return struct.pack("!HHHHHH", struct.unpack("!H", msg[:2])[0], 0x8000 | RCODE_FORMERR,
                           0, 0, 0, 0), None
    question = msg[12:end]
    rd = flags & 0x0100
    address = records.get(name)
    rcode = 0 if address is not None else RCODE_NXDOMAIN
    answers = b""
    count = 0
    if address is not None and qtype == 1:
        answers = struct.pack("!HHHIH", 0xC00C, 1, 1, 5, 4) + socket.inet_aton(address)
        count = 1
    head = struct.pack("!HHHHHH", ident, 0x8000 | 0x0400 | rd | 0x0080 | rcode, 1, count, 0, 0)
    return head + question + answers, (name, TYPES.get(qtype, str(qtype)))


class DNSFake:
    """UDP and TCP DNS on (host, port), answering from names {name: IPv4}."""

    def __init__(self, names, host="127.0.0.1", port=53):
        self.records = {k.lower().rstrip("."): v for k, v in names.items()}
        self.asked = []
        self.lock = threading.Lock()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((host, port))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((host, self.udp.getsockname()[1]))
        self.tcp.listen(16)
        self.port = self.udp.getsockname()[1]
        self.stopping = False
        self.threads = [threading.Thread(target=self.serve_udp, daemon=True),
                        threading.Thread(target=self.serve_tcp, daemon=True)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def queries(self):
        """Every question seen so far: [name, type, transport] lists."""
        with self.lock:
            return [list(q) for q in self.asked]

    def record(self, asked, transport):
        if asked is not None:
            with self.lock:
                self.asked.append((asked[0], asked[1], transport))

    def serve_udp(self):
        while not self.stopping:
            try:
                msg, peer = self.udp.recvfrom(4096)
            except OSError:
                return
            reply, asked = answer(msg, self.records)
            self.record(asked, "udp")
            if reply is not None:
                self.udp.sendto(reply, peer)

    def serve_tcp(self):
        while not self.stopping:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            threading.Thread(target=self.serve_conn, args=(conn,), daemon=True).start()

    def serve_conn(self, conn):
        conn.settimeout(5)
        try:
            while True:
                head = conn.recv(2, socket.MSG_WAITALL)
                if len(head) < 2:
                    return
                n, = struct.unpack("!H", head)
                msg = conn.recv(n, socket.MSG_WAITALL)
                reply, asked = answer(msg, self.records)
                self.record(asked, "tcp")
                if reply is None:
                    return
                conn.sendall(struct.pack("!H", len(reply)) + reply)
        except OSError:
            return
        finally:
            conn.close()

    def stop(self):
        self.stopping = True
        for s in (self.udp, self.tcp):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        for t in self.threads:
            if t.is_alive():
                t.join(timeout=5)
