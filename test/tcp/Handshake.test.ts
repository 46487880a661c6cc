/**
 * The three-way handshake as pure state-machine steps (smoltcp's
 * `src/socket/tcp.rs` tests, grouped by state): LISTEN and SYN-RECEIVED
 * through the listener's records (Handshake.ts), SYN-SENT through the
 * composed halves (test/support/TcpSocket.ts), then what the handshake
 * settles: MSS and the window-scale matrix. Every step names its time; the
 * peer's ISN is 0xfffffff0, so its sequence numbers wrap.
 *
 * Expected values come from RFC 9293 §3.5/§3.10.7, RFC 7323, RFC 2018,
 * RFC 6691, RFC 6928, and Linux where they leave a choice.
 */
import { describe, expect, it } from "vitest"
import * as Handshake from "../../src/tcp/Handshake.js"
import type * as Params from "../../src/tcp/Params.js"
import { ACK, FIN, RST, SYN } from "../../src/tcp/Segment.js"
import * as Segment from "../../src/tcp/Segment.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as Sender from "../../src/tcp/Sender.js"
import type * as TcpWire from "../../src/wire/TcpHeader.js"
import * as T from "../support/TcpSocket.js"

const PORTS = { localPort: T.LOCAL_PORT, remotePort: T.REMOTE_PORT }
/** Our MSS on a 1500-octet MTU: 1500 - 20 (IPv4) - 20 (TCP), RFC 6691. */
const OUR_MSS = 1460
/** The shift for the default largest receive buffer, 4 MiB: 4 MiB / 2^7 = 32768 is the first to fit 16 bits. */
const DEFAULT_SHIFT = 7

const listenerSyn = (options: TcpWire.TcpOptions, window = 64240) =>
  Segment.make({ seq: T.REMOTE_ISN, flags: SYN, window, options })

const synAckSeen = (p: ReturnType<typeof T.params>, h: Handshake.HalfOpen, now: number) =>
  T.seen({ ...Handshake.synAck(p, h, now), payload: undefined })

/** A peer segment at absolute sequence numbers. */
const raw = (f: { seq: Seq.SeqNum; ack?: Seq.SeqNum; flags: number; payload?: string; options?: TcpWire.TcpOptions }) =>
  Segment.make({
    seq: f.seq,
    ack: f.ack ?? Seq.ZERO,
    flags: f.flags,
    window: 64240,
    options: f.options ?? { sackPermitted: false },
    payload: f.payload === undefined ? Segment.EMPTY : new TextEncoder().encode(f.payload)
  })

/** Our SYN-ACK (seq, ack relative) to a SYN that offered nothing but an MSS. */
const BARE_SYN_ACK = {
  seq: -1,
  ack: 0,
  flags: "SYN|ACK",
  window: 65535,
  options: { mss: OUR_MSS, sackPermitted: false },
  len: 0,
  data: ""
}

describe("LISTEN (RFC 9293 §3.10.7.2)", () => {
  it("an RST is ignored, with or without ACK (smoltcp #1058)", () => {
    expect(Handshake.inListen(raw({ seq: T.REMOTE_ISN, flags: RST }))._tag).toBe("Ignore")
    expect(Handshake.inListen(raw({ seq: T.REMOTE_ISN, ack: Seq.make(1234), flags: RST | ACK }))._tag).toBe("Ignore")
  })
  it("an ACK draws <SEQ=SEG.ACK><CTL=RST>, before the SYN is looked at", () => {
    expect(Handshake.inListen(raw({ seq: T.REMOTE_ISN, ack: Seq.make(0xdeadbeef), flags: ACK })))
      .toEqual({ _tag: "Reset", seq: Seq.make(0xdeadbeef) })
    expect(Handshake.inListen(raw({ seq: T.REMOTE_ISN, ack: Seq.make(7), flags: SYN | ACK })))
      .toEqual({ _tag: "Reset", seq: Seq.make(7) })
    expect(Handshake.inListen(raw({ seq: T.REMOTE_ISN, ack: Seq.make(7), flags: FIN | ACK, payload: "x" })))
      .toEqual({ _tag: "Reset", seq: Seq.make(7) })
  })
  it("a SYN opens; anything else without ACK is dropped", () => {
    expect(Handshake.inListen(listenerSyn({ sackPermitted: false }))._tag).toBe("Syn")
    expect(Handshake.inListen(raw({ seq: T.REMOTE_ISN, flags: FIN }))._tag).toBe("Ignore")
    // SYN and FIN together open nothing (Linux discards them in LISTEN)
    expect(Handshake.inListen(raw({ seq: T.REMOTE_ISN, flags: SYN | FIN }))._tag).toBe("Ignore")
    expect(Handshake.inListen(raw({ seq: T.REMOTE_ISN, flags: 0, payload: "data" }))._tag).toBe("Ignore")
  })

  describe("the SYN-ACK answers only what the SYN offered (RFC 7323 §1.3, RFC 2018 §2)", () => {
    const p = T.params()
    it("nothing offered but the MSS: MSS alone, unscaled window", () => {
      const h = Handshake.halfOpen(p, PORTS, listenerSyn({ mss: 1460, sackPermitted: false }), T.LOCAL_ISN, T.MTU, 1000)
      expect(synAckSeen(p, h, 1000)).toEqual(BARE_SYN_ACK)
    })
    it("everything offered: SACK-permitted, timestamps echoing TSval, our shift", () => {
      const h = Handshake.halfOpen(
        p,
        PORTS,
        listenerSyn({ mss: 1460, sackPermitted: true, timestamp: { value: 777, echo: 0 }, windowScale: 2 }),
        T.LOCAL_ISN,
        T.MTU,
        5000
      )
      expect(synAckSeen(p, h, 5000)).toEqual({
        seq: -1,
        ack: 0,
        flags: "SYN|ACK",
        window: 65535,
        options: {
          mss: OUR_MSS,
          sackPermitted: true,
          timestamp: { value: 5000, echo: 777 },
          windowScale: DEFAULT_SHIFT
        },
        len: 0,
        data: ""
      })
    })
    it("each option alone is answered alone", () => {
      const only = (o: Partial<TcpWire.TcpOptions>) =>
        synAckSeen(
          p,
          Handshake.halfOpen(p, PORTS, listenerSyn({ sackPermitted: false, ...o }), T.LOCAL_ISN, T.MTU, 10),
          10
        ).options
      expect(only({ timestamp: { value: 9, echo: 0 } })).toEqual({
        mss: OUR_MSS,
        sackPermitted: false,
        timestamp: { value: 10, echo: 9 }
      })
      expect(only({ sackPermitted: true })).toEqual({ mss: OUR_MSS, sackPermitted: true })
      // a shift of 0 is an offer too (RFC 7323 §2.2): it is answered
      expect(only({ windowScale: 0 })).toEqual({ mss: OUR_MSS, sackPermitted: false, windowScale: DEFAULT_SHIFT })
    })
    it("what our parameters turn off is not answered even when offered", () => {
      const off = T.params({ timestamps: false, sack: false, windowScaling: false })
      const h = Handshake.halfOpen(
        off,
        PORTS,
        listenerSyn({ mss: 1460, sackPermitted: true, timestamp: { value: 1, echo: 0 }, windowScale: 7 }),
        T.LOCAL_ISN,
        T.MTU,
        0
      )
      expect(synAckSeen(off, h, 0).options).toEqual({ mss: OUR_MSS, sackPermitted: false })
    })
  })
})

