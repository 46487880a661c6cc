/**
 * The hosts file for `gonet-ts/node`'s lookups (src/node/Hosts.ts, Dns.ts's
 * `LookupConfig`): how a line reads and what a name gets, as glibc's files
 * backend gives it to getaddrinfo (the same table is held against Node's own
 * `dns.lookup` in test/kernel/HostsFile.test.ts); and the sockets of a `Net`
 * made with such a lookup reaching another stack by a name from the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import * as Dns from "../../src/node/Dns.js"
import * as Hosts from "../../src/node/Hosts.js"
import * as Http from "../../src/node/Http.js"
import * as Net from "../../src/node/Net.js"
import type { Tcp } from "../../src/tcp/Tcp.js"
import { run } from "../support/TestNet.js"
import { HOSTS_CASES, HOSTS_TEXT, REVERSE_CASES, REVERSE_TEXT } from "../fixtures/hostsCases.js"
import { silentDns } from "../support/SilentDns.js"
import { collect, HOST_A, HOST_B, once, withNets } from "./NodeNet.js"

describe("the hosts file, as glibc's files backend reads it", () => {
  it("each name gets every address its lines give, in order, for the family asked", () => {
    const entries = Hosts.parseHosts(HOSTS_TEXT)
    for (const [name, family, expected] of HOSTS_CASES) {
      expect(Hosts.lookupHosts(entries, name, family), `${name} family ${family}`).toEqual(expected)
    }
  })

  it("an address gets, for reverse, the merged lines' aliases (c-ares) and, for getnameinfo, the first line's name (glibc)", () => {
    const entries = Hosts.parseHosts(REVERSE_TEXT)
    for (const [ip, aliases, name] of REVERSE_CASES) {
      expect(Hosts.reverseHosts(entries, ip), `reverse ${ip}`).toEqual(aliases)
      expect(Hosts.nameOfAddress(entries, ip), `getnameinfo ${ip}`).toEqual(name)
    }
  })

  it("a line with no name, or only a comment, gives no entry; CRLF line ends read as LF", () => {
    expect(Hosts.parseHosts("198.18.0.13\n# 198.18.0.1 x\n198.18.0.2 crlf.test\r\n")).toEqual([
      { address: "198.18.0.2", family: 4, ipv4: "198.18.0.2", names: ["crlf.test"] }
    ])
  })
})

const dir = mkdtempSync(join(tmpdir(), "gonet-hosts-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const lookupAll = (lookup: Dns.LookupFunction, name: string, family: 4 | 6) =>
  new Promise<ReadonlyArray<Dns.LookupAddress> | string>((resolve) =>
    lookup(name, { family, all: true }, (err, addresses) => resolve(err === null ? addresses : String(err.code))))

describe("dns.lookup with a hosts file and no DNS", () => {
  it("answers from the file, reads it at every lookup, and is ENOTFOUND for what it does not name", async () => {
    const file = join(dir, "hosts-1")
    writeFileSync(file, HOSTS_TEXT)
    const lookup = Dns.lookupFunction(undefined, { hostsFile: file })
    expect(await lookupAll(lookup, "alpha.test", 4)).toEqual([
      { address: "198.18.0.5", family: 4 },
      { address: "198.18.0.6", family: 4 }
    ])
    expect(await lookupAll(lookup, "nowhere.test", 4)).toBe("ENOTFOUND")
    // an edit counts at once, as glibc opens the file per call
    writeFileSync(file, "198.18.0.99 nowhere.test\n")
    expect(await lookupAll(lookup, "nowhere.test", 4)).toEqual([{ address: "198.18.0.99", family: 4 }])
    // a file that cannot be read holds nothing
    rmSync(file)
    expect(await lookupAll(lookup, "nowhere.test", 4)).toBe("ENOTFOUND")
    // without a hosts file, nothing but literals and localhost
    expect(await lookupAll(Dns.lookupFunction(undefined), "alpha.test", 4)).toBe("ENOTFOUND")
  })
})

describe("a Net made with a lookup resolves the names of connects that bring none", () => {
  it("net.connect and http.get reach the other stack by a name from the hosts file; a connect's own lookup still wins", async () => {
    const file = join(dir, "hosts-2")
    writeFileSync(file, `${HOST_A} server.test\n`)
    await withNets(async ({ a, stackB }) => {
      const runtimeB = await Effect.runPromise(run(stackB, Effect.runtime<Tcp>()))
      const named = Net.fromRuntime(runtimeB, HOST_B, Dns.lookupFunction(undefined, { hostsFile: file }))
      const server = Http.fromNet(a).createServer((req, res) => res.end(`hello ${req.url}`))
      server.listen(8080)
      await once(server, "listening")
      try {
        const socket = named.connect({ host: "server.test", port: 8080 })
        // (an 'error' instead of the lookup fails the test at once)
        const [err, address] = await Promise.race([
          once<[Error | null, string]>(socket, "lookup"),
          once<[Error]>(socket, "error").then(([e]) => Promise.reject(e))
        ])
        expect(err).toBeNull()
        expect(address).toBe(HOST_A)
        await once(socket, "connect")
        expect(socket.remoteAddress).toBe(HOST_A)
        socket.destroy()

        const res = await new Promise<import("node:http").IncomingMessage>((resolve, reject) =>
          Http.fromNet(named).get("http://server.test:8080/x", resolve).on("error", reject))
        expect((await collect(res)).toString()).toBe("hello /x")

        // a name the file does not give: ENOTFOUND, as getaddrinfo with no DNS
        const lost = named.connect({ host: "other.test", port: 8080 })
        const [lostErr] = await once<[NodeJS.ErrnoException]>(lost, "error")
        expect(lostErr.code).toBe("ENOTFOUND")

        // the connect's own lookup is asked instead
        // (answering as dns.lookup does: the list when asked for all, as Node 20's connect asks)
        const own: Net.LookupFunction = (_host, options, callback) =>
          process.nextTick(() => (options.all === true ? callback(null, [{ address: HOST_A, family: 4 }]) : callback(null, HOST_A, 4)))
        const mine = named.connect({ host: "other.test", port: 8080, lookup: own })
        await once(mine, "connect")
        mine.destroy()
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()))
      }
    })
  })
})

describe("a name with several addresses, from the hosts file or from DNS, is tried address by address (Node 20's autoSelectFamily)", () => {
  it("the first refuses (nothing listens there), the second connects: both in autoSelectFamilyAttemptedAddresses", async () => {
    const file = join(dir, "hosts-5")
    // (127.0.0.1 is the client stack's own loopback, where nothing listens on 8080)
    writeFileSync(file, `127.0.0.1 two.test\n${HOST_A} two.test\n`)
    await withNets(async ({ a, stackB }) => {
      const runtimeB = await Effect.runPromise(run(stackB, Effect.runtime<Tcp>()))
      const server = a.createServer((s) => s.end("hi"))
      server.listen(8080)
      await once(server, "listening")
      try {
        for (const lookup of [Dns.lookupFunction(undefined, { hostsFile: file }), Dns.lookupFunction(silentDns(["127.0.0.1", HOST_A]).runtime)]) {
          const named = Net.fromRuntime(runtimeB, HOST_B, lookup)
          const socket = named.connect({ host: "two.test", port: 8080 })
          const events: Array<string> = []
          socket.on("lookup", (_e: Error | null, address: string) => events.push(`lookup ${address}`))
          socket.on("connectionAttempt", (address: string) => events.push(`attempt ${address}`))
          socket.on("connectionAttemptFailed", (address: string, _p: number, _f: number, e: NodeJS.ErrnoException) => events.push(`failed ${address} ${e.code}`))
          const got = collect(socket)
          expect((await got).toString()).toBe("hi")
          expect(events).toEqual(["lookup 127.0.0.1", `lookup ${HOST_A}`, "attempt 127.0.0.1", "failed 127.0.0.1 ECONNREFUSED", `attempt ${HOST_A}`])
          expect(socket.autoSelectFamilyAttemptedAddresses).toEqual(["127.0.0.1:8080", `${HOST_A}:8080`])
        }
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()))
      }
    })
  })
})

describe("a Net made with a lookup listens on a name as Node's listen does (looked up, then bound)", () => {
  it("a name of our address listens there; a name of another host is EADDRNOTAVAIL; a name nobody gives is ENOTFOUND", async () => {
    const file = join(dir, "hosts-4")
    writeFileSync(file, `${HOST_B} me.test\n198.18.0.77 elsewhere.test\n`)
    await withNets(async ({ a, stackB }) => {
      const runtimeB = await Effect.runPromise(run(stackB, Effect.runtime<Tcp>()))
      const named = Net.fromRuntime(runtimeB, HOST_B, Dns.lookupFunction(undefined, { hostsFile: file }))
      const server = named.createServer((s) => s.end("here\n"))
      server.listen(7007, "me.test")
      await Promise.race([once(server, "listening"), once<[Error]>(server, "error").then(([e]) => Promise.reject(e))])
      expect(server.address()).toMatchObject({ address: HOST_B, port: 7007 })
      const client = a.connect({ host: HOST_B, port: 7007 })
      expect((await collect(client)).toString()).toBe("here\n")
      await new Promise<void>((resolve) => server.close(() => resolve()))
      const failure = async (host: string) => {
        const s = named.createServer()
        s.listen(7008, host)
        const [err] = await once<[NodeJS.ErrnoException]>(s, "error")
        return err.code
      }
      expect(await failure("elsewhere.test")).toBe("EADDRNOTAVAIL")
      expect(await failure("nowhere.test")).toBe("ENOTFOUND")
    })
  })
})

describe("node:dns's reverse and lookupService with a hosts file", () => {
  it("answer from the file before DNS (which is asked only for what the file does not give), callback and promise", async () => {
    const file = join(dir, "hosts-3")
    writeFileSync(file, REVERSE_TEXT)
    const { asked, runtime } = silentDns()
    const dns = Dns.nodeDns(runtime, { hostsFile: file })
    const reverse = (ip: string) =>
      new Promise<ReadonlyArray<string> | string>((resolve) => dns.reverse(ip, (err, names) => resolve(err === null ? names : String(err.code))))
    const service = (ip: string) =>
      new Promise<string>((resolve) => dns.lookupService(ip, 80, (err, name) => resolve(err === null ? name : String((err as NodeJS.ErrnoException).code))))
    for (const [ip, aliases, name] of REVERSE_CASES) {
      expect(await reverse(ip), `reverse ${ip}`).toEqual(aliases ?? "ENOTFOUND")
      expect(await service(ip), `lookupService ${ip}`).toEqual(name ?? "ENOTFOUND")
      expect(await dns.promises.reverse(ip).catch((e: NodeJS.ErrnoException) => e.code), `promises.reverse ${ip}`).toEqual(aliases ?? "ENOTFOUND")
    }
    // DNS heard only of the addresses the file left: 198.18.0.99 by both, the other two by reverse alone
    expect(new Set(asked)).toEqual(new Set(["1.0.0.127.in-addr.arpa", "12.0.18.198.in-addr.arpa", "99.0.18.198.in-addr.arpa"]))
  })
})
