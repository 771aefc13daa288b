// Which Vitest releases the plugin runs on. Every access to a Vitest or tinypool internal (main.ts,
// worker.ts next to this file) is known to hold on these lines only; anything else is refused at
// startup rather than run with a guard that may silently not work.

/** The Vitest lines the plugin serves, each with its own internals adapter. */
export type VitestLine = 3 | 4 | 5

/** The releases the internals were checked on (the tests' lines and scripts/compat.mjs). */
export const CHECKED_ON = ['3.2.4', '3.2.7', '4.1.12', '5.1.1'] as const

/** The supported range, as users read it (the package's peer range says the same). */
export const SUPPORTED_RANGE = '^3.2.0 || >=4.1.0 <6'

const HOW_TO_FIX = 'install a supported Vitest (for example `npm install -D vitest@^3.2`, `vitest@^4.1` or `vitest@^5`), or remove hardTimeout() from the config'

/** An error about the user's setup, not our code: its stack would only bury the message. */
export function setupError(message: string): Error {
  const error = new Error(message)
  error.stack = `Error: ${message}`
  return error
}

/**
 * The adapter line for a running Vitest version. Throws one clear error naming the version found
 * and the supported range: a run that would start with its tests unguarded must not start.
 */
export function vitestLine(version: unknown): VitestLine {
  const m = typeof version === 'string' ? /^(\d+)\.(\d+)\.(\d+)/.exec(version) : null
  if (!m) {
    throw setupError(`[hardtimeout] could not tell which Vitest is running (its version is ${JSON.stringify(version)}); @hardtimeout/vitest supports Vitest ${SUPPORTED_RANGE}: ${HOW_TO_FIX}`)
  }
  const major = Number(m[1])
  const minor = Number(m[2])
  if (major === 3 && minor >= 2) return 3
  if (major === 4 && minor >= 1) return 4
  if (major === 5) return 5
  throw setupError(`[hardtimeout] Vitest ${version} is not supported: @hardtimeout/vitest supports Vitest ${SUPPORTED_RANGE} (checked on ${CHECKED_ON.join(', ')}); ${HOW_TO_FIX}`)
}
