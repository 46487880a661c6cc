/**
 * The stack against the Linux kernel on the TCP header itself, script by
 * script (test/support/Conformance.ts: gVisor's packetimpact idea; the
 * handshakes and closes are test/kernel/Conformance.test.ts, the data path
 * test/kernel/ConformanceData.test.ts). Each script is played against Linux
 * (a TAP into a namespace of the test's own, Python's sockets there) and
 * against the stack (a LinkMemory cable, TestClock); the stack's transcript
 * must be the kernel's, line for line:
 * - malformed options (RFC 9293 §3.2, RFC 1122 §4.2.2.5 MUST-7: read as
 *   Linux's tcp_parse_options reads them), and options where they mean
 *   nothing (MSS and window scale only on a SYN, RFC 9293 §3.7.1, RFC 7323
 *   §2.2; SACK-permitted only on a SYN, RFC 2018 §2; timestamps only once
 *   both sent one, RFC 7323 §3.2);
 * - odd flag combinations to a listener and to a connection (RFC 9293
 *   §3.10.7), and ECN's setup SYN (RFC 3168 §6.1.1);
 * - header errors: a bad checksum, a data offset under 5 words or past the
 *   segment, a segment under 20 octets (RFC 9293 §3.1: dropped, no reset),
 *   and Ethernet padding past the IP datagram (RFC 791: the total length
 *   says where the segment ends);
 * - the window of a SYN or SYN-ACK, never scaled (RFC 7323 §2.2), and no
 *   scaling either way unless both SYNs offered it.
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
if (SKIP !== undefined) console.warn(`skipping the header conformance scripts against Linux: ${SKIP}`)

/** The stack's transcript of `script` must be Linux's. */
const conforms = (script: Script) => conformsAs("co", script)

const LISTEN: Step = { dut: { op: "listen", port: 5000 } }

/** A passive open, accepted: the testbench's SYN is `syn`, its ACK `ack`. */
const open = (syn: Partial<TbSegment>, ack: Partial<TbSegment> = {}): ReadonlyArray<Step> => [
  LISTEN,
  { tb: { flags: "S", ...syn } },
  { tb: { flags: "A", ...ack } },
  { dut: { op: "accept" } }
]

/** A passive open with every option, timestamps 1 and 2 */
const OPEN_ALL = open({ mss: 1460, sackOk: true, ts: 1, ws: 7 }, { ts: 2 })

/** MSS 1000 as raw octets */
const MSS_1000 = [2, 4, 0x03, 0xe8]

