/**
 * ICMP errors about a connection's segments (RFC 1122 §4.2.3.9, RFC 1191,
 * RFC 5927), as pure steps of the send half: "fragmentation needed" lowers
 * the MSS and resends, cut to it, the segments in flight longer than it (not
 * a shorter one, nor one SACKed: Linux's tcp_simple_retransmit), never below
 * Linux's 552-octet path MTU (a smaller path gets segments without DF); an error quoting a sequence number not in
 * flight is not believed; any other error fails a connect and is a soft error
 * once connected, as the errno Linux's tcp_v4_err makes of it (icmp_err_convert:
 * net unreachable is ENETUNREACH, host unreachable EHOSTUNREACH, ...). The stack's path MTU for the address, lowered by another
 * of its users (`Sender.onPathMtu`), is taken without a resend.
 */
import { describe, expect, it } from "vitest"
import { ACK, FIN } from "../../src/tcp/Segment.js"
import * as Sender from "../../src/tcp/Sender.js"
import type { OutSegment } from "../../src/tcp/Segment.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as T from "../support/TcpSocket.js"

const MSS = 1460
const shape = (out: ReadonlyArray<OutSegment>) => out.map((o) => [T.ourSeq(o), o.payload?.length ?? 0])
/** Our sequence number `n` octets after our ISN + 1. */
const ours = (n: number) => Seq.add(T.LOCAL_ISN, 1 + n)

/** The ICMP errors these tests send, as type and code (RFC 792) */
const FRAG_NEEDED = { type: "DstUnreachable", code: 4 } as const
const NET_UNREACHABLE = { type: "DstUnreachable", code: 0 } as const
const HOST_UNREACHABLE = { type: "DstUnreachable", code: 1 } as const
const PORT_UNREACHABLE = { type: "DstUnreachable", code: 3 } as const
const ADMIN_PROHIBITED = { type: "DstUnreachable", code: 13 } as const
const TIME_EXCEEDED = { type: "TimeExceeded", code: 0 } as const
type Kind = { readonly type: "DstUnreachable" | "TimeExceeded" | "ParameterProblem"; readonly code: number }

const icmp = (s: T.TcpSocket, kind: Kind, mtu: number, quoted: number, now: number) => {
  const out: Array<OutSegment> = []
  Sender.onIcmpError(s.snd, { ...kind, mtu }, ours(quoted), now, out)
  return out
}

