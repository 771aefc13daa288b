// The failure a test (or hook, or file) stuck in native code is given by the main process, in the
// shape of the HardTimeoutError a worker would have sent.
import * as fs from 'node:fs'
import { core, type Core } from './core.js'
import type { TaskLike } from './internals/main.js'
import type { StartEntry } from './replay.js'
import { entryOf, type HardTimeoutInfo } from './shared.js'

export interface StuckWorker {
  pid: number
  threadId: number
  report: Core.StuckReport
  action: Extract<Core.HardTimeoutAction, 'worker-killed' | 'thread-abandoned'>
}

/** How messages name a guarded call: 'test "a > b"', or a hook's / a file's description. */
export const displayName = (start: StartEntry): string => (start.what === 'test' ? `test "${start.name}"` : start.name)

export function nativeHangError(start: StartEntry, stuck: StuckWorker, task: TaskLike | undefined): object {
  const { pid, threadId, report, action } = stuck
  const at = task?.location ?? locateName(start.file, task?.name)
  const declared = { file: start.file, line: at?.line ?? 1, column: at?.column ?? 1 }
  // JavaScript that could not be stopped (a loop in a timer callback) has the stack an interrupt
  // took: the error points at the loop. No stack is taken from native code: it points at the
  // declaration.
  const looped = report.busyInJavaScript ? core.userFrame(report.stack) : undefined
  const location = looped ?? declared
  const info: HardTimeoutInfo = {
    ...core.recordFromStuckReport({ ...report, timeoutMs: start.limit }, { entry: entryOf(start.what), name: start.name, file: start.file, action, location }),
    overridden: false,
  }
  let message: string
  if (report.busyInJavaScript) {
    message = `${info.message} (${action === 'worker-killed' ? `worker pid ${pid}, with its process tree` : `worker thread ${threadId}`})`
  } else {
    const blocked = core.describeDiagnosis(report.diagnosis) ?? 'native code'
    const ended = action === 'worker-killed'
      ? `the worker (pid ${pid}) and its process tree were killed`
      : `its worker thread (${threadId}) was abandoned`
    message = `${displayName(start)} was stuck in native code for ${Math.round(report.elapsedMs)} ms (hard timeout ${start.limit} ms) and could not be stopped (${blocked}): ${ended}`
  }
  return {
    name: 'HardTimeoutError',
    message,
    stack: `HardTimeoutError: ${message}\n    at ${location.file}:${location.line}:${location.column ?? 1}`,
    hardTimeout: info,
    diagnosis: report.diagnosis,
  }
}

/** Where a test or describe named `name` is declared in `file` (its first mention), if found. */
function locateName(file: string, name: string | undefined): { line: number; column: number } | undefined {
  if (!name) return undefined
  try {
    const lines = fs.readFileSync(file, 'utf8').split('\n')
    for (const q of ["'", '"', '`']) {
      const needle = q + name + q
      const i = lines.findIndex((l) => l.includes(needle))
      if (i >= 0) return { line: i + 1, column: lines[i]!.search(/\S/) + 1 }
    }
  } catch {
    // unreadable
  }
  return undefined
}