describe.skipIf(SKIP !== undefined)("the stack reads TCP headers and options as the Linux kernel does", () => {
  // ---------------------------------------------------------------------------
  // malformed options on a SYN

  it.scopedLive("an unknown option and an MSS of the wrong length are stepped over by their length; what follows counts", () =>
    conforms({
      steps: [
        ...open({ rawOptions: [254, 4, 0xaa, 0xbb, 2, 3, 0x01, 1], mss: 1000, sackOk: true, ts: 1, ws: 7 }, { ts: 2 }),
        { dut: { op: "write", bytes: 2000 } }
      ]
    }))

  it.scopedLive("a SYN with an option length of 0 and 18 octets of options left after it is dropped (Linux's tcp_inbound_hash)", () =>
    conforms({
      steps: [...open({ rawOptions: [254, 0, 0, 0], mss: 1000, sackOk: true, ts: 1, ws: 7 }), { dut: { op: "write", bytes: 1000 } }]
    }))

  it.scopedLive("a SYN with an option length of 1 and 18 octets of options left after it is dropped", () =>
    conforms({
      steps: [...open({ rawOptions: [254, 1, 1, 1], mss: 1000, sackOk: true, ts: 1, ws: 7 }), { dut: { op: "write", bytes: 1000 } }]
    }))

  it.scopedLive("an option running past the header in the last 18 octets ends the walk; the options before it count", () =>
    conforms({
      steps: [
        ...open({ rawOptions: [...MSS_1000, 1, 1, 4, 2, 1, 3, 3, 7, 8, 40, 0, 0] }),
        { dut: { op: "write", bytes: 2000 } }
      ]
    }))

  it.scopedLive("timestamps of the wrong length on a SYN: no timestamps", () =>
    conforms({
      steps: [
        ...open({ rawOptions: [8, 8, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1], mss: 1460, sackOk: true, ws: 7 }),
        { dut: { op: "write", bytes: 100 } }
      ]
    }))

  it.scopedLive("EOL ends the options: what looks like options after it is padding", () =>
    conforms({
      steps: [...open({ rawOptions: [...MSS_1000, 0, 4, 2, 1, 1, 3, 3, 7, 8, 10, 0, 0] }), { dut: { op: "write", bytes: 2000 } }]
    }))

  it.scopedLive("an MSS of 0 is no MSS: 536", () =>
    conforms({ steps: [...open({ rawOptions: [2, 4, 0, 0] }), { dut: { op: "write", bytes: 1000 } }] }))

  // ---------------------------------------------------------------------------
  // options where they mean nothing

  it.scopedLive("an MSS option on a segment that is no SYN is ignored", () =>
    conforms({
      steps: [...open({ mss: 1460 }, { mss: 100 }), { tb: { flags: "A", mss: 200 } }, { dut: { op: "write", bytes: 2000 } }]
    }))

  it.scopedLive("a window scale on a segment that is no SYN is ignored", () =>
    conforms({
      steps: [...open({ mss: 536 }, { ws: 7, win: 2000 }), { tb: { flags: "A", ws: 7, win: 2000 } }, { dut: { op: "write", bytes: 3000 } }]
    }))

  it.scopedLive("SACK-permitted on a segment that is no SYN is ignored: no SACK blocks after", () =>
    conforms({
      steps: [...open({ mss: 1460 }, { sackOk: true }), { tb: { flags: "PA", seq: 101, payload: 100, sackOk: true } }]
    }))

  it.scopedLive("timestamps on a connection that did not negotiate them are ignored", () =>
    conforms({
      steps: [...open({ mss: 1460, sackOk: true }, { ts: 2 }), { tb: { flags: "PA", payload: 100, ts: 3 } }, { dut: { op: "write", bytes: 10 } }]
    }))

  it.scopedLive("timestamps negotiated: a data segment without one", () =>
    conforms({ steps: [...OPEN_ALL, { tb: { flags: "PA", payload: 100 } }, { dut: { op: "read", bytes: 100 } }] }))

  it.scopedLive("timestamps negotiated: data whose timestamp option has the wrong length is data without one", () =>
    conforms({
      steps: [
        ...OPEN_ALL,
        { tb: { flags: "PA", payload: 100, rawOptions: [1, 1, 8, 8, 0x00, 0x0f, 0x42, 0x49, 0, 0, 1, 1] } },
        { dut: { op: "read", bytes: 100 } }
      ]
    }))

  it.scopedLive("an established segment with a malformed option before its timestamp", () =>
    conforms({
      steps: [...OPEN_ALL, { tb: { flags: "PA", payload: 100, rawOptions: [254, 0, 0, 0], ts: 3 } }, { dut: { op: "read", bytes: 100 } }]
    }))

  it.scopedLive("an established segment with unknown options and a SACK block of the wrong length", () =>
    conforms({
      steps: [
        ...OPEN_ALL,
        { dut: { op: "write", bytes: 100 } },
        { tb: { flags: "PA", ack: 0, payload: 100, rawOptions: [254, 6, 1, 2, 3, 4, 1, 1, 5, 6, 0, 0, 0, 0, 1, 1], ts: 3 } },
        { dut: { op: "read", bytes: 100 } }
      ]
    }))

  it.scopedLive("an established segment with an option length of 0 and 18 octets left is dropped", () =>
    conforms({
      steps: [...OPEN_ALL, { tb: { flags: "PA", payload: 100, ts: 3, rawOptions: [1, 1, 254, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] } }, { dut: { op: "write", bytes: 10 } }]
    }))

  it.scopedLive("a closed port: a SYN with an option length of 0 and 18 octets left draws no reset", () =>
    conforms({
      steps: [
        { tb: { flags: "S", rawOptions: [254, 0, 0, 0], mss: 1460, sackOk: true, ts: 1, ws: 7 } },
        { tb: { flags: "S", seq: 0, mss: 1460 } }
      ]
    }))

  // ---------------------------------------------------------------------------
  // flags

  it.scopedLive("a listener: SYN+ACK draws a reset at its ACK; FIN alone, no flags, all flags: nothing", () =>
    conforms({
      steps: [
        LISTEN,
        { tb: { flags: "SA", ack: 5000, mss: 1460 } },
        { tb: { flags: "F", seq: 0 } },
        { tb: { flags: "", seq: 0 } },
        { tb: { flags: "SFRPAUEC", seq: 0, ack: 5000 } },
        { tb: { flags: "FA", seq: 0, ack: 5000 } },
        { tb: { flags: "S", seq: 0, mss: 1460 } }
      ]
    }))

  it.scopedLive("a listener: a SYN with PSH and URG is a SYN", () =>
    conforms({ steps: [LISTEN, { tb: { flags: "SPU", urg: 5, mss: 1460 } }, { tb: { flags: "A" } }, { dut: { op: "accept" } }] }))

  it.scopedLive("ECN: a SYN with ECE and CWR draws a SYN-ACK with ECE; ECE alone or CWR alone does not", () =>
    conforms({
      steps: [
        LISTEN,
        { tb: { flags: "SEC", mss: 1460 } },
        { tb: { flags: "SE", srcPort: 40001, seq: 0, mss: 1460 } },
        { tb: { flags: "SC", srcPort: 40002, seq: 0, mss: 1460 } }
      ]
    }))

  it.scopedLive("ECN negotiated: our data goes ECT(0); the peer's ECE draws CWR on our next data", () =>
    conforms({
      steps: [
        LISTEN,
        { tb: { flags: "SEC", mss: 1460, sackOk: true, ts: 1 } },
        { tb: { flags: "A", ts: 2 } },
        { dut: { op: "accept" } },
        { dut: { op: "write", bytes: 100 } },
        { tb: { flags: "AE", ts: 3 } },
        { dut: { op: "write", bytes: 100 } }
      ]
    }))

  it.scopedLive("established: FIN without ACK and a segment with no flags are dropped", () =>
    conforms({
      steps: [
        ...OPEN_ALL,
        { tb: { flags: "F", ts: 3 } },
        { tb: { flags: "", seq: 1, payload: 10, ts: 4 } },
        { dut: { op: "write", bytes: 10 } }
      ]
    }))

  it.scopedLive("established: every flag set at RCV.NXT resets (RST is checked before SYN)", () =>
    conforms({ steps: [...OPEN_ALL, { dut: { op: "read" } }, { tb: { flags: "SFRPAUEC", ts: 3 } }] }))

  it.scopedLive("established: SYN+RST in the window but not at RCV.NXT draws a challenge ACK", () =>
    conforms({ steps: [...OPEN_ALL, { dut: { op: "read" } }, { tb: { flags: "SR", seq: 100, ts: 3 } }, { dut: { op: "write", bytes: 10 } }] }))

  it.scopedLive("established: SYN+FIN draws a challenge ACK", () =>
    conforms({ steps: [...OPEN_ALL, { tb: { flags: "SFA", ts: 3 } }, { dut: { op: "write", bytes: 10 } }] }))

  it.scopedLive("established: URG with pointer 0 and data", () =>
    conforms({ steps: [...OPEN_ALL, { tb: { flags: "PAU", urg: 0, payload: 10, ts: 3 } }, { dut: { op: "write", bytes: 10 } }] }))

  // ---------------------------------------------------------------------------
  // header errors

  it.scopedLive("a bad checksum: a SYN to a listener or a closed port, data on a connection: dropped, no reset", () =>
    conforms({
      steps: [
        LISTEN,
        { tb: { flags: "S", mss: 1460, badChecksum: true } },
        { tb: { flags: "S", srcPort: 40001, seq: 0, mss: 1460, dstPort: 5001, badChecksum: true } },
        { tb: { flags: "S", seq: 0, mss: 1460, sackOk: true, ts: 1, ws: 7 } },
        { tb: { flags: "A", ts: 2 } },
        { dut: { op: "accept" } },
        { tb: { flags: "PA", payload: 100, ts: 3, badChecksum: true } },
        { tb: { flags: "R", seq: 1, badChecksum: true } },
        { dut: { op: "write", bytes: 10 } }
      ]
    }))

  it.scopedLive("a data offset under 5 words or past the segment: dropped, no reset (a closed port too)", () =>
    conforms({
      steps: [
        { tb: { flags: "S", mss: 1460, dataOffset: 4 } },
        { tb: { flags: "S", seq: 0, dataOffset: 15 } },
        { tb: { flags: "S", seq: 0, payload: 20, dataOffset: 15 } },
        LISTEN,
        { tb: { flags: "S", seq: 0, mss: 1460, dataOffset: 4 } },
        { tb: { flags: "S", seq: 0, dataOffset: 6 } },
        { tb: { flags: "S", seq: 0 } },
        { tb: { flags: "A", seq: 1, dataOffset: 15, payload: 10 } },
        { tb: { flags: "A", seq: 1, dataOffset: 4, payload: 10 } },
        { tb: { flags: "A", seq: 1 } },
        { dut: { op: "accept" } },
        { dut: { op: "write", bytes: 10 } }
      ]
    }))

  it.scopedLive("a segment under 20 octets is dropped, no reset", () =>
    conforms({ steps: [{ tb: { flags: "S", cut: 19 } }, { tb: { flags: "S", seq: 0, cut: 12 } }, { tb: { flags: "S", seq: 0 } }] }))

  it.scopedLive("Ethernet padding past the IP datagram is no payload", () =>
    conforms({
      steps: [
        LISTEN,
        { tb: { flags: "S", mss: 1460, ethPad: 30 } },
        { tb: { flags: "A", ethPad: 30 } },
        { dut: { op: "accept" } },
        { tb: { flags: "PA", payload: 4, ethPad: 40 } },
        { dut: { op: "read", bytes: 4 } },
        { tb: { flags: "FA", ethPad: 20 } },
        { dut: { op: "read" } }
      ]
    }))

  // ---------------------------------------------------------------------------
  // the window of a SYN

  it.scopedLive("active open: the SYN-ACK's window is never scaled", () =>
    conforms({
      tbPort: 6000,
      steps: [
        { dut: { op: "connect", port: 6000 } },
        { tb: { flags: "SA", mss: 536, ws: 7, win: 2000 } },
        { dut: { op: "write", bytes: 5000 } },
        { tb: { flags: "A", ack: 1609, win: 20 } }
      ]
    }))

  it.scopedLive("active open: a SYN-ACK without window scale: no scaling either way", () =>
    conforms({
      tbPort: 6000,
      steps: [
        { dut: { op: "connect", port: 6000 } },
        { tb: { flags: "SA", mss: 536, win: 2000 } },
        { dut: { op: "write", bytes: 5000 } },
        { tb: { flags: "A", ack: 2001, win: 1000 } }
      ]
    }))

  it.scopedLive("passive open: a SYN without window scale: the ACK's window is not scaled", () =>
    conforms({ steps: [...open({ mss: 536 }, { win: 2000 }), { dut: { op: "write", bytes: 5000 } }] }))

  it.scopedLive("passive open: the window of the handshake's last ACK is scaled", () =>
    conforms({ steps: [...open({ mss: 536, ws: 2, win: 100 }, { win: 500 }), { dut: { op: "write", bytes: 5000 } }] }))

  it.scopedLive("an MD5 signature (RFC 2385) we hold no key for, and one of the wrong length: dropped; to a closed port no reset", () =>
    conforms({
      steps: [
        { tb: { flags: "S", rawOptions: [19, 18, ...Array.from({ length: 16 }, (_, i) => i), 1, 1], mss: 1460 } },
        LISTEN,
        { tb: { flags: "S", seq: 0, rawOptions: [19, 18, ...Array.from({ length: 16 }, (_, i) => i), 1, 1], mss: 1460 } },
        { tb: { flags: "S", seq: 0, rawOptions: [19, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], mss: 1460 } },
        { tb: { flags: "S", seq: 0, rawOptions: [29, 4, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], mss: 1460 } },
        { tb: { flags: "S", seq: 0, mss: 1460 } }
      ]
    }))

  it.scopedLive("a reset whose options Linux refuses is dropped: the connection goes on", () =>
    conforms({
      steps: [
        ...OPEN_ALL,
        { dut: { op: "read" } },
        { tb: { flags: "R", rawOptions: [254, 0, ...new Array<number>(18).fill(1)] } },
        { tb: { flags: "PA", payload: 1, ts: 3 } }
      ]
    }))

  it.scopedLive("SACK blocks on a connection that did not negotiate SACK are ignored", () =>
    conforms({
      steps: [
        ...open({ mss: 1000 }),
        { dut: { op: "write", bytes: 3000 } },
        { tb: { flags: "A", ack: 1, sack: [[1001, 2001]] } },
        { tb: { flags: "A", ack: 1, sack: [[1001, 3001]] } }
      ]
    }))

  it.scopedLive("a SYN of NOPs only, and an MSS under 48", () =>
    conforms({ steps: [...open({ rawOptions: [1, 1, 1, 1, 1, 1, 1, 1], mss: 10 }), { dut: { op: "write", bytes: 100 } }] }))

  it.scopedLive("a data offset into the payload: its first octets are options; 40 of them, none legal, drop the segment", () =>
    conforms({
      steps: [
        ...OPEN_ALL,
        { tb: { flags: "PA", payload: 50, dataOffset: 15 } },
        { tb: { flags: "PA", seq: 1, payload: 10, dataOffset: 6 } },
        { dut: { op: "read", bytes: 6 } }
      ]
    }))

  it.scopedLive("SYN-RECEIVED: data or a FIN without ACK is dropped; the ACK completes the handshake", () =>
    conforms({
      steps: [
        LISTEN,
        { tb: { flags: "S", mss: 1460 } },
        { tb: { flags: "P", payload: 10 } },
        { tb: { flags: "F", seq: 1 } },
        { tb: { flags: "A", seq: 1 } },
        { dut: { op: "accept" } },
        { dut: { op: "write", bytes: 10 } }
      ]
    }))

  it.scopedLive("timestamps in the SYN, none in the handshake's ACK: they are on for the connection", () =>
    conforms({
      steps: [
        ...open({ mss: 1460, ts: 1 }),
        { tb: { flags: "PA", payload: 10, ts: 3 } },
        { dut: { op: "read", bytes: 10 } }
      ]
    }))

  it.scopedLive("active open: a FIN on the SYN-ACK is not taken (Linux's tcp_rcv_synsent_state_process), nor is data", () =>
    conforms({
      tbPort: 6000,
      steps: [
        { dut: { op: "connect", port: 6000 } },
        { tb: { flags: "SFA", mss: 1460, payload: 10 } },
        { dut: { op: "write", bytes: 5 } }
      ]
    }))

  it.scopedLive("active open without ECN: ECE, CWR and URG on the SYN-ACK change nothing, nor ECE after", () =>
    conforms({
      tbPort: 6000,
      steps: [
        { dut: { op: "connect", port: 6000 } },
        { tb: { flags: "SAEC", mss: 1460, urg: 3 } },
        { dut: { op: "write", bytes: 5 } },
        { tb: { flags: "AE" } },
        { dut: { op: "write", bytes: 5 } }
      ]
    }))

  it.scopedLive("the bits beside the data offset are ignored; an AccECN SYN (AE, CWR, ECE) draws classic ECN's SYN-ACK (tcp_ecn 2)", () =>
    conforms({
      steps: [
        LISTEN,
        { tb: { flags: "SEC", reserved: 1, mss: 1460 } },
        { tb: { flags: "S", srcPort: 40001, seq: 0, reserved: 15, mss: 1460 } },
        { tb: { flags: "S", srcPort: 40002, seq: 0, reserved: 1, mss: 1460 } },
        { tb: { flags: "A", srcPort: 40002, seq: 1, reserved: 15 } },
        { dut: { op: "accept" } },
        { tb: { flags: "PA", srcPort: 40002, seq: 1, payload: 5, reserved: 15 } },
        { dut: { op: "read", bytes: 5 } }
      ]
    }))

  it.scopedLive("a closed port: the reset acknowledges SYN, FIN and data whatever the other flags; with ACK it is at the ACK's number; none for a reset", () =>
    conforms({
      steps: [
        { tb: { flags: "S", payload: 10 } },
        { tb: { flags: "SF", seq: 0 } },
        { tb: { flags: "F", seq: 0 } },
        { tb: { flags: "", seq: 0 } },
        { tb: { flags: "P", seq: 0, payload: 5 } },
        { tb: { flags: "FP", seq: 0, payload: 5 } },
        { tb: { flags: "SFRPAUEC", seq: 0 } },
        { tb: { flags: "SFPAUEC", seq: 0, ack: 77, payload: 3 } },
        { tb: { flags: "SA", seq: 0, ack: 0 } }
      ]
    }))

  it.scopedLive("active open: a SYN-ACK with options Linux refuses is dropped; then one with timestamps of the wrong length: none; an MSS of 65535 is bounded by the MTU", () =>
    conforms({
      tbPort: 6000,
      steps: [
        { dut: { op: "connect", port: 6000 } },
        { tb: { flags: "SA", rawOptions: [254, 0, ...new Array<number>(18).fill(1)], mss: 1460, ts: 1 } },
        { tb: { flags: "SA", seq: 0, rawOptions: [8, 8, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1], mss: 65535, sackOk: true, ws: 7 } },
        { dut: { op: "write", bytes: 3000 } }
      ]
    }))

  // (not scripted: in TIME-WAIT Linux takes TS.Recent from a bare segment at RCV.NXT even without
  // ACK, and answers segments whose options tcp_inbound_hash would refuse, since tcp_v4_rcv goes
  // to do_time_wait before that walk; the stack drops both)
  it.scopedLive("TIME-WAIT: a FIN again, with or without ACK, a SYN-ACK and data draw an ACK; a bare ACK with URG, nothing", () =>
    conforms({
      sysctls: { "net.ipv4.tcp_rfc1337": 1 },
      steps: [
        ...OPEN_ALL,
        { dut: { op: "close" } },
        { tb: { flags: "FA", ts: 3 } },
        { tb: { flags: "F", seq: 1, ts: 4 } },
        { tb: { flags: "SA", seq: 2, ts: 6 } },
        { tb: { flags: "PA", seq: 2, payload: 5, ts: 7 } },
        { tb: { flags: "UA", seq: 2, urg: 1, ts: 9 } }
      ]
    }))

  it.scopedLive("ECN: CE on data draws ECE on every ACK until the peer's CWR; our data goes ECT(0) (RFC 3168 §6.1.3, §6.1.4)", () =>
    conforms({
      steps: [
        LISTEN,
        { tb: { flags: "SEC", mss: 1460, sackOk: true, ts: 1 } },
        { tb: { flags: "A", ts: 2 } },
        { dut: { op: "accept" } },
        { tb: { flags: "PA", payload: 10, ts: 3, tos: 3 } },
        { tb: { flags: "PA", payload: 10, ts: 4, tos: 2 } },
        { tb: { flags: "PAC", payload: 10, ts: 5, tos: 2 } },
        { tb: { flags: "PA", payload: 10, ts: 6, tos: 1 } },
        { dut: { op: "write", bytes: 10 } },
        { dut: { op: "read", bytes: 40 } }
      ]
    }))

  it.scopedLive("without ECN negotiated, CE on data changes nothing", () =>
    conforms({
      steps: [
        ...OPEN_ALL,
        { tb: { flags: "PA", payload: 10, ts: 3, tos: 3 } },
        { dut: { op: "write", bytes: 10 } }
      ]
    }))
})
