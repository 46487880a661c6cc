#!/usr/bin/env node
// The stack as a long-running bench process: Stack.layer over LinkTap.layer,
// built from dist/ of --tree (default: this checkout; run `npm run build`
// there first), until SIGTERM/SIGINT or --max-seconds, whichever comes first.
//
// Run it inside the bench's network namespace, e.g.
//   ip netns exec NS node bench/stack-server.mjs --tap gbench0 \
//     --ip 198.18.0.2/24 --host-ip 198.18.0.1/24 --stats-ms 100 --max-seconds 60
//
// stdout protocol, one JSON object per line:
//   {"event":"ready", "tap":..., "ip":..., "mac":...}
//   {"event":"stats", "t": <ms since start>, "stats": Stack.stats}   every --stats-ms, and on SIGUSR2
//   {"event":"final", "t": ..., "stats": ...}                          on SIGTERM/SIGINT/--max-seconds
//   {"event":"error", "message": ...}                                  when the stack fails to start
// Options: --tree DIR; --exit-on-stdin-close; --time-addon; --realtime PRIO (as `gonet up --realtime PRIO`);
// --count-fibers (a counting Supervisor over the whole program, the layers' fibers included: live,
// started and ended fibers appear as stats.fibers; bench/conns.mjs);
// --no-offload (LinkTap without virtio-net headers: no checksum or TSO offload);
// --receive-capacity N (LinkTap receive queue, batches); --discard PORT (bind UDP PORT and drain
// it; its count appears as stats.discard); --serve udp-echo:PORT (the stack's RFC 862 echo
// service, Udp.serveEcho, as `gonet up --serve udp-echo:PORT`);
// --tcp LIST (comma-separated, for bench/bulk.mjs and bench/rr.mjs): discard:PORT (RFC 863 discard
// that counts what it reads, and checks it against tcpbench.c's pattern, octet o = o % 251, with
// --tcp-verify), echo:PORT (Services.echo, as `gonet up --serve echo:PORT`), echo-read:PORT (the same
// echo written as a loop of c.read and c.write, without Effect's Stream: what the Stream costs a
// connection, for bench/conns.mjs --service), source:PORT (sends
// --source-bytes octets of that pattern to whoever connects, then ends; default 256 MiB, at most
// 64 GiB; source:PORT:BYTES: BYTES on that port, for bulk.mjs --conns); their counts appear as stats.tcpBench, with each finished connection's ConnectionInfo.
//
// Network safety: both addresses must lie in 198.18.0.0/15, or it refuses to start.
import { flag, opt, parseBenchCidr } from "./args.mjs"
import { randomBytes } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { Session } from "node:inspector"
import { createRequire } from "node:module"
import v8 from "node:v8"
import { createInterface } from "node:readline"
import { dirname, join, resolve } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath, pathToFileURL } from "node:url"

// --tree DIR: the checkout whose stack runs here (default: the one this file
// is in). Its dist/ is loaded, and the `effect` its dist/ imports (DIR's own
// node_modules), so that the layers and the runtime running them are one copy.
const tree = resolve(opt("tree", dirname(dirname(fileURLToPath(import.meta.url)))))
const fromTree = (path) => import(pathToFileURL(join(tree, path)).href)
const effectEntry = () => {
  const pkgFile = createRequire(join(tree, "package.json")).resolve("effect/package.json")
  const entry = JSON.parse(readFileSync(pkgFile, "utf8")).exports["."].import
  return import(pathToFileURL(join(dirname(pkgFile), entry)).href)
}
const { Effect, Fiber, Layer, Stream, Supervisor } = await effectEntry()
const LinkTap = await fromTree("dist/link/LinkTap.js")
const Scheduling = await fromTree("dist/Scheduling.js")
const TapAddon = await fromTree("dist/link/TapAddon.js")
const Stack = await fromTree("dist/Stack.js")
const Udp = await fromTree("dist/udp/Udp.js")
// TCP appeared with issue 7: only needed (and loaded) with --tcp
const tcpList = opt("tcp", undefined)
const Tcp = tcpList !== undefined ? await fromTree("dist/tcp/Tcp.js") : undefined
const TcpServices = tcpList !== undefined ? await fromTree("dist/tcp/Services.js") : undefined

