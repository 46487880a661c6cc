/**
 * A raw peer on the other end of a LinkMemory cable: it sends hand-built
 * frames and inspects what the stack sends, with no stack of its own (the
 * gVisor `channel` endpoint idea, STYLE.md §5-6).
 */
import { Effect, Either, Option } from "effect"
import type { Chunk } from "effect"
import type { LinkService } from "../../src/link/Link.js"
import * as ArpWire from "../../src/wire/ArpPacket.js"
import * as Checksum from "../../src/wire/Checksum.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { boundedWait } from "./Clock.js"

export const PEER_MAC = new Uint8Array([0x02, 0x00, 0x00, 0x00, 0x00, 0x99])
export const PEER_ADDR = Addr.parse("198.18.0.1")!

export interface Peer {
  readonly link: LinkService
  /**
   * frames sent by the stack, in order, one at a time; waiting for one that
   * never comes dies fast (`boundedWait`: under a TestClock, once virtual
   * time has stood still for `STALL_YIELDS` yields)
   */
  readonly next: Effect.Effect<Uint8Array>
  /** the next frame if one is already here */
  readonly poll: Effect.Effect<Option.Option<Uint8Array>>
  /** every frame already here */
  readonly drain: Effect.Effect<ReadonlyArray<Uint8Array>>
  readonly sendIp: (repr: IpReprInput, dstMac: Uint8Array) => Effect.Effect<void>
  readonly sendFrame: (frame: Uint8Array) => Effect.Effect<void>
}

export const makePeer = (link: LinkService, mac: Uint8Array = PEER_MAC): Effect.Effect<Peer> =>
  Effect.sync(() => {
    // Frames taken from the link's mailbox but not yet handed out. The mailbox
    // gives all queued batches at once (`takeAll` / `clear`); Peer hands them
    // out one frame at a time, in order.
    const buffered: Array<Uint8Array> = []
    const keep = (batches: Chunk.Chunk<ReadonlyArray<Uint8Array>>): void => {
      for (const batch of batches) for (const frame of batch) buffered.push(frame)
    }
    const take: Effect.Effect<Uint8Array> = Effect.suspend(() => {
      if (buffered.length > 0) return Effect.succeed(buffered.shift()!)
      return Effect.flatMap(link.receive.takeAll(), ([batches, done]) => {
        keep(batches)
        if (buffered.length > 0) return Effect.succeed(buffered.shift()!)
        // the link closed with nothing left: like a take on a shut-down queue
        return done ? Effect.interrupt : take
      })
    })
    const next: Effect.Effect<Uint8Array> = Effect.suspend(() =>
      buffered.length > 0 ? Effect.succeed(buffered.shift()!) : boundedWait(take, "peer.next (a frame from the stack)")
    )
    const poll: Effect.Effect<Option.Option<Uint8Array>> = Effect.suspend(() => {
      if (buffered.length === 0) return Effect.map(link.receive.clear, (batches) => {
        keep(batches)
        return Option.fromNullable(buffered.shift())
      })
      return Effect.succeed(Option.some(buffered.shift()!))
    })
    const drain = Effect.gen(function*() {
      const out: Array<Uint8Array> = []
      while (true) {
        const f = yield* poll
        if (Option.isNone(f)) return out
        out.push(f.value)
      }
    })
    const sendFrame = (frame: Uint8Array) => link.send(frame)
    const sendIp = (repr: IpReprInput, dstMac: Uint8Array) => sendFrame(ipFrame(repr, dstMac, mac))
    return { link, next, poll, drain, sendIp, sendFrame }
  })

/** An IPv4 repr whose options default to none. */
export type IpReprInput = Omit<Ip.Ipv4Repr, "options"> & { options?: Uint8Array }

/** An Ethernet frame carrying the datagram `repr`, from `srcMac` (the peer's unless told) to `dstMac`. */
export const ipFrame = (repr: IpReprInput, dstMac: Uint8Array, srcMac: Uint8Array = PEER_MAC): Uint8Array =>
  Eth.emit({
    dst: dstMac,
    src: srcMac,
    etherType: Eth.EtherType.IPv4,
    payload: Ip.emit({ ...repr, options: repr.options ?? new Uint8Array(0) })
  })