describe("SYN-RECEIVED (RFC 9293 §3.10.7.4)", () => {
  const p = T.params()
  const half = (now = 0) =>
    Handshake.halfOpen(
      p,
      PORTS,
      listenerSyn({ mss: 1460, sackPermitted: true, timestamp: { value: 100, echo: 0 }, windowScale: 7 }),
      T.LOCAL_ISN,
      T.MTU,
      now
    )
  const ackOf = (ack: Seq.SeqNum, seq = Seq.add(T.REMOTE_ISN, 1), options?: TcpWire.TcpOptions) =>
    raw({ seq, ack, flags: ACK, options: options ?? { sackPermitted: false, timestamp: { value: 101, echo: 0 } } })

  it("the ACK of ISS + 1 completes the handshake; its window is scaled by the SYN's shift", () => {
    const v = Handshake.inSynReceived(p, half(0), { ...ackOf(Seq.add(T.LOCAL_ISN, 1)), window: 500 }, 30)
    expect(v._tag).toBe("Established")
    if (v._tag !== "Established") return
    // RFC 7323 §2.2: only the SYN's window is unscaled; the completing ACK's is scaled (500 << 7)
    expect(v.negotiated.window).toBe(500 * 128)
    expect(v.negotiated.sndShift).toBe(7)
    expect(v.negotiated.rcvShift).toBe(DEFAULT_SHIFT)
    expect(v.negotiated.tsRecent).toBe(101)
    expect(v.negotiated.rttSample).toBe(30)
  })
  it("a SYN-ACK resent: Karn's rule leaves no sample from the clock, but the echoed timestamp names the copy answered (Linux's tcp_ack_update_rtt takes the TSecr)", () => {
    const h = half(0)
    // the SYN-ACK went again at 1000 (TSval 1000, as the listener's timer resends it), its ACK came at 1100
    h.retries = 1
    const v = Handshake.inSynReceived(p, h, ackOf(Seq.add(T.LOCAL_ISN, 1), undefined, { sackPermitted: false, timestamp: { value: 101, echo: 1000 } }), 1100)
    expect(v._tag).toBe("Established")
    if (v._tag !== "Established") return
    expect(v.negotiated.rttSample).toBe(100)
    // an echo from before the first SYN-ACK is no sample of this handshake: none then (3 s, RFC 6298 §5.7)
    const w = Handshake.inSynReceived(p, h, ackOf(Seq.add(T.LOCAL_ISN, 1), undefined, { sackPermitted: false, timestamp: { value: 101, echo: 0xfffffff0 } }), 1100)
    expect(w._tag === "Established" && w.negotiated.rttSample).toBeUndefined()
  })
  it("an ACK too low (ISS) or too high (ISS + 2) draws <SEQ=SEG.ACK><CTL=RST>", () => {
    expect(Handshake.inSynReceived(p, half(), ackOf(T.LOCAL_ISN), 10)).toEqual({ _tag: "Reset", seq: T.LOCAL_ISN })
    expect(Handshake.inSynReceived(p, half(), ackOf(Seq.add(T.LOCAL_ISN, 2)), 10))
      .toEqual({ _tag: "Reset", seq: Seq.add(T.LOCAL_ISN, 2) })
  })
  it("the SYN again re-sends the SYN-ACK: same sequence numbers and options, a fresh TSval", () => {
    const h = half(0)
    expect(Handshake.inSynReceived(p, h, listenerSyn({ mss: 1460, sackPermitted: true }), 400)._tag).toBe("Resend")
    expect(synAckSeen(p, h, 400)).toEqual({ ...synAckSeen(p, h, 0), options: {
      mss: OUR_MSS,
      sackPermitted: true,
      timestamp: { value: 400, echo: 100 },
      windowScale: DEFAULT_SHIFT
    } })
  })
  it("the SYN repeated re-sends the SYN-ACK at most once per 500 ms, the limit its other answers share (Linux's tcp_check_req: tcp_oow_rate_limited)", () => {
    const h = half(0)
    const again = listenerSyn({ mss: 1460, sackPermitted: true, timestamp: { value: 100, echo: 0 } })
    const verdicts = Array.from({ length: 50 }, (_, i) => Handshake.inSynReceived(p, h, again, 10 + i)._tag)
    expect(verdicts.filter((v) => v === "Resend")).toHaveLength(1)
    expect(verdicts.filter((v) => v === "Ignore")).toHaveLength(49)
    // only the SYN-ACK that went counts as resent (Karn's rule for the handshake's sample)
    expect(h.resent).toBe(1)
    expect(Handshake.inSynReceived(p, h, again, 509)._tag).toBe("Ignore")
    expect(Handshake.inSynReceived(p, h, again, 510)._tag).toBe("Resend")
    // one limit for the entry: an ACK to an RST in the window holds back the next SYN-ACK too
    const g = half(0)
    expect(Handshake.inSynReceived(p, g, raw({ seq: Seq.add(T.REMOTE_ISN, 2), flags: RST }), 10)._tag).toBe("Ack")
    expect(Handshake.inSynReceived(p, g, again, 20)._tag).toBe("Ignore")
  })
  it("the SYN again restarts the SYN-ACK timer from the resend: 1 s, doubled once per timer retransmission so far (Linux's tcp_check_req: mod_timer_pending to tcp_reqsk_timeout); a SYN the limit holds back moves nothing", () => {
    const h = half(0)
    const again = listenerSyn({ mss: 1460, sackPermitted: true, timestamp: { value: 100, echo: 0 } })
    expect(h.deadline).toBe(1000)
    expect(Handshake.inSynReceived(p, h, again, 600)._tag).toBe("Resend")
    expect(h.deadline).toBe(1600)
    // held back by the 500 ms limit: no SYN-ACK, and the timer stays where the last one set it
    expect(Handshake.inSynReceived(p, h, again, 900)._tag).toBe("Ignore")
    expect(h.deadline).toBe(1600)
    // after two timer retransmissions (the listener's, at 1.6 s and 3.6 s) the next waits 4 s, from the resend
    h.retries = 2
    h.deadline = 7600
    expect(Handshake.inSynReceived(p, h, again, 5000)._tag).toBe("Resend")
    expect(h.deadline).toBe(9000)
    // a resend is no timer retransmission: the retry limit counts only those (Linux's num_timeout, not num_retrans)
    expect([h.retries, h.resent]).toEqual([2, 2])
  })
  it("the SYN-ACK timer waits 1 s doubled per timer retransmission, at most the largest RTO (Linux's tcp_reqsk_timeout: min(req->timeout << num_timeout, TCP_RTO_MAX)), restarted or not", () => {
    expect(Array.from({ length: 9 }, (_, retries) => Handshake.synAckTimeout(p, retries)))
      .toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 120_000, 120_000])
    const h = half(0)
    h.retries = 7
    h.deadline = 127_000 + 120_000
    expect(Handshake.inSynReceived(p, h, listenerSyn({ mss: 1460, sackPermitted: true }), 200_000)._tag).toBe("Resend")
    expect(h.deadline).toBe(320_000)
  })
  it("an RST resets only at RCV.NXT exactly; elsewhere in the window it draws a challenge ACK, outside nothing (RFC 5961 §3.2)", () => {
    expect(Handshake.inSynReceived(p, half(), raw({ seq: Seq.add(T.REMOTE_ISN, 1), flags: RST }), 10)._tag).toBe("Drop")
    expect(Handshake.inSynReceived(p, half(), raw({ seq: Seq.add(T.REMOTE_ISN, 2), flags: RST }), 10)._tag).toBe("Ack")
    expect(Handshake.inSynReceived(p, half(), raw({ seq: T.REMOTE_ISN, flags: RST }), 10)._tag).toBe("Ignore")
    expect(Handshake.inSynReceived(p, half(), raw({ seq: Seq.add(T.REMOTE_ISN, 0x10000), flags: RST }), 10)._tag).toBe("Ignore")
  })
  it("an RST with a TSval older than the SYN's is dropped unanswered (PAWS, Linux's tcp_paws_reject), until the half-open connection's SYN-ACK timeout reaches 60 s", () => {
    const rst = (value: number) =>
      raw({ seq: Seq.add(T.REMOTE_ISN, 1), flags: RST, options: { sackPermitted: false, timestamp: { value, echo: 0 } } })
    expect(Handshake.inSynReceived(p, half(), rst(99), 10)._tag).toBe("Ignore")
    expect(Handshake.inSynReceived(p, half(), rst(100), 10)._tag).toBe("Drop")
    expect(Handshake.inSynReceived(p, half(), raw({ seq: Seq.add(T.REMOTE_ISN, 1), flags: RST }), 10)._tag).toBe("Drop")
    // five timer resends: the next wait 32 s, the request taken for 32 s old; six: 64 s, past TCP_PAWS_MSL
    const h = half()
    h.retries = 5
    expect(Handshake.inSynReceived(p, h, rst(99), 10)._tag).toBe("Ignore")
    h.retries = 6
    expect(Handshake.inSynReceived(p, h, rst(99), 10)._tag).toBe("Drop")
  })
  it("its ACKs to refused segments without data go at most once per 500 ms (Linux's tcp_check_req: tcp_oow_rate_limited)", () => {
    const h = half()
    const rst = (i: number) => raw({ seq: Seq.add(T.REMOTE_ISN, 2 + i), flags: RST })
    const verdicts = Array.from({ length: 50 }, (_, i) => Handshake.inSynReceived(p, h, rst(i), 10 + i)._tag)
    expect(verdicts.filter((v) => v === "Ack")).toHaveLength(1)
    expect(Handshake.inSynReceived(p, h, raw({ seq: Seq.add(T.REMOTE_ISN, 0x4000_0000), flags: SYN }), 509)._tag).toBe("Ignore")
    expect(Handshake.inSynReceived(p, h, rst(60), 510)._tag).toBe("Ack")
  })
  it("another SYN: outside the window an ACK (first check), inside it the entry goes (fourth: a passive open returns to LISTEN)", () => {
    const other = (seq: Seq.SeqNum) => raw({ seq, flags: SYN, options: { mss: 1460, sackPermitted: false } })
    expect(Handshake.inSynReceived(p, half(), other(Seq.add(T.REMOTE_ISN, 0x4000_0000)), 10)._tag).toBe("Ack")
    expect(Handshake.inSynReceived(p, half(), other(Seq.add(T.REMOTE_ISN, -1000)), 10)._tag).toBe("Ack")
    expect(Handshake.inSynReceived(p, half(), other(Seq.add(T.REMOTE_ISN, 1000)), 10)._tag).toBe("Drop")
  })
  it("an ACK outside the window draws an ACK <SEQ=ISS+1><ACK=IRS+1> and does not complete it (Linux tcp_check_req)", () => {
    const h = half()
    const stale = raw({ seq: T.REMOTE_ISN, ack: Seq.add(T.LOCAL_ISN, 1), flags: ACK })
    expect(Handshake.inSynReceived(p, h, stale, 10)._tag).toBe("Ack")
    const ack = Handshake.ackFor(p, h, 10)
    expect({ seq: ack.seq, ack: ack.ack, flags: ack.flags }).toEqual({
      seq: Seq.add(T.LOCAL_ISN, 1),
      ack: Seq.add(T.REMOTE_ISN, 1),
      flags: ACK
    })
  })
  it("a segment without ACK is dropped", () => {
    expect(Handshake.inSynReceived(p, half(), raw({ seq: Seq.add(T.REMOTE_ISN, 1), flags: 0, payload: "x" }), 10)._tag)
      .toBe("Ignore")
  })
  it("an ACK without timestamps after they were negotiated still completes it (gVisor #11536)", () => {
    const v = Handshake.inSynReceived(p, half(0), ackOf(Seq.add(T.LOCAL_ISN, 1), undefined, { sackPermitted: false }), 5)
    expect(v._tag).toBe("Established")
  })
  it("a completing ACK whose TSecr echoes no TSval we sent gives the RTT from the SYN-ACK's send time, not a wrapped one (Linux's tcp_synack_rtt_meas)", () => {
    // our SYN-ACK went at 0 with TSval 0; the ACK at 30 echoes 1000 (from the future) or 0xfffffff0
    for (const echo of [1000, 0xfffffff0]) {
      const v = Handshake.inSynReceived(p, half(0), ackOf(Seq.add(T.LOCAL_ISN, 1), undefined, { sackPermitted: false, timestamp: { value: 101, echo } }), 30)
      expect(v._tag).toBe("Established")
      if (v._tag !== "Established") return
      expect(v.negotiated.rttSample).toBe(30)
    }
    // an echo of the SYN-ACK's own TSval is a good sample
    const ok = Handshake.inSynReceived(p, half(5), ackOf(Seq.add(T.LOCAL_ISN, 1), undefined, { sackPermitted: false, timestamp: { value: 101, echo: 5 } }), 30)
    expect(ok._tag === "Established" && ok.negotiated.rttSample).toBe(25)
  })
  it("PAWS (RFC 7323 §5.3 R1; Linux's tcp_check_req): an ACK or SYN whose TSval is older than the SYN's is refused with an ACK, an RST silently", () => {
    // the SYN's TSval was 100: a completing ACK with TSval 50 is an old duplicate
    const old = { sackPermitted: false, timestamp: { value: 50, echo: 0 } }
    expect(Handshake.inSynReceived(p, half(0), ackOf(Seq.add(T.LOCAL_ISN, 1), undefined, old), 10)._tag).toBe("Ack")
    // the same SYN again, but with an older TSval: not a retransmission of it
    const oldSyn = listenerSyn({ mss: 1460, sackPermitted: true, timestamp: { value: 50, echo: 0 } })
    expect(Handshake.inSynReceived(p, half(0), oldSyn, 10)._tag).toBe("Ack")
    // an RST is not exempt here, as R1's "the RST bit is off" would have it: Linux's tcp_paws_reject
    // drops it while the request is young (the test below), unanswered
    expect(Handshake.inSynReceived(p, half(0), raw({ seq: Seq.add(T.REMOTE_ISN, 1), flags: RST, options: old }), 10)._tag).toBe("Ignore")
    // an ACK of anything but ISS + 1 still draws its RST (Linux checks the ACK first)
    expect(Handshake.inSynReceived(p, half(0), ackOf(T.LOCAL_ISN, undefined, old), 10)._tag).toBe("Reset")
    // an equal TSval passes
    const same = { sackPermitted: false, timestamp: { value: 100, echo: 0 } }
    expect(Handshake.inSynReceived(p, half(0), ackOf(Seq.add(T.LOCAL_ISN, 1), undefined, same), 10)._tag).toBe("Established")
  })
  it("PAWS takes anything while the SYN's TSval was 0 (Linux's tcp_paws_check: some OSes send SYNs with TSval 0), in SYN-RECEIVED and after", () => {
    // the SYN's TSval 0, then the peer's real clock, which has its top bit set: not older than 0
    const syn = listenerSyn({ mss: 1460, sackPermitted: true, timestamp: { value: 0, echo: 0 } })
    const h = Handshake.halfOpen(p, PORTS, syn, T.LOCAL_ISN, T.MTU, 0)
    const later = { sackPermitted: false, timestamp: { value: 0x90000000, echo: 0 } }
    const v = Handshake.inSynReceived(p, h, ackOf(Seq.add(T.LOCAL_ISN, 1), undefined, later), 10)
    expect(v._tag).toBe("Established")
    // an active open whose SYN-ACK said TSval 0: the first segment on the peer's real clock is taken
    const { socket } = T.synSent({ now: 0 })
    socket.send(
      5,
      Segment.make({
        seq: T.REMOTE_ISN,
        ack: Seq.add(T.LOCAL_ISN, 1),
        flags: SYN | ACK,
        window: 64240,
        options: { mss: 1460, sackPermitted: false, timestamp: { value: 0, echo: 0 } }
      })
    )
    socket.send(10, T.fromPeer({ seq: 0, ack: 0, payload: "a", options: T.ts(0x90000000, 0) }))
    expect(socket.received.map(T.text)).toEqual(["a"])
    expect(socket.rcv.tsRecent).toBe(0x90000000)
  })
  it("after the SYN again drew a second SYN-ACK, the completing ACK gives no RTT from the first one's send time (Linux's inet_rtx_syn_ack counts it: tcp_synack_rtt_meas)", () => {
    // our first SYN-ACK was lost; the peer's SYN came again at 1000 and our second SYN-ACK went then
    const bare = Handshake.halfOpen(p, PORTS, listenerSyn({ mss: 1460, sackPermitted: false }), T.LOCAL_ISN, T.MTU, 0)
    expect(Handshake.inSynReceived(p, bare, listenerSyn({ mss: 1460, sackPermitted: false }), 1000)._tag).toBe("Resend")
    const v = Handshake.inSynReceived(p, bare, ackOf(Seq.add(T.LOCAL_ISN, 1), undefined, { sackPermitted: false }), 1010)
    // 1010 ms would be the peer's SYN timeout, not a round trip: ambiguous (Karn), no sample
    expect(v._tag === "Established" && v.negotiated.rttSample).toBeUndefined()
    // with timestamps the echo says which SYN-ACK it answers: 10 ms
    const h = half(0)
    expect(Handshake.inSynReceived(p, h, listenerSyn({ mss: 1460, sackPermitted: true, timestamp: { value: 100, echo: 0 } }), 1000)._tag)
      .toBe("Resend")
    const w = Handshake.inSynReceived(p, h, ackOf(Seq.add(T.LOCAL_ISN, 1), undefined, { sackPermitted: false, timestamp: { value: 101, echo: 1000 } }), 1010)
    expect(w._tag === "Established" && w.negotiated.rttSample).toBe(10)
  })
  it("the data starts at one segment only after more than one SYN-ACK re-sent, one at least by the timer, and an ACK that does not echo the first's TSval (RFC 5681 §3.1 as Linux's tcp_init_transfer reads it)", () => {
    // the first SYN-ACK at 50 (TSval 50), the timer's at 1050 and 3050, the peer's SYN's at 700
    const lost = (retries: number, resent: number, echo: number | undefined) => {
      const h = half(50)
      h.retries = retries
      h.resent = resent
      const options = echo === undefined ? { sackPermitted: false } : { sackPermitted: false, timestamp: { value: 101, echo } }
      const v = Handshake.inSynReceived(p, h, ackOf(Seq.add(T.LOCAL_ISN, 1), undefined, options), 3100)
      if (v._tag !== "Established") throw new Error(v._tag)
      return v.negotiated.synLost
    }
    // one re-sent by the timer: the initial window (Linux asks more than one, given the 1 s initial RTO)
    expect(lost(1, 0, 1050)).toBe(false)
    // two, whichever sent them, the ACK echoing the last: one segment
    expect(lost(2, 0, 3050)).toBe(true)
    expect(lost(1, 1, 1050)).toBe(true)
    // or with no timestamp to tell
    expect(lost(1, 1, undefined)).toBe(true)
    // only for the peer's SYN again, never by the timer: no loss of ours (Linux sets the undo marker
    // only when num_timeout, tcp_create_openreq_child)
    expect(lost(0, 2, 700)).toBe(false)
    // the ACK echoes the first SYN-ACK's TSval: that one was not lost, the rest were needless
    // (tcp_try_undo_spurious_syn)
    expect(lost(2, 0, 50)).toBe(false)
    expect(lost(1, 1, 50)).toBe(false)
  })
  it("the first SYN-ACK's TSval is read in the peer's offset clock", () => {
    const h = Handshake.halfOpen(
      p,
      PORTS,
      listenerSyn({ mss: 1460, sackPermitted: true, timestamp: { value: 100, echo: 0 }, windowScale: 7 }),
      T.LOCAL_ISN,
      T.MTU,
      50,
      0xfffff000
    )
    h.retries = 2
    const first = (50 + 0xfffff000) >>> 0
    const v = Handshake.inSynReceived(p, h, ackOf(Seq.add(T.LOCAL_ISN, 1), undefined, { sackPermitted: false, timestamp: { value: 101, echo: first } }), 3100)
    expect(v._tag === "Established" && v.negotiated.synLost).toBe(false)
    const w = Handshake.inSynReceived(p, h, ackOf(Seq.add(T.LOCAL_ISN, 1), undefined, { sackPermitted: false, timestamp: { value: 101, echo: 50 } }), 3100)
    expect(w._tag === "Established" && w.negotiated.synLost).toBe(true)
  })
  it("a completing ACK that carries data hands it to the connection", () => {
    const seg = raw({ seq: Seq.add(T.REMOTE_ISN, 1), ack: Seq.add(T.LOCAL_ISN, 1), flags: ACK, payload: "GET /" })
    expect(Handshake.inSynReceived(p, half(), seg, 5)._tag).toBe("Established")
    expect(Handshake.carriesMore(seg)).toBe(true)
  })
})

