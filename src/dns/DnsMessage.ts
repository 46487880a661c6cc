/**
 * DNS messages (RFC 1035 §4.1): header, questions and resource records.
 *
 * Every function is pure: bytes in, plain data or bytes out; nothing here
 * opens a socket. Decoding never throws on input: a message that cannot be
 * read is a `DnsMessageError` value with a reason, because the bytes come
 * from the network and an answer can be hostile.
 *
 * - Names are dotted strings without the trailing dot ("" is the root).
 *   A label octet that is not printable ASCII, and "." or "\" inside a label,
 *   is written with the master-file escapes of RFC 1035 §5.1 (`\DDD`, `\.`,
 *   `\\`), so every wire name has one string and back. Case is kept as sent;
 *   `equalNames` compares as DNS does (ASCII case-insensitive, RFC 4343).
 * - Compression (RFC 1035 §4.1.4) is read, never written. A pointer must
 *   point backwards ("a prior occurrence") and past the 12-octet header, and
 *   one name may follow at most `MAX_POINTERS` of them: that rules out loops
 *   and bounds the work any message can cause (a chain of pointers that each
 *   point at the previous one would otherwise cost O(n) per name, O(n²) per
 *   message). A name is at most 255 octets and a label 63 (§2.3.4); label
 *   types 01 and 10 (RFC 6891 §5) are refused.
 * - RDATA of A, AAAA, CNAME, SOA, NS, PTR, MX, TXT (RFC 1035 §3.3, §3.4),
 *   SRV (RFC 2782), NAPTR (RFC 3403 §4.1) and CAA (RFC 8659 §4.1) is decoded:
 *   the names inside it may be compressed (RFC 1035 §4.1.4 allows it in the
 *   RDATA of the types it defines; RFC 3597 §4 forbids it for later types,
 *   yet servers send it, and c-ares reads it), so they are read here, against
 *   the whole message, and must end within their RDATA. Every fixed field and
 *   character-string (a length octet and that many octets, §3.3) must fit the
 *   RDATA exactly, or the record is `BadRData`. Character-strings stay octets:
 *   they need not be text. Any other type is kept as a copy of its raw octets.
 * - `decodeHead` reads only the header and the questions, for a truncated
 *   answer (TC) whose records may be cut off mid-way (RFC 2181 §9).
 * - Octets after the last record are ignored.
 *
 * @since 0.1.0
 */
import { Data, Either } from "effect"
import * as Bytes from "../wire/Bytes.js"

// ---------------------------------------------------------------------------
// constants (RFC 1035 §3.2.2, §3.2.4, §4.1.1; RFC 3596)

/** Offsets in the 12-octet header (RFC 1035 §4.1.1). */
export const Field = { id: 0, flags: 2, qdCount: 4, anCount: 6, nsCount: 8, arCount: 10 } as const
export const HEADER_LEN = 12

/** The longest name on the wire, in octets, length octets and root included (§2.3.4). */
export const MAX_NAME_LEN = 255
/** The longest label, in octets (§2.3.4). */
export const MAX_LABEL_LEN = 63
/** Compression pointers one name may follow: a name of 255 octets has at most 127 labels. */
export const MAX_POINTERS = 127
/** The largest message: what a 16-bit TCP length prefix (§4.2.2) or a UDP datagram can carry. */
export const MAX_MESSAGE_LEN = 65535
/** The largest answer a UDP query without EDNS may get (§2.3.4, §4.2.1). */
export const UDP_PAYLOAD_LEN = 512

/** RR types used here (RFC 1035 §3.2.2, RFC 3596 §2.1, and as noted). */
export const Type = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  /** RFC 2782 */
  SRV: 33,
  /** RFC 3403 */
  NAPTR: 35,
  OPT: 41,
  /** the QTYPE "*" (§3.2.3) */
  ANY: 255,
  /** RFC 8659 */
  CAA: 257
} as const
/** The Internet class (§3.2.4). */
export const Class = { IN: 1 } as const
/** Response codes (§4.1.1). */
export const Rcode = { NoError: 0, FormErr: 1, ServFail: 2, NXDomain: 3, NotImp: 4, Refused: 5 } as const
/** Opcodes (§4.1.1). */
export const Opcode = { Query: 0 } as const

