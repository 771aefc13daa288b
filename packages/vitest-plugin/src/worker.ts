// The worker side: a Vitest runner (extending the user's own runner, if any) that runs every test
// body, every beforeAll/beforeEach/afterEach/afterAll hook and every file's collection under a hard
// limit. Bundled as CommonJS (dist/worker.cjs) and loaded by runner.ts, which hands it Vitest's
// runner API for the running line (Vitest is an ES module).
import { basename, relative } from 'node:path'
import type { CodeCache } from './code-cache.js'
import { core, provideCore, type Core } from './core.js'
import { Guard, type GuardTarget } from './guard.js'
import type { RunnerApi } from './internals/runner-api.js'
import { CLEANUP_TIMEOUT_KEY, checkRunnerClass, checkSafeTimers } from './internals/worker.js'
import { Journal } from './journal.js'
import { metaLimit, nearMissKeys, ownLimit } from './options.js'
import { runsInRunnerRealm, type WorkerConfig } from './shared.js'
import { patchSafeTimers, probe } from './timers.js'

const HOOKS = ['beforeAll', 'afterAll', 'beforeEach', 'afterEach'] as const
const WRAPPED = Symbol.for('hardtimeout.vitest.wrapped')

// Minimal shapes of Vitest's tasks (the same in 3.2, 4.1 and 5.1 as far as they go).
interface Task {
  id: string
  concurrent?: boolean
  name: string
  type: string
  fullName?: string
  meta?: Record<string, unknown>
  file?: { filepath: string; name: string }
  filepath?: string
  suite?: Task
  timeout?: number
  fails?: boolean
  result?: { state?: string; errors?: unknown[] }
}
type Hook = ((...args: unknown[]) => unknown) & { [key: symbol]: unknown }
type RunnerCtor = new (config: never) => object
interface RunnerLike {
  config: { root?: string; hookTimeout?: number; testTimeout?: number; pool?: string }
  runTask?(test: Task): unknown
  onBeforeRunSuite?(suite: Task): unknown
  onCollectStart?(file: Task): unknown
  onAfterRunTask?(test: Task): unknown
  onAfterRunFiles?(files: Task[]): unknown
  importFile(filepath: string, source: string): unknown
}

/** "describe > test", without the file name (Vitest 4 puts it in fullName). */
function taskName(task: Task): string {
  const names: string[] = []
  for (let t: Task | undefined = task; t && !t.filepath && t.type !== 'file'; t = t.suite) names.unshift(t.name)
  return names.join(' > ') || task.name
}

function where(task: Task, root: string | undefined): string {
  const file = task.file?.filepath ?? task.filepath
  const rel = file && root ? relative(root, file) : file
  const kind = task.type === 'suite' ? 'describe' : task.type === 'test' ? 'test' : 'file'
  return `${kind} "${taskName(task)}"${rel && kind !== 'file' ? ` (${rel})` : ''}`
}

/** The task a meta key's value came from: the task itself, or the outermost describe it inherits it from. */
function metaOrigin(task: Task, key: string): Task {
  const value = task.meta?.[key]
  let origin = task
  for (let s = task.suite; s && s.type === 'suite' && !s.filepath; s = s.suite) {
    if (s.meta && Object.is(s.meta[key], value)) origin = s
  }
  return origin
}

/** Where a meta.hardTimeout came from. */
function metaWhere(task: Task, root: string | undefined): string {
  const origin = metaOrigin(task, 'hardTimeout')
  if (origin === task) return where(task, root)
  return `${where(origin, root)}, inherited by ${task.type === 'test' ? 'test' : 'describe'} "${taskName(task)}"`
}

/** Near-miss meta keys already warned about in this worker, by the task that set them. */
const warnedKeys = new Set<string>()

/** A misspelt meta.hardTimeout is ignored by the plugin: say so once, where it was set. */
function warnNearMiss(task: Task, root: string | undefined): void {
  for (const key of nearMissKeys(task.meta)) {
    const origin = metaOrigin(task, key)
    const id = `${origin.id}\0${key}`
    if (warnedKeys.has(id)) continue
    warnedKeys.add(id)
    console.warn(`[hardtimeout] meta.${key} of ${where(origin, root)} is not read by the plugin: did you mean meta.hardTimeout?`)
  }
}

