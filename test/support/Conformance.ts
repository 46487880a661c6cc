/**
 * Differential conformance scripts (gVisor's packetimpact idea): one script of
 * TCP segments, IP datagrams, ICMP errors about the device's segments and
 * socket calls is played against two devices under test, the
 * Linux kernel and the stack, by the same testbench, and what each sends back
 * is written down in the same words. The kernel is the reference: a test
 * asserts that the stack's transcript is the kernel's.
 *
 * - **The testbench** is a raw link endpoint (`Peer`): host 198.18.0.1 with
 *   MAC `TB_MAC`. It builds every segment from the script with sequence
 *   numbers relative to its ISN (`TB_ISN`, near 2^32 so that they wrap) and
 *   the device's (learnt from the device's first SYN; 0 before one), and
 *   answers ARP requests for its address by itself. A segment may be sent
 *   misshapen as a script says (`TbSegment`): raw option octets, another
 *   data offset, cut short, a bad checksum, Ethernet padding past the IP
 *   datagram.
 * - **Linux** (`linuxDut`): a TAP whose user side is the testbench and whose
 *   kernel side, MAC `DUT_MAC` and 198.18.0.2/24, is moved into a namespace of
 *   the test's own (the testbench a permanent neighbour there, IPv6 off); the
 *   socket calls are made by test/kernel/conformance/dut.py in that namespace,
 *   its sockets on CUBIC, the stack's congestion control, whatever the host's
 *   default (a namespace starts with it: BBR on some hosts).
 *   Each step's replies are collected for `window` ms of real time, and for
 *   up to 2 s more while Linux has said less than the stack did in that step
 *   (so that a loaded machine does not move an answer into the next step).
 * - **The stack** (`stackDut`): the same addresses and MACs over a LinkMemory
 *   cable, its socket calls made through `Tcp`, under a TestClock: each step's
 *   window is virtual time, so the stack's side is deterministic.
 *
 * A transcript has one entry per step: the step in words, then what came
 * back within its window, in order: the device's segments (flags in the order
 * SFRAUEC, `seq`/`ack` relative to the ISNs, payload length, whether the
 * window is zero (not for a reset), options with the echoed timestamp and SACK blocks relative
 * to the testbench's values) and the results of its socket calls
 * (`dut: read 100`, `dut: ECONNRESET`); the result of a call that returns at
 * once (a write, a close) heads its step, for it came before the window. What is left out is what the two
 * may choose differently and still both be right: the ISNs, the timestamp
 * clock, the window's size and scale (and so how much a device takes before
 * its window shuts: after a `fill` step the testbench's sequence numbers
 * count from where the fill ended, `F+n`), the ephemeral port, PSH (where a
 * sender sets it is its own affair, RFC 9293 §3.9.1: Linux also pushes once
 * half a window is unpushed, tcp_push's forced push), and the TSecr of a
 * segment without ACK (not valid there, RFC 7323 §3.2). A SYN that takes a
 * TIME-WAIT over is marked `iss=old-end+65537` when its ISS is that.
 *
 * Windows are kept away from the timers the scripts do not mean to see: a
 * delayed ACK (at most 40 ms at the start of a connection, either side) falls
 * inside the default 100 ms, the first retransmission (200 ms at the least,
 * either side) outside it; a script that means to see one waits for it. A
 * tail loss probe comes two SRTTs after a send, and the handshake's default
 * windows make SRTT about 100 ms: the probe lands on the end of the second
 * default window after the send, Linux's a few ms either side. A script whose
 * later steps go on sending keeps its windows short there (a run on a loaded
 * machine had Linux's probe race the next ACK, and the two parted).
 *
 * Listening past the window hid, too, a timer Linux runs later than the stack
 * (a probe the stack sent inside the window, Linux's a second on): what Linux's
 * side hears more than LATE_MS (500 ms) past the window reads "(late N ms)", and
 * the run is played again, as a stalled one is (below); a timer apart by less
 * stays hidden.
 *
 * Listening past the window hides an ACK the stack sends at once where Linux
 * delays it (Linux's delayed ACK then lands in the step too). A step marked
 * `exact` shows it: Linux's side hears that step for its window only, which a
 * script keeps well short of Linux's 40 ms delayed-ACK timer (10 ms); an
 * answer Linux sends at once comes inside the write that carried the segment
 * into its TAP, so only a machine that stalls the testbench for the 30 ms
 * between could move the delayed one in; a run in which an exact step took
 * that long, or in which Linux's driver gave a call's result a step late that
 * the stack gave in the step, is played on Linux again, twice at most
 * (EXACT_STALL_MS).
 *
 * Network safety: every address is in 198.18.0.0/15 (asserted), and the
 * namespace, its TAP and the driver process go with the scope.
 */
import { expect } from "@effect/vitest"
import { Cause, Clock, Effect, Either, Exit, Fiber, Layer, Option, Scope, TestClock, TestContext } from "effect"
import { fileURLToPath } from "node:url"
import { Link, type LinkService } from "../../src/link/Link.js"
import * as LinkMemory from "../../src/link/LinkMemory.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import { codeOf } from "../../src/node/Errors.js"
import * as Stack from "../../src/Stack.js"
import type { StackConfigInput } from "../../src/Config.js"
import { Tcp, type Connection, type Listener } from "../../src/tcp/Tcp.js"
import { TcpError } from "../../src/tcp/TcpError.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as ArpWire from "../../src/wire/ArpPacket.js"
import * as Checksum from "../../src/wire/Checksum.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import * as UdpWire from "../../src/wire/UdpHeader.js"
import { settle } from "./Clock.js"
import { assertBenchAddress, ifName, makeNetns, moveLinkToNetns, run, spawnIn } from "./Netns.js"
import * as Peer from "./Peer.js"

export const TB_MAC = new Uint8Array([0x02, 0, 0, 0, 0, 0x01])
export const DUT_MAC = new Uint8Array([0x02, 0, 0, 0, 0, 0x02])
export const TB_IP = "198.18.0.1"
export const DUT_IP = "198.18.0.2"
const TB_ADDR = Addr.parse(TB_IP)!
const DUT_ADDR = Addr.parse(DUT_IP)!

/** the testbench's ISN: relative sequence numbers past 255 wrap around 2^32 */
export const TB_ISN = 0xffffff00
/** the testbench's timestamp clock: a script's `ts: n` sends TSval TB_TS + n */
export const TB_TS = 1_000_000

/** A socket call the device under test makes. Its result is written down when it returns. */
export type DutOp =
  /**
   * bound to `address` if given (127.0.0.1 or DUT_IP: bind(2) before listen(2)), else to every address;
   * `cc: "reno"`: Linux's sockets on Reno (TCP_CONGESTION) instead of CUBIC (a script that says so sets
   * the stack's `tcp.congestion` to "newreno" in `stack`)
   */
  | {
    readonly op: "listen"
    readonly port: number
    readonly backlog?: number
    readonly address?: string
    readonly cc?: "reno"
    /** TCP_USER_TIMEOUT (ms) on the listening socket, which its accepted sockets inherit (the stack's ListenOptions.userTimeout) */
    readonly userTimeout?: number
  }
  | { readonly op: "accept" }
  /**
   * to the testbench (198.18.0.1); from `localPort` if given (Linux: SO_REUSEADDR, bind(2), then
   * connect(2), as Node's localPort does through libuv; the stack's `localPort`)
   */
  | {
    readonly op: "connect"
    readonly port: number
    readonly localPort?: number
    /** TCP_USER_TIMEOUT (ms) set before connect(2) (the stack's ConnectOptions.userTimeout) */
    readonly userTimeout?: number
  }
  /**
   * a connect that returns at once, the handshake left to go on (a non-blocking connect(2); the
   * stack's connect in a fiber of its own): a close or abort before it completes is one in
   * SYN-SENT (the stack's: the connect interrupted, as a caller that gives up on it)
   */
  | { readonly op: "connectAsync"; readonly port: number; readonly localPort?: number }
  /** `bytes` octets of "x" */
  | { readonly op: "write"; readonly bytes: number }
  /**
   * read until `bytes` octets came (default 1), the end, or an error: "read N", "eof" or the errno;
   * `filled`: as many as the last `fill` step sent (written "read filled")
   */
  | { readonly op: "read"; readonly bytes?: number; readonly filled?: boolean }
  /** shutdown(SHUT_WR) */
  | { readonly op: "shutdown" }
  | { readonly op: "close" }
  /** close with SO_LINGER 0: a reset */
  | { readonly op: "abort" }
  | { readonly op: "nodelay" }
  /**
   * keepalive on after `idle` s of silence, probes `interval` s apart, `count` of them (TCP_KEEPIDLE,
   * ...); the stack takes only `idle` per connection: a script sets the other two in `stack.tcp`
   */
  | { readonly op: "keepalive"; readonly idle: number; readonly interval: number; readonly count: number }
  /** TCP_USER_TIMEOUT, ms (the stack's Connection.setUserTimeout) */
  | { readonly op: "userTimeout"; readonly ms: number }
  /** close the listener (connections it holds unaccepted are reset) */
  | { readonly op: "unlisten" }
  /** `bytes` octets of "x", the last urgent (send with MSG_OOB; the stack's writeUrgent) */
  | { readonly op: "writeUrgent"; readonly bytes: number }

