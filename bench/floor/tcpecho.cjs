// A plain-JS TCP echo floor on the project's TAP addon: no stack, no Effect.
//
//   node bench/floor/tcpecho.cjs TAP SECONDS [PORT]        (PORT: 7 when absent)
//
// What it is: the floor this machine allows a plain-JS program for TCP
// request/response (bench/rr.mjs --targets js-floor), as echo.cjs is for ICMP
// echo. It opens (creates) the TAP named TAP through build/Release/gonet_tap.node,
// answers ARP for 198.18.0.2 (MAC 02:00:00:00:00:02), and echoes TCP on
// 198.18.0.2:PORT:
//   SYN                      -> SYN|ACK (random ISS, MSS option 1460, window 65535, no other option)
//   in-order data            -> ONE segment carrying the same octets, ACK|PSH, acknowledging them
//                               (the echo piggybacks the ACK, as the stack's echo does)
//   out-of-order or old data -> a duplicate ACK
//   FIN                      -> FIN|ACK (with the echo of any data the FIN came with); the
//                               connection is forgotten when that FIN is acknowledged
//   RST                      -> the connection is forgotten (no reply)
//   anything else to an unknown connection, or to another port -> RST (never for a RST)
// Connections are keyed by the peer's address and port (at most MAX_CONNS at once).
// IPv4 header and TCP checksums (with the pseudo-header) are computed here.
// It only ever answers for 198.18.0.2, only on the TAP it opened, and exits by
// itself after SECONDS (the TAP closed, nothing left on the event loop).
//
// What it is not: TCP. No retransmission (nothing it sends is kept), no timers,
// no send or receive window beyond the fixed 65535 it advertises (it echoes at
// once, without looking at the peer's window), no out-of-order queue, no
// options but MSS on the SYN|ACK (incoming options are skipped), no sequence
// checks on a RST, no TIME-WAIT, no IP options or fragments (a fragment is
// dropped), incoming checksums not verified (the kernel completes them for a
// TAP without a virtio-net header). It is a floor for a loss-free TAP in a
// throw-away namespace, to tell the cost of the TAP path and of JS from the
// cost of the stack; not a server.
"use strict"
const { join } = require("node:path")
const { randomBytes } = require("node:crypto")
const tap = require(join(__dirname, "../../build/Release/gonet_tap.node"))

const NAME = process.argv[2]
const SECONDS = Number(process.argv[3])
const PORT = process.argv[4] === undefined ? 7 : Number(process.argv[4])
if (!NAME || !(SECONDS > 0 && SECONDS <= 86400) || !Number.isInteger(PORT) || PORT < 1 || PORT > 65535) {
  console.error("usage: node tcpecho.cjs TAP SECONDS [PORT]")
  process.exit(2)
}

const MAC = Buffer.from([2, 0, 0, 0, 0, 2])
const IP = Buffer.from([198, 18, 0, 2])
const IP_U32 = IP.readUInt32BE(0)
const MAX_CONNS = 4096

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10
const SYN_RECEIVED = 0, ESTABLISHED = 1, LAST_ACK = 2

/** The 16-bit one's-complement sum of b[start, end) added to `sum` (not folded). */
const sum16 = (b, start, end, sum) => {
  let i = start
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1]
  if (i < end) sum += b[i] << 8
  return sum
}
/** Fold a sum to 16 bits and complement it: the Internet checksum. */
const fold = (sum) => {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  return ~sum & 0xffff
}

let ipId = 0

/**
 * One Ethernet frame from 198.18.0.2:PORT to peer (mac, ip, port): IPv4 (DF,
 * TTL 64, no options) and a TCP header with window 65535, the MSS option when
 * `mss`, then `data` (copied).
 */
