/**
 * ESTABLISHED as pure state-machine steps (smoltcp `src/socket/tcp.rs`
 * style): data in and out, the receive window and what is trimmed to it,
 * out-of-order data and SACK, RFC 5961, ACK timing, Nagle, MSS less
 * options, zero window. Every step names its time; the peer's ISN is
 * 0xfffffff0 and ours 0xffffff00, so both directions wrap 2^32.
 *
 * The fixture: a passive open whose peer offered MSS 1460 and nothing else
 * (no timestamps, SACK or scaling unless a test says so), a 16 KiB receive
 * buffer (so the 16-bit window shows every change), the peer's window
 * 64240. The handshake's RTT sample of 0 ms makes the RTO the 200 ms floor.
 */
import { Duration } from "effect"
import { describe, expect, it } from "vitest"
import * as Config from "../../src/Config.js"
import * as Tcp from "../../src/tcp/Tcp.js"
import { ACK, FIN, RST, SYN } from "../../src/tcp/Segment.js"
import * as Rtt from "../../src/tcp/Rtt.js"
import * as Sender from "../../src/tcp/Sender.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import type * as TcpWire from "../../src/wire/TcpHeader.js"
import * as T from "../support/TcpSocket.js"

const BUF = 16384
const MSS = 1460
const NO_OPTS: TcpWire.TcpOptions = { sackPermitted: false }

const est = (o: { params?: Partial<T.Options["params"]>; peer?: Partial<TcpWire.TcpOptions>; peerWindow?: number } = {}) =>
  T.established({
    params: { receiveBuffer: BUF, maxReceiveBuffer: BUF, ...o.params },
    peerOptions: { mss: MSS, sackPermitted: false, ...o.peer },
    ...(o.peerWindow === undefined ? {} : { peerWindow: o.peerWindow })
  })

/**
 * Up to six times, or until the connection is gone: its next timer (RTO or persist) fires and the
 * peer answers, acknowledging octet 100 with its window still shut; then the connection must be Closed.
 */
