// The end-of-run summary: every hard timeout of the run (test, file:line, limit, what was done),
// printed after Vitest's own summary and, with `report`, written as JSON.
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ResolvedOptions } from './options.js'
import type { HardTimeoutInfo } from './shared.js'
import type { Supervisor } from './supervisor.js'

export interface HardTimeoutRecord {
  /** Full name of the test (or the hook's description, or "loading <file>"). */
  test: string
  /** 'test', 'beforeAll', 'beforeEach', 'afterEach', 'afterAll' or 'collect'. */
  what: string
  /** Path relative to the root, and the line where it was stuck (from the error's stack) when known. */
  file: string
  line: number | undefined
  column: number | undefined
  limit: number
  elapsed: number
  action: string
  message: string
  project: string | undefined
}

export interface HardTimeoutSummary {
  hardTimeouts: HardTimeoutRecord[]
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
export function locate(stack: string | undefined, file: string): { line: number; column: number } | undefined {
  if (!stack || !file) return undefined
  const re = new RegExp(`${escape(file)}(?:\\?[^:]*)?:(\\d+):(\\d+)`)
  for (const frame of stack.split('\n')) {
    const m = re.exec(frame)
    if (m) return { line: Number(m[1]), column: Number(m[2]) }
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

  collect(modules: readonly Entity[]): HardTimeoutRecord[] {
    const out: HardTimeoutRecord[] = []
    const add = (entity: Entity, errors: readonly ErrorLike[] | undefined, moduleId: string): void => {
      for (const e of errors ?? []) {
        if (e?.name !== 'HardTimeoutError') continue
        const info = e.hardTimeout
        const at = locate(e.stack, moduleId)
        out.push({
          test: info?.what === 'test' || !info ? (entity.fullName ?? entity.name ?? '') : info.name,
          what: info?.what ?? entity.type,
          file: path.relative(this.root, moduleId),
          line: at?.line,
          column: at?.column,
          limit: info?.limit ?? 0,
          elapsed: info?.elapsed ?? 0,
          action: info && this.supervisor.reported.has(info.name) ? 'reported stuck, stopped when its native call returned' : (info?.action ?? 'stopped in place'),
          message: e.message ?? '',
          project: entity.project?.name || undefined,
        })
      }
    }
    for (const mod of modules) {
      // Walking a module through Vitest's reported entities costs ~4 k instructions per test
      // (nested generators; measured: 20 M in the main process for 5,000 tests); its own task tree
      // is plain arrays. Most modules hold no hard timeout at all.
      if (mod.task && !holdsHardTimeout(mod.task)) continue
      const moduleId = mod.moduleId ?? ''
      add(mod, mod.errors?.(), moduleId)
      for (const suite of mod.children?.allSuites?.() ?? []) add(suite, suite.errors?.(), moduleId)
      for (const test of mod.children?.allTests?.() ?? []) add(test, test.result?.()?.errors, moduleId)
    }
    return out.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0))
  }

  private specs: string[] = []

  onTestRunStart(specifications: ReadonlyArray<{ moduleId: string }>): void {
    this.specs = specifications.map((s) => s.moduleId)
  }

  onTestRunEnd(modules: readonly Entity[]): void {
    const records = this.collect(modules)
    // Vitest 4 hands every file to one non-isolated worker when maxWorkers is 1: the files queued
    // behind a worker we had to kill are never run, and Vitest forgets them. Say so.
    if (this.supervisor.dead.size > 0) {
      const seen = new Set(modules.map((m) => m.moduleId))
      for (const file of this.specs) {
        if (seen.has(file)) continue
        process.exitCode = 1
        records.push({
          test: '(whole file)',
          what: 'file',
          file: path.relative(this.root, file),
          line: undefined,
          column: undefined,
          limit: 0,
          elapsed: 0,
          action: 'not run: queued on a killed worker',
          message: 'Vitest queued this file on the worker that was killed for a native hang, and never ran it',
          project: undefined,
        })
      }
    }
    if (this.options.report) {
      const file = path.resolve(this.root, this.options.report)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, JSON.stringify({ hardTimeouts: records } satisfies HardTimeoutSummary, null, 2) + '\n')
    }
    if (records.length === 0) return
    const lines = ['', ` Hard timeouts (${records.length})`]
    for (const r of records) {
      const where = r.line ? `${r.file}:${r.line}` : r.file
      lines.push(r.what === 'file' ? `   ${where}  ${r.action}` : `   ${r.test}  ${where}  limit ${r.limit} ms  ${r.action}`)
    }
    lines.push('')
    this.pending = lines.join('\n')
    if (this.supervisor.line !== 3) this.print()
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
