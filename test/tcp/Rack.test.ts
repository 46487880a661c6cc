/**
 * RACK (RFC 8985 §6) as pure steps, with sequence numbers that wrap past
 * 2^32: the log, RACK.xmit_ts/rtt from delivered segments, the reordering
 * window, and the exact instant each segment becomes lost.
 */
import { describe, expect, it } from "vitest"
import * as Rack from "../../src/tcp/Rack.js"
import * as Scoreboard from "../../src/tcp/Scoreboard.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as Oracle from "../support/RackOracle.js"
import { seeded } from "../support/Random.js"

/** Our ISN, 300 octets below the wrap: the log's sequence numbers cross 2^32. */
const ISS = Seq.make(0xfffffed4)
const at = (n: number) => Seq.add(ISS, 1 + n)
const tsOf = (ms: number) => Math.floor(ms) >>> 0

/** A scoreboard holding [left, right) (relative octets), as the peer's SACK blocks left it. */
const board = (...ranges: ReadonlyArray<readonly [number, number]>) => {
  const b = Scoreboard.make()
  Scoreboard.update(b, ranges.map(([l, r]) => ({ left: at(l), right: at(r) })), at(0), at(100_000))
  return b
}

/** Four 100-octet segments sent at 0, 1, 2 and 3 ms. */
const fourSent = () => {
  const r = Rack.make(ISS)
  for (let i = 0; i < 4; i++) Rack.onSend(r, at(100 * i), at(100 * i + 100), i)
  return r
}