describe("ICMP errors for an established connection", () => {
  it("fragmentation needed with the path's MTU: the MSS follows it and what is in flight goes again, cut to it", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    expect(shape(s.write(1000, T.octets(2 * MSS)))).toEqual([[0, MSS], [MSS, MSS]])
    // a router's MTU of 1400: 1360 octets of payload a segment, from SND.UNA on (adjacent segments
    // too long go again as one stretch, as Linux resends one write's skb)
    expect(shape(icmp(s, FRAG_NEEDED, 1400, 0, 1010))).toEqual([[0, 1360], [1360, 1360], [2720, 200]])
    expect(s.snd.mss).toBe(1360)
    // a higher MTU later never raises it (RFC 1191 §3: only a probe may)
    expect(icmp(s, FRAG_NEEDED, 1450, 0, 1020)).toEqual([])
    expect(s.snd.mss).toBe(1360)
  })

  // (stop 61) A bare FIN sent alone after the data: the drop's resends cut the long segments to the
  // new size, and their short last piece is the tail of an skb Linux resends whole (several packets:
  // tcp_retrans_try_collapse refuses it), so the FIN, never marked (not longer than the MSS), does not
  // ride on it; test/kernel/ConformancePmtu.test.ts "a FIN sent after the data" on the wire
  it("a bare FIN sent after the data: the resends cut to the new size leave it out, the short last piece too", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    expect(shape(s.write(1000, T.octets(2 * MSS)))).toEqual([[0, MSS], [MSS, MSS]])
    expect(shape(s.end(1005))).toEqual([[2 * MSS, 0]])
    const out = icmp(s, FRAG_NEEDED, 1400, 0, 1010)
    expect(shape(out)).toEqual([[0, 1360], [1360, 1360], [2720, 200]])
    expect(out.map((o) => o.flags & FIN)).toEqual([0, 0, 0])
  })

  it("a forged MTU below 552 is taken as 552 (Linux's min_pmtu), not as RFC 1191's 68: 512 octets a segment, not 28", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    s.write(1000, T.octets(MSS))
    expect(shape(icmp(s, FRAG_NEEDED, 68, 0, 1010))).toEqual([[0, 512], [512, 512], [1024, 436]])
    expect(s.snd.mss).toBe(Sender.MIN_PMTU - 40)
  })

  it("a path whose MTU really is below 552: the MTU stays locked there and the segments lose DF (as Linux), no black hole", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    s.write(1000, T.octets(MSS))
    expect(shape(icmp(s, FRAG_NEEDED, 296, 0, 1010))).toEqual([[0, 512], [512, 512], [1024, 436]])
    expect(s.snd.pmtuLocked).toBe(true)
    // the router names 296 again (for a segment still in flight): nothing changes, nothing more goes
    expect(icmp(s, FRAG_NEEDED, 296, 0, 1020)).toEqual([])
    expect(s.snd.mss).toBe(512)
  })

  it("a router that names no MTU (0: before RFC 1191) is not ignored: 552 and no DF, as Linux's __ip_rt_update_pmtu, not a black hole", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    s.write(1000, T.octets(MSS))
    expect(shape(icmp(s, FRAG_NEEDED, 0, 0, 1010))).toEqual([[0, 512], [512, 512], [1024, 436]])
    expect(s.snd.mss).toBe(512)
    expect(s.snd.pmtuLocked).toBe(true)
  })

  it("the window keeps its segments, not its octets, at the smaller size (as Linux's cwnd counts packets)", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    // the initial window: ten segments of 1460, all in flight
    expect(s.write(1000, T.octets(20 * MSS))).toHaveLength(10)
    const cwnd = s.snd.cc.cwnd
    // a path MTU of 576: 536 octets a segment; the flight goes again as ten of them, not 27
    const again = icmp(s, FRAG_NEEDED, 576, 0, 1010)
    expect(shape(again)).toEqual(Array.from({ length: 10 }, (_, i) => [536 * i, 536]))
    expect(s.snd.cc.cwnd).toBe((cwnd * 536) / MSS)
    expect(s.snd.cc.smss).toBe(536)
    // the timeout's window is one segment of the new size, not 1460 octets in three
    const rto = s.snd.rtoAt!
    expect(s.tick(rto - 1)).toEqual([])
    expect(shape(s.tick(rto))).toEqual([[0, 536]])
  })

  it("a lowered path MTU expires after 10 minutes (RFC 1191 §6.3, Linux's mtu_expires): full segments again, DF again", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    s.write(1000, T.octets(MSS))
    icmp(s, FRAG_NEEDED, 1000, 0, 1010)
    s.send(1020, T.fromPeer({ seq: 0, ack: MSS }))
    expect(s.snd.mss).toBe(960)
    // within the 10 minutes the smaller size holds
    expect(shape(s.write(1010 + 600_000 - 1, T.octets(MSS)))).toEqual([[MSS, 960], [MSS + 960, 500]])
    s.send(1010 + 600_000, T.fromPeer({ seq: 0, ack: 2 * MSS }))
    // after them the route's MTU is tried again: a path that still is smaller says so with a new report
    expect(shape(s.write(1010 + 600_001, T.octets(MSS)))).toEqual([[2 * MSS, MSS]])
    expect(s.snd.mss).toBe(MSS)
    // a locked MTU (below 552) is unlocked the same way: the segments go with DF again
    icmp(s, FRAG_NEEDED, 296, 2 * MSS, 700_000)
    expect(s.snd.pmtuLocked).toBe(true)
    s.send(700_010, T.fromPeer({ seq: 0, ack: 3 * MSS }))
    s.write(1_300_010, T.octets(10))
    expect(s.snd.pmtuLocked).toBe(false)
    expect(s.snd.mss).toBe(MSS)
  })

  it("an error quoting a sequence number not in flight is not believed (RFC 5927 §4.1)", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    s.write(1000, T.octets(MSS))
    expect(icmp(s, FRAG_NEEDED, 600, MSS + 100, 1010)).toEqual([])
    expect(icmp(s, FRAG_NEEDED, 600, -100, 1010)).toEqual([])
    expect(s.snd.mss).toBe(MSS)
    icmp(s, HOST_UNREACHABLE, 0, MSS + 100, 1010)
    expect(s.snd.softError).toBeUndefined()
    // quoting what is in flight, unreachable is kept as a soft error and the connection goes on
    icmp(s, HOST_UNREACHABLE, 0, 0, 1020)
    expect(s.snd.softError).toBe("EHOSTUNREACH")
    expect(s.snd.state).toBe("Established")
  })

  it("the stack's path MTU for the address, lowered by another of its users: taken without a resend (tcp_current_mss)", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    expect(shape(s.write(1000, T.octets(2 * MSS)))).toEqual([[0, MSS], [MSS, MSS]])
    const cwnd = s.snd.cc.cwnd
    Sender.onPathMtu(s.snd, { mtu: 1400, locked: false, expiresAt: 601_000 })
    expect(s.snd.mss).toBe(1360)
    expect(s.snd.cc.cwnd).toBe((cwnd * 1360) / MSS)
    expect(s.snd.pmtuExpiresAt).toBe(601_000)
    // a higher one (the connection's own is lower) changes nothing
    Sender.onPathMtu(s.snd, { mtu: 1450, locked: false, expiresAt: 602_000 })
    expect(s.snd.mss).toBe(1360)
    // a report naming no less than the MTU the quoted segment went at (1500): no proof it was lost
    expect(icmp(s, FRAG_NEEDED, 1500, 0, 1005)).toEqual([])
    // the router's report about the first segment, sent at 1460: the flight goes again, cut to 1360
    expect(shape(icmp(s, FRAG_NEEDED, 1400, 0, 1010))).toEqual([[0, 1360], [1360, 1360], [2720, 200]])
    // once: the same flight's next report changes nothing
    expect(icmp(s, FRAG_NEEDED, 1400, MSS, 1020)).toEqual([])
  })

  it("a locked path MTU from the stack takes DF off; the same MTU again takes the later expiry", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    Sender.onPathMtu(s.snd, { mtu: 1000, locked: false, expiresAt: 601_000 })
    expect(s.snd.pmtuResend).toBeUndefined() // nothing was in flight
    Sender.onPathMtu(s.snd, { mtu: 1000, locked: false, expiresAt: 700_000 })
    expect(s.snd.pmtuExpiresAt).toBe(700_000)
    Sender.onPathMtu(s.snd, { mtu: 552, locked: true, expiresAt: 800_000 })
    expect(s.snd.pmtuLocked).toBe(true)
    expect(s.snd.mss).toBe(512)
    // it expires as the connection's own would: the route's MTU, DF again
    s.write(800_000, T.octets(10))
    expect(s.snd.pmtuLocked).toBe(false)
    expect(s.snd.mss).toBe(MSS)
  })
})

