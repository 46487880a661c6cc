/**
 * A recording link: wraps another link and writes every frame, in both
 * directions, to a classic libpcap file that Wireshark, tshark and tcpdump
 * read. The same idea as smoltcp's `phy/pcap_writer.rs` and gVisor's
 * `link/sniffer`.
 *
 * File format (https://www.tcpdump.org/manpages/pcap-savefile.5.html and
 * draft-ietf-opsawg-pcap): everything little-endian.
 * - Global header, 24 octets: magic 0xa1b2c3d4 (microsecond timestamps),
 *   version 2.4, thiszone 0, sigfigs 0, snaplen (default 262144, as
 *   tcpdump's: a TSO segment with its headers exceeds 65535), linktype 1
 *   (LINKTYPE_ETHERNET).
 * - Per frame, a 16-octet record header: seconds, microseconds, captured
 *   length (`min(length, snaplen)`), original length; then the captured octets.
 *
 * Contract
 * - Timestamps come from Effect's `Clock` (`currentTimeNanos`), so under
 *   `TestClock` they are virtual time. All frames of one batch share one
 *   timestamp (they crossed the link together).
 * - Transmitted frames are recorded when `send`/`sendBatch` is called, before
 *   they are handed to the inner link; received frames are recorded when this
 *   link's receive fiber takes them from `inner.receive`. Records are in the
 *   order these events happen.
 * - Recording copies the octets at once, so neither side's later ownership of
 *   a frame (Link.ts: the receiver may mutate it, the sender may reuse the
 *   pieces of a gathered frame once the send completed) affects the file. A
 *   gathered frame is recorded as its pieces back to back, copied straight
 *   into the record. Frames are passed on as-is (a gathered frame as the same
 *   pieces), with their offload requests and `checksumOk` (this link offers
 *   what the inner one offers). A frame whose checksum was left to the
 *   offload is recorded as it was sent, so it shows a wrong checksum, as
 *   tcpdump shows on a host with checksum offload.
 * - No file I/O on the hot path: a batch is encoded into one buffer and put on
 *   a bounded queue of `capacity` buffers (default 1024); one writer fiber
 *   takes everything pending and issues one asynchronous positioned
 *   `fs.writev` of those buffers (no concatenation), at the file's end, which
 *   is `pcapStats.bytesWritten`. When the queue is full, records are dropped
 *   and counted in `pcapStats.dropped` (the frames themselves still pass). A
 *   write error is logged once; recording then stops (further records are
 *   counted as dropped) so the file stays well-formed up to that point.
 * - Closing the scope stops the receive fiber, lets an in-flight write
 *   finish, writes whatever is still queued synchronously, and closes the
 *   file: nothing accepted is lost.
 * - Receive side: one fiber is the single consumer of `inner.receive`
 *   (DESIGN.md §3); it drains it with `consume` (one `takeAll` per wake-up,
 *   batches kept as they were) and offers to this link's own bounded,
 *   dropping `Mailbox` (`capacity` batches), dropping and counting in
 *   `rxDropped` when full. When `inner.receive` is done, this link's
 *   `receive` ends too: batches it already holds can still be taken, then
 *   `takeAll` reports `done`. Closing the scope shuts it down.
 * - `stats`: `rxFrames` counts frames delivered on this link's `receive`;
 *   `txFrames` is the inner link's; dropped counters are the inner link's plus
 *   this link's own receive-mailbox overflow.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import { Chunk, Clock, Data, Effect, Layer, Queue } from "effect"
import type * as Scope from "effect/Scope"
import { frameLength, Link, type LinkService, type OutFrame } from "./Link.js"
import * as Middleware from "./Middleware.js"

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface PcapOptions {
  /** file to create (truncated if it exists) */
  readonly path: string
  /** largest number of octets kept per frame; default 262144 (tcpdump's), room for any TSO segment */
  readonly snaplen?: number
  /** capacity of the receive mailbox (batches) and of the write queue (encoded batches); default 1024 */
  readonly capacity?: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PcapStats {
  /** frames accepted for recording (written, or queued to be written) */
  readonly recorded: number
  /** frames not recorded: write queue full, write error, or scope closed */
  readonly dropped: number
  /** octets written to the file so far, the global header included */
  readonly bytesWritten: number
}

