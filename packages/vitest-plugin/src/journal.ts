// The worker's journal: JSON lines, written synchronously. If the worker has to be killed, the main
// process reads it to learn which test hung and which results Vitest had not sent yet (its updates
// go out through a 100 ms throttle).
//
// One write per guarded call, not two per test: a finished test's line is held back and goes out
// with the next guarded call's "start" line. Nothing is lost by waiting: the worker is killed only
// when a guarded call is stuck, and that call's start was written, with everything before it,
// before it ran. (Each write is a syscall; a healthy test used to make two.)
import { openSync, writeSync } from 'node:fs'
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
  private fd: number | undefined
  private failed = false
  /** Lines of finished tests, written with the next start. */
  private held = ''
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
   * A guarded call starts: written now, after the finished tests held back. The line is put
   * together by hand (JSON.stringify of the whole entry cost ~6 k instructions more per test); the
   * file's part is the same for every call of a file and kept.
   */
  start(entry: StartFields): void {
    if (entry.file !== this.lastFile) {
      this.lastFile = entry.file
      this.lastFileJson = JSON.stringify(entry.file)
    }
    // (limit is a finite number: its JSON is its string; what is 'test' on all but hooks and files)
    const what = entry.what === 'test' ? '"test"' : JSON.stringify(entry.what)
    const text = `${this.held}{"k":"start","id":${entry.taskId === null ? 'null' : JSON.stringify(entry.taskId)},"file":${this.lastFileJson},"what":${what},"name":${JSON.stringify(entry.name)},"limit":${entry.limit},"t":${Date.now()}}\n`
    this.held = ''
    this.write(text)
  }

  /** A test finished: written with the next start. */
  done(id: string, result: TestResult): void {
    if (this.failed) return
    const plain = result.state === 'pass' && result.errors === undefined && result.note === undefined &&
      typeof result.startTime === 'number' && typeof result.duration === 'number'
    if (!plain) {
      this.held += JSON.stringify({ k: 'done', id, result } satisfies JournalEntry) + '\n'
      return
    }
    const counts = (result.retryCount ? `,"r":${result.retryCount}` : '') + (result.repeatCount ? `,"p":${result.repeatCount}` : '')
    this.held += `{"k":"done","id":${JSON.stringify(id)},"s":"pass","t":${result.startTime},"d":${Math.round(result.duration! * 1000)}${counts}}\n`
  }

  private write(text: string): void {
    if (this.failed) return
    try {
      if (this.fd === undefined) {
        this.fd = openSync(this.path, 'a')
        // Lets the main process unblock this thread if the run is interrupted while it hangs.
        text = JSON.stringify({ k: 'thread', handle: this.thread } satisfies JournalEntry) + '\n' + text
      }
      writeSync(this.fd, text)
    } catch {
      // The journal only helps after a worker kill; never fail a test because of it.
      this.failed = true
    }
  }
}
