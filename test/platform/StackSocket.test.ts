/**
 * @effect/platform's Socket and SocketServer over the stack (StackSocket),
 * between two in-memory stacks, and its HttpServer (StackHttpServer) serving
 * an HttpRouter to Node's http client on the other stack.
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Socket from "@effect/platform/Socket"
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Layer, Schedule, Stream } from "effect"
import * as nodeNet from "node:net"
import * as NodeHttp from "../../src/node/Http.js"
import * as Net from "../../src/node/Net.js"
import * as StackHttpServer from "../../src/platform/StackHttpServer.js"
import * as StackSocket from "../../src/platform/StackSocket.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import { ADDR_A, run, twoStacks } from "../support/TestNet.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import { failureOf } from "../support/Failure.js"

const HOST_A = Addr.format(ADDR_A)
const text = (chunks: Chunk.Chunk<Uint8Array>) => Buffer.concat(Chunk.toReadonlyArray(chunks)).toString()

describe("@effect/platform sockets over the stack", () => {
  it.scopedLive("a SocketServer on one stack upper-cases what a platform Socket on the other sends", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const server = yield* run(a, StackSocket.makeServer({ port: 7 }))
      expect(server.address).toEqual({ _tag: "TcpAddress", hostname: "0.0.0.0", port: 7 })
      // each connection: read everything, upper-case it, write it back, then end
      yield* Effect.forkScoped(server.run((socket) =>
        Effect.gen(function*() {
          const write = yield* socket.writer
          yield* socket.run((chunk) => write(Buffer.from(chunk).toString().toUpperCase()))
        }).pipe(Effect.scoped)
      ))
      const client = yield* run(b, StackSocket.makeNet({ host: HOST_A, port: 7 }))
      const got = yield* Stream.make(new TextEncoder().encode("hello "), new TextEncoder().encode("platform")).pipe(
        Stream.pipeThroughChannel(Socket.toChannel(client)),
        Stream.runCollect
      )
      expect(text(got)).toBe("HELLO PLATFORM")
    }), 30_000)

  it.scopedLive("a SocketServer on 127.0.0.1 says so, and is out of reach of the other stack", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const server = yield* run(a, StackSocket.makeServer({ port: 7, host: "127.0.0.1" }))
      expect(server.address).toEqual({ _tag: "TcpAddress", hostname: "127.0.0.1", port: 7 })
      const refused = yield* failureOf(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 7 }))))
      expect(refused.reason).toBe("ConnectionRefused")
      yield* run(a, Effect.flatMap(Tcp, (t) => t.connect({ address: "127.0.0.1", port: 7 })))
    }), 30_000)

  it.scopedLive("a SocketServer with an empty host takes every address, as NodeSocketServer's (Node's listen takes '' as no host)", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const server = yield* run(a, StackSocket.makeServer({ port: 7, host: "" }))
      expect(server.address).toEqual({ _tag: "TcpAddress", hostname: "0.0.0.0", port: 7 })
      yield* run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 7 })))
    }), 30_000)

  it.scopedLive("a backlog of 0 is the default, as NodeSocketServer's (Node listens with `backlog || 511`): three connections wait unaccepted", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      yield* run(a, StackSocket.makeServer({ port: 7, backlog: 0 }))
      // nobody runs the server: every connection waits in the accept queue
      for (let i = 0; i < 3; i++) {
        const opened = yield* run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 7 }))).pipe(
          Effect.timeoutFail({ duration: "3 seconds", onTimeout: () => new Error(`connection ${i + 1} was not taken`) })
        )
        expect(opened.remotePort).toBe(7)
      }
    }), 30_000)

  it.scopedLive("a reset connection fails the run with SocketGenericError (Read); a closed port fails it with Open", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 9 })))
      const client = yield* run(b, StackSocket.makeNet({ host: HOST_A, port: 9 }))
      const running = yield* Effect.fork(client.run(() => {}))
      const conn = yield* listener.accept
      yield* conn.abort
      const exit = yield* Fiber.await(running)
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const e = Exit.causeOption(exit).pipe((c) => c._tag === "Some" ? JSON.stringify(c.value) : "")
        expect(e).toContain('"reason":"Read"')
        expect(e).toContain("ConnectionReset")
      }
      const nobody = yield* run(b, StackSocket.makeNet({ host: HOST_A, port: 10 }))
      const refused = yield* failureOf(nobody.run(() => {}))
      expect(refused).toMatchObject({ _tag: "SocketError", reason: "Open" })
    }), 30_000)

  it.scopedLive("an HttpRouter served by StackHttpServer answers Node's http client on the other stack", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const router = HttpRouter.empty.pipe(
        HttpRouter.get("/", HttpServerResponse.text("hello from the stack\n")),
        HttpRouter.post("/echo", Effect.map(HttpServerRequest.HttpServerRequest.pipe(Effect.flatMap((r) => r.text)), (body) => HttpServerResponse.text(body.toUpperCase())))
      )
      yield* Layer.launch(HttpServer.serve(router).pipe(
        Layer.provide(StackHttpServer.layer({ port: 80 })),
        Layer.provide(Layer.succeedContext(a))
      )).pipe(Effect.forkScoped)
      const http = NodeHttp.fromNet(yield* run(b, Net.make))
      const request = (method: string, path: string, body?: string) =>
        Effect.async<{ status: number; body: string }, Error>((resume) => {
          const req = http.request({ host: HOST_A, port: 80, method, path }, (res) => {
            let got = ""
            res.setEncoding("utf8")
            res.on("data", (d: string) => (got += d))
            res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, body: got })))
          })
          req.on("error", (e) => resume(Effect.fail(e)))
          req.end(body)
        })
      // the server may still be starting: retry a refused first request
      const first = yield* request("GET", "/").pipe(Effect.retry({ times: 50, schedule: Schedule.spaced("10 millis"), while: (e) => (e as NodeJS.ErrnoException).code === "ECONNREFUSED" }))
      expect(first).toEqual({ status: 200, body: "hello from the stack\n" })
      expect(yield* request("POST", "/echo", "shout")).toEqual({ status: 200, body: "SHOUT" })
      expect((yield* request("GET", "/missing")).status).toBe(404)
      http.globalAgent.destroy()
    }), 30_000)
})

/** How a run ended, as the test compares it: its failure's tag, reason and code, or "success". */
const outcome = (exit: Exit.Exit<void, Socket.SocketError>): string =>
  Exit.isSuccess(exit)
    ? "success"
    : Exit.causeOption(exit).pipe((c) => {
      if (c._tag === "None") return "?"
      const e = JSON.parse(JSON.stringify(c.value)) as { error?: { _tag?: string; reason?: string; code?: number } }
      return `${e.error?._tag} ${e.error?.reason} ${e.error?.code ?? ""}`.trimEnd()
    })