/** Calls that return at once (the step waits for their result before its window). */
const IMMEDIATE: ReadonlySet<DutOp["op"]> = new Set([
  "listen",
  "connectAsync",
  "write",
  "shutdown",
  "close",
  "abort",
  "nodelay",
  "keepalive",
  "userTimeout",
  "unlisten",
  "writeUrgent"
])

/** A segment the testbench sends. Unset fields follow the connection (see `defaults`). */
export interface TbSegment {
  /** letters of SFRPAUEC */
  readonly flags: string
  /** relative to TB_ISN (default: the testbench's next sequence number) */
  readonly seq?: number
  /** relative to the device's ISN (default: past everything the device has sent) */
  readonly ack?: number
  /** default 64240 */
  readonly win?: number
  /** octets of payload (default 0) */
  readonly payload?: number
  readonly mss?: number
  readonly ws?: number
  readonly sackOk?: boolean
  /** TSval TB_TS + ts, TSecr the device's last TSval */
  readonly ts?: number
  /**
   * with `ts`: echo instead the TSval of the first segment the device sent
   * from this sequence number (relative), as a peer does whose original
   * came after all (RFC 3522's spurious retransmission)
   */
  readonly tsecrOf?: number
  /** SACK blocks relative to the device's ISN */
  readonly sack?: ReadonlyArray<readonly [number, number]>
  readonly srcPort?: number
  readonly dstPort?: number
  /** option octets as they are, however malformed (whole words), before the options above */
  readonly rawOptions?: ReadonlyArray<number>
  /** the urgent pointer (default 0) */
  readonly urg?: number
  /** the data offset field in words, whatever the header's length (the checksum covers it) */
  readonly dataOffset?: number
  /** the four bits beside the data offset (reserved, RFC 9293 §3.1; the lowest is AccECN's AE) */
  readonly reserved?: number
  /** only the segment's first `cut` octets go (the IP total length says so), checksummed as they were whole */
  readonly cut?: number
  /** the checksum made wrong */
  readonly badChecksum?: boolean
  /** octets of Ethernet padding (0x55) after the IP datagram, outside its total length */
  readonly ethPad?: number
  /** the IP header's TOS octet (its low two bits ECN's codepoint, RFC 3168 §5: 3 is CE) */
  readonly tos?: number
}

/**
 * An ICMP destination unreachable (type 3) the testbench sends about the last
 * TCP segment the device sent, quoting its IP header and 8 octets, as a
 * router on the path would; `mtu` is a "fragmentation needed"'s next-hop MTU.
 */
export interface TbUnreachable {
  readonly code: number
  readonly mtu?: number
  /** the router that sends it (a 198.18.0.0/15 address; default the testbench's) */
  readonly from?: string
  /** the quoted segment's sequence number made this (relative to the device's ISN), as a forger's guess */
  readonly seq?: number
  /** the quoted segment's source port made this (a connection the device does not have) */
  readonly srcPort?: number
}

/**
 * A datagram the testbench sends at the IP layer: an ICMP echo request, a
 * UDP datagram, another ICMP message, or `raw` octets of another protocol,
 * from 198.18.0.1 to the device (or `dst`), optionally cut into `fragments`
 * ([offset, length] of the payload, sent in the order given; offsets
 * multiples of 8).
 */
export interface TbDatagram {
  readonly echo?: { readonly bytes: number; readonly seq?: number; readonly badChecksum?: boolean }
  readonly udp?: {
    readonly port: number
    readonly bytes: number
    readonly zeroChecksum?: boolean
    readonly badChecksum?: boolean
    /** the UDP length field, if not the datagram's own (the checksum is the datagram's) */
    readonly lengthField?: number
    /** octets after the UDP datagram in the IP payload (its length field and checksum leave them out) */
    readonly trailer?: number
  }
  /** an ICMP message of any type: `rest` is octets 4-7 of its header, `bytes` octets i & 0xff follow */
  readonly icmp?: { readonly type: number; readonly code?: number; readonly rest?: number; readonly bytes?: number }
  readonly protocol?: number
  readonly raw?: number
  readonly dst?: string
  readonly src?: string
  readonly tos?: number
  readonly ttl?: number
  readonly df?: boolean
  /** raw IP option octets (padded to a word) */
  readonly options?: ReadonlyArray<number>
  readonly fragments?: ReadonlyArray<readonly [number, number]>
  readonly badIpChecksum?: boolean
  readonly id?: number
  /** header fields set after the datagram is built (the header checksum made again unless `badIpChecksum`) */
  readonly header?: { readonly version?: number; readonly ihl?: number; readonly totalLength?: number }
  /** octets after the datagram in the frame (Ethernet padding), 0xee */
  readonly pad?: number
}

/**
 * Data from the testbench until the device announces a zero window: segments
 * of `payload` octets (less where the window it last announced ends), `gap`
 * ms apart (default 5), up to `max` of them (default 200); where it took less
 * than was sent (a delayed ACK, or data its memory refused), sent again from
 * its ACK. How much it took is the device's own affair (its buffer), so the
 * transcript says only whether the window shut, and the testbench's sequence
 * numbers after it are written from where the fill ended (`F+n`): a script's
 * `seq` after a fill counts from there too.
 */
export interface TbFill {
  readonly payload: number
  readonly gap?: number
  readonly max?: number
}

/**
 * `exact`: Linux's side hears only within the step's window, never past it (see the module header):
 * for a step whose point is an answer the stack sends at once and Linux later (its delayed-ACK timer).
 */
export type Step =
  | { readonly tb: TbSegment; readonly window?: number; readonly exact?: boolean }
  /**
   * several segments back to back: one batch on the stack's link (its receive half takes them
   * together), one write each into Linux's TAP, which Linux takes in turn, each answered before
   * the next is read
   */
  | { readonly burst: ReadonlyArray<TbSegment>; readonly window?: number; readonly exact?: boolean }
  | { readonly fill: TbFill }
  | { readonly ip: TbDatagram; readonly window?: number }
  | { readonly unreachable: TbUnreachable; readonly window?: number }
  | { readonly dut: DutOp; readonly window?: number }
  | { readonly wait: number }

export interface Script {
  /** the testbench's port (default 40000) */
  readonly tbPort?: number
  /** the device's port until it sends a SYN from another (default 5000) */
  readonly dutPort?: number
  readonly steps: ReadonlyArray<Step>
  /** sysctls set in Linux's namespace first (names as `sysctl` takes them; only per-namespace ones) */
  readonly sysctls?: Readonly<Record<string, string | number>>
  /** the stack's configuration (its address and prefix are the script's) */
  readonly stack?: Partial<StackConfigInput>
  /** the device's link MTU (Linux's TAP in its namespace, the stack's `mtu`) */
  readonly mtu?: number
}

export interface Entry {
  readonly step: string
  readonly got: ReadonlyArray<string>
}

/** A device under test as the script runner drives it. */
export interface Dut {
  readonly tb: Testbench
  /** start `op`; its result goes to `results` when it returns */
  readonly call: (op: DutOp) => Effect.Effect<void>
  /** results that came since the last look, in order */
  readonly results: () => ReadonlyArray<string>
  /** let `ms` pass (real or virtual), answering ARP for the testbench meanwhile */
  readonly pass: (ms: number) => Effect.Effect<void>
}

const DEFAULT_WINDOW = 100

// ---------------------------------------------------------------------------
// the script runner

const FLAG_LETTERS: ReadonlyArray<readonly [string, number]> = [
  ["S", TcpWire.Flag.SYN],
  ["F", TcpWire.Flag.FIN],
  ["R", TcpWire.Flag.RST],
  ["P", TcpWire.Flag.PSH],
  ["A", TcpWire.Flag.ACK],
  ["U", TcpWire.Flag.URG],
  ["E", TcpWire.Flag.ECE],
  ["C", TcpWire.Flag.CWR]
]

const flagsOf = (letters: string): number => {
  let f = 0
  for (const ch of letters) {
    const known = FLAG_LETTERS.find(([l]) => l === ch)
    if (known === undefined) throw new Error(`test bug: flag letter ${ch}`)
    f |= known[1]
  }
  return f
}

