import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { Chunk, Effect, Exit, Layer, Option, Scope, TestClock } from "effect"
import { Link } from "../../src/link/Link.js"
import * as LinkMemory from "../../src/link/LinkMemory.js"
import * as LinkPcap from "../../src/link/LinkPcap.js"
import { failureOf } from "../support/Failure.js"

const MAC_A = new Uint8Array([0x02, 0, 0, 0, 0, 0x0a])
const MAC_B = new Uint8Array([0x02, 0, 0, 0, 0, 0x0b])

/** An Ethernet II frame (EtherType 0x88b5, local experimental) of `len` octets. */
const frame = (dst: Uint8Array, src: Uint8Array, tag: number, len = 60): Uint8Array => {
  const f = new Uint8Array(len)
  f.set(dst, 0)
  f.set(src, 6)
  f[12] = 0x88
  f[13] = 0xb5
  for (let i = 14; i < len; i++) f[i] = (tag + i) & 0xff
  return f
}

interface Parsed {
  readonly magic: number
  readonly versionMajor: number
  readonly versionMinor: number
  readonly thiszone: number
  readonly sigfigs: number
  readonly snaplen: number
  readonly linktype: number
  readonly records: ReadonlyArray<{
    readonly sec: number
    readonly usec: number
    readonly origLen: number
    readonly data: Uint8Array
  }>
}

/** An independent reader of classic little-endian pcap files. */
const parsePcap = (bytes: Uint8Array): Parsed => {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const records: Array<Parsed["records"][number]> = []
  let o = 24
  while (o < bytes.length) {
    expect(bytes.length - o).toBeGreaterThanOrEqual(16)
    const inclLen = v.getUint32(o + 8, true)
    records.push({
      sec: v.getUint32(o, true),
      usec: v.getUint32(o + 4, true),
      origLen: v.getUint32(o + 12, true),
      data: bytes.slice(o + 16, o + 16 + inclLen)
    })
    o += 16 + inclLen
  }
  expect(o).toBe(bytes.length)
  return {
    magic: v.getUint32(0, true),
    versionMajor: v.getUint16(4, true),
    versionMinor: v.getUint16(6, true),
    thiszone: v.getInt32(8, true),
    sigfigs: v.getUint32(12, true),
    snaplen: v.getUint32(16, true),
    linktype: v.getUint32(20, true),
    records
  }
}

/** A temporary directory, removed when the scope closes. */
const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(nodePath.join(os.tmpdir(), "gonet-pcap-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/**
 * Run `tshark -r file` and return its packets as [frame.len, frame.time_epoch]
 * rows, or undefined (with a printed reason) when tshark is not installed.
 */
const tshark = (file: string): ReadonlyArray<readonly [number, string]> | undefined => {
  const run = spawnSync("tshark", ["-r", file, "-T", "fields", "-e", "frame.len", "-e", "frame.time_epoch"], {
    encoding: "utf8"
  })
  if (run.error !== undefined && (run.error as NodeJS.ErrnoException).code === "ENOENT") {
    console.log("LinkPcap.test: tshark not found on PATH; skipping the tshark check")
    return undefined
  }
  expect(run.error).toBeUndefined()
  // tshark warns on stderr when run as root; that is not a complaint about the file
  const complaints = run.stderr
    .split("\n")
    .filter((line) => line.trim() !== "" && !/^Running as user .* This could be dangerous\.$/.test(line.trim()))
  expect(complaints).toEqual([])
  expect(run.status).toBe(0)
  return run.stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [len, time] = line.split("\t")
      return [Number(len), time!] as const
    })
}