describe("RACK loss detection (RFC 8985 §6.2)", () => {
  it("a segment sent before a SACKed one is lost once RACK.rtt + reo_wnd have passed since it went", () => {
    const r = fourSent()
    // the fourth arrives (SACKed) at 10: RACK.rtt = 7, min RTT 7, reo_wnd = 7 / 4
    Rack.onAck(r, at(0), board([300, 400]), 10, undefined, tsOf)
    expect(r.rtt).toBe(7)
    expect(r.xmitAt).toBe(3)
    const wnd = Rack.reorderingWindow(r, 7, false)
    expect(wnd).toBe(1.75)
    // sent at 0 and 1: due at 8.75 and 9.75, lost; sent at 2: due at 10.75, 0.75 from now
    expect(Rack.detectLoss(r, 10, wnd)).toEqual({ lost: 2, timeout: 0.75 })
    expect(Oracle.firstLostOf(Rack, r)).toEqual({ start: at(0), end: at(100) })
    const early = Rack.detectLoss(r, 10.74, wnd)
    expect(early.lost).toBe(0)
    expect(early.timeout).toBeCloseTo(0.01, 9)
    expect(Rack.detectLoss(r, 10.75, wnd).lost).toBe(1)
    // nothing sent after the SACKed one is ever lost by it
    expect(Rack.size(r)).toBe(4)
  })

  it("wouldMarkLost answers whether step 5 would mark any, marking nothing (the Sender's look-ahead at a SACK-only ACK)", () => {
    const r = fourSent()
    Rack.onAck(r, at(0), board([300, 400]), 10, undefined, tsOf)
    const wnd = Rack.reorderingWindow(r, 7, false)
    expect(Rack.wouldMarkLost(r, 8.74, wnd)).toBe(false)
    expect(Rack.wouldMarkLost(r, 8.75, wnd)).toBe(true)
    // nothing was marked: all three still found lost at 10.75
    expect(Oracle.firstLostOf(Rack, r)).toBeUndefined()
    expect(Rack.detectLoss(r, 10.75, wnd)).toEqual({ lost: 3, timeout: 0 })
    // and once marked, nothing more would be
    expect(Rack.wouldMarkLost(r, 20, wnd)).toBe(false)
  })

  it("a resend of part of a lost segment splits it: the rest stays lost, with its own send time", () => {
    const r = fourSent()
    Rack.onAck(r, at(0), board([300, 400]), 10, undefined, tsOf)
    expect(Rack.detectLoss(r, 10, Rack.reorderingWindow(r, 7, false)).lost).toBe(2)
    // [0, 100) lost; a resend cut to its first 40 octets (a shrunk window, or SACK blocks taking room)
    Rack.onSend(r, at(0), at(40), 12)
    expect(Oracle.firstLostOf(Rack, r)).toEqual({ start: at(40), end: at(100) })
    expect(Rack.size(r)).toBe(5)
    expect(r.retransmitted).toBe(1)
    // the rest resent from the middle of the entry: split again, each piece once
    Rack.onSend(r, at(40), at(100), 13)
    expect(Oracle.firstLostOf(Rack, r)).toEqual({ start: at(100), end: at(200) })
    expect(r.retransmitted).toBe(2)
    // all of it acknowledged: the log lets go of every piece and its counts
    Rack.onAck(r, at(400), board(), 20, undefined, tsOf)
    expect(Rack.size(r)).toBe(0)
    expect(r.retransmitted).toBe(0)
    expect(r.sacked).toBe(0)
  })

  it("no reordering seen: the window is 0 in recovery and with three segments SACKed, else a quarter of min RTT (at most SRTT)", () => {
    const r = fourSent()
    Rack.onAck(r, at(0), board([100, 200]), 9, undefined, tsOf) // the second: rtt 8
    expect(Rack.reorderingWindow(r, 100, false)).toBe(2)
    expect(Rack.reorderingWindow(r, 1, false)).toBe(1) // at most SRTT
    expect(Rack.reorderingWindow(r, 100, true)).toBe(0)
    Rack.onAck(r, at(0), board([100, 400]), 11, undefined, tsOf)
    expect(r.sacked).toBe(3)
    expect(Rack.reorderingWindow(r, 100, false)).toBe(0)
  })

  it("a segment delivered below the highest delivered, never retransmitted, is reordering: the window stays open in recovery", () => {
    const r = fourSent()
    Rack.onAck(r, at(0), board([200, 300]), 10, undefined, tsOf)
    expect(r.reordering).toBe(false)
    // the second arrives late, and was never sent twice: the network reordered it
    Rack.onAck(r, at(0), board([100, 300]), 12, undefined, tsOf)
    expect(r.reordering).toBe(true)
    expect(Rack.reorderingWindow(r, 100, true)).toBe(2) // min RTT 8 (the third's), / 4
  })

  it("a lost retransmission: lost again once a segment sent after it is delivered", () => {
    const r = Rack.make(ISS)
    Rack.onSend(r, at(0), at(100), 0)
    Rack.onSend(r, at(100), at(200), 0)
    Rack.onAck(r, at(0), board([100, 200]), 5, undefined, tsOf) // rtt 5
    expect(Rack.detectLoss(r, 5, 0).lost).toBe(1)
    // the first is sent again at 7: no longer lost, and counted as retransmitted
    Rack.onSend(r, at(0), at(100), 7)
    expect(Oracle.firstLostOf(Rack, r)).toBeUndefined()
    Rack.onSend(r, at(200), at(300), 8)
    // that retransmission is lost too; the new segment after it arrives at 13
    Rack.onAck(r, at(0), board([100, 300]), 13, undefined, tsOf)
    expect(r.xmitAt).toBe(8)
    expect(Rack.detectLoss(r, 13, 0)).toEqual({ lost: 1, timeout: 0 })
    expect(Oracle.firstLostOf(Rack, r)).toEqual({ start: at(0), end: at(100) })
    // RFC 6675's pipe counted it in flight (below HighRxt): it left the network
    expect(Rack.lostRetransmitted(r, at(100))).toBe(100)
    expect(Rack.lostRetransmitted(r, at(50))).toBe(50)
    // sent a third time, it arrives: below RACK.fack, but a retransmission, so no reordering
    Rack.onSend(r, at(0), at(100), 14)
    Rack.onAck(r, at(300), Scoreboard.make(), 20, undefined, tsOf)
    expect(r.reordering).toBe(false)
    expect(r.xmitAt).toBe(14)
    expect(Rack.size(r)).toBe(0)
  })

  it("a retransmission in the same millisecond as later segments went after them: the order of sends, not the clock, says so", () => {
    // three segments and the first's retransmission, all in one tick of the clock (a TAP's sub-ms path)
    const r = Rack.make(ISS)
    for (let i = 0; i < 3; i++) Rack.onSend(r, at(100 * i), at(100 * i + 100), 0)
    Rack.onAck(r, at(0), board([100, 200]), 0, undefined, tsOf)
    expect(Rack.detectLoss(r, 0, 0)).toEqual({ lost: 1, timeout: 0 })
    Rack.onSend(r, at(0), at(100), 0)
    // the third, sent before the retransmission, is SACKed: the retransmission is not lost by it
    // (ordered by sequence number within the tick, it was, and went again at every such ACK)
    Rack.onAck(r, at(0), board([100, 300]), 0, undefined, tsOf)
    expect(Rack.detectLoss(r, 0, 0)).toEqual({ lost: 0, timeout: 0 })
    expect(Oracle.firstLostOf(Rack, r)).toBeUndefined()
    // a segment sent after it is SACKed, in the same tick: now it is
    Rack.onSend(r, at(300), at(400), 0)
    Rack.onAck(r, at(0), board([100, 400]), 0, undefined, tsOf)
    expect(Rack.detectLoss(r, 0, 0)).toEqual({ lost: 1, timeout: 0 })
    expect(Oracle.firstLostOf(Rack, r)).toEqual({ start: at(0), end: at(100) })
  })

  it("RACK.rtt is the last delivered segment's, not RACK's segment's: an ACK of a resent head and an older original waits past the reordering window (Linux's tcp_rack_advance)", () => {
    // Linux 6.18's tcp_rack_advance sets rack.rtt_us for every skb an ACK delivers (bar an
    // ambiguous retransmission) and moves rack.mstamp only for one sent after it; tcp_ack tags SACKs
    // first, then tcp_clean_rtx_queue walks the acknowledged skbs in sequence order, so the last
    // one's RTT stays. The resent head is RACK's segment (sent last), but the original behind it,
    // sent long before, gives RACK.rtt; an entry sent between the two then waits
    // reo_wnd + (its send − that original's send) in tcp_rack_detect_loss, more than reo_wnd
    // (RFC 8985's RACK_update, walking in send order, would take the resend's RTT and mark it lost
    // at once). RandomLoss's reordering timers past the RTO (278-492 ms, SRTT 43-104) are all this.
    const r = Rack.make(ISS)
    Rack.onSend(r, at(0), at(100), 0)
    Rack.onAck(r, at(100), Scoreboard.make(), 40, undefined, tsOf) // min RTT 40
    Rack.onSend(r, at(100), at(200), 50) // A, lost
    Rack.onSend(r, at(200), at(300), 60) // B
    Rack.onSend(r, at(300), at(400), 150) // C
    Rack.onSend(r, at(100), at(200), 300) // A again (a timeout's resend)
    // A's resend (RTT 60, not below the minimum: not ambiguous) and B (RTT 300) acknowledged at 360
    Rack.onAck(r, at(300), Scoreboard.make(), 360, undefined, tsOf)
    expect(r.xmitAt).toBe(300)
    expect(r.rtt).toBe(300)
    const wnd = Rack.reorderingWindow(r, 50, false)
    expect(wnd).toBe(10)
    // C went before A's resend: due at 150 + 300 + 10 = 460, 100 ms on, ten reordering windows
    expect(Rack.detectLoss(r, 360, wnd)).toEqual({ lost: 0, timeout: 100 })
    expect(Rack.detectLoss(r, 460, wnd)).toEqual({ lost: 1, timeout: 0 })
  })

  /** Two segments at 0; the second SACKed at `sackAt` (the min RTT); the first sent again at 20. */
  const firstResent = (sackAt: number) => {
    const r = Rack.make(ISS)
    Rack.onSend(r, at(0), at(100), 0)
    Rack.onSend(r, at(100), at(200), 0)
    Rack.onAck(r, at(0), board([100, 200]), sackAt, undefined, tsOf)
    Rack.onSend(r, at(0), at(100), 20)
    return r
  }

  it("an ACK that may be for the original transmission does not time a retransmission (§6.2 step 2)", () => {
    const r = firstResent(10)
    // acknowledged 2 ms after the retransmission: faster than any RTT seen, so likely the original's
    Rack.onAck(r, at(200), Scoreboard.make(), 22, undefined, tsOf)
    expect(r.xmitAt).toBe(0)
    expect(r.rtt).toBe(10)
    expect(Rack.size(r)).toBe(0)
  })

  it("with timestamps, an echo older than the retransmission says the ACK is the original's", () => {
    const r = firstResent(1)
    Rack.onAck(r, at(200), Scoreboard.make(), 30, tsOf(5), tsOf) // echoes 5: sent before 20
    expect(r.xmitAt).toBe(0)
    const r2 = firstResent(1)
    Rack.onAck(r2, at(200), Scoreboard.make(), 30, tsOf(20), tsOf) // echoes the retransmission's time
    expect(r2.xmitAt).toBe(20)
    expect(r2.rtt).toBe(10)
  })

  it("a segment marked lost that is SACKed after all is lost no more: neither sent again nor joined to a lost run (Linux's tcp_sacktag_one clears TCPCB_LOST)", () => {
    const r = fourSent()
    // the fourth SACKed at 10: the first two are lost (as in the first test)
    Rack.onAck(r, at(0), board([300, 400]), 10, undefined, tsOf)
    expect(Rack.detectLoss(r, 10, Rack.reorderingWindow(r, 7, false)).lost).toBe(2)
    // the second arrives after all (reordered beyond the window), before its resend went
    Rack.onAck(r, at(0), board([100, 200], [300, 400]), 11, undefined, tsOf)
    expect(Oracle.firstLostOf(Rack, r, true)).toEqual({ start: at(0), end: at(100) })
    Rack.onSend(r, at(0), at(100), 12)
    expect(Oracle.firstLostOf(Rack, r, true)).toBeUndefined()
    // the same for a mark a smaller path MTU made: the SACKed one is no longer lost
    const m = fourSent()
    expect(Rack.markLongerLost(m, 50, at(400))).toBe(4)
    Rack.onAck(m, at(0), board([100, 200]), 10, undefined, tsOf)
    expect(Oracle.firstLostOf(Rack, m, true)).toEqual({ start: at(0), end: at(100) })
    // and a lost retransmission that is SACKed has not left the network twice over (pipe counts it out once)
    Rack.onSend(m, at(200), at(300), 11)
    Rack.markLongerLost(m, 50, at(400))
    Rack.onAck(m, at(0), board([100, 300]), 12, undefined, tsOf)
    expect(Rack.lostRetransmitted(m, at(400))).toBe(0)
  })

  it("a timeout holds what went within RACK.rtt of it, but not what is marked lost already: that stays lost (Linux's tcp_timeout_mark_lost only skips it)", () => {
    const r = fourSent()
    // the fourth SACKed at 10 (RACK.rtt 7); a smaller path MTU marks the other three lost at once
    Rack.onAck(r, at(0), board([300, 400]), 10, undefined, tsOf)
    expect(Rack.markLongerLost(r, 50, at(400))).toBe(3)
    // the timeout at 8.5: the third went 6.5 ms before, within RACK.rtt, but is lost: nothing is held
    // (before: held and lost at once, its octets in the window after the timeout though out of flight)
    expect(Rack.markTimeout(r, 8.5, false)).toBe(0)
    expect(r.held).toBe(0)
    expect(Rack.inFlight(r)).toBe(0)
    // one not yet lost, sent as recently, is held
    const h = fourSent()
    Rack.onAck(h, at(0), board([300, 400]), 10, undefined, tsOf)
    expect(Rack.markTimeout(h, 8.5, false)).toBe(100)
    expect([h.held, Rack.inFlight(h)]).toEqual([1, 100])
  })

  it("acknowledged entries leave the log; a long log stays correct across compaction", () => {
    const r = Rack.make(ISS)
    for (let i = 0; i < 1000; i++) Rack.onSend(r, at(10 * i), at(10 * i + 10), i)
    Rack.onAck(r, at(9000), Scoreboard.make(), 2000, undefined, tsOf)
    expect(Rack.size(r)).toBe(100)
    expect(r.head).toBe(0) // compacted
    Rack.onAck(r, at(9000), board([9990, 10000]), 2001, undefined, tsOf)
    expect(r.xmitAt).toBe(999)
    expect(Rack.detectLoss(r, 3000, 0).lost).toBe(99)
    expect(Oracle.firstLostOf(Rack, r)).toEqual({ start: at(9000), end: at(9010) })
  })
})