const FLAG_QR = 0x8000
const FLAG_AA = 0x0400
const FLAG_TC = 0x0200
const FLAG_RD = 0x0100
const FLAG_RA = 0x0080
const POINTER_MASK = 0xc0

// ---------------------------------------------------------------------------
// models

/** The header (§4.1.1), with the counts left implicit in the section arrays. @category models */
export interface Header {
  /** 16-bit identifier, copied into the answer */
  readonly id: number
  /** a response (true) or a query */
  readonly qr: boolean
  /** 4 bits; 0 is a standard query */
  readonly opcode: number
  /** authoritative answer */
  readonly aa: boolean
  /** truncated: the answer did not fit (§4.2.1); ask again over TCP */
  readonly tc: boolean
  /** recursion desired */
  readonly rd: boolean
  /** recursion available */
  readonly ra: boolean
  /** the 3 bits after RA (Z in RFC 1035; AD and CD since RFC 4035), kept as they are */
  readonly z: number
  /** 4 bits: `Rcode` */
  readonly rcode: number
}

/** @category models */
export interface Question {
  readonly name: string
  readonly type: number
  readonly class: number
}

/** Decoded RDATA. @category models */
export type RData =
  | { readonly _tag: "A"; /** the address as a 32-bit unsigned integer */ readonly address: number }
  | { readonly _tag: "AAAA"; /** 16 octets */ readonly address: Uint8Array }
  | { readonly _tag: "CNAME"; readonly target: string }
  | {
    readonly _tag: "SOA"
    readonly mname: string
    readonly rname: string
    readonly serial: number
    /** seconds */
    readonly refresh: number
    /** seconds */
    readonly retry: number
    /** seconds */
    readonly expire: number
    /** seconds; with the SOA's own TTL, the negative-caching TTL (RFC 2308 §5) */
    readonly minimum: number
  }
  | { readonly _tag: "NS"; /** a host that is authoritative for the owner's zone */ readonly target: string }
  | { readonly _tag: "PTR"; readonly target: string }
  | { readonly _tag: "MX"; /** lower is preferred */ readonly preference: number; readonly exchange: string }
  | { readonly _tag: "TXT"; /** one or more character-strings (§3.3.14), as sent */ readonly strings: ReadonlyArray<Uint8Array> }
  | {
    readonly _tag: "SRV"
    readonly priority: number
    readonly weight: number
    readonly port: number
    /** "" (the root) for "no such service here" (RFC 2782) */
    readonly target: string
  }
  | {
    readonly _tag: "NAPTR"
    readonly order: number
    readonly preference: number
    readonly flags: Uint8Array
    readonly services: Uint8Array
    readonly regexp: Uint8Array
    /** "" (the root) when the regexp is used instead */
    readonly replacement: string
  }
  | {
    readonly _tag: "CAA"
    /** bit 7 (128) is the issuer-critical flag */
    readonly flags: number
    /** 1..255 octets (RFC 8659 §4.1: 1..15 ASCII letters and digits, not checked here) */
    readonly tag: Uint8Array
    readonly value: Uint8Array
  }
  | { readonly _tag: "Raw"; readonly bytes: Uint8Array }

/** A resource record (§4.1.3). @category models */
export interface ResourceRecord {
  readonly name: string
  readonly type: number
  readonly class: number
  /** seconds, 0..2^31-1 (a larger value is read as 0, RFC 2181 §8) */
  readonly ttl: number
  readonly data: RData
}

/** @category models */
export interface Message {
  readonly header: Header
  readonly questions: ReadonlyArray<Question>
  readonly answers: ReadonlyArray<ResourceRecord>
  readonly authorities: ReadonlyArray<ResourceRecord>
  readonly additionals: ReadonlyArray<ResourceRecord>
}

/** A message with only its header and questions read (`decodeHead`). @category models */
export interface Head {
  readonly header: Header
  readonly questions: ReadonlyArray<Question>
}

