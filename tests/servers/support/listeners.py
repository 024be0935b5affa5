# Listeners for the state tests, run inside a test's network namespace by Debian's python3.
# Arguments: KIND:PORT ..., KIND being
#   tcp         a TCP listener that accepts and closes
#   udp-echo    a UDP socket that sends every datagram back (an answer: nmap's "open")
#   udp-silent  a UDP socket that reads and never answers
# Each is bound on 127.0.0.1 and on ::1. Prints "ready" once every socket is bound, then serves
# until it is killed.
import selectors
import socket
import sys

selector = selectors.DefaultSelector()
for spec in sys.argv[1:]:
    kind, port = spec.split(":")
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        sock = socket.socket(family, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((address, int(port)))
        if kind == "tcp":
            sock.listen(128)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, kind)
print("ready", flush=True)

while True:
    for key, _ in selector.select():
        sock, kind = key.fileobj, key.data
        try:
            if kind == "tcp":
                connection, _ = sock.accept()
                connection.close()
            else:
                data, peer = sock.recvfrom(65535)
                if kind == "udp-echo":
                    sock.sendto(data, peer)
        except (BlockingIOError, ConnectionError):
            pass
