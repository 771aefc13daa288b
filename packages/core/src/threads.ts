// Thread handles and what can be done to another JS thread of this process: inject an error
// (the PyThreadState_SetAsyncExc analogue), unblock it from a syscall, read what it is blocked
// in, or kill it outright.
import { parseJson, type ThreadDiagnosis, type UnblockResult } from './diagnosis'
import { native, requireNative, type ThreadOpResult } from './native'

// node:worker_threads loads Node's streams: only when needed. A test runner starts a process per
// test file, and every one of them loads core.
function workerThreads(): typeof import('node:worker_threads') {
  return require('node:worker_threads') as typeof import('node:worker_threads')
}

/** Names one JS thread (main or worker) of one process. Plain data: postMessage() it freely. */
export interface ThreadHandle {
  readonly pid: number
  /** The kernel thread id. */
  readonly tid: number
  /** worker_threads.threadId of that thread (0 for the main thread). */
  readonly threadId: number
  /** Distinguishes this thread from any later thread that gets the same tid. */
  readonly generation: number
}

/** What JavaScript that could not be stopped in place was running in. */
export type JsIn = 'callback' | 'microtask'

/** What the native watchdog reports when a thread stays stuck past its deadline. */
export interface StuckReport {
  label: string
  pid: number
  tid: number
  generation: number
  timeoutMs: number
  elapsedMs: number
  /** Running JavaScript where it could not be stopped safely (a raw timer or I/O callback). */
  busyInJavaScript: boolean
  /**
   * With busyInJavaScript: what that JavaScript ran in. 'callback': a timer, immediate, tick,
   * I/O or event callback, where no guard frame or microtask checkpoint can catch a termination.
   * 'microtask': code after an await, on Node 24+ while an AsyncHook is enabled (see JsIn).
   */
  jsIn?: JsIn
  /**
   * With busyInJavaScript: where that JavaScript was, as an Error's stack (first line
   * `Error: stuck here`, then the frames, innermost first), taken by an interrupt that does not
   * stop it. Absent when it could not be taken, and for native code.
   */
  stack?: string
  diagnosis: ThreadDiagnosis
  unblock: UnblockResult | null
  action: 'report' | 'kill-process'
}

export function currentThread(): ThreadHandle {
  const n = requireNative('currentThread()')
  // The main thread's threadId is 0: no need to load node:worker_threads for it.
  const threadId = n.isMainThread ? 0 : workerThreads().threadId
  return Object.freeze({ pid: process.pid, tid: n.tid, threadId, generation: n.generation })
}

function checkHandle(fn: string, handle: unknown): ThreadHandle {
  const h = handle as Partial<ThreadHandle> | null
  if (h === null || typeof h !== 'object' ||
      !Number.isInteger(h.pid) || !Number.isInteger(h.tid) || !Number.isSafeInteger(h.generation)) {
    let shown: string
    try {
      shown = JSON.stringify(handle) ?? String(handle)
    } catch {
      shown = String(handle)
    }
    throw new TypeError(`${fn}: expected a thread handle from currentThread() ({ pid, tid, threadId, generation }), got ${shown}`)
  }
  return h as ThreadHandle
}

const REASONS: Partial<Record<ThreadOpResult, (h: ThreadHandle) => string>> = {
  foreign: (h) => `the handle belongs to process ${h.pid}, not to this process (${process.pid}): thread handles only work inside the process that made them`,
  unknown: (h) => `no thread with generation ${h.generation} was ever registered in this process (a forged or foreign handle)`,
  mismatch: (h) => `the handle's tid ${h.tid} does not match generation ${h.generation} (a forged or altered handle)`,
  stale: (h) => `thread ${h.tid} (generation ${h.generation}) has exited: the handle is stale`,
  killed: (h) => `thread ${h.tid} (generation ${h.generation}) was killed by killThread(): the handle is stale`,
  noguard: (h) => `thread ${h.tid} is not inside runWithHardTimeout(), so there is nowhere to deliver the error`,
  firing: (h) => `thread ${h.tid} is already being stopped (its deadline passed)`,
  main: () => 'refusing to kill the main thread: that would take the whole process down (kill the process instead)',
  self: () => 'refusing to kill the calling thread',
  'running-js': (h) => `thread ${h.tid} is running JavaScript: use interruptThread() to stop it, killThread() is only for threads stuck in native code`,
  responsive: (h) => `thread ${h.tid} is idle in its event loop, not stuck: use worker.terminate()`,
  nosignal: () => 'no free real-time signal could be installed for the thread kill',
}

function fail(fn: string, result: ThreadOpResult, h: ThreadHandle): never {
  const reason = REASONS[result]?.(h) ?? `failed (${result})`
  throw new Error(`${fn}: ${reason}`)
}