/** @category errors */
export class DnsMessageError extends Data.TaggedError("DnsMessageError")<{
  readonly reason:
    /** the message ends inside a field, a name or a record */
    | "Truncated"
    /** a compression pointer points forwards, at itself or into the header */
    | "BadPointer"
    /** a name follows more than `MAX_POINTERS` pointers */
    | "TooManyPointers"
    /** a label type other than 00 and 11 (§4.1.4, RFC 6891 §5) */
    | "BadLabelType"
    /** a name of more than 255 octets (§2.3.4) */
    | "NameTooLong"
    /** a label of more than 63 octets, or an empty label inside a name */
    | "BadLabel"
    /** a name string with a bad escape */
    | "BadEscape"
    /** RDATA whose length does not fit its type */
    | "BadRData"
    /** a field out of range when encoding, or a message over 65535 octets */
    | "BadField"
  /** where in the message (octets), or -1 when encoding */
  readonly offset: number
}> {
  override get message(): string {
    return `dns: ${this.reason}${this.offset >= 0 ? ` at octet ${this.offset}` : ""}`
  }
}

const fail = (reason: DnsMessageError["reason"], offset = -1) => Either.left(new DnsMessageError({ reason, offset }))

// ---------------------------------------------------------------------------
// names as strings

const BACKSLASH = 0x5c
const DOT = 0x2e

/** One label as text, with RFC 1035 §5.1 escapes for what is not printable. */
const formatLabel = (b: Uint8Array, start: number, end: number): string => {
  let s = ""
  for (let i = start; i < end; i++) {
    const c = b[i]!
    if (c === DOT || c === BACKSLASH) s += "\\" + String.fromCharCode(c)
    else if (c <= 0x20 || c >= 0x7f) s += "\\" + String(c).padStart(3, "0")
    else s += String.fromCharCode(c)
  }
  return s
}

/**
 * A name string as its labels' octets, checked against §2.3.4: no label of
 * more than 63 octets, no empty label (a single trailing dot is allowed, and
 * "" or "." is the root), at most 255 octets on the wire. Characters beyond
 * ASCII are taken as their UTF-8 octets (no IDNA here).
 */
export const parseName = (name: string): Either.Either<ReadonlyArray<Uint8Array>, DnsMessageError> => {
  const octets = new TextEncoder().encode(name)
  const labels: Array<Uint8Array> = []
  let label: Array<number> = []
  let wire = 1 // the root's zero octet
  let i = 0
  if (octets.length === 1 && octets[0] === DOT) return Either.right(labels)
  while (i < octets.length) {
    const c = octets[i]!
    if (c === DOT) {
      if (label.length === 0) return fail("BadLabel")
      labels.push(Uint8Array.from(label))
      wire += 1 + label.length
      label = []
      i++
      continue
    }
    let v = c
    if (c === BACKSLASH) {
      const d = octets.subarray(i + 1, i + 4)
      if (d.length >= 1 && (d[0]! < 0x30 || d[0]! > 0x39)) {
        v = d[0]!
        i += 2
      } else if (d.length === 3 && d.every((x) => x >= 0x30 && x <= 0x39)) {
        v = (d[0]! - 0x30) * 100 + (d[1]! - 0x30) * 10 + (d[2]! - 0x30)
        if (v > 255) return fail("BadEscape")
        i += 4
      } else {
        return fail("BadEscape")
      }
    } else {
      i++
    }
    label.push(v)
    if (label.length > MAX_LABEL_LEN) return fail("BadLabel")
  }
  if (label.length > 0) {
    labels.push(Uint8Array.from(label))
    wire += 1 + label.length
  }
  return wire > MAX_NAME_LEN ? fail("NameTooLong") : Either.right(labels)
}

/** Labels as a name string (the inverse of `parseName` for its canonical output). */
export const formatName = (labels: ReadonlyArray<Uint8Array>): string =>
  labels.map((l) => formatLabel(l, 0, l.length)).join(".")

/**
 * `name` checked (§2.3.4) and in canonical form: escapes normalised, no
 * trailing dot. What a resolver should key on (after `foldCase`).
 */
