/**
 * A one-shot completion that fibers can wait for: done once, with success
 * or a typed failure; every waiter (earlier or later) sees that outcome.
 *
 * What `Deferred` does, for the places that make one per connection. Effect
 * 3's `Deferred.unsafeMake` builds each instance by spreading the Effect
 * prototype into a fresh object literal, which V8 keeps in dictionary mode:
 * about 7 µs and 1-2 KiB of garbage apiece measured here, paid up to four
 * times per TCP connection (handshake and close for each end). A Signal is
 * two fields; waiting is one `Effect.async` made when someone waits, and an
 * interrupted waiter removes itself.
 *
 * @since 0.1.0
 */
import { Effect, Exit } from "effect"

/** @category models */
export class Signal<E = never> {
  /**
   * Complete `s` with `outcome`, making it only if it does not exist yet:
   * for a field that stays undefined until someone waits. A success nobody
   * waited for becomes one shared signal, done already (most connections
   * complete their handshake signal before anyone asks).
   */
  static settle<E>(s: Signal<E> | undefined, outcome: Exit.Exit<void, E>): Signal<E> {
    if (s !== undefined) {
      s.unsafeDone(outcome)
      return s
    }
    // (done already, it never calls a waiter with a failure: safe as a Signal<E> for any E)
    if (outcome._tag === "Success") return SUCCEEDED as unknown as Signal<E>
    const made = new Signal<E>()
    made.unsafeDone(outcome)
    return made
  }

  private outcome: Exit.Exit<void, E> | undefined = undefined
  private waiters: Array<(outcome: Exit.Exit<void, E>) => void> | undefined = undefined

  /** done (with success or failure) */
  get isDone(): boolean {
    return this.outcome !== undefined
  }

  /** Complete: wake every waiter. False (nothing changes) if it was done already. */
  unsafeDone(outcome: Exit.Exit<void, E>): boolean {
    if (this.outcome !== undefined) return false
    this.outcome = outcome
    const waiters = this.waiters
    this.waiters = undefined
    if (waiters !== undefined) for (const w of waiters) w(outcome)
    return true
  }

  /** Wait until done, then succeed or fail as it was done. */
  wait(): Effect.Effect<void, E> {
    if (this.outcome !== undefined) return this.outcome
    return Effect.async<void, E>((resume) => {
      if (this.outcome !== undefined) {
        resume(this.outcome)
        return
      }
      // (a literal of one: a first push on [] would reserve room for 17)
      if (this.waiters === undefined) this.waiters = [resume]
      else this.waiters.push(resume)
      const waiters = this.waiters
      return Effect.sync(() => {
        const i = waiters.indexOf(resume)
        if (i >= 0) waiters.splice(i, 1)
      })
    })
  }
}

/** Done with success: what `settle` gives when nobody was waiting. */
const SUCCEEDED: Signal<never> = new Signal<never>()
SUCCEEDED.unsafeDone(Exit.void)
