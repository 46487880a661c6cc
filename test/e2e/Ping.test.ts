import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { ADDR_A, ADDR_B, pingFrom, statsOf, twoStacks } from "../support/TestNet.js"

describe("ping between two stacks over LinkMemory", () => {
  it.scoped("a 56-octet ping is answered, and ARP learned both ways", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const reply = yield* pingFrom(a, ADDR_B, { timeout: "1 second" })
      expect(reply.size).toBe(56)
      expect(reply.ttl).toBe(64)
      const sa = yield* statsOf(a)
      const sb = yield* statsOf(b)
      expect(sa.arp.requestsSent).toBeGreaterThanOrEqual(1)
      expect(sb.icmp.echoRequests).toBe(1)
      expect(sa.icmp.echoReplies).toBe(1)
      // B learned A from A's request (RFC 826 merge: the request was for B).
      expect(sb.arp.cacheSize).toBe(1)
      const back = yield* pingFrom(b, ADDR_A)
      expect(back.size).toBe(56)
    }))

  it.scoped("an 8000-octet ping is fragmented both ways and reassembled", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const reply = yield* pingFrom(a, ADDR_B, { size: 8000 })
      expect(reply.size).toBe(8000)
      const sa = yield* statsOf(a)
      const sb = yield* statsOf(b)
      // 8008 octets of ICMP in 1480-octet fragments: 6 each way.
      expect(sa.ipv4.fragmentsSent).toBe(6)
      expect(sb.ipv4.fragmentsReceived).toBe(6)
      expect(sb.ipv4.reassembled).toBe(1)
      expect(sb.ipv4.fragmentsSent).toBe(6)
      expect(sa.ipv4.reassembled).toBe(1)
      expect(sa.ipv4.assemblies).toBe(0)
      expect(sa.ipv4.assemblyBytes).toBe(0)
    }))

  it.scoped("65507 octets, the largest echo, round-trips", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const reply = yield* pingFrom(a, ADDR_B, { size: 65507 })
      expect(reply.size).toBe(65507)
      expect(Duration.toMillis(reply.rtt)).toBeGreaterThanOrEqual(0)
    }))

  it.scoped("pinging our own address loops back without touching the link", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const before = yield* statsOf(a)
      const reply = yield* pingFrom(a, ADDR_A, { size: 3000 })
      expect(reply.size).toBe(3000)
      const after = yield* statsOf(a)
      expect(after.link.txFrames).toBe(before.link.txFrames)
    }))
})
