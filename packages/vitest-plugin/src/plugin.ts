// The Vite/Vitest plugin: points every project's test.runner at our runner (composed with the
// user's), starts the main-process supervisor and adds the summary reporter.
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveOptions, type HardTimeoutPluginOptions, type ResolvedOptions } from './options.js'
import { addCarriers, CARRIER, checkReached, checkRunWide, isOurs, OPTIONS, projectOptions, type OurPlugin, type ProjectLike } from './projects.js'
import { runsInRunnerRealm, type SourceFile, type WorkerConfig } from './shared.js'
import { createStateDir } from './state-dir.js'
import { Supervisor } from './supervisor.js'
import { SummaryReporter } from './summary.js'
import { checkRunningVitest } from './vitest-version.js'

const RUNNER = fileURLToPath(new URL('./runner.js', import.meta.url))
const WORKER = fileURLToPath(new URL('./worker.cjs', import.meta.url))
const OURS = Symbol.for('hardtimeout.vitest.plugin')
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Modules each worker should import natively, not through Vite's module runner: this package's
 * own files (under node_modules they already are; linked from a workspace they would not be) and
 * the generated runner modules that import nothing else. Measured: through the module runner they
 * cost every test file ~60 ms of CPU, as much as 20% of a healthy suite's run.
 */
function nativeModules(): RegExp[] {
  let dist = path.dirname(RUNNER)
  try {
    dist = fs.realpathSync(dist)
  } catch {
    // keep the path as it is
  }
  return [new RegExp(`^${escape(dist + path.sep)}`), /[\\/]hardtimeout-vitest-[^\\/]+[\\/]runner-\d+\.mjs$/]
}

interface VitestLike {
  config: { reporters: unknown[]; root: string }
  projects?: readonly ProjectLike[]
  vite?: { config?: { plugins?: readonly unknown[] } }
  [OURS]?: Run
}

/** What one Vitest instance's run shares between the plugin objects that reach it. */
interface Run {
  supervisor: Supervisor
  /** The root config's options (or, without a root plugin, the first project's). */
  options: ResolvedOptions
  guarded: WeakSet<object>
  count: number
  /** The worker's files, stat'ed once (their code cache's key): the same for every project. */
  sources: Pick<WorkerConfig['load'], 'worker' | 'core'>
}

/** Root Vite servers (Vitest 3/4) whose run some project's configureVitest reached. */
const reachedServers = new WeakSet<object>()

/** A minimal Vite plugin shape, so that users' configs type-check whatever Vite version they use. */
export interface HardTimeoutPlugin {
  name: string
  config(config?: { root?: string }): { test: { server: { deps: { external: RegExp[] } } } }
  configureServer: { order: 'post'; handler(server: unknown): void }
  configureVitest(context: { vitest: unknown; project: unknown }): void
}

export function hardTimeout(options?: HardTimeoutPluginOptions): HardTimeoutPlugin {
  // Fail fast, while the config file loads, naming the bad value.
  const resolved = resolveOptions(options)
  let surelyReached = true
  const configureVitest = (context: { vitest: unknown; project: unknown }): void => {
    const vitest = context.vitest as VitestLike
    if (vitest.vite) reachedServers.add(vitest.vite)
    const run = runOf(vitest, resolved)
    guardProjects(vitest, run, [context.project as ProjectLike])
  }
  const carrier = {
    name: 'hardtimeout:project',
    [OPTIONS]: resolved,
    [CARRIER]: true,
    config: () => ({ test: { server: { deps: { external: nativeModules() } } } }),
    configureVitest,
  }
  return {
    name: 'hardtimeout',
    [OPTIONS]: resolved,
    config(config) {
      checkRunningVitest(config?.root)
      surelyReached = addCarriers((config as { test?: { projects?: unknown } } | undefined)?.test, carrier)
      return { test: { server: { deps: { external: nativeModules() } } } }
    },
    configureServer: {
      // After Vitest's own (Vitest 3 orders it 'post' too, and its plugin comes first): the run's
      // projects are set up by then.
      order: 'post',
      handler(server: unknown) {
        if (surelyReached) return
        const config = (server as { config?: { configFile?: string; plugins?: readonly { name?: string }[]; test?: { projects?: unknown; workspace?: unknown; resolvedProjects?: unknown; root?: string } } }).config
        // A project's own server (its config file merged the root's): the root server checks.
        if (config?.plugins?.some((p) => p.name === 'vitest:project')) return
        checkReached(config?.test, reachedServers.has(server as object), config?.configFile)
      },
    },
    configureVitest,
  } as HardTimeoutPlugin
}

function runOf(vitest: VitestLike, resolved: ResolvedOptions): Run {
  let run = vitest[OURS]
  if (run) return run
  // The root config's plugin sets what applies to the whole run, whichever project came first.
  const root = (vitest.vite?.config?.plugins ?? []).find((p) => isOurs(p) && !p[CARRIER]) as OurPlugin | undefined
  const options = root?.[OPTIONS] ?? resolved
  const supervisor = new Supervisor(vitest, createStateDir(), options)
  run = {
    supervisor,
    options,
    guarded: new WeakSet(),
    count: 0,
    sources: { worker: sourceFile(WORKER), core: sourceFile(createRequire(WORKER).resolve('@hardtimeout/core/internal')) },
  }
  Object.defineProperty(vitest, OURS, { value: run, configurable: true })
  // Projects added after the configureVitest calls (injectTestProjects) are guarded when the run starts.
  vitest.config.reporters.push({ onInit: () => guardProjects(vitest, run!, []) }, new SummaryReporter(supervisor, options))
  supervisor.start()
  return run
}

function guardProjects(vitest: VitestLike, run: Run, more: readonly ProjectLike[]): void {
  for (const project of [...more, ...(vitest.projects ?? [])]) {
    if (run.guarded.has(project)) continue
    run.guarded.add(project)
    const options = projectOptions(project, run.options)
    checkRunWide(project, options, run.options)
    // The code cache fits only the realm it was compiled in.
    const load: WorkerConfig['load'] = { ...run.sources }
    if (runsInRunnerRealm(project.config.pool)) {
      load.codeCache = path.join(run.supervisor.stateDir, 'code-cache')
      fs.mkdirSync(load.codeCache, { recursive: true, mode: 0o700 })
    }
    project.config.runner = writeRunnerModule(++run.count, project.config.runner, { options, stateDir: run.supervisor.stateDir, load, line: run.supervisor.line })
  }
}

function sourceFile(file: string): SourceFile {
  const stat = fs.statSync(file)
  return { file, key: `${stat.size}-${Math.floor(stat.mtimeMs)}` }
}

function writeRunnerModule(index: number, userRunner: string | undefined, config: WorkerConfig): string {
  const lines = [`import { createRunner } from ${JSON.stringify(RUNNER)}`]
  if (userRunner) lines.push(`import UserRunner from ${JSON.stringify(userRunner)}`)
  lines.push(`export default await createRunner(${userRunner ? 'UserRunner' : 'undefined'}, ${JSON.stringify(config)})`, '')
  // With a user runner (maybe TypeScript) the module must go through Vite: another name.
  const file = path.join(config.stateDir, userRunner ? `runner-${index}-user.mjs` : `runner-${index}.mjs`)
  fs.writeFileSync(file, lines.join('\n'))
  return file
}