describe("SYN-ACK retries as the SYN queue fills (Linux's reqsk_timer_handler)", () => {
  it("no more than half of max(8, backlog) half-open: the full limit, whatever their age", () => {
    expect(Handshake.synAckRetryLimit(5, 4, 0, 8)).toBe(5)
    // (a backlog under 8 is taken as 8)
    expect(Handshake.synAckRetryLimit(5, 4, 0, 0)).toBe(5)
    expect(Handshake.synAckRetryLimit(5, 255, 0, 511)).toBe(5)
    expect(Handshake.synAckRetryLimit(5, 256, 0, 511)).toBe(2)
  })

  it("past half: one retry less per halving the young need to outnumber the queue, never below 2", () => {
    // five of backlog 8: three young (3 > 5/2) keep the limit, two (> 5/4) take one off, one two off
    expect([3, 2, 1].map((young) => Handshake.synAckRetryLimit(5, 5, young, 8))).toEqual([5, 4, 3])
    // none young: down to 2 (a request goes after its second retransmission, at 7 s)
    expect(Handshake.synAckRetryLimit(5, 5, 0, 8)).toBe(2)
    expect(Handshake.synAckRetryLimit(5, 300, 0, 511)).toBe(2)
    // eight with three young: 3 * 2 <= 8 < 3 * 4
    expect(Handshake.synAckRetryLimit(5, 8, 3, 8)).toBe(4)
    // the floor: a young 1 of 100 would take four off, 2 is the least
    expect(Handshake.synAckRetryLimit(5, 100, 1, 8)).toBe(2)
  })

  it("a limit of 2 or less is never lowered", () => {
    for (const limit of [0, 1, 2]) expect(Handshake.synAckRetryLimit(limit, 100, 0, 8)).toBe(limit)
    expect(Handshake.synAckRetryLimit(3, 100, 0, 8)).toBe(2)
  })
})

