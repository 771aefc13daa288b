// What the main process does as it exits, normally or on Ctrl+C / SIGTERM / an error while a worker
// hangs: no worker, grandchild process or state folder may outlive the run.
import * as fs from 'node:fs'
import { core, type Core } from './core.js'
import { reallyExit } from './internals/main.js'
import { alive } from './pids.js'
import { parseJournal } from './replay.js'
import { journalPath } from './shared.js'

const JOURNAL = /^w-(\d+)-(\d+)\.jsonl$/

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir)
  } catch {
    return []
  }
}

/**
 * Runs in the process's 'exit' listener. `abandoned`: the worker threads left stuck in native code.
 */
export function cleanUpAtExit(stateDir: string, abandoned: readonly Core.ThreadHandle[], code: number): void {
  // Node joins every worker thread before the process ends: an abandoned thread still stuck in
  // native code would keep it from ever ending. Nothing else runs any more, so end that thread,
  // then leave the way process.exit() does (Node's own teardown would wait for the dead thread).
  let killed = false
  for (const handle of abandoned) {
    try {
      core.killThread(handle)
      killed = true
    } catch {
      // it has returned or exited by now
    }
  }
  for (const name of safeReaddir(stateDir)) {
    const m = JOURNAL.exec(name)
    if (!m) continue
    const pid = Number(m[1])
    if (pid === process.pid) {
      // A worker thread of this process: Node joins it before exiting, so a thread blocked in a
      // syscall (readSync, execSync) would hold the exit up. Interrupt the syscall, kill its children.
      let first
      try {
        first = parseJournal(fs.readFileSync(journalPath(stateDir, pid, Number(m[2])), 'utf8'))[0]
      } catch {
        continue
      }
      if (first?.k === 'thread' && first.handle) {
        try {
          core.unblockThread(first.handle)
        } catch {
          // exited, or not blocked
        }
      }
      continue
    }
    if (!alive(pid)) continue
    try {
      core.killProcessTree(pid, { includeSelf: true })
    } catch {
      // gone
    }
  }
  try {
    fs.rmSync(stateDir, { recursive: true, force: true })
  } catch {
    // best effort
  }
  if (killed) reallyExit(process.exitCode !== undefined ? Number(process.exitCode) : code)
}
