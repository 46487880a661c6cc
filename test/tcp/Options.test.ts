/**
 * What an option means, and where: the state machine's half of Linux's
 * tcp_parse_options (net/ipv4/tcp_input.c), whose codec half is in
 * test/wire/TcpHeader.test.ts. MSS, window scale and SACK-permitted count
 * only on a SYN of a connection being set up (`th->syn && !estab`); a SACK
 * only once SACK-permitted was exchanged (`opt_rx->sack_ok`); a timestamp
 * only once both sides sent one (`estab && tstamp_ok`, or offered ourselves
 * on an active open); a SACK block only when tcp_is_sackblock_valid takes
 * it. Segments here are read from octets (`Segment.read`), so codec and
 * state machine are tested together, as the dealer runs them.
 */
import { describe, expect, it } from "vitest"
import * as Handshake from "../../src/tcp/Handshake.js"
import * as Segment from "../../src/tcp/Segment.js"
import { ACK, SYN } from "../../src/tcp/Segment.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { tcpWithRawOptions } from "../support/Peer.js"
import * as T from "../support/TcpSocket.js"

const MSS = 1460
const SRC = 0xc6120001
const DST = 0xc6120002

/** The peer's segment with exactly the option octets `raw`, through the codec as the dealer reads it. */
const fromOctets = (
  f: { readonly seq: Seq.SeqNum; readonly ack?: Seq.SeqNum; readonly flags: number; readonly window?: number },
  raw: ReadonlyArray<number>,
  payload: Uint8Array = Segment.EMPTY
): Segment.Segment => {
  const b = tcpWithRawOptions({
    srcPort: T.REMOTE_PORT,
    dstPort: T.LOCAL_PORT,
    seq: f.seq,
    ack: f.ack ?? Seq.ZERO,
    flags: f.flags,
    window: f.window ?? 64240,
    urgent: 0,
    options: TcpWire.NO_OPTIONS
  }, raw, payload, SRC, DST)
  const checked = TcpWire.check(b, 0, b.length, SRC, DST)
  expect(checked).toBe(TcpWire.HEADER_LEN + raw.length) // options never fail the check
  return Segment.read(b, 0, checked, b.length)
}

const sent = (out: ReadonlyArray<Segment.OutSegment>) => out.reduce((n, o) => n + (o.payload?.length ?? 0), 0)
/** Our sequence number `n` octets after our ISN + 1. */
const ours = (n: number) => Seq.add(T.LOCAL_ISN, 1 + n)

describe("options only a SYN carries (Linux's tcp_parse_options: th->syn && !estab)", () => {
  it("a SYN's window shift of 15 is taken as 14 (RFC 7323 §2.3; Linux's \"Illegal window scaling value\")", () => {
    const syn = fromOctets({ seq: T.REMOTE_ISN, flags: SYN }, [2, 4, 0x05, 0xb4, 1, 3, 3, 15])
    expect(syn.options.windowScale).toBe(14)
    const h = Handshake.halfOpen(T.params(), { localPort: T.LOCAL_PORT, remotePort: T.REMOTE_PORT }, syn, T.LOCAL_ISN, T.MTU, 0)
    expect(h.sndShift).toBe(14)
    const v = Handshake.inSynReceived(T.params(), h, Segment.make({ seq: Seq.add(T.REMOTE_ISN, 1), ack: Seq.add(T.LOCAL_ISN, 1), flags: ACK, window: 1 }), 10)
    expect(v._tag === "Established" && v.negotiated.window).toBe(1 << 14)
  })

  it("an MSS on a segment without SYN is ignored: the MSS stays the SYN's", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    s.send(10, fromOctets({ seq: Seq.add(T.REMOTE_ISN, 1), ack: ours(0), flags: ACK }, [2, 4, 0, 100]))
    const out = s.write(20, T.octets(3000))
    expect(out[0]!.payload!.length).toBe(MSS)
  })

  it("a window scale on a segment without SYN is ignored: an unscaled connection stays unscaled", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    // (a larger window than the handshake's: from the same SEQ, acknowledging nothing new, only such
    // a one is taken, as Linux's tcp_may_update_window; scaled by the option, it would be 128 times it)
    s.send(10, fromOctets({ seq: Seq.add(T.REMOTE_ISN, 1), ack: ours(0), flags: ACK, window: 65000 }, [1, 3, 3, 7]))
    expect(s.snd.sndWnd).toBe(65000)
  })

  it("SACK-permitted on a segment without SYN does not turn SACK on: out-of-order data draws no SACK block", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    s.send(10, fromOctets({ seq: Seq.add(T.REMOTE_ISN, 1), ack: ours(0), flags: ACK }, [1, 1, 4, 2]))
    const out = s.send(20, T.fromPeer({ seq: 100, payload: "late" }))
    expect(out.map((o) => o.options.sack)).toEqual(out.map(() => undefined))
    expect(out.length).toBeGreaterThan(0) // the duplicate ACK went, without blocks
  })

  it("a SYN-ACK's MSS, shift and SACK-permitted are read in SYN-SENT; the timestamp too when we offered one", () => {
    const { socket } = T.synSent({ now: 0 })
    socket.send(10, fromOctets({ seq: T.REMOTE_ISN, ack: ours(0), flags: SYN | ACK }, [2, 4, 0x03, 0xe8, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 1, 3, 3, 2]))
    expect(socket.state).toBe("Established")
    expect([socket.snd.sackOk, socket.snd.tsOk]).toEqual([true, true])
    expect(socket.write(20, T.octets(3000))[0]!.payload!.length).toBe(1000 - 12) // MSS less the timestamps option
  })
})