const segment = (peer, seq, ack, flags, data, mss) => {
  const optLen = mss ? 4 : 0
  const dataLen = data === undefined ? 0 : data.length
  const tcpLen = 20 + optLen + dataLen
  const f = Buffer.alloc(14 + 20 + tcpLen)
  peer.mac.copy(f, 0)
  MAC.copy(f, 6)
  f.writeUInt16BE(0x0800, 12)
  // IPv4 header at 14
  f[14] = 0x45
  f.writeUInt16BE(20 + tcpLen, 16)
  ipId = (ipId + 1) & 0xffff
  f.writeUInt16BE(ipId, 18)
  f.writeUInt16BE(0x4000, 20) // DF
  f[22] = 64
  f[23] = 6
  IP.copy(f, 26)
  f.writeUInt32BE(peer.ip, 30)
  f.writeUInt16BE(fold(sum16(f, 14, 34, 0)), 24)
  // TCP header at 34
  const t = 34
  f.writeUInt16BE(PORT, t)
  f.writeUInt16BE(peer.port, t + 2)
  f.writeUInt32BE(seq >>> 0, t + 4)
  f.writeUInt32BE(ack >>> 0, t + 8)
  f[t + 12] = ((20 + optLen) / 4) << 4
  f[t + 13] = flags
  f.writeUInt16BE(65535, t + 14)
  if (mss) {
    f[t + 20] = 2
    f[t + 21] = 4
    f.writeUInt16BE(1460, t + 22)
  }
  if (dataLen > 0) f.set(data, t + 20 + optLen)
  // pseudo-header: source, destination, zero + protocol 6, TCP length
  const pseudo = (IP_U32 >>> 16) + (IP_U32 & 0xffff) + (peer.ip >>> 16) + (peer.ip & 0xffff) + 6 + tcpLen
  f.writeUInt16BE(fold(sum16(f, t, t + tcpLen, pseudo)), t + 16)
  return f
}

/** The RST answering `seg` (RFC 9293 §3.10.7.1): seq = its ACK if it has one, else RST|ACK acknowledging it. */
const reset = (peer, seg) =>
  seg.flags & ACK
    ? segment(peer, seg.ack, 0, RST)
    : segment(peer, 0, seg.seq + seg.data.length + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0), RST | ACK)

const conns = new Map() // peer ip * 65536 + peer port -> { state, iss, irs, sndNxt, rcvNxt }

/** One TCP segment for 198.18.0.2 from `peer`; replies are pushed on `out`. */
const onTcp = (peer, seg, out) => {
  const key = peer.ip * 65536 + peer.port
  if (seg.flags & RST) {
    conns.delete(key)
    return
  }
  if (seg.dstPort !== PORT) {
    out.push(reset(peer, seg))
    return
  }
  const c = conns.get(key)
  if (seg.flags & SYN) {
    if (seg.flags & ACK) {
      out.push(reset(peer, seg))
      return
    }
    if (c !== undefined && c.irs === seg.seq) {
      // the same SYN again: our SYN|ACK again, or an ACK once established
      out.push(c.state === SYN_RECEIVED ? segment(peer, c.iss, c.rcvNxt, SYN | ACK, undefined, true) : segment(peer, c.sndNxt, c.rcvNxt, ACK))
      return
    }
    if (c === undefined && conns.size >= MAX_CONNS) {
      out.push(reset(peer, seg))
      return
    }
    // a new connection (a SYN with another ISN replaces the old one)
    const iss = randomBytes(4).readUInt32BE(0)
    const n = { state: SYN_RECEIVED, iss, irs: seg.seq, sndNxt: (iss + 1) >>> 0, rcvNxt: (seg.seq + 1) >>> 0 }
    conns.set(key, n)
    out.push(segment(peer, iss, n.rcvNxt, SYN | ACK, undefined, true))
    return
  }
  if (c === undefined) {
    out.push(reset(peer, seg))
    return
  }
  if (!(seg.flags & ACK)) return // every segment after the SYN carries an ACK; drop one that does not
  if (c.state === SYN_RECEIVED) {
    if (seg.ack !== c.sndNxt) {
      out.push(reset(peer, seg))
      return
    }
    c.state = ESTABLISHED
  }
  if (c.state === LAST_ACK) {
    if (seg.ack === c.sndNxt) conns.delete(key) // our FIN acknowledged: done
    else if (seg.flags & FIN) out.push(segment(peer, c.sndNxt - 1, c.rcvNxt, FIN | ACK)) // its FIN again: ours again
    return
  }
  // ESTABLISHED
  const fin = (seg.flags & FIN) !== 0
  if (seg.data.length === 0 && !fin) return // a bare ACK: nothing to answer
  const seen = (c.rcvNxt - seg.seq) | 0 // octets at the front received before (negative: a gap before this segment)
  if (seen < 0 || seen >= seg.data.length + (fin ? 1 : 0)) {
    out.push(segment(peer, c.sndNxt, c.rcvNxt, ACK)) // out of order, or nothing new: a duplicate ACK
    return
  }
  const data = seg.data.subarray(seen)
  c.rcvNxt = (c.rcvNxt + data.length + (fin ? 1 : 0)) >>> 0
  out.push(segment(peer, c.sndNxt, c.rcvNxt, ACK | (data.length > 0 ? PSH : 0) | (fin ? FIN : 0), data))
  c.sndNxt = (c.sndNxt + data.length + (fin ? 1 : 0)) >>> 0
  if (fin) c.state = LAST_ACK
}