/** Write "bye" and a CloseEvent with `code` on `client` while it runs; how the run ends (bounded wait). */
const closeWhileRunning = (client: Socket.Socket, code: number) =>
  Effect.gen(function*() {
    const running = yield* Effect.fork(client.run(() => {}))
    const write = yield* client.writer
    yield* write(new TextEncoder().encode("bye"))
    yield* write(new Socket.CloseEvent(code))
    // bounded: NodeSocket's run ends a turn after the write
    const done = yield* Fiber.await(running).pipe(Effect.timeout("2 seconds"), Effect.option)
    if (done._tag === "Some") return outcome(done.value as Exit.Exit<void, Socket.SocketError>)
    yield* Fiber.interrupt(running)
    return "still running"
  }).pipe(Effect.scoped, Effect.catchAll((e) => Effect.succeed(`write failed ${e.reason}`)))

describe("a CloseEvent on the writer, against NodeSocket over node:net", () => {
  // the peer reads everything and never ends its side: the run's end cannot be the peer's FIN
  const node = Effect.gen(function*() {
    const server = nodeNet.createServer({ allowHalfOpen: true }, (s) => s.resume())
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
      () => Effect.sync(() => server.close())
    )
    const port = (server.address() as nodeNet.AddressInfo).port
    const client = yield* NodeSocket.makeNet({ host: "127.0.0.1", port })
    return [yield* closeWhileRunning(client, 1000), yield* closeWhileRunning(client, 4000)]
  })
  const stack = Effect.gen(function*() {
    const { a, b } = yield* twoStacks()
    const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 9 })))
    yield* Effect.forkScoped(Effect.forever(Effect.flatMap(listener.accept, (conn) => Effect.forkScoped(Effect.forever(conn.read)))))
    const client = yield* run(b, StackSocket.makeNet({ host: HOST_A, port: 9 }))
    return [yield* closeWhileRunning(client, 1000), yield* closeWhileRunning(client, 4000)]
  })
  it.scopedLive("ends the run at once: SocketCloseError 1000, or for a code above 1000 SocketGenericError Read", () =>
    Effect.gen(function*() {
      const reference = yield* node
      const ours = yield* stack
      expect(reference).toEqual(["SocketError Close 1000", "SocketError Read"])
      expect(ours).toEqual(reference)
    }), 30_000)
})
