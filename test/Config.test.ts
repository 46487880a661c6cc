/**
 * Config: the one set of rules for every front end. Each rejection names the
 * field (as `StackConfigInput` spells it) and a reason, and reads as one line.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, Exit, Layer } from "effect"
import * as Config from "../src/Config.js"
import * as LinkMemory from "../src/link/LinkMemory.js"
import * as Stack from "../src/Stack.js"
import { MAC_A, MAC_B } from "./support/TestNet.js"

/** The field, reason and message of the error `input` draws (it must draw one). */
const rejection = (input: Config.StackConfigInput) => {
  const r = Config.check(input)
  if (Either.isRight(r)) throw new Error(`accepted: ${JSON.stringify(input)}`)
  return { field: r.left.field, reason: r.left.reason, message: r.left.message }
}

describe("Config", () => {
  it("fills defaults", () => {
    const c = Either.getOrThrow(Config.check({ address: "198.18.0.2" }))
    expect(c.prefixLength).toBe(24)
    expect(c.ttl).toBe(64)
    expect(Duration.toMillis(c.reassembly.timeout)).toBe(30_000)
    expect(c.arp.retries).toBe(3)
    expect(Duration.toMillis(c.arp.reachableTime)).toBe(30_000)
    expect(c.icmp.maxOutstandingPings).toBe(65536)
    // a Linux host's accept_redirects=1
    expect(c.icmp.acceptRedirects).toBe(true)
    expect(c.tcp.localPortRange).toEqual([32768, 60999])
    // RFC 6298's doubling for SYNs; Linux 6.18's 4 only when asked
    expect(c.tcp.synLinearTimeouts).toBe(0)
    expect(Either.getOrThrow(Config.check({ address: "198.18.0.2", tcp: { synLinearTimeouts: 127 } })).tcp.synLinearTimeouts).toBe(127)
    expect(Either.getOrThrow(Config.check({ address: "198.18.0.2", tcp: { localPortRange: [1024, 1024] } })).tcp.localPortRange).toEqual([1024, 1024])
  })

  it("derives tcp.memory from the machine's memory as Linux's tcp_init_mem, unless given", () => {
    const c = Either.getOrThrow(Config.check({ address: "198.18.0.2" }, 4 * 1024 ** 3))
    expect(c.tcp.memory).toEqual({ low: 192 * 1024 ** 2, pressure: 256 * 1024 ** 2, high: 384 * 1024 ** 2 })
    const given = { low: 1 << 20, pressure: 2 << 20, high: 3 << 20 }
    expect(Either.getOrThrow(Config.check({ address: "198.18.0.2", tcp: { memory: given } })).tcp.memory).toEqual(given)
    // the default reads this machine's memory
    expect(Either.getOrThrow(Config.check({ address: "198.18.0.2" })).tcp.memory.pressure).toBeGreaterThan(0)
  })

  it("takes the memory a cgroup leaves the process, when less than the machine's (a container: Linux charges socket memory to the memcg)", () => {
    const GiB = 1024 ** 3
    // a container limited to 512 MiB on a 64 GiB host: the bound is derived from the 512 MiB
    expect(Config.memoryOfProcess(64 * GiB, 512 * 1024 ** 2)).toBe(512 * 1024 ** 2)
    // no limit: the machine's (Node reports 0, or undefined, or the cgroup's "max" as a number past it)
    expect(Config.memoryOfProcess(8 * GiB, 0)).toBe(8 * GiB)
    expect(Config.memoryOfProcess(8 * GiB, undefined)).toBe(8 * GiB)
    expect(Config.memoryOfProcess(8 * GiB, 2 ** 64)).toBe(8 * GiB)
    // and so the default bound in such a container: high 48 MiB, not 6 GiB
    const c = Either.getOrThrow(Config.check({ address: "198.18.0.2" }, Config.memoryOfProcess(64 * GiB, 512 * 1024 ** 2)))
    expect(c.tcp.memory.high).toBe(48 * 1024 ** 2)
  })

  it("accepts a zero arp.idleBeforeEviction (a full cache may evict any settled entry), the one duration that may be zero", () => {
    const c = Either.getOrThrow(Config.check({ address: "198.18.0.2", arp: { idleBeforeEviction: Duration.zero } }))
    expect(Duration.toMillis(c.arp.idleBeforeEviction)).toBe(0)
  })

  const cases: ReadonlyArray<readonly [string, Config.StackConfigInput, string, Config.ConfigError["reason"], RegExp]> = [
    ["bad address", { address: "300.1.1.1" }, "address", "NotAnAddress", /not an IPv4 address/],
    ["network address", { address: "198.18.0.0", prefixLength: 24 }, "address", "NotAHostAddress", /network address of its \/24/],
    ["broadcast address", { address: "198.18.0.255", prefixLength: 24 }, "address", "NotAHostAddress", /broadcast address of its \/24/],
    ["multicast address", { address: "224.0.0.1" }, "address", "NotAHostAddress", /multicast/],
    ["loopback address", { address: "127.0.0.2", prefixLength: 8 }, "address", "NotAHostAddress", /loopback/],
    ["prefix 33", { address: "198.18.0.2", prefixLength: 33 }, "prefixLength", "OutOfRange", /33 is out of range/],
    ["gateway off-link", { address: "198.18.0.2", gateway: "198.19.0.1" }, "gateway", "NotOnSubnet", /not on the stack's subnet 198\.18\.0\.0\/24/],
    ["gateway = our address", { address: "198.18.0.2", gateway: "198.18.0.2" }, "gateway", "NotAHostAddress", /own address/],
    ["gateway = network address", { address: "198.18.0.2", gateway: "198.18.0.0" }, "gateway", "NotAHostAddress", /network address/],
    ["gateway = broadcast", { address: "198.18.0.2", gateway: "198.18.0.255" }, "gateway", "NotAHostAddress", /broadcast address/],
    ["mtu 10", { address: "198.18.0.2", mtu: 10 }, "mtu", "OutOfRange", /10 is out of range \(68\.\.65535 octets\)/],
    ["ttl 0", { address: "198.18.0.2", ttl: 0 }, "ttl", "OutOfRange", /out of range/],
    ["multicast mac", { address: "198.18.0.2", mac: new Uint8Array([1, 0, 0, 0, 0, 1]) }, "mac", "BadMac", /multicast/],
    ["all-zero mac", { address: "198.18.0.2", mac: new Uint8Array(6) }, "mac", "BadMac", /not a usable MAC/],
    ["5-octet mac", { address: "198.18.0.2", mac: new Uint8Array(5) }, "mac", "BadMac", /6 octets/],
    ["zero retry interval", { address: "198.18.0.2", arp: { retryInterval: Duration.zero } }, "arp.retryInterval", "NotPositive", /positive/],
    ["infinite retry interval", { address: "198.18.0.2", arp: { retryInterval: Duration.infinity } }, "arp.retryInterval", "NotPositive", /finite/],
    ["infinite reassembly timeout", { address: "198.18.0.2", reassembly: { timeout: Duration.infinity } }, "reassembly.timeout", "NotPositive", /finite/],
    ["a duration that does not decode", { address: "198.18.0.2", arp: { reachableTime: "1 sec" as never } }, "arp.reachableTime", "NotPositive", /is not a duration/],
    ["no frames held while resolving", { address: "198.18.0.2", arp: { pendingFrames: 0 } }, "arp.pendingFrames", "OutOfRange", /0 is out/],
    ["no pings", { address: "198.18.0.2", icmp: { maxOutstandingPings: 0 } }, "icmp.maxOutstandingPings", "OutOfRange", /0 is out/],
    ["an orphan that never retries", { address: "198.18.0.2", tcp: { orphanRetries: 0 } }, "tcp.orphanRetries", "OutOfRange", /0 is out/],
    // (Linux's tcp_syn_linear_timeouts: proc_dou8vec_minmax, 0..MAX_TCP_SYNCNT)
    ["SYN linear timeouts above Linux's 127", { address: "198.18.0.2", tcp: { synLinearTimeouts: 128 } }, "tcp.synLinearTimeouts", "OutOfRange", /128 is out of range \(0\.\.127\)/],
    ["negative SYN linear timeouts", { address: "198.18.0.2", tcp: { synLinearTimeouts: -1 } }, "tcp.synLinearTimeouts", "OutOfRange", /-1 is out/],
    ["fractional SYN linear timeouts", { address: "198.18.0.2", tcp: { synLinearTimeouts: 1.5 } }, "tcp.synLinearTimeouts", "OutOfRange", /1\.5 is out/],
    ["ECN neither off, accept nor on", { address: "198.18.0.2", tcp: { ecn: "yes" as never } }, "tcp.ecn", "OutOfRange", /'yes' is not one of off, accept, on/],
    ["too many pings", { address: "198.18.0.2", icmp: { maxOutstandingPings: 65537 } }, "icmp.maxOutstandingPings", "OutOfRange", /65537/],
    ["reassembly bound below one datagram", { address: "198.18.0.2", reassembly: { maxBytes: 65535 } }, "reassembly.maxBytes", "OutOfRange", /out of range/],
    ["an inverted port range", { address: "198.18.0.2", tcp: { localPortRange: [40000, 30000] } }, "tcp.localPortRange", "OutOfRange", /40000\.\.30000 is not a range/],
    ["a port range from 0", { address: "198.18.0.2", tcp: { localPortRange: [0, 100] } }, "tcp.localPortRange", "OutOfRange", /within 1\.\.65535/],
    ["a port range past 65535", { address: "198.18.0.2", tcp: { localPortRange: [60000, 70000] } }, "tcp.localPortRange", "OutOfRange", /within 1\.\.65535/],
    ["a port range of one number", { address: "198.18.0.2", tcp: { localPortRange: [40000] as never } }, "tcp.localPortRange", "OutOfRange", /is not \[first, last\]/],
    ["a port range of fractions", { address: "198.18.0.2", tcp: { localPortRange: [1.5, 9] } }, "tcp.localPortRange", "OutOfRange", /two port numbers/],
    ["tcp.memory low above pressure", { address: "198.18.0.2", tcp: { memory: { low: 3 << 20, pressure: 2 << 20, high: 4 << 20 } } }, "tcp.memory.low", "OutOfRange", /not be above pressure/],
    ["tcp.memory pressure above high", { address: "198.18.0.2", tcp: { memory: { low: 1 << 20, pressure: 5 << 20, high: 4 << 20 } } }, "tcp.memory.pressure", "OutOfRange", /not be above high/],
    ["tcp.memory high below two connections' minimum", { address: "198.18.0.2", tcp: { memory: { low: 0, pressure: 0, high: 1000 } } }, "tcp.memory.high", "OutOfRange", /at least 16384/],
    ["tcp.memory of fractions", { address: "198.18.0.2", tcp: { memory: { low: 0.5, pressure: 1 << 20, high: 2 << 20 } } }, "tcp.memory.low", "OutOfRange", /out of range/],
    ["tcp.memory without high", { address: "198.18.0.2", tcp: { memory: { low: 0, pressure: 1 << 20 } as never } }, "tcp.memory.high", "OutOfRange", /not a number/]
  ]
  it.each(cases)("rejects %s, naming the field", (_, input, field, reason, message) => {
    const r = rejection(input)
    expect(r.field).toBe(field)
    expect(r.reason).toBe(reason)
    expect(r.message).toMatch(message)
    expect(r.message.startsWith(`${field}: `)).toBe(true)
    expect(r.message.split("\n").length).toBe(1)
  })

  it.scoped("rejects an MTU above the link's when the stack is built", () =>
    Effect.gen(function*() {
      const [la] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B, mtu: 1500 })
      const exit = yield* Effect.exit(
        Layer.build(Stack.layer({ address: "198.18.0.2", mtu: 9000 }).pipe(Layer.provide(LinkMemory.layer(la))))
      )
      expect(exit).toMatchObject(Exit.fail({ _tag: "ConfigError", field: "mtu", reason: "ExceedsLink" }))
      // ...and accepts one at or below it.
      const ok = yield* Effect.exit(
        Layer.build(Stack.layer({ address: "198.18.0.2", mtu: 1280 }).pipe(Layer.provide(LinkMemory.layer(la))))
      )
      expect(Exit.isSuccess(ok)).toBe(true)
    }))
})
