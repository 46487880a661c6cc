/**
 * The stack-wide bound on what TCP holds, as Linux's tcp_mem: one
 * accountant that every connection of a stack charges with the octets it
 * holds, and the rules that read it. Linux's names are given for each:
 *
 * - What is charged (Linux's sk_forward_alloc / tcp_memory_allocated, here
 *   in octets, not pages): per connection, the send side's octets written and
 *   not yet acknowledged, and the receive side's in-order octets not yet read
 *   plus those held out of order. JS runs one thing at a time, so each
 *   connection adds its own changes synchronously (`charge`), as Linux adds
 *   to an atomic counter; nothing is allocated per segment.
 * - Three limits (`Limits`, Linux's tcp_mem[0..2] × page size): below
 *   `low` there is no pressure; above `pressure` the stack enters pressure
 *   mode (sk_enter_memory_pressure) and stays in it until the total falls
 *   below `low` again (sk_leave_memory_pressure, called from
 *   __sk_mem_reduce_allocated and __sk_mem_raise_allocated): hysteresis, so
 *   one read does not flip it back and forth. Above `high` no receive side
 *   takes more, but for in-order data into an empty receive queue
 *   (__sk_mem_raise_allocated's suppress_allocation; below).
 * - Under pressure (`underPressure`): receive buffers stop auto-tuning,
 *   send buffers stop growing (tcp_should_expand_sndbuf: also from `low`
 *   on), and a connection with under half its buffer free, with its window
 *   still growing, or refused data within what it may hold has the window
 *   it offers cut to four of our segments past RCV.NXT (`PRESSURE_SEGMENTS`,
 *   tcp_adjust_rcv_ssthresh's rcv_ssthresh = min(rcv_ssthresh, 4 × advmss)
 *   from __tcp_select_window, tcp_grow_window and tcp_prune_queue), without
 *   pulling back a right edge already announced (RFC 9293 §3.8.6.2.2). The
 *   cut outlives the pressure: the window grows back with the data that
 *   comes (tcp_grow_window; Sender.ts `rcvSsthresh`). A reader that keeps
 *   up keeps its whole window.
 * - Above `high`: new data is dropped unacknowledged, after the
 *   out-of-order queue above it is pruned, all of it (tcp_try_rmem_schedule,
 *   tcp_prune_ofo_queue: under pressure it does not stop at its goal), so
 *   the peer sends it again later; in-order data into an empty receive
 *   queue is still taken, after that prune (tcp_data_queue's
 *   sk_forced_mem_schedule), so every connection keeps moving. In-order
 *   data memory refused, dropped or so forced in, is answered at once with
 *   a window of 0 at RCV.NXT, the one edge ever pulled back (tcp_data_queue
 *   sets ICSK_ACK_NOMEM before it looks at the queue; tcp_select_window's
 *   rcv_wnd = 0), so the peer probes instead of resending into silence,
 *   and the next read reopens it (tcp_cleanup_rbuf; Sender.ts). No receive
 *   side keeps a minimum there: __sk_mem_raise_allocated goes over the hard
 *   limit to suppress_allocation before its tcp_rmem[0] guarantee, as
 *   connections enough, each under its minimum, would otherwise carry the
 *   total past any bound (a peer that opens them, say). A writer
 *   takes no more than is left below `high`, or what keeps its send side at
 *   its minimum (`MIN_SEND`, tcp_wmem[0]), and waits for the rest
 *   (sk_stream_wait_memory) until its own acknowledgements free memory or
 *   the total falls.
 *
 * - Under pressure, below `high` (__sk_mem_raise_allocated's "fair among
 *   all the sockets" rule): a side past its minimum (tcp_rmem[0],
 *   `MIN_RECEIVE`; tcp_wmem[0], `MIN_SEND`) goes on only while `high` >
 *   `sockets` × what its connection holds, both sides together (Linux's
 *   sk_wmem_queued + sk_rmem_alloc + sk_forward_alloc, here octets): a
 *   connection that holds more than its share of `high` is refused, the
 *   others are not. Received data so refused is dropped as above `high`
 *   (forced into an empty receive queue, with the zero window); a writer
 *   waits. `sockets` is Linux's tcp_sockets_allocated, kept exact by the
 *   stack (Tcp.ts): every connection from its creation (SYN-SENT, or the
 *   handshake completed, accepted or not) to its end or its TIME-WAIT
 *   record, orphans included but for an orphan's FIN-WAIT-2 once Linux's
 *   socket is a timewait sock there (`SendView.orphanFinWait2At`), and
 *   every listener while it listens; not half-open entries (request
 *   socks) nor TIME-WAIT records (timewait socks), which Linux does not
 *   count either (tcp_init_sock and sk_clone_lock count a socket,
 *   tcp_v4_destroy_sock lets go of it).
 * - Orphans (Linux's tcp_orphan_count and tcp_max_orphans): of those
 *   sockets, the connections the application closed (Connection.ts counts
 *   one at its close, before the check, and lets go of it with its socket).
 *   One is reset when the stack cannot keep it (`checkOom`, Linux's
 *   tcp_check_oom): more orphans than `maxOrphans`, or more than
 *   SOCK_MIN_SNDBUF queued to send while the total is past `high`; asked
 *   at its close with the count as it is, and at its retransmission and
 *   zero-window probe timeouts with the count doubled for each of its
 *   penalties (Sender.ts, tcp_out_of_resources), so that a flood of
 *   closed connections whose peers never acknowledge cannot hold the
 *   stack's memory for their retries' minutes. Counted (TCPAbortOnMemory).
 *
 * @since 0.1.0
 */

