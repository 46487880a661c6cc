/**
 * The stack against the Linux kernel on flow control, script by script
 * (test/support/Conformance.ts: gVisor's packetimpact idea; the handshakes,
 * resets and closes are test/kernel/Conformance.test.ts, the data path
 * test/kernel/ConformanceData.test.ts). Each script of segments and socket
 * calls is played against Linux (a TAP into a namespace of the test's own,
 * Python's sockets there) and against the stack (a LinkMemory cable,
 * TestClock); the stack's transcript must be the kernel's, line for line:
 * the receive window shut by a reader that does not read, and what comes
 * into it (RFC 9293 §3.8.6.2.2, §3.10.7.4), how it reopens, how big the
 * segments are against a small peer window (sender-side silly window
 * avoidance, RFC 9293 §3.8.6.2.1; Linux's tcp_bound_to_half_wnd), when the
 * probes of a peer's zero window go (RFC 9293 §3.8.6.1, RFC 6298's backoff),
 * what is out when the window shuts (kept in flight under the retransmission
 * timer, Linux's tcp_retransmit_timer, not sent again from SND.UNA)
 * and the peer's window scale at and above 14 and its rounding (RFC 7323 §2.3).
 *
 * Left out on purpose, where the two may differ and both be right:
 * - how much each takes before its window shuts, and how far a partial read
 *   must go before the window is announced again: Linux counts the memory
 *   its buffers take (tcp_space, and __tcp_select_window announces nothing
 *   while less than half of it is free and the rest is under an MSS or a
 *   16th of it), the stack counts octets and announces a read that moved the
 *   edge by min(buffer / 2, MSS) (RFC 9293 §3.8.6.2.2): the scripts fill to a
 *   zero window (a `fill` step) and then read all of it or one octet;
 * - a zero-window probe's content (the transcript writes "window probe");
 * - a segment cut to the peer's window edge: Linux sends the short piece
 *   when a burst of two or more segments reaches past the edge and Nagle
 *   (Minshall) does not hold it (tcp_mss_split_point), the stack holds it
 *   (RFC 9293 §3.8.6.2.1: under an MSS and under half the largest window);
 *   Linux also ends segments where its write queue's buffers end (after the
 *   bound to half the window lifts, a write made while it held is cut at its
 *   buffers' edges): the scripts' windows are whole segments, and each write
 *   comes after the window that cuts it.
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
if (SKIP !== undefined) console.warn(`skipping the flow-control conformance scripts against Linux: ${SKIP}`)

/** The stack's transcript of `script` must be Linux's. */
const conforms = (script: Script) => conformsAs("cw", script)

const LISTEN: Step = { dut: { op: "listen", port: 5000 } }

/** A passive open, accepted: the testbench's SYN carries `syn`, its ACK `ack`. */
const open = (syn: Partial<TbSegment>, ack: Partial<TbSegment> = {}): ReadonlyArray<Step> => [
  LISTEN,
  { tb: { flags: "S", sackOk: true, ...syn } },
  { tb: { flags: "A", ...ack } },
  { dut: { op: "accept" } }
]

/** ACKs of `count` successive 1024-octet segments, one each, offering the window field `win`. */
const ackEach = (count: number, win: number): ReadonlyArray<Step> =>
  Array.from({ length: count }, (_, i) => ({ tb: { flags: "A", ack: 1025 + 1024 * i, win }, window: 20 }))

/**
 * The peer's window scale `ws` and a window field of 1 (2^14 octets at 14),
 * 1024-octet segments, each acknowledged alone: slow start lets two go per
 * ACK, until the window's right edge (16 segments past the ACK) stops them
 * at the sixth ACK; at the seventh one goes, where a shift of 15 would let two.
 */
const scaleScript = (ws: number): Script => ({
  steps: [...open({ mss: 1024, ws }, { win: 1 }), { dut: { op: "write", bytes: 40000 } }, ...ackEach(8, 1)]
})