const answerShutUntilClosed = (s: ReturnType<typeof est>): void => {
  for (let i = 0; i < 6 && s.state !== "Closed"; i++) {
    const t = Math.min(s.snd.rtoAt ?? Infinity, s.snd.persistAt ?? Infinity)
    expect(t).toBeLessThan(Infinity)
    s.tick(t)
    s.send(t + 1, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
  }
  expect(s.state).toBe("Closed")
}

/** A pure ACK we send: seq/ack relative, our window field. */
const ackSeg = (seq: number, ack: number, window: number, options: TcpWire.TcpOptions = NO_OPTS): T.Seen => ({
  seq,
  ack,
  flags: "ACK",
  window,
  options,
  len: 0,
  data: ""
})

/** The peer's absolute sequence number `rel` octets after its SYN. */
const peerSeq = (rel: number) => Seq.add(T.REMOTE_ISN, 1 + rel)
const block = (left: number, right: number) => ({ left: peerSeq(left), right: peerSeq(right) })

const sent = (out: ReadonlyArray<{ payload: Uint8Array | undefined }>) =>
  out.reduce((n, o) => n + (o.payload?.length ?? 0), 0)

describe("ESTABLISHED: data in", () => {
  it("in-order data is delivered and ACKed after the 40 ms delayed-ACK timer, not before", () => {
    const s = est({ params: { quickAcks: 0 } })
    expect(s.send(10, T.fromPeer({ seq: 0, payload: "hello" }))).toEqual([])
    expect(T.text(s.received[0])).toBe("hello")
    expect(s.tick(49)).toEqual([])
    // the right edge stays where it was announced: the window shrinks by what is unread
    expect(T.seenAll(s.tick(50))).toEqual([ackSeg(0, 5, BUF - 5)])
    expect(s.tick(1000)).toEqual([])
  })
  it("the second segment unacknowledged draws the ACK at once (RFC 5681 §4.2), in one batch or two", () => {
    const s = est({ params: { quickAcks: 0 } })
    const out = s.send(10, T.fromPeer({ seq: 0, payload: T.octets(MSS) }), T.fromPeer({ seq: MSS, payload: T.octets(MSS, MSS) }))
    expect(T.seenAll(out)).toEqual([ackSeg(0, 2 * MSS, BUF - 2 * MSS)])
    const s2 = est({ params: { quickAcks: 0 } })
    expect(s2.send(10, T.fromPeer({ seq: 0, payload: T.octets(MSS) }))).toEqual([])
    expect(T.seenAll(s2.send(20, T.fromPeer({ seq: MSS, payload: T.octets(MSS, MSS) })))).toEqual([
      ackSeg(0, 2 * MSS, BUF - 2 * MSS)
    ])
    expect(s2.tick(50)).toEqual([]) // the delayed ACK was settled by it
  })
  it("every second segment counts across batches: one left for the delayed ACK, then three, draw ACKs after the first and the third", () => {
    const s = est({ params: { quickAcks: 0 } })
    expect(s.send(10, T.fromPeer({ seq: 0, payload: T.octets(MSS) }))).toEqual([])
    const three = [1, 2, 3].map((i) => T.fromPeer({ seq: i * MSS, payload: T.octets(MSS, i * MSS) }))
    expect(T.seenAll(s.send(20, ...three))).toEqual([ackSeg(0, 2 * MSS, BUF - 2 * MSS), ackSeg(0, 4 * MSS, BUF - 4 * MSS)])
    expect(s.tick(100)).toEqual([])
    // and after an ACK of everything (the delayed one), the count starts again
    expect(s.send(200, T.fromPeer({ seq: 4 * MSS, payload: T.octets(MSS, 4 * MSS) }))).toEqual([])
    expect(T.seenAll(s.tick(240))).toEqual([ackSeg(0, 5 * MSS, BUF - 5 * MSS)])
    // (three together with nothing owed: the second draws the ACK, the third waits for the timer, as
    // if they had come one by one; Linux takes a batch segment by segment, __tcp_ack_snd_check each)
    expect(T.seenAll(s.send(300, ...[5, 6, 7].map((i) => T.fromPeer({ seq: i * MSS, payload: T.octets(MSS, i * MSS) }))))).toEqual([
      ackSeg(0, 7 * MSS, BUF - 7 * MSS)
    ])
    expect(s.tick(339)).toEqual([])
    expect(T.seenAll(s.tick(340))).toEqual([ackSeg(0, 8 * MSS, BUF - 8 * MSS)])
  })
  it("a connection's first data segments are acknowledged at once (quick-ACK mode, as Linux), then delayed", () => {
    const s = est({ params: { quickAcks: 2 } })
    expect(T.seenAll(s.send(10, T.fromPeer({ seq: 0, payload: "a" })))).toEqual([ackSeg(0, 1, BUF - 1)])
    expect(T.seenAll(s.send(20, T.fromPeer({ seq: 1, payload: "b" })))).toEqual([ackSeg(0, 2, BUF - 2)])
    expect(s.send(30, T.fromPeer({ seq: 2, payload: "c" }))).toEqual([])
    expect(s.tick(69)).toEqual([])
    expect(T.seenAll(s.tick(70))).toEqual([ackSeg(0, 3, BUF - 3)])
  })
  it("each ACK of new data spends one quick ACK, however many segments it covers (Linux's tcp_dec_quickack_mode, from tcp_event_ack_sent)", () => {
    const s = est({ params: { quickAcks: 3 } })
    // three segments as one (the peer's TSO, our link's GRO): one ACK, one quick ACK spent
    expect(T.seenAll(s.send(10, T.fromPeer({ seq: 0, payload: T.octets(3 * MSS) })))).toEqual([ackSeg(0, 3 * MSS, BUF - 3 * MSS)])
    let at = 20
    for (const n of [1, 2]) {
      const seq = 3 * MSS + n - 1
      expect(T.seenAll(s.send(at, T.fromPeer({ seq, payload: "a" })))).toEqual([ackSeg(0, seq + 1, BUF - seq - 1)])
      at += 10
    }
    expect(s.send(at, T.fromPeer({ seq: 3 * MSS + 2, payload: "a" }))).toEqual([])
  })
  it("each duplicate ACK for out-of-order data spends a quick ACK, several in one batch too (Linux's tcp_data_queue_ofo schedules an ACK for each segment)", () => {
    const s = est({ params: { quickAcks: 5 } })
    expect(s.send(10, T.fromPeer({ seq: 0, payload: "a" }))).toHaveLength(1)
    // three segments beyond a hole, arriving together: three duplicate ACKs, three quick ACKs spent
    const ooo = s.send(20, ...[2, 3, 4].map((seq) => T.fromPeer({ seq, payload: "x" })))
    expect(T.seenAll(ooo)).toEqual([1, 1, 1].map((ack) => ackSeg(0, ack, BUF - 1)))
    // the hole filled: at once (RFC 5681 §4.2), the last quick ACK
    expect(T.seenAll(s.send(30, T.fromPeer({ seq: 1, payload: "b" })))).toEqual([ackSeg(0, 5, BUF - 5)])
    // out of quick-ACK mode: one segment waits for the delayed ACK
    expect(s.send(40, T.fromPeer({ seq: 5, payload: "c" }))).toEqual([])
  })
  it("a segment beyond a hole that we held already spends a quick ACK too, its D-SACK notwithstanding (Linux's tcp_data_queue_ofo schedules the ACK before it finds the duplicate)", () => {
    const s = est({ params: { quickAcks: 5 }, peer: { sackPermitted: true } })
    expect(s.send(10, T.fromPeer({ seq: 0, payload: "a" }))).toHaveLength(1)
    // "x" beyond the hole, twice in one batch: two ACKs, two quick ACKs spent (two left)
    expect(s.send(20, T.fromPeer({ seq: 2, payload: "x" }), T.fromPeer({ seq: 2, payload: "x" }))).toHaveLength(2)
    // the hole filled (one left), the next segment (none left), then the delayed ACK
    expect(T.seenAll(s.send(30, T.fromPeer({ seq: 1, payload: "b" }))).map((x) => x.ack)).toEqual([3])
    expect(T.seenAll(s.send(40, T.fromPeer({ seq: 3, payload: "c" }))).map((x) => x.ack)).toEqual([4])
    expect(s.send(50, T.fromPeer({ seq: 4, payload: "d" }))).toEqual([])
  })
  it("a duplicate ACK for a resend wholly below our last ACK spends no quick ACK, beside new data too (Linux's tcp_send_dupack schedules none)", () => {
    const s = est({ params: { quickAcks: 3 }, peer: { sackPermitted: true } })
    expect(s.send(10, T.fromPeer({ seq: 0, payload: "ab" }))).toHaveLength(1)
    // a resend of "a" (acknowledged, the D-SACK says: quick-ACK mode again, three) and new data,
    // together: only the new data's ACK spends one
    const both = s.send(20, T.fromPeer({ seq: 0, payload: "a" }), T.fromPeer({ seq: 2, payload: "c" }))
    expect(T.seenAll(both).map((x) => x.ack)).toEqual([2, 3])
    // so two are left for the next segments
    expect(T.seenAll(s.send(30, T.fromPeer({ seq: 3, payload: "d" })))).toEqual([ackSeg(0, 4, BUF - 4)])
    expect(T.seenAll(s.send(40, T.fromPeer({ seq: 4, payload: "e" })))).toEqual([ackSeg(0, 5, BUF - 5)])
    expect(s.send(50, T.fromPeer({ seq: 5, payload: "f" }))).toEqual([])
  })
  it("the quick ACKs are as many as half the window last announced holds of the peer's segments as guessed, 536 octets until longer ones come (Linux's tcp_incr_quickack, tcp_initialize_rcv_mss)", () => {
    // 16384 / (2 × 536): fifteen, where the ceiling (Params.quickAcks) is 16
    const s = est()
    for (let i = 0; i < 15; i++) expect(T.seenAll(s.send(10 + 10 * i, T.fromPeer({ seq: i, payload: "a" })))).toEqual([ackSeg(0, i + 1, BUF - i - 1)])
    expect(s.send(160, T.fromPeer({ seq: 15, payload: "a" }))).toEqual([])
    expect(T.seenAll(s.tick(200))).toEqual([ackSeg(0, 16, BUF - 16)])
    // the guess starts at no more than half the window: 2000 / (2 × 536) and 1000 / (2 × 500) are one
    for (const [buf, quick] of [[2000, 1], [1000, 1], [4000, 3]] as const) {
      const t = est({ params: { receiveBuffer: buf, maxReceiveBuffer: buf } })
      for (let i = 0; i < quick; i++) expect(t.send(10 + 10 * i, T.fromPeer({ seq: i, payload: "a" }))).toHaveLength(1)
      expect(t.send(50, T.fromPeer({ seq: quick, payload: "a" }))).toEqual([])
    }
  })
  it("full-sized segments make the guess their size, before the first data's quick ACKs are counted: 16384 / (2 × 1460) is five", () => {
    const s = est()
    for (let i = 0; i < 5; i++) expect(s.send(10 + 10 * i, T.fromPeer({ seq: i * 1460, payload: T.octets(1460) }))).toHaveLength(1)
    expect(s.send(60, T.fromPeer({ seq: 5 * 1460, payload: T.octets(1460) }))).toEqual([])
  })
  it("a window of less than two of the peer's segments still gets two quick ACKs", () => {
    // 2000 / (2 × 1460) is none: two
    const t = est({ params: { receiveBuffer: 2000, maxReceiveBuffer: 2000 } })
    expect(t.send(10, T.fromPeer({ seq: 0, payload: T.octets(1460) }))).toHaveLength(1)
    t.read(15)
    expect(t.send(20, T.fromPeer({ seq: 1460, payload: T.octets(100) }))).toHaveLength(1)
    expect(t.send(30, T.fromPeer({ seq: 1560, payload: T.octets(100) }))).toEqual([])
  })
  it("after a passive open the window last announced is the SYN-ACK's, never scaled: on a 9000-octet MTU, 65535 / (2 × 8960) is three quick ACKs, whatever the buffer", () => {
    const s = T.established({ mtu: 9000, peerOptions: { mss: 8960, sackPermitted: false } })
    for (let i = 0; i < 3; i++) expect(s.send(10 + 10 * i, T.fromPeer({ seq: i * 8960, payload: T.octets(8960) }))).toHaveLength(1)
    expect(s.send(40, T.fromPeer({ seq: 3 * 8960, payload: T.octets(8960) }))).toEqual([])
  })
  it("quick-ACK mode comes back after the peer was idle longer than the RTO (Linux's tcp_event_data_recv)", () => {
    const s = est({ params: { quickAcks: 1 } })
    s.send(10, T.fromPeer({ seq: 0, payload: "a" }))
    expect(s.send(20, T.fromPeer({ seq: 1, payload: "b" }))).toEqual([])
    s.tick(60)
    // 200 ms (the RTO) of silence, and a little more
    expect(T.seenAll(s.send(221, T.fromPeer({ seq: 2, payload: "c" })))).toEqual([ackSeg(0, 3, BUF - 3)])
  })
  it("an answer within the delayed-ACK time makes the exchange interactive: the next ACK waits to ride on the next answer", () => {
    const s = est()
    // the first request is acknowledged at once (quick-ACK mode), and answered
    expect(s.send(10, T.fromPeer({ seq: 0, payload: "req1" }))).toHaveLength(1)
    s.write(15, "resp1")
    // the second request: no ACK of its own; the answer carries it
    expect(s.send(30, T.fromPeer({ seq: 4, ack: 5, payload: "req2" }))).toEqual([])
    expect(T.seenAll(s.write(35, "resp2"))).toMatchObject([{ seq: 5, ack: 8, data: "resp2" }])
    // a request left unanswered: the delayed ACK goes at 40 ms and the exchange is no longer interactive
    s.send(50, T.fromPeer({ seq: 8, ack: 10, payload: "req3" }))
    expect(T.seenAll(s.tick(90))).toEqual([ackSeg(10, 12, BUF - 12)])
    expect(T.seenAll(s.send(100, T.fromPeer({ seq: 12, ack: 10, payload: "req4" })))).toEqual([ackSeg(10, 16, BUF - 16)])
  })
  it("our data carries the ACK that was delayed", () => {
    const s = est()
    s.send(10, T.fromPeer({ seq: 0, payload: "ping" }))
    expect(T.seenAll(s.write(20, "pong"))).toEqual([{
      seq: 0,
      ack: 4,
      flags: "PSH|ACK",
      window: BUF - 4,
      options: NO_OPTS,
      len: 4,
      data: "pong"
    }])
    expect(s.tick(50)).toEqual([])
  })
  it("data across the peer's 2^32 wrap arrives in order", () => {
    const s = est()
    // REMOTE_ISN + 1 is 0xfffffff1: octets 15 and on carry sequence numbers past 0
    s.send(10, T.fromPeer({ seq: 0, payload: T.octets(10) }), T.fromPeer({ seq: 10, payload: T.octets(20, 10) }))
    const { data } = s.read(20)
    expect(T.text(data)).toBe(T.octetsText(30))
    expect(s.rcv.rcvNxt).toBe(Seq.make(0x0000000f))
  })
  it("a segment partly before RCV.NXT: only the new octets are taken", () => {
    const s = est()
    s.send(10, T.fromPeer({ seq: 0, payload: "abc" }))
    const out = s.send(20, T.fromPeer({ seq: 1, payload: "bcdef" }))
    expect(T.seenAll(out)).toEqual([ackSeg(0, 6, BUF - 6)])
    expect(s.received.map(T.text)).toEqual(["abc", "def"])
  })
  it("a wholly old segment is ACKed at once and dropped (RFC 9293 §3.10.7.4)", () => {
    const s = est()
    s.send(10, T.fromPeer({ seq: 0, payload: "abc" }))
    s.tick(50)
    expect(T.seenAll(s.send(60, T.fromPeer({ seq: 0, payload: "abc" })))).toEqual([ackSeg(0, 3, BUF - 3)])
    expect(s.received.map(T.text)).toEqual(["abc"])
  })
  it("data beyond the right edge while data waits unread is refused whole, a FIN riding on it too (Linux 6.17's tcp_sequence)", () => {
    const s = est()
    const full = BUF - 100
    s.send(10, T.fromPeer({ seq: 0, payload: T.octets(full) }))
    // 300 octets and a FIN where 100 fit: a duplicate ACK, the window as it was
    const out = s.send(20, T.fromPeer({ seq: full, payload: T.octets(300, full), flags: FIN | ACK }))
    expect(s.state).toBe("Established")
    expect(T.seenAll(out)).toEqual([ackSeg(0, full, 100)])
    expect(sent(s.received.map((payload) => ({ payload })))).toBe(full)
  })
  it("with nothing unread, data beyond the right edge is trimmed, and a FIN riding on it is not taken (RFC 9293 §3.10.7.4; Linux would take it whole)", () => {
    const s = est()
    // a segment of more than the whole buffer (an aggregate) into an empty one, with a FIN
    const out = s.send(20, T.fromPeer({ seq: 0, payload: T.octets(BUF + 300), flags: FIN | ACK }))
    expect(s.state).toBe("Established")
    expect(T.seenAll(out)).toEqual([ackSeg(0, BUF, 0)])
    expect(sent(s.received.map((payload) => ({ payload })))).toBe(BUF)
  })
  it("a segment wholly beyond the window is ACKed and dropped", () => {
    const s = est()
    expect(T.seenAll(s.send(10, T.fromPeer({ seq: BUF + 10, payload: "late" })))).toEqual([ackSeg(0, 0, BUF)])
    expect(s.received).toEqual([])
  })
})

describe("ESTABLISHED: timestamps negotiated (RFC 7323)", () => {
  const tsEst = () => est({ peer: { timestamp: { value: 1, echo: 0 } } })
  it("data without a timestamp is still taken, as Linux takes it (gVisor #11536); with one, TS.Recent follows", () => {
    const s = tsEst()
    s.send(10, T.fromPeer({ seq: 0, payload: "ab" }))
    expect(T.text(s.read(11).data)).toBe("ab")
    s.send(20, T.fromPeer({ seq: 2, payload: "cd", options: T.ts(7, 0) }))
    expect(T.text(s.read(21).data)).toBe("cd")
    expect(s.snd.tsRecent).toBe(7)
  })
  it("a delayed ACK echoes the older of the two segments it covers (RFC 7323 §4.3: TS.Recent moves only at or below Last.ACK.sent)", () => {
    const s = est({ params: { quickAcks: 0 }, peer: { timestamp: { value: 1, echo: 0 } } })
    expect(s.send(10, T.fromPeer({ seq: 0, payload: T.octets(MSS), options: T.ts(100, 0) }))).toEqual([])
    // the second segment draws the ACK; the peer's RTT sample from it includes the first one's wait
    const out = s.send(30, T.fromPeer({ seq: MSS, payload: T.octets(MSS, MSS), options: T.ts(120, 0) }))
    expect(T.seenAll(out)).toMatchObject([{ ack: 2 * MSS, options: { timestamp: { echo: 100 } } }])
    // past that ACK, the next segment is at Last.ACK.sent again: it moves TS.Recent
    expect(s.send(40, T.fromPeer({ seq: 2 * MSS, payload: T.octets(MSS, 2 * MSS), options: T.ts(130, 0) }))).toEqual([])
    expect(T.seenAll(s.tick(80))).toMatchObject([{ ack: 3 * MSS, options: { timestamp: { echo: 130 } } }])
  })
  it("each ACK of one batch echoes the timestamp of its own moment, not the batch's last", () => {
    const s = est({ params: { quickAcks: 0 }, peer: { timestamp: { value: 1, echo: 0 } } })
    const segs = [0, 1, 2, 3].map((i) => T.fromPeer({ seq: i * MSS, payload: T.octets(MSS, i * MSS), options: T.ts(100 + i, 0) }))
    expect(T.seenAll(s.send(10, ...segs))).toMatchObject([
      { ack: 2 * MSS, options: { timestamp: { echo: 100 } } },
      { ack: 4 * MSS, options: { timestamp: { echo: 102 } } }
    ])
  })
  it("a reset of ours carries the timestamp (RFC 7323 §3.2 SHOULD; Linux's tcp_send_active_reset), an abort's and an unread close's", () => {
    for (const unread of [false, true]) {
      const s = tsEst()
      s.send(10, T.fromPeer({ seq: 0, payload: "ab", options: T.ts(100, 0) }))
      const out: Array<import("../../src/tcp/Segment.js").OutSegment> = []
      Sender.abort(s.snd, 20, out, unread)
      expect(out).toMatchObject([{ flags: RST | ACK, options: { timestamp: { echo: 100 } } }])
    }
  })
  it("an older timestamp than TS.Recent is refused by PAWS (RFC 7323 §5.3): ACKed, not taken", () => {
    const s = tsEst()
    s.send(10, T.fromPeer({ seq: 0, payload: "ab", options: T.ts(100, 0) }))
    s.read(11)
    const out = s.send(20, T.fromPeer({ seq: 2, payload: "cd", options: T.ts(98, 0) }))
    expect(T.seenAll(out)).toMatchObject([{ ack: 2, len: 0 }])
    expect(s.read(21).data.length).toBe(0)
  })
  it("one tick older than TS.Recent is taken (Linux's replay window, TCP_PAWS_WINDOW), and TS.Recent does not go back", () => {
    const s = tsEst()
    s.send(10, T.fromPeer({ seq: 0, payload: "ab", options: T.ts(100, 0) }))
    s.send(20, T.fromPeer({ seq: 2, payload: "cd", options: T.ts(99, 0) }))
    expect(T.text(s.read(21).data)).toBe("abcd")
    expect(s.rcv.tsRecent).toBe(100)
    // measured against 100 still: 98 is two ticks older
    const out = s.send(30, T.fromPeer({ seq: 4, payload: "ef", options: T.ts(98, 0) }))
    expect(T.seenAll(out)).toMatchObject([{ ack: 4, len: 0 }])
    expect(s.read(31).data.length).toBe(0)
  })
})

describe("ESTABLISHED: the receive buffer going round", () => {
  it("full, then read in part: exactly what was read is taken again, and every octet arrives in order", () => {
    const s = est()
    const segs = []
    for (let off = 0; off < BUF; off += 1024) segs.push(T.fromPeer({ seq: off, payload: T.octets(1024, off) }))
    s.send(10, ...segs)
    expect(T.text(s.read(20, 5000).data)).toBe(T.octetsText(5000))
    // one octet more than the read made room for, with data unread: refused whole (Linux 6.17's
    // tcp_sequence), a duplicate ACK
    expect(T.seenAll(s.send(30, T.fromPeer({ seq: BUF, payload: T.octets(5001, BUF) })))).toMatchObject([{ ack: BUF, window: 5000 }])
    // exactly what the read made room for is taken (several full-sized segments' worth: acknowledged at once)
    expect(T.seenAll(s.send(40, T.fromPeer({ seq: BUF, payload: T.octets(5000, BUF) })))).toMatchObject([{ ack: BUF + 5000, window: 0 }])
    expect(T.text(s.read(80).data)).toBe(T.octetsText(BUF - 5000, 5000) + T.octetsText(5000, BUF))
  })
})

describe("ESTABLISHED: out of order, SACK (RFC 2018)", () => {
  const sackEst = (ts = false) =>
    est({ peer: { sackPermitted: true, ...(ts ? { timestamp: { value: 1, echo: 0 } } : {}) } })
  const seg = (from: number, len: number) => T.fromPeer({ seq: from, payload: T.octets(len, from) })

  it("a reset of ours carries our SACK blocks too, as every segment of Linux's (tcp_send_active_reset → tcp_established_options)", () => {
    for (const ts of [false, true]) {
      const s = sackEst(ts)
      s.send(10, seg(100, 100))
      const out: Array<import("../../src/tcp/Segment.js").OutSegment> = []
      Sender.abort(s.snd, 20, out)
      expect(out).toMatchObject([{ flags: RST | ACK, options: { sack: [block(100, 200)] } }])
      expect(out[0]!.options.timestamp !== undefined).toBe(ts)
    }
  })
  it("RFC 2018 §4 case 1: the first segment lost, each later one ACKed at once with the block grown", () => {
    const s = sackEst()
    for (let i = 1; i <= 4; i++) {
      const out = s.send(10 * i, seg(500 * i, 500))
      expect(T.seenAll(out)).toEqual([ackSeg(0, 0, BUF, { sackPermitted: false, sack: [block(500, 500 * (i + 1))] })])
    }
    // the hole fills: everything is delivered and acknowledged at once, no blocks left
    const out = s.send(100, seg(0, 500))
    expect(T.seenAll(out)).toEqual([ackSeg(0, 2500, BUF - 2500)])
    expect(T.text(s.read(101).data)).toBe(T.octetsText(2500))
  })
  it("RFC 2018 §4 case 2: every other segment lost, blocks most recent first; case 3: a hole filled merges two", () => {
    const s = sackEst()
    s.send(10, seg(0, 500)) // in order: ACK delayed
    expect(T.seenAll(s.send(20, seg(1000, 500)))).toEqual([
      ackSeg(0, 500, BUF - 500, { sackPermitted: false, sack: [block(1000, 1500)] })
    ])
    expect(T.seenAll(s.send(30, seg(2000, 500)))).toEqual([
      ackSeg(0, 500, BUF - 500, { sackPermitted: false, sack: [block(2000, 2500), block(1000, 1500)] })
    ])
    expect(T.seenAll(s.send(40, seg(3000, 500)))).toEqual([
      ackSeg(0, 500, BUF - 500, { sackPermitted: false, sack: [block(3000, 3500), block(2000, 2500), block(1000, 1500)] })
    ])
    // case 3: the segment at 1500 arrives: [1000, 2500) is one block, and first
    expect(T.seenAll(s.send(50, seg(1500, 500)))).toEqual([
      ackSeg(0, 500, BUF - 500, { sackPermitted: false, sack: [block(1000, 2500), block(3000, 3500)] })
    ])
  })
  it("an ACK for part of a batch carries the blocks of its moment: none before the batch's out-of-order segment, which the batch's own ACK reports", () => {
    // four in order, one lost, one beyond it: the ACKs after the 2nd and 4th segments report nothing
    // held out of order (that came later); had they carried the batch's final block, the sender
    // would read the octets between their ACK number and the block as lost and send them again.
    // The one after the 4th goes although the batch's own ACK has its number, since that one
    // carries a block (Linux sends the same three)
    const s = sackEst()
    const out = s.send(10, seg(0, 500), seg(500, 500), seg(1000, 500), seg(1500, 500), seg(2500, 500))
    expect(T.seenAll(out)).toEqual([
      ackSeg(0, 1000, BUF - 1000),
      ackSeg(0, 2000, BUF - 2000),
      ackSeg(0, 2000, BUF - 2000, { sackPermitted: false, sack: [block(2500, 3000)] })
    ])
    // held out of order before the batch, a block is reported by every ACK of it, as it stood then
    // (and with data held out of order, every segment into the hole has its own ACK: below)
    const later = s.send(20, seg(2000, 100), seg(2100, 100), seg(2200, 100), seg(3500, 500))
    expect(T.seenAll(later)).toEqual([
      ackSeg(0, 2100, BUF - 2100, { sackPermitted: false, sack: [block(2500, 3000)] }),
      ackSeg(0, 2200, BUF - 2200, { sackPermitted: false, sack: [block(2500, 3000)] }),
      ackSeg(0, 2300, BUF - 2300, { sackPermitted: false, sack: [block(2500, 3000)] }),
      ackSeg(0, 2300, BUF - 2300, { sackPermitted: false, sack: [block(3500, 4000), block(2500, 3000)] })
    ])
  })
  it("with data held out of order, each segment into the hole is acknowledged on its own, as Linux does: a lost ACK then costs the sender no timeout", () => {
    const s = sackEst()
    s.send(10, seg(0, 500))
    s.send(20, seg(1000, 500)) // [500, 1000) lost: [1000, 1500) held
    // one batch: the retransmission fills the hole, the next new segment is lost, the one after it
    // held: two ACKs, the first for the filled hole; alone it would be the only word of either
    // segment, and if it were lost the sender would know of neither and wait for its RTO
    const out = s.send(30, seg(500, 500), seg(2000, 500))
    expect(T.seenAll(out)).toEqual([
      ackSeg(0, 1500, BUF - 1500),
      ackSeg(0, 1500, BUF - 1500, { sackPermitted: false, sack: [block(2000, 2500)] })
    ])
    // a segment that fills only part of a hole, alone in its batch: acknowledged at once, not after
    // the delayed-ACK time (a hole of several segments resent one per batch would wait 40 ms each)
    const p = est({ params: { quickAcks: 0 }, peer: { sackPermitted: true } })
    p.send(10, seg(0, 500))
    p.send(20, seg(2000, 500)) // [500, 2000) lost: [2000, 2500) held
    expect(T.seenAll(p.send(30, seg(500, 500)))).toEqual([
      ackSeg(0, 1000, BUF - 1000, { sackPermitted: false, sack: [block(2000, 2500)] })
    ])
    // a batch that ends on the peer's FIN, the FIN right after data: one ACK covers both
    const f = sackEst()
    f.send(10, seg(0, 500), seg(500, 500))
    expect(T.seenAll(f.send(20, seg(1000, 500), T.fromPeer({ seq: 1500, payload: T.octets(500, 1500), flags: ACK | FIN })))).toEqual([
      ackSeg(0, 2001, BUF - 2001)
    ])
  })
  it("a block that ends at the peer's FIN covers the FIN too, as Linux's: a sender counting whole segments finds the last one in it", () => {
    const s = sackEst()
    const out = s.send(10, T.fromPeer({ seq: 1000, payload: T.octets(500, 1000), flags: ACK | FIN }))
    expect(T.seenAll(out)).toEqual([ackSeg(0, 0, BUF, { sackPermitted: false, sack: [block(1000, 1501)] })])
    // data before it, held out of order too, keeps its own edge
    expect(s.send(20, seg(200, 100))[0]!.options.sack).toEqual([block(200, 300), block(1000, 1501)])
  })
  it("blocks across the 2^32 wrap: left 0xfffffffb, right 0x0000000f", () => {
    const s = sackEst()
    const out = s.send(10, seg(10, 20))
    expect(out[0]!.options.sack).toEqual([{ left: Seq.make(0xfffffffb), right: Seq.make(0x0000000f) }])
    s.send(20, seg(0, 10))
    expect(T.text(s.read(21).data)).toBe(T.octetsText(30))
  })
  it("at most 4 blocks, or 3 beside timestamps (RFC 2018 §3: 40 octets of options)", () => {
    for (const [ts, max] of [[false, 4], [true, 3]] as const) {
      const s = sackEst(ts)
      let out: ReturnType<typeof s.send> = []
      for (let i = 1; i <= 5; i++) out = s.send(10 * i, seg(200 * i, 100))
      expect(out[0]!.options.sack).toEqual([1000, 800, 600, 400, 200].slice(0, max).map((l) => block(l, l + 100)))
    }
  })
  it("out-of-order data is held up to the whole window (no smaller cap on the queue: gVisor #9153)", () => {
    const s = sackEst()
    let out: ReturnType<typeof s.send> = []
    for (let from = 1000; from < BUF; from += 1000) out = s.send(from / 100, seg(from, Math.min(1000, BUF - from)))
    expect(out[0]!.options.sack).toEqual([block(1000, BUF)])
    // the hole fills: the whole buffer is delivered, the window closed
    expect(T.seenAll(s.send(200, seg(0, 1000)))).toEqual([ackSeg(0, BUF, 0)])
    expect(T.text(s.read(201).data)).toBe(T.octetsText(BUF))
  })
  it("RFC 2883 D-SACK: data wholly below RCV.NXT is reported as the first block of the next ACK, and of that ACK only", () => {
    const s = sackEst()
    s.send(10, seg(0, 500)) // in order: ACK delayed
    // the same segment again (the peer's retransmission was spurious): an ACK at once, saying so
    expect(T.seenAll(s.send(20, seg(0, 500)))).toEqual([
      ackSeg(0, 500, BUF - 500, { sackPermitted: false, sack: [block(0, 500)] })
    ])
    // the next ACK has the usual blocks only (§4: a duplicate is reported once)
    expect(T.seenAll(s.send(30, seg(1000, 500)))).toEqual([
      ackSeg(0, 500, BUF - 500, { sackPermitted: false, sack: [block(1000, 1500)] })
    ])
  })
  it("RFC 2883 D-SACK: a FIN again is reported too, its sequence octet (Linux's tcp_send_dupack covers the segment's whole space)", () => {
    const s = sackEst()
    s.send(10, T.fromPeer({ seq: 0, payload: T.octets(100), flags: FIN | ACK }))
    expect(s.state).toBe("CloseWait")
    // the FIN alone again, then with its data again
    const again = s.send(20, T.fromPeer({ seq: 100, flags: FIN | ACK }))
    expect(T.seenAll(again)).toMatchObject([{ ack: 101, flags: "ACK" }])
    expect(again.map((o) => o.options.sack)).toEqual([[block(100, 101)]])
    const both = s.send(30, T.fromPeer({ seq: 0, payload: T.octets(100), flags: FIN | ACK }))
    expect(both.map((o) => o.options.sack)).toEqual([[block(0, 101)]])
  })
  it("RFC 2883 D-SACK: a duplicate that PAWS drops (an older timestamp) is reported too, as Linux's tcp_send_dupack", () => {
    const s = sackEst(true)
    const stamped = (from: number, len: number, value: number) =>
      T.fromPeer({ seq: from, payload: T.octets(len, from), options: { sackPermitted: false, timestamp: { value, echo: 0 } } })
    s.send(10, stamped(0, 500, 5)) // TS.Recent 5
    const out = s.send(20, stamped(0, 500, 2)) // the same octets with an older timestamp
    expect(out.map((o) => o.options.sack)).toEqual([[block(0, 500)]])
  })
  it("RFC 2883 D-SACK: a segment partly below RCV.NXT reports the part that came twice; the rest is taken", () => {
    const s = sackEst()
    s.send(10, seg(0, 500))
    expect(T.seenAll(s.send(20, seg(250, 500)))).toEqual([
      ackSeg(0, 750, BUF - 750, { sackPermitted: false, sack: [block(250, 500)] })
    ])
    expect(T.text(s.read(21).data)).toBe(T.octetsText(750))
  })
  it("RFC 2883 §4.1.2: out-of-order data held already is reported first, the block holding it second", () => {
    for (const [ts, max] of [[false, 4], [true, 3]] as const) {
      const s = sackEst(ts)
      for (let i = 1; i <= 4; i++) s.send(10 * i, seg(1000 * i, 500))
      // [1000, 1500) again: the D-SACK block, then its block (the most recent now), then the others
      const out = s.send(50, seg(1000, 500))
      expect(out[0]!.options.sack).toEqual(
        [block(1000, 1500), block(1000, 1500), block(4000, 4500), block(3000, 3500), block(2000, 2500)].slice(0, max)
      )
    }
  })
  it("RFC 2018 §4: each segment of a batch beyond a hole draws its own ACK, its block first, so no block goes unreported", () => {
    for (const [ts, max] of [[false, 4], [true, 3]] as const) {
      const s = sackEst(ts)
      // five segments, each a block of its own, in one batch (as one read of the TAP brings them)
      const out = s.send(10, ...[1000, 1200, 1400, 1600, 1800].map((from) => seg(from, 100)))
      expect(out.map((o) => o.ack)).toEqual(Array(5).fill(peerSeq(0)))
      // the first block of each names the segment that drew it (the later ones then fill in the most recent)
      expect(out.map((o) => o.options.sack![0])).toEqual([1000, 1200, 1400, 1600, 1800].map((l) => block(l, l + 100)))
      expect(out.at(-1)!.options.sack).toEqual([1800, 1600, 1400, 1200, 1000].slice(0, max).map((l) => block(l, l + 100)))
      expect(out.every((o) => o.options.sack!.length <= max)).toBe(true)
    }
  })
  it("RFC 2883 §4: every duplicate of a batch is reported, each on the ACK it draws, and nothing owed after them", () => {
    const s = sackEst(true)
    s.send(10, seg(0, 500), seg(500, 500), seg(1000, 500))
    s.tick(100)
    // all three again, in one batch: three ACKs, each with the D-SACK block of its segment
    const out = s.send(200, seg(0, 500), seg(500, 500), seg(1000, 500))
    expect(out.map((o) => [o.ack, o.options.sack])).toEqual(
      [[0, 500], [500, 1000], [1000, 1500]].map(([l, r]) => [peerSeq(1500), [block(l!, r!)]])
    )
    expect(s.tick(1000)).toEqual([])
  })
  it("RFC 2883 §4.1.2 in a batch: a duplicate of held data, then a new block: each ACK in its turn, the D-SACK on the first only", () => {
    const s = sackEst()
    s.send(10, seg(1000, 500))
    const out = s.send(20, seg(1000, 500), seg(2000, 500))
    expect(out.map((o) => o.options.sack)).toEqual([
      [block(1000, 1500), block(1000, 1500)],
      [block(2000, 2500), block(1000, 1500)]
    ])
  })
  it("a duplicate when more blocks are held than fit beside its D-SACK: one ACK, the D-SACK and the most recent blocks", () => {
    const s = sackEst(true)
    s.send(10, seg(1000, 100), seg(2000, 100), seg(3000, 100), seg(4000, 100))
    const out = s.send(20, seg(1000, 100))
    expect(out.map((o) => o.options.sack)).toEqual([[block(1000, 1100), block(1000, 1100), block(4000, 4100)]])
  })
  it("data and FIN resent, part of it had: one ACK, which takes the FIN and D-SACKs the part that came twice", () => {
    const s = sackEst()
    s.send(10, seg(0, 500))
    const out = s.send(20, T.fromPeer({ seq: 0, payload: T.octets(1000), flags: ACK | FIN }))
    expect(out.map((o) => [T.ourAck(o), o.options.sack])).toEqual([[1001, [block(0, 500)]]])
    expect(s.state).toBe("CloseWait")
  })
  it("without SACK, a batch of segments beyond a hole draws as many duplicate ACKs (RFC 5681 §4.2), duplicates one", () => {
    const s = est()
    s.send(10, seg(0, 100))
    expect(T.seenAll(s.send(20, seg(200, 100), seg(300, 100), seg(400, 100)))).toEqual(Array(3).fill(ackSeg(0, 100, BUF - 100)))
    expect(T.seenAll(s.send(30, seg(0, 100), seg(0, 100)))).toEqual([ackSeg(0, 100, BUF - 100)])
  })
  it("without SACK negotiated, out-of-order data is still held and ACKed at once, with no blocks", () => {
    const s = est()
    expect(T.seenAll(s.send(10, seg(100, 100)))).toEqual([ackSeg(0, 0, BUF)])
    expect(T.seenAll(s.send(20, seg(0, 100)))).toEqual([ackSeg(0, 200, BUF - 200)])
    // nor a D-SACK block for a duplicate
    expect(T.seenAll(s.send(30, seg(0, 100)))).toEqual([ackSeg(0, 200, BUF - 200)])
  })
  it("a FIN behind a hole is taken when the hole fills", () => {
    const s = est()
    s.send(10, T.fromPeer({ seq: 5, payload: "world", flags: FIN | ACK }))
    expect(s.state).toBe("Established")
    const out = s.send(20, T.fromPeer({ seq: 0, payload: "hello" }))
    expect(s.state).toBe("CloseWait")
    // the right edge stays put: the FIN's sequence number counts, though it takes no buffer
    expect(T.seenAll(out)).toEqual([ackSeg(0, 11, BUF - 11)])
    expect(T.text(s.read(30).data)).toBe("helloworld")
  })
})

describe("ESTABLISHED: data out", () => {
  it("a write goes at once with PSH, and the peer's ACK settles it", () => {
    const s = est()
    expect(T.seenAll(s.write(10, "abc"))).toEqual([{
      seq: 0,
      ack: 0,
      flags: "PSH|ACK",
      window: BUF,
      options: NO_OPTS,
      len: 3,
      data: "abc"
    }])
    expect(s.send(20, T.fromPeer({ seq: 0, ack: 3 }))).toEqual([])
    expect(s.snd.rtoAt).toBe(undefined)
  })
  it("full segments of MSS, PSH on the last; our 2^32 wrap crossed on the way", () => {
    const s = est()
    // LOCAL_ISN + 1 is 0xffffff01: octet 255 of the stream has sequence number 0
    const out = s.write(10, T.octets(2 * MSS + 100))
    expect(T.seenAll(out).map((o) => [o.seq, o.len, o.flags])).toEqual([
      [0, MSS, "ACK"],
      [MSS, MSS, "ACK"],
      [2 * MSS, 100, "PSH|ACK"]
    ])
    expect(out.map((o) => T.text(o.payload)).join("")).toBe(T.octetsText(2 * MSS + 100))
    expect(out[1]!.seq).toBe(Seq.make(0xffffff01 + MSS - 0x100000000))
  })
  it("send buffer: small writes are coalesced into one segment, and a retransmission cut mid-write is exact", () => {
    const s = est({ params: { rtt: { initialRto: 1000, minRto: 200, maxRto: 120_000, granularity: 1 } } })
    s.snd.noDelay = false
    s.write(10, "ab") // goes alone
    expect(s.write(11, "cde")).toEqual([]) // Nagle: "ab" is unacknowledged
    expect(s.write(12, "fgh")).toEqual([])
    // the ACK of "ab" lets the rest go as one segment, spanning two writes
    expect(T.seenAll(s.send(20, T.fromPeer({ seq: 0, ack: 2 }))).map((o) => [o.seq, o.data])).toEqual([[2, "cdefgh"]])
    // a partial ACK in the middle of a write; the retransmission starts there
    s.send(30, T.fromPeer({ seq: 0, ack: 4 }))
    const rto = s.snd.rtoAt!
    expect(T.seenAll(s.tick(rto)).map((o) => [o.seq, o.data])).toEqual([[4, "efgh"]])
  })
  it("the peer's window is a hard limit; a shrunk window sends nothing new, a reopened one resumes where it stopped", () => {
    const s = est({ peerWindow: 2 * MSS })
    expect(s.write(10, T.octets(6 * MSS)).map((o) => [T.ourSeq(o), o.payload?.length])).toEqual([[0, MSS], [MSS, MSS]])
    // the peer acknowledges one segment but moves its right edge back (2 * MSS -> MSS + 1000)
    expect(s.send(20, T.fromPeer({ seq: 0, ack: MSS, window: 1000 }))).toEqual([])
    // nothing in flight is retransmitted for it, nor SND.NXT moved back
    expect(Seq.sub(s.snd.sndNxt, Seq.add(T.LOCAL_ISN, 1))).toBe(2 * MSS)
    const out = s.send(30, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 2 * MSS }))
    expect(out.map((o) => [T.ourSeq(o), o.payload?.length])).toEqual([[2 * MSS, MSS], [3 * MSS, MSS]])
  })
  it("an ACK without data carries the window's right edge, not SND.NXT, when SND.NXT lies beyond it (Linux's tcp_acceptable_seq)", () => {
    const s = est({ peerWindow: 2 * MSS })
    s.write(10, T.octets(6 * MSS))
    // the peer takes one segment and all but shuts its window (its buffer full): the second lies beyond the edge
    expect(s.send(20, T.fromPeer({ seq: 0, ack: MSS, window: 100 }))).toEqual([])
    expect(Seq.sub(s.snd.sndNxt, Seq.add(T.LOCAL_ISN, 1))).toBe(2 * MSS)
    // its data is acknowledged at SEQ = SND.UNA + SND.WND: at SND.NXT, outside its window, a Linux
    // peer would drop the segment unread and never see the ACK (RFC 9293 §3.10.7.4)
    expect(T.seenAll(s.send(30, T.fromPeer({ seq: 0, ack: MSS, window: 100, payload: "abc" })))).toEqual([
      ackSeg(MSS + 100, 3, BUF - 3)
    ])
    // once the window takes SND.NXT in again, ACKs carry SND.NXT
    const out = T.seenAll(s.send(40, T.fromPeer({ seq: 3, ack: 2 * MSS, window: 100, payload: "de" })))
    expect(out.filter((o) => o.len === 0)).toEqual([ackSeg(2 * MSS, 5, BUF - 5)])
  })
  it("an ACK at exactly our window's right edge is read, not dropped (Linux's tcp_sequence)", () => {
    const s = est()
    s.write(10, "abc")
    // a Linux peer whose SND.NXT lies beyond our window acknowledges at its right edge (tcp_acceptable_seq)
    expect(s.send(20, T.fromPeer({ seq: BUF, ack: 3 }))).toEqual([])
    expect(Seq.sub(s.snd.sndUna, Seq.add(T.LOCAL_ISN, 1))).toBe(3)
    // one octet further is outside: a duplicate ACK answers it, and its ACK is not taken
    s.write(30, "de")
    expect(T.seenAll(s.send(40, T.fromPeer({ seq: BUF + 1, ack: 5 })))).toEqual([ackSeg(5, 0, BUF)])
    expect(Seq.sub(s.snd.sndUna, Seq.add(T.LOCAL_ISN, 1))).toBe(3)
  })
  it("a segment with an older SEQ that acknowledges new data brings its window (Linux's tcp_may_update_window)", () => {
    const s = est({ peerWindow: 4 * MSS })
    s.write(10, T.octets(8 * MSS))
    // the peer's newest segment (its data from 100 on, a hole before it) carries the old window...
    s.send(20, T.fromPeer({ seq: 100, ack: 0, window: 4 * MSS, payload: "x" }))
    // ...then its resend of the hole, an older SEQ, acknowledges two segments and shuts the window to 100
    s.send(30, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 100, payload: "abc" }))
    expect(s.snd.sndWnd).toBe(100)
    // so nothing new goes past SND.UNA + 100 (SND.NXT is already at 4 MSS)
    expect(Seq.sub(s.snd.sndNxt, Seq.add(T.LOCAL_ISN, 1))).toBe(4 * MSS)
  })
  it("the payload is the MSS less the options: 12 octets of timestamps, and SACK blocks when they ride along", () => {
    const s = est({ peer: { sackPermitted: true, timestamp: { value: 1, echo: 0 } } })
    expect(s.write(10, T.octets(2 * MSS)).map((o) => o.payload?.length)).toEqual([MSS - 12, MSS - 12, 24])
    // hold one block out of order: the next segments carry it (4 + 8 octets more)
    s.send(20, T.fromPeer({ seq: 100, payload: "x", ack: 2 * MSS, options: T.ts(2, 10) }))
    const out = s.write(30, T.octets(2 * MSS))
    expect(out[0]!.options.sack).toEqual([block(100, 101)])
    expect(out[0]!.payload?.length).toBe(MSS - 12 - 12)
  })
})