/** The flags a transcript shows: all but PSH (see the module header). */
const lettersOf = (flags: number): string =>
  FLAG_LETTERS.filter(([l, bit]) => l !== "P" && (flags & bit) !== 0).map(([l]) => l).join("")

const u32 = (n: number): number => n >>> 0

/** What the runner knows of the connection. */
interface State {
  dutIsn: number
  /**
   * the device's ISN towards each testbench port (from its SYNs there): with several connections
   * at once (other `srcPort`s), each one's numbers are written and built relative to its own ISN;
   * the rest of the state (`dutNext`, the timestamps, the windows) follows the last SYN's
   */
  readonly isnOf: Map<number, number>
  dutPort: number
  /** the device's highest sequence number sent, relative, past its SYN/FIN/data */
  dutNext: number
  /** the testbench's next sequence number, relative */
  tbNext: number
  /** the device's last TSval, 0 before one */
  dutTsVal: number
  /** the TSval of the first segment the device sent from each relative sequence number */
  readonly firstTsVal: Map<number, number>
  /** the IP datagram of the device's last TCP segment */
  dutLast: Uint8Array | undefined
  readonly tbPort: number
  /** where the last fill ended, relative to TB_ISN (0: no fill yet); later numbers count from it */
  tbBase: number
  /** how many octets the last fill's device took */
  filled: number
  /** the device's last ACK, relative to TB_ISN, and the window it offered there (scaled) */
  dutAck: number | undefined
  dutWnd: number
  /** the device's window scale, if both SYNs offered one */
  dutShift: number
  tbOfferedWs: boolean
  /** the testbench's last ACK (relative to the device's ISN) and whether its window was zero */
  tbAck: number | undefined
  tbWndZero: boolean
}

const describeOp = (op: DutOp): string => {
  const { op: name, ...args } = op
  const rest = Object.entries(args).map(([k, v]) => `${k}=${v}`).join(" ")
  return `dut> ${name}${rest === "" ? "" : ` ${rest}`}`
}

/** A testbench sequence number in words: after a fill, from where it ended (`F+n`). */
const tbRel = (relSeq: number, st: State): string => (st.tbBase === 0 ? String(relSeq) : `F${relSeq - st.tbBase >= 0 ? "+" : ""}${relSeq - st.tbBase}`)

const describeTb = (s: TbSegment, seq: string, ack: number | undefined): string => {
  const opts: Array<string> = []
  if (s.mss !== undefined) opts.push(`mss ${s.mss}`)
  if (s.ws !== undefined) opts.push(`ws ${s.ws}`)
  if (s.sackOk === true) opts.push("sackOK")
  if (s.ts !== undefined) opts.push(`ts ${s.ts}${s.tsecrOf === undefined ? "" : ` ecr-of ${s.tsecrOf}`}`)
  if (s.sack !== undefined) opts.push(`sack ${s.sack.map(([l, r]) => `${l}-${r}`).join(",")}`)
  if (s.rawOptions !== undefined) opts.unshift(`raw ${hex(s.rawOptions)}`)
  const odd = [
    s.urg === undefined ? "" : ` urg=${s.urg}`,
    s.dataOffset === undefined ? "" : ` doff=${s.dataOffset}`,
    s.reserved === undefined ? "" : ` res=${s.reserved}`,
    s.cut === undefined ? "" : ` cut to ${s.cut}`,
    s.badChecksum === true ? " bad-checksum" : "",
    s.ethPad === undefined ? "" : ` eth-pad ${s.ethPad}`,
    s.tos === undefined ? "" : ` tos ${s.tos}`
  ].join("")
  return `tb> ${s.flags} seq=${seq}${ack === undefined ? "" : ` ack=${ack}`} len=${s.payload ?? 0}` +
    `${s.win === undefined ? "" : ` win=${s.win}`}${opts.length === 0 ? "" : ` <${opts.join(",")}>`}${odd}`
}

/**
 * The segment `built` (header, options, payload, checksummed) made as `s`
 * says: raw options put before the others, the data offset overwritten, the
 * checksum summed again, then spoilt or the segment cut, as asked.
 */
const misshape = (built: Uint8Array, s: TbSegment): Uint8Array => {
  let b = built
  if (s.rawOptions !== undefined) {
    if (s.rawOptions.length % 4 !== 0) throw new Error("test bug: raw options must be whole words")
    b = new Uint8Array(built.length + s.rawOptions.length)
    b.set(built.subarray(0, TcpWire.HEADER_LEN))
    b.set(s.rawOptions, TcpWire.HEADER_LEN)
    b.set(built.subarray(TcpWire.HEADER_LEN), TcpWire.HEADER_LEN + s.rawOptions.length)
    b[TcpWire.Field.dataOffset] = ((TcpWire.headerLenAt(built, 0) + s.rawOptions.length) / 4) << 4
  }
  if (s.dataOffset !== undefined) b[TcpWire.Field.dataOffset] = s.dataOffset << 4
  if (s.reserved !== undefined) b[TcpWire.Field.dataOffset] = (b[TcpWire.Field.dataOffset]! & 0xf0) | (s.reserved & 0x0f)
  if (b !== built || s.dataOffset !== undefined || s.reserved !== undefined) {
    b[TcpWire.Field.checksum] = b[TcpWire.Field.checksum + 1] = 0
    const c = Checksum.finish(Checksum.sum(b, Checksum.pseudoHeaderSum(TB_ADDR, DUT_ADDR, TcpWire.PROTOCOL, b.length)))
    b[TcpWire.Field.checksum] = c >>> 8
    b[TcpWire.Field.checksum + 1] = c & 0xff
  }
  if (s.badChecksum === true) b[TcpWire.Field.checksum]! ^= 0xff
  return s.cut === undefined ? b : b.subarray(0, s.cut)
}

/** The TSecr `s` carries: the device's last TSval, or the one `tsecrOf` names. */
const echoFor = (s: TbSegment, st: State): number => {
  if (s.tsecrOf === undefined) return st.dutTsVal
  const old = st.firstTsVal.get(s.tsecrOf)
  if (old === undefined) throw new Error(`test bug: the device sent nothing from ${s.tsecrOf}`)
  return old
}

/** The frame for `s`, and its description. Advances the testbench's next sequence number. */
const buildTb = (s: TbSegment, st: State, script: Script): { readonly frame: Uint8Array; readonly label: string } => {
  const flags = flagsOf(s.flags)
  const seq = s.seq === undefined ? st.tbNext : st.tbBase + s.seq
  if ((flags & TcpWire.Flag.SYN) !== 0 && (flags & TcpWire.Flag.ACK) === 0) st.tbOfferedWs = s.ws !== undefined
  const ackRel = (flags & TcpWire.Flag.ACK) !== 0 ? (s.ack ?? st.dutNext) : undefined
  const srcPort = s.srcPort ?? script.tbPort ?? 40000
  // (another connection's segment: its `ack` relative to that connection's ISN)
  const isn = st.isnOf.get(srcPort) ?? st.dutIsn
  if (ackRel !== undefined && (flags & TcpWire.Flag.RST) === 0) {
    st.tbAck = ackRel
    st.tbWndZero = (s.win ?? 64240) === 0
  }
  const payload = s.payload ?? 0
  const options: TcpWire.TcpOptions = {
    sackPermitted: s.sackOk === true,
    ...(s.mss === undefined ? {} : { mss: s.mss }),
    ...(s.ws === undefined ? {} : { windowScale: Math.min(s.ws, TcpWire.MAX_WINDOW_SHIFT) }),
    ...(s.ts === undefined ? {} : { timestamp: { value: u32(TB_TS + s.ts), echo: echoFor(s, st) } }),
    ...(s.sack === undefined ? {} : {
      sack: s.sack.map(([l, r]) => ({ left: Seq.make(isn + l), right: Seq.make(isn + r) }))
    })
  }
  const repr: TcpWire.TcpRepr = {
    srcPort,
    dstPort: s.dstPort ?? st.dutPort,
    seq: Seq.make(TB_ISN + seq),
    ack: Seq.make(ackRel === undefined ? 0 : isn + ackRel),
    flags,
    window: s.win ?? 64240,
    urgent: s.urg ?? 0,
    options
  }
  const end = seq + payload + ((flags & TcpWire.Flag.SYN) !== 0 ? 1 : 0) + ((flags & TcpWire.Flag.FIN) !== 0 ? 1 : 0)
  if (s.seq === undefined || end > st.tbNext) st.tbNext = Math.max(st.tbNext, end)
  const emitted = TcpWire.emit(repr, new Uint8Array(payload).fill(0x79), TB_ADDR, DUT_ADDR)
  if (s.ws !== undefined && s.ws > TcpWire.MAX_WINDOW_SHIFT) setWindowShift(emitted, s.ws)
  const segment = misshape(emitted, s)
  const datagram = Peer.ipFrame(Peer.ipRepr({ src: TB_ADDR, dst: DUT_ADDR, protocol: Ip.Protocol.TCP, payload: segment, tos: s.tos ?? 0 }), DUT_MAC, TB_MAC)
  const frame = new Uint8Array(datagram.length + (s.ethPad ?? 0)).fill(0x55)
  frame.set(datagram)
  return { frame, label: describeTb(s, tbRel(seq, st), ackRel) }
}

