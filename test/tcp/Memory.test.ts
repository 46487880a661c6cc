/**
 * The stack-wide bound on TCP memory (Memory.ts, Linux's tcp_mem), rule by
 * rule: pressure mode's hysteresis (__sk_mem_raise_allocated /
 * __sk_mem_reduce_allocated), tcp_init_mem's defaults, the window's cut under
 * pressure that keeps an announced edge and outlives the pressure
 * (tcp_adjust_rcv_ssthresh), the prune
 * order of the out-of-order queue (tcp_prune_ofo_queue), and the drop above
 * `high` that spares a connection below its minimum and in-order data into
 * an empty receive queue (tcp_data_queue, tcp_try_rmem_schedule).
 */
import { describe, expect, it } from "vitest"
import * as Memory from "../../src/tcp/Memory.js"
import * as Ooo from "../../src/tcp/OutOfOrder.js"
import { ACK, FIN, type OutSegment } from "../../src/tcp/Segment.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as T from "../support/TcpSocket.js"
import * as Sender from "../../src/tcp/Sender.js"

const MSS = 1460
const LIMITS = { low: 300_000, pressure: 400_000, high: 500_000 }

const est = (m: Memory.TcpMemory, buffer = 64 * 1024, sack = false) =>
  T.established({
    params: { receiveBuffer: buffer, maxReceiveBuffer: buffer, memory: m },
    peerOptions: { mss: MSS, sackPermitted: sack }
  })
const seg = (from: number, len: number) => T.fromPeer({ seq: from, payload: T.octets(len, from) })
const rcvNxt = (s: T.TcpSocket) => Seq.sub(s.rcv.rcvNxt, Seq.add(T.REMOTE_ISN, 1))

describe("the accountant", () => {
  it("enters pressure above `pressure` and leaves it only below `low`, counting each entry", () => {
    const m = Memory.make(LIMITS)
    Memory.charge(m, 400_000)
    expect(m.pressure).toBe(false) // at `pressure`, not above it
    Memory.charge(m, 1)
    expect([m.pressure, m.pressureEntries]).toEqual([true, 1])
    Memory.charge(m, -50_000) // between low and pressure: still under pressure
    expect(m.pressure).toBe(true)
    Memory.charge(m, -50_001) // at low exactly: still
    expect(m.pressure).toBe(true)
    Memory.charge(m, -1)
    expect(m.pressure).toBe(false)
    Memory.charge(m, 150_000) // back above pressure: a second entry
    expect([m.pressure, m.pressureEntries, m.allocated]).toEqual([true, 2, 449_999])
  })

  it("is never in pressure mode below `low`: Linux's raise path also leaves at `<= low` (__sk_mem_raise_allocated), its reduce path at `< low`, but a charge that ends at or below `low` began below it, where a reduce had already left (checked over seeded walks)", () => {
    let seed = 7
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
    for (let walk = 0; walk < 50; walk++) {
      const m = Memory.make(LIMITS)
      for (let i = 0; i < 400; i++) {
        // up and down around the marks, landing on them exactly now and then
        const r = next()
        const target = r < 0.1 ? LIMITS.low : r < 0.2 ? LIMITS.pressure + 1 : Math.floor(next() * 600_000)
        const was = m.pressure
        Memory.charge(m, target - m.allocated)
        if (m.pressure) expect(m.allocated).toBeGreaterThanOrEqual(LIMITS.low)
        // at `low` exactly only after a reduce that kept it (`< low` to leave)
        if (m.pressure && m.allocated === LIMITS.low) expect(was).toBe(true)
      }
    }
  })

  it("defaults as tcp_init_mem: a sixteenth of memory at pressure, 3/4 of it low, twice low high", () => {
    const l = Memory.defaultsFor(8 * 1024 ** 3)
    expect(l).toEqual({ pressure: 512 * 1024 ** 2, low: 384 * 1024 ** 2, high: 768 * 1024 ** 2 })
    // at least 128 pages
    expect(Memory.defaultsFor(0).pressure).toBe(128 * 4096)
  })

  it("a writer's room stops at `high`, but for its minimum", () => {
    const m = Memory.make(LIMITS)
    Memory.charge(m, 300_000)
    expect(Memory.sendRoom(m, 100_000, 0)).toBe(100_000)
    Memory.charge(m, 150_000)
    expect(Memory.sendRoom(m, 100_000, 20_000)).toBe(50_000)
    Memory.charge(m, 50_000)
    expect(Memory.sendRoom(m, 100_000, 0)).toBe(Memory.MIN_SEND)
    Memory.charge(m, 1)
    expect(Memory.sendRoom(m, 100_000, 0)).toBe(Memory.MIN_SEND)
    expect(Memory.sendRoom(m, 100_000, 1000)).toBe(Memory.MIN_SEND - 1000)
    expect(Memory.sendRoom(m, 100_000, 10_000)).toBe(0)
    expect(Memory.sendRoom(m, 100, 0)).toBe(100)
  })
})

