/**
 * The retransmission timer (RFC 6298), fast retransmit and NewReno recovery
 * (RFC 5681 §3.2, RFC 6582) as pure steps with the exact instants asserted:
 * a timer reset by the wrong ACK, cleared early, not restarted, or not
 * backed off (smoltcp #62, #662, #1018, #1023) shows as a segment at the
 * wrong millisecond.
 *
 * Fixture: passive open, peer MSS 1460, no options, no timestamps (RTT by
 * Karn's rule from the timed segment). The handshake's RTT sample of 0 ms
 * makes the RTO the 200 ms floor (Linux's TCP_RTO_MIN, not RFC 6298's 1 s).
 */
import { describe, expect, it } from "vitest"
import * as Receiver from "../../src/tcp/Receiver.js"
import * as Rtt from "../../src/tcp/Rtt.js"
import * as Sender from "../../src/tcp/Sender.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import type { OutSegment } from "../../src/tcp/Segment.js"
import * as Segment from "../../src/tcp/Segment.js"
import * as T from "../support/TcpSocket.js"

const MSS = 1460

const est = (o: Partial<T.Options> = {}) =>
  T.established({ ...o, peerOptions: { mss: MSS, sackPermitted: false } })

const shape = (out: ReadonlyArray<OutSegment>) => out.map((o) => [T.ourSeq(o), o.payload?.length ?? 0])

/** The peer's pure ACK of `ack` octets of ours. */
const ackOf = (ack: number, window = 64240) => T.fromPeer({ seq: 0, ack, window })

/**
 * A connection whose peer sent one octet (its SEQ 0) before our data: its later ACKs (`ackAfter`,
 * SEQ 1) are newer than the segment that last set the window, so a smaller window is taken from them
 * even acknowledging nothing new (Linux's tcp_may_update_window; from the handshake ACK's SEQ, only a
 * larger or a zero one)
 */
const shrinkable = () => {
  const s = est()
  s.send(5, T.fromPeer({ seq: 0, ack: 0, payload: "y" }))
  return s
}
const ackAfter = (ack: number, window = 64240) => T.fromPeer({ seq: 1, ack, window })

/**
 * Runs the retransmission timer, each expiry at its instant, until the connection fails (at most 40
 * expiries): the instants that resent something, and the one that ended it.
 */
const runToFailure = (s: T.TcpSocket) => {
  const resends: Array<number> = []
  let end: number | undefined
  for (let i = 0; i < 40 && s.state !== "Closed"; i++) {
    const at = s.snd.rtoAt!
    expect(s.tick(at - 1)).toEqual([])
    if (s.tick(at).length > 0) resends.push(at)
    else end = at
  }
  return { resends, end }
}

