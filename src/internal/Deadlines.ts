/**
 * Deadlines of many owners in one place: the data behind a stack-wide timer
 * fiber (DESIGN.md §2: "one stack-wide timer wheel fiber that sleeps to the
 * earliest deadline and wakes the connections due"), so that no connection
 * needs a fiber or a `sleep` of its own per timer, and no timer is made per
 * received segment.
 *
 * An indexed binary min-heap: each owner has at most one deadline (a TCP
 * connection folds RTO, persist, delayed ACK, keepalive and TIME-WAIT into
 * its one next deadline); `set` moves it earlier or later in O(log n),
 * `remove` takes it out in O(log n), `earliest` is O(1), `takeDue(now)`
 * returns every owner due, earliest first. Ties keep no particular order.
 * Plain data; nothing here reads a clock.
 *
 * @since 0.1.0
 */

/** One owner's deadline and where it sits in the heap. */
interface Slot<K extends object> {
  readonly owner: K
  /** the deadline, Clock ms */
  at: number
  /** index in `heap` */
  index: number
}

/** @category models */
export interface Deadlines<K extends object> {
  /** the slots, a binary min-heap by deadline: sifting compares and moves them without a map lookup */
  readonly heap: Array<Slot<K>>
  /**
   * owner -> its slot. A WeakMap: a Map's old hash tables keep the owners they held alive
   * through young-generation collections (ChurnMap.ts says how); a WeakMap's never do.
   */
  readonly slots: WeakMap<K, Slot<K>>
}

export const make = <K extends object>(): Deadlines<K> => ({ heap: [], slots: new WeakMap() })

export const size = <K extends object>(d: Deadlines<K>): number => d.heap.length

/** The earliest deadline, or undefined when none is set. */
export const earliest = <K extends object>(d: Deadlines<K>): number | undefined => d.heap[0]?.at

/** Set (or move) `owner`'s deadline to `at`. */
export const set = <K extends object>(d: Deadlines<K>, owner: K, at: number): void => {
  const slot = d.slots.get(owner)
  if (slot === undefined) {
    const added: Slot<K> = { owner, at, index: d.heap.length }
    d.heap.push(added)
    d.slots.set(owner, added)
    up(d.heap, added.index)
    return
  }
  const before = slot.at
  slot.at = at
  if (at < before) up(d.heap, slot.index)
  else if (at > before) down(d.heap, slot.index)
}

/** Take `owner`'s deadline out, if it has one. */
export const remove = <K extends object>(d: Deadlines<K>, owner: K): void => {
  const slot = d.slots.get(owner)
  if (slot !== undefined) removeSlot(d, slot)
}

/** Remove and return every owner whose deadline is at or before `now`, earliest first. */
export const takeDue = <K extends object>(d: Deadlines<K>, now: number): Array<K> => {
  const due: Array<K> = []
  while (d.heap.length > 0 && d.heap[0]!.at <= now) {
    const top = d.heap[0]!
    removeSlot(d, top)
    due.push(top.owner)
  }
  return due
}

const removeSlot = <K extends object>(d: Deadlines<K>, slot: Slot<K>): void => {
  d.slots.delete(slot.owner)
  const last = d.heap.pop()!
  if (last === slot) return // it was the last one
  d.heap[slot.index] = last
  last.index = slot.index
  up(d.heap, last.index)
  down(d.heap, last.index)
}

const swap = <K extends object>(heap: Array<Slot<K>>, i: number, j: number): void => {
  const a = heap[i]!
  const b = heap[j]!
  heap[i] = b
  heap[j] = a
  a.index = j
  b.index = i
}

const up = <K extends object>(heap: Array<Slot<K>>, i: number): void => {
  while (i > 0) {
    const parent = (i - 1) >> 1
    if (heap[parent]!.at <= heap[i]!.at) return
    swap(heap, i, parent)
    i = parent
  }
}

const down = <K extends object>(heap: Array<Slot<K>>, i: number): void => {
  const n = heap.length
  for (;;) {
    const l = 2 * i + 1
    const r = l + 1
    let least = i
    if (l < n && heap[l]!.at < heap[least]!.at) least = l
    if (r < n && heap[r]!.at < heap[least]!.at) least = r
    if (least === i) return
    swap(heap, i, least)
    i = least
  }
}