describe("the out-of-order queue pruned", () => {
  const at = (o: number) => Seq.add(Seq.make(1000), o)
  it("drops whole blocks from the highest sequence down, only above the segment that wants room, until enough is freed", () => {
    const q = Ooo.make()
    for (const o of [100, 300, 500, 700]) Ooo.insert(q, at(o), T.octets(50, o), 1 << 20, 64)
    expect(q.octets).toBe(200)
    // 60 octets wanted for a segment at 200: [700, 750) then [500, 550) go
    expect(Ooo.prune(q, at(200), 60)).toBe(100)
    expect(q.blocks.map((b) => Seq.sub(b.start, at(0)))).toEqual([100, 300])
    expect(q.octets).toBe(100)
    // nothing above 300's start for a segment at 300: [300, 350) starts at it, not above
    expect(Ooo.prune(q, at(300), 1000)).toBe(0)
    expect(Ooo.prune(q, at(0), 1000)).toBe(100)
    expect(q.octets).toBe(0)
  })
})

describe("window under pressure (Linux's tcp_adjust_rcv_ssthresh: rcv_ssthresh = min(rcv_ssthresh, 4U * advmss))", () => {
  const base = Seq.add(T.REMOTE_ISN, 1)
  const edge = (s: T.TcpSocket) => Seq.sub(s.snd.view.rcvEdge!, base)
  const windowOf = (out: ReadonlyArray<OutSegment>) => {
    let w = -1
    for (const o of out) if ((o.flags & ACK) !== 0) w = o.window
    return w
  }
  // a reader that keeps up: each segment read at once
  const feed = (s: T.TcpSocket, from: number, to: number, now: number) => {
    for (let o = from; o < to; o += 1000) {
      s.send(now, seg(o, Math.min(1000, to - o)))
      s.read(now)
    }
  }
  it("a reader that keeps up keeps its whole window: the cut comes only from __tcp_select_window with under half the buffer free, tcp_grow_window with room to grow, or tcp_prune_queue", () => {
    const m = Memory.make(LIMITS)
    const s = est(m)
    const free = est(Memory.make(LIMITS))
    feed(s, 0, 10_000, 0)
    feed(free, 0, 10_000, 0)
    Memory.charge(m, 400_001)
    expect(m.pressure).toBe(true)
    // the reader reads on: the edge follows the reads, pressure or not
    feed(s, 10_000, 20_000, 10)
    feed(free, 10_000, 20_000, 10)
    expect(edge(s)).toBe(edge(free))
    expect(s.snd.rcvSsthresh).toBe(Number.POSITIVE_INFINITY)
  })

  it("under half the buffer free under pressure cuts the window to four segments past RCV.NXT (__tcp_select_window), never pulling back an edge announced; the cut outlives the pressure and regrows by tcp_grow_window, each growth ACKed at once", () => {
    const m = Memory.make(LIMITS)
    const s = est(m)
    const unit = 2 ** s.snd.rcvShift
    // 40 000 unread of 65 536: under half free
    for (let o = 0; o < 40_000; o += 1000) s.send(o, seg(o, 1000))
    s.tick(100)
    const announced = edge(s)
    expect(announced).toBe(65_536)
    Memory.charge(m, 400_001)
    s.send(200, seg(40_000, 1000))
    expect(s.snd.rcvSsthresh).toBe(4 * MSS)
    expect(edge(s)).toBe(announced)
    // read all: the buffer free again, but the cut stays while pressure lasts (tcp_grow_window under
    // pressure cuts, it does not grow): data up to near the announced edge, read as it comes, moves
    // it no further than RCV.NXT + four segments
    s.read(300)
    feed(s, 41_000, 61_000, 400)
    expect(s.snd.rcvSsthresh).toBe(4 * MSS)
    expect(edge(s) - rcvNxt(s)).toBeLessThanOrEqual(4 * MSS + unit)
    // pressure ends (below `low`): the cut stays, and grows by max(2 × advmss, 2 × len) a segment
    // (tcp_grow_window), each growth ACKed at once (icsk_ack.quick |= 1)
    Memory.charge(m, -100_002)
    expect(m.pressure).toBe(false)
    const out = s.send(500, seg(61_000, 1000))
    expect(windowOf(out) * unit).toBe(Math.ceil((4 * MSS + 2 * MSS) / unit) * unit)
    // and on to the buffer, less the segment held as it grew (tcp_grow_window's room is
    // min(window_clamp, tcp_space) - rcv_ssthresh, with the segment queued)
    s.read(510)
    feed(s, 62_000, 90_000, 600)
    expect(s.snd.rcvSsthresh).toBe(s.snd.capacity - 1000)
    expect(edge(s) - rcvNxt(s)).toBeGreaterThanOrEqual(s.snd.capacity - 1000)
  })
})

