// @hardtimeout/vitest: test timeouts that stop tests and hooks blocked in a loop, a regex,
// Atomics.wait or a blocking syscall, say where they hung, and let the run go on.
/// <reference path="../types/task-meta.d.ts" preserve="true" />
import './load-core.js'
export { hardTimeout, type HardTimeoutPlugin } from './plugin.js'
export type { HardTimeoutPluginOptions, NativeHangAction } from './options.js'
export type { HardTimeoutSummary, NotRunFile } from './summary.js'
export type { HardTimeoutInfo } from './shared.js'
export type { HardTimeoutRecord, HardTimeoutEntry, HardTimeoutCause, HardTimeoutAction, SourceLocation } from '@hardtimeout/core'

declare module 'vitest' {
  interface TaskMeta {
    /** Hard limit for this test (or, on a describe, its tests and hooks), in ms. */
    hardTimeout?: number
  }
}