/** Ten 100-octet segments sent at 0..9 ms. */
const tenSent = () => {
  const r = Rack.make(ISS)
  for (let i = 0; i < 10; i++) Rack.onSend(r, at(100 * i), at(100 * i + 100), i)
  return r
}

describe("the reordering degree (Linux's tp->reordering, tcp_check_sack_reordering)", () => {
  it("a hole filled cumulatively below a SACKed segment: the distance to the highest SACKed, in segments, rounded up", () => {
    const r = tenSent()
    expect(r.degree).toBe(3)
    // the fifth SACKed, then the first four acknowledged: never resent, below it by five segments
    Rack.onAck(r, at(0), board([400, 500]), 20, undefined, tsOf)
    Rack.checkReordering(r, at(0), board([400, 500]), 100, true)
    expect(r.degree).toBe(3)
    Rack.onAck(r, at(500), board([400, 500]), 21, undefined, tsOf)
    Rack.checkReordering(r, at(500), board([400, 500]), 100, true)
    expect(r.degree).toBe(5)
    // rounded up: 500 octets in segments of 120 are 5
    const s = tenSent()
    Rack.onAck(s, at(0), board([400, 500]), 20, undefined, tsOf)
    Rack.onAck(s, at(500), board([400, 500]), 21, undefined, tsOf)
    Rack.checkReordering(s, at(500), board([400, 500]), 120, true)
    expect(s.degree).toBe(5)
  })

  it("a segment SACKed below one SACKed before: the distance to the highest SACKed after the ACK", () => {
    const r = tenSent()
    Rack.onAck(r, at(0), board([500, 600]), 20, undefined, tsOf)
    Rack.checkReordering(r, at(0), board([500, 600]), 100, true)
    // the first arrives, SACKed with one more above: from 0 to 700
    Rack.onAck(r, at(0), board([0, 100], [500, 700]), 22, undefined, tsOf)
    Rack.checkReordering(r, at(0), board([0, 100], [500, 700]), 100, true)
    expect(r.degree).toBe(7)
    // never lowered by a shorter distance
    Rack.onAck(r, at(0), board([0, 100], [300, 700]), 23, undefined, tsOf)
    Rack.checkReordering(r, at(0), board([0, 100], [300, 700]), 100, true)
    expect(r.degree).toBe(7)
  })

  it("three segments or fewer is no more than the degree; a resent segment, or the SACK side in a timeout's episode with nothing to undo, is none", () => {
    const r = tenSent()
    Rack.onAck(r, at(0), board([200, 300]), 20, undefined, tsOf)
    Rack.onAck(r, at(200), board([200, 300]), 21, undefined, tsOf)
    Rack.checkReordering(r, at(200), board([200, 300]), 100, true)
    expect(r.degree).toBe(3)
    expect(r.reordering).toBe(true)
    // the SACK side counts only with `sackCounts`; the cumulative side always
    const s = tenSent()
    Rack.onAck(s, at(0), board([600, 700]), 20, undefined, tsOf)
    Rack.onAck(s, at(0), board([0, 100], [600, 700]), 21, undefined, tsOf)
    Rack.checkReordering(s, at(0), board([0, 100], [600, 700]), 100, false)
    expect(s.degree).toBe(3)
    Rack.onAck(s, at(400), board([0, 100], [600, 700]), 22, undefined, tsOf)
    Rack.checkReordering(s, at(400), board([0, 100], [600, 700]), 100, false)
    expect(s.degree).toBe(6) // 100..400 filled below 700
    // a resent segment filling the hole is no reordering
    const t = tenSent()
    Rack.onAck(t, at(0), board([600, 700]), 20, undefined, tsOf)
    Rack.onSend(t, at(0), at(100), 25)
    Rack.onAck(t, at(100), board([600, 700]), 40, undefined, tsOf)
    Rack.checkReordering(t, at(100), board([600, 700]), 100, true)
    expect(t.degree).toBe(3)
  })

  it("a D-SACK for a resend the peer had SACKed: from its start (tcp_sacktag_one's dup_sack on a TCPCB_RETRANS, SACKED_ACKED skb)", () => {
    const dsacked = (sackCounts: boolean) => {
      const r = tenSent()
      Rack.onSend(r, at(500), at(600), 15)
      Rack.onAck(r, at(0), board([500, 1000]), 30, undefined, tsOf)
      Rack.checkReordering(r, at(0), board([500, 1000]), 100, sackCounts)
      expect(r.degree).toBe(3)
      Rack.onDsackReordering(r, { left: at(500), right: at(600) })
      Rack.onAck(r, at(0), board([500, 1000]), 31, undefined, tsOf)
      Rack.checkReordering(r, at(0), board([500, 1000]), 100, sackCounts)
      return r.degree
    }
    expect(dsacked(true)).toBe(5)
    // (in a timeout's episode with nothing to undo the SACK side does not count)
    expect(dsacked(false)).toBe(3)
  })

  it("capped at 300 segments (sysctl_tcp_max_reordering); a timeout with three SACKed brings it back to 3", () => {
    const r = Rack.make(ISS)
    for (let i = 0; i < 400; i++) Rack.onSend(r, at(10 * i), at(10 * i + 10), 0)
    Rack.onAck(r, at(0), board([3900, 4000]), 20, undefined, tsOf)
    Rack.onAck(r, at(3900), board([3900, 4000]), 21, undefined, tsOf)
    Rack.checkReordering(r, at(3900), board([3900, 4000]), 10, true)
    expect(r.degree).toBe(300)
    // two SACKed: kept; three: back to 3
    const s = tenSent()
    Rack.onAck(s, at(0), board([800, 900]), 20, undefined, tsOf)
    Rack.onAck(s, at(0), board([0, 100], [800, 900]), 21, undefined, tsOf)
    Rack.checkReordering(s, at(0), board([0, 100], [800, 900]), 100, true)
    expect(s.degree).toBe(9)
    Rack.timeoutReordering(s)
    expect(s.degree).toBe(9)
    Rack.onAck(s, at(0), board([0, 100], [700, 900]), 22, undefined, tsOf)
    Rack.timeoutReordering(s)
    expect(s.degree).toBe(3)
  })
})

