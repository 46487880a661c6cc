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
 *   with up to 64 frames in one fresh `ArrayBuffer`. The callback offers that
 *   batch to a bounded, dropping `Mailbox` of `receiveCapacity` batches
 *   without waiting (`unsafeOffer`, synchronous); when the mailbox is full the
 *   whole batch is dropped and its frames counted in `rxDropped`. The event
 *   loop is never blocked. Delivered frames are owned by the consumer. A hard
 *   read error (e.g. the interface was deleted under us) stops reading; it is
 *   logged once with `Effect.logError` and the mailbox stays open (no more
 *   frames arrive).
 * - Send: one synchronous `write()` per frame on the non-blocking fd. A frame
 *   longer than `mtu + 14` octets (Ethernet header, no FCS) is not written;
 *   it, and every frame the kernel refuses, count in `txDropped`.
 * - Closing the scope stops reading, closes the fd (the kernel deletes a
 *   TAP this process created, since it is not persistent) and shuts the
 *   receive mailbox down: a fiber waiting in `takeAll` is released with
 *   `done = true`, and batches not yet taken are discarded.
 * - Bad options (a MAC that is not 6 octets, an MTU outside 68..65535, a
 *   capacity below 1) are defects, not `LinkError`s: the caller validates
 *   user input first.
 *
 * @since 0.1.0
 */
import { Effect, Layer, Mailbox, Runtime } from "effect"
import type { Scope } from "effect"
import * as Eth from "../wire/EthernetFrame.js"
import { flatten, frameLength, Link, makeCounters, type OutFrame } from "./Link.js"
import type { LinkError, LinkService } from "./Link.js"
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
}

/**
 * Open the TAP and return the link; everything is released with the scope.
 * @category constructors
 */
export const make = (options: LinkTapOptions): Effect.Effect<LinkService, LinkError, Scope.Scope> =>
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

    const addon = yield* TapAddon.load
    const { counters, stats } = makeCounters()
    const runtime = yield* Effect.runtime<never>()

    // Finalizers run in reverse: the fd is closed (which also stops reading)
    // before the mailbox is shut down, so nothing is offered to a dead mailbox.
    // "dropping": a full mailbox refuses a batch rather than suspending the
    // offerer; the callback's `unsafeOffer` then returns false (a counted drop).
    const mailbox = yield* Effect.acquireRelease(
      Mailbox.make<ReadonlyArray<Uint8Array>>({ capacity, strategy: "dropping" }),
      (mb) => mb.shutdown
    )
    const handle = yield* Effect.acquireRelease(
      TapAddon.open(addon, options.name, { requireExisting: options.create === false }),
      (h) => Effect.sync(() => addon.close(h))
    )
    const ifname = handle.name

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
        if (mailbox.unsafeOffer(frames)) counters.rxFrames += frames.length
        else counters.rxDropped += frames.length
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

    // TODO(gather): the addon writes pieces with writev; until then, flatten.
    const sendBatch = (frames: ReadonlyArray<OutFrame>): Effect.Effect<void> =>
      Effect.sync(() => {
        const fits: Array<Uint8Array> = []
        for (const f of frames) {
          if (frameLength(f) > maxFrame) {
            counters.txDropped++
            counters.txTooBig++
          } else fits.push(flatten(f))
        }
        if (fits.length === 0) return
        const written = addon.writeBatch(handle, fits)
        counters.txFrames += written
        counters.txDropped += fits.length - written
        counters.txErrors += fits.length - written
      })
    const send = (frame: OutFrame): Effect.Effect<void> => sendBatch([frame])

    const service: LinkService = { mac, mtu, receive: mailbox, send, sendBatch, stats }
    return service
  })

/**
 * `make` as a Layer: the TAP lives as long as the Layer's scope.
 * @category layers
 */
export const layer = (options: LinkTapOptions): Layer.Layer<Link, LinkError> => Layer.scoped(Link, make(options))
