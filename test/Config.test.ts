import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import * as Config from "../src/Config.js"

const fails = (input: Config.StackConfigInput) =>
  Effect.flip(Config.make(input)).pipe(Effect.map((e) => e.message))

describe("Config", () => {
  it.effect("fills defaults", () =>
    Effect.gen(function*() {
      const c = yield* Config.make({ address: "198.18.0.2" })
      expect(c.prefixLength).toBe(24)
      expect(c.ttl).toBe(64)
      expect(Duration.toMillis(c.reassembly.timeout)).toBe(30_000)
      expect(c.arp.retries).toBe(3)
      expect(c.icmp.maxOutstandingPings).toBe(65536)
    }))
  it.effect("rejects bad input with one readable line", () =>
    Effect.gen(function*() {
      expect(yield* fails({ address: "300.1.1.1" })).toMatch(/not an IPv4 address/)
      expect(yield* fails({ address: "198.18.0.0", prefixLength: 24 })).toMatch(/network or broadcast/)
      expect(yield* fails({ address: "198.18.0.255", prefixLength: 24 })).toMatch(/network or broadcast/)
      expect(yield* fails({ address: "224.0.0.1" })).toMatch(/not a unicast/)
      expect(yield* fails({ address: "127.0.0.2", prefixLength: 8 })).toMatch(/not a unicast/)
      expect(yield* fails({ address: "198.18.0.2", prefixLength: 33 })).toMatch(/prefix length/)
      expect(yield* fails({ address: "198.18.0.2", gateway: "198.19.0.1" })).toMatch(/not on the subnet/)
      expect(yield* fails({ address: "198.18.0.2", mtu: 10 })).toMatch(/mtu/)
      expect(yield* fails({ address: "198.18.0.2", ttl: 0 })).toMatch(/ttl/)
      expect(yield* fails({ address: "198.18.0.2", mac: new Uint8Array([1, 0, 0, 0, 0, 1]) })).toMatch(/unicast/)
      expect(yield* fails({ address: "198.18.0.2", arp: { retryInterval: Duration.zero } })).toMatch(/positive/)
      expect(yield* fails({ address: "198.18.0.2", icmp: { maxOutstandingPings: 0 } })).toMatch(/icmp\.maxOutstandingPings/)
      expect(yield* fails({ address: "198.18.0.2", icmp: { maxOutstandingPings: 65537 } })).toMatch(/icmp\.maxOutstandingPings/)
      for (const m of [yield* fails({ address: "x" })]) expect(m.split("\n").length).toBe(1)
    }))
})