/**
 * The wrapped link plus the recorder's counters.
 *
 * @since 0.1.0
 * @category models
 */
export interface LinkPcapService extends LinkService {
  readonly pcapStats: Effect.Effect<PcapStats>
}

/**
 * The pcap file could not be created or its header written.
 *
 * @since 0.1.0
 * @category errors
 */
export class PcapError extends Data.TaggedError("PcapError")<{
  readonly reason: "Open" | "Write"
  readonly path: string
  readonly detail: string
}> {
  override get message(): string {
    return `pcap ${this.reason === "Open" ? "open" : "write"} failed for ${this.path}: ${this.detail}`
  }
}

// -----------------------------------------------------------------------------
// encoding (pure)
// -----------------------------------------------------------------------------

/**
 * Offsets in the global header, octets.
 * @category encoding
 */
export const GlobalHeaderField = {
  magic: 0,
  versionMajor: 4,
  versionMinor: 6,
  thiszone: 8,
  sigfigs: 12,
  snaplen: 16,
  linktype: 20
} as const

/**
 * Offsets in a record header, octets.
 * @category encoding
 */
export const RecordHeaderField = {
  tsSec: 0,
  tsUsec: 4,
  inclLen: 8,
  origLen: 12
} as const

/** @category encoding */
export const GLOBAL_HEADER_LEN = 24
/** @category encoding */
export const RECORD_HEADER_LEN = 16
/** Magic for microsecond-resolution files (written little-endian). @category encoding */
export const MAGIC_MICROS = 0xa1b2c3d4
/** LINKTYPE_ETHERNET. @category encoding */
export const LINKTYPE_ETHERNET = 1

/**
 * The 24-octet global header.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeGlobalHeader = (snaplen: number): Uint8Array => {
  const out = new Uint8Array(GLOBAL_HEADER_LEN)
  const v = new DataView(out.buffer)
  v.setUint32(GlobalHeaderField.magic, MAGIC_MICROS, true)
  v.setUint16(GlobalHeaderField.versionMajor, 2, true)
  v.setUint16(GlobalHeaderField.versionMinor, 4, true)
  v.setInt32(GlobalHeaderField.thiszone, 0, true)
  v.setUint32(GlobalHeaderField.sigfigs, 0, true)
  v.setUint32(GlobalHeaderField.snaplen, snaplen, true)
  v.setUint32(GlobalHeaderField.linktype, LINKTYPE_ETHERNET, true)
  return out
}

/** The first `n` octets of `frame` (its pieces back to back) into `out` at `at`. */
const copyPrefix = (out: Uint8Array, at: number, frame: OutFrame, n: number): void => {
  if (frame instanceof Uint8Array) {
    out.set(n === frame.length ? frame : frame.subarray(0, n), at)
    return
  }
  let left = n
  for (const piece of frame) {
    if (left === 0) return
    const take = Math.min(piece.length, left)
    out.set(take === piece.length ? piece : piece.subarray(0, take), at)
    at += take
    left -= take
  }
}

/**
 * Records for a batch of frames sharing one timestamp, `timeNanos` since the
 * Unix epoch, in one buffer. A gathered frame is recorded as its pieces back
 * to back.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeRecords = (
  frames: ReadonlyArray<OutFrame>,
  timeNanos: bigint,
  snaplen: number
): Uint8Array => {
  let total = 0
  for (const f of frames) total += RECORD_HEADER_LEN + Math.min(frameLength(f), snaplen)
  const out = new Uint8Array(total)
  const v = new DataView(out.buffer)
  const nanos = timeNanos < 0n ? 0n : timeNanos
  // uint32 seconds wrap in 2106, as in every classic pcap writer
  const sec = Number((nanos / 1_000_000_000n) & 0xffffffffn)
  const usec = Number((nanos % 1_000_000_000n) / 1000n)
  let o = 0
  for (const f of frames) {
    const length = frameLength(f)
    const incl = Math.min(length, snaplen)
    v.setUint32(o + RecordHeaderField.tsSec, sec, true)
    v.setUint32(o + RecordHeaderField.tsUsec, usec, true)
    v.setUint32(o + RecordHeaderField.inclLen, incl, true)
    v.setUint32(o + RecordHeaderField.origLen, length, true)
    copyPrefix(out, o + RECORD_HEADER_LEN, f, incl)
    o += RECORD_HEADER_LEN + incl
  }
  return out
}

// -----------------------------------------------------------------------------
// file I/O
// -----------------------------------------------------------------------------

/**
 * What is left of `bufs` once its first `n` octets are written: the buffers
 * after them, the first one cut where the write stopped. Empty buffers at the
 * front are dropped, so a non-empty result always starts with an octet.
 */