/**
 * Throws `error` inside `handle`'s thread, at its innermost runWithHardTimeout() guard, wherever
 * that thread is (in a loop, a regex, Atomics.wait; a blocking syscall is interrupted first).
 * Only the error's name and message cross threads; its stack is where the thread was stopped.
 */
export function interruptThread(handle: ThreadHandle, error?: Error | string): void {
  const h = checkHandle('interruptThread', handle)
  const n = requireNative('interruptThread()')
  let name = 'ThreadInterruptError'
  let message = `interrupted by interruptThread() from thread ${n.tid}`
  if (typeof error === 'string') message = error
  else if (error instanceof Error) {
    name = error.name
    message = error.message
  } else if (error !== undefined) {
    throw new TypeError(`interruptThread: error must be an Error or a string, got ${typeof error}`)
  }
  const result = n.interrupt(h.generation, h.tid, h.pid, name, message)
  if (result !== 'ok') fail('interruptThread', result, h)
}

/** Sends the thread an EINTR signal and kills its child process trees; says what it did. */
export function unblockThread(handle: ThreadHandle): UnblockResult & { before: ThreadDiagnosis } {
  const h = checkHandle('unblockThread', handle)
  const out = requireNative('unblockThread()').unblock(h.generation, h.tid, h.pid)
  if (!out.startsWith('{')) fail('unblockThread', out as ThreadOpResult, h)
  return JSON.parse(out) as UnblockResult & { before: ThreadDiagnosis }
}

/** Reads /proc: the syscall the thread is in, the fd's target, the wait channel, its children. */
export function diagnoseThread(handle: Pick<ThreadHandle, 'pid' | 'tid'>): ThreadDiagnosis {
  const h = handle as Partial<ThreadHandle> | null
  if (h === null || typeof h !== 'object' || !Number.isInteger(h.pid) || !Number.isInteger(h.tid)) {
    throw new TypeError('diagnoseThread: expected { pid, tid } (a thread handle)')
  }
  const d = parseJson<ThreadDiagnosis>(requireNative('diagnoseThread()').diagnose(h.pid!, h.tid!))
  if (!d || d.state === undefined) throw new Error(`diagnoseThread: no thread ${h.tid} in process ${h.pid}`)
  return d
}

/**
 * Ends a worker thread that is stuck in native code, with the raw exit syscall: no JavaScript,
 * no finally blocks, no destructors run. Locks the thread held stay held and its isolate is
 * leaked; its Worker never emits 'exit'. Refused for the main thread, the calling thread, and a
 * thread that still runs JavaScript or returns to its event loop (probed for `probeMs`, default 100).
 */
export function killThread(handle: ThreadHandle, options: { probeMs?: number } = {}): void {
  const h = checkHandle('killThread', handle)
  const result = requireNative('killThread()').kill(h.generation, h.tid, h.pid, options.probeMs ?? 100)
  if (result !== 'ok') fail('killThread', result, h)
}

const listeners = new Set<(report: StuckReport) => void>()

/**
 * Calls `listener` on this thread whenever another thread of this process stays stuck past its
 * deadline (see runWithHardTimeout's stuckAfter). Returns the unsubscribe function.
 */
export function onThreadStuck(listener: (report: StuckReport) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('onThreadStuck: listener must be a function')
  const n = requireNative('onThreadStuck()')
  if (listeners.size === 0) {
    n.setStuckListener((json) => {
      const report = JSON.parse(json) as StuckReport
      for (const l of [...listeners]) l(report)
    })
  }
  listeners.add(listener)
  return () => {
    if (listeners.delete(listener) && listeners.size === 0) n.setStuckListener(null)
  }
}

/** SIGSTOPs then SIGKILLs every descendant of `pid` (and `pid` itself with includeSelf). */
export function killProcessTree(pid: number, options: { includeSelf?: boolean } = {}): Array<{ pid: number; cmd: string }> {
  if (!Number.isInteger(pid) || pid <= 1) throw new RangeError(`killProcessTree: pid must be a process id above 1, got ${pid}`)
  const killed = native ? (JSON.parse(native.killDescendants(pid, 0)) as Array<{ pid: number; cmd: string }>) : []
  if (options.includeSelf) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  return killed
}

/**
 * Makes the kernel signal this process when its parent process dies: it is SIGKILLed, and with
 * `descendants: true` every process below it is SIGKILLed first (a worker's `execSync` child
 * would otherwise be reparented and live on). Returns false where the platform cannot.
 * Main thread only: the kernel ties the signal to the calling thread and forgets it when that
 * thread exits.
 */
export function dieWithParent(options: { descendants?: boolean } = {}): boolean {
  const n = requireNative('dieWithParent()')
  if (!n.isMainThread) {
    throw new Error(`dieWithParent: call it from the main thread, not worker thread ${workerThreads().threadId}: the kernel ties the parent-death signal to the calling thread and drops it when that thread exits`)
  }
  return n.dieWithParent(options.descendants === true)
}
