/**
 * Closing a socket with data still unread resets the connection, whether or
 * not the peer's FIN came behind the data (RFC 1122 §4.2.2.13, RFC 2525
 * §2.17; Linux's tcp_close counts the unread data, not the FIN).
 */
import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import { HOST_A, once, withNets } from "./NodeNet.js"
import type { Socket } from "../../src/node/Net.js"

describe("close with unread data", () => {
  it("resets even when the peer's FIN has come too (data_was_unread counts data, not the FIN)", () =>
    withNets(async ({ a, b }) => {
      let accepted: Socket | undefined
      const server = a.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (s) => (accepted = s))
      server.listen(7)
      await once(server, "listening")
      const client = b.connect({ port: 7, host: HOST_A, allowHalfOpen: true })
      await once(client, "connect")
      client.resume()
      const outcome = new Promise<string>((resolve) => {
        client.on("error", (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`))
        client.on("end", () => resolve("end"))
      })
      client.end("never read") // data, then our FIN
      while (accepted === undefined) await new Promise((r) => setImmediate(r))
      const conn = accepted.connection!
      while ((await Effect.runPromise(conn.info)).bytesReceived < 10) await new Promise((r) => setTimeout(r, 5))
      await new Promise((r) => setTimeout(r, 50)) // the FIN is in as well
      expect(accepted.bytesRead).toBe(0)
      accepted.destroy()
      expect(await outcome).toBe("error ECONNRESET")
      server.close()
    }), 30_000)
})