describe("retransmission timer (RFC 6298)", () => {
  it("the go-back-N after a timeout resends a small last segment with the rest, not held by Nagle for another timeout", () => {
    const s = est()
    expect(shape(s.write(10, T.octets(2 * MSS + 100)))).toEqual([[0, MSS], [MSS, MSS], [2 * MSS, 100]])
    // all three lost: the timeout resends the first
    expect(shape(s.tick(210))).toEqual([[0, MSS]])
    // its ACK opens the window to two segments: the second and the small last one go at once (Nagle
    // holds only new data: these octets were sent before)
    expect(shape(s.send(230, ackOf(MSS)))).toEqual([[MSS, MSS], [2 * MSS, 100]])
  })
  it("after a small handshake sample the RTO is the 200 ms floor; each expiry doubles it (§5.5)", () => {
    const s = est()
    expect(shape(s.write(10, "abc"))).toEqual([[0, 3]])
    expect(s.tick(209)).toEqual([])
    expect(T.seenAll(s.tick(210))).toEqual([{
      seq: 0,
      ack: 0,
      flags: "PSH|ACK",
      window: 65535,
      options: { sackPermitted: false },
      len: 3,
      data: "abc"
    }])
    expect(s.tick(609)).toEqual([])
    expect(shape(s.tick(610))).toEqual([[0, 3]])
    expect(s.tick(1409)).toEqual([])
    expect(shape(s.tick(1410))).toEqual([[0, 3]])
  })
  it("with no sample from the handshake (SYN-ACK resent), the first RTO is 3 s (§5.7, Linux TCP_TIMEOUT_FALLBACK)", () => {
    const s = est({ synAckRetransmitted: true })
    s.write(1000, "abc")
    expect(s.tick(3999)).toEqual([])
    expect(shape(s.tick(4000))).toEqual([[0, 3]])
  })
  it("so too after an active open whose SYN was resent: 3 s, not the SYN's backed-off 2 s", () => {
    const { socket } = T.synSent({ now: 0, params: { timestamps: false } })
    socket.tick(1000) // SYN again; no sample from it (Karn)
    socket.send(
      1100,
      Segment.make({
        seq: T.REMOTE_ISN,
        ack: Seq.add(T.LOCAL_ISN, 1),
        flags: Segment.SYN | Segment.ACK,
        window: 64240,
        options: { mss: MSS, sackPermitted: false }
      })
    )
    socket.write(1200, "abc")
    expect(socket.tick(4199)).toEqual([])
    expect(shape(socket.tick(4200))).toEqual([[0, 3]])
  })
  it("an active open whose SYN was resent, with timestamps: the SYN-ACK's echo is a sample (RFC 7323 §4.1, as Linux), not the 3 s fallback", () => {
    const { socket } = T.synSent({ now: 0 })
    socket.tick(1000) // SYN again, TSval 1000
    socket.send(
      1100,
      Segment.make({
        seq: T.REMOTE_ISN,
        ack: Seq.add(T.LOCAL_ISN, 1),
        flags: Segment.SYN | Segment.ACK,
        window: 64240,
        options: { mss: MSS, sackPermitted: false, timestamp: { value: 7, echo: 1000 } }
      })
    )
    // R = 100 ms: SRTT 100, RTTVAR 50, RTO 100 + max(200, 200) = 300 ms (Linux's floor under RTTVAR)
    expect(socket.snd.rtt.srtt).toBe(100)
    socket.write(1200, "abc")
    expect(socket.tick(1499)).toEqual([])
    expect(shape(socket.tick(1500))).toEqual([[0, 3]])
  })
  it("the same with a timestamp offset towards the peer: the echo is read in our offset clock", () => {
    const offset = 0xfffff000
    const { socket } = T.synSent({ now: 0, tsOffset: offset })
    socket.tick(1000) // SYN again, TSval 1000 + offset (wrapping)
    socket.send(
      1100,
      Segment.make({
        seq: T.REMOTE_ISN,
        ack: Seq.add(T.LOCAL_ISN, 1),
        flags: Segment.SYN | Segment.ACK,
        window: 64240,
        options: { mss: MSS, sackPermitted: false, timestamp: { value: 7, echo: (1000 + offset) >>> 0 } }
      })
    )
    expect(socket.snd.rtt.srtt).toBe(100)
  })
  it("the first sample sets SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR (§2.2)", () => {
    const s = est({ synAckRetransmitted: true })
    s.write(1000, T.octets(2 * MSS))
    // the first segment acknowledged 300 ms after it went: RTO = 300 + 4 × 150 = 900, from now
    s.send(1300, ackOf(MSS))
    expect(s.tick(2199)).toEqual([])
    expect(shape(s.tick(2200))).toEqual([[MSS, MSS]])
  })
  it("the sample is taken at the batch's arrival, not when the send half got round to it (gVisor #13394)", () => {
    const s = est({ synAckRetransmitted: true })
    s.write(1000, T.octets(2 * MSS))
    // the ACK arrives at 1300 and is processed at 1800: a 300 ms sample, the timer restarted from 1800
    s.sendLate(1300, 1800, ackOf(MSS))
    expect(s.snd.rtt.srtt).toBe(300)
    expect(s.tick(2699)).toEqual([])
    expect(shape(s.tick(2700))).toEqual([[MSS, MSS]])
  })
  it("a partial ACK after an expiry restarts the timer with the backed-off RTO (no sample: Karn), not the floor", () => {
    const s = est()
    s.write(10, T.octets(3 * MSS))
    expect(shape(s.tick(210))).toEqual([[0, MSS]]) // RTO 200 -> 400
    // the retransmission is acknowledged at 300: the rest is timed from there with 400
    s.send(300, ackOf(MSS))
    expect(s.tick(699)).toEqual([])
    expect(shape(s.tick(700)).slice(0, 1)).toEqual([[MSS, MSS]])
  })
  it("an ACK of new data restarts the timer for what is left (§5.3); all acknowledged stops it (§5.2)", () => {
    const s = est()
    s.write(10, T.octets(3 * MSS))
    // at 100 the first segment is acknowledged: a 90 ms sample, the RTO (SRTT + the 200 ms floor
    // under the variation) from 100
    expect(s.send(100, ackOf(MSS))).toEqual([])
    const rto = s.snd.rtt.rto
    expect(rto).toBeCloseTo(s.snd.rtt.srtt! + 200, 6)
    expect(s.tick(210)).toEqual([]) // the old deadline is gone
    const at = Math.ceil(100 + rto)
    expect(s.tick(at - 1)).toEqual([])
    expect(shape(s.tick(at))).toEqual([[MSS, MSS]])
    s.send(at + 10, ackOf(3 * MSS))
    expect(s.snd.rtoAt).toBe(undefined)
    expect(s.tick(100_000)).toEqual([])
  })
  it("two ACKs inside one write release the send buffer in part twice: the RTO resends exactly the octets left", () => {
    const s = est()
    s.write(10, T.octets(3000))
    s.send(20, ackOf(1000))
    s.send(30, ackOf(2000))
    const out = s.tick(s.snd.rtoAt!)
    expect(T.seenAll(out)).toMatchObject([{ seq: 2000, data: T.octetsText(1000, 2000) }])
  })
  it("a duplicate ACK or a window update does not restart it (smoltcp #62)", () => {
    const s = est()
    s.write(10, "abc")
    s.send(100, ackOf(0))
    s.send(150, ackOf(0, 30000))
    expect(shape(s.tick(210))).toEqual([[0, 3]])
  })
  it("the backed-off RTO is kept until a valid sample (Karn; smoltcp #1023)", () => {
    const s = est()
    s.write(10, "abc")
    s.tick(210) // RTO 200 -> 400
    // the retransmission is acknowledged: ambiguous, no sample
    s.send(300, ackOf(3))
    s.write(310, "def")
    expect(s.tick(709)).toEqual([])
    expect(shape(s.tick(710))).toEqual([[3, 3]])
  })
  it("after an expiry only the first segment goes again; the rest follow the ACKs (go-back-N in cwnd)", () => {
    const s = est()
    expect(shape(s.write(10, T.octets(3 * MSS)))).toEqual([[0, MSS], [MSS, MSS], [2 * MSS, MSS]])
    expect(shape(s.tick(210))).toEqual([[0, MSS]])
    // its ACK: cwnd 2 segments in slow start, the next two go again
    expect(shape(s.send(250, ackOf(MSS)))).toEqual([[MSS, MSS], [2 * MSS, MSS]])
  })
  it("a peer that shrank its window gets the resent segment cut at its edge, as Linux's tcp_retransmit_skb cuts it", () => {
    const s = shrinkable()
    expect(shape(s.write(10, T.octets(3 * MSS)))).toEqual([[0, MSS], [MSS, MSS], [2 * MSS, MSS]])
    // nothing acknowledged, the right edge moved back to 1000 octets: the rest would be dropped
    expect(s.send(20, ackAfter(0, 1000))).toEqual([])
    expect(T.seenAll(s.tick(210)).map((o) => [o.seq, o.len, o.data])).toEqual([[0, 1000, T.octetsText(1000)]])
    // its ACK opens the window again: go-back-N goes on from there, two whole segments: the ACK
    // frees the cut resend, one packet, and slow start grows cwnd from one segment to two (Linux's
    // tcp_slow_start counts the skbs tcp_clean_rtx_queue freed, pkts_acked 1; runts62). Linux's two
    // are its skbs after tcp_fragment, 1000-1460 and 1460-2920; the stack's go-back cuts by SMSS
    expect(shape(s.send(250, ackAfter(1000, 2 * MSS)))).toEqual([[1000, MSS], [1000 + MSS, MSS]])
  })
  it("a resent segment cut at the shrunk window's edge leaves its FIN behind; the FIN goes with the rest", () => {
    const s = shrinkable()
    expect(T.seenAll(s.write(10, "abcdef")).map((o) => [o.seq, o.len])).toEqual([[0, 6]])
    expect(T.seenAll(s.close(11)).map((o) => [o.seq, o.flags])).toEqual([[6, "FIN|ACK"]])
    // nothing acknowledged, the window shrunk to 4 octets: the RTO's resend is "abcd", no FIN
    s.send(20, ackAfter(0, 4))
    expect(T.seenAll(s.tick(210)).map((o) => [o.seq, o.flags, o.data])).toEqual([[0, "ACK", "abcd"]])
    // its ACK opens the window: "ef" and the FIN go again
    expect(T.seenAll(s.send(250, ackAfter(4))).map((o) => [o.seq, o.flags, o.data])).toEqual([[4, "FIN|PSH|ACK", "ef"]])
  })
  // Linux's give-up rule is a time, not a count (tcp_write_timeout, retransmits_timed_out): the first
  // expiry at least tcp_model_timeout(tcp_retries2, TCP_RTO_MIN, rto max) after the first
  // retransmission (retrans_stamp) fails the connection: the time `retries` retransmissions would take
  // backed off from 200 ms (Rtt.modelTimeout). Timed from the first resend, not the original send,
  // that time is one RTO of 200 longer than the resends themselves take: with the RTO at the floor, one
  // retransmission more than the count
  it("with the RTO at the 200 ms floor, `retries` 3: the first expiry 3 s after the first retransmission fails the connection (four resends)", () => {
    const s = est({ params: { retries: 3 } })
    s.write(10, "abc")
    expect(s.tick(210)).toHaveLength(1) // 1st, RTO 200: retrans_stamp
    expect(s.tick(610)).toHaveLength(1) // 2nd, 400
    expect(s.tick(1410)).toHaveLength(1) // 3rd, 800
    expect(s.tick(3010)).toHaveLength(1) // 4th, 1600: 2800 since 210, short of 200 + 400 + 800 + 1600
    expect(s.state).toBe("Established")
    expect(s.tick(6209)).toEqual([])
    expect(s.tick(6210)).toEqual([]) // + 3200: 6000 since 210, given up
    expect(s.state).toBe("Closed")
    expect(s.snd.failure).toBe("TimedOut")
  })
  it("the default `retries` 15 at the floor: 924.6 s from the first retransmission, the sixteenth resend at 924.4 s, TimedOut at 1044.4 s", () => {
    const s = est()
    s.write(10, "abc")
    const { resends, end } = runToFailure(s)
    expect(resends).toHaveLength(16)
    expect(resends[0]).toBe(210)
    expect(resends.at(-1)).toBe(210 + 924_400)
    expect(end).toBe(210 + 1_044_400)
    expect(s.snd.failure).toBe("TimedOut")
  })
  it("with the RTO above the floor (1 s: the floor raised) fewer resends than `retries`: 13, TimedOut at the first expiry 924.6 s after the first", () => {
    const s = est({ params: { rtt: { ...Rtt.defaults, minRto: 1000 } } })
    s.write(10, "abc")
    const { resends, end } = runToFailure(s)
    // 1000 doubled to the 120 s cap: 2, 4, ... 64 s, then 120 s each; 846 s after 1010 is short of 924.6
    expect(resends).toEqual([1010, 3010, 7010, 15_010, 31_010, 63_010, 127_010, 247_010, 367_010, 487_010, 607_010, 727_010, 847_010])
    expect(end).toBe(967_010)
    expect(s.snd.failure).toBe("TimedOut")
  })
  it("an ACK between expiries resets the count", () => {
    const s = est({ params: { retries: 1 } })
    s.write(10, T.octets(2 * MSS))
    expect(s.tick(210)).toHaveLength(1) // 1st retransmission
    s.send(300, ackOf(MSS)) // progress: count back to 0
    const at = s.snd.rtoAt!
    expect(s.tick(at)).toHaveLength(1) // a retransmission again, not a failure
    expect(s.state).toBe("Established")
  })
})

