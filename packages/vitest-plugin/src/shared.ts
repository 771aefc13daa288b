// What the main process tells the workers, and the names of the files they share.
import type { VitestLine } from './internals/versions.js'
import type { ResolvedOptions } from './options.js'
import type { HardTimeoutEntry, HardTimeoutRecord } from '@hardtimeout/core/internal'

export interface WorkerConfig {
  options: ResolvedOptions
  /** The running Vitest's line: which internals adapter the worker uses. */
  line: VitestLine
  /** Directory shared with the main-process supervisor: journals and stuck reports. */
  stateDir: string
  /** Where the worker's code is, resolved once by the main process. */
  load: {
    /** dist/worker.cjs */
    worker: SourceFile
    /** @hardtimeout/core's main file */
    core: SourceFile
    /** The code cache's folder (in the state directory), when this project's pool can use one. */
    codeCache?: string
  }
}

/**
 * Whether a pool runs tests in the realm the runner is loaded in (forks and threads, the default
 * pools). In the vm pools the runner's module runs inside the test's context, and Vitest's own
 * runner outside it.
 */
export function runsInRunnerRealm(pool: unknown): boolean {
  return pool === 'forks' || pool === 'threads'
}

export interface SourceFile {
  file: string
  /** Its size and mtime when the run started: part of its code cache's name. */
  key: string
}

/**
 * Attached to the HardTimeoutError a test or hook fails with (an own property: it survives Vitest's
 * error serialization): core's record of what happened, as the worker (or, for a worker it had to
 * dispose of, the main process) knows it. The summary completes it (file relative to the root,
 * project) into the records it reports.
 */
export type HardTimeoutInfo = HardTimeoutRecord & {
  /** The limit came from meta.hardTimeout or the plugin's options rather than Vitest's own timeout. */
  overridden: boolean
}

/** What a guarded call of the plugin was, in core's words: 'test', 'hook' or 'collection'. */
export function entryOf(what: string): HardTimeoutEntry {
  return what === 'test' ? 'test' : what === 'collect' ? 'collection' : 'hook'
}

export const journalName = (pid: number, threadId: number): string => `w-${pid}-${threadId}.jsonl`
export const journalPath = (stateDir: string, pid: number, threadId: number): string => `${stateDir}/${journalName(pid, threadId)}`
export const stuckName = (pid: number, threadId: number): string => `stuck-${pid}-${threadId}.json`
/**
 * Stuck reports go to a folder of their own: the supervisor watches it, and journal writes must
 * not wake the main process.
 */
export const STUCK_DIR = 'stuck'

/** One line of a worker's journal: the guarded call that started, or a test that finished. */
export type JournalEntry =
  | { k: 'thread'; handle: { pid: number; tid: number; threadId: number; generation: number } | null }
  | { k: 'start'; id: string | null; file: string; what: string; name: string; limit: number; t: number }
  | DoneEntry

/**
 * A finished test. A plain passing result is written as its state and timings (`s`, `t`, `d` in
 * microseconds, `r`/`p` retry and repeat counts when not 0), which is much cheaper than printing
 * the full result object (JSON.stringify, its float duration to 17 digits). Anything else (a
 * failure, a note, errors) is written whole, as `result`.
 */
export interface DoneEntry {
  k: 'done'
  id: string
  result?: unknown
  s?: string
  t?: number
  d?: number
  r?: number
  p?: number
}

/** The result a journal's done line stands for. */
export function doneResult(e: DoneEntry): unknown {
  if (e.result !== undefined) return e.result
  return { state: e.s, startTime: e.t, duration: (e.d ?? 0) / 1000, retryCount: e.r ?? 0, repeatCount: e.p ?? 0 }
}
