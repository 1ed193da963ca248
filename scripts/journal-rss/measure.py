#!/usr/bin/env python3
"""Measures the mock provider's resident memory after N requests with a huge header, then its
peak while `GET /_admin/journal` lists them (issue 13, point 2).

    cargo build -p mock-provider --bin mock-provider
    python3 scripts/journal-rss/measure.py target/debug/mock-provider 2100 60

Arguments: the binary, the number of requests, the header's size in KiB (below the mock's
64 KiB `limits.max_head_bytes`; a longer head gets 431 and is never journaled).
"""
import os, socket, subprocess, sys, threading, time

binary, n, kib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
proc = subprocess.Popen([binary, "--addr", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def rss_mb():
    with open(f"/proc/{proc.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
def request(raw):
    c = socket.create_connection(("127.0.0.1", port), timeout=60)
    c.sendall(raw)
    data = b""
    while True:
        chunk = c.recv(1 << 20)
        if not chunk: break
        data += chunk
    c.close()
    return data
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", port)).close(); break
    except OSError: time.sleep(0.05)
print(f"start: {rss_mb():.1f} MB")
big = b"a" * (kib * 1024)
host = f"127.0.0.1:{port}".encode()
for i in range(n):
    request(b"GET /userinfo HTTP/1.1\r\nHost: " + host + b"\r\nX-Big: " + big + b"\r\nConnection: close\r\n\r\n")
print(f"after {n} x {kib} KiB header: {rss_mb():.1f} MB")
peak = [0.0]; done = False
def sample():
    while not done:
        peak[0] = max(peak[0], rss_mb()); time.sleep(0.01)
t = threading.Thread(target=sample); t.start()
body = request(b"GET /_admin/journal HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
done = True; t.join()
head = body.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
print(f"journal listing: {len(body)/1e6:.1f} MB; peak RSS while listing: {peak[0]:.1f} MB")
print("\n".join(l for l in head.splitlines() if l.lower().startswith("x-journal")))
proc.terminate(); proc.wait()
