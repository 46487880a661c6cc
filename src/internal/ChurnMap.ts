/**
 * A Map for entries that come and go while the map itself lives on (the TCP
 * dealer's connections by 4-tuple, a listener's half-open connections): the
 * same lookups, without keeping departed values alive in the young
 * generation of V8's garbage collector.
 *
 * Why (measured 2026-12-02; notes/tcp-plan.md, "Fig. 4, fourth pass")
 * - A JS Map is a hash table that V8 replaces with a fresh copy whenever
 *   additions and deletions fill it: under steady churn, every time as many
 *   entries have come and gone as the table has room to spare. The table
 *   left behind keeps every entry it held at that moment and a link to its
 *   replacement (live iterators may still walk it), and a long-lived map's
 *   tables sit in the old generation. A scavenge (the young-generation
 *   collection) treats every old-generation object as alive, dead ones
 *   included, so each value that was in the map at a replacement, and
 *   everything it reaches, survives the next scavenges and is promoted, to be
 *   freed only by a full mark-compact. For connections that is the whole
 *   connection.
 * - Here a value sits in a small box that `delete` empties before the key
 *   goes: a table left behind keeps the key and an empty box, not the value.
 *   With the dealer's connection and half-open maps boxed (and the timer
 *   wheel's owners in a WeakMap then; they carry their own place in its heap
 *   now, internal/Deadlines.ts), 450 loopback rounds of 1, 10 and 100
 *   connections promoted 199-213 MB instead of 278-293 MB and spent
 *   1120 ms instead of 1310-1471 ms in scavenges (two alternated pairs of
 *   runs).
 * - The keys themselves stay in old tables until a mark-compact: keep them
 *   small (strings, numbers). For object keys use a WeakMap, whose entries
 *   never keep their keys alive.
 *
 * @since 0.1.0
 */

interface Box<V> {
  value: V | undefined
}

/** @category models */
export class ChurnMap<K, V> {
  readonly #map = new Map<K, Box<V>>()

  get size(): number {
    return this.#map.size
  }

  get(key: K): V | undefined {
    return this.#map.get(key)?.value
  }

  has(key: K): boolean {
    return this.#map.has(key)
  }

  set(key: K, value: V): this {
    const box = this.#map.get(key)
    if (box !== undefined) box.value = value
    else this.#map.set(key, { value })
    return this
  }

  delete(key: K): boolean {
    const box = this.#map.get(key)
    if (box === undefined) return false
    box.value = undefined
    return this.#map.delete(key)
  }

  /** the values, in insertion order (a snapshot: deleting while iterating is safe) */
  values(): Array<V> {
    const out: Array<V> = []
    for (const box of this.#map.values()) out.push(box.value!)
    return out
  }
}
