// The run's state folder (journals, stuck reports, generated runner modules) in the system's
// temporary folder. The supervisor removes it when Vitest exits; a Vitest killed by SIGKILL
// cannot, so each run also removes the folders such runs left behind.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { alive } from './pids.js'

const PREFIX = 'hardtimeout-vitest-'
/** `hardtimeout-vitest-<pid of the Vitest main process>-<mkdtemp's six characters>` */
const NAME = /^hardtimeout-vitest-(\d+)-[A-Za-z0-9]{6}$/
/**
 * How long a folder must have been left alone before it may go. Not at once: a Vitest in another
 * PID namespace (a container sharing this /tmp) looks gone from here while it still runs, and
 * every new worker of a run touches its folder (writing its journal).
 */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000

/** Removes the state folders in tmp of runs whose process is gone, untouched for STALE_AFTER_MS. */
function removeStaleStateDirs(tmp: string): void {
  let names: string[]
  try {
    names = fs.readdirSync(tmp)
  } catch {
    return
  }
  const now = Date.now()
  for (const name of names) {
    const m = NAME.exec(name)
    if (!m) continue
    const pid = Number(m[1])
    if (pid === process.pid || alive(pid)) continue
    const dir = path.join(tmp, name)
    try {
      if (now - fs.statSync(dir).mtimeMs < STALE_AFTER_MS) continue
      fs.rmSync(dir, { recursive: true, force: true })
    } catch {
      // another user's, or removed meanwhile
    }
  }
}

export function createStateDir(): string {
  const tmp = os.tmpdir()
  removeStaleStateDirs(tmp)
  return fs.mkdtempSync(path.join(tmp, `${PREFIX}${process.pid}-`))
}
