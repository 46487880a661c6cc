/**
 * `Link` over a Linux TAP device, through the project's N-API addon
 * (`TapAddon`, DESIGN.md §4).
 *
 * Contract
 * - Opening: attaches to the TAP `name` in the network namespace of this
 *   process, creating it (non-persistent) unless `create: false`, in which case
 *   a missing interface fails with `LinkError` `NoSuchDevice`. Other failures:
 *   `NoTunDevice` (no /dev/net/tun or driver), `NotPermitted` (needs root or
 *   CAP_NET_ADMIN), `Busy` (another process has it), `InvalidName`
 *   (1..15 octets, no '/', ':' or whitespace; or the name is taken by an
 *   interface that is not a TAP). With `host`, the kernel side of the TAP is
 *   then configured in this namespace: MTU := `mtu`, the address and prefix
 *   assigned, the interface brought up (failures: the same reasons, or `Io`).
 * - Receive: the addon reads on the event loop and calls back once per wake
 *   with up to 64 frames in fresh `ArrayBuffer`s (the frames under 16 KiB
 *   share one; each longer one, a TSO aggregate, has its own, so keeping one
 *   keeps only its own octets alive). The callback offers that
 *   batch to a bounded, dropping `Mailbox` of `receiveCapacity` batches
 *   without waiting (`unsafeOffer`, synchronous); when the mailbox is full the
 *   whole batch is dropped and its frames counted in `rxDropped`. The event
 *   loop is never blocked. Delivered frames are owned by the consumer. A hard
 *   read error (e.g. the interface was deleted under us) stops reading; it is
 *   logged once with `Effect.logError` and the mailbox stays open (no more
 *   frames arrive).
 * - Send: one addon call per `sendBatch`, one synchronous `writev()` per
 *   frame on the non-blocking fd; a gathered frame's pieces go to the kernel
 *   as they are (no copy), except that one of more than the addon's
 *   `maxPieces` (8) pieces is first flattened. Nothing is kept after the
 *   call, so the caller may reuse every buffer once the send's effect has
 *   completed. A frame longer than `mtu + 14` octets (Ethernet header, no FCS)
 *   is not written.
 * - `stats`: `rxFrames`/`txFrames` count frames delivered to the mailbox and
 *   written to the kernel. Refusals by kind: `txTooBig` (the length check
 *   above), and from the addon's per-handle counters, read when `stats` runs:
 *   `txQueueFull` (EAGAIN/ENOBUFS/ENOMEM: no room in the kernel) and
 *   `txErrors` (any other refusal: EIO while the interface is down, EBADFD
 *   once it is deleted, and every send after close); `txDropped` is their sum.
 *   `rxDropped` counts frames refused by the full mailbox and frames the
 *   addon read but could not hand over (no memory for the batch); `rxErrors`
 *   counts hard read errors, which are errors, not frames (at most one, since
 *   reading then stops).
 * - Closing the scope stops reading, closes the fd (the kernel deletes a
 *   TAP this process created, since it is not persistent) and shuts the
 *   receive mailbox down: a fiber waiting in `takeAll` is released with
 *   `done = true`, and batches not yet taken are discarded.
 * - Offloads (`offload`, default on; DESIGN.md §4): the TAP is opened with
 *   `IFF_VNET_HDR`, so every frame travels behind a virtio-net header
 *   (wire/VirtioNet.ts), and the kernel is told (`TUNSETOFFLOAD`) that it may
 *   hand us partial checksums and TCP segments of up to 64 KiB (TSO4, with
 *   ECN when it takes that). Received headers are checked (`rxVerdict`): a
 *   frame whose checksum the kernel vouches for comes in a batch carrying
 *   `checksumOk`; a header that cannot be honoured drops its frame
 *   (`rxMalformed`). On send, a frame's `TxMeta` becomes its header: the
 *   kernel completes partial checksums and cuts TSO segments (so those may
 *   exceed the MTU, up to a 65535-octet datagram). When the kernel refuses
 *   every offload setting, frames still carry zero headers and nothing is
 *   offloaded; with `offload: false` the TAP is opened without headers, as
 *   before offloads existed. Either way the kernel is then asked for no
 *   offloads at all: a persistent TAP keeps what a previous owner set after
 *   its fd closed, and would otherwise hand over partial checksums and
 *   oversized segments with no header to say so. `offload` on the service
 *   says what is on.
 * - Bad options (a MAC that is not 6 octets, an MTU outside 68..65535, a
 *   capacity below 1) are defects, not `LinkError`s: the caller validates
 *   user input first.
 * - `make` drives the built addon (`TapAddon.load`) unless it is handed a
 *   `TapNative`: tests give it a fake one to reach what a real kernel will
 *   not do on demand (refuse offload settings, hand over bad headers).
 *   `rxVnetBatch` is the receive path's pure core, exported for its tests.
 *
 * @since 0.1.0
 */
