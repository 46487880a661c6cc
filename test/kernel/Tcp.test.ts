/**
 * TCP against the real Linux kernel (issue 7): the kernel's sockets, in a
 * namespace this test makes, talk to the stack's TCP over a TAP.
 *
 * The world is Kernel.test.ts's: a fresh namespace, a TAP opened here and
 * moved into it (host side 198.18.0.1/24), the stack at 198.18.0.2/24 over
 * it. The kernel's side is test/kernel/tcp_peer.py (Python's socket module,
 * so the kernel's TCP is the peer, not a tool's idea of it) and `ss`.
 *
 * Every test runs in three link modes (MODES): offloads on (LinkTap's
 * default: virtio-net headers, checksum and TSO granted, so the kernel hands
 * us TCP segments of up to 64 KiB and takes ours), offloads off (`offload:
 * false`, plain frames of at most the MTU), and offloads on with the kernel
 * side of the TAP told by `ethtool -K` not to use them (it then segments and
 * checksums what it sends us in software, while the stack's TSO segments
 * still go to it). The 10 MB tests check from the link's frame counts that
 * each direction did (or did not) carry segments larger than the MSS.
 *
 * Live clock (the kernel runs on wall-clock time); waits are bounded safety
 * nets and nothing asserts on durations: that no SYN had to wait for the
 * kernel's retransmission is read from the namespace's own TCP counters
 * (TCPSynRetrans). Needs root,
 * /dev/net/tun, iproute2, the TAP addon and python3 (and ethtool for the
 * third mode); skips with the printed reason otherwise (in CI, a missing
 * ethtool fails instead).
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Option } from "effect"
import type { Scope } from "effect"
import { createHash, randomBytes } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { delimiter, join } from "node:path"
import { fileURLToPath } from "node:url"
import { flatten, frameLength, Link, vouched } from "../../src/link/Link.js"
import type { LinkService, LinkStats, OutFrame } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as Middleware from "../../src/link/Middleware.js"
import type { StackConfigInput } from "../../src/Config.js"
import * as Services from "../../src/tcp/Services.js"
import { type Connection, Tcp } from "../../src/tcp/Tcp.js"
import * as Stack from "../../src/Stack.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import { CWR, ECE, SYN } from "../../src/tcp/Segment.js"
import { eventually } from "../support/Live.js"
import { exec, ifName, makeNetns, moveLinkToNetns, spawnIn, tapSkipReason, tcpExt } from "../support/Netns.js"
import type { ExecResult, Netns } from "../support/Netns.js"

const onPath = (tool: string): boolean =>
  (process.env["PATH"] ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, tool)))

const skipReason = (): string | undefined => tapSkipReason({ tools: ["python3", "ss"] })
const SKIP = skipReason()
if (SKIP !== undefined) console.warn(`skipping kernel TCP tests: ${SKIP}`)

/**
 * A link mode: LinkTap's `offload` option, whether the kernel side of the TAP
 * gets `ethtool -K tso off gso off tx off`, and what follows from the two.
 */
interface Mode {
  readonly title: string
  /** namespace and TAP name tag, unique per mode (Netns.ifName) */
  readonly tag: string
  readonly offload: boolean
  readonly hostOffloadsOff: boolean
  /** what LinkTap must report as granted */
  readonly granted: { readonly checksum: boolean; readonly tcpSegmentation: boolean }
  /**
   * what `ethtool -k` shows on the kernel side once the world is set up
   * (without virtio-net headers the TAP cannot take the kernel's offloads;
   * GSO is software, done before the frame reaches the TAP)
   */
  readonly kernelFeatures: { readonly tx: "on" | "off"; readonly tso: "on" | "off"; readonly gso: "on" | "off" }
  /** the kernel hands the stack TSO segments (larger than the MSS) */
  readonly kernelSegments: boolean
  /** the stack hands the kernel TSO segments */
  readonly stackSegments: boolean
  readonly skip?: string | undefined
}

const ethtoolSkip = (): string | undefined => {
  if (onPath("ethtool")) return undefined
  // CI installs ethtool (.ci/run): a skip there would hide a broken install step
  if (process.env["CI"] === "true") throw new Error("CI=true but ethtool is not installed")
  return "ethtool is not installed"
}

const SKIP_ETHTOOL = SKIP === undefined ? ethtoolSkip() : undefined

const MODES: ReadonlyArray<Mode> = [
  {
    title: "offloads on",
    tag: "kt",
    offload: true,
    hostOffloadsOff: false,
    granted: { checksum: true, tcpSegmentation: true },
    kernelFeatures: { tx: "on", tso: "on", gso: "on" },
    kernelSegments: true,
    stackSegments: true
  },
  {
    title: "offloads off",
    tag: "kto",
    offload: false,
    hostOffloadsOff: false,
    granted: { checksum: false, tcpSegmentation: false },
    kernelFeatures: { tx: "off", tso: "off", gso: "on" },
    kernelSegments: false,
    stackSegments: false
  },
  {
    title: "offloads on, kernel's off (ethtool)",
    tag: "kte",
    offload: true,
    hostOffloadsOff: true,
    granted: { checksum: true, tcpSegmentation: true },
    kernelFeatures: { tx: "off", tso: "off", gso: "off" },
    kernelSegments: false,
    stackSegments: true,
    skip: SKIP_ETHTOOL
  }
]
for (const m of MODES) if (m.skip !== undefined) console.warn(`skipping kernel TCP tests (${m.title}): ${m.skip}`)

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x07])
const STACK_IP = "198.18.0.2"
const HOST_IP = "198.18.0.1"
const PEER = fileURLToPath(new URL("./tcp_peer.py", import.meta.url))
const CMD_TIMEOUT_MS = 90_000
const MB = 1024 * 1024
/** the MSS both sides use here (1500 - 40 - 12 octets of timestamps) */
const MSS = 1448

