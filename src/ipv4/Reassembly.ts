/**
 * IPv4 reassembly bookkeeping (RFC 791 §3.2 "Fragmentation and Reassembly",
 * RFC 815's idea of tracking what has arrived). Plain functions over one
 * mutable `Assembly`, which the assembler fiber of that datagram owns; no
 * clock, no I/O: this module only decides and copies.
 *
 * Memory and cost, the properties a hostile sender probes:
 * - Fragment data is copied into the assembly's own pages at once, so a
 *   held fragment never keeps the frame (or the receive batch) it came in
 *   alive. `held(a)` is what the assembly really holds: its pages, its block
 *   map and the first fragment's header; the IPv4 layer charges that against
 *   `reassembly.maxBytes`.
 * - Data lives in 1 KiB pages allocated as octets arrive in them, so what an
 *   assembly holds follows what it received, wherever in the 64 KiB the
 *   fragments fall (one tiny fragment at the far end costs one page, not a
 *   64 KiB buffer), and what has arrived is one bit per 8-octet block. A
 *   fragment costs O(its length) to add, whatever the order or number of
 *   fragments, and completion joins the pages once: a datagram of 8 192 tiny
 *   fragments is linear, not quadratic.
 *
 * Policy, stricter than RFC 791 and like RFC 5722 (which mandates it for
 * IPv6) and Linux:
 * - A fragment whose blocks have all arrived already is a duplicate and is
 *   ignored; one that covers some received and some new blocks is an
 *   overlap, which discards the whole datagram (overlaps are an evasion and
 *   injection tool with no legitimate use: RFC 1858, RFC 3128).
 * - Every fragment but the last carries a multiple of 8 octets (RFC 791).
 * - The last fragment fixes the length; a second, different "last", or data
 *   beyond it, is inconsistent and discards the datagram.
 * - A datagram whose header plus data would exceed 65 535 octets is discarded
 *   (the "ping of death").
 * - ECN (RFC 3168 §5.3: reassembly MUST NOT lose a congestion indication):
 *   when any fragment carried CE and the others ECT, the datagram carries
 *   CE; fragments that mix Not-ECT with ECT or CE discard the datagram
 *   (`EcnMismatch`), as Linux's ip_frag_ecn_table.
 *
 * @since 0.1.0
 */
import * as Ip from "../wire/Ipv4Header.js"

/** One bit per 8-octet block of a 65 535-octet datagram. */
const BLOCK_MAP_LEN = 65536 / 8 / 8

/** Octets per data page (a multiple of 8, so a block never straddles two pages). */
export const PAGE = 1024
const PAGES = 65536 / PAGE

/** What a new assembly holds before any data: its block map. */
export const BASE_HELD = BLOCK_MAP_LEN

/** The most one assembly ever holds: every page, the map and the largest header. */
export const MAX_HELD = 65536 + BLOCK_MAP_LEN + Ip.MAX_HEADER_LEN

/** @category models */
export interface Assembly {
  /** payload octet i lives at `pages[i / PAGE][i % PAGE]`; a page exists once an octet in it arrived */
  readonly pages: Array<Uint8Array | undefined>
  /** pages allocated */
  pageCount: number
  /** bit k set: octets [8k, 8k + 8) have arrived */
  readonly blocks: Uint8Array
  /** payload octets received */
  received: number
  /** the end of the furthest data received, octets */
  furthest: number
  /** payload length, known once the last fragment (MF = 0) arrived */
  total: number | undefined
  /** fragment zero's IP header (a copy), once it arrived */
  header: Uint8Array | undefined
  /** the ECN codepoints of the fragments taken: bit 1 << codepoint (Not-ECT 0, ECT(1) 1, ECT(0) 2, CE 3) */
  ecn: number
}

/**
 * One received fragment: its IP header at `bytes[at]` (`headerLen`
 * octets), its `length` data octets right after it.
 * @category models
 */