describe("fragmentation needed resends only the segments longer than the new MSS (Linux's tcp_simple_retransmit)", () => {
  /** A connection without timestamps, Nagle off: each write is a segment of its own. */
  const interactive = (sack: boolean) => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: sack } })
    s.snd.noDelay = true
    return s
  }

  it("without SACK: a short segment in flight, which the path passed, does not go again; each long one goes cut in two", () => {
    const s = interactive(false)
    for (const [at, n] of [[1000, MSS], [1001, 100], [1002, MSS], [1003, 100]] as const) s.write(at, T.octets(n))
    // MTU 1000: 960 octets a segment; the 100-octet segments fit it and are not sent again
    expect(shape(icmp(s, FRAG_NEEDED, 1000, 1560, 1010))).toEqual([[0, 960], [960, 500], [1560, 960], [2520, 500]])
    // the ACK of it all sends nothing more: nothing is left to resend
    expect(s.send(1020, T.fromPeer({ seq: 0, ack: 2 * MSS + 200 }))).toEqual([])
  })

  it("a second, smaller report cuts again the segments the first resend sent, as they went on the wire", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    s.write(1000, T.octets(2 * MSS))
    expect(shape(icmp(s, FRAG_NEEDED, 1200, 0, 1010))).toEqual([[0, 1160], [1160, 1160], [2320, 600]])
    // 960 now: the two of 1160 go again (one of them crossed the old segments' edge), the 600 not
    expect(shape(icmp(s, FRAG_NEEDED, 1000, 0, 1020))).toEqual([[0, 960], [960, 960], [1920, 400]])
  })

  // (review53a) Linux's tcp_simple_retransmit, outside CA_Loss, sets snd_ssthresh =
  // tcp_current_ssthresh: out of a cwnd reduction (Open, Disorder) max(ssthresh, (cwnd >> 1) +
  // (cwnd >> 2)), cwnd in packets (tcp_sync_mss left it alone), before it enters CA_Loss with
  // prior_ssthresh 0. The stack kept ssthresh as it was: a later slow start (an idle restart's, a
  // timeout's is cut from cwnd anyway) stopped a segment or more short of Linux's
  it("in congestion avoidance after an earlier loss: ssthresh rises to 3/4 of the window in segments, as Linux's tcp_simple_retransmit (tcp_current_ssthresh)", () => {
    const s = interactive(false)
    s.write(1000, T.octets(2 * MSS))
    // an earlier loss left ssthresh 5 segments; the window grew back to 8 since (set after the
    // write, whose idle restart would raise ssthresh by the same rule)
    s.snd.cc.ssthresh = 5 * MSS
    s.snd.cc.cwnd = 8 * MSS
    expect(shape(icmp(s, FRAG_NEEDED, 1000, 0, 1010))).toEqual([[0, 960], [960, 960], [1920, 960], [2880, 40]])
    // 960 octets a segment now: cwnd keeps its 8 segments, ssthresh max(5, 4 + 2) = 6 segments
    expect([s.snd.cc.cwnd, s.snd.cc.ssthresh]).toEqual([8 * 960, 6 * 960])
    // and no undo may give anything back (prior_ssthresh 0, undo_marker 0)
    expect(s.snd.undo).toBeUndefined()
  })

  it("nothing longer than the new MSS in flight: nothing goes again", () => {
    const s = interactive(false)
    s.write(1000, T.octets(900))
    s.write(1001, T.octets(900))
    expect(icmp(s, FRAG_NEEDED, 1000, 900, 1010)).toEqual([])
    expect(s.snd.mss).toBe(960)
  })

  it("with SACK, in recovery: a SACKed segment does not go again, the others longer than the MSS do as the window allows", () => {
    const s = interactive(true)
    s.write(1000, T.octets(3 * MSS))
    // the peer has the second segment: the first goes again (recovery) when RACK's reordering
    // window has passed (that SACK is the first RTT sample, 5 ms, Linux's sack_rtt_us; min RTT / 4
    // later, + 2 ms: tcp_rack_mark_lost)
    const sack = (left: number, right: number) => ({ sackPermitted: false, sack: [{ left: ours(left), right: ours(right) }] })
    expect(shape(s.send(1005, T.fromPeer({ seq: 0, ack: 0, options: sack(MSS, 2 * MSS) })))).toEqual([])
    expect(s.snd.rackAt).toBe(1008)
    expect(shape(s.tick(1008))).toEqual([[0, MSS]])
    expect(s.snd.recovering).toBe(true)
    // the first (its retransmission too long again) in two pieces, as much as the recovery's window
    // (PRR's, scaled to the new MSS) holds; the SACKed one never, and the third not yet. (Linux sent
    // two pieces in ConformancePmtu's script too; the third's first piece went as well while the
    // window was worked out after the first retransmission, counted in pipe: prr48's change)
    expect(shape(icmp(s, FRAG_NEEDED, 1000, 0, 1009))).toEqual([[0, 960], [960, 500]])
  })

  it("the duplicate ACKs of the short segments the router passed start no fast recovery: no cut, no second copy (Linux's CA_Loss, high_seq = SND.NXT)", () => {
    for (const sack of [false, true]) {
      const s = interactive(sack)
      // long, short, long, short, long, short: the router drops the long ones
      for (const [at, n] of [[1000, MSS], [1001, 100], [1002, MSS], [1003, 100], [1004, MSS], [1005, 100]] as const) s.write(at, T.octets(n))
      expect(shape(icmp(s, FRAG_NEEDED, 1000, 0, 1010))).toEqual([[0, 960], [960, 500], [1560, 960], [2520, 500], [3120, 960], [4080, 500]])
      const cwnd = s.snd.cc.cwnd
      // then the peer's duplicate ACKs for the three short ones (SACKing each, with SACK)
      const shorts = [[MSS, MSS + 100], [2 * MSS + 100, 2 * MSS + 200], [3 * MSS + 200, 3 * MSS + 300]] as const
      for (let i = 0; i < 3; i++) {
        const options = { sackPermitted: false, ...(sack ? { sack: shorts.slice(0, i + 1).map(([l, r]) => ({ left: ours(l), right: ours(r) })) } : {}) }
        expect(shape(s.send(1020 + i, T.fromPeer({ seq: 0, ack: 0, options })))).toEqual([])
      }
      expect([s.snd.recovering, s.snd.cc.cwnd]).toEqual([false, cwnd])
      // the ACK of all of it: nothing is left to send
      expect(shape(s.send(1030, T.fromPeer({ seq: 0, ack: 3 * MSS + 300 })))).toEqual([])
    }
  })

  // (reno52) Linux's tcp_simple_retransmit takes every state but CA_Loss to CA_Loss: a fast recovery
  // too. PRR is over there, cwnd what tcp_cwnd_reduction last made it (here 1: four segments out, three
  // duplicates, in_flight 0 + sndcnt 1), ssthresh as it is, high_seq = SND.NXT, and the ACKs grow the
  // window as a timeout's episode's do (CA_Loss is no cwnd reduction: tcp_cong_avoid, slow start
  // under ssthresh). The stack stayed in its recovery and resent as much as the congestion window
  // (7 of the old segments, scaled) held, where Linux resends one piece
  // (test/kernel/ConformancePmtu.test.ts, "without SACK, in recovery")
  it("without SACK, in recovery: the recovery becomes a timeout's episode (Linux's CA_Loss) with the window PRR left, which the ACKs grow", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    expect(s.write(1000, T.octets(4 * MSS))).toHaveLength(4)
    const dup = (at: number) => shape(s.send(at, T.fromPeer({ seq: 0, ack: 0 })))
    expect([dup(1020), dup(1021), dup(1022)]).toEqual([[], [], [[0, MSS]]])
    expect(s.snd.recovering).toBe(true)
    // MTU 770: 730 octets a segment, each old one two pieces; PRR's window of one segment: one piece
    expect(shape(icmp(s, FRAG_NEEDED, 770, 0, 1025))).toEqual([[0, 730]])
    expect(s.snd.recovering).toBe(false)
    // its ACK: slow start, cwnd 2 (ssthresh 7 of 10 segments), two pieces
    expect(shape(s.send(1030, T.fromPeer({ seq: 0, ack: 730 })))).toEqual([[730, 730], [1460, 730]])
  })

  // (review52a) An MTU that every segment in flight fits (the peer's MSS 1000, MTU 1400): nothing is
  // marked, but Linux's tcp_simple_retransmit returns only when lost_out is 0, and a Reno recovery's
  // head is marked lost (tcp_newreno_mark_lost): CA_Loss all the same, the window PRR left. The
  // partial ACK then marks nothing (tcp_newreno_mark_lost only in Recovery) and a duplicate counts
  // nothing: cwnd 7 over 8 in flight, nothing goes. Kept in the recovery, the stack resent the new
  // head under PRR (test/kernel/ConformancePmtu.test.ts, "an MTU all segments fit")
  it("without SACK, in recovery, an MTU every segment fits: still a timeout's episode (Linux's tcp_simple_retransmit: lost_out holds the recovery's head)", () => {
    const M = 1000
    const s = T.established({ peerOptions: { mss: M, sackPermitted: false } })
    expect(s.write(1000, T.octets(10 * M))).toHaveLength(10)
    const dup = (at: number) => shape(s.send(at, T.fromPeer({ seq: 0, ack: 0 })))
    expect([dup(1020), dup(1021), dup(1022)]).toEqual([[], [], [[0, M]]])
    expect(shape(icmp(s, FRAG_NEEDED, 1400, 0, 1025))).toEqual([])
    expect(s.snd.recovering).toBe(false)
    expect(shape(s.send(1030, T.fromPeer({ seq: 0, ack: 2 * M })))).toEqual([])
    expect(dup(1031)).toEqual([])
    expect(s.snd.recovering).toBe(false)
  })

  // The same with SACK: lost_out is what RACK marked, resent or not (a resend keeps TCPCB_LOST until
  // SACKed or acknowledged), so a SACK recovery with its holes out goes to CA_Loss at any report. The
  // partial ACK after it marks every segment sent before the delivered resend lost (RACK's window is
  // 0 in CA_Loss, tcp_rack_reo_wnd) and resends them as the window allows, new data after them.
  // Kept in the recovery, the stack sent one segment under PRR there, Linux seven
  // (test/kernel/ConformancePmtu.test.ts, "SACK on, in recovery, an MTU all segments fit")
  it("with SACK, in recovery, an MTU every segment fits: still a timeout's episode (Linux's tcp_simple_retransmit: lost_out holds RACK's marks)", () => {
    const M = 988
    const s = T.established({ peerOptions: { mss: 1000, sackPermitted: true, timestamp: { value: 1, echo: 0 } } })
    expect(s.write(1000, T.octets(30 * M))).toHaveLength(10)
    let tsVal = 2
    const ack = (at: number, acked: number, sackedTo: number, echo = 1000) =>
      shape(s.send(at, T.fromPeer({
        seq: 0,
        ack: acked,
        options: { sackPermitted: false, timestamp: { value: tsVal++, echo }, sack: [{ left: ours(2 * M), right: ours(sackedTo) }] }
      })))
    // the third segment SACKed (limited transmit), RACK's timer resends the first; the fourth SACKed:
    // the second goes again; the fifth: new data (PRR)
    expect(ack(1020, 0, 3 * M)).toEqual([[10 * M, M]])
    expect(shape(s.tick(s.snd.rackAt!))).toEqual([[0, M]])
    expect(ack(1040, 0, 4 * M)).toEqual([[M, M]])
    expect(ack(1060, 0, 5 * M)).toEqual([[11 * M, M]])
    expect(s.snd.recovering).toBe(true)
    // MTU 1400: every segment fits, nothing goes again, but the resends out are lost_out: the
    // recovery is over
    expect(shape(icmp(s, FRAG_NEEDED, 1400, 0, 1065))).toEqual([])
    expect(s.snd.recovering).toBe(false)
    // the first one's resend arrives: what went before it and is neither SACKed nor resent is lost
    // (RACK's window 0 in CA_Loss) and goes, then new data, as the window PRR left holds
    expect(ack(1100, M, 5 * M, 1060)).toEqual([[5 * M, M], [6 * M, M], [7 * M, M], [8 * M, M], [9 * M, M], [10 * M, M], [12 * M, M]])
  })

  // (review52a) A report after a timeout (CA_Loss): Linux's tcp_simple_retransmit leaves CA_Loss's
  // state alone, undo_marker with it, and prior_cwnd counts packets: the ACK of all echoing the
  // originals' timestamp undoes the timeout (tcp_try_undo_loss, tcp_packet_delayed), cwnd back to 10
  // segments of the new size (seen against Linux 6.18: the next write sent ten 724-octet segments).
  // The stack dropped its undo record with the old MSS (takeMtu): the window stayed the timeout's
  it("without SACK, a report after a timeout keeps its undo, in segments: the original's echo gives the window back at the new size (Linux's undo_marker, prior_cwnd in packets)", () => {
    const s = T.established({ peerOptions: { mss: 1000, sackPermitted: false, timestamp: { value: 1, echo: 0 } } })
    expect(s.write(1000, T.octets(3000))).toHaveLength(4)
    const rto = Sender.deadline(s.snd)!
    expect(shape(s.tick(rto))).toEqual([[0, 988]])
    // (and the head goes again cut at the report, in the timeout's window of one: Linux's
    // tcp_timeout_mark_lost marked the runt lost too, so nothing is in flight; the stack's go-back
    // counted the runt and sent nothing)
    expect(shape(icmp(s, FRAG_NEEDED, 776, 0, rto + 5))).toEqual([[0, 724]])
    expect(s.snd.mss).toBe(736)
    s.send(rto + 10, T.fromPeer({ ack: 3000, options: { sackPermitted: false, timestamp: { value: 3, echo: 1000 } } }))
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(1)
    expect(s.snd.cc.cwnd).toBe(10 * 724)
  })

  it("the lost ones the window has no room for go as ACKs make room (Linux's CA_Loss), not again from SND.UNA", () => {
    const s = interactive(false)
    // the initial window: ten segments of 1460, all in flight
    expect(s.write(1000, T.octets(10 * MSS))).toHaveLength(10)
    // MTU 576: 536 octets a segment; the window keeps ten segments of it (5360 octets)
    const first = shape(icmp(s, FRAG_NEEDED, 576, 0, 1010))
    expect(first).toEqual(Array.from({ length: 10 }, (_, i) => [536 * i, 536]))
    // the ACK of the first three of the old segments makes room: more from 5360 on, no more than
    // the window holds; never a piece sent twice
    const next = shape(s.send(1020, T.fromPeer({ seq: 0, ack: 3 * MSS })))
    expect(next[0]).toEqual([5360, 536])
    const starts = [...first, ...next].map(([at]) => at)
    expect(new Set(starts).size).toBe(starts.length)
    expect(next.every(([at, n]) => at! + n! <= 10 * MSS && n! <= 536)).toBe(true)
  })
})

