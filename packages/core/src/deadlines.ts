// The deadlines of guarded async calls: one Node timer per thread for all of them.
//
// Why: a timer per call (setTimeout when the async part starts, clearTimeout when it settles) is
// the largest single cost of guarding an async function, and a test runner guards every test so
// (BENCHMARKS.md has the figure). Calls mostly settle in the order they started, long before their
// deadline, so one timer set for the earliest deadline is rarely moved: a call adds itself to a
// map and removes itself again.
//
// The timer keeps the process alive only while a call is pending (it is unref'ed when none is): a
// script awaiting a guarded call still gets its verdict, and a settled one does not hold it open.
import { clearTimer, now, setTimer } from './clock'

interface Pending {
  at: number
  fire: () => void
}

/** By token, in the order the calls started. */
const pending = new Map<number, Pending>()
let timer: ReturnType<typeof setTimer> | undefined
let timerAt = Infinity

/** `fire` runs at `at` (a now() time, clock.ts), or earlier through fireNow(), unless removed first. */
export function addDeadline(token: number, at: number, fire: () => void): void {
  pending.set(token, { at, fire })
  if (at < timerAt) schedule(at)
  else if (!timer!.hasRef()) timer!.ref()
}

export function removeDeadline(token: number): void {
  pending.delete(token)
  if (pending.size === 0 && timer !== undefined) timer.unref()
}

/** The native watchdog found the call's thread idle at its deadline: its verdict is due now. */
export function fireNow(token: number): void {
  pending.get(token)?.fire()
}

function schedule(at: number): void {
  if (timer !== undefined) clearTimer(timer)
  timerAt = at
  timer = setTimer(sweep, Math.max(0, at - now()))
}

function sweep(): void {
  timer = undefined
  timerAt = Infinity
  const t = now()
  let next = Infinity
  for (const [token, p] of pending) {
    if (p.at <= t) {
      pending.delete(token)
      p.fire()
    } else if (p.at < next) {
      next = p.at
    }
  }
  if (next !== Infinity) schedule(next)
}
