// The worker's journal: JSON lines, written synchronously. If the worker has to be killed, the main
// process reads it to learn which test hung and which results Vitest had not sent yet (its updates
// go out through a 100 ms throttle).
//
// One write per guarded call, not two per test: a finished test's line is held back and goes out
// with the next guarded call's "start" line. Nothing is lost by waiting: the worker is killed only
// when a guarded call is stuck, and that call's start was written, with everything before it,
// before it ran. (Each write is a syscall; a healthy test used to make two.)
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { core, type Core } from './core.js'
import { STUCK_DIR, journalName, stuckName, type JournalEntry } from './shared.js'

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
      : (createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads')).threadId
    this.path = path.join(stateDir, journalName(process.pid, this.threadId))
    this.stuckPath = path.join(stateDir, STUCK_DIR, stuckName(process.pid, this.threadId))
  }

  /** A guarded call starts: written now, after the finished tests held back. */
  start(entry: Extract<JournalEntry, { k: 'start' }>): void {
    const text = this.held + JSON.stringify(entry) + '\n'
    this.held = ''
    this.write(text)
  }

  /** A test finished: written with the next start. */
  done(entry: Extract<JournalEntry, { k: 'done' }>): void {
    if (!this.failed) this.held += JSON.stringify(entry) + '\n'
  }

  private write(text: string): void {
    if (this.failed) return
    try {
      if (this.fd === undefined) {
        this.fd = fs.openSync(this.path, 'a')
        // Lets the main process unblock this thread if the run is interrupted while it hangs.
        text = JSON.stringify({ k: 'thread', handle: this.thread } satisfies JournalEntry) + '\n' + text
      }
      fs.writeSync(this.fd, text)
    } catch {
      // The journal only helps after a worker kill; never fail a test because of it.
      this.failed = true
    }
  }
}