describe("fast retransmit (RFC 5681 §3.2) and NewReno (RFC 6582)", () => {
  /** Five segments out at 10, the first acknowledged at 20. */
  const five = () => {
    const s = est()
    expect(s.write(10, T.octets(5 * MSS))).toHaveLength(5)
    s.send(20, ackOf(MSS))
    return s
  }
  it("the third duplicate ACK resends the first unacknowledged segment at once", () => {
    const s = five()
    expect(s.send(30, ackOf(MSS))).toEqual([])
    expect(s.send(31, ackOf(MSS))).toEqual([])
    const out = s.send(32, ackOf(MSS))
    expect(T.seenAll(out)).toEqual([{
      seq: MSS,
      ack: 0,
      flags: "ACK",
      window: 65535,
      options: { sackPermitted: false },
      len: MSS,
      data: T.octetsText(MSS, MSS)
    }])
    expect(Sender.counters(s.snd).fastRetransmits).toBe(1)
  })
  it("three duplicates in one batch count the same", () => {
    const s = five()
    expect(shape(s.send(30, ackOf(MSS), ackOf(MSS), ackOf(MSS)))).toEqual([[MSS, MSS]])
  })
  it("an ACK that changes the window is a window update, not a duplicate", () => {
    const s = five()
    s.send(30, ackOf(MSS, 65000))
    s.send(31, ackOf(MSS, 66000))
    expect(s.send(32, ackOf(MSS, 67000))).toEqual([])
    expect(Sender.counters(s.snd).fastRetransmits).toBe(0)
  })
  it("an ACK carrying data is not a duplicate", () => {
    const s = five()
    s.send(30, T.fromPeer({ seq: 0, ack: MSS, payload: "a" }))
    s.send(31, T.fromPeer({ seq: 1, ack: MSS, payload: "b" }))
    s.send(32, T.fromPeer({ seq: 2, ack: MSS, payload: "c" }))
    expect(Sender.counters(s.snd).fastRetransmits).toBe(0)
  })
  it("a partial ACK resends the next hole at once and stays in recovery; the ACK of all holds it, an ACK above it ends it", () => {
    const s = five()
    s.send(30, ackOf(MSS), ackOf(MSS), ackOf(MSS)) // segment 1 again
    // segment 1 filled the first hole; segment 3 was lost too: ACK up to 3 MSS only
    expect(shape(s.send(40, ackOf(3 * MSS)))).toEqual([[3 * MSS, MSS]])
    expect(s.snd.recovering).toBe(true)
    // the ACK of all is the recovery point itself: Linux holds a Reno connection in Recovery until
    // data above it is acknowledged (tcp_try_undo_recovery); nothing is out, the timer stops
    expect(s.send(50, ackOf(5 * MSS))).toEqual([])
    expect(s.snd.recovering).toBe(true)
    expect(s.snd.rtoAt).toBe(undefined)
    // new data goes under PRR's window, and its ACK ends the recovery
    expect(shape(s.write(60, T.octets(MSS)))).toEqual([[5 * MSS, MSS]])
    s.send(70, ackOf(6 * MSS))
    expect(s.snd.recovering).toBe(false)
    expect(s.snd.rtoAt).toBe(undefined)
  })
  it("a loss of the very first segment is fast-retransmitted too (RFC 6582 §3.2: recover starts at ISS)", () => {
    const s = est()
    s.write(10, T.octets(5 * MSS))
    expect(shape(s.send(30, ackOf(0), ackOf(0), ackOf(0)))).toEqual([[0, MSS]])
  })
  it("the ACK of a fast-retransmitted segment gives no RTT sample (Karn)", () => {
    const s = est()
    s.write(10, T.octets(5 * MSS)) // the first segment is timed
    s.send(30, ackOf(0), ackOf(0), ackOf(0)) // ... and sent again
    s.send(1000, ackOf(5 * MSS)) // 990 ms after the first send: ambiguous, not a sample
    s.write(1010, "x")
    // the RTO is still the 200 ms floor; a 990 ms sample would have made it 2970
    expect(shape(s.tick(1210))).toEqual([[5 * MSS, 1]])
  })
  it("the partial ACK restarts the timer from its arrival", () => {
    const s = five()
    s.send(30, ackOf(MSS), ackOf(MSS), ackOf(MSS))
    s.send(40, ackOf(3 * MSS))
    expect(s.snd.rtoAt).toBe(40 + s.snd.rtt.rto)
  })
})