export const normalizeName = (name: string): Either.Either<string, DnsMessageError> =>
  Either.map(parseName(name), formatName)

/** ASCII-only lower case (RFC 4343 §3: only A-Z fold; escaped octets are digits). */
export const foldCase = (name: string): string => name.replace(/[A-Z]+/g, (s) => s.toLowerCase())

/** Whether two canonical names are the same DNS name (RFC 4343). */
export const equalNames = (a: string, b: string): boolean => a.length === b.length && foldCase(a) === foldCase(b)

// ---------------------------------------------------------------------------
// decoding

interface Cursor<A> {
  readonly value: A
  readonly next: number
}

/**
 * The name at `b[offset]`, following compression pointers (§4.1.4) within
 * `b`; `next` is the offset after the name where it started (after the
 * first pointer, if any).
 */
export const decodeName = (b: Uint8Array, offset: number): Either.Either<Cursor<string>, DnsMessageError> => {
  let text = ""
  let wire = 1
  let at = offset
  let next = -1
  let pointers = 0
  // the start of the stretch of labels being read: a pointer must point
  // before it, so every jump lands strictly earlier than the last and no
  // sequence of labels and pointers can come round again
  let floor = offset
  for (;;) {
    if (at >= b.length) return fail("Truncated", at)
    const len = b[at]!
    const kind = len & POINTER_MASK
    if (kind === POINTER_MASK) {
      if (at + 1 >= b.length) return fail("Truncated", at)
      const target = ((len & 0x3f) << 8) | b[at + 1]!
      // to a prior occurrence (§4.1.4), never into the header
      if (target >= floor || target < HEADER_LEN) return fail("BadPointer", at)
      if (++pointers > MAX_POINTERS) return fail("TooManyPointers", at)
      if (next < 0) next = at + 2
      at = floor = target
      continue
    }
    if (kind !== 0) return fail("BadLabelType", at)
    if (len === 0) {
      return Either.right({ value: text, next: next < 0 ? at + 1 : next })
    }
    wire += 1 + len
    if (wire > MAX_NAME_LEN) return fail("NameTooLong", at)
    if (at + 1 + len > b.length) return fail("Truncated", at)
    text += (text.length === 0 ? "" : ".") + formatLabel(b, at + 1, at + 1 + len)
    at += 1 + len
  }
}

const decodeHeader = (b: Uint8Array): Either.Either<Header, DnsMessageError> => {
  if (b.length < HEADER_LEN) return fail("Truncated", b.length)
  const f = Bytes.u16(b, Field.flags)
  return Either.right({
    id: Bytes.u16(b, Field.id),
    qr: (f & FLAG_QR) !== 0,
    opcode: (f >>> 11) & 0xf,
    aa: (f & FLAG_AA) !== 0,
    tc: (f & FLAG_TC) !== 0,
    rd: (f & FLAG_RD) !== 0,
    ra: (f & FLAG_RA) !== 0,
    z: (f >>> 4) & 0x7,
    rcode: f & 0xf
  })
}

const decodeQuestions = (
  b: Uint8Array,
  count: number,
  offset: number
): Either.Either<Cursor<ReadonlyArray<Question>>, DnsMessageError> => {
  const out: Array<Question> = []
  let at = offset
  for (let i = 0; i < count; i++) {
    const n = decodeName(b, at)
    if (Either.isLeft(n)) return Either.left(n.left)
    at = n.right.next
    if (at + 4 > b.length) return fail("Truncated", at)
    out.push({ name: n.right.value, type: Bytes.u16(b, at), class: Bytes.u16(b, at + 2) })
    at += 4
  }
  return Either.right({ value: out, next: at })
}

/** A name that must fill `b[at, end)` exactly (inside RDATA). */
const nameWithin = (b: Uint8Array, at: number, end: number): Either.Either<Cursor<string>, DnsMessageError> => {
  // a name read from inside RDATA must not run past it, pointers aside
  const n = decodeName(b.subarray(0, end), at)
  return Either.isLeft(n) && n.left.reason === "Truncated" ? fail("BadRData", at) : n
}