describe("SYN-SENT (RFC 9293 §3.10.7.3)", () => {
  const synAck = (f: { ack?: number; flags?: number; options?: TcpWire.TcpOptions; window?: number } = {}) =>
    Segment.make({
      seq: T.REMOTE_ISN,
      ack: Seq.add(T.LOCAL_ISN, f.ack ?? 1),
      flags: f.flags ?? (SYN | ACK),
      window: f.window ?? 64240,
      options: f.options ?? { mss: 1460, sackPermitted: false }
    })

  it("our SYN: ISS, unscaled window, every option the parameters allow", () => {
    const { syn } = T.synSent({ now: 250 })
    expect(T.seen(syn)).toEqual({
      seq: -1,
      ack: undefined,
      flags: "SYN",
      window: 65535,
      options: { mss: OUR_MSS, sackPermitted: true, timestamp: { value: 250, echo: 0 }, windowScale: DEFAULT_SHIFT },
      len: 0,
      data: ""
    })
  })
  it("the SYN-ACK establishes; the ACK echoes its TSval", () => {
    const { socket } = T.synSent({ now: 0 })
    const out = socket.send(
      20,
      synAck({ options: { mss: 1460, sackPermitted: true, timestamp: { value: 4000, echo: 0 }, windowScale: 7 } })
    )
    expect(socket.state).toBe("Established")
    expect(T.seenAll(out)).toEqual([{
      seq: 0,
      ack: 0,
      flags: "ACK",
      window: (256 * 1024) >> DEFAULT_SHIFT,
      options: { sackPermitted: false, timestamp: { value: 20, echo: 4000 } },
      len: 0,
      data: ""
    }])
  })
  it("an ACK of anything but ISS + 1 draws <SEQ=SEG.ACK><CTL=RST> and the SYN stays", () => {
    for (const ack of [0, 2, -1000]) {
      const { socket } = T.synSent({ now: 0 })
      const out = socket.send(10, synAck({ ack }))
      expect(T.seenAll(out)).toEqual([{
        seq: ack - 1,
        ack: undefined,
        flags: "RST",
        window: 0,
        options: { sackPermitted: false },
        len: 0,
        data: ""
      }])
      expect(socket.state).toBe("SynSent")
    }
  })
  it("after that RST the SYN goes again 2 ms later, not at the RTO (the peer's old incarnation is gone: Linux, TCP_TIMEOUT_MIN)", () => {
    const { socket } = T.synSent({ now: 0 })
    socket.send(10, synAck({ ack: 0 }))
    expect(socket.tick(11)).toEqual([])
    expect(T.seenAll(socket.tick(12))).toMatchObject([{ seq: -1, flags: "SYN" }])
    // only once: an unacceptable ACK to the retransmitted SYN leaves the backed-off RTO as it is
    const rto = socket.snd.rtoAt
    socket.send(20, synAck({ ack: 0 }))
    expect(socket.snd.rtoAt).toBe(rto)
  })
  it("an RST with a bad ACK is dropped", () => {
    const { socket } = T.synSent({ now: 0 })
    expect(socket.send(10, synAck({ ack: 5, flags: RST | ACK }))).toEqual([])
    expect(socket.state).toBe("SynSent")
  })
  it("an RST without ACK is ignored (it cannot be tied to our SYN)", () => {
    const { socket } = T.synSent({ now: 0 })
    expect(socket.send(10, Segment.make({ seq: T.REMOTE_ISN, flags: RST }))).toEqual([])
    expect(socket.state).toBe("SynSent")
  })
  it("an RST acknowledging our SYN refuses the connection", () => {
    const { socket } = T.synSent({ now: 0 })
    expect(socket.send(10, synAck({ flags: RST | ACK }))).toEqual([])
    expect(socket.state).toBe("Closed")
    expect(socket.snd.failure).toBe("Refused")
  })

  describe("the SYN-ACK's TSecr (Linux's tcp_rcv_synsent_state_process, PAWSActiveRejected)", () => {
    const OFFSET = 0xfffffff0
    /** our SYN at 100, in a timestamp clock offset by `OFFSET` (it wraps: the SYN's TSval is 84) */
    const sent = () => T.synSent({ now: 100, tsOffset: OFFSET })
    const tsv = (ms: number) => (ms + OFFSET) >>> 0
    const withEcr = (echo: number, flags = SYN | ACK) =>
      synAck({ flags, options: { mss: 1460, sackPermitted: false, timestamp: { value: 4000, echo } } })
    const RST_FOR_SYN_ACK = { seq: 0, ack: undefined, flags: "RST", window: 0, options: { sackPermitted: false }, len: 0, data: "" }

    it("a TSecr from before our first SYN or after now draws <SEQ=SEG.ACK><CTL=RST> and the SYN stays", () => {
      // before the SYN; after now; our clock without its offset (a TSecr no SYN of ours carried)
      for (const echo of [tsv(99), tsv(121), 120]) {
        const { socket } = sent()
        expect(T.seenAll(socket.send(120, withEcr(echo)))).toEqual([RST_FOR_SYN_ACK])
        expect(socket.state).toBe("SynSent")
        // the SYN goes again at its RTO, 1 s after it went (Linux moves the timer up only for a bad ACK)
        expect(socket.tick(1099)).toEqual([])
        expect(T.seenAll(socket.tick(1100))).toMatchObject([{ seq: -1, flags: "SYN" }])
      }
    })
    it("one within [first SYN, now] establishes, and so does a TSecr of 0 (Linux checks only a non-zero one)", () => {
      for (const echo of [tsv(100), tsv(110), tsv(120), 0]) {
        const { socket } = sent()
        socket.send(120, withEcr(echo))
        expect(socket.state).toBe("Established")
      }
    })
    it("an RST|ACK with such a TSecr is dropped: it neither refuses the connection nor draws an RST", () => {
      const { socket } = sent()
      expect(socket.send(120, withEcr(tsv(50), RST | ACK))).toEqual([])
      expect(socket.state).toBe("SynSent")
    })
  })

  describe("simultaneous open (RFC 9293 §3.5, figure 7)", () => {
    const peerOpts = { mss: 1460, sackPermitted: false }
    it("a SYN without ACK: SYN-RECEIVED, our SYN again with the ACK", () => {
      const { socket } = T.synSent({ now: 0, params: { timestamps: false, sack: false, windowScaling: false } })
      const out = socket.send(10, synAck({ flags: SYN, ack: 0, options: peerOpts }))
      expect(socket.state).toBe("SynReceived")
      expect(T.seenAll(out)).toEqual([BARE_SYN_ACK])
    })
    it("then the peer's ACK establishes, and data flows", () => {
      const { socket } = T.synSent({ now: 0, params: { timestamps: false, sack: false, windowScaling: false } })
      socket.send(10, synAck({ flags: SYN, ack: 0, options: peerOpts }))
      expect(socket.send(20, T.fromPeer({ seq: 0, ack: 0 }))).toEqual([])
      expect(socket.state).toBe("Established")
      expect(T.seenAll(socket.write(30, "hi"))).toMatchObject([{ seq: 0, ack: 0, flags: "PSH|ACK", data: "hi" }])
    })
    it("our SYN-ACK answers a window-scale offer of shift 0 with our own shift, 0 too", () => {
      const { socket } = T.synSent({
        now: 0,
        params: { timestamps: false, sack: false, receiveBuffer: 32 * 1024, maxReceiveBuffer: 32 * 1024 }
      })
      const out = socket.send(10, synAck({ flags: SYN, ack: 0, options: { ...peerOpts, windowScale: 0 } }))
      expect(out[0]!.options.windowScale).toBe(0)
    })
    it("the peer's SYN again draws our SYN-ACK again at once, not at our RTO", () => {
      const { socket } = T.synSent({ now: 0, params: { timestamps: false, sack: false, windowScaling: false } })
      const first = socket.send(10, synAck({ flags: SYN, ack: 0, options: peerOpts }))
      expect(T.seenAll(socket.send(20, synAck({ flags: SYN, ack: 0, options: peerOpts })))).toEqual(T.seenAll(first))
      expect(socket.state).toBe("SynReceived")
    })
    describe("after a connect took a TIME-WAIT over: TS.Recent inherited from the record (Linux's tcp_twsk_unique)", () => {
      /** the record's TS.Recent, recorded at 0 */
      const inherited = { tsRecent: 5000, at: 0 }
      const withTs = (value: number) => ({ ...peerOpts, timestamp: { value, echo: 0 } })
      it("a SYN with a TSval older than it is an old duplicate of the previous incarnation: dropped, unanswered (RFC 7323 §5.3 R1; tcp_rcv_synsent_state_process's PAWS check)", () => {
        const { socket } = T.synSent({ now: 0, inherited })
        expect(socket.send(10, synAck({ flags: SYN, ack: 0, options: withTs(4999) }))).toEqual([])
        expect(socket.state).toBe("SynSent")
      })
      it("one with the same or a newer TSval opens simultaneously, and its TSval is TS.Recent", () => {
        for (const value of [5000, 5001]) {
          const { socket } = T.synSent({ now: 0, inherited })
          const out = socket.send(10, synAck({ flags: SYN, ack: 0, options: withTs(value) }))
          expect(socket.state).toBe("SynReceived")
          expect(T.seenAll(out)).toMatchObject([{ seq: -1, ack: 0, flags: "SYN|ACK", options: { timestamp: { echo: value } } }])
        }
      })
      it("PAWS lets a TS.Recent idle for 2147 s go (RFC 7323 §5.5; Linux's TCP_PAWS_WRAP): then the older SYN opens too", () => {
        const { socket } = T.synSent({ now: 0, inherited: { tsRecent: 5000, at: -2147 * 1000 } })
        socket.send(10, synAck({ flags: SYN, ack: 0, options: withTs(4999) }))
        expect(socket.state).toBe("SynReceived")
      })
      it("a SYN-ACK is not measured against it: its TSval replaces it, older or not (tcp_store_ts_recent)", () => {
        const { socket } = T.synSent({ now: 0, inherited })
        const out = socket.send(10, synAck({ options: withTs(4000) }))
        expect(socket.state).toBe("Established")
        expect(T.seenAll(out)).toMatchObject([{ flags: "ACK", options: { timestamp: { echo: 4000 } } }])
      })
      it("without one (a fresh connect), a SYN's TSval is not measured at all", () => {
        const { socket } = T.synSent({ now: 0 })
        // (a TSval that looks 16 ticks older than 0: only TS.Recent's 0 lets it by, tcp_paws_check's !ts_recent)
        socket.send(10, synAck({ flags: SYN, ack: 0, options: withTs(0xfffffff0) }))
        expect(socket.state).toBe("SynReceived")
      })
    })
    it("an ACK of anything but our SYN-ACK draws <SEQ=SEG.ACK><CTL=RST> and nothing else (RFC 9293 §3.10.7.4)", () => {
      for (const ack of [-1, 1, 1000]) {
        const { socket } = T.synSent({ now: 0, params: { timestamps: false, sack: false, windowScaling: false } })
        socket.send(10, synAck({ flags: SYN, ack: 0, options: peerOpts }))
        const out = socket.send(20, T.fromPeer({ seq: 0, ack }))
        expect(T.seenAll(out)).toEqual([{ seq: ack, ack: undefined, flags: "RST", window: 0, options: { sackPermitted: false }, len: 0, data: "" }])
        expect(socket.state).toBe("SynReceived")
      }
    })
    it("that SYN-ACK repeats the peer's SYN, a retransmission: an ACK at once, a D-SACK of the SYN with SACK on, its timestamp taken (Linux's tcp_data_queue)", () => {
      for (const sack of [true, false]) {
        const { socket } = T.synSent({ now: 0, params: { windowScaling: false, sack } })
        const opts = { mss: 1460, sackPermitted: sack, timestamp: { value: 100, echo: 0 } }
        const ours = socket.send(10, synAck({ flags: SYN, ack: 0, options: opts }))
        const echo = ours[0]!.options.timestamp!.value
        const out = socket.send(20, synAck({ flags: SYN | ACK, ack: 1, options: { ...opts, timestamp: { value: 101, echo } } }))
        expect(socket.state).toBe("Established")
        const dsack = sack ? { sack: [{ left: T.REMOTE_ISN, right: Seq.add(T.REMOTE_ISN, 1) }] } : {}
        expect(T.seenAll(out)).toMatchObject([{ seq: 0, ack: 0, flags: "ACK", options: { ...dsack, timestamp: { echo: 101 } } }])
        expect(out[0]!.options.sack).toEqual(dsack.sack)
      }
    })
    it("RFC 5961 §5.2 once established, actively or simultaneously: an ACK of our ISN is an old one, its data taken (Linux's tcp_ack counts the SYN the peer acknowledged in bytes_acked); one before it is challenged", () => {
      for (const simultaneous of [false, true]) {
        const { socket } = T.synSent({ now: 0, params: { timestamps: false, sack: false, windowScaling: false } })
        if (simultaneous) socket.send(10, synAck({ flags: SYN, ack: 0, options: peerOpts }))
        socket.send(20, synAck({ options: peerOpts }))
        expect(socket.state).toBe("Established")
        socket.send(30, T.fromPeer({ seq: 0, ack: -1, payload: "x" }))
        expect(socket.received.map(T.text)).toEqual(["x"])
        const out = socket.send(40, T.fromPeer({ seq: 1, ack: -2, payload: "y" }))
        expect(T.seenAll(out)).toMatchObject([{ seq: 0, ack: 1, flags: "ACK", len: 0 }])
        expect(socket.received.map(T.text)).toEqual(["x"])
      }
    })
    it("then the peer's own SYN-ACK establishes at once (Linux passes it in SYN-RECV), with no timer run", () => {
      const { socket } = T.synSent({ now: 0, params: { timestamps: false, sack: false, windowScaling: false } })
      socket.send(10, synAck({ flags: SYN, ack: 0, options: peerOpts }))
      socket.send(20, synAck({ flags: SYN | ACK, ack: 1, options: peerOpts }))
      expect(socket.state).toBe("Established")
      expect(socket.snd.rtoAt).toBe(undefined)
    })
  })

  it("the SYN goes again after 1 s, then after 2 s more (RFC 6298 §5.5; Linux doubles)", () => {
    const { socket } = T.synSent({ now: 0 })
    expect(socket.tick(999)).toEqual([])
    const first = socket.tick(1000)
    expect(T.seenAll(first)).toMatchObject([{ seq: -1, flags: "SYN" }])
    expect(first[0]!.options.timestamp).toEqual({ value: 1000, echo: 0 })
    expect(socket.tick(2999)).toEqual([])
    expect(T.seenAll(socket.tick(3000))).toMatchObject([{ seq: -1, flags: "SYN" }])
    expect(socket.tick(6999)).toEqual([])
    expect(T.seenAll(socket.tick(7000))).toMatchObject([{ seq: -1, flags: "SYN" }])
  })
  describe("the first window after SYNs re-sent (RFC 5681 §3.1 as Linux's tcp_init_transfer reads it: one segment after more than one)", () => {
    /** our SYN at 100 (TSval 100 + `offset`), re-sent `resends` times, then the SYN-ACK echoing `echo` at 8000: cwnd in segments */
    const windowAfter = (resends: number, echo: number | undefined, offset = 0) => {
      const { socket } = T.synSent({ now: 100, tsOffset: offset })
      for (const at of [1100, 3100, 7100].slice(0, resends)) expect(socket.tick(at)).toHaveLength(1)
      const options = echo === undefined
        ? { mss: 1460, sackPermitted: false }
        : { mss: 1460, sackPermitted: false, timestamp: { value: 4000, echo: (echo + offset) >>> 0 } }
      socket.send(8000, synAck({ options }))
      expect(socket.state).toBe("Established")
      return socket.snd.cc.cwnd / socket.snd.cc.smss
    }
    it("none or one re-sent: the initial window, ten segments", () => {
      expect(windowAfter(0, 100)).toBe(10)
      expect(windowAfter(1, 1100)).toBe(10)
      expect(windowAfter(1, undefined)).toBe(10)
    })
    it("two or more: one segment", () => {
      expect(windowAfter(2, 3100)).toBe(1)
      expect(windowAfter(3, 7100)).toBe(1)
      expect(windowAfter(2, undefined)).toBe(1)
    })
    it("unless the SYN-ACK echoes the first SYN's TSval, in the peer's offset clock: that SYN was not lost (tcp_try_undo_spurious_syn)", () => {
      expect(windowAfter(2, 100)).toBe(10)
      expect(windowAfter(3, 100, 0xfffff000)).toBe(10)
      expect(windowAfter(2, 1100)).toBe(1)
    })
    it("a simultaneous open starts at the initial window however many SYNs went, as Linux's (its tcp_ack in SYN-RECV undoes the loss: tcp_packet_delayed)", () => {
      for (const echo of [100, 3200]) {
        const { socket } = T.synSent({ now: 100 })
        socket.tick(1100)
        socket.tick(3100)
        socket.send(3200, synAck({ flags: SYN, ack: 0, options: { mss: 1460, sackPermitted: false, timestamp: { value: 4000, echo: 0 } } }))
        expect(socket.state).toBe("SynReceived")
        socket.send(3300, T.fromPeer({ seq: 0, ack: 0, options: { sackPermitted: false, timestamp: { value: 4001, echo } } }))
        expect(socket.state).toBe("Established")
        expect(socket.snd.cc.cwnd / socket.snd.cc.smss).toBe(10)
      }
    })
  })
  it("after synRetries resends, the next expiry fails the connect with TimedOut", () => {
    const { socket } = T.synSent({ now: 0, params: { synRetries: 2 } })
    expect(socket.tick(1000)).toHaveLength(1) // 1 s
    expect(socket.tick(3000)).toHaveLength(1) // + 2 s
    expect(socket.state).toBe("SynSent")
    expect(socket.tick(6999)).toEqual([])
    expect(socket.tick(7000)).toEqual([]) // + 4 s: given up
    expect(socket.state).toBe("Closed")
    expect(socket.snd.failure).toBe("TimedOut")
  })
  // Linux 6.5+'s tcp_syn_linear_timeouts (ccce324dabfe, "tcp: make the first N SYN RTO backoffs
  // linear"; 6.18's default 4): in SYN-SENT the RTO doubles only once N timeouts have passed
  // (tcp_retransmit_timer: `total_rto > tcp_syn_linear_timeouts`), and the count tcp_write_timeout
  // gives up at is tcp_syn_retries + N (SYN-SENT only), while retransmits_timed_out's time stays
  // tcp_model_timeout(tcp_syn_retries, 1 s) from the first SYN: whichever comes first.
  describe("synLinearTimeouts (Linux's tcp_syn_linear_timeouts)", () => {
    /** SYNs again at exactly `resends` (nothing a millisecond before), then TimedOut at exactly `end` */
    const timeline = (params: Partial<Params.TcpParams>, resends: ReadonlyArray<number>, end: number) => {
      const { socket } = T.synSent({ now: 0, params })
      for (const at of resends) {
        expect(socket.tick(at - 1)).toEqual([])
        const out = socket.tick(at)
        expect(out.map((o) => o.flags)).toEqual([SYN])
      }
      expect(socket.tick(end - 1)).toEqual([])
      expect(socket.state).toBe("SynSent")
      expect(socket.tick(end)).toEqual([])
      expect(socket.state).toBe("Closed")
      expect(socket.snd.failure).toBe("TimedOut")
      return socket
    }
    it("4 with synRetries 6 (Linux 6.18's defaults): SYN again at 1, 2, 3, 4, 5 s, then 7, 11, 19, 35, 67; TimedOut at 131 s (the tenth resend's expiry: 6 + 4)", () => {
      const socket = timeline({ synLinearTimeouts: 4, synRetries: 6 }, [1000, 2000, 3000, 4000, 5000, 7000, 11_000, 19_000, 35_000, 67_000], 131_000)
      // Linux's counters for such a connect: TCPSynRetrans (and RetransSegs) 10, TCPTimeouts 11 (counted
      // before tcp_write_timeout, the expiry that gives up too; tcpi_total_rto would be 10)
      expect(Sender.counters(socket.snd)).toMatchObject({ retransmits: 10, timeouts: 11 })
    })
    it("0 (the default): RFC 6298's doubling, SYN again at 1, 3, 7, 15, 31, 63 s, TimedOut at 127 s", () => {
      timeline({ synRetries: 6 }, [1000, 3000, 7000, 15_000, 31_000, 63_000], 127_000)
      timeline({ synLinearTimeouts: 0, synRetries: 6 }, [1000, 3000, 7000, 15_000, 31_000, 63_000], 127_000)
    })
    it("4 with synRetries 2: the model's 7 s from the first SYN ends it before the count (6): SYN again at 1 ... 5 s, none at 6, TimedOut at 7 s", () => {
      const socket = timeline({ synLinearTimeouts: 4, synRetries: 2 }, [1000, 2000, 3000, 4000, 5000], 7000)
      // (five resends, six expiries: the model's gives up, counted as Linux's TCPTimeouts counts it)
      expect(Sender.counters(socket.snd)).toMatchObject({ retransmits: 5, timeouts: 6 })
    })
    it("4 with synRetries 1: the model's 3 s: SYN again at 1 and 2 s, TimedOut at 3 s", () => {
      timeline({ synLinearTimeouts: 4, synRetries: 1 }, [1000, 2000], 3000)
    })
    it("the held RTO is the initial one (tcp_timeout_init), not 1 s: 300 ms apart with an initial RTO of 300 ms", () => {
      timeline(
        { synLinearTimeouts: 2, synRetries: 3, rtt: { ...T.params().rtt, initialRto: 300 } },
        [300, 600, 900, 1500, 2700],
        // the count (3 + 2 resends) and the model's 15 × 300 = 4500 ms, both at the next expiry
        5100
      )
    })
    it("the early expiry after our RST to an unacceptable ACK is one of the N (Linux's total_rto counts every expiry): SYN at 12 ms, then 1 s apart three times, then doubled", () => {
      const { socket } = T.synSent({ now: 0, params: { synLinearTimeouts: 4, synRetries: 6 } })
      socket.send(10, synAck({ ack: 0 }))
      for (const at of [12, 1012, 2012, 3012, 4012, 6012, 10_012]) {
        expect(socket.tick(at - 1)).toEqual([])
        expect(socket.tick(at).map((o) => o.flags)).toEqual([SYN])
      }
    })
    it("SYN-RECEIVED (a simultaneous open) doubles again, and gives up at synRetries alone (tcp_write_timeout adds N in SYN-SENT only)", () => {
      const crossed = () => synAck({ flags: SYN, ack: 0, options: { mss: 1460, sackPermitted: false } })
      const open = (synRetries: number) => {
        const { socket } = T.synSent({ now: 0, params: { synLinearTimeouts: 4, synRetries } })
        expect(socket.tick(1000)).toHaveLength(1)
        expect(socket.tick(2000)).toHaveLength(1)
        socket.send(2500, crossed())
        expect(socket.state).toBe("SynReceived")
        return socket
      }
      const going = open(6)
      expect(going.tick(3000)).toHaveLength(1)
      expect(going.tick(4999)).toEqual([])
      expect(going.tick(5000)).toHaveLength(1)
      const ending = open(2)
      expect(ending.tick(2999)).toEqual([])
      expect(ending.tick(3000)).toEqual([])
      expect(ending.state).toBe("Closed")
      expect(ending.snd.failure).toBe("TimedOut")
    })
  })
})