const tap = opt("tap", "gbench0")
const ip = parseBenchCidr(opt("ip", "198.18.0.2/24"))
const host = parseBenchCidr(opt("host-ip", "198.18.0.1/24"))
const statsMs = Number(opt("stats-ms", "0"))
const maxSeconds = Number(opt("max-seconds", "120"))
const receiveCapacity = opt("receive-capacity", undefined)
// --discard PORT: bind a UDP socket on PORT and drain it (RFC 863 discard), counting datagrams.
const discardPort = opt("discard", undefined)
// --realtime PRIO: the threads at SCHED_FIFO PRIO, as `gonet up --realtime PRIO`.
const realtime = opt("realtime", undefined)
// --serve udp-echo:PORT
const serve = opt("serve", undefined)
const echoPort = (() => {
  if (serve === undefined) return undefined
  const m = /^udp-echo:(\d{1,5})$/.exec(serve)
  if (m === null || Number(m[1]) < 1 || Number(m[1]) > 65535) throw new Error(`--serve udp-echo:PORT, got ${serve}`)
  if (typeof Udp.serveEcho !== "function") throw new Error(`${tree}/dist/udp/Udp.js has no serveEcho`)
  return Number(m[1])
})()

// --time-addon: wrap the addon's writeBatch and the read callback with
// timers (bench-only instrumentation; the stack uses the same cached addon
// object) and report the totals as stats.addonTiming. For callbacks that
// write (a request answered in the callback that brought it), also the time
// from the callback's start to its first write (preWriteMs) and from its last
// write's return to the callback's end (postWriteMs): when the peer runs on
// the stack's own CPU, the post-write part delays it.
const addonTiming = {
  writes: 0, writeMs: 0, callbacks: 0, callbackFrames: 0, callbackMs: 0, writingCallbacks: 0, preWriteMs: 0, postWriteMs: 0
}
if (flag("time-addon")) {
  const addon = TapAddon.loadSync()
  const { writeBatch, startReading } = addon
  // (inside a read callback: when it started, its first write's start, its last write's end; -1: none)
  let inCallback = -1
  let firstWrite = -1
  let lastWriteEnd = -1
  // every argument passed on: on a virtio-net handle the third is the batch's headers
  addon.writeBatch = (h, fs, ...rest) => {
    const t = performance.now()
    if (inCallback >= 0 && firstWrite < 0) firstWrite = t
    try {
      return writeBatch(h, fs, ...rest)
    } finally {
      lastWriteEnd = performance.now()
      addonTiming.writes += fs.length
      addonTiming.writeMs += lastWriteEnd - t
    }
  }
  addon.startReading = (h, cb) =>
    startReading(h, (frames, err) => {
      const t = performance.now()
      inCallback = t
      firstWrite = -1
      try {
        return cb(frames, err)
      } finally {
        const end = performance.now()
        if (firstWrite >= 0) {
          addonTiming.writingCallbacks++
          addonTiming.preWriteMs += firstWrite - t
          addonTiming.postWriteMs += end - lastWriteEnd
        }
        inCallback = -1
        addonTiming.callbacks++
        addonTiming.callbackFrames += frames.length
        addonTiming.callbackMs += end - t
      }
    })
}

// --tcp discard:PORT,echo:PORT,source:PORT[:BYTES]
const tcpServices = (tcpList ?? "").split(",").filter((x) => x.length > 0).map((item) => {
  // source:PORT:BYTES: that port's connections send BYTES each instead of --source-bytes (bulk.mjs --conns)
  const m = /^(discard|echo|echo-read|source):(\d{1,5})(?::(\d{1,12}))?$/.exec(item)
  if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535 || (m[3] !== undefined && m[1] !== "source")) {
    throw new Error(`--tcp discard|echo|echo-read|source:PORT[:BYTES],..., got ${item}`)
  }
  return { kind: m[1], port: Number(m[2]), bytes: m[3] !== undefined ? Number(m[3]) : undefined }
})
const sourceBytes = Number(opt("source-bytes", String(256 * 1024 * 1024)))
for (const b of [sourceBytes, ...tcpServices.map((s) => s.bytes ?? sourceBytes)]) {
  if (!Number.isInteger(b) || b < 1 || b > 64 * 2 ** 30) throw new Error("--source-bytes, source:PORT:BYTES: 1..64 GiB")
}
const defaultSourceBytes = sourceBytes
const tcpVerify = flag("tcp-verify")
// tcpbench.c's pattern: octet at stream offset o is o % 251; this block (256 x 251) repeats it.
const PATTERN = Uint8Array.from({ length: 256 * 251 }, (_, i) => i % 251)
const tcpBench = {
  discard: { connections: 0, finished: 0, bytes: 0, mismatches: 0, errors: 0 },
  source: { connections: 0, finished: 0, bytes: 0, errors: 0 },
  echo: { port: undefined },
  last: [] // ConnectionInfo of the last few finished connections, with their kind
}
const remember = (kind, info) => {
  tcpBench.last.push({ kind, ...info })
  if (tcpBench.last.length > 16) tcpBench.last.shift()
}

