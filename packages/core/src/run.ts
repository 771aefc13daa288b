// runWithHardTimeout: the guard around one function call.
import * as inspector from 'node:inspector'
import { clearTimeout, setTimeout } from 'node:timers'
import { interruptErrorFrom, pendingError, timeoutErrorFrom } from './errors'
import { runSyncWithVm } from './fallback'
import { configureMicrotaskStops } from './microtasks'
import { native, type StopInfo } from './native'
import { parseOptions, type HardTimeoutOptions, type ParsedOptions } from './options'

if (native) configureMicrotaskStops(native)

// inspector.url() costs ~0.6 µs, as much as the whole guard: ask at most once a second. An
// inspector opened later (SIGUSR1, inspector.open()) is noticed within that second.
let debugging = false
let debuggingCheckedAt = -Infinity
function debuggerAttached(): boolean {
  const now = Date.now()
  if (now - debuggingCheckedAt > 1000) {
    debugging = inspector.url() !== undefined
    debuggingCheckedAt = now
  }
  return debugging
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
}

function errorFor(info: StopInfo, opts: ParsedOptions, thrown?: unknown): Error {
  if (info.customName !== undefined) return interruptErrorFrom(info)
  return timeoutErrorFrom(info, opts.label, thrown)
}

/**
 * Calls `fn` and returns what it returns. If `fn` is still running `options.timeout` ms later, it
 * is stopped where it is and a HardTimeoutError is thrown (or, for a function that returned a
 * promise, the returned promise rejects with it).
 */
export function runWithHardTimeout<T>(fn: () => Promise<T>, options: HardTimeoutOptions): Promise<T>
export function runWithHardTimeout<T>(fn: () => T, options: HardTimeoutOptions): T
export function runWithHardTimeout<T>(fn: () => T, options: HardTimeoutOptions): T {
  if (typeof fn !== 'function') {
    throw new TypeError(`runWithHardTimeout: fn must be a function, got ${fn === null ? 'null' : typeof fn}`)
  }
  const opts = parseOptions(options)
  if (!opts.whenDebugging && debuggerAttached()) return fn()
  if (!native) return runWithFallback(fn, opts)

  const start = Date.now()
  const result = native.run(fn, undefined, opts.timeout, opts.label, opts.stuckAfter, opts.report, opts.killProcess)
  if (result === native.STOPPED) {
    throw errorFor(native.takeStop()!, opts)
  }
  if (!isThenable(result)) return result as T
  const token = native.asyncToken()
  // A thenable that is not a native promise has no arm left: only its synchronous part was guarded.
  if (token === 0) return result as T
  return settleAsync(result as PromiseLike<unknown>, token, opts, start) as T
}

function settleAsync(promise: PromiseLike<unknown>, token: number, opts: ParsedOptions, start: number): Promise<unknown> {
  const n = native!
  return new Promise((resolve, reject) => {
    // The verdict comes from a timer, a macrotask: a loop stopped inside a microtask leaves the
    // function's promise unsettled forever (V8 drops the queue it was part of).
    const timer = setTimeout(() => {
      const info = n.settle(token, true)
      reject(info ? errorFor(info, opts) : pendingError(opts.timeout, Date.now() - start, opts.label))
    }, Math.max(0, opts.timeout - (Date.now() - start)))
    promise.then(
      (value) => {
        clearTimeout(timer)
        const info = n.settle(token, true)
        if (info) reject(errorFor(info, opts))
        else resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        // Unblocked (EINTR, a killed child) in its async part: that rejection is our doing.
        const info = n.settle(token, true)
        if (info) reject(errorFor(info, opts, error))
        else reject(error)
      },
    )
  })
}

function runWithFallback<T>(fn: () => T, opts: ParsedOptions): T {
  const start = performance.now()
  const result = runSyncWithVm(fn, opts)
  if (!isThenable(result)) return result
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(pendingError(opts.timeout, performance.now() - start, opts.label)),
      Math.max(0, opts.timeout - (performance.now() - start)),
    )
    result.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  }) as T
}