describe("a log with a gap (onSend allows one; the sender's own sends leave none)", () => {
  /**
   * The sender sends from the log's end or inside it, so its log has no gaps and the property
   * below never makes one; `onSend` takes a send past the end all the same, and the counts must
   * hold there too: a resend joining entries across the gap spans it (inFlight counts the joined
   * entry whole, as the scan does), and a lost run stops at it.
   */
  it("a resend joins [0, 100) and [200, 300) into [0, 300): in flight 300, as the scan says; a lost run stops at the gap", () => {
    const r = Rack.make(ISS)
    Rack.onSend(r, at(0), at(100), 0)
    Rack.onSend(r, at(200), at(300), 1)
    expect(Rack.inFlight(r)).toBe(200)
    Rack.markTimeout(r, 100, false)
    expect(Oracle.firstLostOf(Rack, r, true)).toEqual({ start: at(0), end: at(100) })
    expect(Oracle.check(r, [], Rack)).toBeUndefined()
    Rack.onSend(r, at(0), at(300), 200)
    expect([Rack.size(r), Rack.inFlight(r), Oracle.inFlight(r)]).toEqual([1, 300, 300])
    expect(Oracle.check(r, [], Rack)).toBeUndefined()
  })
})

describe("RACK's reordering window and D-SACK (RFC 8985 §6.2 step 4, RFC 2883)", () => {
  const block = (l: number, r: number) => ({ left: at(l), right: at(r) })

  it("a D-SACK block is the first one, below the cumulative ACK or inside the second (RFC 2883 §4)", () => {
    expect(Rack.dsackOf([block(100, 200)], at(300))).toEqual(block(100, 200)) // below the ACK: came twice
    expect(Rack.dsackOf([block(500, 600), block(400, 700)], at(300))).toEqual(block(500, 600)) // inside the second
    expect(Rack.dsackOf([block(500, 600), block(800, 900)], at(300))).toBeUndefined() // plain SACK blocks
    expect(Rack.dsackOf([block(400, 800), block(500, 600)], at(300))).toBeUndefined() // the second inside the first
    expect(Rack.dsackOf([], at(300))).toBeUndefined()
    expect(Rack.dsackOf(undefined, at(300))).toBeUndefined()
  })

  // Linux 6.18: tcp_dsack_seen sets rack.dsack_seen (reordering seen, not a probe's D-SACK);
  // tcp_rack_update_reo_wnd acts on it at an ACK that delivered (rs->prior_delivered), unless that
  // ACK's newest delivered segment went before the window last grew (rack.last_delivered): once a
  // round trip by delivered data, not by SND.NXT
  it("grows by a quarter of the minimum RTT at the next ACK that delivers, once per round trip by what went since, at most SRTT", () => {
    const r = fourSent()
    r.reordering = true
    Rack.sampleMinRtt(r, 0, 8, false)
    expect(Rack.reorderingWindow(r, 100, false)).toBe(2)
    // a D-SACK alone: noted, the window as it was until an ACK delivers
    Rack.onDsack(r, false)
    expect(Rack.reorderingWindow(r, 100, false)).toBe(2)
    Rack.onAck(r, at(100), board(), 10, undefined, tsOf) // delivers the first (sent at 0)
    expect(Rack.reorderingWindow(r, 100, false)).toBe(4)
    // another D-SACK, and an ACK of the second, sent before the window grew: dropped
    Rack.onDsack(r, false)
    Rack.onAck(r, at(200), board(), 11, undefined, tsOf)
    expect(Rack.reorderingWindow(r, 100, false)).toBe(4)
    // one sent after it grew: the next D-SACK and its delivery grow it again
    Rack.onSend(r, at(400), at(500), 12)
    Rack.onDsack(r, false)
    Rack.onAck(r, at(200), board([400, 500]), 20, undefined, tsOf)
    expect(Rack.reorderingWindow(r, 100, false)).toBe(6)
    expect(Rack.reorderingWindow(r, 5, false)).toBe(5) // at most SRTT
  })

  it("a D-SACK grows nothing with no reordering seen, nor the probe's (tcp_dsack_seen: reord_seen, FLAG_DSACK_TLP)", () => {
    for (const [reordering, probe] of [[false, false], [true, true]] as const) {
      const r = fourSent()
      r.reordering = reordering
      Rack.sampleMinRtt(r, 0, 8, false)
      Rack.onDsack(r, probe)
      Rack.onAck(r, at(100), board(), 10, undefined, tsOf)
      expect(r.reoWndMult).toBe(1)
    }
  })

  it("16 recoveries without a D-SACK put it back to one quarter at the next ACK that delivers; a D-SACK between starts the count again", () => {
    const r = fourSent()
    r.reordering = true
    Rack.sampleMinRtt(r, 0, 8, false)
    Rack.onDsack(r, false)
    Rack.onAck(r, at(100), board(), 10, undefined, tsOf)
    for (let i = 0; i < 15; i++) Rack.onRecoveryEnd(r)
    expect(Rack.reorderingWindow(r, 100, false)).toBe(4)
    // a new round with a D-SACK: 16 again, and three quarters
    Rack.onSend(r, at(400), at(500), 12)
    Rack.onDsack(r, false)
    Rack.onAck(r, at(200), board([400, 500]), 20, undefined, tsOf)
    for (let i = 0; i < 16; i++) Rack.onRecoveryEnd(r)
    expect(Rack.reorderingWindow(r, 100, false)).toBe(6)
    Rack.onAck(r, at(300), board([400, 500]), 21, undefined, tsOf)
    expect(Rack.reorderingWindow(r, 100, false)).toBe(2)
  })
})

