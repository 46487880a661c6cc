/**
 * IPv4 reassembly bookkeeping (RFC 791 §3.2 "Fragmentation and Reassembly",
 * RFC 815 for the hole idea), as pure functions over immutable values. The
 * assembler fiber owns one `Assembly` per (src, dst, id, protocol) and the
 * clock; this module only decides.
 *
 * Policy, stricter than RFC 791 and like RFC 5722 (which mandates it for
 * IPv6) and modern kernels:
 * - An exact duplicate (same offset, same length) is ignored.
 * - Any other overlap discards the whole datagram: overlapping fragments are
 *   an evasion and injection tool with no legitimate use (RFC 1858, RFC 3128).
 * - Every fragment but the last carries a multiple of 8 octets (RFC 791).
 * - The last fragment fixes the length; a second, different "last", or data
 *   beyond it, is inconsistent and discards the datagram.
 * - A datagram whose header plus data would exceed 65 535 octets is discarded
 *   (the "ping of death", RFC 791's 16-bit total length).
 *
 * @since 0.1.0
 */

export interface Part {
  /** offset of the data in the datagram's payload, octets */
  readonly offset: number
  readonly data: Uint8Array
}

export interface Assembly {
  /** received parts, sorted by offset, non-overlapping */
  readonly parts: ReadonlyArray<Part>
  /** payload length, known once the last fragment (MF = 0) arrived */
  readonly total: number | undefined
  /** payload octets held */
  readonly bytes: number
  /** the first fragment's IP header and first 8 data octets (for ICMP errors), once it arrived */
  readonly first: Uint8Array | undefined
}

export interface Fragment {
  readonly offset: number
  readonly more: boolean
  readonly data: Uint8Array
  /** header length of this fragment, octets (for the 65 535 check) */
  readonly headerLen: number
  /** the whole received IP packet, to keep the first fragment's header */
  readonly packet: Uint8Array
}

export type AddResult =
  | { readonly _tag: "Incomplete"; readonly assembly: Assembly }
  | { readonly _tag: "Duplicate"; readonly assembly: Assembly }
  | { readonly _tag: "Complete"; readonly payload: Uint8Array; readonly first: Uint8Array }
  | { readonly _tag: "Overlap" }
  | { readonly _tag: "TooBig" }
  | { readonly _tag: "Inconsistent" }

export const empty: Assembly = { parts: [], total: undefined, bytes: 0, first: undefined }

const MAX_DATAGRAM = 65535

export const add = (a: Assembly, f: Fragment): AddResult => {
  const len = f.data.length
  const end = f.offset + len
  if (f.headerLen + end > MAX_DATAGRAM) return { _tag: "TooBig" }
  if (f.more && (len === 0 || len % 8 !== 0)) return { _tag: "Inconsistent" }
  let total = a.total
  if (!f.more) {
    if (total !== undefined && total !== end) return { _tag: "Inconsistent" }
    total = end
  }
  if (total !== undefined) {
    if (end > total) return { _tag: "Inconsistent" }
    const last = a.parts[a.parts.length - 1]
    if (last !== undefined && last.offset + last.data.length > total) return { _tag: "Inconsistent" }
  }
  // Find the insertion point and check both neighbours for overlap.
  let i = 0
  while (i < a.parts.length && a.parts[i]!.offset < f.offset) i++
  const next = a.parts[i]
  if (next !== undefined && next.offset === f.offset && next.data.length === len) {
    // An exact duplicate; a final fragment may also confirm the length.
    return { _tag: "Duplicate", assembly: total === a.total ? a : { ...a, total } }
  }
  const prev = a.parts[i - 1]
  if (prev !== undefined && prev.offset + prev.data.length > f.offset) return { _tag: "Overlap" }
  if (next !== undefined && end > next.offset) return { _tag: "Overlap" }
  const parts = a.parts.slice()
  parts.splice(i, 0, { offset: f.offset, data: f.data })
  const first = f.offset === 0 ? f.packet.slice(0, f.headerLen + Math.min(8, len)) : a.first
  const bytes = a.bytes + len
  if (total !== undefined && bytes === total && first !== undefined) {
    // Parts do not overlap and lie within [0, total), so equal size means no holes.
    const payload = new Uint8Array(total)
    for (const p of parts) payload.set(p.data, p.offset)
    return { _tag: "Complete", payload, first }
  }
  return { _tag: "Incomplete", assembly: { parts, total, bytes, first } }
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
