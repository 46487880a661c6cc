/**
 * The receive side, case by case against the rule it follows (RFC 9293,
 * RFC 7323, RFC 5961, and Linux where Linux is the reference): the announced
 * window's edge under scaling, the ACK of a segment whose data is refused,
 * answers to refused segments and their rate limit, the window update a read
 * brings.
 */
import { describe, expect, it } from "vitest"
import { ACK, FIN, PSH, SYN } from "../../src/tcp/Segment.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import type * as TcpWire from "../../src/wire/TcpHeader.js"
import * as T from "../support/TcpSocket.js"
import { Conn } from "../../src/tcp/Connection.js"
import * as Sender from "../../src/tcp/Sender.js"
import * as Receiver from "../../src/tcp/Receiver.js"
import * as Memory from "../../src/tcp/Memory.js"

const BUF = 16384
const MSS = 1460

const est = (o: { params?: Partial<T.Options["params"]>; peer?: Partial<TcpWire.TcpOptions>; peerWindow?: number } = {}) =>
  T.established({
    params: { receiveBuffer: BUF, maxReceiveBuffer: BUF, ...o.params },
    peerOptions: { mss: MSS, sackPermitted: false, ...o.peer },
    ...(o.peerWindow === undefined ? {} : { peerWindow: o.peerWindow })
  })
const peerSeq = (rel: number) => Seq.add(T.REMOTE_ISN, 1 + rel)
const block = (left: number, right: number) => ({ left: peerSeq(left), right: peerSeq(right) })
const seg = (from: number, len: number) => T.fromPeer({ seq: from, payload: T.octets(len, from) })
const una = (s: T.TcpSocket) => Seq.sub(s.snd.sndUna, Seq.add(T.LOCAL_ISN, 1))

describe("the receive half's per-connection state (issue 8 §2: heap per idle connection)", () => {
  it("what our SYN offered is one shared record per combination of options, not one per connection; the negotiation reads it as before", () => {
    const peer = { sackPermitted: true, timestamp: { value: 1, echo: 0 } }
    const a = est({ peer })
    const b = est({ peer })
    expect(a.rcv.offer).toBe(b.rcv.offer)
    expect([a.rcv.offer.timestamps, a.rcv.offer.sack, a.rcv.tsOk, a.rcv.sackOk]).toEqual([true, true, true, true])
    const c = est({ peer, params: { sack: false } })
    expect(c.rcv.offer).not.toBe(a.rcv.offer)
    expect(c.rcv.offer).toEqual({ ...a.rcv.offer, sack: false })
    expect([c.rcv.tsOk, c.rcv.sackOk]).toEqual([true, false])
  })
})

describe("window announcement", () => {
  it("the announced right edge (SEG.ACK + SEG.WND << shift) never moves back under window scaling (Linux tcp_select_window: ALIGN(cur_win))", () => {
    const big = 256 * 1024
    const s = T.established({
      params: { receiveBuffer: big, maxReceiveBuffer: big },
      peerOptions: { mss: MSS, sackPermitted: false, windowScale: 7 }
    })
    const shift = s.snd.rcvShift
    expect(shift).toBe(3)
    // the application reads nothing; quick-ACK mode acknowledges each segment at once
    const edges: Array<number> = []
    let at = 0
    for (const [from, len] of [[0, 1], [1, 2], [3, 5]] as const) {
      const out = s.send(10 + at++, seg(from, len))
      expect(out).toHaveLength(1)
      edges.push(T.ourAck(out[0]!) + out[0]!.window * 2 ** shift)
    }
    // each edge at least the one before
    for (let i = 1; i < edges.length; i++) expect(edges[i]).toBeGreaterThanOrEqual(edges[i - 1]!)
  })
})

describe("ACK fields of segments Linux's tcp_sequence lets through", () => {
  // Linux 6.17's tcp_sequence (9ca48d616ed7): a segment ending past the window's right edge passes only
  // while the receive queue is empty; with data held unread it is refused whole (a duplicate ACK, its
  // ACK field unread). ConformanceWindow's "a probe into the shut window with unread data held" shows
  // it on the wire: Linux resends the data the probe acknowledged.
  it("data at RCV.NXT into a zero window with the buffer's data unread: dropped whole, its ACK not read (Linux 6.17's tcp_sequence)", () => {
    const s = est()
    s.write(0, "hello")
    // the peer fills our buffer; our window is 0
    const segs = []
    for (let off = 0; off < BUF; off += 1024) segs.push(T.fromPeer({ seq: off, payload: T.octets(1024, off) }))
    s.send(10, ...segs)
    // its next segment (a one-octet probe, as BSD, Windows and this stack send) acknowledges our data
    expect(s.send(20, T.fromPeer({ seq: BUF, ack: 5, payload: "x" })).map((o) => [T.ourAck(o), o.window])).toEqual([[BUF, 0]])
    expect(una(s)).toBe(0)
  })
  it("a window announced shut while an edge announced earlier is still ahead (rounding under window scaling): the peer's segments up to that edge still have their ACKs read", () => {
    const s = est()
    s.write(0, "hello")
    const segs = []
    for (let off = 0; off < BUF; off += 1024) segs.push(T.fromPeer({ seq: off, payload: T.octets(1024, off) }))
    expect(s.send(10, ...segs).map((o) => [T.ourAck(o), o.window]).at(-1)).toEqual([BUF, 0])
    expect(s.snd.view.rcvShut).toBe(true)
    // as after an earlier ACK whose window, rounded up to the scale's unit, reached 200 octets further
    // (the kernel test's lossy echo hung so: Linux's pure ACKs at its SND.NXT, RCV.NXT + 32, unread)
    s.snd.view.rcvEdge = Seq.add(T.REMOTE_ISN, 1 + BUF + 200)
    s.send(20, T.fromPeer({ seq: BUF + 32, ack: 5 }))
    expect(una(s)).toBe(5)
  })
  it("data that starts inside the window and ends past its right edge, with data unread: refused whole, its ACK not read (Linux 6.17's tcp_sequence: INVALID_END_SEQUENCE)", () => {
    const s = est()
    s.write(0, "hello")
    // the peer sends 15 KiB the application leaves unread: our window is the last 1 KiB
    const segs = []
    for (let off = 0; off < BUF - 1024; off += 1024) segs.push(T.fromPeer({ seq: off, payload: T.octets(1024, off) }))
    expect(s.send(10, ...segs).map((o) => [T.ourAck(o), o.window]).at(-1)).toEqual([BUF - 1024, 1024])
    // a segment of 1400 from the window's left edge overruns it: none of it is taken, and its ACK of
    // our data is not read (a duplicate ACK says where the window stands)
    const out = s.send(20, T.fromPeer({ seq: BUF - 1024, ack: 5, payload: T.octets(1400, BUF - 1024) }))
    expect(out.map((o) => [T.ourAck(o), o.window])).toEqual([[BUF - 1024, 1024]])
    expect(una(s)).toBe(0)
    // out of order too (Linux's selftest tcp_rcv_big_endseq.pkt, its "ooo packet"): nothing is held
    const ooo = s.send(30, T.fromPeer({ seq: BUF - 900, ack: 5, payload: T.octets(1400, BUF - 900) }))
    expect(ooo.map((o) => [T.ourAck(o), o.window])).toEqual([[BUF - 1024, 1024]])
    expect(s.rcv.ooo.blocks).toEqual([])
    expect(una(s)).toBe(0)
  })
  it("data at the window's right edge with nothing unread: the data is dropped but its ACK is read (RFC 9293 §3.10.7.4 'special allowance ... valid ACKs'; Linux tcp_sequence + tcp_data_queue)", () => {
    const s = est()
    s.write(0, "hello")
    s.send(20, T.fromPeer({ seq: BUF, ack: 5, payload: "x" }))
    expect(una(s)).toBe(5)
  })
  it("a retransmission that ends exactly at RCV.NXT (the peer's tail loss probe): its ACK is read (Linux tcp_sequence: end_seq >= rcv_wup)", () => {
    const s = est({ params: { quickAcks: 0 } })
    s.write(0, "hello")
    s.send(10, T.fromPeer({ seq: 0, ack: 0, payload: "abc" }))
    s.tick(50) // the delayed ACK of "abc" goes: RCV.WUP = RCV.NXT = 3
    // the peer resends its last segment (a TLP); it now acknowledges our "hello"
    s.send(300, T.fromPeer({ seq: 0, ack: 5, payload: "abc" }))
    expect(una(s)).toBe(5)
  })
})

