/**
 * A fake TAP addon (no root, no TAP, no kernel) for LinkTap: it records what
 * is opened, asked and written, and `deliver` runs the read callback as the
 * addon's poll wake-up does.
 */
import { Context, Effect, Either, Layer } from "effect"
import type { Scope } from "effect"
import { flatten, Link, type OutFrame } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import type * as TapAddon from "../../src/link/TapAddon.js"
import * as Stack from "../../src/Stack.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import { type Connection, Tcp, type TcpError } from "../../src/tcp/Tcp.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { arpRequest, asIpv4, ipFrame, PEER_ADDR, peerSegment } from "./Peer.js"

/** The TUN_F_* bits of linux/if_tun.h, as the real addon reports them. */
export const TUN_F = { csum: 0x01, tso4: 0x02, tso6: 0x04, tsoEcn: 0x08 } as const

/** One `writeBatch` the fake saw: the frames, and a copy of the headers passed. */
export interface Written {
  readonly frames: ReadonlyArray<OutFrame>
  readonly headers: Uint8Array | undefined
}

/**
 * A fake addon: `accepts` decides which TUNSETOFFLOAD sets the "kernel"
 * takes (a refusal is the addon's EINVAL error); writes always succeed and
 * are recorded; `deliver` runs the read callback as a wake would.
 */
export const fakeAddon = (accepts: (flags: number) => boolean) => {
  const log = {
    opened: [] as Array<{ readonly name: string; readonly vnetHeader: boolean }>,
    offloadTried: [] as Array<number>,
    written: [] as Array<Written>
  }
  let callback: ((frames: Array<Uint8Array>, error?: TapAddon.NativeError) => void) | undefined
  const addon: TapAddon.TapNative = {
    open: (name, options) => {
      const vnetHeader = options?.vnetHeader ?? false
      log.opened.push({ name, vnetHeader })
      return { fd: -1, name, vnetHeader }
    },
    setOffload: (_handle, flags) => {
      log.offloadTried.push(flags)
      if (!accepts(flags)) {
        throw Object.assign(new Error("TUNSETOFFLOAD: Invalid argument"), { code: "EINVAL", syscall: "ioctl" })
      }
    },
    offloadFlags: TUN_F,
    startReading: (_handle, cb) => {
      callback = cb
    },
    stopReading: () => {
      callback = undefined
    },
    close: () => {
      callback = undefined
    },
    writeBatch: (_handle, frames, headers) => {
      log.written.push({ frames: [...frames], headers: headers === undefined ? undefined : Uint8Array.from(headers) })
      return frames.length
    },
    counters: () => ({ readErrors: 0, readLost: 0, writeErrors: 0, writeFull: 0 }),
    setUp: () => {},
    setAddress: () => {},
    setMtu: () => {},
    setTxQueueLength: () => {},
    setRealtime: () => {},
    getScheduler: () => ({ policy: "other", priority: 0 }),
    maxPieces: 8
  }
  const deliver = (frames: Array<Uint8Array>): void => {
    if (callback === undefined) throw new Error("fake addon: nobody is reading")
    callback(frames)
  }
  return { addon, log, deliver }
}

/**
 * A stack at 198.18.0.2/24 over LinkTap over a fake addon (no offloads), in
 * the scope: the fake, the stack's services, and every frame written so far.
 */
export const stackOnFakeTap = (mac: Uint8Array): Effect.Effect<
  {
    readonly fake: ReturnType<typeof fakeAddon>
    readonly stack: Context.Context<Stack.Services>
    readonly frames: () => ReadonlyArray<Uint8Array>
  },
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const fake = fakeAddon(() => true)
    const link = yield* Effect.orDie(LinkTap.make({ name: "gfake0", mac, offload: false }, fake.addon))
    const stack = yield* Layer.build(
      Stack.layer({ address: "198.18.0.2", prefixLength: 24 }).pipe(Layer.provide(Layer.succeed(Link, link)))
    ).pipe(Effect.orDie)
    const frames = () => fake.log.written.flatMap((w) => w.frames.map(flatten))
    return { fake, stack, frames }
  })