describe("a lowered path MTU that expires during a recovery (RFC 1191 §6.3)", () => {
  // (review52a: the undo record is scaled with the rest, not dropped: Linux's prior_cwnd and
  // prior_ssthresh count packets and nothing at a larger MTU clears undo_marker)
  it("the window's counts keep their segments at the larger size, PRR's too, and the episode's undo record with them (as a lower MTU, takeMtu)", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: true } })
    icmp(s, FRAG_NEEDED, 576, 0, 1000)
    expect(s.write(1010, T.octets(10 * 536))).toHaveLength(10)
    // the second to fourth SACKed: a recovery
    s.send(1020, T.fromPeer({ seq: 0, ack: 0, options: { sackPermitted: false, sack: [{ left: ours(536), right: ours(4 * 536) }] } }))
    expect(s.snd.recovering).toBe(true)
    expect(s.snd.undo).toBeDefined()
    const saved = s.snd.undo!.cc
    const { delivered, recoverFs } = s.snd.prr!
    // the report's ten minutes are up (set here, before the retransmission timer): the next send finds it
    s.snd.pmtuExpiresAt = 1030
    s.write(1030, T.octets(1))
    expect(s.snd.mss).toBe(MSS)
    const r = s.snd.cc.smss / 536
    expect([s.snd.prr!.delivered, s.snd.prr!.recoverFs]).toEqual([delivered * r, recoverFs * r])
    expect(s.snd.undo!.cc.cwnd).toBe(saved.cwnd * r)
  })
})

