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
      const waiters = (this.waiters ??= [])
      waiters.push(resume)
      return Effect.sync(() => {
        const i = waiters.indexOf(resume)
        if (i >= 0) waiters.splice(i, 1)
      })
    })
  }
}