describe("LinkPcap", () => {
  it.scoped("records both directions with TestClock timestamps; tshark reads the file", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = nodePath.join(dir, "both.pcap")
      const f1 = frame(MAC_B, MAC_A, 1)
      const f2 = frame(MAC_B, MAC_A, 2, 1514)
      const f3 = frame(MAC_A, MAC_B, 3, 98)
      const f4 = frame(MAC_B, MAC_A, 4, 342)
      const expected = [f1, f2, f3, f4].map((f) => f.slice())

      const pa = yield* Effect.scoped(
        Effect.gen(function* () {
          const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
          const pa = yield* LinkPcap.make(a, { path: file })

          yield* pa.sendBatch([f1, f2]) // t = 0
          const atB = yield* b.receive.take
          expect(atB).toEqual([f1, f2])
          atB[0]!.fill(0xee) // the receiver owns it now; the record must not change

          yield* TestClock.adjust("1500 millis")
          yield* b.send(f3) // recorded by pa's receive fiber at t = 1.5 s
          expect(yield* pa.receive.take).toEqual([f3])

          yield* TestClock.adjust("250 millis")
          yield* pa.send(f4) // t = 1.75 s
          expect(yield* b.receive.take).toEqual([f4])

          expect(yield* pa.stats).toEqual({
            rxFrames: 1,
            rxDropped: 0,
            rxErrors: 0,
            rxMalformed: 0,
            txFrames: 3,
            txDropped: 0,
            txQueueFull: 0,
            txTooBig: 0,
            txErrors: 0
          })
          return pa
        })
      )
      // the scope is closed: everything is flushed and the file closed
      const pcapStats = yield* pa.pcapStats
      expect(pcapStats.recorded).toBe(4)
      expect(pcapStats.dropped).toBe(0)

      const bytes = new Uint8Array(fs.readFileSync(file))
      expect(bytes.length).toBe(pcapStats.bytesWritten)
      // magic 0xa1b2c3d4 written little-endian
      expect(Array.from(bytes.subarray(0, 4))).toEqual([0xd4, 0xc3, 0xb2, 0xa1])
      const p = parsePcap(bytes)
      expect(p.magic).toBe(0xa1b2c3d4)
      expect([p.versionMajor, p.versionMinor]).toEqual([2, 4])
      expect(p.thiszone).toBe(0)
      expect(p.sigfigs).toBe(0)
      expect(p.snaplen).toBe(262144)
      expect(p.linktype).toBe(1)
      expect(p.records).toHaveLength(4)
      expect(p.records.map((r) => [r.sec, r.usec])).toEqual([[0, 0], [0, 0], [1, 500_000], [1, 750_000]])
      for (let i = 0; i < 4; i++) {
        expect(p.records[i]!.origLen).toBe(expected[i]!.length)
        expect(p.records[i]!.data).toEqual(expected[i])
      }

      const packets = tshark(file)
      if (packets !== undefined) {
        expect(packets.map(([len]) => len)).toEqual(expected.map((f) => f.length))
        expect(packets.map(([, time]) => Number(time))).toEqual([0, 0, 1.5, 1.75])
      }
    }))

  it.scoped("truncates captures to snaplen but keeps the original length", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = nodePath.join(dir, "snap.pcap")
      const big = frame(MAC_B, MAC_A, 7, 100)
      const small = frame(MAC_B, MAC_A, 8, 60)
      yield* Effect.scoped(
        Effect.gen(function* () {
          const [a] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
          const pa = yield* LinkPcap.make(a, { path: file, snaplen: 64 })
          yield* pa.sendBatch([big, small])
        })
      )
      const p = parsePcap(new Uint8Array(fs.readFileSync(file)))
      expect(p.snaplen).toBe(64)
      expect(p.records.map((r) => [r.data.length, r.origLen])).toEqual([[64, 100], [60, 60]])
      expect(p.records[0]!.data).toEqual(big.subarray(0, 64))
      const packets = tshark(file)
      if (packets !== undefined) expect(packets.map(([len]) => len)).toEqual([100, 60])
    }))

  it.scoped("records a gathered frame as its pieces back to back, even when they are reused after the send", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const whole = frame(MAC_B, MAC_A, 5, 100)
      const expected = whole.slice()
      const pieces = [whole.subarray(0, 14), whole.subarray(14, 34), new Uint8Array(0), whole.subarray(34)]
      const plain = frame(MAC_B, MAC_A, 6, 60)
      const [full, cut] = yield* Effect.forEach(["full", "cut"] as const, (name) =>
        Effect.scoped(
          Effect.gen(function* () {
            whole.set(expected)
            const path = nodePath.join(dir, `${name}.pcap`)
            const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
            // snaplen 50 ends the capture inside the last piece but one
            const pa = yield* LinkPcap.make(a, { path, snaplen: name === "cut" ? 50 : 65535 })
            yield* pa.sendBatch([pieces, plain])
            yield* pa.send(pieces)
            whole.fill(0xcc) // the sends have completed: the pieces are the sender's again
            const got = Chunk.toReadonlyArray(yield* b.receive.clear).flat()
            expect(got).toEqual([expected, plain, expected])
            return path
          })
        ).pipe(Effect.map((path) => parsePcap(new Uint8Array(fs.readFileSync(path))))))
      expect(full.records.map((r) => [r.data, r.origLen])).toEqual([[expected, 100], [plain, 60], [expected, 100]])
      expect(cut.records.map((r) => [r.data, r.origLen])).toEqual([
        [expected.subarray(0, 50), 100],
        [plain.subarray(0, 50), 60],
        [expected.subarray(0, 50), 100]
      ])
    }))

  it.scoped("writes many batches in order through the writer fiber", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = nodePath.join(dir, "many.pcap")
      const frames = Array.from({ length: 500 }, (_, i) => frame(MAC_B, MAC_A, i, 60 + (i % 40)))
      yield* Effect.scoped(
        Effect.gen(function* () {
          const [a] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
          const pa = yield* LinkPcap.make(a, { path: file })
          for (let i = 0; i < frames.length; i += 5) {
            yield* pa.sendBatch(frames.slice(i, i + 5))
            if (i % 50 === 0) yield* Effect.yieldNow() // let the writer run mid-stream
          }
        })
      )
      const p = parsePcap(new Uint8Array(fs.readFileSync(file)))
      expect(p.records).toHaveLength(frames.length)
      for (let i = 0; i < frames.length; i++) expect(p.records[i]!.data).toEqual(frames[i])
    }))

  it.scoped("when the inner link is done, receive delivers what it holds, then reports done", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = nodePath.join(dir, "done.pcap")
      const f = frame(MAC_A, MAC_B, 1)
      const cable = yield* Scope.make()
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B }).pipe(Scope.extend(cable))
      const pa = yield* LinkPcap.make(a, { path: file })
      yield* b.send(f)
      while ((yield* pa.stats).rxFrames < 1) yield* Effect.yieldNow()
      yield* Scope.close(cable, Exit.void) // a.receive is shut down
      // let the relay fiber see that and end ours before anything is taken
      for (let i = 0; i < 100; i++) yield* Effect.yieldNow()
      const got: Array<ReadonlyArray<Uint8Array>> = []
      for (;;) {
        const [batches, done] = yield* pa.receive.takeAll()
        got.push(...batches)
        if (done) break
      }
      expect(got).toEqual([[f]])
      expect(yield* pa.receive.size).toEqual(Option.none())
    }))

  it.scoped("layer wraps the Link in context", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = nodePath.join(dir, "layer.pcap")
      const f = frame(MAC_B, MAC_A, 1)
      yield* Effect.scoped(
        Effect.gen(function* () {
          const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
          yield* Effect.flatMap(Link, (link) => link.send(f)).pipe(
            Effect.provide(LinkPcap.layer({ path: file }).pipe(Layer.provide(LinkMemory.layer(a))))
          )
          expect(yield* b.receive.take).toEqual([f])
        })
      )
      expect(parsePcap(new Uint8Array(fs.readFileSync(file))).records).toHaveLength(1)
    }))

  it.scoped("fails with PcapError when the file cannot be created", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const [a] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
      const error = yield* LinkPcap.make(a, { path: nodePath.join(dir, "missing", "x.pcap") }).pipe(failureOf)
      expect(error._tag).toBe("PcapError")
      expect(error.reason).toBe("Open")
      expect(error.message).toContain("missing")
    }))
})
