/**
 * The stack-wide TCP memory bound (src/tcp/Memory.ts, Linux's tcp_mem) with
 * the Linux kernel as the peer: four kernel connections each send 1 MiB into
 * the stack, whose readers stall for a few seconds. Each receive buffer
 * (256 KiB) fits under `tcp.memory.high` alone, the four together do not: the
 * stack enters pressure, drops what comes past `high` (unacknowledged), and
 * never holds more than `high` plus each connection's minimum and one
 * segment (offloads on: the kernel's TSO hands over up to 64 KiB at once).
 * Then the readers read; the kernel retransmits what was dropped, every
 * octet arrives in order (each connection's own pattern), and the gauge goes
 * back to 0.
 *
 * The world: a fresh namespace `gn-km-<pid>-<n>`, a TAP opened here (offloads
 * on, LinkTap's default) and moved into it (host side 198.18.0.1/24), the
 * stack at 198.18.0.2/24 in this process. The kernel side is an inline
 * python3 script run with `ip netns exec` (bounded by its own alarm).
 * Live clock; waits are bounded. Needs root, /dev/net/tun, iproute2, the TAP
 * addon and python3.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option } from "effect"
import { Link } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as Memory from "../../src/tcp/Memory.js"
import { type Connection, Tcp } from "../../src/tcp/Tcp.js"
import * as Stack from "../../src/Stack.js"
import { exec, ifName, makeNetns, moveLinkToNetns, tapSkipReason } from "../support/Netns.js"

const SKIP = tapSkipReason({ tools: ["python3"] })
if (SKIP !== undefined) console.warn(`skipping the kernel TCP memory test: ${SKIP}`)

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x46])
const STACK_IP = "198.18.0.2"
const HOST_IP = "198.18.0.1"
const PORT = 5046
const CONNECTIONS = 4
const EACH = 1024 * 1024
const BUFFER = 256 * 1024
const LIMITS = { low: 384 * 1024, pressure: 512 * 1024, high: 640 * 1024 }
/** the largest segment the kernel hands over at once with TSO (the TAP's virtio-net header) */
const LARGEST_SEGMENT = 65536

const pattern = (i: number, n: number) => (i * 7 + n) & 0xff

/** the kernel's counters printed after the run (nstat names) */
const KERNEL_COUNTERS = ["TcpExtTCPWinProbe", "TcpExtTCPTimeouts", "TcpRetransSegs", "TcpExtTCPLossProbes", "TcpExtTCPFromZeroWindowAdv"]

/** Four connections, each sends its pattern and shuts down its side; prints "ok" when every one got the stack's FIN. */
const CLIENT = `
import socket, sys, threading, signal
signal.alarm(90)
host, port, n, each = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
errors = []
def one(k):
    try:
        s = socket.create_connection((host, port), timeout=80)
        data = bytes(((i * 7 + k) & 0xff) for i in range(each))
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        while s.recv(65536):
            pass
        s.close()
    except Exception as e:
        errors.append(repr(e))
ts = []
for k in range(n):
    t = threading.Thread(target=one, args=(k,))
    t.start()
    ts.append(t)
    t.join(0.05)
for t in ts:
    t.join()
print("ok" if not errors else "errors " + " ".join(errors))
`

describe.skipIf(SKIP !== undefined)("TCP memory bound against the Linux kernel", () => {
  it.scopedLive("kernel senders into stalled readers: held near `high`, dropped data resent by the kernel, all intact", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns("km")
      const ifname = ifName("km")
      const tap = yield* LinkTap.make({ name: ifname, mac: STACK_MAC })
      yield* moveLinkToNetns(ifname, ns, { address: `${HOST_IP}/24` })
      const stack = yield* Layer.build(
        Stack.layer({
          address: STACK_IP,
          prefixLength: 24,
          tcp: { receiveBuffer: BUFFER, maxReceiveBuffer: BUFFER, memory: LIMITS }
        }).pipe(Layer.provide(Layer.succeed(Link, tap)))
      )
      const tcpStats = Effect.provide(Effect.map(Effect.flatMap(Stack.Stack, (s) => s.stats), (s) => s.tcp), stack)
      const listener = yield* Effect.provide(Effect.flatMap(Tcp, (t) => t.listen({ port: PORT })), stack)
      // the kernel client's connection k sends pattern k: tell them apart by their order of arrival
      const client = yield* Effect.fork(
        exec(ns, ["python3", "-c", CLIENT, STACK_IP, String(PORT), String(CONNECTIONS), String(EACH)], { timeoutMs: 100_000 })
      )
      const servers: Array<Connection> = []
      for (let n = 0; n < CONNECTIONS; n++) servers.push(yield* listener.accept)
      // the readers stall for 4 s; sample what the stack holds
      let peak = 0
      for (let i = 0; i < 80; i++) {
        yield* Effect.sleep("50 millis")
        peak = Math.max(peak, (yield* tcpStats).memory)
      }
      const stalled = yield* tcpStats
      expect(stalled.memoryPressure).toBeGreaterThanOrEqual(1)
      expect(stalled.rcvQueueDropped).toBeGreaterThan(0)
      expect(peak).toBeGreaterThan(LIMITS.pressure)
      expect(peak).toBeLessThanOrEqual(LIMITS.high + CONNECTIONS * (Memory.MIN_RECEIVE + LARGEST_SEGMENT))
      // the readers come back; each connection's octets are its own pattern, in order
      const readers = yield* Effect.forEach(servers, (s) =>
        Effect.fork(Effect.gen(function*() {
          let got = 0
          let bad = 0
          let k = -1
          for (;;) {
            const next = yield* s.read
            if (Option.isNone(next)) break
            for (const v of next.value) {
              // (the first octet is k: pattern(0, k) = k)
              if (k < 0) k = v
              if (v !== pattern(got++, k)) bad++
            }
          }
          yield* s.close
          return { got, bad, k }
        })))
      const resumedAt = Date.now()
      const results = yield* Effect.forEach(readers, (r) => Fiber.join(r).pipe(Effect.timeout("60 seconds")))
      const resumedFor = Date.now() - resumedAt
      const ran = yield* Fiber.join(client)
      // the kernel senders' side: zero-window probes, timeouts, retransmissions (the namespace's own counters)
      const nstat = yield* exec(ns, ["nstat", "-asz", ...KERNEL_COUNTERS])
      const kernel = Object.fromEntries(
        nstat.stdout.split("\n").map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 2 && KERNEL_COUNTERS.includes(f[0]!))
          .map((f) => [f[0]!, Number(f[1])])
      )
      expect(ran.stdout.trim(), ran.stderr).toBe("ok")
      expect(results.map((r) => ({ got: r.got, bad: r.bad }))).toEqual(
        Array.from({ length: CONNECTIONS }, () => ({ got: EACH, bad: 0 }))
      )
      expect(results.map((r) => r.k).sort()).toEqual([0, 1, 2, 3])
      expect((yield* tcpStats).memory).toBe(0)
      console.log(
        `peak ${peak} (high ${LIMITS.high}), dropped ${stalled.rcvQueueDropped}, pressure entries ${stalled.memoryPressure}, ` +
          `resume to completion ${resumedFor} ms, kernel ${JSON.stringify(kernel)}`
      )
    }), 150_000)
})
