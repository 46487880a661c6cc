/**
 * Linux as the oracle for mangled TCP options (gVisor's packetimpact idea:
 * one test, run against Linux and against us). The cases of
 * test/fixtures/tcpOptionCases.ts go, as SYNs built by hand with scapy
 * (test/kernel/hostile/options.py), to a Linux listener; what it answers
 * and takes must be what the table says, which test/e2e/TcpOptions.test.ts
 * asserts for our stack. So the table is Linux's behaviour, checked here on
 * the running kernel, not a reading of tcp_parse_options.
 *
 * Two namespaces joined by a veth pair: the listener's (198.18.0.1/24,
 * python3 accepting and writing 3000 octets per connection) and the
 * prober's, whose end has no address: it speaks as 198.18.0.2, which no
 * kernel holds (the listener's side has a static neighbour entry for it),
 * so no kernel resets the handshakes it makes. Every frame stays on the
 * veth; the run is bounded by the cases and the probe's timeouts; the
 * listener is killed by PID and both namespaces deleted when the test ends.
 *
 * Live clock (real processes). Needs root, iproute2, python3 and scapy
 * (Debian python3-scapy); skips with the printed reason otherwise.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { fileURLToPath } from "node:url"
import { OPTION_CASES } from "../fixtures/tcpOptionCases.js"
import { canUseTap, exec, ifName, makeNetns, run, spawnIn } from "../support/Netns.js"
import { scapyPython } from "./hostile/Scapy.js"

const PYTHON_SCAPY = process.platform === "linux" ? scapyPython() : undefined
const SKIP = ((): string | undefined => {
  const tap = canUseTap()
  if (!tap.ok) return tap.reason
  return PYTHON_SCAPY === undefined ? "scapy (python3-scapy) is not installed" : undefined
})()
if (SKIP !== undefined) console.warn(`skipping the Linux oracle for TCP options: ${SKIP}`)

const PROBE = fileURLToPath(new URL("./hostile/options.py", import.meta.url))
const LISTENER = "198.18.0.1"
const PROBER = "198.18.0.2"
const PORT = 9000
const SERVER = `
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("${LISTENER}", ${PORT})); s.listen(16); s.settimeout(60)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    c.sendall(b"x" * 3000)
`

describe.skipIf(SKIP !== undefined)("mangled TCP options against a Linux listener (the oracle for test/e2e/TcpOptions.test.ts)", () => {
  it.scopedLive("Linux answers and takes what the table says, case by case", () =>
    Effect.gen(function*() {
      const listener = yield* makeNetns("opl")
      const prober = yield* makeNetns("opp")
      const vethL = ifName("opl")
      const vethP = ifName("opp")
      yield* run(listener.name, ["ip", "link", "add", vethL, "type", "veth", "peer", "name", vethP, "netns", prober.name])
      yield* run(listener.name, ["ip", "addr", "add", `${LISTENER}/24`, "dev", vethL])
      yield* run(listener.name, ["ip", "link", "set", vethL, "up"])
      yield* run(prober.name, ["ip", "link", "set", vethP, "up"])
      const macL = (yield* run(listener.name, ["cat", `/sys/class/net/${vethL}/address`])).stdout.trim()
      const macP = (yield* run(prober.name, ["cat", `/sys/class/net/${vethP}/address`])).stdout.trim()
      yield* run(listener.name, ["ip", "neigh", "replace", PROBER, "lladdr", macP, "dev", vethL, "nud", "permanent"])
      const server = yield* spawnIn(listener, [PYTHON_SCAPY!, "-c", SERVER])
      for (let i = 0; i < 50 && !server.stdout().includes("listening"); i++) yield* Effect.sleep("100 millis")
      expect(server.stdout(), server.stderr()).toContain("listening")
      const cases = OPTION_CASES.map((c) => ({ name: c.name, syn: c.syn }))
      const r = yield* exec(prober, [PYTHON_SCAPY!, PROBE, vethP, macL, PROBER, LISTENER, String(PORT), JSON.stringify(cases)], {
        timeoutMs: OPTION_CASES.length * 8_000
      })
      expect(r.code, r.stderr).toBe(0)
      const got = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>)
      expect(got).toEqual(OPTION_CASES.map((c) => ({ name: c.name, synAck: true, ...c.answered, firstSegment: c.firstSegment })))
    }), 120_000)
})
