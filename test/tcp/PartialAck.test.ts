/**
 * An ACK that lands inside a segment we sent, as Linux 6.18 takes it: its unit is the skb (one
 * segment each in our log, Rack.ts). tcp_clean_rtx_queue frees whole skbs only: a one-segment skb
 * the ACK covers in part stops the walk with nothing freed (`if (tcp_skb_pcount(skb) == 1 ||
 * !after(tp->snd_una, scb->seq)) break;`), so such an ACK sets no FLAG_DATA_ACKED (FLAG_ACKED):
 * no FLAG_SET_XMIT_TIMER (tcp_ack's tcp_set_xmit_timer re-arms nothing: the pending timer, RTO or
 * loss probe, runs on), no RTT sample from the echo (tcp_ack_update_rtt asks FLAG_ACKED), no
 * tcp_remove_reno_sacks, nothing delivered and no growth (tcp_may_raise_cwnd). pkts_acked counts
 * the whole skbs freed, so an ACK ending inside a segment counts the ones before it, and the ACK
 * that passes the rest of that segment counts it whole.
 *
 * The steps run on virtual time; where the wire cannot show the difference (a timer's deadline, a
 * window's count that a later segment only shows), the state is asserted.
 */
import { describe, expect, it } from "vitest"
import type { OutSegment } from "../../src/tcp/Segment.js"
import * as Sender from "../../src/tcp/Sender.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as T from "../support/TcpSocket.js"

const MSS = 1460

const shape = (out: ReadonlyArray<OutSegment>) => out.map((o) => [T.ourSeq(o), o.payload?.length ?? 0])

/** Our sequence number `n` octets after our ISN + 1. */
const ours = (n: number) => Seq.add(T.LOCAL_ISN, 1 + n)

/** The peer's ACK of `ack` octets with SACK blocks [left, right) (relative octets). */
const sackOf = (ack: number, ...blocks: ReadonlyArray<readonly [number, number]>) =>
  T.fromPeer({
    ack,
    options: { sackPermitted: false, sack: blocks.map(([l, r]) => ({ left: ours(l), right: ours(r) })) }
  })

/** No SACK; the Reno fixtures of test/tcp/Recovery.test.ts. */
const renoOpen = (timestamps = false) =>
  T.established({
    params: { quickAcks: 0 },
    peerOptions: { mss: MSS, sackPermitted: false, ...(timestamps ? { timestamp: { value: 1, echo: 0 } } : {}) },
    peerWindow: 65535
  })
const ackAt = (s: ReturnType<typeof renoOpen>, at: number, ack = 0) => shape(s.send(at, T.fromPeer({ seq: 0, ack, window: 65535 })))
const seg = (i: number) => [i * MSS, MSS]

/** 30 segments written at 0 (ten go); two duplicates send the 11th and 12th, the third resends the first. */
const renoEntered = () => {
  const s = renoOpen()
  expect(shape(s.write(0, T.octets(30 * MSS)))).toHaveLength(10)
  expect(ackAt(s, 20)).toEqual([seg(10)])
  expect(ackAt(s, 21)).toEqual([seg(11)])
  expect(ackAt(s, 22)).toEqual([seg(0)])
  expect(s.snd.recovering).toBe(true)
  return s
}

/** SACK: five segments written at 0 (B = 0), the first two lost; the third to fifth SACKed start the recovery (the first resent). */
const sackFirstTwoLost = () => {
  const s = T.established({ peerOptions: { mss: MSS, sackPermitted: true } })
  expect(shape(s.write(0, T.octets(5 * MSS)))).toHaveLength(5)
  s.send(20, sackOf(0, [2 * MSS, 3 * MSS]))
  s.send(21, sackOf(0, [2 * MSS, 4 * MSS]))
  expect(shape(s.send(22, sackOf(0, [2 * MSS, 5 * MSS])))).toEqual([seg(0)])
  expect(s.snd.recovering).toBe(true)
  // (RACK's reordering timer, armed by the SACK at 21, is pending still: the resend armed no RTO
  // beside it, tcp_xmit_retransmit_queue; its expiry at 28 finds nothing and arms the RTO from the
  // resend, tcp_rack_reo_timeout → tcp_rearm_rto)
  expect([s.snd.rtoAt, s.snd.rackAt]).toEqual([undefined, 28])
  expect(s.tick(28)).toEqual([])
  return s
}

