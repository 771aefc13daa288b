// Disposing of a worker stuck in native code, once its results are recorded: a fork (forks,
// vmForks) is SIGKILLed with its process tree; a worker thread (threads, vmThreads), which cannot
// be killed safely while the run goes on, has its children killed and is handed back to its pool
// as gone, and is remembered so that it can be ended when the process exits (exit-cleanup.ts).
import { core, type Core } from './core.js'
import { abandonThread, beforeKillingFork, logError } from './internals/main.js'
import type { VitestLine } from './internals/versions.js'

export function killWorker(line: VitestLine, pid: number): void {
  beforeKillingFork(line, pid)
  // The worker and everything it started; SIGKILL so nothing of it runs on.
  core.killProcessTree(pid, { includeSelf: true })
}

/** Returns the handle of the abandoned thread, for exit-cleanup. */
export function abandonWorkerThread(vitest: unknown, line: VitestLine, report: Core.StuckReport, pid: number, threadId: number): Core.ThreadHandle {
  for (const child of report.diagnosis?.children ?? []) {
    try {
      core.killProcessTree(child.pid, { includeSelf: true })
    } catch {
      // gone
    }
  }
  if (!abandonThread(line, threadId, `worker thread ${threadId} was abandoned: "${report.label}" is stuck in native code`)) {
    logError(vitest, `[hardtimeout] worker thread ${threadId} is stuck in native code and its Worker object was never seen: its pool may wait for it until the run is interrupted`)
  }
  return { pid, tid: report.tid, threadId, generation: report.generation }
}
