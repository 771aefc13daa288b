// Every Vitest, tinypool and Node internal the main process reads or writes, named once, with the
// lines it was checked on (versions.ts lists the releases). checkMainInternals() runs when the
// plugin starts and refuses a Vitest that lacks one: without them a worker killed for a native
// hang would lose its file's results without a word.
import { Worker } from 'node:worker_threads'
import type { VitestLine } from './versions.js'

/** The parts of Vitest's tasks the supervisor reads (3.2, 4.1, 5.1). */
export interface TaskLike {
  id: string
  name: string
  type: string
  mode?: string
  filepath?: string
  suite?: TaskLike
  file?: TaskLike
  tasks?: TaskLike[]
  meta?: Record<string, unknown>
  location?: { line: number; column: number }
  result?: { state?: string; errors?: unknown[]; startTime?: number; duration?: number; note?: string }
}
/** A task update as a worker sends it: [id, result, meta]. */
export type Pack = [string, TaskLike['result'], TaskLike['meta']]
/** A task event as a worker sends it: [id, 'test-finished' | 'suite-finished', data]. */
export type Event = [string, string, undefined]

/**
 *   version                    the running release                               3.2, 4.1, 5.1
 *   state.idMap                every collected task by id                        3.2, 4.1, 5.1
 *   state.catchError           where the pool's worker errors are reported       3.2, 4.1, 5.1
 *                              (replaced on the state object, see filterErrors)
 *   _testRun.updated           what a worker's result updates go through         3.2, 4.1, 5.1
 *   logger.error               the run's error output                            3.2, 4.1, 5.1
 * `state` and `_testRun` are made anew when Vitest restarts its server (watch mode, a config
 * change): they are read at each use, never kept.
 */
interface VitestInternals {
  version?: unknown
  state?: { idMap?: Map<string, TaskLike>; catchError?: (error: unknown, type: string) => void }
  _testRun?: { updated?(packs: Pack[], events: Event[]): Promise<void> }
  logger?: { error(...args: unknown[]): void }
}

export function vitestVersion(vitest: unknown): unknown {
  return (vitest as VitestInternals | undefined)?.version
}

/** The startup check: throws one error naming every internal this Vitest lacks. */
export function checkMainInternals(vitest: unknown, line: VitestLine): void {
  const v = vitest as VitestInternals
  const missing: string[] = []
  if (!(v.state?.idMap instanceof Map)) missing.push('vitest.state.idMap')
  if (typeof v.state?.catchError !== 'function') missing.push('vitest.state.catchError')
  if (typeof v._testRun?.updated !== 'function') missing.push('vitest._testRun.updated')
  if (typeof Worker.prototype.postMessage !== 'function') missing.push("node:worker_threads' Worker.prototype.postMessage")
  if (typeof (process as unknown as { reallyExit?: unknown }).reallyExit !== 'function') missing.push('process.reallyExit')
  if (missing.length > 0) {
    throw new Error(`[hardtimeout] Vitest ${String(v.version)} (line ${line}) lacks ${missing.join(', ')}, which @hardtimeout/vitest needs to report a test stuck in native code: it is not a release the plugin supports`)
  }
}

export function taskMap(vitest: unknown): Map<string, TaskLike> {
  const idMap = (vitest as VitestInternals).state?.idMap
  if (!(idMap instanceof Map)) throw new Error('[hardtimeout] vitest.state.idMap is gone: the results of the stuck worker cannot be recorded')
  return idMap
}

/** Hands Vitest task updates as if the worker had sent them. */
export function sendUpdates(vitest: unknown, packs: Pack[], events: Event[]): Promise<void> {
  const run = (vitest as VitestInternals)._testRun
  if (typeof run?.updated !== 'function') throw new Error('[hardtimeout] vitest._testRun.updated is gone: the results of the stuck worker cannot be recorded')
  return run.updated(packs, events)
}

export function logError(vitest: unknown, message: string): void {
  const logger = (vitest as VitestInternals).logger
  if (logger) logger.error(message)
  else console.error(message)
}

