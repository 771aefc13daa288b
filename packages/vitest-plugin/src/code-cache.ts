// Loads our worker-side CommonJS files (core, and the runner's own code) with a V8 code cache.
//
// Why: Vitest's forks pool starts a process per test file, and each one compiles this code afresh:
// first the whole source is parsed, then each function as it is first called. That was most of
// what the plugin cost a healthy suite (measured: ~19 M instructions per test file, ~11 M of them
// loading and first calls). A code cache made once the code has run holds those functions already
// compiled (`vm.Script#createCachedData()` includes every function compiled so far); the next
// workers deserialize it instead.
//
// How it stays safe:
// - The cache lives in the run's state directory (made by mkdtemp, mode 0700, removed after the
//   run): no other user can plant one, and no cache outlives the files it was made from.
// - Its name carries the source file's size and mtime (taken by the main process when the run
//   starts) and the Node version and architecture: V8 checks its own version, its flags and the
//   source's length, not the source's content. (So in watch mode, where the key is taken once, an
//   installed core rewritten during the session to exactly the same size would need a restart.)
// - V8 rejects a cache that does not fit (other flags in another project's execArgv, say); the
//   file is then compiled as usual. A cache is written only by a worker that found none, once its
//   files have run, atomically (a temporary file renamed into place).
import * as fs from 'node:fs'
import { Module, createRequire } from 'node:module'
import * as path from 'node:path'
import * as vm from 'node:vm'
import type { SourceFile } from './shared.js'

type Exports = Record<string, unknown>

/** Node's own wrapper, on the source's first line: stack traces keep their line and column. */
const HEAD = '(function (exports, require, module, __filename, __dirname) { '
const TAIL = '\n})'

interface Loaded {
  script: vm.Script
  cacheFile: string
}

export class CodeCache {
  /** Scripts compiled without a usable cache: their cache is written by save(). */
  private readonly missing: Loaded[] = []
  /** What each load found (for the tests, and anyone debugging). */
  readonly loads: Array<{ file: string; cache: 'hit' | 'miss' | 'rejected' }> = []

  constructor(private readonly dir: string) {}

  /**
   * Loads a CommonJS file as `require` would, with its code cache when there is one. The module is
   * put in require.cache, so that a later require() of the same file returns this very instance.
   */
  require({ file, key }: SourceFile): Exports {
    const source = fs.readFileSync(file, 'utf8')
    const cacheFile = path.join(this.dir, `${path.basename(file)}-${key}-${process.version}-${process.arch}.v8cache`)
    let cachedData: Buffer | undefined
    try {
      cachedData = fs.readFileSync(cacheFile)
    } catch {
      // none yet
    }
    const script = new vm.Script(HEAD + source + TAIL, { filename: file, cachedData })
    if (cachedData === undefined) this.missing.push({ script, cacheFile })
    this.loads.push({ file, cache: cachedData === undefined ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit' })

    const mod = new Module(file, undefined)
    mod.filename = file
    const require = createRequire(file)
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void
    wrapper.call(mod.exports, mod.exports, require, mod, file, path.dirname(file))
    mod.loaded = true
    require.cache[file] = mod
    return mod.exports as Exports
  }

  /** Writes the caches this worker did not find, now that their code has run. Never throws. */
  save(): void {
    for (const { script, cacheFile } of this.missing.splice(0)) {
      try {
        if (fs.existsSync(cacheFile)) continue // another worker was first
        const tmp = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 })
        fs.renameSync(tmp, cacheFile)
      } catch {
        // a cache is an optimization only
      }
    }
  }
}
