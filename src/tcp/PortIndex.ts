/**
 * Who holds each local port: per port, how many connections and TIME-WAIT
 * records sit on it, by kind, so that the checks a bind(2) or a connect's
 * port choice makes are a lookup, not a walk over every connection (Linux
 * keeps one inet_bind_bucket per port in its bind hash for the same reason,
 * and a second hash by port and address, bhash2).
 *
 * Kinds, as Linux's inet_csk_bind_conflict and __inet_hash_connect tell them
 * apart:
 * - **ephemeral**: a connect that bound nothing, whose port
 *   __inet_hash_connect chose; its socket has no SO_REUSEADDR. A bind of the
 *   port (SO_REUSEADDR or not: a chosen-port connect's, a listener's)
 *   conflicts with it where the addresses meet: the bind's address is its
 *   local address, or the wildcard, which meets every one. So these are
 *   counted per local address too.
 * - **bound**: a socket bound by bind(2) with SO_REUSEADDR, as Node binds
 *   before it connects or listens: a connect from a chosen port or from a
 *   local address (bind of the address and port 0), and a connection a
 *   listener accepted (it joins its listener's bucket, __inet_inherit_port,
 *   and stays in it once the listener is gone).
 * Either's TIME-WAIT holds the port as its connection did (inet_twsk_hashdance
 * puts it in the same bucket, with the socket's SO_REUSEADDR).
 *
 * A connect choosing an ephemeral port passes over a port any bound socket
 * holds, and may share one only ephemeral connects hold (its 4-tuple free):
 * Linux 6.18's __inet_hash_connect skips a bucket with any socket bind put
 * there, whichever kind made the bucket, and shares it again once they have
 * gone (tried: a chosen-port connect from another address, its TIME-WAIT,
 * an accepted connection, each joining an ephemeral connect's port).
 *
 * Listeners are not here (the stack keeps them by port); nor half-open
 * entries (a request socket holds no port of its own: the listener's).
 *
 * A port's record stays in the map once its last holder goes (as Linux
 * frees an empty bucket only later, inet_bind_bucket_destroy at the next
 * unhash), until the emptied records outnumber the held ones; then they all
 * go at once. Why: V8's Map leaves a deleted entry in its hash bucket's chain
 * until the table is rebuilt, and a key added again joins the same chain.
 * A listener's port is added and removed once per connection it accepts, so
 * with thousands of ports held (TIME-WAIT records) every lookup of it walked
 * a chain as long as the connections since the last rebuild: 1.7 µs per add
 * in Fig. 4's loop at ~8 000 records, 6-30 µs per connection in a scratch
 * loop at 2 500-20 000 (notes/bench-investigations.md, twenty-ninth pass).
 *
 * Every function is pure but for the index it is given, which add and
 * remove change in place. A remove that no add matched is a bug: it throws.
 *
 * @since 0.1.0
 */
import * as Addr from "../wire/Ipv4Addr.js"

/** One port's holders. @category models */
export interface Holders {
  /** connections and TIME-WAIT records of ephemeral connects on the port */
  ephemeral: number
  /** those of bound sockets */
  bound: number
  /** the ephemeral holders' local address, while they share one (and `byAddress` is undefined) */
  address: Addr.Ipv4Addr
  /**
   * the ephemeral holders' count per local address, once they have more than one between them
   * (over the loopback and out at once: rare); undefined again when one address is left
   */
  byAddress: Map<Addr.Ipv4Addr, number> | undefined
}

/** Local port to its holders. @category models */
export interface PortIndex {
  /** each held port's record, and emptied ones (no holder) until they are swept */
  readonly ports: Map<number, Holders>
  /** how many records in `ports` are empty */
  idle: number
}

/** Emptied records kept at least, whatever the number held: a sweep is a walk of the map. */
const IDLE_FLOOR = 64

/** @category constructors */
export const make = (): PortIndex => ({ ports: new Map(), idle: 0 })

/** How many ports something holds. */
export const size = (index: PortIndex): number => index.ports.size - index.idle