// --count-fibers: every fiber forked under the program (the layers' dealers, the timer wheel, each
// connection's two halves, each service handler) passes through onStart and onEnd; two counters,
// no reference to any fiber kept. Without the flag no supervisor is installed at all.
const countFibers = flag("count-fibers")
const fiberCount = { live: 0, started: 0, ended: 0 }
class CountingSupervisor extends Supervisor.AbstractSupervisor {
  value = Effect.sync(() => ({ ...fiberCount }))
  onStart() {
    fiberCount.live++
    fiberCount.started++
  }
  onEnd() {
    fiberCount.live--
    fiberCount.ended++
  }
}

const mac = randomBytes(6)
mac[0] = (mac[0] & 0xfc) | 0x02 // unicast, locally administered
const macText = Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join(":")

const t0 = performance.now()
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n")

let readStats = () => undefined
let shuttingDown = false
let fiber

const shutdown = (why) => {
  if (shuttingDown) return
  shuttingDown = true
  out({ event: "final", why, t: performance.now() - t0, stats: readStats() })
  // Hard stop if closing the scope hangs.
  setTimeout(() => process.exit(0), 2000).unref()
  if (fiber === undefined) process.exit(0)
  Effect.runPromise(Fiber.interrupt(fiber)).finally(() => process.exit(0))
}

const link = LinkTap.layer({
  name: tap,
  mac,
  host: { address: host.u32, prefixLength: host.prefixLength },
  ...(receiveCapacity !== undefined ? { receiveCapacity: Number(receiveCapacity) } : {}),
  offload: !flag("no-offload")
})
const live = Stack.layer({ address: ip.text, prefixLength: ip.prefixLength }).pipe(Layer.provide(link))

const program = Effect.gen(function*() {
  if (realtime !== undefined) yield* Scheduling.realtime(Number(realtime))
  const stack = yield* Stack.Stack
  const discard = { port: undefined, received: 0, batches: 0 }
  if (discardPort !== undefined) {
    const udp = yield* Udp.Udp
    const socket = yield* udp.bind(Number(discardPort))
    discard.port = socket.port
    yield* socket.receiveBatch.pipe(
      Effect.map((ds) => {
        discard.received += ds.length
        discard.batches++
      }),
      Effect.forever,
      Effect.forkScoped
    )
  }
  if (echoPort !== undefined) yield* Udp.serveEcho(echoPort)
  for (const { kind, port, bytes: portBytes } of tcpServices) {
    if (kind === "echo") {
      yield* TcpServices.serve(port, TcpServices.echo)
      tcpBench.echo.port = port
    } else if (kind === "echo-read") {
      yield* TcpServices.serve(port, (c) => Effect.gen(function*() {
        for (;;) {
          const d = yield* c.read
          if (d._tag === "None") break
          yield* c.write(d.value)
        }
        yield* c.end
      }))
      tcpBench.echo.port = port
    } else if (kind === "discard") {
      yield* TcpServices.serve(port, (c) => Effect.gen(function*() {
        tcpBench.discard.connections++
        let off = 0
        // the connection as a stream, taken a chunk of segments at a time (as a kernel client's
        // recv() takes what has arrived, up to its buffer), to its end at the peer's FIN
        yield* Stream.runForEachChunk(c.stream, (chunk) => Effect.sync(() => {
          for (const d of chunk) {
            if (tcpVerify) {
              let p = off % 251
              for (let k = 0; k < d.length; k++) {
                if (d[k] !== p) tcpBench.discard.mismatches++
                if (++p === 251) p = 0
              }
            }
            off += d.length
            tcpBench.discard.bytes += d.length
          }
        }))
        yield* c.end
        tcpBench.discard.finished++
        remember("discard", yield* c.info)
      }).pipe(Effect.tapError(() => Effect.sync(() => tcpBench.discard.errors++))))
    } else {
      yield* TcpServices.serve(port, (c) => Effect.gen(function*() {
        tcpBench.source.connections++
        let sent = 0
        const sourceBytes = portBytes ?? defaultSourceBytes
        while (sent < sourceBytes) {
          // the block is never changed, so one copy serves every write (Connection.write's rule)
          const off = sent % PATTERN.length
          const n = Math.min(PATTERN.length - off, sourceBytes - sent)
          yield* c.write(off === 0 && n === PATTERN.length ? PATTERN : PATTERN.subarray(off, off + n))
          sent += n
          tcpBench.source.bytes += n
        }
        yield* c.end
        // what the peer sends is discarded; its FIN ends us
        for (;;) if ((yield* c.read)._tag === "None") break
        tcpBench.source.finished++
        remember("source", yield* c.info)
      }).pipe(Effect.tapError(() => Effect.sync(() => tcpBench.source.errors++))))
    }
  }
  readStats = () => ({
    ...Effect.runSync(stack.stats),
    ...(discard.port !== undefined ? { discard: { ...discard } } : {}),
    ...(tcpServices.length > 0 ? { tcpBench: JSON.parse(JSON.stringify(tcpBench)) } : {}),
    ...(flag("time-addon") ? { addonTiming: { ...addonTiming } } : {}),
    ...(countFibers ? { fibers: { ...fiberCount } } : {})
  })
  out({ event: "ready", tree, echoPort, tap, ip: `${ip.text}/${ip.prefixLength}`, host: `${host.text}/${host.prefixLength}`, mac: macText, pid: process.pid })
  if (statsMs > 0) {
    setInterval(() => out({ event: "stats", t: performance.now() - t0, stats: readStats() }), statsMs)
  }
  return yield* Effect.never
}).pipe(Effect.scoped, Effect.provide(live), (p) => (countFibers ? Effect.supervised(p, new CountingSupervisor()) : p))