/** An ARP request for 198.18.0.2: the reply, or undefined. */
const arp = (b) => {
  if (b.length < 42 || b.readUInt16BE(14) !== 1 || b.readUInt16BE(16) !== 0x0800 || b[18] !== 6 || b[19] !== 4) return undefined
  if (b.readUInt16BE(20) !== 1 || b.readUInt32BE(38) !== IP_U32) return undefined
  const r = Buffer.alloc(42)
  b.copy(r, 0, 6, 12) // to the asker
  MAC.copy(r, 6)
  r.writeUInt16BE(0x0806, 12)
  r.set([0, 1, 8, 0, 6, 4, 0, 2], 14) // Ethernet, IPv4, reply
  MAC.copy(r, 22)
  IP.copy(r, 28)
  b.copy(r, 32, 22, 32) // target: the asker's hardware and protocol addresses
  return r
}

/** An IPv4 frame: a TCP segment for 198.18.0.2 goes to onTcp; anything else is ignored. */
const ipv4 = (b, out) => {
  if (b.length < 34 || b[14] >> 4 !== 4 || b[23] !== 6 || b.readUInt32BE(30) !== IP_U32) return
  if ((b.readUInt16BE(20) & 0x3fff) !== 0) return // a fragment
  const ihl = (b[14] & 0x0f) * 4
  const total = b.readUInt16BE(16)
  if (ihl < 20 || total < ihl + 20 || 14 + total > b.length) return
  const t = 14 + ihl
  const off = (b[t + 12] >> 4) * 4
  if (off < 20 || ihl + off > total) return
  const peer = { mac: b.subarray(6, 12), ip: b.readUInt32BE(26), port: b.readUInt16BE(t) }
  const seg = {
    dstPort: b.readUInt16BE(t + 2),
    seq: b.readUInt32BE(t + 4),
    ack: b.readUInt32BE(t + 8),
    flags: b[t + 13],
    data: b.subarray(t + off, 14 + total) // without the Ethernet padding of short frames
  }
  onTcp(peer, seg, out)
}

const h = tap.open(NAME, {})
tap.startReading(h, (frames, error) => {
  if (error !== undefined) {
    console.error(`tcpecho: reading ${NAME} stopped: ${error.message}`)
    tap.close(h)
    process.exitCode = 1
    return
  }
  const out = []
  for (const f of frames) {
    const b = Buffer.from(f.buffer, f.byteOffset, f.byteLength)
    if (b.length < 14) continue
    const type = b.readUInt16BE(12)
    if (type === 0x0806) {
      const r = arp(b)
      if (r !== undefined) out.push(r)
    } else if (type === 0x0800) {
      ipv4(b, out)
    }
  }
  if (out.length > 0) tap.writeBatch(h, out)
})
setTimeout(() => tap.close(h), SECONDS * 1000)