/** The three thresholds, octets (Linux's tcp_mem, in pages there). @category models */
export interface Limits {
  /** below it, pressure mode ends (tcp_mem[0]) */
  readonly low: number
  /** above it, pressure mode begins (tcp_mem[1]) */
  readonly pressure: number
  /** above it, no receive side takes more but in-order data into an empty queue, and writers wait (tcp_mem[2]) */
  readonly high: number
}

/** The accountant one stack's connections share. @category models */
export interface TcpMemory {
  readonly limits: Limits
  /** octets every connection holds now (Linux's tcp_memory_allocated) */
  allocated: number
  /** pressure mode (Linux's tcp_memory_pressure) */
  pressure: boolean
  /** times pressure mode began (Linux's TCPMemoryPressures) */
  pressureEntries: number
  /** data segments dropped, in order or not, because memory was above `high` (Linux's TCPRcvQDrop and TCPOFODrop) */
  rcvQueueDropped: number
  /** times an out-of-order queue was pruned to make room (Linux's OfoPruned) */
  ofoPruned: number
  /** TCP sockets of the stack now, for the fair share (Linux's tcp_sockets_allocated; see the header for what counts) */
  sockets: number
  /**
   * Orphans now: of `sockets`, the connections the application closed (Linux's tcp_orphan_count: from
   * tcp_close's sock_orphan to inet_csk_destroy_sock; an orphan's FIN-WAIT-2 that Linux holds as a
   * timewait sock is no socket, so none)
   */
  orphans: number
  /** the orphans the stack keeps before it resets them (Linux's tcp_max_orphans; `checkOom`) */
  readonly maxOrphans: number
  /** connections reset for too many orphans or for memory past `high` (`checkOom`; Linux's TCPAbortOnMemory) */
  abortedOnMemory: number
}

/** The receive side's minimum, octets (Linux's tcp_rmem[0]): guaranteed by Linux below `high` only, never above it (see the header). */
export const MIN_RECEIVE = 4096

/** The send side's minimum, octets: a writer may always have this much unacknowledged (Linux's tcp_wmem[0]). */
export const MIN_SEND = 4096

/** Segments of our MSS the window is cut to past RCV.NXT under pressure (tcp_adjust_rcv_ssthresh: 4U * advmss). */
export const PRESSURE_SEGMENTS = 4

/**
 * Linux's SOCK_MIN_SNDBUF, 2 × TCP_SKB_MIN_TRUESIZE (2048 octets and a struct sk_buff): past this
 * much queued for sending, a connection counts as holding memory (`checkOom`). Linux's is a true
 * size; here the octets of the send buffer.
 */
export const SOCK_MIN_SNDBUF = 4608

/** @category constructors */
export const make = (limits: Limits, maxOrphans = Number.POSITIVE_INFINITY): TcpMemory => ({
  limits,
  allocated: 0,
  pressure: false,
  pressureEntries: 0,
  rcvQueueDropped: 0,
  ofoPruned: 0,
  sockets: 0,
  orphans: 0,
  maxOrphans,
  abortedOnMemory: 0
})

/**
 * Linux's tcp_check_oom: should an orphan be reset? When the orphans, their count doubled `shift`
 * times (the caller's penalties), are more than `maxOrphans` (too_many_orphans), or when this one
 * holds more than SOCK_MIN_SNDBUF for sending (`sendHeld`, its send buffer's octets) while the stack
 * holds more than `high` (tcp_out_of_memory). Linux asks at an orphan's close (__tcp_close) and at its
 * retransmission and zero-window probe timeouts (tcp_out_of_resources); Sender.ts.
 */
export const checkOom = (m: TcpMemory | undefined, shift: number, sendHeld: number): boolean =>
  m !== undefined &&
  (m.orphans * 2 ** shift > m.maxOrphans || (sendHeld > SOCK_MIN_SNDBUF && m.allocated > m.limits.high))

/**
 * Linux's tcp_init_mem, in octets, for a machine of `total` octets: a
 * sixteenth of memory is the point of pressure, three quarters of it the
 * low mark, twice the low mark the high one (4.7 %, 6.25 %, 9.4 %); at
 * least 128 pages, as Linux.
 */
export const defaultsFor = (total: number): Limits => {
  const page = 4096
  const limit = Math.max(128, Math.floor(total / page / 16))
  const low = Math.floor(limit / 4) * 3
  return { low: low * page, pressure: limit * page, high: 2 * low * page }
}