describe("MSS (RFC 9293 §3.7.1, RFC 6691; Linux's floor of 48)", () => {
  // [announced, MSS we send with]: 0 is no announcement to Linux (tcp_parse_options
  // skips an MSS of 0), 1 is floored at tcp_min_snd_mss, 9000 is capped by our MTU
  const cases: ReadonlyArray<readonly [number | undefined, number]> = [
    [undefined, 536],
    [0, 536],
    [1, 48],
    [48, 48],
    [9000, 1460]
  ]
  for (const [announced, mss] of cases) {
    for (const timestamps of [false, true]) {
      // the MSS counts the options every segment carries: 12 octets of timestamps
      const payload = mss - (timestamps ? 12 : 0)
      it(`passive open, MSS ${announced ?? "absent"}${timestamps ? ", timestamps" : ""}: ${payload} octets per segment`, () => {
        const s = T.established({
          peerOptions: {
            sackPermitted: false,
            ...(announced === undefined ? {} : { mss: announced }),
            ...(timestamps ? { timestamp: { value: 1, echo: 0 } } : {})
          }
        })
        // five full segments, then the odd octet: no small segment is outstanding, so Nagle lets it go
        const out = s.write(10, T.octets(5 * payload + 1))
        expect(out.map((o) => o.payload?.length)).toEqual([payload, payload, payload, payload, payload, 1])
        expect(out.map(T.ourSeq)).toEqual([0, 1, 2, 3, 4, 5].map((i) => i * payload))
      })
    }
    it(`active open, MSS ${announced ?? "absent"} in the SYN-ACK: ${mss} octets per segment`, () => {
      const { socket } = T.synSent({ now: 0, params: { timestamps: false } })
      socket.send(
        10,
        Segment.make({
          seq: T.REMOTE_ISN,
          ack: Seq.add(T.LOCAL_ISN, 1),
          flags: SYN | ACK,
          window: 64240,
          options: { sackPermitted: false, ...(announced === undefined ? {} : { mss: announced }) }
        })
      )
      const out = socket.write(20, T.octets(3 * mss + 1))
      expect(out.map((o) => o.payload?.length).slice(0, 3)).toEqual([mss, mss, mss])
    })
  }
})