describe("answers to refused segments, rate-limited where they carry no data", () => {
  it("a SYN outside the window draws a challenge ACK under RFC 5961 §7's limit, as one inside it does (§4.2: 'irrespective of the sequence number'; Linux syn_challenge)", () => {
    const inWin = est({ params: { challengeAcksPerSecond: 1 } })
    expect(inWin.send(20, T.fromPeer({ seq: 10, flags: SYN }))).toHaveLength(1)
    expect(inWin.send(21, T.fromPeer({ seq: 11, flags: SYN }))).toHaveLength(0) // limited
    const outWin = est({ params: { challengeAcksPerSecond: 1 } })
    expect(outWin.send(20, T.fromPeer({ seq: -10, flags: SYN }))).toHaveLength(1)
    expect(outWin.send(21, T.fromPeer({ seq: -11, flags: SYN }))).toHaveLength(0)
  })
  it("a SYN PAWS refuses draws a challenge ACK (Linux's syn_challenge), not a duplicate ACK: no D-SACK of the data it brought, counted as a challenge", () => {
    const told: Array<[number, boolean]> = []
    const s = est({ peer: { sackPermitted: true, timestamp: { value: 1, echo: 0 } }, params: { onChallenge: (n, answered) => told.push([n, answered]) } })
    s.send(20, T.fromPeer({ seq: 0, payload: T.octets(10), options: T.ts(10, 0) }))
    const out = s.send(30, T.fromPeer({ seq: 0, flags: SYN, payload: T.octets(10), options: T.ts(5, 0) }))
    expect(out.map((o) => [Seq.sub(o.ack, peerSeq(0)), o.payload?.length ?? 0, o.options.sack])).toEqual([[10, 0, undefined]])
    expect(told).toEqual([[1, true]])
  })
  it("out-of-window pure ACKs: one answer per 500 ms, not one each (Linux tcp_oow_rate_limited, ACK-loop mitigation)", () => {
    const s = est()
    let answers = 0
    for (let t = 20; t < 30; t++) answers += s.send(t, T.fromPeer({ seq: BUF + 100, flags: ACK })).length
    expect(answers).toBe(1)
  })
})

describe("window update after reads (Connection.consumed)", () => {
  it("a read that opens a shut window by more than the SWS step wakes the send half (Linux tcp_cleanup_rbuf checks after every read)", () => {
    const s = est()
    // the application side of a connection over these halves: Conn.consumed as the stack runs it
    const woken: Array<unknown> = []
    const conn = Object.create(Conn.prototype) as any
    conn.smallStore = undefined
    conn.incoming = { size: 1 }
    conn.reads = s.reads
    conn.snd = s.snd
    conn.events = { unsafeOffer: (e: unknown) => woken.push(e) }
    const fill = (from: number, n: number) => {
      const segs = []
      for (let off = from; off < from + n; off += 1000) segs.push(T.fromPeer({ seq: off, payload: T.octets(Math.min(1000, from + n - off), off) }))
      s.send(10, ...segs)
    }
    const read = (n: number) => {
      woken.length = 0
      conn.consumed(n)
      const out: Array<unknown> = []
      if (woken.length > 0) Sender.onRead(s.snd, 20, out as any)
      return out
    }
    fill(0, BUF) // window 0
    expect(read(2000)).toHaveLength(1) // window 2000 announced
    fill(BUF, 2000) // the peer fills it: window 0 again
    expect(read(1000)).toHaveLength(0) // 1000 < one MSS: rightly not announced
    // 2000 read since the last announcement, with the window shut: Sender.onRead would announce it
    // (edge moved 2000 >= min(BUF / 2, MSS), 2000 >= 2 x 0), but the send half is not woken
    expect(read(1000)).toHaveLength(1)
  })
})

describe("no window update after the peer's FIN (Linux's tcp_cleanup_rbuf: not once RCV_SHUTDOWN)", () => {
  it("a read that reopens a shut window in CLOSE-WAIT sends nothing: no data can come into it", () => {
    const s = est()
    const segs = []
    for (let off = 0; off < BUF; off += 1000) segs.push(seg(off, Math.min(1000, BUF - off)))
    s.send(10, ...segs)
    expect(s.snd.view.rcvEdge).toEqual(peerSeq(BUF))
    // (the FIN's ACK after the delayed-ACK time: Linux's tcp_fin)
    const finAck = [...s.send(20, T.fromPeer({ seq: BUF, flags: ACK | FIN })), ...s.tick(60)]
    expect(s.state).toBe("CloseWait")
    expect(finAck).toHaveLength(1)
    expect(s.read(70).out).toEqual([])
  })
})

describe("D-SACK (RFC 2883) for partly duplicate segments", () => {
  const sackEst = () => est({ peer: { sackPermitted: true } })
  it("an in-order segment overlapping data held out of order: the overlap is D-SACKed (Linux tcp_ofo_queue: tcp_dsack_extend)", () => {
    const s = sackEst()
    s.send(10, seg(1000, 1000))
    const out = s.send(20, seg(0, 1500)) // [1000, 1500) came twice
    expect(out.map((o) => [T.ourAck(o), o.options.sack])).toEqual([[2000, [block(1000, 1500)]]])
  })
  it("an out-of-order segment overlapping a held block in part: the overlap is D-SACKed first (Linux tcp_data_queue_ofo: tcp_dsack_set on partial overlap)", () => {
    const s = sackEst()
    s.send(10, seg(1000, 1000))
    const out = s.send(20, seg(1500, 1000)) // [1500, 2000) came twice
    expect(out.map((o) => o.options.sack)).toEqual([[block(1500, 2000), block(1000, 2500)]])
  })
})