/**
 * A connection's holdings changed by `delta` octets (either sign): the
 * total moves, and pressure mode begins above `pressure` or ends below
 * `low` (between the two it stays as it was). Linux's raise path leaves at
 * `<= low` (__sk_mem_raise_allocated) and its reduce path at `< low`
 * (__sk_mem_reduce_allocated); one test serves both here, since a raise
 * that ends at or below `low` began below it, where pressure had already
 * ended (Linux can be in pressure there: tcp_enter_memory_pressure also
 * comes from a failed page allocation, which nothing here models).
 */
export const charge = (m: TcpMemory, delta: number): void => {
  if (delta === 0) return
  m.allocated += delta
  if (m.allocated > m.limits.pressure) {
    if (!m.pressure) {
      m.pressure = true
      m.pressureEntries++
    }
  } else if (m.allocated < m.limits.low) m.pressure = false
}

/** Pressure mode (Linux's tcp_under_memory_pressure). */
export const underPressure = (m: TcpMemory | undefined): boolean => m !== undefined && m.pressure

/** Receive buffers may auto-tune (tcp_rcv_space_adjust, tcp_grow_window): not under pressure. */
export const mayGrowReceive = (m: TcpMemory | undefined): boolean => m === undefined || !m.pressure

/**
 * A receive side past what it may hold may raise that bound (tcp_clamp_window's sk_rcvbuf, up to
 * tcp_rmem[2]): not under pressure, and only while the total, with `pending` (octets taken but not
 * yet charged), is below `low` (sk_memory_allocated < sk_prot_mem_limits(sk, 0)).
 */
export const mayRaiseReceive = (m: TcpMemory | undefined, pending: number): boolean =>
  m === undefined || (!m.pressure && m.allocated + pending < m.limits.low)

/** Send buffers may grow (tcp_should_expand_sndbuf): not under pressure, and not once the total reaches `low`. */
export const mayGrowSend = (m: TcpMemory | undefined): boolean =>
  m === undefined || (!m.pressure && m.allocated < m.limits.low)

/**
 * May a receive side take `size` more octets? `pending` is what it holds
 * beyond its last charge (a batch still being taken), `held` what it holds
 * now, `connHeld` what its connection holds now, both sides (octets). As
 * __sk_mem_raise_allocated, with the total after the segment: yes at or
 * below `low`; never above `high` (no minimum there: see the header); yes
 * below the minimum (tcp_rmem[0]) or out of pressure mode; else yes only
 * within the fair share. A segment that carries the total past `pressure`
 * enters pressure mode first, taken or not (sk_enter_memory_pressure comes
 * before the rest there).
 */
export const mayReceive = (m: TcpMemory, pending: number, size: number, held: number, connHeld: number): boolean => {
  const total = m.allocated + pending + size
  if (total <= m.limits.low) return true
  // (asked past `pressure`, the stack enters pressure mode whether or not the octets are then let
  // in, as Linux's raise enters it before it decides and takes the pages back when it refuses)
  if (total > m.limits.pressure && !m.pressure) {
    m.pressure = true
    m.pressureEntries++
  }
  if (total > m.limits.high) return false
  if (held < MIN_RECEIVE) return true
  if (!m.pressure) return true
  return withinShare(m, connHeld)
}

/** Whether a connection holding `connHeld` octets is below its share: `high` > sockets × connHeld (Linux compares pages). */
export const withinShare = (m: TcpMemory, connHeld: number): boolean => m.limits.high > m.sockets * connHeld

/** Octets a connection holding `connHeld` may add before it reaches its share (as `withinShare`: one more past it, at most). */
const shareRoom = (m: TcpMemory, connHeld: number): number =>
  m.sockets === 0 ? Number.POSITIVE_INFINITY : Math.ceil(m.limits.high / m.sockets) - connHeld

/**
 * The room a writer has, octets, given the room its send buffer leaves
 * (`room`), what its send side holds (`held`) and what its connection holds,
 * both sides (`connHeld`): no more than what is left below `high` (so
 * writes never carry the total past it, where Linux schedules per segment),
 * and under pressure no more than what keeps the connection within its
 * share, or the total within `low` (__sk_mem_raise_allocated, judged once a
 * write where Linux judges each skb: pressure mode as it stands), but
 * always what keeps the send side at its minimum (tcp_wmem[0]). A writer
 * given less than its buffer's room waits for a piece of its minimum's size
 * at most (Connection.put), so one whose send side is empty always goes on.
 */
export const sendRoom = (m: TcpMemory | undefined, room: number, held: number, connHeld: number = held): number => {
  if (m === undefined) return room
  let grant = m.limits.high - m.allocated
  if (m.pressure) grant = Math.min(grant, Math.max(m.limits.low - m.allocated, shareRoom(m, connHeld)))
  return Math.min(room, Math.max(0, grant, MIN_SEND - held))
}

/** The window's cut past RCV.NXT under pressure, octets, for our MSS `advmss` (tcp_adjust_rcv_ssthresh). */
export const pressureWindow = (advmss: number): number => PRESSURE_SEGMENTS * advmss
