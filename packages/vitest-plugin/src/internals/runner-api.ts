// Vitest's runner API, loaded in the worker for the running line (runner.ts calls this before any
// test file is collected). The names differ between lines, and importing a name a line lacks is a
// SyntaxError that fails every file: each line's names are imported only on that line.
//
//   3.2.x   VitestTestRunner from 'vitest/runners'; getFn, getHooks from 'vitest/suite'
//   4.1.x   TestRunner from 'vitest', with static getTestFn / getSuiteHooks (5.x: the same;
//   5.x     'vitest/runners' and 'vitest/suite' are gone)
import { setupError, type VitestLine } from './versions.js'

type Fn = (...args: unknown[]) => unknown
export type HookList = Fn[]
export type RunnerCtor = (new (config: never) => object) & { prototype: Record<string, unknown> }

/** What the worker uses of Vitest's runner API. */
export interface RunnerApi {
  line: VitestLine
  /** Vitest's own runner class: ours extends it (or the user's runner, which extends it). */
  TestRunner: RunnerCtor
  /** The function Vitest runs for a test (its body wrapped in Vitest's timeout). */
  getTestFn(test: object): Fn
  /** A suite's hooks by name: 'beforeAll', 'afterAll', 'beforeEach', 'afterEach', arrays Vitest runs in order. */
  getSuiteHooks(suite: object): Record<string, HookList | undefined> | undefined
}

type Module = Record<string, unknown>

/** `vitest`: the worker's `import * as vitest from 'vitest'` (a namespace import never fails on a missing name). */
export async function loadRunnerApi(line: VitestLine, vitest: Module): Promise<RunnerApi> {
  const where = line === 3 ? "'vitest/runners' and 'vitest/suite'" : "'vitest'"
  const missing = (name: string): Error =>
    setupError(`[hardtimeout] Vitest ${line}.x should export ${name} from ${where}, and this one does not: this Vitest is not one @hardtimeout/vitest supports`)
  if (line === 3) {
    // Specifiers in variables: the bundler and type checker must not resolve them against the
    // Vitest the package is built with.
    const runners = (await import(RUNNERS)) as Module
    const suite = (await import(SUITE)) as Module
    const TestRunner = runners.VitestTestRunner
    if (typeof TestRunner !== 'function') throw missing('VitestTestRunner')
    if (typeof suite.getFn !== 'function') throw missing('getFn')
    if (typeof suite.getHooks !== 'function') throw missing('getHooks')
    return { line, TestRunner: TestRunner as RunnerCtor, getTestFn: suite.getFn as RunnerApi['getTestFn'], getSuiteHooks: suite.getHooks as RunnerApi['getSuiteHooks'] }
  }
  const TestRunner = vitest.TestRunner as (RunnerCtor & Module) | undefined
  if (typeof TestRunner !== 'function') throw missing('TestRunner')
  if (typeof TestRunner.getTestFn !== 'function') throw missing('TestRunner.getTestFn')
  if (typeof TestRunner.getSuiteHooks !== 'function') throw missing('TestRunner.getSuiteHooks')
  return { line, TestRunner, getTestFn: TestRunner.getTestFn as RunnerApi['getTestFn'], getSuiteHooks: TestRunner.getSuiteHooks as RunnerApi['getSuiteHooks'] }
}

const RUNNERS: string = 'vitest/runners'
const SUITE: string = 'vitest/suite'