const decodeRData = (b: Uint8Array, type: number, at: number, len: number): Either.Either<RData, DnsMessageError> => {
  const end = at + len
  switch (type) {
    case Type.A:
      return len === 4 ? Either.right({ _tag: "A", address: Bytes.u32(b, at) }) : fail("BadRData", at)
    case Type.AAAA:
      return len === 16 ? Either.right({ _tag: "AAAA", address: b.slice(at, end) }) : fail("BadRData", at)
    case Type.CNAME: {
      const n = nameWithin(b, at, end)
      if (Either.isLeft(n)) return Either.left(n.left)
      return n.right.next === end ? Either.right({ _tag: "CNAME", target: n.right.value }) : fail("BadRData", at)
    }
    case Type.SOA: {
      const m = nameWithin(b, at, end)
      if (Either.isLeft(m)) return Either.left(m.left)
      const r = nameWithin(b, m.right.next, end)
      if (Either.isLeft(r)) return Either.left(r.left)
      const o = r.right.next
      if (o + 20 !== end) return fail("BadRData", at)
      return Either.right({
        _tag: "SOA",
        mname: m.right.value,
        rname: r.right.value,
        serial: Bytes.u32(b, o),
        refresh: Bytes.u32(b, o + 4),
        retry: Bytes.u32(b, o + 8),
        expire: Bytes.u32(b, o + 12),
        minimum: Bytes.u32(b, o + 16)
      })
    }
    case Type.NS:
    case Type.PTR:
      return Either.map(nameFilling(b, at, end), (target) => ({ _tag: type === Type.NS ? "NS" : "PTR", target }) as RData)
    case Type.MX:
      return len < 3
        ? fail("BadRData", at)
        : Either.map(nameFilling(b, at + 2, end), (exchange) => ({ _tag: "MX", preference: Bytes.u16(b, at), exchange }))
    case Type.TXT: {
      const strings: Array<Uint8Array> = []
      // each step takes at least one octet, so at most `len` steps
      for (let o = at; o < end;) {
        const s = characterString(b, o, end)
        if (s === undefined) return fail("BadRData", o)
        strings.push(s)
        o += 1 + s.length
      }
      return strings.length > 0 ? Either.right({ _tag: "TXT", strings }) : fail("BadRData", at)
    }
    case Type.SRV:
      return len < 7 ? fail("BadRData", at) : Either.map(nameFilling(b, at + 6, end), (target) => ({
        _tag: "SRV",
        priority: Bytes.u16(b, at),
        weight: Bytes.u16(b, at + 2),
        port: Bytes.u16(b, at + 4),
        target
      }))
    case Type.NAPTR: {
      let o = at + 4
      const strings: Array<Uint8Array> = []
      for (let i = 0; i < 3; i++) {
        const s = o <= end ? characterString(b, o, end) : undefined
        if (s === undefined) return fail("BadRData", o)
        strings.push(s)
        o += 1 + s.length
      }
      return Either.map(nameFilling(b, o, end), (replacement) => ({
        _tag: "NAPTR",
        order: Bytes.u16(b, at),
        preference: Bytes.u16(b, at + 2),
        flags: strings[0]!,
        services: strings[1]!,
        regexp: strings[2]!,
        replacement
      }))
    }
    case Type.CAA: {
      // flags, a tag length of at least 1, the tag, and the value: the rest (RFC 8659 §4.1)
      const tagLen = len >= 2 ? b[at + 1]! : 0
      if (tagLen === 0 || at + 2 + tagLen > end) return fail("BadRData", at)
      return Either.right({ _tag: "CAA", flags: b[at]!, tag: b.slice(at + 2, at + 2 + tagLen), value: b.slice(at + 2 + tagLen, end) })
    }
    default:
      return Either.right({ _tag: "Raw", bytes: b.slice(at, end) })
  }
}