describe("ICMP errors for a connection in TIME-WAIT", () => {
  it("are ignored, fragmentation needed included (Linux's tcp_v4_err returns for a TIME-WAIT socket before anything)", () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    s.end(10)
    s.send(20, T.fromPeer({ seq: 0, ack: 1 }))
    s.send(30, T.fromPeer({ seq: 0, ack: 1, flags: FIN | ACK }))
    expect(s.snd.state).toBe("TimeWait")
    // quoting our FIN (SND.UNA .. SND.MAX is [ISN + 2, ISN + 2]: a sequence number a forger can read off the wire)
    const out: Array<OutSegment> = []
    expect(Sender.onIcmpError(s.snd, { ...FRAG_NEEDED, mtu: 600 }, ours(1), 40, out)).toBe(false)
    expect(Sender.onIcmpError(s.snd, { ...HOST_UNREACHABLE, mtu: 0 }, ours(1), 40, out)).toBe(false)
    expect(out).toEqual([])
    expect(s.snd.mss).toBe(MSS)
    expect(s.snd.pmtuExpiresAt).toBeUndefined()
    expect(s.snd.softError).toBeUndefined()
  })
})

describe("ICMP errors while connecting (Linux's tcp_v4_err ends a connection in SYN-SENT or SYN-RECEIVED at any of them)", () => {
  /** Every error a connection's segment may draw, with the errno Linux's tcp_v4_err gives it (icmp_err_convert) */
  const ERRNOS: ReadonlyArray<readonly [Kind, string]> = [
    [{ type: "DstUnreachable", code: 0 }, "ENETUNREACH"],
    [{ type: "DstUnreachable", code: 1 }, "EHOSTUNREACH"],
    [{ type: "DstUnreachable", code: 2 }, "ENOPROTOOPT"],
    [{ type: "DstUnreachable", code: 3 }, "ECONNREFUSED"],
    [{ type: "DstUnreachable", code: 5 }, "EOPNOTSUPP"],
    [{ type: "DstUnreachable", code: 6 }, "ENETUNREACH"],
    [{ type: "DstUnreachable", code: 7 }, "EHOSTDOWN"],
    [{ type: "DstUnreachable", code: 8 }, "ENONET"],
    [{ type: "DstUnreachable", code: 9 }, "ENETUNREACH"],
    [{ type: "DstUnreachable", code: 10 }, "EHOSTUNREACH"],
    [{ type: "DstUnreachable", code: 11 }, "ENETUNREACH"],
    [{ type: "DstUnreachable", code: 12 }, "EHOSTUNREACH"],
    [{ type: "DstUnreachable", code: 13 }, "EHOSTUNREACH"],
    [{ type: "DstUnreachable", code: 14 }, "EHOSTUNREACH"],
    [{ type: "DstUnreachable", code: 15 }, "EHOSTUNREACH"],
    [{ type: "TimeExceeded", code: 0 }, "EHOSTUNREACH"],
    [{ type: "ParameterProblem", code: 0 }, "EPROTO"]
  ]

  it("in SYN-SENT: each fails it at once, with the errno the ICMP error means (net unreachable is ENETUNREACH, not EHOSTUNREACH)", () => {
    const got = ERRNOS.map(([kind]) => {
      const { socket } = T.synSent({ now: 0 })
      // quoting our SYN (SND.UNA = ISS)
      expect(Sender.onIcmpError(socket.snd, { ...kind, mtu: 0 }, T.LOCAL_ISN, 10, [])).toBe(true)
      return [kind, socket.snd.state, socket.snd.failure]
    })
    expect(got).toEqual(ERRNOS.map(([kind, errno]) => [kind, "Closed", errno]))
  })

  it("in SYN-RECEIVED (a simultaneous open): the same", () => {
    for (const [kind, errno] of ERRNOS) {
      const { socket } = T.synSent({ now: 0, params: { timestamps: false, sack: false, windowScaling: false } })
      socket.send(10, T.peerSyn())
      expect(socket.snd.state).toBe("SynReceived")
      expect(Sender.onIcmpError(socket.snd, { ...kind, mtu: 0 }, T.LOCAL_ISN, 20, [])).toBe(true)
      expect([kind, socket.snd.state, socket.snd.failure]).toEqual([kind, "Closed", errno])
    }
  })

  it("once established, each is a soft error kept as its errno, and the connection goes on (RFC 1122 §4.2.3.9)", () => {
    for (const [kind, errno] of ERRNOS) {
      const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
      s.write(1000, T.octets(MSS))
      icmp(s, kind, 0, 0, 1010)
      expect([kind, s.snd.state, s.snd.softError]).toEqual([kind, "Established", errno])
    }
  })

  it("fragmentation needed does not: the SYN is small, the MSS follows for what comes after", () => {
    const { socket } = T.synSent({ now: 0 })
    expect(Sender.onIcmpError(socket.snd, { ...FRAG_NEEDED, mtu: 1000 }, T.LOCAL_ISN, 10, [])).toBe(true)
    expect(socket.snd.state).toBe("SynSent")
    expect(socket.snd.mtu).toBe(1000)
  })
})

