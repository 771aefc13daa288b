// The main-process side. It owns the state directory shared with the workers and watches it for
// workers stuck in native code: the worker's native watchdog (no JavaScript can run in that worker
// any more) writes a stuck report there; the supervisor then records the results the worker had
// not sent yet (replay.ts; Vitest sends them through a 100 ms throttle), fails the stuck test with
// a HardTimeoutError, skips the file's never-run tests with a reason, and only then disposes of the
// worker (dispose.ts). exit-cleanup.ts runs when the process exits.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { core, type Core } from './core.js'
import { abandonWorkerThread, killWorker } from './dispose.js'
import { cleanUpAtExit } from './exit-cleanup.js'
import { answerAbandonedThreads, checkMainInternals, filterErrors, isWorkerExit, logError, rerunDroppedFiles, sendUpdates, taskMap, vitestVersion, watchForks, watchThreads, type TaskLike } from './internals/main.js'
import { vitestLine, type VitestLine } from './internals/versions.js'
import { displayName, nativeHangError, type StuckWorker } from './native-hang.js'
import type { ResolvedOptions } from './options.js'
import { parseJournal, replayJournal, settleTasks } from './replay.js'
import { STUCK_DIR, journalPath } from './shared.js'

const STUCK = /^stuck-(\d+)-(\d+)\.json$/

export class Supervisor {
  /** The running Vitest's line: which internals adapter is used, here and in the workers. */
  readonly line: VitestLine
  private watcher: fs.FSWatcher | undefined
  private poll: NodeJS.Timeout | undefined
  private readonly handled = new Set<string>()
  private readonly exitHook = (code: number): void => {
    this.stop()
    cleanUpAtExit(this.stateDir, this.abandoned, code)
  }
  /**
   * The terminal was closed. Vitest does not listen for SIGHUP, and its default action ends the
   * process without its 'exit' listeners: leave through process.exit (with the code a SIGHUP death
   * has) so that the cleanup runs. Not when someone else handles SIGHUP: then it is theirs.
   */
  private readonly hangUp = (): void => {
    if (process.listenerCount('SIGHUP') > 1) return
    process.exit(128 + 1)
  }
  /** Workers the supervisor killed or abandoned, by "pid-threadId". */
  readonly dead = new Set<string>()
  /** Labels of the calls reported stuck and left running (onNativeHang: 'report'). */
  readonly reported = new Set<string>()
  /** Where workers' watchdogs write stuck reports (the only folder watched). */
  private readonly stuckDir: string
  private readonly abandoned: Core.ThreadHandle[] = []
  /** Worker exits we caused: Vitest reports each as an unhandled error; we already did. */
  private expectedExits = 0

  /** Throws, naming what it found, if the running Vitest is not one the plugin supports. */
  constructor(
    readonly vitest: unknown,
    readonly stateDir: string,
    readonly options: ResolvedOptions,
  ) {
    this.line = vitestLine(vitestVersion(vitest))
    checkMainInternals(vitest, this.line)
    this.stuckDir = path.join(stateDir, STUCK_DIR)
  }

  private expectExit(): void {
    this.expectedExits++
    filterErrors(this.vitest, (error) => {
      if (this.expectedExits <= 0 || !isWorkerExit(this.line, error)) return false
      this.expectedExits--
      return true
    })
  }

