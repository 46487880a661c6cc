/**
 * The stack against the Linux kernel on TCP's path MTU discovery
 * (test/support/Conformance.ts: gVisor's packetimpact idea): what a router's
 * "fragmentation needed" (RFC 792 type 3 code 4 with RFC 1191's next-hop MTU)
 * does to a connection, as RFC 1191 §3-§6, RFC 5927 and RFC 9293 §3.7.3 say
 * and Linux's tcp_v4_err, tcp_v4_mtu_reduced and tcp_simple_retransmit do:
 * which reports are believed (a sequence number in flight, RFC 5927 §4.1; a
 * connection that exists; an MTU below the one in use), the floor
 * (net.ipv4.route.min_pmtu, 552: below it, or with no next-hop MTU from a
 * router older than RFC 1191, the MTU stays 552 and the segments go without
 * DF; neither side guesses RFC 1191 §5's plateaus), what goes again (only the
 * segments longer than the new MSS; SACKed ones not), and the handshake's
 * states. Each script is played against Linux (a TAP into a namespace of the
 * test's own) and against the stack (a LinkMemory cable, TestClock); the
 * stack's transcript must be the kernel's, line for line.
 *
 * Every ICMP comes from a router of the script's own range, 198.18.0.254.
 *
 * A difference kept: Linux marks and resends whole skbs, the segments of one
 * write together up to TSO's autosized goal (tcp_simple_retransmit tests an
 * skb's segment size, and the skb goes again as one stretch cut to the new
 * MSS, its short tail too: a write of ten full segments was five skbs of two
 * here, each resent as 948, 948, 948, 52). The stack, a byte stream that
 * keeps no write boundaries, marks each segment longer than the new MSS and
 * resends adjacent ones as one stretch. The two agree where each write is one
 * segment, or one skb of full segments; they differ for a write whose last
 * segment is short (by tcp_simple_retransmit's code Linux sends that tail
 * again; the stack not, it passed the router: test/e2e/PathMtu.test.ts), for
 * separate writes of full segments (Linux cuts each, 948 + 500 per 1448; the
 * stack runs them together) and for a write Linux's TSO cut into several
 * skbs. The scripts keep to the first cases.
 *
 * Live clock for Linux's side (a real kernel); virtual for the stack's. Needs
 * root, /dev/net/tun, iproute2 and python3; skips with the printed reason
 * otherwise.
 */
import { describe, it } from "@effect/vitest"
import { conforms as conformsAs } from "../support/Conformance.js"
import type { Script, Step, TbSegment, TbUnreachable } from "../support/Conformance.js"
import { tapSkipReason } from "../support/Netns.js"

const SKIP = tapSkipReason({ ciInstalls: ["python3", "sysctl"] })
if (SKIP !== undefined) console.warn(`skipping the path MTU conformance scripts against Linux: ${SKIP}`)

/** The stack's transcript of `script` must be Linux's. */
const conforms = (script: Script) => conformsAs("cp", script)

const ROUTER = "198.18.0.254"

const LISTEN: Step = { dut: { op: "listen", port: 5000 } }

/**
 * A passive open, accepted: the testbench's SYN carries `syn` (MSS 1460, SACK
 * permitted and window scale unless said otherwise); both carry timestamps 1
 * and 2: full segments of 1448 octets.
 */
const open = (syn: Partial<TbSegment> = {}): ReadonlyArray<Step> => [
  LISTEN,
  { tb: { flags: "S", mss: 1460, sackOk: true, ws: 7, ts: 1, ...syn } },
  { tb: { flags: "A", ts: 2 } },
  { dut: { op: "accept" } }
]

/**
 * A router's "fragmentation needed" about the device's last segment. (A short
 * window: both send a tail loss probe some 10 ms after their last segment, by
 * their own RTT estimates.)
 */
const fragNeeded = (mtu: number, more: Partial<TbUnreachable> = {}, window = 5): Step => ({
  unreachable: { code: 4, mtu, from: ROUTER, ...more },
  window
})

/** A write whose segments go at once, heard within a short window (before any tail loss probe). */
const write = (bytes: number): Step => ({ dut: { op: "write", bytes }, window: 2 })

