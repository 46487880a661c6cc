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

/** @category models */
export interface Deadlines<K> {
  /** heap of owners by deadline */
  readonly heap: Array<K>
  /** owner -> [deadline (Clock ms), index in `heap`] */
  readonly slots: Map<K, { at: number; index: number }>
}

export const make = <K>(): Deadlines<K> => ({ heap: [], slots: new Map() })

export const size = <K>(d: Deadlines<K>): number => d.heap.length

/** The earliest deadline, or undefined when none is set. */
export const earliest = <K>(d: Deadlines<K>): number | undefined =>
  d.heap.length === 0 ? undefined : d.slots.get(d.heap[0]!)!.at

/** Set (or move) `owner`'s deadline to `at`. */
export const set = <K>(d: Deadlines<K>, owner: K, at: number): void => {
  const slot = d.slots.get(owner)
  if (slot === undefined) {
    d.heap.push(owner)
    d.slots.set(owner, { at, index: d.heap.length - 1 })
    up(d, d.heap.length - 1)
    return
  }
  const before = slot.at
  slot.at = at
  if (at < before) up(d, slot.index)
  else if (at > before) down(d, slot.index)
}

/** Take `owner`'s deadline out, if it has one. */
export const remove = <K>(d: Deadlines<K>, owner: K): void => {
  const slot = d.slots.get(owner)
  if (slot === undefined) return
  d.slots.delete(owner)
  const last = d.heap.pop()!
  if (slot.index === d.heap.length) return // it was the last one
  d.heap[slot.index] = last
  d.slots.get(last)!.index = slot.index
  up(d, slot.index)
  down(d, slot.index)
}

/** Remove and return every owner whose deadline is at or before `now`, earliest first. */
export const takeDue = <K>(d: Deadlines<K>, now: number): Array<K> => {
  const due: Array<K> = []
  while (d.heap.length > 0) {
    const top = d.heap[0]!
    if (d.slots.get(top)!.at > now) break
    remove(d, top)
    due.push(top)
  }
  return due
}

const at = <K>(d: Deadlines<K>, i: number): number => d.slots.get(d.heap[i]!)!.at

const swap = <K>(d: Deadlines<K>, i: number, j: number): void => {
  const a = d.heap[i]!
  const b = d.heap[j]!
  d.heap[i] = b
  d.heap[j] = a
  d.slots.get(a)!.index = j
  d.slots.get(b)!.index = i
}

const up = <K>(d: Deadlines<K>, i: number): void => {
  while (i > 0) {
    const parent = (i - 1) >> 1
    if (at(d, parent) <= at(d, i)) return
    swap(d, i, parent)
    i = parent
  }
}

const down = <K>(d: Deadlines<K>, i: number): void => {
  const n = d.heap.length
  for (;;) {
    const l = 2 * i + 1
    const r = l + 1
    let least = i
    if (l < n && at(d, l) < at(d, least)) least = l
    if (r < n && at(d, r) < at(d, least)) least = r
    if (least === i) return
    swap(d, i, least)
    i = least
  }
}