import { Effect, Layer, Runtime } from "effect"
import type { Scope } from "effect"
import { Inbox } from "../internal/Inbox.js"
import * as Trampoline from "../internal/Trampoline.js"
import * as Eth from "../wire/EthernetFrame.js"
import * as VirtioNet from "../wire/VirtioNet.js"
import {
  flatten,
  frameLength,
  Link,
  linkStats,
  MAX_SEGMENTED_FRAME,
  NO_OFFLOAD,
  type OutFrame,
  syncSendBatch,
  TxMeta,
  vouched
} from "./Link.js"
import type { FrameBatch, LinkError, LinkOffload, LinkService, LinkStats } from "./Link.js"
import type { Mac } from "../wire/Mac.js"
import * as TapAddon from "./TapAddon.js"

/**
 * @category models
 */
export interface LinkTapOptions {
  /** interface name, 1..15 octets; a `%d` template lets the kernel pick */
  readonly name: string
  /** the stack's own Ethernet address on this link (not the kernel side's) */
  readonly mac: Mac
  /** largest Ethernet payload in octets; default 1500 */
  readonly mtu?: number
  /** create the TAP when missing; default true */
  readonly create?: boolean
  /** configure the kernel side: MTU, this IPv4 address (uint32) and prefix, up */
  readonly host?: { readonly address: number; readonly prefixLength: number }
  /** receive mailbox capacity in batches (of up to 64 frames); default 1024 */
  readonly receiveCapacity?: number
  /**
   * Frames the kernel may queue for our reads before it drops them (the TAP's
   * txqueuelen, our "RX ring"); default 4096. The kernel's default (1000) is
   * one burst of a thousand pings: a reader that is a moment late loses the rest.
   */
  readonly kernelQueueLength?: number
  /** checksum and TCP segmentation offloads through virtio-net headers; default true */
  readonly offload?: boolean
}

/**
 * The batch to deliver for `frames` read behind virtio-net headers, as the
 * addon hands them over: views into `ArrayBuffer`s (the small frames share
 * one, each aggregate has its own), each frame's header in the 10 octets
 * before its view. Frames whose header is refused
 * (`VirtioNet.rxVerdict` < 0) are left out, the others kept in order, with
 * `checksumOk` where the kernel vouches for any of them; so the frames
 * refused are `frames.length - result.length` (the link's `rxMalformed`).
 * The usual batch (every header fine) is `frames` itself, with `checksumOk`
 * attached when needed: the hot path copies nothing (the array is the
 * addon's, handed over). No effects, and it never throws on a batch laid out
 * as the addon lays it out, whatever the headers hold.
 * @category combinators
 */
export const rxVnetBatch = (frames: Array<Uint8Array>): FrameBatch => {
  if (frames.length === 0) return frames
  // (the small frames share a buffer; an aggregate has one of its own: one view of each buffer)
  let whole = new Uint8Array(frames[0]!.buffer)
  let ok: Uint8Array | undefined
  let gso: Uint16Array | undefined
  let bad = 0
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!
    if (f.buffer !== whole.buffer) whole = new Uint8Array(f.buffer)
    const v = VirtioNet.rxVerdict(whole, f.byteOffset - VirtioNet.LEN, f.byteOffset, f.length)
    if (v === VirtioNet.CHECKSUM_OK) {
      ;(ok ??= new Uint8Array(frames.length))[i] = 1
      // (a GSO frame the verdict accepts is TCP with a partial checksum: always vouched for)
      const size = VirtioNet.rxGsoSize(whole, f.byteOffset - VirtioNet.LEN)
      if (size > 0) (gso ??= new Uint16Array(frames.length))[i] = size
    } else if (v < 0) bad++
  }
  if (bad === 0) return ok === undefined ? frames : vouched(frames, ok, gso)
  // rare: rebuild the batch without the refused frames
  const kept: Array<Uint8Array> = []
  const keptOk: Array<number> = []
  const keptGso: Array<number> = []
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!
    if (f.buffer !== whole.buffer) whole = new Uint8Array(f.buffer)
    if (VirtioNet.rxVerdict(whole, f.byteOffset - VirtioNet.LEN, f.byteOffset, f.length) < 0) continue
    kept.push(f)
    keptOk.push(ok?.[i] ?? 0)
    keptGso.push(gso?.[i] ?? 0)
  }
  return vouched(kept, Uint8Array.from(keptOk), gso === undefined ? undefined : Uint16Array.from(keptGso))
}

