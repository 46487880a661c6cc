#!/usr/bin/env python3
"""Print per-echo timelines from `perf script` output (see trace-echo.sh).

For every ping sendto, the RTT to its recvmsg; for the first two echoes slower
than 1 ms, every event of the other processes (the responder) between the two,
in microseconds after the sendto.
"""
import re
import sys

events = []
for line in open(sys.argv[1]):
    m = re.match(r"\s*(\S+)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)", line)
    if m:
        comm, pid, tid, cpu, t, name, detail = m.groups()
        events.append((float(t), comm, int(tid), int(cpu), name, detail))
events.sort()
pings = [e[2] for e in events if e[1] == "ping"]
if not pings:
    sys.exit("no ping events in the trace")
ping = pings[-1]
sends = [e[0] for e in events if e[2] == ping and e[4] == "raw_syscalls:sys_enter" and e[5].startswith("NR 44 ")]
recvs = [e[0] for e in events if e[2] == ping and e[4] == "raw_syscalls:sys_exit" and e[5].startswith("NR 47 = ")]
shown = 0
for s in sends:
    later = [t for t in recvs if t > s]
    if not later:
        break
    r = later[0]
    print("rtt %.0f us" % ((r - s) * 1e6))
    if r - s > 1e-3 and shown < 2:
        shown += 1
        for e in events:
            if e[0] < s or e[0] > r or e[1] in ("ping", "perf") or (e[1] == "swapper" and "sched" not in e[4]):
                continue
            print("   %8.1f us  %-15s tid %-7d cpu%d  %-34s %s" % ((e[0] - s) * 1e6, e[1][:15], e[2], e[3], e[4], e[5][:60]))