describe("segment edges for SACK blocks (whole segments only, as Linux tags them)", () => {
  it("a block's edges move in to the segments' edges, across the wrap; an empty log leaves them", () => {
    const r = fourSent()
    // the log's entries: [0,100) [100,200) [200,300) [300,400), numbers crossing 2^32 at 300 - 1
    expect(Rack.segmentEdgeAtOrAfter(r, at(150))).toBe(at(200))
    expect(Rack.segmentEdgeAtOrAfter(r, at(200))).toBe(at(200))
    expect(Rack.segmentEdgeAtOrAfter(r, at(-5))).toBe(at(0))
    expect(Rack.segmentEdgeAtOrAfter(r, at(350))).toBe(at(400))
    expect(Rack.segmentEdgeAtOrBefore(r, at(350))).toBe(at(300))
    expect(Rack.segmentEdgeAtOrBefore(r, at(300))).toBe(at(300))
    expect(Rack.segmentEdgeAtOrBefore(r, at(50))).toBe(at(0))
    expect(Rack.segmentEdgeAtOrBefore(r, at(900))).toBe(at(400))
    // after the first two are acknowledged the log starts at 200
    Rack.onAck(r, at(200), board(), 10, undefined, tsOf)
    expect(Rack.segmentEdgeAtOrAfter(r, at(50))).toBe(at(200))
    expect(Rack.segmentEdgeAtOrBefore(r, at(250))).toBe(at(200))
    expect(Rack.segmentEdgeAtOrAfter(Rack.make(ISS), at(7))).toBe(at(7))
    expect(Rack.segmentEdgeAtOrBefore(Rack.make(ISS), at(7))).toBe(at(7))
  })
})

describe("the RTT an ACK measured, for congestion control (lastOriginalRtt)", () => {
  it("is the newest delivered segment's that was never sent twice, cumulative or SACKed", () => {
    const r = fourSent()
    // the first two acknowledged at 20: sent at 0 and 1, the newer decides
    Rack.onAck(r, at(200), board(), 20, undefined, tsOf)
    expect(r.lastOriginalRtt).toBe(19)
    // the fourth SACKed at 30 (sent at 3)
    Rack.onAck(r, at(200), board([300, 400]), 30, undefined, tsOf)
    expect(r.lastOriginalRtt).toBe(27)
    // an ACK that delivers nothing new measures nothing
    Rack.onAck(r, at(200), board([300, 400]), 31, undefined, tsOf)
    expect(r.lastOriginalRtt).toBeUndefined()
  })

  it("a retransmission delivered measures nothing (Karn): the ACK may be the original's", () => {
    const r = fourSent()
    Rack.onSend(r, at(0), at(100), 50) // the first again
    Rack.onAck(r, at(100), board(), 60, undefined, tsOf)
    expect(r.lastOriginalRtt).toBeUndefined()
    // the ACK that takes the retransmitted one and an original: the original's
    Rack.onAck(r, at(200), board(), 70, undefined, tsOf)
    expect(r.lastOriginalRtt).toBe(69)
  })
})