/** An ICMP echo request (ident 7, three octets of data) from PEER_ADDR to `dst`, in a frame to `dstMac`. */
export const echoRequestFrame = (seq: number, dst: Addr.Ipv4Addr, dstMac: Uint8Array, srcMac: Uint8Array = PEER_MAC): Uint8Array =>
  ipFrame({
    src: PEER_ADDR,
    dst,
    protocol: 1,
    ttl: 64,
    id: seq,
    dontFragment: false,
    moreFragments: false,
    fragmentOffset: 0,
    tos: 0,
    payload: IcmpWire.emit({ _tag: "EchoRequest", ident: 7, seq, data: new Uint8Array([1, 2, 3]) })
  }, dstMac, srcMac)

/** An ARP frame from `mac`. */
export const arpFrame = (mac: Uint8Array, dst: Uint8Array, repr: ArpWire.ArpRepr): Uint8Array =>
  Eth.emit({ dst, src: mac, etherType: Eth.EtherType.ARP, payload: ArpWire.emit(repr) })

/** Who an ARP packet says sent it: the peer (PEER_MAC, PEER_ADDR) unless told otherwise. */
export interface ArpSender {
  readonly mac?: Uint8Array
  readonly ip?: Addr.Ipv4Addr
}

/**
 * An ARP request for `targetIp` from `from`, sent to `dst` (the Ethernet
 * broadcast unless told). A request for the sender's own address is a
 * gratuitous ARP (RFC 5227 §2.3).
 */
export const arpRequest = (targetIp: Addr.Ipv4Addr, from: ArpSender = {}, dst: Uint8Array = Eth.BROADCAST): Uint8Array => {
  const senderMac = from.mac ?? PEER_MAC
  return arpFrame(senderMac, dst, {
    op: ArpWire.Op.Request,
    senderMac,
    senderIp: from.ip ?? PEER_ADDR,
    targetMac: new Uint8Array(6),
    targetIp
  })
}

/** A unicast ARP reply from `from` to the host at `targetMac`/`targetIp`. */
export const arpReply = (targetMac: Uint8Array, targetIp: Addr.Ipv4Addr, from: ArpSender = {}): Uint8Array => {
  const senderMac = from.mac ?? PEER_MAC
  return arpFrame(senderMac, targetMac, { op: ArpWire.Op.Reply, senderMac, senderIp: from.ip ?? PEER_ADDR, targetMac, targetIp })
}

/** Parse a frame as ARP, or undefined. */
export const asArp = (frame: Uint8Array): ArpWire.ArpRepr | undefined => {
  const e = Eth.parse(frame)
  if (Either.isLeft(e) || e.right.etherType !== Eth.EtherType.ARP) return undefined
  return Either.getOrUndefined(ArpWire.parse(e.right.payload))
}

/** Parse a frame as IPv4, or undefined. */
export const asIpv4 = (frame: Uint8Array): Ip.Ipv4Repr | undefined => {
  const e = Eth.parse(frame)
  if (Either.isLeft(e) || e.right.etherType !== Eth.EtherType.IPv4) return undefined
  return Either.getOrUndefined(Ip.parse(e.right.payload))
}

/** The TCP segment a frame carries, or undefined (not IPv4, not TCP, or malformed). */
export const asTcp = (frame: Uint8Array): TcpWire.TcpSegment | undefined => {
  const ip = asIpv4(frame)
  if (ip === undefined || ip.protocol !== Ip.Protocol.TCP) return undefined
  return Either.getOrUndefined(TcpWire.parse(ip.payload, ip.src, ip.dst))
}

