/**
 * How far the congestion window grows while the application, not the window,
 * limits what is in flight (RFC 7661's concern), as Linux's
 * tcp_is_cwnd_limited: in slow start an ACK grows the window, by all it
 * acknowledged (tcp_slow_start), while cwnd < 2 * max_packets_out, the
 * largest flight of the window being acknowledged, kept by tcp_cwnd_validate
 * when it sends. With ACKs of one segment that ends at twice the flight,
 * draft-ietf-ccwg-ratelimited-increase §3's limit(maxFS) = 2 * maxFS.
 */
import { describe, expect, it } from "vitest"
import * as T from "../support/TcpSocket.js"

const MSS = 1460
const est = () =>
  T.established({
    params: { receiveBuffer: 1 << 20, maxReceiveBuffer: 1 << 20, congestion: "cubic" },
    peerOptions: { mss: MSS, sackPermitted: false }
  })

describe("slow start while the application limits the flight", () => {
  it("six segments acknowledged one by one: the window grows to twice the six, not twice what is left in flight", () => {
    const s = est()
    expect(s.write(10, T.octets(6 * MSS))).toHaveLength(6)
    for (let i = 1; i <= 6; i++) s.send(10 + 10 * i, T.fromPeer({ seq: 0, ack: i * MSS }))
    // maxFS = 6 segments; Linux ends at 12 (10 < 12, 11 < 12, then 12 is not below it)
    expect(s.snd.cc.cwnd).toBe(12 * MSS)
  })

  it("five segments: twice five is the initial window, which does not grow", () => {
    const s = est()
    expect(s.write(10, T.octets(5 * MSS))).toHaveLength(5)
    for (let i = 1; i <= 5; i++) s.send(10 + 10 * i, T.fromPeer({ seq: 0, ack: i * MSS }))
    expect(s.snd.cc.cwnd).toBe(10 * MSS)
  })

  it("a full window drained by ACKs of one segment each: the window grows to twice the largest flight", () => {
    const s = est()
    // ten go; each of the first two ACKs lets two more go (12 in flight after the second)
    expect(s.write(10, T.octets(14 * MSS))).toHaveLength(10)
    expect(s.send(20, T.fromPeer({ seq: 0, ack: MSS }))).toHaveLength(2)
    expect(s.send(30, T.fromPeer({ seq: 0, ack: 2 * MSS }))).toHaveLength(2)
    // nothing more to send: the twelve in flight drain one ACK at a time
    for (let i = 3; i <= 14; i++) s.send(30 + 10 * i, T.fromPeer({ seq: 0, ack: i * MSS }))
    expect(s.snd.cc.cwnd).toBe(24 * MSS)
  })
})

describe("congestion avoidance after a window that was the limit", () => {
  // Linux's tcp_cwnd_validate (2022, "fix tcp_cwnd_validate() to not forget is_cwnd_limited"): a
  // send that fills cwnd sets is_cwnd_limited and moves cwnd_usage_seq to SND.NXT, and the flag holds
  // until a send finds SND.UNA past that point without filling cwnd; tcp_is_cwnd_limited asks the flag
  // at each ACK (tcp_reno_cong_avoid). Here the eleventh segment goes at the first ACK and fills the
  // window again (ten in flight under ten): the window being acknowledged runs to its end. The one
  // segment written after the tenth ACK goes before SND.UNA passed it, so the flag holds, and the
  // eleventh segment's ACK counts toward the next increase (snd_cwnd_cnt 1)
  it("a window refilled to cwnd by a later send stays the limit until SND.UNA passes that send", () => {
    const s = T.established({
      params: { receiveBuffer: 1 << 20, maxReceiveBuffer: 1 << 20, congestion: "newreno" },
      peerOptions: { mss: MSS, sackPermitted: false }
    })
    s.snd.cc.ssthresh = 10 * MSS
    expect(s.write(10, T.octets(11 * MSS))).toHaveLength(10)
    expect(s.send(20, T.fromPeer({ seq: 0, ack: MSS }))).toHaveLength(1)
    for (let i = 2; i <= 10; i++) expect(s.send(20 + i, T.fromPeer({ seq: 0, ack: i * MSS }))).toHaveLength(0)
    // ten ACKs of a full window of ten: one segment more, the count starting over
    expect([s.snd.cc.cwnd, s.snd.cc.bytesAcked]).toEqual([11 * MSS, 0])
    expect(s.write(40, T.octets(MSS))).toHaveLength(1)
    s.send(50, T.fromPeer({ seq: 0, ack: 11 * MSS }))
    expect([s.snd.cc.cwnd, s.snd.cc.bytesAcked]).toEqual([11 * MSS, MSS])
  })
})
