// The errors a stopped function throws. Their stacks are the stacks captured where the code was
// stuck, under a header of our own.
import { describeDiagnosis, parseJson, type ThreadDiagnosis, type UnblockResult } from './diagnosis'
import { formatMs } from './outcome'
import { userFrame, type SourceLocation } from './location'
import type { StopInfo } from './native'

export type HardTimeoutKind = 'js' | 'native'

export interface HardTimeoutDetails {
  timeout: number
  elapsed: number
  label?: string
  kind: HardTimeoutKind
  diagnosis?: ThreadDiagnosis
  unblocked?: UnblockResult
  /** The function was not stuck but still pending: its promise never settled. */
  pending?: boolean
}

/**
 * The fixed words of HardTimeoutError messages, for tests and tools that look for them (the
 * messages themselves are put together below):
 * `"label" was stopped after 501 ms: it ran past its hard timeout of 500 ms[ while blocked in …]`.
 */
export const MESSAGE_WORDS = Object.freeze({
  stopped: 'was stopped after',
  pastTimeout: 'it ran past its hard timeout of',
  blockedIn: 'while blocked in',
  runningNative: 'while running native code (on a CPU, in no syscall)',
  interrupted: 'interrupted the syscall',
  signalled: 'signalled the thread',
  toUnblock: 'to unblock it',
  pending: 'did not settle within its hard timeout of',
  waiting: '(it was waiting, not blocking the thread)',
  noAddon: '(native addon unavailable: the line it was stuck on is unknown)',
  // a call whose deadline passed while another call's loop held its thread (it was given its limit again)
  countedAgain: 'counted again from when',
  starvedThread: 'whose loop starved its thread, was stopped',
  starvedBy: 'was starved by',
  starvedHeld: 'whose loop held its thread past its deadline, and did not settle within its hard timeout of',
  starvedAfter: "after that loop was stopped (its continuation may have been dropped with the loop's microtasks)",
})

const W = MESSAGE_WORDS

/** `"label" was stopped after 501 ms: it ran past its hard timeout of 500 ms`. */
export function stoppedMessage(label: string | undefined, elapsed: string, timeout: string): string {
  return `${label ? `"${label}"` : 'function'} ${W.stopped} ${elapsed} ms: ${W.pastTimeout} ${timeout} ms`
}

/** Thrown (or the promise rejects with it) when a function ran past its hard timeout. */
export class HardTimeoutError extends Error {
  override name = 'HardTimeoutError' as const
  /** The limit, in ms. */
  readonly timeout: number
  /** How long the function ran before it was stopped, in ms. */
  readonly elapsed: number
  readonly label: string | undefined
  /** 'js': stopped while running JavaScript; 'native': it had to be unblocked from a native call first. */
  readonly kind: HardTimeoutKind
  /** For native hangs: what the thread was blocked in, read from /proc before it was unblocked. */
  readonly diagnosis: ThreadDiagnosis | undefined
  /** For native hangs: what was done to unblock it. */
  readonly unblocked: UnblockResult | undefined
  /** True when nothing was stuck: the function's promise was still pending, the thread idle. */
  readonly pending: boolean
  /**
   * The innermost frame of the stuck stack in the user's code (not Node's, not node_modules, not
   * hardtimeout's own files): the line a test runner's code frame shows. Undefined when no stack
   * was captured where the code was stuck (a pending promise, the fallback without the addon).
   */
  readonly location: SourceLocation | undefined

  constructor(message: string, details: HardTimeoutDetails) {
    super(message)
    this.timeout = details.timeout
    this.elapsed = details.elapsed
    this.label = details.label
    this.kind = details.kind
    this.diagnosis = details.diagnosis
    this.unblocked = details.unblocked
    this.pending = details.pending === true
    this.location = undefined
  }
}

/** What interruptThread() throws into the target thread when no error of its own is given. */
export class ThreadInterruptError extends Error {
  override name = 'ThreadInterruptError'
}

/**
 * Replaces the first line(s) of a captured stack (its old message) with our own header. Returns
 * whether one was found.
 */
export function restack(error: Error, header: string, ...captured: unknown[]): boolean {
  for (const c of captured) {
    // Not instanceof: the error may come from another realm (Jest runs tests in a vm context).
    const stack = typeof c === 'object' && c !== null ? (c as { stack?: unknown }).stack : undefined
    if (typeof stack !== 'string') continue
    const frames = stack.split('\n').filter((line) => /^\s+at /.test(line))
    if (frames.length === 0) continue
    error.stack = `${header}\n${frames.join('\n')}`
    return true
  }
  return false
}

export function timeoutErrorFrom(info: StopInfo, label: string | undefined, fallbackStack?: unknown): HardTimeoutError {
  const diagnosis = parseJson<ThreadDiagnosis>(info.diagnosis)
  const unblocked = parseJson<UnblockResult>(info.unblock)
  const kind: HardTimeoutKind = info.native ? 'native' : 'js'
  let message = stoppedMessage(label, formatMs(info.elapsedMs), formatMs(info.timeoutMs))
  if (kind === 'native') {
    const inSyscall = diagnosis?.syscall !== undefined && !diagnosis.running
    const actions: string[] = []
    if (unblocked?.signalled) actions.push(inSyscall ? W.interrupted : W.signalled)
    if (unblocked && unblocked.killed.length > 0) {
      actions.push(`killed ${unblocked.killed.length} child process${unblocked.killed.length > 1 ? 'es' : ''}`)
    }
    message += inSyscall ? ` ${W.blockedIn} ${describeDiagnosis(diagnosis)}` : ` ${W.runningNative}`
    if (actions.length > 0) message += ` (${actions.join(' and ')} ${W.toUnblock})`
  }
  if (info.starvedBy !== undefined) message += `, ${W.countedAgain} "${info.starvedBy}", ${W.starvedThread}`
  const error = new HardTimeoutError(message, {
    timeout: info.timeoutMs,
    elapsed: info.elapsedMs,
    label,
    kind,
    diagnosis,
    unblocked,
  })
  if (restack(error, `HardTimeoutError: ${message}`, info.error, fallbackStack)) {
    ;(error as { location: SourceLocation | undefined }).location = userFrame(error.stack)
  }
  return error
}

export function pendingError(timeout: number, elapsed: number, label: string | undefined, starvedBy?: string): HardTimeoutError {
  const what = label ? `"${label}"` : 'function'
  const message = starvedBy === undefined
    ? `${what} ${W.pending} ${formatMs(timeout)} ms ${W.waiting}`
    : `${what} ${W.starvedBy} "${starvedBy}", ${W.starvedHeld} ${formatMs(timeout)} ms ${W.starvedAfter}`
  return new HardTimeoutError(message, { timeout, elapsed, label, kind: 'js', pending: true })
}

export function interruptErrorFrom(info: StopInfo): Error {
  const name = info.customName || 'ThreadInterruptError'
  const message = info.customMessage ?? ''
  const error = name === 'ThreadInterruptError' ? new ThreadInterruptError(message) : new Error(message)
  if (error.name !== name) error.name = name
  restack(error, `${name}: ${message}`, info.error)
  return error
}