// stdin commands, one per line: "stats" (print a stats line now),
// "prof-start" / "prof-stop FILE" (V8 CPU profile of just that window, written as .cpuprofile),
// "heap-start" / "heap-stop FILE" (sampling allocation profile, young garbage included),
// "heap-snapshot FILE" (v8.writeHeapSnapshot; pauses the stack while it writes),
// "gc-stats" (a full GC first when node runs with --expose-gc, twice, so what a first pass freed for
// finalization is gone too; then {"event":"gc-stats", gc, memory: process.memoryUsage(), heap: V8's
// used/total/external sizes, stats}: the memory figures of bench/conns.mjs).
let session
/** End the profiling session with `method`, write its profile to `file`, report `event`. */
const stopSession = (method, file, event) =>
  session.post(method, (err, res) => {
    if (!err) writeFileSync(file, JSON.stringify(res.profile))
    session.disconnect()
    session = undefined
    out({ event, file, error: err ? String(err) : undefined })
  })
const commands = createInterface({ input: process.stdin })
// --exit-on-stdin-close: the harness holds our stdin open; if it dies, so do we.
if (flag("exit-on-stdin-close")) commands.on("close", () => shutdown("stdin closed"))
commands.on("line", (line) => {
  const [cmd, arg] = line.trim().split(/\s+/)
  if (cmd === "stats") out({ event: "stats", t: performance.now() - t0, stats: readStats() })
  else if (cmd === "gc-stats") {
    const gc = typeof globalThis.gc === "function"
    const g0 = performance.now()
    if (gc) {
      globalThis.gc()
      globalThis.gc()
    }
    const gcMs = performance.now() - g0
    const h = v8.getHeapStatistics()
    out({
      event: "gc-stats", t: performance.now() - t0, gc, gcMs,
      memory: process.memoryUsage(),
      heap: { usedHeapSize: h.used_heap_size, totalHeapSize: h.total_heap_size, externalMemory: h.external_memory, mallocedMemory: h.malloced_memory },
      stats: readStats()
    })
  }
  else if (cmd === "heap-snapshot" && arg) {
    const file = v8.writeHeapSnapshot(arg)
    out({ event: "heap-snapshot", file })
  }
  else if (cmd === "prof-start" && session === undefined) {
    session = new Session()
    session.connect()
    session.post("Profiler.enable", () =>
      session.post("Profiler.setSamplingInterval", { interval: 250 }, () =>
        session.post("Profiler.start", () => out({ event: "profiling", t: performance.now() - t0 }))))
  } else if (cmd === "heap-start" && session === undefined) {
    // sampling heap profiler, counting objects that die young too: who allocates
    session = new Session()
    session.connect()
    session.post("HeapProfiler.enable", () =>
      session.post("HeapProfiler.startSampling", {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true
      }, () => out({ event: "heap-sampling", t: performance.now() - t0 })))
  } else if (cmd === "heap-stop" && session !== undefined && arg) {
    stopSession("HeapProfiler.stopSampling", arg, "heap-profile")
  } else if (cmd === "prof-stop" && session !== undefined && arg) {
    stopSession("Profiler.stop", arg, "profile")
  }
})

process.on("SIGTERM", () => shutdown("SIGTERM"))
process.on("SIGINT", () => shutdown("SIGINT"))
process.on("SIGUSR2", () => out({ event: "stats", t: performance.now() - t0, stats: readStats() }))
setTimeout(() => shutdown("max-seconds"), maxSeconds * 1000)

fiber = Effect.runFork(program)
fiber.addObserver((exit) => {
  if (shuttingDown) return
  const message = exit._tag === "Failure" ? String(exit.cause?.toString?.() ?? exit.cause) : "stack stopped"
  out({ event: "error", message })
  process.exit(1)
})
