#!/usr/bin/env python3
"""Print per-echo timelines from `perf script` output (see bench/diag/trace-echo.sh).

For every ping sendto: the RTT to its recvmsg, and how long before it the
kernel's DAMON thread (kdamond, proactive reclaim) last ran and whether an
echo came between. For the first two echoes slower than 1 ms: every event of
the other processes (the responder) between sendto and recvmsg, in
microseconds after the sendto.
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
kdamond = [e[0] for e in events if e[4] == "sched:sched_switch" and "next_comm=kdamond" in e[5]]
shown = 0
previous = None
for s in sends:
    later = [t for t in recvs if t > s]
    if not later:
        break
    r = later[0]
    runs = [k for k in kdamond if k < s]
    since = "%.0f ms" % ((s - runs[-1]) * 1e3) if runs else "-"
    first = "yes" if runs and (previous is None or runs[-1] > previous) else "no"
    print("rtt %.0f us   kdamond ran %s before; first echo since: %s" % ((r - s) * 1e6, since, first))
    previous = s
    if r - s > 1e-3 and shown < 2:
        shown += 1
        for e in events:
            if e[0] < s or e[0] > r or e[1] in ("ping", "perf") or (e[1] == "swapper" and "sched" not in e[4]):
                continue
            print("   %8.1f us  %-15s tid %-7d cpu%d  %-34s %s" % ((e[0] - s) * 1e6, e[1][:15], e[2], e[3], e[4], e[5][:60]))