/** The name that fills `b[at, end)` exactly (the last field of its RDATA), or BadRData. */
const nameFilling = (b: Uint8Array, at: number, end: number): Either.Either<string, DnsMessageError> => {
  if (at >= end) return fail("BadRData", at)
  const n = nameWithin(b, at, end)
  if (Either.isLeft(n)) return Either.left(n.left)
  return n.right.next === end ? Either.right(n.right.value) : fail("BadRData", at)
}

/** The character-string (a length octet, then that many octets, §3.3) at `b[at]`, if it ends by `end`. */
const characterString = (b: Uint8Array, at: number, end: number): Uint8Array | undefined => {
  if (at >= end || at + 1 + b[at]! > end) return undefined
  return b.slice(at + 1, at + 1 + b[at]!)
}

const decodeRecords = (
  b: Uint8Array,
  count: number,
  offset: number
): Either.Either<Cursor<ReadonlyArray<ResourceRecord>>, DnsMessageError> => {
  const out: Array<ResourceRecord> = []
  let at = offset
  for (let i = 0; i < count; i++) {
    const n = decodeName(b, at)
    if (Either.isLeft(n)) return Either.left(n.left)
    at = n.right.next
    if (at + 10 > b.length) return fail("Truncated", at)
    const type = Bytes.u16(b, at)
    const klass = Bytes.u16(b, at + 2)
    const ttl = Bytes.u32(b, at + 4)
    const rdLength = Bytes.u16(b, at + 8)
    at += 10
    if (at + rdLength > b.length) return fail("Truncated", at)
    const data = decodeRData(b, type, at, rdLength)
    if (Either.isLeft(data)) return Either.left(data.left)
    // RFC 2181 §8: a TTL with the top bit set is treated as zero
    out.push({ name: n.right.value, type, class: klass, ttl: ttl > 0x7fffffff ? 0 : ttl, data: data.right })
    at += rdLength
  }
  return Either.right({ value: out, next: at })
}

/** The header and the question section only (for a truncated answer). */
export const decodeHead = (b: Uint8Array): Either.Either<Head, DnsMessageError> =>
  Either.flatMap(decodeHeader(b), (header) =>
    Either.map(decodeQuestions(b, Bytes.u16(b, Field.qdCount), HEADER_LEN), (q) => ({ header, questions: q.value })))

/** A whole message (§4.1). */
export const decode = (b: Uint8Array): Either.Either<Message, DnsMessageError> =>
  Either.gen(function*() {
    const header = yield* decodeHeader(b)
    const q = yield* decodeQuestions(b, Bytes.u16(b, Field.qdCount), HEADER_LEN)
    const an = yield* decodeRecords(b, Bytes.u16(b, Field.anCount), q.next)
    const ns = yield* decodeRecords(b, Bytes.u16(b, Field.nsCount), an.next)
    const ar = yield* decodeRecords(b, Bytes.u16(b, Field.arCount), ns.next)
    return { header, questions: q.value, answers: an.value, authorities: ns.value, additionals: ar.value }
  })

// ---------------------------------------------------------------------------
// encoding (no compression: every name is written in full)

const isU = (v: number, bits: number) => Number.isInteger(v) && v >= 0 && v < 2 ** bits

/** Octets of `labels` on the wire. */
const nameLen = (labels: ReadonlyArray<Uint8Array>): number => labels.reduce((n, l) => n + 1 + l.length, 1)

const putName = (out: Uint8Array, at: number, labels: ReadonlyArray<Uint8Array>): number => {
  for (const l of labels) {
    out[at++] = l.length
    out.set(l, at)
    at += l.length
  }
  out[at++] = 0
  return at
}

/** A character-string (§3.3): its length octet, then its octets. */
const putString = (out: Uint8Array, at: number, s: Uint8Array): number => {
  out[at] = s.length
  out.set(s, at + 1)
  return at + 1 + s.length
}

type Piece = (out: Uint8Array, at: number) => number

