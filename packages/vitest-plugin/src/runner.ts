// The worker side's entry: the module Vitest imports as `test.runner`, through a small module the
// plugin generates per project (plugin.ts). The runner's code itself is dist/worker.cjs, CommonJS,
// so that it and core can be loaded with a code cache (code-cache.ts) in the pools where Vitest
// runs tests in this realm (forks, threads). The vm pools load it with a plain require.
import { createRequire } from 'node:module'
import * as vitest from 'vitest'
import { CodeCache } from './code-cache.js'
import { loadRunnerApi } from './internals/runner-api.js'
import type { WorkerConfig } from './shared.js'
import type * as Worker from './worker.js'
import type * as Core from '@hardtimeout/core/internal'

type RunnerCtor = new (config: never) => object

export { CodeCache } // for its tests

export async function createRunner(UserRunner: RunnerCtor | undefined, config: WorkerConfig): Promise<RunnerCtor> {
  const api = await loadRunnerApi(config.line, vitest as unknown as Record<string, unknown>)
  const load = config.load
  if (!load.codeCache) {
    const require = createRequire(import.meta.url)
    const worker = require(load.worker.file) as typeof Worker
    return worker.createRunner(api, require(load.core.file) as typeof Core, UserRunner, config)
  }
  const cache = new CodeCache(load.codeCache)
  const core = cache.require(load.core) as unknown as typeof Core
  const worker = cache.require(load.worker) as unknown as typeof Worker
  return worker.createRunner(api, core, UserRunner, config, cache)
}