interface World {
  readonly ns: Netns
  readonly stack: Context.Context<Stack.Services>
  /** what the stack handed the link to send */
  readonly sent: Sent
}

/** Frames the stack handed its link, and those longer than an MTU-sized frame (TSO segments). */
interface Sent {
  frames: number
  octets: number
  bigFrames: number
  bigOctets: number
}

/** `link`, noting the length of every frame the stack hands it in `sent`. */
const watchSends = (link: LinkService, sent: Sent): LinkService => {
  const maxFrame = link.mtu + 14
  const note = (frames: ReadonlyArray<OutFrame>) =>
    Effect.sync(() => {
      for (const f of frames) {
        const n = frameLength(f)
        sent.frames++
        sent.octets += n
        if (n > maxFrame) {
          sent.bigFrames++
          sent.bigOctets += n
        }
      }
    })
  return {
    ...link,
    send: (frame) => Effect.zipRight(note([frame]), link.send(frame)),
    sendBatch: (frames, meta) => Effect.zipRight(note(frames), link.sendBatch(frames, meta))
  }
}

/** A gate on what the stack receives: while `closed`, every TCP segment from the kernel is lost (and counted). */
interface Gate {
  closed: boolean
  dropped: number
}

/**
 * `link` with the received frames `keep` refuses left out (those it keeps keep their vouched
 * checksums; a batch it keeps whole goes on as it came).
 */
const filterReceived = (
  link: LinkService,
  keep: (frame: Uint8Array) => boolean
): Effect.Effect<LinkService, never, Scope.Scope> =>
  Effect.gen(function*() {
    const side = yield* Middleware.makeReceiveSide(1024)
    yield* Middleware.relay(link, side, (batch) =>
      Effect.sync(() => {
        const kept: Array<Uint8Array> = []
        const ok: Array<number> = []
        batch.forEach((f, i) => {
          if (!keep(f)) return
          kept.push(f)
          ok.push(batch.checksumOk?.[i] ?? 0)
        })
        if (kept.length === batch.length) side.deliver(batch)
        else if (kept.length > 0) side.deliver(batch.checksumOk !== undefined ? vouched(kept, Uint8Array.from(ok)) : kept)
      }))
    return { ...link, receive: side.receive, stats: Middleware.stats(link, side.own) }
  })

/** `link` with its received TCP segments dropped while `gate` is closed (IPv4 in Ethernet: ethertype 0x0800, protocol 6). */
const gated = (link: LinkService, gate: Gate): Effect.Effect<LinkService, never, Scope.Scope> =>
  filterReceived(link, (f) => {
    if (!gate.closed || !(f.length > 34 && f[12] === 0x08 && f[13] === 0x00 && f[23] === 6)) return true
    gate.dropped++
    return false
  })

/**
 * `received` (`link` with its receive side filtered) sending through `link` only the frames `keep`
 * lets go, each with its send meta.
 */
const filterSent = (link: LinkService, received: LinkService, keep: (frame: OutFrame) => boolean): LinkService => ({
  ...received,
  send: (f) => Effect.suspend(() => (keep(f) ? link.send(f) : Effect.void)),
  sendBatch: (frames, meta) =>
    Effect.suspend(() => {
      const kept: Array<OutFrame> = []
      const keptMeta: Array<number> = []
      frames.forEach((f, i) => {
        if (keep(f)) {
          kept.push(f)
          keptMeta.push(meta?.[i] ?? 0)
        }
      })
      return kept.length === 0 ? Effect.void : link.sendBatch(kept, meta === undefined ? undefined : keptMeta)
    })
})

/**
 * Deterministic loss for `dropping`: every `every`-th TCP segment carrying data is lost, counted
 * apart in each direction (a TSO segment is one), and the sequence numbers of the data segments
 * the stack received, to count those that came twice.
 */
interface Drops {
  readonly every: number
  rxData: number
  rxDropped: number
  txData: number
  txDropped: number
  readonly seqs: Set<number>
  rxTwice: number
}

const makeDrops = (every: number): Drops =>
  ({ every, rxData: 0, rxDropped: 0, txData: 0, txDropped: 0, seqs: new Set(), rxTwice: 0 })

/** TCP in IPv4 in Ethernet: [header offset, payload length, flags], or undefined. */
const tcpOf = (f: Uint8Array): readonly [number, number, number] | undefined => {
  if (f.length < 54 || f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== 6) return undefined
  const ihl = (f[14]! & 15) * 4
  const t = 14 + ihl
  return [t, ((f[16]! << 8) | f[17]!) - ihl - (f[t + 12]! >> 4) * 4, f[t + 13]!]
}