/**
 * Open the TAP and return the link; everything is released with the scope.
 * `implementation` is the addon to drive instead of the built one (a test's fake).
 * @category constructors
 */
export const make = (
  options: LinkTapOptions,
  implementation?: TapAddon.TapNative
): Effect.Effect<LinkService, LinkError, Scope.Scope> =>
  Effect.gen(function*() {
    const mtu = options.mtu ?? 1500
    const capacity = options.receiveCapacity ?? 1024
    if (options.mac.length !== 6) {
      return yield* Effect.dieMessage(`LinkTap: mac must be 6 octets, got ${options.mac.length}`)
    }
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) {
      return yield* Effect.dieMessage(`LinkTap: mtu must be an integer in 68..65535, got ${mtu}`)
    }
    if (!Number.isInteger(capacity) || capacity < 1) {
      return yield* Effect.dieMessage(`LinkTap: receiveCapacity must be a positive integer, got ${capacity}`)
    }
    const maxFrame = mtu + Eth.HEADER_LEN
    const mac = Uint8Array.from(options.mac)

    const addon = implementation ?? (yield* TapAddon.load)
    // What this side counts; refusals by the kernel are counted by the addon.
    const counters = { rxFrames: 0, rxDropped: 0, rxMalformed: 0, txFrames: 0, txTooBig: 0 }
    const runtime = yield* Effect.runtime<never>()

    // Finalizers run in reverse: the fd is closed (which also stops reading)
    // before the mailbox is shut down, so nothing is offered to a dead mailbox.
    // "dropping": a full mailbox refuses a batch rather than suspending the
    // offerer; the callback's `unsafeOffer` then returns false (a counted drop).
    // Made on the stack's runner (internal/Trampoline.ts): an offer schedules the Mailbox's own
    // release task on the scheduler it was made on, and there it runs in the callback's run, not
    // in a microtask and a promise of its own per read.
    const mailbox = yield* Effect.acquireRelease(
      Trampoline.onRunner(Inbox.make<FrameBatch>({ capacity, strategy: "dropping" })),
      (mb) => mb.shutdown
    )
    const wantOffload = options.offload ?? true
    const handle = yield* Effect.acquireRelease(
      TapAddon.open(addon, options.name, {
        requireExisting: options.create === false,
        vnetHeader: wantOffload
      }),
      (h) => Effect.sync(() => addon.close(h))
    )
    const ifname = handle.name
    const vnet = handle.vnetHeader
    // (without headers, clear what a persistent TAP's previous owner may have left on)
    const offload: LinkOffload = vnet
      ? yield* TapAddon.enableOffloads(addon, handle)
      : (TapAddon.clearOffloads(addon, handle), NO_OFFLOAD)
    if (vnet) {
      yield* Effect.logDebug(
        `LinkTap ${ifname}: offloads: checksum ${offload.checksum ? "on" : "off"}, TSO ${
          offload.tcpSegmentation ? "on" : "off"
        }`
      )
    }

    // The kernel queue depth belongs to the device we attached to, wherever its
    // kernel side is configured (here, or in a namespace it is moved to).
    yield* TapAddon.configureHost(addon, ifname, { txQueueLength: options.kernelQueueLength ?? 4096 })

    if (options.host !== undefined) {
      yield* TapAddon.configureHost(addon, ifname, {
        mtu,
        address: options.host,
        up: true
      })
    }

    const onFrames = (frames: Array<Uint8Array>, error?: TapAddon.NativeError): void => {
      if (frames.length > 0) {
        const batch = vnet ? rxVnetBatch(frames) : frames
        counters.rxMalformed += frames.length - batch.length
        if (batch.length === 0) {
          // every frame refused
        } else if (mailbox.unsafeOffer(batch)) counters.rxFrames += batch.length
        else counters.rxDropped += batch.length
      }
      if (error !== undefined) {
        const detail = `LinkTap ${ifname}: ${error.message}; receiving has stopped`
        Runtime.runFork(runtime)(Effect.logError(detail))
      }
    }
    yield* Effect.acquireRelease(
      Effect.try({
        try: () => addon.startReading(handle, onFrames),
        catch: (e) => TapAddon.toLinkError(e, "configure", ifname)
      }),
      () => Effect.sync(() => addon.stopReading(handle))
    )

    // A frame goes to the addon as it is unless it is too big (dropped here)
    // or has more pieces than one writev takes (flattened). The usual batch
    // needs neither and is passed on untouched: no array, no copy.
    // A frame asking for segmentation may be as large as a datagram can be.
    // An offload the link does not have is not done (the stack asks only for
    // what `offload` offers): the frame goes as it is, so a segment above the
    // MTU is refused as too big.
    const maxPieces = addon.maxPieces
    const granted = (m: number): number =>
      m === 0 || !offload.checksum ? 0 : TxMeta.segmentSize(m) > 0 && !offload.tcpSegmentation ? TxMeta.partialChecksum : m
    const fits = (f: OutFrame, m: number): boolean =>
      frameLength(f) <= (TxMeta.segmentSize(m) > 0 ? MAX_SEGMENTED_FRAME : maxFrame)
    const writable = (f: OutFrame): boolean => f instanceof Uint8Array || f.length <= maxPieces
    // The virtio-net headers of a batch, written here and read by the addon's writeBatch before it
    // returns (one writev per frame, in the call): one buffer for the link's life, grown when a
    // batch needs more, instead of a fresh ArrayBuffer (a malloc, a free, a sweep) per send.
    let headerRoom = new Uint8Array(VirtioNet.LEN * 64)
    const anyOffload = (metas: ReadonlyArray<number>): boolean => {
      for (let i = 0; i < metas.length; i++) if (metas[i] !== 0) return true
      return false
    }
    // (synchronous: the interface calls it in place inside a wake-up, Link.syncSendBatch)
    const sendBatch = syncSendBatch((frames: ReadonlyArray<OutFrame>, meta?: ReadonlyArray<number>): void => {
      let out = frames
      let metas = meta
      let clean = true
      for (let i = 0; i < frames.length && clean; i++) {
        clean = writable(frames[i]!) && fits(frames[i]!, metas === undefined ? 0 : granted(metas[i] ?? 0))
      }
      if (!clean) {
        const kept: Array<OutFrame> = []
        const keptMeta: Array<number> = []
        for (let i = 0; i < frames.length; i++) {
          const f = frames[i]!
          const m = metas === undefined ? 0 : granted(metas[i] ?? 0)
          if (!fits(f, m)) {
            counters.txTooBig++
            continue
          }
          kept.push(writable(f) ? f : flatten(f))
          keptMeta.push(m)
        }
        out = kept
        metas = keptMeta
      }
      if (out.length === 0) return
      let headers: Uint8Array | undefined
      if (vnet && metas !== undefined && anyOffload(metas)) {
        // (at least 10 octets per frame, as writeBatch asks; more is allowed)
        if (headerRoom.length < VirtioNet.LEN * out.length) headerRoom = new Uint8Array(VirtioNet.LEN * out.length * 2)
        headers = headerRoom
        for (let i = 0; i < out.length; i++) {
          const f = out[i]!
          // every slot written in full (txHeader zero-fills it first, and a frame that asks for
          // nothing keeps the zeros), whatever an earlier batch left there
          VirtioNet.txHeader(headers, i * VirtioNet.LEN, granted(metas[i] ?? 0), f instanceof Uint8Array ? f : f[0]!)
        }
      }
      counters.txFrames += addon.writeBatch(handle, out, headers)
    })
    const send = (frame: OutFrame): Effect.Effect<void> => sendBatch([frame])

    const stats = Effect.sync((): LinkStats => {
      const native = addon.counters(handle)
      return linkStats({
        rxFrames: counters.rxFrames,
        rxDropped: counters.rxDropped + native.readLost,
        rxErrors: native.readErrors,
        rxMalformed: counters.rxMalformed,
        txFrames: counters.txFrames,
        txQueueFull: native.writeFull,
        txTooBig: counters.txTooBig,
        txErrors: native.writeErrors
      })
    })

    const service: LinkService = { mac, mtu, offload, receive: mailbox, send, sendBatch, stats }
    return service
  })

/**
 * `make` as a Layer: the TAP lives as long as the Layer's scope.
 * @category layers
 */
export const layer = (options: LinkTapOptions): Layer.Layer<Link, LinkError> => Layer.scoped(Link, make(options))