describe("the lost counts (lostFrom, lostRetransmitted, firstLost) and the octets in flight (inFlight) against the old scans (a property over seeds)", () => {
  /**
   * Random sequences of the log's operations as the sender makes them (new data, resends whole
   * or cut, cumulative ACKs cutting entries, SACKs on segment edges, RACK's marks, timeouts with
   * their HELD entries, reneging, spurious-timeout undo, a smaller path MTU), across the wrap;
   * after each, every answer at every entry edge (and HighRxt, the highest SACK) equals the scan's.
   */
  it("200 seeds of 300 operations: the same answers at every boundary", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = seeded(seed)
      const pick = (n: number) => Math.floor(rnd() * n)
      const r = Rack.make(ISS)
      const b = Scoreboard.make()
      let una = 0
      let max = 0
      let highRxt = 0
      let now = 0
      for (let step = 0; step < 300; step++) {
        now += pick(5)
        const op = pick(10)
        const what = `seed ${seed} step ${step} op ${op}`
        if (op <= 2 && Rack.size(r) < 30) {
          // new data: a segment, or a short one (a FIN alone, a dribble)
          const len = rnd() < 0.2 ? 1 + pick(10) : 100
          Rack.onSend(r, at(max), at(max + len), now)
          max += len
        } else if (op === 3 && max > una) {
          // a resend: what RACK marked first, else from a random octet, whole or cut short
          const lost = Oracle.firstLostOf(Rack, r, rnd() < 0.5)
          const start = lost !== undefined && rnd() < 0.7 ? Seq.sub(lost.start, at(0)) : una + pick(max - una)
          const end = Math.min(max, start + 1 + pick(rnd() < 0.5 ? 100 : 300))
          Rack.onSend(r, at(start), at(end), now)
          if (end > highRxt) highRxt = end
        } else if (op <= 5) {
          // an ACK: SND.UNA perhaps moved (into an entry too), SACK blocks on segment edges above it
          if (rnd() < 0.4 && max > una) una += pick(max - una + 1)
          Scoreboard.prune(b, at(una))
          for (let k = pick(3); k > 0 && max > una + 1; k--) {
            const l = una + 1 + pick(max - una - 1)
            const rr = Math.min(max, l + 1 + pick(400))
            const left = Rack.segmentEdgeAtOrAfter(r, at(l))
            const right = Rack.segmentEdgeAtOrBefore(r, at(rr))
            Scoreboard.add(b, left, right, at(una), at(max))
          }
          Rack.onAck(r, at(una), b, now, undefined, tsOf)
          if (highRxt < una) highRxt = una
        } else if (op === 6) {
          Rack.detectLoss(r, now, pick(3))
        } else if (op === 7) {
          const reneged = rnd() < 0.2
          if (reneged) {
            Rack.renege(r)
            Scoreboard.clear(b)
          }
          Rack.markTimeout(r, now, reneged)
          highRxt = una
        } else if (op === 8) {
          const c = pick(3)
          if (c === 0) Rack.unmarkLost(r)
          else if (c === 1) Rack.releaseHeld(r)
          else Rack.markLongerLost(r, 50 + pick(60), at(max))
        } else {
          Rack.detectLoss(r, now + 20, 0)
        }
        const top = Scoreboard.highest(b)
        const extra = [at(highRxt), top ?? at(highRxt), top !== undefined ? Seq.max(top, at(highRxt)) : at(highRxt), at(una)]
        expect(Oracle.check(r, extra, Rack), what).toBeUndefined()
      }
    }
  })
})