describe("data above `high`", () => {
  it("is taken in order into an empty receive queue only; beyond, dropped unacknowledged", () => {
    const m = Memory.make(LIMITS)
    const s = est(m)
    s.send(0, seg(0, 1460))
    expect(rcvNxt(s)).toBe(1460)
    Memory.charge(m, 600_000) // other connections hold more than `high`
    // 1460 unread: the next is dropped, and nothing acknowledges it
    const dropped = s.send(30, seg(1460, 1460))
    expect(rcvNxt(s)).toBe(1460)
    expect(dropped.filter((o) => T.ourAck(o) > 1460)).toEqual([])
    expect(m.rcvQueueDropped).toBe(1)
    // read: the queue empty again (and the zero window of the drop open), the peer's retransmission
    // is taken whatever the total (it shuts the window again: the next test)
    s.read(35)
    s.send(40, seg(1460, 1460))
    expect(rcvNxt(s)).toBe(2920)
    // memory falls below `high`: taken behind unread data too
    s.read(45)
    Memory.charge(m, -200_000)
    s.send(50, seg(2920, 1460))
    s.send(55, seg(4380, 1460))
    expect(rcvNxt(s)).toBe(5840)
    expect(m.rcvQueueDropped).toBe(1)
  })

  it("gives a connection below its minimum (tcp_rmem[0]) nothing more above `high`: no out-of-order data, nothing behind unread data (else connections enough, each under it, carry the total past any bound: __sk_mem_raise_allocated goes to suppress_allocation before that guarantee)", () => {
    const m = Memory.make(LIMITS)
    // many fresh connections, each holding nothing (the first 1460 octets, in order, unread)
    const conns = Array.from({ length: 8 }, () => est(m, 64 * 1024, true))
    const c = conns[0]!
    c.send(0, seg(0, 1460))
    Memory.charge(m, 600_000)
    // out-of-order data is dropped on every one
    for (const c of conns) c.send(10, seg(2920, 1460))
    expect(conns.map((c) => c.rcv.ooo.octets)).toEqual(conns.map(() => 0))
    expect(m.rcvQueueDropped).toBe(8)
    // in order behind unread data: not taken, though 1460 < tcp_rmem[0] is held
    c.send(20, seg(1460, 1000))
    expect(rcvNxt(c)).toBe(1460)
    expect(m.rcvQueueDropped).toBe(9)
  })

  it("prunes the out-of-order queue above the segment before dropping it, all of it under pressure (tcp_prune_ofo_queue breaks at its goal only out of pressure), never below it", () => {
    const m = Memory.make(LIMITS)
    const s = est(m, 64 * 1024, true)
    // in order 5000 unread, then blocks at 10000, 20000, 30000
    for (let o = 0; o < 5000; o += 1000) s.send(o, seg(o, 1000))
    for (const o of [10_000, 20_000, 30_000]) s.send(o, seg(o, 2000))
    expect(s.rcv.ooo.octets).toBe(6000)
    // the stack at `high` exactly: a segment at 15000 needs 1000 octets; the blocks above it go, both
    // (the one at 30000 alone would make room), the one at 10000 stays
    Memory.charge(m, 500_000)
    s.send(40_000, seg(15_000, 1000))
    expect(m.ofoPruned).toBe(1)
    expect(s.rcv.ooo.blocks.map((b) => Seq.sub(b.start, Seq.add(T.REMOTE_ISN, 1)))).toEqual([10_000, 15_000])
    // one beyond every block: nothing above it to prune, dropped
    s.send(41_000, seg(40_000, 1000))
    expect(m.rcvQueueDropped).toBe(1)
    expect(s.rcv.ooo.octets).toBe(3000)
  })
  it("a FIN held beyond a hole outlives the prune of the data before it: its block alone is reported, and it is taken only once that data came again, FIN resent or not (Linux's tcp_prune_ofo_queue drops it with its skb and tcp_sack_reset clears every block: a difference no peer can misread, see the note)", () => {
    const m = Memory.make(LIMITS)
    const s = est(m, 64 * 1024, true)
    const base = Seq.add(T.REMOTE_ISN, 1)
    const blocks = (out: ReadonlyArray<OutSegment>) =>
      out.filter((o) => (o.flags & ACK) !== 0).map((o) => [T.ourAck(o), (o.options.sack ?? []).map((b) => [Seq.sub(b.left, base), Seq.sub(b.right, base)])])
    for (let o = 0; o < 5000; o += 1000) s.send(o, seg(o, 1000))
    // [10000, 12000) and the FIN, beyond the hole at 5000
    s.send(100, T.fromPeer({ seq: 10_000, payload: T.octets(2000, 10_000), flags: FIN | ACK }))
    Memory.charge(m, 500_000)
    // the segment at 6000 prunes everything above it: the data goes, the FIN stays (its block only)
    expect(blocks(s.send(200, seg(6000, 1000)))).toEqual([[5000, [[6000, 7000], [12_000, 12_001]]]])
    expect(s.rcv.ooo.octets).toBe(1000)
    Memory.charge(m, -400_000)
    s.read(300)
    // the hole filled up to the FIN, data only (a peer that took the FIN's block resends no FIN):
    // nothing acknowledges the FIN before its data, and then RCV.NXT passes it
    s.send(400, seg(5000, 1000))
    expect(blocks(s.send(500, seg(7000, 4000)))).toEqual([[11_000, [[12_000, 12_001]]]])
    expect(s.rcv.finReceived).toBe(false)
    expect(blocks(s.send(600, seg(11_000, 1000)).concat(s.tick(1000)))).toEqual([[12_001, []]])
    expect([rcvNxt(s), s.rcv.finReceived, s.snd.state]).toEqual([12_001, true, "CloseWait"])
  })
  it("in order into an empty receive queue: the out-of-order queue is pruned first (tcp_try_rmem_schedule), and what fits then is taken as usual; what does not is forced in, with the zero window", () => {
    const m = Memory.make(LIMITS)
    const s = est(m, 64 * 1024, true)
    for (const o of [10_000, 20_000, 30_000]) s.send(o, seg(o, 2000))
    s.tick(1000)
    // the others and the blocks (6000) hold less than `high`, but not with this segment on top: the
    // blocks go, and it fits
    Memory.charge(m, 500_000 - 1000)
    const fits = s.send(2000, seg(0, 1460))
    expect(rcvNxt(s)).toBe(1460)
    expect([m.ofoPruned, m.rcvQueueDropped, s.rcv.ooo.octets]).toEqual([1, 0, 0])
    expect(fits.every((o) => o.window > 0)).toBe(true)
    s.read(2010)
    // blocks again, and the others above `high`: pruned, and still it does not fit: forced in
    Memory.charge(m, -100_000)
    for (const o of [10_000, 20_000]) s.send(3000, seg(o, 2000))
    expect(s.rcv.ooo.octets).toBe(4000)
    Memory.charge(m, 200_000)
    const forced = s.send(4000, seg(1460, 1460))
    expect(rcvNxt(s)).toBe(2920)
    expect([m.ofoPruned, m.rcvQueueDropped, s.rcv.ooo.octets]).toEqual([2, 0, 0])
    expect(forced.map((o) => [T.ourAck(o), o.window])).toEqual([[2920, 0]])
  })
})