describe("an ACK inside a one-segment skb re-arms no timer (Linux's tcp_clean_rtx_queue: no FLAG_ACKED, so no FLAG_SET_XMIT_TIMER)", () => {
  // prr53's probe of Linux 6.18, the ConformanceLoss script "without SACK, an ACK inside the resent
  // head delivers nothing" run on: after the ACK of 501 of the resent 1000-octet head, CA_Loss came
  // ~300 ms (one RTO) after the resend, not after the ACK. The stack restarted its RTO at the ACK
  it("without SACK, in recovery: the RTO runs on from the head's resend", () => {
    const s = renoEntered()
    const due = s.snd.rtoAt!
    expect(due).toBe(22 + s.snd.rtt.rto)
    expect(ackAt(s, 40, MSS / 2)).toEqual([])
    expect(s.snd.rtoAt).toBe(due)
    expect(shape(s.tick(due - 1))).toEqual([])
    expect(Sender.counters(s.snd).timeouts).toBe(0)
    const out = s.tick(due)
    expect(Sender.counters(s.snd).timeouts).toBe(1)
    // and the timeout resends the head as the resend cut it, less what the ACK took: Linux's resent
    // head is a one-segment skb, trimmed (tcp_trim_head) and joined with no segment that does not
    // fit whole (tcp_retrans_try_collapse). The stack sent a full segment from SND.UNA
    expect(shape(out)).toEqual([[MSS / 2, MSS / 2]])
  })

  // A head never resent may be one of a TSO skb's segments in Linux, which tcp_tso_acked trims to
  // SND.UNA and re-segments from there (tcp_trim_head's tcp_set_skb_tso_segs): the timeout sends a
  // full segment from SND.UNA, as the stack sends it
  it("a head never resent, acknowledged in part: the timeout sends a full segment from SND.UNA", () => {
    const s = renoOpen()
    expect(shape(s.write(0, T.octets(4 * MSS)))).toHaveLength(4)
    ackAt(s, 20, MSS / 2)
    expect(shape(s.tick(s.snd.rtoAt!))).toEqual([[MSS / 2, MSS]])
  })

  it("with SACK, in recovery: the RTO runs on from the head's resend", () => {
    const s = sackFirstTwoLost()
    const due = s.snd.rtoAt!
    expect(due).toBe(22 + s.snd.rtt.rto)
    s.send(40, sackOf(MSS / 2, [2 * MSS, 5 * MSS]))
    expect(s.snd.rtoAt).toBe(due)
    // the ACK of its rest frees the skb whole: FLAG_ACKED, the timer re-armed from that ACK
    s.send(41, sackOf(MSS, [2 * MSS, 5 * MSS]))
    expect(s.snd.rtoAt).toBe(41 + s.snd.rtt.rto)
  })

  // (review54b) The same ACK inside the resent head, SACKing the second segment, which went at 0,
  // before the head's resend at 22: tcp_clean_rtx_queue frees nothing (no FLAG_ACKED), but its SACK
  // RTT sample (40 ms, sack_rtt_us, which tcp_ack_update_rtt takes) is older than the head's last
  // send (18 ms ago), so it sets FLAG_SET_XMIT_TIMER ("Do not re-arm RTO if the sack RTT is measured
  // from data sent after when the head was last (re)transmitted") and tcp_set_xmit_timer re-arms
  // the RTO from this ACK, as for a duplicate (Recovery.test.ts, "a SACK of data sent before the
  // head's resend re-arms the retransmission timer"). The stack left it at the resend's
  it("with SACK, an ACK inside the resent head that SACKs data sent before the resend re-arms the RTO (the SACK RTT's FLAG_SET_XMIT_TIMER)", () => {
    const s = sackFirstTwoLost()
    expect(s.snd.rtoAt).toBe(22 + s.snd.rtt.rto)
    s.send(40, sackOf(MSS / 2, [MSS, 5 * MSS]))
    expect(s.snd.rtoAt).toBe(40 + s.snd.rtt.rto)
  })

  // In Open with SACK the timer after the last send is the loss probe (tcp_schedule_loss_probe);
  // an ACK inside the first segment leaves it as it was (no tcp_set_xmit_timer). The stack re-armed
  // it a PTO from that ACK
  it("with SACK, in Open: the loss probe armed at the send stays where it was", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: true } })
    expect(shape(s.write(100, T.octets(4 * MSS)))).toHaveLength(4)
    const probe = s.snd.tlpAt!
    const rto = s.snd.rtoAt
    expect(probe).toBeGreaterThan(101)
    s.send(101, sackOf(MSS / 2))
    expect([s.snd.tlpAt, s.snd.rtoAt]).toEqual([probe, rto])
  })

  // tcp_ack_update_rtt takes the echo only under FLAG_ACKED (seq_rtt_us < 0 && saw_tstamp &&
  // rcv_tsecr && flag & FLAG_ACKED): an ACK inside the head samples nothing, so a backed-off RTO
  // stays backed off (icsk_backoff is cleared only with a sample)
  it("with timestamps, an ACK inside a segment takes no RTT sample from the echo", () => {
    const s = renoOpen(true)
    // (1448-octet segments: the option takes 12)
    expect(shape(s.write(10, T.octets(4 * 1448)))).toHaveLength(4)
    const rtt = s.snd.rtt
    s.send(300, T.fromPeer({ seq: 0, ack: 700, window: 65535, options: { sackPermitted: false, timestamp: { value: 2, echo: 10 } } }))
    expect(s.snd.rtt).toEqual(rtt)
    // (the ACK of the rest frees the segment and takes a sample)
    s.send(301, T.fromPeer({ seq: 0, ack: 1448, window: 65535, options: { sackPermitted: false, timestamp: { value: 3, echo: 10 } } }))
    expect(s.snd.rtt).not.toEqual(rtt)
  })
})

