"""SYNs with mangled TCP options to a Linux listener, and what it answers and takes
(test/kernel/TcpOptions.test.ts; the cases are test/fixtures/tcpOptionCases.ts).

Runs in a namespace whose veth `iface` faces the listener's namespace. It speaks as `src`, an
address no kernel holds (the listener's side has a static neighbour entry for it), so no kernel
answers the listener's SYN-ACKs for us. Segments are built by hand, checksum included: scapy
would re-encode a malformed option when it parses one. Usage:

    options.py IFACE DST_MAC SRC DST PORT CASES_JSON

CASES_JSON is a list of {"name", "syn": [octets]}. For each case, case i from source port
42000 + i: send the SYN; wait up to 2 s for the SYN-ACK; complete the handshake (echoing the
SYN-ACK's TSval if it had one); wait up to 3 s for the first data segment (the listener writes at
once); reset. Prints one JSON line per case: name, synAck (bool), timestamps, windowScale,
sackPermitted (what the SYN-ACK carried), firstSegment (its payload length, or null).
Every frame goes to DST on IFACE; the run is bounded by the cases' count and these timeouts.
"""
import json
import sys
import time

from scapy.all import IP, AsyncSniffer, Ether, Raw, TCP, conf, get_if_hwaddr, sendp

conf.verb = 0
IFACE, DMAC, SRC, DST, PORT, CASES = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), json.loads(sys.argv[6])
SMAC = get_if_hwaddr(IFACE)
FLAGS = {"S": 0x02, "A": 0x10, "R": 0x04}


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum((b[i] << 8) | b[i + 1] for i in range(0, len(b), 2))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def addr(a):
    return bytes(int(x) for x in a.split("."))


def frame(sport, flags, seq, ack, opts):
    hl = 20 + len(opts)
    tcp = bytearray(sport.to_bytes(2, "big") + PORT.to_bytes(2, "big") + seq.to_bytes(4, "big") + ack.to_bytes(4, "big")
                    + bytes([(hl // 4) << 4, FLAGS[flags]]) + (64240).to_bytes(2, "big") + b"\0\0\0\0") + bytes(opts)
    tcp[16:18] = csum(addr(SRC) + addr(DST) + bytes([0, 6]) + len(tcp).to_bytes(2, "big") + bytes(tcp)).to_bytes(2, "big")
    ip = bytearray(bytes([0x45, 0]) + (20 + len(tcp)).to_bytes(2, "big") + b"\0\1\0\0" + bytes([64, 6]) + b"\0\0" + addr(SRC) + addr(DST))
    ip[10:12] = csum(bytes(ip)).to_bytes(2, "big")
    return Ether(src=SMAC, dst=DMAC, type=0x0800) / Raw(bytes(ip) + bytes(tcp))


def data_len(p):
    """TCP payload octets, from the IP length (a frame's padding is not payload)."""
    return p[IP].len - p[IP].ihl * 4 - p[TCP].dataofs * 4


def first(sport, match, send, timeout):
    """Send `send`, return the first segment from the listener to `sport` that `match` accepts."""
    sn = AsyncSniffer(iface=IFACE, filter="tcp and src port %d and dst port %d" % (PORT, sport),
                      lfilter=lambda p: TCP in p and match(p), count=1, timeout=timeout)
    sn.start()
    time.sleep(0.2)  # the sniffer is listening before the frame goes
    sendp(send, iface=IFACE)
    sn.join()
    return sn.results[0] if sn.results else None


for i, case in enumerate(CASES):
    sport = 42000 + i
    out = {"name": case["name"], "synAck": False, "timestamps": False, "windowScale": False, "sackPermitted": False, "firstSegment": None}
    sa = first(sport, lambda p: p[TCP].flags & 0x12 == 0x12, frame(sport, "S", 1000, 0, case["syn"]), 2)
    if sa is not None:
        o = dict(sa[TCP].options)
        out.update(synAck=True, timestamps="Timestamp" in o, windowScale="WScale" in o, sackPermitted="SAckOK" in o)
        ack_opts = [1, 1, 8, 10, 0, 0, 0, 8] + list(o["Timestamp"][0].to_bytes(4, "big")) if "Timestamp" in o else []
        data = first(sport, lambda p: data_len(p) > 0, frame(sport, "A", 1001, (sa[TCP].seq + 1) & 0xFFFFFFFF, ack_opts), 3)
        out["firstSegment"] = data_len(data) if data is not None else None
        sendp(frame(sport, "R", 1001, 0, []), iface=IFACE)
    print(json.dumps(out), flush=True)