/** The sequence number of a TCP/IPv4 segment in an Ethernet frame, if it carries data. */
const dataSeq = (f: Uint8Array): number | undefined => {
  const tcp = tcpOf(f)
  if (tcp === undefined || tcp[1] <= 0) return undefined
  const t = tcp[0]
  return ((f[t + 4]! << 24) | (f[t + 5]! << 16) | (f[t + 6]! << 8) | f[t + 7]!) >>> 0
}

/**
 * `link` losing data segments both ways as `drops` says. Unlike LinkFault it takes the offloads:
 * a frame goes whole or not at all, with its vouched checksum or its send meta.
 */
const dropping = (link: LinkService, drops: Drops): Effect.Effect<LinkService, never, Scope.Scope> =>
  Effect.map(
    filterReceived(link, (f) => {
      const seq = dataSeq(f)
      if (seq === undefined) return true
      if (++drops.rxData % drops.every === 0) {
        drops.rxDropped++
        return false
      }
      if (drops.seqs.has(seq)) drops.rxTwice++
      drops.seqs.add(seq)
      return true
    }),
    (received): LinkService => {
      const keep = (f: OutFrame): boolean => {
        if (dataSeq(flatten(f)) === undefined || ++drops.txData % drops.every !== 0) return true
        drops.txDropped++
        return false
      }
      return filterSent(link, received, keep)
    }
  )

/**
 * Random loss both ways, seeded (xorshift32): each data segment the kernel sends and each segment
 * the stack sends that carries no SYN, FIN or RST is lost with probability `p` (the handshake and
 * the close are spared, so that only the transfer pays). Like `dropping`, it takes the offloads.
 * `twice` counts the octets of data that reached the stack a second time (the kernel's retransmissions
 * of what had arrived), by their offset from the first data octet.
 */
interface RandomLoss {
  readonly p: number
  seed: number
  rxDropped: number
  txDropped: number
  twice: number
  first: number | undefined
  readonly seen: Uint8Array
}

const makeRandomLoss = (p: number, seed: number, octets: number): RandomLoss =>
  ({ p, seed: seed >>> 0 || 1, rxDropped: 0, txDropped: 0, twice: 0, first: undefined, seen: new Uint8Array(octets) })

const lossDraw = (l: RandomLoss): boolean => {
  let x = l.seed
  x ^= x << 13
  x >>>= 0
  x ^= x >>> 17
  x ^= x << 5
  l.seed = x >>> 0
  return l.seed / 4294967296 < l.p
}

const randomlyLosing = (link: LinkService, l: RandomLoss): Effect.Effect<LinkService, never, Scope.Scope> =>
  Effect.map(
    filterReceived(link, (f) => {
      const seq = dataSeq(f)
      if (seq === undefined) return true
      if (lossDraw(l)) {
        l.rxDropped++
        return false
      }
      const len = tcpOf(f)![1]
      l.first ??= seq
      const from = (seq - l.first) >>> 0
      for (let i = from; i < Math.min(from + len, l.seen.length); i++) {
        if (l.seen[i] === 1) l.twice++
        l.seen[i] = 1
      }
      return true
    }),
    (received): LinkService => {
      const keep = (f: OutFrame): boolean => {
        const tcp = tcpOf(flatten(f))
        if (tcp === undefined || (tcp[2] & 0x07) !== 0 || !lossDraw(l)) return true
        l.txDropped++
        return false
      }
      return filterSent(link, received, keep)
    }
  )

/**
 * ECN seen on the link, both ways (RFC 3168): every `every`-th ECN-capable data segment in each
 * direction is marked CE on its way (the IP header's checksum mended), as a congested router
 * would, and the segments that carry ECT, CE, ECE and CWR (not SYNs) are counted. The TCP checksum does not
 * cover the IP header's ECN field, so the offloads' vouched or partial checksums stay right.
 */
interface EcnSeen {
  readonly every: number
  rxEct: number
  rxMarked: number
  rxEce: number
  rxCwr: number
  txEct: number
  txMarked: number
  txEce: number
  txCwr: number
}

const makeEcnSeen = (every: number): EcnSeen =>
  ({ every, rxEct: 0, rxMarked: 0, rxEce: 0, rxCwr: 0, txEct: 0, txMarked: 0, txEce: 0, txCwr: 0 })

const ecnMarking = (link: LinkService, e: EcnSeen): Effect.Effect<LinkService, never, Scope.Scope> => {
  // one direction's counts: ECT data segments (every `every`-th marked CE), and the ECE and CWR flags
  const look = (f: Uint8Array, dir: "rx" | "tx"): void => {
    const tcp = tcpOf(f)
    if (tcp === undefined) return
    const flags = tcp[2]
    // (not the SYNs' ECE and CWR: those set ECN up)
    if ((flags & (ECE | SYN)) === ECE) e[`${dir}Ece`]++
    if ((flags & (CWR | SYN)) === CWR) e[`${dir}Cwr`]++
    if (tcp[1] > 0 && Ip.ecnAt(f, 14) !== Ip.Ecn.NotEct && ++e[`${dir}Ect`] % e.every === 0 && Ip.markCe(f, 14)) {
      e[`${dir}Marked`]++
    }
  }
  return Effect.map(
    filterReceived(link, (f) => {
      look(f, "rx")
      return true
    }),
    (received): LinkService =>
      filterSent(link, received, (f) => {
        look(f instanceof Uint8Array ? f : f[0]!, "tx")
        return true
      })
  )
}

