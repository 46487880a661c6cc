/**
 * Deadlines of many owners in one place: the data behind a stack-wide timer
 * fiber (DESIGN.md §2: "one stack-wide timer wheel fiber that sleeps to the
 * earliest deadline and wakes the connections due"), so that no connection
 * needs a fiber or a `sleep` of its own per timer, and no timer is made per
 * received segment.
 *
 * An indexed binary min-heap: each owner has at most one deadline (a TCP
 * connection folds RTO, persist, delayed ACK, keepalive and TIME-WAIT into
 * its one next deadline) and carries it with its place in the heap
 * (`Owner`); `set` moves it earlier or later in O(log n),
 * `remove` takes it out in O(log n), `earliest` is O(1), `takeDue(now)`
 * returns every owner due, earliest first. Ties keep no particular order.
 * Plain data; nothing here reads a clock.
 *
 * @since 0.1.0
 */

/**
 * What an owner carries: its deadline and its place in the heap, so that
 * finding it costs no lookup. A fresh owner starts at `deadlineIndex = -1`
 * (no deadline). An owner sits in one `Deadlines` at most.
 */
export interface Owner {
  /** the deadline, Clock ms (meaningless while `deadlineIndex` is -1) */
  deadlineAt: number
  /** index in the heap, or -1: no deadline */
  deadlineIndex: number
}

/** @category models */
export interface Deadlines<K extends Owner> {
  /**
   * The owners with a deadline, a binary min-heap by it. The places are kept
   * on the owners themselves, not in a map: a Map's replaced hash tables keep
   * what they held alive through young-generation collections (ChurnMap.ts
   * says how), and a WeakMap's values too; and a WeakMap of thousands of
   * owners (every TIME-WAIT record is one) cost its lookups and rehashes on
   * every deadline moved (2 % of a Fig. 4 round).
   */
  readonly heap: Array<K>
}

export const make = <K extends Owner>(): Deadlines<K> => ({ heap: [] })

export const size = <K extends Owner>(d: Deadlines<K>): number => d.heap.length

/** The earliest deadline, or undefined when none is set. */
export const earliest = <K extends Owner>(d: Deadlines<K>): number | undefined => d.heap[0]?.deadlineAt

/** Set (or move) `owner`'s deadline to `at`. */
export const set = <K extends Owner>(d: Deadlines<K>, owner: K, at: number): void => {
  if (owner.deadlineIndex < 0) {
    owner.deadlineAt = at
    owner.deadlineIndex = d.heap.length
    d.heap.push(owner)
    up(d.heap, owner.deadlineIndex)
    return
  }
  const before = owner.deadlineAt
  owner.deadlineAt = at
  if (at < before) up(d.heap, owner.deadlineIndex)
  else if (at > before) down(d.heap, owner.deadlineIndex)
}

/** Take `owner`'s deadline out, if it has one. */
export const remove = <K extends Owner>(d: Deadlines<K>, owner: K): void => {
  if (owner.deadlineIndex >= 0) removeAt(d, owner)
}

/** Remove and return every owner whose deadline is at or before `now`, earliest first. */
export const takeDue = <K extends Owner>(d: Deadlines<K>, now: number): Array<K> => {
  const due: Array<K> = []
  while (d.heap.length > 0 && d.heap[0]!.deadlineAt <= now) {
    const top = d.heap[0]!
    removeAt(d, top)
    due.push(top)
  }
  return due
}

const removeAt = <K extends Owner>(d: Deadlines<K>, owner: K): void => {
  const i = owner.deadlineIndex
  owner.deadlineIndex = -1
  const last = d.heap.pop()!
  if (last === owner) return // it was the last one
  d.heap[i] = last
  last.deadlineIndex = i
  up(d.heap, i)
  down(d.heap, last.deadlineIndex)
}

const swap = <K extends Owner>(heap: Array<K>, i: number, j: number): void => {
  const a = heap[i]!
  const b = heap[j]!
  heap[i] = b
  heap[j] = a
  a.deadlineIndex = j
  b.deadlineIndex = i
}

const up = <K extends Owner>(heap: Array<K>, i: number): void => {
  while (i > 0) {
    const parent = (i - 1) >> 1
    if (heap[parent]!.deadlineAt <= heap[i]!.deadlineAt) return
    swap(heap, i, parent)
    i = parent
  }
}

const down = <K extends Owner>(heap: Array<K>, i: number): void => {
  const n = heap.length
  for (;;) {
    const l = 2 * i + 1
    const r = l + 1
    let least = i
    if (l < n && heap[l]!.deadlineAt < heap[least]!.deadlineAt) least = l
    if (r < n && heap[r]!.deadlineAt < heap[least]!.deadlineAt) least = r
    if (least === i) return
    swap(heap, i, least)
    i = least
  }
}
