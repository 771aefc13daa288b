// The version check made while Vite loads the config, before Vitest starts anything. Vitest below
// 3.1 never calls the plugin's configureVitest hook (where the supervisor checks the version it is
// given): without this, such a Vitest would run every test unguarded, without a word.
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { vitestLine } from './internals/versions.js'

/** The version of the Vitest that loads this config, if it can be told. */
function runningVitestVersion(root: string | undefined): string | undefined {
  // The CLI: process.argv[1] is vitest's own vitest.mjs.
  try {
    const bin = fs.realpathSync(process.argv[1] ?? '')
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(bin), 'package.json'), 'utf8')) as { name?: string; version?: string }
    if (pkg.name === 'vitest' && typeof pkg.version === 'string') return pkg.version
  } catch {
    // not the CLI
  }
  // Vitest started from code (startVitest, createVitest): the one the project resolves.
  try {
    const pkg = createRequire(path.join(path.resolve(root ?? process.cwd()), 'package.json'))('vitest/package.json') as { version?: string }
    return pkg.version
  } catch {
    return undefined
  }
}

/**
 * Throws one clear error if Vitest (and not, say, `vite build` with the same config) is running and
 * is not a version the plugin supports.
 */
export function checkRunningVitest(root: string | undefined): void {
  if (process.env.VITEST === undefined) return
  const version = runningVitestVersion(root)
  if (version !== undefined) vitestLine(version)
}