  start(): void {
    watchThreads()
    watchForks(this.line)
    // 3.2: tinypool hands a killed worker's queued files to the worker it starts instead.
    if (this.line !== 3) rerunDroppedFiles(this.vitest, () => this.dead.size)
    // First among the 'exit' listeners: Vitest 3's own one calls process.exit() again, which then
    // ends the process at once, without running the listeners after it.
    process.prependOnceListener('exit', this.exitHook)
    process.on('SIGHUP', this.hangUp)
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

  /** The run has ended: what was kept for its end is done now (internals/main.ts). */
  runEnded(): void {
    answerAbandonedThreads('its thread was stuck in native code')
    if ((this.vitest as { config?: { watch?: boolean } }).config?.watch === true) this.endAbandonedThreads()
  }

  /**
   * Watch mode: an abandoned thread would keep a CPU busy in its native call for the rest of the
   * session. Once the run is over no test uses the pool, and the thread, which killThread confirms
   * runs no JavaScript, is ended. (A run without watch ends them as the process exits.) A thread
   * that has come back from its native call by now is left to Node, which joins it at exit.
   */
  private endAbandonedThreads(): void {
    for (let i = this.abandoned.length - 1; i >= 0; i--) {
      const handle = this.abandoned[i]!
      try {
        core.killThread(handle)
      } catch {
        continue
      }
      this.abandoned.splice(i, 1)
      logError(this.vitest, `[hardtimeout] worker thread ${handle.threadId}, stuck in native code, was ended (killThread) now that the run is over: in watch mode it would have kept a CPU busy until Vitest exits`)
    }
  }

  stop(): void {
    process.off('SIGHUP', this.hangUp)
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

  private async handleStuck(pid: number, threadId: number, report: Core.StuckReport): Promise<void> {
    const inThread = pid === process.pid
    if (this.options.onNativeHang !== 'kill') {
      this.reported.add(report.label)
      logError(this.vitest, `[hardtimeout] "${report.label}" is stuck in native code (${core.describeDiagnosis(report.diagnosis) ?? 'native code'}) ${Math.round(report.elapsedMs)} ms after its start, past its hard timeout of ${report.timeoutMs} ms (pid ${pid}, thread ${threadId}); onNativeHang: 'report' leaves it running`)
      return
    }
    const action: StuckWorker['action'] = inThread ? 'thread-abandoned' : 'worker-killed'
    try {
      await this.record({ pid, threadId, report, action })
    } catch (e) {
      logError(this.vitest, `[hardtimeout] could not record the results of worker ${pid}: ${String(e)}`)
    }
    this.dead.add(`${pid}-${threadId}`)
    this.expectExit()
    if (inThread) this.abandoned.push(abandonWorkerThread(this.vitest, this.line, report, pid, threadId))
    else killWorker(this.line, pid)
  }

  /** Sends Vitest, as the worker would have, the results of the stuck worker's current file. */
  private async record(stuck: StuckWorker): Promise<void> {
    let text = ''
    try {
      text = fs.readFileSync(journalPath(this.stateDir, stuck.pid, stuck.threadId), 'utf8')
    } catch {
      // no journal: nothing is known of the file
    }
    const replayed = replayJournal(parseJournal(text), stuck.report.label)
    if (!replayed) {
      logError(this.vitest, `[hardtimeout] "${stuck.report.label}" is stuck ${stuck.report.busyInJavaScript ? 'in JavaScript that could not be stopped in place' : 'in native code'} and its worker (pid ${stuck.pid}) left no journal: its file's results are lost`)
      return
    }
    const { start, done } = replayed
    const idMap = taskMap(this.vitest)
    const fileTask = findFile(idMap, start.file, start.id)
    const stuckTask = start.id ? idMap.get(start.id) : fileTask
    const root = fileTask ?? stuckTask
    if (!root) return
    const { packs, events } = settleTasks(root, stuckTask, done, {
      error: nativeHangError(start, stuck, stuckTask),
      startTime: start.t,
      now: Date.now(),
      skipNote: `not run: the worker was stopped because ${displayName(start)} was stuck in ${stuck.report.busyInJavaScript ? 'JavaScript that could not be stopped in place' : 'native code'}`,
    })
    if (packs.length > 0) await sendUpdates(this.vitest, packs, events)
  }
}

function findFile(idMap: Map<string, TaskLike>, filepath: string, id: string | null): TaskLike | undefined {
  const task = id ? idMap.get(id) : undefined
  if (task) return task.file ?? task
  for (const t of idMap.values()) if (t.type === 'suite' && t.filepath === filepath && !t.suite) return t
  return undefined
}