describe("the announced edge with a reader that stopped (window scaling)", () => {
  it("creeps by less than a unit per ACK, and no more data is taken than it announced", () => {
    const buf = 65536
    const s = T.established({ params: { receiveBuffer: buf, maxReceiveBuffer: 8 * 1024 * 1024 }, peerOptions: { mss: MSS, sackPermitted: false, windowScale: 7 } })
    const unit = 2 ** s.snd.rcvShift
    expect(unit).toBe(256)
    let maxEdge = 0
    let off = 0
    let at = 10
    // 1000-octet segments, never a whole unit: each ACK carries the kept edge up to a unit further
    // (tcp_select_window's ALIGN(cur_win)), until what is left of the window is under a segment
    for (let i = 0; i < 400; i++) {
      const out = s.send(at++, T.fromPeer({ seq: off, payload: T.octets(1000, off) }))
      off += 1000
      for (const o of out) {
        const right = T.ourAck(o) + o.window * unit
        expect(right).toBeGreaterThanOrEqual(maxEdge)
        expect(right - maxEdge).toBeLessThan(maxEdge === 0 ? Number.POSITIVE_INFINITY : unit)
        maxEdge = right
      }
      if (off + 1000 > maxEdge) break
    }
    const accepted = s.received.reduce((n, c) => n + c.length, 0)
    expect(maxEdge).toBeGreaterThan(buf)
    expect(accepted).toBeLessThanOrEqual(maxEdge)
    expect(accepted).toBeLessThan(2 * buf)
  })

  // 200-octet segments each acknowledged on its own, the reader stopped: ALIGN(cur_win) gives back
  // all 200 each time, so the window never closes by itself; until what this half holds passes the
  // bound, the segment after is refused with a window of 0 at once. Returns what the ACKs said.
  const creep = (s: T.TcpSocket, limit: number) => {
    const unit = 2 ** s.snd.rcvShift
    const taken = () => s.received.reduce((n, c) => n + c.length, 0)
    let furthest = 0
    let off = 0
    let at = 10
    let refused: Array<[number, number]> | undefined
    for (let i = 0; i < limit && refused === undefined; i++, at += 100) {
      const out = [...s.send(at, seg(off, 200)), ...s.tick(at + 60)]
      if (taken() === off) {
        refused = out.map((o) => [T.ourAck(o), o.window])
        break
      }
      off += 200
      for (const o of out) {
        const right = T.ourAck(o) + o.window * unit
        expect(right).toBeGreaterThanOrEqual(furthest)
        furthest = right
      }
    }
    return { off, furthest, refused, taken: taken(), unit }
  }

  // Linux's tcp_try_rmem_schedule, when sk_rmem_alloc passes sk_rcvbuf (tcp_can_ingest, as 6.18's
  // stable line has it again after "tcp: give up on stronger sk_rcvbuf checks": rmem <= sk_rcvbuf,
  // before the segment), calls tcp_prune_queue, whose tcp_clamp_window raises sk_rcvbuf to what is
  // held, up to tcp_rmem[2], unless SO_RCVBUF locked it, the stack is under memory pressure, or
  // tcp_memory_allocated has reached tcp_mem[0]: only then is the bound the buffer's own. Here twice
  // the buffer, or twice maxReceiveBuffer (tcp_rmem[2]) when it may be raised
  const under = [
    ["under memory pressure (tcp_under_memory_pressure)", { low: 0, pressure: 0, high: 1 << 30 }, 0, true],
    ["out of pressure, but the stack's total at tcp_mem[0] (sk_memory_allocated >= sk_prot_mem_limits(sk, 0))", { low: 1000, pressure: 1 << 30, high: 1 << 30 }, 1000, false]
  ] as const
  for (const [name, limits, allocated, pressure] of under) {
    it(`segments shorter than a unit would carry it on without end: ${name}, past twice the buffer in-order data is refused with a window of 0 at RCV.NXT (Linux's tcp_clamp_window raises no sk_rcvbuf; tcp_try_rmem_schedule fails, ICSK_ACK_NOMEM)`, () => {
      const buf = 4096
      // (the accountant takes the octets: within its bounds, or within the connection's fair share)
      const memory = Memory.make(limits)
      memory.allocated = allocated
      memory.pressure = pressure
      const s = T.established({ params: { receiveBuffer: buf, maxReceiveBuffer: 8 * 1024 * 1024, memory }, peerOptions: { mss: MSS, sackPermitted: false, windowScale: 7 } })
      const r = creep(s, 200)
      expect(r.unit).toBe(256)
      // the window never closed by itself: the edge went past the buffer's by more than a unit
      expect(r.furthest).toBeGreaterThan(buf + r.unit)
      // taken while what it held was within twice the buffer (tcp_can_ingest: rmem <= sk_rcvbuf, the
      // segment not counted), then refused: a window of 0 at once
      expect(r.taken).toBeGreaterThan(2 * buf)
      expect(r.taken - 200).toBeLessThanOrEqual(2 * buf)
      expect(r.refused).toEqual([[r.off, 0]])
      expect(s.snd.view.rcvEdge).toEqual(peerSeq(r.off))
      // counted as Linux's TCPRcvQDrop counts it
      expect(memory.rcvQueueDropped).toBe(1)
    })
  }

  it("an auto-tuned buffer out of memory pressure: past twice the buffer the data is still taken, up to twice maxReceiveBuffer (Linux's tcp_clamp_window raises sk_rcvbuf up to tcp_rmem[2])", () => {
    const buf = 4096
    const max = 1 << 22
    const memory = Memory.make({ low: 1 << 30, pressure: 1 << 30, high: 1 << 30 })
    // (the smallest maxReceiveBuffer with a unit of 128: 2^22)
    const s = T.established({ params: { receiveBuffer: buf, maxReceiveBuffer: max, memory }, peerOptions: { mss: MSS, sackPermitted: false, windowScale: 7 } })
    const unit = 2 ** s.snd.rcvShift
    expect(unit).toBe(128)
    const taken = () => s.received.reduce((n, c) => n + c.length, 0)
    let off = 0
    let at = 10
    let refused: Array<[number, number]> | undefined
    // 127-octet segments, under a unit: each ACK gives all of it back (ALIGN(cur_win)); some 66000
    // of them to reach twice maxReceiveBuffer, the fewest any unit allows (tcp_rmem[2] / unit)
    const size = unit - 1
    let n = 0
    for (let i = 0; i < 70_000; i++, at += 100) {
      const out = s.send(at, seg(off, size))
      if (out.length === 0) out.push(...s.tick(at + 60))
      if (taken() === off) {
        refused = out.map((o) => [T.ourAck(o), o.window])
        break
      }
      off += size
      if (off > 2 * buf && n === 0) n = i
    }
    // past twice the buffer already after some 65 segments, and on
    expect(n).toBeGreaterThan(0)
    expect(taken()).toBeGreaterThan(2 * max)
    expect(taken() - size).toBeLessThanOrEqual(2 * max)
    expect(refused).toEqual([[off, 0]])
    expect(memory.rcvQueueDropped).toBe(1)
  }, 120_000)

  it("past twice the buffer, out-of-order data above a segment goes first (Linux's tcp_prune_queue: tcp_prune_ofo_queue(sk, in_skb) before the drop): the segment that fills the hole is taken", () => {
    const buf = 4096
    // (the stack's total at tcp_mem[0], out of pressure: tcp_clamp_window raises no sk_rcvbuf, and
    // tcp_prune_ofo_queue stops once tcp_can_ingest)
    const memory = Memory.make({ low: 1000, pressure: 1 << 30, high: 1 << 30 })
    memory.allocated = 1000
    const s = T.established({ params: { receiveBuffer: buf, maxReceiveBuffer: 8 * 1024 * 1024, memory }, peerOptions: { mss: MSS, sackPermitted: true, windowScale: 7 } })
    const taken = () => s.received.reduce((n, c) => n + c.length, 0)
    let at = 10
    // in order, 200-octet segments each acknowledged on its own (under a unit: the kept window stays
    // 4096 past RCV.NXT), the reader stopped
    for (let off = 0; off < 4400; off += 200, at += 100) {
      s.send(at, seg(off, 200))
      s.tick(at + 60)
    }
    expect(taken()).toBe(4400)
    // [4400, 4600) lost; what follows is held out of order while what this half holds is within
    // twice the buffer (tcp_can_ingest: rmem <= sk_rcvbuf, before the segment)
    for (let off = 4600; off < 8400; off += 200) s.send(at++, seg(off, 200))
    expect(s.rcv.ooo.octets).toBe(3800)
    // the hole's retransmission: unread 4400 + held 3800 passes 2 x 4096, but what lies above it out
    // of order is let go first, as Linux's, and the peer resends it later
    const out = [...s.send(at, seg(4400, 200)), ...s.tick(at + 200)]
    expect(taken()).toBe(4600)
    expect(out.at(-1)!.window).toBeGreaterThan(0)
    expect(T.ourAck(out.at(-1)!)).toBe(4600)
  })

  // Linux's tcp_clamp_window, when what the socket holds is still past sk_rcvbuf after it (no raise:
  // here the stack's total at tcp_mem[0]), also cuts rcv_ssthresh to min(window_clamp, 2 * advmss);
  // __tcp_select_window offers no more than rcv_ssthresh, so the window a read reopens after the
  // NOMEM drop is ALIGN(2 * advmss), and it grows again by tcp_grow_window (tcp_event_data_recv: by
  // max(2 * advmss, 2 * skb->len) per in-order segment, up to the free space), not to the buffer's edge
  it("after the refusal, a read reopens the window to twice our MSS, not to the buffer's edge, and in-order data grows it again (Linux's tcp_clamp_window: rcv_ssthresh = min(window_clamp, 2 * advmss); tcp_grow_window)", () => {
    const buf = 16384
    const memory = Memory.make({ low: 1000, pressure: 1 << 30, high: 1 << 30 })
    memory.allocated = 1000
    const s = T.established({ params: { receiveBuffer: buf, maxReceiveBuffer: 8 * 1024 * 1024, memory }, peerOptions: { mss: MSS, sackPermitted: false, windowScale: 7 } })
    const r = creep(s, 400)
    expect(r.refused).toEqual([[r.off, 0]])
    const advmss = s.snd.rcvMss
    expect(advmss).toBe(1460)
    // the reader takes everything: the window reopens, at ALIGN(2 * advmss) (3072 with a unit of 256)
    const at = 100_000
    const reopened = s.read(at).out
    expect(reopened.map((o) => [T.ourAck(o), o.window * r.unit])).toEqual([[r.off, Math.ceil((2 * advmss) / r.unit) * r.unit]])
    // a full segment in order: rcv_ssthresh grows by 2 * advmss, the window with it (ALIGN(5840) = 5888),
    // and its ACK goes at once: tcp_grow_window's icsk_ack.quick |= 1 (one segment is no more than
    // rcv_mss, which __tcp_ack_snd_check would otherwise leave to the delayed ACK)
    const grown = s.send(at + 10, seg(r.off, advmss))
    expect(grown.map((o) => [T.ourAck(o), o.window * r.unit])).toEqual([[r.off + advmss, Math.ceil((4 * advmss) / r.unit) * r.unit]])
    // read, and more full segments: it grows on to the buffer's edge (as the read auto-tuned it)
    s.read(at + 400)
    let off = r.off + advmss
    const windows: Array<number> = []
    for (let i = 0; i < 60; i++) {
      const out = s.send(at + 500 + 100 * i, seg(off, advmss))
      // (each at once while the window grows: the quick ACK tcp_grow_window gives each; then delayed)
      if (i < 25) expect([i, out.length]).toEqual([i, 1])
      out.push(...s.tick(at + 560 + 100 * i))
      off += advmss
      s.read(at + 570 + 100 * i)
      for (const o of out) windows.push(o.window * r.unit)
    }
    // (by 2 * advmss a segment; each ACK goes before its segment is read: the buffer less one segment)
    for (let i = 1; i < windows.length; i++) expect(windows[i]).toBeGreaterThanOrEqual(windows[i - 1]!)
    expect(windows[1]! - windows[0]!).toBeLessThanOrEqual(2 * advmss + r.unit)
    expect(windows.at(-1)).toBe(Math.ceil((s.snd.capacity - advmss) / r.unit) * r.unit)
  })

  // tcp_try_rmem_schedule goes to tcp_prune_queue when tcp_can_ingest fails or sk_rmem_schedule does,
  // and tcp_prune_queue's tcp_clamp_window runs whenever sk_rmem_alloc is past sk_rcvbuf, whatever
  // memory says: a segment the stack-wide bound refuses to a connection past its bound cuts
  // rcv_ssthresh too, and the window stays cut once pressure is over
  it("a segment memory refuses to a connection past its bound cuts the window too: once pressure is over, a read reopens it to twice our MSS (tcp_prune_queue: tcp_clamp_window before anything else)", () => {
    const buf = 16384
    const memory = Memory.make({ low: 1000, pressure: 1 << 29, high: 1 << 29 })
    memory.allocated = 1000
    const s = T.established({ params: { receiveBuffer: buf, maxReceiveBuffer: 8 * 1024 * 1024, memory }, peerOptions: { mss: MSS, sackPermitted: false, windowScale: 7 } })
    // creep to just within the bound (twice the buffer), the last segments still taken
    const unit = 2 ** s.snd.rcvShift
    let off = 0
    let at = 10
    while (off + 200 <= 2 * buf) {
      s.send(at, seg(off, 200))
      s.tick(at + 60)
      off += 200
      at += 100
    }
    s.send(at, seg(off, 200))
    off += 200
    at += 100
    expect(s.rcv.rcvNxt).toEqual(peerSeq(off))
    // the stack's total past `high` (pressure): the next segment is refused by memory, with the NOMEM window
    Memory.charge(memory, 1 << 29)
    expect(s.send(at, seg(off, 200)).map((o) => [T.ourAck(o), o.window])).toEqual([[off, 0]])
    // pressure over; the reader takes everything: ALIGN(2 * advmss), not the buffer's edge
    Memory.charge(memory, -(1 << 29) - 1000)
    expect(memory.pressure).toBe(false)
    const reopened = s.read(at + 100_000).out
    expect(reopened.map((o) => [T.ourAck(o), o.window * unit])).toEqual([[off, Math.ceil((2 * s.snd.rcvMss) / unit) * unit]])
  })
})

