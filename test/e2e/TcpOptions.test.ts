/**
 * Malformed TCP options against a listener, from a raw peer (RFC 9293 §3.1,
 * RFC 1122 §4.2.2.5 MUST-7: an illegal option length must not crash TCP).
 * The stack reads them as Linux's tcp_parse_options does (TcpHeader.ts):
 * a length below 2 or past the options area ends the walk, a known kind
 * with a length not its own is skipped, and the segment is processed with
 * what was read; it is not dropped, so a middlebox that mangles one option
 * does not blackhole the connection. The options go on the wire as octets,
 * since the codec cannot write a malformed option. The table of
 * test/fixtures/tcpOptionCases.ts runs here against our stack, and in
 * test/kernel/TcpOptions.test.ts against a Linux listener: the same answers.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import type { Scope } from "effect"
import * as Seq from "../../src/tcp/SeqNum.js"
import { type Connection, Tcp } from "../../src/tcp/Tcp.js"
import type { TcpError } from "../../src/tcp/TcpError.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { OPTION_CASES } from "../fixtures/tcpOptionCases.js"
import { boundedWait } from "../support/Clock.js"
import { asTcp, ipFrame, ipRepr, PEER_ADDR, type Peer, tcpWithRawOptions } from "../support/Peer.js"
import { ADDR_A, MAC_A, run, stackWithPeer } from "../support/TestNet.js"

const ISN = Seq.make(0xfffffff0)
const { ACK, PSH, SYN } = TcpWire.Flag

/**
 * A frame from the peer's port 40000 (unless told) to port 80 whose options are exactly
 * the octets `raw` (whole words), checksummed: the options are the only
 * thing that may be wrong with it.
 */
const rawFrame = (
  fields: { readonly seq: Seq.SeqNum; readonly ack?: Seq.SeqNum; readonly flags: number; readonly srcPort?: number },
  raw: ReadonlyArray<number>,
  payload: Uint8Array = new Uint8Array(0)
): Uint8Array => {
  const b = tcpWithRawOptions({
    srcPort: fields.srcPort ?? 40000,
    dstPort: 80,
    seq: fields.seq,
    ack: fields.ack ?? Seq.ZERO,
    flags: fields.flags,
    window: 64240,
    urgent: 0,
    options: TcpWire.NO_OPTIONS
  }, raw, payload, PEER_ADDR, ADDR_A)
  return ipFrame(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.TCP, payload: b }), MAC_A)
}

const be32 = (n: number): Array<number> => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]
/** The aligned timestamps option, as Linux sends it: NOP, NOP, kind 8, length 10. */
const tsOption = (value: number, echo: number): Array<number> => [1, 1, 8, 10, ...be32(value), ...be32(echo)]

/** The next TCP segment the stack sends (skipping anything else). */
const nextTcp = (peer: Peer): Effect.Effect<TcpWire.TcpSegment> =>
  Effect.gen(function*() {
    for (let i = 0; i < 10; i++) {
      const s = asTcp(yield* peer.next)
      if (s !== undefined) return s
    }
    throw new Error("no TCP segment in 10 frames")
  })

/** Open a connection to a listener on port 80 with a SYN carrying `synOptions` (octets); the peer answers the SYN-ACK with `ackOptions`. */
const open = (
  synOptions: ReadonlyArray<number>,
  ackOptions: (synAck: TcpWire.TcpSegment) => ReadonlyArray<number> = () => []
): Effect.Effect<{ readonly peer: Peer; readonly conn: Connection; readonly synAck: TcpWire.TcpSegment; readonly ack: Seq.SeqNum }, TcpError, Scope.Scope> =>
  Effect.gen(function*() {
    const { peer, stack } = yield* stackWithPeer()
    const listener = yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
    yield* peer.sendFrame(rawFrame({ seq: ISN, flags: SYN }, synOptions))
    const synAck = yield* nextTcp(peer)
    expect(synAck.flags).toBe(SYN | ACK)
    const ack = Seq.add(synAck.seq, 1)
    yield* peer.sendFrame(rawFrame({ seq: Seq.add(ISN, 1), ack, flags: ACK }, ackOptions(synAck)))
    const conn = yield* boundedWait(listener.accept, "the accepted connection")
    return { peer, conn, synAck, ack }
  })

const readText = (conn: Connection, n: number): Effect.Effect<string, TcpError> =>
  Effect.gen(function*() {
    let got = ""
    while (got.length < n) {
      const chunk = yield* boundedWait(conn.read, "data from the peer")
      got += new TextDecoder().decode(Option.getOrThrow(chunk))
    }
    return got
  })

