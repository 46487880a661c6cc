/**
 * The stack against the Linux kernel as the receiver of a connection's data,
 * script by script (test/support/Conformance.ts: gVisor's packetimpact idea):
 * the testbench sends segments with holes, duplicates and overlaps, and the
 * device's ACKs must be the kernel's, line for line: the SACK blocks each
 * carries and their order (RFC 2018 §4: the block of the segment that drew
 * the ACK first, then the others, most recently changed first; three beside
 * timestamps, four without), D-SACK blocks (RFC 2883 §4: the duplicate first,
 * then the SACK block it lies in), overlapping out-of-order segments (what is
 * held already is kept), a FIN beyond a hole (taken once the hole fills), and
 * when an ACK goes (at once for each segment beyond a hole, for the one that
 * fills it and for one below RCV.NXT: RFC 5681 §4.2, RFC 9293 §3.8.6.3;
 * quick ACKs again after data that came before, as Linux's
 * tcp_enter_quickack_mode; as many quick ACKs as half the window then
 * announced holds segments, tcp_incr_quickack).
 *
 * The harness lets Linux listen past a step's window while it has said less
 * than the stack: a short window (`quick`) shows an ACK the stack delays
 * where Linux sends it at once, not the other way round.
 *
 * Left out on purpose, where Linux's answer is an artifact of its queue and
 * the stack follows the RFC:
 * - Linux keeps four SACK blocks in its list (TCP_NUM_SACKS) and forgets the
 *   oldest of five; a segment that extends the forgotten block is then
 *   reported alone, not as the contiguous block it joined (RFC 2018 §4: the
 *   first block MUST be that contiguous block);
 * - an out-of-order segment that coalesces with the held segment before it
 *   (tcp_ooo_try_coalesce) skips the overlap scan, so octets it repeats of
 *   the next held segment are not D-SACKed (RFC 2883 §4 reports them);
 * - the FIN taken clears a pending D-SACK (tcp_fin's tcp_sack_reset): an
 *   in-order segment that repeats octets held out of order, with the FIN
 *   behind them, draws an ACK without its D-SACK block;
 * - how much out-of-order data a small buffer holds (Linux counts memory,
 *   and prunes its out-of-order queue first; the stack counts octets);
 * - Linux ACKs every segment of 128 octets or more at once while its
 *   rcv_ssthresh can still grow towards the buffer (tcp_grow_window's
 *   quick ACK): a window it opens a little at a time, by the memory its
 *   buffers take. The stack announces its whole buffer from the start, so
 *   there is no such growth to hurry; the quick-ACK scripts send segments of
 *   100 octets, which Linux's rule leaves out;
 * - how large a window a buffer announces (Linux's accounting of memory): the
 *   script on the quick-ACK count gives the stack a buffer whose window makes
 *   the same count (`QUICK_SIX`).
 *
 * The harness waits for Linux while it has said less than the stack in a
 * step, so a script cannot show the stack acknowledging sooner than Linux
 * (more quick ACKs than Linux's) unless the step is `exact` (Linux heard for
 * its 10 ms only); the unit tests in test/tcp do the rest.
 *
 * Linux acknowledges more than a segment's worth (its rcv_mss) at once only
 * while the window it would announce is no smaller than the one it last
 * announced (__tcp_ack_snd_check: else the read that frees the room sends the
 * ACK, tcp_cleanup_rbuf); the stack acknowledges it whatever was read. Where
 * Linux stops depends on its accounting of memory: with a 64 KiB buffer and
 * 1460-octet segments it acknowledged the second with two unread and none of
 * four and six (the read sent that ACK); with the default buffer, segments
 * past its rcv_mss each up to five unread, not the sixth; with 200-octet
 * segments, not two unread. The stack's window is its free buffer (no
 * rcv_ssthresh below it): the rule as Linux words it would hold back from the
 * first octet unread (notes/tcp-plan.md, stop 44). The scripts on that rule
 * read as the data comes, so that Linux's window stays put. A probe
 * into a shut window (quick-ACK mode again in both) is left to them too: the
 * read that opens the window comes long enough after the last data that on a
 * loaded machine Linux's idle rule (tcp_event_data_recv: more than an RTO)
 * gave it quick ACKs of its own.
 *
 * Live clock for Linux's side (a real kernel); virtual for the stack's. Needs
 * root, /dev/net/tun, iproute2 and python3; skips with the printed reason
 * otherwise.
 */
