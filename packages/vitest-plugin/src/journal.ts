// The worker's journal: JSON lines. If the worker has to be killed, the main process reads it to
// learn which test hung and which results Vitest had not sent yet (its updates go out through a
// 100 ms throttle).
//
// The lines are kept in memory, in core's stuck log, which the native watchdog appends to the
// journal's file only when a guarded call of this thread is reported stuck, before the stuck
// report that wakes the main process: that is the only time anyone reads them. A healthy test
// makes no system call for the journal (a write per test cost ~9 k instructions of user space).
// Only the first line, naming this thread, is written at once: the main process also needs it
// when a run is interrupted while a test hangs, before any report.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { core, type Core } from './core.js'
import { STUCK_DIR, journalName, stuckName, type JournalEntry } from './shared.js'

/** What a start line records of a guarded call (a GuardTarget has them). */
export interface StartFields {
  taskId: string | null
  file: string
  what: string
  name: string
  limit: number
}

/** The parts of a Vitest test result a done line looks at. */
export interface TestResult {
  state?: string
  startTime?: number
  duration?: number
  retryCount?: number
  repeatCount?: number
  errors?: unknown
  note?: unknown
}

function currentThread(): Core.ThreadHandle | null {
  try {
    return core.currentThread()
  } catch {
    return null // no native addon
  }
}

export class Journal {
  /** undefined: not started yet; null: unavailable (no addon, or the file could not be written). */
  private log: Core.StuckLog | null | undefined
  private lastFile: string | undefined
  private lastFileJson = ''
  readonly path: string
  readonly stuckPath: string
  /** worker_threads.threadId of this thread (0: a fork worker's main thread). */
  readonly threadId: number
  private readonly thread: Core.ThreadHandle | null

  constructor(stateDir: string) {
    this.thread = currentThread()
    // Without the addon there are no stuck reports to match, but keep the names right.
    this.threadId = this.thread
      ? this.thread.threadId
      : (require('node:worker_threads') as typeof import('node:worker_threads')).threadId // (CommonJS: dist/worker.cjs)
    this.path = join(stateDir, journalName(process.pid, this.threadId))
    this.stuckPath = join(stateDir, STUCK_DIR, stuckName(process.pid, this.threadId))
  }

  /**
   * A guarded call starts. The line is put together by hand (JSON.stringify of the whole entry
   * cost ~6 k instructions more per test); the file's part is the same for every call of a file
   * and kept. A file's collection starts a new text: lines of earlier files are never needed.
   */
  start(entry: StartFields): void {
    const log = this.log === undefined ? this.open() : this.log
    if (log === null) return
    if (entry.file !== this.lastFile) {
      this.lastFile = entry.file
      this.lastFileJson = JSON.stringify(entry.file)
    }
    if (entry.what === 'collect') log.clear()
    // (limit is a finite number: its JSON is its string; what is 'test' on all but hooks and files)
    const what = entry.what === 'test' ? '"test"' : JSON.stringify(entry.what)
    log.append(`{"k":"start","id":${entry.taskId === null ? 'null' : JSON.stringify(entry.taskId)},"file":${this.lastFileJson},"what":${what},"name":${JSON.stringify(entry.name)},"limit":${entry.limit},"t":${Date.now()}}\n`)
  }

  /** A test finished. */
  done(id: string, result: TestResult): void {
    const log = this.log === undefined ? this.open() : this.log
    if (log === null) return
    const plain = result.state === 'pass' && result.errors === undefined && result.note === undefined &&
      typeof result.startTime === 'number' && typeof result.duration === 'number'
    if (!plain) {
      log.append(JSON.stringify({ k: 'done', id, result } satisfies JournalEntry) + '\n')
      return
    }
    const counts = (result.retryCount ? `,"r":${result.retryCount}` : '') + (result.repeatCount ? `,"p":${result.repeatCount}` : '')
    log.append(`{"k":"done","id":${JSON.stringify(id)},"s":"pass","t":${result.startTime},"d":${Math.round(result.duration! * 1000)}${counts}}\n`)
  }

  private open(): Core.StuckLog | null {
    this.log = null
    if (!this.thread) return null // no addon: no watchdog to write the log, nor stuck reports
    try {
      // Lets the main process unblock this thread if the run is interrupted while it hangs.
      writeFileSync(this.path, JSON.stringify({ k: 'thread', handle: this.thread } satisfies JournalEntry) + '\n', { flag: 'a', mode: 0o600 })
      this.log = core.stuckLog(this.path)
    } catch {
      // The journal only helps after a worker kill; never fail a test because of it.
    }
    return this.log
  }
}