export function createRunner(
  api: RunnerApi,
  loadedCore: typeof Core,
  UserRunner: RunnerCtor | undefined,
  config: WorkerConfig,
  codeCache?: CodeCache,
): RunnerCtor {
  provideCore(loadedCore)
  checkRunnerClass(api.line, api.TestRunner)
  const options = config.options
  const journal = new Journal(config.stateDir)
  // Fork workers: die with the main process (Ctrl+C, or the main process killed).
  if (journal.threadId === 0) {
    try {
      core.dieWithParent({ descendants: true })
    } catch {
      // no native addon: nothing to do
    }
  }
  const stopped = new WeakMap<object, Core.HardTimeoutError>()
  // A stopped test is remembered, so that `test.fails` cannot turn the stop into a pass.
  const guard = new Guard(options, journal, api.line, (target, error) => {
    if (target.task) stopped.set(target.task, error)
  })

  const Base = (UserRunner ?? api.TestRunner) as unknown as new (config: never) => RunnerLike
  const baseRunTask = Base.prototype.runTask

  class HardTimeoutRunner extends Base {
    override runTask(test: Task): unknown {
      const self = this as unknown as RunnerLike
      const call = baseRunTask
        ? () => baseRunTask.call(self, test)
        : () => api.getTestFn(test)()
      if (test.meta) warnNearMiss(test, self.config.root)
      const fromMeta = metaLimit(test.meta, () => metaWhere(test, self.config.root))
      const limit = fromMeta ?? options.timeout ?? ownLimit(test.timeout)
      if (limit === undefined) return call()
      const name = taskName(test)
      const target: GuardTarget = {
        what: 'test',
        name,
        display: `test "${name}"`,
        limit,
        overridden: fromMeta !== undefined || options.timeout !== undefined,
        taskId: test.id,
        file: test.file?.filepath ?? '',
        task: test,
      }
      return guard.run(this, target, call)
    }

    override onBeforeRunSuite(suite: Task): unknown {
      wrapHooks(this as unknown as RunnerLike, suite)
      return super.onBeforeRunSuite?.(suite)
    }

    override onCollectStart(file: Task): unknown {
      // Vitest 3.2 and 4 capture their safe setTimeout when a test is defined: patch before the file loads.
      checkSafeTimers(api.line, patchSafeTimers(!runsInRunnerRealm((this as unknown as RunnerLike).config.pool)))
      return super.onCollectStart?.(file)
    }

    override importFile(filepath: string, source: string): unknown {
      if (source !== 'collect') return super.importFile(filepath, source)
      const self = this as unknown as RunnerLike
      const rel = self.config.root ? relative(self.config.root, filepath) : filepath
      return guard.run(this, {
        what: 'collect',
        name: `loading ${rel}`,
        display: `loading ${rel}`,
        limit: options.collectTimeout,
        overridden: true,
        taskId: null,
        file: filepath,
      }, () => super.importFile(filepath, source))
    }

    override onAfterRunTask(test: Task): unknown {
      const error = stopped.get(test)
      if (error && test.result && test.result.state !== 'fail') {
        // `test.fails` flips a failure into a pass: a stopped test must not pass.
        test.result.state = 'fail'
        test.result.errors = [...(test.result.errors ?? []), { name: error.name, message: error.message, stack: error.stack, hardTimeout: (error as { hardTimeout?: unknown }).hardTimeout }]
      }
      if (test.type === 'test' && test.result) journal.done(test.id, test.result)
      return super.onAfterRunTask?.(test)
    }

    override onAfterRunFiles(files: Task[]): unknown {
      // Our code has run: a worker that found no code cache leaves one for the next (code-cache.ts).
      codeCache?.save()
      return super.onAfterRunFiles?.(files)
    }
  }

  function wrapHooks(runner: RunnerLike, suite: Task): void {
    const hooks = api.getSuiteHooks(suite) as Record<string, Hook[] | undefined> | undefined
    if (!hooks) return // a file that failed to load has none
    const owner = suite.type === 'suite' ? `describe "${taskName(suite)}"` : basename(suite.filepath ?? suite.name)
    for (const name of HOOKS) {
      const list = hooks[name]
      if (!Array.isArray(list)) continue
      for (let i = 0; i < list.length; i++) {
        const hook = list[i]!
        if (hook[WRAPPED]) continue
        list[i] = wrapHook(runner, suite, name, hook, `${name} hook of ${owner}`)
      }
    }
  }

  function wrapHook(runner: RunnerLike, suite: Task, name: string, hook: Hook, label: string): Hook {
    // A hook's own timeout is fixed when it is defined: ask Vitest for it once.
    let probed: number | undefined
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      const fromMeta = metaLimit(suite.meta, () => metaWhere(suite, runner.config.root))
      let limit = fromMeta ?? options.hookTimeout
      const overridden = limit !== undefined
      if (limit === undefined) {
        const known = hook[CLEANUP_TIMEOUT_KEY]
        if (typeof known === 'number') limit = ownLimit(known)
        else if (probed !== undefined) limit = probed
        else if (ownLimit(runner.config.hookTimeout) !== undefined) {
          // afterEach/afterAll keep their timeout in a closure: ask Vitest's wrapper for it.
          const p = probe(() => hook.apply(this, args))
          if (p.ran) return p.value
          limit = probed = ownLimit(p.ms)
        }
      }
      if (limit === undefined) return hook.apply(this, args)
      const test = (args[0] as { task?: Task } | undefined)?.task
      return guard.run(runner, {
        what: name,
        name: label,
        display: label,
        limit,
        overridden,
        taskId: name.endsWith('Each') && test?.type === 'test' ? test.id : suite.id,
        file: suite.file?.filepath ?? suite.filepath ?? '',
      }, () => hook.apply(this, args))
    } as Hook
    Object.assign(wrapped, hook)
    wrapped[WRAPPED] = true
    return wrapped
  }

  return HardTimeoutRunner as unknown as RunnerCtor
}