/**
 * Run the addon's read callback with `frames` as a poll wake-up does
 * (outside every fiber, after `before` if given); what was written meanwhile.
 */
export const deliverFromCallback = (
  fake: ReturnType<typeof fakeAddon>,
  written: () => ReadonlyArray<Uint8Array>,
  frames: Array<Uint8Array>,
  before?: () => void
): Effect.Effect<ReadonlyArray<Uint8Array>> =>
  Effect.promise(() =>
    new Promise((resolve) =>
      setImmediate(() => {
        const from = written().length
        before?.()
        fake.deliver(frames)
        resolve(written().slice(from))
      })
    )
  )

/** The stack's address in `stackOnFakeTap`. */
export const FAKE_STACK_ADDR = Addr.parse("198.18.0.2")!

/** A TCP segment in `frame` (an Ethernet frame), parsed; undefined when it holds none. */
export const tcpOf = (frame: Uint8Array): TcpWire.TcpRepr & { readonly payload: Uint8Array } | undefined => {
  const ip = asIpv4(frame)
  return ip === undefined || ip.protocol !== Ip.Protocol.TCP ? undefined : Either.getOrThrow(TcpWire.parse(ip.payload, ip.src, ip.dst))
}

/**
 * The raw peer (198.18.0.1 at `peerMac`, port 40000) opens a connection to
 * the stack's port 80 over the fake TAP: it asks for the stack's MAC, sends
 * a SYN with ISN `isn` (MSS 1460, no other option) and acknowledges the
 * SYN-ACK. The connection as accepted, and the stack's ISN + 1.
 */
export const peerOpens = (
  fake: ReturnType<typeof fakeAddon>,
  frames: () => ReadonlyArray<Uint8Array>,
  stack: Context.Context<Stack.Services>,
  stackMac: Uint8Array,
  peerMac: Uint8Array,
  isn: Seq.SeqNum
): Effect.Effect<{ readonly conn: Connection; readonly ours: Seq.SeqNum }, TcpError, Scope.Scope> =>
  Effect.gen(function*() {
    const segment = (over: Partial<TcpWire.TcpRepr>) =>
      ipFrame(peerSegment({ seq: isn, ...over }, new Uint8Array(0), PEER_ADDR, FAKE_STACK_ADDR), stackMac, peerMac)
    const listener = yield* Context.get(stack, Tcp).listen({ port: 80 })
    const opened = yield* deliverFromCallback(fake, frames, [
      arpRequest(FAKE_STACK_ADDR, { mac: peerMac }),
      segment({ flags: TcpWire.Flag.SYN, options: { mss: 1460, sackPermitted: false } })
    ])
    const synAck = opened.map(tcpOf).find((t) => t !== undefined)!
    const ours = Seq.add(synAck.seq, 1)
    yield* deliverFromCallback(fake, frames, [segment({ seq: Seq.add(isn, 1), ack: ours })])
    return { conn: yield* listener.accept, ours }
  })

/**
 * `frames` copied into one fresh ArrayBuffer, handed over as views into it: a wake's batch as the
 * addon makes it of frames under 16 KiB (each longer one gets a buffer of its own).
 */
export const batchOf = (frames: ReadonlyArray<Uint8Array>): Array<Uint8Array> => {
  const whole = new Uint8Array(frames.reduce((a, f) => a + f.length, 0))
  let at = 0
  return frames.map((f) => {
    whole.set(f, at)
    at += f.length
    return whole.subarray(at - f.length, at)
  })
}

/** A full-sized frame of something else the stack drops (an EtherType it does not speak). */
export const otherFrame = (dst: Uint8Array, src: Uint8Array): Uint8Array =>
  Eth.emit({ dst, src, etherType: 0x88b5, payload: new Uint8Array(1500) })

/** The octets of every distinct ArrayBuffer the views reach: what holding them keeps alive. */
export const retained = (views: ReadonlyArray<Uint8Array>): number => {
  let sum = 0
  for (const b of new Set<ArrayBufferLike>(views.map((v) => v.buffer))) sum += b.byteLength
  return sum
}
