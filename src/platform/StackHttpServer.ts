/**
 * An @effect/platform `HttpServer` over the stack: `HttpApp`s and
 * `HttpRouter`s served by the stack's TCP, with Node's HTTP parser
 * (@effect/platform-node's server, given the stack's `http.createServer`
 * from `node/Http.ts`). Swap `NodeHttpServer.layer(...)` for
 * `StackHttpServer.layer({ port })` and the same app serves over the stack;
 * with `tls` (key and certificate) it serves HTTPS, Node's TLS over the
 * stack's connections (`node/Https.ts`).
 *
 * ```ts
 * HttpRouter.empty.pipe(
 *   HttpRouter.get("/", HttpServerResponse.text("hello")),
 *   HttpServer.serve(),
 *   Layer.provide(StackHttpServer.layer({ port: 80 })),
 *   Layer.provide(stackLayer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Etag from "@effect/platform/Etag"
import type * as HttpPlatform from "@effect/platform/HttpPlatform"
import type * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect, Layer } from "effect"
import type * as http from "node:http"
import type * as https from "node:https"
import * as Http from "../node/Http.js"
import * as Https from "../node/Https.js"
import * as Net from "../node/Net.js"
import type * as Stack from "../Stack.js"
import type { Tcp } from "../tcp/Tcp.js"

/** @category models */
export interface Options {
  readonly port: number
  /**
   * What closing the layer's scope does to open connections. "wait" (the
   * default, as Node's `server.close`): stop listening, end idle keep-alive
   * connections, and wait for the others to end, however long a client
   * takes. "reset": end them all at once (`closeAllConnections`), for a
   * server whose stack is going away with it (its connections would be reset
   * anyway) or that must not wait on a quiet client.
   */
  readonly shutdown?: "wait" | "reset"
  /**
   * Serve HTTPS: Node's TLS over the stack's connections (node/Https.ts),
   * with these options as `https.createServer` takes them (`key`, `cert`,
   * `ALPNProtocols`, ...).
   */
  readonly tls?: https.ServerOptions
}

/**
 * The platform's HTTP server (and its context: HttpPlatform, Etag,
 * NodeContext) listening on `port` of the stack in context.
 *
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<HttpServer.HttpServer | HttpPlatform.HttpPlatform | Etag.Generator | NodeContext.NodeContext, ServeError, Tcp | Stack.Stack> =>
  Layer.unwrapEffect(Effect.map(Net.make, (net) =>
    NodeHttpServer.layer(() => {
      // (an https.Server is Node's http server on a tls.Server: the platform uses only what both have)
      const server = options.tls === undefined
        ? Http.fromNet(net).createServer()
        : Https.fromNet(net).createServer(options.tls) as unknown as http.Server
      if (options.shutdown === "reset") {
        // the platform's release calls close and waits for its callback: every connection goes now
        const close = server.close.bind(server)
        server.close = ((cb?: (err?: Error) => void) => {
          close(cb)
          server.closeAllConnections()
          return server
        }) as typeof server.close
      }
      return server
    }, { port: options.port })))