describe("onAck looks only at what the board holds beyond the ranges the last ACK left, detectLoss only between them, and both leave the log as the walks from its head did (a property over seeds)", () => {
  /** RACK_sent_after (Rack.ts's): o1/seq1 went after o2/seq2 */
  const sentAfter = (o1: number, seq1: number, o2: number, seq2: number) =>
    o1 > o2 || (o1 === o2 && Seq.gt(seq1 as Seq.SeqNum, seq2 as Seq.SeqNum))
  /** entry i may be judged by detectLoss: neither SACKED nor LOST */
  const open = (x: Rack.Rack, i: number) => (x.flags[i]! & (Oracle.SACKED | Oracle.LOST)) === 0

  /**
   * Two logs driven by the same random operations (the property above's, and what the sender never
   * makes but `onAck` must take all the same: SACK blocks off the segment edges or past the log's
   * end, sends past a gap, a board not yet pruned to the ACK, reneging with the board kept or
   * cleared, timestamps echoed), one through `Rack.onAck` and `Rack.detectLoss`, the other through
   * the old walks (`Oracle.onAck`, `Oracle.detectLoss`): after each step the entries, their marks, the counts and RACK's state
   * (RACK.xmit_ts, end_seq, rtt, fack, reord, the minimum RTT, what the ACK delivered) are the same,
   * and so is every answer an operation gives.
   *
   * `extended` (review49d) adds what the first mix reached seldom or never, each counted in `reach`:
   * an ISS per seed (the wrap anywhere in the run, not only in its first segments), long segments
   * (TSO), a path MTU's marks and the resends of the lost entries in MSS pieces (Sender's
   * resendMarkedLost: splits, then joins at the next go), a timeout's go-back past what it HELD
   * (`skipHeld`), blocks from the middle of an entry (half of a split one), blocks below SND.UNA or
   * inside a range already held (a D-SACK's shape: `add` clips or merges them), a board replaced by a
   * smaller or moved one (the tags then hold what no range does), an ACK of everything (`release`
   * with tags held), and `renege` alone.
   */
  const twin = (seeds: number, seedOf: (seed: number) => number, extended: boolean) => {
    const reach: Record<string, number> = {}
    const saw = (k: string, yes = true) => {
      if (yes) reach[k] = (reach[k] ?? 0) + 1
    }
    for (let seed = 1; seed <= seeds; seed++) {
      const rnd = seeded(seedOf(seed))
      const pick = (n: number) => Math.floor(rnd() * n)
      // (the first mix's random numbers as they were: its seeds' failures of before still name the same steps)
      const iss = extended ? Seq.make([0xfffffed4, 0xffffc000, 0xfffff000 + pick(0x1000), 0x7fffff00, pick(2 ** 32)][pick(5)]! >>> 0) : ISS
      const at = (n: number) => Seq.add(iss, 1 + n)
      const r = Rack.make(iss)
      const w = Rack.make(iss)
      let b = Scoreboard.make()
      const cap = rnd() < 0.3 ? 150 : 30
      const gaps = rnd() < 0.3
      const tso = extended && rnd() < 0.4
      let una = 0
      let max = 0
      let now = 0
      let what = ""
      const both = <A>(f: (x: Rack.Rack) => A): A => {
        const a = f(r)
        expect(f(w), what).toEqual(a)
        return a
      }
      // a resend on both logs, and what it did to the new one's
      const resend = (start: number, end: number) => {
        const size = Rack.size(r)
        const dirty = r.tags?.dirty === true
        both((x) => Rack.onSend(x, at(start), at(end), now))
        saw("a resend joined entries", Rack.size(r) < size)
        saw("a split's piece lay inside a tag", r.tags?.dirty === true && !dirty)
      }
      // RACK's step 5 the same way: the new one (between the tags) on one, the old walk on the other
      const detect = (t: number, reoWnd: number) => {
        if (r.xmitOrder >= 0) {
          const n = r.starts.length
          let tie = false
          let resentAfter = -1
          let before = false
          for (let i = r.head; i < n; i++) {
            if (!open(r, i)) continue
            const after = sentAfter(r.order[i]!, r.ends[i]!, r.xmitOrder, r.endSeq)
            if (r.order[i] === r.xmitOrder && r.ends[i] !== r.endSeq) tie = true
            if (after && (r.flags[i]! & Oracle.RETRANSMITTED) !== 0 && resentAfter < 0) resentAfter = i
            if (!after && resentAfter >= 0) before = true
          }
          saw("detectLoss: an entry of RACK's own send, ordered by its end", tie)
          saw("detectLoss: an entry resent after RACK's segment, below one sent before it", before)
          saw("detectLoss: the log's tail sent after RACK's segment, with resent entries", r.retransmitted > 0 && n > r.head && open(r, n - 1) && sentAfter(r.order[n - 1]!, r.ends[n - 1]!, r.xmitOrder, r.endSeq))
        }
        expect(Oracle.detectLoss(w, t, reoWnd), what).toEqual(Rack.detectLoss(r, t, reoWnd))
      }
      for (let step = 0; step < 300; step++) {
        now += pick(5)
        const op = pick(extended ? 15 : 11)
        what = `seed ${seed} step ${step} op ${op}`
        if (op <= 2 && Rack.size(r) < cap) {
          const long = tso && rnd() < 0.5
          const len = long ? 200 + pick(1300) : rnd() < 0.2 ? 1 + pick(10) : 100
          saw("a long segment (TSO)", long)
          const gap = gaps && rnd() < 0.15 ? 1 + pick(150) : 0
          const dirty = r.tags?.dirty === true
          both((x) => Rack.onSend(x, at(max + gap), at(max + gap + len), now))
          saw("a new entry lay inside a tag", r.tags?.dirty === true && !dirty)
          max += gap + len
        } else if (op === 3 && max > una) {
          const lost = Oracle.firstLostOf(Rack, r, rnd() < 0.5)
          both((x) => Rack.firstLost(x) - (Rack.firstLost(x) < 0 ? 0 : x.head))
          const start = lost !== undefined && rnd() < 0.7 ? Seq.sub(lost.start, at(0)) : una + pick(max - una)
          const end = Math.min(max, start + 1 + pick(rnd() < 0.5 ? 100 : 300))
          resend(start, end)
        } else if (op <= 6) {
          if (rnd() < 0.4 && max > una) una += rnd() < 0.7 ? pick(Math.min(250, max - una + 1)) : pick(max - una + 1)
          if (extended && rnd() < 0.03) una = max
          // (the sender prunes after the log has seen the ACK: a board not yet pruned below it)
          if (rnd() < 0.5) Scoreboard.prune(b, at(una))
          if (extended && rnd() < 0.1) {
            b = Scoreboard.make()
            saw("a board replaced")
          }
          for (let k = pick(4); k > 0 && max > una + 1; k--) {
            const kind = extended ? pick(5) : 4
            if (kind === 0 && Rack.size(r) > 0) {
              // from the middle of an entry (half of one a resend split, or of a long one), to an edge or a middle further on
              const i = r.head + pick(Rack.size(r))
              const s = Seq.sub(r.starts[i]! as Seq.SeqNum, at(0))
              const mid = s + Math.max(1, (Seq.sub(r.ends[i]! as Seq.SeqNum, r.starts[i]! as Seq.SeqNum) >> 1))
              saw("a block from the middle of an entry")
              const right = rnd() < 0.5 ? at(mid) : Rack.segmentEdgeAtOrBefore(r, at(Math.min(max, mid + pick(400))))
              Scoreboard.add(b, at(rnd() < 0.5 ? mid : s), right, at(una), at(max))
            } else if (kind === 1) {
              // below SND.UNA (a D-SACK's first kind), or inside a range held (its second): clipped or merged
              const held = b.ranges[pick(b.ranges.length + 1)]
              saw("a block below SND.UNA or inside a range held (a D-SACK's shape)")
              if (held !== undefined && rnd() < 0.5) Scoreboard.add(b, held.left, Seq.add(held.left, 1 + pick(Seq.sub(held.right, held.left))), at(una), at(max))
              else Scoreboard.add(b, at(Math.max(0, una - pick(300))), at(una + pick(200)), at(una), at(max))
            } else {
              const l = una + 1 + pick(max - una - 1)
              const rr = l + 1 + pick(400)
              const edges = rnd() < 0.7
              const left = edges ? Rack.segmentEdgeAtOrAfter(r, at(l)) : at(l)
              const right = edges ? Rack.segmentEdgeAtOrBefore(r, at(Math.min(max, rr))) : at(rr)
              Scoreboard.add(b, left, right, at(una), at(rnd() < 0.2 ? max + 300 : max))
            }
          }
          const tsEcr = rnd() < 0.3 ? tsOf(Math.max(0, now - pick(30))) : undefined
          const delayed = rnd() < 0.2
          // (onAck's tags rely on it: an entry across the point where two touching ranges met would be missed)
          expect(b.ranges.every((g, k) => k === 0 || Seq.lt(b.ranges[k - 1]!.right, g.left)), `${what}: the board's ranges touch`).toBe(true)
          // what this ACK meets, seen on the new log before it
          const tags = r.tags?.count ?? 0
          const size = Rack.size(r)
          const head = r.head
          const ranges = b.ranges
          let dirtyTags = 0
          for (let k = 0; k < tags; k++) {
            const l = r.tags!.left[k]! as Seq.SeqNum
            const rt = r.tags!.right[k]! as Seq.SeqNum
            if (r.tags!.dirty && Seq.lt(l, r.tags!.hi) && Seq.lt(r.tags!.lo, rt)) dirtyTags++
            saw("a tag across 2^32", (l >>> 0) > (rt >>> 0))
            saw("a tag no range holds now (the board shrunk or moved)", !ranges.some((g) => Seq.lte(g.left, l) && Seq.lte(rt, g.right)))
          }
          saw("the dirty span over two tags or more", dirtyTags >= 2)
          saw("a range below SND.UNA", ranges.length > 0 && Seq.lt(ranges[0]!.left, at(una)))
          saw("a range's edge inside an entry", ranges.some((g) => Rack.segmentEdgeAtOrAfter(r, g.left) !== g.left || Rack.segmentEdgeAtOrBefore(r, g.right) !== g.right))
          Rack.onAck(r, at(una), b, now, tsEcr, tsOf, delayed)
          Oracle.onAck(w, at(una), b, now, tsEcr, tsOf, delayed)
          saw("the log compacted with tags held", tags > 0 && Rack.size(r) > 0 && r.head < head)
          saw("the log released with tags held", tags > 0 && size > 0 && Rack.size(r) === 0)
        } else if (op === 7) {
          detect(now, pick(3))
        } else if (op === 8) {
          const reneged = rnd() < 0.3
          if (reneged) both((x) => Rack.renege(x))
          if (rnd() < 0.5) Scoreboard.clear(b)
          both((x) => Rack.markTimeout(x, now, reneged))
        } else if (op === 9) {
          const c = pick(3)
          if (c === 0) both((x) => Rack.unmarkLost(x))
          else if (c === 1) both((x) => Rack.releaseHeld(x))
          else {
            const mss = 50 + pick(60)
            both((x) => Rack.markLongerLost(x, mss, at(max)))
          }
        } else if (op === 10) {
          detect(now + 20, 0)
        } else if (op === 11) {
          // a smaller path MTU (Sender's resendTooLong): the longer entries lost, resent from the first in MSS pieces
          const mss = 30 + pick(80)
          const marked = both((x) => Rack.markLongerLost(x, mss, at(max)))
          for (let k = 0; k < 8; k++) {
            const i = Rack.firstLost(r)
            if (i < 0) break
            const s = Seq.sub(Rack.entryStart(r, i), at(0))
            const e = Math.min(Seq.sub(Rack.lostRunEnd(r, i, true), at(0)), s + mss)
            resend(s, e)
          }
          saw("a path MTU's resends in pieces", marked > 0)
        } else if (op === 12 && max > una) {
          // a timeout and its go-back from SND.UNA, past what it held (Sender's push with skipHeld)
          const reneged = rnd() < 0.2
          if (reneged) {
            both((x) => Rack.renege(x))
            Scoreboard.clear(b)
          }
          both((x) => Rack.markTimeout(x, now, reneged))
          let s = una
          for (let k = 0; k < 4 && s < max; k++) {
            const from = Seq.sub(both((x) => Rack.skipHeld(x, at(s))), at(0))
            saw("a go-back past HELD entries", from !== s)
            s = from
            if (s >= max) break
            const e = Math.min(max, s + (rnd() < 0.5 ? 100 : 30 + pick(200)))
            resend(s, e)
            s = e
          }
        } else if (op === 13) {
          saw("renege with tags held", (r.tags?.count ?? 0) > 0)
          both((x) => Rack.renege(x))
        } else if (op === 14) {
          // RACK's step 5 at a time far on: everything sent before RACK's segment is due
          detect(now + 1000, pick(3))
        }
        expect(Oracle.sameState(r, w), what).toBeUndefined()
        expect(Oracle.check(r, [at(una)], Rack, false), what).toBeUndefined()
      }
    }
    return reach
  }

  it("300 seeds of 300 operations: the same log and the same RACK state after every step", () => {
    twin(300, (seed) => seed * 7919, false)
  })

  it("300 seeds of 300 operations more, with what the first mix reaches seldom or never (each reached, counted)", () => {
    const reach = twin(300, (seed) => seed * 104_729 + 3, true)
    for (
      const k of [
        "a resend joined entries",
        "a split's piece lay inside a tag",
        "a new entry lay inside a tag",
        "detectLoss: an entry of RACK's own send, ordered by its end",
        "detectLoss: an entry resent after RACK's segment, below one sent before it",
        "detectLoss: the log's tail sent after RACK's segment, with resent entries",
        "a tag across 2^32",
        "a tag no range holds now (the board shrunk or moved)",
        "the dirty span over two tags or more",
        "a range below SND.UNA",
        "a range's edge inside an entry",
        "the log compacted with tags held",
        "the log released with tags held",
        "a path MTU's resends in pieces",
        "a go-back past HELD entries",
        "renege with tags held",
        "a long segment (TSO)",
        "a block below SND.UNA or inside a range held (a D-SACK's shape)",
        "a block from the middle of an entry",
        "a board replaced"
      ]
    ) expect(reach[k] ?? 0, k).toBeGreaterThanOrEqual(10)
  })
})