describe("zero-window counters (tcp_select_window: TCPToZeroWindowAdv, TCPFromZeroWindowAdv, TCPWantZeroWindowAdv)", () => {
  const counts = (s: T.TcpSocket) => [Sender.counters(s.snd).toZeroWindow, Sender.counters(s.snd).fromZeroWindow, Sender.counters(s.snd).wantZeroWindow]
  it("a buffer filled by a stalled reader: the window wanted 0 while an edge announced stood (Want), announced 0 once reached (To), reopened by the read (From)", () => {
    const s = est(Memory.make(LIMITS), 16 * 1024)
    // 16 KiB of buffer, the reader away: the edge stays where announced; the ACK that leaves 384
    // octets free (less than a segment of the peer's, 1000 octets) is one Linux's buffer would shut,
    // kept open by the edge (Want), the one of the last segment announces 0 (To)
    for (let o = 0; o < 16_000; o += 1000) s.send(o, seg(o, 1000))
    s.send(16_000, seg(16_000, 384))
    s.tick(17_000)
    const full = s.snd.view.rcvEdge!
    expect(Seq.sub(full, s.rcv.rcvNxt)).toBe(0)
    expect(counts(s)).toEqual([1, 0, 1])
    // the peer's probe into the shut window: its answer announces 0 again, no new "to zero"
    s.send(18_000, seg(16 * 1024, 1))
    expect(counts(s)).toEqual([1, 0, 1])
    // the read opens it
    s.read(19_000)
    expect(counts(s)).toEqual([1, 1, 1])
  })

  it("the window of 0 of a memory drop is no \"to zero\" (tcp_select_window returns before it counts), its reopening is a \"from zero\"", () => {
    const m = Memory.make(LIMITS)
    const s = est(m)
    s.send(0, seg(0, 1460))
    s.tick(200)
    Memory.charge(m, 600_000)
    s.send(300, seg(1460, 1460))
    expect(counts(s)).toEqual([0, 0, 0])
    Memory.charge(m, -200_000)
    s.read(500)
    expect(counts(s)).toEqual([0, 1, 0])
  })
  it("\"want zero\" measures free space against the peer's segment size as we guessed it (__tcp_select_window: icsk_ack.rcv_mss), not the MSS we announced", () => {
    const s = est(Memory.make(LIMITS), 16 * 1024)
    // a peer whose segments are 536 octets (the guess: RcvMss), the reader away
    let o = 0
    for (let t = 0; o < 27 * 536; o += 536, t += 10) s.send(t, seg(o, 536))
    s.tick(1000)
    expect(s.snd.ackMss).toBe(536)
    const before = Sender.counters(s.snd).wantZeroWindow
    // 1376 octets free: under half the buffer, not under a sixteenth of it (1024) nor under a
    // segment of the peer's; Linux's buffer would not shut the window (under our MSS of 1460 only)
    s.send(1100, seg(o, 536))
    s.tick(2000)
    expect(16 * 1024 - rcvNxt(s)).toBe(1376)
    expect(Sender.counters(s.snd).wantZeroWindow).toBe(before)
  })

  it("under pressure, a reader that keeps up wants no zero window (__tcp_select_window judges tcp_space before it caps the window at rcv_ssthresh)", () => {
    const m = Memory.make(LIMITS)
    const s = est(m, 256 * 1024)
    Memory.charge(m, 450_000)
    expect(m.pressure).toBe(true)
    // segments read as they come: the buffer is all but free
    let wnd = -1
    for (let o = 0, t = 0; o < 20 * 1460; o += 1460, t += 10) {
      const out = s.send(t, seg(o, 1460))
      s.read(t + 1)
      for (const x of out) if ((x.flags & ACK) !== 0) wnd = x.window
    }
    s.tick(1000)
    expect(wnd).toBeGreaterThan(0)
    expect(counts(s)).toEqual([0, 0, 0])
  })
})