/**
 * Rewrite the window-scale option of the TCP segment `tcp` to `shift`, and its
 * checksum with it (RFC 1624's incremental update): a shift above 14, which a
 * receiver takes as 14 (RFC 7323 §2.3), and which TcpWire.emit refuses to write.
 */
const setWindowShift = (tcp: Uint8Array, shift: number): void => {
  const end = TcpWire.headerLenAt(tcp, 0)
  for (let i = TcpWire.HEADER_LEN; i < end;) {
    const kind = tcp[i]!
    if (kind === TcpWire.OptionKind.EOL) break
    if (kind === TcpWire.OptionKind.NOP) {
      i++
      continue
    }
    if (kind === TcpWire.OptionKind.WINDOW_SCALE) {
      const at = i + 2
      const word = at & ~1
      const before = (tcp[word]! << 8) | tcp[word + 1]!
      tcp[at] = shift
      const after = (tcp[word]! << 8) | tcp[word + 1]!
      // HC' = ~(~HC + ~m + m')
      let sum = (~TcpWire.checksumAt(tcp, 0) & 0xffff) + (~before & 0xffff) + after
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
      const check = ~sum & 0xffff
      tcp[TcpWire.Field.checksum] = check >>> 8
      tcp[TcpWire.Field.checksum + 1] = check & 0xff
      return
    }
    i += tcp[i + 1]!
  }
  throw new Error("test bug: no window-scale option to rewrite")
}

const describeIp = (d: TbDatagram): string => {
  const what = d.echo !== undefined
    ? `echo ${d.echo.bytes}${d.echo.badChecksum === true ? " bad-checksum" : ""}`
    : d.udp !== undefined
    ? `udp to ${d.udp.port} len ${d.udp.bytes}${d.udp.zeroChecksum === true ? " no-checksum" : ""}${d.udp.badChecksum === true ? " bad-checksum" : ""}` +
      `${d.udp.lengthField === undefined ? "" : ` length-field ${d.udp.lengthField}`}${d.udp.trailer === undefined ? "" : ` trailer ${d.udp.trailer}`}`
    : d.icmp !== undefined
    ? `icmp type ${d.icmp.type} code ${d.icmp.code ?? 0} len ${d.icmp.bytes ?? 0}`
    : `proto ${d.protocol ?? 0} len ${d.raw ?? 0}`
  const attrs = [
    d.src === undefined ? "" : ` from ${d.src}`,
    d.dst === undefined ? "" : ` to ${d.dst}`,
    d.tos === undefined ? "" : ` tos ${d.tos}`,
    d.ttl === undefined ? "" : ` ttl ${d.ttl}`,
    d.df === true ? " df" : "",
    d.options === undefined ? "" : ` opts ${hex(d.options)}`,
    d.fragments === undefined ? "" : ` frags ${d.fragments.map(([o, l]) => `${o}+${l}`).join(",")}`,
    d.badIpChecksum === true ? " bad-ip-checksum" : "",
    d.header === undefined ? "" : ` header ${Object.entries(d.header).map(([k, v]) => `${k}=${v}`).join(",")}`,
    d.pad === undefined ? "" : ` pad ${d.pad}`
  ].join("")
  return `tb> ip ${what}${attrs}`
}

const hex = (b: ArrayLike<number>): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")

/** The frames for `d`: one datagram, or its fragments in the order the script gives. */
const buildIp = (d: TbDatagram): ReadonlyArray<Uint8Array> => {
  const src = Addr.parse(d.src ?? TB_IP)!
  const dst = Addr.parse(d.dst ?? DUT_IP)!
  // (the network-safety rule holds for every address a script names, sources included: sources no
  // host has, 0.0.0.0 or a group, and group destinations are the stack's e2e tests' over LinkMemory)
  assertBenchAddress(Addr.format(src))
  assertBenchAddress(Addr.format(dst))
  let protocol: number
  let payload: Uint8Array
  if (d.echo !== undefined) {
    protocol = Ip.Protocol.ICMP
    const data = new Uint8Array(d.echo.bytes).map((_, i) => i & 0xff)
    payload = IcmpWire.emit({ _tag: "EchoRequest", ident: 0x4242, seq: d.echo.seq ?? 1, data })
    if (d.echo.badChecksum === true) payload[IcmpWire.Field.checksum]! ^= 0xff
  } else if (d.udp !== undefined) {
    protocol = Ip.Protocol.UDP
    const udp = UdpWire.emit({ srcPort: 40001, dstPort: d.udp.port, payload: new Uint8Array(d.udp.bytes).fill(0x75) }, src, dst)
    if (d.udp.zeroChecksum === true) udp[UdpWire.Field.checksum] = udp[UdpWire.Field.checksum + 1] = 0
    if (d.udp.badChecksum === true) udp[UdpWire.Field.checksum]! ^= 0xff
    if (d.udp.lengthField !== undefined) {
      udp[UdpWire.Field.length] = d.udp.lengthField >>> 8
      udp[UdpWire.Field.length + 1] = d.udp.lengthField & 0xff
    }
    payload = new Uint8Array(udp.length + (d.udp.trailer ?? 0)).fill(0x74)
    payload.set(udp)
  } else if (d.icmp !== undefined) {
    protocol = Ip.Protocol.ICMP
    const data = new Uint8Array(d.icmp.bytes ?? 0).map((_, i) => i & 0xff)
    payload = IcmpWire.emit({ _tag: "Other", type: d.icmp.type, code: d.icmp.code ?? 0, rest: d.icmp.rest ?? 0, data })
  } else {
    protocol = d.protocol ?? 253
    payload = new Uint8Array(d.raw ?? 0).fill(0x72)
  }
  const base = {
    tos: d.tos ?? 0,
    id: d.id ?? 0x5151,
    dontFragment: d.df === true,
    ttl: d.ttl ?? 64,
    protocol,
    src,
    dst,
    options: new Uint8Array(d.options ?? [])
  }
  const linkDst = DUT_MAC
  const pieces = d.fragments ?? [[0, payload.length] as const]
  return pieces.map(([offset, length]) => {
    const packet = Ip.emit({
      ...base,
      moreFragments: offset + length < payload.length,
      fragmentOffset: offset,
      payload: payload.subarray(offset, offset + length)
    })
    if (d.header !== undefined) {
      const { ihl, totalLength, version } = d.header
      if (version !== undefined) packet[0] = (version << 4) | (packet[0]! & 0x0f)
      if (ihl !== undefined) packet[0] = (packet[0]! & 0xf0) | ihl
      if (totalLength !== undefined) {
        packet[Ip.Field.totalLength] = totalLength >>> 8
        packet[Ip.Field.totalLength + 1] = totalLength & 0xff
      }
      packet[Ip.Field.checksum] = packet[Ip.Field.checksum + 1] = 0
      const sum = Checksum.checksum(packet, 0, Math.max(Ip.MIN_HEADER_LEN, (packet[0]! & 0x0f) * 4))
      packet[Ip.Field.checksum] = sum >>> 8
      packet[Ip.Field.checksum + 1] = sum & 0xff
    }
    if (d.badIpChecksum === true) packet[Ip.Field.checksum]! ^= 0xff
    const padded = d.pad === undefined ? packet : new Uint8Array(packet.length + d.pad).fill(0xee)
    if (padded !== packet) padded.set(packet)
    return Eth.emit({ dst: linkDst, src: TB_MAC, etherType: Eth.EtherType.IPv4, payload: padded })
  })
}

