/**
 * HyStart++ (RFC 9406) as both algorithms run it in their initial slow
 * start: the rounds, the delay rule that ends slow start (8 samples, a
 * threshold clamped to 4-16 ms), Conservative Slow Start's quarter growth,
 * its way back when the delay falls again, its end after 5 rounds, and that
 * a loss or a timeout ends HyStart++ for good unless the loss is undone.
 *
 * A sender that always fills its window: every ACK acknowledges one SMSS,
 * so slow start doubles the window each round and a round has as many ACKs
 * as the window had segments when it began. Sequence numbers start just
 * below 2^32, so rounds end across the wrap.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Congestion from "../../../src/tcp/congestion/Congestion.js"
import * as HyStart from "../../../src/tcp/congestion/HyStart.js"
import type * as Segment from "../../../src/tcp/Segment.js"
import * as Seq from "../../../src/tcp/SeqNum.js"
import * as T from "../../support/TcpSocket.js"

const SMSS = 1000
const ISS = Seq.make(2 ** 32 - 20 * SMSS)

interface Flow {
  readonly s: Congestion.State
  readonly algorithm: Congestion.Algorithm
  una: Seq.SeqNum
  nxt: Seq.SeqNum
  t: number
}

const flow = (name: Congestion.Name, hystart = true): Flow => {
  const algorithm = Congestion.byName(name)
  const s = algorithm.init(SMSS, 0, false, hystart)
  return { s, algorithm, una: ISS, nxt: Seq.add(ISS, s.cwnd), t: 0 }
}

/** One ACK of one SMSS that measured `rtt` ms; then the window is filled again. */
const ack = (f: Flow, rtt: number): void => {
  f.t += 1
  const flight = Seq.sub(f.nxt, f.una)
  f.una = Seq.add(f.una, SMSS)
  f.algorithm.onAck(f.s, SMSS, f.t, rtt, flight, rtt, f.una, f.nxt)
  const room = Math.floor(f.s.cwnd) - Seq.sub(f.nxt, f.una)
  if (room > 0) f.nxt = Seq.add(f.nxt, room)
}

/** ACKs at `rtt` until the round in progress ends; returns how many it took. */
const round = (f: Flow, rtt: number): number => {
  ack(f, rtt)
  // (read after the first ACK: it gives the flow its own record in place of HyStart.FRESH)
  const h = f.s.hystart!
  let n = 1
  // (the first ACK may have begun the first round)
  const end = h.roundEnd
  while (h.roundEnd === end) {
    ack(f, rtt)
    n++
  }
  return n
}

const hs = (f: Flow): HyStart.HyStart => f.s.hystart!

/** Two whole rounds at 50 ms: the round before's minimum is 50, RttThresh 6.25. */
const settled = (name: Congestion.Name): Flow => {
  const f = flow(name)
  round(f, 50)
  round(f, 50)
  return f
}

/** Then a round at 60 ms: CSS from its 8th ACK on (that round is CSS's first). */
const inCss = (name: Congestion.Name): Flow => {
  const f = settled(name)
  round(f, 60)
  expect(hs(f).phase).toBe("css")
  return f
}

describe("HyStart++ thresholds (RFC 9406 §4.2)", () => {
  it("RttThresh is lastRoundMinRTT / 8, clamped to [4, 16] ms", () => {
    expect(HyStart.rttThresh(10)).toBe(4)
    expect(HyStart.rttThresh(32)).toBe(4)
    expect(HyStart.rttThresh(80)).toBe(10)
    expect(HyStart.rttThresh(128)).toBe(16)
    expect(HyStart.rttThresh(1000)).toBe(16)
  })
})