describe("net or host unreachable during RTO backoff (RFC 6069 TCP-LD, as Linux's tcp_ld_RTO_revert)", () => {
  /** An established connection whose one segment (at 1000) timed out twice: RTO 800 from 200, resent last at 1600. */
  const backedOff = () => {
    const s = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    s.write(1000, T.octets(MSS))
    s.tick(1200)
    expect(shape(s.tick(1600))).toEqual([[0, MSS]])
    expect([s.snd.rtt.rto, s.snd.rtoAt, s.snd.retries]).toEqual([800, 2400, 2])
    return s
  }

  it("one quoting SND.UNA undoes one backoff: the timer runs from the last retransmission at half the RTO", () => {
    const s = backedOff()
    expect(icmp(s, HOST_UNREACHABLE, 0, 0, 1610)).toEqual([])
    expect([s.snd.rtt.rto, s.snd.rtoAt]).toEqual([400, 2000])
    expect(icmp(s, HOST_UNREACHABLE, 0, 0, 1620)).toEqual([])
    expect([s.snd.rtt.rto, s.snd.rtoAt]).toEqual([200, 1800])
    // no backoff left: nothing more
    expect(icmp(s, HOST_UNREACHABLE, 0, 0, 1630)).toEqual([])
    expect([s.snd.rtt.rto, s.snd.rtoAt]).toEqual([200, 1800])
    // a soft error all the same
    expect(s.snd.softError).toBe("EHOSTUNREACH")
    expect(s.snd.state).toBe("Established")
  })

  it("a net unreachable (code 0) does the same, and is kept as ENETUNREACH", () => {
    const s = backedOff()
    expect(icmp(s, NET_UNREACHABLE, 0, 0, 1610)).toEqual([])
    expect([s.snd.rtt.rto, s.snd.rtoAt, s.snd.softError]).toEqual([400, 2000, "ENETUNREACH"])
  })

  it("when the undone RTO has already run out since the last retransmission, the segment goes again at once", () => {
    const s = backedOff()
    // 500 ms after it was resent, the reverted RTO is 400: it is due
    expect(shape(icmp(s, HOST_UNREACHABLE, 0, 0, 2100))).toEqual([[0, MSS]])
    expect([s.snd.rtt.rto, s.snd.rtoAt, s.snd.retries]).toEqual([800, 2900, 3])
  })

  it("not for one quoting another sequence number, nor for other errors, nor without a timeout", () => {
    const s = backedOff()
    icmp(s, HOST_UNREACHABLE, 0, MSS, 1610)
    // (not even those that are EHOSTUNREACH too: RFC 6069 names codes 0 and 1 alone, as Linux's tcp_v4_err)
    icmp(s, ADMIN_PROHIBITED, 0, 0, 1610)
    icmp(s, TIME_EXCEEDED, 0, 0, 1610)
    icmp(s, PORT_UNREACHABLE, 0, 0, 1610)
    expect([s.snd.rtt.rto, s.snd.rtoAt]).toEqual([800, 2400])
    const fresh = T.established({ peerOptions: { mss: MSS, sackPermitted: false } })
    fresh.write(1000, T.octets(MSS))
    icmp(fresh, HOST_UNREACHABLE, 0, 0, 1010)
    expect([fresh.snd.rtt.rto, fresh.snd.rtoAt]).toEqual([200, 1200])
  })

  // Why Linux's tcp_retries2 is a time (tcp_model_timeout, retransmits_timed_out), not a count: with
  // each backoff undone by a router's report the RTO stays 200 ms, and `retries` 3 resends would be
  // spent in 600 ms; the connection goes on for the 3 s (200 + 400 + 800 + 1600) three backed-off
  // resends would take from the first, then fails with the soft error (tcp_write_err)
  it("with every backoff undone, the retransmissions go on for the time `retries` would take, not the count", () => {
    const s = T.established({ params: { retries: 3 }, peerOptions: { mss: MSS, sackPermitted: false } })
    s.write(1000, T.octets(MSS))
    const resends: Array<number> = []
    for (let i = 0; i < 40 && s.state !== "Closed"; i++) {
      const at = s.snd.rtoAt!
      if (s.tick(at).length === 0) break
      resends.push(at)
      // the router's host unreachable for each resend, 10 ms on: the backoff undone, due 200 after it
      icmp(s, HOST_UNREACHABLE, 0, 0, at + 10)
      expect(s.snd.rtoAt).toBe(at + 200)
    }
    // resent every 200 ms from 1200 (retrans_stamp) to 4000; the expiry at 4200, 3000 after the first, ends it
    expect(resends).toEqual(Array.from({ length: 15 }, (_, k) => 1200 + 200 * k))
    expect(s.state).toBe("Closed")
    expect(s.snd.failure).toBe("EHOSTUNREACH")
  })
})

