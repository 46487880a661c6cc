/**
 * ECN for TCP (RFC 3168 §6.1; RFC 9293 §3.8.2 SHLD-8) as pure steps: the
 * setup in the handshake both ways, ECT(0) on new data only, the receiver's
 * ECE from a CE until the peer's CWR, and the sender's window reduced once
 * per window for an ECE, announced with CWR on its next new data.
 *
 * Fixture: a passive open whose peer's SYN asks for ECN (ECE | CWR), MSS
 * 1460, no options; the peer's window large; every step names its time.
 */
import { describe, expect, it } from "vitest"
import * as Handshake from "../../src/tcp/Handshake.js"
import type { TcpParams } from "../../src/tcp/Params.js"
import { ACK, CWR, ECE, FIN, type OutSegment, SYN } from "../../src/tcp/Segment.js"
import * as Segment from "../../src/tcp/Segment.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as SynCookie from "../../src/tcp/SynCookie.js"
import * as Sip from "../../src/internal/SipHash.js"
import * as T from "../support/TcpSocket.js"
import * as Sender from "../../src/tcp/Sender.js"

const MSS = 1460
const SETUP = ECE | CWR

const est = (o: { ecn?: TcpParams["ecn"]; peerSynFlags?: number; sack?: boolean; ts?: boolean } = {}) =>
  T.established({
    params: { ecn: o.ecn ?? "accept", quickAcks: 0 },
    peerOptions: { mss: MSS, sackPermitted: o.sack ?? false, ...(o.ts === true ? { timestamp: { value: 1, echo: 0 } } : {}) },
    peerSynFlags: o.peerSynFlags ?? SETUP,
    peerWindow: 65535
  })

const data = (out: ReadonlyArray<OutSegment>) => out.filter((s) => (s.payload?.length ?? 0) > 0)
const has = (s: OutSegment, flag: number) => (s.flags & flag) !== 0

describe("ECN setup (RFC 3168 §6.1.1)", () => {
  const synAckTo = (flags: number, ecn: TcpParams["ecn"]) => {
    const p = T.params({ ecn })
    const syn = Segment.make({ seq: T.REMOTE_ISN, flags: SYN | flags, window: 64240 })
    const h = Handshake.halfOpen(p, { localPort: T.LOCAL_PORT, remotePort: T.REMOTE_PORT }, syn, T.LOCAL_ISN, 1500, 0)
    return { h, synAck: Handshake.synAck(p, h, 0) }
  }
  it("a listener answers an ECN-setup SYN with ECE (not CWR), unless ECN is off", () => {
    for (const ecn of ["accept", "on"] as const) {
      const { h, synAck } = synAckTo(SETUP, ecn)
      expect(h.ecnOk).toBe(true)
      expect(synAck.flags & (ECE | CWR)).toBe(ECE)
    }
    const off = synAckTo(SETUP, "off")
    expect(off.h.ecnOk).toBe(false)
    expect(off.synAck.flags & (ECE | CWR)).toBe(0)
  })
  it("a SYN with only one of ECE and CWR is no ECN setup", () => {
    for (const flags of [ECE, CWR, 0]) {
      const { h, synAck } = synAckTo(flags, "on")
      expect(h.ecnOk).toBe(false)
      expect(synAck.flags & (ECE | CWR)).toBe(0)
    }
  })
  it("a SYN cookie carries the ECN setup in its timestamp, as Linux's; without timestamps it sets up none", () => {
    const key = Sip.keyOf(new Uint8Array(16).fill(9))
    const tuple = { localAddr: 0xc6120002, localPort: T.LOCAL_PORT, remoteAddr: 0xc6120001, remotePort: T.REMOTE_PORT }
    const ports = { localPort: T.LOCAL_PORT, remotePort: T.REMOTE_PORT }
    const now = 10_000
    for (const [withTs, ecn, expected] of [[true, "accept", true], [true, "off", false], [false, "accept", false]] as const) {
      const p = T.params({ ecn })
      const syn = Segment.make({
        seq: T.REMOTE_ISN,
        flags: SYN | SETUP,
        window: 64240,
        options: withTs ? { sackPermitted: false, timestamp: { value: 555, echo: 0 } } : { sackPermitted: false }
      })
      const iss = SynCookie.make(key, tuple, syn.seq, 1460, now)
      const synAck = Handshake.cookieSynAck(p, ports, syn, iss, 1500, now)
      expect(synAck.flags & (ECE | CWR), `${withTs} ${ecn}`).toBe(expected ? ECE : 0)
      const ack = Segment.make({
        seq: Seq.add(T.REMOTE_ISN, 1),
        ack: Seq.add(iss, 1),
        flags: ACK,
        window: 502,
        options: withTs ? { sackPermitted: false, timestamp: { value: 556, echo: synAck.options.timestamp!.value } } : { sackPermitted: false }
      })
      expect(Handshake.cookieEstablished(p, key, tuple, ack, 1500, now + 3)?.ecnOk, `${withTs} ${ecn}`).toBe(expected)
    }
  })
  it("with ECN on, our SYN asks (ECE | CWR), a retransmitted one does not; an ECE-only SYN-ACK sets it up", () => {
    const { socket: s, syn } = T.synSent({ params: { ecn: "on" } })
    expect(syn.flags).toBe(SYN | ECE | CWR)
    const again = s.tick(1000)
    expect(again).toHaveLength(1)
    expect(again[0]!.flags).toBe(SYN)
    const synAck = Segment.make({ seq: T.REMOTE_ISN, ack: Seq.add(T.LOCAL_ISN, 1), flags: SYN | ACK | ECE, window: 65535 })
    s.send(1010, synAck)
    expect(s.state).toBe("Established")
    expect(s.snd.ecnOk).toBe(true)
    expect(s.rcv.ecnOk).toBe(true)
  })
  it("a SYN-ACK with both ECE and CWR, or one to a SYN that did not ask, sets up nothing", () => {
    for (const [ecn, flags] of [["on", ECE | CWR], ["accept", ECE]] as const) {
      const { socket: s, syn } = T.synSent({ params: { ecn } })
      expect(syn.flags & (ECE | CWR)).toBe(ecn === "on" ? SETUP : 0)
      s.send(10, Segment.make({ seq: T.REMOTE_ISN, ack: Seq.add(T.LOCAL_ISN, 1), flags: SYN | ACK | flags, window: 65535 }))
      expect(s.state).toBe("Established")
      expect(s.snd.ecnOk).toBe(false)
      expect(s.rcv.ecnOk).toBe(false)
    }
  })
})

describe("ECN-capable segments (RFC 3168 §6.1.2, §6.1.5, §6.1.6)", () => {
  it("new data goes ECT(0); pure ACKs and retransmissions do not", () => {
    const s = est()
    const first = s.write(10, T.octets(2 * MSS))
    expect(data(first).map((x) => x.ect)).toEqual([true, true])
    // the retransmission at the RTO
    const rto = s.tick(10 + s.snd.rtt.rto)
    expect(data(rto).length).toBeGreaterThan(0)
    expect(data(rto).every((x) => x.ect !== true)).toBe(true)
    // an ACK of data from the peer (two octets are less than a segment: the delayed ACK)
    const ack = [...s.send(2000, T.fromPeer({ seq: 0, ack: 2 * MSS, payload: "x" }), T.fromPeer({ seq: 1, ack: 2 * MSS, payload: "y" })), ...s.tick(2050)]
    expect(ack.length).toBeGreaterThan(0)
    expect(ack.every((x) => x.ect !== true)).toBe(true)
  })
  it("without ECN negotiated nothing is ECN-capable", () => {
    const s = est({ peerSynFlags: 0 })
    expect(data(s.write(10, T.octets(MSS))).map((x) => x.ect)).toEqual([false])
  })
})

