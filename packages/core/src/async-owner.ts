// Which guarded call a promise reaction belongs to, while the async parts of several calls overlap
// on this thread (concurrent tests). A loop in one call's continuation starves the others: the
// native interrupt reads the owner from a cell shared with the addon, so that only the call that
// runs the loop is stopped and the calls it starved are not blamed for it.
//
// Tracking costs a hook call per promise, so it runs only while two or more async parts are
// pending; a lone call (every sequential test) pays nothing. Promises created before tracking
// started belong to the oldest call then pending (the one that was alone), the others are unknown,
// and the interrupt then falls back to the call whose deadline it serves.
import { promiseHooks } from 'node:v8'
import type { NativeBinding } from './native'

/** One guarded call; `token` is its arm's id once its synchronous part has returned. */
export interface Owner {
  token: number
  /** The owner that was current when this call's synchronous part began. */
  outer?: Owner | undefined
}

const owners = new WeakMap<object, Owner>()
const pending = new Set<Owner>()
const cell = new Float64Array(1)
let current: Owner | undefined
let fallback: Owner | undefined
let stopHooks: (() => void) | undefined
let bound: NativeBinding | undefined

function start(n: NativeBinding): void {
  if (bound !== n) {
    n.setAsyncOwner(cell)
    bound = n
  }
  fallback = pending.values().next().value
  // Typed as returning Function; it is the hooks' stop function.
  stopHooks = promiseHooks.createHook({
    init(promise, parent) {
      const o = current ?? (parent ? owners.get(parent) : undefined)
      if (o) owners.set(promise, o)
    },
    before(promise) {
      current = owners.get(promise) ?? fallback
      cell[0] = current?.token ?? 0
    },
    after() {
      current = undefined
      cell[0] = 0
    },
  }) as () => void
}

/**
 * Before a call's synchronous part: while another call's async part is pending, the new call's
 * promises must be told apart from it. Returns its owner then (pass it to leave()), else undefined.
 */
export function enter(n: NativeBinding): Owner | undefined {
  if (pending.size === 0) return undefined
  if (stopHooks === undefined) start(n)
  const owner: Owner = { token: 0, outer: current }
  current = owner
  return owner
}

export function leave(owner: Owner): void {
  current = owner.outer
  owner.outer = undefined
}

/** The call's async part is pending: its arm is `token`. */
export function track(owner: Owner | undefined, token: number): Owner {
  const o = owner ?? { token }
  o.token = token
  pending.add(o)
  return o
}

/** Its async part settled. */
export function untrack(owner: Owner): void {
  pending.delete(owner)
  if (owner === fallback) fallback = undefined
  if (pending.size === 0 && stopHooks !== undefined) {
    stopHooks()
    stopHooks = undefined
    current = undefined
    cell[0] = 0
  }
}