const MSS_1000 = [2, 4, 0x03, 0xe8]

describe("malformed TCP options from a raw peer: read as Linux reads them, the segment kept", () => {
  it.scoped("a SYN with a length-1 option after a valid MSS: the MSS is kept and the connection opens", () =>
    Effect.gen(function*() {
      // (the walk stops at the length of 1; what follows it, a window scale, is not read)
      const { conn, peer, synAck } = yield* open([...MSS_1000, 30, 1, 0, 1, 1, 3, 3, 7])
      expect(synAck.options.windowScale).toBeUndefined() // no shift was read, so none is answered
      yield* conn.write(new Uint8Array(3000))
      const first = yield* nextTcp(peer)
      expect(first.payload.length).toBe(1000) // the peer's MSS, not the 536 of no MSS
    }))

  it.scoped("a SYN whose SACK-permitted has length 3: skipped, the MSS, timestamps and window scale after it are read", () =>
    Effect.gen(function*() {
      const { synAck } = yield* open([...MSS_1000, 4, 3, 0, 1, ...tsOption(100, 0), 1, 3, 3, 7], (s) => tsOption(101, s.options.timestamp!.value))
      expect(synAck.options.sackPermitted).toBe(false)
      expect(synAck.options.timestamp?.echo).toBe(100)
      expect(synAck.options.windowScale).toBeDefined()
    }))

  it.scoped("after timestamps were negotiated, data whose timestamp option has length 8 is taken as data without a timestamp", () =>
    Effect.gen(function*() {
      const { ack, conn, peer, synAck } = yield* open([...MSS_1000, ...tsOption(100, 0)], (s) => tsOption(101, s.options.timestamp!.value))
      expect(synAck.options.timestamp).toBeDefined()
      const hello = new TextEncoder().encode("hello")
      yield* peer.sendFrame(rawFrame({ seq: Seq.add(ISN, 1), ack, flags: ACK | PSH }, [1, 1, 8, 8, 0, 0, 0, 102, 0, 0, 1, 1], hello))
      expect(yield* readText(conn, 5)).toBe("hello")
      // and it is acknowledged
      let acked = Seq.add(ISN, 1)
      while (Seq.lt(acked, Seq.add(ISN, 6))) acked = (yield* nextTcp(peer)).ack
      expect(acked).toBe(Seq.add(ISN, 6))
    }))

  it.scoped("data with a SACK option of length 11 (not 2 + 8n) and with an option of length 0: both taken", () =>
    Effect.gen(function*() {
      const { ack, conn, peer } = yield* open([...MSS_1000, 1, 1, 4, 2])
      const enc = new TextEncoder()
      yield* peer.sendFrame(rawFrame({ seq: Seq.add(ISN, 1), ack, flags: ACK | PSH }, [1, 1, 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 9, 1, 1, 1], enc.encode("abc")))
      yield* peer.sendFrame(rawFrame({ seq: Seq.add(ISN, 4), ack, flags: ACK | PSH }, [30, 0, 0, 0], enc.encode("def")))
      expect(yield* readText(conn, 6)).toBe("abcdef")
    }))
})

describe("the table Linux is checked against (test/fixtures/tcpOptionCases.ts): our listener answers and takes the same", () => {
  OPTION_CASES.forEach((c, i) => {
    it.scoped(c.name, () =>
      Effect.gen(function*() {
        const { peer, stack } = yield* stackWithPeer()
        const listener = yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
        const srcPort = 42000 + i
        const isn = Seq.make(1000)
        yield* peer.sendFrame(rawFrame({ seq: isn, flags: SYN, srcPort }, c.syn))
        const synAck = yield* nextTcp(peer)
        expect(synAck.flags).toBe(SYN | ACK)
        const o = synAck.options
        expect({ timestamps: o.timestamp !== undefined, windowScale: o.windowScale !== undefined, sackPermitted: o.sackPermitted }).toEqual(c.answered)
        const echo = o.timestamp === undefined ? [] : tsOption(8, o.timestamp.value)
        yield* peer.sendFrame(rawFrame({ seq: Seq.add(isn, 1), ack: Seq.add(synAck.seq, 1), flags: ACK, srcPort }, echo))
        const conn = yield* boundedWait(listener.accept, "the accepted connection")
        yield* conn.write(new Uint8Array(3000))
        let first = yield* nextTcp(peer)
        while (first.payload.length === 0) first = yield* nextTcp(peer)
        expect(first.payload.length).toBe(c.firstSegment)
      }))
  })
})