describe("the receiver: CE is echoed until CWR (RFC 3168 §6.1.3)", () => {
  it("a CE on data draws an ACK with ECE at once; every segment says ECE until the peer's CWR", () => {
    const s = est()
    const first = s.send(10, T.fromPeer({ seq: 0, payload: "a", ce: true }))
    expect(T.seenAll(first)).toMatchObject([{ ack: 1, flags: "ACK|ECE" }])
    // our data while the echo lasts says ECE too
    expect(T.seenAll(s.write(20, "b"))).toMatchObject([{ flags: "PSH|ACK|ECE" }])
    const later = [...s.send(30, T.fromPeer({ seq: 1, ack: 1, payload: "c" }), T.fromPeer({ seq: 2, ack: 1, payload: "d" })), ...s.tick(80)]
    expect(later.length).toBeGreaterThan(0)
    expect(later.every((x) => has(x, ECE))).toBe(true)
    // the peer's CWR ends it
    s.send(200, T.fromPeer({ seq: 3, ack: 1, payload: "e", flags: ACK | CWR }), T.fromPeer({ seq: 4, ack: 1, payload: "f" }))
    expect(s.rcv.demandCwr).toBe(false)
    expect(T.seenAll(s.write(300, "g"))).toMatchObject([{ flags: "PSH|ACK" }])
  })
  it("a CE on data puts the receiver in quick-ACK mode, two at most, and ends an interactive exchange: the next segment is acknowledged at once too (Linux's tcp_data_ecn_check: tcp_enter_quickack_mode(sk, 2))", () => {
    const s = T.established({
      params: { ecn: "accept", quickAcks: 2 },
      peerOptions: { mss: MSS, sackPermitted: false },
      peerSynFlags: SETUP,
      peerWindow: 65535
    })
    // the two quick ACKs of the start spent, then an exchange that is interactive (pingpong)
    expect(s.send(10, T.fromPeer({ seq: 0, payload: "a" }))).toHaveLength(1)
    expect(s.send(20, T.fromPeer({ seq: 1, payload: "b" }))).toHaveLength(1)
    s.write(25, "r")
    expect(s.snd.pingpong).toBe(true)
    expect(s.send(30, T.fromPeer({ seq: 2, ack: 1, payload: "c" }))).toEqual([])
    s.write(35, "s")
    // a CE: its ACK at once, with ECE; the segment after it too, though nobody answered it yet
    expect(T.seenAll(s.send(50, T.fromPeer({ seq: 3, ack: 2, payload: "d", ce: true })))).toMatchObject([{ ack: 4, flags: "ACK|ECE" }])
    expect(T.seenAll(s.send(60, T.fromPeer({ seq: 4, ack: 2, payload: "e" })))).toMatchObject([{ ack: 5, flags: "ACK|ECE" }])
    expect(s.snd.pingpong).toBe(false)
    // and no more than two: the third waits for the delayed ACK
    expect(s.send(70, T.fromPeer({ seq: 5, ack: 2, payload: "f" }))).toEqual([])
  })
  /** ECN negotiated; the two quick ACKs of the start spent on ECT data, then ECT data whose ACK is delayed */
  const ectQuickSpent = () => {
    const s = T.established({
      params: { ecn: "accept", quickAcks: 2 },
      peerOptions: { mss: MSS, sackPermitted: false },
      peerSynFlags: SETUP,
      peerWindow: 65535
    })
    expect(s.send(10, T.fromPeer({ seq: 0, payload: "a", ect: true }))).toHaveLength(1)
    expect(s.send(20, T.fromPeer({ seq: 1, payload: "b", ect: true }))).toHaveLength(1)
    expect(s.send(30, T.fromPeer({ seq: 2, payload: "c", ect: true }))).toEqual([])
    expect(T.seenAll(s.tick(70))).toMatchObject([{ ack: 3 }])
    return s
  }
  it("data without ECT after ECT data (a retransmission, RFC 3168 §6.1.5) puts the receiver in quick-ACK mode, two at most (Linux's tcp_data_ecn_check: tcp_enter_quickack_mode(sk, 2))", () => {
    const s = ectQuickSpent()
    // Not-ECT data: at once, and the next too; the third waits
    expect(T.seenAll(s.send(100, T.fromPeer({ seq: 3, payload: "d", ect: false })))).toMatchObject([{ ack: 4 }])
    expect(T.seenAll(s.send(110, T.fromPeer({ seq: 4, payload: "e", ect: true })))).toMatchObject([{ ack: 5 }])
    expect(s.send(120, T.fromPeer({ seq: 5, payload: "f", ect: true }))).toEqual([])
  })
  it("the FIN on data without ECT after ECT data: its ACK still waits for the delayed-ACK time (Linux's tcp_data_ecn_check comes before tcp_fin, whose pingpong mode then holds the quick ACKs)", () => {
    const s = ectQuickSpent()
    expect(s.send(100, T.fromPeer({ seq: 3, payload: "d", ect: false, flags: ACK | FIN }))).toEqual([])
    expect(s.state).toBe("CloseWait")
    expect(T.seenAll(s.tick(140))).toMatchObject([{ ack: 5 }])
  })
  it("the FIN on data with CE: its ACK, with ECE, waits for the delayed-ACK time too (tcp_fin's pingpong mode after tcp_data_ecn_check's quick-ACK mode)", () => {
    const s = est()
    expect(s.send(10, T.fromPeer({ seq: 0, payload: "a", ect: true }))).toEqual([])
    expect(T.seenAll(s.tick(50))).toMatchObject([{ ack: 1 }])
    expect(s.send(100, T.fromPeer({ seq: 1, payload: "b", ce: true, flags: ACK | FIN }))).toEqual([])
    expect(T.seenAll(s.tick(140))).toMatchObject([{ ack: 3, flags: "ACK|ECE" }])
  })
  it("data without ECT asks nothing before any ECT data came, nor when the dealer does not say (ect unset), nor without ECN negotiated", () => {
    const s = est()
    expect(s.send(10, T.fromPeer({ seq: 0, payload: "a", ect: false }))).toEqual([])
    expect(s.rcv.ectSeen).toBe(false)
    const unsaid = est()
    unsaid.send(10, T.fromPeer({ seq: 0, payload: "a", ect: true }))
    unsaid.tick(50)
    expect(unsaid.send(100, T.fromPeer({ seq: 1, payload: "b" }))).toEqual([])
    const plain = est({ peerSynFlags: 0 })
    plain.send(10, T.fromPeer({ seq: 0, payload: "a", ect: true }))
    plain.tick(50)
    expect(plain.send(100, T.fromPeer({ seq: 1, payload: "b", ect: false }))).toEqual([])
  })
  it("a CE on a pure ACK asks nothing, nor does one without ECN negotiated", () => {
    const s = est()
    s.write(10, "a")
    expect(s.send(20, T.fromPeer({ seq: 0, ack: 1, ce: true }))).toEqual([])
    expect(s.rcv.demandCwr).toBe(false)
    const plain = est({ peerSynFlags: 0 })
    const out = [...plain.send(10, T.fromPeer({ seq: 0, payload: "a", ce: true }), T.fromPeer({ seq: 1, payload: "b" })), ...plain.tick(60)]
    expect(out.length).toBeGreaterThan(0)
    expect(out.every((x) => !has(x, ECE))).toBe(true)
  })
})