export interface Fragment {
  readonly bytes: Uint8Array
  readonly at: number
  readonly headerLen: number
  /** offset of the data in the datagram's payload, octets (a multiple of 8) */
  readonly offset: number
  readonly length: number
  readonly more: boolean
}

/** @category models */
export type AddResult =
  | "Incomplete"
  | "Duplicate"
  | "Complete"
  | "Overlap"
  | "TooBig"
  | "Inconsistent"
  | "NoRoom"
  /** whole, but its fragments mixed Not-ECT with ECT or CE (RFC 3168 §5.3): discard it */
  | "EcnMismatch"

export const make = (): Assembly => ({
  pages: new Array<Uint8Array | undefined>(PAGES).fill(undefined),
  pageCount: 0,
  blocks: new Uint8Array(BLOCK_MAP_LEN),
  received: 0,
  furthest: 0,
  total: undefined,
  header: undefined,
  ecn: 0
})

/** Octets the assembly holds. */
export const held = (a: Assembly): number => a.pageCount * PAGE + a.blocks.byteLength + (a.header?.byteLength ?? 0)

const MAX_DATAGRAM = 65535

/**
 * Add one fragment, copying its data in; `Complete` when the datagram is
 * whole. `room` is how many more octets the assembly may come to hold (the
 * caller's share of its memory bound): a fragment that would need more is
 * refused with `NoRoom` and the assembly is left as it was.
 */
export const add = (a: Assembly, f: Fragment, room: number = Number.POSITIVE_INFINITY): AddResult => {
  const len = f.length
  const end = f.offset + len
  if (f.more && (len === 0 || len % 8 !== 0)) return "Inconsistent"
  let total = a.total
  if (!f.more) {
    if (total !== undefined && total !== end) return "Inconsistent"
    // Data already received beyond this end contradicts it.
    if (total === undefined && a.furthest > end) return "Inconsistent"
    total = end
  } else if (total !== undefined && end > total) {
    return "Inconsistent"
  }
  // The whole datagram is fragment zero's header and the data (RFC 791: at most 65535 octets):
  // a later fragment's own header, options copied or not, says nothing of it. Until fragment
  // zero is in, the shortest header it can have.
  const headerLen = f.offset === 0 ? f.headerLen : a.header?.length ?? Ip.MIN_HEADER_LEN
  if (headerLen + Math.max(end, a.furthest, total ?? 0) > MAX_DATAGRAM) return "TooBig"
  if (len > 0) {
    const first = f.offset >>> 3
    const last = (end - 1) >>> 3
    const seen = countSet(a.blocks, first, last)
    if (seen === last - first + 1) {
      a.total = total
      return "Duplicate"
    }
    if (seen > 0) return "Overlap"
    let newPages = 0
    for (let pg = Math.floor(f.offset / PAGE); pg <= Math.floor((end - 1) / PAGE); pg++) if (a.pages[pg] === undefined) newPages++
    if (newPages * PAGE + (f.offset === 0 ? f.headerLen : 0) > room) return "NoRoom"
    for (let k = first; k <= last; k++) a.blocks[k >>> 3]! |= 1 << (k & 7)
    // Copy page by page (a fragment may span several).
    let at = f.offset
    let from = f.at + f.headerLen
    while (at < end) {
      const pg = Math.floor(at / PAGE)
      let page = a.pages[pg]
      if (page === undefined) {
        page = a.pages[pg] = new Uint8Array(PAGE)
        a.pageCount++
      }
      const n = Math.min(end, (pg + 1) * PAGE) - at
      page.set(f.bytes.subarray(from, from + n), at - pg * PAGE)
      at += n
      from += n
    }
    a.received += len
    if (end > a.furthest) a.furthest = end
  } else if (a.total === total) {
    return "Duplicate"
  }
  a.total = total
  if (f.offset === 0) a.header = f.bytes.slice(f.at, f.at + f.headerLen)
  a.ecn |= 1 << Ip.ecnAt(f.bytes, f.at)
  if (total === undefined || a.received !== total || a.header === undefined) return "Incomplete"
  return (a.ecn & NOT_ECT) !== 0 && a.ecn !== NOT_ECT ? "EcnMismatch" : "Complete"
}