describe("the announced edge never pulled back (Linux's tcp_select_window: ALIGN(cur_win), net.ipv4.tcp_shrink_window = 0)", () => {
  // With the reader stopped, a window rounded up to the scale's unit announces an edge past the
  // buffer's. Once the peer's data reaches past the buffer's edge, short of that announced edge,
  // the buffer has nothing left, but the window is not announced as 0: Linux's tcp_select_window
  // finds __tcp_select_window's new window below cur_win = rcv_wup + rcv_wnd - rcv_nxt and sends
  // ALIGN(cur_win, 1 << rcv_wscale), so the right edge stays (or creeps up by less than a unit)
  const stopped = () =>
    T.established({ params: { receiveBuffer: 65536, maxReceiveBuffer: 8 * 1024 * 1024 }, peerOptions: { mss: MSS, sackPermitted: false, windowScale: 7 } })
  const fillTo = (s: T.TcpSocket, unit: number, stopShort: number) => {
    let off = 0
    let edge = 0
    let at = 10
    for (let i = 0; i < 400; i++) {
      const out = s.send(at++, seg(off, 1000))
      off += 1000
      for (const o of out) edge = Math.max(edge, T.ourAck(o) + o.window * unit)
      if (off + 1000 + stopShort > edge) break
    }
    return { off, edge, at }
  }

  it("data ending less than a unit short of the furthest edge announced: the window is ALIGN(cur_win), one unit, not 0", () => {
    const s = stopped()
    const unit = 2 ** s.snd.rcvShift
    expect(unit).toBe(256)
    const { off, edge, at } = fillTo(s, unit, 1)
    // the edge announced lies past the buffer's (65536): the buffer has no room left once the
    // peer's data reaches one octet short of it
    expect(edge).toBeGreaterThan(65536 + 1)
    const out = s.send(at, seg(off, edge - 1 - off))
    expect(out.map((o) => [T.ourAck(o), o.window])).toEqual([[edge - 1, 1]])
    // the edge crept up by unit - 1: the peer that fills the window to that edge closes it exactly
    // there (ALIGN(0) = 0; a lone short segment's ACK is the delayed one)
    const crept = edge - 1 + unit
    const last = [...s.send(at + 1, seg(edge - 1, crept - (edge - 1))), ...s.tick(at + 60)]
    expect(last.map((o) => [T.ourAck(o), o.window])).toEqual([[crept, 0]])
    // Linux's counters (rcv_wnd is the window announced, ALIGN(cur_win)): one window of 0 after open
    // ones, none the other way
    expect([Sender.counters(s.snd).toZeroWindow, Sender.counters(s.snd).fromZeroWindow]).toEqual([1, 0])
  })

  it("every ACK's right edge (SEG.ACK + SEG.WND << shift) at or past every one before it, the reader stopped and segments never a whole unit", () => {
    const s = stopped()
    const unit = 2 ** s.snd.rcvShift
    let furthest = 0
    let off = 0
    let at = 10
    for (let i = 0; i < 400; i++) {
      const len = Math.min(1000, furthest === 0 ? 1000 : furthest - off)
      if (len <= 0) break
      const out = s.send(at++, seg(off, len))
      off += len
      for (const o of out) {
        const right = T.ourAck(o) + o.window * unit
        expect(right).toBeGreaterThanOrEqual(furthest)
        furthest = right
      }
    }
    // the peer filled the window to its edge: shut there
    expect(s.snd.view.rcvShut).toBe(true)
    expect(off).toBe(furthest)
  })

  it("a read that moves the buffer's edge no further than the edge announced sends nothing (Linux's tcp_cleanup_rbuf: a new window of at least twice tcp_receive_window, the announced one)", () => {
    const s = stopped()
    const unit = 2 ** s.snd.rcvShift
    // data past the buffer's edge (65536), into the edge the rounding up announced
    const { off, edge, at } = fillTo(s, unit, 1)
    s.tick(at + 200)
    expect(Seq.sub(s.snd.view.rcvEdge!, peerSeq(0))).toBeGreaterThanOrEqual(edge)
    expect(off).toBeGreaterThan(65536 + 2 * Sender.windowStep(s.snd))
    // reads that carry the buffer's edge a step on each time, still behind the data taken: an ACK
    // would repeat the last one (the same SEG.ACK and SEG.WND, a duplicate ACK to the peer)
    for (let k = 1; k <= 2; k++) {
      const { out } = s.read(at + 200 + k, Sender.windowStep(s.snd))
      expect(out.map((o) => [T.ourAck(o), o.window])).toEqual([])
    }
  })
})

