// @hardtimeout/core, as the process loaded it. It is CommonJS and always required, never imported:
// Vite's module runner never transforms it, and no ES-module wrapper has to be built around it in
// each worker. Vitest's main process requires it in load-core.ts; a worker's runner.ts loads it
// (with a code cache where it can) and hands it to the worker bundle.
import type * as Core from '@hardtimeout/core/internal'

export let core: typeof Core

export function provideCore(loaded: typeof Core): void {
  core = loaded
}

export type { Core }