/** A datagram the device sent that is not TCP, in words. */
const describeOtherIp = (ip: Ip.Ipv4Repr): string => {
  const attrs = `${ip.tos === 0 ? "" : ` tos ${ip.tos}`} ttl ${ip.ttl}${ip.dontFragment ? " df" : ""}` +
    `${ip.options.length === 0 ? "" : ` opts ${optionsHex(ip.options)}`}` +
    `${Addr.format(ip.dst) === TB_IP ? "" : ` to ${Addr.format(ip.dst)}`}${Addr.format(ip.src) === DUT_IP ? "" : ` from ${Addr.format(ip.src)}`}`
  if (ip.moreFragments || ip.fragmentOffset > 0) {
    return `dut< ip fragment proto ${ip.protocol} off ${ip.fragmentOffset} len ${ip.payload.length}${ip.moreFragments ? " mf" : ""}${attrs}`
  }
  if (ip.protocol === Ip.Protocol.ICMP) {
    const m = IcmpWire.parse(ip.payload)
    if (Either.isLeft(m)) return `dut< icmp malformed${attrs}`
    const r = m.right
    switch (r._tag) {
      case "EchoReply":
      case "EchoRequest":
        return `dut< icmp ${r._tag === "EchoReply" ? "echo-reply" : "echo-request"} id ${r.ident} seq ${r.seq} len ${r.data.length}` +
          `${r.data.every((x, i) => x === (i & 0xff)) ? "" : " data-changed"}${attrs}`
      case "DstUnreachable":
      case "TimeExceeded":
        return `dut< icmp ${r._tag === "DstUnreachable" ? "unreachable" : "time-exceeded"} code ${r.code}` +
          `${r._tag === "DstUnreachable" && r.nextHopMtu !== 0 ? ` mtu ${r.nextHopMtu}` : ""} quoting ${quoted(r.data)}${attrs}`
      case "Redirect":
        return `dut< icmp redirect code ${r.code}${attrs}`
      case "Other":
        // a timestamp reply (RFC 792 type 14): the originate timestamp (the request's first data
        // octets, 00010203) must come back; the other two are the device's clock
        if (r.type === 14) {
          return `dut< icmp timestamp-reply code ${r.code} id ${r.rest >>> 16} seq ${r.rest & 0xffff} len ${r.data.length}` +
            `${hex(r.data.subarray(0, 4)) === "00010203" ? "" : " originate-changed"}${attrs}`
        }
        return `dut< icmp type ${r.type} code ${r.code} rest ${r.rest.toString(16)} quoting ${quoted(r.data)}${attrs}`
    }
  }
  if (ip.protocol === Ip.Protocol.UDP) {
    return `dut< udp ${UdpWire.srcPortAt(ip.payload, 0)} > ${UdpWire.dstPortAt(ip.payload, 0)} len ${ip.payload.length - UdpWire.HEADER_LEN}${attrs}`
  }
  return `dut< ip proto ${ip.protocol} len ${ip.payload.length}${attrs}`
}

/**
 * Options in hex, a Timestamp option's stamps (RFC 791 §3.1, type 68: each a device's clock) as
 * `tttttttt` once filled, its addresses as they are.
 */
const optionsHex = (o: Uint8Array): string => {
  const out: Array<string> = []
  for (let i = 0; i < o.length;) {
    const type = o[i]!
    const len = type === 0 || type === 1 ? 1 : Math.max(2, o[i + 1] ?? 2)
    const opt = o.subarray(i, i + len)
    if (type === 68 && opt.length >= 4) {
      const entry = (opt[3]! & 0x0f) === 0 ? 4 : 8
      const words: Array<string> = [hex(opt.subarray(0, 4))]
      for (let at = 4; at + 4 <= opt.length; at += 4) {
        const stamp = entry === 4 || (at - 4) % 8 === 4
        words.push(stamp && at < opt[2]! - 1 ? "tttttttt" : hex(opt.subarray(at, at + 4)))
      }
      out.push(words.join(""))
    } else out.push(hex(opt))
    i += len
  }
  return out.join("")
}

/** What an ICMP error quotes: the datagram's protocol, its total length field and how much of it came back. */
const quoted = (data: Uint8Array): string => {
  if (data.length < Ip.MIN_HEADER_LEN) return `${data.length} octets`
  const total = (data[Ip.Field.totalLength]! << 8) | data[Ip.Field.totalLength + 1]!
  return `proto ${data[Ip.Field.protocol]} total ${total}, ${data.length} octets`
}

/** A relative sequence number in words: small positive or negative offsets as such. */
const rel = (n: number, base: number): string => {
  const d = u32(n - base)
  return String(d >= 0x80000000 ? d - 0x100000000 : d)
}

/** One frame the device sent, in words; learns the ISN, port and timestamps from it. */
const describeDut = (frame: Uint8Array, st: State): string | undefined => {
  const ip = Peer.asIpv4(frame)
  if (ip === undefined) return undefined // ARP (answered elsewhere), IPv6 and the like: not the script's business
  if (ip.protocol !== Ip.Protocol.TCP || ip.moreFragments || ip.fragmentOffset > 0) return describeOtherIp(ip)
  const seg = Peer.asTcp(frame)
  if (seg === undefined) return "dut< malformed TCP"
  st.dutLast = frame.subarray(Eth.HEADER_LEN)
  // a SYN that takes a TIME-WAIT's 4-tuple over starts 2^16 + 1 past the old incarnation's end
  // (Linux's tcp_twsk_unique, RFC 1122 §4.2.2.13): said so, the ISS being otherwise left out
  const reissued = (seg.flags & (TcpWire.Flag.SYN | TcpWire.Flag.ACK)) === TcpWire.Flag.SYN && st.isnOf.has(seg.dstPort) &&
    u32(seg.seq - st.dutIsn - st.dutNext) === 0x10001
  if ((seg.flags & TcpWire.Flag.SYN) !== 0) {
    st.dutIsn = seg.seq
    st.isnOf.set(seg.dstPort, seg.seq)
    st.dutPort = seg.srcPort
    st.dutShift = st.tbOfferedWs && seg.options.windowScale !== undefined ? seg.options.windowScale : 0
  }
  // (a segment of another connection than the last SYN's: written relative to its own ISN, and
  // teaching the runner nothing)
  const isn = st.isnOf.get(seg.dstPort) ?? st.dutIsn
  const current = isn === st.dutIsn
  if (current && (seg.flags & TcpWire.Flag.ACK) !== 0 && (seg.flags & TcpWire.Flag.RST) === 0) {
    st.dutAck = u32(seg.ack - TB_ISN)
    st.dutWnd = (seg.flags & TcpWire.Flag.SYN) !== 0 ? seg.window : seg.window * 2 ** st.dutShift
  }
  const len = seg.payload.length + ((seg.flags & TcpWire.Flag.SYN) !== 0 ? 1 : 0) + ((seg.flags & TcpWire.Flag.FIN) !== 0 ? 1 : 0)
  // (a reset's sequence number is whatever it answers, not data of the device's)
  const endRel = u32(seg.seq + len - st.dutIsn)
  if (current && (seg.flags & TcpWire.Flag.RST) === 0 && endRel < 0x80000000 && endRel > st.dutNext) st.dutNext = endRel
  const o = seg.options
  const opts: Array<string> = []
  if (o.mss !== undefined) opts.push(`mss ${o.mss}`)
  if (o.windowScale !== undefined) opts.push("ws")
  if (o.sackPermitted) opts.push("sackOK")
  if (o.timestamp !== undefined && current) {
    st.dutTsVal = o.timestamp.value
    const from = u32(seg.seq - st.dutIsn)
    if (!st.firstTsVal.has(from)) st.firstTsVal.set(from, o.timestamp.value)
  }
  // (a segment without ACK: its TSecr is not valid, RFC 7323 §3.2, and left out: the stack sends 0
  // there as §3.2 asks, Linux's SYN that takes a TIME-WAIT over the old TS.Recent)
  if (o.timestamp !== undefined) {
    opts.push((seg.flags & TcpWire.Flag.ACK) === 0 ? "ts" : `ts ecr=${o.timestamp.echo === 0 ? "0" : rel(o.timestamp.echo, TB_TS)}`)
  }
  const tbSeq = (n: number): string => tbRel(Number(rel(n, TB_ISN)), st)
  if (o.sack !== undefined) opts.push(`sack ${o.sack.map((b) => `${tbSeq(b.left)}-${tbSeq(b.right)}`).join(",")}`)
  const ack = (seg.flags & TcpWire.Flag.ACK) !== 0 ? ` ack=${tbSeq(seg.ack)}` : ""
  const port = seg.dstPort === st.tbPort ? "" : ` to port ${seg.dstPort}`
  // (a reset's window means nothing to its receiver: left out)
  const win = (seg.flags & TcpWire.Flag.RST) !== 0 ? "" : ` win${seg.window === 0 ? "=0" : ">0"}`
  // a zero-window probe, which each makes its own way (the stack one octet at SND.UNA, RFC 9293
  // §3.8.6.1; Linux none at SND.UNA - 1, tcp_xmit_probe_skb): only that it is one, and when
  const seqRel = u32(seg.seq - st.dutIsn)
  const probe = current && st.tbWndZero && st.tbAck !== undefined && seg.flags === TcpWire.Flag.ACK &&
    ((seg.payload.length === 0 && seqRel === u32(st.tbAck - 1)) || (seg.payload.length === 1 && seqRel === st.tbAck))
  if (probe) return `dut< A window probe${ack}${win}${opts.length === 0 ? "" : ` <${opts.join(",")}>`}`
  // (the urgent pointer, an offset from seq, only where URG makes it mean something)
  const urg = (seg.flags & TcpWire.Flag.URG) !== 0 ? ` urg=${seg.urgent}` : ""
  // (the bits beside the data offset, only when set: AccECN's AE is one)
  const reserved = ip.payload[TcpWire.Field.dataOffset]! & 0x0f
  // (the IP header's TOS, only when set: ECN's ECT(0) on the data of an ECN connection, RFC 3168 §6.1.4)
  const tos = ip.tos === 0 ? "" : ` tos ${ip.tos}`
  // (DF, only when clear: both set it on every segment while path MTU discovery holds, RFC 1191 §3)
  const df = ip.dontFragment ? "" : " no-df"
  // (a reset answering a segment without ACK is at sequence number 0 whatever the ISN, RFC 9293
  // §3.10.7.1: written so, for the ISN of a connection it may follow is the device's own)
  const seqWords = (seg.flags & TcpWire.Flag.RST) !== 0 && seg.seq === 0 ? "0" : rel(seg.seq, isn)
  return `dut< ${lettersOf(seg.flags)} seq=${seqWords}${ack} len=${seg.payload.length}` +
    `${urg}${win}${opts.length === 0 ? "" : ` <${opts.join(",")}>`}${reserved === 0 ? "" : ` res=${reserved}`}${tos}${df}${port}` +
    `${reissued ? " iss=old-end+65537" : ""}`
}

