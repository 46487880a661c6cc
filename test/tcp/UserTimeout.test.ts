/**
 * The user timeout (RFC 9293 §3.10.8 USER TIMEOUT, RFC 5482's concept; Linux's TCP_USER_TIMEOUT) as
 * pure steps with exact instants. Linux 6.18's rules, net/ipv4/tcp_timer.c:
 * - retransmissions: tcp_write_timeout asks retransmits_timed_out(sk, retry_until, user_timeout),
 *   which with a user timeout replaces the tcp_retries2 model by it, measured from retrans_stamp
 *   (the first retransmission's send, tcp_retransmit_skb) and only once a retransmission was made
 *   (icsk_retransmits); the timer re-armed after a retransmission is clamped to what is left of it
 *   (tcp_clamp_rto_to_user_timeout: at once, 1 jiffy, once it has passed);
 * - zero-window probes: tcp_probe_timer starts icsk_probes_tstamp at its first expiry and aborts
 *   once the user timeout has passed since, the peer's answers or not (they do not reset it: only a
 *   window that opens does, tcp_ack_probe); each re-arm is clamped to what is left
 *   (tcp_clamp_probe0_to_user_timeout, at least TCP_TIMEOUT_MIN);
 * - keepalive: tcp_keepalive_timer aborts (with an RST) once the user timeout has passed since the
 *   peer was last heard and a probe is out, whatever tcp_keepalive_probes says.
 *
 * Fixture: passive open, peer MSS 1460, no SACK; the handshake's 0 ms sample makes the RTO 200 ms.
 */
import { describe, expect, it } from "vitest"
import * as Sender from "../../src/tcp/Sender.js"
import * as T from "../support/TcpSocket.js"

const MSS = 1460
const est = (o: Partial<T.Options> = {}) => T.established({ ...o, peerOptions: { mss: MSS, sackPermitted: false } })

/** Nothing at `at - 1`, still `open`; at `at` the connection fails with TimedOut (the exact instant), silently. */
const failsAt = (s: T.TcpSocket, at: number, open = "Established") => {
  expect(s.tick(at - 1)).toEqual([])
  expect(s.state).toBe(open)
  expect(T.seenAll(s.tick(at))).toEqual([])
  expect(s.state).toBe("Closed")
  expect(s.snd.failure).toBe("TimedOut")
}

/** Runs the connection's timers from `from` on, each at its deadline, while it is open: the last expiry's time. */
const lastExpiry = (s: T.TcpSocket, from: number): number | undefined => {
  let last: number | undefined
  for (let t = from + 1; s.state === "Established" && t < from + 5000; t++) {
    if (Sender.deadline(s.snd) === t) {
      s.tick(t)
      last = t
    }
  }
  return last
}

