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
    return Effect.async<void, E>((resume) => this.park(resume))
  }

  /**
   * `wait`, succeeding with `value`; `onInterrupt` runs when the waiting
   * fiber is interrupted while it waits. Both in the one wait: the canceler
   * that takes an interrupted waiter out runs `onInterrupt` after it, where
   * `Effect.as` and `Effect.onInterrupt` around `wait` would each add their
   * operations, and the latter an uninterruptible region of its own, to
   * every wait (a TCP connect's, for one). The waiter can be interrupted
   * only while it waits: the fiber that made this effect runs it next, and
   * nothing else runs in between.
   */
  waitAs<A>(value: A, onInterrupt: Effect.Effect<void>): Effect.Effect<A, E> {
    const outcome = this.outcome
    if (outcome !== undefined) return outcome._tag === "Success" ? Effect.succeed(value) : failed(outcome)
    return Effect.async<A, E>((resume) => {
      const left = this.park((o) => resume(o._tag === "Success" ? Effect.succeed(value) : failed(o)))
      return left === undefined ? undefined : Effect.zipRight(left, onInterrupt)
    })
  }

  /** `resume` called with the outcome, now if done, otherwise when done; the canceler of a wait that parked. */
  private park(resume: (outcome: Exit.Exit<void, E>) => void): Effect.Effect<void> | undefined {
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
  }
}

/** A failed outcome as it is: it carries no value, so it fails an effect of any success type. */
const failed = <E>(outcome: Exit.Failure<void, E>): Effect.Effect<never, E> => outcome as unknown as Exit.Exit<never, E>

/** Done with success: what `settle` gives when nobody was waiting. */
const SUCCEEDED: Signal<never> = new Signal<never>()
SUCCEEDED.unsafeDone(Exit.void)
