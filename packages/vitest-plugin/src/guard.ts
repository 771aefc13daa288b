// One guarded call: a test body, a hook or a file's collection, run under runWithHardTimeout.
// After a stop it cleans up what Vitest's own timeout wrapper left behind, and tags the error.
import { core, type Core } from './core.js'
import { resetRunnerTimeout, runnerDeadline, type Deadline } from './internals/worker.js'
import type { VitestLine } from './internals/versions.js'
import type { Journal } from './journal.js'
import type { ResolvedOptions } from './options.js'
import { entryOf, type HardTimeoutInfo } from './shared.js'
import { clearRecorded, recording, type Recorded } from './timers.js'

export interface GuardTarget {
  what: string
  /** The test's name, or a description of the hook or the file. */
  name: string
  /** How the error message names it: 'test "a > b"', 'beforeEach hook of describe "a"'. */
  display: string
  limit: number
  /** The limit is the user's (meta.hardTimeout or plugin options), not Vitest's own timeout. */
  overridden: boolean
  taskId: string | null
  file: string
  /** The test itself (tests only), handed back to onStop. */
  task?: object
}

export const HARD_TIMEOUT = Symbol.for('hardtimeout.vitest.info')

export function isHardTimeoutError(e: unknown): e is Core.HardTimeoutError {
  return e instanceof Error && e.name === 'HardTimeoutError'
}

function isPending(e: Core.HardTimeoutError): boolean {
  return e.pending === true
}

export function tag(e: Core.HardTimeoutError, target: GuardTarget): HardTimeoutInfo {
  const info: HardTimeoutInfo = {
    ...core.recordFromError(e, { entry: entryOf(target.what), name: target.name, file: target.file }),
    overridden: target.overridden,
  }
  const quoted = `"${target.name}"`
  if (e.message.startsWith(quoted)) {
    const message = target.display + e.message.slice(quoted.length)
    if (typeof e.stack === 'string') e.stack = e.stack.replace(e.message, message)
    e.message = message
  }
  // An own enumerable property: Vitest's error serialization carries it to the main process.
  ;(e as unknown as { hardTimeout: HardTimeoutInfo }).hardTimeout = info
  return info
}

export class Guard {
  /** The same for every call of this thread: made once. */
  private readonly onStuck: Core.StuckPlan

  constructor(
    private readonly options: ResolvedOptions,
    private readonly journal: Journal,
    private readonly line: VitestLine,
    private readonly onStop: (target: GuardTarget, error: Core.HardTimeoutError) => void,
  ) {
    this.onStuck = { report: journal.stuckPath, kill: 'none' }
  }

  run(runner: object, target: GuardTarget, call: () => unknown): unknown {
    const before = runnerDeadline(runner)
    this.journal.start(target)
    let inner: unknown
    const recorded: Recorded = []
    let afterSync: Deadline
    const cleanup = (): void => {
      clearRecorded(recorded)
      resetRunnerTimeout(this.line, runner, before, afterSync)
    }
    let result: unknown
    try {
      result = recording(recorded, () =>
        core.runWithHardTimeout(() => {
          inner = call()
          return inner
        }, {
          timeout: target.limit,
          label: target.name,
          stuckAfter: this.options.stuckAfter,
          onStuck: this.onStuck,
        }),
      )
      afterSync = runnerDeadline(runner)
    } catch (e) {
      if (isHardTimeoutError(e)) {
        cleanup()
        tag(e, target)
        this.onStop(target, e)
      }
      throw e
    }
    if (result === null || typeof result !== 'object' || typeof (result as Promise<unknown>).then !== 'function') return result
    return (result as Promise<unknown>).then(undefined, (e: unknown) => {
      if (!isHardTimeoutError(e)) throw e
      // Only waiting (the thread was free) and the limit is Vitest's own: its timeout fires at the
      // same moment and reports it the usual way.
      if (isPending(e) && !target.overridden) return inner
      cleanup()
      tag(e, target)
      this.onStop(target, e)
      throw e
    })
  }
}