describe("ESTABLISHED: ACK timing and the receive window", () => {
  it("a read that at least doubles the window is announced at once; smaller moves are not (RFC 1122 §4.2.3.3)", () => {
    const s = est()
    // fill the buffer: the window closes
    const segs = []
    for (let off = 0; off < BUF; off += 1024) segs.push(T.fromPeer({ seq: off, payload: T.octets(1024, off) }))
    // one ACK per two segments (RFC 1122 §4.2.3.2), the last with the window closed
    const acks = T.seenAll(s.send(10, ...segs))
    expect(acks).toHaveLength(BUF / 1024 / 2)
    expect(acks.at(-1)).toEqual(ackSeg(0, BUF, 0))
    // 1000 octets read: the edge would move less than one MSS (min(BUF / 2, MSS)): nothing sent
    expect(s.read(20, 1000).out).toEqual([])
    // 1500 read in all: the window goes from 0 to 1500, the edge by more than an MSS
    expect(T.seenAll(s.read(30, 500).out)).toEqual([ackSeg(0, BUF, 1500)])
    // 2900 read: the window would be 2900 < 2 × 1500: not announced
    expect(s.read(40, 1400).out).toEqual([])
    // 3000 read: the window doubles (1500 -> 3000): announced
    expect(T.seenAll(s.read(50, 100).out)).toEqual([ackSeg(0, BUF, 3000)])
    // 4500 read: the edge moves 1500 (more than an MSS) but 4500 < 2 × 3000: not at once (Linux tcp_cleanup_rbuf)
    expect(s.read(60, 1500).out).toEqual([])
    // it goes with the next ACK
    expect(T.seenAll(s.send(70, T.fromPeer({ seq: 0, payload: "a" })))).toEqual([ackSeg(0, BUF, 4500)])
  })
  it("an ACK does not announce an edge moved by less than an MSS (receiver silly-window avoidance)", () => {
    const s = est()
    const segs = []
    for (let off = 0; off < BUF; off += 1024) segs.push(T.fromPeer({ seq: off, payload: T.octets(1024, off) }))
    s.send(10, ...segs)
    s.read(20, 1000) // edge could move 1000: less than an MSS
    // an ACK drawn now (by a duplicate) still says 0
    expect(T.seenAll(s.send(30, T.fromPeer({ seq: 0, payload: "a" })))).toEqual([ackSeg(0, BUF, 0)])
    // 500 more: the edge moves 1500, more than an MSS: the next ACK announces it
    s.read(40, 500)
    expect(T.seenAll(s.send(50, T.fromPeer({ seq: 0, payload: "a" })))).toEqual([ackSeg(0, BUF, 1500)])
  })
  it("after a 100 KB read the next ACK announces the whole buffer again (scaled)", () => {
    const big = 256 * 1024
    const s = T.established({
      params: { receiveBuffer: big, maxReceiveBuffer: big },
      peerOptions: { mss: MSS, sackPermitted: false, windowScale: 7 },
      peerWindow: 500
    })
    const shift = 3 // 256 KiB / 2^3 = 32768 fits 16 bits, / 2^2 does not
    const segs = []
    for (let off = 0; off < 100_000; off += 1000) segs.push(T.fromPeer({ seq: off, payload: T.octets(1000, off) }))
    const acks = T.seenAll(s.send(10, ...segs))
    expect(acks).toHaveLength(50)
    expect(acks.at(-1)).toEqual(ackSeg(0, 100_000, Math.ceil((big - 100_000) / 2 ** shift)))
    s.read(20)
    s.send(30, T.fromPeer({ seq: 100_000, payload: "x" }))
    expect(T.seenAll(s.tick(70))).toEqual([ackSeg(0, 100_001, Math.ceil((big - 1) / 2 ** shift))])
  })
})