describe("the fair share between `pressure` and `high` (__sk_mem_raise_allocated: a socket past its minimum goes on while high > sockets × its holdings)", () => {
  it("lets a receive side through below `low`, below its minimum (tcp_rmem[0]), out of pressure, or under pressure while sockets × what its connection holds stays below `high`", () => {
    const m = Memory.make(LIMITS)
    m.sockets = 10 // a share of 50 000 octets each
    // below `low` (after the segment): whatever it holds
    expect(Memory.mayReceive(m, 0, 1000, 200_000, 200_000)).toBe(true)
    Memory.charge(m, 350_000)
    // between `low` and `pressure`, not in pressure mode: yes
    expect(Memory.mayReceive(m, 0, 1000, 200_000, 200_000)).toBe(true)
    // this segment carries the total past `pressure`: pressure mode at once (sk_enter_memory_pressure
    // comes before the share is judged), and the share applies
    expect(Memory.mayReceive(m, 49_000, 2000, 60_000, 60_000)).toBe(false)
    expect([m.pressure, m.pressureEntries]).toEqual([true, 1])
    Memory.charge(m, 60_000)
    expect([m.pressure, m.pressureEntries]).toEqual([true, 1])
    // under pressure: 9 × 60 000 ≥ 500 000... refused at 50 000 and above, let through below
    expect(Memory.mayReceive(m, 0, 1000, 60_000, 60_000)).toBe(false)
    expect(Memory.mayReceive(m, 0, 1000, 50_000, 50_000)).toBe(false)
    expect(Memory.mayReceive(m, 0, 1000, 49_999, 49_999)).toBe(true)
    // the socket's holdings are both sides' (sk_wmem_queued + sk_rmem_alloc): a little received, much sent
    expect(Memory.mayReceive(m, 0, 1000, 5000, 55_000)).toBe(false)
    // below its receive minimum, whatever the rest
    expect(Memory.mayReceive(m, 0, 1000, Memory.MIN_RECEIVE - 1, 300_000)).toBe(true)
    // over `high` nothing is let through, minimum or share
    expect(Memory.mayReceive(m, 0, 100_000, 0, 0)).toBe(false)
    // pressure stays down to `low` (hysteresis), and the share with it
    Memory.charge(m, -100_000)
    expect(m.pressure).toBe(true)
    expect(Memory.mayReceive(m, 0, 1000, 60_000, 60_000)).toBe(false)
    Memory.charge(m, -20_000)
    expect(Memory.mayReceive(m, 0, 1000, 60_000, 60_000)).toBe(true)
  })

  it("gives a writer past its minimum (tcp_wmem[0]) under pressure no more than its share, what keeps the total within `low`, or its minimum", () => {
    const m = Memory.make(LIMITS)
    m.sockets = 10
    Memory.charge(m, 420_000)
    expect(m.pressure).toBe(true)
    // holding 30 000 of its 50 000 share (send and receive sides together)
    expect(Memory.sendRoom(m, 100_000, 20_000, 30_000)).toBe(20_000)
    expect(Memory.sendRoom(m, 100_000, 20_000, 50_000)).toBe(0)
    // below its minimum: up to it
    expect(Memory.sendRoom(m, 100_000, 1000, 60_000)).toBe(Memory.MIN_SEND - 1000)
    // out of pressure, `high` alone bounds it
    Memory.charge(m, -130_000)
    expect(m.pressure).toBe(false)
    expect(Memory.sendRoom(m, 100_000, 20_000, 200_000)).toBe(100_000)
  })

  it("refuses a hog's in-order data behind unread data under pressure (a zero window, as any in-order drop), while a connection under its share still takes it; the hog, once read, takes it again", () => {
    const m = Memory.make(LIMITS)
    m.sockets = 10
    const hog = est(m, 256 * 1024)
    const small = est(m, 256 * 1024)
    // the hog holds 60 000 unread, the small one 5000
    for (let o = 0; o < 60_000; o += 1000) hog.send(o, seg(o, 1000))
    for (let o = 0; o < 5000; o += 1000) small.send(o, seg(o, 1000))
    Memory.charge(m, 350_000 + 65_000) // the others' and these two's: pressure
    expect(m.pressure).toBe(true)
    hog.tick(1000)
    small.tick(1000)
    const hogOut = hog.send(2000, seg(60_000, 1000))
    small.send(2000, seg(5000, 1000))
    expect([rcvNxt(hog), rcvNxt(small)]).toEqual([60_000, 6000])
    expect(m.rcvQueueDropped).toBe(1)
    // in order behind unread data: dropped, answered with a window of 0 (ICSK_ACK_NOMEM)
    expect(hogOut.filter((o) => (o.flags & ACK) !== 0).map((o) => [T.ourAck(o), o.window])).toEqual([[60_000, 0]])
    // the hog reads all: holding nothing, it is under its share, and the resend is taken
    hog.read(3000)
    hog.send(3100, seg(60_000, 1000))
    expect(rcvNxt(hog)).toBe(61_000)
    expect(m.rcvQueueDropped).toBe(1)
  })
})