const unwritten = (bufs: ReadonlyArray<Uint8Array>, n: number): ReadonlyArray<Uint8Array> => {
  let i = 0
  let skip = n
  while (i < bufs.length && skip >= bufs[i]!.length) skip -= bufs[i++]!.length
  if (i === bufs.length) return []
  const rest = bufs.slice(i)
  if (skip > 0) rest[0] = rest[0]!.subarray(skip)
  return rest
}

const noProgress = (): Error => new Error("the file took no octets (a write of 0)")

/**
 * Write `bufs` back to back at `position`: one positioned `writev` on the
 * libuv thread pool, continued if it stops short (libuv already retries, so
 * this is a safety net; a write that makes no progress is an error).
 */
const writeAllAt = (fd: number, bufs: ReadonlyArray<Uint8Array>, position: number): Effect.Effect<void, Error> =>
  Effect.async<void, Error>((resume) => {
    const step = (rest: ReadonlyArray<Uint8Array>, at: number): void => {
      fs.writev(fd, rest, at, (err, n) => {
        if (err) return resume(Effect.fail(err))
        const left = unwritten(rest, n)
        if (left.length === 0) resume(Effect.void)
        else if (n === 0) resume(Effect.fail(noProgress()))
        else step(left, at + n)
      })
    }
    step(bufs, position)
  })