describe("a window announced shut takes no data (RFC 9293 §3.10.7.4: with RCV.WND zero no segment is acceptable; Linux's tcp_data_queue)", () => {
  const taken = (s: T.TcpSocket) => s.received.reduce((n, c) => n + c.length, 0)

  it("not into room a read made but the window did not announce (receiver SWS avoidance): a one-octet probe is dropped and answered", () => {
    const s = est()
    const segs = []
    for (let off = 0; off < BUF; off += 1000) segs.push(seg(off, Math.min(1000, BUF - off)))
    // (the last segment, after the last every-second ACK, waits for the delayed ACK)
    const acks = [...s.send(10, ...segs), ...s.tick(50)]
    expect(acks.at(-1)!.window).toBe(0)
    // one octet read: too little to announce
    expect(s.read(20, 1).out).toEqual([])
    const out = s.send(30, seg(BUF, 1))
    expect(out.map((o) => [T.ourAck(o), o.window])).toEqual([[BUF, 0]])
    expect(taken(s)).toBe(BUF - 1)
  })

  it("not into what the rounding of a scaled window would reach past the buffer", () => {
    const s = T.established({ params: { receiveBuffer: 65536, maxReceiveBuffer: 8 * 1024 * 1024 }, peerOptions: { mss: MSS, sackPermitted: false, windowScale: 7 } })
    const unit = 2 ** s.snd.rcvShift
    expect(unit).toBe(256)
    // the peer sends up to the edge each ACK announces, until one announces a zero window
    let off = 0
    let edge = 65536
    let shut = false
    for (let i = 0, at = 10; i < 400 && !shut; i++) {
      const out = s.send(at++, seg(off, Math.min(1000, edge - off)))
      off += Math.min(1000, edge - off)
      for (const o of out) {
        edge = Math.max(edge, T.ourAck(o) + o.window * unit)
        shut = o.window === 0 && T.ourAck(o) === off
      }
    }
    expect(shut).toBe(true)
    const before = taken(s)
    const out = s.send(5000, seg(off, 100))
    expect(out.map((o) => [T.ourAck(o), o.window])).toEqual([[off, 0]])
    expect(taken(s)).toBe(before)
  })
})