describe("ESTABLISHED: ACK every second segment of a batch", () => {
  it("a batch of five segments draws ACKs after the 2nd and 4th, and the batch's own after the 5th, ACK numbers rising", () => {
    const s = est()
    const segs = []
    for (let off = 0; off < 5 * 1000; off += 1000) segs.push(T.fromPeer({ seq: off, payload: T.octets(1000, off) }))
    const acks = s.send(10, ...segs)
    expect(acks.map(T.ourAck)).toEqual([2000, 4000, 5000])
    expect(acks.every((a) => a.flags === ACK && a.payload === undefined)).toBe(true)
  })
  it("a batch of one segment is acknowledged after the delayed-ACK time", () => {
    const s = est({ params: { quickAcks: 0 } })
    expect(s.send(10, T.fromPeer({ seq: 0, payload: T.octets(1000, 0) }))).toEqual([])
    expect(s.tick(49)).toEqual([])
    expect(s.tick(50).map(T.ourAck)).toEqual([1000])
  })
})

describe("ESTABLISHED: RFC 5961", () => {
  it("an RST at RCV.NXT exactly resets", () => {
    const s = est()
    s.send(10, T.fromPeer({ seq: 0, payload: "abc" }))
    expect(s.send(20, T.fromPeer({ seq: 3, flags: RST }))).toEqual([])
    expect(s.state).toBe("Closed")
    expect(s.snd.failure).toBe("Reset")
  })
  it("an RST elsewhere in the window draws a challenge ACK and changes nothing (§3.2)", () => {
    for (const flags of [RST, RST | ACK]) {
      const s = est()
      expect(T.seenAll(s.send(20, T.fromPeer({ seq: 1, flags })))).toEqual([ackSeg(0, 0, BUF)])
      // (500 ms on: the connection answers a refused segment once per 500 ms, a challenge too)
      expect(T.seenAll(s.send(520, T.fromPeer({ seq: BUF - 1, flags })))).toEqual([ackSeg(0, 0, BUF)])
      expect(s.state).toBe("Established")
    }
  })
  it("with SACK, an RST at the right edge of the highest block held out of order resets (Linux's tcp_validate_incoming)", () => {
    // the peer's 0..100 is lost, 100..300 held; it aborts, its RST carrying its SND.NXT, 300
    const s = est({ peer: { sackPermitted: true } })
    s.send(10, T.fromPeer({ seq: 100, payload: T.octets(100, 100) }), T.fromPeer({ seq: 200, payload: T.octets(100, 200) }))
    expect(s.send(20, T.fromPeer({ seq: 300, flags: RST }))).toEqual([])
    expect([s.state, s.snd.failure]).toEqual(["Closed", "Reset"])
    // elsewhere in the window still a challenge
    const t = est({ peer: { sackPermitted: true } })
    t.send(10, T.fromPeer({ seq: 100, payload: T.octets(100, 100) }))
    expect(t.send(20, T.fromPeer({ seq: 150, flags: RST }))).toHaveLength(1)
    expect(t.state).toBe("Established")
  })
  it("an RST outside the window is dropped silently", () => {
    const s = est()
    expect(s.send(20, T.fromPeer({ seq: BUF, flags: RST }))).toEqual([])
    expect(s.send(20, T.fromPeer({ seq: -1, flags: RST }))).toEqual([])
    expect(s.send(20, T.fromPeer({ seq: 0x40000000, flags: RST }))).toEqual([])
    expect(s.state).toBe("Established")
  })
  it("challenge ACKs are rate-limited, per connection and by the stack's rate; the limits do not touch ordinary ACKs", () => {
    const told: Array<[number, boolean]> = []
    const s = est({ params: { challengeAcksPerSecond: 1, onChallenge: (n, answered) => told.push([n, answered]) } })
    const rst = (n: number) => T.fromPeer({ seq: n, flags: RST })
    expect(s.send(20, rst(1))).toHaveLength(1)
    // within 500 ms of that answer: the connection's own limit (Linux's tcp_send_challenge_ack
    // checks the socket's limit of out-of-window answers first)
    expect(s.send(21, rst(2))).toEqual([])
    // past it, but the rate of one a second is spent
    expect(s.send(520, rst(3))).toEqual([])
    expect(s.send(1020, rst(4))).toHaveLength(1)
    // the stack's counters hear of both answers and of the two the limits left unanswered
    expect(told).toEqual([[1, true], [1, false], [1, false], [1, true]])
    // a duplicate segment still draws its ACK
    expect(T.seenAll(s.send(1021, T.fromPeer({ seq: -1, payload: "x" })))).toEqual([ackSeg(0, 0, BUF)])
  })
  it("a SYN, in the window or an old one, draws a challenge ACK, never a reset (§4.2)", () => {
    const s = est()
    expect(T.seenAll(s.send(20, T.fromPeer({ seq: 10, flags: SYN })))).toEqual([ackSeg(0, 0, BUF)])
    expect(T.seenAll(s.send(520, T.fromPeer({ seq: -1, flags: SYN })))).toEqual([ackSeg(0, 0, BUF)])
    expect(s.state).toBe("Established")
  })
  it("an ACK of data never sent draws an ACK and the segment is dropped, data and all (§5.2)", () => {
    const s = est()
    s.write(10, "abc")
    expect(T.seenAll(s.send(20, T.fromPeer({ seq: 0, ack: 4, payload: "xyz" })))).toEqual([ackSeg(3, 0, BUF)])
    expect(s.received).toEqual([])
    expect(Seq.sub(s.snd.sndUna, Seq.add(T.LOCAL_ISN, 1))).toBe(0)
  })
  it("an ACK older than SND.UNA - MAX.SND.WND draws a challenge ACK, data dropped (§5.2)", () => {
    const s = est({ peerWindow: 1000 })
    // 2000 octets acknowledged first, so that MAX.SND.WND is the bound (not what was acknowledged)
    s.write(1, T.octets(1000))
    s.send(2, T.fromPeer({ seq: 0, ack: 1000, window: 1000 }))
    s.write(3, T.octets(1000, 1000))
    s.send(4, T.fromPeer({ seq: 0, ack: 2000, window: 1000 }))
    const out = s.send(20, T.fromPeer({ seq: 0, ack: 2000 - 1002, payload: "xyz", window: 1000 }))
    expect(T.seenAll(out)).toEqual([ackSeg(2000, 0, BUF)])
    expect(s.received).toEqual([])
    // within MAX.SND.WND it is an old ACK: the data is taken
    s.send(30, T.fromPeer({ seq: 0, ack: 2000 - 999, payload: "xyz", window: 1000 }))
    expect(s.received.map(T.text)).toEqual(["xyz"])
  })
  it("and no older than what the peer ever acknowledged (Linux's tcp_ack: min(max_window, bytes_acked)): data under an ACK of our ISN or before is dropped with a challenge ACK", () => {
    const s = est()
    s.write(1, "abcdefghij")
    s.send(2, T.fromPeer({ seq: 0, ack: 10 }))
    // back to the first octet we sent: an old ACK, the data taken
    s.send(10, T.fromPeer({ seq: 0, ack: 0, payload: "x" }))
    expect(s.received.map(T.text)).toEqual(["x"])
    // before it (a blind injection's guess, well inside the peer's window): challenged, dropped
    // (500 ms apart: one challenge per 500 ms, data or not)
    for (const [ack, at] of [[-1, 20], [-5000, 520]] as const) {
      const out = s.send(at, T.fromPeer({ seq: 1, ack, payload: "y" }))
      expect(T.seenAll(out)).toEqual([ackSeg(10, 1, BUF - 1)])
      expect(s.received.map(T.text)).toEqual(["x"])
    }
  })
})