describe("what a SACK ACK costs in a long recovery (reads of the log)", () => {
  /** `r`'s starts, ends and marks, each read counted (not the record's other fields): the count so far, and a reset. */
  const counting = (r: Rack.Rack) => {
    let reads = 0
    for (const key of ["starts", "ends", "flags"] as const) {
      r[key] = new Proxy(r[key], {
        get: (t, k, recv) => {
          if (typeof k === "string" && k.length > 0 && k.charCodeAt(0) >= 48 && k.charCodeAt(0) <= 57) reads++
          return Reflect.get(t, k, recv)
        }
      })
    }
    return { reads: () => reads, reset: () => (reads = 0) }
  }

  it("an ACK whose block grows a range by one segment reads the log near it (a binary search and the segment), not the 10 000 entries below the highest SACK", () => {
    // (Linux's tcp_sacktag_write_queue: the blocks in recv_sack_cache are skipped, tcp_sacktag_skip seeks the rest)
    const N = 10_000
    const L = 10
    const r = Rack.make(ISS)
    for (let i = 0; i < N; i++) Rack.onSend(r, at(L * i), at(L * i + L), 0)
    const b = Scoreboard.make()
    const sack = (i: number) => Scoreboard.add(b, at(L * i), at(L * i + L), at(0), at(L * N))
    // one in 100 lost, the rest up to segment 9 899 SACKed: 99 ranges
    for (let i = 0; i < N - 100; i++) if (i % 100 !== 0) sack(i)
    Rack.onAck(r, at(0), b, 10, undefined, tsOf)
    expect([r.sacked, b.ranges.length]).toEqual([N - 100 - 99, 99])
    const c = counting(r)
    for (let i = N - 99; i < N - 90; i++) {
      sack(i)
      c.reset()
      Rack.onAck(r, at(0), b, 11 + i, undefined, tsOf)
      expect(r.lastSacked).toBe(true)
      expect(c.reads()).toBeLessThan(60)
    }
    // a resend of part of a hole (split: the piece lies inside no range) leaves the next ACK as cheap
    Rack.onSend(r, at(L * 100), at(L * 100 + 5), 20_000)
    sack(N - 90)
    c.reset()
    Rack.onAck(r, at(0), b, 20_001, undefined, tsOf)
    expect(c.reads()).toBeLessThan(60)
    expect(r.sacked).toBe(N - 100 - 99 + 10)
    // RACK's step 5 judges the entries between the ranges (the 100 holes, one cut in two by the
    // resend, all lost; the 90 above the highest SACK, sent after it), passing over each range's by
    // a binary search: not the 9 719 SACKED ones one by one
    c.reset()
    expect(Rack.detectLoss(r, 30_000, 0).lost).toBe(100)
    expect(c.reads()).toBeLessThan(3000)
    // the same state as the old walk's
    const w = Rack.make(ISS)
    for (let i = 0; i < N; i++) Rack.onSend(w, at(L * i), at(L * i + L), 0)
    Oracle.onAck(w, at(0), b, 10, undefined, tsOf)
    expect(w.sacked).toBe(N - 100 - 99 + 10)
  })
})
