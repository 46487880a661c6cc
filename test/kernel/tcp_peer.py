#!/usr/bin/env python3
"""The kernel's side of the TCP interop tests (test/kernel/Tcp.test.ts, and
Kernel.test.ts's closed-port test).

Runs inside a test-made network namespace; every address it is given lies in
198.18.0.0/15 (the test checks that before it runs this). Each mode prints one
JSON line and exits; every socket has a timeout, so nothing waits forever.

  client-echo HOST PORT BYTES   connect, send BYTES random octets while reading
                                the echo, half-close, read to EOF
  server-echo PORT              accept one connection, echo it until EOF, close
  many HOST PORT N SIZE         N concurrent connections each send SIZE octets,
                                half-close and wait for the server's FIN
  hold HOST PORT                connect, print the kernel's TCP_INFO options
                                and window shifts, hold the connection 10 s
  refused HOST PORT             connect once (10 s timeout), print the error
                                (errno name) and how long connect() took
  urgent HOST PORT              connect, send "hello"; once an octet comes back,
                                "!" as urgent data (MSG_OOB), then "bye";
                                half-close, read to EOF
  sink PORT                     accept one connection, read it to EOF, close;
                                print how many octets came and their sha256
  urgent-recv HOST PORT         connect, read to EOF as a Linux program reads
                                urgent data (SO_OOBINLINE off): the octet at
                                the mark with MSG_OOB, the rest in line; print both
  send HOST PORT BYTES CC       connect with congestion control CC (TCP_CONGESTION),
                                send BYTES octets, half-close, wait for EOF; print
                                the sha256 and the segments sent again (TCP_INFO)
"""
import errno
import select
import hashlib
import json
import os
import socket
import sys
import threading
import time

TIMEOUT = 60.0


def client_echo(host, port, nbytes):
    data = os.urandom(nbytes)
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    got = hashlib.sha256()
    received = 0

    def reader():
        nonlocal received
        while True:
            b = s.recv(1 << 16)
            if not b:
                return
            got.update(b)
            received += len(b)

    t = threading.Thread(target=reader)
    t.start()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    t.join(TIMEOUT)
    info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
    s.close()
    print(json.dumps({
        "sent": nbytes,
        "received": received,
        "shaSent": hashlib.sha256(data).hexdigest(),
        "shaReceived": got.hexdigest(),
        "mss": info,
    }))


def serve_one(port, echo):
    """Accept one connection on PORT and read it to EOF, echoing when `echo`;
    print how many octets came and their sha256."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(8)
    ls.settimeout(TIMEOUT)
    print(json.dumps({"listening": port}), flush=True)
    c, _ = ls.accept()
    c.settimeout(TIMEOUT)
    h = hashlib.sha256()
    n = 0
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        h.update(b)
        n += len(b)
        if echo:
            c.sendall(b)
    if echo:
        c.shutdown(socket.SHUT_WR)
    c.close()
    print(json.dumps({"received": n, "sha": h.hexdigest()}), flush=True)


def many(host, port, n, size):
    results = [None] * n
    payload = os.urandom(size)

    def one(i):
        start = time.monotonic()
        try:
            s = socket.create_connection((host, port), timeout=TIMEOUT)
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            while s.recv(4096):
                pass
            s.close()
            results[i] = time.monotonic() - start
        except OSError as e:
            results[i] = str(e)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT + 5)
    ok = [r for r in results if isinstance(r, float)]
    print(json.dumps({
        "ok": len(ok),
        "failed": [r for r in results if not isinstance(r, float)],
        "slowest": max(ok) if ok else None,
    }))


def hold(host, port):
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    # struct tcp_info: u8 state, ca_state, retransmits, probes, backoff, options, wscales (snd:4 | rcv:4)
    info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    print(json.dumps({"options": info[5], "sndWscale": info[6] & 0xF, "rcvWscale": info[6] >> 4}), flush=True)
    time.sleep(10)
    s.close()


def send(host, port, nbytes, cc):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())
    s.settimeout(TIMEOUT)
    s.connect((host, port))
    data = os.urandom(nbytes)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    while s.recv(1 << 16):
        pass
    # struct tcp_info: tcpi_total_retrans is the u32 at offset 100
    info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    s.close()
    print(json.dumps({
        "sent": nbytes,
        "sha": hashlib.sha256(data).hexdigest(),
        "cc": cc,
        "retransmitted": int.from_bytes(info[100:104], sys.byteorder),
    }))


def refused(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(10.0)
    start = time.monotonic()
    try:
        s.connect((host, port))
        error = None
    except OSError as e:
        error = errno.errorcode.get(e.errno, str(e)) if e.errno is not None else type(e).__name__
    seconds = time.monotonic() - start
    s.close()
    print(json.dumps({"error": error, "seconds": seconds}))


def urgent(host, port):
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    s.sendall(b"hello")
    # the other side says when it is listening for urgent data (one octet), so nothing races
    s.recv(1)
    s.send(b"!", socket.MSG_OOB)
    s.sendall(b"bye")
    s.shutdown(socket.SHUT_WR)
    while s.recv(1 << 16):
        pass
    s.close()
    print(json.dumps({"sent": "hello!bye"}))


def urgent_recv(host, port):
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    data = b""
    oob = b""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        readable, _, exceptional = select.select([s], [], [s], 1.0)
        if exceptional:
            try:
                oob += s.recv(1, socket.MSG_OOB)
            except OSError:
                pass  # read already, or not there yet
        if readable:
            b = s.recv(1 << 16)
            if not b:
                break
            data += b
    s.close()
    print(json.dumps({"data": data.decode(), "oob": oob.decode()}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "client-echo":
        client_echo(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "server-echo":
        serve_one(int(sys.argv[2]), echo=True)
    elif mode == "hold":
        hold(sys.argv[2], int(sys.argv[3]))
    elif mode == "refused":
        refused(sys.argv[2], int(sys.argv[3]))
    elif mode == "urgent":
        urgent(sys.argv[2], int(sys.argv[3]))
    elif mode == "urgent-recv":
        urgent_recv(sys.argv[2], int(sys.argv[3]))
    elif mode == "sink":
        serve_one(int(sys.argv[2]), echo=False)
    elif mode == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif mode == "many":
        many(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit("unknown mode " + mode)
