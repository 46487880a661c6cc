/**
 * The stack against the Linux kernel on the data path, script by script
 * (test/support/Conformance.ts: gVisor's packetimpact idea; the handshakes,
 * resets and closes are test/kernel/Conformance.test.ts). Each script of
 * segments and socket calls is played against Linux (a TAP into a namespace
 * of the test's own, Python's sockets there) and against the stack (a
 * LinkMemory cable, TestClock); the stack's transcript must be the kernel's,
 * line for line: how a write is cut (the peer's MSS less the options, RFC
 * 9293 §3.7.1), how much goes at once (initial window, RFC 6928), Nagle with
 * Minshall's variant (RFC 896, RFC 9293 §3.7.4; Linux's tcp_nagle_check), the
 * peer's window (RFC 9293 §3.8.6), retransmission (RFC 6298, RFC 8985),
 * acknowledgement (RFC 9293 §3.8.6.3, RFC 1122 §4.2.3.2) and urgent data
 * (RFC 9293 §3.8.5, RFC 6093).
 *
 * Left out on purpose, where the two may differ and both be right:
 * - a zero window's probe's content (Linux sends a 0-length segment at
 *   SND.UNA-1; the stack sends one octet, RFC 9293 §3.8.6.1): transcripts
 *   write either as "window probe", so that when they go compares
 *   (test/kernel/ConformanceWindow.test.ts); the zero window script here stops
 *   before a probe is due;
 * - where PSH falls (the transcripts leave it out: test/support/Conformance.ts);
 * - slow start after an ACK of several segments: until stop 51 Linux grew
 *   cwnd by all it acknowledged, the stack by at most 2 SMSS (RFC 3465 §2.2),
 *   so the scripts acknowledge the initial window no further than its first
 *   ACK (both now grow by all of it: ConformanceCwnd's "stretch ACKs");
 * - limited transmit where one duplicate ACK SACKs two segments: Linux sends
 *   two new segments (RFC 6675 §5), the stack one (RFC 3042 §2: one for each
 *   of the first two duplicate ACKs); the scripts SACK one segment an ACK.
 *   (Without SACK both send one: stop 38 saw Linux send two, on BBR, this
 *   machine's default, before dut.py put its sockets on CUBIC, the stack's.)
 * - a data segment of 128 octets or more while Linux opens its receive window
 *   (tcp_grow_window sets a quick ACK): Linux acknowledges it at once even
 *   after its quick ACKs are spent, the stack (whose window is its free
 *   buffer from the start) after the second, or the delayed-ACK timer (RFC
 *   9293 §3.8.6.3 allows both); the delayed-ACK scripts use smaller segments.
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
if (SKIP !== undefined) console.warn(`skipping the data-path conformance scripts against Linux: ${SKIP}`)

/** The stack's transcript of `script` must be Linux's. */
const conforms = (script: Script) => conformsAs("cd", script)

const LISTEN: Step = { dut: { op: "listen", port: 5000 } }

/**
 * A passive open, accepted: the testbench's SYN carries `syn` (SACK permitted
 * unless said otherwise), its ACK offers the window `win` if given; with
 * `ts`, both carry timestamps 1 and 2.
 */
const open = (syn: Partial<TbSegment>, opts: { readonly ts?: boolean; readonly win?: number } = {}): ReadonlyArray<Step> => [
  LISTEN,
  { tb: { flags: "S", sackOk: true, ...(opts.ts === true ? { ts: 1 } : {}), ...syn } },
  { tb: { flags: "A", ...(opts.ts === true ? { ts: 2 } : {}), ...(opts.win === undefined ? {} : { win: opts.win }) } },
  { dut: { op: "accept" } }
]

/**
 * Sixteen 100-octet segments 100 ms apart, each acknowledged at once: the
 * quick ACKs of a connection's start (Linux's TCP_MAX_QUICKACKS), used up.
 */
const QUICK: ReadonlyArray<Step> = Array.from({ length: 16 }, (_, i) => ({ tb: { flags: "PA", payload: 100, ts: 3 + i } }))