/** How long a step may wait past its window for what `expected` says it will hear, ms. */
const GRACE = 2000

/**
 * What a step hears more than this past its window (real time, ms) came late (see `play`): a timer
 * of Linux's that the stack ran inside the window. Below it the grace cannot tell a timer from load:
 * a loaded machine moved Linux's timers (whose RTT samples are real time) 200-330 ms past the
 * windows the scripts gave them, three runs in a row; a timer a backoff apart is seconds.
 */
const LATE_MS = 500

/**
 * An `exact` step whose send-to-look took longer than this (real time, ms) may have let Linux's
 * delayed ACK (40 ms, at a 4 ms tick) into its window: its run is not evidence, and `conforms`
 * plays Linux's side again (a stalled testbench, not a difference). Only for a step whose window
 * is shorter than this: one that listens longer (an exact step that waits out a timer) always
 * takes longer, and was played three times for nothing.
 */
const EXACT_STALL_MS = 30

/**
 * Play `script` against `dut`; its transcript. With `expected` (another
 * device's transcript of the same script), a step that has heard less than
 * that step of `expected` when its window ends listens on, up to GRACE ms
 * more: a busy machine may delay a real kernel's answer or its driver's
 * report past the window, and it should then land in its own step. Nothing is
 * asserted here; what a step hears past the window is compared as the rest.
 */
export const play = (
  dut: Dut,
  script: Script,
  expected?: ReadonlyArray<Entry>,
  /** counts the `exact` steps whose look came more than EXACT_STALL_MS after their send (real time) */
  stalls?: { count: number }
): Effect.Effect<ReadonlyArray<Entry>> =>
  Effect.gen(function*() {
    const st: State = {
      dutIsn: 0,
      isnOf: new Map(),
      dutPort: script.dutPort ?? 5000,
      dutNext: 0,
      tbNext: 0,
      dutTsVal: 0,
      firstTsVal: new Map(),
      dutLast: undefined,
      tbPort: script.tbPort ?? 40000,
      tbBase: 0,
      filled: 0,
      dutAck: undefined,
      dutWnd: 0,
      dutShift: 0,
      tbOfferedWs: false,
      tbAck: undefined,
      tbWndZero: false
    }
    const transcript: Array<Entry> = []
    // the octets a "read filled" asks for, whose result reads "read filled"
    let readFilled: number | undefined
    const said = (r: string): string => `dut: ${r === `read ${readFilled}` ? "read filled" : r}`
    for (const step of script.steps) {
      let label: string
      let window: number
      // results that came before the step's window: an immediate call's own (see below)
      const early: Array<string> = []
      const sentAt = performance.now()
      if ("tb" in step) {
        const built = buildTb(step.tb, st, script)
        label = built.label
        window = step.window ?? DEFAULT_WINDOW
        yield* dut.tb.sendFrame(built.frame)
      } else if ("burst" in step) {
        const built = step.burst.map((s) => buildTb(s, st, script))
        label = `tb> burst: ${built.map((b) => b.label.slice("tb> ".length)).join(" | ")}`
        window = step.window ?? DEFAULT_WINDOW
        yield* dut.tb.link.sendBatch(built.map((b) => b.frame))
      } else if ("ip" in step) {
        label = describeIp(step.ip)
        window = step.window ?? DEFAULT_WINDOW
        for (const frame of buildIp(step.ip)) yield* dut.tb.sendFrame(frame)
      } else if ("unreachable" in step) {
        const { code, from, mtu, seq, srcPort } = step.unreachable
        label = `tb> icmp unreachable code ${code}${mtu === undefined ? "" : ` mtu ${mtu}`}` +
          `${from === undefined ? "" : ` from ${from}`}${seq === undefined ? "" : ` quoting seq=${seq}`}` +
          `${srcPort === undefined ? "" : ` quoting port ${srcPort}`}`
        window = step.window ?? DEFAULT_WINDOW
        if (st.dutLast === undefined) throw new Error("test bug: an ICMP error before the device sent anything")
        const quote = st.dutLast.slice(0, (st.dutLast[0]! & 0x0f) * 4 + 8)
        const tcpAt = (quote[0]! & 0x0f) * 4
        if (seq !== undefined) new DataView(quote.buffer).setUint32(tcpAt + 4, u32(st.dutIsn + seq))
        if (srcPort !== undefined) new DataView(quote.buffer).setUint16(tcpAt, srcPort)
        if (from !== undefined) assertBenchAddress(from)
        const src = from === undefined ? TB_ADDR : Addr.parse(from)!
        const icmp = IcmpWire.emit({ _tag: "DstUnreachable", code, nextHopMtu: mtu ?? 0, data: quote })
        yield* dut.tb.sendFrame(Peer.ipFrame(Peer.ipRepr({ src, dst: DUT_ADDR, protocol: Ip.Protocol.ICMP, payload: icmp }), DUT_MAC, TB_MAC))
      } else if ("dut" in step) {
        const op = step.dut
        label = describeOp(op)
        window = step.window ?? DEFAULT_WINDOW
        if (op.op === "read" && op.filled === true) {
          label = "dut> read filled"
          readFilled = st.filled
          yield* dut.call({ op: "read", bytes: st.filled })
        } else {
          yield* dut.call(op)
        }
        // A call that returns at once has returned before the window starts (`call` waits for it):
        // its result heads the step, before what the device sent. Written after the first look's
        // segments instead, it sat before or after a segment that came late, on Linux's side
        // within GRACE (a tail loss probe of a connection whose handshake the load stretched, so
        // its SRTT), depending on whether the window's look or a later one heard the segment: the
        // same segments in the same step, in another order
        if (IMMEDIATE.has(op.op)) for (const r of dut.results()) early.push(said(r))
      } else if ("fill" in step) {
        transcript.push({ step: `tb> fill to a zero window (${step.fill.payload}-octet segments)`, got: yield* fill(dut, step.fill, st, script) })
        continue
      } else {
        label = `wait ${step.wait}`
        window = step.wait
      }
      yield* dut.pass(window)
      const got: Array<string> = early
      const hear = Effect.gen(function*() {
        for (const frame of yield* dut.tb.drain) {
          const line = describeDut(frame, st)
          if (line !== undefined) got.push(line)
        }
        for (const r of dut.results()) got.push(said(r))
      })
      yield* hear
      const exact = "exact" in step && step.exact === true
      // (a stall only for a step whose window is short of Linux's delayed ACK: one that listens
      // longer on purpose, as an exact step that waits out a retransmission, takes longer anyway)
      if (exact && stalls !== undefined && window < EXACT_STALL_MS && performance.now() - sentAt > EXACT_STALL_MS) stalls.count++
      // The same for the driver: an exact call step whose result the stack gave in its window and
      // Linux's driver did not may be a driver the machine did not run in those 10 ms (a CI run
      // had Linux's read of a waiting segment report a step late, with its ACK). The testbench's
      // clock cannot see that stall, so it counts as one; a real difference fails all three runs.
      if (
        exact && stalls !== undefined && "dut" in step && !got.some((g) => g.startsWith("dut: ")) &&
        (expected?.[transcript.length]?.got ?? []).some((g) => g.startsWith("dut: "))
      ) stalls.count++
      const want = exact ? 0 : expected?.[transcript.length]?.got.length ?? 0
      const windowEnd = performance.now()
      for (let waited = 0; got.length < want && waited < GRACE; waited += 10) {
        const before = got.length
        yield* dut.pass(10)
        yield* hear
        // What Linux's side hears this long past the window came on a timer of its own (a probe
        // backed off further, say), not late from load, where the stack sent it inside the window:
        // GRACE alone let the two pass as one. It reads "(late N ms)", so they differ, and the run
        // counts as stalled (played again, twice at most): one slow moment does not fail a script.
        if (got.length > before && performance.now() - windowEnd > LATE_MS) {
          for (let i = before; i < got.length; i++) got[i] = `${got[i]} (late ${Math.round(performance.now() - windowEnd)} ms)`
          if (stalls !== undefined) stalls.count++
        }
      }
      transcript.push({ step: label, got })
    }
    return transcript
  })

