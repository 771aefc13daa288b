// The Vite/Vitest plugin: points each project's test.runner at our runner (composed with the
// user's), starts the main-process supervisor and adds the summary reporter.
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveOptions, type HardTimeoutPluginOptions } from './options.js'
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

interface ProjectLike {
  config: { runner?: string; root: string; name?: string; pool?: unknown }
}
interface VitestLike {
  config: { reporters: unknown[]; root: string }
  [OURS]?: Supervisor
}

/** A minimal Vite plugin shape, so that users' configs type-check whatever Vite version they use. */
export interface HardTimeoutPlugin {
  name: string
  config(config?: { root?: string }): { test: { server: { deps: { external: RegExp[] } } } }
  configureVitest(context: { vitest: unknown; project: unknown }): void
}

export function hardTimeout(options?: HardTimeoutPluginOptions): HardTimeoutPlugin {
  // Fail fast, while the config file loads, naming the bad value.
  const resolved = resolveOptions(options)
  let count = 0
  // The worker's files, stat'ed once (their code cache's key): the same for every project.
  let sources: Pick<WorkerConfig['load'], 'worker' | 'core'> | undefined
  return {
    name: 'hardtimeout',
    config(config) {
      checkRunningVitest(config?.root)
      return { test: { server: { deps: { external: nativeModules() } } } }
    },
    configureVitest(context) {
      const vitest = context.vitest as VitestLike
      const project = context.project as ProjectLike
      let supervisor = vitest[OURS]
      if (!supervisor) {
        const stateDir = createStateDir()
        supervisor = new Supervisor(vitest, stateDir, resolved)
        Object.defineProperty(vitest, OURS, { value: supervisor, configurable: true })
        vitest.config.reporters.push(new SummaryReporter(supervisor, resolved))
        supervisor.start()
      }
      sources ??= { worker: sourceFile(WORKER), core: sourceFile(createRequire(WORKER).resolve('@hardtimeout/core/internal')) }
      // The code cache fits only the realm it was compiled in.
      const load: WorkerConfig['load'] = { ...sources }
      if (runsInRunnerRealm(project.config.pool)) {
        load.codeCache = path.join(supervisor.stateDir, 'code-cache')
        fs.mkdirSync(load.codeCache, { recursive: true, mode: 0o700 })
      }
      project.config.runner = writeRunnerModule(++count, project.config.runner, { options: resolved, stateDir: supervisor.stateDir, load, line: supervisor.line })
    },
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