const isIdle = (h: Holders): boolean => h.ephemeral === 0 && h.bound === 0

/** A connection or TIME-WAIT record on `port`, from `address`, takes its place in the index. */
export const add = (index: PortIndex, port: number, address: Addr.Ipv4Addr, ephemeral: boolean): void => {
  let h = index.ports.get(port)
  if (h === undefined) {
    h = { ephemeral: 0, bound: 0, address, byAddress: undefined }
    index.ports.set(port, h)
  } else if (isIdle(h)) index.idle--
  if (!ephemeral) {
    h.bound++
    return
  }
  if (h.ephemeral === 0) h.address = address
  else if (h.byAddress !== undefined) h.byAddress.set(address, (h.byAddress.get(address) ?? 0) + 1)
  else if (address !== h.address) h.byAddress = new Map([[h.address, h.ephemeral], [address, 1]])
  h.ephemeral++
}

/**
 * A connection or TIME-WAIT record `add` counted goes. The port's record stays when it empties,
 * until the emptied ones outnumber the held ones (and IDLE_FLOOR): then they all go.
 */
export const remove = (index: PortIndex, port: number, address: Addr.Ipv4Addr, ephemeral: boolean): void => {
  const h = index.ports.get(port)
  if (h === undefined || (ephemeral ? h.ephemeral : h.bound) === 0) {
    throw new Error(`port index: no ${ephemeral ? "ephemeral" : "bound"} holder of port ${port} to remove`)
  }
  if (!ephemeral) h.bound--
  else if (h.byAddress === undefined) {
    if (address !== h.address) throw new Error(`port index: no ephemeral holder of port ${port} from ${Addr.format(address)}`)
    h.ephemeral--
  } else {
    const n = h.byAddress.get(address)
    if (n === undefined) throw new Error(`port index: no ephemeral holder of port ${port} from ${Addr.format(address)}`)
    if (n > 1) h.byAddress.set(address, n - 1)
    else h.byAddress.delete(address)
    h.ephemeral--
    if (h.byAddress.size === 1) {
      h.address = h.byAddress.keys().next().value!
      h.byAddress = undefined
    }
  }
  if (isIdle(h) && ++index.idle > IDLE_FLOOR && index.idle > index.ports.size - index.idle) sweep(index)
}

/** Every emptied record goes (a walk of the map: amortised over the removes that emptied them). */
const sweep = (index: PortIndex): void => {
  for (const [port, h] of index.ports) if (isIdle(h)) index.ports.delete(port)
  index.idle = 0
}

/**
 * Whether a bind of `port` to `bound` (Addr.ANY: the wildcard) meets an ephemeral connect's
 * connection or TIME-WAIT there, whatever its peer: Linux's inet_csk_bind_conflict finds that
 * socket without SO_REUSEADDR, EADDRINUSE.
 */
export const heldByEphemeral = (index: PortIndex, port: number, bound: Addr.Ipv4Addr): boolean => {
  const h = index.ports.get(port)
  if (h === undefined || h.ephemeral === 0) return false
  if (bound === Addr.ANY) return true
  return h.byAddress === undefined ? h.address === bound : h.byAddress.has(bound)
}

/**
 * Whether a connect choosing an ephemeral port must pass over `port`: a bound socket holds it
 * (Linux's __inet_hash_connect skips a bucket bind has a socket in, whatever the 4-tuple). One
 * only ephemeral connects hold may be shared, its 4-tuple free.
 */
export const heldByBound = (index: PortIndex, port: number): boolean => {
  const h = index.ports.get(port)
  return h !== undefined && h.bound > 0
}

/**
 * Whether anything holds `port`, whatever its kind or address: a bind of port 0 passes over it
 * (Linux's inet_csk_find_open_port asks for no conflict at all, not even between two sockets
 * with SO_REUSEADDR, while ip_autobind_reuse is off, its default).
 */
export const held = (index: PortIndex, port: number): boolean => {
  const h = index.ports.get(port)
  return h !== undefined && !isIdle(h)
}