describe("RTT samples from timestamps across retransmissions (RFC 7323 §4, Karn)", () => {
  /** Timestamps negotiated (the peer's SYN offered them); the handshake at 0 gives a 0 ms sample. */
  const tsEst = () =>
    T.established({ peerOptions: { mss: MSS, sackPermitted: false, timestamp: { value: 1, echo: 0 } } })
  /** The peer's ACK of `ack` octets, echoing `echo` (our TSval: the Clock ms it was sent). */
  const tsAck = (ack: number, echo: number) => T.fromPeer({ seq: 0, ack, options: T.ts(2, echo) })

  it("an ACK echoing an earlier copy than the latest retransmission gives no sample: its 'RTT' spans the timeouts", () => {
    const t = tsEst()
    t.write(10, "abc")
    // the segment at 10 is lost; the timeout resends it at 210, and the peer's ACK of that copy is lost;
    // the next timeout resends it at 610 (a duplicate to the peer, which echoes TS.Recent: 210)
    expect(shape(t.tick(210))).toEqual([[0, 3]])
    expect(shape(t.tick(610))).toEqual([[0, 3]])
    const before = t.snd.rtt.srtt
    t.send(611, tsAck(3, 210))
    expect(Seq.sub(t.snd.sndUna, Seq.add(T.LOCAL_ISN, 1))).toBe(3)
    // no 401 ms sample: SRTT stays what the handshake measured
    expect(t.snd.rtt.srtt).toBe(before)
  })

  it("an ACK echoing the latest copy gives its sample", () => {
    const t = tsEst()
    t.write(10, "abc")
    t.tick(210)
    const before = t.snd.rtt.srtt!
    t.send(250, tsAck(3, 210))
    // a 40 ms sample moves SRTT by an eighth of the difference (RFC 6298 §2.3)
    expect(t.snd.rtt.srtt).toBeCloseTo(before + (40 - before) / 8, 6)
  })
})

