// runWithHardTimeout: the guard around one function call.
import { clearTimer, now, setTimer } from './clock'
import { enter, leave, track, untrack, type Owner } from './async-owner'
import { addDeadline, fireNow, removeDeadline } from './deadlines'
import { interruptErrorFrom, pendingError, timeoutErrorFrom } from './errors'
import { runSyncWithVm } from './fallback'
import { configureMicrotaskStops } from './microtasks'
import { native, type StopInfo } from './native'
import { parseOptions, type HardTimeoutOptions, type ParsedOptions } from './options'

// Async arms whose thread the watchdog found idle at their deadline (or that interruptThread()
// fired) are settled at once from the event loop instead of waiting for the timer.
if (native) configureMicrotaskStops(native, fireNow)

// Whether a debugger (inspector) is attached: a deadline must not fire while the user sits at a
// breakpoint. inspector.url() costs as much as the whole guard, and loading node:inspector much
// more (a test runner's worker for one file never needs it): it is asked at most once a second,
// and at the first call only when the process was started with an --inspect flag (execArgv or
// NODE_OPTIONS). An inspector opened later (SIGUSR1, inspector.open()) is noticed by the first
// guarded call a second or more after the last check. The check rides on guarded calls, not on a
// timer of ours: a timer changes when Node runs a test's microtasks whenever it falls due in the
// same pass as the test's own timers.
let debugging = false
let debuggingCheckedAt: number | undefined
function debuggerAttached(t: number): boolean {
  if (debuggingCheckedAt === undefined) {
    debuggingCheckedAt = t
    const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`
    if (/--inspect/.test(flags)) debugging = inspectorUrl() !== undefined
  } else if (t - debuggingCheckedAt > 1000) {
    debuggingCheckedAt = t
    debugging = inspectorUrl() !== undefined
  }
  return debugging
}
function inspectorUrl(): string | undefined {
  return (require('node:inspector') as typeof import('node:inspector')).url()
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
  const start = now()
  if (!opts.whenDebugging && debuggerAttached(start)) return fn()
  if (!native) return runWithFallback(fn, opts)

  const owner = enter(native)
  let result: unknown
  try {
    // Every argument costs the native side a Node-API call: the defaults are not passed.
    result = opts.defaults
      ? native.run(fn, undefined, opts.timeout, opts.label)
      : native.run(fn, undefined, opts.timeout, opts.label, opts.stuckAfter, opts.report, opts.killProcess, opts.exec)
  } finally {
    if (owner !== undefined) leave(owner)
  }
  if (result === native.STOPPED) {
    throw errorFor(native.takeStop()!, opts)
  }
  if (!isThenable(result)) return result as T
  const token = native.asyncToken()
  // A thenable that is not a native promise has no arm left: only its synchronous part was guarded.
  if (token === 0) return result as T
  return settleAsync(result as PromiseLike<unknown>, track(owner, token), opts, start) as T
}

function settleAsync(promise: PromiseLike<unknown>, owner: Owner, opts: ParsedOptions, start: number): Promise<unknown> {
  const n = native!
  const token = owner.token
  return new Promise((resolve, reject) => {
    let done = false
    const finish = (settle: (info: StopInfo | undefined) => void): void => {
      if (done) return
      done = true
      removeDeadline(token)
      untrack(owner)
      settle(n.settle(token, true))
    }
    const deadline = (): void => {
      // Starved past its deadline by another call's loop, the call was given its limit again.
      const rearmed = n.rearmed(token)
      if (rearmed !== undefined && rearmed.leftMs > 0) {
        addDeadline(token, now() + rearmed.leftMs, deadline)
        return
      }
      finish((info) => reject(info ? errorFor(info, opts) : pendingError(opts.timeout, now() - start, opts.label, rearmed?.starvedBy)))
    }
    // The verdict comes from a timer, a macrotask: a loop stopped inside a microtask leaves the
    // function's promise unsettled forever (V8 drops the queue it was part of).
    addDeadline(token, start + opts.timeout, deadline)
    promise.then(
      (value) => finish((info) => (info ? reject(errorFor(info, opts)) : resolve(value))),
      // Unblocked (EINTR, a killed child) in its async part: that rejection is our doing.
      (error: unknown) => finish((info) => reject(info ? errorFor(info, opts, error) : error)),
    )
  })
}

function runWithFallback<T>(fn: () => T, opts: ParsedOptions): T {
  const start = now()
  const result = runSyncWithVm(fn, opts)
  if (!isThenable(result)) return result
  return new Promise((resolve, reject) => {
    const timer = setTimer(
      () => reject(pendingError(opts.timeout, now() - start, opts.label)),
      Math.max(0, opts.timeout - (now() - start)),
    )
    result.then(
      (value) => {
        clearTimer(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimer(timer)
        reject(error)
      },
    )
  }) as T
}
