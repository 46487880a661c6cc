/**
 * A seeded generator for tests that walk random paths (mulberry32): the same
 * sequence for the same seed on every run and machine, so a failing seed can
 * be run again alone. Numbers in [0, 1).
 */
export const seeded = (seed: number): () => number => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
