// What the main process tells the workers, and the names of the files they share.
import type { ResolvedOptions } from './options.js'

export interface WorkerConfig {
  options: ResolvedOptions
  /** Directory shared with the main-process supervisor: journals and stuck reports. */
  stateDir: string
}

/** What a hard timeout did, as shown in the summary. */
export type HardTimeoutAction = 'stopped in place' | 'unblocked' | 'timed out (waiting)' | 'worker killed' | 'thread abandoned' | 'reported (left running)'

/** Attached to the HardTimeoutError a test or hook fails with (survives Vitest's error serialization). */
export interface HardTimeoutInfo {
  action: HardTimeoutAction
  /** 'test', 'beforeEach', …, or 'collect' (the file's module top level). */
  what: string
  name: string
  limit: number
  elapsed: number
  /** The limit came from meta.hardTimeout or the plugin's options rather than Vitest's own timeout. */
  overridden: boolean
}

export const journalName = (pid: number, threadId: number): string => `w-${pid}-${threadId}.jsonl`
export const stuckName = (pid: number, threadId: number): string => `stuck-${pid}-${threadId}.json`
/**
 * Stuck reports go to a folder of their own: the supervisor watches it, and journal writes (two
 * per test) must not wake the main process (measured: thousands of directory scans per run).
 */
export const STUCK_DIR = 'stuck'

/** One line of a worker's journal: the guarded call that started, or a test that finished. */
export type JournalEntry =
  | { k: 'thread'; handle: { pid: number; tid: number; threadId: number; generation: number } | null }
  | { k: 'start'; id: string | null; file: string; what: string; name: string; limit: number; t: number }
  | { k: 'end' }
  | { k: 'done'; id: string; result: unknown }
