// Without the addon: Node's vm timeout guards the synchronous part. It stops a JS loop, but it
// cannot say where, and it cannot stop native calls or code running after an await.
import { Script } from 'node:vm'
import { now } from './clock'
import { HardTimeoutError, MESSAGE_WORDS, stoppedMessage } from './errors'
import type { ParsedOptions } from './options'

const SLOT = Symbol.for('hardtimeout.fallback.fn')
// Compiled on first use: with the addon loaded (the usual case) it is never needed, and core is
// loaded once per test file by runners that start a process per file.
let script: Script | undefined

export function runSyncWithVm<T>(fn: () => T, opts: ParsedOptions): T {
  const g = globalThis as Record<symbol, unknown>
  const previous = g[SLOT]
  g[SLOT] = fn
  const start = now()
  try {
    script ??= new Script('globalThis[Symbol.for("hardtimeout.fallback.fn")]()', { filename: 'hardtimeout-fallback.js' })
    return script.runInThisContext({ timeout: Math.ceil(opts.timeout) }) as T
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      const elapsed = now() - start
      throw new HardTimeoutError(
        `${stoppedMessage(opts.label, String(Math.round(elapsed)), String(opts.timeout))} ${MESSAGE_WORDS.noAddon}`,
        { timeout: opts.timeout, elapsed, label: opts.label, kind: 'js' },
      )
    }
    throw error
  } finally {
    g[SLOT] = previous
  }
}
