// Loads @hardtimeout/native once per thread. When it cannot load (unsupported platform, no
// prebuild and no compiler, or HARDTIMEOUT_FORCE_FALLBACK=1) core keeps working on the pure-JS
// fallback and says once, as a process warning, what is lost (platform.ts).
import { fallbackWarning } from './platform'

export interface StopInfo {
  error?: unknown
  stopped: boolean
  timeoutMs: number
  elapsedMs: number
  latencyMs: number
  fired: boolean
  native: boolean
  stuck: boolean
  busyOutside: boolean
  /** With busyOutside: the stack of the JavaScript it was running (see StuckReport.stack). */
  busyStack?: string
  diagnosis?: string
  unblock?: string
  customName?: string
  customMessage?: string
  /** Label of the arm whose loop starved this one past its deadline (it was given its limit again). */
  starvedBy?: string
}

export type ThreadOpResult =
  | 'ok' | 'foreign' | 'unknown' | 'mismatch' | 'stale' | 'killed'
  | 'noguard' | 'firing' | 'main' | 'self' | 'running-js' | 'responsive' | 'nosignal' | 'pending'

export interface NativeBinding {
  readonly STOPPED: object
  readonly tid: number
  readonly generation: number
  readonly isMainThread: boolean
  readonly signals: boolean
  run(fn: Function, thisArg: unknown, timeoutMs: number, label?: string, stuckAfterMs?: number,
    reportPath?: string, killProcess?: boolean, exec?: string): unknown
  asyncToken(): number
  takeStop(): StopInfo | undefined
  settle(token: number, final: boolean): StopInfo | undefined
  rearmed(token: number): { leftMs: number; starvedBy: string } | undefined
  setAsyncOwner(cell: Float64Array | null): void
  interrupt(generation: number, tid: number, pid: number, name: string, message: string): ThreadOpResult
  unblock(generation: number, tid: number, pid: number): string
  diagnose(pid: number, tid: number): string
  kill(generation: number, tid: number, pid: number, waitMs: number): ThreadOpResult
  setStuckListener(listener: ((json: string) => void) | null): void
  setStuckLog(buffer: ArrayBuffer | null, path: string, grown: boolean): void
  configure(microtaskStops: boolean, afterMicrotaskStop?: () => void, onIdleFire?: (token: number) => void): void
  killDescendants(pid: number, tid: number): string
  dieWithParent(descendants: boolean): boolean
}

let binding: NativeBinding | undefined
let reason: string | undefined

if (process.env.HARDTIMEOUT_FORCE_FALLBACK === '1') {
  reason = 'HARDTIMEOUT_FORCE_FALLBACK=1 is set'
} else if (process.platform !== 'linux') {
  reason = `platform ${process.platform} is not supported yet (Linux only)`
} else {
  try {
    binding = require('@hardtimeout/native') as NativeBinding
  } catch (error) {
    reason = `@hardtimeout/native did not load: ${(error as Error).message.split('\n')[0]}`
  }
}

if (binding === undefined) {
  process.emitWarning(fallbackWarning(reason!), { code: 'HARDTIMEOUT_NO_NATIVE', type: 'HardTimeoutWarning' })
}

export const native: NativeBinding | undefined = binding

/** Whether the native addon is in use, and if not, why. */
export function nativeStatus(): { loaded: boolean; reason?: string } {
  return binding ? { loaded: true } : { loaded: false, reason: reason ?? 'unknown' }
}

export function requireNative(what: string): NativeBinding {
  if (binding) return binding
  throw new Error(`${what} needs the native addon, which is not available: ${reason}`)
}