/**
 * Receive buffers of 16 KiB on both sides (Linux's tcp_rmem, the stack's
 * receiveBuffer), so that a fill takes a few dozen segments; how much each
 * takes before its window shuts is its own (Linux counts the memory its
 * buffers take, the stack the octets), and a `fill` step leaves it out.
 */
const SMALL_BUFFERS = {
  sysctls: { "net.ipv4.tcp_rmem": "4096 16384 16384" },
  stack: { tcp: { receiveBuffer: 16384, maxReceiveBuffer: 16384 } }
} satisfies Partial<Script>

/** A passive open (MSS 1460, window scale 7), and data until the device's window is zero. */
const FILLED: ReadonlyArray<Step> = [...open({ mss: 1460, ws: 7 }), { fill: { payload: 1000 } }]

describe.skipIf(SKIP !== undefined)("the stack's flow control is the Linux kernel's", () => {
  it.scopedLive("a reader that does not read: the window shuts; data into it is dropped and acknowledged", () =>
    conforms({ ...SMALL_BUFFERS, steps: [...FILLED, { tb: { flags: "PA", payload: 100 } }, { tb: { flags: "PA", seq: 0, payload: 100 } }] }))

  it.scopedLive("with the default buffers too", () =>
    conforms({ steps: [...open({ mss: 1460, ws: 7 }), { fill: { payload: 1460, max: 400 } }, { tb: { flags: "PA", payload: 100 } }] }))

  it.scopedLive("a read of one octet at a zero window announces nothing, and a probe still finds it shut (receiver SWS avoidance)", () =>
    conforms({
      ...SMALL_BUFFERS,
      steps: [...FILLED, { dut: { op: "read" } }, { tb: { flags: "PA", payload: 1 } }]
    }))

  it.scopedLive("a one-octet zero-window probe is answered with the zero window, again and again", () =>
    conforms({
      ...SMALL_BUFFERS,
      steps: [...FILLED, { tb: { flags: "PA", payload: 1 } }, { wait: 300 }, { tb: { flags: "PA", seq: 0, payload: 1 } }]
    }))

  it.scopedLive("a read of all that came reopens the window at once (RFC 9293 §3.8.6.2.2; Linux's tcp_cleanup_rbuf)", () =>
    conforms({ ...SMALL_BUFFERS, steps: [...FILLED, { dut: { op: "read", filled: true } }] }))

  it.scopedLive("data dropped at the zero window comes again once it opens and is taken", () =>
    conforms({
      ...SMALL_BUFFERS,
      steps: [
        ...FILLED,
        { tb: { flags: "PA", payload: 100 } },
        { dut: { op: "read", filled: true } },
        { tb: { flags: "PA", seq: 0, payload: 100 } },
        { dut: { op: "read", bytes: 100 } }
      ]
    }))

  // Linux 6.17's tcp_sequence (9ca48d616ed7, "tcp: do not accept packets beyond window") refuses a
  // segment that ends past the window's right edge while its receive queue holds data: a duplicate
  // ACK, and the segment's ACK field is never read (only a queue that is empty lets it through to
  // tcp_ack). A one-octet probe into the shut window that acknowledges the device's data leaves that
  // data unacknowledged, and it goes again (tail loss probe, RTO).
  it.scopedLive("a probe into the shut window with unread data held: its ACK of our data is not read (6.17's tcp_sequence)", () =>
    conforms({
      ...SMALL_BUFFERS,
      steps: [
        ...FILLED,
        { dut: { op: "write", bytes: 100 }, window: 20 },
        { tb: { flags: "PA", payload: 1, ack: 101 }, window: 20 },
        { wait: 600 },
        { tb: { flags: "A", seq: 0, ack: 101 } }
      ]
    }))

  it.scopedLive("a bare FIN into a zero window is taken (Linux's tcp_data_queue), and reading on sends no window update", () =>
    conforms({
      ...SMALL_BUFFERS,
      steps: [...FILLED, { tb: { flags: "FA" } }, { dut: { op: "read", filled: true } }, { dut: { op: "read" } }]
    }))

  it.scopedLive("a FIN with data into a zero window is dropped with its data, and acknowledged", () =>
    conforms({
      ...SMALL_BUFFERS,
      steps: [...FILLED, { tb: { flags: "FPA", payload: 100 } }, { dut: { op: "read", filled: true } }]
    }))

  it.scopedLive("a peer window of 2000 octets: segments of half that, not the MSS", () =>
    conforms({
      steps: [
        ...open({ mss: 1460 }, { win: 2000 }),
        { dut: { op: "write", bytes: 5000 } },
        { tb: { flags: "A", win: 2000 } },
        { tb: { flags: "A", win: 2000 } }
      ]
    }))

  it.scopedLive("with timestamps and a scaled window of 2048 octets: segments of 1024, the options beside them", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7, ts: 1 }, { win: 16, ts: 2 }),
        { dut: { op: "write", bytes: 5000 } },
        { tb: { flags: "A", win: 16, ts: 3 } },
        { tb: { flags: "A", win: 16, ts: 4 } }
      ]
    }))

  it.scopedLive("a peer window of 500 octets (under 536): segments of all of it", () =>
    conforms({
      steps: [
        ...open({ mss: 1460 }, { win: 500 }),
        { dut: { op: "write", bytes: 2000 } },
        { tb: { flags: "A", win: 500 } },
        { tb: { flags: "A", win: 500 } }
      ]
    }))

  it.scopedLive("a window that grows lifts the bound: full segments once half the largest window holds one", () =>
    conforms({
      steps: [
        ...open({ mss: 1460 }, { win: 2000 }),
        { dut: { op: "write", bytes: 2000 } },
        { tb: { flags: "A", win: 5840 } },
        { dut: { op: "write", bytes: 5840 } }
      ]
    }))

  it.scopedLive("a window that shrinks leaves the bound where the largest one put it", () =>
    conforms({
      steps: [
        ...open({ mss: 1460 }, { win: 4000 }),
        { dut: { op: "write", bytes: 8000 } },
        { tb: { flags: "A", win: 1460 } },
        { tb: { flags: "A", win: 1460 } }
      ]
    }))

  // Linux's tcp_may_update_window takes a window from a segment with no newer SEQ and no new ACK
  // only when it grows (or shuts): the smaller one of the third step is not taken, and the write
  // goes out to the larger one's edge
  it.scopedLive("a smaller window on a segment with the same SEQ and ACK is not taken", () =>
    conforms({
      steps: [
        ...open({ mss: 1000 }, { win: 1000 }),
        { tb: { flags: "A", ack: 1, win: 3000 } },
        { tb: { flags: "A", ack: 1, win: 1000 } },
        { dut: { op: "write", bytes: 3000 } }
      ]
    }))

  // The ACK that completes a passive open set the window from its own SEQ (Linux's
  // tcp_rcv_state_process in SYN-RECV: tcp_init_wl with the ACK's SEQ), so the next segment with
  // that SEQ and no new ACK is held to the same rule: its smaller window is not taken
  it.scopedLive("a smaller window right after the handshake's ACK, with its SEQ and ACK, is not taken either", () =>
    conforms({
      steps: [
        ...open({ mss: 1000 }, { win: 3000 }),
        { tb: { flags: "A", ack: 1, win: 1000 } },
        { dut: { op: "write", bytes: 3000 } }
      ]
    }))

  // ...its own SEQ, not IRS + 1: an ACK that completes the open past a segment lost sets SND.WL1
  // there, and the lost segment's retransmission, from before it and acknowledging nothing new,
  // leaves the window alone even where it is larger (tcp_may_update_window)
  it.scopedLive("a passive open completed by out-of-order data: the earlier segment's larger window is not taken (SND.WL1 is the completing SEQ)", () =>
    conforms({
      steps: [
        ...open({ mss: 1000 }, { flags: "PA", seq: 101, payload: 100, win: 2000 }),
        { tb: { flags: "PA", seq: 1, payload: 100, win: 10000 } },
        { dut: { op: "write", bytes: 3000 } }
      ]
    }))

  // (a bare completing ACK past IRS + 1 too: Linux's tcp_init_wl takes its SEQ whatever it carries)
  it.scopedLive("a passive open completed by a bare ACK past IRS + 1: a segment from IRS + 1 with a larger window is not taken (SND.WL1 is the completing SEQ)", () =>
    conforms({
      steps: [
        ...open({ mss: 1000 }, { seq: 101, win: 2000 }),
        { tb: { flags: "PA", seq: 1, payload: 100, win: 10000 } },
        { dut: { op: "write", bytes: 3000 } }
      ]
    }))

  it.scopedLive("active open: the SYN-ACK's window (unscaled) bounds the segments", () =>
    conforms({
      tbPort: 6000,
      steps: [
        { dut: { op: "connect", port: 6000 } },
        { tb: { flags: "SA", seq: 0, mss: 1460, win: 2000 } },
        { dut: { op: "write", bytes: 3000 } },
        { tb: { flags: "A", win: 2000 } }
      ]
    }))

  it.scopedLive("a zero window with data waiting: window probes at the RTO, then twice and four times as far apart", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7, ts: 1 }, { ts: 2, win: 0 }),
        { dut: { op: "write", bytes: 500 } },
        { wait: 500 },
        { wait: 700 },
        { wait: 1300 }
      ]
    }))

  // The user timeout and a shut window (Linux's tcp_probe_timer: icsk_probes_tstamp from the first
  // probe, ~300 ms after the write; tcp_clamp_probe0_to_user_timeout). 1000 ms: the second probe
  // ~600 later (~900), then not ~1200 later but at what is left: ETIMEDOUT at ~1300, no probe, no
  // reset (tcp_write_err). Windows (from the write): ..100, ..600, ..1100, ..1200, ..1450, ..2450
  it.scopedLive("a zero window and a user timeout: probes at the RTO and twice it, then ETIMEDOUT at the user timeout from the first (tcp_probe_timer)", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7, ts: 1 }, { ts: 2, win: 0 }),
        { dut: { op: "userTimeout", ms: 1000 } },
        { dut: { op: "read" } },
        { dut: { op: "write", bytes: 500 } },
        { wait: 500 },
        { wait: 500 },
        { wait: 100 },
        { wait: 250 },
        { wait: 1000 }
      ]
    }))

  // ... and answered with the window still shut: the answers do not put it off (Linux 5.11's fix, the
  // probes' stamp kept until the window opens, tcp_ack_probe). 1600 ms: the first probe at ~300, the
  // answer at ~600 re-arms the timer a backed-off 600 on (tcp_ack_probe), the probe at ~1200, then
  // 400 left of 1600: ETIMEDOUT at ~1900 (without: a probe at ~2400). Windows (from the write): ..100,
  // ..600, the answer ..700, ..1150, ..1300, ..1750, ..2050, ..2650
  it.scopedLive("a zero window and a user timeout, the probes answered with the window shut: ETIMEDOUT all the same (tcp_probe_timer's probes_tstamp)", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ws: 7, ts: 1 }, { ts: 2, win: 0 }),
        { dut: { op: "userTimeout", ms: 1600 } },
        { dut: { op: "read" } },
        { dut: { op: "write", bytes: 500 } },
        { wait: 500 },
        // (acknowledging nothing: Linux probes below SND.UNA, the stack with the octet that waits)
        { tb: { flags: "A", ack: 1, ts: 3, win: 0 } },
        { wait: 450 },
        { wait: 150 },
        { wait: 450 },
        { wait: 300 },
        { wait: 600 }
      ]
    }))

  // (timer54) Linux 6.18's tcp_ack_probe: an ACK that opens the window below the head waiting (1000
  // octets, 100 of window) re-arms the probe timer at now + tcp_probe0_when, the backoff the first
  // probe raised kept, and sends nothing (tcp_snd_wnd_test); at its expiry tcp_write_wakeup sends the
  // 100 that fit. The stack sent them at the update (its one-octet probe made them a resend owed)
  it.scopedLive("a window opened below the data waiting, after a probe: nothing at the update, what fits at the backed-off probe timer (Linux's tcp_ack_probe)", () =>
    conforms({
      steps: [
        ...open({ mss: 1460 }),
        { dut: { op: "write", bytes: 1000 }, window: 20 },
        // all of it taken, the window shut (the largest window stays the handshake's: full segments)
        { tb: { flags: "A", ack: 1001, win: 0 }, window: 20 },
        { dut: { op: "write", bytes: 1000 } },
        { wait: 400 },
        { tb: { flags: "A", ack: 1001, win: 100 }, window: 100, exact: true },
        { wait: 700 }
      ]
    }))

  it.scopedLive("a scaled window whose rounding moves the right edge left: nothing past the new edge, then on when it moves right", () =>
    conforms({
      steps: [
        ...open({ mss: 1000, ws: 7 }, { win: 16 }),
        { dut: { op: "write", bytes: 5000 } },
        // 1000 octets acknowledged, 1024 offered: the edge 24 octets left of where 2048 put it
        { tb: { flags: "A", ack: 1001, win: 8 } },
        { tb: { flags: "A", ack: 2001, win: 16 } }
      ]
    }))

  it.scopedLive("the peer's window scale 14: a window field of 1 is 16384 octets", () => conforms(scaleScript(14)))

  it.scopedLive("the peer's window scale 15 is taken as 14 (RFC 7323 §2.3)", () => conforms(scaleScript(15)))

  it.scopedLive("the peer's window scale 255 is taken as 14 too", () => conforms(scaleScript(255)))

  // Linux keeps what was out in flight when the peer's window shuts: no rewind of snd_nxt, and with
  // packets out its one timer stays the retransmission timer (tcp_check_probe_timer arms the probe
  // timer only with nothing out). Ten segments out, the ACK of two shuts the window, the next
  // opens it: tcp_write_xmit goes on from snd_nxt, four new segments (cwnd 12 less the eight still
  // out), and the ACK of two more sends four (slow start: cwnd 14, ten out). The stack went back to SND.UNA and
  // sent the eight again before the four (cwnd less nothing in flight: twelve segments)
  it.scopedLive("a window that shuts with data in flight keeps it in flight: when it opens, new data from SND.NXT, not a go-back (Linux's tcp_check_probe_timer, tcp_write_xmit)", () =>
    conforms({
      steps: [
        ...open({ mss: 1000, sackOk: false }),
        { dut: { op: "write", bytes: 30000 }, window: 20 },
        { tb: { flags: "A", ack: 2001, win: 0 }, window: 20 },
        { tb: { flags: "A", ack: 2001 }, window: 20 },
        { tb: { flags: "A", ack: 4001 }, window: 20 }
      ]
    }))

  // With the window shut and data out, the retransmission timer runs on (Linux's
  // tcp_retransmit_timer, "receiver dastardly shrinks window"): at each expiry the first segment
  // goes again whole as the zero-window probe (__tcp_retransmit_skb: avail_wnd = cur_mss at
  // snd_una), the timer backed off, no retry counted. The stack's persist timer sent a one-octet
  // probe there. A window update that acknowledges nothing sends nothing (TCP_CA_Loss: cwnd 1, the
  // resend in flight): the next expiry resends the head again. The window opens on the ACK of that
  // resend: the timeout's recovery, slow start from one segment (the write, five segments, leaves
  // F-RTO no new data to send)
  it.scopedLive("the window shut with data in flight: the first segment whole at the retransmission timer, backed off, as the probe (Linux's tcp_retransmit_timer)", () =>
    conforms({
      steps: [
        ...open({ mss: 1000, sackOk: false }),
        { dut: { op: "write", bytes: 5000 }, window: 20 },
        { tb: { flags: "A", ack: 2001, win: 0 }, window: 20 },
        { wait: 500 },
        { tb: { flags: "A", ack: 2001, win: 0 }, window: 20 },
        { wait: 800 },
        { tb: { flags: "A", ack: 2001 }, window: 20 },
        { wait: 1700 },
        { tb: { flags: "A", ack: 3001 }, window: 20 }
      ]
    }))
  // Each such expiry is a first timeout to Linux's tcp_enter_loss (TCP_CA_Loss with
  // icsk_retransmits 0, which the zero-window branch leaves): ssthresh again, from the window the
  // last one left (one segment: 2, cubictcp_recalc_ssthresh). The window opens on the ACK of the
  // resend: slow start to 2 (3001, 4001), then congestion avoidance: the ACK of both sends two, where
  // the stack, holding the first expiry's ssthresh (8) as a repeated timeout's, slow-started to four.
  // (The next ACK, within HZ / 32 of this one, keeps CUBIC's cnt: bictcp_update, scripted in
  // ConformanceCwnd.test.ts, "congestion avoidance at two")
  it.scopedLive("two timeouts of a shut window: each is a first one to tcp_enter_loss, ssthresh from the window the last left (Linux's tcp_retransmit_timer leaves icsk_retransmits at 0)", () =>
    conforms({
      steps: [
        ...open({ mss: 1000, sackOk: false }),
        { dut: { op: "write", bytes: 12000 }, window: 20 },
        { tb: { flags: "A", ack: 2001, win: 0 }, window: 20 },
        { wait: 500 },
        { tb: { flags: "A", ack: 2001, win: 0 }, window: 20 },
        { wait: 800 },
        { tb: { flags: "A", ack: 3001 }, window: 20 },
        { tb: { flags: "A", ack: 5001 }, window: 20 }
      ]
    }))

  // (review53c) From the retransmission timer to the persist timer: a shut window's expiry backs
  // the RTO off (tcp_retransmit_timer's out_reset_timer, the zero-window branch too), then an ACK
  // of everything, the window still shut, leaves nothing out; what is written next waits under the
  // probe timer (tcp_check_probe_timer, from the backed-off RTO: no RTT sample from an ACK that
  // covers a resend, Karn), probes backed off from there (tcp_send_probe0). The first probe within
  // 700 ms of the write; the next from its answer at tcp_probe0_when, the backed-off RTO (~600 ms)
  // shifted by icsk_backoff, which the expiry raised too (one, and the probe one more): ~2400 ms, not
  // the ~1200 the stack had (its probes counted from 0), which the harness's grace hid until stop 62.
  // (The first wait ends more than LATE_MS before Linux's probe, so the grace cannot pull it in)
  it.scopedLive("a zero window after a shut window's timeout and the ACK of everything: the window probes for the next write from the backed-off RTO (Linux's tcp_check_probe_timer, tcp_send_probe0)", () =>
    conforms({
      steps: [
        ...open({ mss: 1000, sackOk: false }),
        { dut: { op: "write", bytes: 3000 }, window: 20 },
        { tb: { flags: "A", ack: 1001, win: 0 }, window: 20 },
        { wait: 500 },
        { tb: { flags: "A", ack: 3001, win: 0 }, window: 20 },
        { dut: { op: "write", bytes: 1000 }, window: 20 },
        { wait: 700 },
        { tb: { flags: "A", ack: 3001, win: 0 }, window: 20 },
        { wait: 1600 },
        { wait: 1000 }
      ]
    }))
})