/** The device's frames since the last look: only what they teach the runner (the fill's transcript leaves them out). */
const learn = (dut: Dut, st: State): Effect.Effect<void> =>
  Effect.map(dut.tb.drain, (frames) => {
    for (const frame of frames) describeDut(frame, st)
  })

/** A `fill` step (see TbFill): ["dut< zero window"] once the device announced one, having taken all that was sent. */
const fill = (dut: Dut, f: TbFill, st: State, script: Script): Effect.Effect<ReadonlyArray<string>> =>
  Effect.gen(function*() {
    const start = st.tbNext
    for (let i = 0; i < (f.max ?? 200); i++) {
      const room = (st.dutAck ?? 0) + st.dutWnd - st.tbNext
      if (room > 0) {
        yield* dut.tb.sendFrame(buildTb({ flags: "PA", payload: Math.min(f.payload, room) }, st, script).frame)
        yield* dut.pass(f.gap ?? 5)
        yield* learn(dut, st)
        continue
      }
      if (st.dutAck === st.tbNext && st.dutWnd === 0) {
        st.filled = st.tbNext - start
        st.tbBase = st.tbNext
        return ["dut< zero window"]
      }
      // not all acknowledged yet (a delayed ACK), or some refused: its ACK, then again from there
      yield* dut.pass(250)
      yield* learn(dut, st)
      if (st.dutAck !== undefined && st.dutAck < st.tbNext) st.tbNext = st.dutAck
    }
    return [`no zero window after ${f.max ?? 200} segments`]
  })

/** A transcript as lines, for a diff that reads as the script does. */
export const lines = (t: ReadonlyArray<Entry>): ReadonlyArray<string> => t.flatMap((e) => [e.step, ...e.got.map((g) => `    ${g}`)])

// ---------------------------------------------------------------------------
// the testbench's ARP

/** Answer `frame` if it is an ARP request for the testbench; true if it was ARP at all. */
const answerArp = (tb: Peer.Peer, frame: Uint8Array): Effect.Effect<boolean> => {
  const arp = Peer.asArp(frame)
  if (arp === undefined) return Effect.succeed(false)
  if (arp.op !== ArpWire.Op.Request || Addr.format(arp.targetIp) !== TB_IP) return Effect.succeed(true)
  return Effect.as(tb.sendFrame(Peer.arpReply(arp.senderMac, arp.senderIp, { mac: TB_MAC, ip: TB_ADDR })), true)
}

/** A testbench: a raw peer that answers ARP for itself whenever it looks at what came. */
interface Testbench extends Peer.Peer {
  /** take what came, answering ARP, and hold the rest for `drain` */
  readonly pump: Effect.Effect<void>
}

/** The testbench over `link`. */
const testbench = (link: LinkService): Effect.Effect<Testbench> =>
  Effect.map(Peer.makePeer(link, TB_MAC), (raw) => {
    const held: Array<Uint8Array> = []
    const pump = Effect.gen(function*() {
      for (const f of yield* raw.drain) if (!(yield* answerArp(raw, f))) held.push(f)
    })
    const drain = Effect.map(pump, () => held.splice(0))
    return { ...raw, drain, pump }
  })

// ---------------------------------------------------------------------------
// Linux

const DUT_PY = fileURLToPath(new URL("../kernel/conformance/dut.py", import.meta.url))

/**
 * The Linux kernel as the device under test: a TAP (its user side the
 * testbench) whose kernel side goes into a new namespace, and dut.py there.
 * `index` makes the TAP's name unique among a file's tests.
 */
export const linuxDut = (
  tag: string,
  index: number,
  python: string,
  sysctls: Readonly<Record<string, string | number>> = {},
  mtu?: number
): Effect.Effect<Dut, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    assertBenchAddress(`${DUT_IP}/24`)
    assertBenchAddress(`${TB_IP}/32`)
    const ns = yield* makeNetns(tag)
    const ifname = ifName(tag, index)
    const link = yield* LinkTap.make({ name: ifname, mac: TB_MAC, offload: false })
    yield* moveLinkToNetns(ifname, ns, { address: `${DUT_IP}/24` })
    const mac = Array.from(DUT_MAC, (b) => b.toString(16).padStart(2, "0")).join(":")
    const tbMac = Array.from(TB_MAC, (b) => b.toString(16).padStart(2, "0")).join(":")
    yield* run(ns, ["ip", "link", "set", "dev", ifname, "address", mac])
    yield* run(ns, ["sysctl", "-q", "-w", `net.ipv6.conf.${ifname}.disable_ipv6=1`])
    // (after IPv6 is off: an MTU below 1280 takes the interface's IPv6 configuration away)
    if (mtu !== undefined) yield* run(ns, ["ip", "link", "set", "dev", ifname, "mtu", String(mtu)])
    for (const [name, value] of Object.entries(sysctls)) yield* run(ns, ["sysctl", "-q", "-w", `${name}=${value}`])
    yield* run(ns, ["ip", "neigh", "replace", TB_IP, "lladdr", tbMac, "dev", ifname, "nud", "permanent"])
    const driver = yield* spawnIn(ns, [python, DUT_PY], { stdin: "pipe" })
    const tb = yield* testbench(link)
    let nextId = 0
    let seen = 0
    /** results by call id, in the order they came */
    const came: Array<{ readonly id: number; readonly result: string }> = []
    let ready = false
    const parse = (): void => {
      const all = driver.stdout().split("\n")
      all.pop() // the line not yet ended ("" when the output ends with one)
      for (; seen < all.length; seen++) {
        const r = JSON.parse(all[seen]!) as { id?: number; result?: string; ready?: boolean }
        if (r.ready === true) ready = true
        else came.push({ id: r.id!, result: r.result! })
      }
    }
    for (let i = 0; !ready; i++) {
      if (i === 1000) return yield* Effect.dieMessage(`dut.py did not start: ${driver.stderr()}`)
      yield* Effect.sleep("10 millis")
      parse()
    }
    let reported = 0
    const call = (op: DutOp): Effect.Effect<void> =>
      Effect.gen(function*() {
        const id = nextId++
        const body = op.op === "connect" || op.op === "connectAsync" ? { ...op, host: TB_IP } : op
        driver.child.stdin!.write(JSON.stringify({ id, ...body }) + "\n")
        if (!IMMEDIATE.has(op.op)) return
        // a call that returns at once: wait for it (bounded), so the window starts after it
        for (let i = 0; i < 500; i++) {
          parse()
          if (came.some((r) => r.id === id)) return
          yield* Effect.sleep("10 millis")
        }
        return yield* Effect.dieMessage(`dut.py did not answer ${JSON.stringify(op)}: ${driver.stderr()}`)
      })
    const results = (): ReadonlyArray<string> => {
      parse()
      const fresh = came.slice(reported).map((r) => r.result)
      reported = came.length
      return fresh
    }
    const pass = (ms: number): Effect.Effect<void> => Effect.sleep(`${ms} millis`)
    return { tb, call, results, pass } satisfies Dut
  })

// ---------------------------------------------------------------------------
// the stack

/** How a TcpError reads in a transcript: the errno a Linux program gets. */
const errnoOf = (e: unknown): string => (e instanceof TcpError ? codeOf(e) : String(e))

/**
 * The stack as the device under test, over a LinkMemory cable, its time a
 * TestClock of its own (every `pass` is virtual time).
 */