/** A minimal IPv4 repr with defaults. */
export const ipRepr = (over: Partial<Ip.Ipv4Repr> & Pick<Ip.Ipv4Repr, "src" | "dst" | "protocol" | "payload">): Ip.Ipv4Repr => ({
  tos: 0,
  id: 1,
  dontFragment: false,
  moreFragments: false,
  fragmentOffset: 0,
  ttl: 64,
  options: new Uint8Array(0),
  ...over
})

/** An IPv4 repr carrying the TCP segment `repr` with `payload`, checksummed for `src` → `dst`. */
export const tcpRepr = (
  repr: TcpWire.TcpRepr,
  payload: Uint8Array,
  src: Addr.Ipv4Addr,
  dst: Addr.Ipv4Addr
): Ip.Ipv4Repr => ipRepr({ src, dst, protocol: Ip.Protocol.TCP, payload: TcpWire.emit(repr, payload, src, dst) })

/**
 * The peer's SYN-ACK to the stack's `syn`, from port `srcPort` with ISN `isn`, offering an MSS of
 * 1460 and nothing else (no SACK, no timestamps), as `tcpRepr` makes it for `src` → `dst`.
 */
export const synAckTo = (
  syn: Pick<TcpWire.TcpSegment, "srcPort" | "seq">,
  srcPort: number,
  isn: Seq.SeqNum,
  src: Addr.Ipv4Addr,
  dst: Addr.Ipv4Addr
): Ip.Ipv4Repr =>
  tcpRepr({
    srcPort,
    dstPort: syn.srcPort,
    seq: isn,
    ack: Seq.add(syn.seq, 1),
    flags: TcpWire.Flag.SYN | TcpWire.Flag.ACK,
    window: 64240,
    urgent: 0,
    options: { mss: 1460, sackPermitted: false }
  }, new Uint8Array(0), src, dst)

/**
 * The TCP segment `repr` (its own options ignored) whose options are exactly
 * the octets `raw`, a whole number of words, however malformed, then
 * `payload`, checksummed for `src` → `dst`: the options are the only thing
 * that may be wrong with it.
 */
export const tcpWithRawOptions = (
  repr: TcpWire.TcpRepr,
  raw: ReadonlyArray<number>,
  payload: Uint8Array,
  src: Addr.Ipv4Addr,
  dst: Addr.Ipv4Addr
): Uint8Array => {
  if (raw.length % 4 !== 0 || raw.length > 40) throw new Error("test bug: options must be whole words, <= 40")
  const plain = TcpWire.emit({ ...repr, options: TcpWire.NO_OPTIONS }, payload, src, dst)
  const hl = TcpWire.HEADER_LEN + raw.length
  const b = new Uint8Array(hl + payload.length)
  b.set(plain.subarray(0, TcpWire.HEADER_LEN))
  b.set(raw, TcpWire.HEADER_LEN)
  b.set(payload, hl)
  b[TcpWire.Field.dataOffset] = (hl / 4) << 4
  b[TcpWire.Field.checksum] = 0
  b[TcpWire.Field.checksum + 1] = 0
  const c = Checksum.finish(Checksum.sum(b, Checksum.pseudoHeaderSum(src, dst, TcpWire.PROTOCOL, b.length)))
  b[TcpWire.Field.checksum] = c >>> 8
  b[TcpWire.Field.checksum + 1] = c & 0xff
  return b
}

/**
 * A segment from the peer's port 40000 (to port 80 unless told): an ACK
 * with a window of 64240 and no options, unless `over` says otherwise; as
 * `tcpRepr` makes it.
 */
export const peerSegment = (
  over: Partial<TcpWire.TcpRepr>,
  payload: Uint8Array,
  src: Addr.Ipv4Addr,
  dst: Addr.Ipv4Addr
): Ip.Ipv4Repr =>
  tcpRepr(
    {
      srcPort: 40000,
      dstPort: 80,
      seq: Seq.ZERO,
      ack: Seq.ZERO,
      flags: TcpWire.Flag.ACK,
      window: 64240,
      urgent: 0,
      options: TcpWire.NO_OPTIONS,
      ...over
    },
    payload,
    src,
    dst
  )