describe("a zero window on a memory drop (Linux 6.x's ICSK_ACK_NOMEM)", () => {
  const base = Seq.add(T.REMOTE_ISN, 1)
  const acks = (out: ReadonlyArray<OutSegment>) => out.filter((o) => (o.flags & ACK) !== 0)
  // 1460 in order, unread, with the stack above `high`: the next in-order segment is dropped
  const squeezed = () => {
    const m = Memory.make(LIMITS)
    const s = est(m)
    s.send(0, seg(0, 1460))
    s.tick(200) // the delayed ACK of the first goes: nothing owed
    Memory.charge(m, 600_000)
    return { m, s }
  }

  it("the dropped in-order segment draws an ACK at once that announces a window of 0 at RCV.NXT (tcp_data_queue sets ICSK_ACK_NOMEM | ICSK_ACK_NOW; tcp_select_window then sets rcv_wnd = 0, rcv_wup = rcv_nxt)", () => {
    const { m, s } = squeezed()
    const out = s.send(300, seg(1460, 1460))
    expect(m.rcvQueueDropped).toBe(1)
    expect(rcvNxt(s)).toBe(1460)
    const a = acks(out)
    expect(a.length).toBe(1)
    expect([T.ourAck(a[0]!), a[0]!.window]).toEqual([1460, 0])
    // the edge is pulled back to RCV.NXT: the one place a window is retracted
    expect(Seq.sub(s.snd.view.rcvEdge!, base)).toBe(1460)
    expect(s.snd.view.rcvShut).toBe(true)
  })

  it("afterwards the window is 0 from RCV.NXT: data there is out of window (ACK at once and drop) even once memory is back below `high`; a bare FIN is still taken", () => {
    const { m, s } = squeezed()
    s.send(300, seg(1460, 1460))
    Memory.charge(m, -200_000) // the others let go: memory no longer refuses it, the window does
    const out = s.send(400, seg(1460, 1460))
    expect(rcvNxt(s)).toBe(1460)
    expect(m.rcvQueueDropped).toBe(1) // not a memory drop
    expect(acks(out).map((o) => T.ourAck(o))).toEqual([1460])
    // a bare FIN at RCV.NXT passes a zero window
    const { s: s2 } = squeezed()
    s2.send(300, seg(1460, 1460))
    s2.send(400, T.fromPeer({ seq: 1460, flags: FIN | ACK }))
    expect(s2.rcv.finReceived).toBe(true)
  })

  it("the read that frees room sends the window update at once (tcp_cleanup_rbuf: a window of 0 now, any new one is twice it), without waiting for the peer's probe", () => {
    const { m, s } = squeezed()
    s.send(300, seg(1460, 1460))
    Memory.charge(m, -200_000)
    const { out } = s.read(500)
    const a = acks(out)
    expect(a.length).toBe(1)
    expect(T.ourAck(a[0]!)).toBe(1460)
    expect(a[0]!.window).toBeGreaterThan(0)
    expect(s.snd.view.rcvShut).toBe(false)
    // the peer's retransmission is taken
    s.send(600, seg(1460, 1460))
    expect(rcvNxt(s)).toBe(2920)
  })

  it("the refusal cuts the window to four segments too, and the cut outlives the pressure: the read after it reopens no further (tcp_prune_queue: a socket within sk_rcvbuf under pressure gets tcp_adjust_rcv_ssthresh)", () => {
    const { m, s } = squeezed()
    s.send(300, seg(1460, 1460))
    expect(m.rcvQueueDropped).toBe(1)
    // everything back below `low`: pressure over before the read
    Memory.charge(m, -500_000)
    expect(m.pressure).toBe(false)
    const { out } = s.read(500)
    const a = acks(out)
    expect(a.length).toBe(1)
    const unit = 2 ** s.snd.rcvShift
    expect(a[0]!.window).toBe(Math.ceil((4 * MSS) / unit))
    // the retransmission is taken, and the window grows from there (tcp_grow_window)
    const next = acks(s.send(600, seg(1460, 1460)).concat(s.tick(1000)))
    expect(rcvNxt(s)).toBe(2920)
    expect(next.at(-1)!.window * unit).toBeGreaterThan(4 * MSS)
    expect(next.at(-1)!.window * unit).toBeLessThan(32 * 1024)
  })

  it("a segment partly a duplicate whose new part is dropped draws one ACK, with the D-SACK of its old part and the window of 0 (tcp_data_queue: tcp_dsack_set, then queue_and_out's ICSK_ACK_NOMEM | ICSK_ACK_NOW; one tcp_send_ack carries both)", () => {
    const m = Memory.make(LIMITS)
    const s = est(m, 64 * 1024, true)
    s.send(0, seg(0, 1460))
    s.tick(200)
    Memory.charge(m, 600_000)
    // 730 octets we have, then 730 new ones that memory refuses
    const out = s.send(300, seg(730, 1460))
    expect(m.rcvQueueDropped).toBe(1)
    expect(rcvNxt(s)).toBe(1460)
    const block = (l: number, r: number) => ({ left: Seq.add(base, l), right: Seq.add(base, r) })
    expect(acks(out).map((o) => [T.ourAck(o), o.window, o.options.sack])).toEqual([[1460, 0, [block(730, 1460)]]])
    expect(Seq.sub(s.snd.view.rcvEdge!, base)).toBe(1460)
    expect(s.snd.view.rcvShut).toBe(true)
  })

  it("in-order data forced into an empty receive queue above `high` draws the same ACK at once, window 0 at the RCV.NXT past it (6.18's tcp_data_queue sets ICSK_ACK_NOMEM | ICSK_ACK_NOW whenever tcp_try_rmem_schedule fails, before it drops or sk_forced_mem_schedule takes the segment)", () => {
    const m = Memory.make(LIMITS)
    const s = est(m)
    s.send(0, seg(0, 1460))
    s.read(10)
    s.tick(300) // nothing owed, nothing unread
    Memory.charge(m, 600_000)
    const out = s.send(400, seg(1460, 1460))
    expect(rcvNxt(s)).toBe(2920)
    expect(m.rcvQueueDropped).toBe(0)
    expect(acks(out).map((o) => [T.ourAck(o), o.window])).toEqual([[2920, 0]])
    expect(Seq.sub(s.snd.view.rcvEdge!, base)).toBe(2920)
    expect(s.snd.view.rcvShut).toBe(true)
    // the read of it reopens the window at once (Connection's memShut wake-up, onRead)
    const { out: update } = s.read(500)
    expect(acks(update).map((o) => [T.ourAck(o), o.window > 0])).toEqual([[2920, true]])
    // below `high`, in order into an empty queue: nothing retracted
    Memory.charge(m, -200_000)
    const calm = s.send(600, seg(2920, 1460))
    expect(rcvNxt(s)).toBe(4380)
    expect(acks(calm.concat(s.tick(1000))).every((o) => o.window > 0)).toBe(true)
  })

  it("retracts for nothing else: an out-of-order drop above `high` draws no ACK and keeps the announced edge (tcp_data_queue_ofo sets no ICSK_ACK_NOMEM)", () => {
    const m = Memory.make(LIMITS)
    const s = est(m, 64 * 1024, true)
    s.send(0, seg(0, 1460))
    s.tick(200)
    const edge = Seq.sub(s.snd.view.rcvEdge!, base)
    Memory.charge(m, 600_000)
    const out = s.send(300, seg(4000, 1460))
    expect(m.rcvQueueDropped).toBe(1)
    expect(acks(out)).toEqual([])
    expect(Seq.sub(s.snd.view.rcvEdge!, base)).toBe(edge)
    expect(s.snd.view.rcvShut).toBe(false)
    // the next ACK (the peer's data into an empty queue after a read, memory back below `high`)
    // announces at least that edge
    Memory.charge(m, -200_000)
    s.read(310)
    const next = acks(s.send(320, seg(1460, 1460)).concat(s.tick(600)))
    expect(next.length).toBeGreaterThan(0)
    expect(Seq.sub(s.snd.view.rcvEdge!, base)).toBeGreaterThanOrEqual(edge)
    expect(next.every((o) => o.window > 0)).toBe(true)
  })
})