export const stackDut = (config: Partial<StackConfigInput> = {}): Effect.Effect<Dut, never, Scope.Scope> =>
  Effect.gen(function*() {
    const [a, b] = yield* LinkMemory.makePair({ macA: DUT_MAC, macB: TB_MAC })
    const stack = yield* Layer.build(
      Stack.layer({ address: DUT_IP, prefixLength: 24, ...config }).pipe(Layer.provide(Layer.succeed(Link, a)))
    ).pipe(Effect.orDie)
    const tb = yield* testbench(b)
    // the testbench introduces itself (as the kernel's permanent neighbour entry does on Linux's side)
    yield* tb.sendFrame(Peer.arpRequest(DUT_ADDR, { mac: TB_MAC, ip: TB_ADDR }))
    yield* settle
    yield* tb.drain
    const tcp = Option.getOrThrow(yield* Effect.serviceOption(Tcp).pipe(Effect.provide(stack)))
    const came: Array<string> = []
    let listener: Listener | undefined
    let listenerScope: Scope.CloseableScope | undefined
    let conn: Connection | undefined
    /** a connectAsync's handshake, until it completes */
    let connecting: Fiber.RuntimeFiber<Connection, TcpError> | undefined
    const need = <A>(v: A | undefined): Effect.Effect<A, string> => (v === undefined ? Effect.fail("ENOTCONN") : Effect.succeed(v))
    // octets of the connection a read took past what it asked for (readUpTo gives a chunk whole),
    // which the next read counts first: a read takes exactly `bytes`, as dut.py's recv loop does
    let spare = 0
    const readBytes = (c: Connection, want: number): Effect.Effect<string, TcpError> =>
      Effect.gen(function*() {
        let got = Math.min(spare, want)
        spare -= got
        while (got < want) {
          const chunk = yield* c.readUpTo(want - got)
          if (Option.isNone(chunk)) return got === 0 ? "eof" : `read ${got} then eof`
          const taken = Math.min(chunk.value.length, want - got)
          spare += chunk.value.length - taken
          got += taken
        }
        return `read ${got}`
      })
    const perform = (op: DutOp): Effect.Effect<string, unknown, Scope.Scope> => {
      // a close or abort while a connectAsync is under way: the connect given up
      const giveUp = conn === undefined && connecting !== undefined ? Effect.as(Fiber.interrupt(connecting), "ok") : undefined
      switch (op.op) {
        case "listen":
          return Effect.gen(function*() {
            listenerScope = yield* Scope.make()
            const address = op.address !== undefined ? { address: op.address } : {}
            const userTimeout = op.userTimeout !== undefined ? { userTimeout: op.userTimeout } : {}
            listener = yield* Scope.extend(tcp.listen({ port: op.port, backlog: op.backlog ?? 8, ...address, ...userTimeout }), listenerScope)
            return "ok"
          })
        case "unlisten":
          return listenerScope === undefined ? Effect.fail("EBADF") : Effect.as(Scope.close(listenerScope, Exit.void), "ok")
        case "keepalive":
          return Effect.flatMap(need(conn), (c) => Effect.as(c.setKeepAlive(true, `${op.idle} seconds`), "ok"))
        case "userTimeout":
          return Effect.flatMap(need(conn), (c) => Effect.as(c.setUserTimeout(op.ms), "ok"))
        case "accept":
          return Effect.flatMap(need(listener), (l) => Effect.map(l.accept, (c) => {
            conn = c
            spare = 0
            return "ok"
          }))
        case "connect":
          return Effect.map(
            tcp.connect({
              address: TB_IP,
              port: op.port,
              ...(op.localPort === undefined ? {} : { localPort: op.localPort }),
              ...(op.userTimeout === undefined ? {} : { userTimeout: op.userTimeout })
            }),
            (c) => {
              conn = c
              spare = 0
              return "ok"
            }
          )
        case "connectAsync":
          return Effect.gen(function*() {
            connecting = yield* Effect.forkIn(
              Effect.tap(tcp.connect({ address: TB_IP, port: op.port, ...(op.localPort === undefined ? {} : { localPort: op.localPort }) }), (c) => {
                conn = c
                spare = 0
                connecting = undefined
              }),
              yield* Effect.scope
            )
            return "ok"
          })
        case "write":
          return Effect.flatMap(need(conn), (c) => Effect.as(c.write(new Uint8Array(op.bytes).fill(0x78)), "ok"))
        case "read":
          return Effect.flatMap(need(conn), (c) => readBytes(c, op.bytes ?? 1))
        case "shutdown":
          return Effect.flatMap(need(conn), (c) => Effect.as(c.end, "ok"))
        case "close":
          return giveUp ?? Effect.flatMap(need(conn), (c) => Effect.as(c.close, "ok"))
        case "abort":
          return giveUp ?? Effect.flatMap(need(conn), (c) => Effect.as(c.abort, "ok"))
        case "nodelay":
          return Effect.flatMap(need(conn), (c) => Effect.as(c.setNoDelay(true), "ok"))
        case "writeUrgent":
          return Effect.flatMap(need(conn), (c) => Effect.as(c.writeUrgent(new Uint8Array(op.bytes).fill(0x78)), "ok"))
      }
    }
    const scope = yield* Effect.scope
    const call = (op: DutOp): Effect.Effect<void> =>
      Effect.gen(function*() {
        const fiber = yield* Effect.forkIn(
          Effect.provideService(perform(op), Scope.Scope, scope),
          scope
        )
        yield* Effect.forkIn(
          Effect.flatMap(Fiber.await(fiber), (exit) =>
            Effect.sync(() => came.push(Exit.match(exit, {
              onSuccess: (r) => r,
              onFailure: (cause) => {
                const e = Cause.squash(cause)
                return errnoOf(e)
              }
            })))),
          scope
        )
        if (IMMEDIATE.has(op.op)) yield* settle
      })
    const results = (): ReadonlyArray<string> => came.splice(0)
    // virtual time from one registered sleep to the next (a timer of the stack's), settling and
    // answering ARP at each
    const pass = (ms: number): Effect.Effect<void> =>
      Effect.gen(function*() {
        const end = (yield* Clock.currentTimeMillis) + ms
        for (;;) {
          yield* settle
          yield* tb.pump
          const now = yield* Clock.currentTimeMillis
          if (now >= end) return
          let next = end
          for (const at of yield* TestClock.sleeps()) if (at > now && at < next) next = at
          yield* TestClock.setTime(next)
        }
      })
    return { tb, call, results, pass } satisfies Dut
  })

/**
 * Run `effect` under a TestClock of its own (the stack's side of a script), in
 * a fiber of its own: providing TestContext sets the fiber's default services,
 * and a join would hand them (the TestClock) back to the caller with the
 * child's other FiberRefs, so the result is awaited instead.
 */
export const underTestClock = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Effect.Effect<A, E> =>
  Effect.flatMap(
    Effect.fork(Effect.scoped(effect).pipe(Effect.provide(TestContext.TestContext))),
    (fiber) => Effect.flatten(Fiber.await(fiber))
  )

/** the scripts played so far, per tag (each Linux side's TAP gets a name of its own) */
const played = new Map<string, number>()

/**
 * Play `script` against the stack, then against Linux (tagged `tag`, the
 * test file's), and assert that the stack's transcript is Linux's. Linux's
 * side listens past a step's window while it has heard less than the stack
 * did there, so that a loaded machine does not move its answer into the next
 * step. `CONFORMANCE_PRINT` prints both transcripts.
 */
export const conforms = (tag: string, script: Script): Effect.Effect<void, unknown> =>
  Effect.gen(function*() {
    const index = played.get(tag) ?? 0
    played.set(tag, index + 1)
    const stackConfig = script.mtu === undefined ? script.stack : { ...script.stack, mtu: script.mtu }
    const gonet = yield* underTestClock(Effect.flatMap(stackDut(stackConfig), (dut) => play(dut, script)))
    const playLinux = (index: number, stalls: { count: number }) =>
      Effect.scoped(Effect.flatMap(linuxDut(tag, index, "python3", script.sysctls, script.mtu), (dut) => play(dut, script, gonet, stalls)))
    let stalls = { count: 0 }
    let linux = yield* playLinux(index, stalls)
    // a run whose exact step the machine stalled proves nothing either way: Linux's side again, twice at most
    for (let again = 0; again < 2 && stalls.count > 0; again++) {
      console.warn(`conformance ${tag}: Linux's run stalled (an exact step over ${EXACT_STALL_MS} ms, its driver's result late, or an answer over ${LATE_MS} ms past a window): playing it again`)
      const next = played.get(tag) ?? 0
      played.set(tag, next + 1)
      stalls = { count: 0 }
      linux = yield* playLinux(next, stalls)
    }
    if (process.env["CONFORMANCE_PRINT"] !== undefined) {
      console.log(`linux:\n${lines(linux).join("\n")}\ngonet:\n${lines(gonet).join("\n")}`)
    }
    // the reference said something: a harness that hears nothing would let any stack pass
    expect(linux.some((e) => e.got.some((g) => g.startsWith("dut<")))).toBe(true)
    expect(lines(gonet)).toEqual(lines(linux))
  })
