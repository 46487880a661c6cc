/**
 * The typed face of the project's TAP addon (`native/*.c`, built by node-gyp
 * into `build/Release/gonet_tap.node`; `native/module.c` lists its exports).
 *
 * Contract
 * - `load` finds and loads the addon once per process. It searches
 *   `build/Release` (then `build/Debug`) in this module's folder and each folder
 *   above it, so it works from `src/` (vitest, tsx) and from `dist/src/`.
 *   A missing or broken build is a `LinkError` with reason `"Io"` that says
 *   how to build it.
 * - Every native function is synchronous and runs on the Node main thread.
 *   Native failures are `Error`s with a `code` (errno name); `toLinkError`
 *   turns one into a `LinkError` whose `detail` is one line a person can act
 *   on (what failed, why, and what to do).
 * - The read callback gets an array of `Uint8Array` views into one fresh
 *   `ArrayBuffer` per wake: the receiver owns them. When it also gets an error,
 *   reading has stopped (the fd stays open until `close`).
 * - `open` resolves the interface name in the network namespace of this
 *   process; so do the host configuration helpers.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { LinkError, type LinkOffload, NO_OFFLOAD, type OutFrame } from "./Link.js"

/**
 * An open TAP: the attached fd and the kernel's name for the interface
 * (which differs from the requested one when that held a `%d` template).
 * Opaque otherwise; only the addon can make one.
 * @category models
 */
export interface TapHandle {
  readonly fd: number
  readonly name: string
  /** opened with IFF_VNET_HDR: a virtio-net header travels with every frame */
  readonly vnetHeader: boolean
}

/**
 * The error shape the addon throws.
 * @category models
 */
export interface NativeError extends Error {
  /** errno name, e.g. "EPERM"; "ENOENT" when /dev/net/tun or its driver is missing */
  readonly code?: string
  readonly errno?: number
  readonly syscall?: string
}

/**
 * Per-handle counters kept by the addon, in events (frames, or errors).
 * They keep counting after `close` (a write to a closed handle is a
 * `writeErrors`).
 * @category models
 */
export interface TapCounters {
  /** hard read errors; reading stops on the first */
  readonly readErrors: number
  /** frames read from the fd but never handed to the callback (no memory for the batch) */
  readonly readLost: number
  /**
   * frames refused for a reason other than "no room": interface down (EIO),
   * gone (EBADFD), shorter than an Ethernet header (EINVAL), empty, handle
   * closed, a short write (native/tap_io.c has the list)
   */
  readonly writeErrors: number
  /** frames refused with EAGAIN / ENOBUFS / ENOMEM: no room in the kernel, a drop */
  readonly writeFull: number
}

/**
 * The addon's exports, typed.
 * @category models
 */