describe("orphans the stack cannot keep (Linux's tcp_check_oom and tcp_out_of_resources)", () => {
  // (the connection counts itself among the orphans before the close's check, as Connection.ts does
  // at the application's close: Linux's __tcp_close counts it, tcp_orphan_count_inc, first)
  const orphaned = (maxOrphans: number, others: number, peerWindow?: number) => {
    const m = Memory.make(LIMITS, maxOrphans)
    const s = T.established({
      params: { memory: m },
      peerOptions: { mss: MSS, sackPermitted: false },
      ...(peerWindow === undefined ? {} : { peerWindow })
    })
    m.orphans = others + 1
    return { m, s }
  }
  const flags = (out: ReadonlyArray<OutSegment>) => out.map((o) => T.flagNames(o.flags))

  it("checkOom: the orphans doubled `shift` times past the bound, or more than SOCK_MIN_SNDBUF queued while the total is past `high`", () => {
    const m = Memory.make(LIMITS, 4)
    m.orphans = 4
    expect([Memory.checkOom(m, 0, 0), Memory.checkOom(m, 1, 0)]).toEqual([false, true])
    m.orphans = 2
    expect([Memory.checkOom(m, 1, 0), Memory.checkOom(m, 2, 0)]).toEqual([false, true])
    m.orphans = 0
    Memory.charge(m, LIMITS.high + 1)
    expect([Memory.checkOom(m, 0, Memory.SOCK_MIN_SNDBUF), Memory.checkOom(m, 0, Memory.SOCK_MIN_SNDBUF + 1)]).toEqual([false, true])
    Memory.charge(m, -1) // at `high`, not past it
    expect(Memory.checkOom(m, 0, Memory.SOCK_MIN_SNDBUF + 1)).toBe(false)
    expect(Memory.checkOom(undefined, 5, 1 << 20)).toBe(false)
  })

  it("an orphan past the bound is reset at its close, after its FIN (__tcp_close: tcp_send_fin, then tcp_check_oom(sk, 0), tcp_set_state(TCP_CLOSE) and tcp_send_active_reset), counted", () => {
    const { m, s } = orphaned(1, 1)
    s.write(0, T.octets(100))
    const out = s.close(1)
    expect(flags(out)).toEqual(["FIN|ACK", "RST|ACK"])
    expect(T.ourSeq(out[1]!)).toBe(101) // SND.NXT, past the FIN (tcp_acceptable_seq)
    expect([s.state, s.snd.failure, m.abortedOnMemory]).toEqual(["Closed", "Aborted", 1])
  })

  it("one within the bound goes on as an orphan: its FIN, no reset", () => {
    const { m, s } = orphaned(2, 1)
    expect(flags(s.close(1))).toEqual(["FIN|ACK"])
    expect([s.state, m.abortedOnMemory]).toEqual(["FinWait1", 0])
  })

  it("one left in FIN-WAIT-2 with a timeout within TCP_TIMEWAIT_LEN is Linux's timewait sock already: no check", () => {
    const { m, s } = orphaned(0, 3)
    s.end(0)
    s.send(10, T.fromPeer({ seq: 0, ack: 1 })) // our FIN acknowledged
    expect(s.state).toBe("FinWait2")
    expect(s.close(20)).toEqual([])
    expect([s.state, m.abortedOnMemory]).toEqual(["FinWait2", 0])
  })

  it("at a retransmission timeout an orphan past the bound is reset instead of resending, one within it resends (tcp_write_timeout for SOCK_DEAD: tcp_out_of_resources)", () => {
    const { m, s } = orphaned(2, 1)
    s.write(0, T.octets(100))
    expect(flags(s.close(0))).toEqual(["FIN|ACK"])
    const rto = s.snd.rtoAt!
    expect(flags(s.tick(rto))).toEqual(["FIN|PSH|ACK"]) // 2 orphans, bound 2: the head resent, with the FIN
    m.orphans = 3
    const out = s.tick(s.snd.rtoAt!)
    expect(flags(out)).toEqual(["RST|ACK"])
    expect([s.state, m.abortedOnMemory]).toEqual(["Closed", 1])
  })

  it("a zero-window probe timeout of an orphan past the bound resets it (tcp_probe_timer: tcp_out_of_resources(sk, true))", () => {
    const { m, s } = orphaned(1, 0)
    s.write(0, T.octets(3000))
    s.send(5, T.fromPeer({ seq: 0, ack: 3000, window: 0 })) // everything acknowledged, the window shut
    s.write(6, T.octets(100))
    expect(flags(s.close(7))).toEqual([])
    expect(s.snd.persistAt).toBeDefined()
    m.orphans = 2
    const out = s.tick(s.snd.persistAt!)
    expect(flags(out)).toEqual(["RST|ACK"])
    expect([s.state, m.abortedOnMemory]).toEqual(["Closed", 1])
  })

  it("an orphan holding more than SOCK_MIN_SNDBUF to send while TCP memory is past `high` is reset at its close", () => {
    const { m, s } = orphaned(100, 0, 1000)
    s.write(0, T.octets(8000))
    Memory.charge(m, LIMITS.high + 1)
    expect(flags(s.close(1)).at(-1)).toBe("RST|ACK")
    expect(m.abortedOnMemory).toBe(1)
  })
})
