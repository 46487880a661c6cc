/**
 * The `gonet` command line, the text it prints.
 *
 * Every function is pure: values in, lines out (no trailing newline). The
 * ping lines follow iputils ping(8) so that people and scripts that read
 * ping output read ours.
 *
 * @since 0.1.0
 */
import type { PcapStats } from "../link/LinkPcap.js"
import * as Mac from "../wire/Mac.js"
import type { StackStats } from "../Stack.js"
import * as Addr from "../wire/Ipv4Addr.js"
import { formatServe, protocolOf, type ServeSpec } from "./Options.js"

/** What the stack came up with, as reported by `Stack`. @category models */
export interface UpInfo {
  readonly tap: string
  readonly mac: Mac.Mac
  readonly address: Addr.Ipv4Addr
  readonly prefixLength: number
  readonly gateway: Addr.Ipv4Addr | undefined
  readonly mtu: number
  /** the kernel side, when gonet configured it */
  readonly host: { readonly address: Addr.Ipv4Addr; readonly prefixLength: number } | undefined
  /** UDP and TCP services, in the order given */
  readonly serve: ReadonlyArray<ServeSpec>
  /** congestion control of TCP connections (`--tcp-cc`); shown when a TCP service runs */
  readonly tcpCc?: string | undefined
  readonly pcap: string | undefined
  /** SCHED_FIFO priority of the stack's threads, when `--realtime` was given */
  readonly realtime?: number | undefined
}

const cidr = (address: Addr.Ipv4Addr, prefixLength: number): string => `${Addr.format(address)}/${prefixLength}`

/**
 * The lines printed once the stack is up. The first starts with `gonet up`
 * (scripts and tests wait for it); the rest are indented details.
 * @category formatting
 */
export const upLines = (u: UpInfo): ReadonlyArray<string> => {
  const lines = [
    `gonet up on ${u.tap}: stack ${cidr(u.address, u.prefixLength)} mac ${Mac.format(u.mac)} mtu ${u.mtu}` +
    (u.host !== undefined ? `, host side ${cidr(u.host.address, u.host.prefixLength)}` : ", host side not configured")
  ]
  if (u.gateway !== undefined) lines.push(`  gateway ${Addr.format(u.gateway)}`)
  if (u.serve.length > 0) lines.push(`  serving ${u.serve.map(formatServe).join(", ")}`)
  if (u.tcpCc !== undefined && u.serve.some((s) => protocolOf(s) === "tcp")) {
    lines.push(`  tcp congestion control ${u.tcpCc}`)
  }
  if (u.pcap !== undefined) lines.push(`  recording to ${u.pcap}`)
  if (u.realtime !== undefined) lines.push(`  scheduling SCHED_FIFO priority ${u.realtime}`)
  lines.push(
    u.host !== undefined
      ? `  try: ping ${Addr.format(u.address)}; Ctrl-C to stop`
      : "  Ctrl-C to stop"
  )
  return lines
}

/**
 * The one line printed after shutdown: a few counters from `Stack.stats`
 * (and the pcap recorder's, when recording).
 * @category formatting
 */
export const downLine = (s: StackStats, pcap: PcapStats | undefined): string => `gonet down: ${counters(s, pcap)}`

/**
 * The counters line `gonet up --stats SECONDS` prints now and then: the
 * down line's counters, and the TCP connections open now.
 * @category formatting
 */
export const statsLine = (s: StackStats, pcap: PcapStats | undefined): string =>
  `gonet stats: ${counters(s, pcap)}; tcp connections ${s.tcp.connections}`