/** BBR, when this kernel has it (CONFIG_TCP_CONG_BBR; Linux's default on these machines). */
const BBR_SKIP = (() => {
  try {
    const cc = readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8")
    return cc.split(/\s+/).includes("bbr") ? undefined : `this kernel offers no BBR (${cc.trim()})`
  } catch (e) {
    return `no /proc/sys/net/ipv4/tcp_available_congestion_control (${String(e)})`
  }
})()

const describeExec = (r: ExecResult) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`

/** The kernel's offload settings for `ifname`, as `ethtool -k` prints them. */
const kernelOffloads = (ns: Netns, ifname: string) =>
  Effect.map(exec(ns, ["ethtool", "-k", ifname], { timeoutMs: 10_000 }), (r) => {
    expect(r.code, describeExec(r)).toBe(0)
    const feature = (name: string) => new RegExp(`^${name}: (on|off)`, "m").exec(r.stdout)?.[1]
    return {
      tx: feature("tx-checksumming"),
      tso: feature("tcp-segmentation-offload"),
      gso: feature("generic-segmentation-offload")
    }
  })

const makeWorld = (
  mode: Mode,
  index: number,
  extra?: {
    readonly gate?: Gate
    readonly config?: Partial<StackConfigInput>
    readonly wrap?: (link: LinkService) => Effect.Effect<LinkService, never, Scope.Scope>
  }
): Effect.Effect<World, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const ns = yield* makeNetns(mode.tag)
    const ifname = ifName(mode.tag, index)
    const tap = yield* LinkTap.make({ name: ifname, mac: STACK_MAC, offload: mode.offload })
    expect(tap.offload).toEqual(mode.granted)
    yield* moveLinkToNetns(ifname, ns, { address: `${HOST_IP}/24` })
    if (mode.hostOffloadsOff) {
      // after TUNSETOFFLOAD (LinkTap.make) and the move: the kernel side lives in ns now
      const r = yield* exec(ns, ["ethtool", "-K", ifname, "tso", "off", "gso", "off", "tx", "off"], {
        timeoutMs: 10_000
      })
      expect(r.code, describeExec(r)).toBe(0)
    }
    if (SKIP_ETHTOOL === undefined) expect(yield* kernelOffloads(ns, ifname)).toEqual(mode.kernelFeatures)
    const sent: Sent = { frames: 0, octets: 0, bigFrames: 0, bigOctets: 0 }
    const gatedLink = extra?.gate !== undefined ? yield* gated(tap, extra.gate) : tap
    const link = extra?.wrap !== undefined ? yield* extra.wrap(gatedLink) : gatedLink
    const stack = yield* Layer.build(
      Stack.layer({ address: STACK_IP, prefixLength: 24, ...extra?.config }).pipe(
        Layer.provide(Layer.succeed(Link, watchSends(link, sent)))
      )
    )
    return { ns, stack, sent }
  })

const inStack = <A, E, R>(w: World, effect: Effect.Effect<A, E, R>) => Effect.provide(effect, w.stack)

const peer = (w: World, args: ReadonlyArray<string>) =>
  Effect.flatMap(exec(w.ns, ["python3", PEER, ...args], { timeoutMs: CMD_TIMEOUT_MS }), (r) => {
    expect(r.code, describeExec(r)).toBe(0)
    return Effect.succeed(JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>)
  })

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

/** Read `conn` to its end: how many octets came, and their sha256. */
const readHashed = (conn: Connection) =>
  Effect.gen(function*() {
    const hash = createHash("sha256")
    let n = 0
    for (;;) {
      const chunk = yield* conn.read
      if (Option.isNone(chunk)) return { n, sha: hash.digest("hex") }
      hash.update(chunk.value)
      n += chunk.value.length
    }
  })


const linkStats = (w: World) => inStack(w, Effect.map(Effect.flatMap(Stack.Stack, (st) => st.stats), (s) => s.link))

/**
 * `octets` went each way through the link (an echo); did each direction carry
 * TCP segments larger than the MSS (TSO), as `mode` says it must, or not?
 *
 * From the kernel: in frames of at most the MSS its data alone needs
 * octets / MSS frames, so fewer prove larger segments. With TSO both ways a
 * few hundred frames of up to 64 KiB carry its data and the ACKs for ours
 * (up to ~1200 on a loaded machine): half of octets / MSS leaves a margin.
 * (A frame count cannot prove the stack's TSO when the kernel does not
 * segment: the ACKs for its many small segments come on top, one per one or
 * two segments depending on load.)
 *
 * From the stack: the frames it handed the link, by length. Every one was
 * written (nothing too big, no errors) and the kernel's echo of them was
 * intact (the sha256 checks), so the kernel took the big ones and cut them
 * right. When the kernel sends MSS-sized segments, its ACK clock leaves the
 * stack short runs on a loaded machine (the fewest seen: 21 big frames, 6%
 * of the octets), so then one big frame is all this asks for.
 */
const expectSegmentation = (mode: Mode, w: World, stats: LinkStats, octets: number) => {
  const atMss = Math.ceil(octets / MSS)
  const seen = JSON.stringify({ mode: mode.title, atMss, stats, sent: w.sent })
  const bothSegment = mode.kernelSegments && mode.stackSegments
  if (mode.kernelSegments) expect(stats.rxFrames, seen).toBeLessThan(atMss / 2)
  else expect(stats.rxFrames, seen).toBeGreaterThanOrEqual(atMss)
  if (!mode.stackSegments) {
    expect(w.sent.bigFrames, seen).toBe(0)
    expect(stats.txFrames, seen).toBeGreaterThanOrEqual(atMss)
  } else if (bothSegment) {
    expect(w.sent.bigOctets, seen).toBeGreaterThan(octets / 2)
  } else {
    expect(w.sent.bigFrames, seen).toBeGreaterThan(0)
  }
  // every frame handed over was written (a full kernel queue would be a counted, harmless drop)
  expect(stats.txFrames + stats.txQueueFull, seen).toBe(w.sent.frames)
  expect([stats.rxMalformed, stats.rxDropped, stats.txTooBig, stats.txErrors], seen).toEqual([0, 0, 0, 0])
}

describe.skipIf(SKIP !== undefined)("TCP with the Linux kernel as the peer", () => {
  describe.each(MODES)("$title", (mode) => {
    const live = it.scopedLive.skipIf(mode.skip !== undefined)

    live("a kernel client sends 10 MB to the stack's echo service and gets them back intact", () =>
      Effect.gen(function*() {
        // how the addon hands the kernel's aggregates over: each in an ArrayBuffer of its own (its
        // virtio-net header before it), so one kept alive keeps no other frame of its read alive
        const layout = { big: 0, alone: 0 }
        const header = mode.offload ? 10 : 0
        const w = yield* makeWorld(mode, 0, {
          wrap: (link) =>
            filterReceived(link, (f) => {
              if (f.length < 16_384) return true
              layout.big++
              if (f.byteOffset === header && f.buffer.byteLength === header + f.length) layout.alone++
              return true
            })
        })
        yield* inStack(w, Services.serve(7, Services.echo))
        const r = yield* peer(w, ["client-echo", STACK_IP, "7", String(10 * MB)])
        expect(r["received"]).toBe(10 * MB)
        expect(r["shaReceived"]).toBe(r["shaSent"])
        const s = yield* inStack(w, Effect.flatMap(Stack.Stack, (st) => st.stats))
        expect(s.tcp.passiveOpens).toBe(1)
        expect(s.tcp.malformed).toEqual({})
        expectSegmentation(mode, w, s.link, 10 * MB)
        expect(layout.alone, JSON.stringify(layout)).toBe(layout.big)
        if (mode.kernelSegments) expect(layout.big).toBeGreaterThan(0)
      }), 120_000)

    live("a stack client sends 10 MB to a kernel echo server and gets them back intact", () =>
      Effect.gen(function*() {
        const w = yield* makeWorld(mode, 1)
        const server = yield* spawnIn(w.ns, ["python3", PEER, "server-echo", "5001"])
        yield* eventually(Effect.sync(() => server.stdout()), (o) => o.includes("listening"), "kernel server listening")
        const data = new Uint8Array(randomBytes(10 * MB))
        const echoed = yield* inStack(
          w,
          Effect.gen(function*() {
            const tcp = yield* Tcp
            const conn = yield* tcp.connect({ address: HOST_IP, port: 5001 })
            const reader = yield* Effect.fork(readHashed(conn))
            for (let o = 0; o < data.length; o += 64 * 1024) yield* conn.write(data.subarray(o, o + 64 * 1024))
            yield* conn.end
            return yield* Fiber.join(reader)
          })
        )
        expect(echoed.n).toBe(10 * MB)
        expect(echoed.sha).toBe(sha(data))
        const [serverSaid] = yield* Effect.all([eventually(
          Effect.sync(() => server.stdout()),
          (o) => o.includes("sha"),
          "kernel server done"
        )])
        const line = JSON.parse(serverSaid.trim().split("\n").at(-1)!) as { received: number; sha: string }
        expect(line).toEqual({ received: 10 * MB, sha: sha(data) })
        expectSegmentation(mode, w, yield* linkStats(w), 10 * MB)
      }), 120_000)

    live("the kernel's ACKs lost for 400 ms while the stack sends: its timeouts are found spurious and undone (F-RTO, RFC 5682, or the echoed timestamp), the data intact", () =>
      Effect.gen(function*() {
        for (const [index, timestamps] of [[5, true], [6, false]] as const) {
          const gate: Gate = { closed: false, dropped: 0 }
          const w = yield* makeWorld(mode, index, { gate, config: { tcp: { timestamps } } })
          const server = yield* spawnIn(w.ns, ["python3", PEER, "server-echo", "5001"])
          yield* eventually(Effect.sync(() => server.stdout()), (o) => o.includes("listening"), "kernel server listening")
          const data = new Uint8Array(randomBytes(MB))
          const echoed = yield* inStack(
            w,
            Effect.gen(function*() {
              const conn = yield* (yield* Tcp).connect({ address: HOST_IP, port: 5001 })
              const reader = yield* Effect.fork(readHashed(conn))
              // the kernel gets the first flight and answers; none of its answers reaches the stack
              gate.closed = true
              const writer = yield* Effect.fork(Effect.zipRight(conn.write(data), conn.end))
              yield* Effect.sleep("400 millis")
              gate.closed = false
              yield* Fiber.join(writer)
              return yield* Fiber.join(reader)
            })
          )
          expect(echoed).toEqual({ n: MB, sha: sha(data) })
          const t = (yield* inStack(w, Effect.flatMap(Stack.Stack, (st) => st.stats))).tcp
          const seen = JSON.stringify({ mode: mode.title, timestamps, dropped: gate.dropped, tcp: t })
          expect(gate.dropped, seen).toBeGreaterThan(0)
          expect(t.timeouts, seen).toBeGreaterThanOrEqual(1)
          // every timeout of the blackout was spurious: the data had arrived
          expect(t.spuriousTimeouts, seen).toBeGreaterThanOrEqual(1)
          if (!timestamps) expect(t.eifelUndos, seen).toBe(0)
        }
      }), 120_000)

    live("every 50th data frame lost each way: 8 MB echoed intact, each side recovers by the other's SACK blocks, and neither resends much the other had", () =>
      Effect.gen(function*() {
        const drops = makeDrops(50)
        const w = yield* makeWorld(mode, 7, { wrap: (link) => dropping(link, drops) })
        yield* inStack(w, Services.serve(7, Services.echo))
        const r = yield* peer(w, ["client-echo", STACK_IP, "7", String(8 * MB)])
        expect(r["received"]).toBe(8 * MB)
        expect(r["shaReceived"]).toBe(r["shaSent"])
        // the namespace is this test's: its counters are this connection's
        const k = yield* tcpExt(w.ns)
        const t = (yield* inStack(w, Effect.flatMap(Stack.Stack, (st) => st.stats))).tcp
        const kernel = Object.fromEntries(
          ["TCPSackRecovery", "TCPFastRetrans", "TCPLossProbes", "TCPTimeouts", "TCPSlowStartRetrans", "TCPDSACKOldSent", "TCPDSACKOfoSent"]
            .map((name) => [name, k[name] ?? 0])
        )
        const seen = JSON.stringify({ mode: mode.title, kernel, tcp: t, drops: { ...drops, seqs: drops.seqs.size } })
        expect(Math.min(drops.rxDropped, drops.txDropped), seen).toBeGreaterThan(0)
        // Linux recovered from its losses by our SACK blocks, and we from ours by fast retransmit
        expect(kernel["TCPSackRecovery"], seen).toBeGreaterThan(0)
        expect(t.fastRetransmits, seen).toBeGreaterThan(0)
        // Linux reports every data segment it got twice in a D-SACK block (below RCV.NXT, or within
        // what it held out of order; one block may cover a whole TSO segment). Nothing here
        // duplicates frames, so those were our needless retransmissions: 412 of 550 with RACK's
        // millisecond tie-break put back, offloads off (a tail probe may be needless by design)
        const twice = kernel["TCPDSACKOldSent"]! + kernel["TCPDSACKOfoSent"]!
        expect(twice, seen).toBeLessThanOrEqual(Math.max(5, t.retransmits / 10))
        // and Linux's: data segments that reached the stack twice. A tail loss probe resends the last
        // segment when its ACK is late, needless by design when it was not lost (on a loaded machine
        // the stack's ACKs are late more often: 15 probes and 15 twice in one such run). So does a
        // retransmission timeout: Linux resends the first segment (TCPTimeouts), marks everything not
        // SACKed lost and resends it in slow start (TCPSlowStartRetrans; tcp_xmit_retransmit_queue
        // counts a resend in the Loss state there, not as a fast retransmission), what the stack held
        // but had not yet said too when its ACKs were late (with two CPU hogs and two other test files
        // beside it, one of twelve mode runs: two timeouts, 17 resends after them, 30 twice against the
        // old bound of 28.4). What this bounds is fast retransmissions of what our SACK blocks said we had
        const needlessByDesign = kernel["TCPLossProbes"]! + kernel["TCPTimeouts"]! + kernel["TCPSlowStartRetrans"]!
        expect(drops.rxTwice, seen).toBeLessThanOrEqual(Math.max(5, kernel["TCPFastRetrans"]! / 10) + needlessByDesign)
      }), 120_000)


    // (BBR sends into loss without backing off, so it keeps the most data in flight and the most holes
    // open at once, the case where blocks go unreported; Linux's CUBIC, reduced to a few segments in
    // flight by this much loss, resent 9-22 segments needlessly before the change and 4 after)
    it.scopedLive.skipIf(mode.skip !== undefined || BBR_SKIP !== undefined)("a kernel BBR sender through 10 % random loss each way: 4 MB arrive intact, and it resends almost nothing the stack had (each segment's ACK names its block, every duplicate is D-SACKed)", () =>
      Effect.gen(function*() {
        const bytes = 4 * MB
        const loss = makeRandomLoss(0.1, 0x5eed + mode.tag.length, bytes)
        const w = yield* makeWorld(mode, 8, { wrap: (link) => randomlyLosing(link, loss) })
        const listener = yield* inStack(w, Effect.flatMap(Tcp, (t) => t.listen({ port: 5002 })))
        const served = yield* Effect.fork(Effect.flatMap(listener.accept, (c) => Effect.zipLeft(readHashed(c), c.close)))
        const r = yield* peer(w, ["send", STACK_IP, "5002", String(bytes), "bbr"])
        const got = yield* Fiber.join(served)
        expect(got).toEqual({ n: bytes, sha: r["sha"] })
        const k = yield* tcpExt(w.ns)
        const resent = r["retransmitted"] as number
        const twice = Math.round(loss.twice / MSS)
        const seen = JSON.stringify({ mode: mode.title, resent, twice, rxDropped: loss.rxDropped, txDropped: loss.txDropped, dsackRecv: k["TCPDSACKRecv"] ?? 0 })
        // (with offloads, a lost frame may be a 64 KB segment: fewer frames lost, more resent)
        expect(Math.min(loss.rxDropped, loss.txDropped), seen).toBeGreaterThan(0)
        expect(resent, seen).toBeGreaterThan(20)
        // Before each segment's ACK carried its own blocks and D-SACK, the ACKs of one batch all
        // carried the batch's last three blocks and its first D-SACK: blocks made earlier in the batch
        // went unreported, and Linux resent 532-568 segments the stack had, of 890-975, offloads off
        expect(twice, seen).toBeLessThanOrEqual(Math.max(5, resent / 10))
      }), 120_000)

    live("ECN with Linux (RFC 3168), asked by either side: CE on data draws ECE, the sender reduces its window and says CWR, and the data arrives intact", () =>
      Effect.gen(function*() {
        const e = makeEcnSeen(20)
        const w = yield* makeWorld(mode, 9, { config: { tcp: { ecn: "on" } }, wrap: (link) => ecnMarking(link, e) })
        // (the namespace's own setting: Linux asks for ECN in its SYNs)
        const set = yield* exec(w.ns, ["python3", "-c", "open('/proc/sys/net/ipv4/tcp_ecn', 'w').write('1')"], { timeoutMs: 10_000 })
        expect(set.code, describeExec(set)).toBe(0)
        // Linux sends to us
        const listener = yield* inStack(w, Effect.flatMap(Tcp, (t) => t.listen({ port: 5003 })))
        const served = yield* Effect.fork(Effect.flatMap(listener.accept, (c) =>
          Effect.gen(function*() {
            const got = yield* readHashed(c)
            const info = yield* c.info
            yield* c.close
            return { got, ecn: info.ecn }
          })))
        const r = yield* peer(w, ["send", STACK_IP, "5003", String(2 * MB), "cubic"])
        const fromLinux = yield* Fiber.join(served)
        expect(fromLinux.got).toEqual({ n: 2 * MB, sha: r["sha"] })
        const rx = JSON.stringify({ mode: mode.title, ...e, ecn: fromLinux.ecn })
        expect(fromLinux.ecn, rx).toBe(true)
        // its data came ECN-capable; the CE marks drew our ECE, and Linux said CWR when it had reduced
        expect(e.rxEct, rx).toBeGreaterThan(0)
        expect(e.rxMarked, rx).toBeGreaterThan(0)
        expect(e.txEce, rx).toBeGreaterThan(0)
        expect(e.rxCwr, rx).toBeGreaterThan(0)
        // we send to Linux, asking for ECN ourselves
        const sink = yield* spawnIn(w.ns, ["python3", PEER, "sink", "5004"])
        yield* eventually(Effect.sync(() => sink.stdout()), (o) => o.includes("listening"), "kernel sink listening")
        const data = new Uint8Array(randomBytes(2 * MB))
        const before = { ...e }
        const info = yield* inStack(
          w,
          Effect.gen(function*() {
            const conn = yield* (yield* Tcp).connect({ address: HOST_IP, port: 5004 })
            for (let o = 0; o < data.length; o += 64 * 1024) yield* conn.write(data.subarray(o, o + 64 * 1024))
            yield* conn.end
            // the counters once everything is acknowledged (bounded: 20 s): `end` returns with the
            // data still in flight (a third of it acknowledged when slow start grew as Linux's), and
            // the ECE for the marked segment comes on a later ACK
            let info = yield* conn.info
            for (let i = 0; i < 2000 && info.bytesAcked < info.bytesWritten; i++) {
              yield* Effect.sleep("10 millis")
              info = yield* conn.info
            }
            return info
          })
        )
        const sinkSaid = yield* eventually(Effect.sync(() => sink.stdout()), (o) => o.includes("sha"), "kernel sink done")
        expect(JSON.parse(sinkSaid.trim().split("\n").at(-1)!)).toEqual({ received: 2 * MB, sha: sha(data) })
        const tx = JSON.stringify({ mode: mode.title, ...e, before, ecn: info.ecn, reductions: info.ecnReductions })
        expect(info.ecn, tx).toBe(true)
        expect(e.txEct - before.txEct, tx).toBeGreaterThan(0)
        expect(e.txMarked - before.txMarked, tx).toBeGreaterThan(0)
        expect(e.rxEce - before.rxEce, tx).toBeGreaterThan(0)
        // each reduction said CWR on the next new data
        expect(info.ecnReductions, tx).toBeGreaterThan(0)
        expect(e.txCwr - before.txCwr, tx).toBeGreaterThanOrEqual(info.ecnReductions)
      }), 120_000)

    live("100 concurrent kernel clients each send 4 KB to discard; none stalls", () =>
      Effect.gen(function*() {
        const w = yield* makeWorld(mode, 2)
        yield* inStack(w, Services.serve(9, Services.discard))
        const r = yield* peer(w, ["many", STACK_IP, "9", "100", "4096"])
        expect(r["failed"]).toEqual([])
        expect(r["ok"]).toBe(100)
        const s = yield* inStack(w, Effect.flatMap(Stack.Stack, (st) => st.stats))
        expect(s.tcp.passiveOpens).toBe(100)
        // no SYN dropped or answered by a cookie, no completing ACK dropped...
        expect(s.tcp, JSON.stringify(s.tcp)).toMatchObject({ synQueueFull: 0, synCookiesSent: 0, acceptQueueFull: 0 })
        // ...and the kernel never had to send a SYN again (a dropped one costs it its 1 s initial RTO)
        expect((yield* tcpExt(w.ns))["TCPSynRetrans"]).toBe(0)
      }), 120_000)

    live("urgent data from the kernel (MSG_OOB): the application hears of it, learns how much is unread, and gets it in line", () =>
      Effect.gen(function*() {
        const w = yield* makeWorld(mode, 4)
        const listener = yield* inStack(w, Effect.flatMap(Tcp, (t) => t.listen({ port: 81 })))
        const client = yield* spawnIn(w.ns, ["python3", PEER, "urgent", STACK_IP, "81"])
        const conn = yield* listener.accept
        // listening for the indication first; then the go-ahead octet lets the client send its "!"
        const heard = yield* Effect.fork(conn.nextUrgent)
        yield* Effect.yieldNow()
        yield* conn.write(new Uint8Array([1]))
        const pendingWhenHeard = yield* Fiber.join(heard).pipe(Effect.timeout("10 seconds"))
        // Linux points past its urgent octet: "hello!" is the urgent data, none of it read yet
        expect(pendingWhenHeard).toBe(6)
        const chunks: Array<Uint8Array> = []
        for (;;) {
          const c = yield* conn.read.pipe(Effect.timeout("10 seconds"))
          if (Option.isNone(c)) break
          chunks.push(c.value)
        }
        expect(Buffer.concat(chunks).toString()).toBe("hello!bye")
        expect(yield* conn.urgent).toBe(0)
        yield* conn.close
        yield* eventually(Effect.sync(() => client.stdout()), (o) => o.includes("sent"), "the client's report")
      }), 60_000)

    live("urgent data to the kernel: a Linux reader takes the last urgent octet out of band (MSG_OOB), the rest in line", () =>
      Effect.gen(function*() {
        const w = yield* makeWorld(mode, 5)
        const listener = yield* inStack(w, Effect.flatMap(Tcp, (t) => t.listen({ port: 82 })))
        const client = yield* spawnIn(w.ns, ["python3", PEER, "urgent-recv", STACK_IP, "82"])
        const conn = yield* listener.accept
        const text = (t: string) => new TextEncoder().encode(t)
        yield* conn.write(text("hello"))
        yield* conn.writeUrgent(text("!"))
        yield* conn.write(text("bye"))
        yield* conn.end
        const said = yield* eventually(Effect.sync(() => client.stdout()), (o) => o.includes("oob"), "the client's report")
        expect(JSON.parse(said.trim().split("\n").at(-1)!)).toEqual({ data: "hellobye", oob: "!" })
        yield* conn.close
      }), 60_000)

    live("the kernel's ss shows the negotiated MSS, window scaling, timestamps and SACK", () =>
      Effect.gen(function*() {
        const w = yield* makeWorld(mode, 3)
        const listener = yield* inStack(w, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
        // a kernel client that connects, prints the kernel's TCP_INFO options and wscales, then waits so ss can look
        const client = yield* spawnIn(w.ns, ["python3", PEER, "hold", STACK_IP, "80"])
        const conn = yield* listener.accept
        // -o: ss prints the negotiated options ("ts sack" ...) only with it; -tin alone leaves them out
        const ss = yield* eventually(
          exec(w.ns, ["ss", "-tino", "dst", STACK_IP], { timeoutMs: 10_000 }),
          (r) => r.stdout.includes("ESTAB"),
          "ss shows the connection"
        )
        const text = ss.stdout
        const info = yield* conn.info
        // ss prints wscale:<the shift we sent>,<its own>; mss is ours less the 12 octets of timestamps
        expect(text, text).toMatch(new RegExp(`wscale:${info.rcvShift},${info.sndShift}\\b`))
        expect(text, text).toMatch(/\bmss:1448\b/)
        // the options, as ss prints them from TCP_INFO: " ts" (timestamps) and " sack", each a word of its own
        expect(text, text).toMatch(/\sts\s/)
        expect(text, text).toMatch(/\ssack\s/)
        // the same TCP_INFO, read by the kernel client itself, with the window shifts
        const said = yield* eventually(Effect.sync(() => client.stdout()), (o) => o.includes("options"), "TCP_INFO")
        const opts = JSON.parse(said.trim().split("\n")[0]!) as { options: number; sndWscale: number; rcvWscale: number }
        expect(opts.options & 7).toBe(7) // TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE
        expect(opts.sndWscale).toBe(info.rcvShift)
        expect(opts.rcvWscale).toBe(info.sndShift)
        expect(info).toMatchObject({ timestamps: true, sack: true, mss: 1460 })
        expect(info.sndShift).toBeGreaterThan(0)
        yield* conn.abort
      }), 60_000)
  })
})
