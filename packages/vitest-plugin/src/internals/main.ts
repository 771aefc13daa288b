// Every Vitest, tinypool and Node internal the main process reads or writes, named once, with the
// lines it was checked on (versions.ts lists the releases). checkMainInternals() runs when the
// plugin starts and refuses a Vitest that lacks one: without them a worker killed for a native
// hang would lose its file's results without a word.
import { ChildProcess } from 'node:child_process'
import { MessagePort, Worker } from 'node:worker_threads'
import { setupError, type VitestLine } from './versions.js'

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
 *   pool.runTests(specs, inv)  the run's pool, made at the first run; wrapped     4.1, 5.1
 *                              (see rerunDroppedFiles)
 *   state.getFiles()           every file task, with its projectName             4.1, 5.1
 *   isCancelling               a cancelled run (bail, Ctrl-C)                     4.1, 5.1
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
  if (line === 3 && typeof (ChildProcess.prototype as Spawnable).spawn !== 'function') missing.push("node:child_process' ChildProcess.prototype.spawn")
  if (missing.length > 0) {
    throw setupError(`[hardtimeout] Vitest ${String(v.version)} (line ${line}) lacks ${missing.join(', ')}, which @hardtimeout/vitest needs to report a test stuck in native code: it is not a release the plugin supports`)
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
 *        and rejects its task (Vitest then reports that error: isWorkerExit claims it); its
 *        teardown is answered when the run ends (answerAbandonedThreads)
 *   4.1, 5.1  Vitest's pool: an 'exit' event, with terminate() made a no-op, as if it had exited
 * Either way the thread stops keeping the process alive: the Worker and its stdio port (the
 * `kPort` symbol of Node's Worker, Node 20–26) are unref'ed. Returns false if the thread is unknown.
 */
export function abandonThread(line: VitestLine, threadId: number, reason: string): boolean {
  const worker = threads.get(threadId)?.deref()
  if (!worker) return false
  threads.delete(threadId)
  worker.terminate = () => Promise.resolve(1)
  worker.unref()
  for (const sym of Object.getOwnPropertySymbols(worker)) {
    const port = (worker as unknown as Record<symbol, { unref?: () => void } | undefined>)[sym]
    if (sym.description === 'kPort' && typeof port?.unref === 'function') port.unref()
  }
  if (line === 3) {
    const error = new Error(`[hardtimeout] ${reason}`)
    ourErrors.add(error)
    keepingTeardown(() => worker.emit('error', error))
  } else {
    worker.emit('exit', 1)
  }
  return true
}

// 3.2: tinypool's fork workers by pid, learnt as they are spawned (fork() calls the undocumented
// ChildProcess.prototype.spawn, Node 20–26).
type Spawnable = ChildProcess & { spawn(...args: unknown[]): unknown }
const forks = new Map<number, WeakRef<ChildProcess>>()
let watchingForks = false
export function watchForks(line: VitestLine): void {
  if (line !== 3 || watchingForks) return
  watchingForks = true
  const proto = ChildProcess.prototype as Spawnable
  const spawn = proto.spawn
  proto.spawn = function (this: ChildProcess, ...args: unknown[]): unknown {
    const result = spawn.apply(this, args)
    if (typeof this.pid === 'number') forks.set(this.pid, new WeakRef(this))
    return result
  }
}

/**
 * 3.2: runs `end` — the moment tinypool learns that a worker is gone, on which it removes the
 * worker, starts another and rejects the worker's task, all synchronously — and closes the port
 * tinypool talks to that worker through. tinypool then sends the gone worker its teardown task on
 * that port and would wait for the answer forever with the port keeping the process alive (Vitest
 * then prints "close timed out" after its teardown timeout). The port is recognized as the one that
 * posts a task named 'teardown' (Vitest's pools' teardown) during `end`.
 */
function closingTeardownPort<T>(end: () => T): T {
  const proto = MessagePort.prototype
  const post = proto.postMessage
  const ports = new Set<MessagePort>()
  proto.postMessage = function (this: MessagePort, message: unknown, ...rest: unknown[]) {
    if ((message as { name?: unknown } | null)?.name === 'teardown') ports.add(this)
    return (post as (...a: unknown[]) => void).call(this, message, ...rest)
  }
  try {
    return end()
  } finally {
    proto.postMessage = post
    for (const port of ports) port.close()
  }
}

type Posted = { port: MessagePort; taskId: unknown; teardown: boolean }
/** 3.2: tasks tinypool posted to abandoned threads, answered when the run ends. */
const unanswered: Posted[] = []

/**
 * 3.2, threads: runs `end` (the thread's 'error' event, on which tinypool removes the worker,
 * starts another and rejects its task) and keeps the teardown task tinypool then posts the thread.
 * answerAbandonedThreads() answers it when the run ends.
 */
function keepingTeardown(end: () => void): void {
  const proto = MessagePort.prototype
  const post = proto.postMessage
  proto.postMessage = function (this: MessagePort, message: unknown, ...rest: unknown[]) {
    const m = message as { name?: unknown; taskId?: unknown } | null
    if (m && typeof m === 'object' && 'taskId' in m && m.name === 'teardown') unanswered.push({ port: this, taskId: m.taskId, teardown: true })
    return (post as (...a: unknown[]) => void).call(this, message, ...rest)
  }
  try {
    end()
  } finally {
    proto.postMessage = post
  }
}

/**
 * 3.2: answers, on the abandoned threads' behalf, the teardown tasks tinypool sent them, as a
 * worker that ended would: tinypool then ends each the way it ends any worker — terminate() (a
 * no-op here: the thread cannot be terminated), Vitest's channel to it closed, its port closed.
 * Unanswered, those ports would keep the process alive past the run (Vitest's "close timed out").
 * Not before the run's end: a pool that does not isolate hands the next queued file to a worker
 * that has just answered, and the files queued behind an abandoned thread are to run in the
 * thread tinypool started instead. A task tinypool hands the gone worker anyway is answered with
 * an error naming why, rather than waited for forever.
 */
export function answerAbandonedThreads(reason: string): void {
  if (unanswered.length === 0) return
  const dead = new Set(unanswered.map((p) => p.port))
  const proto = MessagePort.prototype
  const post = proto.postMessage
  proto.postMessage = function (this: MessagePort, message: unknown, ...rest: unknown[]) {
    const m = message as { name?: unknown; taskId?: unknown } | null
    if (dead.has(this) && m && typeof m === 'object' && 'taskId' in m) unanswered.push({ port: this, taskId: m.taskId, teardown: m.name === 'teardown' })
    return (post as (...a: unknown[]) => void).call(this, message, ...rest)
  }
  try {
    // Answering one task can make tinypool post the next: answer until nothing new is posted.
    while (unanswered.length > 0) {
      const { port, taskId, teardown } = unanswered.shift()!
      const error = teardown ? null : { name: 'Error', message: `[hardtimeout] not run: queued on a worker thread that was abandoned (${reason})` }
      port.emit('message', { taskId, result: null, error, usedMemory: 0 })
    }
  } finally {
    proto.postMessage = post
  }
}

/**
 * Before a fork worker is killed. 3.2: tinypool ends a fork worker that exits on its own through
 * its 'error' event ('Worker exited unexpectedly'); that event is let through once, with the
 * teardown port closed (closingTeardownPort), and the dying worker's `send` drops what tinypool
 * still sends it (a closed IPC channel would raise a second 'error' that nothing handles, an
 * uncaught error ending the run). 4.1, 5.1: nothing to do.
 */
export function beforeKillingFork(line: VitestLine, pid: number): void {
  if (line !== 3) return
  const child = forks.get(pid)?.deref()
  forks.delete(pid)
  if (!child) return
  child.send = () => false
  const emit = child.emit as (this: ChildProcess, event: string | symbol, ...args: unknown[]) => boolean
  let ended = false
  child.emit = function (this: ChildProcess, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'error') return emit.call(this, event, ...args)
    if (ended) return false
    ended = true
    return closingTeardownPort(() => emit.call(this, event, ...args))
  } as ChildProcess['emit']
}

/**
 * Leaves the process the way process.exit() does once its 'exit' listeners ran, without Node's
 * teardown, which joins every worker thread (one stuck in native code would never be joined).
 */
export function reallyExit(code: number): never {
  return (process as unknown as { reallyExit(code: number): never }).reallyExit(code)
}

interface SpecLike {
  moduleId: string
  project?: { name?: string }
}
interface PoolLike {
  runTests(specs: SpecLike[], invalidates?: string[]): Promise<void>
}
const WRAPPED = Symbol.for('hardtimeout.vitest.rerunsDropped')

/**
 * 4.1, 5.1: a non-isolated worker (isolate: false, or the vm pools) runs a queue of files; when
 * the plugin kills it, its pool drops the files it had not started, and Vitest never runs them.
 * The pool's runTests is wrapped: when a worker was killed during it (`killed()` counts them),
 * the files of its specs that have no result yet are handed to it again, in the same run, until
 * a round runs none of them. Not when the run was cancelled (bail, Ctrl-C): those files are
 * meant not to run. The pool is made at the first run: it is caught as it is set.
 */
export function rerunDroppedFiles(vitest: unknown, killed: () => number): void {
  const v = vitest as { pool?: PoolLike; isCancelling?: boolean; state?: { getFiles?(): Array<{ filepath?: string; projectName?: string; result?: unknown }> } }
  const key = (project: string | undefined, file: string | undefined): string => `${project ?? ''}\0${file ?? ''}`
  const unstarted = (specs: SpecLike[]): SpecLike[] => {
    const files = v.state?.getFiles?.() ?? []
    const done = new Set(files.filter((f) => f.result !== undefined).map((f) => key(f.projectName, f.filepath)))
    return specs.filter((s) => !done.has(key(s.project?.name, s.moduleId)))
  }
  const wrap = (pool: PoolLike | undefined): PoolLike | undefined => {
    if (!pool || typeof pool.runTests !== 'function' || (pool as { [WRAPPED]?: true })[WRAPPED]) return pool
    const runTests = pool.runTests
    pool.runTests = async function (this: PoolLike, specs: SpecLike[], invalidates?: string[]): Promise<void> {
      let seen = killed()
      // A round that lost a worker may reject with that worker's error: it is passed on (Vitest
      // reports it, or the plugin's filter drops it) after the dropped files have run.
      let failure: { error: unknown } | undefined
      const round = async (list: SpecLike[], inv?: string[]): Promise<void> => {
        try {
          await runTests.call(this, list, inv)
        } catch (error) {
          failure ??= { error }
        }
      }
      await round(specs, invalidates)
      let left = specs
      // Another round only while the last one killed a worker and left fewer files unstarted.
      while (!v.isCancelling && killed() > seen) {
        seen = killed()
        const next = unstarted(left)
        if (next.length === 0 || next.length === left.length) break
        left = next
        await round(left, [])
      }
      if (failure) throw failure.error
    }
    Object.defineProperty(pool, WRAPPED, { value: true })
    return pool
  }
  let pool = wrap(v.pool)
  Object.defineProperty(vitest, 'pool', {
    configurable: true,
    enumerable: true,
    get: () => pool,
    set: (p: PoolLike | undefined) => {
      pool = wrap(p)
    },
  })
}