const NOT_ECT = 1 << Ip.Ecn.NotEct
const CE = 1 << Ip.Ecn.Ce

/**
 * The whole datagram of a `Complete` assembly, joined into one new buffer:
 * `bytes[offset]` is its IP header (fragment zero's, now saying MF clear,
 * offset 0 and the full length), with `offset` octets of headroom before it
 * for a reply built in place.
 */
export const datagram = (a: Assembly): { readonly bytes: Uint8Array; readonly offset: number; readonly headerLen: number } => {
  const header = a.header!
  const hl = header.length
  const total = a.total!
  const out = new Uint8Array(14 + hl + total)
  out.set(header, 14)
  // a congestion indication on any fragment is the datagram's (makeWhole sums the header again)
  if ((a.ecn & CE) !== 0) out[14 + Ip.Field.tos] = out[14 + Ip.Field.tos]! | Ip.ECN_MASK
  Ip.makeWhole(out, 14, hl + total)
  for (let pg = 0; pg * PAGE < total; pg++) {
    const page = a.pages[pg]!
    const n = Math.min(PAGE, total - pg * PAGE)
    out.set(n === PAGE ? page : page.subarray(0, n), 14 + hl + pg * PAGE)
  }
  return { bytes: out, offset: 14, headerLen: hl }
}

/**
 * Fragment zero as received, its own header (MF set) and data, for the ICMP time exceeded sent
 * when an assembly times out (Linux's ip_expire quotes the head fragment through icmp_send), cut
 * to `limit` octets in all (the caller's quote size); undefined when it never arrived.
 */
export const firstFragment = (
  a: Assembly,
  limit: number
): { readonly bytes: Uint8Array; readonly headerLen: number; readonly dataLength: number } | undefined => {
  const header = a.header
  if (header === undefined || a.pages[0] === undefined) return undefined
  const hl = header.length
  // fragment zero's data, by its own total length: every page of it is there, as it arrived
  const have = Math.max(0, Math.min(Ip.totalLength(header, 0) - hl, limit - hl))
  const out = new Uint8Array(hl + have)
  out.set(header)
  for (let at = 0; at < have; at += PAGE) {
    const page = a.pages[at / PAGE]!
    out.set(page.subarray(0, Math.min(PAGE, have - at)), hl + at)
  }
  return { bytes: out, headerLen: hl, dataLength: have }
}

const countSet = (map: Uint8Array, first: number, last: number): number => {
  let n = 0
  for (let k = first; k <= last; k++) n += (map[k >>> 3]! >>> (k & 7)) & 1
  return n
}

/**
 * Split `payloadLen` octets into fragment (offset, length) pairs that fit an
 * MTU with a header of `headerLen` octets (RFC 791 §3.2, "fragmentation
 * procedure"): every fragment but the last carries a multiple of 8 octets.
 */
export const fragmentPlan = (
  payloadLen: number,
  headerLen: number,
  mtu: number
): ReadonlyArray<{ readonly offset: number; readonly length: number; readonly more: boolean }> => {
  const chunk = Math.floor((mtu - headerLen) / 8) * 8
  if (chunk <= 0) throw new RangeError(`MTU ${mtu} cannot carry a fragment`)
  const out: Array<{ offset: number; length: number; more: boolean }> = []
  for (let offset = 0; offset < payloadLen; offset += chunk) {
    const length = Math.min(chunk, payloadLen - offset)
    out.push({ offset, length, more: offset + length < payloadLen })
  }
  if (out.length === 0) out.push({ offset: 0, length: 0, more: false })
  return out
}