describe("options only a connection that agreed to them uses", () => {
  it("a SYN-ACK with timestamps to a SYN that offered none: none are used (RFC 7323 §3.2)", () => {
    const { socket, syn } = T.synSent({ now: 0, params: { timestamps: false } })
    expect(syn.options.timestamp).toBeUndefined()
    const out = socket.send(10, fromOctets({ seq: T.REMOTE_ISN, ack: ours(0), flags: SYN | ACK }, [2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 1]))
    expect(socket.state).toBe("Established")
    expect(out.map((o) => o.options.timestamp)).toEqual([undefined])
    expect(socket.write(20, "abc").map((o) => o.options.timestamp)).toEqual([undefined])
  })

  it("a SYN-ACK with SACK-permitted and a shift to a SYN that offered neither: neither is used", () => {
    const { socket, syn } = T.synSent({ now: 0, params: { sack: false, windowScaling: false, timestamps: false } })
    expect([syn.options.sackPermitted, syn.options.windowScale]).toEqual([false, undefined])
    socket.send(10, fromOctets({ seq: T.REMOTE_ISN, ack: ours(0), flags: SYN | ACK, window: 100 }, [2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7]))
    expect(socket.snd.sackOk).toBe(false)
    expect(sent(socket.write(20, T.octets(3000)))).toBe(100) // the window unscaled
  })

  it("SACK blocks on a connection without SACK are ignored: nothing is marked SACKed", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    s.write(0, T.octets(5 * MSS))
    s.send(10, fromOctets({ seq: Seq.add(T.REMOTE_ISN, 1), ack: ours(0), flags: ACK }, [1, 1, 5, 10, ...be32(ours(MSS)), ...be32(ours(3 * MSS))]))
    expect(s.snd.board.sacked).toBe(0)
  })
})

function be32(n: number): Array<number> {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]
}

describe("SACK blocks Linux's tcp_is_sackblock_valid refuses are ignored whole, not clipped", () => {
  /** SACK on, ten full segments in flight (the initial window): SND.UNA = 0, SND.MAX = 10 MSS. */
  const inFlight = () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: true } })
    expect(sent(s.write(0, T.octets(10 * MSS)))).toBe(10 * MSS)
    return s
  }
  const ackWith = (ack: number, ...blocks: ReadonlyArray<readonly [number, number]>) =>
    T.fromPeer({ ack, options: { sackPermitted: false, sack: blocks.map(([l, r]) => ({ left: ours(l), right: ours(r) })) } })

  it("a sound block is taken (the control)", () => {
    const s = inFlight()
    s.send(10, ackWith(0, [2 * MSS, 4 * MSS]))
    expect(s.snd.board.sacked).toBe(2 * MSS)
  })

  it("a block reaching past SND.MAX (\"too far in future\") marks nothing", () => {
    const s = inFlight()
    s.send(10, ackWith(0, [2 * MSS, 11 * MSS]))
    expect(s.snd.board.sacked).toBe(0)
    // the sound block beside it still counts
    s.send(11, ackWith(0, [2 * MSS, 11 * MSS], [5 * MSS, 6 * MSS]))
    expect(s.snd.board.sacked).toBe(MSS)
  })

  it("a block that is not a D-SACK and starts at or below the cumulative ACK marks nothing", () => {
    const s = inFlight()
    // the second block straddles the ACK of 1 MSS: a receiver holding [0, 3 MSS) would have acknowledged it
    s.send(10, ackWith(MSS, [5 * MSS, 6 * MSS], [0, 3 * MSS]))
    expect(s.snd.board.sacked).toBe(MSS)
  })

  it("a first block that straddles the cumulative ACK (a D-SACK must lie wholly below it) marks nothing", () => {
    const s = inFlight()
    s.send(10, ackWith(MSS, [0, 3 * MSS]))
    expect(s.snd.board.sacked).toBe(0)
  })
})
