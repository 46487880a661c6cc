/**
 * A `Dns` service that answers every question with NXDOMAIN and remembers the
 * names asked, with no servers: for tests of what the Node adapters answer
 * without a server (literals, localhost, the hosts file), where a question
 * that should not be asked shows in `asked`. Given `addresses`, every A
 * question (`resolve4`) is answered with them instead.
 */
import { Effect, Runtime } from "effect"
import * as Dns from "../../src/dns/Dns.js"

export const silentDns = (
  addresses?: ReadonlyArray<string>
): { readonly asked: ReadonlyArray<string>; readonly runtime: Runtime.Runtime<Dns.Dns> } => {
  const asked: Array<string> = []
  const nx = (name: string) =>
    Effect.suspend(() => {
      asked.push(name)
      return Effect.fail(new Dns.DnsError({ reason: "NotFound", name, detail: "no such name (NXDOMAIN)" }))
    })
  const service: Dns.DnsService = {
    resolve4: addresses === undefined ? nx : (name: string) => Effect.sync(() => (asked.push(name), addresses)),
    resolve6: nx,
    lookup: nx,
    query: nx,
    stats: Effect.die("unused"),
    servers: [],
    reconfigure: () => Effect.die("unused")
  }
  return { asked, runtime: Runtime.provideService(Runtime.defaultRuntime, Dns.Dns, service) }
}