export interface TapNative {
  /** Attach to (and without `requireExisting`, create) the TAP `name`. */
  readonly open: (
    name: string,
    options?: { readonly requireExisting?: boolean; readonly vnetHeader?: boolean }
  ) => TapHandle
  /** TUNSETOFFLOAD: the `offloadFlags` the kernel may use in frames it hands us (needs `vnetHeader`). */
  readonly setOffload: (handle: TapHandle, flags: number) => void
  /** The TUN_F_* bits of linux/if_tun.h. */
  readonly offloadFlags: { readonly csum: number; readonly tso4: number; readonly tso6: number; readonly tsoEcn: number }
  /**
   * Watch the fd on the event loop; `callback` runs once per wake with up to
   * 64 frames. Calling it again replaces the callback.
   */
  readonly startReading: (
    handle: TapHandle,
    callback: (frames: Array<Uint8Array>, error?: NativeError) => void
  ) => void
  /** Stop watching; idempotent. */
  readonly stopReading: (handle: TapHandle) => void
  /** Stop watching and close the fd; idempotent, safe inside the callback. */
  readonly close: (handle: TapHandle) => void
  /**
   * One `writev()` per frame, in order, in one call; the number written. A
   * gathered frame's pieces go out back to back, and the kernel takes them as
   * one frame. On a `vnetHeader` handle each frame is preceded by its
   * virtio-net header, octets [10 i, 10 i + 10) of `headers`, or by zeros
   * when `headers` is absent. A refused frame is not an exception: it is counted in
   * `counters` by kind. A frame of more than `maxPieces` pieces, or anything
   * that is not a frame, throws a `TypeError` when reached.
   */
  readonly writeBatch: (handle: TapHandle, frames: ReadonlyArray<OutFrame>, headers?: Uint8Array) => number
  /** The handle's error counters (a fresh object per call). */
  readonly counters: (handle: TapHandle) => TapCounters
  /** Set or clear IFF_UP. */
  readonly setUp: (ifname: string, up: boolean) => void
  /** Assign the (primary) IPv4 address, a uint32, and its prefix length 0..32. */
  readonly setAddress: (ifname: string, address: number, prefixLength: number) => void
  /** MTU in octets, 68..65535. */
  readonly setMtu: (ifname: string, mtu: number) => void
  /** Depth of the kernel's queue of frames waiting for our reads (txqueuelen), 1..2^20. */
  readonly setTxQueueLength: (ifname: string, length: number) => void
  /**
   * Every current thread of the process to SCHED_FIFO (with
   * SCHED_RESET_ON_FORK) at `priority` 1..99, or back to SCHED_OTHER with 0.
   * See Scheduling.ts.
   */
  readonly setRealtime: (priority: number) => void
  /** The calling thread's scheduling policy and priority. */
  readonly getScheduler: () => {
    readonly policy: "other" | "fifo" | "rr" | "batch" | "idle" | "unknown"
    readonly priority: number
  }
  /** pieces one gathered frame may have at most (8) */
  readonly maxPieces: number
}

const ADDON_FILE = "gonet_tap.node"

