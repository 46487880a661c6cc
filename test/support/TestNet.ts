/**
 * A test network: whole stacks over in-memory links, in one scope (the
 * gVisor `testing/context` idea, STYLE.md §6f). Each stack is built from
 * `Stack.layer` exactly as applications build it; `run(stack, effect)`
 * provides that stack's services to an effect.
 */
import { Context, Effect, Layer } from "effect"
import type { Scope } from "effect"
import type { StackConfigInput } from "../../src/Config.js"
import { Icmp, type PingError, type PingOptions, type PingReply } from "../../src/icmp/Icmp.js"
import { flatten, type LinkService } from "../../src/link/Link.js"
import * as LinkMemory from "../../src/link/LinkMemory.js"
import * as Stack from "../../src/Stack.js"
import { Udp, type UdpError } from "../../src/udp/Udp.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as Peer from "./Peer.js"

export const MAC_A = new Uint8Array([0x02, 0, 0, 0, 0, 0x0a])
export const MAC_B = new Uint8Array([0x02, 0, 0, 0, 0, 0x0b])
export const ADDR_A = Addr.parse("198.18.0.2")!
export const ADDR_B = Addr.parse("198.18.0.3")!

export type StackContext = Context.Context<Stack.Services>

/** Build one stack over `link` in the current scope. */
export const stackOn = (
  link: LinkService,
  config: StackConfigInput
): Effect.Effect<StackContext, never, Scope.Scope> =>
  Layer.build(Stack.layer(config).pipe(Layer.provide(LinkMemory.layer(link)))).pipe(Effect.orDie)

/** Provide a stack's services. */
export const run = <A, E, R>(
  stack: StackContext,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, Exclude<R, Stack.Services>> => Effect.provide(effect, stack)

/** A stack's counters (`Stack.stats`). */
export const statsOf = (stack: StackContext): Effect.Effect<Stack.StackStats> =>
  run(stack, Effect.flatMap(Stack.Stack, (s) => s.stats))

/** One datagram of `payload` from a stack to `dst`:`dstPort`, from a socket bound for it alone. */
export const sendUdp = (
  stack: StackContext,
  dst: Addr.Ipv4Addr,
  payload: ReadonlyArray<number>,
  dstPort = 9
): Effect.Effect<void, UdpError> =>
  run(stack, Effect.scoped(Effect.flatMap(Effect.flatMap(Udp, (u) => u.bind()), (s) => s.send(dst, dstPort, new Uint8Array(payload)))))

/** `Icmp.ping` from a stack. */
export const pingFrom = (
  stack: StackContext,
  dst: Addr.Ipv4Addr,
  options?: PingOptions
): Effect.Effect<PingReply, PingError> => run(stack, Effect.flatMap(Icmp, (i) => i.ping(dst, options)))

/**
 * Link middleware that appends to `sent`, in order, every frame sent through
 * the link (a gathered frame as one buffer), then sends it on.
 */
export const recordSends = (sent: Array<Uint8Array>) => (link: LinkService): Effect.Effect<LinkService> =>
  Effect.succeed({
    ...link,
    send: (frame) =>
      Effect.suspend(() => {
        sent.push(flatten(frame))
        return link.send(frame)
      }),
    sendBatch: (frames, meta) =>
      Effect.suspend(() => {
        for (const frame of frames) sent.push(flatten(frame))
        return link.sendBatch(frames, meta)
      })
  })

/**
 * Two stacks, A (198.18.0.2) and B (198.18.0.3), on one /24, over a
 * LinkMemory pair; `wrapA`/`wrapB` may put middleware (LinkFault, LinkPcap)
 * on either side's link.
 */
export const twoStacks = (options?: {
  readonly mtu?: number
  /** the cable offers checksum and TCP segmentation offload (LinkMemory's `offload`) */
  readonly offload?: boolean
  readonly configA?: Partial<StackConfigInput>
  readonly configB?: Partial<StackConfigInput>
  readonly wrapA?: (l: LinkService) => Effect.Effect<LinkService, never, Scope.Scope>
  readonly wrapB?: (l: LinkService) => Effect.Effect<LinkService, never, Scope.Scope>
}) =>
  Effect.gen(function*() {
    const [la, lb] = yield* LinkMemory.makePair({
      macA: MAC_A,
      macB: MAC_B,
      ...(options?.mtu !== undefined ? { mtu: options.mtu } : {}),
      ...(options?.offload !== undefined ? { offload: options.offload } : {})
    })
    const linkA = options?.wrapA ? yield* options.wrapA(la) : la
    const linkB = options?.wrapB ? yield* options.wrapB(lb) : lb
    const a = yield* stackOn(linkA, { address: ADDR_A, prefixLength: 24, ...options?.configA })
    const b = yield* stackOn(linkB, { address: ADDR_B, prefixLength: 24, ...options?.configB })
    return { a, b, linkA, linkB }
  })

/**
 * Stack A (198.18.0.2) on one end of a cable and a raw `Peer` (198.18.0.1) on
 * the other. The stack's start-up announcement is consumed and returned;
 * with `introduce` (the default) the peer then asks for A's MAC, so A has
 * learned the peer and its replies need no resolution.
 */
export const stackWithPeer = (options?: {
  readonly mtu?: number
  readonly config?: Partial<StackConfigInput>
  readonly introduce?: boolean
  /** the cable offers checksum and TCP segmentation offload (LinkMemory's `offload`): the peer may send GSO frames */
  readonly offload?: boolean
}) =>
  Effect.gen(function*() {
    const [la, lb] = yield* LinkMemory.makePair({
      macA: MAC_A,
      macB: MAC_B,
      ...(options?.mtu !== undefined ? { mtu: options.mtu } : {}),
      ...(options?.offload !== undefined ? { offload: options.offload } : {})
    })
    const stack = yield* stackOn(la, { address: ADDR_A, prefixLength: 24, ...options?.config })
    const peer = yield* Peer.makePeer(lb)
    const announcement = yield* peer.next
    if (options?.introduce ?? true) {
      yield* peer.sendFrame(Peer.arpRequest(ADDR_A))
      yield* peer.next // A's reply
    }
    return { stack, peer, announcement, stats: statsOf(stack) }
  })