describe("the read wake-up after 2^31 octets read", () => {
  it("still measures from the edge last announced (Sender.readWakeFrom)", () => {
    const big = 1 << 20
    const s = T.established({ params: { receiveBuffer: big, maxReceiveBuffer: big }, peerOptions: { mss: MSS, sackPermitted: false, windowScale: 7 } })
    const chunk = T.octets(big)
    let off = 0
    let at = 10
    while (off < 2 ** 31) {
      s.send(at++, T.fromPeer({ seq: off, payload: chunk }))
      off += big
      s.read(at++)
    }
    // the window shut by one more buffer's worth, nothing read of it
    s.send(at++, T.fromPeer({ seq: off, payload: chunk }))
    expect(Sender.readWakeFrom(s.snd)).toBe(s.reads.consumed + Sender.windowStep(s.snd))
  }, 60_000)
})

describe("a segment of several MSS (a TSO or GRO aggregate, as a TAP with offloads hands them over)", () => {
  const quiet = () => est({ params: { receiveBuffer: 65536, maxReceiveBuffer: 65536, quickAcks: 0 } })
  it("counts as that many full-sized segments: acknowledged at once, not after the delayed-ACK timer (Linux's __tcp_ack_snd_check)", () => {
    const s = quiet()
    expect(T.seenAll(s.send(10, seg(0, 10 * MSS))).map((o) => [o.flags, o.ack])).toEqual([["ACK", 10 * MSS]])
    // more than one MSS's worth is enough, as Linux's rcv_nxt - rcv_wup > rcv_mss
    expect(T.seenAll(s.send(20, seg(10 * MSS, MSS + 1))).map((o) => [o.flags, o.ack])).toEqual([["ACK", 11 * MSS + 1]])
  })
  it("a lone full-sized segment still waits for the delayed ACK (40 ms)", () => {
    const s = quiet()
    expect(s.send(10, seg(0, MSS))).toEqual([])
    expect(s.tick(49)).toEqual([])
    expect(T.seenAll(s.tick(50)).map((o) => [o.flags, o.ack])).toEqual([["ACK", MSS]])
  })
  // (Linux's tcp_measure_rcv_mss measures `gso_size ?: skb->len`: an aggregate by the segments it
  // holds, which the sender's TSO cut to its MSS, the timestamps left out)
  const aggregate = (from: number, len: number, gsoSize: number, options?: TcpWire.TcpOptions) =>
    T.fromPeer({ seq: from, payload: T.octets(len, from), gsoSize, ...(options === undefined ? {} : { options }) })
  it("of segments shorter than our MSS (a peer of 500-octet segments): two of them are more than one segment, acknowledged at once", () => {
    const s = quiet()
    // (the guess stays RFC 9293's 536: one 500-octet segment does not lower it; Linux the same)
    expect(T.seenAll(s.send(10, aggregate(0, 1000, 500))).map((o) => [o.flags, o.ack])).toEqual([["ACK", 1000]])
    expect(s.rcv.ackMss.mss).toBe(536)
  })
  it("with timestamps: the guess is the peer's segment (1448), not our MSS; a lone full-sized one then ends no write, and its read sends no ACK", () => {
    const s = est({ params: { receiveBuffer: 65536, maxReceiveBuffer: 65536, quickAcks: 0 }, peer: { timestamp: { value: 1, echo: 0 } } })
    const tsPeer = T.ts(5, 0)
    const full = MSS - 12
    expect(T.seenAll(s.send(10, aggregate(0, 4 * full, full, tsPeer))).map((o) => o.ack)).toEqual([4 * full])
    expect(s.rcv.ackMss.mss).toBe(full)
    // a full-sized segment without PSH (tcp_measure_rcv_mss: len >= rcv_mss, no ICSK_ACK_PUSHED)
    expect(s.send(20, T.fromPeer({ seq: 4 * full, payload: T.octets(full, 4 * full), options: tsPeer }))).toEqual([])
    expect(s.read(21).out).toEqual([])
    expect(s.tick(60).map((o) => T.ourAck(o))).toEqual([5 * full])
  })
})

describe("a bare FIN beyond a hole (an out-of-order segment: RFC 5681 §4.2's immediate duplicate ACK; Linux's tcp_data_queue_ofo)", () => {
  const fin = (from: number) => T.fromPeer({ seq: from, flags: ACK | FIN })
  it("without SACK: a duplicate ACK at once, and the FIN taken when the hole fills", () => {
    const s = est()
    s.send(10, seg(1000, 1000))
    expect(T.seenAll(s.send(20, fin(2000))).map((o) => [o.flags, o.ack])).toEqual([["ACK", 0]])
    expect(T.seenAll(s.send(30, seg(0, 1000))).map((o) => [o.flags, o.ack])).toEqual([["ACK", 2001]])
  })
  it("with SACK: the block it ends covers it, first", () => {
    const s = est({ peer: { sackPermitted: true } })
    s.send(10, seg(1000, 1000))
    s.send(11, seg(3000, 1000))
    expect(s.send(20, fin(2000)).map((o) => [T.ourAck(o), o.options.sack])).toEqual([[0, [block(1000, 2001), block(3000, 4000)]]])
  })
  it("with SACK, apart from any block: a block of its own, first, then it joins the block that reaches it", () => {
    const s = est({ peer: { sackPermitted: true } })
    s.send(10, seg(1000, 1000))
    expect(s.send(20, fin(3000)).map((o) => [T.ourAck(o), o.options.sack])).toEqual([[0, [block(3000, 3001), block(1000, 2000)]]])
    expect(s.send(30, seg(2000, 1000)).map((o) => [T.ourAck(o), o.options.sack])).toEqual([[0, [block(1000, 3001)]]])
  })
  it("with SACK, a FIN that in-order data then runs past (a peer sending beyond its own FIN) is forgotten: no block below the ACK", () => {
    // (Linux's tcp_ofo_queue drops the held FIN once RCV.NXT passes it; a block [FIN, FIN + 1)
    // below the ACK would read as a D-SACK on every ACK after)
    const s = est({ peer: { sackPermitted: true } })
    s.send(10, fin(1000))
    const out = [...s.send(20, seg(0, 2000)), ...s.tick(300)]
    expect(out.map((o) => [T.ourAck(o), o.options.sack])).toEqual([[2000, undefined]])
  })
  it("with SACK and no data held: the FIN's own block", () => {
    const s = est({ peer: { sackPermitted: true } })
    expect(s.send(20, fin(1000)).map((o) => [T.ourAck(o), o.options.sack])).toEqual([[0, [block(1000, 1001)]]])
  })
})

