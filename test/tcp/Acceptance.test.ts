/**
 * The first checks of RFC 9293 §3.10.7.4 with RFC 5961 and PAWS (RFC 7323),
 * with sequence numbers around the 2^32 wrap (the remote ISN chosen so they wrap).
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as A from "../../src/tcp/Acceptance.js"
import * as Seq from "../../src/tcp/SeqNum.js"

const RCV_NXT = Seq.make(0xffffff00)
const at = (n: number) => Seq.add(RCV_NXT, n)

describe("acceptable (RFC 9293 §3.10.7.4)", () => {
  it("zero-length segment, zero window: only SEG.SEQ = RCV.NXT", () => {
    expect(A.acceptable(RCV_NXT, 0, RCV_NXT, 0)).toBe(true)
    expect(A.acceptable(RCV_NXT, 0, at(1), 0)).toBe(false)
    expect(A.acceptable(RCV_NXT, 0, at(-1), 0)).toBe(false)
  })
  it("zero-length segment, open window: RCV.NXT <= SEG.SEQ <= RCV.NXT + RCV.WND (the right edge taken, as Linux)", () => {
    expect(A.acceptable(RCV_NXT, 1000, RCV_NXT, 0)).toBe(true)
    expect(A.acceptable(RCV_NXT, 1000, at(999), 0)).toBe(true) // across the wrap
    // where a Linux sender whose SND.NXT lies beyond our window puts its ACKs (tcp_acceptable_seq)
    expect(A.acceptable(RCV_NXT, 1000, at(1000), 0)).toBe(true)
    expect(A.acceptable(RCV_NXT, 1000, at(1001), 0)).toBe(false)
    expect(A.acceptable(RCV_NXT, 1000, at(-1), 0)).toBe(false)
  })
  it("data with a zero window is never acceptable", () => {
    expect(A.acceptable(RCV_NXT, 0, RCV_NXT, 1)).toBe(false)
  })
  it("data with an open window: any overlap with the window", () => {
    expect(A.acceptable(RCV_NXT, 1000, at(-10), 20)).toBe(true) // old start, new end
    expect(A.acceptable(RCV_NXT, 1000, at(-10), 10)).toBe(false) // wholly old: ends at RCV.NXT - 1
    expect(A.acceptable(RCV_NXT, 1000, at(990), 50)).toBe(true) // starts inside, ends beyond
    expect(A.acceptable(RCV_NXT, 1000, at(1000), 1)).toBe(false)
    // Spans the whole window: neither end inside, which RFC 9293's literal test
    // rejects; Linux accepts any overlap (and trims), and so do we.
    expect(A.acceptable(RCV_NXT, 1000, at(-100), 2000)).toBe(true)
  })
  it.prop(
    "agrees with the definition in terms of offsets from RCV.NXT",
    [fc.integer({ min: -70000, max: 70000 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 65535 })],
    ([off, len, wnd]) => {
      const overlaps = off < wnd && off + len > 0
      const expected = len === 0 ? off >= 0 && off <= wnd : wnd > 0 && overlaps
      expect(A.acceptable(RCV_NXT, wnd, at(off), len)).toBe(expected)
    }
  )
})

describe("RST (RFC 5961 §3.2)", () => {
  it("resets only at exactly RCV.NXT; elsewhere in the window a challenge ACK; outside, dropped", () => {
    expect(A.onRst(RCV_NXT, 1000, RCV_NXT)).toBe("Reset")
    expect(A.onRst(RCV_NXT, 1000, at(1))).toBe("ChallengeAck")
    expect(A.onRst(RCV_NXT, 1000, at(999))).toBe("ChallengeAck")
    expect(A.onRst(RCV_NXT, 1000, at(1000))).toBe("Drop")
    expect(A.onRst(RCV_NXT, 1000, at(-1))).toBe("Drop")
    expect(A.onRst(RCV_NXT, 0, at(1))).toBe("Drop")
  })
})

describe("ACK field (RFC 9293 §3.10.7.4 fifth, RFC 5961 §5.2)", () => {
  const SND_UNA = Seq.make(0xfffffff0)
  const SND_NXT = Seq.add(SND_UNA, 5000) // across the wrap
  it("new data, old but acceptable, never sent, too old", () => {
    expect(A.onAck(SND_UNA, SND_NXT, 65535, Seq.add(SND_UNA, 1))).toBe("New")
    expect(A.onAck(SND_UNA, SND_NXT, 65535, SND_NXT)).toBe("New")
    expect(A.onAck(SND_UNA, SND_NXT, 65535, SND_UNA)).toBe("Old")
    expect(A.onAck(SND_UNA, SND_NXT, 65535, Seq.add(SND_UNA, -65535))).toBe("Old")
    expect(A.onAck(SND_UNA, SND_NXT, 65535, Seq.add(SND_UNA, -65536))).toBe("ChallengeAck")
    expect(A.onAck(SND_UNA, SND_NXT, 65535, Seq.add(SND_NXT, 1))).toBe("AckAndDrop")
  })
})

describe("PAWS (RFC 7323 §5.3)", () => {
  it("rejects an older TSval, across the 32-bit wrap, but never an RST, nor after 2147 s idle (Linux's TCP_PAWS_WRAP)", () => {
    expect(A.pawsRejects(1000, 999, false, 0)).toBe(true)
    expect(A.pawsRejects(1000, 1000, false, 0)).toBe(false)
    expect(A.pawsRejects(0xfffffff0, 5, false, 0)).toBe(false) // 5 is after the wrap
    expect(A.pawsRejects(5, 0xfffffff0, false, 0)).toBe(true)
    expect(A.pawsRejects(1000, 999, true, 0)).toBe(false)
    expect(A.pawsRejects(1000, 999, false, A.PAWS_IDLE_MS)).toBe(false)
    expect(A.pawsRejects(1000, 999, false, 2147 * 1000 - 1)).toBe(true)
    expect(A.pawsRejects(1000, 999, false, 2147 * 1000)).toBe(false)
  })
  it("a replay window lets a TSval that many ticks older pass (Linux's tcp_paws_check with paws_win)", () => {
    expect(A.pawsRejects(1000, 999, false, 0, A.PAWS_WINDOW)).toBe(false)
    expect(A.pawsRejects(1000, 998, false, 0, A.PAWS_WINDOW)).toBe(true)
    expect(A.pawsRejects(0, 0xfffffff0, false, 0, A.PAWS_WINDOW)).toBe(false)
    expect(A.pawsRejects(5, (5 - 1000) >>> 0, false, 0, A.PAWS_WINDOW)).toBe(true)
  })
  it("reads a TSval exactly 2^31 from TS.Recent as not older, as Linux's tcp_paws_check ((s32)(ts_recent - tsval) <= 0); 2^31 + 1 ahead is older", () => {
    expect(A.tsOlder(5, 5 + 2 ** 31)).toBe(false)
    expect(A.tsOlder(5, 5 + 2 ** 31 + 1)).toBe(true)
    expect(A.tsOlder(2 ** 31 + 5, 5)).toBe(false)
    // and newer, as tcp_timewait_state_process reads a SYN's ((s32)(ts_recent - tsval) < 0)
    expect(A.tsNewer(5, 5 + 2 ** 31)).toBe(true)
    expect(A.tsNewer(5, 5 + 2 ** 31 + 1)).toBe(false)
  })
})

describe("the timewait sock's window and PAWS (Linux's tcp_timewait_state_process, the orphan in FIN-WAIT-2)", () => {
  it("a segment at RCV.NXT is in, even with a zero window; one reaching past RCV.NXT that starts before the right edge; an empty one at the edge", () => {
    expect(A.inTimewaitWindow(RCV_NXT, 0, RCV_NXT, 10)).toBe(true)
    expect(A.inTimewaitWindow(RCV_NXT, 1000, at(-1), 1)).toBe(false) // a SYN or FIN just below: ends at RCV.NXT
    expect(A.inTimewaitWindow(RCV_NXT, 1000, at(-1), 2)).toBe(true)
    expect(A.inTimewaitWindow(RCV_NXT, 1000, at(999), 5)).toBe(true) // across the wrap
    expect(A.inTimewaitWindow(RCV_NXT, 1000, at(1000), 0)).toBe(true)
    expect(A.inTimewaitWindow(RCV_NXT, 1000, at(1000), 1)).toBe(false)
    expect(A.inTimewaitWindow(RCV_NXT, 1000, at(-5), 0)).toBe(false)
  })
  it("PAWS has no replay window, and refuses an RST too until TS.Recent is TCP_PAWS_MSL (60 s) old", () => {
    expect(A.timewaitPawsRejects(1000, 999, false, 0)).toBe(true)
    expect(A.timewaitPawsRejects(1000, 1000, false, 0)).toBe(false)
    expect(A.timewaitPawsRejects(1000, 999, true, 59_999)).toBe(true)
    expect(A.timewaitPawsRejects(1000, 999, true, A.PAWS_MSL_MS)).toBe(false)
    expect(A.timewaitPawsRejects(1000, 999, false, A.PAWS_MSL_MS)).toBe(true)
    expect(A.timewaitPawsRejects(1000, 999, false, A.PAWS_IDLE_MS)).toBe(false)
    expect(A.timewaitPawsRejects(0, 0xffffffff, false, 0)).toBe(false) // nothing is older than 0
  })
})