describe.skipIf(SKIP !== undefined)("the stack sends and acknowledges data as the Linux kernel does", () => {
  it.scopedLive("MSS 536 with timestamps: a 4000-octet write goes in 524-octet segments, all at once", () =>
    conforms({ steps: [...open({ mss: 536, ws: 7 }, { ts: true }), { dut: { op: "write", bytes: 4000 } }, { tb: { flags: "A", ts: 3 } }] }))

  it.scopedLive("MSS 1460 with timestamps: ten 1448-octet segments go at once (the initial window), no more", () =>
    conforms({
      steps: [...open({ mss: 1460, ws: 7 }, { ts: true }), { dut: { op: "write", bytes: 20000 } }]
    }))

  it.scopedLive("MSS 1000 without timestamps: 5000 octets in five segments", () =>
    conforms({ steps: [...open({ mss: 1000, ws: 7 }), { dut: { op: "write", bytes: 5000 } }, { tb: { flags: "A" } }] }))

  it.scopedLive("no MSS option: 536 octets a segment", () =>
    conforms({ steps: [...open({}), { dut: { op: "write", bytes: 3000 } }, { tb: { flags: "A" } }] }))

  it.scopedLive("MSS 100 with timestamps: ten 88-octet segments (the initial window)", () =>
    conforms({ steps: [...open({ mss: 100, ws: 7 }, { ts: true }), { dut: { op: "write", bytes: 3000 }, window: 50 }] }))

  it.scopedLive("MSS 48 without timestamps", () =>
    conforms({ steps: [...open({ mss: 48, ws: 7 }), { dut: { op: "write", bytes: 300 } }, { tb: { flags: "A" } }] }))

  it.scopedLive("Nagle: small writes wait while a small segment is unacknowledged, then go as one", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true }),
        // (short windows: the ACK comes long before a tail probe, which would send the held data as new)
        { dut: { op: "write", bytes: 100 }, window: 20 },
        { dut: { op: "write", bytes: 100 }, window: 20 },
        { dut: { op: "write", bytes: 100 }, window: 20 },
        { tb: { flags: "A", ack: 101, ts: 3 } },
        { tb: { flags: "A", ts: 4 } }
      ]
    }))

  it.scopedLive("Nagle (Minshall): a write's short tail goes behind its full segments; a small write then waits for the tail's ACK", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true }),
        // (short windows: the ACK comes long before a tail probe, which would send the held data as new)
        { dut: { op: "write", bytes: 2000 }, window: 20 },
        { dut: { op: "write", bytes: 100 }, window: 20 },
        { tb: { flags: "A", ack: 1449, ts: 3 } },
        { tb: { flags: "A", ack: 2001, ts: 4 } },
        { tb: { flags: "A", ts: 5 } }
      ]
    }))

  it.scopedLive("nodelay: small writes go at once", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true }),
        { dut: { op: "nodelay" } },
        { dut: { op: "write", bytes: 100 } },
        { dut: { op: "write", bytes: 100 } },
        { tb: { flags: "A", ts: 3 } }
      ]
    }))

  it.scopedLive("nodelay set while Nagle holds a small write: it goes at once", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true }),
        { dut: { op: "write", bytes: 100 }, window: 20 },
        { dut: { op: "write", bytes: 100 }, window: 20 },
        { dut: { op: "nodelay" }, window: 20 },
        { tb: { flags: "A", ts: 3 } }
      ]
    }))

  it.scopedLive("urgent data (MSG_OOB): URG and the pointer past the urgent octet (RFC 6093), on every segment up to it", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true }),
        { dut: { op: "writeUrgent", bytes: 3000 } },
        { tb: { flags: "A", ts: 3 } },
        { dut: { op: "writeUrgent", bytes: 10 } },
        { tb: { flags: "A", ts: 4 } },
        { dut: { op: "write", bytes: 10 } },
        { tb: { flags: "A", ts: 5 } }
      ]
    }))

  it.scopedLive("a peer window of 2500 octets: a 5000-octet write goes a window at a time, its short piece too", () =>
    conforms({
      steps: [
        ...open({ mss: 1000 }, { win: 2500 }),
        { dut: { op: "write", bytes: 5000 } },
        { tb: { flags: "A", win: 2500 } },
        { tb: { flags: "A", win: 2500 } }
      ]
    }))

  it.scopedLive("a pure window update (nothing new acknowledged) lets more go", () =>
    conforms({
      steps: [
        ...open({ mss: 1000 }, { win: 2000 }),
        { dut: { op: "write", bytes: 4000 } },
        { tb: { flags: "A", ack: 1, win: 4000 } },
        { tb: { flags: "A", win: 4000 } }
      ]
    }))

  it.scopedLive("a shrinking window: nothing past its new right edge", () =>
    conforms({
      steps: [
        ...open({ mss: 1000 }, { win: 3000 }),
        { dut: { op: "write", bytes: 5000 } },
        { tb: { flags: "A", ack: 1001, win: 1000 } },
        { tb: { flags: "A", ack: 3001, win: 3000 } },
        { tb: { flags: "A", win: 3000 } }
      ]
    }))

  it.scopedLive("a zero window holds a write until the update (before any probe is due)", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true, win: 0 }),
        { dut: { op: "write", bytes: 500 } },
        { tb: { flags: "A", ack: 1, ts: 3 } },
        { tb: { flags: "A", ts: 4 } }
      ]
    }))

  it.scopedLive("retransmission timeout: an unacknowledged segment goes again", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true }),
        { dut: { op: "write", bytes: 1000 } },
        { wait: 300 },
        { tb: { flags: "A", ts: 3 } }
      ]
    }))

  it.scopedLive("a lone segment never acknowledged: the probe at the RTO's time, the RTO one RTO later, then twice that", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true }),
        { dut: { op: "write", bytes: 1000 } },
        { wait: 300 },
        { wait: 300 },
        { wait: 700 },
        { tb: { flags: "A", ts: 3 } }
      ]
    }))

  it.scopedLive("tail loss probe: the last of several unacknowledged segments goes again", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true }),
        { dut: { op: "write", bytes: 3000 } },
        { wait: 300 },
        { tb: { flags: "A", ts: 3 } }
      ]
    }))

  it.scopedLive("tail loss probe: data Nagle held goes as the probe, new data before old (RFC 8985 §7.3)", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true }),
        { dut: { op: "write", bytes: 100 }, window: 20 },
        { dut: { op: "write", bytes: 100 }, window: 20 },
        { wait: 400 },
        { tb: { flags: "A", ts: 3 } }
      ]
    }))

  it.scopedLive("SACK: the hole below two SACKed segments is resent", () =>
    conforms({
      steps: [
        ...open({ mss: 1012, ws: 7 }, { ts: true }),
        { dut: { op: "write", bytes: 3000 } },
        { tb: { flags: "A", ack: 1, ts: 3, sack: [[1001, 3001]] } },
        { tb: { flags: "A", ts: 4 } }
      ]
    }))

  it.scopedLive("fast retransmit at the third duplicate ACK with SACK blocks", () =>
    conforms({
      steps: [
        ...open({ mss: 1012, ws: 7 }, { ts: true }),
        { dut: { op: "write", bytes: 5000 } },
        { tb: { flags: "A", ack: 1, ts: 3, sack: [[1001, 2001]] }, window: 5 },
        { tb: { flags: "A", ack: 1, ts: 4, sack: [[1001, 3001]] }, window: 5 },
        { tb: { flags: "A", ack: 1, ts: 5, sack: [[1001, 4001]] } },
        { tb: { flags: "A", ts: 6 } }
      ]
    }))

  it.scopedLive("without SACK: fast retransmit at the third duplicate ACK (RFC 5681 §3.2)", () =>
    conforms({
      steps: [
        ...open({ mss: 1000, sackOk: false }),
        // (short windows: the duplicate ACKs all come long before the RTO)
        { dut: { op: "write", bytes: 10000 }, window: 20 },
        { tb: { flags: "A", ack: 1 }, window: 20 },
        { tb: { flags: "A", ack: 1 }, window: 20 },
        { tb: { flags: "A", ack: 1 }, window: 20 },
        { tb: { flags: "A", ack: 1 }, window: 20 },
        { tb: { flags: "A" } }
      ]
    }))

  it.scopedLive("quick ACKs at the start: two full segments in, each acknowledged", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true }),
        { tb: { flags: "A", payload: 1448, ts: 3 }, window: 5 },
        { tb: { flags: "PA", payload: 1448, ts: 4 } },
        { dut: { op: "read", bytes: 2896 } }
      ]
    }))

  it.scopedLive("after the sixteen quick ACKs: a lone segment's ACK is delayed", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true }),
        ...QUICK,
        { dut: { op: "read", bytes: 1600 } },
        { tb: { flags: "PA", payload: 100, ts: 20 }, window: 10 },
        { wait: 100 }
      ]
    }))

  it.scopedLive("after the sixteen quick ACKs: two small segments, one ACK, at the second", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true }),
        ...QUICK,
        { dut: { op: "read", bytes: 1600 } },
        { tb: { flags: "PA", payload: 100, ts: 20 }, window: 5 },
        { tb: { flags: "PA", payload: 100, ts: 21 }, window: 10 },
        { wait: 100 }
      ]
    }))

  it.scopedLive("a read of a little data sends no window update", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7 }, { ts: true }),
        { tb: { flags: "PA", payload: 1000, ts: 3 } },
        { dut: { op: "read", bytes: 1000 } }
      ]
    }))
})
