/**
 * WHATWG fetch over two in-memory stacks (`gonet-ts/node`'s Fetch): undici's
 * fetch with the stack's dispatcher, against Node http and https servers on
 * the other stack (the https one with the fixture certificate of
 * test/fixtures/tls, verified for real).
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import type * as http from "node:http"
import type * as tls from "node:tls"
import type { RequestInit } from "undici"
import { describe, expect, it } from "vitest"
import * as Fetch from "../../src/node/Fetch.js"
import * as Http from "../../src/node/Http.js"
import * as Https from "../../src/node/Https.js"
import type * as Net from "../../src/node/Net.js"
import { collect, HOST_A, once, withNets } from "./NodeNet.js"

const fixture = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url))
const key = fixture("key.pem")
const cert = fixture("cert.pem")
/**
 * A turn of the event loop between requests. undici frees a connection for the next request on a
 * nextTick after the response; two stacks in one process deliver the response inside a microtask,
 * so an await continuing at once would find it still busy and open another. Over a TAP the reply
 * comes in an I/O callback, and that tick runs first, as with the kernel's sockets.
 */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve))
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")
const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 11 + (i >>> 9)) & 0xff))

/** GET /bytes/N: N octets of `pattern`; POST /sha: the body's sha256; GET /moved: a redirect to /bytes/5 */
const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
  if (req.method === "POST") return void collect(req).then((b) => res.end(sha(b)))
  if (req.url === "/moved") return void res.writeHead(302, { location: "/bytes/5" }).end()
  const m = /^\/bytes\/(\d+)$/.exec(req.url ?? "")
  if (m === null) return void res.writeHead(404).end()
  res.end(pattern(Number(m[1])))
}

/** http on 80 and https on 443 of `net`'s stack; the number of connections each accepted */
const serve = async (net: Net.Net) => {
  const counts = { http: 0, https: 0 }
  const plain = Http.fromNet(net).createServer(handler)
  plain.on("connection", () => counts.http++)
  const secure = Https.fromNet(net).createServer({ key, cert }, handler)
  secure.on("connection", () => counts.https++)
  plain.listen(80)
  secure.listen(443)
  await Promise.all([once(plain, "listening"), once(secure, "listening")])
  return { counts, close: () => (plain.close(), secure.close()) }
}

