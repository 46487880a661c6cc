import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { Icmp } from "../../src/icmp/Icmp.js"
import { Stack } from "../../src/Stack.js"
import { ADDR_A, ADDR_B, run, twoStacks } from "../support/TestNet.js"

describe("ping between two stacks over LinkMemory", () => {
  it.scoped("a 56-octet ping is answered, and ARP learned both ways", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const reply = yield* run(a, Effect.flatMap(Icmp, (i) => i.ping(ADDR_B, { timeout: "1 second" })))
      expect(reply.size).toBe(56)
      expect(reply.ttl).toBe(64)
      const sa = yield* run(a, Effect.flatMap(Stack, (s) => s.stats))
      const sb = yield* run(b, Effect.flatMap(Stack, (s) => s.stats))
      expect(sa.arp.requestsSent).toBeGreaterThanOrEqual(1)
      expect(sb.icmp.echoRequests).toBe(1)
      expect(sa.icmp.echoReplies).toBe(1)
      // B learned A from A's request (RFC 826 merge: the request was for B).
      expect(sb.arp.cacheSize).toBe(1)
      const back = yield* run(b, Effect.flatMap(Icmp, (i) => i.ping(ADDR_A)))
      expect(back.size).toBe(56)
    }))

  it.scoped("an 8000-octet ping is fragmented both ways and reassembled", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const reply = yield* run(a, Effect.flatMap(Icmp, (i) => i.ping(ADDR_B, { size: 8000 })))
      expect(reply.size).toBe(8000)
      const sa = yield* run(a, Effect.flatMap(Stack, (s) => s.stats))
      const sb = yield* run(b, Effect.flatMap(Stack, (s) => s.stats))
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
      const reply = yield* run(a, Effect.flatMap(Icmp, (i) => i.ping(ADDR_B, { size: 65507 })))
      expect(reply.size).toBe(65507)
      expect(Duration.toMillis(reply.rtt)).toBeGreaterThanOrEqual(0)
    }))

  it.scoped("pinging our own address loops back without touching the link", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const before = yield* run(a, Effect.flatMap(Stack, (s) => s.stats))
      const reply = yield* run(a, Effect.flatMap(Icmp, (i) => i.ping(ADDR_A, { size: 3000 })))
      expect(reply.size).toBe(3000)
      const after = yield* run(a, Effect.flatMap(Stack, (s) => s.stats))
      expect(after.link.txFrames).toBe(before.link.txFrames)
    }))
})