/** A writer for RDATA, with its length, or an error. */
const rdataPiece = (d: RData): Either.Either<{ readonly len: number; readonly put: Piece }, DnsMessageError> => {
  switch (d._tag) {
    case "A":
      return isU(d.address, 32)
        ? Either.right({ len: 4, put: (o, at) => (Bytes.put32(o, at, d.address), at + 4) })
        : fail("BadField")
    case "AAAA":
      return d.address.length === 16
        ? Either.right({ len: 16, put: (o, at) => (o.set(d.address, at), at + 16) })
        : fail("BadRData")
    case "CNAME":
      return Either.map(parseName(d.target), (t) => ({ len: nameLen(t), put: (o, at) => putName(o, at, t) }))
    case "SOA":
      return Either.gen(function*() {
        const m = yield* parseName(d.mname)
        const r = yield* parseName(d.rname)
        const nums = [d.serial, d.refresh, d.retry, d.expire, d.minimum]
        if (!nums.every((v) => isU(v, 32))) return yield* fail("BadField")
        return {
          len: nameLen(m) + nameLen(r) + 20,
          put: (o: Uint8Array, at: number) => {
            at = putName(o, putName(o, at, m), r)
            for (const v of nums) {
              Bytes.put32(o, at, v)
              at += 4
            }
            return at
          }
        }
      })
    case "NS":
    case "PTR":
      return Either.map(parseName(d.target), (t) => ({ len: nameLen(t), put: (o, at) => putName(o, at, t) }))
    case "MX":
      return isU(d.preference, 16)
        ? Either.map(parseName(d.exchange), (x) => ({
          len: 2 + nameLen(x),
          put: (o, at) => (Bytes.put16(o, at, d.preference), putName(o, at + 2, x))
        }))
        : fail("BadField")
    case "TXT":
      return d.strings.length > 0 && d.strings.every((x) => x.length <= 255)
        ? Either.right({
          len: d.strings.reduce((n, x) => n + 1 + x.length, 0),
          put: (o, at) => d.strings.reduce((p, x) => putString(o, p, x), at)
        })
        : fail("BadRData")
    case "SRV":
      return [d.priority, d.weight, d.port].every((v) => isU(v, 16))
        ? Either.map(parseName(d.target), (t) => ({
          len: 6 + nameLen(t),
          put: (o, at) => {
            Bytes.put16(o, at, d.priority)
            Bytes.put16(o, at + 2, d.weight)
            Bytes.put16(o, at + 4, d.port)
            return putName(o, at + 6, t)
          }
        }))
        : fail("BadField")
    case "NAPTR": {
      const strings = [d.flags, d.services, d.regexp]
      if (!isU(d.order, 16) || !isU(d.preference, 16)) return fail("BadField")
      if (strings.some((x) => x.length > 255)) return fail("BadRData")
      return Either.map(parseName(d.replacement), (r) => ({
        len: 4 + strings.reduce((n, x) => n + 1 + x.length, 0) + nameLen(r),
        put: (o, at) => {
          Bytes.put16(o, at, d.order)
          Bytes.put16(o, at + 2, d.preference)
          return putName(o, strings.reduce((p, x) => putString(o, p, x), at + 4), r)
        }
      }))
    }
    case "CAA":
      if (!isU(d.flags, 8)) return fail("BadField")
      return d.tag.length >= 1 && d.tag.length <= 255
        ? Either.right({
          len: 2 + d.tag.length + d.value.length,
          put: (o, at) => {
            o[at] = d.flags
            o[at + 1] = d.tag.length
            o.set(d.tag, at + 2)
            o.set(d.value, at + 2 + d.tag.length)
            return at + 2 + d.tag.length + d.value.length
          }
        })
        : fail("BadRData")
    case "Raw":
      return d.bytes.length <= 0xffff
        ? Either.right({ len: d.bytes.length, put: (o, at) => (o.set(d.bytes, at), at + d.bytes.length) })
        : fail("BadRData")
  }
}