import { describe, it } from "@effect/vitest"
import { conforms as conformsAs } from "../support/Conformance.js"
import type { Script, Step, TbSegment } from "../support/Conformance.js"
import { tapSkipReason } from "../support/Netns.js"

const SKIP = tapSkipReason({ ciInstalls: ["python3", "sysctl"] })
if (SKIP !== undefined) console.warn(`skipping the receiver's conformance scripts against Linux: ${SKIP}`)

/** The stack's transcript of `script` must be Linux's. */
const conforms = (script: Script) => conformsAs("cr", script)

/** Linux's receive buffer and the stack's at 16 KiB: out-of-order data takes a good part of it. */
const SMALL_BUFFERS = {
  sysctls: { "net.ipv4.tcp_rmem": "4096 16384 16384" },
  stack: { tcp: { receiveBuffer: 16384, maxReceiveBuffer: 16384 } }
} satisfies Partial<Script>

/**
 * Six quick ACKs on each side: Linux's 16 KiB buffer announces about 7300 octets (the rest its
 * accounting of memory), which over twice its rcv_mss of 536 (pushed 100-octet segments leave it at
 * its first guess) is 6; the stack's 7000 over twice its guess, 536 as Linux's, is 6 too.
 */
const QUICK_SIX = {
  sysctls: { "net.ipv4.tcp_rmem": "4096 16384 16384" },
  stack: { tcp: { receiveBuffer: 7000, maxReceiveBuffer: 7000 } }
} satisfies Partial<Script>

const LISTEN: Step = { dut: { op: "listen", port: 5000 } }

/**
 * A passive open (MSS 1460, window scale 7), accepted: SACK permitted unless
 * `sack` is false; with `ts` (the default) both the SYN and the ACK carry
 * timestamps, 1 and 2.
 */
const open = (opts: { readonly ts?: boolean; readonly sack?: boolean } = {}): ReadonlyArray<Step> => {
  const ts = opts.ts ?? true
  return [
    LISTEN,
    { tb: { flags: "S", mss: 1460, ws: 7, sackOk: opts.sack ?? true, ...(ts ? { ts: 1 } : {}) } },
    { tb: { flags: "A", ...(ts ? { ts: 2 } : {}) } },
    { dut: { op: "accept" } }
  ]
}

/**
 * 100 octets at relative sequence number `seq` (with a timestamp `ts` if
 * given), and whatever else `more` says (FIN, another length).
 */
const data = (seq: number, ts?: number, more: Partial<TbSegment> = {}, window?: number): Step => ({
  tb: { flags: "PA", seq, payload: 100, ...(ts === undefined ? {} : { ts }), ...more },
  ...(window === undefined ? {} : { window })
})

/** A bare FIN at relative sequence number `seq`. */
const fin = (seq: number, ts?: number): Step => ({ tb: { flags: "FA", seq, ...(ts === undefined ? {} : { ts }) } })

/**
 * Sixteen 100-octet segments in order, each acknowledged at once, and read:
 * the quick ACKs of a connection's start (Linux's TCP_MAX_QUICKACKS) used
 * up, so that an ACK sent at once after them is one the rules ask for.
 */
const QUICK_SPENT = (sack = true): ReadonlyArray<Step> => [
  ...open({ sack }),
  ...Array.from({ length: 16 }, (_, i) => data(1 + 100 * i, 3 + i)),
  { dut: { op: "read", bytes: 1600 } }
]

/**
 * 100 octets at `seq` whose ACK, if it goes at once, falls in the step's
 * 10 ms (a delayed one comes in a later step, or the closing wait).
 */
const quick = (seq: number, ts: number): Step => data(seq, ts, {}, 10)

/** A full-sized segment (1460 octets: no timestamps) at relative sequence number `seq`. */
const full = (seq: number): TbSegment => ({ flags: "A", seq, payload: 1460 })

/**
 * Linux's receive buffer fixed at 64 KiB: its window, about 44000 octets, over twice 1460 makes
 * 15 quick ACKs; the stack's buffer of 45000 gives it as many.
 */
