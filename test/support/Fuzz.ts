/**
 * Shared by test/e2e/Fuzz.test.ts and the fuzz soak (test/soak/Fuzz.soak.ts).
 *
 * Hostile input against a whole stack (issue 10, "fuzzing"): while a TCP
 * transfer runs into stack A, frames are injected into A's receive path
 * next to the real ones: random octets of random length, copies of the
 * peer's own frames with octets flipped or cut short, and old copies of them
 * replayed. Nothing may throw or stop a dealer or a connection: the
 * transfer completes intact, the stack counts what it dropped, and
 * afterwards it still answers a ping and takes a new connection. Seeded, in
 * virtual time (`runToEnd`).
 */
import { expect } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { Icmp } from "../../src/icmp/Icmp.js"
import type { FrameBatch, LinkService } from "../../src/link/Link.js"
import * as Middleware from "../../src/link/Middleware.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import { runToEnd } from "./Clock.js"
import { readAll, sha256 } from "./LossyTransfer.js"
import { ADDR_A, MAC_A, recordSends, run, statsOf, twoStacks } from "./TestNet.js"

/** xorshift32: the same frames for the same seed. */
const prng = (seed: number) => {
  let x = seed | 0 || 1
  return (): number => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 0x100000000
  }
}

/** A link whose receive side also takes frames handed to `inject`, as if from the wire. */
const injecting = (inner: LinkService, hook: { inject?: (frames: FrameBatch) => void }) =>
  Effect.gen(function*() {
    const side = yield* Middleware.makeReceiveSide(4096)
    yield* Middleware.relay(inner, side, (batch) => Effect.sync(() => side.deliver(batch)))
    hook.inject = side.deliver
    const link: LinkService = { ...inner, receive: side.receive, stats: Middleware.stats(inner, side.own) }
    return link
  })


/** One hostile frame: random, a mutated copy of one the peer sent, or an old one replayed. */
const hostile = (rand: () => number, sent: ReadonlyArray<Uint8Array>): Uint8Array => {
  const kind = rand()
  if (kind < 0.3 || sent.length === 0) {
    // random octets, mostly addressed to A so they get past the Ethernet dealer
    const f = new Uint8Array(Math.floor(rand() * 1600))
    for (let i = 0; i < f.length; i++) f[i] = Math.floor(rand() * 256)
    if (f.length >= 14 && rand() < 0.8) {
      f.set(MAC_A, 0)
      const types = [0x0800, 0x0806, 0x0800, 0x86dd]
      const t = types[Math.floor(rand() * types.length)]!
      f[12] = t >>> 8
      f[13] = t & 0xff
      if (t === 0x0800 && f.length > 14) f[14] = 0x45
    }
    return f
  }
  const template = sent[Math.floor(rand() * sent.length)]!
  if (kind < 0.45) return template.slice() // an old copy, replayed
  const f = template.slice(0, kind < 0.6 ? Math.floor(rand() * template.length) : template.length)
  const flips = 1 + Math.floor(rand() * 4)
  for (let i = 0; i < flips && f.length > 0; i++) f[Math.floor(rand() * f.length)] = Math.floor(rand() * 256)
  return f
}

/** Inject `frames` hostile frames (seeded) while 256 KiB go from B to A; checks the transfer and A's health after. */
export const fuzzRun = (seed: number, frames: number) =>
  Effect.gen(function*() {
    const hook: { inject?: (frames: FrameBatch) => void } = {}
    const sent: Array<Uint8Array> = []
    const { a, b } = yield* twoStacks({
      wrapA: (l) => injecting(l, hook),
      wrapB: (l) => recordSends(sent)(l)
    })
    const rand = prng(seed)
    const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
    const data = new Uint8Array(256 * 1024).map((_, i) => (i * 2654435761) >>> 24)
    const received = yield* Effect.fork(Effect.flatMap(listener.accept, readAll))
    yield* Effect.fork(Effect.gen(function*() {
      const conn = yield* run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 80 })))
      for (let o = 0; o < data.length; o += 16384) yield* conn.write(data.subarray(o, o + 16384))
      yield* conn.end
    }))
    // the fuzzer: a batch of hostile frames every virtual millisecond until all are sent
    let injected = 0
    const fuzzer = yield* Effect.fork(Effect.gen(function*() {
      while (injected < frames) {
        const batch: Array<Uint8Array> = []
        const n = Math.min(frames - injected, 1 + Math.floor(rand() * 16))
        // the peer's recent frames, kept to a window so old ones stay old
        const recent = sent.slice(-200)
        for (let i = 0; i < n; i++) batch.push(hostile(rand, recent))
        injected += n
        hook.inject!(batch)
        yield* Effect.sleep("1 millis")
      }
    }))
    const { exit } = yield* runToEnd(Fiber.join(received), "1 hour")
    yield* runToEnd(Fiber.join(fuzzer), "1 hour")
    expect(Exit.isSuccess(exit)).toBe(true)
    const got = Exit.isSuccess(exit) ? exit.value : Buffer.alloc(0)
    expect(got.length).toBe(data.length)
    expect(sha256(got)).toBe(sha256(data))
    // still alive: a ping and a new connection both work
    const reply = yield* runToEnd(run(b, Effect.flatMap(Icmp, (i) => i.ping(ADDR_A))), "1 minute")
    expect(Exit.isSuccess(reply.exit)).toBe(true)
    const second = yield* Effect.fork(Effect.flatMap(listener.accept, readAll))
    yield* Effect.fork(Effect.gen(function*() {
      const conn = yield* run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 80 })))
      yield* conn.write(new TextEncoder().encode("still here"))
      yield* conn.end
    }))
    const again = yield* runToEnd(Fiber.join(second), "1 minute")
    expect(Exit.isSuccess(again.exit) ? again.exit.value.toString() : "").toBe("still here")
    return { injected, stats: yield* statsOf(a) }
  }).pipe(Effect.scoped)


/** What A dropped as malformed: IPv4, TCP and ARP. */
export const malformedDrops = (stats: { readonly ipv4: { readonly malformed: Record<string, number> }; readonly tcp: { readonly malformed: Record<string, number> }; readonly arp: { readonly malformed: number } }): number =>
  Object.values(stats.ipv4.malformed).reduce((n, x) => n + x, 0) +
  Object.values(stats.tcp.malformed).reduce((n, x) => n + x, 0) + stats.arp.malformed
