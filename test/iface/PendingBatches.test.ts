/**
 * What frames waiting for a neighbour's resolution keep alive
 * (src/iface/Interface.ts): an echo reply is built in place in its request's
 * frame, a view into the link's receive batch (one ArrayBuffer per TAP read,
 * up to 64 frames); held as it is while the requester's MAC is resolved, it
 * would keep that whole batch alive, and a peer could make the stack hold
 * up to `arp.pendingFrames` per address that way. Over LinkTap on the fake
 * addon, batches laid out as the addon lays them out: what waited (written
 * once the ARP reply comes) keeps alive about its own octets.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import { batchOf, deliverFromCallback, FAKE_STACK_ADDR, otherFrame, retained, stackOnFakeTap } from "../support/FakeTap.js"
import { arpReply, asIpv4, ipFrame, ipRepr, PEER_ADDR, PEER_MAC } from "../support/Peer.js"

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x02])
const BATCH = 64

const echo = (seq: number) =>
  ipFrame(
    ipRepr({ src: PEER_ADDR, dst: FAKE_STACK_ADDR, protocol: Ip.Protocol.ICMP, payload: IcmpWire.emit({ _tag: "EchoRequest", ident: 7, seq, data: new Uint8Array(56) }) }),
    STACK_MAC
  )

const other = () => otherFrame(STACK_MAC, PEER_MAC)


describe("frames waiting for a neighbour", () => {
  it.scoped("echo replies held while the requester's MAC is resolved keep alive about their octets, not a receive batch each", () =>
    Effect.gen(function*() {
      const { fake, frames, stack: _ } = yield* stackOnFakeTap(STACK_MAC)
      const n = 20
      const batches = new Set<ArrayBufferLike>()
      for (let i = 0; i < n; i++) {
        const batch = batchOf([echo(i), ...Array.from({ length: BATCH - 1 }, other)])
        batches.add(batch[0]!.buffer)
        yield* deliverFromCallback(fake, frames, batch)
      }
      const from = frames().length
      yield* deliverFromCallback(fake, frames, [arpReply(STACK_MAC, FAKE_STACK_ADDR)])
      for (let i = 0; i < 100; i++) yield* Effect.yieldNow()
      const replies = fake.log.written.flatMap((w) => w.frames).slice(from).filter((f): f is Uint8Array =>
        f instanceof Uint8Array && asIpv4(f)?.protocol === Ip.Protocol.ICMP
      )
      expect(replies.length).toBe(n)
      const held = replies.reduce((a, f) => a + f.length, 0)
      let kept = 0
      kept += retained(replies)
      expect(kept).toBeLessThanOrEqual(2 * held)
      expect(replies.some((f) => batches.has(f.buffer))).toBe(false)
    }))
})