describe.skipIf(SKIP !== undefined)("the stack takes a router's fragmentation needed as the Linux kernel does", () => {
  it.scopedLive("a flight of full and short segments: only those longer than the new MSS go again (tcp_simple_retransmit)", () =>
    conforms({
      steps: [
        ...open(),
        { dut: { op: "nodelay" }, window: 1 },
        write(1448),
        write(100),
        write(1448),
        write(100),
        fragNeeded(1000),
        { tb: { flags: "A", ts: 3 } },
        { dut: { op: "write", bytes: 2000 } }
      ]
    }))

  it.scopedLive("an MTU below 552 (min_pmtu): 552, and the segments go without DF; a lower one then changes nothing", () =>
    conforms({
      steps: [
        ...open(),
        write(2896),
        fragNeeded(400),
        { tb: { flags: "A", ts: 3 } },
        write(1200),
        fragNeeded(300),
        { tb: { flags: "A", ts: 4 } }
      ]
    }))

  it.scopedLive("no next-hop MTU (a router older than RFC 1191): 552 without DF, no plateau guessed", () =>
    conforms({
      steps: [
        ...open(),
        write(2896),
        fragNeeded(0),
        { tb: { flags: "A", ts: 3 } },
        { dut: { op: "write", bytes: 1000 } }
      ]
    }))

  it.scopedLive("an MTU larger than the one in use, or the same, is ignored", () =>
    conforms({
      steps: [
        ...open(),
        write(2896),
        fragNeeded(9000),
        fragNeeded(1500),
        { tb: { flags: "A", ts: 3 } },
        { dut: { op: "write", bytes: 2896 } }
      ]
    }))

  it.scopedLive("a report quoting a sequence number outside SND.UNA..SND.NXT is ignored (RFC 5927 §4.1); at SND.NXT it is taken", () =>
    conforms({
      steps: [
        ...open(),
        write(2896),
        // past SND.NXT, and below SND.UNA
        fragNeeded(1000, { seq: 2898 }),
        fragNeeded(1000, { seq: -100 }),
        { tb: { flags: "A", ts: 3 } },
        write(2896),
        // SND.NXT itself (tcp_v4_err's between() takes both ends)
        fragNeeded(1000, { seq: 5793 }),
        { tb: { flags: "A", ts: 4 } }
      ]
    }))

  it.scopedLive("nothing in flight: a report quoting SND.NXT (a bare ACK's number) cuts what comes next; nothing goes again", () =>
    conforms({
      steps: [
        ...open(),
        write(2896),
        { tb: { flags: "A", ts: 3 } },
        fragNeeded(1000, { seq: 2897 }),
        { dut: { op: "write", bytes: 2000 } }
      ]
    }))

  it.scopedLive("a FIN sent after the data: the data goes again cut, the bare FIN not (it is short)", () =>
    conforms({
      steps: [
        ...open(),
        write(2896),
        { dut: { op: "shutdown" }, window: 2 },
        fragNeeded(1000),
        { tb: { flags: "A", ts: 3 } }
      ]
    }))

  it.scopedLive("a report quoting a connection the device does not have changes nothing", () =>
    conforms({
      steps: [
        ...open(),
        write(2896),
        fragNeeded(1000, { srcPort: 5001 }),
        { tb: { flags: "A", ts: 3 } },
        { dut: { op: "write", bytes: 2896 } }
      ]
    }))

  it.scopedLive("a second report with a smaller MTU cuts again what is still too long; a larger one after it is ignored", () =>
    conforms({
      steps: [
        ...open(),
        write(2896),
        fragNeeded(1200),
        fragNeeded(1000),
        fragNeeded(1100),
        { tb: { flags: "A", ts: 3 } },
        { dut: { op: "write", bytes: 2000 } }
      ]
    }))

  it.scopedLive("SYN-SENT: a report about the SYN resends nothing; the connection's MSS follows it", () =>
    conforms({
      tbPort: 6000,
      steps: [
        { dut: { op: "connectAsync", port: 6000 } },
        fragNeeded(1000, {}, 100),
        { tb: { flags: "SA", ack: 1, mss: 1460, sackOk: true, ws: 7, ts: 1 } },
        write(2896),
        { tb: { flags: "A", ts: 2 } }
      ]
    }))

  it.scopedLive("SYN-SENT: a report below 552 about the SYN: the connection's segments go at 552 without DF", () =>
    conforms({
      tbPort: 6000,
      steps: [
        { dut: { op: "connectAsync", port: 6000 } },
        fragNeeded(300, {}, 100),
        { tb: { flags: "SA", ack: 1, mss: 1460, sackOk: true, ws: 7, ts: 1 } },
        write(1200),
        { tb: { flags: "A", ts: 2 } }
      ]
    }))

  it.scopedLive("SYN-RECEIVED: a report about the SYN-ACK is ignored (tcp_req_err)", () =>
    conforms({
      steps: [
        LISTEN,
        { tb: { flags: "S", mss: 1460, sackOk: true, ws: 7, ts: 1 } },
        fragNeeded(1000, {}, 100),
        { tb: { flags: "A", ts: 2 } },
        { dut: { op: "accept" } },
        write(2896),
        { tb: { flags: "A", ts: 3 } }
      ]
    }))

  it.scopedLive("the peer's MSS below the path's: the smaller holds; at the 552 floor segments of 500 without DF", () =>
    conforms({
      steps: [
        ...open({ mss: 536 }),
        write(1048),
        fragNeeded(1000),
        fragNeeded(200),
        { tb: { flags: "A", ts: 3 } }
      ]
    }))

  it.scopedLive("without SACK, in recovery: the recovery becomes a timeout's episode (CA_Loss), whose ACKs grow the window (tcp_simple_retransmit)", () =>
    conforms({
      sysctls: { "net.ipv4.tcp_min_tso_segs": 1, "net.ipv4.tcp_tso_rtt_log": 0 },
      steps: [
        ...open({ sackOk: false }),
        { dut: { op: "write", bytes: 5792 }, window: 20 },
        { tb: { flags: "A", ack: 1, ts: 3 }, window: 20 },
        { tb: { flags: "A", ack: 1, ts: 4 }, window: 20 },
        { tb: { flags: "A", ack: 1, ts: 5 }, window: 20 },
        fragNeeded(776),
        { tb: { flags: "A", ack: 725, ts: 6 }, window: 20 },
        { dut: { op: "write", bytes: 30000 }, window: 20 },
        { tb: { flags: "A", ack: 2173, ts: 7 }, window: 20 },
        { tb: { flags: "A", ack: 5793, ts: 8 }, window: 20 }
      ]
    }))

  // (review52a) Fragmentation needed in a Reno recovery whose segments all fit the new MTU (MSS 1000:
  // 988 octets a segment, MTU 1400). Linux's tcp_v4_mtu_reduced calls tcp_simple_retransmit whenever
  // the MTU drops; it marks no skb lost, but returns only when lost_out is 0, and the recovery's head
  // is marked lost (tcp_newreno_mark_lost): so CA_Loss all the same, high_seq = SND.NXT, undo_marker
  // 0. The partial ACK then marks nothing (tcp_newreno_mark_lost only in Recovery) and resets the
  // duplicates' count (tcp_process_loss), and a duplicate counts nothing (SND.NXT at high_seq):
  // cwnd 9 over in_flight 10, nothing goes. The stack stayed in its recovery: the duplicate after the
  // partial ACK resent 1977 under PRR
  it.scopedLive("without SACK, in recovery, an MTU all segments fit: still a timeout's episode (tcp_simple_retransmit returns only when nothing is lost)", () =>
    conforms({
      sysctls: { "net.ipv4.tcp_min_tso_segs": 1, "net.ipv4.tcp_tso_rtt_log": 0 },
      steps: [
        ...open({ sackOk: false, mss: 1000 }),
        { dut: { op: "write", bytes: 30000 }, window: 20 },
        { tb: { flags: "A", ack: 1, ts: 3 }, window: 20 },
        { tb: { flags: "A", ack: 1, ts: 4 }, window: 20 },
        { tb: { flags: "A", ack: 1, ts: 5 }, window: 20 },
        fragNeeded(1400),
        { tb: { flags: "A", ack: 1977, ts: 6 }, window: 20 },
        { tb: { flags: "A", ack: 1977, ts: 7 }, window: 20 },
        { tb: { flags: "A", ack: 1977, ts: 8 }, window: 20 }
      ]
    }))

  // The same with SACK. Linux's lost_out holds what RACK marked, resent or not (a resend keeps
  // TCPCB_LOST until SACKed or acknowledged), so tcp_simple_retransmit goes on to CA_Loss: high_seq =
  // SND.NXT, undo_marker 0, the window tcp_cwnd_reduction left. The partial ACK then marks every
  // segment sent before the delivered resend lost (RACK's window is 0 in CA_Loss, tcp_rack_reo_wnd) and
  // resends them, new data after them: seven segments. The stack stayed in its recovery and sent one
  // under PRR. (The partial ACK's step waits 40 ms. With 20 ms, in the one run tried, Linux did not
  // take the next SACK, of a resend, as RACK's advance where the stack did: that RTT sample, one
  // window, lies next to min_rtt, the first flight's, and tcp_rack_advance skips a resend's delivery
  // whose RTT is below min_rtt; not probed further)
  it.scopedLive("SACK on, in recovery, an MTU all segments fit: still a timeout's episode (tcp_simple_retransmit returns only when nothing is lost)", () =>
    conforms({
      sysctls: { "net.ipv4.tcp_min_tso_segs": 1, "net.ipv4.tcp_tso_rtt_log": 0 },
      steps: [
        ...open({ mss: 1000 }),
        { dut: { op: "write", bytes: 30000 }, window: 20 },
        { tb: { flags: "A", ack: 1, ts: 3, sack: [[1977, 2965]] }, window: 20 },
        { tb: { flags: "A", ack: 1, ts: 4, sack: [[1977, 3953]] }, window: 20 },
        { tb: { flags: "A", ack: 1, ts: 5, sack: [[1977, 4941]] }, window: 20 },
        fragNeeded(1400),
        { tb: { flags: "A", ack: 989, ts: 6, sack: [[1977, 4941]] }, window: 40 },
        { tb: { flags: "A", ack: 989, ts: 7, sack: [[1977, 5929]] }, window: 20 },
        { tb: { flags: "A", ack: 989, ts: 8, sack: [[1977, 6917]] }, window: 20 }
      ]
    }))

  // (review52a) Fragmentation needed after a timeout (CA_Loss), no SACK: Linux's tcp_simple_retransmit
  // marks the long segments lost (the head's resend with them: its retransmission no longer in flight)
  // and resends the head cut, in the timeout's window of one (the 36-octet runt is lost too, marked by
  // the timeout: tcp_timeout_mark_lost); it leaves CA_Loss's state alone, undo_marker too, so the ACK
  // of all echoing the originals' timestamp undoes the timeout (tcp_try_undo_loss: cwnd back to
  // prior_cwnd, ten packets of the new size). The stack sent nothing at the report (its go-back
  // counted the runt in flight) and had dropped its undo record with the old MSS: five segments
  it.scopedLive("without SACK, after a timeout: the head goes again cut, and the timeout's undo survives the report (tcp_simple_retransmit leaves CA_Loss alone)", () =>
    conforms({
      steps: [
        ...open({ sackOk: false, mss: 1000 }),
        { dut: { op: "write", bytes: 3000 }, window: 20 },
        { wait: 300 },
        fragNeeded(776),
        { tb: { flags: "A", ts: 3, tsecrOf: 1 }, window: 20 },
        { dut: { op: "write", bytes: 20000 }, window: 20 }
      ]
    }))

  it.scopedLive("SACK on, in recovery: the retransmission already sent is cut again, the SACKed segment never goes again, the rest as ACKs come", () =>
    conforms({
      steps: [
        ...open(),
        write(4344),
        // the second segment SACKed: both resend the first at once (RACK, recovery)
        { tb: { flags: "A", ack: 1, ts: 3, sack: [[1449, 2897]] }, window: 2 },
        fragNeeded(1000),
        { tb: { flags: "A", ack: 2897, ts: 4 }, window: 2 },
        { tb: { flags: "A", ts: 5 } }
      ]
    }))
})
