// The main-process side. It owns the state directory shared with the workers and handles workers
// stuck in native code: the worker's native watchdog (no JavaScript can run in that worker any
// more) writes a stuck report there; the supervisor then records the results the worker had not
// sent yet (Vitest sends them through a 100 ms throttle), fails the stuck test with a
// HardTimeoutError, skips the file's never-run tests with a reason, and only then kills the
// worker's process tree (forks, vmForks) or abandons the thread (threads, vmThreads).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Worker } from 'node:worker_threads'
import { core, type Core } from './core.js'
import type { ResolvedOptions } from './options.js'
import { STUCK_DIR, doneResult, type HardTimeoutAction, type HardTimeoutInfo, type JournalEntry } from './shared.js'

// Worker threads of this process by threadId, learnt from the messages the pool sends them: a
// thread stuck in native code is abandoned through its Worker object.
const threads = new Map<number, WeakRef<Worker>>()
let watchingThreads = false
function watchThreads(): void {
  if (watchingThreads) return
  watchingThreads = true
  const post = Worker.prototype.postMessage
  Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
    if (this.threadId >= 0 && !threads.has(this.threadId)) threads.set(this.threadId, new WeakRef(this))
    return post.apply(this, args)
  }
}

const STUCK = /^stuck-(\d+)-(\d+)\.json$/
const JOURNAL = /^w-(\d+)-(\d+)\.jsonl$/

// The parts of Vitest's internals used here (the same in 4.1 and 5.x).
interface TaskLike {
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
type Pack = [string, TaskLike['result'], TaskLike['meta']]
type Event = [string, string, undefined]
interface VitestInternals {
  state?: { idMap?: Map<string, TaskLike>; catchError?: (error: unknown, type: string) => void }
  _testRun?: { updated(packs: Pack[], events: Event[]): Promise<void> }
  logger?: { error(...args: unknown[]): void }
}

export interface SupervisedStop {
  taskId: string | null
  file: string
  action: HardTimeoutAction
}

export class Supervisor {
  private watcher: fs.FSWatcher | undefined
  private poll: NodeJS.Timeout | undefined
  private readonly handled = new Set<string>()
  private readonly exitHook = (code: number): void => this.onExit(code)
  /** Workers the supervisor killed or abandoned, by "pid-threadId". */
  readonly dead = new Set<string>()
  /** Labels of the calls reported stuck and left running (onNativeHang: 'report'). */
  readonly reported = new Set<string>()

  constructor(
    readonly vitest: unknown,
    readonly stateDir: string,
    readonly options: ResolvedOptions,
  ) {
    this.stuckDir = path.join(stateDir, STUCK_DIR)
  }

  /** Where workers' watchdogs write stuck reports (the only folder watched). */
  private readonly stuckDir: string
  private readonly abandoned: Core.ThreadHandle[] = []
  /** Worker exits we caused: Vitest reports each as "Worker exited unexpectedly"; we already did. */
  private expectedExits = 0
  private filtering = false

  private expectExit(): void {
    this.expectedExits++
    const state = (this.vitest as VitestInternals).state
    if (this.filtering || typeof state?.catchError !== 'function') return
    this.filtering = true
    const catchError = state.catchError
    state.catchError = (error: unknown, type: string): void => {
      if (this.expectedExits > 0 && isWorkerExit(error)) {
        this.expectedExits--
        return
      }
      catchError.call(state, error, type)
    }
  }

  start(): void {
    watchThreads()
    process.once('exit', this.exitHook)
    fs.mkdirSync(this.stuckDir, { recursive: true })
    try {
      this.watcher = fs.watch(this.stuckDir, () => this.scan())
      this.watcher.on('error', () => {})
      this.watcher.unref()
    } catch {
      // the poll below still works
    }
    this.poll = setInterval(() => this.scan(), 250)
    this.poll.unref()
  }

  stop(): void {
    this.watcher?.close()
    if (this.poll) clearInterval(this.poll)
  }

  private scan(): void {
    let names: string[]
    try {
      names = fs.readdirSync(this.stuckDir)
    } catch {
      return
    }
    for (const name of names) {
      const m = STUCK.exec(name)
      if (!m || this.handled.has(name)) continue
      let report: Core.StuckReport
      try {
        report = JSON.parse(fs.readFileSync(path.join(this.stuckDir, name), 'utf8')) as Core.StuckReport
      } catch {
        continue // still being written: the next scan reads it
      }
      this.handled.add(name)
      void this.handleStuck(Number(m[1]), Number(m[2]), report)
    }
  }

