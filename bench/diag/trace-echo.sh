#!/bin/bash
# Where a sparse echo's time goes: runs a responder on a TAP in a throw-away
# namespace, warms it with a bounded `ping -f`, then records COUNT (10) pings at 0.2 s
# with perf tracepoints (sched, syscalls, user page faults, timer and
# reschedule IPIs) and prints, per echo, the RTT and for the slow ones the
# responder's timeline relative to ping's sendto (bench/diag/trace-echo.py).
#
#   sudo [COUNT=40] bench/diag/trace-echo.sh [RESPONDER...]
#     default responder: node bin/gonet.js up --tap gtrace0
#     e.g. bench/diag/trace-echo.sh node bench/floor/echo.cjs gtrace0 30
#
# Network safety: namespace gtrace-PID (deleted on exit), TAP gtrace0, the
# kernel at 198.18.0.1 and the responder at 198.18.0.2 only; every ping is
# bounded by -c and -w; only the responder this script started is signalled.
set -eu
cd "$(dirname "$0")/../.."
NS="gtrace-$$"
OUT="${TMPDIR:-/tmp}/gonet-trace-$$"
mkdir -p "$OUT"
RESP=("$@")
COUNT="${COUNT:-10}"   # pings recorded, 1..100
[ "$COUNT" -ge 1 ] && [ "$COUNT" -le 100 ] || { echo "COUNT 1..100" >&2; exit 2; }
[ ${#RESP[@]} -eq 0 ] && RESP=(node --max-semi-space-size=64 bin/gonet.js up --tap gtrace0)
cleanup() {
  [ -n "${RP:-}" ] && kill -INT "$RP" 2>/dev/null && wait "$RP" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$NS"
ip netns exec "$NS" "${RESP[@]}" > "$OUT/responder.log" 2>&1 &
RP=$!
# the responder creates gtrace0; configure the kernel side unless gonet did
for _ in $(seq 50); do ip netns exec "$NS" ip link show gtrace0 >/dev/null 2>&1 && break; sleep 0.1; done
sleep 0.5
ip netns exec "$NS" sh -c 'ip link set lo up; ip addr show dev gtrace0 | grep -q 198.18.0.1 || ip addr add 198.18.0.1/24 dev gtrace0; ip link set gtrace0 up'
ip netns exec "$NS" ping -f -q -c 20000 -w 30 198.18.0.2 > /dev/null || true
perf record -q -o "$OUT/perf.data" -a \
  -e sched:sched_switch,sched:sched_wakeup,raw_syscalls:sys_enter,raw_syscalls:sys_exit \
  -e exceptions:page_fault_user,irq_vectors:local_timer_entry,irq_vectors:reschedule_entry \
  -- ip netns exec "$NS" ping -n -c "$COUNT" -i 0.2 -w $((COUNT / 5 + 5)) 198.18.0.2 > "$OUT/ping.txt" 2>&1 || true
perf script -i "$OUT/perf.data" -F comm,pid,tid,cpu,time,event,trace > "$OUT/trace.txt" 2>/dev/null
grep -o "time=[0-9.]* ms" "$OUT/ping.txt" | tr '\n' ' '; echo
python3 bench/diag/trace-echo.py "$OUT/trace.txt"
echo "files: $OUT"