describe("Reno's count of an ACK that ends inside a segment: the whole skbs freed (Linux's pkts_acked)", () => {
  // Slow start, no duplicates: the ACK of half the first segment frees no skb (no FLAG_DATA_ACKED:
  // tcp_may_raise_cwnd says no); the ACK of 2.5 segments frees two (the first, the second) and
  // grows by 2 (tcp_remove_reno_sacks: max(2 - 0, 1) delivered, tcp_slow_start); the ACK of 3
  // frees the third whole: 1. The stack grew by the octets each moved SND.UNA: 730, 2920, 730
  it("grows by whole segments: nothing inside one, the partly acknowledged one counted with its rest", () => {
    const s = renoOpen()
    expect(shape(s.write(0, T.octets(20 * MSS)))).toHaveLength(10)
    const cwnd = s.snd.cc.cwnd
    ackAt(s, 20, MSS / 2)
    expect(s.snd.cc.cwnd).toBe(cwnd)
    ackAt(s, 21, 2.5 * MSS)
    expect(s.snd.cc.cwnd).toBe(cwnd + 2 * MSS)
    ackAt(s, 22, 3 * MSS)
    expect(s.snd.cc.cwnd).toBe(cwnd + 3 * MSS)
  })

  // One duplicate counted (sacked_out 1, Disorder), then an ACK of 2.5 segments from SND.UNA: Linux
  // frees two skbs (pkts_acked 2), delivered max(2 - 1, 1) = 1, slow start grows by one. The
  // stack's ceil(2.5) = 3 segments delivered 2
  it("after a duplicate, an ACK of two and a half segments delivers one (max(2 - 1, 1)), not two", () => {
    const s = renoOpen()
    expect(shape(s.write(0, T.octets(20 * MSS)))).toHaveLength(10)
    expect(ackAt(s, 20)).toEqual([seg(10)])
    expect(s.snd.renoSacked).toBe(1)
    const cwnd = s.snd.cc.cwnd
    ackAt(s, 21, 2.5 * MSS)
    expect(s.snd.cc.cwnd).toBe(cwnd + MSS)
  })
})