describe("a soft error at the timeout (Linux's tcp_write_err: sk_err = sk_err_soft ?: ETIMEDOUT)", () => {
  /** Run the timers until the connection gives up (at most `limit` expiries); the failure. */
  const timeOut = (s: T.TcpSocket, limit = 20) => {
    for (let i = 0; i < limit && s.state !== "Closed"; i++) {
      const at = Sender.deadline(s.snd)
      if (at === undefined) break
      s.tick(at)
    }
    return [s.state, s.snd.failure]
  }
  const est = () => T.established({ params: { retries: 3 }, peerOptions: { mss: MSS, sackPermitted: false } })

  it("retransmissions unanswered after a host unreachable: the connection fails with EHOSTUNREACH, not TimedOut", () => {
    const s = est()
    s.write(1000, T.octets(MSS))
    icmp(s, HOST_UNREACHABLE, 0, 0, 1010)
    expect(timeOut(s)).toEqual(["Closed", "EHOSTUNREACH"])
  })

  it("the last soft error is the one reported: a net unreachable after a host unreachable is ENETUNREACH", () => {
    const s = est()
    s.write(1000, T.octets(MSS))
    icmp(s, HOST_UNREACHABLE, 0, 0, 1010)
    icmp(s, NET_UNREACHABLE, 0, 0, 1020)
    expect(timeOut(s)).toEqual(["Closed", "ENETUNREACH"])
  })

  it("without one, TimedOut as before", () => {
    const s = est()
    s.write(1000, T.octets(MSS))
    expect(timeOut(s)).toEqual(["Closed", "TimedOut"])
  })

  it("an acceptable ACK after it, even one acknowledging nothing new, clears it (tcp_ack): a later timeout is TimedOut", () => {
    const s = est()
    s.write(1000, T.octets(2 * MSS))
    icmp(s, HOST_UNREACHABLE, 0, 0, 1010)
    // a duplicate ACK: SEG.ACK = SND.UNA
    s.send(1020, T.fromPeer({ seq: 0, ack: 0 }))
    expect(s.snd.softError).toBeUndefined()
    icmp(s, HOST_UNREACHABLE, 0, 0, 1030)
    // one acknowledging the first segment
    s.send(1040, T.fromPeer({ seq: 0, ack: MSS }))
    expect(s.snd.softError).toBeUndefined()
    expect(timeOut(s)).toEqual(["Closed", "TimedOut"])
  })

  it("an old ACK (below SND.UNA) does not clear it: tcp_ack takes it as old_ack before that", () => {
    const s = est()
    s.write(1000, T.octets(2 * MSS))
    s.send(1010, T.fromPeer({ seq: 0, ack: MSS }))
    icmp(s, HOST_UNREACHABLE, 0, MSS, 1020)
    s.send(1030, T.fromPeer({ seq: 0, ack: 0 }))
    expect(s.snd.softError).toBe("EHOSTUNREACH")
    expect(timeOut(s)).toEqual(["Closed", "EHOSTUNREACH"])
  })

  it("keepalive probes unanswered after an error about our last ACK (quoting SND.UNA): that error, as tcp_keepalive_timer's tcp_write_err", () => {
    const s = T.established({ params: { keepaliveIdle: 1000, keepaliveInterval: 100, keepaliveProbes: 2 } })
    // an ICMP error quoting a pure ACK of ours: SEG.SEQ = SND.NXT = SND.UNA, believed
    icmp(s, ADMIN_PROHIBITED, 0, 0, 500)
    expect(timeOut(s)).toEqual(["Closed", "EHOSTUNREACH"])
  })

  it("zero-window probes unanswered after a time exceeded about one: EHOSTUNREACH, as tcp_probe_timer's tcp_write_err", () => {
    const s = est()
    s.write(0, T.octets(100))
    s.send(0, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    s.write(20, "hello")
    // the first probe (one octet at SND.UNA) drew a time exceeded
    s.tick(220)
    icmp(s, TIME_EXCEEDED, 0, 100, 230)
    expect(timeOut(s)).toEqual(["Closed", "EHOSTUNREACH"])
  })

  it("a SYN's timeout stays TimedOut: an error about the SYN ended the connect at once instead", () => {
    const { socket } = T.synSent({ now: 0, params: { synRetries: 2 } })
    expect(timeOut(socket)).toEqual(["Closed", "TimedOut"])
  })
})