describe("a FIN beyond a hole that comes again is D-SACKed with what came with it (RFC 2883 §4; Linux's tcp_data_queue_ofo: tcp_dsack_set over the segment's whole space)", () => {
  const sackEst = () => est({ peer: { sackPermitted: true } })
  const fin = (from: number, len = 0) => T.fromPeer({ seq: from, flags: ACK | FIN, payload: T.octets(len, from) })
  it("a bare FIN again: its octet, then the block it ends", () => {
    const s = sackEst()
    s.send(10, seg(1000, 1000))
    s.send(20, fin(2000))
    expect(s.send(30, fin(2000)).map((o) => [T.ourAck(o), o.options.sack])).toEqual([[0, [block(2000, 2001), block(1000, 2001)]]])
  })
  it("data and FIN again: the data and the FIN", () => {
    const s = sackEst()
    s.send(10, fin(1000, 1000))
    expect(s.send(20, fin(1000, 1000)).map((o) => [T.ourAck(o), o.options.sack])).toEqual([[0, [block(1000, 2001), block(1000, 2001)]]])
  })
  it("new data with a FIN held already: the FIN", () => {
    const s = sackEst()
    s.send(10, fin(2000))
    expect(s.send(20, fin(1000, 1000)).map((o) => [T.ourAck(o), o.options.sack])).toEqual([[0, [block(2000, 2001), block(1000, 2001)]]])
  })
  it("but not when the FIN is taken with it: RCV.NXT passes the FIN, no block is held", () => {
    const s = sackEst()
    s.send(10, fin(1000))
    // (no gap filled: nothing is held but the FIN, which the segment brings again, as Linux's tcp_fin
    // empties the out-of-order queue before tcp_data_queue asks whether the segment filled a gap; its
    // ACK goes at once only because with the FIN more than the peer's segment came, RcvMss.ts)
    expect(s.send(20, fin(0, 1000)).map((o) => [T.ourAck(o), o.options.sack])).toEqual([[1001, undefined]])
  })
})

describe("data that came before, wholly below RCV.NXT: quick-ACK mode again (Linux's tcp_enter_quickack_mode in tcp_data_queue and tcp_send_dupack)", () => {
  // (a sender that resends what we acknowledged lost our ACK or timed out: it is in slow start
  // from one segment, and each ACK we delay holds it a delayed-ACK time)
  const spent = () => {
    const s = est({ params: { receiveBuffer: 65536, maxReceiveBuffer: 65536 } })
    let at = 10
    for (let i = 0; i < 16; i++) s.send(at++, seg(100 * i, 100))
    expect(s.send(at++, seg(1600, 100))).toEqual([]) // the quick ACKs are spent: delayed
    s.tick(at + 50)
    return s
  }
  it("a duplicate in the window: its ACK at once, and the next segments' too", () => {
    const s = spent()
    expect(T.seenAll(s.send(200, seg(1600, 100))).map((o) => [o.flags, o.ack])).toEqual([["ACK", 1700]])
    expect(T.seenAll(s.send(210, seg(1700, 100))).map((o) => [o.flags, o.ack])).toEqual([["ACK", 1800]])
    expect(T.seenAll(s.send(220, seg(1800, 100))).map((o) => [o.flags, o.ack])).toEqual([["ACK", 1900]])
  })
  // (Linux 6.17's tcp_sequence refuses a probe into a window shut by unread data before tcp_data_queue:
  // tcp_send_dupack enters quick-ACK mode only for a segment below RCV.NXT, so this one leaves none)
  it("a probe into our zero window, with the data that shut it unread, is no such sign (6.17's tcp_sequence refuses it before tcp_data_queue): the next segment's ACK waits", () => {
    const s = est()
    const segs = []
    for (let off = 0; off < BUF; off += 1024) segs.push(seg(off, 1024))
    s.send(10, ...segs) // the quick ACKs of the connection's start are spent on these
    expect(s.send(20, seg(BUF, 1)).map((o) => [T.ourAck(o), o.window])).toEqual([[BUF, 0]])
    expect(s.read(30).out.map((o) => [T.ourAck(o), o.window])).toEqual([[BUF, BUF]])
    expect(s.send(40, seg(BUF, 100))).toEqual([])
  })
  it("a segment partly new is no such sign: the next one waits", () => {
    const s = spent()
    s.send(200, seg(1650, 100))
    s.tick(250)
    expect(s.send(300, seg(1750, 100))).toEqual([])
  })
})

