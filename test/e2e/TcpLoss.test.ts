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
import { Effect } from "effect"
import { lossyTransfer, sha256 } from "../support/LossyTransfer.js"

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
