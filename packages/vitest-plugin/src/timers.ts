// Vitest arms its own testTimeout/hookTimeout with the "safe" setTimeout it keeps on globalThis
// (internals/worker.ts). A test stopped in place unwinds through Vitest's timeout
// wrapper without settling it, so its timer would fire later as "Unhandled Rejection: Test timed
// out". We wrap that setTimeout to (1) record the timers armed while a guarded call starts, so they
// can be cleared after a stop, and (2) read the timeout Vitest applies to a hook (probe()).
import { runInThisContext } from 'node:vm'
import { safeTimers } from './internals/worker.js'

export class ProbeResult {
  constructor(readonly ms: number | undefined) {}
}

interface Recorder {
  timers: Array<{ timer: unknown; clear: (t: unknown) => void }>
  probe: boolean
  probed?: ProbeResult
}

let current: Recorder | undefined
const patched = new WeakSet<object>()

/**
 * The realms to look in: this one, and in the vm pools (vmForks, vmThreads) also the outer one,
 * because there this module runs inside the test context while Vitest's runner lives outside.
 * Reaching for the outer realm compiles a script: it is skipped in the pools known to have one
 * realm.
 */
function realms(outerToo: boolean): object[] {
  const out = [globalThis as object]
  if (!outerToo) return out
  try {
    const outer = runInThisContext('globalThis') as object
    if (outer !== globalThis) out.push(outer)
  } catch {
    // no outer realm
  }
  return out
}

/** Wraps Vitest's safe setTimeout in every realm where it exists. Idempotent; true if found. */
export function patchSafeTimers(outerToo: boolean): boolean {
  let found = false
  for (const g of realms(outerToo)) {
    const timers = safeTimers(g)
    if (!timers) continue
    found = true
    if (patched.has(timers)) continue
    patched.add(timers)
    const original = timers.setTimeout
    const clear = timers.clearTimeout
    timers.setTimeout = function hardTimeoutSafeSetTimeout(this: unknown, cb, ms, ...args) {
      const rec = current
      if (rec?.probe) {
        // Thrown inside Vitest's timeout wrapper before it calls the user's function.
        rec.probe = false
        rec.probed = new ProbeResult(typeof ms === 'number' ? ms : undefined)
        throw rec.probed
      }
      const timer = original.call(this, cb, ms, ...args)
      if (rec) rec.timers.push({ timer, clear })
      return timer
    }
  }
  return found
}

export type Recorded = Recorder['timers']

/** Runs fn while recording, into `into`, the safe timers it arms synchronously. */
export function recording<T>(into: Recorded, fn: () => T): T {
  const previous = current
  current = { timers: into, probe: false }
  try {
    return fn()
  } finally {
    current = previous
  }
}

export function clearRecorded(timers: Recorder['timers']): void {
  for (const { timer, clear } of timers) {
    try {
      clear(timer)
    } catch {
      // already gone
    }
  }
  timers.length = 0
}

/**
 * Calls a Vitest-wrapped function only up to the point where Vitest arms its timeout, and returns
 * that timeout; the wrapped function itself is not run. If Vitest arms no timeout for it (its
 * timeout is 0 or Infinity), the call has run for real: `{ ran: true, value }`.
 */
export function probe(call: () => unknown): { ran: false; ms: number | undefined } | { ran: true; value: unknown } {
  const previous = current
  const rec: Recorder = { timers: [], probe: true }
  current = rec
  let value: unknown
  try {
    value = call()
  } catch (e) {
    if (e instanceof ProbeResult) return { ran: false, ms: e.ms }
    throw e
  } finally {
    current = previous
  }
  if (rec.probed) {
    // Vitest's wrapper turned our throw inside its Promise executor into a rejection: swallow it.
    if (value && typeof (value as Promise<unknown>).then === 'function') (value as Promise<unknown>).then(undefined, () => {})
    return { ran: false, ms: rec.probed.ms }
  }
  return { ran: true, value }
}
