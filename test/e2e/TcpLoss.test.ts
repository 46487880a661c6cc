/**
 * TCP over a link that loses 10 % of the frames each way, reorders and
 * duplicates 5 % and corrupts 1 % (LinkFault, fixed seeds, one fault point
 * per direction): the congestion window lives at a few segments and
 * timeouts are common. Run as a discrete-event simulation in virtual time
 * (`runToEnd`), each transfer arrives intact, the connection never gives
 * up, and recovery takes virtual minutes, not hours: an RTO inflated by a
 * bogus RTT sample (an ACK echoing an earlier copy than the retransmission
 * that clocked it) once made one of these seeds take half an hour of
 * virtual time for 1 MB.
 *
 * One fault point per direction, because corruption there is one flipped
 * bit per frame, which the Internet checksum always catches. Two fault
 * points in a row may flip two bits of one frame, and two flips of the same
 * bit position in opposite directions cancel in a one's complement sum
 * (RFC 1071): seen here as 2 wrong octets delivered with a valid checksum.
 * Real links put a CRC under TCP for exactly that.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { createHash } from "node:crypto"
import * as LinkFault from "../../src/link/LinkFault.js"
import { type Connection, Tcp } from "../../src/tcp/Tcp.js"
import { runToEnd } from "../support/Clock.js"
import { ADDR_A, run, twoStacks } from "../support/TestNet.js"

const readAll = (c: Connection) =>
  Effect.gen(function*() {
    const chunks: Array<Uint8Array> = []
    for (;;) {
      const o = yield* c.read
      if (o._tag === "None") return Buffer.concat(chunks)
      chunks.push(o.value)
    }
  })

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

/** Virtual seconds the slowest of these seeds may take for 1 MB. */
const VIRTUAL_LIMIT_S = 120

const transfer = (seed: number, size: number) =>
  Effect.gen(function*() {
    const fault = { loss: 0.1, reorder: 0.05, duplicate: 0.05, corrupt: 0.01 }
    const { a, b } = yield* twoStacks({
      wrapA: (l) => LinkFault.make(l, { seed, tx: fault }),
      wrapB: (l) => LinkFault.make(l, { seed: seed + 1, tx: fault })
    })
    const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
    const data = new Uint8Array(size).map((_, i) => (i * 2654435761) >>> 24)
    const received = yield* Effect.fork(Effect.flatMap(listener.accept, readAll))
    const sent = yield* Effect.fork(Effect.gen(function*() {
      const conn = yield* run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 80 })))
      for (let o = 0; o < data.length; o += 65536) yield* conn.write(data.subarray(o, o + 65536))
      yield* conn.end
      return conn
    }))
    const { elapsed, exit } = yield* runToEnd(Fiber.join(received), "2 hours")
    expect(Exit.isSuccess(exit)).toBe(true)
    const got = Exit.isSuccess(exit) ? exit.value : Buffer.alloc(0)
    expect(got.length).toBe(data.length)
    expect(sha(got)).toBe(sha(data))
    const info = yield* (yield* Fiber.join(sent)).info
    return { elapsed, info }
  }).pipe(Effect.scoped)

describe("TCP over 10 % loss, 5 % reordering, 5 % duplication, 1 % corruption (virtual time)", () => {
  for (const seed of [1, 3, 5, 8]) {
    it.effect(`1 MB arrives intact within ${VIRTUAL_LIMIT_S} virtual seconds, seed ${seed}`, () =>
      Effect.gen(function*() {
        const { elapsed, info } = yield* transfer(seed, 1 << 20)
        expect(info.timeouts).toBeGreaterThan(0)
        expect(elapsed / 1000).toBeLessThan(VIRTUAL_LIMIT_S)
      }), 60_000)
  }
})