describe("ESTABLISHED: Nagle (RFC 1122 §4.2.3.4, Minshall's variant as Linux)", () => {
  it("one small segment in flight at most; the rest waits for its ACK", () => {
    const s = est()
    expect(T.seenAll(s.write(10, "a")).map((o) => o.data)).toEqual(["a"])
    expect(s.write(11, "b")).toEqual([])
    expect(s.write(12, "c")).toEqual([])
    expect(T.seenAll(s.send(20, T.fromPeer({ seq: 0, ack: 1 }))).map((o) => [o.seq, o.data])).toEqual([[1, "bc"]])
  })
  it("a full segment is never held back; only the small tail waits", () => {
    const s = est()
    s.write(10, "a")
    const out = s.write(11, T.octets(MSS + 40))
    expect(out.map((o) => [T.ourSeq(o), o.payload?.length])).toEqual([[1, MSS]])
  })
  it("noDelay sends every write at once", () => {
    const s = est()
    s.snd.noDelay = true
    expect(s.write(10, "a")).toHaveLength(1)
    expect(T.seenAll(s.write(11, "b"))).toMatchObject([{ seq: 1, data: "b" }])
    expect(T.seenAll(s.write(12, "c"))).toMatchObject([{ seq: 2, data: "c" }])
  })
  it("an SND.SML from 2^31 octets ago does not look like a small segment in flight (Linux's tcp_minshall_check)", () => {
    const s = est()
    // a bulk transfer's full segments moved SND.UNA and SND.NXT 2^31 + 100 octets past the last small one
    const far = 2 ** 31 + 100
    s.snd.sndUna = Seq.add(s.snd.sndUna, far)
    s.snd.sndNxt = s.snd.sndUna
    s.snd.sndMax = s.snd.sndUna
    s.snd.buffer.start = s.snd.sndUna
    s.snd.rack.endSeq = s.snd.sndUna
    // (in sequence-number terms it now lies ahead of SND.UNA, but behind SND.NXT it does not)
    expect(Seq.gt(s.snd.sndSml, s.snd.sndUna)).toBe(true)
    expect(s.write(10, "a")).toHaveLength(1)
  })
  it("the FIN is not held by Nagle: the tail goes with it", () => {
    const s = est()
    s.write(10, "a")
    s.write(11, "b")
    expect(T.seenAll(s.end(12))).toMatchObject([{ seq: 1, data: "b", flags: "FIN|PSH|ACK" }])
  })
})

