// The end-of-run summary: every hard timeout of the run (test, file:line, limit, what was done),
// printed after Vitest's own summary and, with `report`, written as JSON: core's HardTimeoutRecord
// of each, completed with what the main process knows (the file relative to the root, the project).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { core } from './core.js'
import type { ResolvedOptions } from './options.js'
import type { HardTimeoutInfo } from './shared.js'
import type { Supervisor } from './supervisor.js'
import type { HardTimeoutRecord, SourceLocation } from '@hardtimeout/core/internal'

/** A test file the run never ran because it was queued on a worker the plugin had to kill. */
export interface NotRunFile {
  file: string
  project?: string
  reason: string
}

/** The JSON report (`report` option): core's records of every hard timeout, and the files never run. */
export interface HardTimeoutSummary {
  hardTimeouts: HardTimeoutRecord[]
  notRun: NotRunFile[]
}

interface ErrorLike {
  name?: string
  message?: string
  stack?: string
  hardTimeout?: HardTimeoutInfo
}
interface Entity {
  type: string
  fullName?: string
  name?: string
  moduleId?: string
  module?: { moduleId: string }
  project?: { name?: string }
  result?: () => { errors?: readonly ErrorLike[] } | undefined
  errors?: () => readonly ErrorLike[]
  children?: { allTests?: () => Iterable<Entity>; allSuites?: () => Iterable<Entity> }
  /** Vitest's own task (not in its types, the same in 4.1 and 5.x). */
  task?: RawTask
}

interface RawTask {
  result?: { errors?: readonly ErrorLike[] }
  tasks?: readonly RawTask[]
}

/** Whether a task or one inside it failed with a HardTimeoutError. */
function holdsHardTimeout(task: RawTask): boolean {
  if (task.result?.errors?.some((e) => e?.name === 'HardTimeoutError')) return true
  return task.tasks?.some(holdsHardTimeout) ?? false
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The first stack frame in `file`: where the code was stuck. */
export function locate(stack: string | undefined, file: string, name = file): SourceLocation | undefined {
  if (!stack || !file) return undefined
  const re = new RegExp(`${escape(file)}(?:\\?[^:]*)?:(\\d+):(\\d+)`)
  for (const frame of stack.split('\n')) {
    const m = re.exec(frame)
    if (m) return { file: name, line: Number(m[1]), column: Number(m[2]) }
  }
  return undefined
}

export class SummaryReporter {
  private root = process.cwd()
  private logger: { log(...a: unknown[]): void; error(...a: unknown[]): void } | undefined

  constructor(
    private readonly supervisor: Supervisor,
    private readonly options: ResolvedOptions,
  ) {}

  onInit(vitest: { config: { root: string }; logger?: { log(...a: unknown[]): void; error(...a: unknown[]): void } }): void {
    this.root = vitest.config.root
    this.logger = vitest.logger
  }

  /** The guarded call's own label of each record (what a stuck report names it by). */
  private readonly labels = new WeakMap<HardTimeoutRecord, string>()

  /** A location in a file of the run, relative to the root as the rest of the summary. */
  private relative(at: SourceLocation | undefined): SourceLocation | undefined {
    return at && { ...at, file: path.isAbsolute(at.file) ? path.relative(this.root, at.file) : at.file }
  }

  collect(modules: readonly Entity[]): HardTimeoutRecord[] {
    const out: HardTimeoutRecord[] = []
    const add = (entity: Entity, errors: readonly ErrorLike[] | undefined, moduleId: string): void => {
      for (const e of errors ?? []) {
        if (e?.name !== 'HardTimeoutError') continue
        const info = e.hardTimeout
        const file = path.relative(this.root, moduleId)
        const project = entity.project?.name || undefined
        if (!info) {
          // Not one of ours (a HardTimeoutError the test itself threw and did not catch).
          continue
        }
        const { overridden: _, message: __, ...outcome } = info
        // The name as the framework shows it for tests; a hook's or a file's description otherwise.
        const name = info.entry === 'test' ? (entity.fullName ?? entity.name ?? info.name) : info.name
        const record = core.createRecord({
          ...outcome,
          name,
          file,
          project,
          location: this.relative(info.location ?? locate(e.stack, moduleId, file)),
          declaredAt: this.relative(info.declaredAt),
        })
        this.labels.set(record, info.name)
        out.push(record)
      }
    }
    for (const mod of modules) {
      // Walking a module through Vitest's reported entities (nested generators) costs every test;
      // its own task tree is plain arrays. Most modules hold no hard timeout at all.
      if (mod.task && !holdsHardTimeout(mod.task)) continue
      const moduleId = mod.moduleId ?? ''
      add(mod, mod.errors?.(), moduleId)
      for (const suite of mod.children?.allSuites?.() ?? []) add(suite, suite.errors?.(), moduleId)
      for (const test of mod.children?.allTests?.() ?? []) add(test, test.result?.()?.errors, moduleId)
    }
    return out.sort((a, b) => a.file.localeCompare(b.file) || (a.location?.line ?? 0) - (b.location?.line ?? 0))
  }

  private specs: string[] = []

  onTestRunStart(specifications: ReadonlyArray<{ moduleId: string }>): void {
    this.specs = specifications.map((s) => s.moduleId)
  }

  onTestRunEnd(modules: readonly Entity[]): void {
    this.supervisor.runEnded()
    const records = this.collect(modules)
    // A non-isolated worker with files queued behind it (isolate: false, one worker; on Vitest 4
    // also the vm pools): when it is killed, Vitest never runs those files and forgets them. Say so.
    const notRun: NotRunFile[] = []
    if (this.supervisor.dead.size > 0) {
      const seen = new Set(modules.map((m) => m.moduleId))
      for (const file of this.specs) {
        if (seen.has(file)) continue
        process.exitCode = 1
        notRun.push({ file: path.relative(this.root, file), reason: 'not run: queued on a killed worker' })
      }
    }
    if (this.options.report) {
      const file = path.resolve(this.root, this.options.report)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, JSON.stringify({ hardTimeouts: records, notRun } satisfies HardTimeoutSummary, null, 2) + '\n')
    }
    if (records.length + notRun.length === 0) return
    const lines = ['', ` Hard timeouts (${records.length + notRun.length})`]
    for (const r of records) {
      const at = r.location && r.location.file === r.file ? `${r.file}:${r.location.line}` : r.location ? `${r.file} (stuck at ${r.location.file}:${r.location.line})` : r.file
      lines.push(`   ${r.name}  ${at}  limit ${r.limitMs} ms  ${this.said(r)}`)
    }
    for (const f of notRun) lines.push(`   ${f.file}  ${f.reason}`)
    lines.push('')
    this.pending = lines.join('\n')
    if (this.supervisor.line !== 3) this.print()
  }

  /** What was done, in core's words (a call only reported stuck: what it was reported as, too). */
  private said(r: HardTimeoutRecord): string {
    const words = core.OUTCOME_WORDS.action
    const done = r.action === 'stopped' && r.cause === 'pending' ? words.stoppedPending : words[r.action]
    return this.supervisor.reported.has(this.labels.get(r) ?? r.name) ? `reported stuck in native code, then ${done}` : done
  }

  /** Vitest 3 prints its own summary in onFinished, which runs after onTestRunEnd: ours follows it. */
  onFinished(): void {
    if (this.supervisor.line === 3) this.print()
  }

  private pending: string | undefined

  private print(): void {
    if (this.pending === undefined) return
    ;(this.logger ?? console).log(this.pending)
    this.pending = undefined
  }
}
