#!/usr/bin/env python3
"""The live traffic that must survive the attacks (test/kernel/Hostile.test.ts).

Runs in the test's namespace. Holds one TCP connection to the stack's echo
service and writes CHUNK octets every PACE seconds of a known pseudo-random
stream, reading the echo back and checking every octet against what was
written; and pings the stack (an ICMP datagram socket, one echo every
PING_EVERY seconds). It never sends anywhere but HOST, which the test has
checked lies in 198.18.0.0/15.

Control is a line protocol on stdin, one JSON line out per command:
  report   what happened since the last report: octets written and echoed,
           the longest time between two arrivals of echoed data (the stall,
           counting a gap still open now), pings sent and answered, and
           whether the echo ever differed from what was written
  stop     print a last report and exit
It also stops by itself after MAX_SECONDS, so nothing outlives a lost test.

  stream.py HOST PORT
"""
import json
import os
import select
import socket
import struct
import sys
import threading
import time

CHUNK = 1024
PACE = 0.02
PING_EVERY = 0.1
MAX_SECONDS = 240.0
PATTERN = os.urandom(1 << 20)

lock = threading.Lock()
state = {
    "written": 0,
    "echoed": 0,
    "lastArrival": time.monotonic(),
    "maxGap": 0.0,
    "pingsSent": 0,
    "pingsAnswered": 0,
    "corrupt": None,
    "error": None,
}
done = threading.Event()


def expected(at, n):
    out = bytearray()
    while n > 0:
        i = at % len(PATTERN)
        k = min(n, len(PATTERN) - i)
        out += PATTERN[i:i + k]
        at += k
        n -= k
    return bytes(out)


def writer(s):
    at = 0
    try:
        while not done.is_set():
            s.sendall(expected(at, CHUNK))
            at += CHUNK
            with lock:
                state["written"] = at
            time.sleep(PACE)
    except OSError as e:
        with lock:
            state["error"] = "write: " + str(e)


def reader(s):
    at = 0
    try:
        while not done.is_set():
            b = s.recv(1 << 16)
            if not b:
                with lock:
                    state["error"] = state["error"] or "the stack ended the connection"
                return
            now = time.monotonic()
            with lock:
                if state["corrupt"] is None and b != expected(at, len(b)):
                    state["corrupt"] = at
                at += len(b)
                state["echoed"] = at
                state["maxGap"] = max(state["maxGap"], now - state["lastArrival"])
                state["lastArrival"] = now
    except OSError as e:
        if not done.is_set():
            with lock:
                state["error"] = "read: " + str(e)


def pinger(host):
    # An ICMP datagram socket (the namespace's ping_group_range allows it):
    # the kernel matches replies to it by identifier, nothing else arrives.
    p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
    seq = 0
    outstanding = set()
    while not done.is_set():
        seq = (seq + 1) & 0xFFFF
        msg = struct.pack("!BBHHH", 8, 0, 0, 0, seq) + b"hostile-ping"
        try:
            p.sendto(msg, (host, 0))
            outstanding.add(seq)
            with lock:
                state["pingsSent"] += 1
        except OSError:
            pass
        end = time.monotonic() + PING_EVERY
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([p], [], [], left)
            if not r:
                break
            data = p.recv(2048)
            if len(data) >= 8 and data[0] == 0:
                got = struct.unpack("!H", data[6:8])[0]
                if got in outstanding:
                    outstanding.discard(got)
                    with lock:
                        state["pingsAnswered"] += 1


def report():
    now = time.monotonic()
    with lock:
        out = {
            "written": state["written"],
            "echoed": state["echoed"],
            "maxGapMs": round(1000 * max(state["maxGap"], now - state["lastArrival"]), 1),
            "pingsSent": state["pingsSent"],
            "pingsAnswered": state["pingsAnswered"],
            "corruptAt": state["corrupt"],
            "error": state["error"],
        }
        state["maxGap"] = 0.0
        state["pingsSent"] = 0
        state["pingsAnswered"] = 0
    print(json.dumps(out), flush=True)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    s = socket.create_connection((host, port), timeout=10)
    s.settimeout(None)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    print(json.dumps({"connected": True, "localPort": s.getsockname()[1]}), flush=True)
    with lock:
        state["lastArrival"] = time.monotonic()
    for target, args in ((writer, (s,)), (reader, (s,)), (pinger, (host,))):
        threading.Thread(target=target, args=args, daemon=True).start()
    deadline = time.monotonic() + MAX_SECONDS
    while time.monotonic() < deadline:
        r, _, _ = select.select([sys.stdin], [], [], 1.0)
        if not r:
            continue
        line = sys.stdin.readline()
        if line == "" or line.strip() == "stop":
            break
        if line.strip() == "report":
            report()
    report()
    done.set()
    try:
        s.close()
    except OSError:
        pass


if __name__ == "__main__":
    main()
