/**
 * The fault soak (issue 10): 10 MB transfers over LinkFault with 10 % loss,
 * 5 % reordering, 5 % duplication and 1 % corruption each way, in virtual
 * time, for a range of seeds: every one intact, none timed out (the
 * connection never gave up). `SOAK_SEEDS=N` runs N seeds instead of the
 * 100 (50 per file, so the two files share the machine's two cores).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { lossyTransfer, sha256 } from "../support/LossyTransfer.js"

const SIZE = 10 * 1024 * 1024
const TOTAL = Number(process.env.SOAK_SEEDS ?? 100)

/** Seeds `from`, `from + 2`, … below `TOTAL + 1`: file 1 takes the odd ones, file 2 the even. */
export const faultSoak = (first: 1 | 2) =>
  describe(`10 MB over 10 % loss, 5 % reordering and duplication, 1 % corruption (seeds ${first}, ${first + 2}, ... ≤ ${TOTAL})`, () => {
    for (let seed = first; seed <= TOTAL; seed += 2) {
      it.effect(`seed ${seed}`, () =>
        Effect.gen(function*() {
          const r = yield* lossyTransfer(seed * 1000, SIZE)
          expect(r.readerFailed).toBe(false)
          expect(r.info.state).not.toBe("Closed")
          expect(r.received.length).toBe(SIZE)
          expect(sha256(r.received)).toBe(sha256(r.sent))
          console.log(
            `seed ${seed * 1000}: ${(r.elapsed / 1000).toFixed(1)} virtual s, ${r.info.retransmits} retransmissions, ` +
              `${r.info.timeouts} timeouts, ${r.info.tailProbes} tail probes` +
              (r.connects > 1 ? `, ${r.connects} connects (the neighbour went unresolved)` : "")
          )
        }), 300_000)
    }
  })
