// The worker's journal: one JSON line, written synchronously, before each guarded call and after
// each finished test. If the worker has to be killed, the main process reads it to learn which test
// hung and which results Vitest had not sent yet (its updates go out through a 100 ms throttle).
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { threadId } from 'node:worker_threads'
import type * as Core from '@hardtimeout/core'
import { STUCK_DIR, journalName, stuckName, type JournalEntry } from './shared.js'

const core = createRequire(import.meta.url)('@hardtimeout/core') as typeof Core

function handle(): Core.ThreadHandle | null {
  try {
    return core.currentThread()
  } catch {
    return null
  }
}

export class Journal {
  private fd: number | undefined
  private failed = false
  readonly path: string
  readonly stuckPath: string

  constructor(stateDir: string) {
    this.path = path.join(stateDir, journalName(process.pid, threadId))
    this.stuckPath = path.join(stateDir, STUCK_DIR, stuckName(process.pid, threadId))
  }

  write(entry: JournalEntry): void {
    if (this.failed) return
    try {
      if (this.fd === undefined) {
        this.fd = fs.openSync(this.path, 'a')
        // Lets the main process unblock this thread if the run is interrupted while it hangs.
        fs.writeSync(this.fd, JSON.stringify({ k: 'thread', handle: handle() } satisfies JournalEntry) + '\n')
      }
      fs.writeSync(this.fd, JSON.stringify(entry) + '\n')
    } catch {
      // The journal only helps after a worker kill; never fail a test because of it.
      this.failed = true
    }
  }
}