describe("a FIN taken with the segment that owes its own ACK: that ACK covers the FIN (Linux's tcp_data_queue calls tcp_fin before __tcp_ack_snd_check)", () => {
  const fin = (from: number, len = 0) => T.fromPeer({ seq: from, flags: ACK | FIN, payload: T.octets(len, from) })
  it("the second segment, with the FIN: one ACK at once, of the FIN", () => {
    const s = est({ params: { quickAcks: 0 } })
    expect(s.send(10, seg(0, 1000))).toEqual([])
    expect(s.send(20, fin(1000, 1000)).map((o) => T.ourAck(o))).toEqual([2001])
    expect(s.tick(300)).toEqual([])
    expect(s.state).toBe("CloseWait")
  })
  it("both in one batch: the same", () => {
    const s = est({ params: { quickAcks: 0 } })
    expect(s.send(10, seg(0, 1000), fin(1000, 1000)).map((o) => T.ourAck(o))).toEqual([2001])
    expect(s.tick(300)).toEqual([])
  })
  it("four in one batch, the FIN on the fourth: an ACK after the second, and one at once of the FIN", () => {
    const s = est({ params: { quickAcks: 0 } })
    const out = s.send(10, seg(0, 1000), seg(1000, 1000), seg(2000, 1000), fin(3000, 1000))
    expect(out.map((o) => T.ourAck(o))).toEqual([2000, 4001])
    expect(s.tick(300)).toEqual([])
  })
  it("a full-sized segment with the FIN, alone: at once (with the FIN, more than a full segment's worth came since the last ACK)", () => {
    const s = est({ params: { quickAcks: 0 } })
    expect(s.send(10, fin(0, MSS)).map((o) => T.ourAck(o))).toEqual([MSS + 1])
    expect(s.tick(300)).toEqual([])
  })
  it("a segment smaller than the peer's with the FIN: after the delayed-ACK time", () => {
    const s = est({ params: { quickAcks: 0 } })
    s.send(10, seg(0, MSS))
    s.tick(100)
    expect(s.send(110, fin(MSS, MSS - 1))).toEqual([])
    expect(s.tick(300).map((o) => T.ourAck(o))).toEqual([2 * MSS])
  })
  it("a lone segment with the FIN whose size the peer's segments have (1000 octets): at once (Linux measures rcv_mss from what arrives, tcp_measure_rcv_mss)", () => {
    const s = est({ params: { quickAcks: 0 } })
    s.send(10, seg(0, 1000))
    expect(s.tick(100).map((o) => T.ourAck(o))).toEqual([1000])
    expect(s.send(110, fin(1000, 1000)).map((o) => T.ourAck(o))).toEqual([2001])
  })
  it("two pushed segments of 100 octets are less than the peer's segment as guessed (536): the delayed ACK; six are more", () => {
    const s = est({ params: { quickAcks: 0 } })
    const pushed = (from: number) => T.fromPeer({ seq: from, flags: ACK | PSH, payload: T.octets(100, from) })
    expect(s.send(10, pushed(0), pushed(100))).toEqual([])
    expect(s.tick(100).map((o) => T.ourAck(o))).toEqual([200])
    expect(s.send(110, ...Array.from({ length: 6 }, (_, i) => pushed(200 + 100 * i))).map((o) => T.ourAck(o))).toEqual([800])
  })
  it("two unpushed segments of the same size, 88 octets or more, make it the guess: the second is acknowledged at once (a peer that does not push sends full segments)", () => {
    const s = est({ params: { quickAcks: 0 } })
    expect(s.send(10, seg(0, 100), seg(100, 100)).map((o) => T.ourAck(o))).toEqual([200])
    expect(s.send(20, seg(200, 100))).toEqual([])
  })
  it("a segment that fills the hole before a FIN held: one ACK at once, of the FIN (tcp_ofo_queue's tcp_fin, then the gap's ICSK_ACK_NOW)", () => {
    const s = est({ params: { quickAcks: 0 }, peer: { sackPermitted: true } })
    expect(s.send(10, fin(1000, 1000)).map((o) => T.ourAck(o))).toEqual([0])
    expect(s.send(20, seg(0, 1000)).map((o) => [T.ourAck(o), o.options.sack])).toEqual([[2001, undefined]])
    expect(s.tick(300)).toEqual([])
    expect(s.state).toBe("CloseWait")
  })
})

describe("the read that empties the buffer after data that ended a write sends its ACK (Linux's tcp_cleanup_rbuf, ICSK_ACK_PUSHED from tcp_measure_rcv_mss)", () => {
  const pushed = (from: number, len: number) => T.fromPeer({ seq: from, flags: ACK | PSH, payload: T.octets(len, from) })
  it("a short segment, the quick ACKs spent: its ACK waits, and goes with the read that takes it all", () => {
    const s = est({ params: { quickAcks: 0 } })
    expect(s.send(10, pushed(0, 100))).toEqual([])
    expect(s.read(20, 50).out).toEqual([])
    expect(s.read(21).out.map((o) => T.ourAck(o))).toEqual([100])
    expect(s.tick(100)).toEqual([])
  })
  it("not a segment that made its size the guess (two unpushed of one size): its read sends nothing, the delayed ACK goes", () => {
    const s = est({ params: { quickAcks: 0 } })
    s.send(10, seg(0, 200))
    expect(s.read(15).out.map((o) => T.ourAck(o))).toEqual([200])
    expect(s.send(20, seg(200, 200))).toEqual([])
    expect(s.read(25).out).toEqual([])
    expect(s.tick(100).map((o) => T.ourAck(o))).toEqual([400])
  })
  it("nor in an interactive exchange for one such segment (pingpong); for two, yes (PUSHED2)", () => {
    const s = est({ params: { quickAcks: 0 } })
    s.send(10, pushed(0, 10))
    s.write(15, "answer")
    expect(s.send(30, T.fromPeer({ seq: 10, ack: 6, flags: ACK | PSH, payload: T.octets(10, 10) }))).toEqual([])
    expect(s.read(35).out).toEqual([])
    const t = est({ params: { quickAcks: 0 } })
    t.send(10, pushed(0, 10))
    t.write(15, "answer")
    expect(t.send(30, T.fromPeer({ seq: 10, ack: 6, flags: ACK | PSH, payload: T.octets(10, 10) }), T.fromPeer({ seq: 20, ack: 6, flags: ACK | PSH, payload: T.octets(10, 20) }))).toEqual([])
    expect(t.read(35).out.map((o) => T.ourAck(o))).toEqual([30])
  })
})

describe("what is owed an ACK, counted across batches (Linux's rcv_nxt - rcv_wup)", () => {
  it("an ACK the send half sent for part of the data clears that part: only what lies beyond it is owed", () => {
    const s = est()
    // a first full segment of 1000 sets the guess of the peer's size to 1000 and is acknowledged
    s.send(10, seg(0, 1000))
    s.tick(100)
    expect(s.rcv.ackMss.mss).toBe(1000)
    // 300 and 300 more, in two batches: 600 owed, no ACK point
    const view = () => ({ ...s.snd.view })
    // (pushed: two unpushed segments of one shorter length would lower the guess to it)
    const pushed = (from: number, len: number) => T.fromPeer({ seq: from, flags: ACK | PSH, payload: T.octets(len, from) })
    Receiver.onBatch(s.rcv, [pushed(1000, 300)], 200, s.reads.consumed, view())
    Receiver.onBatch(s.rcv, [pushed(1300, 300)], 201, s.reads.consumed, view())
    // the send half acknowledged the first 300 (a segment of its own carried it, before it read the
    // second batch's report); the receive half sees that ACK at its third batch
    const ackedFirst = { ...view(), lastAckSent: peerSeq(1300) }
    // 500 more: 300 + 500 = 800 owed beyond that ACK, not more than one segment of 1000: no point
    const r = Receiver.onBatch(s.rcv, [pushed(1600, 500)], 202, s.reads.consumed, ackedFirst)
    expect(r.ackPoints).toEqual([])
    expect(s.rcv.ackMss.mss).toBe(1000)
    // and 300 more pass it: a point at RCV.NXT
    const r2 = Receiver.onBatch(s.rcv, [pushed(2100, 300)], 203, s.reads.consumed, ackedFirst)
    expect(r2.ackPoints).toEqual([peerSeq(2400)])
  })
})
