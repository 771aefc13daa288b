// The one vocabulary for what happened to a guarded test, hook or collection: the record both
// plugins put in their summaries and JSON reports, and the one function that says it in words.
// A plugin builds its record from the error or the stuck report, never from a message's text.
import { describeDiagnosis, type ThreadDiagnosis, type UnblockResult } from './diagnosis'
import type { HardTimeoutError } from './errors'
import { formatLocation, userFrame, type SourceLocation } from './location'
import { formatValue } from './options'
import type { JsIn, StuckReport } from './threads'

/** What was running. */
export const ENTRIES = Object.freeze(['test', 'hook', 'collection'] as const)
/** What it was stuck in: JavaScript, native code, or nothing (its promise never settled). */
export const CAUSES = Object.freeze(['js', 'native', 'pending'] as const)
/** What was done about it. */
export const ACTIONS = Object.freeze([
  'stopped',
  'unblocked',
  'worker-killed',
  'thread-ended',
  'thread-abandoned',
  'run-ended',
] as const)

export type HardTimeoutEntry = (typeof ENTRIES)[number]
export type HardTimeoutCause = (typeof CAUSES)[number]
export type HardTimeoutAction = (typeof ACTIONS)[number]

export interface HardTimeoutRecord {
  entry: HardTimeoutEntry
  /** The full name as the framework shows it ("suite > test", "beforeAll"). */
  name: string
  /** The test file, as the framework reports it. */
  file: string
  /** Vitest's project name, Jest's displayName: records of two projects never merge. */
  project?: string
  limitMs: number
  elapsedMs?: number
  cause: HardTimeoutCause
  action: HardTimeoutAction
  /** The innermost user frame of the stuck stack: the line the error's code frame shows. */
  location?: SourceLocation
  /** Where the test or hook is declared, when that is not `location`. */
  declaredAt?: SourceLocation
  /** What the JavaScript that could not be stopped in place was running in (js causes). */
  jsIn?: JsIn
  /** What /proc said about the thread (native causes). */
  diagnosis?: ThreadDiagnosis
  /** What was done to unblock it (native causes). */
  unblocked?: UnblockResult
  /** describeOutcome(record): readers of the JSON need not rebuild it. */
  message: string
}

export type HardTimeoutOutcome = Omit<HardTimeoutRecord, 'message'>

/** The words describeOutcome() uses, for tests and readers that look for them. */
export const OUTCOME_WORDS = Object.freeze({
  entry: Object.freeze({ test: 'test', hook: 'hook', collection: 'collection of' }),
  cause: Object.freeze({
    js: 'in JavaScript',
    /** js, with any action but 'stopped'. */
    jsUnstoppable: 'in JavaScript that could not be stopped in place',
    native: 'in native code',
    pending: 'while waiting (nothing blocked its thread; its promise had not settled)',
  }),
  /** After jsUnstoppable, in parentheses: why it could not be. */
  jsIn: Object.freeze({
    callback: 'a timer, I/O or event callback, where a stop cannot be caught',
    microtask: 'code after an await while an AsyncHook is enabled: on Node 24+ stopping it would abort Node; disable the hook in tests',
  }),
  action: Object.freeze({
    stopped: 'stopped in place',
    /** 'stopped' for a pending cause: there was nothing to stop. */
    stoppedPending: 'failed at its limit',
    unblocked: 'unblocked and stopped',
    'worker-killed': 'its worker was killed',
    'thread-ended': 'its worker thread was ended',
    'thread-abandoned': 'its worker thread was left running and abandoned',
    'run-ended': 'the run was ended',
  }),
})

/** Rounded as the errors round: whole ms from 100 ms on, tenths below. */
export function formatMs(ms: number): string {
  return String(ms >= 100 ? Math.round(ms) : Math.round(ms * 10) / 10)
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  throw new TypeError(`describeOutcome: record.${field} must be one of ${allowed.join(', ')}, got ${formatValue(value)}`)
}

function checkOutcome(r: HardTimeoutOutcome): void {
  if (r === null || typeof r !== 'object') throw new TypeError(`describeOutcome: expected a record, got ${formatValue(r)}`)
  oneOf('entry', r.entry, ENTRIES)
  oneOf('cause', r.cause, CAUSES)
  oneOf('action', r.action, ACTIONS)
  if (r.jsIn !== undefined) oneOf('jsIn', r.jsIn, ['callback', 'microtask'])
  for (const field of ['name', 'file'] as const) {
    if (typeof r[field] !== 'string') throw new TypeError(`describeOutcome: record.${field} must be a string, got ${formatValue(r[field])}`)
  }
  if (typeof r.limitMs !== 'number' || !(r.limitMs > 0)) {
    throw new TypeError(`describeOutcome: record.limitMs must be a positive number, got ${formatValue(r.limitMs)}`)
  }
}

function sameLine(a: SourceLocation | undefined, b: SourceLocation | undefined): boolean {
  return a !== undefined && b !== undefined && a.file === b.file && a.line === b.line
}

