/**
 * An @effect/platform `HttpClient` over the stack: @effect/platform-node's
 * client (Node's `http`/`https` request machinery) given agents whose
 * sockets are the stack's (node/Http.ts, node/Https.ts), so `https:` URLs
 * run Node's TLS over the stack's TCP. Swap `NodeHttpClient.layer` for
 * `StackHttpClient.layer()` and the same program fetches over the stack.
 *
 * ```ts
 * Effect.gen(function*() {
 *   const client = yield* HttpClient.HttpClient
 *   const res = yield* client.get("http://198.18.0.1:8000/")
 *   return yield* res.text
 * }).pipe(Effect.provide(StackHttpClient.layer()), Effect.provide(stackLayer))
 * ```
 *
 * Host names resolve through `lookup` (Node's signature), e.g. the stack's
 * DNS client (`node/Dns.ts`: `Dns.make` over the stack's `Dns` service, or
 * `Dns.makeWith(config)`); without one only addresses and `localhost` (the
 * stack's loopback) can be reached, as for the stack's `net`. The agents
 * keep connections alive between requests (Node 20's global agents'
 * defaults); closing the layer's scope destroys them and their sockets.
 *
 * @since 0.3.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Layer } from "effect"
import type { Scope } from "effect"
import type * as https from "node:https"
import * as Http from "../node/Http.js"
import * as Https from "../node/Https.js"
import * as Net from "../node/Net.js"
import type * as Stack from "../Stack.js"
import type { Tcp } from "../tcp/Tcp.js"

/** @category models */
export interface Options {
  /** resolves host names to IPv4 addresses (Node's `lookup` signature) */
  readonly lookup?: Net.LookupFunction
  /**
   * Both agents' options, as `https.Agent` takes them: pooling (`keepAlive`,
   * `maxSockets`, `timeout`, ...) and, for `https:`, TLS (`ca`,
   * `rejectUnauthorized`, `servername`, ...). Default: keep-alive, LIFO, an
   * idle timeout of 5 s (Node 20's global agents).
   */
  readonly agent?: https.AgentOptions
}

const DEFAULTS: https.AgentOptions = { keepAlive: true, timeout: 5000, scheduling: "lifo" }

/**
 * The agents @effect/platform-node's client sends through, with the stack's
 * sockets, in `scope` (released: destroyed, with every socket they hold).
 *
 * @category constructors
 */
export const makeAgent = (
  options?: Options
): Effect.Effect<NodeHttpClient.HttpAgent, never, Scope.Scope | Tcp | Stack.Stack> =>
  Effect.flatMap(Net.make, (net) => {
    const agentOptions = {
      ...DEFAULTS,
      ...options?.agent,
      ...(options?.lookup !== undefined ? { lookup: options.lookup } : {})
    } as https.AgentOptions
    return Effect.acquireRelease(
      Effect.sync(() => ({
        [NodeHttpClient.HttpAgentTypeId]: NodeHttpClient.HttpAgentTypeId,
        http: new (Http.fromNet(net).Agent)(agentOptions),
        https: new (Https.fromNet(net).Agent)(agentOptions)
      }) as NodeHttpClient.HttpAgent),
      (agent) =>
        Effect.sync(() => {
          agent.http.destroy()
          agent.https.destroy()
        })
    )
  })

/** The agents as a layer (for `NodeHttpClient.layerWithoutAgent`). @category layers */
export const layerAgent = (options?: Options): Layer.Layer<NodeHttpClient.HttpAgent, never, Tcp | Stack.Stack> =>
  Layer.scoped(NodeHttpClient.HttpAgent, makeAgent(options))

/**
 * @effect/platform's `HttpClient` over the stack in context.
 *
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<HttpClient.HttpClient, never, Tcp | Stack.Stack> =>
  NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(layerAgent(options)))