describe("fetch over gonet-ts/node", () => {
  it("GET, a streamed POST and a redirect over http and https, the certificate verified, one kept-alive connection each", () =>
    withNets(async ({ a, b }) => {
      const servers = await serve(a)
      const { close, fetch } = Fetch.fromNet(b, { tls: { ca: cert } })
      for (const scheme of ["http", "https"]) {
        const res = await fetch(`${scheme}://${HOST_A}/bytes/2000000`)
        expect(res.status).toBe(200)
        expect(sha(new Uint8Array(await res.arrayBuffer()))).toBe(sha(pattern(2_000_000)))
        await turn()
        const body = pattern(700_000).reverse()
        // a body as a stream of pieces
        const stream = new ReadableStream<Uint8Array>({
          start(c) {
            for (let o = 0; o < body.length; o += 100_000) c.enqueue(body.subarray(o, o + 100_000))
            c.close()
          }
        })
        const posted = await fetch(`${scheme}://${HOST_A}/sha`, { method: "POST", body: stream, duplex: "half" } as RequestInit)
        expect(await posted.text()).toBe(sha(body))
        // the POST went over the GET's connection, kept alive
        expect(servers.counts[scheme as "http" | "https"]).toBe(1)
        await turn()
        const moved = await fetch(`${scheme}://${HOST_A}/moved`)
        expect(moved.redirected).toBe(true)
        expect(Buffer.from(await moved.arrayBuffer())).toEqual(pattern(5))
        await turn()
        expect((await fetch(`${scheme}://${HOST_A}/nothing`)).status).toBe(404)
      }
      // (a redirect is followed inside fetch, with no turn between: in one process that may take a second connection)
      expect(servers.counts.http).toBeLessThanOrEqual(2)
      expect(servers.counts.https).toBeLessThanOrEqual(2)
      await close()
      servers.close()
    }), 60_000)

  it("a second connection to the same server resumes the first one's TLS session, as undici's own connector does", () =>
    withNets(async ({ a, b }) => {
      // each answer closes its connection, so each fetch is a connection (and a handshake) of its own
      const server = Https.fromNet(a).createServer({ key, cert }, (req, res) => {
        res.setHeader("connection", "close")
        handler(req, res)
      })
      const reused: Array<boolean> = []
      server.on("secureConnection", (s: tls.TLSSocket) => reused.push(s.isSessionReused()))
      server.listen(443)
      await once(server, "listening")
      // (answering as dns.lookup does: the list when asked for all, as Node 20's connect asks)
      const lookup: Net.LookupFunction = (_h, o, cb) => (o.all === true ? cb(null, [{ address: HOST_A, family: 4 }]) : cb(null, HOST_A, 4))
      const { close, fetch } = Fetch.fromNet(b, { tls: { ca: cert }, lookup })
      const byAddress = `https://${HOST_A}/bytes/10`
      const byName = "https://gonet.test/bytes/10"
      const fetchAll = async (f: typeof fetch, urls: ReadonlyArray<string>) => {
        reused.length = 0
        for (const url of urls) {
          const res = await f(url)
          expect(Buffer.from(await res.arrayBuffer())).toEqual(pattern(10))
          await turn()
        }
        return [...reused]
      }
      // a session is kept per name (the address when there is none), as undici keys it
      expect(await fetchAll(fetch, [byAddress, byAddress, byName, byName])).toEqual([false, true, false, true])
      await close()
      // room for one name: the name's session took the address's place
      const one = Fetch.fromNet(b, { tls: { ca: cert }, lookup, maxCachedSessions: 1 })
      expect(await fetchAll(one.fetch, [byAddress, byName, byAddress, byAddress])).toEqual([false, false, false, true])
      await one.close()
      // none kept
      const none = Fetch.fromNet(b, { tls: { ca: cert }, lookup, maxCachedSessions: 0 })
      expect(await fetchAll(none.fetch, [byAddress, byAddress])).toEqual([false, false])
      await none.close()
      server.close()
    }), 60_000)

  it("failures are fetch's TypeError with the socket's error as its cause: a refused port, an unverifiable certificate, a name with no lookup", () =>
    withNets(async ({ a, b }) => {
      const servers = await serve(a)
      const causeOf = (p: Promise<unknown>) =>
        p.then(
          () => "succeeded",
          (e: TypeError & { cause?: { code?: string } }) => `${e.name}: ${e.message} (${e.cause?.code})`
        )
      const plain = Fetch.fromNet(b)
      expect(await causeOf(plain.fetch(`http://${HOST_A}:81/`))).toBe("TypeError: fetch failed (ECONNREFUSED)")
      expect(await causeOf(plain.fetch(`https://${HOST_A}/bytes/1`))).toBe("TypeError: fetch failed (DEPTH_ZERO_SELF_SIGNED_CERT)")
      expect(await causeOf(plain.fetch("http://gonet.test/bytes/1"))).toBe("TypeError: fetch failed (ENOTFOUND)")
      await plain.close()
      // with a lookup, a name reaches the server, and the certificate is checked against the name
      const asked: Array<string> = []
      const named = Fetch.fromNet(b, {
        tls: { ca: cert },
        lookup: (host, o, cb) => {
          asked.push(host)
          if (o.all === true) cb(null, [{ address: HOST_A, family: 4 }])
          else cb(null, HOST_A, 4)
        }
      })
      const res = await named.fetch("https://gonet.test/bytes/3")
      expect(Buffer.from(await res.arrayBuffer())).toEqual(pattern(3))
      expect(asked).toEqual(["gonet.test"])
      await named.close()
      servers.close()
    }), 60_000)
})