describe("the sender: ECE reduces the window once per window (RFC 3168 §6.1.2)", () => {
  /** A connection with 20 segments written at 10; `acked` of them acknowledged by 20, with ECE or not. */
  const flight = (ece: boolean, acked: number, o: { peerSynFlags?: number } = {}) => {
    const s = est(o)
    s.write(10, T.octets(20 * MSS))
    const out = s.send(20, T.fromPeer({ seq: 0, ack: acked * MSS, flags: ece ? ACK | ECE : ACK }))
    return { s, out }
  }
  // (ssthresh as for a loss, cwnd PRR's at each ACK from the window before the cut, as Linux's CWR
  // state: tcp_enter_cwr, then tcp_cwnd_reduction. Here 10 out, 2 delivered with the ECE: CUBIC's
  // ssthresh 7, in flight 8 above it, cwnd 8 + ceil(7 × 2 / 10) = 10, not grown to 12 nor cut to 7)
  it("an ECE cuts ssthresh as a loss would, cwnd by PRR, without a retransmission; the next new data says CWR, once", () => {
    const before = flight(false, 2).s.snd.cc.cwnd
    const { out, s } = flight(true, 2)
    expect(Sender.counters(s.snd).ecnReductions).toBe(1)
    expect(s.snd.cc.cwnd).toBeLessThan(before)
    expect([s.snd.cc.ssthresh, s.snd.cc.cwnd]).toEqual([7 * MSS, 10 * MSS])
    expect(Sender.counters(s.snd).retransmits).toBe(0)
    // whatever went at once: the first new data segment says CWR, the rest do not
    const sent = [...data(out), ...data(s.send(30, T.fromPeer({ seq: 0, ack: 10 * MSS })))]
    expect(sent.length).toBeGreaterThan(1)
    expect(sent.map((x) => has(x, CWR))).toEqual(sent.map((_, i) => i === 0))
    expect(sent.every((x) => x.ect === true)).toBe(true)
  })
  it("further ECEs in the same window change nothing; once it is acknowledged, the next reduces again", () => {
    const { s } = flight(true, 2)
    s.send(30, T.fromPeer({ seq: 0, ack: 4 * MSS, flags: ACK | ECE }))
    // (the whole window it was sent in, but nothing above it: the CWR may not have arrived)
    const more = s.send(31, T.fromPeer({ seq: 0, ack: 10 * MSS, flags: ACK | ECE }))
    expect(Sender.counters(s.snd).ecnReductions).toBe(1)
    // (no second cut: ssthresh stays, and PRR's steps go on: 3 in flight under ssthresh 7, cwnd
    // 3 + min(7 - 3, max(10 - 3, 6) + 1) = 7, Linux's tcp_cwnd_reduction)
    expect([s.snd.cc.ssthresh, s.snd.cc.cwnd]).toEqual([7 * MSS, 7 * MSS])
    expect(data(more).length).toBeGreaterThan(0)
    s.send(40, T.fromPeer({ seq: 0, ack: 11 * MSS, flags: ACK | ECE }))
    expect(Sender.counters(s.snd).ecnReductions).toBe(2)
  })
  // (Linux's tcp_fastretrans_alert leaves CWR once SND.UNA is past high_seq, SND.NXT at the ECE:
  // tcp_end_cwnd_reduction sets cwnd = ssthresh, then tcp_cong_control grows it as out of any
  // reduction. Ten out, the ECE on the first's ACK: PRR's cwnd 9 + ceil(7 × 1 / 10) = 10, the 11th
  // goes with CWR; the ACK of all eleven ends the cut at 7, grown by CUBIC's avoidance by less than
  // a segment, not left at PRR's 10)
  it("the cut ends when the data sent before it is acknowledged, and something above: cwnd = ssthresh, then the ACK grows it", () => {
    const s = est()
    s.write(10, T.octets(11 * MSS))
    const first = data(s.send(20, T.fromPeer({ ack: MSS, flags: ACK | ECE })))
    expect([s.snd.cc.ssthresh, s.snd.cc.cwnd]).toEqual([7 * MSS, 10 * MSS])
    expect(first.map((x) => has(x, CWR))).toEqual([true])
    s.send(30, T.fromPeer({ ack: 10 * MSS }))
    expect(s.snd.cwr).toBeDefined()
    s.send(40, T.fromPeer({ ack: 11 * MSS }))
    expect(s.snd.cwr).toBeUndefined()
    expect(s.snd.cc.ssthresh).toBe(7 * MSS)
    expect(s.snd.cc.cwnd).toBeGreaterThanOrEqual(7 * MSS)
    expect(s.snd.cc.cwnd).toBeLessThan(8 * MSS)
  })
  for (const congestion of ["newreno", "cubic"] as const) {
    it(`${congestion}: an ECE on the ACK of the whole flight cuts from that flight, not from the nothing left after it`, () => {
      const s = T.established({
        params: { ecn: "accept", quickAcks: 0, congestion, hystart: false },
        peerOptions: { mss: MSS, sackPermitted: false },
        peerSynFlags: SETUP,
        peerWindow: 65535
      })
      // the initial window of 10 goes; the peer's ACK of all of it says ECE (a CE on the last segment,
      // ACKed at once as a receiver does): FlightSize when the mark was made was 10 segments
      expect(data(s.write(0, T.octets(10 * MSS))).length).toBe(10)
      s.send(20, T.fromPeer({ seq: 0, ack: 10 * MSS, flags: ACK | ECE, window: 65535 }))
      expect(Sender.counters(s.snd).ecnReductions).toBe(1)
      // NewReno halves it, CUBIC takes 0.7 of it (RFC 9438 §4.6); not the 2 SMSS floor
      expect(s.snd.cc.ssthresh).toBe((congestion === "cubic" ? 7 : 5) * MSS)
    })
  }
  it("without ECN negotiated an ECE is ignored", () => {
    const { s } = flight(true, 2, { peerSynFlags: 0 })
    expect(Sender.counters(s.snd).ecnReductions).toBe(0)
    expect(s.snd.cc.cwnd).toBe(flight(false, 2, { peerSynFlags: 0 }).s.snd.cc.cwnd)
  })
  // (review59b) In an ECN cut (CWR) each ACK inside a batch takes its PRR step and sends at itself:
  // Linux's tcp_ack runs tcp_cong_control's tcp_cwnd_reduction in CWR, then tcp_data_snd_check,
  // before the next segment is read. Ten out, the ACK of two with ECE cuts (ssthresh 7, prior_cwnd
  // 10; sndcnt ceil(7 * 2 / 10) = 2: the 11th and 12th). Then the ACK of four (prr_delivered 4,
  // in_flight 8: ceil(28 / 10) - 2 = 1, the 13th echoing it) and the ACK of five, or a SACK of the
  // sixth (prr_delivered 5, in_flight 8: ceil(35 / 10) - 3 = 1, the 14th echoing it); cwnd 9. The
  // stack left the first's step unsent to the batch's end, where the last step (in_flight 7, no
  // longer above ssthresh) let nothing go, cwnd 7; before a later SACK it sent from the cut's window
  // before the step, two at the first
  it("in an ECN cut, each ACK inside a batch sends what its PRR step allows, as one at a time (Linux's tcp_cwnd_reduction, then tcp_data_snd_check, per ACK)", () => {
    const P = MSS - 12
    const sent = (out: ReadonlyArray<OutSegment>) => data(out).map((o) => [T.ourSeq(o) / P, o.options.timestamp?.echo])
    const ack = (value: number, n: number, ece: boolean, sack?: readonly [number, number]) =>
      T.fromPeer({
        ack: n * P,
        flags: ACK | (ece ? ECE : 0),
        window: 65535,
        options: {
          sackPermitted: false,
          ...(sack !== undefined ? { sack: [{ left: Seq.add(T.LOCAL_ISN, 1 + sack[0] * P), right: Seq.add(T.LOCAL_ISN, 1 + sack[1] * P) }] } : {}),
          timestamp: { value, echo: 1000 }
        }
      })
    const run = (batched: boolean, sackLast: boolean) => {
      const s = est({ sack: true, ts: true })
      expect(sent(s.write(1000, T.octets(40 * P))).map(([n]) => n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect(sent(s.send(1020, ack(100, 2, true)))).toEqual([[10, 100], [11, 100]])
      const acks = [ack(101, 4, false), sackLast ? ack(102, 4, false, [5, 6]) : ack(102, 5, false)]
      const out = batched ? sent(s.send(1030, ...acks)) : acks.flatMap((a) => sent(s.send(1030, a)))
      return [out, s.snd.cc.cwnd / P, s.snd.cwr !== undefined]
    }
    const linux = [[[12, 101], [13, 102]], 9, true]
    for (const sackLast of [false, true]) {
      expect(run(false, sackLast)).toEqual(linux)
      expect(run(true, sackLast)).toEqual(linux)
    }
  })
})

describe("ECN beside loss recovery (RFC 3168 §6.1.2, as Linux)", () => {
  const ours = (n: number) => Seq.add(T.LOCAL_ISN, 1 + n)
  /** An ACK of `ack`, saying ECE or not, with SACK blocks [l, r) relative to our ISN + 1 (and a timestamp). */
  const ackOf = (ack: number, ece: boolean, blocks: ReadonlyArray<readonly [number, number]> = [], ts?: readonly [number, number]) =>
    T.fromPeer({
      ack,
      flags: ece ? ACK | ECE : ACK,
      options: {
        sackPermitted: false,
        ...(blocks.length > 0 ? { sack: blocks.map(([l, r]) => ({ left: ours(l), right: ours(r) })) } : {}),
        ...(ts === undefined ? {} : { timestamp: { value: ts[0], echo: ts[1] } })
      }
    })
  /** B one-octet exchanges first, so that the RTT is known and cwnd is the initial window. */
  const B = 20
  /**
   * An ECN connection (HyStart off, no quick ACKs, a peer window of 65535), with SACK or not and
   * `congestion` (the default if undefined), after the B exchanges; `at` takes the peer's segment
   * and records how many data segments it drew (`sent`).
   */
  const primed = (sack: boolean, congestion: "newreno" | "cubic" | undefined) => {
    const s = T.established({
      params: { ecn: "accept", quickAcks: 0, ...(congestion === undefined ? {} : { congestion }), hystart: false },
      peerOptions: { mss: MSS, sackPermitted: sack },
      peerSynFlags: SETUP,
      peerWindow: 65535
    })
    const sent: Array<number> = []
    const at = (t: number, seg: ReturnType<typeof ackOf>) => sent.push(data(s.send(t, seg)).length)
    for (let i = 0; i < B; i++) {
      s.write(40 * i, "x")
      s.send(40 * i + 20, ackOf(i + 1, false))
    }
    return { s, sent, at }
  }
  const warm = (ts = false) => {
    const s = est({ sack: true, ts })
    for (let i = 0; i < B; i++) {
      s.write(40 * i, "x")
      s.send(40 * i + 20, ackOf(i + 1, false, [], ts ? [i + 2, 40 * i] : undefined))
    }
    return s
  }

  it("a loss in the window already cut for an ECE cuts nothing more (once per window)", () => {
    const s = warm()
    s.write(1000, T.octets(10 * MSS))
    s.send(1020, ackOf(B + MSS, true))
    expect(Sender.counters(s.snd).ecnReductions).toBe(1)
    const cut = { ...s.snd.cc }
    // the second segment was lost: three SACKed beyond it start a recovery, without a second cut
    s.send(1021, ackOf(B + MSS, true, [[B + 2 * MSS, B + 5 * MSS]]))
    expect(s.snd.recovering).toBe(true)
    expect([s.snd.cc.ssthresh, s.snd.cc.wMax]).toEqual([cut.ssthresh, cut.wMax])
  })
  it("an ECE inside a timeout's episode forbids undoing it: F-RTO finds the timeout spurious, the cut stands", () => {
    const s = warm()
    s.write(1000, T.octets(20 * MSS))
    s.tick(Math.ceil(s.snd.tlpAt!))
    const before = s.snd.cc.cwnd
    const t = Math.ceil(s.snd.rtoAt!)
    s.tick(t)
    expect(Sender.counters(s.snd).timeouts).toBe(1)
    // the ACKs that were held up come, saying ECE (a CE on the flight), then without
    s.send(t + 5, ackOf(B + MSS, true))
    s.send(t + 6, ackOf(B + 2 * MSS, false))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(1)
    expect(s.snd.cc.cwnd).toBeLessThan(before)
  })
  // (review53a; undo53's left item, for a timeout) The ECE on the very ACK that shows the timeout
  // spurious: Linux's tcp_fastretrans_alert zeroes prior_ssthresh first ("ECE, hence prohibit cwnd
  // undoing"), so tcp_try_undo_loss(sk, true)'s tcp_undo_cwnd_reduction gives nothing back and sets
  // Open; the fall-through's tcp_try_to_open then enters CWR for the ECE (tcp_enter_cwr), its
  // ssthresh from the timeout's window (CUBIC: max(0.7 × 1, 2) = 2). The stack gave the window back
  // (10 segments, ssthresh infinite) and then cut it for the ECE: 7
  it("an ECE on the ACK that shows a timeout spurious: nothing given back, the ECE's cut from the timeout's window (Linux's prior_ssthresh 0, tcp_try_to_open)", () => {
    const s = warm()
    s.write(1000, T.octets(20 * MSS))
    s.tick(Math.ceil(s.snd.tlpAt!))
    const t = Math.ceil(s.snd.rtoAt!)
    s.tick(t)
    expect(s.snd.cc.cwnd).toBe(MSS)
    // the ACK of the first two segments, the second never sent again (F-RTO's proof), says ECE
    s.send(t + 5, ackOf(B + 2 * MSS, true))
    expect([Sender.counters(s.snd).spuriousTimeouts, Sender.counters(s.snd).ecnReductions]).toEqual([1, 1])
    // (and cwnd PRR's first step from the timeout's window, Linux's tcp_cwnd_reduction with
    // prior_cwnd 1: 9 in flight above ssthresh 2, cwnd 9 + ceil(2 × 2 / 1) = 13)
    expect([s.snd.cc.ssthresh, s.snd.cc.cwnd]).toEqual([2 * MSS, 13 * MSS])
  })
  // Without SACK the proof is the echo (tcp_try_undo_loss(sk, false)), whose undo leaves CA_Loss as
  // it is (neither F-RTO nor SACK: no Open), so tcp_fastretrans_alert returns before tcp_try_to_open:
  // nothing given back and no cut for the ECE (ssthresh the timeout's)
  it("without SACK, an ECE on the ACK whose echo shows a timeout spurious: nothing given back, and no cut for it (Linux's CA_Loss kept)", () => {
    const s = est({ ts: true })
    for (let i = 0; i < B; i++) {
      s.write(40 * i, "x")
      s.send(40 * i + 20, ackOf(i + 1, false, [], [i + 2, 40 * i]))
    }
    const P = MSS - 12
    s.write(1000, T.octets(20 * P))
    s.tick(Math.ceil(s.snd.tlpAt!))
    const t = Math.ceil(s.snd.rtoAt!)
    s.tick(t)
    const rto = { cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }
    // the ACK of the first two segments echoes the first's original send (1000), and says ECE
    s.send(t + 5, ackOf(B + 2 * P, true, [], [100, 1000]))
    expect([Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).ecnReductions]).toEqual([1, 0])
    expect(s.snd.cc.ssthresh).toBe(rto.ssthresh)
    expect(s.snd.cc.cwnd).toBeLessThan(10 * P)
  })
  // (review53a) The same for a late D-SACK: the recovery over (cwnd 7, ssthresh 7), the D-SACK of
  // its resend comes on an ACK with ECE. Linux's tcp_fastretrans_alert zeroes prior_ssthresh, then
  // (Open) tcp_try_undo_dsack's tcp_undo_cwnd_reduction gives nothing back, and tcp_try_to_open
  // enters CWR for the ECE from the window as it is: CUBIC's ssthresh max(7 × 717 / 1024, 2) = 4.
  // The stack gave the window back (10, ssthresh infinite) and then cut it for the ECE: 7
  it("an ECE on the ACK whose late D-SACK shows a recovery needless: nothing given back, the ECE's cut from the window as it is (Linux's tcp_try_undo_dsack, then tcp_try_to_open)", () => {
    const s = warm()
    s.write(1000, T.octets(4 * MSS))
    // the first held up: three SACKed beyond it, a recovery and its resend; then the ACK of all
    s.send(1020, ackOf(B, false, [[B + MSS, B + 4 * MSS]]))
    expect(s.snd.recovering).toBe(true)
    s.send(1022, ackOf(B + 4 * MSS, false))
    expect(s.snd.recovering).toBe(false)
    expect([s.snd.cc.cwnd, s.snd.cc.ssthresh]).toEqual([7 * MSS, 7 * MSS])
    // the resend's D-SACK, late, on an ACK that says ECE
    s.send(1040, ackOf(B + 4 * MSS, true, [[B, B + MSS]]))
    expect([Sender.counters(s.snd).undos, Sender.counters(s.snd).ecnReductions]).toEqual([1, 1])
    // (cwnd as it was: with nothing in flight Linux's tcp_ack takes the ACK at no_queue, which runs
    // tcp_fastretrans_alert but no tcp_cong_control, so no PRR step until data goes again)
    expect([s.snd.cc.cwnd, s.snd.cc.ssthresh]).toEqual([7 * MSS, 4 * MSS])
  })
  it("an ECE during a fast recovery forbids undoing it: the Eifel echo shows it spurious, the cut stands", () => {
    const s = warm(true)
    const P = MSS - 12
    const before = s.snd.cc.cwnd
    s.write(1000, T.octets(4 * P))
    // the first held up; the three after it SACKed, one of them CE: recovery, the ECE inside it
    s.send(1020, ackOf(B, true, [[B + P, B + 4 * P]], [100, 1000]))
    expect(s.snd.recovering).toBe(true)
    s.write(1021, T.octets(2 * P, 4 * P))
    s.send(1022, ackOf(B, false, [[B + P, B + 5 * P]], [101, 1000]))
    // the original arrives at last: its ACK echoes the time before the retransmission (RFC 3522)
    s.send(1023, ackOf(B + 5 * P, false, [], [102, 1000]))
    expect(s.snd.recovering).toBe(false)
    expect(s.snd.cc.cwnd).toBeLessThan(before)
  })
  // (review53a) Linux's tcp_enter_cwr zeroes prior_ssthresh and undo_marker, and tcp_enter_loss from
  // CWR with high_seq still ahead of snd_una takes no new record (neither Open/Disorder nor
  // `!after(high_seq, snd_una)`: no tcp_init_undo), so F-RTO's proof (tcp_try_undo_loss(sk, true):
  // tcp_undo_cwnd_reduction with prior_ssthresh 0) ends the episode with cwnd as the timeout's slow
  // start left it and the cut's ssthresh, giving nothing back. The stack's onRto began a record there
  // (the cut's window), which the proof gave back
  it("a timeout during an ECN cut takes no undo record: F-RTO finds it spurious, the cut's window is not given back (Linux's CWR)", () => {
    const s = warm()
    s.write(1000, T.octets(20 * MSS))
    // the first segment's ACK says ECE: the cut, held until SND.MAX now is passed
    s.send(1020, ackOf(B + MSS, true))
    expect(Sender.counters(s.snd).ecnReductions).toBe(1)
    const cut = { cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }
    // then the ACKs stop: the probe, then the timeout (ssthresh kept: the window was cut already)
    s.tick(Math.ceil(s.snd.tlpAt!))
    const t = Math.ceil(s.snd.rtoAt!)
    s.tick(t)
    expect(Sender.counters(s.snd).timeouts).toBe(1)
    expect(s.snd.undo).toBeUndefined()
    const rtoCwnd = s.snd.cc.cwnd
    // the ACK of the second and third segments, the third never sent again: spurious (F-RTO)
    s.send(t + 5, ackOf(B + 3 * MSS, false))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(1)
    // the timeout's window, grown by the two segments acknowledged (slow start under the cut's
    // ssthresh: the hold ended with the timeout), not the cut's window given back
    expect(s.snd.cc.ssthresh).toBe(cut.ssthresh)
    expect(s.snd.cc.cwnd).toBeLessThan(cut.cwnd)
    expect(s.snd.cc.cwnd).toBe(rtoCwnd + 2 * MSS)
  })
  // (review54a) Linux's tcp_enter_loss cuts ssthresh again unless the cut it finds covers the window:
  // `icsk_ca_state <= TCP_CA_Disorder || !after(high_seq, snd_una)`. In CWR with SND.UNA at the cut's
  // point itself (all sent before it acknowledged, nothing above: the cut still held for its CWR) the
  // timeout's window is a new one: prior_ssthresh = ssthresh (tcp_current_ssthresh in CWR), ssthresh
  // from PRR's cwnd (CUBIC: 7 x 0.7 = 4), an undo record. The stack kept the cut's ssthresh
  // (`reducing`), slow-starting back to 7 where Linux's stops at 4
  it("a timeout during an ECN cut with SND.UNA at the cut's point cuts ssthresh again, from PRR's window (Linux's tcp_enter_loss: !after(high_seq, snd_una))", () => {
    const s = warm()
    s.write(1000, T.octets(30 * MSS))
    s.send(1020, ackOf(B + MSS, true))
    s.send(1021, ackOf(B + 2 * MSS, false))
    s.send(1022, ackOf(B + 3 * MSS, false))
    // the ACK of all ten sent before the cut, none of the three after: held at its point
    s.send(1023, ackOf(B + 10 * MSS, false))
    expect(s.snd.cwr).toBeDefined()
    // (PRR-SSRB: 3 in flight under ssthresh 7, cwnd 3 + min(4, max(10 - 3, 7) + 1) = 7)
    expect([s.snd.cc.ssthresh, s.snd.cc.cwnd]).toEqual([7 * MSS, 7 * MSS])
    if (s.snd.tlpAt !== undefined) s.tick(Math.ceil(s.snd.tlpAt))
    s.tick(Math.ceil(s.snd.rtoAt!))
    expect(Sender.counters(s.snd).timeouts).toBe(1)
    expect(s.snd.cc.ssthresh).toBe(4 * MSS)
    expect(s.snd.undo).toBeDefined()
  })
  // (review55a) The same timeout without SACK, F-RTO's proof at the old flight's end itself, on an ACK
  // with ECE: Linux's tcp_try_undo_loss(sk, true) runs (F-RTO's undo asks no undo_marker), but
  // tcp_is_non_sack_preventing_reopen (snd_una == high_seq, Reno) keeps CA_Loss, so
  // tcp_fastretrans_alert returns before tcp_try_to_open: no CWR for the ECE. With no record (the
  // cut's timeout took none) the stack's hold exception was skipped, and the ECE cut again
  it("without SACK, F-RTO's proof at the old flight's end of a timeout during an ECN cut, with ECE: no second cut (Linux's tcp_is_non_sack_preventing_reopen)", () => {
    const s = est()
    for (let i = 0; i < B; i++) {
      s.write(40 * i, "x")
      s.send(40 * i + 20, ackOf(i + 1, false))
    }
    s.write(1000, T.octets(20 * MSS))
    s.send(1020, ackOf(B + MSS, true))
    expect(Sender.counters(s.snd).ecnReductions).toBe(1)
    if (s.snd.tlpAt !== undefined) s.tick(Math.ceil(s.snd.tlpAt))
    const t = Math.ceil(s.snd.rtoAt!)
    s.tick(t)
    expect(Sender.counters(s.snd).timeouts).toBe(1)
    expect(s.snd.undo).toBeUndefined()
    const end = Seq.sub(s.snd.sndMax, ours(0))
    // the ACK of the resent head (F-RTO's step 2.b: new data goes), then the ACK of the rest of the
    // old flight, never sent again (the proof), exactly at the timeout's end, says ECE
    s.send(t + 5, ackOf(B + 2 * MSS, false))
    expect(s.snd.frto).toBeDefined()
    s.send(t + 6, ackOf(end, true))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(1)
    expect(Sender.counters(s.snd).ecnReductions).toBe(1)
    expect(s.snd.cwr).toBeUndefined()
  })
  // (review53a) Linux's tcp_enter_loss sets CA_Loss from CWR too: the cut's hold is over
  // (tcp_in_cwnd_reduction is false in CA_Loss), and tcp_cong_control grows the timeout's window by
  // slow start at each ACK of data (tcp_cong_avoid). The stack went on holding the window while
  // SND.UNA was short of the cut's SND.MAX (`ecnHeld`), so the timeout's slow start did not start
  it("a timeout during an ECN cut ends the cut's hold: the ACKs after it grow the window by slow start (Linux's CA_Loss)", () => {
    const s = warm()
    s.write(1000, T.octets(20 * MSS))
    s.send(1020, ackOf(B + MSS, true))
    const cut = s.snd.cc.ssthresh
    s.tick(Math.ceil(s.snd.tlpAt!))
    const t = Math.ceil(s.snd.rtoAt!)
    s.tick(t)
    const cwnd = s.snd.cc.cwnd
    // the ACK of the resent second segment: slow start, one segment more
    s.send(t + 5, ackOf(B + 2 * MSS, false))
    expect([s.snd.cc.cwnd, s.snd.cc.ssthresh]).toEqual([cwnd + MSS, cut])
  })
  it("after a cut is undone, no CWR goes (nothing to announce)", () => {
    const s = warm(true)
    const P = MSS - 12
    s.write(1000, T.octets(4 * P))
    s.send(1020, ackOf(B, false, [[B + P, B + 4 * P]], [100, 1000]))
    expect(s.snd.cwrPending).toBe(true)
    s.send(1023, ackOf(B + 4 * P, false, [], [102, 1000]))
    expect(Sender.counters(s.snd).eifelUndos).toBe(1)
    expect(s.snd.cwrPending).toBe(false)
  })
  // (review53a) Linux's tcp_undo_cwnd_reduction withdraws the queued CWR (tcp_ecn_withdraw_cwr) only
  // when it raises ssthresh (prior_ssthresh > snd_ssthresh). A recovery entered during an ECN cut
  // (CWR) has prior_ssthresh 0 (tcp_enter_recovery): its undo gives nothing back and the CWR the cut
  // queued still goes, on the next new data. The stack withdrew it at every undo: the peer, never
  // told, would go on saying ECE
  it("an undo that gives no ssthresh back withdraws no CWR: a recovery inside an ECN cut, undone by the echo, still announces the cut", () => {
    const s = warm(true)
    const P = MSS - 12
    s.write(1000, T.octets(10 * P))
    // the first segment's ACK says ECE: the cut, its CWR waiting for new data (none written yet)
    s.send(1020, ackOf(B + P, true, [], [100, 1000]))
    expect([Sender.counters(s.snd).ecnReductions, s.snd.cwrPending]).toEqual([1, true])
    // the second held up, three SACKed beyond it: a recovery inside the cut (its resend says no CWR)
    s.send(1021, ackOf(B + P, false, [[B + 2 * P, B + 5 * P]], [101, 1000]))
    expect(s.snd.recovering).toBe(true)
    // the second's original arrives: the ACK of all echoes a time before the retransmission
    s.send(1023, ackOf(B + 10 * P, false, [], [102, 1000]))
    expect([Sender.counters(s.snd).eifelUndos, s.snd.recovering]).toEqual([1, false])
    // the next new data says CWR
    const sent = data(s.write(1030, T.octets(2 * P)))
    expect(sent.length).toBeGreaterThan(0)
    expect(has(sent[0]!, CWR)).toBe(true)
  })
  // (review54a) Linux's tcp_enter_recovery inside CWR (tcp_in_cwnd_reduction) skips
  // tcp_init_cwnd_reduction: high_seq stays the cut's SND.NXT, so the recovery ends once SND.UNA
  // reaches it (tcp_fastretrans_alert's exit, cwnd = ssthresh) and a loss of data sent after it is a
  // new recovery, cut again and announced with CWR. Linux 6.18 in ConformanceLoss's shape (TCP_INFO
  // after each ACK): Recovery at the SACK of 4..6, ssthresh 7; Open with cwnd 7 at the ACK of 11;
  // ssthresh 4 at the SACK that shows the 12th lost. The stack held the recovery to SND.MAX at its
  // entry (13) and took that loss inside it: no cut, no CWR
  it("a recovery entered during an ECN cut ends at the cut's point, and a loss after it is a new recovery, cut again (Linux's high_seq kept by tcp_enter_recovery)", () => {
    const s = warm()
    s.write(1000, T.octets(30 * MSS))
    s.send(1020, ackOf(B + MSS, true))
    s.send(1021, ackOf(B + 2 * MSS, false))
    s.send(1022, ackOf(B + 3 * MSS, false))
    s.send(1023, ackOf(B + 3 * MSS, false, [[B + 4 * MSS, B + 7 * MSS]]))
    expect([s.snd.recovering, s.snd.cc.ssthresh]).toEqual([true, 7 * MSS])
    s.send(1024, ackOf(B + 9 * MSS, false))
    expect(s.snd.recovering).toBe(true)
    s.send(1025, ackOf(B + 11 * MSS, false))
    expect(s.snd.recovering).toBe(false)
    expect(s.snd.cc.cwnd).toBeGreaterThanOrEqual(7 * MSS)
    expect(s.snd.cc.cwnd).toBeLessThan(8 * MSS)
    s.send(1026, ackOf(B + 11 * MSS, false, [[B + 12 * MSS, B + 15 * MSS]]))
    expect([s.snd.recovering, Sender.counters(s.snd).fastRetransmits, s.snd.cc.ssthresh]).toEqual([true, 2, 4 * MSS])
    expect(s.snd.cwrPending).toBe(true)
  })
  // (review54a) And its PRR goes on from the cut's: tcp_enter_recovery in CWR keeps prior_cwnd,
  // prr_delivered and prr_out, so tcp_cwnd_reduction's floor of one (`prr_out ? 0 : 1`) forces no
  // first retransmission once the cut has sent. NewReno, ssthresh 5 from 10: the ECE's ACK sends the
  // 11th (ceil(5 x 1 / 10) = 1), the third ACK the 12th (ceil(15 / 10) - 1); the SACK of 4..6 finds
  // in flight 9 - 3 SACKed - 1 lost = 5 = ssthresh: sndcnt min(0, ...) = 0, prr_out 2, cwnd 5,
  // nothing goes; the next SACK (one more delivered, in flight 4) lets the resend of the 4th go. The
  // stack started PRR afresh (out 0) and resent the 4th at once, whatever the window said
  it("PRR of a recovery entered during an ECN cut goes on from the cut's counts: no forced first resend once the cut has sent (Linux's prr_out kept)", () => {
    const { s, sent, at } = primed(true, "newreno")
    s.write(1000, T.octets(30 * MSS))
    at(1020, ackOf(B + MSS, true))
    at(1021, ackOf(B + 2 * MSS, false))
    at(1022, ackOf(B + 3 * MSS, false))
    expect([s.snd.cc.ssthresh, s.snd.cc.cwnd]).toEqual([5 * MSS, 9 * MSS])
    at(1023, ackOf(B + 3 * MSS, false, [[B + 4 * MSS, B + 7 * MSS]]))
    expect(s.snd.recovering).toBe(true)
    at(1024, ackOf(B + 3 * MSS, false, [[B + 4 * MSS, B + 8 * MSS]]))
    expect(sent).toEqual([1, 0, 1, 0, 1])
    expect(Sender.counters(s.snd).retransmits).toBe(1)
  })
  // (review58b) The same recovery, its first resend still held by PRR, and then the 4th's original
  // arrives: the ACK of 4..7, a partial ACK, with no timestamps. Nothing was resent in the recovery,
  // so Linux's retrans_stamp is 0 (tcp_enter_recovery's tcp_retrans_stamp_cleanup) and 6.x's
  // tcp_packet_delayed answers true without an echo ("no retransmit yet": delayed, not lost):
  // tcp_try_undo_partial raises the degree from the old SND.UNA (tcp_check_sack_reordering: 4
  // segments, reord_seen), finds no resend out and undoes under prior_ssthresh 0 (entered in CWR:
  // nothing back, cwnd PRR's 5, ssthresh 5), LINUX_MIB_TCPPARTIALUNDO, tcp_try_keep_open: Open; RACK
  // finds nothing lost. So the ECE at the next ACK finds Linux Open and enters CWR: ssthresh
  // tcp_reno_ssthresh(5) = 2. The stack asked the echo alone: the recovery went on to the cut's
  // point, and that ECE cut nothing
  it("a partial ACK of a SACK recovery that has resent nothing yet undoes it without timestamps, and the next ECE cuts again (Linux's tcp_packet_delayed with retrans_stamp 0, tcp_try_undo_partial)", () => {
    const { s, at } = primed(true, "newreno")
    s.write(1000, T.octets(30 * MSS))
    at(1020, ackOf(B + MSS, true))
    at(1021, ackOf(B + 2 * MSS, false))
    at(1022, ackOf(B + 3 * MSS, false))
    at(1023, ackOf(B + 3 * MSS, false, [[B + 4 * MSS, B + 7 * MSS]]))
    expect([s.snd.recovering, Sender.counters(s.snd).retransmits]).toEqual([true, 0])
    at(1024, ackOf(B + 7 * MSS, false))
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh]).toEqual([false, 1, 5 * MSS])
    expect([s.snd.rack.reordering, s.snd.rack.degree]).toEqual([true, 4])
    expect(Math.floor(s.snd.cc.cwnd / MSS)).toBe(5)
    at(1025, ackOf(B + 8 * MSS, true))
    expect([Sender.counters(s.snd).ecnReductions, s.snd.cc.ssthresh]).toEqual([2, 2 * MSS])
    expect(Sender.counters(s.snd).retransmits).toBe(0)
  })
  // (undo59) The same rule at the recovery's end: Linux's tcp_try_undo_recovery asks tcp_may_undo,
  // undo_marker and (undo_retrans 0, or tcp_packet_delayed); with nothing resent undo_retrans is -1
  // (tcp_init_undo), retrans_stamp 0, and 6.x's tcp_packet_delayed answers true for SACK. NewReno,
  // ssthresh 5 from 10: the ECE's ACK sends the 11th, the third ACK the 12th; the SACK of 5..6 (two,
  // no mark yet: RACK's window min RTT / 4 below three SACKed) the 13th (in flight 7: ceil(5 × 5 /
  // 10) - 2); the SACK of 5..7 marks the 4th and enters Recovery inside the cut: in flight 10 - 3 - 1
  // = 6 above ssthresh, sndcnt ceil(5 × 6 / 10) - 3 = 0, no floor (prr_out 3): cwnd 6, nothing
  // resent. The ACK of the ten sent before the cut (high_seq, the cut's SND.NXT) ends the recovery:
  // undone under prior_ssthresh 0 (nothing back), LINUX_MIB_TCPFULLUNDO, undo_marker 0, so
  // tcp_end_cwnd_reduction leaves PRR's 6, not ssthresh. The stack asked for a resend (`sent > 0`):
  // no undo, cwnd = ssthresh 5
  it("the end of a SACK recovery that has resent nothing is an undo: cwnd stays PRR's, not ssthresh (Linux's tcp_may_undo with retrans_stamp 0, tcp_try_undo_recovery)", () => {
    const { s, sent, at } = primed(true, "newreno")
    s.write(1000, T.octets(30 * MSS))
    at(1020, ackOf(B + MSS, true))
    at(1021, ackOf(B + 2 * MSS, false))
    at(1022, ackOf(B + 3 * MSS, false))
    at(1023, ackOf(B + 3 * MSS, false, [[B + 4 * MSS, B + 6 * MSS]]))
    expect(s.snd.recovering).toBe(false)
    at(1024, ackOf(B + 3 * MSS, false, [[B + 4 * MSS, B + 7 * MSS]]))
    expect([s.snd.recovering, Sender.counters(s.snd).retransmits]).toEqual([true, 0])
    expect(sent).toEqual([1, 0, 1, 1, 0])
    const undos = Sender.counters(s.snd).eifelUndos
    at(1025, ackOf(B + 10 * MSS, false))
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos - undos, s.snd.cc.ssthresh]).toEqual([false, 1, 5 * MSS])
    expect(s.snd.cc.cwnd).toBeGreaterThanOrEqual(6 * MSS)
    expect(s.snd.cc.cwnd).toBeLessThan(8 * MSS)
    expect(Sender.counters(s.snd).retransmits).toBe(0)
  })
  // (undo59) Without SACK the same: 6.x's tcp_packet_delayed answers true with retrans_stamp 0 for a
  // Reno connection while SND.UNA is below high_seq. CUBIC, ssthresh 7 from 10: the ECE's ACK and the
  // next two send the 11th..13th, the first duplicate nothing, the second the 14th; the third marks
  // the 4th lost and enters Recovery inside the cut (in flight 7 = ssthresh: nothing goes). The ACK
  // of 4..7 (the 4th's original) is a partial ACK with nothing resent: tcp_try_undo_partial undoes
  // (nothing back under prior_ssthresh 0: cwnd PRR's 7), LINUX_MIB_TCPPARTIALUNDO, tcp_try_keep_open:
  // Open, nothing marked, nothing sent. The stack asked the echo alone: the 8th marked lost and resent
  it("without SACK, a partial ACK of a recovery that has resent nothing yet undoes it without timestamps (Linux's tcp_packet_delayed with retrans_stamp 0 below high_seq, tcp_try_undo_partial)", () => {
    const { s, sent, at } = primed(false, undefined)
    s.write(1000, T.octets(30 * MSS))
    at(1020, ackOf(B + MSS, true))
    at(1021, ackOf(B + 2 * MSS, false))
    at(1022, ackOf(B + 3 * MSS, false))
    for (let i = 0; i < 3; i++) at(1023 + i, ackOf(B + 3 * MSS, false))
    expect([s.snd.recovering, Sender.counters(s.snd).retransmits]).toEqual([true, 0])
    expect(sent).toEqual([1, 1, 1, 0, 1, 0])
    const undos = Sender.counters(s.snd).eifelUndos
    at(1026, ackOf(B + 7 * MSS, false))
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos - undos, sent[6]]).toEqual([false, 1, 0])
    expect(Math.floor(s.snd.cc.cwnd / MSS)).toBe(7)
    at(1027, ackOf(B + 8 * MSS, false))
    expect([sent[7], Sender.counters(s.snd).retransmits]).toEqual([1, 0])
  })
  // (review59a) But not at the recovery's end: 6.x's tcp_packet_delayed answers false with
  // retrans_stamp 0 for a non-SACK connection once SND.UNA is at or past high_seq (Neal Cardwell's
  // 2025 "fix tcp_packet_delayed() for tcp_is_non_sack_preventing_reopen() behavior":
  // tcp_is_non_sack_preventing_reopen clears the stamp there after resends too), and undo_retrans is
  // -1 (tcp_init_undo), so tcp_try_undo_recovery's tcp_may_undo is false: no TCPFULLUNDO, and
  // tcp_end_cwnd_reduction, undo_marker still set, takes cwnd to ssthresh. NewReno, ssthresh 5 from
  // 10: the ECE's ACK sends the 11th, the third ACK the 12th, the second duplicate the 13th; the
  // third marks the 4th lost and enters Recovery inside the cut, in flight 10 - 3 - 1 = 6 above
  // ssthresh, sndcnt ceil(5 × 6 / 10) - 3 = 0 (prr_out 3): cwnd 6, nothing resent. The ACK of the
  // 11th (past high_seq, the cut's SND.NXT, so no hold) ends it without an undo: cwnd 5, grown by
  // the five it delivered (tcp_remove_reno_sacks: 8 less the 3 counted; tcp_cong_avoid_ai at 5) to
  // exactly 6, ssthresh 5. Undone (the SACK rule taken for Reno too), cwnd stayed PRR's 6 and grew
  // 5/6 of a segment more, and the undo was counted
  it("without SACK, the end of a recovery that has resent nothing is no undo (Linux's tcp_packet_delayed: retrans_stamp 0 at or past high_seq answers false for a non-SACK connection)", () => {
    const { s, sent, at } = primed(false, "newreno")
    s.write(1000, T.octets(30 * MSS))
    at(1020, ackOf(B + MSS, true))
    at(1021, ackOf(B + 2 * MSS, false))
    at(1022, ackOf(B + 3 * MSS, false))
    for (let i = 0; i < 3; i++) at(1023 + i, ackOf(B + 3 * MSS, false))
    expect([s.snd.recovering, Sender.counters(s.snd).retransmits, s.snd.cc.ssthresh]).toEqual([true, 0, 5 * MSS])
    expect(sent).toEqual([1, 0, 1, 0, 1, 0])
    const undos = Sender.counters(s.snd).eifelUndos
    at(1026, ackOf(B + 11 * MSS, false))
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos - undos, s.snd.cc.ssthresh]).toEqual([false, 0, 5 * MSS])
    expect(s.snd.cc.cwnd).toBe(6 * MSS)
    expect(Sender.counters(s.snd).retransmits).toBe(0)
  })
  // (review54a) Linux's tcp_enter_recovery zeroes prior_ssthresh and sets it again only outside a
  // cwnd reduction: entered in CWR, its undo (tcp_undo_cwnd_reduction under prior_ssthresh 0) gives
  // nothing back, cwnd stays what the recovery's last tcp_cwnd_reduction set, and tcp_cong_control,
  // Open again, grows it from there. Here PRR's 7 (the cut's counts: delivered 4, out 1, in flight
  // 6 under ssthresh 7) and then CUBIC's avoidance at ssthresh: 7 and a fraction. The stack gave the
  // record's window back, the cut's 10 at the recovery's entry
  it("an undo of a recovery entered during an ECN cut gives nothing back: cwnd stays PRR's (Linux's prior_ssthresh 0 in CWR)", () => {
    const s = warm()
    s.write(1000, T.octets(20 * MSS))
    s.send(1020, ackOf(B + MSS, true))
    s.send(1021, ackOf(B + MSS, false, [[B + 2 * MSS, B + 5 * MSS]]))
    expect(s.snd.recovering).toBe(true)
    s.send(1023, ackOf(B + 5 * MSS, false, [[B + MSS, B + 2 * MSS]]))
    expect([s.snd.recovering, Sender.counters(s.snd).undos]).toEqual([false, 1])
    expect(s.snd.cc.ssthresh).toBe(7 * MSS)
    expect(s.snd.cc.cwnd).toBeGreaterThanOrEqual(7 * MSS)
    expect(s.snd.cc.cwnd).toBeLessThan(8 * MSS)
  })
  // (ecn55, review54a) The same undo by the timestamp echo at the recovery's end: Linux's
  // tcp_try_undo_recovery (tcp_may_undo) runs tcp_undo_cwnd_reduction under prior_ssthresh 0,
  // nothing back, and zeroes undo_marker, so tcp_end_cwnd_reduction (which sets cwnd = ssthresh only
  // in CWR or while undo_marker is set) leaves cwnd as the last tcp_cwnd_reduction set it, and
  // tcp_cong_control, Open, grows it from there. NewReno, ssthresh 5 from 10: the ECE's ACK sends
  // the 11th (ceil(5 × 1 / 10)); the SACK of the 3rd..5th starts the recovery inside the cut, the 2nd
  // resent (in flight 6 above ssthresh: ceil(5 × 4 / 10) - 1 = 1, cwnd 7); the SACK of the 6th sends
  // the 12th (in flight 6: ceil(25 / 10) - 2 = 1, cwnd 7); the ACK of the ten sent before the cut,
  // echoing a time before the resend, ends and undoes it: cwnd 7 (and avoidance's growth: five
  // delivered, under 7), ssthresh 5. The stack set cwnd = ssthresh first (RFC 6937's end), the undo
  // giving nothing back: 5, grown to 6 by the ACK. (On the wire: ConformanceLoss, "the echo's undo
  // at the end of a SACK recovery entered during the cut")
  it("the echo's undo at the end of a recovery entered during an ECN cut keeps PRR's last window, not ssthresh (Linux's tcp_end_cwnd_reduction after undo_marker 0)", () => {
    const s = T.established({
      params: { ecn: "accept", quickAcks: 0, congestion: "newreno", hystart: false },
      peerOptions: { mss: MSS, sackPermitted: true, timestamp: { value: 1, echo: 0 } },
      peerSynFlags: SETUP,
      peerWindow: 65535
    })
    const P = MSS - 12
    for (let i = 0; i < B; i++) {
      s.write(40 * i, "x")
      s.send(40 * i + 20, ackOf(i + 1, false, [], [i + 2, 40 * i]))
    }
    s.write(1000, T.octets(30 * P))
    const sent = [
      s.send(1020, ackOf(B + P, true, [], [100, 1000])),
      s.send(1021, ackOf(B + P, false, [[B + 2 * P, B + 5 * P]], [101, 1000])),
      s.send(1022, ackOf(B + P, false, [[B + 2 * P, B + 6 * P]], [102, 1000]))
    ].map((o) => data(o).length)
    expect(sent).toEqual([1, 1, 1])
    expect([s.snd.recovering, s.snd.cc.ssthresh]).toEqual([true, 5 * P])
    s.send(1030, ackOf(B + 10 * P, false, [], [103, 1000]))
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos]).toEqual([false, 1])
    expect(s.snd.cc.ssthresh).toBe(5 * P)
    expect(s.snd.cc.cwnd).toBeGreaterThanOrEqual(7 * P)
    expect(s.snd.cc.cwnd).toBeLessThan(8 * P)
  })
  // (ecn55) A timeout that cuts short a SACK recovery an ECE came in: Linux's tcp_enter_loss from
  // Recovery short of high_seq takes no new record (no tcp_init_undo, prior_ssthresh left 0 by the
  // ECE) and no F-RTO, so the echo that shows the episode needless (tcp_try_undo_loss, tcp_may_undo
  // on the recovery's undo_marker) gives nothing back: ssthresh the recovery's cut. The record kept
  // through the ECE (`Undo.nothingBack`) must not give it back at the timeout's undo either
  it("a timeout that cuts short a SACK recovery an ECE came in: the echo's undo gives nothing back (Linux's prior_ssthresh 0, no record at tcp_enter_loss)", () => {
    const s = warm(true)
    const P = MSS - 12
    s.write(1000, T.octets(20 * P))
    s.send(1020, ackOf(B + P, false, [[B + 2 * P, B + 5 * P]], [100, 1000]))
    expect(s.snd.recovering).toBe(true)
    s.send(1021, ackOf(B + P, true, [[B + 2 * P, B + 6 * P]], [101, 1000]))
    const cut = s.snd.cc.ssthresh
    const t = Math.ceil(s.snd.rtoAt!)
    s.tick(t)
    expect(Sender.counters(s.snd).timeouts).toBe(1)
    // the second's original arrives at last: the ACK of all ten echoes the write's time
    s.send(t + 5, ackOf(B + 10 * P, false, [], [102, 1000]))
    expect(Sender.counters(s.snd).eifelUndos).toBe(1)
    expect(s.snd.cc.ssthresh).toBe(cut)
    expect(s.snd.cc.cwnd).toBeLessThan(cut)
  })
  // (review55a) The record an ECE in a SACK recovery keeps (`Undo.nothingBack`, 8c9a227) is the one a
  // D-SACK undo with a resend still out hands to the recovery that starts at once. Linux: the
  // timeout's go-back, then the second's resend lost again (FLAG_LOST_RETRANS: tcp_enter_recovery
  // from Loss, ssthresh 2 from cwnd 2); the ECE zeroes prior_ssthresh; the third's D-SACK undoes
  // with nothing back (tcp_try_undo_dsack), and tcp_enter_recovery from Disorder records afresh
  // (tcp_init_undo, prior_ssthresh tcp_current_ssthresh: 2, prior_cwnd 2). The ACK of all with the
  // D-SACK of the second's resend undoes that record: ssthresh max(2, 2), nothing of the window
  // before the ECE. The stack's new record took the old one's saved state without its
  // `nothingBack`, and gave back ssthresh 7, the window before the ECE's cut
  it("an ECE in a SACK recovery: the record a D-SACK undo hands on (a resend still out) gives nothing back either (Linux's tcp_enter_recovery after tcp_try_undo_dsack)", () => {
    const s = warm()
    s.write(1000, T.octets(3 * MSS))
    s.tick(Math.ceil(s.snd.tlpAt!))
    const t = Math.ceil(s.snd.rtoAt!)
    s.tick(t)
    s.send(t + 20, ackOf(B + MSS, false))
    s.send(t + 40, ackOf(B + MSS, false, [[B + 2 * MSS, B + 3 * MSS]]))
    expect([s.snd.recovering, s.snd.cc.ssthresh]).toEqual([true, 2 * MSS])
    s.send(t + 41, ackOf(B + MSS, true, [[B + 2 * MSS, B + 3 * MSS]]))
    // the third's other copy D-SACKed: undone (nothing back), a recovery again
    s.send(t + 42, ackOf(B + MSS, false, [[B + 2 * MSS, B + 3 * MSS], [B + 2 * MSS, B + 3 * MSS]]))
    expect([Sender.counters(s.snd).undos, s.snd.recovering, s.snd.cc.ssthresh]).toEqual([1, true, 2 * MSS])
    // the ACK of all, D-SACKing the second's resend: undone again, nothing back
    s.send(t + 60, ackOf(B + 3 * MSS, false, [[B + MSS, B + 2 * MSS]]))
    expect([Sender.counters(s.snd).undos, s.snd.recovering]).toEqual([2, false])
    expect(s.snd.cc.ssthresh).toBe(2 * MSS)
  })
  // (review56c) The same re-entry with lost data still unsent and no resend out. Linux undoes
  // whenever undo_retrans reaches 0 (tcp_try_undo_dsack, in TCP_CA_Recovery), lost_out or not:
  // tcp_undo_cwnd_reduction(sk, false) keeps the LOST marks, tcp_try_to_open goes to Disorder and
  // tcp_time_to_recover (lost_out) starts a recovery on the same ACK. Ten out, the first seven lost
  // (the last three SACKed): ssthresh 7, PRR resends three (cwnd 0 + min(7, 3)). Their originals
  // arrive with the resends' D-SACK and an ECE: prior_ssthresh 0, so nothing is given back and cwnd
  // is PRR's 3; tcp_enter_recovery(ece_ack) from Disorder cuts ssthresh from it (CUBIC: 2) and PRR
  // starts again (in flight 0: S3..S6 lost, S7..S9 SACKed): cwnd min(2, ...) = 2, two resends. The
  // stack undid nothing while anything was lost unsent: ssthresh 7, and four went
  it("an ECE on the D-SACK that undoes a SACK recovery with lost data unsent: undone, a recovery again cut from PRR's window (Linux's tcp_time_to_recover after tcp_try_undo_dsack)", () => {
    const s = warm()
    expect(data(s.write(1000, T.octets(10 * MSS)))).toHaveLength(10)
    const resent = s.send(1020, ackOf(B, false, [[B + 7 * MSS, B + 10 * MSS]]))
    expect(data(resent).map((o) => T.ourSeq(o))).toEqual([B, B + MSS, B + 2 * MSS])
    expect([s.snd.recovering, s.snd.cc.ssthresh, s.snd.rack.lostOctets]).toEqual([true, 7 * MSS, 4 * MSS])
    const out = s.send(1040, ackOf(B + 3 * MSS, true, [[B, B + 3 * MSS], [B + 7 * MSS, B + 10 * MSS]]))
    expect([Sender.counters(s.snd).undos, Sender.counters(s.snd).fastRetransmits, s.snd.recovering]).toEqual([1, 2, true])
    expect(s.snd.cc.ssthresh).toBe(2 * MSS)
    expect(data(out).map((o) => T.ourSeq(o))).toEqual([B + 3 * MSS, B + 4 * MSS])
    expect(s.snd.undo?.nothingBack).toBe(true)
  })
  // (ecn54) A recovery entered during an ECN cut replaces it: Linux's tcp_enter_recovery sets
  // TCP_CA_Recovery over CWR, and an undo of that recovery (here tcp_try_undo_dsack, SND.UNA still
  // short of the cut's high_seq) goes to Open (tcp_try_keep_open), not back to CWR. So the next ACK
  // with ECE enters CWR again (tcp_try_to_open), a second cut; the stack held the old cut's mark
  // until SND.UNA passed it, and took that ECE for the same window
  it("an undo of a recovery entered during an ECN cut leaves no cut held: the next ECE cuts again (Linux's Recovery replaced CWR)", () => {
    const s = warm()
    s.write(1000, T.octets(20 * MSS))
    // the first segment's ACK says ECE: the cut, its mark at the ten segments out
    s.send(1020, ackOf(B + MSS, true))
    expect(Sender.counters(s.snd).ecnReductions).toBe(1)
    // the second held up, three SACKed beyond it: a recovery inside the cut, the second resent
    s.send(1021, ackOf(B + MSS, false, [[B + 2 * MSS, B + 5 * MSS]]))
    expect(s.snd.recovering).toBe(true)
    // the second's original arrives, and the resend's D-SACK: undone, SND.UNA short of the mark
    s.send(1023, ackOf(B + 5 * MSS, false, [[B + MSS, B + 2 * MSS]]))
    expect([s.snd.recovering, Sender.counters(s.snd).undos]).toEqual([false, 1])
    s.send(1025, ackOf(B + 6 * MSS, true))
    expect(Sender.counters(s.snd).ecnReductions).toBe(2)
  })
  // (Linux's tcp_cong_control in CWR: tcp_cwnd_reduction, never tcp_cong_avoid. 10 out, ssthresh 7:
  // 8 + ceil(7 × 2 / 10) - 0 = 10; 8 + ceil(7 × 4 / 10) - 2 = 9; then 7 in flight, at ssthresh:
  // 7 + min(0, ...) = 7)
  it("ACKs that say ECE, or come while a cut is held, do not grow the window: PRR takes it down", () => {
    const s = est()
    s.write(10, T.octets(20 * MSS))
    const cwnd: Array<number> = []
    s.send(20, T.fromPeer({ ack: 2 * MSS, flags: ACK | ECE }))
    cwnd.push(s.snd.cc.cwnd)
    s.send(30, T.fromPeer({ ack: 4 * MSS, flags: ACK | ECE }))
    cwnd.push(s.snd.cc.cwnd)
    s.send(31, T.fromPeer({ ack: 6 * MSS }))
    cwnd.push(s.snd.cc.cwnd)
    expect(cwnd).toEqual([10 * MSS, 9 * MSS, 7 * MSS])
  })
  // (ecn55) Without SACK a duplicate in CWR is a PRR step as any ACK there: Linux's tcp_add_reno_sack
  // counts it delivered (sacked_out + 1), tcp_cong_control runs tcp_cwnd_reduction, and only then
  // tcp_data_snd_check sends. CUBIC, ssthresh 7 from 10: the ECE's ACK and the two after send one
  // each (PRR's ceil(7k / 10) - (k - 1)); the first duplicate, in flight 10 - 1 = 9 above ssthresh,
  // ceil(7 × 4 / 10) - 3 = 0: nothing; the second, ceil(35 / 10) - 3 = 1: one. The stack sent limited
  // transmit's segment at the duplicate before its step, from the window the last ACK left: one at
  // the first
  it("without SACK, a duplicate during an ECN cut sends what the cut's PRR step allows, not limited transmit's segment first (Linux's tcp_cwnd_reduction in CWR)", () => {
    const s = est()
    s.write(10, T.octets(30 * MSS))
    const sent = [
      s.send(20, T.fromPeer({ ack: MSS, flags: ACK | ECE })),
      s.send(21, T.fromPeer({ ack: 2 * MSS })),
      s.send(22, T.fromPeer({ ack: 3 * MSS })),
      s.send(23, T.fromPeer({ ack: 3 * MSS })),
      s.send(24, T.fromPeer({ ack: 3 * MSS }))
    ].map((o) => data(o).length)
    expect(sent).toEqual([1, 1, 1, 0, 1])
    expect(s.snd.cc.cwnd).toBe(9 * MSS)
  })
  // (review55a) The same two duplicates in one batch: Linux takes each ACK by itself (tcp_ack's
  // tcp_cong_control, tcp_cwnd_reduction in CWR, then tcp_data_snd_check), so the batch sends what
  // they send one at a time, none then one. A duplicate with another ACK behind it went to
  // `limitedTransmitInBatch`, whose segment went before the duplicate's PRR step, from the window the
  // last ACK left
  it("without SACK, two duplicates in one batch during an ECN cut send what they send one at a time (Linux's tcp_cwnd_reduction before tcp_data_snd_check, per ACK)", () => {
    const s = est()
    s.write(10, T.octets(30 * MSS))
    s.send(20, T.fromPeer({ ack: MSS, flags: ACK | ECE }))
    s.send(21, T.fromPeer({ ack: 2 * MSS }))
    s.send(22, T.fromPeer({ ack: 3 * MSS }))
    const dup = () => T.fromPeer({ ack: 3 * MSS })
    expect(data(s.send(23, dup(), dup())).length).toBe(1)
    expect(s.snd.cc.cwnd).toBe(9 * MSS)
  })
  it("the mark of a cut goes once passed: 2^31 octets later it cannot come round to hold the next ECE", () => {
    const s = est()
    // a cut long ago, as 2^31 - 3000 octets of clean transfer since leave it
    s.snd.ecnRecover = Seq.add(s.snd.sndUna, -(2 ** 31 - 3000))
    s.snd.noDelay = true
    for (let i = 0; i < 4; i++) {
      s.write(100 + 40 * i, T.octets(1000))
      s.send(120 + 40 * i, T.fromPeer({ ack: 1000 * (i + 1) }))
    }
    s.write(300, T.octets(10 * MSS))
    s.send(320, T.fromPeer({ ack: 4000 + MSS, flags: ACK | ECE }))
    expect(Sender.counters(s.snd).ecnReductions).toBe(1)
  })
  it("a data segment saying CWR is ACKed at once: the sender's window may be one segment", () => {
    const s = est()
    s.send(10, T.fromPeer({ seq: 0, payload: "a", ce: true }))
    expect(T.seenAll(s.send(20, T.fromPeer({ seq: 1, payload: "b", flags: ACK | CWR })))).toMatchObject([{ ack: 2, flags: "ACK" }])
  })
})
