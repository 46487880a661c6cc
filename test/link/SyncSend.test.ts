/**
 * Link.syncSendBatch / unsafeSendBatchOf: the interface sends a wake-up's
 * batch in place (no Effect.sync per send) only through the very
 * `sendBatch` a link made synchronous; a wrapper that replaces `sendBatch`,
 * even one that spreads the link it wraps (as middlewares and tests' recorders
 * do), is never bypassed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { Link, unsafeSendBatchOf } from "../../src/link/Link.js"
import * as LinkMemory from "../../src/link/LinkMemory.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as Stack from "../../src/Stack.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import type { Ipv4Addr } from "../../src/wire/Ipv4Addr.js"
import { boundedWait } from "../support/Clock.js"
import { deliverFromCallback, fakeAddon } from "../support/FakeTap.js"
import { arpRequest, asIpv4, echoRequestFrame } from "../support/Peer.js"
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

  it.scoped("a full TAP queue met by the in-place send is a counted drop (txQueueFull, txDropped), as through sendBatch; the dealer goes on", () =>
    Effect.gen(function*() {
      // The addon counts a write refused with EAGAIN/ENOBUFS in writeFull and returns the frames
      // written (tap_io.c's write_frame): nothing is thrown, and LinkTap's stats read it as
      // txQueueFull. The in-place send calls the same function; what it must not do is lose the
      // count, or make the refusal a defect that ends the ICMP dealer.
      const fake = fakeAddon(() => true)
      let full = 0
      let tried = 0
      const addon = {
        ...fake.addon,
        writeBatch: (_h: unknown, frames: ReadonlyArray<unknown>) => {
          tried += frames.length
          full += frames.length
          return 0
        },
        counters: () => ({ readErrors: 0, readLost: 0, writeErrors: 0, writeFull: full })
      } as typeof fake.addon
      const mac = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x02])
      const link = yield* Effect.orDie(LinkTap.make({ name: "gfake0", mac, offload: false }, addon))
      expect(unsafeSendBatchOf(link.sendBatch)).toBeDefined()
      yield* Layer.build(
        Stack.layer({ address: "198.18.0.2", prefixLength: 24 }).pipe(Layer.provide(Layer.succeed(Link, link)))
      ).pipe(Effect.orDie)
      const stackAddr = Addr.parse("198.18.0.2")!
      const echo = (seq: number) => echoRequestFrame(seq, stackAddr, mac)
      const none = () => []
      const before = tried
      // the ARP reply (the ARP dealer, through sendBatch) and the echo reply (the ICMP dealer, in place)
      yield* deliverFromCallback(fake, none, [arpRequest(stackAddr), echo(1)])
      expect(tried - before).toBe(2)
      // the ICMP dealer is still there: a second request is answered (and refused) as well
      yield* deliverFromCallback(fake, none, [echo(2)])
      expect(tried - before).toBe(3)
      const stats = yield* link.stats
      expect(stats.txQueueFull).toBe(full)
      expect(stats.txDropped).toBeGreaterThanOrEqual(3)
      expect(stats.txFrames).toBe(0)
    }))
})
