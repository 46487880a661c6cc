/**
 * Link.syncSendBatch / unsafeSendBatchOf: the interface sends a wake-up's
 * batch in place (no Effect.sync per send) only through the very
 * `sendBatch` a link made synchronous; a wrapper that replaces `sendBatch`,
 * even one that spreads the link it wraps (as middlewares and tests' recorders
 * do), is never bypassed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { unsafeSendBatchOf } from "../../src/link/Link.js"
import * as LinkMemory from "../../src/link/LinkMemory.js"
import type { Ipv4Addr } from "../../src/wire/Ipv4Addr.js"
import { boundedWait } from "../support/Clock.js"
import { asIpv4 } from "../support/Peer.js"
import { ADDR_A, ADDR_B, MAC_A, MAC_B, pingFrom, recordSends, type StackContext, twoStacks } from "../support/TestNet.js"

const frame = (dst: Uint8Array, src: Uint8Array): Uint8Array => {
  const f = new Uint8Array(60)
  f.set(dst, 0)
  f.set(src, 6)
  f[12] = 0x88
  f[13] = 0xb5
  return f
}

const ping = (stack: StackContext, dst: Ipv4Addr) => boundedWait(pingFrom(stack, dst, { timeout: "1 second" }), "the ping")

describe("a link's synchronous send", () => {
  it.scoped("LinkMemory's sendBatch has its synchronous send, which delivers before it returns", () =>
    Effect.gen(function*() {
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
      const now = unsafeSendBatchOf(a.sendBatch)
      expect(now).toBeDefined()
      now!([frame(MAC_B, MAC_A)])
      expect(b.receive.unsafeSize()).toEqual(Option.some(1))
    }))

  it.scoped("a wrapper that spreads the link and replaces sendBatch has none, and sees the echo replies sent from the ICMP dealer's wake-up", () =>
    Effect.gen(function*() {
      const sent: Array<Uint8Array> = []
      const { b } = yield* twoStacks({ wrapA: recordSends(sent) })
      const [plain] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
      const wrapped = yield* recordSends([])(plain)
      expect(unsafeSendBatchOf(wrapped.sendBatch)).toBeUndefined()
      // B pings A: A's reply leaves from its ICMP dealer (Ipv4.flushNow), through A's recorder
      yield* ping(b, ADDR_A)
      const replies = sent.filter((f) => {
        const ip = asIpv4(f)
        return ip !== undefined && ip.protocol === 1 && ip.dst === ADDR_B && ip.payload[0] === 0
      })
      expect(replies).toHaveLength(1)
    }))
})
