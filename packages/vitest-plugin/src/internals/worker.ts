// Every Vitest internal the worker side reads or writes, named once, with the lines it was checked
// on (versions.ts lists the releases). The runner API itself (the runner class, a test's function,
// a suite's hook arrays) is loaded per line by runner-api.ts.
import { setupError, type VitestLine } from './versions.js'

/**
 * Vitest's "safe" timers, kept on globalThis under a symbol with this description (not a
 * Symbol.for: found by description). Its timeout wrapper arms each test's and hook's timer with
 * their setTimeout, taken when the test or hook is defined. 3.2, 4.1, 5.1.
 */
const SAFE_TIMERS = 'vitest:SAFE_TIMERS'

export interface SafeTimers {
  setTimeout: (cb: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => unknown
  clearTimeout: (t: unknown) => void
}

/** The realm's safe timers object, if Vitest installed one there. */
export function safeTimers(realm: object): SafeTimers | undefined {
  const sym = Object.getOwnPropertySymbols(realm).find((s) => s.description === SAFE_TIMERS)
  const timers = sym ? (realm as Record<symbol, SafeTimers | undefined>)[sym] : undefined
  return timers && typeof timers.setTimeout === 'function' && typeof timers.clearTimeout === 'function' ? timers : undefined
}

/** Vitest's own timeout of a beforeAll/beforeEach hook, on the hook function. 3.2, 4.1, 5.1. */
export const CLEANUP_TIMEOUT_KEY = Symbol.for('VITEST_CLEANUP_TIMEOUT')

/**
 * What Vitest's timeout wrapper keeps on the runner while a test or hook runs, and restores only
 * when it settles: a call stopped in place never settles it.
 *   _deadline                                       5.1 (an object with clear())
 *   _currentTaskStartTime, _currentTaskTimeout      3.2, 4.1
 */
interface RunnerTimeoutState {
  _deadline?: { clear?: () => void }
  _currentTaskStartTime?: number
  _currentTaskTimeout?: number
}

export type Deadline = RunnerTimeoutState['_deadline']

/** The deadline Vitest 5 keeps on the runner (undefined on the lines that keep none). */
export function runnerDeadline(runner: object): Deadline {
  return (runner as RunnerTimeoutState)._deadline
}

/**
 * After a stop: undo what the stopped call's timeout wrapper left on the runner. `before` is the
 * deadline when the call started, `afterSync` the one after its synchronous part (if it got there):
 * a deadline armed later, by another call, is not ours to clear.
 */
export function resetRunnerTimeout(line: VitestLine, runner: object, before: Deadline, afterSync: Deadline): void {
  const r = runner as RunnerTimeoutState
  if (line >= 5) {
    if (r._deadline !== before && (afterSync === undefined || r._deadline === afterSync)) {
      r._deadline?.clear?.()
      r._deadline = before
    }
    return
  }
  r._currentTaskStartTime = undefined
  r._currentTaskTimeout = undefined
}

/**
 * The startup check of the worker's internals: the runner methods ours overrides exist on Vitest's
 * runner class. (The safe timers are checked when the first file is collected: Vitest installs them
 * after the runner is made.)
 */
export function checkRunnerClass(line: VitestLine, TestRunner: { prototype: Record<string, unknown> }): void {
  const missing = ['importFile', 'onCollectStart'].filter((m) => typeof TestRunner.prototype[m] !== 'function')
  if (missing.length > 0) throw internalMissing(line, `its runner's ${missing.join(', ')}`)
}

export function checkSafeTimers(line: VitestLine, found: boolean): void {
  if (!found) throw internalMissing(line, `its safe timers (globalThis[Symbol('${SAFE_TIMERS}')])`)
}

export function internalMissing(line: VitestLine, what: string): Error {
  return setupError(`[hardtimeout] this Vitest ${line}.x lacks ${what}, which @hardtimeout/vitest needs to stop tests: it is not a release the plugin supports`)
}