describe("PAWS and reordered duplicate ACKs (Linux's tcp_disordered_ack)", () => {
  const tsEst = () =>
    T.established({ peerOptions: { mss: MSS, sackPermitted: false, timestamp: { value: 1, echo: 0 } } })
  /** The peer's pure ACK of `ack` octets, its clock at `value`, echoing our TSval 10 (when the data went). */
  const dup = (ack: number, value: number, window = 64240) =>
    T.fromPeer({ seq: 0, ack, window, options: T.ts(value, 10) })
  /** Five full segments out at 10 (timestamps take 12 octets of each), the first acknowledged at 20. */
  const five = () => {
    const s = tsEst()
    const seg = s.snd.mss - 12
    expect(s.write(10, T.octets(5 * seg))).toHaveLength(5)
    s.send(20, dup(seg, 10))
    return { s, seg }
  }

  it("duplicate ACKs that arrive behind a later one (older TSval, within an RTO) still count: the third resends", () => {
    const { s, seg } = five()
    // the peer sent its three duplicate ACKs with TSvals 11, 12, 13; the network delivered 13 first
    expect(s.send(30, dup(seg, 13))).toEqual([])
    expect(s.send(31, dup(seg, 11))).toEqual([])
    expect(shape(s.send(32, dup(seg, 12)))).toEqual([[seg, seg]])
    expect(Sender.counters(s.snd).fastRetransmits).toBe(1)
    // TS.Recent never goes back (RFC 7323 §4.3: only SEG.TSval >= TS.Recent is copied)
    expect(s.rcv.tsRecent).toBe(13)
  })

  it("but not one older than the replay window, one that carries data, or one that may update the window", () => {
    const { s, seg } = five()
    s.send(30, dup(seg, 1000))
    // 1000 - 700 = 300 > the RTO (200 ms) x 1.2: an old duplicate, PAWS drops it
    s.send(31, dup(seg, 700))
    // a window update (Linux's tcp_may_update_window: a larger window from the same SEQ)
    s.send(32, dup(seg, 998, 64241))
    // data: PAWS applies as ever (two ticks older: past Linux's replay window of one, PAWS_WINDOW)
    s.send(33, T.fromPeer({ seq: 0, ack: seg, payload: "a", options: T.ts(998, 10) }))
    expect(s.received).toEqual([])
    // none of the three counted: the third duplicate is the third in order, not the second
    expect(s.send(34, dup(seg, 1001))).toEqual([])
    expect(Sender.counters(s.snd).fastRetransmits).toBe(0)
    expect(shape(s.send(35, dup(seg, 1002)))).toEqual([[seg, seg]])
  })

  it("a reordered older ACK in the same batch as the window update that overtook it does not shrink the window back", () => {
    const s = tsEst()
    s.send(20, dup(0, 10))
    expect(s.snd.sndWnd).toBe(64240)
    // the peer opened its window (TSval 13) after an ACK with the old one (TSval 12); the network
    // swapped them, and both arrive in one batch: the older one is no duplicate ACK of the current
    // window (Linux, segment by segment, sees SND.WND already 65000 and never takes its window)
    s.send(30, dup(0, 13, 65000), dup(0, 12, 64240))
    expect(s.snd.sndWnd).toBe(65000)
    // so too when it comes in the next batch, before the send half has read the first batch's report
    // (the receive half goes on while the send half's fiber is busy: the view is older still)
    const u = tsEst()
    u.send(20, dup(0, 10))
    const first = Receiver.onBatch(u.rcv, [dup(0, 13, 65000)], 30, u.reads.consumed, u.snd.view)
    const second = Receiver.onBatch(u.rcv, [dup(0, 12, 64240)], 30, u.reads.consumed, u.snd.view)
    Sender.onReport(u.snd, first, 31, [])
    Sender.onReport(u.snd, second, 31, [])
    expect(u.snd.sndWnd).toBe(65000)
    // while true duplicates, swapped within one batch, still count: the third resends
    const t = five()
    expect(shape(t.s.send(30, dup(t.seg, 13), dup(t.seg, 11), dup(t.seg, 12)))).toEqual([[t.seg, t.seg]])
  })

  it("after 2147 s idle, TS.Recent takes the peer's next TSval even when it looks older (RFC 7323 §5.5; Linux's tcp_paws_check, TCP_PAWS_WRAP)", () => {
    const s = tsEst()
    s.send(10, T.fromPeer({ seq: 0, ack: 0, payload: "a", options: T.ts(1000, 0) }))
    s.tick(300)
    expect(s.rcv.tsRecent).toBe(1000)
    // a peer's 1 MHz clock (Linux's tcp_usec_ts) goes 2^31 on in 2147 s: its TSval then looks older
    const value = (1000 + 2 ** 31 + 5) >>> 0
    expect(((value - 1000) | 0) < 0).toBe(true)
    // a moment before, PAWS still holds: ACKed, not taken
    const early = 10 + 2147 * 1000 - 1
    expect(T.seenAll(s.send(early, T.fromPeer({ seq: 1, ack: 0, payload: "b", options: T.ts(value, 0) })))).toMatchObject([{ ack: 1, len: 0 }])
    const later = 10 + 2147 * 1000
    const acks = s.send(later, T.fromPeer({ seq: 1, ack: 0, payload: "b", options: T.ts(value, 0) }))
    const read = s.read(later)
    expect(T.text(read.data)).toBe("ab")
    acks.push(...read.out, ...s.tick(later + 300))
    // the TSval was taken (PAWS lets it by after the idle), and TS.Recent follows it: our ACK echoes it
    expect(s.rcv.tsRecent).toBe(value)
    expect(acks.map((o) => o.options?.timestamp?.echo)).toEqual([value])
  })
})