function unblockedHow(u: UnblockResult | undefined, d: ThreadDiagnosis | undefined): string {
  if (!u) return ''
  const how: string[] = []
  if (u.signalled) how.push(d?.syscall !== undefined && !d.running ? 'syscall interrupted' : 'thread signalled')
  const n = u.killed.length
  if (n > 0) how.push(`${n} child process${n > 1 ? 'es' : ''} killed`)
  return how.length > 0 ? ` (${how.join('; ')})` : ''
}

/**
 * The one sentence for a record, e.g.
 * `test "parser > rejects" in test/parser.test.js ran past its hard timeout of 1000 ms in JavaScript,
 * stuck at test/parser.test.js:7:18: stopped in place after 1002 ms`.
 */
export function describeOutcome(r: HardTimeoutOutcome): string {
  checkOutcome(r)
  const w = OUTCOME_WORDS
  let s = `${w.entry[r.entry]} "${r.name}" in ${r.file}`
  if (r.project !== undefined && r.project !== '') s += ` [${r.project}]`
  s += ` ran past its hard timeout of ${formatMs(r.limitMs)} ms `
  if (r.cause === 'js') {
    s += r.action === 'stopped' ? w.cause.js : w.cause.jsUnstoppable
    if (r.action !== 'stopped' && r.jsIn !== undefined) s += ` (${w.jsIn[r.jsIn]})`
  }
  else if (r.cause === 'native') {
    s += w.cause.native
    const blockedIn = describeDiagnosis(r.diagnosis)
    if (blockedIn) s += ` (${blockedIn})`
  } else s += w.cause.pending
  if (r.location) s += `, stuck at ${formatLocation(r.location)}`
  if (r.declaredAt && !sameLine(r.declaredAt, r.location)) s += ` (declared at ${formatLocation(r.declaredAt)})`
  s += ': '
  if (r.action === 'stopped') s += r.cause === 'pending' ? w.action.stoppedPending : w.action.stopped
  else if (r.action === 'unblocked') s += w.action.unblocked.replace(' and', `${unblockedHow(r.unblocked, r.diagnosis)} and`)
  else s += w.action[r.action]
  if (typeof r.elapsedMs === 'number') s += ` after ${formatMs(r.elapsedMs)} ms`
  return s
}

/** The record with its message, and without the fields that are undefined (JSON drops them). */
export function createRecord(outcome: HardTimeoutOutcome): HardTimeoutRecord {
  const record = {} as Record<string, unknown>
  for (const [key, value] of Object.entries(outcome)) {
    if (value !== undefined && key !== 'message') record[key] = value
  }
  record.message = describeOutcome(outcome)
  return record as unknown as HardTimeoutRecord
}

function tenths(ms: number | undefined): number | undefined {
  return typeof ms === 'number' ? Math.round(ms * 10) / 10 : undefined
}

/** What a plugin knows about the entry that core does not. */
export interface RecordContext {
  entry: HardTimeoutEntry
  name: string
  file: string
  project?: string
  /** Where the entry is declared in the test file. */
  declaredAt?: SourceLocation
}

/** The record for a HardTimeoutError: `cause` from error.pending and error.kind, never from its text. */
export function recordFromError(
  error: Pick<HardTimeoutError, 'timeout' | 'elapsed' | 'kind' | 'pending' | 'location' | 'diagnosis' | 'unblocked'>,
  context: RecordContext & { action?: HardTimeoutAction },
): HardTimeoutRecord {
  const cause: HardTimeoutCause = error.pending ? 'pending' : error.kind
  return createRecord({
    ...context,
    limitMs: error.timeout,
    elapsedMs: tenths(error.elapsed),
    cause,
    // A native hang the error reports was unblocked (its call returned); the rest were stopped.
    action: context.action ?? (cause === 'native' ? 'unblocked' : 'stopped'),
    location: error.location,
    diagnosis: error.diagnosis,
    unblocked: error.unblocked,
  })
}

/**
 * The record for a stuck report (onThreadStuck, onStuck.report): `js` when the thread was busy in
 * JavaScript it could not be stopped in (a raw timer or I/O callback), else `native`. The location
 * is the innermost user frame of the report's stack, when it has one and the context gives none.
 */
export function recordFromStuckReport(
  report: Pick<StuckReport, 'timeoutMs' | 'elapsedMs' | 'busyInJavaScript' | 'diagnosis' | 'unblock'> & Partial<Pick<StuckReport, 'jsIn' | 'stack'>>,
  context: RecordContext & { action: HardTimeoutAction; location?: SourceLocation },
): HardTimeoutRecord {
  return createRecord({
    ...context,
    location: context.location ?? userFrame(report.stack),
    limitMs: report.timeoutMs,
    elapsedMs: tenths(report.elapsedMs),
    cause: report.busyInJavaScript ? 'js' : 'native',
    jsIn: report.busyInJavaScript ? report.jsIn : undefined,
    diagnosis: report.diagnosis ?? undefined,
    unblocked: report.unblock ?? undefined,
  })
}