describe("HyStart++ within one round", () => {
  const END = Seq.add(ISS, 100 * SMSS)
  /** ACKs of one SMSS each, in a round that ends far ahead, at a window of `segments` */
  const samples = (h: HyStart.HyStart, rtts: ReadonlyArray<number>, segments = 100, from = 1) =>
    rtts.forEach((rtt, i) => HyStart.observe(h, rtt, Seq.add(ISS, (from + i) * SMSS), END, segments))

  it("the way back from CSS needs this round's 8 samples only, not a minimum from the round before", () => {
    const h = HyStart.make()
    h.phase = "css"
    h.baseline = 60
    samples(h, [50, 50, 50, 50, 50, 50, 50])
    expect(h.phase).toBe("css")
    samples(h, [50], 100, 8)
    expect(h.phase).toBe("slowStart")
  })

  it("moves at most once: later, lower samples of the round CSS began in do not send it back (and forth)", () => {
    const h = HyStart.make()
    h.lastRoundMin = 0
    samples(h, [8, 8, 8, 8, 8, 8, 8, 8])
    expect(h.phase).toBe("css")
    samples(h, [7, 9, 6, 9, 5, 9], 100, 9)
    expect([h.phase, h.delayExits, h.resumed, h.baseline]).toEqual(["css", 1, 0, 8])
  })

  it("the delay rule waits for a window of 16 segments (Linux's hystart_low_window)", () => {
    const small = HyStart.make()
    small.lastRoundMin = 0
    samples(small, [8, 8, 8, 8, 8, 8, 8, 8, 8, 8], 15)
    expect(small.phase).toBe("slowStart")
    const enough = HyStart.make()
    enough.lastRoundMin = 0
    samples(enough, [8, 8, 8, 8, 8, 8, 8, 8], 16)
    expect(enough.phase).toBe("css")
  })
})

