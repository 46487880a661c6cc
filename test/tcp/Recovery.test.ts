/**
 * SACK loss recovery with RACK (RFC 8985 §6) in the send half, as pure
 * steps with the exact instants asserted: losses that RFC 6675's duplicate
 * ACK and IsLost rules cannot see, found by time instead of by waiting for
 * the retransmission timer.
 *
 * Fixture: passive open, peer MSS 1460 with SACK, no timestamps, then 20
 * octets each acknowledged 20 ms after it went (`warm`): SRTT near 20 ms,
 * RACK's minimum RTT 20, the RTO at its 200 ms floor; data from there on
 * starts at octet 20 (`B`), at 1000 ms.
 */
import { describe, expect, it } from "vitest"
import type * as Params from "../../src/tcp/Params.js"
import { ACK, CWR, ECE, FIN, type OutSegment, RST } from "../../src/tcp/Segment.js"
import * as Congestion from "../../src/tcp/congestion/Congestion.js"
import * as Rack from "../../src/tcp/Rack.js"
import * as Receiver from "../../src/tcp/Receiver.js"
import * as Scoreboard from "../../src/tcp/Scoreboard.js"
import * as Sender from "../../src/tcp/Sender.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as T from "../support/TcpSocket.js"

const MSS = 1460

const est = (params?: Partial<Params.TcpParams>, timestamps = false, ecn = false) =>
  T.established({
    ...(params !== undefined || ecn ? { params: { ...params, ...(ecn ? { ecn: "accept" as const } : {}) } } : {}),
    peerOptions: { mss: MSS, sackPermitted: true, ...(timestamps ? { timestamp: { value: 1, echo: 0 } } : {}) },
    ...(ecn ? { peerSynFlags: ECE | CWR } : {})
  })

/** Our sequence number `n` octets after our ISN + 1. */
const ours = (n: number) => Seq.add(T.LOCAL_ISN, 1 + n)

/** The peer's ACK of `ack` octets with SACK blocks [left, right) (relative octets). */
const sackOf = (ack: number, ...blocks: ReadonlyArray<readonly [number, number]>) =>
  T.fromPeer({
    ack,
    options: { sackPermitted: false, sack: blocks.map(([l, r]) => ({ left: ours(l), right: ours(r) })) }
  })

/** The same with timestamps: the peer's clock `value`, echoing our `echo` (our Clock ms, RFC 7323). */
const sackTs = (value: number, echo: number, ack: number, ...blocks: ReadonlyArray<readonly [number, number]>) =>
  T.fromPeer({
    ack,
    options: { sackPermitted: false, sack: blocks.map(([l, r]) => ({ left: ours(l), right: ours(r) })), timestamp: { value, echo } }
  })

const shape = (out: ReadonlyArray<OutSegment>) => out.map((o) => [T.ourSeq(o), o.payload?.length ?? 0])

/** Where the data of each test starts: after `warm`'s 20 octets. */
const B = 20

/** 20 one-octet exchanges, each acknowledged 20 ms after it went: SRTT converges near 20 ms. */
const warm = (params?: Partial<Params.TcpParams>, timestamps = false, ecn = false) => {
  const s = est(params, timestamps, ecn)
  for (let i = 0; i < B; i++) {
    s.write(40 * i, "x")
    s.send(40 * i + 20, sackOf(i + 1))
  }
  expect(s.snd.rtt.srtt).toBeGreaterThan(18)
  expect(Rack.minRtt(s.snd.rack)).toBe(20)
  return s
}

/** A segment of `MSS` octets, the `i`th after B: [start, length], as `shape` gives them. */
const seg = (i: number) => [B + i * MSS, MSS]

/**
 * Five segments out of a warmed connection, the first two lost: the third, fourth and fifth SACKed
 * one ACK at a time start the recovery at the last (three SACKed: RFC 6675's DupThresh, RACK's window
 * 0), which resends the first.
 */
const firstTwoLost = () => {
  const s = warm()
  expect(shape(s.write(1000, T.octets(5 * MSS)))).toEqual([0, 1, 2, 3, 4].map(seg))
  s.send(1020, sackOf(B, [B + 2 * MSS, B + 3 * MSS]))
  s.send(1021, sackOf(B, [B + 2 * MSS, B + 4 * MSS]))
  expect(shape(s.send(1022, sackOf(B, [B + 2 * MSS, B + 5 * MSS])))).toEqual([seg(0)])
  return s
}

/**
 * A path shorter than the Clock's millisecond: 20 one-octet exchanges, each acknowledged in the ms
 * it went, so RACK's minimum RTT is 0 and its reordering window 0 (a quarter of it).
 */
const warmZeroRtt = () => {
  const s = est()
  for (let i = 0; i < B; i++) {
    s.write(10 * i, "x")
    s.send(10 * i, sackOf(i + 1))
  }
  expect(Rack.minRtt(s.snd.rack)).toBe(0)
  return s
}

/**
 * `warm`, then reordering seen: of three segments written at 1000 the third arrives before the
 * second (SACKed at 1020), and RACK sees it when the second comes in below it (all acknowledged at 1021).
 */
const reorderingSeen = () => {
  const s = warm()
  s.write(1000, T.octets(3 * MSS))
  s.send(1020, sackOf(B + MSS, [B + 2 * MSS, B + 3 * MSS]))
  s.send(1021, sackOf(B + 3 * MSS))
  return s
}

/**
 * `warm`, then `n` segments written at 1000 (`sent` of them go) with the first lost: the peer SACKs
 * the second at 1020, the second and third at 1021, and the second to the `to`-th at 1022, which
 * starts the recovery. The socket, and what that third ACK sent.
 */
const firstLost = (n: number, to: number, sent = n) => {
  const s = warm()
  expect(shape(s.write(1000, T.octets(n * MSS))).length).toBe(sent)
  s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS]))
  s.send(1021, sackOf(B, [B + MSS, B + 3 * MSS]))
  return { s, entry: shape(s.send(1022, sackOf(B, [B + MSS, B + to * MSS]))) }
}

describe("RACK's minimum RTT over 300 s (Linux's tcp_min_rtt, tcp_min_rtt_wlen)", () => {
  /** `n` full segments from `from` (relative octets) at `t0`, each acknowledged alone `rtt` ms after it went, one every `gap` ms. */
  const exchanges = (s: ReturnType<typeof est>, from: number, t0: number, n: number, gap: number, rtt: number, size = MSS) => {
    for (let i = 0; i < n; i++) {
      const t = t0 + i * gap
      s.write(t, T.octets(size))
      s.send(t + rtt, sackOf(from + (i + 1) * size))
    }
    return from + n * size
  }

  it("a path that grew longer: the old minimum is held 300 s, then the longer one is the minimum, and the reordering window a quarter of it", () => {
    const s = warm()
    // 100 ms round trips from t = 1000, full segments (no delayed ACK): for 300 s after warm's last sample (t ~ 780) the 20 holds
    let next = exchanges(s, B, 1000, 1490, 200, 100)
    expect(Rack.minRtt(s.snd.rack)).toBe(20)
    next = exchanges(s, next, 1000 + 1490 * 200, 20, 200, 100)
    expect(Rack.minRtt(s.snd.rack)).toBe(100)
    s.snd.rack.reordering = true
    expect(Rack.reorderingWindow(s.snd.rack, s.snd.rtt.srtt, false)).toBe(25)
    void next
  })

  it("samples from ACKs that may have been delayed (one runt, acknowledged whole: FLAG_ACK_MAYBE_DELAYED) do not become the minimum when the old one ages; a full segment's do", () => {
    const s = warm()
    // one octet at a time, each acknowledged 60 ms later, for 301 s: what a delayed-ACK timer makes
    let next = exchanges(s, B, 1000, 1505, 200, 60, 1)
    expect(Rack.minRtt(s.snd.rack)).toBe(20)
    // a full segment's 60 ms: the path's now
    next = exchanges(s, next, 1000 + 1505 * 200, 1, 200, 60)
    expect(Rack.minRtt(s.snd.rack)).toBe(60)
    void next
  })
})

describe("RACK in recovery (RFC 8985 §6)", () => {
  it("a batch's ACKs are all taken before RACK marks losses: a segment reordered within the batch is not resent for its first ACK", () => {
    // a path shorter than the Clock's millisecond: every exchange acknowledged in the ms it went,
    // RACK's minimum RTT 0, so its reordering window is 0 (a quarter of it)
    const s = warmZeroRtt()
    expect(shape(s.write(1000, T.octets(4 * MSS))).length).toBe(4)
    // the second segment came after the third and fourth: the receiver's ACKs, in one batch, report
    // the two beyond the hole, then everything. Marked after the first, the second looked lost
    // (sent before a SACKed one, RACK.rtt + 0 passed) and went again
    const out = s.send(1000, sackOf(B + MSS, [B + 2 * MSS, B + 4 * MSS]), sackOf(B + 4 * MSS))
    expect(shape(out)).toEqual([])
    expect([Sender.counters(s.snd).retransmits, Sender.counters(s.snd).fastRetransmits, s.snd.recovering]).toEqual([0, 0, false])
    // the same two ACKs in two batches: the first alone shows the second segment lost, and it goes
    const t = est()
    for (let i = 0; i < B; i++) {
      t.write(10 * i, "x")
      t.send(10 * i, sackOf(i + 1))
    }
    t.write(1000, T.octets(4 * MSS))
    expect(shape(t.send(1000, sackOf(B + MSS, [B + 2 * MSS, B + 4 * MSS])))).toEqual([[B + MSS, MSS]])
  })

  // (perack57; cubicundo56's left burst) Linux takes each ACK by itself: tcp_ack's
  // tcp_fastretrans_alert runs tcp_identify_packet_loss → tcp_rack_mark_lost at the first, which
  // finds the four segments sent 36 ms before the SACKed one lost (past RACK.rtt + min RTT / 4),
  // tcp_enter_recovery, and tcp_xmit_recovery resends the first (PRR's forced first sndcnt); the
  // second ACK finds them acknowledged. The stack marked at the batch's end only, where they were
  // acknowledged already: nothing resent, no recovery
  it("a SACK above a hole sent a tick and more before it, then the ACK that fills it, in one batch: RACK marks at the first, as one at a time", () => {
    const run = (batched: boolean) => {
      const s = warm()
      expect(shape(s.write(1000, T.octets(4 * MSS)))).toEqual([0, 1, 2, 3].map(seg))
      expect(shape(s.write(1036, T.octets(MSS, 4 * MSS)))).toEqual([seg(4)])
      const acks = [sackOf(B, [B + 4 * MSS, B + 5 * MSS]), sackOf(B + 5 * MSS)]
      const out = batched ? shape(s.send(1044, ...acks)) : acks.flatMap((a) => shape(s.send(1044, a)))
      return [out, Sender.counters(s.snd).fastRetransmits]
    }
    expect(run(false)).toEqual([[seg(0)], 1])
    expect(run(true)).toEqual([[seg(0)], 1])
  })

  // (perack57) The same in a recovery: Linux's tcp_fastretrans_alert in Recovery marks at each ACK
  // (tcp_identify_packet_loss, RACK's window 0 with no reordering seen) and tcp_xmit_recovery
  // resends what PRR's window for that ACK allows before the next ACK is read. Ten out at 1000, the
  // first lost: the SACK of 1-4 at 1020 starts the recovery (the first again, and the 10th), 1025
  // sends the 11th and 12th, 1030 the 13th to 15th. Then a batch: the SACK of the 11th (sent 1025)
  // finds the 10th and the first's resend (both sent at 1020) lost, and they go again with the 16th;
  // the next ACK SACKs the 10th too and lets the 17th go. At the batch's end only, the 10th was
  // SACKed already and the resend of the first, sent before the 11th, waited
  it("in recovery, a SACK of data sent a tick and more after a hole, then the ACK that SACKs the hole, in one batch: RACK marks and PRR resends at the first, as one at a time", () => {
    const k = (n: number) => B + n * MSS
    const seqs = (out: ReadonlyArray<OutSegment>) => shape(out).map(([seq]) => (seq! - B) / MSS)
    const run = (batched: boolean) => {
      const s = warm()
      expect(seqs(s.write(1000, T.octets(30 * MSS)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect(seqs(s.send(1020, sackOf(k(0), [k(1), k(5)])))).toEqual([0, 10])
      expect(seqs(s.send(1025, sackOf(k(0), [k(1), k(7)])))).toEqual([11, 12])
      expect(seqs(s.send(1030, sackOf(k(0), [k(1), k(10)])))).toEqual([13, 14, 15])
      const acks = [sackOf(k(0), [k(1), k(10)], [k(11), k(12)]), sackOf(k(0), [k(1), k(12)])]
      const out = batched ? seqs(s.send(1050, ...acks)) : acks.flatMap((a) => seqs(s.send(1050, a)))
      return [out, Sender.counters(s.snd).retransmits]
    }
    expect(run(false)).toEqual([[0, 10, 16, 17], 3])
    expect(run(true)).toEqual([[0, 10, 16, 17], 3])
  })

  // (review57c) The tick of `rackInBatch` is counted between the two sends, as Linux's per-ACK
  // tcp_rack_detect_loss sees it at the ACK's own moment (rack.rtt_us and the skb's age both from
  // tcp_mstamp, so remaining = xmit - rack.mstamp + reo_wnd): a send half that takes the batch a
  // tick after it came (`sendLate`) must not read the lag as the gap. Read at the processing time,
  // with RACK.rtt from the arrival, the lag ate the tick: the second segment, sent in the SACKed
  // one's ms and reported by the batch's next ACK, went again and a recovery cut the window
  it("a batch's ACKs taken a tick after they came: a segment reordered within the batch is still not resent for its first ACK", () => {
    const s = warmZeroRtt()
    expect(shape(s.write(1000, T.octets(4 * MSS))).length).toBe(4)
    const out = s.sendLate(1000, 1001, sackOf(B + MSS, [B + 2 * MSS, B + 4 * MSS]), sackOf(B + 4 * MSS))
    expect(shape(out)).toEqual([])
    expect([Sender.counters(s.snd).retransmits, Sender.counters(s.snd).fastRetransmits, s.snd.recovering]).toEqual([0, 0, false])
  })

  // (ltbatch58; the stop-57 lead's "a recovery's resends of segments marked before a batch still
  // wait for its end") In a recovery Linux's tcp_ack runs tcp_cong_control's tcp_cwnd_reduction and
  // tcp_xmit_recovery at every ACK, then tcp_data_snd_check: what PRR's window for that ACK allows
  // goes at it, a segment marked lost by an earlier ACK first (tcp_xmit_retransmit_queue), then new
  // data, echoing that ACK's timestamp. Twelve out (the 11th and 12th by limited transmit), the
  // first two lost: the third SACK (sacked_out 3, RACK's window 0) marks both lost, the recovery
  // resends the first alone (in_flight 12 - 3 - 2 = 7 = ssthresh: sndcnt forced to 1). Then a batch:
  // the SACK of the 6th to 8th (prr_delivered 4, in_flight 12 - 6 - 2 + 1 = 5, sndcnt min(7 - 5,
  // max(4 - 1, 3)) = 2) resends the second and sends the 13th; the ACK of the first eight (the
  // second's original came late; in_flight 5, sndcnt min(2, max(6 - 3, 2) + 1) = 2) the 14th and
  // 15th. The stack sent at an inner ACK only what RACK newly marked there: the second waited for
  // the batch's end, where it was acknowledged, and the batch sent [12, 13, 14], all at its end
  // (test/kernel/ConformanceLoss.test.ts, "in recovery, a burst whose first ACK lets PRR resend")
  it("in recovery, a SACK inside a batch that lets PRR resend a segment marked lost before, then the ACK that acknowledges it: the resend and the new data go at the first, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [(T.ourSeq(o) - B) / P, o.options.timestamp?.echo])
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      expect(sent(s.write(1000, T.octets(30 * P))).map(([n]) => n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect(sent(s.send(1020, sackTs(100, 1000, k(0), [k(2), k(3)])))).toEqual([[10, 100]])
      expect(sent(s.send(1020, sackTs(101, 1000, k(0), [k(2), k(4)])))).toEqual([[11, 101]])
      expect(sent(s.send(1020, sackTs(102, 1000, k(0), [k(2), k(5)])))).toEqual([[0, 102]])
      const acks = [sackTs(103, 1000, k(0), [k(2), k(8)]), sackTs(104, 1020, k(8))]
      const out = batched ? sent(s.send(1025, ...acks)) : acks.flatMap((a) => sent(s.send(1025, a)))
      return [out, Sender.counters(s.snd).retransmits, s.snd.recovering]
    }
    const linux = [[[1, 103], [12, 103], [13, 104], [14, 104]], 2, true]
    expect(run(false)).toEqual(linux)
    expect(run(true)).toEqual(linux)
  })

  // (batch59) A batch of ACKs of new data in Open: Linux's tcp_ack takes each by itself, slow start
  // grows cwnd (tcp_cong_avoid) and tcp_data_snd_check sends what it lets go before the next ACK is
  // read, each segment echoing that ACK's timestamp. Ten out (cwnd 10); the ACK of two grows cwnd to
  // 12 (in_flight 8): four new, echoing it; the ACK of two more: cwnd 14, in_flight 10, four new,
  // echoing the second. The stack sent all eight at the batch's end, echoing the last
  it("in Open, each ACK of new data inside a batch sends what it lets go at itself, echoing it, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [(T.ourSeq(o) - B) / P, o.options.timestamp?.echo])
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      expect(sent(s.write(1000, T.octets(30 * P))).map(([n]) => n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      const acks = [sackTs(100, 1000, k(2)), sackTs(101, 1000, k(4))]
      const out = batched ? sent(s.send(1020, ...acks)) : acks.flatMap((a) => sent(s.send(1020, a)))
      return [out, s.snd.cc.cwnd / P]
    }
    const linux = [[[10, 100], [11, 100], [12, 100], [13, 100], [14, 101], [15, 101], [16, 101], [17, 101]], 14]
    expect(run(false)).toEqual(linux)
    expect(run(true)).toEqual(linux)
  })

  // (rcvnxt60) Both directions busy: each ACK of the batch brings the peer's data too. Linux's
  // tcp_rcv_established queues a segment's payload before tcp_data_snd_check, so what each ACK lets
  // go acknowledges the data up to its own segment, with the window of that moment (the buffer less
  // what had come by then), and it carries the ACK that data was owed (tcp_event_ack_sent: the
  // scheduled ACK cleared, a quick ACK spent). A last ACK of nothing new sends nothing, and nothing
  // is owed after it: no ACK, now or at the delayed-ACK timer. Batched as one at a time: the same
  // segments, ACK numbers, echoes and windows, and the same quick ACKs left
  it("in Open, ACKs inside a batch that bring data: what each lets go acknowledges the data up to it, with its window, and nothing is owed after, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const data = (seq: number, ack: number, value: number, flags: number = ACK) =>
      T.fromPeer({ seq, ack, flags, payload: T.octets(1000), options: T.ts(value, 1000) })
    const sent = (out: ReadonlyArray<OutSegment>) =>
      out.map((o) => [(T.ourSeq(o) - B) / P, o.payload?.length ?? 0, T.ourAck(o), o.options.timestamp?.echo, o.window])
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      expect(s.write(1000, T.octets(30 * P))).toHaveLength(10)
      const segs = [data(0, k(2), 100), data(1000, k(4), 101), T.fromPeer({ seq: 2000, ack: k(4), options: T.ts(102, 1000) })]
      const out = batched ? sent(s.send(1020, ...segs)) : segs.flatMap((a) => sent(s.send(1020, a)))
      const quiet = sent(s.tick(1300)).filter(([, len]) => len === 0)
      // (TS.Recent as the next batch's receive half holds it: the third segment's, 102, whose start the
      // second's sends had acknowledged, tcp_replace_ts_recent against the rcv_wup they moved)
      s.send(1310, T.fromPeer({ seq: 2000, ack: k(4) }))
      return [out, s.snd.quickAcks, s.snd.ackScheduled, quiet, s.rcv.tsRecent]
    }
    const one = run(false)
    expect(one[0]).toEqual([
      ...[10, 11, 12, 13].map((n) => [n, P, 1000, 100, expect.any(Number)]),
      ...[14, 15, 16, 17].map((n) => [n, P, 2000, 101, expect.any(Number)])
    ])
    expect(one[4]).toBe(102)
    expect(run(true)).toEqual(one)
  })

  // (rcvnxt60) TS.Recent after a send at an inner ACK: the data the first segment brought is
  // acknowledged by what its ACK lets go, which moves Linux's rcv_wup, so the next segment, starting
  // there, has its TSval taken (tcp_replace_ts_recent: seq not after rcv_wup), and its own sends echo
  // it; the receive half, which saw no ACK go, takes it from the send half at the next batch
  it("a send at an ACK inside a batch acknowledges the data before the next segment: that segment's TSval is TS.Recent, in both halves, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      expect(s.write(1000, T.octets(30 * P))).toHaveLength(10)
      const segs = [
        T.fromPeer({ seq: 0, ack: k(2), payload: T.octets(1000), options: T.ts(100, 1000) }),
        T.fromPeer({ seq: 1000, ack: k(4), options: T.ts(101, 1000) })
      ]
      const out = batched ? s.send(1020, ...segs) : segs.flatMap((a) => s.send(1020, a))
      s.send(1030, T.fromPeer({ seq: 1000, ack: k(4) }))
      return [out.map((o) => [T.ourAck(o), o.options.timestamp?.echo]), s.rcv.tsRecent]
    }
    const one = run(false)
    expect(one).toEqual([[...Array(4).fill([1000, 100]), ...Array(4).fill([1000, 101])], 101])
    expect(run(true)).toEqual(one)
  })

  // (review60a) The receive half takes the wake-up's arrivals one after another before the send half
  // sees their reports (Connection.ts: one queue each way). The TSval the send half took at the first
  // report (tsTaken) must survive the second report, whose batch the receive half took before it: Linux
  // (tcp_replace_ts_recent at each segment, against the rcv_wup the earlier send moved) has TS.Recent 101
  // after the first batch, and 102 after the second's ACK at seq 1000 = rcv_wup; the segments the
  // second ACK lets go echo 102, and both halves keep it
  it("a TSval the send half took survives a second batch the receive half took before that report, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const segs = () => [
      [
        T.fromPeer({ seq: 0, ack: k(2), payload: T.octets(1000), options: T.ts(100, 1000) }),
        T.fromPeer({ seq: 1000, ack: k(4), options: T.ts(101, 1000) })
      ],
      [T.fromPeer({ seq: 1000, ack: k(6), options: T.ts(102, 1000) })]
    ]
    const run = (interleaved: boolean) => {
      const s = warm(undefined, true)
      expect(s.write(1000, T.octets(30 * P))).toHaveLength(10)
      const [b1, b2] = segs()
      let out: Array<OutSegment>
      if (interleaved) {
        const r1 = Receiver.onBatch(s.rcv, b1!, 1020, s.reads.consumed, s.snd.view)
        const r2 = Receiver.onBatch(s.rcv, b2!, 1020, s.reads.consumed, s.snd.view)
        out = []
        Sender.onReport(s.snd, r1, 1020, out)
        Sender.onReport(s.snd, r2, 1020, out)
      } else out = [...s.send(1020, ...b1!), ...s.send(1020, ...b2!)]
      s.send(1030, T.fromPeer({ seq: 1000, ack: k(6) }))
      return [out.map((o) => [T.ourAck(o), o.options.timestamp?.echo]), s.rcv.tsRecent, s.snd.tsRecent]
    }
    const one = run(false)
    expect(one[1]).toBe(102)
    expect(run(true)).toEqual(one)
  })

  // (review60a) A segment PAWS refuses inside the batch after an inner ACK whose sends acknowledged all
  // the batch brought: Linux's tcp_validate_incoming answers it with tcp_send_dupack (data: no rate
  // limit) there and then, between the sends of the ACK before it and those of the ACK after it. The
  // batch's "all answered" (innerAnswered) must not swallow that duplicate ACK.
  // (It failed on 51c04cd too, before rcvnxt60: the receive half's answer to a refused segment was the
  // batch's `ackNow`, which any segment the batch sends satisfies; batch61 makes it an ACK point of
  // its own, `Receiver.dupAck`, placed between the sends of the ACKs around it)
  it("a segment PAWS refuses after an inner ACK that answered the batch's data still draws its duplicate ACK, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const sent = (out: ReadonlyArray<OutSegment>) =>
      out.map((o) => [(T.ourSeq(o) - B) / P, o.payload?.length ?? 0, T.ourAck(o), o.options.timestamp?.echo])
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      expect(s.write(1000, T.octets(30 * P))).toHaveLength(10)
      const segs = [
        T.fromPeer({ seq: 0, ack: k(2), payload: T.octets(1000), options: T.ts(100, 1000) }),
        T.fromPeer({ seq: 1000, ack: k(2), payload: T.octets(1000), options: T.ts(50, 1000) }),
        T.fromPeer({ seq: 1000, ack: k(4), options: T.ts(101, 1000) })
      ]
      return batched ? sent(s.send(1020, ...segs)) : segs.flatMap((a) => sent(s.send(1020, a)))
    }
    const one = run(false)
    expect(one.filter((o) => o[1] === 0)).toHaveLength(1)
    expect(run(true)).toEqual(one)
  })

  // (batch61) Several refused segments in one batch: each draws its own ACK where it lies, as Linux's
  // tcp_validate_incoming sends tcp_send_dupack's at each (data is not rate limited,
  // tcp_oow_rate_limited): PAWS (an older TSval), outside the window (beyond its right edge,
  // tcp_sequence), before and after an inner ACK that sends, and behind the batch's last ACK (after
  // what it sends). Batched = one at a time, the bare ACKs counted (quick ACKs off: a batch's data
  // segments draw ACK points one per two, not quick-ACK mode's one each, an older compromise)
  it("refused segments inside a batch draw one duplicate ACK each, where they lie, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const sent = (out: ReadonlyArray<OutSegment>) =>
      out.map((o) => [(T.ourSeq(o) - B) / P, o.payload?.length ?? 0, T.ourAck(o), o.options.timestamp?.echo, o.options.sack?.length ?? 0])
    const data = (seq: number, ack: number, value: number) =>
      T.fromPeer({ seq, ack, payload: T.octets(1000), options: T.ts(value, 1000) })
    const run = (batched: boolean, segs: ReadonlyArray<ReturnType<typeof T.fromPeer>>) => {
      const s = warm({ quickAcks: 0 }, true)
      expect(s.write(1000, T.octets(30 * P))).toHaveLength(10)
      const out = batched ? sent(s.send(1020, ...segs)) : segs.flatMap((a) => sent(s.send(1020, a)))
      return [out, s.snd.view.lastAckSent === s.snd.rcvNxt, s.snd.ackDue]
    }
    const beyond = 10_000_000
    const cases: ReadonlyArray<[ReadonlyArray<ReturnType<typeof T.fromPeer>>, number]> = [
      // two refused by PAWS, then an ACK that sends
      [[data(0, k(2), 100), data(1000, k(2), 50), data(2000, k(2), 50), T.fromPeer({ seq: 1000, ack: k(4), options: T.ts(101, 1000) })], 2],
      // one PAWS, one beyond the window, around an inner ACK that sends
      [[data(0, k(0), 100), data(1000, k(0), 50), data(1000, k(2), 101), data(beyond, k(2), 102), T.fromPeer({ seq: 2000, ack: k(4), options: T.ts(103, 1000) })], 2],
      // behind the batch's last ACK, which sends: its segments, then the refused segment's ACK
      [[data(0, k(2), 100), data(1000, k(2), 50)], 1],
      // the same beyond the window
      [[data(0, k(2), 100), data(beyond, k(2), 101), data(beyond, k(2), 101)], 2]
    ]
    for (const [segs, bare] of cases) {
      const one = run(false, segs)
      expect((one[0] as Array<Array<number>>).filter((o) => o[1] === 0)).toHaveLength(bare)
      expect(run(true, segs)).toEqual(one)
    }
  })

  // (batch61) An ACK point of a segment before the batch's last ACK, which sends: Linux's
  // __tcp_ack_snd_check sent it at its own segment (the second of two), before the last segment's
  // tcp_data_snd_check. Quick ACKs off. One at a time: ACK 2000 bare, then the sends; batched, the
  // point was left to the batch's ACK, which the sends carried (one bare ACK fewer)
  it("an ACK point of a segment before the batch's last ACK goes before what that ACK sends, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const sent = (out: ReadonlyArray<OutSegment>) =>
      out.map((o) => [(T.ourSeq(o) - B) / P, o.payload?.length ?? 0, T.ourAck(o), o.options.timestamp?.echo])
    const run = (batched: boolean) => {
      const s = warm({ quickAcks: 0 }, true)
      expect(s.write(1000, T.octets(30 * P))).toHaveLength(10)
      const segs = [
        T.fromPeer({ seq: 0, ack: k(0), payload: T.octets(1000), options: T.ts(100, 1000) }),
        T.fromPeer({ seq: 1000, ack: k(0), payload: T.octets(1000), options: T.ts(101, 1000) }),
        T.fromPeer({ seq: 2000, ack: k(2), options: T.ts(102, 1000) })
      ]
      const out = batched ? sent(s.send(1020, ...segs)) : segs.flatMap((a) => sent(s.send(1020, a)))
      return [out, s.snd.ackDue, s.snd.view.lastAckSent === s.snd.rcvNxt]
    }
    const one = run(false)
    expect((one[0] as Array<Array<number>>)[0]).toEqual([10, 0, 2000, 100])
    expect(run(true)).toEqual(one)
  })

  // (batch61) An RST behind ACKs in one burst: Linux takes each segment in order, so the ACKs before
  // it send what they let go (tcp_ack, then tcp_data_snd_check per segment: here an ACK of two segments
  // that slow start grows the window by) before tcp_reset ends the connection at the RST. Batched,
  // the report's reset was taken before its ACKs: nothing went. With and without data on the ACK
  it("an RST behind ACKs of new data in one batch: the ACKs' sends go before the reset, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const sent = (out: ReadonlyArray<OutSegment>) =>
      out.map((o) => [(T.ourSeq(o) - B) / P, o.payload?.length ?? 0, T.ourAck(o), o.flags & RST])
    for (const payload of [0, 1000]) {
      const run = (batched: boolean) => {
        const s = warm(undefined, true)
        expect(s.write(1000, T.octets(30 * P))).toHaveLength(10)
        const segs = [
          T.fromPeer({ seq: 0, ack: k(2), payload: T.octets(payload), options: T.ts(100, 1000) }),
          T.fromPeer({ seq: payload, ack: k(2), flags: RST | ACK, options: T.ts(101, 1000) })
        ]
        const out = batched ? sent(s.send(1020, ...segs)) : segs.flatMap((a) => sent(s.send(1020, a)))
        return [out, s.snd.state, s.snd.failure]
      }
      const one = run(false)
      expect((one[0] as Array<unknown>).length).toBeGreaterThan(0)
      expect(one[2]).toBe("Reset")
      expect(run(true)).toEqual(one)
    }
  })

  // (batch61) A D-SACK goes once: Linux's tcp_options_write clears rx_opt.dsack once an ACK carried
  // it. Here a resend of the peer's data we had (its D-SACK at its own ACK, tcp_data_queue's
  // tcp_dsack_set and quick ACK), then an ACK of new data inside the batch that sends: one at a time
  // its segments carry no block; batched, they took the earlier point's blocks, the D-SACK again
  it("a D-SACK goes once: the sends of a later ACK inside the batch do not repeat an earlier segment's, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const sent = (out: ReadonlyArray<OutSegment>) =>
      out.map((o) => [(T.ourSeq(o) - B) / P, o.payload?.length ?? 0, T.ourAck(o), o.options.sack?.length ?? 0])
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      expect(s.write(1000, T.octets(30 * P))).toHaveLength(10)
      s.send(1010, T.fromPeer({ seq: 0, ack: k(0), payload: T.octets(1000), options: T.ts(100, 1000) }))
      const segs = [
        T.fromPeer({ seq: 0, ack: k(0), payload: T.octets(1000), options: T.ts(101, 1000) }),
        T.fromPeer({ seq: 1000, ack: k(2), options: T.ts(102, 1000) }),
        T.fromPeer({ seq: 1000, ack: k(4), options: T.ts(103, 1000) })
      ]
      return batched ? sent(s.send(1020, ...segs)) : segs.flatMap((a) => sent(s.send(1020, a)))
    }
    const one = run(false)
    expect(one[0]).toEqual([10, 0, 1000, 1])
    // (the later ACKs do send: an every() over nothing would prove nothing)
    expect(one.length).toBeGreaterThan(1)
    expect(one.slice(1).every((o) => o[3] === 0)).toBe(true)
    expect(run(true)).toEqual(one)
  })

  // (review61a) An RST behind segments that took no ACK but drew an answer: Linux's tcp_validate_incoming
  // sends a refused segment's tcp_send_dupack, or an in-window RST's tcp_send_challenge_ack (RFC 5961
  // §3.2), there and then, before the next segment's tcp_reset ends the socket. Batched, a report
  // with a reset and no ACK failed at once: the refused segment's ACK point and the challenge were lost
  it("an RST behind a refused segment or a challenged RST in one batch: their ACKs go before the reset, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const sent = (out: ReadonlyArray<OutSegment>) =>
      out.map((o) => [(T.ourSeq(o) - B) / P, o.payload?.length ?? 0, T.ourAck(o), o.flags & RST])
    const rst = (seq: number) => T.fromPeer({ seq, ack: k(0), flags: RST | ACK, options: T.ts(101, 1000) })
    const cases = [
      // data beyond the window (tcp_sequence), then an RST at RCV.NXT
      [T.fromPeer({ seq: 10_000_000, ack: k(0), payload: T.octets(1000), options: T.ts(100, 1000) }), rst(0)],
      // an RST inside the window but not at RCV.NXT (a challenge ACK), then one at RCV.NXT
      [rst(500), rst(0)]
    ]
    for (const segs of cases) {
      const run = (batched: boolean) => {
        const s = warm(undefined, true)
        expect(s.write(1000, T.octets(4 * P))).toHaveLength(4)
        const out = batched ? sent(s.send(1020, ...segs)) : segs.flatMap((a) => sent(s.send(1020, a)))
        return [out, s.snd.state, s.snd.failure]
      }
      const one = run(false)
      expect(one[0]).toEqual([[4, 0, 0, 0]])
      expect(one[2]).toBe("Reset")
      expect(run(true)).toEqual(one)
    }
  })

  // (review61a) An in-window RST not at RCV.NXT behind an ACK of new data in one batch: Linux takes the
  // ACK first (tcp_ack, tcp_data_snd_check: four segments), then answers the RST with
  // tcp_send_challenge_ack (RFC 5961 §3.2), an ACK of its own whatever went before it (tcp_send_ack; the
  // global limit is off since 6.0, the connection's 500 ms one allows it). Batched, the challenge was the
  // batch's ackNow, which the ACK's data carried: no ACK of its own. The same with an RST at RCV.NXT
  // after the challenge: the challenge ACK goes, then the connection fails
  it("a challenge ACK behind an ACK's sends in one batch is an ACK of its own, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const sent = (out: ReadonlyArray<OutSegment>) =>
      out.map((o) => [(T.ourSeq(o) - B) / P, o.payload?.length ?? 0, T.ourAck(o), o.flags & RST])
    const rst = (seq: number) => T.fromPeer({ seq, ack: k(2), flags: RST | ACK, options: T.ts(101, 1000) })
    const ack = T.fromPeer({ seq: 0, ack: k(2), options: T.ts(100, 1000) })
    for (const segs of [[ack, rst(500)], [ack, rst(500), rst(0)]]) {
      const run = (batched: boolean) => {
        const s = warm(undefined, true)
        expect(s.write(1000, T.octets(30 * P))).toHaveLength(10)
        const out = batched ? sent(s.send(1020, ...segs)) : segs.flatMap((a) => sent(s.send(1020, a)))
        return [out, s.snd.state, s.snd.failure]
      }
      const one = run(false)
      expect((one[0] as Array<Array<number>>).map((o) => o[1])).toEqual([P, P, P, P, 0])
      expect(run(true)).toEqual(one)
    }
  })

  // (batch62) An in-window RST not at RCV.NXT before ACKs of new data in one batch: Linux answers it
  // with tcp_send_challenge_ack (RFC 5961 §3.2), a tcp_send_ack there and then, before the later
  // segments' tcp_ack and tcp_data_snd_check send what they let go; its ACK number and echo are those
  // of its moment (data before it taken, a later segment's not). Batched, the challenge went after
  // every send of the batch
  it("a challenge ACK before an ACK's sends in one batch goes before them, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const sent = (out: ReadonlyArray<OutSegment>) =>
      out.map((o) => [(T.ourSeq(o) - B) / P, o.payload?.length ?? 0, T.ourAck(o), o.options.timestamp?.echo])
    const rst = (seq: number) => T.fromPeer({ seq, ack: k(0), flags: RST | ACK })
    const ack = (seq: number, n: number, ts: number) => T.fromPeer({ seq, ack: k(n), options: T.ts(ts, 1000) })
    const data = T.fromPeer({ seq: 0, ack: k(0), payload: T.octets(500), options: T.ts(100, 1000) })
    const cases = [
      // the challenge, then the batch's last ACK
      [rst(500), ack(0, 2, 100)],
      // the challenge, then an inner ACK that sends (`earlierPoints`), then the last
      [rst(500), ack(0, 1, 100), ack(0, 2, 101)],
      // data first (its ACK delayed: quick ACKs off), which the challenge acknowledges, echoing its segment
      [data, rst(1500), ack(500, 2, 101)]
    ]
    for (const segs of cases) {
      const run = (batched: boolean) => {
        const s = warm({ quickAcks: 0 }, true)
        expect(s.write(1000, T.octets(30 * P))).toHaveLength(10)
        const out = batched ? sent(s.send(1020, ...segs)) : segs.flatMap((a) => sent(s.send(1020, a)))
        return [out, s.snd.state]
      }
      const one = run(false)
      const firstBare = (one[0] as Array<Array<number>>).findIndex((o) => o[1] === 0)
      // (the challenge ACK goes before the sends, which it therefore cannot be one of)
      expect(firstBare).toBeGreaterThanOrEqual(0)
      expect((one[0] as Array<Array<number>>).slice(firstBare + 1).some((o) => o[1] === P)).toBe(true)
      expect(run(true)).toEqual(one)
    }
  })

  // (batch62) Data, a challenged RST, then a pure ACK that sends nothing, in one batch: in quick-ACK mode
  // Linux ACKs the data at its segment, then sends the challenge ACK: two. The challenge's ACK point
  // says all the batch's ACK would, but stands for no quick ACK owed before it (which goes after it
  // here, with the batch's echo). With quick ACKs off the challenge ACK clears the data's delayed ACK
  // (tcp_event_ack_sent): one, and nothing at the delayed-ACK time
  it("a challenge ACK behind data in one batch leaves the data's quick ACK owed, and clears a delayed one, as one at a time", () => {
    const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [T.ourAck(o), o.payload?.length ?? 0])
    const segs = [
      T.fromPeer({ seq: 0, ack: 0, payload: T.octets(500), options: T.ts(100, 1000) }),
      T.fromPeer({ seq: 1500, ack: 0, flags: RST }),
      T.fromPeer({ seq: 500, ack: 0, options: T.ts(101, 1000) })
    ]
    for (const quickAcks of [undefined, 0]) {
      const run = (batched: boolean) => {
        const s = est(quickAcks === undefined ? undefined : { quickAcks }, true)
        const out = batched ? sent(s.send(1020, ...segs)) : segs.flatMap((a) => sent(s.send(1020, a)))
        return [out, sent(s.tick(1500))]
      }
      const one = run(false)
      expect(one, `${quickAcks}`).toEqual([quickAcks === 0 ? [[500, 0]] : [[500, 0], [500, 0]], []])
      expect(run(true), `${quickAcks}`).toEqual(one)
    }
  })

  // (batch61) An old pure ACK (its SEQ below RCV.NXT) PAWS refuses draws no duplicate ACK: Linux 6.18's
  // tcp_validate_incoming drops it (tcp_disordered_ack_check says SKB_DROP_REASON_TCP_RFC7323_PAWS_ACK:
  // "Old ACK are common", PAWSOldAck) before tcp_send_dupack; one at RCV.NXT that is no reordered
  // duplicate (it acknowledges new data) still draws one, rate limited
  it("an old pure ACK PAWS refuses draws no duplicate ACK; one at RCV.NXT does", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const s = warm(undefined, true)
    expect(s.write(1000, T.octets(4 * P))).toHaveLength(4)
    s.send(1020, T.fromPeer({ seq: 0, ack: k(1), payload: T.octets(1000), options: T.ts(100, 1000) }))
    s.send(1400, T.fromPeer({ seq: 1000, ack: k(1), options: T.ts(101, 1000) }))
    expect(s.send(1500, T.fromPeer({ seq: 500, ack: k(2), options: T.ts(50, 1000) }))).toEqual([])
    expect(s.snd.sndUna).toBe(Seq.add(T.LOCAL_ISN, 1 + k(1)))
    const dup = s.send(1600, T.fromPeer({ seq: 1000, ack: k(2), options: T.ts(50, 1000) }))
    expect(dup.map((o) => [T.ourAck(o), o.payload?.length ?? 0, o.options.timestamp?.echo])).toEqual([[1000, 0, 101]])
  })

  // (rcvnxt60) An ACK point of an earlier segment of the batch, then an inner ACK that sends: Linux
  // sent that segment's ACK at it (__tcp_ack_snd_check: more than one segment unacknowledged), before
  // the later segment's sends, with SND.NXT as it stood then. Quick ACKs off (Params.quickAcks 0),
  // so only the second segment's data draws one (echoing 100: no ACK had covered the second's start).
  // One at a time: ACK 2000, then the sends at the third (ACK 3000, echoing 102); batched, the ACK
  // went after them (its number going back), with their SND.NXT
  it("an ACK point of an earlier segment goes before the sends of a later ACK inside the batch, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const data = (seq: number, ack: number, value: number) =>
      T.fromPeer({ seq, ack, payload: T.octets(1000), options: T.ts(value, 1000) })
    const sent = (out: ReadonlyArray<OutSegment>) =>
      out.map((o) => [(T.ourSeq(o) - B) / P, o.payload?.length ?? 0, T.ourAck(o), o.options.timestamp?.echo])
    const run = (batched: boolean) => {
      const s = warm({ quickAcks: 0 }, true)
      expect(s.write(1000, T.octets(30 * P))).toHaveLength(10)
      const segs = [data(0, k(0), 100), data(1000, k(0), 101), data(2000, k(2), 102), T.fromPeer({ seq: 3000, ack: k(4), options: T.ts(103, 1000) })]
      const out = batched ? sent(s.send(1020, ...segs)) : segs.flatMap((a) => sent(s.send(1020, a)))
      return [out, s.snd.ackScheduled, s.snd.view.lastAckSent === s.snd.rcvNxt]
    }
    const one = run(false)
    expect(one[0]).toEqual([
      [10, 0, 2000, 100],
      ...[10, 11, 12, 13].map((n) => [n, P, 3000, 102]),
      ...[14, 15, 16, 17].map((n) => [n, P, 3000, 103])
    ])
    expect(run(true)).toEqual(one)
  })

  // (rcvnxt60) The same with the FIN on the second segment: Linux's tcp_fin (in tcp_data_queue) moves
  // rcv_nxt past it before tcp_data_snd_check, so what that ACK lets go acknowledges the FIN, and no
  // ACK of the FIN follows (the delayed one tcp_fin scheduled is cleared by those segments)
  it("in Open, a FIN on an ACK inside a batch: what that ACK lets go acknowledges the FIN, and no ACK of it follows, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const data = (seq: number, ack: number, value: number, flags: number = ACK) =>
      T.fromPeer({ seq, ack, flags, payload: T.octets(1000), options: T.ts(value, 1000) })
    const sent = (out: ReadonlyArray<OutSegment>) =>
      out.map((o) => [(T.ourSeq(o) - B) / P, o.payload?.length ?? 0, T.ourAck(o), o.options.timestamp?.echo])
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      expect(s.write(1000, T.octets(30 * P))).toHaveLength(10)
      const segs = [data(0, k(2), 100), data(1000, k(4), 101, ACK | FIN), T.fromPeer({ seq: 2001, ack: k(4), options: T.ts(102, 1000) })]
      const out = batched ? sent(s.send(1020, ...segs)) : segs.flatMap((a) => sent(s.send(1020, a)))
      return [out, s.state, sent(s.tick(1300)).filter(([, len]) => len === 0)]
    }
    const one = run(false)
    expect(one).toEqual([
      [...[10, 11, 12, 13].map((n) => [n, P, 1000, 100]), ...[14, 15, 16, 17].map((n) => [n, P, 2001, 101])],
      "CloseWait",
      []
    ])
    expect(run(true)).toEqual(one)
  })

  // (batch59) An ACK inside a batch that ends a recovery (SND.UNA at recover) sends its new data at
  // itself: Linux's tcp_ack → tcp_fastretrans_alert (Recovery, SND.UNA at high_seq: tcp_try_undo_recovery
  // finds nothing to undo, tcp_end_cwnd_reduction: cwnd = ssthresh; Open), then tcp_data_snd_check
  // sends, echoing this ACK; the next ACK of the batch sends what it then lets go, echoing itself.
  // Ten out, the first lost: the SACKs of the 2nd and 2nd-3rd send the 11th and 12th (RFC 3042), that
  // of the 2nd-4th enters (recover: the 12th's end) and resends the first, that of the 2nd-10th lets
  // PRR send the 13th-16th. Then a batch: the ACK of twelve (the recovery's end) and of fourteen.
  // The stack sent the first's new data with the last's echo
  it("an ACK inside a batch that ends a recovery sends its new data at itself, echoing it, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [(T.ourSeq(o) - B) / P, o.options.timestamp?.echo])
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      expect(sent(s.write(1000, T.octets(40 * P))).map(([n]) => n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect(sent(s.send(1020, sackTs(100, 1000, k(0), [k(1), k(2)])))).toEqual([[10, 100]])
      expect(sent(s.send(1020, sackTs(101, 1000, k(0), [k(1), k(3)])))).toEqual([[11, 101]])
      expect(sent(s.send(1020, sackTs(102, 1000, k(0), [k(1), k(4)])))).toEqual([[0, 102]])
      expect(s.snd.recovering).toBe(true)
      // the SACK of the 5th to 10th: PRR lets new data go (the 13th, 14th ...), still in recovery
      const prr = sent(s.send(1021, sackTs(103, 1000, k(0), [k(1), k(10)]))).map(([n]) => n)
      expect(prr.slice(0, 2)).toEqual([12, 13])
      expect(s.snd.recovering).toBe(true)
      const acks = [sackTs(104, 1020, k(12)), sackTs(105, 1021, k(14))]
      const out = batched ? sent(s.send(1060, ...acks)) : acks.flatMap((a) => sent(s.send(1060, a)))
      return [out, s.snd.recovering, s.snd.cc.cwnd / P]
    }
    // (the first: cwnd = ssthresh 7, in_flight 16 - 12 = 4, three new; the second: in_flight 5, two)
    const linux = [[[16, 104], [17, 104], [18, 104], [19, 105], [20, 105]], false, 7]
    expect(run(false)).toEqual(linux)
    expect(run(true)).toEqual(linux)
  })

  // (review59b) A FIN the peer's window held back goes at the ACK inside a batch that opens room for
  // it: Linux's tcp_ack, then tcp_data_snd_check → tcp_write_xmit, whose tcp_snd_wnd_test lets the
  // FIN's skb go once one sequence number fits (in_flight 2 under cwnd 10), echoing this ACK. Four segments fill the peer's window, the application closes: the ACK of two
  // opens room, the FIN goes echoing it. The stack's `limitedTransmitInBatch` asked for data never
  // sent, so the FIN waited for the batch's end and the last ACK's echo
  it("a FIN the window held goes at the ACK inside a batch that opens room for it, echoing it, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => n * P
    const sent = (out: ReadonlyArray<OutSegment>) =>
      out.map((o) => [T.ourSeq(o) / P, o.payload?.length ?? 0, o.options.timestamp?.echo])
    const ack = (value: number, echo: number, n: number) =>
      T.fromPeer({ ack: k(n), window: 4 * P, options: { sackPermitted: false, timestamp: { value, echo } } })
    const run = (batched: boolean) => {
      const s = T.established({
        peerOptions: { mss: MSS, sackPermitted: true, timestamp: { value: 1, echo: 0 } },
        peerWindow: 4 * P
      })
      expect(sent(s.write(1000, T.octets(4 * P))).map(([n]) => n)).toEqual([0, 1, 2, 3])
      expect(s.close(1000)).toEqual([])
      const acks = [ack(100, 1000, 2), ack(101, 1000, 4)]
      return batched ? sent(s.send(1020, ...acks)) : acks.flatMap((a) => sent(s.send(1020, a)))
    }
    const linux = [[4, 0, 100]]
    expect(run(false)).toEqual(linux)
    expect(run(true)).toEqual(linux)
  })

  // (ltbatch58) The same at a recovery's entry inside a batch: Linux's tcp_ack for the ACK that
  // enters runs tcp_cwnd_reduction, tcp_xmit_recovery and tcp_data_snd_check before the next. Ten
  // out, the first two lost; the SACK of the 3rd to 9th (sacked_out 7: RACK's window 0, both lost)
  // enters (ssthresh 7): in_flight 10 - 7 - 2 = 1, delta 6, sndcnt min(6, max(7 - 0, 7)) = 6, cwnd 7:
  // the two resends, then four new, all echoing its timestamp; the next ACK (the 10th SACKed:
  // in_flight 14 - 8 - 2 + 2 = 6, sndcnt min(1, max(8 - 6, 1)) = 1) the 15th. The stack entered and
  // resent at the first ACK but sent the new data at the batch's end, echoing the second
  it("a recovery entered at an ACK inside a batch sends the new data PRR's window allows at that ACK, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [(T.ourSeq(o) - B) / P, o.options.timestamp?.echo])
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      expect(sent(s.write(1000, T.octets(30 * P))).map(([n]) => n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      const acks = [sackTs(100, 1000, k(0), [k(2), k(9)]), sackTs(101, 1000, k(0), [k(2), k(10)])]
      const out = batched ? sent(s.send(1020, ...acks)) : acks.flatMap((a) => sent(s.send(1020, a)))
      return [out, Sender.counters(s.snd).retransmits, s.snd.cc.ssthresh / P]
    }
    const linux = [[[0, 100], [1, 100], [10, 100], [11, 100], [12, 100], [13, 100], [14, 101]], 2, 7]
    expect(run(false)).toEqual(linux)
    expect(run(true)).toEqual(linux)
  })

  // (ltbatch58) The same where RACK's marks (`rackInBatch`) start it, reordering seen (so no RFC 6675
  // IsLost, and RACK's window min RTT / 4 = 5 ms): the first segment at 2000, nine at 2010; the SACK
  // of the 2nd to 8th at 2030 finds the first lost (sent 10 ms before them), enters (ssthresh 7):
  // in_flight 10 - 7 - 1 = 2, sndcnt min(5, 7) = 5: the resend and four new at it; the next ACK
  // (in_flight 14 - 8 - 1 + 1 = 6, sndcnt min(1, max(8 - 5, 1)) = 1) the 15th
  it("a recovery RACK enters at an ACK inside a batch sends the new data PRR's window allows at that ACK, as one at a time", () => {
    const P = MSS - 12
    const base = B + 3 * P
    const k = (n: number) => base + n * P
    const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [(T.ourSeq(o) - base) / P, o.options.timestamp?.echo])
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      // reordering seen: of three segments the third arrives before the second
      s.write(1000, T.octets(3 * P))
      s.send(1020, sackTs(60, 1000, B + P, [B + 2 * P, B + 3 * P]))
      s.send(1021, sackTs(61, 1000, B + 3 * P))
      expect(s.snd.rack.reordering).toBe(true)
      expect(sent(s.write(2000, T.octets(P)))).toEqual([[0, 61]])
      expect(sent(s.write(2010, T.octets(29 * P, P))).map(([n]) => n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
      const acks = [sackTs(100, 2010, k(0), [k(1), k(8)]), sackTs(101, 2010, k(0), [k(1), k(9)])]
      const out = batched ? sent(s.send(2030, ...acks)) : acks.flatMap((a) => sent(s.send(2030, a)))
      return [out, Sender.counters(s.snd).retransmits, s.snd.cc.ssthresh / P]
    }
    const linux = [[[0, 100], [10, 100], [11, 100], [12, 100], [13, 100], [14, 101]], 1, 7]
    expect(run(false)).toEqual(linux)
    expect(run(true)).toEqual(linux)
  })

  // (review58a) In a recovery, a SACK inside a batch above holes sent in the SACKed segment's own
  // tick: Linux's tcp_rack_mark_lost (window 0 in Recovery with no reordering seen; µs clock: sent
  // before the SACKed one) marks them at that ACK, and tcp_xmit_recovery resends them before
  // tcp_data_snd_check's new data. Ten out at 1000, the 1st and 5th/6th lost: the SACKs of the 2nd
  // and 2nd-3rd each let limited transmit send one (the 11th, 12th), that of the 2nd-4th enters
  // (ssthresh 7; in_flight 12 - 3 - 1 = 8 above it: sndcnt ceil(7 / 10) = 1, the 1st resent). Then a
  // batch: the SACK of the 7th-9th (the 5th and 6th lost: prr_delivered 4, in_flight 12 - 6 - 3 + 1
  // = 4, sndcnt min(3, max(4 - 1, 3)) = 3): the 5th and 6th resent, then the 13th; the SACK of the
  // 10th (in_flight 13 - 7 - 3 + 3 = 6, sndcnt min(1, max(5 - 4, 1)) = 1) the 14th. The ticked look
  // inside the batch marks neither hole (same ms), and the first ACK's window went to new data
  it("in recovery, a SACK inside a batch above holes sent in its own tick: the holes go before new data, as one at a time", () => {
    const k = (n: number) => B + n * MSS
    const seqs = (out: ReadonlyArray<OutSegment>) => shape(out).map(([seq]) => (seq! - B) / MSS)
    const run = (batched: boolean) => {
      const s = warm()
      expect(seqs(s.write(1000, T.octets(30 * MSS)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      s.send(1020, sackOf(k(0), [k(1), k(2)]))
      s.send(1020, sackOf(k(0), [k(1), k(3)]))
      expect(seqs(s.send(1020, sackOf(k(0), [k(1), k(4)])))).toEqual([0])
      const acks = [sackOf(k(0), [k(1), k(4)], [k(6), k(9)]), sackOf(k(0), [k(1), k(4)], [k(6), k(10)])]
      const out = batched ? seqs(s.send(1022, ...acks)) : acks.flatMap((a) => seqs(s.send(1022, a)))
      return [out, Sender.counters(s.snd).retransmits]
    }
    expect(run(false)).toEqual([[4, 5, 12, 13], 3])
    expect(run(true)).toEqual([[4, 5, 12, 13], 3])
  })

  // (review58a) The same at a recovery RACK's ticked marks enter inside a batch: reordering seen
  // (RACK's window min RTT / 4 = 5 ms), the 1st segment at 2000, the 2nd at 2005, eight at 2010; the
  // SACK of the 3rd to 9th at 2030 finds the 1st lost by the ticked window and the 2nd (sent the
  // window's 5 ms before the SACKed ones) by the plain one only. Taken by itself (RACK's window at
  // the batch's end, as Linux's tcp_rack_mark_lost at the ACK) both are marked and resent before the
  // new data PRR allows; the entry's new data at the inner ACK went before the 2nd's resend
  it("a recovery RACK enters inside a batch with a hole the plain window marks: its resend goes before the new data, as one at a time", () => {
    const P = MSS - 12
    const base = B + 3 * P
    const k = (n: number) => base + n * P
    const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => (T.ourSeq(o) - base) / P)
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      s.write(1000, T.octets(3 * P))
      s.send(1020, sackTs(60, 1000, B + P, [B + 2 * P, B + 3 * P]))
      s.send(1021, sackTs(61, 1000, B + 3 * P))
      expect(s.snd.rack.reordering).toBe(true)
      expect(sent(s.write(2000, T.octets(P)))).toEqual([0])
      expect(sent(s.write(2005, T.octets(P, P)))).toEqual([1])
      expect(sent(s.write(2010, T.octets(28 * P, 2 * P)))).toEqual([2, 3, 4, 5, 6, 7, 8, 9])
      const acks = [sackTs(100, 2010, k(0), [k(2), k(9)]), sackTs(101, 2010, k(0), [k(2), k(10)])]
      const out = batched ? sent(s.send(2030, ...acks)) : acks.flatMap((a) => sent(s.send(2030, a)))
      return [out.slice(0, 3), Sender.counters(s.snd).retransmits]
    }
    expect(run(false)).toEqual([[0, 1, 10], 2])
    expect(run(true)).toEqual([[0, 1, 10], 2])
  })

  // (review57c) What `rackInBatch` resends at an ACK inside a batch is what its ticked window marked
  // lost, nothing more: Linux's tcp_xmit_recovery → tcp_xmit_retransmit_queue resends only LOST skbs
  // (those tcp_rack_mark_lost marked at that ACK). The first segment went 5 ms before the others;
  // the first ACK SACKs the third and fourth, the next the second (reordered within the batch, sent
  // in their ms). Marked lost again by the entry's own RACK pass at the plain window (0: min RTT 0)
  // and open to the hole loop, the second went again at the first ACK, beside the first's resend
  it("a SACK above a hole sent a tick and more before it, and above one sent in its own tick that the batch's next ACK reports: only the first is resent", () => {
    const s = warmZeroRtt()
    expect(shape(s.write(1000, T.octets(MSS)))).toEqual([seg(0)])
    expect(shape(s.write(1005, T.octets(3 * MSS, MSS)))).toEqual([1, 2, 3].map(seg))
    const out = s.send(1005, sackOf(B, [B + 2 * MSS, B + 4 * MSS]), sackOf(B, [B + MSS, B + 4 * MSS]))
    expect(shape(out)).toEqual([seg(0)])
    expect([Sender.counters(s.snd).retransmits, Sender.counters(s.snd).fastRetransmits]).toEqual([1, 1])
  })

  // (review57c) An ACK cannot report a transmission made after it arrived: a resend `rackInBatch`
  // makes at an ACK inside a batch is not what the batch's later ACKs SACK, and does not move RACK.
  // Linux's tcp_rack_advance skips a SACKed retransmission whose RTT is below min_rtt ("ambiguous
  // whether the retransmission or the original ... was sacked"), which a µs clock always finds for a
  // resend made at the ACK before; on a path shorter than the Clock's tick the RTT reads 0, min RTT 0,
  // and the stack took it. Five segments at 1000, five at 1005; one batch: the SACK of the 6th and 7th
  // marks the first five lost and resends the first and second (PRR's two); the next ACK SACKs the
  // second's original, reordered. Taken for the resend (sent after the first's), RACK found the
  // first's resend lost at the batch's end and sent it again in the same batch
  it("a resend at an ACK inside a batch is not what the batch's later ACK SACKs: the first segment is not resent twice in one batch", () => {
    const k = (n: number) => B + n * MSS
    const seqs = (out: ReadonlyArray<OutSegment>) => shape(out).map(([seq]) => (seq! - B) / MSS)
    const s = warmZeroRtt()
    expect(seqs(s.write(1000, T.octets(5 * MSS)))).toEqual([0, 1, 2, 3, 4])
    expect(seqs(s.write(1005, T.octets(5 * MSS, 5 * MSS)))).toEqual([5, 6, 7, 8, 9])
    const out = seqs(s.send(1005, sackOf(k(0), [k(5), k(7)]), sackOf(k(0), [k(1), k(2)], [k(5), k(7)])))
    expect(out.filter((n) => n === 0)).toEqual([0])
    expect(out).toEqual([0, 1, 2])
  })

  it("two segments out, the first lost, the second SACKed: the first goes again min RTT / 4 later, before the probe and the RTO", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(2 * MSS)))).toEqual([[B, MSS], [B + MSS, MSS]])
    // one duplicate ACK with the second SACKed, 20 ms after both went: not three duplicates, and one
    // segment SACKed is not RFC 6675's IsLost. RACK: RACK.rtt 20, the first sent no later, lost at
    // 1000 + 20 + 20 / 4 = 1025, its timer 2 ms later (Linux's tcp_rack_mark_lost adds
    // TCP_TIMEOUT_MIN_US); the tail probe would come at 1040, the RTO at about 1218
    expect(shape(s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS])))).toEqual([])
    expect(s.tick(1026)).toEqual([])
    expect(shape(s.tick(1027))).toEqual([[B, MSS]])
    expect(Sender.counters(s.snd).fastRetransmits).toBe(1)
    expect(Sender.counters(s.snd).tailProbes + Sender.counters(s.snd).timeouts).toBe(0)
    // the retransmission arrives: all acknowledged, recovery over
    expect(shape(s.send(1045, sackOf(B + 2 * MSS)))).toEqual([])
    expect(s.snd.recovering).toBe(false)
  })

  /** The first of two segments lost and resent by RACK at 1027 (1025 + 2 ms); its ACK at 1045 ends the recovery exactly at its point. */
  const recovered = () => {
    const s = warm()
    s.write(1000, T.octets(2 * MSS))
    s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS]))
    expect(shape(s.tick(1027))).toEqual([[B, MSS]])
    s.send(1045, sackOf(B + 2 * MSS))
    expect(s.snd.recovering).toBe(false)
    expect(s.snd.sndUna).toBe(s.snd.recover)
    return s
  }

  it("SND.UNA at the recovery point ends the episode (RFC 6675 §5.1: HighACK ≥ RecoveryPoint): the next flight gets a tail probe", () => {
    const s = recovered()
    const sent = shape(s.write(1046, T.octets(2 * MSS, 2 * MSS)))
    expect(sent).toEqual([[B + 2 * MSS, MSS], [B + 3 * MSS, MSS]])
    // every ACK of that flight is lost: a probe of the last segment about 2 SRTT later, not the
    // RTO's 200 ms (at SND.UNA = recover, a probe was held back as if recovery went on)
    const probe = s.snd.tlpAt!
    expect(probe).toBeLessThan(1046 + 100)
    expect(shape(s.tick(Math.ceil(probe)))).toEqual([[B + 3 * MSS, MSS]])
    expect(Sender.counters(s.snd).tailProbes).toBe(1)
  })

  it("SND.UNA at the recovery point: a loss in the next flight starts a fast recovery of its own", () => {
    const s = recovered()
    const before = Sender.counters(s.snd).fastRetransmits
    expect(shape(s.write(1046, T.octets(2 * MSS, 2 * MSS)))).toEqual([[B + 2 * MSS, MSS], [B + 3 * MSS, MSS]])
    // the first of the two lost, the second SACKed: RACK finds it lost at 1046 + 20 + 20 / 4 (its
    // timer 2 ms after that, TCP_TIMEOUT_MIN_US), and
    // that is a new episode, recovering up to what was sent (it went as RACK's resend after a
    // timeout instead, with no episode, no congestion response, and the old recovery point kept)
    expect(shape(s.send(1066, sackOf(B + 2 * MSS, [B + 3 * MSS, B + 4 * MSS])))).toEqual([])
    expect(s.tick(1072)).toEqual([])
    expect(shape(s.tick(1073))).toEqual([[B + 2 * MSS, MSS]])
    expect(Sender.counters(s.snd).fastRetransmits).toBe(before + 1)
    expect(s.snd.recovering).toBe(true)
    expect(s.snd.recover).toBe(s.snd.sndMax)
  })

  it("2^31 octets after the last episode, a loss is a fast recovery still (recover must not fall 2^31 behind SND.UNA)", () => {
    const s = warm()
    // as a long clean transfer since the last loss leaves it: recover 2^31 - 3000 octets behind
    s.snd.recover = Seq.add(s.snd.sndUna, -(2 ** 31 - 3000))
    // 4000 octets more, acknowledged: SND.UNA 2^31 + 1000 past recover, which would read as before it
    for (let i = 0; i < 4; i++) {
      expect(shape(s.write(1000 + 40 * i, T.octets(1000, 1000 * i)))).toEqual([[B + 1000 * i, 1000]])
      s.send(1020 + 40 * i, sackOf(B + 1000 * (i + 1)))
    }
    // two segments, the first lost: RACK finds it, and it is a fast recovery with its own episode
    // (read as a timeout's window, it went as RACK's resend after a timeout, with no tail probe before it)
    const D = B + 4000
    expect(shape(s.write(1200, T.octets(2 * MSS, 4000)))).toEqual([[D, MSS], [D + MSS, MSS]])
    expect(s.snd.tlpAt).toBeDefined()
    s.send(1220, sackOf(D, [D + MSS, D + 2 * MSS]))
    expect(shape(s.tick(1227))).toEqual([[D, MSS]])
    expect(Sender.counters(s.snd).fastRetransmits).toBe(1)
    expect(s.snd.recovering).toBe(true)
  })

  it("an episode's undo record waits for late D-SACKs, but not for 2^30 octets: by then its octets could wrap round to look new", () => {
    const s = warm()
    const episode = (behind: number) => ({
      marker: Seq.add(s.snd.sndUna, -(behind + 100)),
      end: Seq.add(s.snd.sndUna, -behind),
      sent: 1,
      retrans: 1,
      retransTs: undefined,
      ranges: [0, 100],
      cc: Congestion.saveForUndo(s.snd.cc)
    })
    // an episode 1000 octets back: a D-SACK for it may still come, the record stays
    s.snd.undo = episode(1000)
    s.write(1000, T.octets(1000))
    s.send(1020, sackOf(B + 1000))
    expect(s.snd.undo).toBeDefined()
    // one 2^30 octets back: gone at the next ACK
    s.snd.undo = episode(2 ** 30)
    s.write(1040, T.octets(1000, 1000))
    s.send(1060, sackOf(B + 2000))
    expect(s.snd.undo).toBeUndefined()
  })

  it("a lost retransmission is found when a segment sent after it is SACKed, and sent again before the RTO", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(4 * MSS)))).toEqual([[B, MSS], [B + MSS, MSS], [B + 2 * MSS, MSS], [B + 3 * MSS, MSS]])
    // the first is lost; three SACKed segments make it lost by RFC 6675 and RACK alike: sent again at 1020
    expect(shape(s.send(1020, sackOf(B, [B + MSS, B + 4 * MSS])))).toEqual([[B, MSS]])
    expect(s.snd.recovering).toBe(true)
    // new data goes as recovery's pipe allows
    expect(shape(s.write(1021, T.octets(MSS, 4 * MSS)))).toEqual([[B + 4 * MSS, MSS]])
    // that new segment is SACKed at 1041, the retransmission sent before it is not: lost again
    // (RACK.rtt 20, no reordering window in recovery); RFC 6675 alone would wait for the RTO at 1220
    expect(shape(s.send(1041, sackOf(B, [B + MSS, B + 5 * MSS])))).toEqual([[B, MSS]])
    expect(Sender.counters(s.snd).timeouts).toBe(0)
    expect(shape(s.send(1061, sackOf(B + 5 * MSS)))).toEqual([])
    expect(s.snd.recovering).toBe(false)
  })

  it("the first segment sent again in recovery restarts the retransmission timer from that resend (Linux's tcp_xmit_retransmit_queue at the rtx queue's head)", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(4 * MSS)))).toHaveLength(4)
    expect(shape(s.send(1020, sackOf(B, [B + MSS, B + 4 * MSS])))).toEqual([[B, MSS]])
    const rto = s.snd.rtt.rto
    expect(s.snd.rtoAt).toBe(1020 + rto)
    expect(shape(s.write(1021, T.octets(MSS, 4 * MSS)))).toEqual([[B + 4 * MSS, MSS]])
    // the retransmission is lost again, and RACK finds it so 30 ms later: it goes again, SND.UNA's
    // segment. Linux's tcp_xmit_retransmit_queue re-arms its timer when what it resends is the rtx
    // queue's head (no reordering timer pending): a whole RTO from now. Left at the first
    // retransmission's, the timeout came 30 ms early, 190 ms after this resend. (The RTO is this
    // ACK's: its SACK of the new segment, sent once at 1021, is an RTT sample of 29 ms, as Linux's
    // sack_rtt_us in tcp_ack_update_rtt)
    expect(shape(s.send(1050, sackOf(B, [B + MSS, B + 5 * MSS])))).toEqual([[B, MSS]])
    expect(s.snd.rtt.rto).not.toBe(rto)
    expect([s.snd.rtoAt, s.snd.rackAt]).toEqual([1050 + s.snd.rtt.rto, undefined])
    expect(s.tick(1020 + rto)).toEqual([])
    expect(Sender.counters(s.snd).timeouts).toBe(0)
  })

  // Linux's tcp_clean_rtx_queue sets FLAG_SET_XMIT_TIMER for an ACK that acknowledges nothing new
  // too, when it took an RTT sample (tcp_ack_update_rtt: sack_rtt_us, the first segment it newly
  // SACKed that was sent once) and that sample predates the rtx queue head's last send
  // (sack_rtt_us > now - the head's skb_mstamp: "Do not re-arm RTO if the sack RTT is measured from
  // data sent after when the head was last (re)transmitted"). tcp_ack then calls tcp_set_xmit_timer
  // unless RACK armed its reordering timer: outside Open and CWR no probe (tcp_schedule_loss_probe
  // returns false), so tcp_rearm_rto, a whole RTO from now with the retransmission timer pending.
  // In a recovery whose head went again, the SACKs of the originals still coming in push the RTO out
  it("a SACK of data sent before the head's resend re-arms the retransmission timer from that ACK (Linux's FLAG_SET_XMIT_TIMER in tcp_clean_rtx_queue, tcp_set_xmit_timer → tcp_rearm_rto)", () => {
    const { s, entry } = firstLost(10, 4)
    expect(entry).toEqual([[B, MSS]])
    // (the resend at 1022 leaves RACK's reordering timer, armed by the SACK at 1021, pending: its
    // expiry marks nothing and arms the RTO from the head's resend, tcp_rack_reo_timeout →
    // tcp_rearm_rto; the next test has the SACK come before it)
    expect([s.snd.rtoAt, s.snd.rackAt]).toEqual([undefined, 1028])
    expect(s.tick(1028)).toEqual([])
    const firstDue = s.snd.rtoAt!
    expect(firstDue).toBe(1022 + s.snd.rtt.rto)
    // the fifth to tenth, sent at 1000 before the head's resend at 1022, SACKed at 1100: a 100 ms
    // sample, and the RTO from 1100 (nothing for RACK to wait for: the head went after the tenth)
    expect(s.send(1100, sackOf(B, [B + MSS, B + 10 * MSS]))).toEqual([])
    expect([s.snd.rackAt, s.snd.rtoAt]).toEqual([undefined, 1100 + s.snd.rtt.rto])
    expect(s.tick(firstDue)).toEqual([])
    expect(Sender.counters(s.snd).timeouts).toBe(0)
    expect(shape(s.tick(1100 + s.snd.rtt.rto))).toEqual([[B, MSS]])
    expect(Sender.counters(s.snd).timeouts).toBe(1)
  })

  // The same SACK while RACK's reordering timer (armed by the SACK at 1021) is still pending: one
  // timer a socket in Linux, and the resend of the head at 1022 left it so (tcp_xmit_retransmit_queue
  // re-arms the RTO only with no reordering timer pending; tcp_rack_mark_lost, nothing more to wait
  // for, arms none and drops none). The SACK's tcp_set_xmit_timer → tcp_rearm_rto finds it pending
  // and arms the RTO from the head's send time, with the RTO that ACK's sample gave
  // (tcp_rto_delta_us), not from the ACK. The stack armed an RTO at the resend beside RACK's timer,
  // dropped RACK's at the batch's end, and the SACK re-armed from itself: on a 600 ms path Linux's
  // timeout came ~100 ms before the stack's (test/kernel/ConformanceLoss.test.ts, "a SACK of data
  // sent before the head's resend, RACK's reordering timer pending")
  it("a SACK of data sent before the head's resend with RACK's reordering timer pending arms the RTO from the resend (Linux's tcp_rearm_rto, tcp_rto_delta_us)", () => {
    const { s, entry } = firstLost(10, 4)
    expect(entry).toEqual([[B, MSS]])
    expect([s.snd.rtoAt, s.snd.rackAt]).toEqual([undefined, 1028])
    const rto = s.snd.rtt.rto
    expect(s.send(1025, sackOf(B, [B + MSS, B + 10 * MSS]))).toEqual([])
    expect(s.snd.rtt.rto).not.toBe(rto)
    expect([s.snd.rackAt, s.snd.rtoAt]).toEqual([undefined, 1022 + s.snd.rtt.rto])
    expect(s.tick(1022 + s.snd.rtt.rto - 1)).toEqual([])
    expect(shape(s.tick(1022 + s.snd.rtt.rto))).toEqual([[B, MSS]])
    expect(Sender.counters(s.snd).timeouts).toBe(1)
  })

  // The same rule where a recovery starts again with its head resent by the episode before (HighRxt
  // past SND.UNA: `enterRecovery`'s first branch). Twenty segments written, ten go; the first lost,
  // limited transmit sends the 11th and 12th, the recovery (at 1022, `recover` at the 13th) the 13th
  // to 18th, new data past `recover`; at 1042 the
  // 14th SACKed: RACK (window 0 in recovery) finds the first's resend and the 13th lost, both go again
  // with the 19th. At 1043 the ACK of the first twelve ends the recovery with the 13th's resend out;
  // at 1044 the 16th SACKed (the 15th, sent a ms before it, within min RTT / 4: RACK's timer). At 1045
  // the 19th SACKed, sent with the 13th's resend at 1042: no FLAG_SET_XMIT_TIMER (its sample is no
  // older than the head's last send); three SACKed past the 13th: RACK marks the 15th, 17th and 18th
  // and the 13th's resend lost with a window of 0 and waits for nothing, so Linux's reordering timer
  // stays pending (tcp_rack_mark_lost) and the resend of the head re-arms nothing
  // (tcp_xmit_retransmit_queue). At 1047 the 18th SACKed (sent at 1030, before the head's resend at
  // 1045): tcp_set_xmit_timer → tcp_rearm_rto with REO pending, the head's send + RTO
  // (tcp_rto_delta_us). The stack's entry armed a whole RTO there, beside RACK's timer, which
  // `rackDetect` then dropped, so the SACK at 1047 re-armed from itself (review56a: RandomLoss reaches
  // this branch with RACK's timer pending, seeds 201 to 400)
  it("a recovery entered again with the head resent before, RACK's reordering timer pending: a SACK of older data arms the RTO from the head's send (tcp_xmit_retransmit_queue, tcp_rearm_rto)", () => {
    const s = warm()
    const S = (i: number) => B + i * MSS
    expect(shape(s.write(1000, T.octets(20 * MSS))).length).toBe(10)
    s.send(1020, sackOf(S(0), [S(1), S(2)]))
    s.send(1021, sackOf(S(0), [S(1), S(3)]))
    expect(shape(s.send(1022, sackOf(S(0), [S(1), S(4)])))).toEqual([seg(0)])
    for (let i = 5; i <= 12; i++) s.send(1018 + i, sackOf(S(0), [S(1), S(i)]))
    expect(s.snd.sndMax).toBe(ours(S(18)))
    expect(shape(s.send(1042, sackOf(S(0), [S(1), S(12)], [S(13), S(14)])))).toEqual([seg(0), seg(12), seg(18)])
    s.send(1043, sackOf(S(12), [S(13), S(14)]))
    expect([s.snd.recovering, s.snd.sndUna, s.snd.highRxt]).toEqual([false, ours(S(12)), ours(S(13))])
    s.send(1044, sackOf(S(12), [S(15), S(16)], [S(13), S(14)]))
    const reo = s.snd.rackAt!
    expect([s.snd.rtoAt, reo > 1047]).toEqual([undefined, true])
    // the re-entry: the head (the 13th) goes again, and RACK's timer stays the one timer
    const entry = shape(s.send(1045, sackOf(S(12), [S(18), S(19)], [S(15), S(16)], [S(13), S(14)])))
    expect(entry).toContainEqual(seg(12))
    expect([s.snd.recovering, Sender.counters(s.snd).fastRetransmits]).toEqual([true, 2])
    expect([s.snd.rtoAt, s.snd.rackAt]).toEqual([undefined, reo])
    s.send(1047, sackOf(S(12), [S(17), S(19)], [S(15), S(16)], [S(13), S(14)]))
    expect([s.snd.rackAt, s.snd.rtoAt]).toEqual([undefined, 1045 + s.snd.rtt.rto])
  })

  it("three small segments SACKed in one ACK: lost at once with no reordering seen, min RTT / 4 later with it", () => {
    // one duplicate ACK, and 300 octets SACKed is not RFC 6675's IsLost: only RACK can see this loss
    const scenario = (reorderedBefore: boolean) => {
      const s = reorderedBefore ? reorderingSeen() : warm()
      if (reorderedBefore) expect(s.snd.rack.reordering).toBe(true)
      const at = reorderedBefore ? B + 3 * MSS : B
      s.snd.noDelay = true
      for (let i = 0; i < 4; i++) s.write(1100, T.octets(100, i * 100))
      return { s, at, answer: shape(s.send(1120, sackOf(at, [at + 100, at + 400]))) }
    }
    // (the retransmission of the first stops where the SACKed octets start: Linux collapses only
    // segments the peer has not SACKed into a retransmission)
    const plain = scenario(false)
    expect(plain.answer).toEqual([[plain.at, 100]])
    const reordered = scenario(true)
    expect(reordered.answer).toEqual([])
    // (lost at 1125, RACK's timer 2 ms later: Linux's TCP_TIMEOUT_MIN_US in tcp_rack_mark_lost)
    expect(reordered.s.tick(1126)).toEqual([])
    expect(shape(reordered.s.tick(1127))).toEqual([[reordered.at, 100]])
  })

  it("a D-SACK from the peer (RFC 2883: a retransmission was spurious) widens the reordering window by a quarter of min RTT", () => {
    const s = reorderingSeen()
    // RACK resends the first of four at its timer (lost at 1125, timer 2 ms later), then the
    // original arrives and the resend after it: a D-SACK of a segment we did send twice (Linux's
    // tcp_dsack_seen believes it: dsack_dups 1, total_retrans 1)
    const at = B + 3 * MSS
    s.snd.noDelay = true
    for (let i = 0; i < 4; i++) s.write(1100, T.octets(100, i * 100))
    expect(s.send(1120, sackOf(at, [at + 100, at + 400]))).toEqual([])
    expect(shape(s.tick(1127))).toEqual([[at, 100]])
    s.send(1130, sackOf(at + 400))
    // the window grows at the next ACK that delivers (Linux's tcp_rack_update_reo_wnd acts on
    // rack.dsack_seen only when rs->prior_delivered is set)
    s.send(1131, sackOf(at + 400, [at, at + 100]))
    expect(s.snd.rack.reoWndMult).toBe(1)
    const next = at + 400
    for (let i = 0; i < 4; i++) s.write(1200, T.octets(100, i * 100))
    expect(s.send(1220, sackOf(next, [next + 100, next + 400]))).toEqual([])
    expect(s.snd.rack.reoWndMult).toBe(2)
    // two quarters of the 20 ms minimum RTT, not one: lost at 1230, resent at RACK's timer 2 ms later
    // (Linux's TCP_TIMEOUT_MIN_US in tcp_rack_mark_lost)
    expect(s.tick(1231)).toEqual([])
    expect(shape(s.tick(1232))).toEqual([[next, 100]])
  })

  it("a D-SACK when more segments were D-SACKed than ever resent is ignored: the window does not widen (tcp_dsack_seen: dsack_dups > total_retrans)", () => {
    // (nothing ever sent twice)
    const s = reorderingSeen()
    expect(Sender.counters(s.snd).retransmits).toBe(0)
    // the peer D-SACKs [B + MSS, B + 2 MSS), sent once: Linux's tcp_dsack_seen adds the block's
    // segments to dsack_dups and, above total_retrans, drops the D-SACK whole (tcp_check_dsack
    // returns false): no rack.dsack_seen, no undo count, no reordering from it
    s.send(1022, sackOf(B + 3 * MSS, [B + MSS, B + 2 * MSS]))
    const at = B + 3 * MSS
    s.snd.noDelay = true
    for (let i = 0; i < 4; i++) s.write(1100, T.octets(100, i * 100))
    expect(s.send(1120, sackOf(at, [at + 100, at + 400]))).toEqual([])
    expect(s.snd.rack.reoWndMult).toBe(1)
    // one quarter of the 20 ms minimum RTT: lost at 1125, resent at RACK's timer 2 ms later
    expect(s.tick(1126)).toEqual([])
    expect(shape(s.tick(1127))).toEqual([[at, 100]])
  })

  // Linux 6.18's tcp_rack_mark_lost returns at once unless rack.advanced (set by tcp_rack_advance for
  // each segment an ACK delivers, cleared by the run): an ACK that delivers nothing (a duplicate, a
  // D-SACK only, an ECE only) neither marks nor re-arms, and the pending reordering timer decides
  const pendingTimer = () => {
    const s = reorderingSeen()
    const at = B + 3 * MSS
    s.snd.noDelay = true
    for (let i = 0; i < 4; i++) s.write(1100, T.octets(100, i * 100))
    // the first is lost at 1125 (RACK.rtt 20, a quarter of the 20 ms minimum RTT); timer at 1127
    expect(s.send(1120, sackOf(at, [at + 100, at + 400]))).toEqual([])
    expect(s.snd.rackAt).toBe(1127)
    return { s, at }
  }

  it("an ACK that delivers nothing leaves RACK's pending reordering timer: a duplicate past the loss time marks nothing (tcp_rack_mark_lost, rack.advanced)", () => {
    const { s, at } = pendingTimer()
    // the same blocks again at 1126, past the first's time (1125) but before the timer: Linux's RACK
    // does not run (nothing delivered since its last run), so nothing goes until the timer at 1127
    expect(s.send(1126, sackOf(at, [at + 100, at + 400]))).toEqual([])
    expect(s.snd.rackAt).toBe(1127)
    expect(shape(s.tick(1127))).toEqual([[at, 100]])
  })

  it("a D-SACK alone neither re-arms RACK's pending timer nor widens the window before an ACK delivers (tcp_rack_mark_lost's rack.advanced, tcp_rack_update_reo_wnd's prior_delivered)", () => {
    const { s, at } = pendingTimer()
    // a D-SACK below the ACK, nothing new SACKed: RACK does not run, the timer stays at 1127, and
    // the window stays one quarter until an ACK delivers, so the expiry finds the first lost
    expect(s.send(1122, sackOf(at, [B + MSS, B + 2 * MSS], [at + 100, at + 400]))).toEqual([])
    expect([s.snd.rackAt, s.snd.rack.reoWndMult]).toEqual([1127, 1])
    expect(s.tick(1126)).toEqual([])
    expect(shape(s.tick(1127))).toEqual([[at, 100]])
  })

  it("a dubious D-SACK, empty or reversed or longer than any window the peer offered, widens nothing (Linux's tcp_dsack_seen)", () => {
    for (const block of [[B + 2 * MSS, B + MSS], [B + MSS, B + MSS], [B - 70_000, B + MSS]] as const) {
      const s = reorderingSeen()
      s.send(1022, sackOf(B + 3 * MSS, block))
      expect(s.snd.rack.reoWndMult).toBe(1)
    }
  })

  it("a retransmission delivered by a cumulative ACK shows what was sent before it lost (RACK.xmit_ts moves though nothing is SACKed)", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(3 * MSS)))).toEqual([[B, MSS], [B + MSS, MSS], [B + 2 * MSS, MSS]])
    // the first and third are lost; the second is SACKed: RACK resends the first at 1027 (lost at
    // 1025, its timer 2 ms later: TCP_TIMEOUT_MIN_US)
    expect(shape(s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS])))).toEqual([])
    expect(shape(s.tick(1027))).toEqual([[B, MSS]])
    // its ACK, 20 ms after it went, covers the second too: nothing SACKed or resent is left in the
    // log, but the third was sent before the retransmission that just arrived, 20 ms (RACK.rtt) ago:
    // lost, resent now, not at the RTO 200 ms after the last. (An ACK 18 ms after the resend is below
    // the minimum RTT: RACK takes no sample from a retransmission that quick, Linux's tcp_rack_advance)
    expect(shape(s.send(1047, sackOf(B + 2 * MSS)))).toEqual([[B + 2 * MSS, MSS]])
    expect(Sender.counters(s.snd).timeouts).toBe(0)
  })

  it("two retransmissions lost again are both found by one later SACK and both sent again, no RTO", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(10 * MSS)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(seg))
    // the first two lost: both resent at once (IsLost, and RACK with eight SACKed)
    expect(shape(s.send(1020, sackOf(B, [B + 2 * MSS, B + 10 * MSS])))).toEqual([seg(0), seg(1)])
    const cwnd = Math.floor(s.snd.cc.cwnd / MSS)
    // new data fills the rest of the window: pipe is the two retransmissions plus what is new
    expect(shape(s.write(1021, T.octets(10 * MSS, 10 * MSS)))).toEqual(
      Array.from({ length: cwnd - 2 }, (_, i) => seg(10 + i))
    )
    // the first new segment is SACKed at 1041, both retransmissions sent before it are not: lost
    // again, and both go again. No new segment with them: PRR's window comes from what is in flight
    // once RACK has marked them (Linux's tcp_identify_packet_loss before tcp_cwnd_reduction):
    // tcp_packets_in_flight = 15 out - 9 SACKed - 2 lost = 4 below ssthresh 7, prr_delivered 9,
    // prr_out 7, so sndcnt = min(7 - 4, max(9 - 7, 1)) = 2 (a loss: no +1) and cwnd 6: the two
    // resends fill it (before, the window worked out ahead of the marks let a new segment go too)
    expect(cwnd).toBe(7)
    expect(shape(s.send(1041, sackOf(B, [B + 2 * MSS, B + 11 * MSS])))).toEqual([seg(0), seg(1)])
    expect(Sender.counters(s.snd).timeouts).toBe(0)
  })

  it("after a timeout, a go-back-N retransmission lost again is resent when a later one is SACKed, not at the next timeout: in a fast recovery (Linux's FLAG_LOST_RETRANS in TCP_CA_Loss → tcp_enter_recovery)", () => {
    const s = warm()
    const ten = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    expect(shape(s.write(1000, T.octets(10 * MSS)))).toEqual(ten.map(seg))
    // the whole flight is lost, the tail probe too (it resends the last, about 2 SRTT later); the
    // timeout, restarted by the probe, resends the first (cwnd one segment)
    const probe = Math.ceil(s.snd.tlpAt!)
    expect(shape(s.tick(probe))).toEqual([seg(9)])
    const t = Math.ceil(s.snd.rtoAt!)
    expect(t).toBeGreaterThanOrEqual(probe + 200)
    expect(s.tick(t - 1)).toEqual([])
    expect(shape(s.tick(t))).toEqual([seg(0)])
    // its ACK opens the window to two: go-back-N resends the next two
    expect(shape(s.send(t + 20, sackOf(B + MSS)))).toEqual([seg(1), seg(2)])
    // the second of them is SACKed 20 ms later, the first not: RACK (RACK.rtt 20; its window 0 in a
    // timeout's episode with no reordering seen, Linux's tcp_rack_reo_wnd) finds it lost at once,
    // sent in the same instant as the SACKed one (tcp_rack_detect_loss: remaining <= 0), and it goes
    // again. Without RACK after a timeout it would wait for the backed-off timeout, 400 ms after the
    // ACK. A retransmission marked lost at an ACK in TCP_CA_Loss is FLAG_LOST_RETRANS
    // (tcp_identify_packet_loss), and tcp_fastretrans_alert's Loss branch falls through to
    // tcp_enter_recovery: ssthresh from cwnd 2 (CUBIC's floor, 2), then tcp_cwnd_reduction with one
    // delivered and one newly lost: in flight 0 (the SACKed resend, and the rest of the first
    // flight lost by then, are not), sndcnt min(2 - 0, max(1 - 0, 1)) = 1, cwnd 1: the resend alone,
    // where the go-back's cwnd 2 sent the next lost segment with it
    expect(shape(s.send(t + 40, sackOf(B + MSS, [B + 2 * MSS, B + 3 * MSS])))).toEqual([seg(1)])
    expect([s.snd.recovering, Sender.counters(s.snd).fastRetransmits, s.snd.recover]).toEqual([true, 1, ours(B + 10 * MSS)])
    expect(Sender.counters(s.snd).timeouts).toBe(1)
  })

  // Linux's tcp_sacktag_one takes one off undo_retrans for a D-SACK of any skb with TCPCB_RETRANS
  // above undo_marker, TCPCB_EVER_RETRANS included: a segment resent before the recovery's entry and
  // SACKed by then (out of retrans_out, so not in tcp_init_undo's count) still counts when its
  // other copy is reported. Here the go-back's resend of the third segment is SACKed and the
  // second's found lost again (FLAG_LOST_RETRANS: tcp_enter_recovery from Loss, undo_retrans -1,
  // then 1 for the second's resend, tcp_retransmit_skb). The third's D-SACK takes it to 0 and
  // tcp_try_undo_dsack, run in Recovery, undoes (LINUX_MIB_TCPDSACKUNDO): ssthresh back to 7, cwnd
  // max(cwnd, prior_cwnd 2). The second is still LOST with its resend out, so tcp_try_to_open's
  // tcp_time_to_recover (lost_out 1) starts a recovery at once (tcp_enter_recovery): ssthresh 2
  // from cwnd 2, high_seq SND.NXT, undo_retrans = retrans_out 1. The ACK of all ends it (cwnd =
  // ssthresh 2, tcp_end_cwnd_reduction) and undoes nothing: the second's resend was needed
  it("a D-SACK of a resend SACKed before the recovery's entry counts for the undo (Linux's TCPCB_EVER_RETRANS in tcp_sacktag_one), and with a resend still out a recovery goes on, cut again", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(3 * MSS)))).toEqual([seg(0), seg(1), seg(2)])
    const probe = Math.ceil(s.snd.tlpAt!)
    expect(shape(s.tick(probe))).toEqual([seg(2)])
    const t = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(t))).toEqual([seg(0)])
    expect(shape(s.send(t + 20, sackOf(B + MSS)))).toEqual([seg(1), seg(2)])
    expect(shape(s.send(t + 40, sackOf(B + MSS, [B + 2 * MSS, B + 3 * MSS])))).toEqual([seg(1)])
    expect([s.snd.recovering, s.snd.undo?.retrans]).toEqual([true, 1])
    expect(Sender.counters(s.snd).fastRetransmits).toBe(1)
    // the third's other copy: D-SACKed. Undone, and at once a recovery again, whose record counts
    // the second's resend; a recovery of its own in the counters too, as Linux's tcp_enter_recovery
    // adds one to TCPSACKRECOVERY at each entry (undo53: review52b's left item)
    expect(s.send(t + 41, sackOf(B + MSS, [B + 2 * MSS, B + 3 * MSS], [B + 2 * MSS, B + 3 * MSS]))).toEqual([])
    expect([Sender.counters(s.snd).undos, Sender.counters(s.snd).fastRetransmits]).toEqual([1, 2])
    expect([s.snd.recovering, s.snd.undo?.retrans, s.snd.cc.ssthresh]).toEqual([true, 1, 2 * MSS])
    // the second's resend arrives: the end, cwnd = ssthresh, no second undo
    s.send(t + 60, sackOf(B + 3 * MSS))
    expect([s.snd.recovering, s.snd.cc.cwnd, Sender.counters(s.snd).undos]).toEqual([false, 2 * MSS, 1])
  })

  // The same re-entry with data waiting. Linux's tcp_enter_recovery, run from Disorder after the
  // undo (tcp_try_undo_dsack, tcp_try_to_open), is not in a cwnd reduction, so
  // tcp_init_cwnd_reduction starts PRR again: prior_cwnd the window the undo gave back (2),
  // prr_delivered and prr_out 0. tcp_cong_control's tcp_cwnd_reduction then counts this ACK's
  // delivery, the D-SACK's segment (tcp_dsack_seen: "A spurious retransmission is delivered",
  // sack_delivered += dup_segs): in_flight 2 - (1 SACKed + 1 lost) + 1 resent = 1, delta
  // ssthresh 2 - 1 = 1, sndcnt min(1, max(1 - 0, 1)) = 1 (and at least 1 while prr_out is 0):
  // cwnd 2, and tcp_data_snd_check sends the fourth. Kept, the old PRR (prr_out 1, nothing
  // delivered by a D-SACK) sent nothing
  it("the recovery a D-SACK undo starts again with a resend still out starts PRR again: a new segment goes at that ACK", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(3 * MSS)))).toEqual([seg(0), seg(1), seg(2)])
    s.tick(Math.ceil(s.snd.tlpAt!))
    const t = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(t))).toEqual([seg(0)])
    expect(shape(s.send(t + 20, sackOf(B + MSS)))).toEqual([seg(1), seg(2)])
    expect(shape(s.send(t + 40, sackOf(B + MSS, [B + 2 * MSS, B + 3 * MSS])))).toEqual([seg(1)])
    // (PRR's window, in_flight 0 + sndcnt 1, holds the rest: the resend filled it)
    expect(shape(s.write(t + 40, T.octets(5 * MSS)))).toEqual([])
    const out = s.send(t + 41, sackOf(B + MSS, [B + 2 * MSS, B + 3 * MSS], [B + 2 * MSS, B + 3 * MSS]))
    expect([Sender.counters(s.snd).undos, s.snd.recovering]).toEqual([1, true])
    expect(shape(out)).toEqual([seg(3)])
  })

  // (review56c) The same re-entry with lost data unsent and no resend out: Linux's
  // tcp_try_undo_dsack undoes whenever undo_retrans reaches 0 (cwnd max(3, prior_cwnd 10), ssthresh
  // back), tcp_undo_cwnd_reduction(sk, false) keeps the LOST marks, and tcp_time_to_recover (lost_out
  // 4) starts a recovery on the same ACK: tcp_init_undo at SND.UNA (prior_cwnd 10, prior_ssthresh
  // tcp_current_ssthresh, the one given back), ssthresh 7 again from 10. No resend is out and the
  // head was never resent, so tcp_try_to_open and tcp_retrans_stamp_cleanup zero retrans_stamp: the
  // new recovery's first resend, at this ACK, starts the clock. The stack undid nothing while
  // anything was lost unsent, and its record kept the first recovery's clock
  it("a D-SACK undo with lost data unsent and no resend out: undone, and a recovery again, its record and clock afresh (Linux's tcp_time_to_recover after tcp_try_undo_dsack)", () => {
    const s = warm()
    const before = s.snd.cc.ssthresh
    s.write(1000, T.octets(20 * MSS))
    expect(shape(s.send(1020, sackOf(B, [B + 7 * MSS, B + 10 * MSS])))).toEqual([seg(0), seg(1), seg(2)])
    expect([s.snd.recovering, s.snd.rack.lostOctets, s.snd.undo?.retransTs]).toEqual([true, 4 * MSS, 1020])
    const out = s.send(1040, sackOf(B + 3 * MSS, [B, B + 3 * MSS], [B + 7 * MSS, B + 10 * MSS]))
    expect(shape(out).slice(0, 4)).toEqual([seg(3), seg(4), seg(5), seg(6)])
    expect([Sender.counters(s.snd).undos, Sender.counters(s.snd).fastRetransmits, s.snd.recovering]).toEqual([1, 2, true])
    expect([s.snd.cc.ssthresh, s.snd.undo?.marker, s.snd.undo?.retransTs]).toEqual([7 * MSS, ours(B + 3 * MSS), 1040])
    expect([s.snd.undo?.cc.cwnd, s.snd.undo?.cc.ssthresh]).toEqual([10 * MSS, before])
  })

  // The same D-SACK after the ACK that ended the recovery: below SND.UNA, where Linux's
  // tcp_check_dsack counts any D-SACK above undo_marker (its "dumb counting"), and
  // tcp_try_undo_dsack, run in Open, undoes
  it("a D-SACK below SND.UNA of a resend SACKed before the recovery's entry undoes it after its end", () => {
    const s = warm()
    s.write(1000, T.octets(3 * MSS))
    s.tick(Math.ceil(s.snd.tlpAt!))
    const t = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(t))).toEqual([seg(0)])
    s.send(t + 20, sackOf(B + MSS))
    expect(shape(s.send(t + 40, sackOf(B + MSS, [B + 2 * MSS, B + 3 * MSS])))).toEqual([seg(1)])
    s.send(t + 60, sackOf(B + 3 * MSS))
    expect([s.snd.recovering, Sender.counters(s.snd).undos]).toEqual([false, 0])
    s.send(t + 61, sackOf(B + 3 * MSS, [B + 2 * MSS, B + 3 * MSS]))
    expect(Sender.counters(s.snd).undos).toBe(1)
  })

  // A D-SACK is a delivery to PRR: Linux's tcp_dsack_seen adds its segments to sack_delivered ("A
  // spurious retransmission is delivered"), tcp_ack counts them (tcp_count_delivered), and
  // tcp_cong_control gives them to tcp_cwnd_reduction as newly_acked_sacked. Five segments, the
  // first two lost: three SACKed start the recovery (in_flight 5 - 3 - 2 = 0, ssthresh 7: the first
  // again); more written; the first's resend acknowledged (prr_delivered 2, prr_out 1, sndcnt
  // min(7, max(1, 1) + 1) = 2: the second again and a new one); then the first's original D-SACKed
  // below SND.UNA (undo_retrans 2 -> 1, no undo): prr_delivered 3, prr_out 3, in_flight 2, sndcnt
  // min(5, max(0, 1)) = 1, one more new segment. The stack took the D-SACK for no delivery and made
  // no PRR step (test/kernel/ConformanceLoss.test.ts, "a D-SACK in recovery counts as delivered")
  it("a D-SACK in recovery counts as delivered: PRR lets a new segment go at it (Linux's tcp_dsack_seen, sack_delivered)", () => {
    const s = firstTwoLost()
    expect(s.snd.cc.ssthresh).toBe(7 * MSS)
    expect(shape(s.write(1022, T.octets(10 * MSS)))).toEqual([])
    expect(shape(s.send(1030, sackOf(B + MSS, [B + 2 * MSS, B + 5 * MSS])))).toEqual([seg(1), seg(5)])
    const out = s.send(1031, sackOf(B + MSS, [B, B + MSS], [B + 2 * MSS, B + 5 * MSS]))
    expect([s.snd.recovering, s.snd.undo?.retrans]).toEqual([true, 1])
    expect(shape(out)).toEqual([seg(6)])
  })

  // (review53b; prr53's "Found, left") An ACK inside the resent head acknowledges no whole segment:
  // Linux's tcp_clean_rtx_queue stops at the one-segment skb it only partly covers (nothing freed,
  // no tcp_count_delivered), so tcp_cwnd_reduction returns at newly_acked_sacked 0: nothing goes.
  // The ACK of its rest frees it whole: one segment delivered (prr_delivered 2, prr_out 1, sndcnt
  // min(7, max(1, 1) + 1) = 2): the second again and a new one, as when it is acknowledged at once.
  // The stack counted the octets SND.UNA moved with PRR-SSRB's +1 and resent the second at the ACK
  // inside (test/kernel/ConformanceLoss.test.ts, "with SACK, an ACK inside the resent head")
  it("with SACK, an ACK inside the resent head delivers nothing: no PRR step; the ACK of its rest counts the segment whole (Linux's tcp_clean_rtx_queue)", () => {
    const s = firstTwoLost()
    expect(shape(s.write(1022, T.octets(10 * MSS)))).toEqual([])
    const delivered = s.snd.prr!.delivered
    expect(shape(s.send(1030, sackOf(B + MSS / 2, [B + 2 * MSS, B + 5 * MSS])))).toEqual([])
    expect(s.snd.prr!.delivered).toBe(delivered)
    expect(shape(s.send(1031, sackOf(B + MSS, [B + 2 * MSS, B + 5 * MSS])))).toEqual([seg(1), seg(5)])
    expect(s.snd.prr!.delivered).toBe(delivered + MSS)
  })

  // (review53b) Outside a recovery an ACK inside a segment grows nothing, whatever it SACKs: Linux's
  // tcp_cong_control raises cwnd only under tcp_may_raise_cwnd, FLAG_DATA_ACKED (tp->reordering at
  // its default), which tcp_clean_rtx_queue sets only when it frees a whole skb. Slow start, cwnd
  // 10, ten out: the ACK of half the first with the third SACKed (Disorder, RACK's window not 0)
  // leaves cwnd 10; the stack grew it by the SACKed segment
  it("outside a recovery, an ACK inside a segment grows nothing though it SACKs one (Linux's tcp_may_raise_cwnd: FLAG_DATA_ACKED)", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(20 * MSS)))).toHaveLength(10)
    const cwnd = s.snd.cc.cwnd
    s.send(1020, sackOf(B + MSS / 2, [B + 2 * MSS, B + 3 * MSS]))
    expect([s.snd.recovering, s.snd.cc.cwnd]).toEqual([false, cwnd])
    // and the ACK that passes the first's end counts it whole (tcp_slow_start: acked 2, the first and the second)
    s.send(1021, sackOf(B + 2 * MSS, [B + 2 * MSS, B + 3 * MSS]))
    expect(s.snd.cc.cwnd).toBe(cwnd + 2 * MSS)
  })

  // (review53b) The same D-SACK in an ACK below SND.UNA (the peer's ACK reordered behind the one that
  // acknowledged the first's resend) is no PRR step: Linux's tcp_ack goes to old_ack for it, where
  // tcp_sacktag_write_queue sees the D-SACK (tcp_dsack_seen) and tcp_fastretrans_alert may undo,
  // but neither tcp_count_delivered nor tcp_cong_control runs: cwnd stays what the ACK before set
  // (in_flight 3), nothing goes. The stack counted its segment into PRR's delivery and sent the
  // 7th (test/kernel/ConformanceLoss.test.ts, "a D-SACK in an ACK below SND.UNA in recovery")
  it("a D-SACK in an ACK below SND.UNA in recovery is no PRR step (Linux's tcp_ack: old_ack runs no tcp_cong_control)", () => {
    const s = firstTwoLost()
    expect(shape(s.write(1022, T.octets(10 * MSS)))).toEqual([])
    expect(shape(s.send(1030, sackOf(B + MSS, [B + 2 * MSS, B + 5 * MSS])))).toEqual([seg(1), seg(5)])
    const delivered = s.snd.prr!.delivered
    const out = s.send(1031, sackOf(B, [B + 2 * MSS, B + 3 * MSS], [B + 2 * MSS, B + 5 * MSS]))
    expect([s.snd.recovering, Sender.counters(s.snd).dsackDups, s.snd.prr!.delivered]).toEqual([true, 1, delivered])
    expect(shape(out)).toEqual([])
    // and the ACK of all that went lets the rest go, as on Linux
    expect(shape(s.send(1040, sackOf(B + 6 * MSS))).length).toBeGreaterThan(0)
  })

  // Linux 6.18's tcp_sacktag_one calls tcp_rack_advance for a newly SACKed resend with no timestamp
  // test: only an RTT below tcp_min_rtt makes it ambiguous. The echo test is tcp_clean_rtx_queue's
  // alone (tcp_skb_spurious_retrans, for a cumulative ACK). A SACK for data above a hole echoes
  // the peer's ts_recent, set by the last in-sequence segment (tcp_replace_ts_recent: not for one
  // past rcv_wup), so it is older than any resend the hole's data went after: held to the echo,
  // a SACKed resend never moved RACK, nor set rack.advanced, and a resend lost again before it
  // waited for the RTO
  it("with timestamps, a SACKed resend moves RACK though the ACK echoes an older timestamp (tcp_sacktag_one's tcp_rack_advance: the minimum RTT only)", () => {
    const s = warm(undefined, true)
    const P = MSS - 12
    const seg = (i: number) => [B + i * P, P]
    expect(shape(s.write(1000, T.octets(10 * P)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(seg))
    const probe = Math.ceil(s.snd.tlpAt!)
    expect(shape(s.tick(probe))).toEqual([seg(9)])
    const t = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(t))).toEqual([seg(0)])
    // the resend's ACK echoes its own timestamp (t): needed, no undo; go-back-N sends the next two
    expect(shape(s.send(t + 20, sackTs(100, t, B + P)))).toEqual([seg(1), seg(2)])
    // the second of them SACKed 20 ms after it went (not below the 20 ms minimum), echoing t still
    // (the peer's last in-sequence segment): RACK finds the first of them lost, as without timestamps
    expect(shape(s.send(t + 40, sackTs(101, t, B + P, [B + 2 * P, B + 3 * P])))).toEqual([seg(1)])
    expect(s.snd.recovering).toBe(true)
  })
})

/**
 * `warm`, then a reordering of six segments: of 20 segments written at 1000 (ten go), the sixth is
 * SACKed at 1020 and the first five come in at 1021 (all six acknowledged, within RACK's window):
 * Linux's tcp_clean_rtx_queue finds a hole sent once filled below what was SACKed, and
 * tcp_check_sack_reordering sets tp->reordering to 6.
 */
const reorderedBySix = () => {
  const s = warm()
  expect(shape(s.write(1000, T.octets(20 * MSS)))).toHaveLength(10)
  s.send(1020, sackOf(B, [B + 5 * MSS, B + 6 * MSS]))
  expect(s.snd.rack.degree).toBe(3)
  s.send(1021, sackOf(B + 6 * MSS))
  expect([s.snd.recovering, s.snd.rack.degree]).toEqual([false, 6])
  return s
}

describe("the reordering degree (Linux's tp->reordering) and the window", () => {
  it("above 3, an ACK that only SACKs grows the window outside a recovery (tcp_may_raise_cwnd: FLAG_FORWARD_PROGRESS)", () => {
    const s = reorderedBySix()
    const cwnd = s.snd.cc.cwnd
    // the seventh missing, the eighth SACKed: one segment delivered, slow start adds it
    s.send(1040, sackOf(B + 6 * MSS, [B + 7 * MSS, B + 8 * MSS]))
    expect([s.snd.recovering, s.snd.cc.cwnd]).toEqual([false, cwnd + MSS])
    // nor an ACK that delivers nothing new (the same block again)
    s.send(1041, sackOf(B + 6 * MSS, [B + 7 * MSS, B + 8 * MSS]))
    expect(s.snd.cc.cwnd).toBe(cwnd + MSS)
  })

  // (review59b) Above 3, a SACK-only ACK before the batch's last sends its growth at itself: Linux's
  // tcp_ack runs tcp_fastretrans_alert, then tcp_cong_control (tcp_may_raise_cwnd:
  // FLAG_FORWARD_PROGRESS; slow start adds the SACKed segment), then tcp_data_snd_check, whose
  // segments echo this ACK. Six reordered (degree 6), then a batch: the eighth SACKed (the seventh
  // missing) and the ACK that fills the hole. One at a time the SACK sends the growth's segment and
  // the room the SACKed one frees, echoing it; the stack sent the room at the SACK, before the
  // growth, and the growth's segment with the next ACK's echo
  it("above 3, a SACK-only ACK inside a batch sends its growth at itself, echoing it, as one at a time", () => {
    const P = MSS - 12
    const k = (n: number) => B + n * P
    const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [(T.ourSeq(o) - B) / P, o.options.timestamp?.echo])
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      expect(sent(s.write(1000, T.octets(40 * P))).map(([n]) => n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      s.send(1020, sackTs(100, 1000, k(0), [k(5), k(6)]))
      s.send(1021, sackTs(101, 1000, k(6)))
      expect([s.snd.recovering, s.snd.rack.degree]).toEqual([false, 6])
      const acks = [sackTs(102, 1000, k(6), [k(7), k(8)]), sackTs(103, 1000, k(8))]
      const out = batched ? sent(s.send(1040, ...acks)) : acks.flatMap((a) => sent(s.send(1040, a)))
      return [out, s.snd.cc.cwnd / P]
    }
    // (the SACK: cwnd 15 + 1 = 16, in_flight 15 - 1 SACKed = 14: two new, echoing it; the ACK of the
    // 7th and 8th: acked_sacked 1, cwnd 17, in_flight 15: two more)
    const linux = [[[21, 102], [22, 102], [23, 103], [24, 103]], 17]
    expect(run(false)).toEqual(linux)
    expect(run(true)).toEqual(linux)
  })

  it("above 3, a SACK-only ACK that shows a loss grows nothing: the recovery it starts is cut from the window before it (tcp_cong_control after tcp_fastretrans_alert: tcp_in_cwnd_reduction)", () => {
    const s = reorderedBySix()
    const cwnd = s.snd.cc.cwnd
    // the twelfth, sent at 1021, SACKed at 1041: the seventh, sent at 1000, is past RACK.rtt (20) and
    // the window (5), lost; the recovery resends it, PRR's divisor the window as it was
    expect(shape(s.send(1041, sackOf(B + 6 * MSS, [B + 11 * MSS, B + 12 * MSS])))).toContainEqual(seg(6))
    expect([s.snd.recovering, s.snd.prr!.recoverFs]).toEqual([true, cwnd])
  })

  it("above 3, an ACK inside a segment that SACKs one grows the window by it (FLAG_DATA_SACKED, though no FLAG_DATA_ACKED)", () => {
    const s = reorderedBySix()
    const cwnd = s.snd.cc.cwnd
    s.send(1040, sackOf(B + 6 * MSS + MSS / 2, [B + 7 * MSS, B + 8 * MSS]))
    expect([s.snd.recovering, s.snd.cc.cwnd]).toEqual([false, cwnd + MSS])
  })

  it("a timeout in a recovery leaves it: tcp_enter_loss lowers it to 3 only from Open or Disorder", () => {
    const s = reorderedBySix()
    // the seventh missing, the eighth to tenth SACKed (all sent with it): reordering seen, so RACK's
    // window is min RTT / 4 however many are SACKed (no RFC 6675 IsLost), and its timer starts the
    // recovery, the seventh resent
    expect(shape(s.send(1040, sackOf(B + 6 * MSS, [B + 7 * MSS, B + 10 * MSS])))).not.toContainEqual(seg(6))
    expect(s.snd.recovering).toBe(false)
    expect(shape(s.tick(Math.ceil(s.snd.rackAt!)))).toContainEqual(seg(6))
    expect(s.snd.recovering).toBe(true)
    s.tick(Math.ceil(s.snd.rtoAt!))
    expect([Sender.counters(s.snd).timeouts, s.snd.rack.degree]).toEqual([1, 6])
  })

  it("after reordering seen, three whole segments SACKed above a hole start no recovery until RACK's window has passed (tcp_rack_reo_wnd: min RTT / 4 once reord_seen)", () => {
    const scenario = (reorderedBefore: boolean) => {
      const s = reorderedBefore ? reorderingSeen() : warm()
      const at = reorderedBefore ? B + 3 * MSS : B
      expect(shape(s.write(1100, T.octets(4 * MSS)))).toHaveLength(4)
      return { s, at, answer: shape(s.send(1120, sackOf(at, [at + MSS, at + 4 * MSS]))) }
    }
    const plain = scenario(false)
    expect(plain.answer).toContainEqual([plain.at, MSS])
    const reordered = scenario(true)
    expect(reordered.answer).not.toContainEqual([reordered.at, MSS])
    expect(reordered.s.snd.recovering).toBe(false)
    // (lost at 1125, RACK's timer 2 ms later: Linux's TCP_TIMEOUT_MIN_US in tcp_rack_mark_lost)
    expect(shape(reordered.s.tick(1126))).toEqual([])
    expect(shape(reordered.s.tick(1127))).toContainEqual([reordered.at, MSS])
    expect(reordered.s.snd.recovering).toBe(true)
  })

  it("above 3, in a timeout's episode a SACK-only ACK with ECE grows the window as one without (CA_Loss is no cwnd reduction: tcp_fastretrans_alert returns before tcp_try_to_open's CWR)", () => {
    // (F-RTO off: its proof, an original SACKed, would undo the episode and let the ECE cut)
    const grown = (ece: boolean) => {
      const s = T.established({ params: { frto: false }, peerOptions: { mss: MSS, sackPermitted: true }, peerSynFlags: ECE | CWR })
      for (let i = 0; i < B; i++) {
        s.write(40 * i, "x")
        s.send(40 * i + 20, sackOf(i + 1))
      }
      expect(s.snd.ecnOk).toBe(true)
      expect(shape(s.write(1000, T.octets(20 * MSS)))).toHaveLength(10)
      s.send(1020, sackOf(B, [B + 5 * MSS, B + 6 * MSS]))
      s.send(1021, sackOf(B + 6 * MSS))
      expect(s.snd.rack.degree).toBe(6)
      // nothing more comes: the tail probe, then the timeout, whose episode keeps the degree (nothing SACKed)
      for (let i = 0; i < 5 && Sender.counters(s.snd).timeouts === 0; i++) {
        s.tick(Math.ceil(Math.min(s.snd.tlpAt ?? Infinity, s.snd.rtoAt ?? Infinity)))
      }
      expect([Sender.counters(s.snd).timeouts, s.snd.rack.degree, s.snd.recovering]).toEqual([1, 6, false])
      const cwnd = s.snd.cc.cwnd
      // the eighth SACKed (sent once, at 1000), the seventh still missing
      const t = Math.ceil(s.snd.rtoAt!) - 1
      s.send(t, T.fromPeer({ ack: B + 6 * MSS, flags: ACK | (ece ? ECE : 0), options: { sackPermitted: false, sack: [{ left: ours(B + 7 * MSS), right: ours(B + 8 * MSS) }] } }))
      return s.snd.cc.cwnd - cwnd
    }
    expect(grown(false)).toBe(MSS)
    expect(grown(true)).toBe(MSS)
  })

  it("at 3, an ACK that only SACKs grows nothing (tcp_may_raise_cwnd: FLAG_DATA_ACKED)", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(20 * MSS)))).toHaveLength(10)
    const cwnd = s.snd.cc.cwnd
    s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS]))
    expect([s.snd.recovering, s.snd.rack.degree, s.snd.cc.cwnd]).toEqual([false, 3, cwnd])
  })
})

describe("a shut window in the middle of a loss (RFC 9293 §3.8.6.1, as Linux's tcp_retransmit_timer)", () => {
  // (was: no recovery, no retransmission timer, one-octet probes from the persist timer. Linux keeps
  // its one timer with packets out, tcp_check_probe_timer: RACK's, then the RTO's, whose expiry with
  // the window shut resends the head whole as the probe, __tcp_retransmit_skb at snd_una, and counts
  // no retry, tcp_retransmit_timer's "receiver dastardly shrinks window")
  it("the ACK that shuts the window also SACKs: the one timer runs on, the first segment whole at each expiry as the probe, no retry counted while the peer answers", () => {
    const s = warm({ retries: 3 })
    s.write(1000, T.octets(3 * MSS))
    const shut = () => T.fromPeer({ ack: B, window: 0, options: { sackPermitted: false, sack: [{ left: ours(B + 2 * MSS), right: ours(B + 3 * MSS) }] } })
    s.send(1020, shut())
    expect(s.snd.persistAt).toBeUndefined()
    expect(s.snd.rackAt ?? s.snd.rtoAt).toBeDefined()
    const segs: Array<ReadonlyArray<number>> = []
    for (let t = 1021; t <= 9000; t++) {
      segs.push(...shape(s.tick(t)))
      if (t % 500 === 0) segs.push(...shape(s.send(t, shut())))
    }
    expect(segs.length).toBeGreaterThan(3)
    expect(segs.every(([seq, len]) => seq === B && len === MSS)).toBe(true)
    expect(s.snd.persistAt).toBeUndefined()
    expect(s.snd.retries).toBe(0)
    expect(s.state).toBe("Established")
    // the window opens on the ACK of the head's resend: the timeout's recovery sends the hole after
    // it (the SACKed third skipped)
    const out = s.send(9001, T.fromPeer({ ack: B + MSS, window: 64240, options: { sackPermitted: false, sack: [{ left: ours(B + 2 * MSS), right: ours(B + 3 * MSS) }] } }))
    expect(shape(out)[0]).toEqual([B + MSS, MSS])
  })
})

describe("a segment acknowledged in part", () => {
  it("then found lost by RACK, is resent from SND.UNA (the log trims the entry to the ACK, as Linux's tcp_trim_head)", () => {
    const s = warm()
    s.write(1000, T.octets(3 * MSS))
    // the peer took the first 500 octets of the first segment (no resend involved) and SACKs the third
    s.send(1030, sackOf(B + 500, [B + 2 * MSS, B + 3 * MSS]))
    const out: Array<OutSegment> = []
    for (let t = 1031; t <= 1100 && out.length === 0; t++) out.push(...s.tick(t))
    // the hole [B + 500, B + 2 MSS) goes again in full segments from SND.UNA, each with its own octets
    // (one on the reordering timer, as Linux's PRR there: cwnd = pipe + 1; the rest at the next ACK)
    expect(out.map((o) => [T.ourSeq(o), o.payload?.length, T.text(o.payload) === T.octetsText(o.payload?.length ?? 0, T.ourSeq(o) - B)])).toEqual([
      [B + 500, MSS, true]
    ])
    const next = s.send(1101, sackOf(B + 500 + MSS, [B + 2 * MSS, B + 3 * MSS]))
    expect(next.filter((o) => (o.payload?.length ?? 0) > 0).map((o) => [T.ourSeq(o), o.payload?.length, T.text(o.payload) === T.octetsText(o.payload?.length ?? 0, T.ourSeq(o) - B)])).toEqual([
      [B + 500 + MSS, MSS - 500, true]
    ])
  })
})

describe("a resent hole whose segment carries SACK blocks", () => {
  it("takes fewer payload octets; the rest of the hole follows at once (HighRxt counts what went, not what was asked)", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(5 * MSS)))).toHaveLength(5)
    // then the peer's data out of order: we hold a block of it, so our segments carry a SACK block (12 octets)
    s.send(1010, T.fromPeer({ seq: 100, ack: B, payload: "y" }))
    // the first segment lost, the other four SACKed
    s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS]))
    s.send(1021, sackOf(B, [B + MSS, B + 3 * MSS]))
    const out = s.send(1022, sackOf(B, [B + MSS, B + 5 * MSS]))
    expect(out.map((o) => [T.ourSeq(o), o.payload?.length, o.options.sack?.length])).toEqual([
      [B, MSS - 12, 1],
      [B + MSS - 12, 12, 1]
    ])
    expect(Seq.sub(s.snd.highRxt, ours(B))).toBe(MSS)
  })
})

describe("recovery into a window the peer shrank (as Linux's tcp_retransmit_skb)", () => {
  /**
   * An ACK of `ack` octets with SACK blocks and the peer's window `window`, sent after the peer's one
   * octet of `warmed` (its SEQ 1): a smaller window is taken from a segment newer than the one that
   * last set it, as Linux's tcp_may_update_window (from the same SEQ, acknowledging nothing new, only
   * a larger or a zero one)
   */
  const sackWin = (ack: number, window: number, ...blocks: ReadonlyArray<readonly [number, number]>) =>
    T.fromPeer({ seq: 1, ack, window, options: { sackPermitted: false, sack: blocks.map(([l, r]) => ({ left: ours(l), right: ours(r) })) } })
  /** `warm`, then the peer's one octet (its SEQ 0), taken and acknowledged before our data goes */
  const warmed = () => {
    const s = warm()
    s.send(990, T.fromPeer({ seq: 0, ack: B, payload: "y" }))
    return s
  }
  it("a hole reaching past the new right edge is resent only up to it; the rest goes once the window takes it", () => {
    const s = warmed()
    expect(shape(s.write(1000, T.octets(5 * MSS)))).toHaveLength(5)
    // the first two lost, the last three SACKed, the last two on one ACK, and the window shrunk to
    // MSS + 500 octets from SND.UNA. PRR's window at recovery's start holds both resends, as Linux's
    // (tcp_cwnd_reduction before tcp_xmit_recovery): the third SACKed segment makes RACK's window 0,
    // the first two are lost, tcp_packets_in_flight = 5 out - 3 SACKed - 2 lost = 0, ssthresh 7
    // (0.7 x 10), so sndcnt = min(7 - 0, max(prr_delivered 2 - prr_out 0, 2)) = 2 and cwnd = 0 + 2:
    // the first resend and the second, cut at the edge (tcp_retransmit_skb). (With one segment
    // SACKed a time, sndcnt is 1 there and the first resend fills it)
    const wnd = MSS + 500
    s.send(1020, sackWin(B, wnd, [B + 2 * MSS, B + 3 * MSS]))
    expect(shape(s.send(1022, sackWin(B, wnd, [B + 2 * MSS, B + 5 * MSS])))).toEqual([[B, MSS], [B + MSS, 500]])
    // the first one's ACK moves the edge on: the rest of the second hole goes
    expect(shape(s.send(1050, sackWin(B + MSS, wnd, [B + 2 * MSS, B + 5 * MSS])))).toEqual([[B + MSS + 500, MSS - 500]])
  })
  it("a resend cut at the edge and then acknowledged in part is resent again from SND.UNA, not from where it began", () => {
    const s = warmed()
    s.write(1000, T.octets(5 * MSS))
    // the first lost, the rest SACKed; the window shrunk to 500 octets: its resend is cut to [B, B + 500)
    s.send(1020, sackWin(B, 500, [B + MSS, B + 2 * MSS]))
    s.send(1021, sackWin(B, 500, [B + MSS, B + 3 * MSS]))
    expect(shape(s.send(1022, sackWin(B, 500, [B + MSS, B + 5 * MSS])))).toEqual([[B, 500]])
    // the peer takes those 500 and opens its window: the rest of the hole goes
    expect(shape(s.send(1040, sackWin(B + 500, 64240, [B + MSS, B + 5 * MSS])))).toEqual([[B + 500, MSS - 500]])
    // new data, SACKed, shows RACK that this resend was lost: it goes again, from SND.UNA, with its own octets
    s.write(1045, T.octets(MSS, 5 * MSS))
    const again = T.seenAll(s.send(1070, sackWin(B + 500, 64240, [B + MSS, B + 6 * MSS])))
    expect(again.map((o) => [o.seq, o.len, o.data === T.octetsText(o.len, o.seq - B)])).toEqual([[B + 500, MSS - 500, true]])
  })
  it("a tail probe that cannot go (the last segment wholly past the shrunk window) is not armed again and again", () => {
    const s = warmed()
    s.write(1000, T.octets(3 * MSS))
    const armed = s.snd.tlpAt!
    expect(armed).toBeDefined()
    // nothing acknowledged, the window shrunk to 1000 octets: the last segment lies wholly past it
    s.send(1010, sackWin(B, 1000))
    expect(s.tick(Math.ceil(armed))).toEqual([])
    expect(s.snd.tlpAt).toBe(undefined)
    expect(Sender.counters(s.snd).tailProbes).toBe(0)
  })
  // (timers57; review56a's "Left") The probe's timer armed at an ACK of new data finds the last
  // segment wholly past the window the peer has shrunk since: Linux's tcp_send_loss_probe sends
  // nothing (__tcp_retransmit_skb: -EAGAIN past the shrunk edge) and ends in tcp_rearm_rto with
  // ICSK_TIME_LOSS_PROBE still pending (tcp_write_timer_handler clears only RETRANS and PROBE0
  // first): the RTO from the head's send time, tcp_rto_delta_us. The stack kept the RTO the ACK had
  // armed beside the probe, an RTO after that ACK
  it("a tail probe that cannot go re-arms the RTO from the head's send time, not from the last ACK (Linux's tcp_send_loss_probe → tcp_rearm_rto)", () => {
    const s = warmed()
    expect(shape(s.write(1000, T.octets(3 * MSS)))).toHaveLength(3)
    // the first acknowledged with an octet of the peer's (its SEQ 1): the probe re-armed from this ACK
    s.send(1020, T.fromPeer({ seq: 1, ack: B + MSS, payload: "z" }))
    const armed = s.snd.tlpAt!
    expect(armed).toBeDefined()
    expect(armed).toBeLessThan(s.snd.rtoAt!)
    // a newer segment of the peer's (SEQ 2) shrinks the window to 500 octets: the last segment lies
    // wholly past it, and nothing waits unsent
    s.send(1030, T.fromPeer({ seq: 2, ack: B + MSS, window: 500 }))
    expect(s.snd.sndWnd).toBe(500)
    expect(s.snd.tlpAt).toBe(armed)
    // (no data: only the delayed ACK of the peer's octet)
    expect(shape(s.tick(Math.ceil(armed))).filter(([, len]) => len > 0)).toEqual([])
    expect(Sender.counters(s.snd).tailProbes).toBe(0)
    // the second segment, the head now, went at 1000
    expect([s.snd.tlpAt, s.snd.rtoAt]).toEqual([undefined, 1000 + s.snd.rtt.rto])
  })
  // (timers57) The same with the ACK of new data itself shrinking the window: Linux's tcp_ack runs
  // tcp_set_xmit_timer → tcp_schedule_loss_probe(sk, true), which asks no window, so the probe's
  // timer is armed (min(PTO, RTO) from the ACK) and its expiry sends nothing and re-arms the RTO from
  // the head's send time, as above. The stack arms no probe that cannot go (`armTailProbe`), and kept
  // the ACK's RTO, an RTO after the ACK: the timeout came the ACK's delay (20 ms) late
  // (review57a) The same with the head's send + RTO already past when the probe's timer expires (the
  // first segment's ACK came late, 190 ms after the send, and the probe waits a PTO from that ACK):
  // Linux's tcp_rearm_rto with ICSK_TIME_LOSS_PROBE pending takes usecs_to_jiffies(max(delta, 1)),
  // one jiffy, so the timeout comes a tick after the failed probe. The test above does not tell
  // `tailProbe`'s re-arm from `armTailProbe`'s (run at the end of the same `onTimer`), as there the
  // head's send + RTO is still ahead and both give it; here `armTailProbe`'s alone (the probe's due
  // worked out again from now) gave the expiry + PTO + 1 tick
  it("a tail probe that cannot go, the head's send + RTO past: the timeout a tick after the probe's expiry (Linux's tcp_rearm_rto, tcp_rto_delta_us ≤ 0)", () => {
    const s = warmed()
    expect(shape(s.write(1000, T.octets(3 * MSS)))).toHaveLength(3)
    s.send(1190, T.fromPeer({ seq: 1, ack: B + MSS, payload: "z" }))
    const armed = s.snd.tlpAt!
    expect(armed).toBeDefined()
    // the second segment, the head now, went at 1000: its RTO is past when the probe's timer expires
    expect(1000 + s.snd.rtt.rto).toBeLessThan(armed)
    s.send(1200, T.fromPeer({ seq: 2, ack: B + MSS, window: 500 }))
    expect(s.snd.sndWnd).toBe(500)
    expect(shape(s.tick(Math.ceil(armed))).filter(([, len]) => len > 0)).toEqual([])
    expect(Sender.counters(s.snd).tailProbes).toBe(0)
    expect([s.snd.tlpAt, s.snd.rtoAt]).toEqual([undefined, Math.ceil(armed) + 1])
    // the timeout's resend of the head, cut at the shrunk window's edge
    expect(shape(s.tick(Math.ceil(armed) + 1))).toEqual([[B + MSS, 500]])
    expect(Sender.counters(s.snd).timeouts).toBe(1)
  })
  it("an ACK of new data that shrinks the window past the last segment: the timeout an RTO after the head's send (Linux's probe timer, tcp_send_loss_probe → tcp_rearm_rto)", () => {
    const s = warmed()
    expect(shape(s.write(1000, T.octets(3 * MSS)))).toHaveLength(3)
    s.send(1020, sackWin(B + MSS, 500))
    expect(s.snd.sndWnd).toBe(500)
    const due = 1000 + s.snd.rtt.rto
    expect([s.snd.tlpAt, s.snd.rtoAt]).toEqual([undefined, due])
    expect(shape(s.tick(Math.ceil(due) - 1))).toEqual([])
    // the timeout's resend of the head, cut at the shrunk window's edge
    expect(shape(s.tick(Math.ceil(due)))).toEqual([[B + MSS, 500]])
    expect(Sender.counters(s.snd).timeouts).toBe(1)
  })
  // (review57a) After the ACK above, Linux's one timer is the loss probe's (tcp_schedule_loss_probe
  // asks no window), and its expiry, the window still shrunk, sends nothing and leaves the RTO
  // pending from the head's send (tcp_send_loss_probe → tcp_rearm_rto). A window that opens after
  // that arms no probe: a window update acknowledges nothing (no FLAG_SET_XMIT_TIMER, so no
  // tcp_set_xmit_timer) and sends no new data (no tcp_schedule_loss_probe from tcp_write_xmit), so
  // the RTO comes and resends the head. The stack armed a probe at the window update, due at the
  // RTO's own time, which went instead of the timeout: the last segment again, where Linux resends
  // the first
  it("a window that opens after the probe's timer found the last segment past it arms no probe: the RTO resends the head (Linux's tcp_send_loss_probe → tcp_rearm_rto; a window update sets no timer)", () => {
    const s = warmed()
    expect(shape(s.write(1000, T.octets(3 * MSS)))).toHaveLength(3)
    s.send(1020, sackWin(B + MSS, 500))
    const due = 1000 + s.snd.rtt.rto
    // Linux's probe timer: min(PTO, RTO) from the ACK, 2 SRTT + 2 ms here
    const pto = Math.ceil(2 * s.snd.rtt.srtt! + 2)
    expect(1020 + pto + 20).toBeLessThan(due)
    // the window opens (a newer segment of the peer's) after that timer's expiry
    expect(shape(s.tick(1020 + pto + 20))).toEqual([])
    expect(shape(s.send(1020 + pto + 20, T.fromPeer({ seq: 2, ack: B + MSS, window: 64000 })))).toEqual([])
    expect(shape(s.tick(Math.ceil(due) - 1))).toEqual([])
    expect(shape(s.tick(Math.ceil(due)))).toEqual([[B + MSS, MSS]])
    expect(Sender.counters(s.snd).tailProbes).toBe(0)
    expect(Sender.counters(s.snd).timeouts).toBe(1)
  })
  // (review57a) And one that opens before it: Linux's probe timer is still pending, and goes at its
  // own time, a PTO from the ACK (the last segment, now inside the window), not a PTO from the
  // window update
  it("a window that opens before the probe's timer expires: the probe at its time from the ACK (Linux's tcp_schedule_loss_probe at the ACK; a window update sets no timer)", () => {
    const s = warmed()
    expect(shape(s.write(1000, T.octets(3 * MSS)))).toHaveLength(3)
    s.send(1020, sackWin(B + MSS, 500))
    const pto = Math.ceil(2 * s.snd.rtt.srtt! + 2)
    expect(shape(s.send(1030, T.fromPeer({ seq: 2, ack: B + MSS, window: 64000 })))).toEqual([])
    expect(shape(s.tick(1020 + pto - 1))).toEqual([])
    expect(shape(s.tick(1020 + pto))).toEqual([[B + 2 * MSS, MSS]])
    expect(Sender.counters(s.snd).tailProbes).toBe(1)
  })
  it("a hole wholly past the new right edge is not resent at all", () => {
    const s = warmed()
    s.write(1000, T.octets(5 * MSS))
    const wnd = MSS - 100
    s.send(1020, sackWin(B, wnd, [B + 2 * MSS, B + 3 * MSS]))
    s.send(1021, sackWin(B, wnd, [B + 2 * MSS, B + 4 * MSS]))
    expect(shape(s.send(1022, sackWin(B, wnd, [B + 2 * MSS, B + 5 * MSS])))).toEqual([[B, MSS - 100]])
  })
})

describe("undoing a spurious recovery with D-SACKs (RFC 2883 §5, as Linux's tcp_try_undo_dsack)", () => {
  /** Four segments, the first held up (reordered): three SACKed make it lost, and it goes again at 1020. */
  const reordered = () => {
    const s = warm()
    s.write(1000, T.octets(4 * MSS))
    const before = { cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }
    const cc = { ...s.snd.cc }
    expect(shape(s.send(1020, sackOf(B, [B + MSS, B + 4 * MSS])))).toEqual([[B, MSS]])
    expect(s.snd.cc.cwnd).toBeLessThan(before.cwnd)
    // the original arrives after all: everything acknowledged, the recovery over, cwnd still cut
    s.send(1022, sackOf(B + 4 * MSS))
    expect(s.snd.recovering).toBe(false)
    expect(s.snd.cc.cwnd).toBeLessThan(before.cwnd)
    return { s, before, cc }
  }

  it("the retransmission reported received twice: cwnd and ssthresh go back to what they were, CUBIC's W_max stays the loss's (Linux's tcp_reno_undo_cwnd)", () => {
    const { cc, s, before } = reordered()
    expect(s.snd.cc.wMax).toBe(before.cwnd)
    s.send(1040, sackOf(B + 4 * MSS, [B, B + MSS]))
    expect(Sender.counters(s.snd).undos).toBe(1)
    expect({ cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }).toEqual(before)
    expect(s.snd.cc.name).toBe("cubic")
    // CUBIC's own state stays as the loss left it: Linux's CUBIC undo is tcp_reno_undo_cwnd (cwnd and
    // ssthresh only), so last_max_cwnd keeps cubictcp_recalc_ssthresh's window (W_max, cwnd_prior)
    // and the next ACK in congestion avoidance starts a new epoch; not RFC 9438 §4.9.2's restore
    expect(s.snd.cc).toEqual({ ...cc, wMax: before.cwnd, cwndPrior: before.cwnd })
    // once: the same D-SACK again changes nothing more
    s.send(1041, sackOf(B + 4 * MSS, [B, B + MSS]))
    expect(Sender.counters(s.snd).undos).toBe(1)
  })

  it("the D-SACK on the ACK that also acknowledges the retransmission (the ACK before it lost) undoes too, as Linux's tcp_sacktag_walk counts it", () => {
    const s = warm()
    s.write(1000, T.octets(4 * MSS))
    const before = { cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }
    expect(shape(s.send(1020, sackOf(B, [B + MSS, B + 4 * MSS])))).toEqual([[B, MSS]])
    // the original arrived, its ACK lost; the retransmission's arrival draws an ACK of everything
    // that D-SACKs it: the block lies below the new SND.UNA, above the old one
    s.send(1040, sackOf(B + 4 * MSS, [B, B + MSS]))
    expect(s.snd.recovering).toBe(false)
    expect(Sender.counters(s.snd).undos).toBe(1)
    expect({ cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }).toEqual(before)
  })

  const k = (n: number) => B + n * MSS
  /**
   * After `warm`, S0..S(n-1) written at 1000 (n of 5 or more); S0 and S1 late: S2..S4 SACKed at 1020, both
   * marked lost and resent; then S1's original and S1's resend come back (the second a D-SACK above
   * SND.UNA, S0 still missing): no undo yet. `before`: the window and ssthresh before the episode.
   */
  const twoLateResent = (n: number) => {
    const s = warm()
    const before = { cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }
    expect(shape(s.write(1000, T.octets(n * MSS)))).toHaveLength(n)
    expect(shape(s.send(1020, sackOf(B, [k(2), k(5)])))).toEqual([[B, MSS], [k(1), MSS]])
    expect(s.snd.recovering).toBe(true)
    s.send(1030, sackOf(B, [k(1), k(5)]))
    s.send(1031, sackOf(B, [k(1), k(2)], [k(1), k(5)]))
    expect(Sender.counters(s.snd).undos).toBe(0)
    return { s, before }
  }

  // Linux counts a D-SACK above SND.UNA too: tcp_sacktag_walk tags the D-SACK block's skbs with
  // dup_sack, and tcp_sacktag_one takes one off undo_retrans for each that was retransmitted
  // (TCPCB_RETRANS, above undo_marker), whether or not SND.UNA has passed it. Here both of two
  // resends were needless: S1's copies both arrive while S0 is still missing (its D-SACK is above
  // SND.UNA), then S0's original, then S0's resend (D-SACKed below SND.UNA): the second D-SACK
  // leaves nothing to wait for, and tcp_try_undo_dsack undoes (Open). The stack counted only D-SACKs
  // below SND.UNA: one resend stayed unreported, and the cut stood
  it("a D-SACK above SND.UNA of a resend counts for the undo too (Linux's tcp_sacktag_one with dup_sack)", () => {
    const { s, before } = twoLateResent(5)
    // S0's original: everything acknowledged, the recovery over (S0's resend not yet reported twice)
    s.send(1032, sackOf(k(5)))
    expect([s.snd.recovering, Sender.counters(s.snd).undos]).toEqual([false, 0])
    // S0's resend, D-SACKed: both resends were needless, the cut goes
    s.send(1033, sackOf(k(5), [B, k(1)]))
    expect(Sender.counters(s.snd).undos).toBe(1)
    expect({ cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }).toEqual(before)
  })

  // Linux 6.18 undoes in Recovery too, at the D-SACK that leaves nothing to wait for: its
  // tcp_fastretrans_alert's TCP_CA_Recovery case calls tcp_try_undo_dsack (undo_marker set,
  // undo_retrans 0: tcp_undo_cwnd_reduction) and then tcp_try_to_open, Open again with nothing SACKed
  // or out again; tcp_time_to_recover (lost_out 0) starts no new recovery. Here S0 and S1 are late,
  // both resent; S5, sent with S4, is still out, so SND.UNA stays short of the recovery point when
  // both resends come back D-SACKed (S1's above SND.UNA). The stack undid only once the recovery was
  // over, at S5's ACK: the write between went out at PRR's pace, not at the window from before
  // Linux 6.18's tcp_init_undo: undo_retrans = retrans_out, and one more for a tail probe's
  // retransmission still out (tlp_high_seq && tlp_retrans; tcp_enter_recovery calls it before
  // tcp_init_cwnd_reduction clears tlp_high_seq): the probe's copy is the episode's to D-SACK too
  it("a fast recovery entered with a probe's retransmission out counts it for the D-SACK undo (tcp_init_undo's tlp_retrans)", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(2 * MSS)))).toEqual([seg(0), seg(1)])
    // nothing comes back: the probe resends the last
    const probe = Math.ceil(s.snd.tlpAt!)
    expect(shape(s.tick(probe))).toEqual([seg(1)])
    const before = s.snd.cc.ssthresh
    // the second is SACKed 20 ms on: RACK finds the first lost at once (sent long before) and a
    // fast recovery resends it, the probe's episode still open
    expect(shape(s.send(probe + 20, sackOf(B, [B + MSS, B + 2 * MSS])))).toEqual([seg(0)])
    expect(s.snd.recovering).toBe(true)
    // both copies of the first arrive: the D-SACK reports the recovery's resend, but the probe's
    // copy of the second is unreported, so nothing is undone (Linux: undo_retrans 2, then 1)
    s.send(probe + 40, sackOf(B + 2 * MSS, [B, B + MSS]))
    expect(Sender.counters(s.snd).undos).toBe(0)
    expect(s.snd.cc.ssthresh).toBeLessThan(before)
    // the probe's D-SACK too: now every resend came back twice, and the cut is given back
    s.send(probe + 41, sackOf(B + 2 * MSS, [B + MSS, B + 2 * MSS]))
    expect(Sender.counters(s.snd).undos).toBe(1)
    expect(s.snd.cc.ssthresh).toBe(before)
  })

  it("the D-SACK that leaves no resend unreported undoes during the recovery, as Linux's tcp_try_undo_dsack in TCP_CA_Recovery", () => {
    // (S5, sent with S4, is not resent; after S0's original SND.UNA is at S5)
    const { s, before } = twoLateResent(6)
    s.send(1032, sackOf(k(5)))
    expect([s.snd.recovering, Sender.counters(s.snd).undos]).toEqual([true, 0])
    // S0's resend, D-SACKed: both resends were needless, the cut goes now, S5 still out
    s.send(1033, sackOf(k(5), [B, k(1)]))
    expect([s.snd.recovering, Sender.counters(s.snd).undos]).toEqual([false, 1])
    expect({ cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }).toEqual(before)
    // (the window from before, less the one segment out: nine go at a write)
    expect(shape(s.write(1034, T.octets(20 * MSS)))).toHaveLength(9)
    // and S5's ACK later changes nothing more
    s.send(1040, sackOf(k(6)))
    expect([s.snd.recovering, Sender.counters(s.snd).undos, s.snd.cc.ssthresh]).toEqual([false, 1, before.ssthresh])
  })

  // After that undo Linux is Open (tcp_try_to_open, tcp_try_keep_open: nothing left out, the head
  // never resent), so its next send arms the tail loss probe: tcp_write_xmit calls
  // tcp_schedule_loss_probe(sk, false), whose tests (tcp_is_sack, Open or CWR, packets_out) all hold;
  // the timeout is 2 SRTT + TCP_TIMEOUT_MIN (more than one segment out), capped by tcp_rto_delta_us,
  // the head's (S5's, sent at 1000) send time + RTO. The probe finds nothing new and resends the last
  // (tcp_send_loss_probe). (probe51: the wire difference review51a saw with a longer write was
  // Linux's TSO deferral at the write, not the probe: notes/tcp-plan.md)
  it("after the D-SACK undo in recovery the next write arms the tail loss probe, capped at the head's send time + RTO", () => {
    const { s } = twoLateResent(6)
    s.send(1032, sackOf(k(5)))
    s.send(1033, sackOf(k(5), [B, k(1)]))
    expect([s.snd.recovering, Sender.counters(s.snd).undos]).toEqual([false, 1])
    // a write soon after: the probe 2 SRTT + 2 ms on
    const t = twoLateResent(6).s
    t.send(1032, sackOf(k(5)))
    t.send(1033, sackOf(k(5), [B, k(1)]))
    expect(shape(t.write(1034, T.octets(9 * MSS)))).toHaveLength(9)
    const pto = Math.ceil(2 * t.snd.rtt.srtt! + 2)
    expect(1034 + pto).toBeLessThan(1000 + t.snd.rtt.rto)
    expect(t.snd.tlpAt).toBe(1034 + pto)
    expect(shape(t.tick(t.snd.tlpAt!))).toEqual([[k(14), MSS]])
    // a write later, within a PTO of S5's RTO (the RTO the ACK at 1032 armed comes later still):
    // the probe at S5's send time + RTO, where the conformance script's lands
    expect(shape(s.write(1200, T.octets(9 * MSS)))).toHaveLength(9)
    expect(1200 + pto).toBeGreaterThan(1000 + s.snd.rtt.rto)
    expect(s.snd.tlpAt).toBe(1000 + s.snd.rtt.rto)
    expect(shape(s.tick(s.snd.tlpAt!))).toEqual([[k(14), MSS]])
  })

  // RACK's reo_wnd_persist in Linux 6.18: tcp_try_undo_dsack (a recovery undone by D-SACKs, in
  // TCP_CA_Recovery or after it) adds one, at most TCP_RACK_RECOVERY_THRESH (16); only
  // tcp_try_undo_recovery's branch that undoes nothing takes one off. A recovery the D-SACKs
  // proved needless keeps a grown window longer, not shorter (reo_wnd_persist, Rack.reoBits & 31)
  it("a recovery undone by D-SACKs adds one to the reordering window's persistence, not takes one (tcp_try_undo_dsack's reo_wnd_persist + 1)", () => {
    const s = warm()
    const k = (n: number) => B + n * MSS
    // a window grown earlier, one recovery left before it goes back to a quarter
    s.snd.rack.reoWndMult = 2
    s.snd.rack.reoBits = (s.snd.rack.reoBits & ~31) | 1
    expect(shape(s.write(1000, T.octets(6 * MSS)))).toHaveLength(6)
    expect(shape(s.send(1020, sackOf(B, [k(2), k(5)])))).toEqual([[B, MSS], [k(1), MSS]])
    s.send(1030, sackOf(B, [k(1), k(5)]))
    s.send(1031, sackOf(B, [k(1), k(2)], [k(1), k(5)]))
    s.send(1032, sackOf(k(5)))
    s.send(1033, sackOf(k(5), [B, k(1)]))
    expect([s.snd.recovering, Sender.counters(s.snd).undos]).toEqual([false, 1])
    expect([s.snd.rack.reoWndMult, s.snd.rack.reoBits & 31]).toEqual([2, 2])
    // a recovery that ends with nothing undone takes one off (tcp_try_undo_recovery)
    const t = warm()
    t.snd.rack.reoBits = (t.snd.rack.reoBits & ~31) | 5
    t.write(1000, T.octets(4 * MSS))
    expect(shape(t.send(1020, sackOf(B, [B + MSS, B + 4 * MSS])))).toEqual([[B, MSS]])
    t.send(1040, sackOf(B + 4 * MSS))
    expect([t.snd.recovering, Sender.counters(t.snd).undos, t.snd.rack.reoBits & 31]).toEqual([false, 0, 4])
  })

  // Linux 6.18 takes one off reo_wnd_persist for a timeout's recovery where it ends: tcp_process_loss,
  // SND.UNA at high_seq, runs tcp_try_undo_recovery, whose branch without tcp_may_undo decrements.
  // Not at the timeout itself (tcp_enter_loss leaves it), nor for a timeout the peer's echo shows
  // spurious (tcp_try_undo_loss undoes before)
  it("a timeout's recovery takes one off the reordering window's persistence where it ends without an undo, not at the timeout (tcp_process_loss → tcp_try_undo_recovery)", () => {
    const s = warm()
    s.snd.rack.reoBits = (s.snd.rack.reoBits & ~31) | 5
    s.write(1000, T.octets(2 * MSS))
    // the tail probe (the last segment again), then the timeout (the first)
    expect(shape(s.tick(Math.ceil(s.snd.tlpAt!)))).toEqual([[B + MSS, MSS]])
    const tr = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(tr))).toEqual([[B, MSS]])
    expect(s.snd.rack.reoBits & 31).toBe(5)
    // the resend acknowledged, the episode not over yet (the second segment lost too)
    s.send(tr + 20, sackOf(B + MSS))
    expect(s.snd.rack.reoBits & 31).toBe(5)
    // the ACK of everything ends it, nothing undone: one off
    s.send(tr + 40, sackOf(B + 2 * MSS))
    expect([Sender.counters(s.snd).undos, Sender.counters(s.snd).spuriousTimeouts, s.snd.rack.reoBits & 31]).toEqual([0, 0, 4])
  })

  // (review59a) In a timeout's episode (Linux's TCP_CA_Loss) D-SACKs that bring undo_retrans to 0
  // undo at an ACK that moves SND.UNA, whether or not the episode ends there: tcp_process_loss runs
  // tcp_try_undo_loss(sk, false) on FLAG_SND_UNA_ADVANCED, and tcp_may_undo asks undo_marker and
  // !undo_retrans (TCPLOSSUNDO; tcp_undo_cwnd_reduction(sk, true), Open with SACK). F-RTO off, so
  // only that undo can come. Twelve segments written, ten sent; the tail probe sends the eleventh
  // (new data: no resend), the timeout resends the first. The peer had the first (its ACK lost) and
  // nothing after it yet: the resend's ACK moves SND.UNA one segment and D-SACKs the resend (nothing
  // SACKed above, so RACK marks nothing and no new recovery follows). Undone: cwnd and ssthresh back
  // (tcp_undo_cwnd_reduction from the prior_ssthresh tcp_enter_loss saved). The stack's `tryUndo`
  // refused a D-SACK undo short of the episode's end, and nothing asked again: the cut stood
  it("a timeout's episode whose resends all came back D-SACKed is undone at the ACK that moves SND.UNA, short of its end too (Linux's tcp_process_loss → tcp_try_undo_loss with tcp_may_undo)", () => {
    const s = warm({ frto: false, hystart: false })
    expect(shape(s.write(1000, T.octets(12 * MSS))).length).toBe(10)
    const before = { cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }
    expect(shape(s.tick(Math.ceil(s.snd.tlpAt!)))).toEqual([seg(10)])
    const tr = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(tr))).toEqual([seg(0)])
    expect(s.snd.cc.cwnd).toBeLessThan(before.cwnd)
    // (5 ms after the resend, under the minimum RTT: RACK takes the ACK for the original's, Linux's
    // tcp_rack_advance, and marks nothing above it: no new recovery on this ACK)
    s.send(tr + 5, sackOf(B + MSS, [B, B + MSS]))
    // (LINUX_MIB_TCPLOSSUNDO, `eifelUndos`, as the echo's undo of a timeout; not a D-SACK undo)
    expect([Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).undos, Sender.counters(s.snd).fastRetransmits]).toEqual([1, 0, 0])
    expect([s.snd.recovering, s.snd.cc.cwnd >= before.cwnd, s.snd.cc.ssthresh]).toEqual([false, true, before.ssthresh])
  })

  // (review59a) And when the resend's ACK, 20 ms after it (not under the minimum RTT), has RACK take
  // it for the resend's own (tcp_rack_advance): everything sent before it is lost by RACK's rule.
  // Linux's tcp_fastretrans_alert, Open after tcp_try_undo_loss, runs tcp_identify_packet_loss and
  // tcp_enter_recovery on the same ACK, cut from the window the undo gave back (CUBIC: 7 of 10), and
  // tcp_cong_control, in the reduction, grows nothing. The stack grew the window first (slow start, by
  // what the ACK delivered), and the recovery at the batch's end cut from that: 8 for Linux's 7
  it("a timeout's episode undone by D-SACKs on an ACK whose RACK look starts a recovery: the cut from the window given back, not grown first (Linux's tcp_fastretrans_alert: tcp_process_loss, then tcp_enter_recovery, then tcp_cong_control)", () => {
    const s = warm({ frto: false, hystart: false })
    expect(shape(s.write(1000, T.octets(12 * MSS))).length).toBe(10)
    expect(shape(s.tick(Math.ceil(s.snd.tlpAt!)))).toEqual([seg(10)])
    const tr = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(tr))).toEqual([seg(0)])
    s.send(tr + 20, sackOf(B + MSS, [B, B + MSS]))
    expect([Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).fastRetransmits, s.snd.recovering]).toEqual([1, 1, true])
    expect(s.snd.cc.ssthresh).toBe(7 * MSS)
  })

  // (undo61) With F-RTO on as well (Linux's default, sysctl tcp_frto 2): tcp_process_loss asks
  // tcp_try_undo_loss(sk, false) on FLAG_SND_UNA_ADVANCED before any F-RTO step, so the D-SACKs'
  // undo comes first and F-RTO's step 2.b (REXMIT_NEW: new data at this ACK, the resend's own ACK,
  // no original delivered) never runs: Open, RACK's marks, tcp_enter_recovery, and PRR resends the
  // 2nd and 3rd, as with F-RTO off. Had F-RTO's step gone first, the 12th went as new data and the
  // cut stood
  it("with F-RTO on, the D-SACKs' undo of a timeout's episode comes before F-RTO's step 2.b (tcp_process_loss: tcp_try_undo_loss first)", () => {
    const run = (frto: boolean) => {
      const s = warm({ frto, hystart: false })
      expect(shape(s.write(1000, T.octets(12 * MSS))).length).toBe(10)
      expect(shape(s.tick(Math.ceil(s.snd.tlpAt!)))).toEqual([seg(10)])
      const tr = Math.ceil(s.snd.rtoAt!)
      expect(shape(s.tick(tr))).toEqual([seg(0)])
      const out = shape(s.send(tr + 20, sackOf(B + MSS, [B, B + MSS])))
      return [out, Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).fastRetransmits, s.snd.recovering, s.snd.cc.ssthresh, s.snd.frto]
    }
    const off = run(false)
    expect(off).toEqual([[seg(1), seg(2)], 1, 1, true, 7 * MSS, undefined])
    expect(run(true)).toEqual(off)
  })

  it("no undo without the D-SACK, nor for a D-SACK of data from before the loss", () => {
    const { s } = reordered()
    const cut = s.snd.cc.cwnd
    // a D-SACK of the warm-up's octets, sent before the episode began
    s.send(1040, sackOf(B + 4 * MSS, [B - 2, B - 1]))
    expect([Sender.counters(s.snd).undos, s.snd.cc.cwnd]).toEqual([0, cut])
  })

  it("a D-SACK of data sent after the episode is no proof about it", () => {
    const { s } = reordered()
    s.snd.noDelay = true
    s.write(1030, T.octets(MSS, 4 * MSS))
    s.send(1050, sackOf(B + 5 * MSS))
    const cut = s.snd.cc.cwnd
    s.send(1051, sackOf(B + 5 * MSS, [B + 4 * MSS, B + 5 * MSS]))
    expect([Sender.counters(s.snd).undos, s.snd.cc.cwnd]).toEqual([0, cut])
  })

  /** Six segments, the first two lost and resent at 1020, everything acknowledged at 1041: the cut cwnd. */
  const twoResent = () => {
    const s = warm()
    s.write(1000, T.octets(6 * MSS))
    expect(shape(s.send(1020, sackOf(B, [B + 2 * MSS, B + 6 * MSS])))).toEqual([[B, MSS], [B + MSS, MSS]])
    s.send(1041, sackOf(B + 6 * MSS))
    return { s, cut: s.snd.cc.cwnd }
  }

  it("a D-SACK of an original the episode never sent again (the network's duplicate) is no proof, nor a second one of the same retransmission", () => {
    // the fourth segment, never resent, came twice (a copy the link made): counted as the second
    // retransmission's D-SACK, it would undo the cut with the first retransmission's. And it spends
    // the count: Linux's tcp_dsack_seen adds every D-SACKed segment to dsack_dups and drops a D-SACK
    // whole once they outnumber total_retrans (two here), so the second retransmission's D-SACK,
    // the third D-SACKed segment, proves nothing either
    const a = twoResent()
    a.s.send(1042, sackOf(B + 6 * MSS, [B + 3 * MSS, B + 4 * MSS]))
    a.s.send(1043, sackOf(B + 6 * MSS, [B, B + MSS]))
    expect([Sender.counters(a.s.snd).undos, a.s.snd.cc.cwnd]).toEqual([0, a.cut])
    a.s.send(1045, sackOf(B + 6 * MSS, [B + MSS, B + 2 * MSS]))
    expect([Sender.counters(a.s.snd).undos, a.s.snd.cc.cwnd, Sender.counters(a.s.snd).dsackDups]).toEqual([0, a.cut, 3])
    // the first retransmission reported twice: one of two, no undo
    const b = twoResent()
    b.s.send(1043, sackOf(B + 6 * MSS, [B, B + MSS]))
    b.s.send(1044, sackOf(B + 6 * MSS, [B, B + MSS]))
    expect([Sender.counters(b.s.snd).undos, b.s.snd.cc.cwnd]).toEqual([0, b.cut])
    // each retransmission reported once: both were needless, the cut goes
    const c = twoResent()
    c.s.send(1043, sackOf(B + 6 * MSS, [B, B + MSS]))
    c.s.send(1045, sackOf(B + 6 * MSS, [B + MSS, B + 2 * MSS]))
    expect(Sender.counters(c.s.snd).undos).toBe(1)
    expect(c.s.snd.cc.cwnd).toBeGreaterThan(c.cut)
  })

  it("a segment resent twice (fast retransmit, then the RTO) and D-SACKed once: no undo, one copy was needed", () => {
    const s = warm()
    s.write(1000, T.octets(4 * MSS))
    expect(shape(s.send(1020, sackOf(B, [B + MSS, B + 4 * MSS])))).toEqual([[B, MSS]])
    const t = Math.ceil(s.snd.rtoAt!)
    // no ACK for the retransmission: the RTO sends it again, in the same episode
    expect(shape(s.tick(t))).toEqual([[B, MSS]])
    s.send(t + 5, sackOf(B + 4 * MSS))
    const cut = s.snd.cc.cwnd
    // one D-SACK: one of the two copies came for nothing, the other was the loss's
    s.send(t + 6, sackOf(B + 4 * MSS, [B, B + MSS]))
    expect([Sender.counters(s.snd).undos, s.snd.cc.cwnd]).toEqual([0, cut])
  })

  it("two retransmissions, one D-SACKed: no undo (the other was a real loss)", () => {
    const { cut, s } = twoResent()
    s.send(1042, sackOf(B + 6 * MSS, [B, B + MSS]))
    expect([Sender.counters(s.snd).undos, s.snd.cc.cwnd]).toEqual([0, cut])
  })
})

/**
 * Twenty segments written, the first ten sent; no ACK for a while (a delay spike, or the whole
 * flight lost). The tail probe sends the eleventh, the timeout then resends the first. Returns
 * the instant of the timeout and the congestion state from before it.
 */
const stalled = (params?: Partial<Params.TcpParams>, timestamps = false) => {
  const s = warm(params, timestamps)
  // (a segment's payload: the MSS less the timestamps option when they are on)
  const p = timestamps ? MSS - 12 : MSS
  const at = (i: number) => [B + i * p, p]
  expect(shape(s.write(1000, T.octets(20 * p)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(at))
  const probe = Math.ceil(s.snd.tlpAt!)
  expect(shape(s.tick(probe))).toEqual([at(10)])
  const before = { cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }
  // the timeout, an RTO after the probe
  const t = Math.ceil(s.snd.rtoAt!)
  expect(t).toBeGreaterThanOrEqual(probe + 200)
  expect(shape(s.tick(t - 1))).toEqual([])
  expect(shape(s.tick(t))).toEqual([at(0)])
  expect(s.snd.cc.cwnd).toBeLessThan(before.cwnd)
  return { s, t, before }
}

describe("F-RTO after a timeout (RFC 5682 §3.1, SACK-enhanced, as Linux's tcp_process_loss)", () => {
  /** every octet of what `out` carries lies at or after segment `i` (new data only) */
  const onlyFrom = (out: ReadonlyArray<OutSegment>, i: number) => shape(out).every(([seq]) => seq! >= B + i * MSS)

  it("a delay, not a loss: the ACK of the retransmission draws two new segments, the next ACK of old data undoes the timeout", () => {
    const { before, s, t } = stalled()
    // the delayed ACKs come: the first acknowledges the first segment (sent twice: no proof either
    // way). Step 2.b: new data goes instead of the second segment again
    expect(shape(s.send(t + 5, sackOf(B + MSS)))).toEqual([seg(11), seg(12)])
    // the next acknowledges the second segment, sent once, before the timeout: the timeout was
    // spurious. cwnd and ssthresh are back, and what follows is new data, not the old flight again
    // (the window given back, then grown by the ACK's segment: Linux's tcp_process_loss undoes in
    // tcp_fastretrans_alert, before tcp_cong_control)
    const out = s.send(t + 6, sackOf(B + 2 * MSS))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(1)
    expect({ cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }).toEqual({ ...before, cwnd: before.cwnd + MSS })
    expect(onlyFrom(out, 13)).toBe(true)
    // the rest of the old flight is acknowledged in turn; none of it was ever sent twice
    for (let i = 3; i <= 13; i++) expect(onlyFrom(s.send(t + 4 + 2 * i, sackOf(B + i * MSS)), 13)).toBe(true)
    expect(Sender.counters(s.snd).retransmits).toBe(1)
    expect(Sender.counters(s.snd).timeouts).toBe(1)
  })

  it("one ACK of old and new data at once after step 2 proves the timeout spurious too", () => {
    const { before, s, t } = stalled()
    expect(shape(s.send(t + 5, sackOf(B + MSS)))).toEqual([seg(11), seg(12)])
    s.send(t + 6, sackOf(B + 13 * MSS))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(1)
    // (given back, then slow start by the twelve segments it acknowledges)
    expect({ cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }).toEqual({ ...before, cwnd: before.cwnd + 12 * MSS })
  })

  it("one cumulative ACK of the whole old flight after the timeout proves it spurious at once (step 2, as Linux)", () => {
    const { before, s, t } = stalled()
    const out = s.send(t + 5, sackOf(B + 11 * MSS))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(1)
    // (given back, then slow start by the eleven segments it acknowledges)
    expect({ cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }).toEqual({ ...before, cwnd: before.cwnd + 11 * MSS })
    expect(out.length).toBeGreaterThan(0)
    expect(onlyFrom(out, 11)).toBe(true)
    // and the window after it is an ordinary one: a loss in the new data starts a fast recovery
    // (not the go-back-N a timeout's window gets, RFC 6582's "recover")
    expect(shape(s.send(t + 25, sackOf(B + 11 * MSS, [B + 12 * MSS, B + 15 * MSS])))).toEqual([seg(11)])
    expect(Sender.counters(s.snd).fastRetransmits).toBe(1)
    expect(s.snd.recovering).toBe(true)
  })

  it("a real loss: the new segments come back SACKed, and the old flight goes again from SND.UNA, cwnd not restored", () => {
    const { before, s, t } = stalled()
    expect(shape(s.send(t + 20, sackOf(B + MSS)))).toEqual([seg(11), seg(12)])
    // step 3.a: the ACK after them SACKs them and not the second segment: the flight was lost
    const out = s.send(t + 40, sackOf(B + MSS, [B + 11 * MSS, B + 13 * MSS]))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(0)
    expect(s.snd.frto).toBeUndefined()
    expect(shape(out)[0]).toEqual(seg(1))
    expect(s.snd.cc.cwnd).toBeLessThan(before.cwnd)
  })

  it("with nothing new to send, or with F-RTO off, the ACK of the retransmission draws the next old segments (go-back-N)", () => {
    const off = stalled({ frto: false })
    expect(shape(off.s.send(off.t + 5, sackOf(B + MSS)))).toEqual([seg(1), seg(2)])
    expect(off.s.snd.frto).toBeUndefined()
    // all written data already sent: the existing case above ("after a timeout, a go-back-N ...")
    const s = warm()
    s.write(1000, T.octets(10 * MSS))
    s.tick(Math.ceil(s.snd.tlpAt!))
    const t = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(t))).toEqual([seg(0)])
    expect(s.snd.frto).toBeDefined()
    expect(shape(s.send(t + 5, sackOf(B + MSS)))).toEqual([seg(1), seg(2)])
    expect(s.snd.frto).toBeUndefined()
  })

  it("a spurious timeout unmarks what the timeout marked lost (Linux's tcp_try_undo_loss: tcp_undo_cwnd_reduction with unmark_loss): a later fast recovery resends its own loss only", () => {
    const { s, t } = stalled()
    expect(shape(s.send(t + 5, sackOf(B + MSS)))).toEqual([seg(11), seg(12)])
    s.send(t + 6, sackOf(B + 2 * MSS))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(1)
    // the third segment was lost after all: the next three SACKed show it (RFC 6675's IsLost). Only
    // it goes again, and new data; the seventh to the eleventh are in flight as they always were
    // (before: they went again too, still marked lost by the timeout)
    const out = shape(s.send(t + 8, sackOf(B + 2 * MSS, [B + 3 * MSS, B + 6 * MSS])))
    expect(s.snd.recovering).toBe(true)
    expect(out.filter(([seq]) => seq! < B + 13 * MSS)).toEqual([seg(2)])
  })

  it("not for a timeout that cuts a fast recovery short (its retransmissions would look like proof)", () => {
    const s = warm()
    s.write(1000, T.octets(6 * MSS))
    // the first two lost, the rest SACKed: fast recovery resends them; they are lost again
    expect(shape(s.send(1020, sackOf(B, [B + 2 * MSS, B + 6 * MSS])))).toEqual([seg(0), seg(1)])
    expect(s.snd.recovering).toBe(true)
    const t = Math.ceil(s.snd.rtoAt!)
    s.tick(t)
    expect(Sender.counters(s.snd).timeouts).toBe(1)
    expect(s.snd.frto).toBeUndefined()
  })
})

// Linux 6.18's tcp_enter_loss sets tp->frto with no SACK test (sysctl_tcp_frto, a new recovery or a
// recurring timeout, no MTU probe), and tcp_process_loss runs its steps for a Reno connection too: the
// cumulative ACK of data sent once before the timeout (tcp_clean_rtx_queue's FLAG_ORIG_SACK_ACKED)
// proves it spurious (tcp_try_undo_loss(sk, true): the cut given back with no timestamp); the ACK of
// the retransmission alone sends new data (REXMIT_NEW); after it a duplicate ACK shows the loss real.
describe("F-RTO without SACK (Linux's tcp_enter_loss and tcp_process_loss take no SACK test)", () => {
  /** A connection with neither SACK nor timestamps, warmed as `warm`: twenty one-octet exchanges. */
  const warmReno = (params?: Partial<Params.TcpParams>) => {
    const s = T.established({ ...(params !== undefined ? { params } : {}), peerOptions: { mss: MSS, sackPermitted: false } })
    expect([s.snd.sackOk, s.snd.tsOk]).toEqual([false, false])
    for (let i = 0; i < B; i++) {
      s.write(40 * i, "x")
      s.send(40 * i + 20, T.fromPeer({ ack: i + 1 }))
    }
    return s
  }
  /** Twenty segments written, ten sent, then silence: the RTO resends the first (no tail probe without SACK). */
  const stalledReno = (params?: Partial<Params.TcpParams>) => {
    const s = warmReno(params)
    expect(shape(s.write(1000, T.octets(20 * MSS)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(seg))
    const before = { cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }
    const t = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(t))).toEqual([seg(0)])
    expect(s.snd.cc.cwnd).toBeLessThan(before.cwnd)
    return { s, t, before }
  }
  const ack = (n: number) => T.fromPeer({ ack: n })

  it("a delay, not a loss: the ACK of the retransmission draws two new segments, the next ACK of old data undoes the timeout", () => {
    const { before, s, t } = stalledReno()
    expect(s.snd.frto).toBeDefined()
    // step 2.b: new data, not the second segment again
    expect(shape(s.send(t + 5, ack(B + MSS)))).toEqual([seg(10), seg(11)])
    // the second segment, sent once before the timeout, acknowledged: spurious, the cut given back
    // (and the window grown by the ACK's segment after it, as Linux's tcp_cong_control after the undo)
    const out = s.send(t + 6, ack(B + 2 * MSS))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(1)
    expect({ cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }).toEqual({ ...before, cwnd: before.cwnd + MSS })
    expect(shape(out).every(([seq]) => seq! >= B + 12 * MSS)).toBe(true)
    expect(Sender.counters(s.snd).retransmits).toBe(1)
  })

  // Linux's tcp_clean_rtx_queue, for a Reno connection: "If any of the cumulatively ACKed segments was
  // retransmitted, non-SACK case cannot confirm that progress was due to original transmission" (no
  // FLAG_ORIG_SACK_ACKED). With SACK the same ACK is the proof ("one cumulative ACK of the whole old
  // flight", above).
  it("an ACK of the resend and of old data sent once together proves nothing without SACK: new data goes (step 2.b), and the next ACK of old data is the proof", () => {
    const { before, s, t } = stalledReno()
    expect(shape(s.send(t + 5, ack(B + 5 * MSS)))).toEqual([seg(10), seg(11)])
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(0)
    expect(s.snd.frto).toBeDefined()
    const out = s.send(t + 6, ack(B + 6 * MSS))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(1)
    expect({ cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }).toEqual({ ...before, cwnd: before.cwnd + MSS })
    // nothing of the old flight again: what follows is new data
    expect(shape(out).every(([seq]) => seq! >= B + 12 * MSS)).toBe(true)
  })

  it("a real loss: a duplicate ACK after the new segments, and the old flight goes again from SND.UNA, cwnd not restored", () => {
    const { before, s, t } = stalledReno()
    expect(shape(s.send(t + 20, ack(B + MSS)))).toEqual([seg(10), seg(11)])
    // step 3.a: the new segments draw duplicates of the first's ACK: the second was lost
    const out = s.send(t + 40, ack(B + MSS))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(0)
    expect(s.snd.frto).toBeUndefined()
    expect(shape(out)[0]).toEqual(seg(1))
    expect(s.snd.cc.cwnd).toBeLessThan(before.cwnd)
  })

  it("duplicates before any new data went prove nothing either way: an earlier ACK's originals are no proof", () => {
    const { s, t } = stalledReno()
    // (the peer's copies of its last ACK, from before the timeout)
    s.send(t + 1, ack(B))
    s.send(t + 2, ack(B))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(0)
    expect(s.snd.frto).toBeDefined()
  })

  // (review54c) Linux's tcp_xmit_retransmit_queue resends LOST skbs only, and the timeout marked only
  // what was out (tcp_timeout_mark_lost): the go-back ends with the old flight's last segment as it
  // was cut, and F-RTO's new segments past it are in flight, not resent; tcp_write_xmit then sends
  // data never sent (the wire: test/kernel/ConformanceLoss.test.ts, "the go-back resends the old
  // flight only")
  it("after a real loss the go-back ends at the old flight's end: its short last segment alone, then data never sent", () => {
    const s = warmReno()
    const half = MSS / 2
    // nine and a half segments: all out, the last short
    expect(shape(s.write(1000, T.octets(9 * MSS + half))).length).toBe(10)
    const t = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(t))).toEqual([seg(0)])
    s.write(t + 1, T.octets(10 * MSS))
    const end = B + 9 * MSS + half
    expect(shape(s.send(t + 20, ack(B + MSS)))).toEqual([[end, MSS], [end + MSS, MSS]])
    // step 3.a, then the go-back: each ACK of a resend lets the next go as the window allows
    expect(shape(s.send(t + 40, ack(B + MSS)))[0]).toEqual(seg(1))
    const sent: Array<Array<number>> = []
    for (let i = 2; i <= 9; i++) sent.push(...shape(s.send(t + 40 + i, ack(B + i * MSS))))
    // the short last segment goes alone, F-RTO's two are not sent again, and new data follows
    expect(sent).toContainEqual([B + 9 * MSS, half])
    expect(sent.some(([seq]) => seq === end || seq === end + MSS)).toBe(false)
    expect(sent.some(([seq]) => seq === end + 2 * MSS)).toBe(true)
  })

  it("with F-RTO off, the ACK of the retransmission draws the next old segments (go-back-N)", () => {
    const { s, t } = stalledReno({ frto: false })
    expect(s.snd.frto).toBeUndefined()
    expect(shape(s.send(t + 5, ack(B + MSS)))).toEqual([seg(1), seg(2)])
  })

  // (review59a) A timeout in the middle of a fast recovery, neither SACK nor timestamps: Linux's
  // tcp_enter_recovery made an undo record for it (tcp_init_undo, prior_ssthresh and prior_cwnd, for
  // every connection), and tcp_enter_loss from Recovery with high_seq ahead of snd_una, or from Loss
  // after a first timeout (icsk_retransmits), takes no new one. The second timeout runs F-RTO
  // (`new_recovery || icsk_retransmits`), whose proof (tcp_try_undo_loss(sk, true)) gives back the
  // state from before the fast recovery's cut (tcp_undo_cwnd_reduction from prior_ssthresh). Before
  // 2aafdda such a recovery had no record here, and the proof gave nothing back
  it("a timeout in the middle of a fast recovery, timed out again: F-RTO's proof gives back the recovery's cut (Linux's tcp_init_undo at tcp_enter_recovery, kept by tcp_enter_loss)", () => {
    const s = warmReno()
    expect(shape(s.write(1000, T.octets(20 * MSS)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(seg))
    s.send(1020, ack(B + MSS))
    const before = { cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }
    s.send(1021, ack(B + MSS))
    s.send(1022, ack(B + MSS))
    expect(shape(s.send(1023, ack(B + MSS)))[0]).toEqual(seg(1))
    expect([s.snd.recovering, s.snd.cc.cwnd < before.cwnd]).toEqual([true, true])
    // the fast retransmit lost: a timeout from the recovery (no F-RTO: a recovery was under way),
    // then a second one, which runs F-RTO
    const t1 = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(t1))).toEqual([seg(1)])
    expect(s.snd.frto).toBeUndefined()
    const t2 = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(t2))).toEqual([seg(1)])
    expect(s.snd.frto).toBeDefined()
    // step 2.b: the ACK of the resend draws new data; step 3.b: the ACK of the third, sent once
    expect(shape(s.send(t2 + 5, ack(B + 2 * MSS))).every(([seq]) => seq! >= B + 12 * MSS)).toBe(true)
    s.send(t2 + 6, ack(B + 3 * MSS))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(1)
    expect(s.snd.cc.ssthresh).toBe(before.ssthresh)
    expect(s.snd.cc.cwnd).toBeGreaterThanOrEqual(before.cwnd)
  })
})

describe("Eifel detection: an echoed timestamp older than the first retransmission (RFC 3522, as Linux's tcp_packet_delayed)", () => {
  /** a full segment's payload with timestamps on */
  const P = MSS - 12
  const seg = (i: number) => [B + i * P, P]

  it("a fast retransmit for a reordered segment is undone when the original's ACK comes, before any D-SACK", () => {
    const s = warm(undefined, true)
    expect(s.snd.tsOk).toBe(true)
    const before = { cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }
    s.write(1000, T.octets(4 * P))
    // the first held up: three SACKed make it lost, and it goes again at 1020 (timestamp 1020)
    expect(shape(s.send(1020, sackTs(100, 1000, B, [B + P, B + 4 * P])))).toEqual([seg(0)])
    expect(s.snd.cc.cwnd).toBeLessThan(before.cwnd)
    // the original arrives after all: the peer's ACK of everything echoes its timestamp, 1000
    s.send(1022, sackTs(101, 1000, B + 4 * P))
    expect(s.snd.recovering).toBe(false)
    expect([Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).undos]).toEqual([1, 0])
    expect({ cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }).toEqual(before)
  })

  it("the retransmission's own timestamp echoed: it was needed, nothing is undone", () => {
    const s = warm(undefined, true)
    const before = s.snd.cc.cwnd
    s.write(1000, T.octets(4 * P))
    s.send(1020, sackTs(100, 1000, B, [B + P, B + 4 * P]))
    s.send(1040, sackTs(101, 1020, B + 4 * P))
    expect(s.snd.recovering).toBe(false)
    expect([Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).undos]).toEqual([0, 0])
    expect(s.snd.cc.cwnd).toBeLessThan(before)
  })

  it("a timeout: the first ACK after it echoes the original's timestamp, so nothing of the old flight goes again", () => {
    const { before, s, t } = stalled(undefined, true)
    // the ACK of the first segment, for the original sent at 1000: spurious at once, before F-RTO's step 2
    const out = s.send(t + 5, sackTs(100, 1000, B + P))
    expect([Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).spuriousTimeouts]).toEqual([1, 1])
    // (undone before this ACK's own growth, as Linux undoes before tcp_cong_control)
    expect(s.snd.cc.ssthresh).toBe(before.ssthresh)
    expect(s.snd.cc.cwnd).toBeGreaterThanOrEqual(before.cwnd)
    expect(shape(out).every(([seq]) => seq! >= B + 11 * P)).toBe(true)
    // echoing the retransmission (sent at t) instead: F-RTO's step 2, new data, no undo yet
    const other = stalled(undefined, true)
    expect(shape(other.s.send(other.t + 5, sackTs(100, other.t, B + P)))).toEqual([seg(11), seg(12)])
    expect(Sender.counters(other.s.snd).eifelUndos).toBe(0)
  })

  // (undo58) A partial ACK in a SACK recovery whose echo predates the recovery's first resend: the
  // hole was filled by its original. Linux's tcp_fastretrans_alert (TCP_CA_Recovery, FLAG_SND_UNA_ADVANCED)
  // runs tcp_try_undo_partial for SACK connections too: tcp_packet_delayed, tcp_check_sack_reordering
  // from the SND.UNA before the ACK, and with no resend out (retrans_out 0)
  // tcp_undo_cwnd_reduction(sk, true): cwnd max(cwnd, prior_cwnd), ssthresh prior_ssthresh, every
  // LOST mark cleared; LINUX_MIB_TCPPARTIALUNDO; tcp_try_keep_open (Open: nothing SACKed or lost
  // left, nothing resent out). tcp_identify_packet_loss finds nothing, so tcp_time_to_recover starts
  // no recovery, and tcp_cong_control, out of cwnd reduction, grows the window by what the ACK
  // delivered (slow start: 10 + 1). The stack had no SACK partial undo: the recovery went on under
  // PRR, one segment sent
  it("a partial ACK that echoes the original with no resend out undoes the SACK recovery at once: the window back and grown, Open (Linux's tcp_try_undo_partial)", () => {
    const s = warm(undefined, true)
    const before = { cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }
    expect(shape(s.write(1000, T.octets(30 * P)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(seg))
    // the first held up: three SACKed, it goes again at 1020 (PRR: in_flight 6, one to ssthresh 7)
    expect(shape(s.send(1020, sackTs(100, 1000, B, [B + P, B + 4 * P])))).toEqual([seg(0)])
    expect(s.snd.recovering).toBe(true)
    // its original fills the hole: the ACK of four echoes 1000, before the resend; six still out
    // (cwnd max(7, 10) + 1 = 11 over in_flight 6: five new)
    expect(shape(s.send(1025, sackTs(101, 1000, B + 4 * P)))).toEqual([10, 11, 12, 13, 14].map(seg))
    expect(s.snd.recovering).toBe(false)
    expect([Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).undos]).toEqual([1, 0])
    expect(s.snd.cc.ssthresh).toBe(before.ssthresh)
    expect(s.snd.cc.cwnd).toBe(before.cwnd + P)
    // (reordering seen: tcp_check_sack_reordering from the SND.UNA before, B, to SND.UNA: 4 segments)
    expect([s.snd.rack.reordering, s.snd.rack.degree]).toEqual([true, 4])
  })

  // (undo58) The same with a resend still out: tcp_try_undo_partial returns true with retrans_out,
  // so tcp_fastretrans_alert returns before tcp_identify_packet_loss (RACK marks nothing: the 7th
  // segment SACKed above the 6th leaves it unmarked) and before *rexmit = REXMIT_LOST (no resend);
  // tcp_cong_control, still in Recovery, runs PRR (in_flight 9 - (5 SACKed + 1 lost) + 1 resent = 4,
  // delta 3, prr_delivered 6 - prr_out 2 + 1 = 5: sndcnt 3) and tcp_data_snd_check sends new data.
  // tcp_check_sack_reordering(prior_snd_una): fack the highest SACKed, 8 segments above B: degree 8,
  // reordering seen. The stack resent the 6th with the new data, and kept degree 3
  it("a partial ACK that echoes the original with a resend still out stays in the recovery, marks and resends nothing, sends new data and raises the reordering degree (Linux's tcp_try_undo_partial with retrans_out)", () => {
    const s = warm(undefined, true)
    expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
    // the first two held up: both go again at 1020 (in_flight 5, delta 2)
    expect(shape(s.send(1020, sackTs(100, 1000, B, [B + 2 * P, B + 5 * P])))).toEqual([seg(0), seg(1)])
    const cut = s.snd.cc.ssthresh
    // the first's original arrives (echo 1000), the 6th and 8th SACKed, the 7th not: the 2nd's resend is still out
    const out = s.send(1025, sackTs(101, 1000, B + P, [B + 2 * P, B + 6 * P], [B + 7 * P, B + 8 * P]))
    expect(shape(out)).toEqual([10, 11, 12].map(seg))
    expect([s.snd.recovering, s.snd.cc.ssthresh, Sender.counters(s.snd).eifelUndos]).toEqual([true, cut, 0])
    expect([s.snd.rack.reordering, s.snd.rack.degree]).toEqual([true, 8])
  })

  // (review58b) After the hold, reordering is seen (tcp_check_sack_reordering's reord_seen), so in the
  // recovery RACK's window is min RTT / 4 (tcp_rack_reo_wnd), 5 ms here, no longer 0. The next ACK
  // SACKs the 8th: the 7th, sent with it 25 ms before, is within RACK.rtt (25) + 5 ms, so
  // tcp_rack_detect_loss marks nothing and the reordering timer waits 5 + 2 ms. Linux's
  // tcp_xmit_retransmit_queue resends LOST skbs only, so the 7th waits too, and PRR over
  // tcp_packets_in_flight (11 out - (5 SACKed + 1 lost) + 1 resent = 6, delta 1) lets one new
  // segment go; at the timer the 7th is lost and goes. The stack resent the 7th at once, as a hole
  // below the highest SACK (RFC 6675's NextSeg), and took it for lost in pipe
  it("after the hold, reordering seen, the next ACK resends no hole that RACK's window (min RTT / 4) has not marked: it goes at RACK's timer (Linux's tcp_rack_reo_wnd with reord_seen, tcp_xmit_retransmit_queue)", () => {
    const s = warm(undefined, true)
    expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
    expect(shape(s.send(1020, sackTs(100, 1000, B, [B + 2 * P, B + 5 * P])))).toEqual([seg(0), seg(1)])
    // the hold (the 6th SACKed besides): PRR over in_flight 9 - (4 + 1) + 1 = 5, sndcnt min(2, 3 + 1)
    expect(shape(s.send(1025, sackTs(101, 1000, B + P, [B + 2 * P, B + 6 * P])))).toEqual([seg(10), seg(11)])
    expect([s.snd.recovering, s.snd.rack.reordering]).toEqual([true, true])
    expect(shape(s.send(1025, sackTs(102, 1000, B + P, [B + 2 * P, B + 6 * P], [B + 7 * P, B + 8 * P])))).toEqual([seg(12)])
    expect(s.snd.rackAt).toBe(1032)
    expect(shape(s.tick(1031))).toEqual([])
    expect(shape(s.tick(1032))).toEqual([seg(6)])
  })

  // (batch59) The hold inside a batch: Linux's tcp_ack takes the held partial ACK by itself
  // (tcp_try_undo_partial true with retrans_out: tcp_fastretrans_alert returns, REXMIT_NONE;
  // tcp_cong_control's PRR, sndcnt 2) and tcp_data_snd_check sends the 11th and 12th echoing it; the
  // next ACK (the 8th SACKed) sends the 13th echoing itself. The stack left the held ACK's new data to
  // the batch's end (`undoHeld` kept `rackInBatch` out), all of it echoing the last ACK
  it("the hold inside a batch sends its new data at itself, echoing it, as one at a time (Linux's tcp_try_undo_partial, then tcp_data_snd_check per ACK)", () => {
    const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [(T.ourSeq(o) - B) / P, o.options.timestamp?.echo])
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
      expect(shape(s.send(1020, sackTs(100, 1000, B, [B + 2 * P, B + 5 * P])))).toEqual([seg(0), seg(1)])
      const acks = [
        sackTs(101, 1000, B + P, [B + 2 * P, B + 6 * P]),
        sackTs(102, 1000, B + P, [B + 2 * P, B + 6 * P], [B + 7 * P, B + 8 * P])
      ]
      const out = batched ? sent(s.send(1025, ...acks)) : acks.flatMap((a) => sent(s.send(1025, a)))
      return [out, s.snd.recovering, s.snd.rackAt]
    }
    const linux = [[[10, 101], [11, 101], [12, 102]], true, 1032]
    expect(run(false)).toEqual(linux)
    expect(run(true)).toEqual(linux)
  })

  // (ece62) The same with ECE on the held ACK (an ECN connection): Linux's tcp_fastretrans_alert zeroes
  // prior_ssthresh and tcp_try_undo_partial still holds (undo_marker, tcp_packet_delayed, retrans_out),
  // so the state stays Recovery, where an ECE enters no CWR; tcp_cwnd_reduction and
  // tcp_data_snd_check send the 11th (with CWR, the recovery's) and 12th at that ACK, echoing it. The
  // stack's push at the held ACK skipped ECE ACKs, as if a CWR came later in `onAck`: both went at the
  // batch's end, echoing the next ACK
  it("the hold inside a batch with ECE on the held ACK sends its new data at itself too (in Recovery an ECE enters no CWR)", () => {
    const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [(T.ourSeq(o) - B) / P, o.options.timestamp?.echo, (o.flags & CWR) !== 0])
    const run = (batched: boolean) => {
      const s = warm(undefined, true, true)
      expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
      expect(shape(s.send(1020, sackTs(100, 1000, B, [B + 2 * P, B + 5 * P])))).toEqual([seg(0), seg(1)])
      const held = sackTs(101, 1000, B + P, [B + 2 * P, B + 6 * P])
      const acks = [{ ...held, flags: held.flags | ECE }, sackTs(102, 1000, B + P, [B + 2 * P, B + 6 * P], [B + 7 * P, B + 8 * P])]
      const out = batched ? sent(s.send(1025, ...acks)) : acks.flatMap((a) => sent(s.send(1025, a)))
      const c = Sender.counters(s.snd)
      return [out, s.snd.recovering, s.snd.rackAt, c.ecnReductions, c.eifelUndos, s.snd.undo?.nothingBack]
    }
    const linux = [[[10, 101, true], [11, 101, false], [12, 102, false]], true, 1032, 0, 0, true]
    expect(run(false)).toEqual(linux)
    expect(run(true)).toEqual(linux)
  })

  // (undo58) Not delayed (the echo is the resend's): tcp_try_undo_partial does nothing, RACK marks
  // the 7th (window 0: in Recovery, no reordering seen) and PRR sends it first, then new data
  it("a partial ACK that echoes the resend in a SACK recovery undoes nothing: RACK's marks and the resends go on", () => {
    const s = warm(undefined, true)
    expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
    expect(shape(s.send(1020, sackTs(100, 1000, B, [B + 2 * P, B + 5 * P])))).toEqual([seg(0), seg(1)])
    const out = s.send(1025, sackTs(101, 1020, B + P, [B + 2 * P, B + 6 * P], [B + 7 * P, B + 8 * P]))
    expect(shape(out)).toEqual([6, 10, 11, 12].map(seg))
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos]).toEqual([true, 0])
    expect([s.snd.rack.reordering, s.snd.rack.degree]).toEqual([false, 3])
  })

  // (undo58) With ECE on that partial ACK: Linux's tcp_fastretrans_alert zeroes prior_ssthresh first,
  // so tcp_undo_cwnd_reduction gives nothing back (cwnd PRR's 7, ssthresh the cut's) but the recovery
  // ends all the same (tcp_try_keep_open), and tcp_time_to_recover returns before tcp_try_to_open: no
  // CWR for this ECE. Out of cwnd reduction the ACK grows the window (avoidance at ssthresh: less
  // than a segment): one new segment over 6 in flight (test/kernel/ConformanceLoss.test.ts, "with
  // SACK, ECN: a partial ACK that echoes the original with ECE")
  it("a partial ACK that echoes the original with ECE ends the SACK recovery but gives nothing back and cuts nothing (Linux's prior_ssthresh 0)", () => {
    const s = T.established({
      params: { ecn: "accept" },
      peerOptions: { mss: MSS, sackPermitted: true, timestamp: { value: 1, echo: 0 } },
      peerSynFlags: ECE | CWR
    })
    expect([s.snd.sackOk, s.snd.tsOk, s.snd.ecnOk]).toEqual([true, true, true])
    expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
    expect(shape(s.send(1020, sackTs(100, 1000, 0, [P, 4 * P]))).map(([q]) => q)).toEqual([0])
    const cut = s.snd.cc.ssthresh
    const ece = T.fromPeer({ ack: 4 * P, flags: ACK | ECE, options: { sackPermitted: false, timestamp: { value: 101, echo: 1000 } } })
    expect(shape(s.send(1025, ece)).map(([q]) => q)).toEqual([10 * P])
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).ecnReductions, s.snd.cc.ssthresh]).toEqual([false, 1, 0, cut])
    expect(Math.floor(s.snd.cc.cwnd / P)).toBe(7)
  })

  // (undo59) And when RACK, looking again at that ACK (rack.advanced), finds a loss: Linux's
  // tcp_fastretrans_alert starts the new recovery on the same ACK with tcp_enter_recovery(sk,
  // ece_ack), which leaves prior_ssthresh 0, so that recovery's own undo gives nothing back either.
  // Here the 11th, sent at 1022, is SACKed on the ECE's partial ACK: the 6th..10th, sent at 1000,
  // are past RACK's window (min RTT / 4 with reordering seen) and lost: a new recovery, cut again
  // from PRR's window. Its end, echoing the originals' time, undoes it (tcp_try_undo_recovery,
  // tcp_packet_delayed) with nothing back: ssthresh stays the second cut's. The stack's new record
  // (entered at the batch's end, the ECE forgotten) gave back the first cut's ssthresh
  it("a partial ACK with ECE that undoes and whose RACK look starts a new recovery: that recovery's undo gives nothing back either (Linux's tcp_enter_recovery(sk, ece_ack))", () => {
    const s = T.established({
      params: { ecn: "accept" },
      peerOptions: { mss: MSS, sackPermitted: true, timestamp: { value: 1, echo: 0 } },
      peerSynFlags: ECE | CWR
    })
    expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
    expect(shape(s.send(1020, sackTs(100, 1000, 0, [P, 4 * P]))).map(([q]) => q)).toEqual([0])
    expect(shape(s.send(1022, sackTs(101, 1000, 0, [P, 5 * P]))).map(([q]) => q)).toEqual([10 * P])
    const cut = s.snd.cc.ssthresh
    const ece = T.fromPeer({ ack: 5 * P, flags: ACK | ECE, options: { sackPermitted: false, sack: [{ left: ours(10 * P), right: ours(11 * P) }], timestamp: { value: 102, echo: 1000 } } })
    s.send(1030, ece)
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).fastRetransmits]).toEqual([true, 1, 2])
    const second = s.snd.cc.ssthresh
    expect(second).toBeLessThan(cut)
    s.send(1040, sackTs(103, 1000, Seq.sub(s.snd.recover, Seq.add(T.LOCAL_ISN, 1))))
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos]).toEqual([false, 2])
    expect(s.snd.cc.ssthresh).toBe(second)
  })

  // (undo61) The same ECE partial ACK inside a batch, a plain duplicate of it (no ECE) after it:
  // Linux takes each segment by itself, so RACK's look on the ECE's ACK (tcp_identify_packet_loss
  // after tcp_try_undo_partial, rack.advanced) marks the 6th..10th there and tcp_enter_recovery(sk,
  // ece_ack) leaves prior_ssthresh 0; PRR (ssthresh 4, in flight 0, the ACK's two segments
  // delivered) resends the 6th and 7th; the duplicate, in Recovery, delivers nothing and sends
  // nothing. The stack skipped RACK at the ECE's ACK (`rackInBatch` left ECE ACKs to the batch's end)
  // and the duplicate's `onAck` cleared `eceUndone`: the batch's end entered the recovery with a
  // record that gave back the first cut, and resent the 6th alone, echoing the duplicate.
  // (`sent`: the second SACK's time, when the 11th goes)
  const eceThenDup = (batched: boolean, first = 1020, sent11 = 1022) => {
    const s = T.established({
      params: { ecn: "accept" },
      peerOptions: { mss: MSS, sackPermitted: true, timestamp: { value: 1, echo: 0 } },
      peerSynFlags: ECE | CWR
    })
    expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
    expect(shape(s.send(first, sackTs(100, 1000, 0, [P, 4 * P]))).map(([q]) => q)).toEqual([0])
    expect(shape(s.send(sent11, sackTs(101, 1000, 0, [P, 5 * P]))).map(([q]) => q)).toEqual([10 * P])
    const cut = s.snd.cc.ssthresh
    const ece = T.fromPeer({ ack: 5 * P, flags: ACK | ECE, options: { sackPermitted: false, sack: [{ left: ours(10 * P), right: ours(11 * P) }], timestamp: { value: 102, echo: 1000 } } })
    const dup = T.fromPeer({ ack: 5 * P, options: { sackPermitted: false, sack: [{ left: ours(10 * P), right: ours(11 * P) }], timestamp: { value: 103, echo: 1000 } } })
    const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [T.ourSeq(o) / P, o.options.timestamp?.echo])
    const out = batched ? sent(s.send(1030, ece, dup)) : [...sent(s.send(1030, ece)), ...sent(s.send(1030, dup))]
    const entered = [s.snd.recovering, Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).fastRetransmits]
    const second = s.snd.cc.ssthresh
    s.send(1040, sackTs(104, 1000, Seq.sub(s.snd.recover, Seq.add(T.LOCAL_ISN, 1))))
    return { out, entered, second: second < cut, end: [s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh === second] }
  }

  it("an ECE partial ACK that undoes inside a batch, a later ACK after it: RACK's new recovery is entered at the ECE's ACK and gives nothing back (Linux: per segment, tcp_enter_recovery(sk, ece_ack))", () => {
    const linux = eceThenDup(false)
    expect(linux).toEqual({ out: [[5, 102], [6, 102]], entered: [true, 1, 2], second: true, end: [false, 2, true] })
    expect(eceThenDup(true)).toEqual(linux)
  })

  // (undo61) The same with the 11th sent a millisecond after the 6th..10th (both SACKs at 1001):
  // after the undo RACK's window is min RTT / 4 (0.25 ms, reordering seen), so Linux's µs clock marks
  // them at the ECE's ACK as above. The stack's look inside the batch keeps a tick's grace (a send in
  // the SACKed one's tick may be its elder by a hair: `rackInBatch`) and leaves the marks to the batch's
  // end, which resends with the last ACK's echo (the tick's compromise, as for any ACK inside a batch);
  // but the recovery it enters there is the ECE's ACK's, and gives nothing back (`eceUndoCarried`).
  // Without that, the duplicate's turn cleared `eceUndone` and the end gave back the first cut
  it("the same where a tick's grace leaves RACK's marks to the batch's end: that recovery still gives nothing back", () => {
    const linux = eceThenDup(false, 1001, 1001)
    expect(linux).toEqual({ out: [[5, 102], [6, 102]], entered: [true, 1, 2], second: true, end: [false, 2, true] })
    const batched = eceThenDup(true, 1001, 1001)
    expect(batched.out).toEqual([[5, 103]])
    expect([batched.entered, batched.second, batched.end]).toEqual([linux.entered, linux.second, linux.end])
  })

  // (undo61) With the first resend at 1000, the write's own millisecond, the echo is no older than it:
  // no undo, and the ECE's partial ACK is a plain one in the recovery. Linux, in Recovery, takes an ECE
  // ACK as any other but for prior_ssthresh 0 (no CWR is entered in Recovery): RACK marks the 6th..10th
  // (window 0, sent before the 11th) and PRR resends four, echoing that ACK. The stack left every ECE
  // ACK inside a batch to the batch's end (`rackInBatch`'s guard, there for the CWR an ECE enters
  // later in `onAck`, which it does not in a recovery): the same four, echoing the duplicate
  it("an ECE partial ACK inside a batch in a SACK recovery that undoes nothing: its marks and PRR's resends go at it, echoing it, as one at a time", () => {
    const linux = eceThenDup(false, 1000, 1001)
    expect(linux.out).toEqual([[5, 102], [6, 102], [7, 102], [8, 102]])
    expect(linux.entered).toEqual([true, 0, 1])
    expect(eceThenDup(true, 1000, 1001)).toEqual(linux)
  })

  // (ece62) After the carried case above, a later ACK inside the batch with ECE that SACKs what went
  // after the holes (the 12th, sent at 1003): Linux is in Recovery from the first ECE's ACK on (its µs
  // clock marked there), and an ECE in Recovery enters no CWR. Were it Open at that ACK, its order is
  // the same: tcp_fastretrans_alert runs tcp_identify_packet_loss and tcp_time_to_recover →
  // tcp_enter_recovery(sk, ece_ack) before tcp_try_to_open's tcp_enter_cwr. The stack runs RACK's
  // look at that ACK (`rackInBatch`, the carried `eceUndone` lets it past the ECE's exclusion) before
  // its `onEce`: the recovery enters there, nothing back, and no CWR. Cut, `onEce` entered a CWR at it
  // (an ECN reduction Linux never makes) and the batch's end a recovery inside that cut
  it("after the carried case, a later ECE ACK inside the batch whose RACK look marks: the recovery enters there before its ECE's CWR, which never comes (Linux: tcp_fastretrans_alert before tcp_try_to_open)", () => {
    const run = (batched: boolean) => {
      const s = est(undefined, true, true)
      expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
      expect(shape(s.send(1001, sackTs(100, 1000, 0, [P, 4 * P]))).map(([q]) => q)).toEqual([0])
      expect(shape(s.send(1001, sackTs(101, 1000, 0, [P, 5 * P]))).map(([q]) => q)).toEqual([10 * P])
      expect(shape(s.send(1003, sackTs(101, 1000, 0, [P, 6 * P]))).map(([q]) => q)).toEqual([11 * P])
      const cut = s.snd.cc.ssthresh
      const blocks = (n: number) => [{ left: ours(10 * P), right: ours(n * P) }]
      const acks = [
        T.fromPeer({ ack: 6 * P, flags: ACK | ECE, options: { sackPermitted: false, sack: blocks(11), timestamp: { value: 102, echo: 1000 } } }),
        T.fromPeer({ ack: 6 * P, flags: ACK | ECE, options: { sackPermitted: false, sack: blocks(12), timestamp: { value: 103, echo: 1000 } } }),
        T.fromPeer({ ack: 6 * P, options: { sackPermitted: false, sack: blocks(12), timestamp: { value: 104, echo: 1000 } } })
      ]
      const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [T.ourSeq(o) / P, o.options.timestamp?.echo])
      const out = batched ? sent(s.send(1030, ...acks)) : acks.flatMap((a) => sent(s.send(1030, a)))
      const c = Sender.counters(s.snd)
      const entered = [s.snd.recovering, c.eifelUndos, c.fastRetransmits, c.ecnReductions, s.snd.cwr === undefined]
      const second = s.snd.cc.ssthresh
      s.send(1040, sackTs(105, 1000, Seq.sub(s.snd.recover, Seq.add(T.LOCAL_ISN, 1))))
      return { out, entered, second: second < cut, end: [s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh === second] }
    }
    const linux = run(false)
    expect(linux).toEqual({ out: [[6, 102], [7, 102], [8, 103]], entered: [true, 1, 2, 0, true], second: true, end: [false, 2, true] })
    const batched = run(true)
    // (entered at the second ECE's ACK, its PRR window from that ACK's delivery alone: the tick's compromise)
    expect(batched.out).toEqual([[6, 103]])
    expect([batched.entered, batched.second, batched.end]).toEqual([linux.entered, linux.second, linux.end])
  })

  // (ece62) Without any undo: an ECE ACK inside a batch in Open whose RACK look marks. Five segments
  // at 1000, five at 1010; the ACK at 1030 SACKs the 10th only (no three SACKed: RACK alone, its
  // window min RTT / 4 = 5 ms), so the 1st..5th, sent 10 ms before it, are lost. Linux takes that ACK
  // by itself: tcp_fastretrans_alert marks them (tcp_identify_packet_loss) and tcp_time_to_recover →
  // tcp_enter_recovery(sk, ece_ack) comes before tcp_try_to_open's tcp_enter_cwr, so no CWR; PRR
  // (in flight 4 under ssthresh 7, one delivered) resends the 1st, echoing it; the duplicate after it
  // sends nothing. The stack kept ECE ACKs out of `rackInBatch` (for the CWR `onEce` enters later in
  // `onAck`): the ECE entered a CWR, and the batch's end a recovery inside it, whose PRR counted the
  // duplicate's step as a segment delivered: the 1st and 2nd resent, echoing the duplicate
  it("an ECE ACK inside a batch in Open whose RACK look marks: the recovery enters at it, before any CWR, its resend echoing it (Linux's tcp_enter_recovery(sk, ece_ack) before tcp_try_to_open)", () => {
    const run = (batched: boolean, ece: boolean) => {
      const s = warm(undefined, true, true)
      expect(shape(s.write(1000, T.octets(5 * P)))).toHaveLength(5)
      expect(shape(s.write(1010, T.octets(25 * P)))).toHaveLength(5)
      const first = sackTs(101, 1010, B, [B + 9 * P, B + 10 * P])
      const acks = [ece ? { ...first, flags: first.flags | ECE } : first, sackTs(102, 1010, B, [B + 9 * P, B + 10 * P])]
      const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [(T.ourSeq(o) - B) / P, o.options.timestamp?.echo])
      const out = batched ? sent(s.send(1030, ...acks)) : acks.flatMap((a) => sent(s.send(1030, a)))
      const c = Sender.counters(s.snd)
      return { out, state: [s.snd.recovering, c.fastRetransmits, s.snd.undo?.nothingBack === true], cwr: c.ecnReductions }
    }
    // (the same without the ECE, and one at a time: the last ACK of a batch enters no CWR either,
    // its recovery at the batch's end reading its ECE, review62b's `endRackRecovers`)
    expect(run(true, false)).toEqual({ out: [[0, 101]], state: [true, 1, false], cwr: 0 })
    expect(run(false, true)).toEqual({ out: [[0, 101]], state: [true, 1, true], cwr: 0 })
    expect(run(true, true)).toEqual({ out: [[0, 101]], state: [true, 1, true], cwr: 0 })
  })

  // (review62b) The same ECE ACK as a batch's last or only ACK: Linux takes it by itself as above,
  // tcp_identify_packet_loss and tcp_enter_recovery(sk, ece_ack) before tcp_try_to_open, so it enters
  // Recovery and never CWR: one reduction, the recovery's (ssthresh from cwnd once, as without the
  // ECE), prior_ssthresh 0 (nothing back). The stack's `onEce` entered a CWR at that ACK (an ECN
  // reduction counted, `s.cwr` set) and the batch's end's RACK the recovery inside it (`cwrKept`):
  // the same resend, but a reduction Linux never makes. NewReno and CUBIC alike
  it("an ECE ACK alone or last in its batch in Open whose RACK look marks: the recovery, never a CWR (tcp_fastretrans_alert before tcp_try_to_open)", () => {
    const run = (congestion: "newreno" | "cubic", ece: boolean, before: boolean) => {
      const s = warm({ congestion }, true, true)
      expect(shape(s.write(1000, T.octets(5 * P)))).toHaveLength(5)
      expect(shape(s.write(1010, T.octets(25 * P)))).toHaveLength(5)
      const cwnd = s.snd.cc.cwnd
      const ack = sackTs(101, 1010, B, [B + 9 * P, B + 10 * P])
      // (a window update first, from the peer's own data: neither dubious nor a duplicate)
      const acks = [...(before ? [T.fromPeer({ ack: B, seq: 1, payload: T.octets(10), options: { sackPermitted: false, timestamp: { value: 100, echo: 1010 } } })] : []), ece ? { ...ack, flags: ack.flags | ECE } : ack]
      const out = s.send(1030, ...acks).filter((o) => (o.payload?.length ?? 0) > 0).map((o) => [(T.ourSeq(o) - B) / P, o.options.timestamp?.echo])
      const c = Sender.counters(s.snd)
      return { out, state: [s.snd.recovering, c.fastRetransmits, c.ecnReductions, s.snd.cwr === undefined], ssthresh: s.snd.cc.ssthresh, cut: s.snd.cc.ssthresh < cwnd, nothingBack: s.snd.undo?.nothingBack === true }
    }
    for (const cc of ["newreno", "cubic"] as const) {
      for (const before of [false, true]) {
        const plain = run(cc, false, before)
        expect(plain).toMatchObject({ out: [[0, 101]], state: [true, 1, 0, true], cut: true, nothingBack: false })
        expect(run(cc, true, before)).toEqual({ ...plain, nothingBack: true })
      }
    }
  })

  // (ece62) An ECE partial ACK whose undo's re-look marks though it SACKs nothing new: the 8th and
  // 9th (sent at 1000) were marked lost in the recovery (the 10th, sent at 1008, SACKed) and PRR had
  // resent the 5th..7th only. The partial ACK of the 1st..7th echoes the originals' time: nothing
  // resent is left out, so tcp_try_undo_partial undoes (prior_ssthresh 0 for the ECE: nothing back),
  // tcp_undo_cwnd_reduction unmarks LOST and sets rack.advanced, and tcp_identify_packet_loss marks
  // the 8th and 9th again (8 ms before the 10th, past min RTT / 4): tcp_enter_recovery(sk, ece_ack)
  // on that ACK, PRR resending both echoing it; the duplicate after it sends nothing. The stack's look
  // at that ACK inside a batch is `rackInBatch`'s `eceUndone` term (no new SACK, out of a recovery):
  // cut, the batch's end entered the recovery after the duplicate's turn cleared `eceUndone`, its
  // record gave back the first cut, and it resent the 8th alone, echoing the duplicate
  it("an ECE partial ACK whose undo's re-look marks without new SACK blocks, inside a batch: the recovery enters at it, nothing back (tcp_undo_cwnd_reduction's rack.advanced)", () => {
    const run = (batched: boolean) => {
      const s = est(undefined, true, true)
      expect(shape(s.write(1000, T.octets(9 * P)))).toHaveLength(9)
      expect(shape(s.write(1008, T.octets(20 * P))).map(([q]) => q)).toEqual([9 * P])
      expect(shape(s.send(1020, sackTs(100, 1000, 0, [P, 4 * P]))).map(([q]) => q)).toEqual([0])
      expect(shape(s.send(1021, sackTs(101, 1008, 0, [P, 4 * P], [9 * P, 10 * P]))).map(([q]) => q / P)).toEqual([4, 5, 6])
      const cut = s.snd.cc.ssthresh
      const blocks = [{ left: ours(9 * P), right: ours(10 * P) }]
      const acks = [
        T.fromPeer({ ack: 7 * P, flags: ACK | ECE, options: { sackPermitted: false, sack: blocks, timestamp: { value: 102, echo: 1000 } } }),
        T.fromPeer({ ack: 7 * P, options: { sackPermitted: false, sack: blocks, timestamp: { value: 103, echo: 1000 } } })
      ]
      const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [T.ourSeq(o) / P, o.options.timestamp?.echo])
      const out = batched ? sent(s.send(1030, ...acks)) : acks.flatMap((a) => sent(s.send(1030, a)))
      const c = Sender.counters(s.snd)
      const entered = [s.snd.recovering, c.eifelUndos, c.fastRetransmits, c.ecnReductions]
      const second = s.snd.cc.ssthresh
      s.send(1040, sackTs(104, 1000, Seq.sub(s.snd.recover, Seq.add(T.LOCAL_ISN, 1))))
      return { out, entered, second: second < cut, end: [s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh === second] }
    }
    const linux = run(false)
    expect(linux).toEqual({ out: [[7, 102], [8, 102]], entered: [true, 1, 2, 0], second: true, end: [false, 2, true] })
    expect(run(true)).toEqual(linux)
  })
})

describe("Eifel detection without SACK: timestamps alone show a retransmission was not needed (RFC 3522 asks no SACK; Linux's tcp_try_undo_loss, tcp_try_undo_recovery)", () => {
  const P = MSS - 12
  const seg = (i: number) => [B + i * P, P]
  /** The peer's ACK of `ack` octets, its clock `value`, echoing our `echo`: no SACK blocks. */
  const tsAck = (value: number, echo: number, ack: number) =>
    T.fromPeer({ ack, options: { sackPermitted: false, timestamp: { value, echo } } })
  /** `warm` on a connection whose peer offered timestamps but not SACK. */
  const warmNoSack = () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false, timestamp: { value: 1, echo: 0 } } })
    expect([s.snd.sackOk, s.snd.tsOk]).toEqual([false, true])
    for (let i = 0; i < B; i++) {
      s.write(40 * i, "x")
      s.send(40 * i + 20, tsAck(2 + i, 40 * i, i + 1))
    }
    return s
  }

  it("a timeout: the ACK of everything echoes the original's timestamp, so its cut is undone", () => {
    const s = warmNoSack()
    const before = { cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }
    expect(shape(s.write(1000, T.octets(3 * P)))).toEqual([0, 1, 2].map(seg))
    const t = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(t))).toEqual([seg(0)])
    expect(s.snd.cc.cwnd).toBeLessThan(before.cwnd)
    // the originals arrived; the peer's ACK was held up, and echoes the first original's time, 1000
    s.send(t + 5, tsAck(100, 1000, B + 3 * P))
    expect([Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).spuriousTimeouts]).toEqual([1, 1])
    expect(s.snd.cc.ssthresh).toBe(before.ssthresh)
    expect(s.snd.cc.cwnd).toBeGreaterThanOrEqual(before.cwnd)
  })

  it("a NewReno fast retransmit for a reordered segment: the full ACK echoes the original's timestamp, the cut is undone", () => {
    const s = warmNoSack()
    const before = { cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }
    s.write(1000, T.octets(6 * P))
    s.send(1020, tsAck(100, 1000, B))
    s.send(1021, tsAck(101, 1000, B))
    expect(shape(s.send(1022, tsAck(102, 1000, B)))).toEqual([seg(0)])
    expect(s.snd.recovering).toBe(true)
    expect(s.snd.cc.cwnd).toBeLessThan(before.cwnd)
    // (all six were out: this ACK is the recovery point itself, where Linux undoes and then holds
    // Recovery, tcp_try_undo_recovery; the ACK past it ends it, PRR's window kept: below, reno52)
    s.send(1024, tsAck(103, 1000, B + 6 * P))
    expect(s.snd.recovering).toBe(true)
    expect(Sender.counters(s.snd).eifelUndos).toBe(1)
    expect({ cwnd: s.snd.cc.cwnd, ssthresh: s.snd.cc.ssthresh }).toEqual(before)
  })

  /** No SACK, timestamps, nothing written yet, no warm-up (cwnd 10, quick ACKs off). */
  const renoTs = () =>
    T.established({
      params: { quickAcks: 0 },
      peerOptions: { mss: MSS, sackPermitted: false, timestamp: { value: 1, echo: 0 } },
      peerWindow: 65535
    })
  const at0 = (i: number) => [i * P, P]

  // (reno52) Linux 6.18 undoes a Reno recovery at the recovery point when the echo shows the
  // retransmission needless (tcp_try_undo_recovery: tcp_may_undo, tcp_packet_delayed's echo before
  // retrans_stamp; 6.16's "fix tcp_packet_delayed() for tcp_is_non_sack_preventing_reopen()" only
  // stops an undo where retrans_stamp is 0), but tcp_undo_cwnd_reduction gives back ssthresh and then
  // the connection holds Recovery there (tcp_is_non_sack_preventing_reopen): tcp_cong_control runs
  // tcp_cwnd_reduction for the ACK with the ssthresh given back, cwnd = in_flight + max(prr_delivered
  // - prr_out, newly) + 1, not the window from before. Undo_marker is 0 after it, so the ACK past the
  // recovery point sets Open without cwnd = ssthresh (tcp_end_cwnd_reduction) and slow start grows it.
  // The stack ended the recovery and gave the window back whole: ten segments where Linux sends eight
  // (test/kernel/ConformanceLoss.test.ts, "without SACK, the undo at the recovery point itself")
  it("the ACK of the recovery point itself echoes the original: ssthresh is given back and the recovery holds, cwnd PRR's (Linux's tcp_try_undo_recovery, then tcp_cwnd_reduction)", () => {
    const s = renoTs()
    const before = s.snd.cc.ssthresh
    expect(shape(s.write(1000, T.octets(10 * P)))).toHaveLength(10)
    expect(shape(s.send(1020, tsAck(100, 1000, 0)))).toEqual([])
    expect(shape(s.send(1021, tsAck(101, 1000, 0)))).toEqual([])
    expect(shape(s.send(1022, tsAck(102, 1000, 0)))).toEqual([at0(0)])
    // prr_delivered 1 + max(10 - 3, 1) = 8, prr_out 1, in_flight 0: cwnd 0 + max(7, 7) + 1 = 8
    expect(shape(s.send(1030, tsAck(103, 1000, 10 * P)))).toEqual([])
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh]).toEqual([true, 1, before])
    expect(shape(s.write(1031, T.octets(30 * P)))).toEqual([10, 11, 12, 13, 14, 15, 16, 17].map(at0))
    // the ACK of two of them: Open, cwnd 8 (no cwnd = ssthresh: the undo took undo_marker), + 2 in
    // slow start = 10 over 6 in flight: four go
    expect(shape(s.send(1040, tsAck(104, 1031, 12 * P)))).toEqual([18, 19, 20, 21].map(at0))
    expect(s.snd.recovering).toBe(false)
  })

  // (reno52) The hold's undo and an ACK past the recovery point in one batch: the window PRR set at
  // the hold (in_flight 2 + max(10 - 3, 7) + 1 = 10, Linux's tcp_cwnd_reduction for that ACK) is what
  // the second keeps and grows (Open, slow start: 11 over 1 in flight), as one at a time
  it("the undo at the recovery point and an ACK past it in one batch send what they send one at a time", () => {
    const run = (batched: boolean) => {
      const s = renoTs()
      expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
      expect(shape(s.send(1020, tsAck(100, 1000, 0)))).toEqual([at0(10)])
      expect(shape(s.send(1021, tsAck(101, 1000, 0)))).toEqual([at0(11)])
      expect(shape(s.send(1022, tsAck(102, 1000, 0)))).toEqual([at0(0)])
      expect(shape(s.send(1023, tsAck(103, 1000, 0)))).toEqual([at0(12)])
      expect(shape(s.send(1024, tsAck(104, 1000, 0)))).toEqual([at0(13)])
      const hold = tsAck(105, 1000, 12 * P)
      const past = tsAck(106, 1024, 13 * P)
      return batched ? [shape(s.send(1030, hold, past))] : [shape(s.send(1030, hold)), shape(s.send(1030, past))]
    }
    const seq = run(false)
    expect(seq).toEqual([[14, 15, 16, 17, 18, 19, 20, 21].map(at0), [22, 23].map(at0)])
    expect(run(true)).toEqual([seq.flat()])
  })

  // (reno52) A partial ACK whose echo predates the recovery's first retransmission: the hole was
  // filled by the original, and with no resend left out Linux undoes at once (tcp_try_undo_partial:
  // tcp_undo_cwnd_reduction, then tcp_try_keep_open: Disorder while duplicates stay counted), grows
  // cwnd by what the ACK delivered (tcp_cong_control out of cwnd reduction: tcp_cong_avoid, one
  // segment here) and sends new data over in_flight = packets_out - sacked_out; no loss is marked
  // (tcp_newreno_mark_lost in Disorder asks sacked_out >= reordering: 2 < 3). The next duplicate
  // makes the count 3: a new recovery, cut from the window given back. The stack took it for a plain
  // partial ACK: the hole marked lost, nothing sent (test/kernel/ConformanceLoss.test.ts, "without
  // SACK, a partial ACK that echoes the original undoes the recovery")
  it("a partial ACK that echoes the original undoes the recovery at once: the window back, one segment grown, new data over the duplicates still counted (Linux's tcp_try_undo_partial, tcp_try_keep_open)", () => {
    const s = renoTs()
    const before = s.snd.cc.ssthresh
    expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
    expect(shape(s.send(1020, tsAck(100, 1000, 0)))).toEqual([at0(10)])
    expect(shape(s.send(1021, tsAck(101, 1000, 0)))).toEqual([at0(11)])
    expect(shape(s.send(1022, tsAck(102, 1000, 0)))).toEqual([at0(0)])
    // delivered max(2 - 3, 1) = 1, sacked_out 3 - 1 = 2: cwnd 10 + 1 = 11, in_flight 10 - 2 = 8: three go
    expect(shape(s.send(1030, tsAck(103, 1000, 2 * P)))).toEqual([at0(12), at0(13), at0(14)])
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh, s.snd.renoSacked]).toEqual([false, 1, before, 2])
    expect(s.snd.cc.cwnd).toBe(11 * P)
    // the next duplicate: sacked_out 3, the head lost, a new recovery (ssthresh 0.7 x 11), its resend
    expect(shape(s.send(1031, tsAck(104, 1030, 2 * P)))).toEqual([at0(2)])
    expect([s.snd.recovering, Sender.counters(s.snd).fastRetransmits]).toEqual([true, 2])
  })

  // (reno52) The same with seven duplicates: the partial ACK leaves six counted, at tp->reordering
  // or more, so Linux's tcp_newreno_mark_lost (Disorder: sacked_out >= reordering) marks the new head
  // lost and tcp_time_to_recover starts a new recovery on the same ACK, cut from the window given
  // back (10, not grown: tcp_cong_control runs tcp_cwnd_reduction in Recovery, no tcp_cong_avoid).
  // Linux: the head resent at once (TCP_INFO: CA_Recovery, ssthresh 7, cwnd 6), a new segment at the
  // next duplicate
  /** `renoTs` with ECN negotiated (the peer's SYN asked with ECE and CWR). */
  const renoTsEcn = () =>
    T.established({
      params: { quickAcks: 0, ecn: "accept" },
      peerOptions: { mss: MSS, sackPermitted: false, timestamp: { value: 1, echo: 0 } },
      peerSynFlags: ECE | CWR,
      peerWindow: 65535
    })
  const tsEce = (value: number, echo: number, ack: number) =>
    T.fromPeer({ ack, flags: ACK | ECE, options: { sackPermitted: false, timestamp: { value, echo } } })

  // (review52a) An ECE on the partial ACK that echoes the original: Linux's tcp_fastretrans_alert
  // zeroes prior_ssthresh first ("ECE, hence prohibit cwnd undoing"), so tcp_try_undo_partial's
  // tcp_undo_cwnd_reduction gives back neither cwnd nor ssthresh and withdraws no CWR, yet clears
  // undo_marker and tcp_try_keep_open leaves Recovery for Disorder; the function returns before
  // tcp_try_to_open, so this ECE enters no CWR. cwnd stays PRR's 9 (in_flight 8 + 1), in_flight
  // 10 - 2 = 8: one new segment, with CWR. The stack gave the window back whole and cut it again for
  // the ECE (cwnd 7): nothing (test/kernel/ConformanceLoss.test.ts, "without SACK, ECN: a partial ACK")
  it("ECN: a partial ACK that echoes the original with ECE ends the recovery but gives nothing back: PRR's window, the cut's ssthresh, no second cut (Linux's prior_ssthresh 0)", () => {
    const s = renoTsEcn()
    expect(s.snd.ecnOk).toBe(true)
    expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
    expect(shape(s.send(1020, tsAck(100, 1000, 0)))).toEqual([at0(10)])
    expect(shape(s.send(1021, tsAck(101, 1000, 0)))).toEqual([at0(11)])
    expect(shape(s.send(1022, tsAck(102, 1000, 0)))).toEqual([at0(0)])
    const cut = s.snd.cc.ssthresh
    const out = s.send(1030, tsEce(103, 1000, 2 * P))
    expect(shape(out)).toEqual([at0(12)])
    expect((out[0]!.flags & CWR) !== 0).toBe(true)
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh, s.snd.cc.cwnd]).toEqual([false, 1, cut, 9 * P])
  })

  // (review52a) The ECE on the third duplicate, which starts the recovery: Linux's
  // tcp_enter_recovery(ece_ack) leaves prior_ssthresh 0 but sets undo_marker (tcp_init_undo), so a
  // partial ACK's old echo still undoes (tcp_try_undo_partial), giving nothing back: Disorder, cwnd
  // PRR's 9, one new segment. The stack dropped its undo record at the ECE and took the partial ACK
  // for a plain one: nothing sent (test/kernel/ConformanceLoss.test.ts, "an ECE in the recovery")
  it("ECN: an ECE earlier in the recovery leaves the echo's undo of a partial ACK, with nothing given back (Linux's undo_marker kept)", () => {
    const s = renoTsEcn()
    expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
    expect(shape(s.send(1020, tsAck(100, 1000, 0)))).toEqual([at0(10)])
    expect(shape(s.send(1021, tsAck(101, 1000, 0)))).toEqual([at0(11)])
    expect(shape(s.send(1022, tsEce(102, 1000, 0)))).toEqual([at0(0)])
    const cut = s.snd.cc.ssthresh
    expect(shape(s.send(1030, tsAck(103, 1000, 2 * P)))).toEqual([at0(12)])
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh, s.snd.cc.cwnd]).toEqual([false, 1, cut, 9 * P])
  })

  // (undo61) Seven duplicates, then the partial ACK that echoes the original with ECE: undone with
  // nothing given back (cwnd PRR's, ssthresh the cut's), six duplicates left counted, so Linux's
  // tcp_newreno_mark_lost (Disorder) marks the new head and tcp_enter_recovery(sk, ece_ack) starts a
  // recovery on the same ACK with prior_ssthresh 0. Its end past its recovery point, echoing the new
  // head's original (older than its resend), undoes it with nothing given back (tcp_try_undo_recovery;
  // undo_marker 0, so tcp_end_cwnd_reduction leaves PRR's window): six new segments. The stack's
  // record for that recovery (entered in `onAckLosses`, the ECE taken by `undoPartial`, no `onEce` to
  // drop it) gave back the first cut: seven (test/kernel/ConformanceLoss.test.ts, "without SACK, ECN:
  // a partial ACK that echoes the original with ECE, the count left at the threshold")
  it("ECN: a partial ACK that echoes the original with ECE, the count left at the threshold: the new recovery on that ACK gives nothing back either (Linux's tcp_enter_recovery(sk, ece_ack))", () => {
    const s = renoTsEcn()
    expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
    const dups = [0, 1, 2, 3, 4, 5, 6].flatMap((i) => shape(s.send(1020 + i, tsAck(100 + i, 1000, 0))))
    expect(dups).toEqual([at0(10), at0(11), at0(0), at0(12), at0(13)])
    const cut = s.snd.cc.ssthresh
    expect(shape(s.send(1030, tsEce(107, 1000, 2 * P)))).toEqual([at0(2)])
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).fastRetransmits]).toEqual([true, 1, 2])
    const second = s.snd.cc.ssthresh
    expect(second).toBeLessThan(cut)
    expect(shape(s.send(1031, tsAck(108, 1000, 2 * P)))).toEqual([at0(14)])
    // (past the recovery point, SND.MAX at the entry: the 15th's end)
    const out = shape(s.send(1040, tsAck(109, 1000, 15 * P)))
    expect(out).toEqual([15, 16, 17, 18, 19, 20].map(at0))
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh]).toEqual([false, 2, second])
  })

  // (review52a) The undo at the recovery point itself on an ACK with ECE: no ssthresh given back,
  // so the hold's PRR works from the cut's 7 (cwnd 0 + min(7, 8) = 7, Linux's tcp_cwnd_reduction),
  // and the CWR the recovery queued is not withdrawn (test/kernel/ConformanceLoss.test.ts, "the
  // undo at the recovery point itself with ECE")
  it("ECN: the undo at the recovery point with ECE gives back no ssthresh: the hold's PRR under the cut, CWR still due", () => {
    const s = renoTsEcn()
    expect(shape(s.write(1000, T.octets(10 * P)))).toHaveLength(10)
    expect(shape(s.send(1020, tsAck(100, 1000, 0)))).toEqual([])
    expect(shape(s.send(1021, tsAck(101, 1000, 0)))).toEqual([])
    expect(shape(s.send(1022, tsAck(102, 1000, 0)))).toEqual([at0(0)])
    const cut = s.snd.cc.ssthresh
    expect(shape(s.send(1030, tsEce(103, 1000, 10 * P)))).toEqual([])
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh]).toEqual([true, 1, cut])
    const out = s.write(1031, T.octets(30 * P))
    expect(shape(out)).toEqual([10, 11, 12, 13, 14, 15, 16].map(at0))
    expect((out[0]!.flags & CWR) !== 0).toBe(true)
  })

  // (undo53; review52a's left item) An ECE in the recovery (on the duplicate that starts it: Linux's
  // tcp_enter_recovery(ece_ack) leaves prior_ssthresh 0, undo_marker set), the ACK of the recovery
  // point itself lost, and the next, past it, echoes the first segment's original: Linux's
  // tcp_try_undo_recovery undoes (tcp_packet_delayed) giving nothing back, clears undo_marker and sets
  // Open (SND.UNA past high_seq: no hold), so tcp_end_cwnd_reduction leaves cwnd as PRR's last
  // tcp_cwnd_reduction set it, 9 (in_flight 8 + ceil(7 × 3 / 10) - 2), not ssthresh 7; tcp_cong_avoid
  // then grows nothing for the 8 segments delivered (CUBIC's epoch begins at 9 below W_max 10: a
  // target of 10, cnt 9). Eight new segments go over the one still out. The stack kept the record only
  // in `Prr.cutKept`, ended the recovery with cwnd = ssthresh 7, grown to 8: seven went
  it("ECN: an ECE earlier in the recovery, the hold's ACK lost, the ACK past the recovery point echoing the original: undone with nothing given back, PRR's window kept (Linux's undo_marker 0 at tcp_end_cwnd_reduction)", () => {
    const s = T.established({
      params: { quickAcks: 0, ecn: "accept" },
      peerOptions: { mss: MSS, sackPermitted: false, timestamp: { value: 1, echo: 0 } },
      peerSynFlags: ECE | CWR,
      peerWindow: 65535
    })
    expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
    expect(shape(s.send(1020, tsAck(100, 1000, 0)))).toEqual([at0(10)])
    expect(shape(s.send(1021, tsAck(101, 1000, 0)))).toEqual([at0(11)])
    expect(shape(s.send(1022, tsEce(102, 1000, 0)))).toEqual([at0(0)])
    expect(shape(s.send(1023, tsAck(103, 1000, 0)))).toEqual([at0(12)])
    expect(shape(s.send(1024, tsAck(104, 1000, 0)))).toEqual([at0(13)])
    expect([s.snd.cc.ssthresh, s.snd.prr?.wnd]).toEqual([7 * P, 9 * P])
    // (the ACK of 12 segments, the recovery point, lost)
    const out = s.send(1030, tsAck(105, 1000, 13 * P))
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh, s.snd.cc.cwnd]).toEqual([false, 1, 7 * P, 9 * P])
    expect(shape(out)).toEqual([14, 15, 16, 17, 18, 19, 20, 21].map(at0))
  })

  // (undo56, review55a's left item) A recovery entered during an ECN cut keeps an undo record that
  // gives nothing back (`Undo.nothingBack`: tcp_enter_recovery in CWR leaves prior_ssthresh 0). A
  // timeout at its hold is no longer that recovery's: Linux's tcp_enter_loss finds high_seq not after
  // snd_una and takes a record of its own (prior_ssthresh tcp_current_ssthresh, in Recovery the
  // cut's 7; prior_cwnd PRR's 7; tcp_init_undo), so the echo that shows the timeout needless
  // (tcp_try_undo_loss) gives back the hold's window: ssthresh 7, cwnd 7, not the timeout's 4 and 1
  it("ECN: a timeout at the hold of a recovery entered during the cut takes a record of its own: the echo's undo gives back the hold's window (Linux's tcp_enter_loss: high_seq not after snd_una)", () => {
    const s = renoTsEcn()
    expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
    s.send(1020, tsEce(100, 1000, P))
    s.send(1021, tsAck(101, 1000, P))
    s.send(1022, tsAck(102, 1000, P))
    s.send(1023, tsAck(103, 1000, P))
    expect([s.snd.recovering, s.snd.undo?.nothingBack]).toEqual([true, true])
    // (the cut's PRR: the resend waits for its window)
    expect(shape(s.send(1024, tsAck(104, 1000, P)))).toEqual([])
    expect(shape(s.send(1025, tsAck(105, 1000, P)))).toEqual([at0(1)])
    s.send(1026, tsAck(106, 1000, P))
    // the hold: SND.UNA at the cut's point, the echo the resend's (no undo)
    expect(shape(s.send(1040, tsAck(107, 1026, 10 * P)))).toHaveLength(3)
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.prr?.wnd]).toEqual([true, 0, 7 * P])
    const t = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(t))).toEqual([at0(10)])
    expect([s.snd.cc.ssthresh, s.snd.undo?.nothingBack]).toEqual([4 * P, undefined])
    // the ACK of two echoes the tenth's original: undone, the hold's window back
    s.send(t + 20, tsAck(108, 1020, 12 * P))
    expect([Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh, s.snd.cc.cwnd]).toEqual([1, 7 * P, 7 * P])
  })

  it("a partial ACK that echoes the original with the count left at the threshold: undone, and a new recovery on the same ACK, cut from the window given back", () => {
    const s = renoTs()
    expect(shape(s.write(1000, T.octets(30 * P)))).toHaveLength(10)
    expect(shape(s.send(1020, tsAck(100, 1000, 0)))).toEqual([at0(10)])
    expect(shape(s.send(1021, tsAck(101, 1000, 0)))).toEqual([at0(11)])
    expect(shape(s.send(1022, tsAck(102, 1000, 0)))).toEqual([at0(0)])
    for (let t = 1023; t <= 1026; t++) s.send(t, tsAck(100 + t - 1020, 1000, 0))
    expect(shape(s.send(1030, tsAck(110, 1000, 2 * P)))).toEqual([at0(2)])
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).fastRetransmits]).toEqual([true, 1, 2])
    expect([s.snd.cc.ssthresh, s.snd.cc.wMax]).toEqual([7 * P, 10 * P])
  })

  it("the retransmission's own timestamp echoed: it was needed, nothing is undone", () => {
    const s = warmNoSack()
    const before = s.snd.cc.cwnd
    s.write(1000, T.octets(6 * P))
    for (const at of [1020, 1021, 1022]) s.send(at, tsAck(100, 1000, B))
    s.send(1040, tsAck(103, 1022, B + 6 * P))
    expect(Sender.counters(s.snd).eifelUndos).toBe(0)
    expect(s.snd.cc.cwnd).toBeLessThan(before)
  })
})

describe("the undo record's ssthresh is Linux's prior_ssthresh (tcp_current_ssthresh, tcp_undo_cwnd_reduction)", () => {
  // 1000-octet segments: the peer's MSS 1012 less the timestamps option
  const P = 1000
  const at = (i: number) => [i * P, P]
  const tsAck = (value: number, echo: number, ack: number) =>
    T.fromPeer({ ack, options: { sackPermitted: false, timestamp: { value, echo } } })
  const conn = (congestion: "newreno" | "cubic") =>
    T.established({
      params: { quickAcks: 0, congestion, hystart: false },
      peerOptions: { mss: 1012, sackPermitted: false, timestamp: { value: 1, echo: 0 } },
      peerWindow: 65535
    })

  /**
   * The earlier loss of test/kernel/ConformanceLoss.test.ts's script ("Reno: the undo at the recovery
   * point after an earlier loss"): the first of ten lost, three duplicates, the ACK of the recovery point
   * echoing the resend (no undo), the ACK past it; then one ACK a segment, the window full, until cwnd is
   * `segs` segments. The socket, the clock, the next segment to acknowledge, and when each went.
   */
  const grown = (congestion: "newreno" | "cubic", segs: number) => {
    const s = conn(congestion)
    const sentAt = new Map<number, number>()
    const note = (t: number, out: ReadonlyArray<OutSegment>) => {
      for (const o of out) if (!sentAt.has(T.ourSeq(o))) sentAt.set(T.ourSeq(o), t)
      return shape(out)
    }
    expect(note(1000, s.write(1000, T.octets(200 * P)))).toHaveLength(10)
    expect(note(1020, s.send(1020, tsAck(100, 1000, 0)))).toEqual([at(10)])
    expect(note(1021, s.send(1021, tsAck(101, 1000, 0)))).toEqual([at(11)])
    expect(note(1022, s.send(1022, tsAck(102, 1000, 0)))).toEqual([at(0)])
    const cut = congestion === "newreno" ? 5 : 7
    expect(s.snd.cc.ssthresh).toBe(cut * P)
    // the hold: PRR's window under the cut, no undo (the echo is the resend's)
    expect(note(1030, s.send(1030, tsAck(103, 1022, 12 * P)))).toHaveLength(cut)
    let t = 1040
    let next = 13
    for (; next < 200 && (s.snd.recovering || s.snd.cc.cwnd < segs * P); next++, t += 10) note(t, s.send(t, tsAck(100 + next, t - 10, next * P)))
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.cwnd, s.snd.cc.ssthresh]).toEqual([false, 0, segs * P, cut * P])
    // (the window full: `segs` segments out from the next to acknowledge)
    expect(Seq.sub(s.snd.sndMax, s.snd.sndUna)).toBe(segs * P)
    return { s, t, next: next - 1, sentAt, note }
  }

  // Reno: ssthresh 5 after the earlier loss, cwnd grown to 8 in congestion avoidance. The reordering's
  // recovery (tcp_enter_recovery, Disorder: no cwnd reduction, no ECE) saves prior_ssthresh = max(5,
  // 4 + 2) = 6 and cuts to 4; the ACK of the recovery point echoing the late segment's original undoes
  // (tcp_try_undo_recovery: 6 > 4, given back) and holds Recovery, whose tcp_cwnd_reduction sets cwnd =
  // in_flight 0 + min(6, max(prr_delivered 8 - prr_out 1, newly 7) + 1): six go (Linux's, in the script).
  // The record saved ssthresh as it was: five went
  it("NewReno: the hold's undo after an earlier loss gives back max(ssthresh, 3/4 cwnd): six go, not five", () => {
    const { s, t, next, sentAt, note } = grown("newreno", 8)
    const late = next
    expect(note(t + 20, s.send(t + 20, tsAck(300, t, late * P)))).toEqual([at(late + 8)])
    expect(note(t + 21, s.send(t + 21, tsAck(301, t, late * P)))).toEqual([at(late + 9)])
    expect(note(t + 22, s.send(t + 22, tsAck(302, t, late * P)))).toEqual([at(late)])
    expect(s.snd.cc.ssthresh).toBe(4 * P)
    const out = s.send(t + 30, tsAck(303, sentAt.get(late * P)!, (late + 10) * P))
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh]).toEqual([true, 1, 6 * P])
    expect(shape(out)).toEqual([10, 11, 12, 13, 14, 15].map((i) => at(late + i)))
    // past it: Open with PRR's 6 (the undo took undo_marker), congestion avoidance: two go
    expect(shape(s.send(t + 40, tsAck(304, t + 30, (late + 12) * P)))).toEqual([at(late + 16), at(late + 17)])
  })

  // CUBIC: ssthresh 7 after the earlier loss, cwnd grown back to 12. prior_ssthresh = max(7, 6 + 3) = 9,
  // the cut 8 (12 × 717 / 1024); the undo gives back 9 as it is larger, and the hold's PRR sends 9. The
  // record saved 7 and put it back exactly, below the cut's own 8: seven went
  it("CUBIC: the hold's undo after an earlier loss gives back max(ssthresh, 3/4 cwnd), never less than the cut: nine go, not seven", () => {
    const { s, t, next, sentAt, note } = grown("cubic", 12)
    const late = next
    note(t + 20, s.send(t + 20, tsAck(300, t, late * P)))
    note(t + 21, s.send(t + 21, tsAck(301, t, late * P)))
    expect(note(t + 22, s.send(t + 22, tsAck(302, t, late * P)))).toEqual([at(late)])
    expect(s.snd.cc.ssthresh).toBe(8 * P)
    const out = s.send(t + 30, tsAck(303, sentAt.get(late * P)!, (late + 14) * P))
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos, s.snd.cc.ssthresh]).toEqual([true, 1, 9 * P])
    expect(shape(out)).toHaveLength(9)
  })
})

describe("Proportional Rate Reduction in SACK recovery (RFC 6937)", () => {
  it("with pipe above ssthresh, each ACK lets out what the peer received times ssthresh / RecoverFS, from the first ACK on (not a pause until pipe falls below cwnd)", () => {
    const s = warm()
    // slow start, cwnd-limited: each ACK of one segment lets two more go
    s.write(1000, T.octets(100 * MSS))
    for (let i = 1; i <= 15; i++) s.send(1020 + i, sackOf(B + i * MSS))
    const base = B + 15 * MSS
    const sent = Seq.sub(s.snd.sndMax, s.snd.sndUna) / MSS
    expect(sent).toBeGreaterThanOrEqual(20)
    // the first of the flight lost; the peer SACKs the others one ACK at a time; the first two such
    // duplicates each let one new segment go (RFC 3042 limited transmit)
    const sack = (n: number) => sackOf(base, [base + MSS, base + (n + 1) * MSS])
    expect(shape(s.send(1120, sack(1)))).toEqual([[base + sent * MSS, MSS]])
    expect(shape(s.send(1121, sack(2)))).toEqual([[base + (sent + 1) * MSS, MSS]])
    const flight = sent + 2
    // the third SACKed segment makes the first lost (RFC 6675 IsLost): fast retransmit
    const cwndBefore = s.snd.cc.cwnd
    expect(shape(s.send(1122, sack(3)))).toEqual([[base, MSS]])
    const prr = s.snd.prr!
    // (the window before the cut, as Linux's prior_cwnd, not the flight with limited transmit's two)
    expect(prr.recoverFs).toBe(Math.floor(cwndBefore))
    expect(cwndBefore).toBeLessThan(flight * MSS)
    const ssthresh = s.snd.cc.ssthresh
    let delivered = MSS
    let first = true
    let n = 4
    for (; n < flight; n++) {
      const out = s.send(1122 + n, sack(n))
      delivered += MSS
      if (Scoreboard.pipe(s.snd.board, s.snd.sndUna, s.snd.sndMax, s.snd.highRxt) <= ssthresh) break
      // RFC 6937: prr_out follows ceil(prr_delivered × ssthresh / RecoverFS), in whole segments
      expect(s.snd.prr!.delivered).toBe(delivered)
      expect(s.snd.prr!.out).toBe(Math.ceil((delivered * ssthresh) / prr.recoverFs / MSS) * MSS)
      if (first) {
        // the ACK after the fast retransmit already sends new data, while pipe (above ssthresh,
        // and so above the cut cwnd) would have held RFC 6675's rule silent
        expect(shape(out)).toEqual([[base + flight * MSS, MSS]])
        first = false
      }
    }
    expect(first).toBe(false)
    // below ssthresh (PRR-SSRB): each ACK brings pipe back up to ssthresh, a segment or two at a time
    const pipeNow = () => Scoreboard.pipe(s.snd.board, s.snd.sndUna, s.snd.sndMax, s.snd.highRxt)
    expect(n).toBeLessThan(flight - 3)
    for (const end = n + 3; ++n <= end;) {
      const before = pipeNow()
      const out = s.send(1200 + n, sack(n))
      expect(out.length).toBeLessThanOrEqual(2)
      expect(pipeNow()).toBeLessThanOrEqual(Math.max(before, ssthresh))
      expect(pipeNow()).toBeGreaterThan(ssthresh - 2 * MSS)
    }
    expect(s.snd.recovering).toBe(true)
  })
  it("above ssthresh the rate is ssthresh over the window before the cut, not over a smaller flight (Linux's prior_cwnd: with ssthresh from cwnd, RecoverFS would let out 28/36 of what arrives, not beta's 0.7)", () => {
    const s = warm({ sendBuffer: 1 << 20 })
    // (800 ms: less than an RTO after warm's last exchange, no restart after idle)
    // congestion avoidance at 36 segments, all 36 in flight; then the window stands at 40, more than
    // went (as a slow start that doubled an application-limited flight leaves it)
    s.snd.cc.cwnd = 36 * MSS
    s.snd.cc.ssthresh = 36 * MSS
    expect(shape(s.write(800, T.octets(36 * MSS))).length).toBe(36)
    s.snd.cc.cwnd = 40 * MSS
    const sack = (n: number) => sackOf(B, [B + MSS, B + (n + 1) * MSS])
    expect(shape(s.send(820, sack(1)))).toEqual([])
    expect(shape(s.send(821, sack(2)))).toEqual([])
    expect(shape(s.send(822, sack(3)))).toEqual([[B, MSS]])
    const ssthresh = s.snd.cc.ssthresh
    expect(ssthresh).toBe(Math.floor((40 * MSS * 7) / 10))
    // more data to send than PRR lets out: the proportional part alone decides
    s.write(823, T.octets(30 * MSS))
    let delivered = 1
    let out = 1
    for (let n = 4; n <= 12; n++) {
      out += s.send(820 + n, sack(n)).length
      delivered++
      // Linux's tcp_cwnd_reduction: prr_out up to ceil(prr_delivered * ssthresh / prior_cwnd)
      expect([n, out]).toEqual([n, Math.ceil((delivered * ssthresh) / (40 * MSS))])
    }
  })
})

describe("the ACK that ends a SACK recovery (Linux's tcp_fastretrans_alert, then tcp_cong_control)", () => {
  it("grows the window from ssthresh by what it delivered: tcp_try_undo_recovery sets Open, tcp_end_cwnd_reduction cwnd = ssthresh, and tcp_cong_avoid takes the ACK's delivered", () => {
    // ten of 30 segments go (cwnd 10); the first lost, the second to fourth SACKed (the first two
    // SACKs send the 11th and 12th, limited transmit; the third starts the recovery, ssthresh 7)
    const { s, entry } = firstLost(30, 4, 10)
    expect(entry).toEqual([[B, MSS]])
    expect(s.snd.cc.ssthresh).toBe(7 * MSS)
    // the ACK of all twelve: delivered 9 (the first and the eight never SACKed); cwnd 7, and CUBIC's
    // epoch begins: W_cubic one RTT on ≈ 7.1 segments, Linux's bic_target 8, cnt 7: one segment more
    // (tcp_may_raise_cwnd: FLAG_DATA_ACKED). ssthresh's 7 let 7 go
    const out = shape(s.send(1040, sackOf(B + 12 * MSS)))
    expect(s.snd.recovering).toBe(false)
    expect(s.snd.cc.cwnd).toBe(8 * MSS)
    expect(out).toHaveLength(8)
    expect(out[0]).toEqual([B + 12 * MSS, MSS])
  })
})

describe("the ACK that ends a SACK recovery acknowledging only SACKed data (Linux's tcp_cong_avoid with acked_sacked 0)", () => {
  // Linux 6.x tcp_ack: tcp_fastretrans_alert ends the recovery (tcp_end_cwnd_reduction: cwnd =
  // ssthresh, Open), then tcp_cong_control, out of cwnd reduction, asks tcp_may_raise_cwnd
  // (FLAG_DATA_ACKED: SND.UNA moved over whole segments), not acked_sacked, and runs tcp_cong_avoid
  // with the 0 delivered: cubictcp_cong_avoid's bictcp_update starts the epoch at this ACK (epoch_start
  // 0 since cubictcp_recalc_ssthresh; last_cwnd, last_time set) and tcp_cong_avoid_ai(cnt, 0) adds
  // nothing. The stack ran no congestion avoidance for a recovery-ending ACK that delivered nothing
  it("starts CUBIC's epoch at that ACK, the window left at ssthresh", () => {
    const { s, entry } = firstLost(30, 4, 10)
    expect(entry).toEqual([[B, MSS]])
    expect(s.snd.cc.ssthresh).toBe(7 * MSS)
    // the rest of the flight SACKed, then the resent first acknowledged alone: a partial ACK (recover
    // is 12) that stops at SACKed data (Linux's FLAG_SACK_RENEGING: tcp_check_sack_reneging arms the
    // timer, max(SRTT / 2, 10 ms), and the recovery goes on)
    s.send(1030, sackOf(B, [B + MSS, B + 12 * MSS]))
    expect(shape(s.send(1035, sackOf(B + MSS)))).toEqual([seg(18)])
    expect([s.snd.recovering, s.snd.cc.epochStart]).toEqual([true, undefined])
    // the ACK of all twelve, 5 ms on: nothing new delivered, FLAG_DATA_ACKED all the same
    // (in flight 7 of the window of 7: nothing goes)
    expect(shape(s.send(1040, sackOf(B + 12 * MSS)))).toEqual([])
    expect([s.snd.ackDelivered, s.snd.ackWhole]).toEqual([0, true])
    expect([s.snd.recovering, s.snd.cc.cwnd, s.snd.cc.epochStart]).toEqual([false, 7 * MSS, 1040])
  })
})

describe("the ACK that ends a SACK recovery of runts grows by its packets (Linux's tcp_cong_avoid with acked_sacked in packets)", () => {
  // Linux 6.x tcp_ack: tcp_fastretrans_alert ends the recovery (cwnd = ssthresh), then
  // tcp_cong_control runs tcp_cong_avoid with the ACK's acked_sacked, tp->delivered's step, which
  // counts each skb tcp_clean_rtx_queue frees as one packet however short (pkts_acked). Ten
  // 100-octet runts with Nagle off, the first lost and the other nine SACKed: the ACK of the first's
  // resend delivers one packet. Reno's tcp_cong_avoid_ai adds 1 to snd_cwnd_cnt (0 since
  // tcp_init_cwnd_reduction), CUBIC's bictcp_update 1 to ack_cnt: 1460 octets each in the stack's
  // units, where by octets it counted the runt's 100
  const runts = (congestion: "newreno" | "cubic") => {
    const s = warm({ congestion })
    s.snd.noDelay = true
    for (let i = 0; i < 10; i++) expect(shape(s.write(1000 + i, T.octets(100)))).toEqual([[B + 100 * i, 100]])
    expect(shape(s.send(1030, sackOf(B, [B + 100, B + 1000])))).toEqual([[B, 100]])
    expect(s.snd.recovering).toBe(true)
    expect(shape(s.send(1050, sackOf(B + 1000)))).toEqual([])
    expect(s.snd.recovering).toBe(false)
    return s
  }
  it("Reno: snd_cwnd_cnt one packet", () => {
    const s = runts("newreno")
    expect([s.snd.cc.cwnd, s.snd.cc.bytesAcked]).toEqual([5 * MSS, MSS])
  })
  it("CUBIC: ack_cnt and snd_cwnd_cnt one packet", () => {
    const s = runts("cubic")
    expect([s.snd.cc.cwnd, s.snd.cc.ackCnt, s.snd.cc.bytesAcked]).toEqual([7 * MSS, MSS, MSS])
  })
  // The same for a partial ACK that undoes the recovery (tcp_try_undo_partial, then tcp_cong_control
  // out of cwnd reduction: tcp_cong_avoid with acked_sacked): the first runt's original fills the
  // hole, echoing a time before its resend; the window back at 10 and, in slow start, one packet more
  // (by octets, 100 more)
  it("a partial ACK's undo: slow start by one packet", () => {
    const s = warm(undefined, true)
    const before = s.snd.cc.cwnd
    s.snd.noDelay = true
    for (let i = 0; i < 10; i++) expect(shape(s.write(1000 + i, T.octets(100)))).toEqual([[B + 100 * i, 100]])
    expect(shape(s.send(1020, sackTs(100, 1000, B, [B + 100, B + 400])))).toEqual([[B, 100]])
    expect(s.snd.recovering).toBe(true)
    s.send(1025, sackTs(101, 1000, B + 400))
    expect([s.snd.recovering, Sender.counters(s.snd).eifelUndos]).toEqual([false, 1])
    // (with timestamps a segment is 1448: 10 and one)
    expect([before, s.snd.cc.cwnd]).toEqual([10 * s.snd.cc.smss, 11 * s.snd.cc.smss])
  })
})

describe("PRR counts runts as packets (Linux's tcp_cwnd_reduction: prr_delivered and in_flight in packets)", () => {
  // Ten 100-octet runts with Nagle off, then 10 full segments written that cwnd holds; the 2nd to 4th
  // runts SACKed: recovery (ssthresh 7 packets), the first resent. Each later SACK of one runt:
  // Linux's in_flight = packets_out 10 - sacked 4 - lost 1 + retrans 1 = 6 < ssthresh 7, sndcnt =
  // min(7 - 6, max(prr_delivered 4 - prr_out 1, 1)) = 1: a full segment of the waiting data goes (and
  // at the next SACK one more: in flight 11 - 5 - 1 + 1 = 6). By octets PRR's pipe was 600 and its
  // count 400 delivered: the window of 900 held the full segment, nothing went
  it("each SACK of a runt below ssthresh sends a full segment", () => {
    const s = warm()
    s.snd.noDelay = true
    for (let i = 0; i < 10; i++) expect(shape(s.write(1000 + i, T.octets(100)))).toEqual([[B + 100 * i, 100]])
    expect(shape(s.write(1010, T.octets(10 * MSS)))).toEqual([])
    expect(shape(s.send(1030, sackOf(B, [B + 100, B + 400])))).toEqual([[B, 100]])
    expect([s.snd.recovering, s.snd.cc.ssthresh]).toEqual([true, 7 * MSS])
    expect(shape(s.send(1031, sackOf(B, [B + 100, B + 500])))).toEqual([[B + 1000, MSS]])
    expect(shape(s.send(1032, sackOf(B, [B + 100, B + 600])))).toEqual([[B + 1000 + MSS, MSS]])
  })
  // In flight by packets (tcp_packets_in_flight): a runt first, three full segments, six runts; the
  // three full ones SACKed: recovery, the runt resent (in_flight 10 - 3 - 1 + 1 = 7 = ssthresh). The
  // 2nd runt SACKed: one full segment of the waiting data (delta 1). The other five runts SACKed at
  // once: in_flight 11 - 9 - 1 + 1 = 2, delta 5, sndcnt = min(5, max(prr_delivered 9 - prr_out 2,
  // 5)) = 5 full segments. By octets the pipe (six runts' 600, not six packets) let new full segments
  // go beside the resend at the recovery's start already
  it("the pipe counts each runt in flight a full segment", () => {
    const s = warm()
    s.snd.noDelay = true
    const sizes = [100, MSS, MSS, MSS, 100, 100, 100, 100, 100, 100]
    const starts: Array<number> = []
    let at = B
    for (let i = 0; i < 10; i++) {
      starts.push(at)
      expect(shape(s.write(1000 + i, T.octets(sizes[i]!)))).toEqual([[at, sizes[i]!]])
      at += sizes[i]!
    }
    const end = at
    expect(shape(s.write(1010, T.octets(10 * MSS)))).toEqual([])
    expect(shape(s.send(1030, sackOf(B, [starts[1]!, starts[4]!])))).toEqual([[B, 100]])
    expect([s.snd.recovering, s.snd.cc.ssthresh]).toEqual([true, 7 * MSS])
    expect(shape(s.send(1031, sackOf(B, [starts[1]!, starts[5]!])))).toEqual([[end, MSS]])
    expect(shape(s.send(1032, sackOf(B, [starts[1]!, end])))).toEqual([1, 2, 3, 4, 5].map((k) => [end + k * MSS, MSS]))
  })
})

describe("PRR over a batch of ACKs (RFC 6937 per ACK, as Linux's tcp_cwnd_reduction runs once an ACK)", () => {
  /**
   * 40 segments written, ten go; the first three lost; the fourth SACKed at 1020 and the fifth at
   * 1021 (limited transmit sends the 11th and 12th); at 1022 the fourth to tenth SACKed: recovery,
   * the first three resent and two new (PRR-SSRB: in flight 0 below ssthresh 7, sndcnt 5)
   */
  const threeLost = () => {
    const s = warm()
    s.write(1000, T.octets(40 * MSS))
    s.send(1020, sackOf(B, [B + 3 * MSS, B + 4 * MSS]))
    s.send(1021, sackOf(B, [B + 3 * MSS, B + 5 * MSS]))
    expect(shape(s.send(1022, sackOf(B, [B + 3 * MSS, B + 10 * MSS])))).toEqual(
      [0, 1, 2, 12, 13].map((i) => [B + i * MSS, MSS])
    )
    return s
  }
  /** the ACKs of the first and second resends, each moving SND.UNA one segment */
  const acks = () => [sackOf(B + MSS, [B + 3 * MSS, B + 10 * MSS]), sackOf(B + 2 * MSS, [B + 3 * MSS, B + 10 * MSS])]

  it("two partial ACKs in one batch send what they send one batch each: each ACK's own PRR-SSRB count, its +1 for moving SND.UNA included", () => {
    // one ACK a batch, as Linux takes each: prr_delivered 5, prr_out 5 after the entry. The first
    // ACK delivers one segment (prr_delivered 6), and RACK finds the 11th and 12th lost (sent
    // before the resend it acknowledges): sndcnt = max(6 - 5, 1) = 1, no +1 for an ACK that marked
    // a loss: the 11th again. The second delivers one (7, prr_out 6), marks nothing and moves
    // SND.UNA: max(7 - 6, 1) + 1 = 2, the 12th again and a new one, the 15th
    const one = threeLost()
    const [x, y] = acks()
    const apart = [...shape(one.send(1042, x!)), ...shape(one.send(1042, y!))]
    expect(apart).toEqual([10, 11, 14].map((i) => [B + i * MSS, MSS]))
    // the same two ACKs in one batch (one wake-up, RACK's marks once at its end): the same sends.
    // Worked out once for the batch from the last ACK's terms, max(7 - 5, 1) + 0 (the batch's marks
    // fall on its last ACK) = 2 went: the 11th and 12th only. Now the first ACK's own count is
    // owed, max(6 - 5, 1) + 1 = 2 (its marks are not known before the batch's end, so its +1
    // stays, and the last ACK's goes), then the last's max(7 - 5 - 2, 1) = 1: three, as apart
    const both = threeLost()
    expect(shape(both.send(1042, ...acks()))).toEqual(apart)
  })
  it("an ACK that delivers nothing after one that did (a window update) leaves the earlier its own count: not its +1 once RACK marked a loss at it", () => {
    // the first resend's ACK alone: RACK finds the 11th and 12th lost (sent before the resend it
    // acknowledges), so no +1 (Linux's tcp_cwnd_reduction: FLAG_SND_UNA_ADVANCED && !newly_lost):
    // max(6 - 5, 1) = 1, the 11th again. A window update after it (the same ACK, a larger window,
    // nothing SACKed) delivers nothing: Linux's tcp_cwnd_reduction returns at newly_acked_sacked 0,
    // and nothing goes
    const [x] = acks()
    const update = T.fromPeer({ ack: B + MSS, window: 60000, options: { sackPermitted: false, sack: [{ left: ours(B + 3 * MSS), right: ours(B + 10 * MSS) }] } })
    const one = threeLost()
    const apart = [...shape(one.send(1042, x!)), ...shape(one.send(1042, update))]
    expect(apart).toEqual([[B + 10 * MSS, MSS]])
    // in one batch the window update was the last ACK: the first's count was owed with its +1 (its
    // marks come only at the batch's end, and were put on the last ACK, which had nothing to lose):
    // the 11th and 12th went
    const both = threeLost()
    expect(shape(both.send(1042, x!, update))).toEqual(apart)
  })
  it("an earlier ACK of the batch with pipe above ssthresh owes its proportional count, and the batch's end counts it in flight (pipe stays above ssthresh, as one at a time)", () => {
    // 40 segments written, ten go; the first lost; the second SACKed at 1020, the third at 1021
    // (limited transmit: the 11th and 12th), the fourth at 1022: recovery, the first resent. Linux's
    // counts: prior_cwnd 10, ssthresh 7, prr_delivered 1, prr_out 1, in flight 12 - 3 SACKed = 9
    const entry = () => {
      const s = warm()
      s.write(1000, T.octets(40 * MSS))
      s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS]))
      s.send(1021, sackOf(B, [B + MSS, B + 3 * MSS]))
      expect(shape(s.send(1022, sackOf(B, [B + MSS, B + 4 * MSS])))).toEqual([[B, MSS]])
      return s
    }
    // then the fifth and the sixth SACKed, one ACK each (RACK marks nothing: the rest went after
    // them or with them). One at a time each finds in flight 8 > 7: the proportional count,
    // ceil(7 * 2 / 10) - 1 = 1, the 13th, then ceil(7 * 3 / 10) - 2 = 1, the 14th
    const a = () => sackOf(B, [B + MSS, B + 5 * MSS])
    const b = () => sackOf(B, [B + MSS, B + 6 * MSS])
    const one = entry()
    const apart = [...shape(one.send(1042, a())), ...shape(one.send(1042, b()))]
    expect(apart).toEqual([12, 13].map((i) => [B + i * MSS, MSS]))
    // the two in one batch: with nothing sent in between, the batch's end finds in flight 7, not
    // above ssthresh, and PRR-SSRB's room ssthresh - 7 = 0: nothing went. The first ACK's count
    // (proportional, at its own in flight 8) is owed and counts in flight as if sent
    const both = entry()
    expect(shape(both.send(1042, a(), b()))).toEqual(apart)
  })
})

describe("an ACK that delivers nothing in SACK recovery (Linux's tcp_cwnd_reduction returns at newly_acked_sacked 0)", () => {
  it("a window update leaves PRR's window as the last ACK that delivered set it: the proportional count is not taken again at a pipe the forced first resend raised", () => {
    // 40 segments written, ten go; the first lost; the second SACKed at 1020, the third at 1021
    // (limited transmit: the 11th and 12th), the fourth and fifth at 1022: recovery. Linux's counts:
    // prior_cwnd 10, ssthresh 7, in flight 12 - 4 SACKed - 1 lost = 7, not above ssthresh: sndcnt =
    // min(7 - 7, ...) = 0, forced to 1 for the first resend (tcp_cwnd_reduction: `prr_out ? 0 : 1`),
    // cwnd 8
    const s = warm()
    s.write(1000, T.octets(40 * MSS))
    s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS]))
    s.send(1021, sackOf(B, [B + MSS, B + 3 * MSS]))
    expect(shape(s.send(1022, sackOf(B, [B + MSS, B + 5 * MSS])))).toEqual([[B, MSS]])
    // then the same ACK with a larger window (the peer's application read): nothing delivered,
    // Linux's tcp_cwnd_reduction returns before it touches cwnd (8, in flight 8): nothing goes.
    // Taken for a new PRR step, pipe 8 was above ssthresh and the proportional count ceil(7 * 2 /
    // 10) - 1 = 1 let a new segment go
    const update = T.fromPeer({ ack: B, window: 60000, options: { sackPermitted: false, sack: [{ left: ours(B + MSS), right: ours(B + 5 * MSS) }] } })
    expect(shape(s.send(1023, update))).toEqual([])
    // the next SACK delivers two, the sixth and seventh: in flight 6, below ssthresh, sndcnt =
    // min(7 - 6, max(4 - 1, 2)) = 1: the 13th, the first new segment
    expect(shape(s.send(1024, sackOf(B, [B + MSS, B + 7 * MSS])))).toEqual([[B + 12 * MSS, MSS]])
  })
})

describe("what counts in a SACK block, and what counts as a duplicate ACK", () => {
  /** The scoreboard's ranges, in octets from B. */
  const ranges = (s: ReturnType<typeof warm>) =>
    s.snd.board.ranges.map((r) => [Seq.sub(r.left, ours(B)), Seq.sub(r.right, ours(B))])

  it("a block counts for the whole segments inside it only, as Linux tags whole segments: its edges move in to theirs", () => {
    const s = warm()
    s.write(1000, T.octets(10 * MSS))
    // the peer reports from inside the third segment to inside the sixth: the fourth and fifth are whole in it
    expect(shape(s.send(1020, sackOf(B, [B + 2 * MSS + 100, B + 5 * MSS + 50])))).toEqual([])
    expect(ranges(s)).toEqual([[3 * MSS, 5 * MSS]])
    expect(s.snd.rack.sacked).toBe(2)
  })

  it("one-octet blocks from a hostile receiver cannot cut the scoreboard into pieces (as CVE-2019-11478 cut Linux's queue)", () => {
    const s = warm()
    s.write(1000, T.octets(10 * MSS))
    // 300 ACKs at once, each with three one-octet blocks, every one somewhere new: taken as they
    // came, they would leave 900 ranges to scan on every ACK after
    for (let i = 0; i < 300; i++) {
      const blocks = [0, 1, 2].map((k): readonly [number, number] => {
        const at = B + 1 + 2 * (3 * i + k)
        return [at, at + 1]
      })
      expect(s.send(1020, sackOf(B, ...blocks))).toEqual([])
    }
    expect(ranges(s)).toEqual([])
    // and none of them was a duplicate ACK (RFC 6675 §2: it SACKed nothing new)
    expect(s.snd.dupAcks).toBe(0)
    expect(s.snd.recovering).toBe(false)
    // a block of whole segments still counts
    s.send(1020, sackOf(B, [B + 9 * MSS, B + 10 * MSS]))
    expect(ranges(s)).toEqual([[9 * MSS, 10 * MSS]])
    expect(s.snd.dupAcks).toBe(1)
  })

  it("the last segment, data and FIN, counts as SACKed whether the block covers the FIN (Linux) or stops at it (FreeBSD)", () => {
    for (const coversFin of [false, true]) {
      const s = warm()
      // the peer's window takes three segments: the fourth (100 octets) waits, and the FIN goes with it
      // (shut first: from the same SEQ, acknowledging nothing new, a window is taken only when it
      // grows or shuts, as Linux's tcp_may_update_window)
      s.send(988, T.fromPeer({ ack: B, window: 0, options: { sackPermitted: false } }))
      s.send(990, T.fromPeer({ ack: B, window: 3 * MSS, options: { sackPermitted: false } }))
      expect(shape(s.write(1000, T.octets(3 * MSS + 100)))).toEqual([[B, MSS], [B + MSS, MSS], [B + 2 * MSS, MSS]])
      s.end(1000)
      const last = s.send(1001, T.fromPeer({ ack: B, options: { sackPermitted: false } }))
      expect(T.seenAll(last).map((x) => [x.seq, x.len, x.flags])).toEqual([[B + 3 * MSS, 100, "FIN|PSH|ACK"]])
      // the first and third are lost: the peer SACKs the second, then the second and the last
      const end = B + 3 * MSS + 100 + (coversFin ? 1 : 0)
      expect(shape(s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS])))).toEqual([])
      s.send(1021, sackOf(B, [B + MSS, B + 2 * MSS], [B + 3 * MSS, end]))
      expect(s.snd.rack.sacked).toBe(2)
      // RACK finds both lost, sent before the last, which arrived: the first goes again before 1030, no
      // timeout; PRR on the reordering timer lets one segment go (Linux's tcp_rack_reo_timeout:
      // tcp_cwnd_reduction with one delivered and no SND.UNA advance, cwnd = pipe + 1), the other
      // at the next ACK
      const resent = [...s.tick(1025), ...s.tick(1026), ...s.tick(1030)]
      expect(shape(resent)).toEqual([[B, MSS]])
      expect(Sender.counters(s.snd).timeouts).toBe(0)
    }
  })

  it("a FIN that went alone is not taken as SACKed by a block that stops at it (the FIN may be what was lost)", () => {
    const s = warm()
    s.write(1000, T.octets(3 * MSS))
    expect(T.seenAll(s.end(1001)).map((x) => [x.seq, x.len, x.flags])).toEqual([[B + 3 * MSS, 0, "FIN|ACK"]])
    // the first segment and the FIN are lost: the peer reports the second and third
    s.send(1020, sackOf(B, [B + MSS, B + 3 * MSS]))
    expect(ranges(s)).toEqual([[MSS, 3 * MSS]])
    expect(s.snd.rack.sacked).toBe(2)
  })

  it("with SACK, three ACKs that SACK nothing new are no duplicates (RFC 6675 §2): D-SACKs for copies the peer had start no fast retransmit", () => {
    const s = warm()
    s.write(1000, T.octets(10 * MSS))
    // three D-SACKs of an octet the peer had long ago (it got a copy again), no new SACK
    for (let i = 0; i < 3; i++) expect(s.send(1020 + i, sackOf(B, [5, 6]))).toEqual([])
    expect(s.snd.recovering).toBe(false)
    expect(Sender.counters(s.snd).fastRetransmits).toBe(0)
    // while three that each SACK a segment more are: the first goes again
    s.send(1030, sackOf(B, [B + 7 * MSS, B + 8 * MSS]))
    s.send(1031, sackOf(B, [B + 7 * MSS, B + 9 * MSS]))
    expect(s.snd.recovering).toBe(false)
    expect(shape(s.send(1032, sackOf(B, [B + 7 * MSS, B + 10 * MSS])))[0]).toEqual([B, MSS])
    expect(Sender.counters(s.snd).fastRetransmits).toBe(1)
  })
})

describe("tail loss probes and their episodes (RFC 8985 §7, as Linux's tcp_schedule_loss_probe and tcp_process_tlp_ack)", () => {
  it("one segment out and lost: its probe would come after the RTO, so it goes at the RTO's time instead of a timeout", () => {
    const s = warm()
    const cwnd = s.snd.cc.cwnd
    expect(shape(s.write(1000, T.octets(MSS)))).toEqual([[B, MSS]])
    // PTO = 2 SRTT + 200 ms (one segment out) lies past the RTO (SRTT + 200 ms)
    const rtoAt = s.snd.rtoAt!
    expect(s.snd.tlpAt).toBe(rtoAt)
    expect(shape(s.tick(rtoAt - 1))).toEqual([])
    expect(shape(s.tick(rtoAt))).toEqual([[B, MSS]])
    expect({ tailProbes: Sender.counters(s.snd).tailProbes, timeouts: Sender.counters(s.snd).timeouts, cwnd: s.snd.cc.cwnd }).toEqual({ tailProbes: 1, timeouts: 0, cwnd })
    // the timer restarts from the probe (§7.3): lost again, the RTO follows one RTO later
    expect(s.snd.rtoAt).toBe(rtoAt + s.snd.rtt.rto)
    expect(shape(s.tick(s.snd.rtoAt!))).toEqual([[B, MSS]])
    expect(Sender.counters(s.snd).timeouts).toBe(1)
  })

  // No RTT sample yet (the SYN-ACK went again and no timestamps: the handshake gives none, and the
  // RTO is 3 s, RFC 6298 §5.7, Linux's tcp_init_metrics): Linux's tcp_schedule_loss_probe arms the
  // probe all the same, at TCP_TIMEOUT_INIT (1 s) with no rto_min added, capped at the head's send
  // time + RTO (tcp_rto_delta_us); test/kernel/ConformanceLoss.test.ts, "a tail loss probe before
  // any RTT sample", shows it on the wire
  it("no RTT sample yet: the probe goes 1 s after the send (Linux's TCP_TIMEOUT_INIT), not the 3 s timeout", () => {
    const s = T.established({ synAckRetransmitted: true, peerOptions: { mss: MSS, sackPermitted: true } })
    expect(s.snd.rtt.srtt).toBeUndefined()
    expect(shape(s.write(1000, T.octets(3 * MSS)))).toHaveLength(3)
    expect([s.snd.tlpAt, s.snd.rtoAt]).toEqual([2000, 4000])
    expect(shape(s.tick(1999))).toEqual([])
    expect(shape(s.tick(2000))).toEqual([[2 * MSS, MSS]])
    expect([Sender.counters(s.snd).tailProbes, Sender.counters(s.snd).timeouts, s.snd.rtoAt]).toEqual([1, 0, 5000])
  })

  it("the probe resends the last segment as it was cut (RFC 8985 §7.3: the highest-sequence segment; Linux's tcp_send_loss_probe), not the last MSS", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(2 * MSS + 100)))).toEqual([[B, MSS], [B + MSS, MSS], [B + 2 * MSS, 100]])
    expect(shape(s.tick(s.snd.tlpAt!))).toEqual([[B + 2 * MSS, 100]])
  })

  it("a FIN that went alone after the data is the last segment: the probe is the FIN again, as Linux's (its own skb, tcp_send_fin)", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(100)))).toEqual([[B, 100]])
    expect(T.seenAll(s.end(1001)).map((x) => [x.seq, x.len, x.flags])).toEqual([[B + 100, 0, "FIN|ACK"]])
    const probe = s.tick(s.snd.tlpAt!)
    expect(shape(probe)).toEqual([[B + 100, 0]])
    expect(probe[0]!.flags & FIN).toBe(FIN)
    expect(Sender.counters(s.snd).tailProbes).toBe(1)
  })

  /** Four segments at 1000, the first two acknowledged at 1020, the last resent by the probe; returns the probe's time. */
  const tail = () => {
    const s = warm()
    const cwnd = s.snd.cc.cwnd
    expect(shape(s.write(1000, T.octets(4 * MSS)))).toHaveLength(4)
    s.send(1020, sackOf(B + 2 * MSS))
    const probeAt = s.snd.tlpAt!
    expect(probeAt).toBeLessThan(1100)
    expect(shape(s.tick(probeAt))).toEqual([[B + 3 * MSS, MSS]])
    return { s, cwnd, probeAt }
  }

  it("a loss the probe repaired (its episode ends with an ACK beyond it and no D-SACK) is answered as a fast recovery would be", () => {
    const { cwnd, probeAt, s } = tail()
    // the ACK of everything, without a D-SACK: the original may have arrived too, its D-SACK to come
    s.send(probeAt + 20, sackOf(B + 4 * MSS))
    expect({ cwnd: s.snd.cc.cwnd >= cwnd, repairs: Sender.counters(s.snd).tlpRepairs }).toEqual({ cwnd: true, repairs: 0 })
    // while the episode is open no second probe goes (at most one outstanding TLP): new data turns
    // the RTO into a probe timer (Linux's one timer a socket), whose expiry only restarts the RTO
    s.write(probeAt + 30, T.octets(MSS))
    expect([s.snd.tlpAt !== undefined, s.snd.rtoAt]).toEqual([true, undefined])
    // an ACK beyond the probe's end, and no D-SACK came: the probe repaired a loss
    s.send(probeAt + 50, sackOf(B + 5 * MSS))
    expect(Sender.counters(s.snd).tlpRepairs).toBe(1)
    expect(s.snd.cc.ssthresh).toBeLessThan(cwnd)
    expect(s.snd.cc.cwnd).toBe(s.snd.cc.ssthresh)
    expect(s.snd.tlpEpisode).toBeUndefined()
  })

  // Linux keeps one timer a socket: tcp_write_xmit's tcp_schedule_loss_probe (no tlp_high_seq test)
  // makes it a loss-probe timer at min(PTO, the head's send time + RTO - now, when positive) over
  // the RTO the probe restarted, and at its expiry tcp_send_loss_probe, a probe out, only calls
  // tcp_rearm_rto: the RTO from the head's send time, a jiffy when that is past
  it("new data while a probe is out: the timeout comes at the head's send time + RTO, not the probe's", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(3 * MSS)))).toHaveLength(3)
    const probeAt = s.snd.tlpAt!
    expect(shape(s.tick(probeAt))).toEqual([[B + 2 * MSS, MSS]])
    const headDue = 1000 + s.snd.rtt.rto
    expect(s.snd.rtoAt).toBe(probeAt + s.snd.rtt.rto)
    expect(shape(s.write(probeAt + 10, T.octets(MSS)))).toEqual([[B + 3 * MSS, MSS]])
    // (a PTO is the sooner here: 2 SRTT + TCP_TIMEOUT_MIN_US, in jiffies rounded up, Linux's
    // tcp_schedule_loss_probe with more than one packet out: 2 × 18.6 + 2 ms → 40 ms)
    expect(probeAt).toBe(1040)
    const timer = s.snd.tlpAt!
    expect(timer).toBe(probeAt + 10 + 40)
    expect(timer).toBeLessThan(headDue)
    expect(s.snd.rtoAt).toBeUndefined()
    // no second probe: the RTO again, from the head's send time
    expect(s.tick(timer)).toEqual([])
    expect([s.snd.tlpAt, s.snd.rtoAt, Sender.counters(s.snd).tailProbes]).toEqual([undefined, headDue, 1])
    expect(s.tick(headDue - 1)).toEqual([])
    expect(shape(s.tick(headDue))).toEqual([[B, MSS]])
    expect(Sender.counters(s.snd).timeouts).toBe(1)
  })

  it("new data while a probe is out, past the head's send time + RTO: the timeout a PTO after it", () => {
    const s = warm()
    s.write(1000, T.octets(3 * MSS))
    const probeAt = s.snd.tlpAt!
    s.tick(probeAt)
    const headDue = 1000 + s.snd.rtt.rto
    const at = headDue + 5
    expect(at).toBeLessThan(s.snd.rtoAt!)
    expect(shape(s.write(at, T.octets(MSS)))).toEqual([[B + 3 * MSS, MSS]])
    const pto = s.snd.tlpAt! - at
    // 2 SRTT + 2 ms rounded up to a jiffy (Linux's tcp_schedule_loss_probe): 2 × 18.6 + 2 → 40
    expect(pto).toBe(40)
    expect(s.tick(at + pto)).toEqual([])
    expect(s.snd.rtoAt).toBe(at + pto + 1)
    expect(shape(s.tick(at + pto + 1))).toEqual([[B, MSS]])
  })

  // the ACK side: an ACK of new data that leaves the episode open sets Linux's timer through
  // tcp_set_xmit_timer, tcp_schedule_loss_probe(sk, true): min(PTO, RTO) from the ACK, and its expiry
  // the RTO from the new head's send time (tcp_rearm_rto)
  it("an ACK of new data while a probe is out: a probe timer from it, then the RTO from the head's send time", () => {
    const s = warm()
    s.write(1000, T.octets(3 * MSS))
    const probeAt = s.snd.tlpAt!
    s.tick(probeAt)
    expect(s.send(probeAt + 10, sackOf(B + MSS))).toEqual([])
    expect(s.snd.tlpEpisode).toBeDefined()
    const timer = s.snd.tlpAt!
    // min(PTO, RTO): 2 SRTT + 2 ms rounded up to a jiffy (Linux's tcp_schedule_loss_probe; the ACK's
    // sample took SRTT to 22.5: 2 × 22.5 + 2 → 48)
    expect(s.snd.rtt.srtt!).toBeCloseTo(22.54, 1)
    expect(timer).toBe(probeAt + 10 + 48)
    expect(s.snd.rtoAt).toBeUndefined()
    expect(s.tick(timer)).toEqual([])
    const due = Math.max(1000 + s.snd.rtt.rto, timer + 1)
    expect([s.snd.tlpAt, s.snd.rtoAt, Sender.counters(s.snd).tailProbes]).toEqual([undefined, due, 1])
    expect(shape(s.tick(due))).toEqual([[B + MSS, MSS]])
  })

  // Outside a probe's episode too, Linux re-arms the loss-probe timer at every send of new data:
  // tcp_write_xmit's tcp_schedule_loss_probe(sk, false) at min(PTO, the head's send time + RTO - now)
  // (RFC 8985 §7.2: the PTO from the last transmission), where the PTO counts the peer's delayed ACK
  // only while one segment is out (packets_out == 1). One segment, then a second 20 ms later: the
  // first's timer (2 SRTT + 200 ms, past the RTO: at the RTO) becomes 2 SRTT after the second
  it("a second write outside any episode re-arms the probe timer from it (Linux's tcp_write_xmit), sooner with two segments out", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(MSS)))).toEqual([[B, MSS]])
    const headDue = 1000 + s.snd.rtt.rto
    expect(s.snd.tlpAt).toBe(headDue)
    expect(shape(s.write(1020, T.octets(MSS)))).toEqual([[B + MSS, MSS]])
    const timer = s.snd.tlpAt!
    // 2 SRTT + TCP_TIMEOUT_MIN_US rounded up to a jiffy (Linux's tcp_schedule_loss_probe, two
    // packets out): 2 × 18.6 + 2 → 40
    expect(timer).toBe(1020 + 40)
    expect(shape(s.tick(Math.ceil(timer) - 1))).toEqual([])
    expect(shape(s.tick(Math.ceil(timer)))).toEqual([[B + MSS, MSS]])
    expect(Sender.counters(s.snd).tailProbes).toBe(1)
  })

  // The same after an ACK: the ACK's timer (tcp_set_xmit_timer: min(PTO, RTO) from it) becomes, at
  // the write, min(PTO from the write, the head's send time + RTO): here the head's due is the sooner
  it("a write after an ACK of new data re-arms the probe timer, capped at the head's send time + RTO, not the ACK's", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(2 * MSS)))).toHaveLength(2)
    expect(s.send(1010, sackOf(B + MSS))).toEqual([])
    // one segment out: the ACK's timer is its RTO
    expect(s.snd.tlpAt).toBe(1010 + s.snd.rtt.rto)
    const at = 1000 + s.snd.rtt.rto - 2 * s.snd.rtt.srtt! + 5
    expect(shape(s.write(at, T.octets(MSS)))).toEqual([[B + 2 * MSS, MSS]])
    const headDue = 1000 + s.snd.rtt.rto
    expect(s.snd.tlpAt).toBe(headDue)
    expect(shape(s.tick(headDue))).toEqual([[B + 2 * MSS, MSS]])
    expect([Sender.counters(s.snd).tailProbes, Sender.counters(s.snd).timeouts]).toEqual([1, 0])
  })

  // Linux keeps one timer a socket: RACK's reordering timer replaces the retransmission timer
  // (tcp_rack_mark_lost: inet_csk_reset_xmit_timer(ICSK_TIME_REO_TIMEOUT), and the ACK's
  // FLAG_SET_XMIT_TIMER is dropped), and at its expiry tcp_rack_reo_timeout marks, starts the
  // recovery, resends, and re-arms the RTO from the head's send time (tcp_rearm_rto with
  // REO_TIMEOUT pending), the reordering timeout it computed dropped. Here the RTO (the head's send
  // time + RTO, re-armed at the expiry of the probe timer an ACK set while the probe's episode was
  // open) would come 2 ms after a SACK that arms RACK's timer for 5 ms: Linux recovers by RACK, no
  // timeout, where the RTO beside it fired first (a timeout: cwnd to one segment, the RTO doubled)
  it("RACK's reordering timer replaces the RTO: an RTO due before it does not fire, the loss is a fast recovery (Linux's tcp_rack_reo_timeout)", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(4 * MSS)))).toHaveLength(4)
    const probeAt = s.snd.tlpAt!
    expect(shape(s.tick(probeAt))).toEqual([[B + 3 * MSS, MSS]])
    s.send(probeAt + 10, sackOf(B + MSS))
    expect(s.tick(s.snd.tlpAt!)).toEqual([])
    const headDue = 1000 + s.snd.rtt.rto
    expect(s.snd.rtoAt).toBe(headDue)
    // the third SACKed 2 ms before the RTO: RACK's timer for the second (sent just before it) at
    // 1000 + RACK.rtt + min RTT / 4 = the SACK's time + 5 ms, and 2 ms more (Linux's
    // TCP_TIMEOUT_MIN_US in tcp_rack_mark_lost)
    expect(s.send(headDue - 2, sackOf(B + MSS, [B + 2 * MSS, B + 3 * MSS]))).toEqual([])
    expect(s.snd.rackAt).toBe(headDue + 5)
    expect(shape(s.tick(headDue))).toEqual([])
    expect(s.snd.rtoAt).toBeUndefined()
    expect(shape(s.tick(headDue + 5))).toEqual([[B + MSS, MSS]])
    expect([Sender.counters(s.snd).timeouts, Sender.counters(s.snd).fastRetransmits, s.snd.recovering]).toEqual([0, 1, true])
    // and the RTO from the head's send time: the second, resent now
    expect([s.snd.rackAt, s.snd.rtoAt]).toEqual([undefined, headDue + 5 + s.snd.rtt.rto])
  })

  // Linux's tcp_rack_mark_lost arms the reordering timer for usecs_to_jiffies(timeout +
  // TCP_TIMEOUT_MIN_US): what RACK still waits for (RACK.rtt + the reordering window - the time since
  // the segment went, tcp_rack_detect_loss) plus 2 ms, in whole jiffies rounded up
  it("RACK's reordering timer waits 2 ms past the reordering window (Linux's TCP_TIMEOUT_MIN_US in tcp_rack_mark_lost)", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(3 * MSS)))).toHaveLength(3)
    // the second SACKed 20 ms on: the first waits RACK.rtt 20 + min RTT / 4 = 25 ms from its send,
    // 5 ms more, and 2 ms past that
    expect(s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS]))).toEqual([])
    expect(s.snd.rackAt).toBe(1027)
    expect(shape(s.tick(1026))).toEqual([])
    expect(shape(s.tick(1027))).toEqual([[B, MSS]])
    expect([Sender.counters(s.snd).timeouts, Sender.counters(s.snd).fastRetransmits, s.snd.recovering]).toEqual([0, 1, true])
  })

  // Linux's tcp_rack_mark_lost arms the reordering timer with inet_csk_reset_xmit_timer(sk,
  // ICSK_TIME_REO_TIMEOUT, timeout, inet_csk(sk)->icsk_rto): `when` past max_when is cut to it, so
  // RACK waits at most the current RTO from the ACK. RACK.rtt is the last delivered segment's
  // (tcp_rack_advance for every skb tcp_clean_rtx_queue frees, in sequence order): an ACK of a
  // resent head and of an older original above it makes an entry sent between the two wait
  // reo_wnd + (its send - the original's send), which can pass the RTO. At the expiry
  // tcp_rack_reo_timeout finds nothing lost yet and re-arms the RTO from the head's send time
  // (tcp_rearm_rto with ICSK_TIME_REO_TIMEOUT pending: a jiffy when that is past), and the timeout
  // follows. With timestamps, where the stack's RTO samples every ACK as Linux's
  // tcp_ack_update_rtt does (the echo of the resend)
  it("RACK's reordering timer is held to the RTO (Linux's max_when = icsk_rto in tcp_rack_mark_lost): past it, the expiry re-arms the RTO from the head and the timeout follows", () => {
    const P = MSS - 12
    const s = warm(undefined, true)
    // A, X1, X2, B at 1000; X1 SACKed at 1020: A lost 7 ms on, a fast recovery resends it
    expect(shape(s.write(1000, T.octets(4 * P)))).toHaveLength(4)
    s.send(1020, sackTs(100, 1000, B, [B + P, B + 2 * P]))
    expect(shape(s.tick(1027))).toEqual([[B, P]])
    // X2 SACKed late, at 1100 (B, sent with it but above it, is not before it: not lost); C goes at
    // 1244. (That SACK of X2, sent once at 1000, is an RTT sample of 100 ms, as Linux's sack_rtt_us
    // in tcp_ack_update_rtt, and so was X1's at 1020, of 20. Not later: Linux's tcp_rtt_estimator
    // holds the variation a late sample brings for the round trip, review50d, and an RTO above
    // C's wait below would not cap it)
    // (X2 went before A's resend, so that SACK re-arms the RTO from 1100: Linux's FLAG_SET_XMIT_TIMER
    // for a SACK sample older than the head's last send)
    s.send(1100, sackTs(101, 1000, B, [B + P, B + 3 * P]))
    const due = 1100 + s.snd.rtt.rto
    expect(s.snd.rtoAt).toBe(due)
    expect(shape(s.write(1244, T.octets(P)))).toEqual([[B + 4 * P, P]])
    // the resend of A is lost too: the timeout resends it; C went within RACK.rtt (100) of it, held
    const tr = Math.ceil(s.snd.rtoAt!)
    expect(tr).toBe(Math.ceil(due))
    expect(tr - 1244).toBeLessThan(100)
    expect(shape(s.tick(tr))).toEqual([[B, P]])
    expect([Sender.counters(s.snd).timeouts, s.snd.rack.held]).toEqual([1, 1])
    // A's resend and B acknowledged 20 ms on, echoing the resend: RTO from a 20 ms sample (the
    // echo's: the ACK takes a segment sent twice, so no sample from the send times, Linux's
    // FLAG_RETRANS_DATA_ACKED; about 228); RACK.rtt is B's, tr + 20 - 1000, and C waits
    // 1244 + (tr + 20 - 1000) - (tr + 20) = 244 (+ 2; the reordering window is 0 in the timeout's episode, Linux's
    // tcp_rack_reo_wnd in TCP_CA_Loss, loss50): past it
    expect(s.send(tr + 20, sackTs(102, tr, B + 4 * P))).toEqual([])
    const rto = s.snd.rtt.rto
    expect(rto).toBeLessThan(245)
    expect(s.snd.rackAt).toBe(tr + 20 + rto)
    expect(s.snd.rtoAt).toBeUndefined()
    // its expiry: nothing lost yet (C is due at tr + 264); the RTO from C's send time, past: a jiffy
    const expiry = s.snd.rackAt!
    expect(s.tick(expiry)).toEqual([])
    expect([s.snd.rackAt, s.snd.rtoAt]).toEqual([undefined, expiry + 1])
    // and the timeout resends C (before: RACK's timer at tr + 266 found it lost, no timeout)
    expect(shape(s.tick(expiry + 1))).toEqual([[B + 4 * P, P]])
    expect([Sender.counters(s.snd).timeouts, Sender.counters(s.snd).fastRetransmits]).toEqual([2, 1])
  })

  /**
   * `warm`, ten segments at 1000 with the first lost and the next five SACKed: the recovery at 1022
   * resends it (recover = the tenth's end); new data at 1038 (N10, N11) and 1039 (N12), the tenth
   * never SACKed; the ACK of the resend (RACK.xmit_ts 1022) finds the tenth, sent at 1000, lost, and
   * it goes at 1042; its ACK at 1062 ends the recovery, and N10-N12, sent before it went and not
   * SACKed, leave RACK's reordering timer pending at 1066. `k(n)`: where the n-th segment starts.
   */
  const recoveredWithRackPending = () => {
    const s = warm()
    const k = (n: number) => B + n * MSS
    expect(shape(s.write(1000, T.octets(10 * MSS)))).toHaveLength(10)
    s.send(1020, sackOf(B, [k(1), k(2)]))
    s.send(1021, sackOf(B, [k(1), k(3)]))
    expect(shape(s.send(1022, sackOf(B, [k(1), k(6)])))).toEqual([[B, MSS]])
    expect(shape(s.write(1038, T.octets(3 * MSS)))).toEqual([[k(10), MSS], [k(11), MSS]])
    expect(shape(s.send(1039, sackOf(B, [k(1), k(9)])))).toEqual([[k(12), MSS]])
    expect(shape(s.send(1042, sackOf(k(9))))).toEqual([[k(9), MSS]])
    expect(s.send(1062, sackOf(k(10)))).toEqual([])
    expect([s.snd.recovering, s.snd.rackAt]).toEqual([false, 1066])
    return { s, k }
  }

  // One timer a socket in Linux: tcp_write_xmit's tcp_schedule_loss_probe(sk, false) arms
  // ICSK_TIME_LOSS_PROBE over whatever is pending (tcp_reset_xmit_timer), a reordering timer too,
  // whenever the state is Open or CWR. A fast recovery that ends (tcp_fastretrans_alert: SND.UNA at
  // high_seq, Open again) at an ACK delivering its last retransmission can leave RACK waiting for
  // new data sent a little before that retransmission (tcp_rack_mark_lost arms REO_TIMEOUT); with
  // nothing SACKed, no retransmission out and the head never resent, tcp_try_keep_open leaves the
  // state Open, so the next send of new data replaces the reordering timer with the probe's: nothing
  // goes at RACK's time, the probe goes a PTO after the send
  it("new data in Open after a fast recovery replaces RACK's pending reordering timer with the probe timer (Linux's one timer: tcp_schedule_loss_probe from tcp_write_xmit)", () => {
    const { s, k } = recoveredWithRackPending()
    const rackAt = s.snd.rackAt!
    // a write: two new segments, and the probe timer, 2 SRTT + 2 ms from now, is the one timer
    // (SRTT ~22 ms: the SACKs above are samples too, Linux's sack_rtt_us)
    expect(shape(s.write(1062, T.octets(2 * MSS)))).toEqual([[k(13), MSS], [k(14), MSS]])
    const probeAt = 1062 + Math.ceil(2 * s.snd.rtt.srtt! + 2)
    expect(probeAt).toBe(1108)
    expect(s.snd.tlpAt).toBe(probeAt)
    expect(s.snd.rackAt).toBeUndefined()
    // nothing at RACK's time (before: N10 resent at 1066, a second recovery); the probe at its time
    expect(shape(s.tick(rackAt))).toEqual([])
    expect(shape(s.tick(probeAt - 1))).toEqual([])
    expect(shape(s.tick(probeAt))).toEqual([[k(14), MSS]])
    expect([Sender.counters(s.snd).tailProbes, Sender.counters(s.snd).fastRetransmits, s.snd.recovering]).toEqual([1, 1, false])
  })

  // The same recovery's end, then an ACK of new data where probe50's test had a write. Linux is Open
  // (tcp_try_keep_open), and an ACK that moves SND.UNA with no SACK block and no ECE is not dubious
  // (tcp_ack_is_dubious: FLAG_NOT_DUP, no FLAG_CA_ALERT, Open): tcp_ack skips tcp_fastretrans_alert,
  // so tcp_rack_mark_lost neither marks nor re-arms, and the ACK's FLAG_SET_XMIT_TIMER makes
  // tcp_set_xmit_timer's tcp_schedule_loss_probe(sk, true) replace the pending reordering timer with
  // the probe's, min(PTO, RTO) from the ACK. RACK's marks wait for a dubious ACK (the probe's SACK)
  it("an ACK of new data in Open after a fast recovery marks nothing and replaces RACK's pending reordering timer with the probe timer (Linux's tcp_ack_is_dubious, tcp_set_xmit_timer)", () => {
    const { s, k } = recoveredWithRackPending()
    // N10's ACK, no SACK block: N11 and N12, sent before the resend RACK last saw delivered, are not
    // marked and not waited for (before: RACK's timer again, at 1071, and N11 resent there in a second
    // recovery); the probe timer is the one timer
    expect(s.send(1063, sackOf(k(11)))).toEqual([])
    expect(s.snd.rackAt).toBeUndefined()
    const tlpAt = s.snd.tlpAt!
    expect(tlpAt).toBe(1063 + Math.ceil(2 * s.snd.rtt.srtt! + 2))
    for (let t = 1064; t < tlpAt; t++) expect(shape(s.tick(t))).toEqual([])
    // the probe: nothing new to send, so the last segment
    expect(shape(s.tick(tlpAt))).toEqual([[k(12), MSS]])
    expect([Sender.counters(s.snd).tailProbes, Sender.counters(s.snd).fastRetransmits, s.snd.recovering]).toEqual([1, 1, false])
  })

  // The same, with the peer's data at SND.UNA where the last test had an ACK of new data: not dubious
  // either (FLAG_DATA is one of FLAG_NOT_DUP), so tcp_rack_mark_lost neither marks nor re-arms, and
  // with SND.UNA unmoved no FLAG_SET_XMIT_TIMER: the reordering timer stays as it was armed, and its
  // expiry (tcp_rack_reo_timeout) finds the new data lost
  it("the peer's data in Open after a fast recovery leaves RACK's pending reordering timer as it was: no marks before it (Linux's tcp_ack_is_dubious)", () => {
    const { s, k } = recoveredWithRackPending()
    const data = (out: ReadonlyArray<OutSegment>) => shape(out).filter(([, len]) => len > 0)
    expect(data(s.send(1064, T.fromPeer({ ack: k(10), payload: "request" })))).toEqual([])
    expect([s.snd.recovering, s.snd.rackAt]).toEqual([false, 1066])
    expect(data(s.tick(1065))).toEqual([])
    expect(data(s.tick(1066))[0]).toEqual([k(10), MSS])
    expect(s.snd.recovering).toBe(true)
  })

  // Linux's tcp_rack_reo_timeout: when the reordering timer's expiry marks something lost in any
  // state but Recovery, TCP_CA_Loss included, it calls tcp_enter_recovery (a cut from cwnd, the
  // recovery point at SND.MAX, tcp_init_undo) and tcp_cwnd_reduction(sk, 1, ...) before
  // tcp_xmit_retransmit_queue: cwnd = in flight + 1 (the wire: ConformanceLoss, "RACK's reordering
  // timer expiring in a timeout's episode starts a fast recovery"). No timestamps (the RTO stays
  // backed off: Karn)
  it("RACK's reordering timer expiring in a timeout's episode starts a fast recovery (Linux's tcp_rack_reo_timeout: tcp_enter_recovery from TCP_CA_Loss): one resend, and no new data past PRR's window", () => {
    const s = warm()
    // A, X1, X2, B at 1000; X1 SACKed at 1020: A lost 7 ms on, a fast recovery resends it
    expect(shape(s.write(1000, T.octets(4 * MSS)))).toHaveLength(4)
    s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS]))
    expect(shape(s.tick(1027))).toEqual([[B, MSS]])
    // X2 SACKed at 1235 (B, sent with it but above it, is not before it): X2 went before A's resend,
    // so the RTO runs from this ACK (Linux's FLAG_SET_XMIT_TIMER for a SACK sample older than the
    // head's last send); C goes 50 ms before it
    s.send(1235, sackOf(B, [B + MSS, B + 3 * MSS]))
    expect(s.snd.rtoAt).toBe(1235 + s.snd.rtt.rto)
    const cAt = Math.ceil(s.snd.rtoAt!) - 50
    expect(shape(s.write(cAt, T.octets(MSS)))).toEqual([[B + 4 * MSS, MSS]])
    // the resend of A is lost too: the timeout resends it; C went within RACK.rtt (235) of it, held
    const tr = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(tr))).toEqual([[B, MSS]])
    expect([Sender.counters(s.snd).timeouts, s.snd.rack.held]).toEqual([1, 1])
    // A's resend and B's original acknowledged 20 ms on: RACK.rtt is B's (tr + 20 - 1000), so C
    // waits cAt - 1000 ms (+ 2), under the backed-off RTO; nothing goes (cwnd 3, C in flight)
    expect(s.send(tr + 20, sackOf(B + 4 * MSS))).toEqual([])
    const expiry = s.snd.rackAt!
    expect(expiry).toBe(tr + 20 + cAt - 1000 + 2)
    expect(s.snd.rtt.rto).toBeGreaterThan(237)
    const cwnd = s.snd.cc.cwnd
    // the expiry finds C lost: a fast recovery (ssthresh cut from cwnd), C resent (in flight 0, + 1)
    expect(shape(s.tick(expiry))).toEqual([[B + 4 * MSS, MSS]])
    expect([s.snd.recovering, Sender.counters(s.snd).fastRetransmits, s.snd.cc.ssthresh < cwnd]).toEqual([true, 2, true])
    expect(s.snd.recover).toBe(ours(B + 5 * MSS))
    // a write now: PRR's window (C in flight, + 1 at the expiry) holds it. Left in the go-back, cwnd
    // 3 sent two new segments
    expect(s.write(expiry + 1, T.octets(3 * MSS))).toEqual([])
    // the ACK of C ends the recovery (SND.UNA at its point): cwnd = ssthresh, and new data goes
    expect(shape(s.send(expiry + 20, sackOf(B + 5 * MSS))).length).toBeGreaterThan(0)
    expect(s.snd.recovering).toBe(false)
  })

  // The same with timestamps, and a go-back resend (Y, after the timeout) still out at the expiry.
  // Linux's tcp_enter_recovery from TCP_CA_Loss resets undo_marker (tcp_init_undo) but not
  // retrans_stamp, the episode's first retransmission (tcp_retransmit_skb sets it only when 0): so
  // tcp_try_undo_recovery's tcp_packet_delayed at the ACK that ends the recovery asks whether the
  // echo predates that first resend, not the expiry's. An ACK echoing Y's resend (C's resend having
  // arrived first, out of order) shows the resends were needed: no undo
  it("a recovery RACK's reordering timer starts from a timeout's episode keeps the episode's first retransmission for Eifel (Linux's retrans_stamp survives tcp_enter_recovery): an echo of a go-back resend undoes nothing", () => {
    const s = warm(undefined, true)
    const P = MSS - 12
    const k = (n: number) => B + n * P
    // A, X1, X2, Bs, Y at 1000; X1 SACKed at 1020: A lost 7 ms on, a fast recovery resends it
    expect(shape(s.write(1000, T.octets(5 * P)))).toHaveLength(5)
    s.send(1020, sackTs(100, 1000, B, [k(1), k(2)]))
    expect(shape(s.tick(1027))).toEqual([[B, P]])
    const firstResend = 1027
    // X2 SACKed at 1235: X2 went before A's resend, so the RTO runs from this ACK (Linux's
    // FLAG_SET_XMIT_TIMER for a SACK sample older than the head's last send). C goes just inside
    // RACK.rtt (235) of that RTO, and so waits as little as it can below (C's send - 1000)
    s.send(1235, sackTs(101, 1000, B, [k(1), k(3)]))
    const rto1 = s.snd.rtt.rto
    expect(s.snd.rtoAt).toBe(1235 + rto1)
    const cAt = Math.ceil(1000 + rto1) + 5
    expect(shape(s.write(cAt, T.octets(P)))).toEqual([[k(5), P]])
    // the resend of A is lost too: the timeout resends it; C went within RACK.rtt of it, held
    const tr = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(tr))).toEqual([[B, P]])
    expect([Sender.counters(s.snd).timeouts, s.snd.rack.held]).toEqual([1, 1])
    // A's resend, X1, X2 and Bs acknowledged 150 ms on, echoing A's resend: Y (lost at the timeout)
    // goes. The echo's 150 ms sample lifts the RTO over C's wait (cAt - 1000: RACK.rtt is Bs's), so
    // RACK's timer is not held to it
    const acked = tr + 150
    expect(shape(s.send(acked, sackTs(102, tr, k(4))))).toEqual([[k(4), P]])
    const expiry = s.snd.rackAt!
    expect(expiry).toBe(acked + cAt - 1000 + 2)
    // the expiry finds C lost: a fast recovery, C resent
    expect(shape(s.tick(expiry))).toEqual([[k(5), P]])
    expect(s.snd.recovering).toBe(true)
    // C's resend arrives first (SACKed, echoing A's resend of tr), then Y's: the ACK of all echoes Y's resend
    s.send(expiry + 20, sackTs(103, tr, k(4), [k(5), k(6)]))
    s.send(expiry + 21, sackTs(104, acked, k(6)))
    expect(s.snd.recovering).toBe(false)
    expect(firstResend).toBeLessThan(acked)
    expect([Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).undos]).toEqual([0, 0])
  })

  // Linux's tcp_enter_recovery begins its undo record with tcp_init_undo: undo_retrans =
  // retrans_out, the retransmissions still in flight, so at an entry from TCP_CA_Loss the go-back's
  // resends not yet SACKed or lost again count as the new recovery's, and a D-SACK of any of them
  // counts down (tcp_check_dsack / tcp_sacktag_one: above undo_marker). tcp_try_undo_dsack and
  // tcp_try_undo_recovery undo only at 0. Here Y's go-back resend is out when RACK's expiry starts
  // the recovery, and only C's resend is D-SACKed: Y's was needed, so no undo
  /**
   * A fast recovery RACK's reordering timer starts from a timeout's episode (a go-back resend, Y's,
   * still out), ended by the ACK of all; then C's resend D-SACKed. Y's resend is not D-SACKed (yet):
   * no undo. The socket, the expiry's time and `k`.
   */
  const recoveryFromTimeout = () => {
    const s = warm()
    const k = (n: number) => B + n * MSS
    // A, X1, X2, Bs, Y at 1000; X1 SACKed at 1020: A lost 7 ms on, a fast recovery resends it
    expect(shape(s.write(1000, T.octets(5 * MSS)))).toHaveLength(5)
    s.send(1020, sackOf(B, [k(1), k(2)]))
    expect(shape(s.tick(1027))).toEqual([[B, MSS]])
    // X2 SACKed at 1235 (the RTO from there); C goes just inside RACK.rtt (235) of that RTO
    s.send(1235, sackOf(B, [k(1), k(3)]))
    const cAt = Math.ceil(1000 + s.snd.rtt.rto) + 5
    expect(shape(s.write(cAt, T.octets(MSS)))).toEqual([[k(5), MSS]])
    // the resend of A is lost too: the timeout resends it, C held
    const tr = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(tr))).toEqual([[B, MSS]])
    expect([Sender.counters(s.snd).timeouts, s.snd.rack.held]).toEqual([1, 1])
    // A's resend, X1, X2 and Bs acknowledged: Y (lost at the timeout) goes again in the go-back
    expect(shape(s.send(tr + 20, sackOf(k(4))))).toEqual([[k(4), MSS]])
    // RACK's expiry finds C lost: a fast recovery from the timeout's episode, Y's resend still out
    const expiry = s.snd.rackAt!
    expect(shape(s.tick(expiry))).toEqual([[k(5), MSS]])
    expect(s.snd.recovering).toBe(true)
    // Y's resend and C's original arrive: the ACK of all ends the recovery; then C's resend, D-SACKed.
    // Y's resend was needed (never D-SACKed): the cut stands
    s.send(expiry + 20, sackOf(k(6)))
    expect(s.snd.recovering).toBe(false)
    s.send(expiry + 21, sackOf(k(6), [k(5), k(6)]))
    expect([Sender.counters(s.snd).undos, Sender.counters(s.snd).eifelUndos]).toEqual([0, 0])
    return { s, expiry, k }
  }

  it("a recovery RACK's reordering timer starts from a timeout's episode counts the go-back's resends still out for its D-SACK undo (Linux's tcp_init_undo: undo_retrans = retrans_out)", () => {
    const { s, expiry, k } = recoveryFromTimeout()
    // Y's original turns up after all (D-SACKed): every resend out at the entry and since was needless,
    // and the cut goes (tcp_try_undo_dsack, which Linux runs in Open and Disorder)
    s.send(expiry + 22, sackOf(k(6), [k(4), k(5)]))
    expect([Sender.counters(s.snd).undos, Sender.counters(s.snd).eifelUndos]).toEqual([1, 0])
  })

  // (undo53; reno52's note) The same recovery's record: entered from Linux's CA_Loss (no cwnd
  // reduction), prior_ssthresh = tcp_current_ssthresh = max(7, 3/4 of 4) = 7 (the first recovery's
  // cut, kept by the timeout), prior_cwnd 4 (the timeout's slow start); the cut takes ssthresh to 2.
  // Y's D-SACK comes late, after the window has grown back past 4: tcp_undo_cwnd_reduction keeps the
  // larger cwnd and gives back ssthresh 7, as it is larger than 2. The stack returned early there (cwnd
  // not below the saved one) and kept 2: congestion avoidance where Linux slow-starts to 7
  it("a late D-SACK undo of a recovery from a timeout's episode, the window grown back past the saved one: ssthresh is given back all the same (tcp_undo_cwnd_reduction)", () => {
    const { s, expiry, k } = recoveryFromTimeout()
    expect(s.snd.undo?.cc.cwnd).toBe(4 * MSS)
    expect(s.snd.undo?.cc.ssthresh).toBe(7 * MSS)
    expect(s.snd.cc.ssthresh).toBe(2 * MSS)
    // more data, each segment acknowledged 20 ms after it went, until cwnd is past 4
    s.write(expiry + 30, T.octets(40 * MSS))
    let t = expiry + 50
    for (let n = 7; n < 46 && s.snd.cc.cwnd <= 4 * MSS; n++, t += 5) s.send(t, sackOf(k(n)))
    expect(s.snd.cc.cwnd).toBe(5 * MSS)
    expect(s.snd.cc.ssthresh).toBe(2 * MSS)
    // Y's original, D-SACKed at last
    s.send(t, sackOf(Seq.sub(s.snd.sndUna, ours(0)), [k(4), k(5)]))
    expect([Sender.counters(s.snd).undos, s.snd.cc.cwnd, s.snd.cc.ssthresh]).toEqual([1, 5 * MSS, 7 * MSS])
  })

  // Linux's tcp_sacktag_one: a D-SACK for a segment sent again and already SACKed (both copies
  // arrived: the original was reordered, not lost) sets state->reord, and tcp_check_sack_reordering
  // (below the highest SACKed sequence) counts reord_seen. From then on tcp_rack_reo_wnd is min RTT / 4
  // (times the D-SACK steps) in Recovery and Loss too, not 0
  it("a D-SACK for a resent segment the peer had SACKed is reordering seen (Linux's tcp_sacktag_one → tcp_check_sack_reordering): RACK's window is no longer 0 in recovery", () => {
    const s = warm()
    const k = (n: number) => B + n * MSS
    // S0..S4 at 1000; S0 lost, S1 late: S2..S4 SACKed at 1020, both marked lost, a fast recovery
    expect(shape(s.write(1000, T.octets(5 * MSS)))).toHaveLength(5)
    expect(shape(s.send(1020, sackOf(B, [k(2), k(5)])))).toEqual([[B, MSS], [k(1), MSS]])
    expect(s.snd.recovering).toBe(true)
    // S1's original arrives: SACKed (at 1030, within min RTT of its resend: no RACK advance)
    expect(s.send(1030, sackOf(B, [k(1), k(5)]))).toEqual([])
    expect(s.snd.rack.reordering).toBe(false)
    expect(Rack.reorderingWindow(s.snd.rack, s.snd.rtt.srtt, true)).toBe(0)
    // S1's resend arrives: a D-SACK for it, inside the SACKed range
    expect(s.send(1041, sackOf(B, [k(1), k(2)], [k(1), k(5)]))).toEqual([])
    expect(s.snd.rack.reordering).toBe(true)
    expect(Rack.reorderingWindow(s.snd.rack, s.snd.rtt.srtt, true)).toBeGreaterThan(0)
  })

  // new data that urgent mode sends past Nagle is new data as any write's (Linux's MSG_OOB send goes
  // through tcp_push and tcp_write_xmit, whose tcp_schedule_loss_probe arms the timer likewise)
  it("new data an urgent mark sends while a probe is out: the probe timer too, not the probe's RTO", () => {
    const s = warm()
    s.write(1000, T.octets(2 * MSS + 100))
    const probeAt = s.snd.tlpAt!
    expect(shape(s.tick(probeAt))).toEqual([[B + 2 * MSS, 100]])
    // a small write Nagle holds (a small segment is out), then marked urgent: it goes at once
    expect(s.write(probeAt + 10, "ab")).toEqual([])
    const out: Array<OutSegment> = []
    Sender.markUrgent(s.snd, probeAt + 11, out)
    expect(shape(out)).toEqual([[B + 2 * MSS + 100, 2]])
    const headDue = 1000 + s.snd.rtt.rto
    expect(s.snd.rtoAt).toBeUndefined()
    // the PTO from the urgent send, 2 SRTT + 2 ms rounded up (Linux's tcp_schedule_loss_probe): 40
    expect(probeAt + 11 + 40).toBeLessThan(headDue)
    expect(s.snd.tlpAt).toBe(probeAt + 11 + 40)
  })

  it("a probe that carried our FIN: a D-SACK of its data alone ends the episode too", () => {
    const s = warm()
    const cwnd = s.snd.cc.cwnd
    s.write(1000, T.octets(3 * MSS + 100))
    // (Nagle holds the second small piece until the FIN lets it go: the last segment carries both)
    expect(s.write(1000, T.octets(100))).toEqual([])
    const last = s.end(1000)
    expect(shape(last)).toEqual([[B + 3 * MSS + 100, 100]])
    expect(last[0]!.flags & FIN).toBe(FIN)
    s.send(1020, sackOf(B + 2 * MSS))
    const probeAt = s.snd.tlpAt!
    const probe = s.tick(probeAt)
    expect(shape(probe)).toEqual([[B + 3 * MSS + 100, 100]])
    expect(probe[0]!.flags & FIN).toBe(FIN)
    // the original arrived: the ACK of all of it (FIN too), then the probe's D-SACK, of its data only
    s.send(probeAt + 5, sackOf(B + 3 * MSS + 201))
    expect(s.snd.tlpEpisode).toBeDefined()
    s.send(probeAt + 20, sackOf(B + 3 * MSS + 201, [B + 3 * MSS + 100, B + 3 * MSS + 200]))
    expect(s.snd.tlpEpisode).toBeUndefined()
    expect(Sender.counters(s.snd).tlpRepairs).toBe(0)
    expect(s.snd.cc.cwnd).toBeGreaterThanOrEqual(cwnd)
  })

  it("a window update at the probe's end is no duplicate (RFC 5681 §2 (e)): the episode stays open, and the ACK beyond it cuts", () => {
    const { cwnd, probeAt, s } = tail()
    s.send(probeAt + 20, sackOf(B + 4 * MSS))
    // the peer's application reads: the same ACK, a larger window (64240 before)
    s.send(probeAt + 30, T.fromPeer({ ack: B + 4 * MSS, window: 65535 }))
    expect(s.snd.tlpEpisode).toBeDefined()
    s.write(probeAt + 40, T.octets(MSS))
    s.send(probeAt + 60, T.fromPeer({ ack: B + 5 * MSS, window: 65535 }))
    expect(Sender.counters(s.snd).tlpRepairs).toBe(1)
    expect(s.snd.cc.ssthresh).toBeLessThan(cwnd)
  })

  it("a bare duplicate at the probe's end (both copies arrived, no SACK to say so) ends the episode without a cut", () => {
    const { cwnd, probeAt, s } = tail()
    s.send(probeAt + 20, sackOf(B + 4 * MSS))
    s.send(probeAt + 21, sackOf(B + 4 * MSS))
    expect(s.snd.tlpEpisode).toBeUndefined()
    s.write(probeAt + 40, T.octets(MSS))
    s.send(probeAt + 60, sackOf(B + 5 * MSS))
    expect(Sender.counters(s.snd).tlpRepairs).toBe(0)
    expect(s.snd.cc.cwnd).toBeGreaterThanOrEqual(cwnd)
  })

  it("a probe whose original arrived too (the peer D-SACKs it) draws no response", () => {
    const { cwnd, probeAt, s } = tail()
    s.send(probeAt + 5, sackOf(B + 4 * MSS))
    s.send(probeAt + 20, sackOf(B + 4 * MSS, [B + 3 * MSS, B + 4 * MSS]))
    expect(s.snd.tlpEpisode).toBeUndefined()
    s.write(probeAt + 30, T.octets(MSS))
    s.send(probeAt + 50, sackOf(B + 5 * MSS))
    expect(Sender.counters(s.snd).tlpRepairs).toBe(0)
    expect(s.snd.cc.cwnd).toBeGreaterThanOrEqual(cwnd)
  })
})

describe("the probe in Linux's CWR state (ECN's cut held) with SACKed data (tcp_schedule_loss_probe: Open or CWR)", () => {
  /** `warm`'s exchanges on a connection that set up ECN (RFC 3168 §6.1.1), with SACK. */
  const warmEcn = () => {
    const s = T.established({
      params: { ecn: "accept" },
      peerOptions: { mss: MSS, sackPermitted: true },
      peerSynFlags: ECE | CWR
    })
    for (let i = 0; i < B; i++) {
      s.write(40 * i, "x")
      s.send(40 * i + 20, sackOf(i + 1))
    }
    expect(s.snd.ecnOk).toBe(true)
    return s
  }

  // Linux's CWR state holds through SACKs (tcp_try_to_open leaves CWR as it is: no
  // tcp_try_keep_open), and tcp_schedule_loss_probe arms the probe in Open and CWR whatever
  // sacked_out is. So new data sent there (tcp_write_xmit's tcp_schedule_loss_probe(sk, false))
  // replaces a pending reordering timer with the probe timer: nothing goes at RACK's time. The
  // stack took SACKed data for Linux's Disorder whatever the ECN state, armed no probe, and RACK's
  // timer resent the hole in a fast recovery
  /**
   * `warmEcn`, four segments H, X1, X2, X3 at 1000, all lost but X1 and X2 late: the probe resends
   * X3, the timeout H (F-RTO); X1's SACK shows the timeout spurious (its original, never resent,
   * arrived: tcp_process_loss's tcp_try_undo_loss, Open, the timeout's marks gone). The socket and
   * the timeout's time.
   */
  const spuriousAfterProbe = () => {
    const s = warmEcn()
    const k = (n: number) => B + n * MSS
    expect(shape(s.write(1000, T.octets(4 * MSS)))).toHaveLength(4)
    expect(shape(s.tick(Math.ceil(s.snd.tlpAt!)))).toEqual([[k(3), MSS]])
    const t = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(t))).toEqual([[B, MSS]])
    expect(shape(s.send(t + 20, sackOf(B, [k(1), k(2)])))).toEqual([])
    expect([Sender.counters(s.snd).spuriousTimeouts, s.snd.recovering]).toEqual([1, false])
    return { s, t, k }
  }

  // The probe's episode ends at the timeout (Linux's tcp_enter_loss: tlp_high_seq = 0), and with it
  // RFC 8985 §7.4's "a SACK for the probe shows the holes below it lost" (`sackShowsLoss`): after
  // the timeout proved spurious Linux is Open with its marks undone (tcp_undo_cwnd_reduction(sk,
  // true)), and X2's SACK finds nothing lost (tcp_rack_detect_loss: H's resend went after X2, X3's
  // probe too). The stack kept `tlpOut` through the timeout, and the SACK started a fast recovery
  // that resent H
  it("after a timeout that proved spurious, a SACK below the probe sent before it starts no recovery (the timeout ended the probe's episode)", () => {
    const { s, t, k } = spuriousAfterProbe()
    expect(shape(s.send(t + 22, sackOf(B, [k(1), k(3)])))).toEqual([])
    expect([s.snd.recovering, Sender.counters(s.snd).fastRetransmits]).toEqual([false, 0])
  })

  // review51a's left case, a CWR socket with a resent head: an ACK that SACKs data sent before the
  // head's resend sets FLAG_SET_XMIT_TIMER (tcp_clean_rtx_queue), and tcp_set_xmit_timer's
  // tcp_schedule_loss_probe(sk, true) arms the probe in CWR (no sacked_out test): min(PTO, RTO)
  // from the ACK, not the RTO. After `spuriousAfterProbe` a duplicate with ECE takes Linux to CWR
  // (tcp_try_to_open → tcp_enter_cwr), then X2's SACK (sent at 1000, before H's resend). The stack
  // agreed already (`setXmitTimer` re-arms the RTO from the head, and `armTailProbe`, in CWR by
  // `probeState`, arms the probe from this ACK): kept as a regression check
  it("in CWR a SACK of data sent before the head's resend arms the probe from the ACK (tcp_set_xmit_timer's tcp_schedule_loss_probe in CWR), with the RTO from the head behind it", () => {
    const { s, t, k } = spuriousAfterProbe()
    s.send(t + 21, T.fromPeer({ ack: B, flags: ACK | ECE, options: { sackPermitted: false, sack: [{ left: ours(k(1)), right: ours(k(2)) }] } }))
    expect(Sender.counters(s.snd).ecnReductions).toBe(1)
    expect(shape(s.send(t + 22, sackOf(B, [k(1), k(3)])))).toEqual([])
    expect([s.snd.recovering, s.snd.rackAt, s.snd.tlpAt]).toEqual([false, undefined, t + 22 + Math.ceil(2 * s.snd.rtt.srtt! + 2)])
    expect(s.snd.rtoAt).toBe(t + s.snd.rtt.rto)
    // the probe: nothing new to send, the last segment again
    expect(shape(s.tick(s.snd.tlpAt!))).toEqual([[k(3), MSS]])
  })

  it("new data sent in CWR with a SACK hole replaces RACK's pending reordering timer with the probe timer", () => {
    const s = warmEcn()
    const k = (n: number) => B + n * MSS
    expect(shape(s.write(1000, T.octets(6 * MSS)))).toHaveLength(6)
    // the first acknowledged with ECE: CWR (the cut, held until SND.MAX of now is acknowledged)
    s.send(1020, T.fromPeer({ ack: k(1), flags: ACK | ECE }))
    expect(Sender.counters(s.snd).ecnReductions).toBe(1)
    // the third SACKed, the second not: RACK waits for it (min RTT / 4: one segment SACKed)
    s.send(1021, sackOf(k(1), [k(2), k(3)]))
    const rackAt = s.snd.rackAt!
    expect(rackAt).toBeGreaterThan(1021)
    // a write: one new segment, and the probe timer is the one timer
    expect(shape(s.write(1022, T.octets(MSS, 6 * MSS)))).toEqual([[k(6), MSS]])
    const probeAt = 1022 + Math.ceil(2 * s.snd.rtt.srtt! + 2)
    expect([s.snd.rackAt, s.snd.tlpAt]).toEqual([undefined, probeAt])
    expect(shape(s.tick(rackAt))).toEqual([])
    expect(s.snd.recovering).toBe(false)
    // the probe: nothing new to send, so the last segment again
    expect(shape(s.tick(probeAt))).toEqual([[k(6), MSS]])
    expect([Sender.counters(s.snd).tailProbes, Sender.counters(s.snd).fastRetransmits]).toEqual([1, 0])
  })
})

describe("limited transmit (RFC 3042; RFC 5681 §3.2 SHOULD)", () => {
  it("without SACK: the first and second duplicate ACKs each let one new segment go; their data is not FlightSize for the cut", () => {
    const s = T.established({ params: { quickAcks: 0, congestion: "newreno" }, peerOptions: { mss: MSS, sackPermitted: false }, peerWindow: 65535 })
    // 20 segments written: the initial window (10) goes, the rest waits for cwnd
    expect(shape(s.write(0, T.octets(20 * MSS)))).toHaveLength(10)
    const dup = (at: number) => s.send(at, T.fromPeer({ seq: 0, ack: 0, window: 65535 }))
    expect(shape(dup(20))).toEqual([[10 * MSS, MSS]])
    expect(shape(dup(21))).toEqual([[11 * MSS, MSS]])
    // the third: fast retransmit of the first, ssthresh from the 10 segments sent before (not 12)
    expect(shape(dup(22))).toEqual([[0, MSS]])
    expect(s.snd.cc.ssthresh).toBe(5 * MSS)
  })
  it("without SACK: three duplicates in one batch send what they send one at a time, the two new segments, then the first again", () => {
    // Linux takes each ACK by itself (tcp_ack, then tcp_data_snd_check), so each of the first two
    // duplicates lets a new segment go (tcp_add_reno_sack: in_flight one less in Disorder) before
    // the third starts the recovery; worked out at the batch's end, the recovery's PRR window
    // (in_flight 10 - 3 - 1 = 6 < ssthresh 7: sndcnt 1) let the resend go alone
    const s = T.established({ params: { quickAcks: 0 }, peerOptions: { mss: MSS, sackPermitted: false }, peerWindow: 65535 })
    expect(shape(s.write(0, T.octets(20 * MSS)))).toHaveLength(10)
    const dup = () => T.fromPeer({ seq: 0, ack: 0, window: 65535 })
    expect(shape(s.send(20, dup(), dup(), dup()))).toEqual([[10 * MSS, MSS], [11 * MSS, MSS], [0, MSS]])
    expect(s.snd.recovering).toBe(true)
    // the same as one at a time from here: the 4th duplicate, ceil(7 * 2 / 10) - 1 = 1
    expect(shape(s.send(21, dup()))).toEqual([[12 * MSS, MSS]])
  })
  // (batch59) Without SACK, a recovery's duplicates and partial ACKs inside a batch: Linux's tcp_ack
  // takes each by itself (tcp_fastretrans_alert: tcp_add_reno_sack for a duplicate, tcp_newreno_mark_lost
  // of the new head for a partial ACK; tcp_cwnd_reduction; tcp_xmit_recovery, then
  // tcp_data_snd_check), so each sends what PRR allows at it, echoing it. Ten out, the 4th duplicate
  // (prr_delivered 2, in_flight 12 - 4 - 1 + 1 = 8 above ssthresh 7: sndcnt ceil(14 / 10) - 1 = 1) the
  // 13th, the 5th (ceil(21 / 10) - 2 = 1) the 14th. Then the partial ACKs of eight and of ten
  // segments: the first (delivered max(8 - 5 counted, 1) = 3, prr_delivered 6; in_flight 14 - 8 - 1
  // lost head = 5 under 7: sndcnt min(2, max(6 - 3, 3)) = 2) marks the 9th lost and resends it, then
  // the 15th; the second (prr_delivered 8, in_flight 4: min(3, max(8 - 5, 2)) = 3) the 11th, then the
  // 16th and 17th. The stack made the batch's sends at its end (`renoRecover`), echoing the last ACK,
  // and the first partial ACK's head, acknowledged by the second, never went
  it("without SACK: a recovery's duplicates and partial ACKs inside a batch each send at themselves, as one at a time", () => {
    const P = MSS - 12
    const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [T.ourSeq(o) / P, o.options.timestamp?.echo])
    const ack = (value: number, echo: number, n: number) =>
      T.fromPeer({ seq: 0, ack: n * P, window: 65535, options: { sackPermitted: false, timestamp: { value, echo } } })
    const run = (batched: boolean) => {
      const s = T.established({
        params: { quickAcks: 0 },
        peerOptions: { mss: MSS, sackPermitted: false, timestamp: { value: 1, echo: 0 } },
        peerWindow: 65535
      })
      expect(sent(s.write(1000, T.octets(30 * P))).map(([n]) => n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect(sent(s.send(1020, ack(100, 1000, 0)))).toEqual([[10, 100]])
      expect(sent(s.send(1020, ack(101, 1000, 0)))).toEqual([[11, 101]])
      expect(sent(s.send(1020, ack(102, 1000, 0)))).toEqual([[0, 102]])
      const batch = (at: number, acks: ReadonlyArray<ReturnType<typeof ack>>) =>
        batched ? sent(s.send(at, ...acks)) : acks.flatMap((a) => sent(s.send(at, a)))
      const dups = batch(1025, [ack(103, 1000, 0), ack(104, 1000, 0)])
      const partials = batch(1045, [ack(105, 1020, 8), ack(106, 1020, 10)])
      return [dups, partials, Sender.counters(s.snd).retransmits, s.snd.recovering]
    }
    const linux = [[[12, 103], [13, 104]], [[8, 105], [14, 105], [10, 106], [15, 106], [16, 106]], 3, true]
    expect(run(false)).toEqual(linux)
    expect(run(true)).toEqual(linux)
  })
  // (review59b) Without SACK, the hold inside a batch: Linux's tcp_ack for the ACK of `recover`
  // itself (tcp_try_undo_recovery: Reno holds Recovery, returns before any mark), then
  // tcp_cong_control's tcp_cwnd_reduction (prr_delivered 10, in_flight 1 under ssthresh 7: sndcnt
  // min(6, max(10 - 2, 8) + 1) = 6) and tcp_data_snd_check: the 14th to 19th go echoing it. The
  // next ACK (the 13th's, past the point: Open, cwnd = ssthresh 7, in_flight 6) sends the 20th
  // echoing itself; a duplicate of the hold sends nothing. The stack left the hold's sends to the
  // batch's end (`recoverDue` is not set at the hold), all echoing the last ACK
  it("without SACK, the hold inside a batch sends its new data at itself, as one at a time", () => {
    const P = MSS - 12
    const sent = (out: ReadonlyArray<OutSegment>) => out.map((o) => [T.ourSeq(o) / P, o.options.timestamp?.echo])
    const ack = (value: number, echo: number, n: number) =>
      T.fromPeer({ seq: 0, ack: n * P, window: 65535, options: { sackPermitted: false, timestamp: { value, echo } } })
    const run = (batched: boolean, next: number) => {
      const s = T.established({
        params: { quickAcks: 0 },
        peerOptions: { mss: MSS, sackPermitted: false, timestamp: { value: 1, echo: 0 } },
        peerWindow: 65535
      })
      expect(sent(s.write(1000, T.octets(40 * P))).map(([n]) => n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect(sent(s.send(1020, ack(100, 1000, 0)))).toEqual([[10, 100]])
      expect(sent(s.send(1020, ack(101, 1000, 0)))).toEqual([[11, 101]])
      expect(sent(s.send(1020, ack(102, 1000, 0)))).toEqual([[0, 102]])
      expect(sent(s.send(1025, ack(103, 1000, 0)))).toEqual([[12, 103]])
      const acks = [ack(105, 1020, 12), ack(106, 1020, next)]
      const out = batched ? sent(s.send(1045, ...acks)) : acks.flatMap((a) => sent(s.send(1045, a)))
      return [out, s.snd.recovering, s.snd.cc.cwnd / P]
    }
    const held = [[13, 105], [14, 105], [15, 105], [16, 105], [17, 105], [18, 105]]
    expect(run(false, 13)).toEqual([[...held, [19, 106]], false, 7])
    expect(run(true, 13)).toEqual([[...held, [19, 106]], false, 7])
    expect(run(false, 12)).toEqual([held, true, 7])
    expect(run(true, 12)).toEqual([held, true, 7])
  })
  // (review53b) prr53's 5266cd1 without SACK: a window update, then the third duplicate, in one
  // batch. Linux takes the update by itself (FLAG_WIN_UPDATE: no duplicate, tcp_add_reno_sack counts
  // nothing; Disorder's in_flight 5 - 2 = 3 under cwnd 10) and tcp_data_snd_check sends the seven
  // new segments the window now allows; the duplicate after it (sacked_out 3) starts the recovery:
  // in_flight 12 - 3 - 1 = 8 above ssthresh 7, sndcnt ceil(1 * 7 / 10) = 1, the resend. The stack
  // sent nothing at the update (the per-ACK send there was SACK's only, `more`), and the recovery's
  // PRR window at the batch's end then let the resend go with less new data
  it("without SACK: a window update, then the third duplicate, in one batch: the window's room goes first, then the resend", () => {
    const win = (window: number) => T.fromPeer({ seq: 0, ack: 0, window })
    const seqs = (out: ReadonlyArray<OutSegment>) => shape(out).map(([seq]) => seq! / MSS)
    const run = (batched: boolean) => {
      const s = T.established({ params: { quickAcks: 0 }, peerOptions: { mss: MSS, sackPermitted: false }, peerWindow: 5 * MSS })
      expect(seqs(s.write(0, T.octets(20 * MSS)))).toEqual([0, 1, 2, 3, 4])
      expect(seqs(s.send(20, win(5 * MSS)))).toEqual([])
      expect(seqs(s.send(21, win(5 * MSS)))).toEqual([])
      const acks = [win(20 * MSS), win(20 * MSS)]
      const out = batched ? seqs(s.send(22, ...acks)) : acks.flatMap((a) => seqs(s.send(22, a)))
      expect(s.snd.recovering).toBe(true)
      return out
    }
    expect(run(false)).toEqual([5, 6, 7, 8, 9, 10, 11, 0])
    expect(run(true)).toEqual([5, 6, 7, 8, 9, 10, 11, 0])
  })
  it("with SACK: three duplicates in one batch send what they send one at a time, the two new segments, then the first again", () => {
    // Linux takes each ACK by itself (tcp_ack: tcp_fastretrans_alert's tcp_rack_mark_lost, then
    // tcp_data_snd_check): at the first two SACKs RACK's window is min RTT / 4 (tcp_rack_reo_wnd:
    // sacked_out below tp->reordering, 3), the first segment is not yet lost, Disorder's in_flight
    // (packets_out - sacked_out) leaves room for one new segment each (RFC 3042); the third's
    // sacked_out 3 takes the window to 0, the first is lost and the recovery resends it (PRR:
    // in_flight 12 - 3 - 1 = 8 above ssthresh 7, sndcnt ceil(1 * 7 / 10) - 0 = 1)
    const s = warm()
    expect(shape(s.write(1000, T.octets(20 * MSS)))).toHaveLength(10)
    const out = s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS]), sackOf(B, [B + MSS, B + 3 * MSS]), sackOf(B, [B + MSS, B + 4 * MSS]))
    expect(shape(out)).toEqual([[B + 10 * MSS, MSS], [B + 11 * MSS, MSS], [B, MSS]])
    expect(s.snd.recovering).toBe(true)
  })
  it("with SACK: four duplicates in one batch send what four one at a time do, the 11th and 12th, the first again, then the 13th", () => {
    // the fourth in recovery: prr_delivered 2, in_flight 12 - 4 - 1 + 1 = 8 above ssthresh 7,
    // sndcnt ceil(2 * 7 / 10) - 1 = 1 (tcp_cwnd_reduction); the same ACKs in four batches send the same
    const batch = warm()
    batch.write(1000, T.octets(20 * MSS))
    const acks = () => [2, 3, 4, 5].map((n) => sackOf(B, [B + MSS, B + n * MSS]))
    const seqs = (out: ReadonlyArray<OutSegment>) => shape(out).map(([seq]) => (seq! - B) / MSS)
    expect(seqs(batch.send(1020, ...acks()))).toEqual([10, 11, 0, 12])
    const single = warm()
    single.write(1000, T.octets(20 * MSS))
    expect(acks().flatMap((a) => seqs(single.send(1020, a)))).toEqual([10, 11, 0, 12])
  })
  it("with SACK: an ACK of new data, then a SACK that starts a recovery, in one batch: the ACK's room goes first, then the resend", () => {
    // Linux: the first ACK (Open, not dubious) acknowledges one segment and slow start grows cwnd to
    // 11: in_flight 9, two new segments (tcp_data_snd_check). The second SACKs three above the
    // second segment: RACK's window 0, it is lost, tcp_enter_recovery (ssthresh 7 of 11):
    // in_flight 11 - 3 - 1 = 7, delta 0, sndcnt min(0, ...) forced to 1 (prr_out 0): the resend.
    // Taken together the recovery's window held the two back: [resend, 11th]
    const seqs = (out: ReadonlyArray<OutSegment>) => shape(out).map(([seq]) => (seq! - B) / MSS)
    const acks = () => [sackOf(B + MSS), sackOf(B + MSS, [B + 2 * MSS, B + 5 * MSS])]
    const batch = warm()
    batch.write(1000, T.octets(20 * MSS))
    expect(seqs(batch.send(1020, ...acks()))).toEqual([10, 11, 1])
    const single = warm()
    single.write(1000, T.octets(20 * MSS))
    expect(acks().flatMap((a) => seqs(single.send(1020, a)))).toEqual([10, 11, 1])
  })
  // (prr53; review52b's "Found, left") A window update before the batch's SACK that starts a
  // recovery: Linux takes it by itself (tcp_ack: FLAG_WIN_UPDATE, Disorder, RACK marks nothing
  // without a delivery; then tcp_data_snd_check): cwnd 10, in_flight 5 - 2 SACKed = 3, the window
  // now 20 segments: seven new ones go. The SACK after it (sacked_out 3: RACK's window 0, the first
  // lost) starts the recovery: in_flight 12 - 3 - 1 = 8 above ssthresh 7, sndcnt ceil(1 * 7 / 10) = 1:
  // the resend. The stack sent nothing at the window update (neither of onAckLosses' branches) and
  // the recovery's window then held the new data back
  it("with SACK: a window update, then a SACK that starts a recovery, in one batch: the window's room goes first, then the resend", () => {
    const win = (window: number, ack: number, ...blocks: ReadonlyArray<readonly [number, number]>) =>
      T.fromPeer({ ack, window, options: { sackPermitted: false, sack: blocks.map(([l, r]) => ({ left: ours(l), right: ours(r) })) } })
    const seqs = (out: ReadonlyArray<OutSegment>) => shape(out).map(([seq]) => (seq! - B) / MSS)
    const run = (batched: boolean) => {
      const s = est()
      for (let i = 0; i < B; i++) {
        s.write(40 * i, "x")
        s.send(40 * i + 20, win(5 * MSS, i + 1))
      }
      expect(seqs(s.write(1000, T.octets(20 * MSS)))).toEqual([0, 1, 2, 3, 4])
      expect(seqs(s.send(1020, win(5 * MSS, B, [B + MSS, B + 3 * MSS])))).toEqual([])
      const acks = [win(20 * MSS, B, [B + MSS, B + 3 * MSS]), win(20 * MSS, B, [B + MSS, B + 4 * MSS])]
      const out = batched ? seqs(s.send(1022, ...acks)) : acks.flatMap((a) => seqs(s.send(1022, a)))
      expect(s.snd.recovering).toBe(true)
      return out
    }
    expect(run(false)).toEqual([5, 6, 7, 8, 9, 10, 11, 0])
    expect(run(true)).toEqual([5, 6, 7, 8, 9, 10, 11, 0])
  })
  it("with SACK, a duplicate inside a batch whose hole RACK would mark lost sends nothing at it: the batch's later ACK that fills the hole decides, as before", () => {
    // the per-ACK limited transmit above only looks at RACK (Rack.detectLoss without marking): on a
    // path shorter than the Clock's millisecond (RACK's window 0) the first SACK shows the first
    // segment lost, and the batch's next ACK acknowledges it; marked at the first, it went again
    // and a recovery cut the window ("a batch's ACKs are all taken before RACK marks losses")
    const s = warmZeroRtt()
    expect(shape(s.write(1000, T.octets(14 * MSS)))).toHaveLength(10)
    const out = shape(s.send(1000, sackOf(B, [B + MSS, B + 3 * MSS]), sackOf(B + 3 * MSS)))
    expect(out.every(([seq]) => seq! >= B + 10 * MSS)).toBe(true)
    expect([Sender.counters(s.snd).retransmits, Sender.counters(s.snd).fastRetransmits, s.snd.recovering]).toEqual([0, 0, false])
  })
  // (ltbatch58) The look before limited transmit's send at an ACK inside a batch: where RACK would
  // mark a loss at this ACK, no new data goes at it. Linux's tcp_ack takes each ACK by itself: at
  // the SACK of the second segment (sent at 1010, RACK.rtt 20) tcp_fastretrans_alert's
  // tcp_identify_packet_loss → tcp_rack_mark_lost finds the first (sent 10 ms earlier, past RACK.rtt
  // + min RTT / 4 = 25 ms: tcp_rack_detect_loss's remaining 20 + 5 - 30 < 0) lost, and
  // tcp_time_to_recover (lost_out) → tcp_enter_recovery: ssthresh 7 of cwnd 10. tcp_cong_control's
  // tcp_cwnd_reduction: in_flight 10 - 1 SACKed - 1 lost = 8 above ssthresh, sndcnt ceil(7 * 1 / 10)
  // - 0 = 1, cwnd 9; tcp_xmit_recovery resends the first (in_flight 9), and tcp_data_snd_check's
  // tcp_cwnd_test finds no room for new data: no limited transmit in Recovery (RFC 3042's send is
  // Disorder's, where in_flight drops below cwnd). The next ACK (the third SACKed): prr_delivered 2,
  // in_flight 10 - 2 - 1 + 1 = 8, sndcnt ceil(7 * 2 / 10) - 1 = 1, cwnd 9: the 11th goes. Without the
  // look, limited transmit sent the 11th at the first ACK (pipe 9 under cwnd 10) before
  // `rackInBatch` entered the recovery and resent the first: [10, 0, ...]
  it("with SACK, a SACK inside a batch that shows a hole sent well before it lost sends the resend, not new data, as one at a time", () => {
    const seqs = (out: ReadonlyArray<OutSegment>) => shape(out).map(([seq]) => (seq! - B) / MSS)
    const run = (batched: boolean) => {
      const s = warm()
      expect(seqs(s.write(1000, T.octets(MSS)))).toEqual([0])
      expect(seqs(s.write(1010, T.octets(19 * MSS, MSS)))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
      const acks = [sackOf(B, [B + MSS, B + 2 * MSS]), sackOf(B, [B + MSS, B + 3 * MSS])]
      const out = batched ? seqs(s.send(1030, ...acks)) : acks.flatMap((a) => seqs(s.send(1030, a)))
      expect(s.snd.recovering).toBe(true)
      return [out, Sender.counters(s.snd).fastRetransmits, s.snd.cc.ssthresh / MSS]
    }
    expect(run(false)).toEqual([[0, 10], 1, 7])
    expect(run(true)).toEqual([[0, 10], 1, 7])
  })
  it("with SACK: a SACK of one segment above a hole lets one new segment go", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(20 * MSS)))).toHaveLength(10)
    // the first lost; 20 ms later the peer SACKs the second: not yet a loss (RACK waits, RFC 6675 wants three)
    expect(shape(s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS])))).toEqual([[B + 10 * MSS, MSS]])
    expect(shape(s.send(1021, sackOf(B, [B + MSS, B + 3 * MSS])))).toEqual([[B + 11 * MSS, MSS]])
  })
})

describe("a peer that reneges on what it SACKed (RFC 2018 §8, as Linux's tcp_check_sack_reneging and tcp_timeout_mark_lost)", () => {
  /**
   * Five segments at 1000, the first lost, the next three SACKed by 1022: recovery resends the first.
   * RACK's reordering timer, armed by the SACK at 1021, is left to expire at 1028 (nothing lost):
   * the RTO then runs from the resend (tcp_rack_reo_timeout → tcp_rearm_rto), as the tests expect.
   */
  const sackedThree = () => {
    const { s, entry } = firstLost(5, 4)
    expect(entry[0]).toEqual([B, MSS])
    expect(s.snd.recovering).toBe(true)
    expect([s.snd.rtoAt, s.snd.rackAt]).toEqual([undefined, 1028])
    expect(s.tick(1028)).toEqual([])
    expect(s.snd.rtoAt).toBe(1022 + s.snd.rtt.rto)
    return s
  }
  /**
   * The same, the fourth and fifth SACKed on one ACK: all four SACKed by 1022, the first resent and
   * room for one segment more. As Linux's tcp_cwnd_reduction counts it at recovery's start, before
   * the resend (tcp_xmit_recovery): tcp_packets_in_flight = 5 out - 4 SACKed - 1 lost = 0 below
   * ssthresh 7 (0.7 x 10), sndcnt = min(7 - 0, max(prr_delivered 2 - prr_out 0, 2)) = 2, cwnd 0 + 2.
   * (`sackedThree` leaves none: the fifth in flight and the resend fill sndcnt 1, cwnd 1 + 1)
   */
  const sackedFour = () => {
    const { s, entry } = firstLost(5, 5)
    expect(entry).toEqual([[B, MSS]])
    expect(s.snd.recovering).toBe(true)
    expect(s.snd.prr!.wnd).toBe(2 * MSS)
    return s
  }

  it("the hole's ACK stops where the SACKed octets begin: the timer at max(SRTT / 2, 10 ms), then the scoreboard cleared and a go-back from SND.UNA", () => {
    const s = sackedThree()
    const ssthresh = s.snd.cc.ssthresh
    // the peer dropped what it SACKed: its ACK of the retransmission goes to B + MSS and no
    // further. Nothing goes on it (no recovery step: Linux's tcp_fastretrans_alert returns), and
    // the retransmission timer is due SRTT / 2 later, at least 10 ms (SRTT about 20 here), not the
    // RTO's 200 ms
    expect(shape(s.send(1042, sackOf(B + MSS)))).toEqual([])
    expect(s.snd.sndUna).toBe(ours(B + MSS))
    expect(s.snd.rtoAt).toBe(1052)
    expect(s.snd.board.ranges.length).toBe(1)
    expect(s.tick(1051)).toEqual([])
    // its expiry is a timeout (Linux's tcp_retransmit_timer, tcp_enter_loss): the scoreboard and the
    // log's SACK marks go, cwnd is one segment, ssthresh as the recovery cut it (no second cut in a
    // window already reduced), and the first of the octets the peer had SACKed goes again
    expect(shape(s.tick(1052))).toEqual([[B + MSS, MSS]])
    expect([Sender.counters(s.snd).reneges, Sender.counters(s.snd).timeouts, s.snd.recovering]).toEqual([1, 1, false])
    expect(s.snd.board.ranges).toEqual([])
    expect(s.snd.board.sacked).toBe(0)
    expect(s.snd.rack.sacked).toBe(0)
    expect([s.snd.cc.cwnd, s.snd.cc.ssthresh]).toEqual([MSS, ssthresh])
    // the RTO backed off from there, as after any timeout
    expect(s.snd.rtoAt).toBe(1052 + s.snd.rtt.rto)
    // the rest goes as the ACKs open cwnd: what was SACKed is resent, not skipped (the board made
    // `push` skip it, each segment waiting for an RTO of its own)
    expect(shape(s.send(1072, sackOf(B + 2 * MSS)))).toEqual([[B + 2 * MSS, MSS], [B + 3 * MSS, MSS]])
    expect(shape(s.send(1092, sackOf(B + 4 * MSS)))).toEqual([[B + 4 * MSS, MSS]])
    expect(shape(s.send(1112, sackOf(B + 5 * MSS)))).toEqual([])
    expect(Sender.counters(s.snd).timeouts).toBe(1)
  })

  it("a reneging ACK at the recovery's `recover`: the window recovered from is acknowledged, so the timer's expiry cuts ssthresh again, from the window PRR had reached (Linux's tcp_enter_loss: high_seq not after snd_una)", () => {
    const s = sackedFour()
    expect(s.snd.cc.ssthresh).toBe(7 * MSS)
    // new data in the recovery, PRR's room (cwnd 2, the first resend in flight: `sackedFour`)
    expect(shape(s.write(1023, T.octets(MSS)))).toEqual([[B + 5 * MSS, MSS]])
    // the peer SACKs it: RACK finds the first resend, sent before it, lost (its window is 0 in a
    // recovery with no reordering seen, tcp_rack_reo_wnd), and it goes again. Linux counts
    // prr_delivered 3, prr_out 2, tcp_packets_in_flight = 6 out - 5 SACKed - 1 lost = 0, sndcnt =
    // min(7 - 0, max(3 - 2, 1)) = 1 (a SACK alone: no +1), cwnd 1: that resend alone. (The window
    // is worked out once RACK has marked the resend lost, `rackDetect`: worked out before, from a
    // pipe that still held it, it was a segment wider and let new data go with the resend)
    expect(shape(s.send(1040, sackOf(B, [B + MSS, B + 6 * MSS])))).toEqual([[B, MSS]])
    expect(s.snd.prr!.wnd).toBe(MSS)
    // the hole's resend and the fifth segment acknowledged, SND.UNA at `recover` (the fifth's end),
    // on the octets the peer SACKed and no further: it reneged, the recovery is not over (Linux's
    // tcp_check_sack_reneging returns first), and PRR's window is worked out from it all the same
    // (tcp_cong_control's tcp_cwnd_reduction): prr_delivered 4, prr_out 3, in flight 1 out - 1
    // SACKed = 0, SND.UNA advanced and nothing newly lost, so sndcnt = min(7 - 0, max(4 - 3, 1) + 1)
    // = 2, cwnd 2: a write then sends two segments
    expect(shape(s.send(1042, sackOf(B + 5 * MSS)))).toEqual([])
    expect([s.snd.ackReneged, s.snd.recovering, s.snd.sndUna]).toEqual([true, true, ours(B + 5 * MSS)])
    expect(s.snd.prr!.wnd).toBe(2 * MSS)
    expect(shape(s.write(1043, T.octets(3 * MSS, MSS)))).toEqual([[B + 6 * MSS, MSS], [B + 7 * MSS, MSS]])
    // the short timer's expiry: a new window's loss, ssthresh cut again from 2 segments (CUBIC's
    // 0.7, at least 2), where the recovery's 7 stayed; the undo record starts here
    expect(shape(s.tick(s.snd.rtoAt!))).toEqual([[B + 5 * MSS, MSS]])
    expect([s.snd.cc.cwnd, s.snd.cc.ssthresh]).toEqual([MSS, 2 * MSS])
    expect(s.snd.undo?.marker).toBe(ours(B + 5 * MSS))
    expect(s.snd.frto).toBeUndefined()
  })

  it("the same with nothing more to send: PRR's window is still worked out from the reneging ACK (no send did it)", () => {
    const s = sackedFour()
    // as above: the new segment in PRR's room, SACKed; the first resend found lost and sent again
    expect(shape(s.write(1023, T.octets(MSS)))).toEqual([[B + 5 * MSS, MSS]])
    expect(shape(s.send(1040, sackOf(B, [B + MSS, B + 6 * MSS])))).toEqual([[B, MSS]])
    expect(shape(s.send(1042, sackOf(B + 5 * MSS)))).toEqual([])
    expect(s.snd.ackReneged).toBe(true)
    // 2 segments (Linux's cwnd = 0 in flight + sndcnt 2, as above), from this ACK: not stale (without
    // it the window of the ACK before, 1 segment, stays, marked stale, and the timeout would cut
    // from that)
    expect([s.snd.prr!.wnd, s.snd.prr!.stale]).toEqual([2 * MSS, false])
    s.tick(s.snd.rtoAt!)
    expect([s.snd.cc.cwnd, s.snd.cc.ssthresh]).toEqual([MSS, 2 * MSS])
  })

  it("the short timer is half the SRTT when that is above 10 ms, and 10 ms with no sample", () => {
    const s = sackedThree()
    s.snd.rtt = { ...s.snd.rtt, srtt: 101 }
    expect(Sender.renegeDelay(s.snd)).toBe(51)
    s.snd.rtt = { ...s.snd.rtt, srtt: undefined }
    expect(Sender.renegeDelay(s.snd)).toBe(10)
  })

  // (skb54: and, inside the first segment, it frees no whole one: Linux's tcp_clean_rtx_queue sets
  // no FLAG_ACKED, so no FLAG_SET_XMIT_TIMER, and the RTO armed before runs on; test/tcp/PartialAck.test.ts)
  it("an ACK inside the hole, short of the SACKed octets, is a partial ACK as before: the RTO, no clearing", () => {
    const s = sackedThree()
    const rto = s.snd.rtoAt
    s.send(1042, sackOf(B + 100, [B + MSS, B + 4 * MSS]))
    expect(s.snd.ackReneged).toBe(false)
    expect(s.snd.rtoAt).toBe(rto)
    expect(s.snd.board.ranges.length).toBe(1)
  })

  it("a timeout with the hole itself still missing keeps what the peer SACKed", () => {
    // no reneging: the hole itself still missing at the RTO keeps what the peer SACKed
    const s = sackedThree()
    const rto = s.snd.rtoAt!
    expect(shape(s.tick(rto))).toEqual([[B, MSS]])
    expect([Sender.counters(s.snd).reneges, s.snd.board.ranges.length]).toEqual([0, 1])
  })
})

describe("a timeout holds back what went within RACK.rtt of it (RFC 8985 §6.3, as Linux's tcp_timeout_mark_lost and tcp_enter_loss)", () => {
  /**
   * Five segments at 1000, the first lost, the next four SACKed at 1020 (RACK.rtt 20): recovery
   * resends the first; two new segments written 10 ms before the RTO go at once (PRR's room).
   * Returns the RTO's instant.
   */
  const newBeforeRto = () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(5 * MSS))).length).toBe(5)
    expect(shape(s.send(1020, sackOf(B, [B + MSS, B + 5 * MSS])))).toEqual([[B, MSS]])
    expect(s.snd.recovering).toBe(true)
    const rto = s.snd.rtoAt!
    expect(shape(s.write(rto - 10, T.octets(2 * MSS)))).toEqual([[B + 5 * MSS, MSS], [B + 6 * MSS, MSS]])
    return { s, rto }
  }

  it("the timeout resends the first segment only; the two sent 10 ms before are in flight still, and the window counts them (cwnd = in flight + 1)", () => {
    const { s, rto } = newBeforeRto()
    expect(shape(s.tick(rto))).toEqual([[B, MSS]])
    expect(s.snd.rack.held).toBe(2)
    expect(s.snd.cc.cwnd).toBe(3 * MSS)
    // its ACK 5 ms later, under the minimum RTT (20): RACK cannot tell it from the original's
    // (RFC 8985 §6.2 step 2), nothing is found lost, and nothing goes: the go-back skips the two
    // (before, it resent both: cwnd 2, and SND.NXT - SND.UNA 0)
    expect(shape(s.send(rto + 5, sackOf(B + 5 * MSS)))).toEqual([])
    expect(s.snd.sndNxt).toBe(ours(B + 7 * MSS))
    // room for new data: cwnd 4, two in flight
    expect(shape(s.write(rto + 6, T.octets(3 * MSS)))).toEqual([[B + 7 * MSS, MSS], [B + 8 * MSS, MSS]])
  })

  it("an ACK of the resend that RACK can time finds the two lost (sent before the resend, RACK.rtt passed): they go again", () => {
    const { s, rto } = newBeforeRto()
    s.tick(rto)
    // 25 ms after the resend, above the minimum RTT: RACK.rtt 25, and the two went 35 ms ago
    expect(shape(s.send(rto + 25, sackOf(B + 5 * MSS)))).toEqual([[B + 5 * MSS, MSS], [B + 6 * MSS, MSS]])
    expect(s.snd.rack.held).toBe(0)
  })

  it("the next timeout finds them old: lost, and the go-back resends them", () => {
    const { s, rto } = newBeforeRto()
    s.tick(rto)
    s.send(rto + 5, sackOf(B + 5 * MSS))
    const next = s.snd.rtoAt!
    expect(s.tick(next - 1)).toEqual([])
    expect(shape(s.tick(next))).toEqual([[B + 5 * MSS, MSS]])
    expect(s.snd.rack.held).toBe(0)
    expect(s.snd.cc.cwnd).toBe(MSS)
  })

  it("segments lost before the held ones: the timeout resends the first only (Linux's tcp_retransmit_timer), the held in flight where the go-back has not reached them yet", () => {
    // five segments at 1000 and every ACK lost: the tail probe resends the last, the RTO restarts
    const s = warm()
    expect(shape(s.write(1000, T.octets(5 * MSS))).length).toBe(5)
    expect(shape(s.tick(s.snd.tlpAt!))).toEqual([[B + 4 * MSS, MSS]])
    // two new segments 10 ms before the first's send time + RTO: with the probe out, the timer they
    // arm (Linux's loss-probe timer, there) only restarts the RTO, a tick later (tcp_rearm_rto)
    const headDue = 1000 + s.snd.rtt.rto
    expect(shape(s.write(headDue - 10, T.octets(2 * MSS)))).toEqual([[B + 5 * MSS, MSS], [B + 6 * MSS, MSS]])
    expect(s.snd.tlpAt).toBe(headDue)
    expect(s.tick(headDue)).toEqual([])
    const rto = s.snd.rtoAt!
    expect(rto).toBe(headDue + 1)
    // the first five are lost, the two held: cwnd = in flight (2) + 1. The go-back from SND.UNA
    // reaches the two only after four lost segments, so they count in flight from the start
    // (before: the first three went at once, SND.NXT - SND.UNA counting none of the two)
    expect(shape(s.tick(rto))).toEqual([[B, MSS]])
    expect([s.snd.rack.held, s.snd.cc.cwnd]).toEqual([2, 3 * MSS])
    // the ACK of the resend, 25 ms after it (RACK.rtt 25): the two, sent 35 ms ago, are lost now;
    // cwnd 4 (slow start), nothing in flight: the next four lost segments go, in order
    expect(shape(s.send(rto + 25, sackOf(B + MSS)))).toEqual([[B + MSS, MSS], [B + 2 * MSS, MSS], [B + 3 * MSS, MSS], [B + 4 * MSS, MSS]])
    expect(s.snd.rack.held).toBe(0)
  })

  // Linux's tcp_rack_reo_wnd is 0 while no reordering has been seen and icsk_ca_state >=
  // TCP_CA_Recovery, which TCP_CA_Loss (a timeout's episode) is too, whatever sacked_out is. Not a
  // conformance script: the difference lies in a reordering window of min RTT / 4 measured in real
  // time against Linux's own RTO (test/kernel/ConformanceLoss.test.ts's header leaves such windows
  // out). The same timeout as above, the two written 3 ms before the first's send time + RTO
  it("in the timeout's episode RACK's reordering window is 0 (no reordering seen): two held segments sent 4 ms before the resend are lost at its ACK, not min RTT / 4 later (Linux's tcp_rack_reo_wnd: TCP_CA_Loss >= TCP_CA_Recovery)", () => {
    const s = warm()
    expect(shape(s.write(1000, T.octets(5 * MSS))).length).toBe(5)
    expect(shape(s.tick(s.snd.tlpAt!))).toEqual([[B + 4 * MSS, MSS]])
    const headDue = 1000 + s.snd.rtt.rto
    expect(shape(s.write(headDue - 3, T.octets(2 * MSS)))).toEqual([[B + 5 * MSS, MSS], [B + 6 * MSS, MSS]])
    expect(s.tick(headDue)).toEqual([])
    const rto = s.snd.rtoAt!
    expect(shape(s.tick(rto))).toEqual([[B, MSS]])
    expect([s.snd.rack.held, s.snd.rack.sacked, s.snd.rack.reordering]).toEqual([2, 0, false])
    // the ACK of the resend 25 ms after it (RACK.rtt 25, above the minimum RTT 20): the two went 29
    // ms before it, 4 past RACK.rtt, so with a window of 0 they are lost now, as in Linux; cwnd 4
    // (slow start), nothing in flight: the next four lost segments go. With min RTT / 4 (5 ms) they
    // stayed in flight a millisecond more, and only two went
    expect(shape(s.send(rto + 25, sackOf(B + MSS)))).toEqual([[B + MSS, MSS], [B + 2 * MSS, MSS], [B + 3 * MSS, MSS], [B + 4 * MSS, MSS]])
    expect([s.snd.rack.held, s.snd.rackAt]).toEqual([0, undefined])
  })

  // (was, 1609954: the persist timer took over with the held segments beyond the shut window, and
  // its go-back from SND.UNA, with no timer, hung; then they were released to that go-back. Linux
  // keeps them in flight under its retransmission timer, tcp_check_probe_timer arming no probe
  // timer with packets out: the timer's expiry with the window shut marks them lost, resends the
  // head whole as the probe, tcp_retransmit_timer's zero-window branch, and counts no retry)
  it("the window shuts with held segments beyond SND.UNA: they stay in flight under the retransmission timer (no persist timer), whose expiry resends SND.UNA whole; the window opens on its ACK and the other goes", () => {
    const { s, rto } = newBeforeRto()
    expect(shape(s.tick(rto))).toEqual([[B, MSS]])
    expect(s.snd.rack.held).toBe(2)
    // the resend and the SACKed four acknowledged with the window shut: the two held lie beyond it
    expect(shape(s.send(rto + 5, T.fromPeer({ ack: B + 5 * MSS, window: 0 })))).toEqual([])
    expect(s.snd.persistAt).toBeUndefined()
    const due = s.snd.rtoAt!
    expect(due).toBeDefined()
    expect(Seq.sub(s.snd.sndNxt, ours(0))).toBe(B + 7 * MSS)
    expect(shape(s.tick(due))).toEqual([[B + 5 * MSS, MSS]])
    expect([s.snd.rack.held, s.snd.retries]).toEqual([0, 0])
    // the peer's reader is back: the ACK of that resend opens the window, the other goes again
    expect(shape(s.send(due + 10, T.fromPeer({ ack: B + 6 * MSS, window: 64240 })))).toEqual([[B + 6 * MSS, MSS]])
    expect(s.snd.rtoAt).toBe(due + 10 + s.snd.rtt.rto)
  })

  // (was: "the window opens more than an RTO after the persist probe", whose timer ran from the
  // probe's send time: the persist timer no longer runs with data out)
  it("the window opens after the shut window's timeout resent the head, with no ACK of it: nothing goes at the opening (cwnd 1, the resend in flight), and the timer stays where that resend put it (no timeout a tick later)", () => {
    const { s, rto } = newBeforeRto()
    expect(shape(s.tick(rto))).toEqual([[B, MSS]])
    expect(shape(s.send(rto + 5, T.fromPeer({ ack: B + 5 * MSS, window: 0 })))).toEqual([])
    const resentAt = s.snd.rtoAt!
    expect(shape(s.tick(resentAt))).toEqual([[B + 5 * MSS, MSS]])
    const due = s.snd.rtoAt!
    expect(due - resentAt).toBeCloseTo(s.snd.rtt.rto, 6)
    const open = resentAt + s.snd.rtt.rto / 2 + 10
    expect(shape(s.send(open, T.fromPeer({ ack: B + 5 * MSS, window: 64240 })))).toEqual([])
    expect(s.snd.rtoAt).toBe(due)
    const timeouts = Sender.counters(s.snd).timeouts
    expect(s.tick(open + 1)).toEqual([])
    expect(Sender.counters(s.snd).timeouts).toBe(timeouts)
    expect(shape(s.tick(due))).toEqual([[B + 5 * MSS, MSS]])
  })

  it("after the peer reneged everything is lost, however recent", () => {
    const { s, rto } = newBeforeRto()
    // the ACK of the hole's resend stops where the SACKed octets begin: the peer dropped them
    s.send(rto - 5, sackOf(B + MSS))
    expect(s.snd.ackReneged).toBe(true)
    expect(shape(s.tick(s.snd.rtoAt!))).toEqual([[B + MSS, MSS]])
    expect(s.snd.rack.held).toBe(0)
    expect(s.snd.cc.cwnd).toBe(MSS)
  })
})

describe("a peer that reneges as its window shuts (RFC 2018 §8 with a shut window, RFC 9293 §3.8.6.1)", () => {
  /** The peer's ACK of `ack` with window `window`, no SACK blocks. */
  const windowOf = (ack: number, window: number) => T.fromPeer({ ack, window, options: { sackPermitted: false } })

  // (was: the persist timer took over, and the short timer ran only once the window opened. Linux's
  // tcp_check_sack_reneging timer runs through the shut window: tcp_retransmit_timer's zero-window
  // branch, tcp_enter_loss clearing the board, the head resent whole as the probe)
  it("the window shuts with SND.UNA still SACKed: the short timer runs through it, clears the board and resends SND.UNA whole; what the peer had SACKed goes again once it opens (before the persist timer: no timer at all, the connection hung)", () => {
    // five segments, the first lost, the next three SACKed; recovery resends the first
    const { s, entry } = firstLost(5, 4)
    expect(entry[0]).toEqual([B, MSS])
    // the peer (its reader stalled, memory short: our own receiver's prune, Memory.ts) dropped what
    // it SACKed, and shuts its window with the ACK of the retransmission
    expect(shape(s.send(1042, windowOf(B + MSS, 0)))).toEqual([])
    expect(s.snd.persistAt).toBeUndefined()
    expect(s.snd.rtoAt).toBe(1042 + Sender.renegeDelay(s.snd))
    const due = s.snd.rtoAt!
    expect(shape(s.tick(due))).toEqual([[B + MSS, MSS]])
    expect([Sender.counters(s.snd).reneges, s.snd.board.ranges.length, s.snd.retries]).toEqual([1, 0, 0])
    // answered shut; the timer resends it again, backed off
    s.send(due + 20, windowOf(B + MSS, 0))
    const next = s.snd.rtoAt!
    expect(shape(s.tick(next))).toEqual([[B + MSS, MSS]])
    // the reader is back: the resend's ACK opens the window, and the rest goes as the ACKs come
    let t = next + 20
    s.send(t, windowOf(B + 2 * MSS, 64240))
    for (let i = 0; i < 20 && s.snd.sndUna !== s.snd.sndMax; i++) {
      t += 20
      const una = Seq.sub(s.snd.sndNxt, ours(0))
      s.send(t, sackOf(una))
    }
    expect(s.snd.sndUna).toBe(ours(B + 5 * MSS))
  })
})

describe("a peer that reneges after a timeout (RFC 2018 §8 with F-RTO, RFC 5682)", () => {
  it("the reneging timer's expiry in a timeout's recovery, after an ACK of new data, starts no F-RTO: the go-back resends what the peer dropped (Linux's tcp_enter_loss: `new_recovery || icsk_retransmits`)", () => {
    const s = warm()
    // six segments; none acknowledged (the tail probe first, at the RTO's time, its answer lost
    // too): the RTO resends the first, and F-RTO starts (a first timeout, from the open state)
    expect(shape(s.write(1000, T.octets(6 * MSS))).length).toBe(6)
    expect(shape(s.tick(s.snd.rtoAt!))).toEqual([[B + 5 * MSS, MSS]])
    const rto = s.snd.rtoAt!
    expect(shape(s.tick(rto))).toEqual([[B, MSS]])
    expect(s.snd.frto).toBeDefined()
    // its ACK: nothing new to send, so F-RTO ends and the go-back goes on (cwnd 2)
    expect(shape(s.send(rto + 20, sackOf(B + MSS)))).toEqual([[B + MSS, MSS], [B + 2 * MSS, MSS]])
    expect(s.snd.frto).toBeUndefined()
    // the next ACK SACKs the fourth segment (cwnd 3; the go-back passes it, and what the peer
    // SACKed is not in flight, as Linux's tcp_packets_in_flight in TCP_CA_Loss: the fifth and sixth
    // go); the one after stops where it begins: the peer reneged
    expect(shape(s.send(rto + 40, sackOf(B + 2 * MSS, [B + 3 * MSS, B + 4 * MSS])))).toEqual([[B + 4 * MSS, MSS], [B + 5 * MSS, MSS]])
    expect(shape(s.send(rto + 41, sackOf(B + 3 * MSS)))).toEqual([])
    expect([s.snd.ackReneged, s.snd.retries]).toEqual([true, 0])
    // the application writes two segments more: both go (cwnd 4, the fifth and sixth in flight)
    expect(shape(s.write(rto + 42, T.octets(2 * MSS)))).toEqual([[B + 6 * MSS, MSS], [B + 7 * MSS, MSS]])
    // the short timer's expiry is a timeout inside the first one's recovery (Linux's TCP_CA_Loss,
    // SND.UNA short of its high_seq) after an ACK that reset icsk_retransmits: tcp_enter_loss's
    // `new_recovery || icsk->icsk_retransmits` is false and F-RTO stays off
    const short = s.snd.rtoAt!
    expect(short).toBe(rto + 41 + Sender.renegeDelay(s.snd))
    expect(shape(s.tick(short))).toEqual([[B + 3 * MSS, MSS]])
    expect(Sender.counters(s.snd).reneges).toBe(1)
    expect(s.snd.frto).toBeUndefined()
    // so the ACK of that resend draws the next old segments, what the peer dropped, not new data
    // first (F-RTO's step 2.b sent the unsent segment ahead of them)
    expect(shape(s.send(short + 20, sackOf(B + 4 * MSS)))).toEqual([[B + 4 * MSS, MSS], [B + 5 * MSS, MSS]])
  })
})

describe("an ACK that reneges after a timeout takes no step of the timeout's undo (Linux's tcp_check_sack_reneging returns before tcp_process_loss)", () => {
  /**
   * Five segments of `p` octets, none acknowledged: the tail probe resends the fifth at the RTO's
   * time, then the RTO the first.
   */
  const afterTimeout = (params: Partial<Params.TcpParams>, timestamps: boolean, p: number) => {
    const s = warm(params, timestamps)
    expect(shape(s.write(1000, T.octets(5 * p))).length).toBe(5)
    expect(shape(s.tick(s.snd.rtoAt!))).toEqual([[B + 4 * p, p]])
    const rto = s.snd.rtoAt!
    expect(shape(s.tick(rto))).toEqual([[B, p]])
    return { s, rto }
  }

  it("no F-RTO step: the ACK that moves SND.UNA onto SACKed octets, past originals sent once, does not prove the timeout spurious", () => {
    const { s, rto } = afterTimeout({}, false, MSS)
    expect(s.snd.frto).toBeDefined()
    // the peer SACKs the fifth segment (the probe's copy: no proof), then acknowledges up to it and
    // no further, past the second to fourth, sent once: it reneged. F-RTO takes no step on that ACK
    // (at the next, tcp_process_loss no longer sees those originals: FLAG_ORIG_SACK_ACKED is the ACK's)
    s.send(rto + 20, sackOf(B, [B + 4 * MSS, B + 5 * MSS]))
    expect(s.snd.frto).toBeDefined()
    s.send(rto + 21, sackOf(B + 4 * MSS))
    expect(s.snd.ackReneged).toBe(true)
    expect([s.snd.frto !== undefined, Sender.counters(s.snd).spuriousTimeouts]).toEqual([true, 0])
    expect(s.snd.rtoAt).toBe(rto + 21 + Sender.renegeDelay(s.snd))
  })

  it("no Eifel undo: its echo predates the retransmission, and still the timeout is not taken for spurious", () => {
    const P = MSS - 12
    const { s, rto } = afterTimeout({ frto: false }, true, P)
    // (echoes of our clock before the retransmission at `rto`: the originals', 1000)
    s.send(rto + 20, sackTs(50, 1000, B, [B + 2 * P, B + 3 * P]))
    s.send(rto + 21, sackTs(51, 1000, B + 2 * P))
    expect(s.snd.ackReneged).toBe(true)
    expect([Sender.counters(s.snd).eifelUndos, Sender.counters(s.snd).spuriousTimeouts]).toEqual([0, 0])
    expect(s.snd.rtoAt).toBe(rto + 21 + Sender.renegeDelay(s.snd))
  })
})

describe("an ACK that reneges in a fast recovery (Linux's tcp_check_sack_reneging: no step of the recovery on it)", () => {
  it("a hole its SACK blocks show above the reneged octets is not resent on it: nothing goes until the short timer", () => {
    const s = warm()
    // eight segments: the first lost, the second SACKed, the third lost, the fourth and fifth
    // SACKed on one ACK: recovery resends the first and the third. PRR's window at its start holds
    // both, as Linux's (tcp_cwnd_reduction before tcp_xmit_recovery): three SACKed make RACK's
    // window 0, the first and third are lost, tcp_packets_in_flight = 8 out - 3 SACKed - 2 lost = 3
    // below ssthresh 7, so sndcnt = min(7 - 3, max(prr_delivered 2 - prr_out 0, 2)) = 2, cwnd 5.
    // (The fourth and fifth SACKed on ACKs of their own give sndcnt 1, and the first resend alone)
    expect(shape(s.write(1000, T.octets(8 * MSS))).length).toBe(8)
    s.send(1020, sackOf(B, [B + MSS, B + 2 * MSS]))
    expect(shape(s.send(1022, sackOf(B, [B + 3 * MSS, B + 5 * MSS], [B + MSS, B + 2 * MSS])))).toEqual([[B, MSS], [B + 2 * MSS, MSS]])
    expect(s.snd.recovering).toBe(true)
    // the ACK of the first retransmission stops at the second segment, which the peer had SACKed:
    // it reneged. Its blocks show a new hole at the sixth (the seventh SACKed), which a recovery
    // step would resend at once; Linux's tcp_fastretrans_alert returns before tcp_xmit_retransmit_queue
    expect(shape(s.send(1042, sackOf(B + MSS, [B + 6 * MSS, B + 7 * MSS], [B + 3 * MSS, B + 5 * MSS])))).toEqual([])
    // (the short timer max(SRTT / 2, 10 ms): the SACKs at 1020, 1022 and here of segments sent once
    // at 1000 were RTT samples of 20, 22 and 42 ms, as Linux's sack_rtt_us in tcp_ack_update_rtt)
    expect([s.snd.ackReneged, s.snd.recovering, s.snd.rtoAt, s.snd.rackAt]).toEqual([true, true, 1054, undefined])
    for (let t = 1043; t < 1054; t++) expect(s.tick(t)).toEqual([])
    // the timer: the board cleared, the go-back from SND.UNA (cwnd one segment)
    expect(shape(s.tick(1054))).toEqual([[B + MSS, MSS]])
    expect([Sender.counters(s.snd).reneges, s.snd.board.ranges.length]).toEqual([1, 0])
  })

  it("the next loss after it starts a recovery of its own that leaves the short timer running, the old one's resends reaching past SND.UNA too (Linux's tcp_xmit_retransmit_queue re-arms only for the head)", () => {
    // ten segments, the first lost, the rest SACKed: recovery at 1022 (recover the tenth's end),
    // the first resent; five new ones go by PRR at 1023
    const { s, entry } = firstLost(10, 10)
    expect(entry).toEqual([[B, MSS]])
    expect(shape(s.write(1023, T.octets(5 * MSS))).length).toBe(5)
    // the 11th and 13th SACKed: RACK finds the 12th lost (and the first resend, sent before the
    // 11th): both go again, lowest first as Linux's tcp_xmit_retransmit_queue walks from the head
    // (the recovery's sends wait for RACK's marks at the batch's end, 6239cec), so HighRxt passes `recover`
    expect(shape(s.send(1040, sackOf(B, [B + 12 * MSS, B + 13 * MSS], [B + 10 * MSS, B + 11 * MSS], [B + MSS, B + 10 * MSS]))))
      .toEqual([[B, MSS], [B + 11 * MSS, MSS]])
    // the ACK of it all stops at `recover`, on the 11th, SACKed: it reneged, the short timer
    expect(shape(s.send(1042, sackOf(B + 10 * MSS, [B + 12 * MSS, B + 13 * MSS])))).toEqual([])
    expect([s.snd.ackReneged, s.snd.recovering, s.snd.rtoAt]).toEqual([true, true, 1052])
    expect(Seq.gt(s.snd.highRxt, s.snd.sndUna)).toBe(true)
    // a duplicate SACKing the 15th: the recovery is over (SND.UNA at `recover`), RACK finds the 14th
    // lost and a recovery of its own resends it; SND.UNA, SACKed, is not resent, and the timer is
    // still the short one (Linux's tcp_xmit_retransmit_queue re-arms only when it resends the head;
    // tcp_clean_rtx_queue sets no FLAG_SET_XMIT_TIMER for a SACK of data sent after the head)
    expect(shape(s.send(1044, sackOf(B + 10 * MSS, [B + 14 * MSS, B + 15 * MSS], [B + 12 * MSS, B + 13 * MSS]))))
      .toEqual([[B + 13 * MSS, MSS]])
    expect([s.snd.recovering, s.snd.recover]).toEqual([true, ours(B + 15 * MSS)])
    expect(s.snd.rtoAt).toBe(1052)
    // its expiry clears the board and goes back to SND.UNA, which the peer dropped
    expect(shape(s.tick(1052))[0]).toEqual([B + 10 * MSS, MSS])
    expect([Sender.counters(s.snd).reneges, s.snd.board.ranges.length]).toEqual([1, 0])
  })

  it("a recovery of its own whose PRR window is full at its start still resends the first lost segment (Linux's tcp_cwnd_reduction: sndcnt at least 1 while prr_out is 0)", () => {
    // 22 segments written, ten go; two duplicates send the 11th and 12th (limited transmit); the
    // third SACKs the 2nd to 12th: recovery (recover the 12th's end), the first resent, six new
    const { s, entry } = firstLost(22, 12, 10)
    expect(entry.length).toBe(7)
    // the 13th and 15th SACKed: the 14th (a hole) and the first resend go again, and new data
    s.send(1040, sackOf(B, [B + 14 * MSS, B + 15 * MSS], [B + 12 * MSS, B + 13 * MSS], [B + MSS, B + 12 * MSS]))
    // the ACK of it all stops at `recover`, on the 13th, SACKed: it reneged
    s.send(1042, sackOf(B + 12 * MSS, [B + 14 * MSS, B + 15 * MSS]))
    expect([s.snd.ackReneged, s.snd.recovering]).toEqual([true, true])
    // a duplicate SACKing the 17th: the recovery is over; RACK finds the 16th and 18th lost, and a
    // recovery of its own starts (ssthresh 4). Its window is full (pipe 4 = ssthresh: the SSRB
    // branch gives 0), but Linux forces one segment at a recovery's start (prr_out 0), and
    // tcp_xmit_retransmit_queue sends the first LOST skb: the 16th. No first retransmission from
    // SND.UNA goes here (it is SACKed), so nothing went at all
    expect(shape(s.send(1044, sackOf(B + 12 * MSS, [B + 16 * MSS, B + 17 * MSS], [B + 14 * MSS, B + 15 * MSS]))))
      .toEqual([[B + 15 * MSS, MSS]])
    expect([s.snd.recovering, Sender.counters(s.snd).fastRetransmits, s.snd.cc.ssthresh]).toEqual([true, 2, 4 * MSS])
  })

  it("a duplicate after it that shows no loss ends the recovery and starts none: the SACKed octets at SND.UNA are not lost (Linux's tcp_time_to_recover asks lost_out, RACK's marks)", () => {
    // as above: recovery at 1022, five new segments by PRR at 1023, all SACKed at 1040 (RACK finds
    // the first resend lost: it goes again)
    const { s, entry } = firstLost(10, 10)
    expect(entry).toEqual([[B, MSS]])
    expect(shape(s.write(1023, T.octets(5 * MSS))).length).toBe(5)
    expect(shape(s.send(1040, sackOf(B, [B + 10 * MSS, B + 15 * MSS], [B + MSS, B + 10 * MSS])))).toEqual([[B, MSS]])
    // the ACK of it all stops at `recover`, on the five SACKed: it reneged
    expect(shape(s.send(1042, sackOf(B + 10 * MSS)))).toEqual([])
    expect([s.snd.ackReneged, s.snd.recovering, s.snd.rtoAt, Sender.counters(s.snd).fastRetransmits]).toEqual([true, true, 1052, 1])
    // a duplicate: the recovery is over (cwnd = ssthresh, tcp_end_cwnd_reduction), and nothing is
    // lost: no hole lies below a SACKed octet, RACK marks nothing. The five SACKed from SND.UNA on
    // are what the peer may have dropped (the short timer's question), not three SACKed above a
    // loss (RFC 6675's IsLost asks about an octet not SACKed). Linux stays Open (tcp_try_to_open)
    expect(shape(s.send(1044, sackOf(B + 10 * MSS, [B + 11 * MSS, B + 15 * MSS])))).toEqual([])
    expect([s.snd.recovering, Sender.counters(s.snd).fastRetransmits, s.snd.rtoAt]).toEqual([false, 1, 1052])
    expect([s.snd.cc.cwnd, s.snd.cc.ssthresh]).toEqual([7 * MSS, 7 * MSS])
    // (the short timer then cuts from there, as Linux's tcp_enter_loss from Open: ssthresh 4)
    expect(shape(s.tick(1052))).toEqual([[B + 10 * MSS, MSS]])
    expect([s.snd.cc.cwnd, s.snd.cc.ssthresh]).toEqual([MSS, 4 * MSS])
  })
  it("after it, new data fills cwnd over what is in flight without the SACKed octets (Linux's tcp_packets_in_flight: packets_out - sacked_out - lost_out + retrans_out)", () => {
    // as above: the recovery ends at the duplicate after the reneging ACK, cwnd = ssthresh = 7, the
    // five segments from SND.UNA on SACKed (the peer may have dropped them: the short timer's
    // question). Linux's tcp_cwnd_test counts tcp_packets_in_flight = 5 out - 5 SACKed = 0: seven
    // new segments go at the next write (tcp_write_xmit). Counted as FlightSize (SND.NXT - SND.UNA),
    // the five SACKed held cwnd and only two went until the short timer
    const { s } = firstLost(10, 10)
    expect(shape(s.write(1023, T.octets(5 * MSS))).length).toBe(5)
    expect(shape(s.send(1040, sackOf(B, [B + 10 * MSS, B + 15 * MSS], [B + MSS, B + 10 * MSS])))).toEqual([[B, MSS]])
    expect(shape(s.send(1042, sackOf(B + 10 * MSS)))).toEqual([])
    expect(shape(s.send(1044, sackOf(B + 10 * MSS, [B + 11 * MSS, B + 15 * MSS])))).toEqual([])
    expect([s.snd.recovering, s.snd.cc.cwnd]).toEqual([false, 7 * MSS])
    expect(shape(s.write(1045, T.octets(10 * MSS, 15 * MSS)))).toEqual(
      [15, 16, 17, 18, 19, 20, 21].map((i) => [B + i * MSS, MSS])
    )
    expect(s.snd.rtoAt).toBe(1052)
  })
  it("three duplicates after it that SACK the new segments, no hole anywhere, start no recovery (Linux with RACK counts no duplicate ACKs: tcp_time_to_recover asks lost_out)", () => {
    // as above: the recovery over, cwnd 7, SND.UNA and the four after it SACKed, seven new segments out
    const { s } = firstLost(10, 10)
    expect(shape(s.write(1023, T.octets(5 * MSS))).length).toBe(5)
    s.send(1040, sackOf(B, [B + 10 * MSS, B + 15 * MSS], [B + MSS, B + 10 * MSS]))
    s.send(1042, sackOf(B + 10 * MSS))
    s.send(1044, sackOf(B + 10 * MSS, [B + 11 * MSS, B + 15 * MSS]))
    expect(shape(s.write(1045, T.octets(10 * MSS, 15 * MSS))).length).toBe(7)
    // the peer SACKs the 16th, 17th and 18th one an ACK, each joining the block from SND.UNA: three
    // duplicate ACKs (each SACKs something new, RFC 6675 §2), but no octet lies unSACKed below a
    // SACKed one and RACK marks nothing lost. Linux's tcp_fastretrans_alert enters Recovery only
    // when tcp_time_to_recover finds lost_out (RACK's marks, tcp_identify_packet_loss): it stays in
    // Disorder, cwnd 7, each SACKed segment letting a new one go. Counting three duplicates
    // (RFC 5681's rule, which RACK replaces with SACK: RFC 8985 §6) started a second recovery, cut
    // ssthresh to 4 and held the window to it
    for (let i = 0; i < 3; i++) {
      expect(shape(s.send(1046 + i, sackOf(B + 10 * MSS, [B + 11 * MSS, B + (16 + i) * MSS])))).toEqual([[B + (22 + i) * MSS, MSS]])
    }
    expect([s.snd.recovering, Sender.counters(s.snd).fastRetransmits, s.snd.cc.ssthresh]).toEqual([false, 1, 7 * MSS])
  })
})

/**
 * A fast recovery without SACK is PRR too, as Linux 6.18 runs it for a Reno connection:
 * tcp_fastretrans_alert counts each duplicate ACK as one segment SACKed (tcp_add_reno_sack:
 * sacked_out + 1, one segment delivered; at most all but one of those out, tcp_limit_reno_sacked),
 * tcp_packets_in_flight leaves those out and the head while it is marked lost and not yet resent
 * (tcp_newreno_mark_lost), and tcp_cwnd_reduction sets cwnd = in_flight + sndcnt from prr_delivered
 * and prr_out; a partial ACK of n segments delivers max(n - sacked_out, 1) and takes n - 1 off the
 * count (tcp_remove_reno_sacks), and marks the new head lost (no PRR-SSRB +1); the head goes again
 * only while cwnd - in_flight allows (tcp_xmit_retransmit_queue), new data after it. Not RFC 6582's
 * inflation (cwnd = ssthresh + 3 SMSS, + 1 SMSS a duplicate, deflated at a partial ACK, which resent
 * the hole at once): the steps below are test/kernel/ConformanceLoss.test.ts's two "without SACK"
 * PRR scripts, whose counts Linux sent.
 */
describe("fast recovery without SACK is PRR over the duplicates counted (Linux's tcp_add_reno_sack, tcp_cwnd_reduction)", () => {
  /** No SACK, nothing written yet. */
  const renoOpen = (congestion?: "newreno") =>
    T.established({
      params: { quickAcks: 0, ...(congestion !== undefined ? { congestion } : {}) },
      peerOptions: { mss: MSS, sackPermitted: false },
      peerWindow: 65535
    })
  /** No SACK, 30 segments written at 0 (the initial window of 10 goes); a duplicate ACK (of 0) at `at`. */
  const reno = (congestion?: "newreno") => {
    const s = renoOpen(congestion)
    expect(shape(s.write(0, T.octets(30 * MSS)))).toHaveLength(10)
    return s
  }
  const ackAt = (s: ReturnType<typeof reno>, at: number, ack = 0) => shape(s.send(at, T.fromPeer({ seq: 0, ack, window: 65535 })))
  const seg = (i: number) => [i * MSS, MSS]
  /** Ten segments written at 0 (all of them), the first lost: eleven duplicates, the third resends it, nothing else goes. */
  const tenElevenDuplicates = () => {
    const s = renoOpen()
    expect(shape(s.write(0, T.octets(10 * MSS)))).toHaveLength(10)
    expect(ackAt(s, 20)).toEqual([])
    expect(ackAt(s, 21)).toEqual([])
    expect(ackAt(s, 22)).toEqual([seg(0)])
    for (let t = 23; t <= 30; t++) expect(ackAt(s, t)).toEqual([])
    return s
  }
  /** The first two duplicates send the 11th and 12th (limited transmit), the third resends the first. */
  const entered = (congestion?: "newreno") => {
    const s = reno(congestion)
    expect(ackAt(s, 20)).toEqual([seg(10)])
    expect(ackAt(s, 21)).toEqual([seg(11)])
    expect(ackAt(s, 22)).toEqual([seg(0)])
    expect(s.snd.recovering).toBe(true)
    return s
  }

  it("the duplicates send ssthresh / prior cwnd of a segment each while pipe is above ssthresh, then one each; the partial ACK resends the hole and one new segment", () => {
    const s = entered()
    // CUBIC: ssthresh 7 of prior_cwnd 10. The entry: in_flight 12 - 3 SACKed - 1 lost = 8, sndcnt
    // ceil(7 * 1 / 10) - 0 = 1 (the resend). 4th: in_flight 8, ceil(7 * 2 / 10) - 1 = 1; 5th:
    // ceil(21 / 10) - 2 = 1; 6th: ceil(28 / 10) - 3 = 0; 7th: in_flight 7 = ssthresh, PRR-SSRB
    // min(7 - 7, ...) = 0. (Inflation sent nothing at the 4th and 5th, the 13th and 14th at the 6th and 7th)
    expect(s.snd.cc.ssthresh).toBe(7 * MSS)
    expect(ackAt(s, 23)).toEqual([seg(12)])
    expect(ackAt(s, 24)).toEqual([seg(13)])
    expect(ackAt(s, 25)).toEqual([])
    expect(ackAt(s, 26)).toEqual([])
    // the ACK of the first two: 1 delivered (prr_delivered 6, prr_out 3), sacked_out 7 - 1 = 6, the
    // third marked lost: in_flight 12 - 6 - 1 = 5, sndcnt min(7 - 5, max(6 - 3, 1)) = 2: the third
    // again, then the 15th (inflation's deflation, 7 - 2 + 1 over ssthresh, sent the 16th besides)
    expect(ackAt(s, 27, 2 * MSS)).toEqual([seg(2), seg(14)])
    expect(s.snd.recovering).toBe(true)
    // in_flight at ssthresh: one segment a duplicate (packet conservation)
    expect(ackAt(s, 28, 2 * MSS)).toEqual([seg(15)])
    expect(ackAt(s, 29, 2 * MSS)).toEqual([seg(16)])
    // past the recovery point (12 segments): cwnd = ssthresh (tcp_end_cwnd_reduction), 2 out, 5 go
    expect(ackAt(s, 30, 15 * MSS)).toEqual([seg(17), seg(18), seg(19), seg(20), seg(21)])
    expect(s.snd.recovering).toBe(false)
  })

  it("a partial ACK's hole waits for PRR's room: nothing at the ACK, the hole at the next duplicate (tcp_newreno_mark_lost, tcp_xmit_retransmit_queue)", () => {
    const s = entered()
    // the ACK of the first alone: 1 delivered (prr_delivered 2, prr_out 1), sacked_out stays 3, the
    // second marked lost: in_flight 11 - 3 - 1 = 7 = ssthresh, sndcnt min(0, max(2 - 1, 1)) = 0
    // (RFC 6582 §3.2 step 3 resent it at once)
    expect(ackAt(s, 23, MSS)).toEqual([])
    expect(s.snd.recovering).toBe(true)
    // sacked_out 4, in_flight 6: sndcnt min(1, max(3 - 1, 1)) = 1, the hole first; its resend
    // restarts the timer (tcp_xmit_retransmit_queue re-arms it for the head; the partial ACK's was 23's)
    expect(ackAt(s, 24, MSS)).toEqual([seg(1)])
    expect(s.snd.rtoAt).toBe(24 + s.snd.rtt.rto)
    // sacked_out 5, in_flight 6 (the hole resent): sndcnt min(1, max(4 - 2, 1)) = 1, a new segment
    expect(ackAt(s, 25, MSS)).toEqual([seg(12)])
  })

  // (prr53) An ACK inside the resent head acknowledges no whole segment: Linux's tcp_clean_rtx_queue
  // stops at a one-segment skb that the ACK only partly covers (it trims nothing, frees nothing),
  // so FLAG_DATA_ACKED stays clear, tcp_remove_reno_sacks is not called (sacked_out stays), nothing
  // counts as delivered, and tcp_cwnd_reduction returns at newly_acked_sacked 0: cwnd stays. Its
  // tcp_newreno_mark_lost finds the head LOST already and marks nothing, and the head's resend is
  // still out, so nothing goes again. Linux 6.18 here (TCP_INFO after the ACK of 501 of a
  // 1000-octet head: Recovery, cwnd 9, sacked 3, lost 1, retrans 1, as before it; nothing sent),
  // and the next duplicate sends the 13th (sacked 4, ceil(7 * 2 / 10) - 1 = 1). The stack counted
  // a segment delivered and sent the 13th at the ACK inside, the 14th at the duplicate. (A PRR-SSRB
  // +1 for an ACK that marks nothing lost is not due either: no step at all)
  it("an ACK inside the resent head delivers nothing: no PRR step, the count kept (Linux's tcp_clean_rtx_queue acks no part of a one-segment skb)", () => {
    const s = entered()
    const delivered = s.snd.prr!.delivered
    expect(ackAt(s, 23, MSS / 2)).toEqual([])
    expect([s.snd.recovering, s.snd.renoSacked, s.snd.prr!.delivered]).toEqual([true, 3, delivered])
    expect(ackAt(s, 24, MSS / 2)).toEqual([seg(12)])
    expect(s.snd.renoSacked).toBe(4)
  })

  it("the 4th and 5th duplicates in one batch send what they send one batch each (`Prr.owed`, as with SACK)", () => {
    const s = entered()
    // at the batch's end in_flight is 12 - 5 = 7 = ssthresh, where PRR-SSRB's room is 0; the 4th
    // found 8 > ssthresh and owes its proportional count (1), so the proportional branch holds: 2
    const dup = () => T.fromPeer({ seq: 0, ack: 0, window: 65535 })
    expect(shape(s.send(23, dup(), dup()))).toEqual([seg(12), seg(13)])
    expect(ackAt(s, 25)).toEqual([])
    expect(ackAt(s, 26)).toEqual([])
    expect(ackAt(s, 27, 2 * MSS)).toEqual([seg(2), seg(14)])
  })

  it("a partial ACK gets no PRR-SSRB +1: it marks the new head lost (tcp_newreno_mark_lost, tcp_cwnd_reduction's newly_lost)", () => {
    const s = renoOpen()
    // ten segments, nothing more written: the duplicates send nothing until the third resends the first
    expect(shape(s.write(0, T.octets(10 * MSS)))).toHaveLength(10)
    expect(ackAt(s, 20)).toEqual([])
    expect(ackAt(s, 21)).toEqual([])
    expect(ackAt(s, 22)).toEqual([seg(0)])
    // in_flight 10 - 3 - 1 = 6 < ssthresh 7 at the entry: sndcnt min(1, max(1, 1)) = 1, the resend: no room left
    expect(shape(s.write(23, T.octets(20 * MSS)))).toEqual([])
    // the ACK of nine (the tenth lost too): delivered max(9 - 3, 1) = 6, sacked_out 0, the tenth
    // marked lost: in_flight 1 - 0 - 1 = 0, sndcnt min(7 - 0, max(7 - 1, 6)) = 6, no +1: the tenth
    // again and five new segments (with the +1 of an ACK that moved SND.UNA, six)
    expect(ackAt(s, 24, 9 * MSS)).toEqual([seg(9), seg(10), seg(11), seg(12), seg(13), seg(14)])
  })

  it("the ACK that ends it past the recovery point grows the window from ssthresh by what it delivered (tcp_end_cwnd_reduction, then tcp_cong_control's tcp_cong_avoid)", () => {
    // NewReno: ssthresh 5 of 10 (tcp_reno_ssthresh). The entry: in_flight 8 > 5, sndcnt ceil(5 / 10) = 1;
    // 4th: ceil(10 / 10) - 1 = 0; 5th: ceil(15 / 10) - 1 = 1, the 13th
    const s = entered("newreno")
    expect(s.snd.cc.ssthresh).toBe(5 * MSS)
    expect(ackAt(s, 23)).toEqual([])
    expect(ackAt(s, 24)).toEqual([seg(12)])
    // the ACK of all 13: delivered max(13 - 5 counted, 1) = 8; cwnd = ssthresh 5, and congestion
    // avoidance takes the 8 (tcp_reno_cong_avoid: snd_cwnd_cnt 8 >= 5, one more): 6 go, not 5
    expect(ackAt(s, 30, 13 * MSS)).toHaveLength(6)
    expect(s.snd.cc.cwnd).toBe(6 * MSS)
  })

  it("a partial ACK leaves the count at all but one of what is still out, and a duplicate past that delivers nothing (tcp_remove_reno_sacks → tcp_check_reno_reordering → tcp_limit_reno_sacked)", () => {
    // (review50b) Duplicates beyond what is out (the network duplicated ACKs, or reordered data)
    // are capped as they come: sacked_out at most packets_out - 1. Linux caps it again after a
    // partial ACK (tcp_remove_reno_sacks calls tcp_check_reno_reordering, whose
    // tcp_limit_reno_sacked holds sacked_out to packets_out - max(lost_out, 1) with the acknowledged
    // segments gone): left at the old cap, the count stood above the new one, and the next duplicate
    // took the difference off PRR's delivered count (the cap's "delivered" negative), where Linux's
    // delivers nothing (tcp_add_reno_sack counts only delivered > 0) and tcp_cwnd_reduction leaves
    // cwnd as the partial ACK set it
    // the 4th to 9th duplicates: sacked_out 9 = packets_out - 1; the 10th and 11th are past it, capped (nothing to send)
    const s = tenElevenDuplicates()
    expect(s.snd.renoSacked).toBe(9)
    // the ACK of the first: delivered max(1 - 9, 1) = 1 (prr_delivered 8, prr_out 1), sacked_out 9,
    // capped to 9 - 1 = 8 with nine out, the second marked lost: in_flight 9 - 8 - 1 = 0, sndcnt
    // min(7, max(8 - 1, 1)) = 7: the second again
    expect(ackAt(s, 31, MSS)).toEqual([seg(1)])
    expect(s.snd.renoSacked).toBe(8)
    // a duplicate: sacked_out 8 + 1, capped to 8 again: nothing delivered, no PRR step (cwnd 7)
    const delivered = s.snd.prr!.delivered
    expect(ackAt(s, 32, MSS)).toEqual([])
    expect(s.snd.prr!.delivered).toBe(delivered)
    // twenty segments written: cwnd 7 - in_flight 1 (the second's resend) = 6 go
    expect(shape(s.write(33, T.octets(20 * MSS)))).toHaveLength(6)
  })

  it("a window that shuts and opens again in the recovery keeps what was in flight: PRR's sends are new data, one step at a time (Linux's tcp_check_probe_timer: no go-back)", () => {
    // (review50b; window53) Linux goes back over nothing when the peer's window shuts with data out:
    // its in_flight (tcp_packets_in_flight) is what it was, and PRR goes on as before with new
    // data. Until window53 a shut window went back to SND.UNA (`enterPersistIfStalled`), and 9f65d4b
    // counted that go-back's resends in `renoPipe` (before, the first duplicate that gave PRR room let
    // the whole go-back out at once: fifteen segments, PRR's ssthresh 7). The same scene against
    // Linux: test/kernel/ConformanceLoss.test.ts, "without SACK, a window that shuts in a fast recovery"
    const s = entered()
    expect(ackAt(s, 23)).toEqual([seg(12)])
    expect(ackAt(s, 24)).toEqual([seg(13)])
    // the window shuts, what is out stays in flight under the retransmission timer (no persist
    // timer, no go-back), and opens again: in_flight 14 - 5 = 9 > ssthresh, nothing
    expect(shape(s.send(25, T.fromPeer({ seq: 0, ack: 0, window: 0 })))).toEqual([])
    expect(s.snd.persistAt).toBeUndefined()
    expect(s.snd.rtoAt).toBeDefined()
    expect(ackAt(s, 26)).toEqual([])
    // 6th: ceil(7 * 4 / 10) - 3 = 0; 7th: in_flight 7 = ssthresh, PRR-SSRB's room 0; 8th: in_flight
    // 6, sndcnt min(1, max(6 - 3, 1)) = 1: one new segment, as Linux's (before: the go-back's first)
    expect(ackAt(s, 27)).toEqual([])
    expect(ackAt(s, 28)).toEqual([])
    expect(ackAt(s, 29)).toEqual([seg(14)])
    // in_flight 7 with it: one a duplicate from here on (packet conservation)
    expect(ackAt(s, 30)).toEqual([seg(15)])
  })

  it("a duplicate counts a segment out of the network once, when it comes: with the head resent and a runt beyond it, new data sent after it does not raise the count's octets (Linux counts packets: tcp_add_reno_sack, tcp_packets_in_flight)", () => {
    // Linux's sacked_out is a count of packets, held at each duplicate and each ACK of data to
    // packets_out - max(lost_out, 1) (tcp_limit_reno_sacked) and unchanged in between: what goes out
    // after it raises in_flight by one packet a segment. Here the count is of segments, and pipe is
    // in octets: the counted segments' octets are at most what is out beyond the head. With a runt
    // beyond the resent head that bound was the runt's 233 octets, and it grew as new data went,
    // so one duplicate's room of one segment let a segment and then 1227 octets more go (the lead's
    // section of stop 50, RandomLoss seed 40 without SACK)
    const s = renoOpen()
    s.snd.noDelay = true
    // five full segments and a runt of 233 (A B C D E R); A and E are lost
    expect(shape(s.write(0, T.octets(5 * MSS + 233)))).toHaveLength(6)
    expect(ackAt(s, 20)).toEqual([])
    expect(ackAt(s, 21)).toEqual([])
    // B, C, D's duplicates: sacked_out 3, A marked lost, in_flight 6 - 3 - 1 = 2, CUBIC's ssthresh 7:
    // sndcnt min(7 - 2, max(1, 1)) = 1, A again
    expect(ackAt(s, 22)).toEqual([seg(0)])
    // A's resend arrives: the ACK of four (B, C, D held), sacked_out 3 - 3 = 0, E marked lost:
    // in_flight 2 - 0 - 1 = 1, sndcnt min(6, max(2 - 1, 1)) = 1: E again
    expect(ackAt(s, 30, 4 * MSS)).toEqual([seg(4)])
    // R's duplicate (it came after A's resend): sacked_out 1 (packets_out 2 - lost_out 1), delivered
    // 1: in_flight 2 - 1 - 1 + 1 = 1, sndcnt min(6, max(3 - 2, 1)) = 1, cwnd 2
    expect(ackAt(s, 31, 4 * MSS)).toEqual([])
    expect(s.snd.renoSacked).toBe(1)
    // a segment and 500 octets written: one packet goes (in_flight 2 = cwnd); the 500 wait
    expect(shape(s.write(32, T.octets(MSS + 500)))).toEqual([[5 * MSS + 233, MSS]])
  })

  it("three segments out, the first lost: duplicates the network made of the two it can draw start no fast retransmit (tcp_limit_reno_sacked, tcp_newreno_mark_lost); the RTO resends", () => {
    // Linux counts a duplicate as a segment out of the network only up to all but one of those out
    // (sacked_out <= packets_out - 1: here 2), and marks the head lost in Disorder only once
    // sacked_out >= tp->reordering (3): a flight of three or fewer is never fast-retransmitted. The
    // third duplicate here is a copy the network made; the stack counted it and resent at once
    const s = renoOpen()
    expect(shape(s.write(0, T.octets(3 * MSS)))).toHaveLength(3)
    expect(ackAt(s, 20)).toEqual([])
    expect(ackAt(s, 21)).toEqual([])
    expect(ackAt(s, 22)).toEqual([])
    expect([s.snd.recovering, Sender.counters(s.snd).fastRetransmits, s.snd.renoSacked]).toEqual([false, 0, 2])
    // (more duplicates than the two: reordering, tcp_check_reno_reordering, at packets_out 3)
    expect(s.snd.renoReordering).toBe(3)
    expect(shape(s.tick(Math.ceil(s.snd.rtoAt!)))).toEqual([seg(0)])
  })

  it("more duplicates in a recovery than segments out raise the count the next fast retransmit waits for, and each counted duplicate lets a segment go meanwhile (tcp_check_reno_reordering)", () => {
    // ten segments, the first lost, eleven duplicates: the 10th and 11th find sacked_out at
    // packets_out - 1 already, so Linux sets tp->reordering = packets_out (10). The next loss is
    // fast-retransmitted at the 10th duplicate (tcp_newreno_mark_lost: sacked_out >= reordering),
    // and until then each duplicate lets a new segment go (in_flight = packets_out - sacked_out in
    // Disorder); the stack resent at the third and let two go before it (RFC 3042)
    const s = tenElevenDuplicates()
    expect(s.snd.renoReordering).toBe(10)
    // the ACK of all ten (the hold), a write, the ACK of what went: the recovery is over
    expect(ackAt(s, 31, 10 * MSS)).toEqual([])
    const sent = shape(s.write(32, T.octets(60 * MSS)))
    expect(sent.length).toBeGreaterThan(0)
    ackAt(s, 40, (10 + sent.length) * MSS)
    expect(s.snd.recovering).toBe(false)
    const una = 10 + sent.length
    const fr = Sender.counters(s.snd).fastRetransmits
    // the next flight's first segment lost: nine duplicates, one new segment each, no resend
    for (let k = 1; k <= 9; k++) {
      const out = ackAt(s, 50 + k, una * MSS)
      expect(out, `duplicate ${k}`).toHaveLength(1)
      expect(out[0]![0], `duplicate ${k}`).not.toBe(una * MSS)
    }
    expect(Sender.counters(s.snd).fastRetransmits).toBe(fr)
    // the 10th: the fast retransmit
    expect(ackAt(s, 60, una * MSS)[0]).toEqual(seg(una))
    expect(Sender.counters(s.snd).fastRetransmits).toBe(fr + 1)
  })

  /** (review51b) Ten segments, the first lost, eleven duplicates: Linux's tp->reordering is 10; then the recovery ends. */
  const raised = () => {
    const s = renoOpen()
    expect(shape(s.write(0, T.octets(10 * MSS)))).toHaveLength(10)
    for (let t = 20; t <= 30; t++) ackAt(s, t)
    expect(s.snd.renoReordering).toBe(10)
    ackAt(s, 31, 10 * MSS)
    const sent = shape(s.write(32, T.octets(3 * MSS)))
    ackAt(s, 40, (10 + sent.length) * MSS)
    expect([s.snd.recovering, s.snd.sndUna === s.snd.sndMax, s.snd.renoReordering]).toEqual([false, true, 10])
    return { s, una: 10 + sent.length }
  }

  it("a timeout after duplicates below a raised count leaves the count as it is: Linux's tcp_timeout_mark_lost zeroes a Reno sacked_out before tcp_enter_loss asks it (review51b)", () => {
    // tcp_enter_loss lowers tp->reordering to sysctl_tcp_reordering only when sacked_out >=
    // sysctl_tcp_reordering in Open or Disorder, but for a Reno connection tcp_timeout_mark_lost,
    // which it calls first, has already reset sacked_out (tcp_reset_reno_sack): the check never
    // holds without SACK, and the raised count outlives the timeout. Five segments, four
    // duplicates (below 10: no fast retransmit, one new segment each), the timeout
    const { s, una } = raised()
    expect(shape(s.write(50, T.octets(5 * MSS)))).toHaveLength(5)
    for (let t = 51; t <= 54; t++) ackAt(s, t, una * MSS)
    expect(Sender.counters(s.snd).fastRetransmits).toBe(1)
    expect(shape(s.tick(Math.ceil(s.snd.rtoAt!)))[0]).toEqual(seg(una))
    expect(s.snd.renoReordering).toBe(10)
  })

  it("duplicates in a timeout's go-back count nothing and leave a raised count as it is: Linux's tcp_process_loss adds Reno duplicates only for new data F-RTO sent (review51b)", () => {
    // In TCP_CA_Loss tcp_fastretrans_alert goes to tcp_process_loss, which calls tcp_add_reno_sack
    // only when snd_nxt is past high_seq (new data F-RTO's step 2.b sent) and resets the count on
    // an ACK of data; at SND.UNA = high_seq it holds Loss (tcp_try_undo_recovery). So duplicates of
    // the window a timeout goes back over neither count nor, past the cap, set tp->reordering
    // (tcp_check_reno_reordering). Three segments, the timeout, three duplicates (copies the network
    // made): counted, the third found the count at the cap (2) and set it to 3
    const { s, una } = raised()
    expect(shape(s.write(50, T.octets(3 * MSS)))).toHaveLength(3)
    const at = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(at))[0]).toEqual(seg(una))
    for (let k = 1; k <= 3; k++) expect(ackAt(s, at + k, una * MSS)).toEqual([])
    expect([s.snd.recovering, s.snd.renoSacked, s.snd.renoReordering]).toEqual([false, 0, 10])
  })

  it("an ACK of data after counted duplicates grows the window by what it delivered, its segments less the count (Linux's tcp_remove_reno_sacks in Disorder) (review51b)", () => {
    // Without SACK each duplicate counts a segment delivered (tcp_add_reno_sack) but grows nothing
    // (tcp_may_raise_cwnd: no FLAG_DATA_ACKED, and no FLAG_DATA_SACKED for Reno); the ACK of data
    // after them delivers max(acked - sacked_out, 1) packets (tcp_remove_reno_sacks), and that is
    // tcp_cong_avoid's acked_sacked. Ten segments in slow start, two duplicates (limited transmit:
    // the 11th and 12th), then the first arrives late and the ACK of three: cwnd 10 + (3 - 2) = 11,
    // where growing by all three made 13
    const s = renoOpen()
    expect(shape(s.write(0, T.octets(20 * MSS)))).toHaveLength(10)
    expect(s.snd.cc.cwnd).toBe(10 * MSS)
    expect(ackAt(s, 20)).toEqual([seg(10)])
    expect(ackAt(s, 21)).toEqual([seg(11)])
    ackAt(s, 22, 3 * MSS)
    expect([s.snd.recovering, Sender.counters(s.snd).fastRetransmits, s.snd.cc.cwnd]).toEqual([false, 0, 11 * MSS])
  })

  it("the peer's first pure ACK after data of its own is a window update, not a duplicate (tcp_may_update_window: SEQ past SND.WL1)", () => {
    // (review50b) Linux's tcp_ack counts a duplicate only without FLAG_NOT_DUP, and
    // tcp_ack_update_window sets FLAG_WIN_UPDATE whenever tcp_may_update_window holds: for an ACK
    // of nothing new, a SEQ past SND.WL1 too, the window the same or not. The peer's data moves
    // its SEQ on; the pure ACK after it (SEQ at the data's end) is no duplicate, before a recovery
    // (no limited transmit, no count towards the third) and in one (tcp_add_reno_sack is not called:
    // no segment counted out of the network, no PRR step). The ACKs after it, at that SEQ, are
    const s = reno()
    const fromPeer = (at: number, seq: number, payload?: string) =>
      shape(s.send(at, T.fromPeer({ seq, ack: 0, window: 65535, ...(payload !== undefined ? { payload } : {}) }))).filter(([, len]) => len! > 0)
    expect(fromPeer(20, 0, "abc")).toEqual([])
    expect(fromPeer(21, 3)).toEqual([])
    expect(s.snd.dupAcks).toBe(0)
    expect(fromPeer(22, 3)).toEqual([seg(10)])
    expect(fromPeer(23, 3)).toEqual([seg(11)])
    expect(fromPeer(24, 3)).toEqual([seg(0)])
    expect(fromPeer(25, 3)).toEqual([seg(12)])
    expect(s.snd.renoSacked).toBe(4)
    // data again in the recovery, then its first pure ACK: nothing counted, nothing goes
    expect(fromPeer(26, 3, "def")).toEqual([])
    expect(fromPeer(27, 6)).toEqual([])
    expect(s.snd.renoSacked).toBe(4)
    // the 5th duplicate: ceil(7 * 3 / 10) - 2 = 1
    expect(fromPeer(28, 6)).toEqual([seg(13)])
  })
})

// Linux takes an RTT sample at every ACK (tcp_clean_rtx_queue, tcp_ack_update_rtt), from its own send
// times: seq_rtt_us from the first segment the ACK acknowledges that went once and was not SACKed
// before (none when it acknowledges any segment sent twice: FLAG_RETRANS_DATA_ACKED), else
// sack_rtt_us from the first it newly SACKs that went once (tcp_sacktag_one's first_sackt), and the
// echoed timestamp only when neither exists ("broken middle-boxes or peers may corrupt TS-ECR")
describe("RTT samples at every ACK from the send times (Linux's tcp_ack_update_rtt)", () => {
  it("a duplicate ACK that SACKs a segment sent once is a sample (sack_rtt_us)", () => {
    const s = warm()
    const srtt = s.snd.rtt.srtt!
    expect(shape(s.write(1000, T.octets(4 * MSS)))).toHaveLength(4)
    // the second SACKed 60 ms after it went: SRTT moves an eighth of the way to 60 (RFC 6298 §2.3)
    s.send(1060, sackOf(B, [B + MSS, B + 2 * MSS]))
    expect(s.snd.rtt.srtt).toBeCloseTo(srtt + (60 - srtt) / 8, 6)
  })

  it("with timestamps an ACK of data sent once takes the send time's sample, not the echo's", () => {
    const s = warm(undefined, true)
    const srtt = s.snd.rtt.srtt!
    const P = MSS - 12
    expect(shape(s.write(1000, T.octets(2 * P)))).toHaveLength(2)
    // the first acknowledged at 1050, echoing a TSval older than its send (a stale TS.Recent): the
    // sample is 50 ms from the send, not the echo's 60
    s.send(1050, sackTs(100, 990, B + P))
    expect(s.snd.rtt.srtt).toBeCloseTo(srtt + (50 - srtt) / 8, 6)
  })

  it("an ACK that acknowledges a segment sent twice takes no sample from the send times (Karn per segment): the echo's, with timestamps", () => {
    const P = MSS - 12
    const s = warm(undefined, true)
    expect(shape(s.write(1000, T.octets(4 * P)))).toHaveLength(4)
    // the first lost: three SACKed at 1020 (samples of 20), a fast recovery resends it at once
    expect(shape(s.send(1020, sackTs(100, 1000, B, [B + P, B + 4 * P])))).toEqual([[B, P]])
    const srtt = s.snd.rtt.srtt!
    // the resend and all above acknowledged at 1100, echoing the resend: the first segment went
    // twice, the rest were SACKed before: the echo's 80 ms
    s.send(1100, sackTs(101, 1020, B + 4 * P))
    expect(s.snd.rtt.srtt).toBeCloseTo(srtt + (80 - srtt) / 8, 6)
  })
})

// (review61b) A recovery entered from a timeout's episode at an ACK that finds a go-back resend lost
// again (FLAG_LOST_RETRANS) and says ECE: Linux's tcp_fastretrans_alert zeroes prior_ssthresh for the
// ECE, tcp_process_loss keeps CA_Loss, the Loss case falls through on FLAG_LOST_RETRANS, and
// tcp_enter_recovery(sk, ece_ack) leaves prior_ssthresh 0 (Loss is no tcp_in_cwnd_reduction, so only
// `!ece_ack` would set it). No CWR is entered (the state is Recovery). So when the third's other copy
// is D-SACKed and the ACK of all ends that recovery, tcp_try_undo_recovery's tcp_undo_cwnd_reduction
// gives nothing back: ssthresh stays the recovery's 2 segments. Without the ECE the same undo gives
// back prior_ssthresh, the timeout's 7. The stack enters this recovery at the batch's end
// (`rackDetect`, `rackRecover`), after `onAck` cleared `ackEce`, and the ECE's `onEce` in the
// timeout's episode had dropped the timeout's record: the new record gave back 7
describe("an ECE on the ACK that finds a timeout's resend lost again (review61b)", () => {
  // (`dup`: a duplicate without ECE follows that ACK, in its batch or after it, ece62)
  const lostAgain = (ece: boolean, dup?: { readonly batched: boolean }) => {
    const s = T.established({
      params: { ecn: "accept" },
      peerOptions: { mss: MSS, sackPermitted: true },
      peerSynFlags: ECE | CWR
    })
    for (let i = 0; i < B; i++) {
      s.write(40 * i, "x")
      s.send(40 * i + 20, sackOf(i + 1))
    }
    expect(s.snd.ecnOk).toBe(true)
    expect(shape(s.write(1000, T.octets(3 * MSS)))).toEqual([seg(0), seg(1), seg(2)])
    expect(shape(s.tick(Math.ceil(s.snd.tlpAt!)))).toEqual([seg(2)])
    const t = Math.ceil(s.snd.rtoAt!)
    expect(shape(s.tick(t))).toEqual([seg(0)])
    expect(shape(s.send(t + 20, sackOf(B + MSS)))).toEqual([seg(1), seg(2)])
    const timeoutCut = s.snd.cc.ssthresh
    const blocks = [{ left: ours(B + 2 * MSS), right: ours(B + 3 * MSS) }]
    const lost = T.fromPeer({ ack: B + MSS, flags: ece ? ACK | ECE : ACK, options: { sackPermitted: false, sack: blocks } })
    const again = T.fromPeer({ ack: B + MSS, options: { sackPermitted: false, sack: blocks } })
    const sent = dup === undefined
      ? s.send(t + 40, lost)
      : dup.batched ? s.send(t + 40, lost, again) : [...s.send(t + 40, lost), ...s.send(t + 40, again)]
    expect(shape(sent)).toEqual([seg(1)])
    expect([s.snd.recovering, Sender.counters(s.snd).fastRetransmits, Sender.counters(s.snd).ecnReductions]).toEqual([true, 1, 0])
    const recoveryCut = s.snd.cc.ssthresh
    // the second's first resend arrives late with the third's other copy (D-SACKed): the ACK of all
    s.send(t + 41, sackOf(B + 3 * MSS, [B + 2 * MSS, B + 3 * MSS]))
    return { recovering: s.snd.recovering, undos: Sender.counters(s.snd).undos, timeoutCut, recoveryCut, ssthresh: s.snd.cc.ssthresh }
  }

  it("without the ECE the D-SACK's undo at the recovery's end gives back the timeout's ssthresh", () => {
    const r = lostAgain(false)
    expect([r.recovering, r.undos, r.recoveryCut]).toEqual([false, 1, 2 * MSS])
    expect(r.ssthresh).toBe(r.timeoutCut)
  })

  it("with it that undo gives nothing back (tcp_enter_recovery(sk, ece_ack): prior_ssthresh 0)", () => {
    const r = lostAgain(true)
    expect([r.recovering, r.undos, r.recoveryCut]).toEqual([false, 1, 2 * MSS])
    expect(r.ssthresh).toBe(2 * MSS)
  })

  // (ece62) That ECE ACK inside a batch, a duplicate without ECE after it: Linux takes each segment
  // by itself, so the recovery starts at the ECE's ACK (TCP_CA_Loss's FLAG_LOST_RETRANS falls through
  // to tcp_enter_recovery(sk, ece_ack)), prior_ssthresh 0, and the duplicate, in Recovery, changes
  // nothing. The stack's `rackInBatch` returned in a timeout's episode (and its guard kept ECE ACKs
  // out): the batch's end entered the recovery after the duplicate, `batchEndEce` false, and the
  // D-SACK's undo gave back the timeout's ssthresh
  it("inside a batch with a duplicate after it, the recovery still starts at the ECE's ACK and its undo gives nothing back", () => {
    for (const batched of [false, true]) {
      const r = lostAgain(true, { batched })
      expect([r.recovering, r.undos, r.recoveryCut]).toEqual([false, 1, 2 * MSS])
      expect(r.ssthresh).toBe(2 * MSS)
    }
  })

  // (review62b) Without the ECE, with timestamps: the ACK that finds the second's go-back resend lost
  // again inside a batch, a duplicate after it. Linux takes each segment by itself: TCP_CA_Loss's
  // FLAG_LOST_RETRANS falls through to tcp_enter_recovery at that ACK, and tcp_xmit_recovery resends
  // the second there, echoing its TSval (102); the duplicate, in Recovery, delivers nothing and sends
  // nothing. The stack's `rackInBatch` returned in a timeout's episode but for an ECE ACK (ece62's
  // `lossEce`): the batch's end entered the recovery and resent the second echoing the duplicate (103)
  it("without the ECE, inside a batch: the recovery still starts at the ACK that finds the resend lost again, its resend echoing that ACK", () => {
    const P = MSS - 12
    const sg = (i: number) => [B + i * P, P]
    const run = (batched: boolean) => {
      const s = warm(undefined, true)
      expect(shape(s.write(1000, T.octets(3 * P)))).toEqual([sg(0), sg(1), sg(2)])
      expect(shape(s.tick(Math.ceil(s.snd.tlpAt!)))).toEqual([sg(2)])
      const t = Math.ceil(s.snd.rtoAt!)
      expect(shape(s.tick(t))).toEqual([sg(0)])
      expect(shape(s.send(t + 20, sackTs(101, t, B + P)))).toEqual([sg(1), sg(2)])
      const acks = [sackTs(102, t + 20, B + P, [B + 2 * P, B + 3 * P]), sackTs(103, t + 20, B + P, [B + 2 * P, B + 3 * P])]
      const sent = (out: ReadonlyArray<OutSegment>) => out.filter((o) => (o.payload?.length ?? 0) > 0).map((o) => [T.ourSeq(o), o.options.timestamp?.echo])
      const out = batched ? sent(s.send(t + 40, ...acks)) : acks.flatMap((a) => sent(s.send(t + 40, a)))
      return { out, state: [s.snd.recovering, Sender.counters(s.snd).fastRetransmits, s.snd.cc.ssthresh] }
    }
    const linux = run(false)
    expect(linux).toEqual({ out: [[B + P, 102]], state: [true, 1, 2 * P] })
    expect(run(true)).toEqual(linux)
  })
})