describe("window scaling (RFC 7323 §2): peer offers or not × buffer below, at, above 64 KiB", () => {
  // our shift: the smallest that fits the largest buffer in 16 bits (RFC 7323 §2.3)
  const buffers: ReadonlyArray<readonly [number, number]> = [
    [32 * 1024, 0],
    [64 * 1024, 1],
    [128 * 1024, 2]
  ]
  for (const [buffer, shift] of buffers) {
    for (const offered of [false, true]) {
      const params = { receiveBuffer: buffer, maxReceiveBuffer: buffer, timestamps: false, sack: false }
      const peerShift = 3
      const name = `${buffer / 1024} KiB, peer ${offered ? "offers shift 3" : "does not offer"}`
      it(`${name}: passive open`, () => {
        const p = T.params(params)
        const syn = listenerSyn({ mss: 1460, sackPermitted: false, ...(offered ? { windowScale: peerShift } : {}) })
        const h = Handshake.halfOpen(p, PORTS, syn, T.LOCAL_ISN, T.MTU, 0)
        const sa = synAckSeen(p, h, 0)
        // the SYN-ACK's window is never scaled and fits 16 bits
        expect(sa.window).toBe(Math.min(65535, buffer))
        expect(sa.options.windowScale).toBe(offered ? shift : undefined)
        const s = T.established({ params, peerOptions: syn.options, peerWindow: 100 })
        // the window after the handshake: the whole buffer, scaled by our shift only if both offered
        const out = s.send(10, T.fromPeer({ seq: 0, ack: 0, payload: "x", window: 100 }), T.fromPeer({ seq: 1, payload: "y", window: 100 }))
        const free = buffer - 2
        expect(T.seenAll(out)).toEqual([{
          seq: 0,
          ack: 2,
          flags: "ACK",
          window: offered ? Math.ceil(free / 2 ** shift) : Math.min(65535, free),
          options: { sackPermitted: false },
          len: 0,
          data: ""
        }])
        // the peer's window field 100 is scaled by its shift only if both offered
        const sent = s.write(20, T.octets(2000))
        const peerWnd = offered ? 100 << peerShift : 100
        expect(sent.reduce((n, o) => n + (o.payload?.length ?? 0), 0)).toBe(peerWnd)
      })
      it(`${name}: active open`, () => {
        const { socket, syn } = T.synSent({ now: 0, params })
        expect(syn.window).toBe(Math.min(65535, buffer))
        expect(syn.options.windowScale).toBe(shift)
        const out = socket.send(
          10,
          Segment.make({
            seq: T.REMOTE_ISN,
            ack: Seq.add(T.LOCAL_ISN, 1),
            flags: SYN | ACK,
            window: 100, // a SYN's window is never scaled
            options: { mss: 1460, sackPermitted: false, ...(offered ? { windowScale: peerShift } : {}) }
          })
        )
        expect(T.seenAll(out)).toEqual([{
          seq: 0,
          ack: 0,
          flags: "ACK",
          window: offered ? Math.ceil(buffer / 2 ** shift) : Math.min(65535, buffer),
          options: { sackPermitted: false },
          len: 0,
          data: ""
        }])
        expect(socket.write(20, T.octets(2000)).reduce((n, o) => n + (o.payload?.length ?? 0), 0)).toBe(100)
        // a later window field is scaled by the peer's shift only if both offered
        const more = socket.send(30, T.fromPeer({ seq: 0, ack: 100, window: 100 }))
        expect(more.reduce((n, o) => n + (o.payload?.length ?? 0), 0)).toBe(offered ? 100 << peerShift : 100)
      })
    }
  }
  it("an active open the peer answers without a shift takes no more than its unscaled window", () => {
    // we offered shift 2 (for a 128 KiB largest buffer); the SYN-ACK offers none, so neither side scales
    const { socket } = T.synSent({
      now: 0,
      params: { receiveBuffer: 40_001, maxReceiveBuffer: 128 * 1024, timestamps: false, sack: false }
    })
    const out = socket.send(10, Segment.make({
      seq: T.REMOTE_ISN,
      ack: Seq.add(T.LOCAL_ISN, 1),
      flags: SYN | ACK,
      window: 65535,
      options: { mss: 1460, sackPermitted: false }
    }))
    expect(out[0]!.window).toBe(40_001)
    socket.send(20, T.fromPeer({ seq: 0, ack: 0, payload: T.octets(40_004) }))
    // what lies beyond the window announced is trimmed (RFC 9293 §3.10.7.4)
    expect(socket.rcv.rcvNxt).toBe(Seq.add(T.REMOTE_ISN, 1 + 40_001))
  })
  it("the data we advertised after rounding up to 2^shift is taken, not trimmed (active open)", () => {
    // 100000 octets at shift 1: the window field 50000 announces exactly the buffer;
    // an odd free space rounds up, and the peer may fill what was announced
    const { socket } = T.synSent({ now: 0, params: { receiveBuffer: 99_999, maxReceiveBuffer: 99_999, timestamps: false, sack: false } })
    const out = socket.send(10, Segment.make({
      seq: T.REMOTE_ISN,
      ack: Seq.add(T.LOCAL_ISN, 1),
      flags: SYN | ACK,
      window: 65535,
      options: { mss: 1460, sackPermitted: false, windowScale: 0 }
    }))
    expect(out[0]!.window).toBe(50_000) // ceil(99999 / 2): the right edge is 100000 octets on
    const data = T.octets(1000)
    const batch = []
    for (let off = 0; off < 100_000; off += 1000) batch.push(T.fromPeer({ seq: off, ack: 0, payload: data }))
    socket.send(20, ...batch)
    expect(socket.rcv.rcvNxt).toBe(Seq.add(T.REMOTE_ISN, 1 + 100_000))
  })
})