describe.each(["cubic", "newreno"] as const)("HyStart++ in %s's initial slow start", (name) => {
  it("a steady delay never ends slow start: the window doubles every round", () => {
    const f = flow(name)
    const start = f.s.cwnd
    for (let r = 0; r < 5; r++) round(f, 50)
    expect(hs(f).phase).toBe("slowStart")
    expect(hs(f).delayExits).toBe(0)
    expect(f.s.ssthresh).toBe(Congestion.INFINITE_SSTHRESH)
    expect(f.s.cwnd).toBeGreaterThanOrEqual(16 * start)
  })

  it("a round's minimum RttThresh above the last ends slow start at its 8th sample, not before", () => {
    const f = settled(name)
    expect(hs(f).lastRoundMin).toBe(50)
    for (let i = 0; i < 7; i++) ack(f, 56.25)
    expect(hs(f).phase).toBe("slowStart")
    const before = f.s.cwnd
    ack(f, 56.25)
    expect(hs(f).phase).toBe("css")
    expect(hs(f).baseline).toBe(56.25)
    expect(hs(f).delayExits).toBe(1)
    // this ACK already grows by a quarter
    expect(f.s.cwnd - before).toBe(SMSS / 4)
  })

  it("just under RttThresh above the last round keeps slow start going", () => {
    const f = settled(name)
    round(f, 56.2)
    round(f, 56.2 + 56.2 / 8 - 0.1)
    expect(hs(f).phase).toBe("slowStart")
  })

  it("the first round has no round before it to compare with", () => {
    const f = flow(name)
    for (let i = 0; i < 9; i++) ack(f, i === 0 ? 10 : 500)
    expect(hs(f).phase).toBe("slowStart")
  })

  it("the round's minimum decides, not its latest sample", () => {
    const f = settled(name)
    ack(f, 50) // one sample at the old delay holds this round's minimum down
    for (let i = 0; i < 12; i++) ack(f, 90)
    expect(hs(f).phase).toBe("slowStart")
  })

  it("CSS grows a quarter as fast, and after 5 rounds congestion avoidance begins at ssthresh = cwnd", () => {
    const f = inCss(name)
    for (let r = 0; r < 5 - 2; r++) {
      const before = f.s.cwnd
      const acks = round(f, 60)
      // every ACK of this whole round grew the window by SMSS / 4
      expect(f.s.cwnd - before).toBeCloseTo((acks * SMSS) / 4, 6)
    }
    expect(hs(f).phase).toBe("css")
    expect(f.s.ssthresh).toBe(Congestion.INFINITE_SSTHRESH)
    round(f, 60) // the 5th round ends: congestion avoidance
    expect(hs(f).phase).toBe("done")
    expect(f.s.ssthresh).toBe(Math.floor(f.s.cwnd))
    expect(Congestion.inSlowStart(f.s)).toBe(false)
    // the next ACK grows as congestion avoidance does: far less than a quarter segment
    const cwnd = f.s.cwnd
    ack(f, 60)
    expect(f.s.cwnd - cwnd).toBeLessThan(SMSS / 8)
  })

  it("a CSS round whose minimum falls below the baseline resumes slow start (the exit was jitter)", () => {
    const f = inCss(name)
    for (let i = 0; i < 7; i++) ack(f, 55)
    expect(hs(f).phase).toBe("css") // 7 samples are not enough
    ack(f, 55)
    expect(hs(f).phase).toBe("slowStart")
    expect(hs(f).resumed).toBe(1)
    const before = f.s.cwnd
    ack(f, 55)
    expect(f.s.cwnd - before).toBe(SMSS)
  })

  it("a loss ends HyStart++: the slow start after a timeout does not use it", () => {
    const f = settled(name)
    f.algorithm.onLoss(f.s, Seq.sub(f.nxt, f.una), f.t)
    expect(hs(f).phase).toBe("done")
    f.algorithm.onRto(f.s, Seq.sub(f.nxt, f.una), f.t + 1000)
    f.nxt = Seq.add(f.una, f.s.cwnd)
    // growing delays in the slow start up to ssthresh change nothing
    for (let i = 0; i < 12; i++) ack(f, 50 + 10 * i)
    expect(hs(f).phase).toBe("done")
    expect(hs(f).delayExits).toBe(0)
  })

  it("a timeout as the first congestion event ends HyStart++ too", () => {
    const f = settled(name)
    f.algorithm.onRto(f.s, Seq.sub(f.nxt, f.una), f.t + 1000)
    expect(hs(f).phase).toBe("done")
    f.nxt = Seq.add(f.una, f.s.cwnd)
    for (let i = 0; i < 12; i++) ack(f, 50 + 10 * i)
    expect(hs(f).delayExits).toBe(0)
  })

  it("a loss undone in slow start puts HyStart++ back with the last round's minimum: the next round can exit", () => {
    const f = settled(name)
    const saved = Congestion.saveForUndo(f.s)
    f.algorithm.onLoss(f.s, Seq.sub(f.nxt, f.una), f.t)
    Congestion.undo(f.s, saved)
    expect(f.s.ssthresh).toBe(Congestion.INFINITE_SSTHRESH)
    expect(hs(f).phase).toBe("slowStart")
    expect(hs(f).lastRoundMin).toBe(50)
    round(f, 70)
    expect(hs(f).phase).toBe("css")
  })

  it("a loss undone in CSS goes on in CSS, its baseline and rounds kept", () => {
    const f = inCss(name)
    round(f, 60) // CSS's second round
    const saved = Congestion.saveForUndo(f.s)
    f.algorithm.onLoss(f.s, Seq.sub(f.nxt, f.una), f.t)
    Congestion.undo(f.s, saved)
    expect([hs(f).phase, hs(f).baseline, hs(f).cssRounds]).toEqual(["css", 60, 2])
    const before = f.s.cwnd
    ack(f, 60)
    expect(f.s.cwnd - before).toBe(SMSS / 4)
    // three more rounds: congestion avoidance
    for (let r = 0; r < 3; r++) round(f, 60)
    expect(hs(f).phase).toBe("done")
    expect(f.s.ssthresh).toBe(Math.floor(f.s.cwnd))
  })

  it("an idle period that cuts the window starts HyStart++ over: a CSS never ends at the restart window", () => {
    const f = inCss(name)
    f.algorithm.onIdle(f.s, 1000, 200)
    expect(f.s.cwnd).toBe(10 * SMSS)
    expect([hs(f).phase, hs(f).lastRoundMin, hs(f).cssRounds]).toEqual(["slowStart", Infinity, 0])
    f.nxt = Seq.add(f.una, f.s.cwnd)
    // the queue drained while idle: steady, lower delays; slow start doubles again
    for (let r = 0; r < 6; r++) round(f, 50)
    expect(f.s.ssthresh).toBe(Congestion.INFINITE_SSTHRESH)
    expect(f.s.cwnd).toBeGreaterThan(100 * SMSS)
  })

  it("an idle period that leaves the window as it is changes nothing", () => {
    const f = inCss(name)
    f.algorithm.onIdle(f.s, 100, 200)
    expect([hs(f).phase, hs(f).baseline]).toEqual(["css", 60])
  })

  it("a new flow shares HyStart.FRESH until its first ACK, then has its own record; a loss or timeout before any ACK ends only its own", () => {
    // (issue 8 §2: an idle connection holds no HyStart++ record of its own; the behaviour is make()'s)
    const f = flow(name)
    const g = flow(name)
    expect(f.s.hystart).toBe(HyStart.FRESH)
    expect(g.s.hystart).toBe(HyStart.FRESH)
    ack(f, 50)
    expect(f.s.hystart).not.toBe(HyStart.FRESH)
    expect([hs(f).phase, hs(f).roundMin, hs(f).samples]).toEqual(["slowStart", 50, 1])
    g.algorithm.onIdle(g.s, 5000, 200)
    expect(g.s.hystart).toBe(HyStart.FRESH)
    g.algorithm.onRto(g.s, Seq.sub(g.nxt, g.una), 1000)
    expect(hs(g).phase).toBe("done")
    expect(HyStart.FRESH).toEqual(HyStart.make())
    expect(flow(name).s.hystart).toBe(HyStart.FRESH)
  })

  it("turned off, growing delays never end slow start", () => {
    const f = flow(name, false)
    expect(f.s.hystart).toBeUndefined()
    for (let i = 0; i < 200; i++) ack(f, 50 + i)
    expect(f.s.ssthresh).toBe(Congestion.INFINITE_SSTHRESH)
    expect(f.s.cwnd).toBe(10 * SMSS + 200 * SMSS)
  })
})

