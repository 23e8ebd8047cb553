"""Holds N connections in the TLS handshake on the gateway (ClientHello sent, nothing more) and prints
the gateway's RSS before and with all of them held. Usage: pending_handshakes.py PORT GATEWAY_PID N"""
import socket
import ssl
import sys
import time

port, pid, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])


def rss():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024


context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
before = rss()
held = []
start = time.time()
for _ in range(n):
    client = context.wrap_socket(socket.create_connection(("127.0.0.1", port)), do_handshake_on_connect=False,
                                 server_hostname="localhost")
    client.setblocking(False)
    try:
        client.do_handshake()  # sends the ClientHello; the server's answer is never read
    except ssl.SSLWantReadError:
        pass
    held.append(client)
time.sleep(3)
peak = rss()
print(f"{len(held)} connections held in the TLS handshake (opened in {time.time() - start:.1f} s); gateway RSS "
      f"{before / 2**20:.0f} -> {peak / 2**20:.0f} MiB, {(peak - before) / len(held):,.0f} B per connection")