const findAddon = (): string | undefined => {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    for (const config of ["Release", "Debug"]) {
      const candidate = join(dir, "build", config, ADDON_FILE)
      if (existsSync(candidate)) return candidate
    }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

let cached: TapNative | undefined

/**
 * Load the addon (once). Throws a plain `Error` when it is not built; prefer
 * `load`.
 * @category constructors
 */
export const loadSync = (): TapNative => {
  if (cached !== undefined) return cached
  const path = findAddon()
  if (path === undefined) {
    throw new Error(`${ADDON_FILE} not found under build/Release or build/Debug`)
  }
  const require = createRequire(import.meta.url)
  cached = require(path) as TapNative
  return cached
}

/**
 * The addon, or a `LinkError` that says how to build it.
 * @category constructors
 */
export const load: Effect.Effect<TapNative, LinkError> = Effect.try({
  try: loadSync,
  catch: (e) =>
    new LinkError({
      reason: "Io",
      detail: `cannot load the TAP addon: ${oneLine(e)} (build it with npm install or npx node-gyp rebuild)`
    })
})

/** An error's message on one line. @category errors */
export const oneLine = (e: unknown): string =>
  (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, " ").trim()

/** The errno name an addon error carries, if any. @category errors */
export const codeOf = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string"
    ? (e as { code: string }).code
    : undefined

/**
 * What the caller was doing, for the error mapping: `"open"` (attaching to
 * the TAP) or `"configure"` (the host-side helpers).
 * @category models
 */
export type Operation = "open" | "configure"

/**
 * Map an addon error to a `LinkError` with an actionable one-line detail.
 * @category errors
 */
export const toLinkError = (e: unknown, operation: Operation, ifname: string): LinkError => {
  const code = codeOf(e)
  const message = oneLine(e)
  switch (code) {
    case "ENOENT":
      return operation === "open"
        ? new LinkError({
          reason: "NoTunDevice",
          detail: `${message} (load the driver with modprobe tun; in a container, pass --device /dev/net/tun)`
        })
        : new LinkError({ reason: "Io", detail: message })
    case "EPERM":
    case "EACCES":
      return new LinkError({
        reason: "NotPermitted",
        detail: `${message.replace(/: (operation )?not permitted$/i, "")}: not permitted (run as root or grant CAP_NET_ADMIN)`
      })
    case "EBUSY":
      return new LinkError({
        reason: "Busy",
        detail: `${message} (close the other process or choose another --tap name)`
      })
    case "ENODEV":
    case "ENXIO":
      return new LinkError({
        reason: "NoSuchDevice",
        detail: operation === "open"
          ? `${message} (create it with ip tuntap add dev ${ifname} mode tap, or let gonet create it)`
          : message
      })
    case "EINVAL":
      return operation === "open"
        ? new LinkError({ reason: "InvalidName", detail: message })
        : new LinkError({ reason: "Io", detail: message })
    default:
      return new LinkError({ reason: "Io", detail: message })
  }
}

/**
 * `open` as an Effect with mapped errors. The handle is not scoped: pair it
 * with `close` (LinkTap does, with `acquireRelease`).
 * @category constructors
 */
export const open = (
  addon: TapNative,
  name: string,
  options: { readonly requireExisting: boolean; readonly vnetHeader?: boolean }
): Effect.Effect<TapHandle, LinkError> =>
  Effect.try({
    try: () => addon.open(name, { requireExisting: options.requireExisting, vnetHeader: options.vnetHeader ?? false }),
    catch: (e) => toLinkError(e, "open", name)
  })

/**
 * Ask the kernel for the offloads we take (DESIGN.md §4): partial checksums,
 * TSO for IPv4, and TSO with ECN where the kernel takes that, stepping down
 * when it refuses a set. What was granted; nothing when it refused every
 * set (frames then carry zero headers and nothing is offloaded either way).
 * @category constructors
 */
export const enableOffloads = (addon: TapNative, handle: TapHandle): Effect.Effect<LinkOffload> =>
  Effect.sync(() => {
    const f = addon.offloadFlags
    for (const flags of [f.csum | f.tso4 | f.tsoEcn, f.csum | f.tso4, f.csum]) {
      try {
        addon.setOffload(handle, flags)
        return { checksum: true, tcpSegmentation: (flags & f.tso4) !== 0 }
      } catch {
        // refused: try a smaller set
      }
    }
    clearOffloads(addon, handle)
    return NO_OFFLOAD
  })

/**
 * Ask the kernel for no offloads at all (TUNSETOFFLOAD 0): a persistent TAP keeps
 * the offloads its previous owner set after that fd closed, and without them
 * granted (or without virtio-net headers to say which frames use them) the
 * kernel must hand over complete checksums and frames within the MTU. A refusal
 * (an addon or kernel that cannot) leaves the device as it is.
 */
export const clearOffloads = (addon: TapNative, handle: TapHandle): void => {
  try {
    addon.setOffload(handle, 0)
  } catch {
    // nothing more to do: the device keeps what it has
  }
}

/**
 * Host-side settings for a TAP, applied in this order: MTU, address, up.
 * Each field is optional; absent ones are left as the kernel has them.
 * @category models
 */
export interface HostConfig {
  /** MTU in octets */
  readonly mtu?: number
  /** frames the kernel queues for our reads before it drops (txqueuelen) */
  readonly txQueueLength?: number
  /** IPv4 address as uint32, with its prefix length 0..32 */
  readonly address?: { readonly address: number; readonly prefixLength: number }
  /** bring the interface up (true) or down (false) */
  readonly up?: boolean
}

/**
 * Configure the kernel side of interface `ifname` in this process's network
 * namespace, through the addon's ioctls (no `ip` command needed).
 * @category combinators
 */
export const configureHost = (
  addon: TapNative,
  ifname: string,
  config: HostConfig
): Effect.Effect<void, LinkError> =>
  Effect.try({
    try: () => {
      if (config.mtu !== undefined) addon.setMtu(ifname, config.mtu)
      if (config.txQueueLength !== undefined) addon.setTxQueueLength(ifname, config.txQueueLength)
      if (config.address !== undefined) {
        addon.setAddress(ifname, config.address.address >>> 0, config.address.prefixLength)
      }
      if (config.up !== undefined) addon.setUp(ifname, config.up)
    },
    catch: (e) => toLinkError(e, "configure", ifname)
  })
