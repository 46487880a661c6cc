/**
 * Send-buffer auto-tuning (Sender.ts `expandSendBuffer`, Linux's
 * tcp_sndbuf_expand): the room a writer gets grows to twice the congestion
 * window as ACKs open it, never past `maxSendBuffer`, and never shrinks. A
 * fixed 256 KiB buffer held a bulk sender to 256 KiB per round trip.
 */
import { describe, expect, it } from "vitest"
import * as Sender from "../../src/tcp/Sender.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as T from "../support/TcpSocket.js"

const MSS = 1460

/** A peer with a large window (scaled by 2^7), the sender writing `total` octets. */
const bulk = (params: { sendBuffer: number; maxSendBuffer: number }) => {
  const s = T.established({
    params,
    peerOptions: { mss: MSS, sackPermitted: false, windowScale: 7 }
  })
  return s
}

/**
 * Round trips in which a peer with an 8 MiB window acknowledges every second
 * segment of what is in flight; returns the last time.
 */
const ackRounds = (s: T.TcpSocket, rounds: number, data: Uint8Array): number => {
  let now = 10
  s.write(now, data)
  for (let r = 0; r < rounds; r++) {
    now += 10
    const end = sentUpTo(s)
    let acked = Seq.sub(s.snd.sndUna, Seq.add(T.LOCAL_ISN, 1))
    if (acked === end) break
    while (acked < end) {
      acked = Math.min(end, acked + 2 * MSS)
      s.send(now, T.fromPeer({ ack: acked, window: 65535 }))
    }
  }
  return now
}

/** Our SND.NXT relative to our ISN + 1. */
const sentUpTo = (s: T.TcpSocket): number => Seq.sub(s.snd.sndNxt, Seq.add(T.LOCAL_ISN, 1))

describe("send-buffer auto-tuning", () => {
  it("grows with the congestion window to twice cwnd, from the configured start", () => {
    const s = bulk({ sendBuffer: 64 * 1024, maxSendBuffer: 4 * 1024 * 1024 })
    expect(s.snd.sendCapacity).toBe(64 * 1024)
    expect(Sender.writable(s.snd)).toBe(64 * 1024)
    ackRounds(s, 6, new Uint8Array(2 * 1024 * 1024))
    // slow start: cwnd grew with every ACK, and the buffer with it
    expect(s.snd.cc.cwnd).toBeGreaterThan(64 * 1024)
    expect(s.snd.sendCapacity).toBe(2 * s.snd.cc.cwnd)
    expect(Sender.writable(s.snd)).toBe(s.snd.sendCapacity - s.snd.buffer.length)
  })

  it("stops at maxSendBuffer", () => {
    const s = bulk({ sendBuffer: 64 * 1024, maxSendBuffer: 100 * 1024 })
    ackRounds(s, 10, new Uint8Array(2 * 1024 * 1024))
    expect(2 * s.snd.cc.cwnd).toBeGreaterThan(100 * 1024)
    expect(s.snd.sendCapacity).toBe(100 * 1024)
  })

  it("never shrinks when the window does", () => {
    const s = bulk({ sendBuffer: 64 * 1024, maxSendBuffer: 4 * 1024 * 1024 })
    const now = ackRounds(s, 6, new Uint8Array(2 * 1024 * 1024))
    const grown = s.snd.sendCapacity
    // a retransmission timeout: cwnd falls to one segment
    const at = Math.max(Sender.deadline(s.snd)!, now + 1)
    s.tick(at)
    expect(s.snd.cc.cwnd).toBeLessThan(grown / 2)
    // and the resent segment's ACK grows cwnd again from there, far below the buffer
    const una = Seq.sub(s.snd.sndUna, Seq.add(T.LOCAL_ISN, 1))
    s.send(at + 10, T.fromPeer({ ack: una + MSS, window: 65535 }))
    expect(Seq.sub(s.snd.sndUna, Seq.add(T.LOCAL_ISN, 1))).toBe(una + MSS)
    expect(2 * s.snd.cc.cwnd).toBeLessThan(grown)
    expect(s.snd.sendCapacity).toBe(grown)
  })
})