/**
 * HyStart++'s input in a whole connection: each ACK's RTT sample is the one Linux's CUBIC gets
 * (tcp_clean_rtx_queue's ca_rtt_us, which tcp_ack_update_rtt hands on as rs->rtt_us to
 * pkts_acked, cubictcp_acked): the send time of the newest segment the ACK acknowledges (or newly
 * SACKs) that went only once, and the echoed timestamp only when no such segment exists ("Prefer
 * RTT measured from ACK's timing to TS-ECR. This is because broken middle-boxes or peers may
 * corrupt TS-ECR fields"). A peer that echoes a stale TSval then does not end slow start.
 *
 * The flow: a 100 ms path (plus `extra` for data sent from 100 ms on), every segment ACKed
 * alone, each ACK echoing the TSval of the segment it acknowledges less `stale` (from 100 ms on);
 * 10 segments at 0, 28 more by 100 ms, and the second round's minimum compared with the first's
 * 100 ms (RttThresh 12.5 ms) from its 8th sample, the window then past 16 segments.
 */
describe("HyStart++'s RTT sample from the send times, the echo only without one (Linux's ca_rtt_us)", () => {
  const MSS = 1460
  const run = (o: { readonly sack: boolean; readonly stale: number; readonly extra: number }): HyStart.HyStart => {
    const s = T.established({
      params: { congestion: "cubic", hystart: true, sack: o.sack },
      peerOptions: { mss: MSS, sackPermitted: o.sack, timestamp: { value: 1, echo: 0 } },
      peerWindow: 65535
    })
    const queue: Array<{ end: number; tsval: number; at: number }> = []
    const sent = (at: number, out: ReadonlyArray<Segment.OutSegment>) => {
      for (const seg of out) {
        const len = seg.payload?.length ?? 0
        if (len > 0) queue.push({ end: T.ourSeq(seg) + len, tsval: seg.options.timestamp!.value, at })
      }
    }
    sent(0, s.write(0, T.octets(60 * MSS)))
    let peerTs = 2
    while (queue.length > 0) {
      const q = queue.shift()!
      const at = q.at + 100 + (q.at >= 100 ? o.extra : 0)
      if (at > 250) break
      const echo = q.tsval - (q.at >= 100 ? o.stale : 0)
      sent(at, s.send(at, T.fromPeer({ ack: q.end, window: 65535, options: { sackPermitted: false, timestamp: { value: peerTs++, echo } } })))
    }
    return s.snd.cc.hystart!
  }

  it.each([false, true])("a peer echoing TSvals 20 ms stale, the send times 100 ms steady: slow start goes on (SACK %s)", (sack) => {
    const h = run({ sack, stale: 20, extra: 0 })
    expect([h.phase, h.delayExits]).toEqual(["slowStart", 0])
  })

  it.each([false, true])("the same flow whose delay grows by 20 ms: CSS from the second round (SACK %s)", (sack) => {
    const h = run({ sack, stale: 0, extra: 20 })
    expect([h.phase, h.delayExits]).toEqual(["css", 1])
  })
})