/** The message as octets (§4.1), names uncompressed; fails on a bad name or an out-of-range field. */
export const encode = (m: Message): Either.Either<Uint8Array, DnsMessageError> =>
  Either.gen(function*() {
    const h = m.header
    if (
      !isU(h.id, 16) || !isU(h.opcode, 4) || !isU(h.z, 3) || !isU(h.rcode, 4) ||
      [m.questions, m.answers, m.authorities, m.additionals].some((s) => s.length > 0xffff)
    ) return yield* fail("BadField")
    const pieces: Array<Piece> = []
    let len = HEADER_LEN
    for (const q of m.questions) {
      const labels = yield* parseName(q.name)
      if (!isU(q.type, 16) || !isU(q.class, 16)) return yield* fail("BadField")
      len += nameLen(labels) + 4
      pieces.push((o, at) => {
        at = putName(o, at, labels)
        Bytes.put16(o, at, q.type)
        Bytes.put16(o, at + 2, q.class)
        return at + 4
      })
    }
    for (const r of [...m.answers, ...m.authorities, ...m.additionals]) {
      const labels = yield* parseName(r.name)
      const rd = yield* rdataPiece(r.data)
      if (!isU(r.type, 16) || !isU(r.class, 16) || !isU(r.ttl, 32)) return yield* fail("BadField")
      len += nameLen(labels) + 10 + rd.len
      pieces.push((o, at) => {
        at = putName(o, at, labels)
        Bytes.put16(o, at, r.type)
        Bytes.put16(o, at + 2, r.class)
        Bytes.put32(o, at + 4, r.ttl)
        Bytes.put16(o, at + 8, rd.len)
        return rd.put(o, at + 10)
      })
    }
    if (len > MAX_MESSAGE_LEN) return yield* fail("BadField")
    const out = new Uint8Array(len)
    Bytes.put16(out, Field.id, h.id)
    Bytes.put16(
      out,
      Field.flags,
      (h.qr ? FLAG_QR : 0) | (h.opcode << 11) | (h.aa ? FLAG_AA : 0) | (h.tc ? FLAG_TC : 0) |
        (h.rd ? FLAG_RD : 0) | (h.ra ? FLAG_RA : 0) | (h.z << 4) | h.rcode
    )
    Bytes.put16(out, Field.qdCount, m.questions.length)
    Bytes.put16(out, Field.anCount, m.answers.length)
    Bytes.put16(out, Field.nsCount, m.authorities.length)
    Bytes.put16(out, Field.arCount, m.additionals.length)
    let at = HEADER_LEN
    for (const p of pieces) at = p(out, at)
    return out
  })

/** A header with every flag clear and rcode 0, for building messages. */
export const emptyHeader: Header = {
  id: 0,
  qr: false,
  opcode: Opcode.Query,
  aa: false,
  tc: false,
  rd: false,
  ra: false,
  z: 0,
  rcode: Rcode.NoError
}

/** A standard query (opcode 0) for one question, recursion desired (§4.1.1, RFC 1123 §6.1.3.1). */
export const encodeQuery = (
  id: number,
  name: string,
  type: number,
  klass: number = Class.IN
): Either.Either<Uint8Array, DnsMessageError> =>
  encode({
    header: { ...emptyHeader, id, rd: true },
    questions: [{ name, type, class: klass }],
    answers: [],
    authorities: [],
    additionals: []
  })

// ---------------------------------------------------------------------------
// addresses in answers

/** An A record's address, dotted. */
export const formatA = (address: number): string =>
  `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`

/** An AAAA record's address in RFC 5952 text: lower case, the longest run of two or more zero groups as "::". */
export const formatAaaa = (a: Uint8Array): string => {
  const groups: Array<number> = []
  for (let i = 0; i < 16; i += 2) groups.push(((a[i] ?? 0) << 8) | (a[i + 1] ?? 0))
  let best = -1
  let bestLen = 1 // RFC 5952 §4.2.2: a single zero group is not shortened
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const hex = (gs: Array<number>) => gs.map((g) => g.toString(16)).join(":")
  // an IPv4-mapped (::ffff:a.b.c.d) or -compatible (::a.b.c.d) address ends in dotted decimal, as
  // RFC 5952 §5 recommends and Node (c-ares over inet_ntop, libuv) writes it
  if (best === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff))) {
    return `::${bestLen === 5 ? "ffff:" : ""}${a[12] ?? 0}.${a[13] ?? 0}.${a[14] ?? 0}.${a[15] ?? 0}`
  }
  return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`
}