const writeAllAtSync = (fd: number, bufs: ReadonlyArray<Uint8Array>, position: number): void => {
  let rest = unwritten(bufs, 0)
  let at = position
  while (rest.length > 0) {
    const n = fs.writevSync(fd, rest, at)
    if (n === 0) throw noProgress()
    rest = unwritten(rest, n)
    at += n
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

interface Pending {
  readonly bytes: Uint8Array
  /** frames in `bytes` */
  readonly records: number
}

/** The buffers of queued batches, in order, with their record and octet counts. */
const collect = (chunk: Chunk.Chunk<Pending>) => {
  const bufs: Array<Uint8Array> = []
  let records = 0
  let octets = 0
  for (const p of chunk) {
    bufs.push(p.bytes)
    records += p.records
    octets += p.bytes.length
  }
  return { bufs, records, octets }
}

// -----------------------------------------------------------------------------
// constructors
// -----------------------------------------------------------------------------

/**
 * Wrap `inner` and record both directions to `options.path`. The returned link
 * takes over `inner.receive`; use only it afterwards. The file is closed, with
 * every accepted record written, when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  inner: LinkService,
  options: PcapOptions
): Effect.Effect<LinkPcapService, PcapError, Scope.Scope> =>
  Effect.gen(function* () {
    const path = options.path
    const snaplen = options.snaplen ?? 262144
    const capacity = options.capacity ?? 1024
    if (!Number.isInteger(snaplen) || snaplen <= 0 || snaplen > 0xffffffff) {
      return yield* Effect.dieMessage(`LinkPcap: snaplen must be a positive integer, got ${snaplen}`)
    }

    // `bytesWritten` is also where the next write goes: records are only
    // ever appended, one write at a time.
    const counters = { recorded: 0, dropped: 0, bytesWritten: 0 }
    /** false once the file is closed or a write failed: records are then dropped */
    let recording = true
    const lost = (records: number): void => {
      counters.recorded -= records
      counters.dropped += records
    }
    // The write queue stays a `Queue`: it is not the receive hand-off (that is
    // the Mailbox below), its reader wakes once per file write, and the
    // close path relies on `takeAll` without waiting after the writer stopped.
    const writes = yield* Queue.dropping<Pending>(capacity)

    const fd = yield* Effect.acquireRelease(
      Effect.suspend(() => {
        let fd: number
        try {
          fd = fs.openSync(path, "w")
        } catch (e) {
          return Effect.fail(new PcapError({ reason: "Open", path, detail: errorText(e) }))
        }
        try {
          writeAllAtSync(fd, [encodeGlobalHeader(snaplen)], 0)
        } catch (e) {
          try {
            fs.closeSync(fd)
          } catch {
            // already failing; the write error is the one to report
          }
          return Effect.fail(new PcapError({ reason: "Write", path, detail: errorText(e) }))
        }
        counters.bytesWritten = GLOBAL_HEADER_LEN
        return Effect.succeed(fd)
      }),
      // Runs after the writer fiber has stopped (it is forked later, so it is
      // interrupted first): write the rest synchronously, then close.
      (fd) =>
        Effect.gen(function* () {
          const rest = collect(yield* Queue.takeAll(writes))
          yield* Queue.shutdown(writes)
          const wasRecording = recording
          recording = false
          if (rest.records > 0) {
            const written = wasRecording &&
              (yield* Effect.try(() => writeAllAtSync(fd, rest.bufs, counters.bytesWritten)).pipe(
                Effect.as(true),
                Effect.catchAll((e) =>
                  Effect.logError(`LinkPcap: writing ${path} failed: ${errorText(e)}`).pipe(Effect.as(false))
                )
              ))
            if (written) counters.bytesWritten += rest.octets
            else lost(rest.records)
          }
          yield* Effect.try(() => fs.closeSync(fd)).pipe(
            Effect.catchAll((e) => Effect.logError(`LinkPcap: closing ${path} failed: ${errorText(e)}`))
          )
        })
    )

    // The writer: one fiber, one positioned writev per wake-up.
    yield* Effect.uninterruptibleMask((restore) =>
      restore(Queue.takeBetween(writes, 1, Number.POSITIVE_INFINITY)).pipe(
        Effect.flatMap((chunk) => {
          const pending = collect(chunk)
          if (!recording) {
            lost(pending.records)
            return Effect.void
          }
          return writeAllAt(fd, pending.bufs, counters.bytesWritten).pipe(
            Effect.matchEffect({
              onSuccess: () =>
                Effect.sync(() => {
                  counters.bytesWritten += pending.octets
                }),
              onFailure: (e) =>
                Effect.suspend(() => {
                  recording = false
                  lost(pending.records)
                  return Effect.logError(`LinkPcap: writing ${path} failed, recording stopped: ${errorText(e)}`)
                })
            })
          )
        })
      )
    ).pipe(Effect.forever, Effect.forkScoped)

    const record = (frames: ReadonlyArray<OutFrame>): Effect.Effect<void> =>
      Effect.flatMap(Clock.currentTimeNanos, (now) =>
        Effect.sync(() => {
          if (frames.length === 0) return
          if (!recording) {
            counters.dropped += frames.length
            return
          }
          const bytes = encodeRecords(frames, now, snaplen)
          if (Queue.unsafeOffer(writes, { bytes, records: frames.length })) {
            counters.recorded += frames.length
          } else {
            counters.dropped += frames.length
          }
        })
      )

    // ---- receive path: one fiber, the single consumer of inner.receive
    const side = yield* Middleware.makeReceiveSide(capacity)
    yield* Middleware.relay(inner, side, (batch) => Effect.map(record(batch), () => side.deliver(batch)))
    const stats = Middleware.stats(inner, side.own)

    return {
      mac: inner.mac,
      mtu: inner.mtu,
      offload: inner.offload,
      receive: side.receive,
      send: (frame) => Effect.zipRight(record([frame]), inner.send(frame)),
      sendBatch: (frames, meta) => Effect.zipRight(record(frames), inner.sendBatch(frames, meta)),
      stats,
      pcapStats: Effect.sync((): PcapStats => ({ ...counters }))
    } satisfies LinkPcapService
  })

// -----------------------------------------------------------------------------
// layers
// -----------------------------------------------------------------------------

/**
 * Wrap the `Link` in context with a pcap recorder.
 *
 * @example
 * const link = LinkPcap.layer({ path: "/tmp/gonet.pcap" }).pipe(Layer.provide(LinkTap.layer({ name: "tap0" })))
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: PcapOptions): Layer.Layer<Link, PcapError, Link> =>
  Layer.scoped(
    Link,
    Effect.flatMap(Link, (inner) => make(inner, options))
  )