const counters = (s: StackStats, pcap: PcapStats | undefined): string => {
  const parts = [
    `frames rx ${s.link.rxFrames} tx ${s.link.txFrames}` +
    (s.link.rxDropped + s.link.txDropped > 0 ? ` (dropped rx ${s.link.rxDropped} tx ${s.link.txDropped})` : "") +
    (s.link.rxMalformed > 0 ? ` (bad offload headers ${s.link.rxMalformed})` : ""),
    `arp requests in ${s.arp.requestsReceived} out ${s.arp.requestsSent}, replies out ${s.arp.repliesSent}`,
    `icmp echo requests answered ${s.icmp.echoRequests}`,
    `udp datagrams in ${s.udp.received} out ${s.udp.sent}`,
    `tcp opens passive ${s.tcp.passiveOpens} active ${s.tcp.activeOpens}, ` +
    `segments in ${s.tcp.received} out ${s.tcp.segmentsSent}, resets out ${s.tcp.resetsSent}`
  ]
  if (pcap !== undefined) {
    parts.push(`pcap ${pcap.recorded} frames${pcap.dropped > 0 ? ` (${pcap.dropped} not recorded)` : ""}`)
  }
  return parts.join("; ")
}

// -----------------------------------------------------------------------------
// ping(8)
// -----------------------------------------------------------------------------

/** `PING 198.18.0.1 (198.18.0.1) from 198.18.0.2 gonet0: 56(84) bytes of data.` */
export const pingHeader = (dest: Addr.Ipv4Addr, source: Addr.Ipv4Addr, tap: string, size: number, name?: string): string =>
  `PING ${name ?? Addr.format(dest)} (${Addr.format(dest)}) from ${Addr.format(source)} ${tap}: ` +
  `${size}(${size + 28}) bytes of data.`

/** Milliseconds the way iputils ping(8) prints a reply's time: fewer decimals as it grows. */
export const formatMillis = (ms: number): string =>
  ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3)

/** `64 bytes from 198.18.0.1: icmp_seq=1 ttl=64 time=0.081 ms` (size counts the 8-octet ICMP header). */
export const pingReplyLine = (dest: Addr.Ipv4Addr, seq: number, ttl: number, size: number, rttMillis: number): string =>
  `${size + 8} bytes from ${Addr.format(dest)}: icmp_seq=${seq} ttl=${ttl} time=${formatMillis(rttMillis)} ms`

/** The line for an echo request that got no reply (ping -O style) or an ICMP error. */
export const pingFailLine = (seq: number, why: string): string => `${why} (icmp_seq=${seq})`

/** @category models */
export interface PingSummary {
  readonly transmitted: number
  readonly received: number
  /** ICMP errors (unreachable, time exceeded) received for our requests */
  readonly errors: number
  /** round-trip times of the replies, milliseconds */
  readonly rtts: ReadonlyArray<number>
  /** from the first request to the end, milliseconds */
  readonly elapsedMillis: number
}

/**
 * The ping(8) statistics block. mdev is the population standard deviation
 * of the RTTs, as iputils computes it.
 * @category formatting
 */
export const pingSummaryLines = (dest: Addr.Ipv4Addr, s: PingSummary): ReadonlyArray<string> => {
  const loss = s.transmitted === 0 ? 0 : Math.round((100 * (s.transmitted - s.received)) / s.transmitted)
  const lines = [
    `--- ${Addr.format(dest)} ping statistics ---`,
    `${s.transmitted} packets transmitted, ${s.received} received` +
    (s.errors > 0 ? `, +${s.errors} errors` : "") +
    `, ${loss}% packet loss, time ${Math.round(s.elapsedMillis)}ms`
  ]
  if (s.rtts.length > 0) {
    const n = s.rtts.length
    let min = Infinity
    let max = -Infinity
    let sum = 0
    let sumSq = 0
    for (const r of s.rtts) {
      if (r < min) min = r
      if (r > max) max = r
      sum += r
      sumSq += r * r
    }
    const avg = sum / n
    const mdev = Math.sqrt(Math.max(0, sumSq / n - avg * avg))
    lines.push(`rtt min/avg/max/mdev = ${min.toFixed(3)}/${avg.toFixed(3)}/${max.toFixed(3)}/${mdev.toFixed(3)} ms`)
  }
  return lines
}

/** Remove ANSI SGR escapes (@effect/cli colours its help even on a pipe). */
export const stripAnsi = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "")

/** Strip ANSI escapes and fold text into one line (for @effect/cli's own messages). */
export const oneLine = (text: string): string =>
  stripAnsi(text).split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0).join(" ")

/** `gonet: <message>` on one line. */
export const errorLine = (message: string): string => `gonet: ${oneLine(message)}`
