/**
 * TCP over a link that loses 10 % of the frames each way, reorders and
 * duplicates 5 % and corrupts 1 % (LinkFault, fixed seeds, one fault point
 * per direction): the congestion window lives at a few segments and
 * timeouts are common. Run as a discrete-event simulation in virtual time
 * (`runToEnd`), each transfer arrives intact, the connection never gives
 * up, and recovery takes virtual seconds, not hours: two faults once made
 * one of these seeds take half an hour of virtual time for 1 MB (an ARP
 * reply with one flipped bit in its sender MAC, which pointed the neighbour
 * at a MAC nobody answers; and an RTO inflated by an RTT "sample" from an
 * ACK echoing an earlier copy than the retransmission that clocked it).
 *
 * One fault point per direction, because corruption there is one flipped
 * bit per frame, which the Internet checksum always catches. Two fault
 * points in a row may flip two bits of one frame, and two flips of the same
 * bit position in opposite directions cancel in a one's complement sum
 * (RFC 1071): seen here as 2 wrong octets delivered with a valid checksum.
 * Real links put a CRC under TCP for exactly that.
 *
 * The 100 seeds of 10 MB each that issue 10 asks for run in `npm run soak`
 * (test/soak/Faults.soak.ts).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import * as LinkFault from "../../src/link/LinkFault.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import { runToEnd } from "../support/Clock.js"
import { lossyTransfer, readAll, sha256 } from "../support/LossyTransfer.js"
import { makeWatch, watching, withData } from "../support/TcpWatch.js"
import { ADDR_A, run, twoStacks } from "../support/TestNet.js"

/** Virtual seconds the slowest of these seeds may take for 1 MB (they take 9-24 s). */
const VIRTUAL_LIMIT_S = 120

describe("TCP over 10 % loss, 5 % reordering, 5 % duplication, 1 % corruption (virtual time)", () => {
  for (const seed of [1, 3, 5, 8]) {
    it.effect(`1 MB arrives intact within ${VIRTUAL_LIMIT_S} virtual seconds, seed ${seed}`, () =>
      Effect.gen(function*() {
        const r = yield* lossyTransfer(seed, 1 << 20)
        expect(r.readerFailed).toBe(false)
        expect(r.received.length).toBe(r.sent.length)
        expect(sha256(r.received)).toBe(sha256(r.sent))
        expect(r.info.timeouts).toBeGreaterThan(0)
        expect(r.elapsed / 1000).toBeLessThan(VIRTUAL_LIMIT_S)
      }), 60_000)
  }
})

/**
 * Loss alone (2 % of the frames each way, nothing reordered or duplicated),
 * for these seeds: no data segment that arrived is sent again. (Not a law:
 * a tail probe or a timeout may resend what arrived when its ACK was lost;
 * none does here.) Two faults made half to nine tenths of the
 * retransmissions here needless, and 69 % against Linux
 * (test/kernel/Tcp.test.ts): an ACK for the first half of a batch carried
 * the SACK block of an out-of-order segment from its second half, so the
 * sender took everything between for lost; and RACK ordered sends in one
 * millisecond by sequence number, so on a path shorter than the clock's
 * tick a retransmission looked older than the segments SACKed after it and
 * went again at each of their ACKs. A resend is counted by its starting
 * sequence number (a resend cut elsewhere would escape the count).
 */
describe("TCP over 2 % loss each way (virtual time): no segment resent that had arrived", () => {
  for (const delay of [0, 5]) {
    it.effect(`${delay} ms each way: no data segment reaches the receiver twice`, () =>
      Effect.gen(function*() {
        const fault = { loss: 0.02, delay }
        // B's segments as they leave its fault point: what reaches A (the cable loses nothing)
        const watch = makeWatch()
        let faultB: LinkFault.LinkFaultService | undefined
        const { a, b } = yield* twoStacks({
          wrapA: (l) => LinkFault.make(l, { seed: 3, tx: fault }),
          wrapB: (l) =>
            Effect.flatMap(watching(watch)(l), (w) =>
              Effect.map(LinkFault.make(w, { seed: 4, tx: fault }), (f) => (faultB = f)))
        })
        const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
        const data = new Uint8Array(2 << 20).map((_, i) => (i * 2654435761) >>> 24)
        const received = yield* Effect.fork(Effect.flatMap(listener.accept, readAll))
        const sender = yield* Effect.fork(Effect.gen(function*() {
          const conn = yield* run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 80 })))
          for (let o = 0; o < data.length; o += 65536) yield* conn.write(data.subarray(o, o + 65536))
          yield* conn.end
          return conn
        }))
        const { exit } = yield* runToEnd(Fiber.join(received), "1 hour")
        expect(Exit.isSuccess(exit) && sha256(exit.value)).toBe(sha256(data))
        const info = yield* (yield* Fiber.join(sender)).info
        const lost = (yield* faultB!.faultStats).tx.lost
        const starts = new Set<number>()
        let twice = 0
        const arrived = withData(watch)
        // (the watch saw the transfer: at least one segment per MSS of data)
        expect(arrived.length).toBeGreaterThanOrEqual(data.length / 1460)
        for (const s of arrived) {
          if (starts.has(s.seg.seq)) twice++
          starts.add(s.seg.seq)
        }
        const seen = JSON.stringify({ lost, twice, info })
        expect(lost, seen).toBeGreaterThan(10)
        expect(twice, seen).toBe(0)
        expect(info.retransmits, seen).toBeLessThanOrEqual(lost)
      }).pipe(Effect.scoped), 60_000)
  }
})
