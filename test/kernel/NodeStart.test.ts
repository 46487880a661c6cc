/**
 * `gonet-ts/node`'s `start()` resolving names as a Node program expects, end
 * to end: a child `node` in a namespace of the test's own brings the stack up
 * on a TAP there (the kernel side 198.18.0.1/24, the stack 198.18.0.2/24)
 * with a hosts file and dnsmasq as its DNS server, and its `net` sockets
 * reach a kernel server by a name from the hosts file, by a name only DNS
 * knows, and fail with ENOTFOUND for a name neither knows; its `dgram` sends
 * to a name from the hosts file; `dns` is node:dns over the stack's resolver. A start()
 * that fails once the TAP is open lets it go. Needs root, /dev/net/tun, the addon, the build,
 * dnsmasq and socat; skips with the printed reason otherwise.
 */
import { describe, expect, it } from "@effect/vitest"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as nodePath from "node:path"
import { Effect } from "effect"
import { eventually } from "../support/Live.js"
import { exec, ifName, makeNetns, spawnIn, tapSkipReason, which } from "../support/Netns.js"

const ROOT = nodePath.resolve(import.meta.dirname, "../..")
const INDEX = nodePath.join(ROOT, "dist/node/index.js")
const SKIP = existsSync(INDEX) ? tapSkipReason({ ciInstalls: ["dnsmasq", "socat"] }) : "dist/node/index.js missing (run `npm run build`)"
if (SKIP !== undefined) console.warn(`skipping start()'s name resolution: ${SKIP}`)

const HOST_IP = "198.18.0.1"

/** The program: start the stack, say "up", and on SIGUSR2 (the servers are ready) connect by name and print what came. */
const PROGRAM = `
const [index, tap, hostsFile] = process.argv.slice(1)
const { start } = await import(index)
const stack = await start({
  tap, address: "198.18.0.2/24", hostAddress: "${HOST_IP}/24", hostsFile,
  dns: { servers: ["${HOST_IP}"], timeout: "1 second" }
})
const line = (host) => new Promise((resolve) => {
  const s = stack.net.connect({ host, port: 8000 })
  let got = ""
  s.setEncoding("utf8")
  s.on("data", (d) => (got += d))
  s.on("end", () => { s.end(); resolve(got) })
  s.on("error", (e) => resolve("error " + e.code))
})
process.once("SIGUSR2", async () => {
  const udp = stack.dgram.createSocket("udp4")
  await new Promise((resolve, reject) => udp.send("a datagram by name\\n", 9000, "web.test", (e) => (e ? reject(e) : resolve())))
  udp.close()
  const out = {
    hosts: await line("web.test"),
    dns: await line("dns.test"),
    neither: await line("nope.test"),
    resolve4: await stack.dns.promises.resolve4("dns.test"),
    lookup: await new Promise((r) => stack.lookup("web.test", (e, a) => r(e ? e.code : a)))
  }
  console.log("result " + JSON.stringify(out))
  await stack.close()
  process.exit(0)
})
console.log("up")
`

/** A start() that fails once the stack is up (a bad DNS server), then another on the same TAP. */
const FAILED_START = `
const [index, tap] = process.argv.slice(1)
const { start } = await import(index)
const options = { tap, address: "198.18.0.2/24", hostAddress: "${HOST_IP}/24", hostsFile: false }
const first = await start({ ...options, dns: { servers: ["not an address"] } }).then(() => "started", () => "rejected")
// a TAP that is not multi-queue takes one reader: the first start's, if it still holds it (EBUSY)
const again = await start(options).then(async (stack) => { await stack.close(); return "up" }, (e) => "error " + e.message)
console.log("result " + JSON.stringify({ first, again }))
process.exit(0)
`

describe.skipIf(SKIP !== undefined)("start(): names from the hosts file, then the stack's DNS", () => {
  it.scopedLive("net.connect reaches the kernel by a hosts-file name and by a DNS name; a name neither knows is ENOTFOUND", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns("st")
      const dir = mkdtempSync(nodePath.join(tmpdir(), "gonet-start-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      const hostsFile = nodePath.join(dir, "hosts")
      writeFileSync(hostsFile, `${HOST_IP} web.test\n`)
      const program = yield* spawnIn(ns, [process.execPath, "--input-type=module", "-e", PROGRAM, INDEX, ifName("st"), hostsFile])
      const said = () => `program said:\n${program.stdout()}${program.stderr()}`
      // the TAP and the kernel's address exist once it is up: the servers can bind then
      yield* eventually(Effect.sync(() => program.stdout()), (o) => o.includes("up"), "the stack to come up")
      const dnsmasq = yield* spawnIn(ns, [
        which("dnsmasq")!,
        "--no-resolv",
        "--no-hosts",
        "--no-daemon",
        "--port=53",
        `--listen-address=${HOST_IP}`,
        "--bind-interfaces",
        "--pid-file=",
        "--log-facility=-",
        "--local=/test/",
        `--address=/dns.test/${HOST_IP}`
      ])
      yield* eventually(Effect.sync(() => dnsmasq.stderr()), (e) => /using only locally-known addresses/.test(e), "dnsmasq to start")
      yield* spawnIn(ns, [which("socat")!, `TCP-LISTEN:8000,bind=${HOST_IP},reuseaddr,fork`, "SYSTEM:echo hello"])
      const udp = yield* spawnIn(ns, [which("socat")!, "-u", `UDP4-RECV:9000,bind=${HOST_IP}`, "STDOUT"])
      yield* eventually(exec(ns, ["ss", "-lunH", "sport = :9000"]), (r) => r.stdout.includes("9000"), "socat to bind")
      yield* eventually(exec(ns, ["ss", "-ltnH", "sport = :8000"]), (r) => r.stdout.includes("8000"), "socat to listen")
      process.kill(program.pid, "SIGUSR2")
      yield* eventually(Effect.sync(() => program.stdout()), (o) => o.includes("result "), "the program's result")
      const result = JSON.parse(program.stdout().split("result ")[1]!) as Record<string, unknown>
      expect(result, said()).toEqual({
        hosts: "hello\n",
        dns: "hello\n",
        neither: "error ENOTFOUND",
        resolve4: [HOST_IP],
        lookup: HOST_IP
      })
      // dgram resolves names as net does
      expect(udp.stdout(), said()).toBe("a datagram by name\n")
      expect(yield* program.exited).toBe(0)
    }), 60_000)

  it.scopedLive("a start() that fails after the TAP opened (a DNS server that is no address) releases it: the same TAP comes up again", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns("sf")
      const program = yield* spawnIn(ns, [process.execPath, "--input-type=module", "-e", FAILED_START, INDEX, ifName("sf")])
      const said = () => `program said:\n${program.stdout()}${program.stderr()}`
      yield* eventually(Effect.sync(() => program.stdout()), (o) => o.includes("result "), "the program's result")
      const result = JSON.parse(program.stdout().split("result ")[1]!) as Record<string, unknown>
      expect(result, said()).toEqual({ first: "rejected", again: "up" })
      expect(yield* program.exited).toBe(0)
    }), 60_000)
})