describe("ESTABLISHED: zero window (RFC 9293 §3.8.6.1)", () => {
  /** A connection whose peer closed its window after taking `n` octets. */
  const closed = (n = 100) => {
    const s = est()
    s.write(0, T.octets(n))
    // (acknowledged at once: an SRTT of 0, so the RTO is the floor, 200 ms)
    s.send(0, T.fromPeer({ seq: 0, ack: n, window: 0 }))
    return s
  }
  it("data waits; probes of one octet go at RTO, then back off ×2 each", () => {
    const s = closed()
    expect(s.write(20, "hello")).toEqual([])
    // the RTO is 200 ms: the first probe at 20 + 200
    expect(s.tick(219)).toEqual([])
    const probe = s.tick(220)
    expect(T.seenAll(probe)).toEqual([{ seq: 100, ack: 0, flags: "ACK", window: BUF, options: NO_OPTS, len: 1, data: "h" }])
    // the peer answers the probe with its window still 0: 400 ms from the answer (Linux's
    // tcp_ack_probe), then, unanswered, 800 ms from that probe
    expect(s.send(230, T.fromPeer({ seq: 0, ack: 100, window: 0 }))).toEqual([])
    expect(s.tick(629)).toEqual([])
    expect(T.seenAll(s.tick(630))).toMatchObject([{ seq: 100, len: 1, data: "h" }])
    expect(s.tick(1429)).toEqual([])
    expect(T.seenAll(s.tick(1430))).toMatchObject([{ seq: 100, len: 1, data: "h" }])
    expect(s.state).toBe("Established")
  })
  // Linux 6.18's tcp_ack_probe: an ACK that finds nothing out (tcp_ack's no_queue) while the head
  // still does not fit the window re-arms the probe timer at now + tcp_probe0_when (the RTO shifted by
  // icsk_backoff, which tcp_send_probe0 raised at the probe): the next probe goes that long after the
  // answer, not after the probe. A peer that answers late pushes the next probe on by its lateness.
  it("an answered probe re-arms the persist timer from the answer, backed off as before (Linux's tcp_ack_probe: now + tcp_probe0_when)", () => {
    const s = closed()
    s.write(20, "hello")
    expect(T.seenAll(s.tick(220))).toMatchObject([{ seq: 100, len: 1 }])
    // answered 150 ms late, the window still shut: the next probe 400 ms after the answer
    expect(s.send(370, T.fromPeer({ seq: 0, ack: 100, window: 0 }))).toEqual([])
    expect(s.snd.persistAt).toBe(370 + 400)
    expect(s.tick(769)).toEqual([])
    expect(T.seenAll(s.tick(770))).toMatchObject([{ seq: 100, len: 1 }])
    // a second answer before the third probe: 800 ms from it; a later duplicate of it again from then
    s.send(800, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    expect(s.snd.persistAt).toBe(800 + 800)
    s.send(900, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    expect(s.snd.persistAt).toBe(900 + 800)
    expect(s.tick(1699)).toEqual([])
    expect(T.seenAll(s.tick(1700))).toMatchObject([{ seq: 100, len: 1 }])
    expect(s.state).toBe("Established")
  })
  // Linux keeps one icsk_backoff for the retransmission timer and the probe timer, and
  // tcp_probe0_when shifts icsk_rto, which the expiries already doubled, by it. A shut window's
  // expiry (out_reset_timer: RTO 400, backoff 1) whose resend an ACK of everything covers (no
  // sample, Karn: the backoff stays): the first probe at the backed-off RTO (tcp_check_probe_timer,
  // tcp_probe0_base), the next 400 << 2 after it, not 800. (The kernel shows it too:
  // test/kernel/ConformanceWindow.test.ts, "a zero window after a shut window's timeout".)
  it("after a shut window's timeout the probes back off from the expiry's backoff as well (Linux's one icsk_backoff in tcp_probe0_when)", () => {
    const s = est()
    s.write(0, T.octets(3 * MSS))
    s.send(0, T.fromPeer({ seq: 0, ack: MSS, window: 0 }))
    // the shut window's expiry resends the head and doubles the RTO
    expect(T.seenAll(s.tick(200))).toMatchObject([{ seq: MSS, len: MSS }])
    expect(s.snd.rtt.rto).toBe(400)
    // everything acknowledged, the window still shut, no RTT sample: a write waits for the probe timer
    s.send(250, T.fromPeer({ seq: 0, ack: 3 * MSS, window: 0 }))
    expect(s.write(260, "hello")).toEqual([])
    expect(s.snd.persistAt).toBe(260 + 400)
    expect(T.seenAll(s.tick(660))).toMatchObject([{ seq: 3 * MSS, len: 1 }])
    expect(s.snd.persistAt).toBe(660 + 1600)
    // answered, the window still shut: from the answer, as far
    s.send(700, T.fromPeer({ seq: 0, ack: 3 * MSS, window: 0 }))
    expect(s.snd.persistAt).toBe(700 + 1600)
    // the window opens: the backoff ends with the probes' (tcp_ack_probe); the RTO stays 400 until a sample
    expect(T.seenAll(s.send(800, T.fromPeer({ seq: 0, ack: 3 * MSS, window: MSS })))).toMatchObject([{ seq: 3 * MSS, len: 5 }])
    expect(s.snd.rtt.backoffs).toBe(0)
    expect(s.snd.rtt.rto).toBe(400)
  })
  // Linux 6.18's tcp_ack_probe clears the probe timer and its backoff only when the head fits the
  // window the ACK brings (`!after(end_seq, tcp_wnd_end)`); a window opened below it re-arms the timer
  // at now + tcp_probe0_when, the backoff kept, and nothing goes before it (tcp_snd_wnd_test), where
  // tcp_send_probe0's tcp_write_wakeup sends what fits.
  it("a window opened below the segment waiting keeps the persist timer backed off: what fits goes a backed-off interval after the update (Linux's tcp_ack_probe)", () => {
    const s = closed()
    s.write(20, T.octets(1000))
    expect(T.seenAll(s.tick(220))).toMatchObject([{ seq: 100, len: 1 }])
    s.send(230, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    expect(T.seenAll(s.tick(630))).toMatchObject([{ seq: 100, len: 1 }])
    // the window opens to 100 octets, below the 1000 waiting: nothing now, the timer 4 RTOs on
    expect(s.send(700, T.fromPeer({ seq: 0, ack: 100, window: 100 }))).toEqual([])
    expect(s.snd.persistAt).toBe(700 + 800)
    expect(s.tick(1499)).toEqual([])
    expect(T.seenAll(s.tick(1500))).toMatchObject([{ seq: 100, len: 100 }])
    expect(s.snd.persistAt).toBeUndefined()
  })
  // (review54c) and no stall where Linux sends at the update: tcp_snd_wnd_test asks room for one MSS
  // of what waits, or all of it when less, so a window of a segment or more, or one that takes all
  // that waits, sends at once (tcp_ack_probe clears the timer, tcp_data_snd_check sends)
  it("a window opened to a full segment, or to all that waits, ends the persist timer and sends at the update", () => {
    const wide = closed()
    wide.write(20, T.octets(3 * MSS))
    expect(T.seenAll(wide.tick(220))).toMatchObject([{ seq: 100, len: 1 }])
    expect(T.seenAll(wide.send(300, T.fromPeer({ seq: 0, ack: 100, window: MSS + 10 })))).toMatchObject([{ seq: 100, len: MSS }])
    expect(wide.snd.persistAt).toBeUndefined()
    const small = closed()
    small.write(20, T.octets(300))
    expect(T.seenAll(small.tick(220))).toMatchObject([{ seq: 100, len: 1 }])
    expect(T.seenAll(small.send(300, T.fromPeer({ seq: 0, ack: 100, window: 500 })))).toMatchObject([{ seq: 100, len: 300 }])
    expect(small.snd.persistAt).toBeUndefined()
  })
  it("a peer gone with its window shut: after `retries` unanswered probes the connection fails with TimedOut (as Linux's tcp_probe_timer)", () => {
    const s = est({ params: { retries: 3 } })
    s.write(0, T.octets(100))
    s.send(0, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    s.write(20, "hello")
    // probes at 20 + 200 (an SRTT of 0: the RTO's floor), then 400 and 800 ms later: three, none answered
    expect(T.seenAll(s.tick(220))).toHaveLength(1)
    expect(T.seenAll(s.tick(620))).toHaveLength(1)
    expect(T.seenAll(s.tick(1420))).toHaveLength(1)
    expect(s.state).toBe("Established")
    // the fourth would go 1600 ms later: the connection gives up then instead
    expect(s.tick(3019)).toEqual([])
    expect(s.state).toBe("Established")
    expect(T.seenAll(s.tick(3020)).filter((o) => o.len > 0)).toEqual([])
    expect(s.state).toBe("Closed")
    expect(s.snd.failure).toBe("TimedOut")
  })
  // (was: the probe called off and the persist timer alone, one-octet probes. Linux keeps its one
  // timer with packets out: the loss probe stays armed; tcp_send_loss_probe cannot resend the last
  // segment past the shut window (__tcp_retransmit_skb's -EAGAIN) and re-arms the RTO, whose expiry
  // resends the first segment whole as the probe and counts no retry, tcp_retransmit_timer)
  it("the window shutting with a tail loss probe armed: the probe stays the one timer; it cannot go past the shut window, and the retransmission timer after it resends the first segment whole, no retry counted while the peer answers", () => {
    // SACK and an SRTT of 20 ms: three segments out arm a tail probe (RFC 8985 §7.2) at about 2 SRTT
    const s = est({ params: { retries: 3 }, peer: { sackPermitted: true } })
    for (let i = 0; i < 20; i++) {
      s.write(40 * i, "x")
      s.send(40 * i + 20, T.fromPeer({ seq: 0, ack: i + 1 }))
    }
    expect(s.write(1000, T.octets(3 * MSS))).toHaveLength(3)
    expect(s.snd.tlpAt).toBeDefined()
    // the peer shuts its window, acknowledging nothing
    s.send(1010, T.fromPeer({ seq: 0, ack: 20, window: 0 }))
    expect(s.snd.tlpAt).toBeDefined()
    expect(s.snd.persistAt).toBeUndefined()
    // 8 s of it, the peer answering every 500 ms: only the first segment goes, whole, and no retry is counted
    const segs: Array<[number, number]> = []
    for (let t = 1011; t <= 9000; t++) {
      segs.push(...T.seenAll(s.tick(t)).map((o): [number, number] => [o.seq, o.len]))
      if (t % 500 === 0) s.send(t, T.fromPeer({ seq: 0, ack: 20, window: 0 }))
    }
    expect(segs.length).toBeGreaterThan(3)
    expect(segs.every(([seq, len]) => seq === 20 && len === MSS)).toBe(true)
    expect(s.snd.persistAt).toBeUndefined()
    expect(s.snd.retries).toBe(0)
    expect(s.state).toBe("Established")
  })
  // (was: one-octet probes from the persist timer, and the go-back from SND.UNA when it opened)
  it("the window closing with everything written in flight: the first segment again whole at each backed-off timeout, and no timeout of the connection while the peer answers; the window opens on the resend's ACK: the timeout's recovery goes on", () => {
    // (the window closes on an ACK of part of the flight, after the last write: no write comes to notice it)
    const s = est({ params: { retries: 3 } })
    expect(sent(s.write(0, T.octets(3 * MSS)))).toBe(3 * MSS)
    expect(s.send(10, T.fromPeer({ seq: 0, ack: MSS, window: 0 }))).toEqual([])
    expect(s.snd.persistAt).toBe(undefined)
    // (the RTO: SRTT + 200, as Linux floors the variation)
    const rto = s.snd.rtt.rto
    expect(rto).toBeGreaterThanOrEqual(s.snd.rtt.srtt! + 200)
    expect(s.snd.rtoAt).toBe(10 + rto)
    const first = Math.ceil(10 + rto)
    expect(s.tick(first - 1)).toEqual([])
    expect(T.seenAll(s.tick(first)).map((o) => [o.seq, o.len])).toEqual([[MSS, MSS]])
    let t = first
    for (let i = 0; i < 10; i++) {
      s.send(t + 1, T.fromPeer({ seq: 0, ack: MSS, window: 0 }))
      t = s.snd.rtoAt!
      expect(T.seenAll(s.tick(t)).map((o) => [o.seq, o.len])).toEqual([[MSS, MSS]])
    }
    expect(s.state).toBe("Established")
    expect(s.snd.retries).toBe(0)
    // the window opens with the resend taken: slow start from one segment, the last one again
    const out = s.send(t + 1, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 64240 }))
    expect(T.seenAll(out).map((o) => [o.seq, o.len])).toEqual([[2 * MSS, MSS]])
  })
  it("a zero-window probe is no data sent for the restart after idle: a window that opens an RTO after the last data, soon after a probe, sends the restart window (Linux's probes carry no data and leave lsndtime; tcp_ack_update_window's tcp_slow_start_after_idle_check)", () => {
    const s = est({ params: { sendBuffer: 1 << 20 } })
    s.snd.cc.cwnd = 20 * MSS
    s.snd.cc.ssthresh = 20 * MSS
    expect(sent(s.write(0, T.octets(2 * MSS)))).toBe(2 * MSS)
    // all of it acknowledged, the window shut; more written, which waits
    expect(s.send(10, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 0 }))).toEqual([])
    expect(s.write(20, T.octets(30 * MSS))).toEqual([])
    const rto = s.snd.rtt.rto
    // two probes (an RTO, then two more, after the shut window), each answered shut
    let t = 0
    for (let i = 0; i < 2; i++) {
      t = s.snd.persistAt!
      expect(T.seenAll(s.tick(t))).toMatchObject([{ len: 1 }])
      s.send(t + 1, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 0 }))
    }
    expect(t).toBeGreaterThan(2 * rto)
    expect(50).toBeLessThan(rto)
    // the window opens 50 ms after the last probe, over two RTOs after the last data: restart, 20 -> 10
    const out = T.seenAll(s.send(t + 50, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 64240 })))
    expect(out.length).toBe(10)
  })
  // Linux 6.18: CUBIC moves its epoch on at CA_EVENT_TX_START, which tcp_event_data_sent raises when a
  // segment with data goes with nothing in flight, by the time since the last data sent (lsndtime, set
  // just after), capped at now (bictcp_cwnd_event). A write into a shut window sends nothing, so it
  // moves nothing; the restart check at the write (tcp_skb_entail's tcp_slow_start_after_idle_check)
  // is no TX_START. The epoch moves once, when the window opens and the data goes.
  it("a write into a shut window after idle moves CUBIC's epoch on only when the data goes, once (Linux's CA_EVENT_TX_START from tcp_event_data_sent)", () => {
    const s = est({ params: { sendBuffer: 1 << 20 } })
    s.snd.cc.cwnd = 20 * MSS
    s.snd.cc.ssthresh = 10 * MSS
    expect(sent(s.write(0, T.octets(2 * MSS)))).toBe(2 * MSS)
    // all of it acknowledged, the window shut (the epoch as CUBIC's congestion avoidance left it)
    expect(s.send(10, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 0 }))).toEqual([])
    s.snd.cc.epochStart = -500
    // more written at 100, which waits: nothing goes, nothing moves
    expect(s.write(100, T.octets(4 * MSS))).toEqual([])
    expect(s.snd.cc.epochStart).toBe(-500)
    // the window opens at 150 (less than an RTO after the last data: no restart): the data goes, and
    // the epoch moves on by the time since the last data sent, once, in whole jiffies as Linux's
    // `tcp_jiffies32 - lsndtime` (HZ 250: 0 ms is jiffy 0, 150 ms jiffy 37, so 148 ms)
    expect(150).toBeLessThan(s.snd.rtt.rto)
    expect(sent(s.send(150, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 64240 })))).toBe(4 * MSS)
    expect(s.snd.cc.epochStart).toBe(-352)
  })
  // Linux's probe into a shut window is tcp_xmit_probe_skb's segment without data (SND.UNA - 1), and
  // __tcp_transmit_skb raises tcp_event_data_sent only for one with data: no CA_EVENT_TX_START, and
  // lsndtime stays. The stack's probe carries an octet, sent with nothing in flight: it must not stand
  // for the data going again, or each probe moves the epoch on by the whole pause so far.
  it("zero-window probes move CUBIC's epoch not at all; the data that goes when the window opens moves it once (Linux's probe carries no data)", () => {
    const s = est({ params: { sendBuffer: 1 << 20 } })
    s.snd.cc.cwnd = 20 * MSS
    s.snd.cc.ssthresh = 10 * MSS
    expect(sent(s.write(0, T.octets(2 * MSS)))).toBe(2 * MSS)
    expect(s.send(10, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 0 }))).toEqual([])
    s.snd.cc.epochStart = -500
    expect(s.write(20, T.octets(4 * MSS))).toEqual([])
    // two probes, each answered with the window still shut
    for (let i = 0; i < 2; i++) {
      const t = s.snd.persistAt!
      expect(T.seenAll(s.tick(t))).toMatchObject([{ seq: 2 * MSS, len: 1 }])
      s.send(t + 1, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 0 }))
      expect(s.snd.cc.epochStart).toBe(-500)
    }
    // the window opens (less than an RTO after the last probe, but long after the last data: Linux's
    // tcp_ack_update_window restarts the window, tcp_slow_start_after_idle_check), the data goes, and
    // the epoch moves on once by the time since the last data sent, capped at now, in whole jiffies
    // as Linux's `tcp_jiffies32 - lsndtime` (4 ms at HZ 250; the last data at 0, jiffy 0)
    const t = s.snd.persistAt! - 10
    expect(sent(s.send(t, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 64240 })))).toBeGreaterThan(0)
    expect(s.snd.cc.epochStart).toBe(Math.min(-500 + 4 * Math.floor(t / 4), t))
  })
  it("probes go on past `retries` while the peer answers them", () => {
    const s = est({ params: { retries: 2, maxPersist: 1000 } })
    s.send(10, T.fromPeer({ seq: 0, ack: 0, window: 0 }))
    s.write(20, "x")
    let t = 20
    for (let i = 0; i < 10; i++) {
      t = s.snd.persistAt!
      expect(s.tick(t)).toHaveLength(1)
      s.send(t + 1, T.fromPeer({ seq: 0, ack: 0, window: 0 }))
    }
    expect(s.state).toBe("Established")
    // the ceiling, from the last answer (tcp_ack_probe)
    expect(s.snd.persistAt! - (t + 1)).toBe(1000)
  })
  it("with the defaults the probe interval doubles from the RTO up to 120 s, Linux's TCP_RTO_MAX (tcp_probe0_when), and stays there", () => {
    const s = est()
    s.send(10, T.fromPeer({ seq: 0, ack: 0, window: 0 }))
    s.write(20, "x")
    expect(s.snd.rtt.rto).toBe(200)
    const intervals: Array<number> = []
    let t = s.snd.persistAt!
    expect(t).toBe(20 + 200)
    for (let i = 0; i < 12; i++) {
      expect(s.tick(t - 1)).toEqual([])
      expect(T.seenAll(s.tick(t))).toMatchObject([{ seq: 0, len: 1 }])
      // the peer answers each probe with its window still shut
      s.send(t, T.fromPeer({ seq: 0, ack: 0, window: 0 }))
      intervals.push(s.snd.persistAt! - t)
      t = s.snd.persistAt!
    }
    expect(intervals).toEqual([400, 800, 1600, 3200, 6400, 12_800, 25_600, 51_200, 102_400, 120_000, 120_000, 120_000])
  })
  it("the stack's configuration puts the probes' ceiling at tcp.maxRto, as Linux's at the RTO's (icsk_rto_max)", () => {
    expect(Tcp.paramsOf(Config.defaults.tcp).maxPersist).toBe(120_000)
    expect(Tcp.paramsOf({ ...Config.defaults.tcp, maxRto: Duration.seconds(30) }).maxPersist).toBe(30_000)
  })
  it("the window reopening ends probing and sends what fits", () => {
    const s = closed()
    s.write(20, "hello")
    s.tick(220) // probe "h"
    // the peer took the probe's octet and opened its window
    const out = s.send(230, T.fromPeer({ seq: 0, ack: 101, window: 1000 }))
    expect(T.seenAll(out)).toMatchObject([{ seq: 101, data: "ello" }])
    expect(s.snd.persistAt).toBe(undefined)
  })
  it("a pure window update (ACK = SND.UNA) reopens it (seastar #1967)", () => {
    const s = closed()
    s.write(20, "hello")
    const out = s.send(30, T.fromPeer({ seq: 0, ack: 100, window: 1000 }))
    expect(T.seenAll(out)).toMatchObject([{ seq: 100, data: "hello" }])
  })
  it("our FIN waits for a zero window to open, the window probed meanwhile at SND.UNA - 1 (Linux's tcp_snd_wnd_test holds a bare FIN too; tcp_xmit_probe_skb)", () => {
    const s = closed()
    // the FIN takes a sequence number: a receiver whose window is 0 drops it (RFC 9293 §3.10.7.4's table)
    expect(s.end(20)).toEqual([])
    expect(s.state).toBe("FinWait1")
    expect(s.snd.rtoAt).toBe(undefined)
    expect(s.snd.persistAt).toBe(20 + 200)
    expect(T.seenAll(s.tick(220))).toEqual([{ seq: 99, ack: 0, flags: "ACK", window: BUF, options: NO_OPTS, len: 0, data: "" }])
    // answered, the window still shut: probing goes on, backing off
    // (from the answer: Linux's tcp_ack_probe)
    s.send(230, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    expect(s.snd.persistAt).toBe(230 + 400)
    expect(T.seenAll(s.tick(630))).toMatchObject([{ seq: 99, flags: "ACK", len: 0 }])
    // the window opens: the FIN goes, and its own timer runs
    expect(T.seenAll(s.send(700, T.fromPeer({ seq: 0, ack: 100, window: 1000 })))).toEqual([
      { seq: 100, ack: 0, flags: "FIN|ACK", window: BUF, options: NO_OPTS, len: 0, data: "" }
    ])
    expect(s.snd.persistAt).toBe(undefined)
    expect(s.snd.rtoAt).toBeDefined()
  })
  it("probing a zero window for our FIN alone gives up after `retries` unanswered probes", () => {
    const s = est({ params: { retries: 2 } })
    s.write(0, T.octets(100))
    s.send(0, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    s.end(20)
    for (let i = 0; i < 2; i++) expect(s.tick(s.snd.persistAt!)).toHaveLength(1)
    s.tick(s.snd.persistAt!)
    expect(s.state).toBe("Closed")
  })
  it("a FIN sent but not taken, the window then shut, is resent while the peer answers, past `retries` (RFC 1122 §4.2.2.17; Linux's tcp_retransmit_timer on a zero window)", () => {
    const s = est({ params: { retries: 2 } })
    s.write(0, T.octets(100))
    s.send(0, T.fromPeer({ seq: 0, ack: 100, window: 1000 }))
    // the FIN goes alone into an open window; the peer takes none of it (a receiver whose buffer
    // fills meanwhile may drop it, RFC 9293 §3.10.7.4's table) and answers with its window shut
    expect(T.seenAll(s.end(10))).toMatchObject([{ seq: 100, flags: "FIN|ACK", len: 0 }])
    s.send(20, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    let t = 20
    for (let i = 0; i < 8; i++) {
      t = Math.min(s.snd.rtoAt ?? Infinity, s.snd.persistAt ?? Infinity)
      expect(t).toBeLessThan(Infinity)
      // the FIN again each time (a receiver that takes a bare FIN into its shut window ends it)
      expect(T.seenAll(s.tick(t))).toMatchObject([{ seq: 100, flags: "FIN|ACK", len: 0 }])
      // each answered, the window still shut
      s.send(t + 1, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    }
    expect(s.state).toBe("FinWait1")
    // (review53c: the FIN is out, Linux's packets_out counts it, so its timer is the retransmission
    // timer, no persist timer: was, the persist timer's probes and the FIN at the window update)
    expect(s.snd.persistAt).toBeUndefined()
    // the window opens by an update that acknowledges nothing: nothing goes then (the timeout's
    // recovery, one segment of window with the FIN's resend in flight, Linux's TCP_CA_Loss), the
    // FIN at the next expiry, and it is acknowledged
    expect(s.send(t + 2, T.fromPeer({ seq: 0, ack: 100, window: 1000 }))).toEqual([])
    const next = s.snd.rtoAt!
    expect(T.seenAll(s.tick(next))).toMatchObject([{ seq: 100, flags: "FIN|ACK", len: 0 }])
    s.send(next + 1, T.fromPeer({ seq: 0, ack: 101, window: 1000 }))
    expect(s.state).toBe("FinWait2")
  })
  it("an orphan whose data waits behind a shut window the peer keeps answering is given up once the probes' backoff reaches its cap and `orphanRetries` (Linux's tcp_probe_timer: SOCK_DEAD, not alive)", () => {
    const s = est({ params: { orphanRetries: 3, maxPersist: 1600 } })
    // (nothing out: the 100 octets acknowledged as the window shuts, and 100 more waiting)
    s.write(0, T.octets(100))
    s.send(0, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    s.write(5, T.octets(100))
    s.close(10)
    const probes: Array<number> = []
    let closedAt: number | undefined
    for (let i = 0; i < 40 && closedAt === undefined; i++) {
      const t = s.snd.persistAt!
      expect(t).toBeDefined()
      if (s.tick(t).length > 0) probes.push(t)
      if (s.state === "Closed") closedAt = t
      // every probe answered, the window still shut
      else s.send(t + 1, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    }
    // three probes, 200 ms apart and doubling, each interval from the answer 1 ms after its probe
    // (tcp_ack_probe); given up when the interval after the third, at the 1600 ms cap, ran out, its
    // backoff counting 3
    expect(probes.map((t) => t - probes[0]!)).toEqual([0, 401, 1202])
    expect(closedAt! - probes.at(-1)!).toBe(1601)
    expect(s.snd.failure).toBe("TimedOut")
  })
  it("an application that still holds the connection keeps probing a shut window that is answered, past any limit", () => {
    const s = est({ params: { orphanRetries: 3, retries: 3, maxPersist: 1600 } })
    s.write(0, T.octets(100))
    s.send(0, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    s.write(5, T.octets(100))
    for (let i = 0; i < 40; i++) {
      const t = s.snd.persistAt
      expect(t).toBeDefined()
      // a probe each time, answered with the window still shut
      expect(s.tick(t!)).toHaveLength(1)
      s.send(t! + 1, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    }
    expect(s.state).toBe("Established")
  })
  it("an orphan's FIN sent but not taken, the window then shut, still times out after `orphanRetries` though answered (Linux: SOCK_DEAD, 'we cannot allow such beasts to hang infinitely')", () => {
    const s = est({ params: { orphanRetries: 2 } })
    s.write(0, T.octets(100))
    s.send(0, T.fromPeer({ seq: 0, ack: 100, window: 1000 }))
    expect(T.seenAll(s.close(10))).toMatchObject([{ seq: 100, flags: "FIN|ACK", len: 0 }])
    s.send(20, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    answerShutUntilClosed(s)
  })
  it("an application that closes while its sent FIN waits behind the shut window leaves it to the retransmission timer, which times the orphan out", () => {
    const s = est({ params: { orphanRetries: 2 } })
    s.write(0, T.octets(100))
    s.send(0, T.fromPeer({ seq: 0, ack: 100, window: 1000 }))
    s.end(10)
    s.send(20, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    // (review53c: the FIN out keeps its retransmission timer, no persist timer, as Linux's
    // packets_out counts it: was, the persist timer until the close)
    expect([s.snd.persistAt, s.snd.rtoAt !== undefined]).toEqual([undefined, true])
    s.close(30)
    answerShutUntilClosed(s)
  })
  // Linux keeps what is out in flight when the window shuts: no rewind of snd_nxt, and with packets
  // out its one timer stays the retransmission timer (tcp_check_probe_timer and tcp_ack_probe arm
  // the probe timer only with nothing out). When the window opens, tcp_write_xmit goes on from
  // snd_nxt with the room cwnd leaves over what is in flight
  it("the window shutting with data in flight keeps it in flight: no go-back, the retransmission timer runs, no persist timer; when it opens, new data goes from SND.NXT (Linux's tcp_check_probe_timer)", () => {
    const s = est({ params: { sendBuffer: 1 << 20 } })
    expect(sent(s.write(0, T.octets(20 * MSS)))).toBe(10 * MSS)
    // two segments acknowledged, the window shut: eight still out
    expect(s.send(10, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 0 }))).toEqual([])
    expect(s.snd.persistAt).toBeUndefined()
    expect(s.snd.rtoAt).toBe(10 + s.snd.rtt.rto)
    expect(Seq.sub(s.snd.sndNxt, s.snd.sndUna)).toBe(8 * MSS)
    // it opens: cwnd 12 (slow start grew it by the two), eight out, so four new segments, from 10 MSS
    const out = s.send(20, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 64240 }))
    expect(T.seenAll(out).map((o) => [o.seq, o.len])).toEqual([10, 11, 12, 13].map((i) => [i * MSS, MSS]))
  })
  it("the retransmission timer with the window shut and data out: the first segment again whole, as the probe, backed off, no retry counted while the peer answers (Linux's tcp_retransmit_timer: 'receiver dastardly shrinks window'; __tcp_retransmit_skb at SND.UNA)", () => {
    const s = est({ params: { retries: 3 } })
    expect(sent(s.write(0, T.octets(4 * MSS)))).toBe(4 * MSS)
    s.send(10, T.fromPeer({ seq: 0, ack: MSS, window: 0 }))
    const rto = s.snd.rtt.rto
    let t = s.snd.rtoAt!
    expect(t).toBe(10 + rto)
    expect(s.tick(t - 1)).toEqual([])
    const times: Array<number> = []
    for (let i = 0; i < 8; i++) {
      // a full segment at SND.UNA, never a one-octet probe (that is the persist timer's, with nothing out)
      expect(T.seenAll(s.tick(t)).map((o) => [o.seq, o.len])).toEqual([[MSS, MSS]])
      times.push(t)
      expect(s.snd.persistAt).toBeUndefined()
      s.send(t + 1, T.fromPeer({ seq: 0, ack: MSS, window: 0 }))
      t = s.snd.rtoAt!
    }
    // each interval twice the last (tcp_retransmit_timer's out_reset_timer), past `retries`
    expect(times.slice(1).map((x, i) => x - times[i]!)).toEqual([1, 2, 4, 8, 16, 32, 64].map((k) => Math.min(2 * k * rto, s.snd.params.rtt.maxRto)))
    expect(s.snd.retries).toBe(0)
    expect(s.state).toBe("Established")
    // the window opens with the resend taken: the go-back of the timeout's recovery resumes (cwnd 2)
    const out = s.send(t - 1, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 64240 }))
    expect(T.seenAll(out).map((o) => [o.seq, o.len])).toEqual([[2 * MSS, MSS], [3 * MSS, MSS]])
  })
  // (review53c) Linux's zero-window branch of tcp_retransmit_timer returns (goto out_reset_timer)
  // before __NET_INC_STATS(LINUX_MIB_TCPTIMEOUTS) and tcp_update_rto_stats (tcpi_total_rto): its
  // resends into the shut window are counted as retransmissions (tcp_retransmit_skb's
  // total_retrans), not as timeouts. An expiry with the window open after them is one
  it("a shut window's expiries are not counted as retransmission timeouts, their resends as retransmissions (Linux's TCPTimeouts and tcpi_total_rto skip tcp_retransmit_timer's zero-window branch)", () => {
    const s = est()
    s.write(0, T.octets(4 * MSS))
    s.send(10, T.fromPeer({ seq: 0, ack: MSS, window: 0 }))
    for (let i = 0; i < 3; i++) {
      const t = s.snd.rtoAt!
      expect(T.seenAll(s.tick(t)).map((o) => [o.seq, o.len])).toEqual([[MSS, MSS]])
      s.send(t + 1, T.fromPeer({ seq: 0, ack: MSS, window: 0 }))
    }
    expect([Sender.counters(s.snd).timeouts, Sender.counters(s.snd).retransmits]).toEqual([0, 3])
    // the window opens, acknowledging nothing; the next expiry, with it open, is a timeout
    s.send(s.snd.rtoAt! - 1, T.fromPeer({ seq: 0, ack: MSS, window: 64240 }))
    s.tick(s.snd.rtoAt!)
    expect([Sender.counters(s.snd).timeouts, Sender.counters(s.snd).retransmits]).toEqual([1, 4])
  })
  it("two expiries of the retransmission timer with the window shut: each is a first timeout to the congestion control, ssthresh from the window the last left (Linux's tcp_enter_loss in TCP_CA_Loss with icsk_retransmits 0)", () => {
    const s = est({ params: { sendBuffer: 1 << 20 } })
    s.write(0, T.octets(12 * MSS))
    s.send(10, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 0 }))
    s.tick(s.snd.rtoAt!)
    // the first from cwnd 12: CUBIC's 0.7
    expect(s.snd.cc.ssthresh).toBe(Math.floor(12 * 0.7) * MSS)
    const t = s.snd.rtoAt!
    s.send(t - 1, T.fromPeer({ seq: 0, ack: 2 * MSS, window: 0 }))
    s.tick(t)
    // the second from the one segment the first left: 2 (held at 8 as a repeated timeout's before)
    expect(s.snd.cc.ssthresh).toBe(2 * MSS)
    expect(s.snd.cc.cwnd).toBe(MSS)
  })
  it("the retransmission timer with the window shut: a peer silent for twice the RTO's cap times the connection out (Linux's tcp_rtx_probe0_timed_out)", () => {
    const s = est({ params: { retries: 50, rtt: { ...Rtt.defaults, maxRto: 1000 } } })
    s.write(0, T.octets(4 * MSS))
    s.send(10, T.fromPeer({ seq: 0, ack: MSS, window: 0 }))
    let t = 10
    for (let i = 0; i < 20 && s.state !== "Closed"; i++) {
      t = s.snd.rtoAt!
      s.tick(t)
    }
    expect(s.state).toBe("Closed")
    expect(s.snd.failure).toBe("TimedOut")
    // the first expiry more than 2 s after the peer was last heard (at 10)
    expect(t).toBeGreaterThan(2010)
    expect(t).toBeLessThanOrEqual(2010 + 1000)
  })
  // Linux 6.18's tcp_rtx_probe0_timed_out (tcp_retransmit_timer's zero-window branch) times out only
  // when both hold: the peer silent for 2 × TCP_RTO_MAX (icsk_timeout - rcv_tstamp) and the
  // retransmissions going on as long (rtx_delta: now - retrans_stamp, the episode's first
  // retransmission, or the head's send before any). Here the first resend comes 390 ms after the
  // peer was last heard, so the second clause holds the connection one expiry longer.
  it("the retransmission timer with the window shut: a silent peer times the connection out only once the retransmissions too have lasted twice the RTO's cap (Linux's tcp_rtx_probe0_timed_out, rtx_delta)", () => {
    const s = est({ params: { retries: 50, rtt: { ...Rtt.defaults, minRto: 400, maxRto: 1000 } } })
    expect(s.snd.rtt.rto).toBe(400)
    s.write(0, T.octets(4 * MSS))
    // the peer shuts its window at 10, acknowledging nothing, and is heard no more
    s.send(10, T.fromPeer({ seq: 0, ack: 0, window: 0 }))
    const times: Array<number> = []
    for (let i = 0; i < 20 && s.state !== "Closed"; i++) {
      const t = s.snd.rtoAt!
      if (T.seenAll(s.tick(t)).length > 0) times.push(t)
      else times.push(-t)
    }
    // resends at 400, 1200, 2200 (silent 2190 ms there, but resending for 1800 ms only); timed out at 3200
    expect(times).toEqual([400, 1200, 2200, -3200])
    expect(s.snd.failure).toBe("TimedOut")
  })
  // Linux 6.18: a FIN sent counts in packets_out, so with the window shut it stays under the
  // retransmission timer (tcp_check_probe_timer arms no probe timer), whose zero-window branch resends
  // it at each expiry, backed off, no retry counted, and gives up only by tcp_rtx_probe0_timed_out:
  // silent 2 × TCP_RTO_MAX and resending as long (not after `retries` unanswered persist probes)
  it("a FIN out when the peer's window shuts, the peer then silent: the FIN again at each backed-off expiry, timed out by tcp_rtx_probe0_timed_out's two clauses, not by `retries`", () => {
    const s = est({ params: { retries: 2, rtt: { ...Rtt.defaults, minRto: 400, maxRto: 1000 } } })
    s.write(0, T.octets(100))
    s.end(0)
    expect(s.state).toBe("FinWait1")
    // the data taken, not the FIN, and the window shut at 10; nothing more is heard
    s.send(10, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    expect(s.snd.persistAt).toBeUndefined()
    const first = s.snd.rtoAt!
    const rto = first - 10
    expect(rto).toBeGreaterThanOrEqual(400)
    expect(rto).toBeLessThan(500)
    const fins: Array<number> = []
    for (let i = 0; i < 20 && s.state !== "Closed"; i++) {
      const t = s.snd.rtoAt!
      expect(s.tick(t - 1)).toEqual([])
      const out = T.seenAll(s.tick(t))
      if (out.length > 0) {
        expect(out).toMatchObject([{ seq: 100, flags: "FIN|ACK", len: 0 }])
        fins.push(t)
      } else fins.push(-t)
    }
    // the first expiry an RTO after the ACK, then 2 RTO, then the 1000 ms cap: silent for over 2000 ms
    // at the third resend but resending for less (from the first), so timed out one expiry later
    const third = first + 2 * rto + 1000
    expect([third - 10 > 2000, third - first > 2000]).toEqual([true, false])
    expect(fins).toEqual([first, first + 2 * rto, third, -(third + 1000)])
    expect(s.snd.failure).toBe("TimedOut")
  })
  it("an orphan's data out behind a shut window: its retransmission timer counts `orphanRetries` though the peer answers (Linux's tcp_retransmit_timer takes the zero-window branch only for a socket not SOCK_DEAD)", () => {
    const s = est({ params: { orphanRetries: 2 } })
    s.write(0, T.octets(4 * MSS))
    s.send(10, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    s.close(20)
    answerShutUntilClosed(s)
    expect(s.snd.failure).toBe("TimedOut")
  })
  it("the peer's bare FIN is taken into our zero window at RCV.NXT (as Linux's tcp_data_queue)", () => {
    const s = est()
    const segs = []
    for (let off = 0; off < BUF; off += 1024) segs.push(T.fromPeer({ seq: off, payload: T.octets(1024, off) }))
    s.send(10, ...segs)
    // (its ACK after the delayed-ACK time, as every FIN's in ESTABLISHED: Linux's tcp_fin)
    expect(s.send(20, T.fromPeer({ seq: BUF, flags: FIN | ACK }))).toEqual([])
    expect(s.state).toBe("CloseWait")
    expect(T.seenAll(s.tick(60))).toEqual([ackSeg(0, BUF + 1, 0)])
  })
})
  it("a window shrunk below a segment while data is still in flight: the retransmission timer alone, no persist timer besides (Linux's tcp_check_probe_timer arms the probe timer only with nothing out, one timer a socket)", () => {
    const s = est()
    expect(sent(s.write(0, T.octets(4 * MSS)))).toBe(4 * MSS)
    // the timeout goes back to SND.UNA: the first segment again
    expect(T.seenAll(s.tick(200))).toMatchObject([{ seq: 0, len: MSS }])
    // its ACK shrinks the window to 100 octets: the three segments after it are still out (packets_out)
    s.send(210, T.fromPeer({ seq: 0, ack: MSS, window: 100 }))
    expect(s.snd.rtoAt).toBeDefined()
    expect(s.snd.persistAt).toBeUndefined()
    // the timeout's own resend, cut to the window (tcp_retransmit_timer, __tcp_retransmit_skb), and
    // no window probe's octet at SND.UNA in the same instant
    const t = s.snd.rtoAt!
    expect(T.seenAll(s.tick(t)).filter((o) => o.len > 0).map((o) => [o.seq, o.len])).toEqual([[MSS, 100]])
  })

  it("data still out when the window shut, then opened below a segment: what was out goes again cut to the window at each ACK, as Linux's retransmissions (__tcp_retransmit_skb cuts to the window, no SWS test); not one piece a backed-off timeout", () => {
    const s = est()
    expect(sent(s.write(0, T.octets(4 * MSS)))).toBe(4 * MSS)
    // nothing acknowledged, the window shut: the retransmission timer alone, the four still out
    // (Linux's tcp_check_probe_timer: no probe timer with packets out)
    s.send(10, T.fromPeer({ seq: 0, ack: 0, window: 0 }))
    expect(s.snd.persistAt).toBeUndefined()
    expect(s.snd.rtoAt).toBeDefined()
    // it opens to 100 octets, the four segments still counted out
    s.send(20, T.fromPeer({ seq: 0, ack: 0, window: 100 }))
    let una = 0
    let t = 20
    for (let i = 0; i < 200 && una < 4 * MSS; i++) {
      const next = Math.min(s.snd.rtoAt ?? Infinity, s.snd.persistAt ?? Infinity)
      expect(next).toBeLessThan(Infinity)
      t = next
      let data = T.seenAll(s.tick(t)).filter((o) => o.len > 0)
      // the peer takes what lies at SND.UNA in its window, and keeps the window at 100 octets
      for (let j = 0; j < 100 && data.length > 0; j++) {
        for (const o of data) if (o.seq === una) una += o.len
        const at = t + 1 + j
        data = T.seenAll(s.send(at, T.fromPeer({ seq: 0, ack: una, window: 100 }))).filter((o) => o.len > 0)
      }
    }
    expect(una).toBe(4 * MSS)
    // one timer at most (the window opened without an ACK of data), then a piece at every ACK
    expect(t).toBeLessThan(1000)
  })

describe("receive buffer auto-tuning", () => {
  it("grows the buffer, and the window, to twice what the reader took in an RTT plus 16 segments, up to the maximum", () => {
    const s = T.established({
      params: { receiveBuffer: 16 * 1024, maxReceiveBuffer: 1024 * 1024 },
      peerOptions: { sackPermitted: false, windowScale: 7 }
    })
    expect(s.snd.rcvShift).toBeGreaterThan(0)
    const payload = new Uint8Array(1448)
    let seq = 0
    let t = 0
    // the peer sends up to 30 segments per 10 ms (what the window lets in is taken, the rest trimmed
    // and sent again) and the application reads everything at once
    const capacities: Array<number> = []
    const readPerRound: Array<number> = []
    for (let round = 0; round < 4; round++) {
      const before = Seq.sub(s.rcv.rcvNxt, T.REMOTE_ISN) - 1
      seq = before
      for (let i = 0; i < 30; i++) {
        s.send(t, T.fromPeer({ seq, payload }))
        seq += 1448
      }
      t += 10
      readPerRound.push(s.read(t).data.length)
      capacities.push(s.snd.capacity)
    }
    // round 1 takes what 16 KiB let in; round 2 all 30 segments, in the grown buffer
    expect(readPerRound[0]).toBeLessThan(17 * 1024)
    expect(readPerRound[1]).toBe(30 * 1448)
    expect(capacities.slice(0, 2)).toEqual(readPerRound.slice(0, 2).map((n) => 2 * n + 16 * 1460))
    expect(s.snd.capacity).toBeGreaterThan(65535)
    expect(s.snd.capacity).toBeLessThanOrEqual(1024 * 1024)
    // the receive half takes data up to the grown buffer
    expect(s.rcv.capacity).toBe(s.snd.capacity)
  })

  it("never grows past 65535 when the peer did not offer window scaling", () => {
    const s = T.established({ params: { receiveBuffer: 16 * 1024, maxReceiveBuffer: 1024 * 1024 } })
    expect(s.snd.rcvShift).toBe(0)
    const payload = new Uint8Array(1448)
    let seq = 0
    for (let t = 0; t < 20_000; t += 1000) {
      for (let i = 0; i < 10; i++) {
        s.send(t, T.fromPeer({ seq, payload }))
        seq += 1448
      }
      s.read(t + 1)
    }
    expect(s.snd.capacity).toBeLessThanOrEqual(0xffff)
    expect(s.snd.capacity).toBeGreaterThan(16 * 1024)
  })
})
