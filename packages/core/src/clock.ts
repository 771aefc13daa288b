// The clock and timers core measures its limits with, taken when core is loaded: before any test
// code runs, so before any fake timers are installed. Fake timers (@sinonjs/fake-timers, which
// vi.useFakeTimers() and jest.useFakeTimers() are built on) replace properties — globalThis.Date,
// node:timers' exports, perf_hooks' performance.now, process.hrtime — not the functions held here.
// A faked or moved clock would otherwise fire a limit early, hold it back, or arm a timer for
// years (Node then warns and fires it every millisecond).
import * as timers from 'node:timers'
import { performance } from 'node:perf_hooks'

const perfNow = performance.now.bind(performance)

/** Monotonic milliseconds (not wall-clock time: only differences mean anything). */
export const now: () => number = perfNow

export const setTimer: typeof timers.setTimeout = timers.setTimeout
export const clearTimer: typeof timers.clearTimeout = timers.clearTimeout
