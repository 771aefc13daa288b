// Replaying a killed worker's journal into the results Vitest never received: which guarded call
// was stuck, which tests had finished (their updates were still in Vitest's throttle), and the
// task updates that give every test of the file its state. Pure: no I/O, no Vitest.
import type { Event, Pack, TaskLike } from './internals/main.js'
import { doneResult, type JournalEntry } from './shared.js'

export type StartEntry = Extract<JournalEntry, { k: 'start' }>

export interface Replayed {
  /** The guarded call that was stuck (the last one started under the stuck report's label). */
  start: StartEntry
  /** Results of the tests of that file that finished in this run of it, by task id. */
  done: Map<string, unknown>
}

/** Parses a journal's text: JSON lines; a line cut short (the worker died writing it) ends it. */
export function parseJournal(text: string): JournalEntry[] {
  const out: JournalEntry[] = []
  for (const line of text.split('\n')) {
    if (!line) continue
    try {
      out.push(JSON.parse(line) as JournalEntry)
    } catch {
      break
    }
  }
  return out
}

/**
 * Which call was stuck and what had finished. `label` is the stuck report's label (the guarded
 * call's name); when no start line carries it, the last call started is taken.
 */
export function replayJournal(journal: readonly JournalEntry[], label: string): Replayed | undefined {
  let start: StartEntry | undefined
  for (let i = journal.length - 1; i >= 0; i--) {
    const e = journal[i]!
    if (e.k !== 'start') continue
    if (e.name === label) {
      start = e
      break
    }
    start ??= e
  }
  if (!start) return undefined
  // Results of this run of the file only (a reused worker may have run it before, in watch mode).
  const done = new Map<string, unknown>()
  for (const e of journal) {
    if (e.k === 'start' && e.what === 'collect' && e.file === start.file) done.clear()
    else if (e.k === 'done') done.set(e.id, doneResult(e))
  }
  return { start, done }
}

export interface Failure {
  /** The error the stuck test (or suite, for a hook or the file's collection) fails with. */
  error: unknown
  /** When the stuck call started, and now (ms since the epoch). */
  startTime: number
  now: number
  /** Why the never-run tests were skipped. */
  skipNote: string
}

const FINISHED = new Set(['pass', 'fail', 'skip', 'todo'])
const finished = (t: TaskLike): boolean => FINISHED.has(t.result?.state ?? '')

/**
 * The task updates that settle every unfinished task under `root` (the file, or the stuck task when
 * its file is unknown): the stuck test fails, finished tests get their journaled results, the rest
 * are skipped with a note; suites pass or fail with their children, the stuck suite fails.
 */
export function settleTasks(root: TaskLike, stuck: TaskLike | undefined, done: ReadonlyMap<string, unknown>, failure: Failure): { packs: Pack[]; events: Event[] } {
  const packs: Pack[] = []
  const events: Event[] = []
  const failed = new Set<string>()
  const visit = (t: TaskLike): void => {
    if (t.type === 'test') {
      if (finished(t)) return
      let result: TaskLike['result']
      if (t === stuck) result = { state: 'fail', errors: [failure.error], startTime: failure.startTime, duration: failure.now - failure.startTime }
      else if (done.has(t.id)) result = done.get(t.id) as TaskLike['result']
      else result = { state: 'skip', note: failure.skipNote }
      if (result?.state === 'fail') failed.add(t.id)
      packs.push([t.id, result, t.meta])
      events.push([t.id, 'test-finished', undefined])
      return
    }
    for (const c of t.tasks ?? []) visit(c)
    if (t.type === 'suite' && !finished(t)) {
      const fails = t === stuck || (t.tasks ?? []).some((c) => c.result?.state === 'fail' || failed.has(c.id))
      if (fails) failed.add(t.id)
      packs.push([t.id, { state: fails ? 'fail' : 'pass', errors: t === stuck ? [failure.error] : undefined }, t.meta])
      events.push([t.id, 'suite-finished', undefined])
    }
  }
  visit(root)
  return { packs, events }
}