// With an RTT sample at every ACK (Linux's tcp_ack_update_rtt), RFC 6298 §2.3's RTTVAR decays by a
// quarter at every ACK: a window of ten ACKs takes 94% of an excursion's variation away within one
// round trip. Linux's tcp_rtt_estimator (net/ipv4/tcp_input.c, 6.18) decays it once a round trip
// instead: mdev follows every sample (with a gain of 1/32 for samples below SRTT, "similar to one of
// Eifel findings"), mdev_max holds the round's largest, and rttvar, the RTO's variation term, takes
// mdev_max at once when it is larger and otherwise falls a quarter of the way to it only when SND.UNA
// passes rtt_seq (the SND.NXT of the round's start), mdev_max then reset to rto_min
describe("the RTO's variation over a round trip (Linux's tcp_rtt_estimator: mdev_max, rttvar once a round)", () => {
  it("after a 280 ms excursion on a 100 ms path, a 320 ms stall two rounds later is within the RTO, as Linux's", () => {
    const s = est()
    let t = 1000
    let una = 0
    // rounds of ten segments written at once, each acknowledged alone d, d + 1, ..., d + 9 ms after
    // the write (samples of d..d+9, Karn-clean: every segment went once); the next write at the last ACK
    const round = (d: number) => {
      expect(shape(s.write(t, T.octets(10 * MSS)))).toHaveLength(10)
      for (let j = 0; j < 10; j++) {
        una += MSS
        s.send(t + d + j, ackOf(una))
      }
      t += d + 9
    }
    for (const d of [100, 100, 100, 280, 100, 100]) round(d)
    // Linux's estimator over these samples: SRTT ~108, rttvar ~97 (mdev_max held from the 280 ms
    // round, decayed twice by a quarter): its RTO ~497 ms. RFC 6298's per sample: ~315 ms
    expect(s.snd.rtt.rto).toBeGreaterThan(480)
    // the next round's ACKs stall 320 ms: no timeout before them (with the RTO at ~315, the first
    // segment went again at t + 315, a spurious timeout Linux does not take)
    expect(shape(s.write(t, T.octets(10 * MSS)))).toHaveLength(10)
    for (let at = t + 1; at < t + 320; at++) expect(s.tick(at)).toEqual([])
    expect(Sender.counters(s.snd).timeouts).toBe(0)
    expect(s.send(t + 320, ackOf(una + MSS))).toEqual([])
  })
})