describe("user timeout: retransmissions (tcp_write_timeout, retransmits_timed_out)", () => {
  it("unacknowledged data fails with TimedOut exactly the user timeout after the first retransmission, the RTO clamped to it", () => {
    const s = est()
    Sender.setUserTimeout(s.snd, 1000)
    s.write(10, "abc")
    // RTO 200: the first retransmission at 210 starts the clock (retrans_stamp)
    expect(s.tick(209)).toEqual([])
    expect(s.tick(210)).toHaveLength(1)
    // backed off to 400, 400 of the 1000 left: at 610
    expect(s.tick(609)).toEqual([])
    expect(s.tick(610)).toHaveLength(1)
    // backed off to 800, but only 600 left: the timer at 1210, not 1410 (tcp_clamp_rto_to_user_timeout)
    expect(s.snd.rtoAt).toBe(1210)
    failsAt(s, 1210)
  })
  it("a user timeout longer than `retries` would last keeps retransmitting past them (it replaces tcp_retries2)", () => {
    const s = est({ params: { retries: 3 } })
    Sender.setUserTimeout(s.snd, 10_000)
    s.write(10, "abc")
    for (const at of [210, 610, 1410]) expect(s.tick(at)).toHaveLength(1)
    // a fourth and a fifth: without the user timeout, tcp_retries2's model (3 s from 210) sends the
    // fourth and gives up at 6210
    expect(s.tick(3010)).toHaveLength(1)
    // 3200 backed off, 10000 - 2800 left: 6210; then 6400 against 4000 left: 10210
    expect(s.tick(6210)).toHaveLength(1)
    expect(s.snd.rtoAt).toBe(10_210)
    failsAt(s, 10_210)
  })
  it("an ACK of the data ends the episode: the next loss is timed from its own first retransmission", () => {
    const s = est()
    Sender.setUserTimeout(s.snd, 1000)
    s.write(10, "abc")
    s.tick(210)
    s.tick(610)
    s.send(700, T.fromPeer({ seq: 0, ack: 3 }))
    s.write(5000, "def")
    const first = s.snd.rtoAt!
    expect(s.tick(first)).toHaveLength(1)
    expect(s.state).toBe("Established")
    // well past 210 + 1000 and still open; fails 1000 after `first`
    expect(lastExpiry(s, first)).toBe(first + 1000)
    expect(s.snd.failure).toBe("TimedOut")
  })
  it("an orphan's too: the user timeout, not orphanRetries, ends the FIN's and the data's retransmissions", () => {
    // tcp_write_timeout for SOCK_DEAD sets retry_until = tcp_orphan_retries, but retransmits_timed_out
    // ignores the boundary once a user timeout is given (only tcp_model_timeout reads it)
    const s = est({ params: { orphanRetries: 1 } })
    Sender.setUserTimeout(s.snd, 1000)
    s.write(10, "abc")
    s.close(10)
    expect(s.snd.appClosed).toBe(true)
    // both resend at 610; without the user timeout the model of orphanRetries 1 (600 ms from 210)
    // would end it at the next expiry, 1410: the user timeout ends it at 1210
    for (const at of [210, 610]) expect(s.tick(at).length).toBeGreaterThan(0)
    expect(s.snd.rtoAt).toBe(1210)
    failsAt(s, 1210, "FinWait1")
  })
  it("off (0, the default): the model of `retries` (tcp_model_timeout from TCP_RTO_MIN) from the same start", () => {
    const s = est({ params: { retries: 2 } })
    s.write(10, "abc")
    // 200 + 400 + 800 = 1400 from the first retransmission (210): 1410 is short of it, 3010 past
    for (const at of [210, 610, 1410]) expect(s.tick(at)).toHaveLength(1)
    failsAt(s, 3010)
  })
})

describe("user timeout: a window shut with data out (tcp_retransmit_timer, tcp_rtx_probe0_timed_out)", () => {
  /** user timeout 1000; "abc" sent at 10, unacknowledged, the window shut at 20 */
  const shutWithDataOut = () => {
    const s = est()
    Sender.setUserTimeout(s.snd, 1000)
    // the peer's octet first, so that its later ACK may shrink the window (tcp_may_update_window)
    s.send(5, T.fromPeer({ seq: 0, ack: 0, payload: "y" }))
    expect(s.write(10, "abc")).toHaveLength(1)
    // nothing acknowledged, the window shut
    s.send(20, T.fromPeer({ seq: 1, ack: 0, window: 0 }))
    return s
  }
  it("the retransmissions into the shut window end once they have gone on longer than the user timeout (strictly: a resend at it, the end a jiffy on)", () => {
    const s = shutWithDataOut()
    // resends at 210 (retrans_stamp), 610; then 800 backed off against 600 left: 1210
    expect(s.tick(210)).toHaveLength(1)
    expect(s.tick(610)).toHaveLength(1)
    expect(s.snd.rtoAt).toBe(1210)
    // rtx_delta 1000 is not past 1000 (`rtx_delta > user_timeout`): one more resend, the timer at once
    expect(s.tick(1210)).toHaveLength(1)
    expect(s.state).toBe("Established")
    expect(s.snd.rtoAt).toBe(1211)
    expect(s.tick(1211)).toEqual([])
    expect(s.state).toBe("Closed")
    expect(s.snd.failure).toBe("TimedOut")
  })
  it("the peer answering with its window shut does not put it off: the resends' own clock ends it (rtx_delta > user_timeout first)", () => {
    // tcp_rtx_probe0_timed_out: "If user application specified a TCP_USER_TIMEOUT, it does not want
    // win 0 packets to 'reset the timer' while retransmits are not making progress": rtx_delta past the
    // user timeout ends it whatever rcv_tstamp says (without that clause the peer's answers, heard a
    // moment ago, would hold the connection open)
    const s = shutWithDataOut()
    for (const at of [210, 610, 1210]) {
      expect(s.tick(at)).toHaveLength(1)
      s.send(at + 1, T.fromPeer({ seq: 1, ack: 0, window: 0 }))
      expect(s.state).toBe("Established")
    }
    expect(s.snd.rtoAt).toBe(1211)
    s.tick(1211)
    expect(s.state).toBe("Closed")
    expect(s.snd.failure).toBe("TimedOut")
  })
})