const QUICK_FIFTEEN = {
  sysctls: { "net.ipv4.tcp_rmem": "4096 65536 65536" },
  stack: { tcp: { receiveBuffer: 45000, maxReceiveBuffer: 45000 } }
} satisfies Partial<Script>

/**
 * Sixteen full-sized segments, each acknowledged at once but the last (the 15 quick ACKs spent),
 * read two by two as they come (Linux's buffer stays empty, so its window stays as large: it
 * acknowledges every second full-sized segment only when the window it would announce is no
 * smaller than the last, __tcp_ack_snd_check); the sixteenth's delayed ACK, then a read of the
 * last two: the window is as it was when that ACK went, two segments unread.
 */
const FULL_QUICK_SPENT: ReadonlyArray<Step> = [
  ...open({ ts: false }),
  ...Array.from({ length: 8 }, (_, i): ReadonlyArray<Step> => [
    { tb: full(1 + 2920 * i), window: 10 },
    { tb: full(1461 + 2920 * i), window: 10 },
    ...(i < 7 ? [{ dut: { op: "read", bytes: 2920 }, window: 10 } satisfies Step] : [])
  ]).flat(),
  { wait: 100 },
  { dut: { op: "read", bytes: 2920 }, window: 10 }
]

/**
 * Sixteen 1000-octet segments, two by two, each acknowledged at once (the quick ACKs: Linux's window of
 * about 44000 octets over twice its rcv_mss, which the first segment made 1000, is 22, capped at 16;
 * the stack's 45000 the same), read as they come, so the window stays put: the quick ACKs spent, and a
 * peer whose segments are 1000 octets, less than the MSS either side announced.
 */
const THOUSANDS_QUICK_SPENT: ReadonlyArray<Step> = [
  ...open({ ts: false }),
  ...Array.from({ length: 8 }, (_, i): ReadonlyArray<Step> => [
    { tb: { flags: "A", seq: 1 + 2000 * i, payload: 1000 }, window: 10 },
    { tb: { flags: "A", seq: 1001 + 2000 * i, payload: 1000 }, window: 10 },
    { dut: { op: "read", bytes: 2000 }, window: 10 }
  ]).flat(),
  { wait: 100 }
]

