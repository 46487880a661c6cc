/**
 * The "bind" half of every dealer: a protocol registers a key (EtherType, IP
 * protocol number) and gets its own bounded, dropping queue, which the dealer
 * finds in `registry`. The scope that bound it unbinds it and shuts the
 * queue down, releasing the protocol's reader. Binding a key twice is a
 * programming error (a defect), not a runtime condition.
 *
 * @since 0.1.0
 */
import { Effect, Queue } from "effect"
import type { Scope } from "effect"

export const bindDropping = <K, A>(
  registry: Map<K, Queue.Queue<A>>,
  key: K,
  capacity: number,
  describe: (key: K) => string
): Effect.Effect<Queue.Dequeue<A>, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.flatMap(Queue.dropping<A>(capacity), (q) =>
      registry.has(key)
        ? Effect.dieMessage(`${describe(key)} bound twice`)
        : Effect.sync(() => {
          registry.set(key, q)
          return q
        })),
    (q) =>
      Effect.zipRight(
        Effect.sync(() => {
          if (registry.get(key) === q) registry.delete(key)
        }),
        Queue.shutdown(q)
      )
  )
