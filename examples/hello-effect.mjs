// An Effect program on the stack: an @effect/platform HttpRouter served over
// the stack's own TCP (StackHttpServer in place of NodeHttpServer). Run as
// root, after `npm run build`:  node examples/hello-effect.mjs   then
// curl http://198.18.0.2/hello/you   (the TAP gonet2 is created, its kernel
// side given 198.18.0.1/24). Ctrl-C stops.
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import { Ipv4Addr, LinkTap, Mac, Stack, StackHttpServer } from "gonet-ts"

const stack = Stack.layer({ address: "198.18.0.2", prefixLength: 24 }).pipe(
  Layer.provide(LinkTap.layer({
    name: "gonet2",
    mac: Mac.parse("02:00:00:00:00:02"),
    host: { address: Ipv4Addr.parse("198.18.0.1"), prefixLength: 24 }
  }))
)

const app = HttpRouter.empty.pipe(
  HttpRouter.get("/hello/:name", Effect.map(HttpRouter.params, (p) => HttpServerResponse.text(`hello, ${p.name}\n`)))
)

Effect.gen(function*() {
  yield* Layer.build(HttpServer.serve(app).pipe(Layer.provide(StackHttpServer.layer({ port: 80 })), Layer.provide(stack)))
  yield* Console.log("up: curl http://198.18.0.2/hello/you · Ctrl-C to stop")
  return yield* Effect.never
}).pipe(Effect.scoped, NodeRuntime.runMain)