  private readJournal(pid: number, threadId: number): JournalEntry[] {
    try {
      return fs.readFileSync(path.join(this.stateDir, `w-${pid}-${threadId}.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as JournalEntry)
    } catch {
      return []
    }
  }

  private async handleStuck(pid: number, threadId: number, report: Core.StuckReport): Promise<void> {
    const inThread = pid === process.pid
    const kill = this.options.onNativeHang === 'kill'
    const action: HardTimeoutAction = !kill ? 'reported (left running)' : inThread ? 'thread abandoned' : 'worker killed'
    try {
      if (kill) await this.record(pid, threadId, report, action)
    } catch (e) {
      ;(this.vitest as VitestInternals).logger?.error(`[hardtimeout] could not record the results of worker ${pid}: ${String(e)}`)
    }
    if (!kill) {
      this.reported.add(report.label)
      ;(this.vitest as VitestInternals).logger?.error(`[hardtimeout] "${report.label}" is stuck in native code (${core.describeDiagnosis(report.diagnosis) ?? 'native code'}) ${Math.round(report.elapsedMs)} ms after its start, past its hard timeout of ${report.timeoutMs} ms (pid ${pid}, thread ${threadId}); onNativeHang: 'report' leaves it running`)
      return
    }
    this.dead.add(`${pid}-${threadId}`)
    this.expectExit()
    if (!inThread) {
      // The worker and everything it started; SIGKILL so nothing of it runs on.
      core.killProcessTree(pid, { includeSelf: true })
      return
    }
    // A worker thread cannot be killed safely while the run goes on: mark it dead for Vitest (as if
    // it had exited) and let its pool start a new one. Its children are killed now.
    for (const child of report.diagnosis?.children ?? []) {
      try {
        core.killProcessTree(child.pid, { includeSelf: true })
      } catch {
        // gone
      }
    }
    this.abandoned.push({ pid, tid: report.tid, threadId, generation: report.generation })
    const worker = threads.get(threadId)?.deref()
    if (worker) {
      threads.delete(threadId)
      worker.terminate = () => Promise.resolve(1)
      worker.unref()
      // Its stdio port stays ref'ed while Vitest reads the thread's output: let go of it too.
      for (const sym of Object.getOwnPropertySymbols(worker)) {
        const port = (worker as unknown as Record<symbol, { unref?: () => void } | undefined>)[sym]
        if (sym.description === 'kPort' && typeof port?.unref === 'function') port.unref()
      }
      worker.emit('exit', 1)
    }
  }

  /** Sends Vitest, as the worker would have, the results of the stuck worker's current file. */
  private async record(pid: number, threadId: number, report: Core.StuckReport, action: HardTimeoutAction): Promise<void> {
    const vitest = this.vitest as VitestInternals
    const idMap = vitest.state?.idMap
    if (!idMap || !vitest._testRun) return
    const journal = this.readJournal(pid, threadId)
    let start: Extract<JournalEntry, { k: 'start' }> | undefined
    for (let i = journal.length - 1; i >= 0; i--) {
      const e = journal[i]!
      if (e.k === 'start' && (e.name === report.label || start === undefined)) {
        start = e
        if (e.name === report.label) break
      }
    }
    if (!start) return
    // Results of this run of the file only (a reused worker may have run it before, in watch mode).
    const done = new Map<string, unknown>()
    for (const e of journal) {
      if (e.k === 'start' && e.what === 'collect' && e.file === start.file) done.clear()
      else if (e.k === 'done') done.set(e.id, doneResult(e))
    }

    const fileTask = findFile(idMap, start.file, start.id)
    const stuckTask = start.id ? idMap.get(start.id) : fileTask
    const info: HardTimeoutInfo = {
      action,
      what: start.what,
      name: start.name,
      limit: start.limit,
      elapsed: Math.round(report.elapsedMs),
      overridden: false,
    }
    const blocked = core.describeDiagnosis(report.diagnosis) ?? 'native code'
    const who = start.what === 'test' ? `test "${start.name}"` : start.name
    const done_ = action === 'worker killed'
      ? `the worker (pid ${pid}) and its process tree were killed`
      : `its worker thread (${threadId}) was abandoned`
    const message = `${who} was stuck in native code for ${Math.round(report.elapsedMs)} ms (hard timeout ${start.limit} ms) and could not be stopped (${blocked}): ${done_}`
    const at = stuckTask?.location ?? locateName(start.file, stuckTask?.name)
    const error = {
      name: 'HardTimeoutError',
      message,
      stack: `HardTimeoutError: ${message}\n    at ${start.file}:${at?.line ?? 1}:${at?.column ?? 1}`,
      hardTimeout: info,
      diagnosis: report.diagnosis,
    }

    const packs: Pack[] = []
    const events: Event[] = []
    const note = `not run: the worker was stopped because ${who} was stuck in native code`
    const finished = (t: TaskLike): boolean => ['pass', 'fail', 'skip', 'todo'].includes(t.result?.state ?? '')
    const visit = (t: TaskLike): void => {
      if (t.type === 'test') {
        if (finished(t)) return
        if (t === stuckTask) {
          packs.push([t.id, { state: 'fail', errors: [error], startTime: start!.t, duration: Date.now() - start!.t }, t.meta])
        } else if (done.has(t.id)) {
          packs.push([t.id, done.get(t.id) as TaskLike['result'], t.meta])
        } else {
          packs.push([t.id, { state: 'skip', note }, t.meta])
        }
        events.push([t.id, 'test-finished', undefined])
        return
      }
      for (const c of t.tasks ?? []) visit(c)
      if (t.type === 'suite' && !finished(t)) {
        const failed = t === stuckTask || (t.tasks ?? []).some((c) => c.result?.state === 'fail' || packs.some((p) => p[0] === c.id && p[1]?.state === 'fail'))
        packs.push([t.id, { state: failed ? 'fail' : 'pass', errors: t === stuckTask ? [error] : undefined }, t.meta])
        events.push([t.id, 'suite-finished', undefined])
      }
    }
    if (fileTask) visit(fileTask)
    else if (stuckTask) visit(stuckTask)
    if (packs.length > 0) await vitest._testRun.updated(packs, events)
  }

  private onExit(code: number): void {
    this.stop()
    // Node joins every worker thread before the process ends: an abandoned thread still stuck in
    // native code would keep it from ever ending. Nothing else runs any more, so end that thread,
    // then leave the way process.exit() does (Node's own teardown would wait for the dead thread).
    let killed = false
    for (const handle of this.abandoned) {
      try {
        core.killThread(handle)
        killed = true
      } catch {
        // it has returned or exited by now
      }
    }
    // Ctrl+C or an error while a worker hangs: no worker or grandchild may outlive the run.
    for (const name of safeReaddir(this.stateDir)) {
      const m = JOURNAL.exec(name)
      if (!m) continue
      const pid = Number(m[1])
      if (pid === process.pid) {
        // A worker thread of this process: Node joins it before exiting, so a thread blocked in a
        // syscall (readSync, execSync) would hold the exit up. Interrupt the syscall, kill its children.
        const first = this.readJournal(pid, Number(m[2]))[0]
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
      fs.rmSync(this.stateDir, { recursive: true, force: true })
    } catch {
      // best effort
    }
    if (killed) (process as unknown as { reallyExit(code: number): never }).reallyExit(process.exitCode !== undefined ? Number(process.exitCode) : code)
  }
}

function isWorkerExit(error: unknown): boolean {
  const e = error as { message?: unknown; cause?: { message?: unknown } } | null
  return typeof e?.message === 'string' && /^\[vitest-pool\]: Worker \S+ emitted error\.$/.test(e.message) &&
    typeof e.cause?.message === 'string' && e.cause.message.startsWith('Worker exited unexpectedly')
}

function findFile(idMap: Map<string, TaskLike>, filepath: string, id: string | null): TaskLike | undefined {
  const task = id ? idMap.get(id) : undefined
  if (task) return task.file ?? task
  for (const t of idMap.values()) if (t.type === 'suite' && t.filepath === filepath && !t.suite) return t
  return undefined
}

/** Where a test or describe named `name` is declared in `file` (its first mention), if found. */
function locateName(file: string, name: string | undefined): { line: number; column: number } | undefined {
  if (!name) return undefined
  try {
    const lines = fs.readFileSync(file, 'utf8').split('\n')
    for (const q of ["'", '"', '`']) {
      const needle = q + name + q
      const i = lines.findIndex((l) => l.includes(needle))
      if (i >= 0) return { line: i + 1, column: lines[i]!.search(/\S/) + 1 }
    }
  } catch {
    // unreadable
  }
  return undefined
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir)
  } catch {
    return []
  }
}

/** Whether a process with this pid exists (EPERM: it does, it is another user's). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
