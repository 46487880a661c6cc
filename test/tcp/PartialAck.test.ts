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
import * as T from "../support/TcpSocket.js"

const MSS = 1460

const shape = (out: ReadonlyArray<OutSegment>) => out.map((o) => [T.ourSeq(o), o.payload?.length ?? 0])

/** No SACK; the Reno fixtures of test/tcp/Recovery.test.ts. */
const renoOpen = (timestamps = false) =>
  T.established({
    params: { quickAcks: 0 },
    peerOptions: { mss: MSS, sackPermitted: false, ...(timestamps ? { timestamp: { value: 1, echo: 0 } } : {}) },
    peerWindow: 65535
  })
const ackAt = (s: ReturnType<typeof renoOpen>, at: number, ack = 0) => shape(s.send(at, T.fromPeer({ seq: 0, ack, window: 65535 })))
const seg = (i: number) => [i * MSS, MSS]

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