describe.skipIf(SKIP !== undefined)("the stack receives data as the Linux kernel does", () => {
  it.scopedLive("four holes with timestamps: three SACK blocks, the newest first", () =>
    conforms({ steps: [...open(), data(101, 3), data(301, 4), data(501, 5), data(701, 6)] }))

  it.scopedLive("five holes without timestamps: four SACK blocks, the newest first", () =>
    conforms({ steps: [...open({ ts: false }), data(101), data(301), data(501), data(701), data(901)] }))

  it.scopedLive("a segment that extends an older block puts that block first, the others keep their order", () =>
    conforms({ steps: [...open(), data(101, 3), data(401, 4), data(701, 5), data(501, 6), data(201, 7, { payload: 50 })] }))

  it.scopedLive("a segment below a block that reaches it, and one that joins two blocks: one block", () =>
    conforms({ steps: [...open(), data(201, 3), data(501, 4), data(151, 5, { payload: 50 }), data(301, 6, { payload: 200 })] }))

  it.scopedLive("a hole partly filled: RCV.NXT moves to the next hole, the blocks above stay, newest first", () =>
    conforms({ steps: [...open(), data(201, 3), data(401, 4), data(601, 5), data(1, 6), data(101, 7), { dut: { op: "read", bytes: 300 } }] }))

  it.scopedLive("the middle hole filled first, then the first: the blocks merge, then all is in order", () =>
    conforms({ steps: [...open(), data(101, 3), data(301, 4), data(501, 5), data(201, 6), data(401, 7), data(1, 8), { dut: { op: "read", bytes: 600 } }] }))

  it.scopedLive("a hole that one segment fills while out-of-order data waits beyond the next", () =>
    conforms({ steps: [...open({ ts: false }), data(101), data(301), data(1, undefined, { payload: 300 }), { dut: { op: "read", bytes: 400 } }] }))

  it.scopedLive("D-SACK: a duplicate below RCV.NXT with out-of-order data held: the D-SACK block, then the SACK block", () =>
    conforms({ steps: [...open(), data(1, 3), data(201, 4), data(1, 5)] }))

  it.scopedLive("D-SACK: a duplicate of out-of-order data already SACKed: the D-SACK block, then the block it lies in, first", () =>
    conforms({ steps: [...open(), data(101, 3), data(301, 4), data(501, 5), data(101, 6)] }))

  it.scopedLive("D-SACK: a duplicate of part of a held block; without timestamps all four blocks fit", () =>
    conforms({ steps: [...open({ ts: false }), data(101, undefined, { payload: 200 }), data(401), data(601), data(151)] }))

  it.scopedLive("D-SACK with timestamps: the duplicate and two SACK blocks, the oldest left out", () =>
    conforms({ steps: [...open(), data(101, 3), data(301, 4), data(501, 5), data(301, 6)] }))

  it.scopedLive("D-SACK: a segment partly old, partly new, that fills the hole: the old part reported", () =>
    conforms({ steps: [...open(), data(1, 3), data(201, 4), data(51, 5, { payload: 150 }), { dut: { op: "read", bytes: 300 } }] }))

  it.scopedLive("out of order, overlapping a held segment on its left: the new octets held, the old ones D-SACKed", () =>
    conforms({ steps: [...open(), data(201, 3), data(151, 4), data(1, 5, { payload: 150 }), { dut: { op: "read", bytes: 300 } }] }))

  it.scopedLive("out of order, overlapping a held segment on its right", () =>
    conforms({ steps: [...open(), data(201, 3), data(251, 4), data(1, 5, { payload: 200 }), { dut: { op: "read", bytes: 350 } }] }))

  it.scopedLive("out of order, covering a held segment", () =>
    conforms({ steps: [...open(), data(201, 3), data(151, 4, { payload: 200 }), data(1, 5, { payload: 150 }), { dut: { op: "read", bytes: 350 } }] }))

  it.scopedLive("out of order, covered by a held segment", () =>
    conforms({ steps: [...open(), data(201, 3, { payload: 200 }), data(251, 4), data(1, 5, { payload: 200 }), { dut: { op: "read", bytes: 400 } }] }))

  it.scopedLive("out of order, covering two held segments and the hole between them", () =>
    conforms({ steps: [...open(), data(201, 3), data(401, 4), data(151, 5, { payload: 400 }), data(1, 6, { payload: 150 }), { dut: { op: "read", bytes: 550 } }] }))

  it.scopedLive("a FIN beyond two holes: the lower hole filled, then the other; the FIN taken last", () =>
    conforms({
      steps: [
        ...open(),
        data(101, 3),
        data(301, 4, { flags: "FPA" }),
        data(1, 5),
        { dut: { op: "read", bytes: 200 } },
        data(201, 6),
        { dut: { op: "read", bytes: 200 } },
        { dut: { op: "read" } }
      ]
    }))

  it.scopedLive("a bare FIN beyond a hole: a duplicate ACK at once, the block it ends covering it", () =>
    conforms({ steps: [...open(), data(101, 3), fin(201, 4), data(1, 5), { dut: { op: "read", bytes: 200 } }, { dut: { op: "read" } }] }))

  it.scopedLive("a bare FIN beyond two holes, apart from any block: a block of its own, first; then the data that joins them", () =>
    conforms({ steps: [...open(), data(101, 3), fin(301, 4), data(201, 5), data(1, 6), { dut: { op: "read", bytes: 300 } }, { dut: { op: "read" } }] }))

  it.scopedLive("a bare FIN beyond a hole, without SACK: a bare duplicate ACK", () =>
    conforms({ steps: [...open({ sack: false }), data(101, 3), fin(201, 4), data(1, 5), { dut: { op: "read", bytes: 200 } }, { dut: { op: "read" } }] }))

  it.scopedLive("D-SACK: a bare FIN beyond a hole again, then its data and FIN again: the FIN in the duplicate block", () =>
    conforms({
      steps: [...open(), data(101, 3), fin(201, 4), fin(201, 5), data(101, 6, { flags: "FPA" }), data(1, 7), { dut: { op: "read", bytes: 200 } }, { dut: { op: "read" } }]
    }))

  it.scopedLive("D-SACK: data with a FIN that a bare FIN held beyond a hole had brought: the FIN reported", () =>
    conforms({
      steps: [
        ...open(),
        data(101, 3),
        fin(301, 4),
        data(251, 5, { flags: "FPA", payload: 50 }),
        data(201, 6, { payload: 50 }),
        data(1, 7),
        { dut: { op: "read", bytes: 300 } },
        { dut: { op: "read" } }
      ]
    }))

  it.scopedLive("D-SACK without timestamps: data and FIN beyond a hole again, then a segment reaching over it", () =>
    conforms({
      steps: [
        ...open({ ts: false }),
        data(301, undefined, { flags: "FPA" }),
        data(101),
        data(301, undefined, { flags: "FPA" }),
        data(251, undefined, { flags: "FPA", payload: 150 }),
        data(1, undefined, { payload: 100 }),
        data(201, undefined, { payload: 50 }),
        { dut: { op: "read", bytes: 400 } },
        { dut: { op: "read" } }
      ]
    }))

  it.scopedLive("a FIN beyond a hole without SACK: duplicate ACKs, then the ACK of all", () =>
    conforms({ steps: [...open({ sack: false }), data(101, 3, { flags: "FPA" }), data(1, 4), { dut: { op: "read", bytes: 200 } }, { dut: { op: "read" } }] }))

  it.scopedLive("without SACK: holes draw bare duplicate ACKs; a duplicate below RCV.NXT too, no D-SACK", () =>
    conforms({ steps: [...open({ sack: false }), data(1, 3), data(201, 4), data(401, 5), data(1, 6), data(101, 7), data(301, 8), { dut: { op: "read", bytes: 500 } }] }))

  it.scopedLive("timestamps: out-of-order segments leave TS.Recent; the ACK of the segment that fills the hole echoes it, older as it is (RFC 7323 §4.3)", () =>
    conforms({ steps: [...open(), data(101, 6), data(201, 7), data(1, 4), { dut: { op: "read", bytes: 300 } }] }))

  it.scopedLive("ACKs after the quick ones are spent: at once for the segment beyond the hole and the one that fills it, then delayed again", () =>
    conforms({ steps: [...QUICK_SPENT(), quick(1701, 20), quick(1601, 21), quick(1801, 22), quick(1901, 23), quick(2001, 24), { wait: 100 }] }))

  it.scopedLive("ACKs after the quick ones are spent: a hole filled in part is acknowledged at once, so is the rest", () =>
    conforms({ steps: [...QUICK_SPENT(), quick(1801, 20), quick(1601, 21), quick(1701, 22), quick(1901, 23), quick(2001, 24), { wait: 100 }] }))

  it.scopedLive("ACKs after the quick ones are spent, without SACK: bare duplicate ACKs at once, then delayed again", () =>
    conforms({ steps: [...QUICK_SPENT(false), quick(1701, 20), quick(1601, 21), quick(1801, 22), quick(1901, 23), quick(2001, 24), { wait: 100 }] }))

  it.scopedLive("a duplicate below RCV.NXT after the quick ACKs are spent: a duplicate ACK with its D-SACK at once, and quick ACKs again (Linux's tcp_enter_quickack_mode)", () =>
    conforms({ steps: [...QUICK_SPENT(), quick(1501, 20), quick(1601, 21), quick(1701, 22), quick(1801, 23), { wait: 100 }] }))

  it.scopedLive("without SACK, a duplicate below RCV.NXT after the quick ACKs are spent: a duplicate ACK at once, and quick ACKs again", () =>
    conforms({ steps: [...QUICK_SPENT(false), quick(1501, 20), quick(1601, 21), quick(1701, 22), { wait: 100 }] }))

  it.scopedLive("a 16 KiB buffer: 3000 octets held out of order leave the window open; after the hole fills, a read of all sends no update", () =>
    conforms({
      ...SMALL_BUFFERS,
      steps: [
        ...open(),
        data(1001, 3, { payload: 1000 }),
        data(2001, 4, { payload: 1000 }),
        data(3001, 5, { payload: 1000 }),
        data(1, 6, { payload: 1000 }),
        { dut: { op: "read", bytes: 4000 } },
        { wait: 100 }
      ]
    }))

  it.scopedLive("a duplicate older than the last ACK (outside the window's left edge) after the quick ACKs are spent: a D-SACK at once, quick ACKs again", () =>
    conforms({ steps: [...QUICK_SPENT(), quick(1401, 20), quick(1601, 21), quick(1701, 22), { wait: 100 }] }))

  it.scopedLive("a duplicate below RCV.NXT while data waits out of order: the D-SACK, then the SACK block; the hole filled after", () =>
    conforms({ steps: [...QUICK_SPENT(), quick(1801, 20), quick(1501, 21), quick(1601, 22), quick(1701, 23), quick(1901, 24), { wait: 100 }] }))

  it.scopedLive("three full-sized segments back to back, the quick ACKs spent: an ACK after the second at once, the third left to the delayed ACK (Linux's __tcp_ack_snd_check per segment)", () =>
    conforms({
      ...QUICK_FIFTEEN,
      steps: [...FULL_QUICK_SPENT, { burst: [full(1 + 2920 * 8), full(1461 + 2920 * 8), full(2921 + 2920 * 8)], window: 10, exact: true }, { wait: 100 }]
    }))

  it.scopedLive("the peer's FIN after data: its ACK waits for the delayed-ACK timer, quick ACKs or not (Linux's tcp_fin: pingpong mode)", () =>
    conforms({ steps: [...open(), data(1, 3, {}, 10), { tb: { flags: "FA", seq: 101, ts: 4 }, window: 10, exact: true }, { wait: 100 }] }))

  it.scopedLive("the peer's FIN on its last data: one ACK of both, after the delayed-ACK timer", () =>
    conforms({ steps: [...open(), data(1, 3, {}, 10), data(101, 4, { flags: "FPA" }, 10), { wait: 100 }].map((s, i, all) => (i === all.length - 2 ? { ...s, exact: true } : s)) }))

  it.scopedLive("the peer's FIN after data read: delayed too; the application's close within the delay carries the ACK", () =>
    conforms({
      steps: [
        ...open(),
        data(1, 3, {}, 10),
        { dut: { op: "read", bytes: 100 }, window: 10 },
        { tb: { flags: "FA", seq: 101, ts: 4 }, window: 10, exact: true },
        { dut: { op: "close" }, window: 10 },
        { wait: 100 }
      ]
    }))

  it.scopedLive("a full-sized segment with the FIN, the quick ACKs spent: acknowledged at once, more than a full segment's worth with the FIN (Linux's __tcp_ack_snd_check)", () =>
    conforms({
      ...QUICK_FIFTEEN,
      steps: [...FULL_QUICK_SPENT, { tb: { ...full(1 + 2920 * 8), flags: "FA" }, window: 10, exact: true }, { wait: 100 }]
    }))

  it.scopedLive("a lone 1000-octet segment with the FIN, the peer's segments 1000 octets: acknowledged at once (Linux's rcv_mss, measured from what arrives: tcp_measure_rcv_mss)", () =>
    conforms({
      ...QUICK_FIFTEEN,
      steps: [...THOUSANDS_QUICK_SPENT, { tb: { flags: "FA", seq: 16001, payload: 1000 }, window: 10, exact: true }, { wait: 100 }]
    }))

  it.scopedLive("two pushed 100-octet segments after the quick ACKs are spent: less than Linux's first guess of the peer's segment (536 octets), so the delayed ACK", () =>
    conforms({ steps: [...QUICK_SPENT(), { burst: [{ flags: "PA", seq: 1601, payload: 100, ts: 20 }, { flags: "PA", seq: 1701, payload: 100, ts: 21 }], window: 10, exact: true }, { wait: 100 }] }))

  it.scopedLive("a short unpushed segment after the quick ACKs are spent, read at once: the read that empties the buffer sends its ACK (tcp_measure_rcv_mss's ICSK_ACK_PUSHED, tcp_cleanup_rbuf); a second of its size makes that size the guess, and its read sends none", () =>
    conforms({
      steps: [
        ...QUICK_SPENT(),
        { tb: { flags: "A", seq: 1601, payload: 200, ts: 20 }, window: 10, exact: true },
        { dut: { op: "read", bytes: 200 }, window: 10, exact: true },
        { tb: { flags: "A", seq: 1801, payload: 200, ts: 21 }, window: 10, exact: true },
        { dut: { op: "read", bytes: 200 }, window: 10, exact: true },
        { wait: 100 }
      ]
    }))

  it.scopedLive("the same short segment into a read already waiting: the woken read empties the buffer and sends its ACK, though the application may run before the send half has the receive half's report (tcp_cleanup_rbuf after the segment's processing, in Linux)", () =>
    conforms({
      steps: [
        ...QUICK_SPENT(),
        { dut: { op: "read", bytes: 200 }, window: 10, exact: true },
        { tb: { flags: "A", seq: 1601, payload: 200, ts: 20 }, window: 10, exact: true },
        { wait: 100 }
      ]
    }))

  it.scopedLive("two pushed 100-octet segments, the FIN on the second, the quick ACKs spent: the FIN's pingpong mode holds the ACK, but not past the read that empties the buffer (tcp_cleanup_rbuf's ICSK_ACK_PUSHED2 in CLOSE-WAIT too)", () =>
    conforms({
      steps: [
        ...QUICK_SPENT(),
        { burst: [{ flags: "PA", seq: 1601, payload: 100, ts: 20 }, { flags: "FPA", seq: 1701, payload: 100, ts: 21 }], window: 10, exact: true },
        { dut: { op: "read", bytes: 200 }, window: 10, exact: true },
        { wait: 100 }
      ]
    }))

  it.scopedLive("a bare FIN before any data: acknowledged at once (Linux's delayed-ACK timer has no interval before data came)", () =>
    conforms({ steps: [...open(), { tb: { flags: "FA", seq: 1, ts: 3 }, window: 10, exact: true }, { wait: 100 }] }))

  /** ECN negotiated, ECT data until the quick ACKs are spent, and one more ECT segment's delayed ACK */
  const ECN_QUICK_SPENT: ReadonlyArray<Step> = [
        LISTEN,
        { tb: { flags: "SEC", mss: 1460, ws: 7, sackOk: true, ts: 1 } },
        { tb: { flags: "A", ts: 2 } },
        { dut: { op: "accept" } },
        ...Array.from({ length: 16 }, (_, i) => data(1 + 100 * i, 3 + i, { tos: 2 })),
        { dut: { op: "read", bytes: 1600 } },
        data(1601, 20, { tos: 2 }, 10),
        { wait: 100 },
  ]

  it.scopedLive("ECN: data without ECT after ECT data, the quick ACKs spent: quick-ACK mode for two ACKs (Linux's tcp_data_ecn_check: likely a retransmission)", () =>
    conforms({
      steps: [
        ...ECN_QUICK_SPENT,
        data(1701, 21, { tos: 0 }, 10),
        data(1801, 22, { tos: 2 }, 10),
        data(1901, 23, { tos: 2 }, 10),
        { wait: 100 }
      ]
    }))

  it.scopedLive("ECN: the FIN on data without ECT after ECT data: its ACK still waits for the delayed-ACK timer (tcp_data_ecn_check's quick-ACK mode, then tcp_fin's pingpong mode)", () =>
    conforms({
      steps: [
        ...ECN_QUICK_SPENT,
        { ...data(1701, 21, { tos: 0, flags: "FPA" }, 10), exact: true },
        { wait: 100 }
      ]
    }))

  it.scopedLive("ECN: the FIN on data with CE: its ACK (with ECE) waits for the delayed-ACK timer too (tcp_data_ecn_check's quick-ACK mode, then tcp_fin's pingpong mode)", () =>
    conforms({
      steps: [
        ...ECN_QUICK_SPENT,
        { ...data(1701, 21, { tos: 3, flags: "FPA" }, 10), exact: true },
        { wait: 100 }
      ]
    }))

  it.scopedLive("a small window: six quick ACKs at the start, not sixteen (Linux's tcp_incr_quickack: the window over twice the segment size), then the delayed ACK", () =>
    conforms({
      ...QUICK_SIX,
      steps: [...open({ ts: false }), ...Array.from({ length: 7 }, (_, i) => data(1 + 100 * i, undefined, {}, 20)), { wait: 100 }]
    }))
})
