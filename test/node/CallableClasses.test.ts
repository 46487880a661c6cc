/**
 * Node's http.Server, https.Server, net.Server and net.Socket (net.Stream) are
 * functions that make an instance when called without `new` (lib/_http_server.js,
 * lib/https.js, lib/net.js: `if (!(this instanceof Server)) return new Server(...)`),
 * and old programs call them so (`require('http').Server(app)`, as socket.io's
 * examples long did). The stack's are the same: called without `new`, each
 * makes the instance `new` makes, on the stack.
 */
import { describe, expect, it } from "vitest"
import * as Http from "../../src/node/Http.js"
import * as Https from "../../src/node/Https.js"
import { collect, HOST_A, once, withNets } from "./NodeNet.js"

describe("the stack's Node classes called without new, as Node's", () => {
  it("http.Server(listener), https.Server(), net.Server(listener), net.Socket() and net.Stream() make the stack's instances", () =>
    withNets(async ({ a, b }) => {
      type Callable = (...args: Array<unknown>) => unknown
      const httpA = Http.fromNet(a)
      const server = (httpA.Server as unknown as Callable)((_req: unknown, res: { end(s: string): void }) => res.end("plain")) as InstanceType<typeof httpA.Server>
      expect(server).toBeInstanceOf(httpA.Server)
      server.listen(80)
      await once(server, "listening")
      const got = await new Promise<string>((resolve, reject) => {
        Http.fromNet(b).get({ host: HOST_A, port: 80, agent: false }, (r) => {
          collect(r).then((body) => resolve(body.toString()), reject)
        }).on("error", reject)
      })
      expect(got).toBe("plain")
      await new Promise((r) => server.close(r))

      const httpsA = Https.fromNet(a)
      expect((httpsA.Server as unknown as Callable)({})).toBeInstanceOf(httpsA.Server)

      const plain = (a.Server as unknown as Callable)((s: { end(x: string): void }) => s.end("hi")) as InstanceType<typeof a.Server>
      expect(plain).toBeInstanceOf(a.Server)
      plain.listen(7)
      await once(plain, "listening")
      const client = (b.Socket as unknown as Callable)() as InstanceType<typeof b.Socket>
      expect(client).toBeInstanceOf(b.Socket)
      expect((b.Stream as unknown as Callable)()).toBeInstanceOf(b.Socket)
      client.connect(7, HOST_A)
      expect((await collect(client)).toString()).toBe("hi")
      plain.close()
    }), 30_000)
})