const FILTERED = Symbol.for('hardtimeout.vitest.filtered')

/**
 * Drops the errors `swallow` claims before Vitest reports them as unhandled (the worker exits the
 * plugin caused; it has reported each already). Idempotent per state object.
 */
export function filterErrors(vitest: unknown, swallow: (error: unknown) => boolean): void {
  const state = (vitest as VitestInternals).state as (VitestInternals['state'] & { [FILTERED]?: true }) | undefined
  if (!state || state[FILTERED] || typeof state.catchError !== 'function') return
  const catchError = state.catchError
  state[FILTERED] = true
  // Vitest calls this.catchError for each error of an AggregateError: they come through here too.
  state.catchError = function (this: unknown, error: unknown, type: string): void {
    if (swallow(error)) return
    catchError.call(state, error, type)
  }
}

/** Errors the plugin itself gave a pool for a thread it abandoned (3.2: tinypool). */
const ourErrors = new WeakSet<object>()

/**
 * Whether an error is the pool's report of a worker that exited, as each line words it:
 *   3.2  tinypool's Error('Worker exited unexpectedly') (forks), or the error the plugin gave
 *        tinypool for an abandoned thread
 *   4.1, 5.1  Error('[vitest-pool]: Worker <name> emitted error.', { cause: Error('Worker exited unexpectedly…') })
 */
export function isWorkerExit(line: VitestLine, error: unknown): boolean {
  const e = error as { message?: unknown; cause?: { message?: unknown } } | null
  if (line === 3) return (e !== null && typeof e === 'object' && ourErrors.has(e)) || e?.message === 'Worker exited unexpectedly'
  return typeof e?.message === 'string' && /^\[vitest-pool\]: Worker \S+ emitted error\.$/.test(e.message) &&
    typeof e.cause?.message === 'string' && e.cause.message.startsWith('Worker exited unexpectedly')
}

// Worker threads of this process by threadId, learnt from the messages pools send them (every
// pool posts to a new thread at least once: 4.1/5.1 each task, tinypool its setup message).
const threads = new Map<number, WeakRef<Worker>>()
let watching = false
export function watchThreads(): void {
  if (watching) return
  watching = true
  const post = Worker.prototype.postMessage
  Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
    if (this.threadId >= 0 && !threads.has(this.threadId)) threads.set(this.threadId, new WeakRef(this))
    return post.apply(this, args)
  }
}

/**
 * Ends a worker thread's part in the run without terminating it (a thread stuck in native code
 * cannot be): its pool drops it and starts another for the next file.
 *   3.2  tinypool: the thread's 'error' event, on which tinypool removes the worker, replaces it
 *        and rejects its task (Vitest then reports that error: isWorkerExit claims it)
 *   4.1, 5.1  Vitest's pool: an 'exit' event, with terminate() made a no-op, as if it had exited
 * Either way the thread stops keeping the process alive: the Worker and its stdio port (the
 * `kPort` symbol of Node's Worker, Node 20–26) are unref'ed. Returns false if the thread is unknown.
 */
export function abandonThread(line: VitestLine, threadId: number, reason: string): boolean {
  const worker = threads.get(threadId)?.deref()
  if (!worker) return false
  threads.delete(threadId)
  if (line !== 3) worker.terminate = () => Promise.resolve(1)
  worker.unref()
  for (const sym of Object.getOwnPropertySymbols(worker)) {
    const port = (worker as unknown as Record<symbol, { unref?: () => void } | undefined>)[sym]
    if (sym.description === 'kPort' && typeof port?.unref === 'function') port.unref()
  }
  if (line === 3) {
    const error = new Error(`[hardtimeout] ${reason}`)
    ourErrors.add(error)
    worker.emit('error', error)
  } else {
    worker.emit('exit', 1)
  }
  return true
}

/**
 * Leaves the process the way process.exit() does once its 'exit' listeners ran, without Node's
 * teardown, which joins every worker thread (one stuck in native code would never be joined).
 */
export function reallyExit(code: number): never {
  return (process as unknown as { reallyExit(code: number): never }).reallyExit(code)
}