describe("user timeout: zero-window probes (tcp_probe_timer, tcp_clamp_probe0_to_user_timeout)", () => {
  const shut = (ut: number) => {
    const s = est()
    Sender.setUserTimeout(s.snd, ut)
    s.write(0, T.octets(100))
    s.send(0, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    s.write(20, "hello")
    return s
  }
  it("unanswered probes: aborted the user timeout after the first probe, the persist timer clamped to it", () => {
    const s = shut(1000)
    // first probe at 220 (RTO 200): icsk_probes_tstamp
    expect(T.seenAll(s.tick(220))).toHaveLength(1)
    expect(T.seenAll(s.tick(620))).toHaveLength(1)
    // 800 backed off, 600 left: 1220
    expect(s.snd.persistAt).toBe(1220)
    failsAt(s, 1220)
  })
  it("probes the peer answers with its window still shut do not put it off (Linux 5.11's fix: probes_tstamp kept)", () => {
    const s = shut(1000)
    expect(T.seenAll(s.tick(220))).toHaveLength(1)
    // the answer re-arms the timer from it (tcp_ack_probe: 400, clamped to 920 left: 700)
    s.send(300, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    expect(s.snd.persistAt).toBe(700)
    expect(T.seenAll(s.tick(700))).toHaveLength(1)
    // 800 against 520 left
    expect(s.snd.persistAt).toBe(1220)
    s.send(800, T.fromPeer({ seq: 0, ack: 100, window: 0 }))
    expect(s.snd.persistAt).toBe(1220)
    expect(s.tick(1219)).toEqual([])
    s.tick(1220)
    expect(s.state).toBe("Closed")
    expect(s.snd.failure).toBe("TimedOut")
  })
  it("a window that opens ends the probes' clock: the next shut window's probes are timed afresh (tcp_ack_probe zeroes icsk_probes_tstamp)", () => {
    const s = shut(1000)
    expect(T.seenAll(s.tick(220))).toHaveLength(1)
    expect(T.seenAll(s.tick(620))).toHaveLength(1)
    // the window opens: "hello" goes; its ACK shuts the window again, and more waits
    expect(T.seenAll(s.send(700, T.fromPeer({ seq: 0, ack: 100, window: 1000 })))).toHaveLength(1)
    s.send(750, T.fromPeer({ seq: 0, ack: 105, window: 0 }))
    s.write(760, "world")
    const first = s.snd.persistAt!
    expect(T.seenAll(s.tick(first))).toHaveLength(1)
    // past 220 + 1000 and still probing; it ends 1000 after this episode's first probe
    expect(lastExpiry(s, first)).toBe(first + 1000)
    expect(s.snd.failure).toBe("TimedOut")
  })
})

describe("user timeout: keepalive (tcp_keepalive_timer)", () => {
  const ka = (ut: number) => {
    const s = T.established({ params: { keepaliveIdle: 1000, keepaliveInterval: 100, keepaliveProbes: 2 } })
    Sender.setUserTimeout(s.snd, ut)
    return s
  }
  it("a probe out and the user timeout passed since the peer was heard: RST and TimedOut at that expiry", () => {
    const s = ka(350)
    // the idle time passed the user timeout, but no probe is out yet: a probe
    expect(s.tick(1000).map(T.ourSeq)).toEqual([-1])
    const last = s.tick(1100)
    expect(T.seenAll(last).map((o) => o.flags)).toEqual(["RST|ACK"])
    expect(s.snd.failure).toBe("TimedOut")
  })
  it("the user timeout, not keepaliveProbes, says when: probes go on past the count", () => {
    const s = ka(1500)
    expect(s.tick(1000).map(T.ourSeq)).toEqual([-1])
    expect(s.tick(1100).map(T.ourSeq)).toEqual([-1])
    expect(s.tick(1200).map(T.ourSeq)).toEqual([-1])
    expect(s.tick(1300).map(T.ourSeq)).toEqual([-1])
    expect(s.tick(1400).map(T.ourSeq)).toEqual([-1])
    expect(s.state).toBe("Established")
    expect(T.seenAll(s.tick(1500)).map((o) => o.flags)).toEqual(["RST|ACK"])
    expect(s.snd.failure).toBe("TimedOut")
  })
})

describe("user timeout: the SYN (tcp_write_timeout in SYN-SENT)", () => {
  it("measured from the first SYN (tcp_connect sets retrans_stamp), the SYN's timer clamped; fails before synRetries are spent", () => {
    const { socket } = T.synSent({ now: 0 })
    Sender.setUserTimeout(socket.snd, 2500)
    expect(socket.tick(1000)).toHaveLength(1)
    // 2000 backed off, 1500 left since the first SYN: at 2500
    expect(socket.snd.rtoAt).toBe(2500)
    failsAt(socket, 2500, "SynSent")
  })
  it("not before a first retransmission (icsk_retransmits 0): a user timeout under the initial RTO resends once", () => {
    const { socket } = T.synSent({ now: 0 })
    Sender.setUserTimeout(socket.snd, 300)
    expect(socket.tick(1000)).toHaveLength(1)
    // passed already: fire at once, a jiffy later
    expect(socket.snd.rtoAt).toBe(1001)
    socket.tick(1001)
    expect(socket.snd.failure).toBe("TimedOut")
  })
  it("a simultaneous open's SYN-RECEIVED keeps the first SYN's clock (tcp_rcv_synsent_state_process leaves retrans_stamp)", () => {
    // Linux: the crossed SYN turns SYN-SENT into SYN-RECEIVED without touching retrans_stamp, which
    // tcp_connect set at the first SYN; tcp_write_timeout in SYN_RECV asks retransmits_timed_out with
    // the user timeout from it, and out_reset_timer's tcp_clamp_rto_to_user_timeout clamps from it
    const { socket } = T.synSent({ now: 0 })
    Sender.setUserTimeout(socket.snd, 2500)
    socket.send(10, T.peerSyn())
    expect(socket.snd.state).toBe("SynReceived")
    // the SYN-ACK again at 1000; 2000 backed off, 1500 left since the first SYN: at 2500
    expect(socket.tick(1000)).toHaveLength(1)
    expect(socket.snd.rtoAt).toBe(2500)
    failsAt(socket, 2500, "SynReceived")
  })
  it("with synLinearTimeouts the count is synRetries + N (Linux's max_retransmits in SYN-SENT), which a long user timeout leaves to end it", () => {
    // (without a user timeout, tcp_model_timeout(2, 1 s) = 7 s would end it at 7 s)
    const { socket } = T.synSent({ now: 0, params: { synRetries: 2, synLinearTimeouts: 4 } })
    Sender.setUserTimeout(socket.snd, 100_000)
    for (const at of [1000, 2000, 3000, 4000, 5000, 7000]) expect(socket.tick(at)).toHaveLength(1)
    failsAt(socket, 11_000, "SynSent")
  })
  it("synRetries still ends it first when shorter", () => {
    const { socket } = T.synSent({ now: 0, params: { synRetries: 1 } })
    Sender.setUserTimeout(socket.snd, 100_000)
    expect(socket.tick(1000)).toHaveLength(1)
    socket.tick(3000)
    expect(socket.snd.failure).toBe("TimedOut")
  })
})
