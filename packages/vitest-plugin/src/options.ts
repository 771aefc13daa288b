// The plugin's options and meta.hardTimeout values: checked up front, every mistake names the
// value and where it came from.
import { core } from './core.js'

/** What to do with a worker whose test is stuck in native code that cannot be unblocked. */
export type NativeHangAction =
  /** forks/vmForks: SIGKILL the worker and its process tree; threads/vmThreads: abandon the thread. */
  | 'kill'
  /** Only report it (the run then waits for the native call to return). */
  | 'report'

export interface HardTimeoutPluginOptions {
  /** Hard limit for every test, in ms. Default: each test's own timeout (testTimeout or its per-test timeout). */
  timeout?: number
  /** Hard limit for every hook, in ms. Default: each hook's own timeout (hookTimeout or its per-hook timeout). */
  hookTimeout?: number
  /** Hard limit for loading a test file (its module top level), in ms. Default 60 000. */
  collectTimeout?: number
  /** How long after its limit a test that could not be stopped counts as stuck in native code, in ms. Default 1000. */
  stuckAfter?: number
  /** What happens to a worker stuck in native code. Default 'kill'. */
  onNativeHang?: NativeHangAction
  /** Write the run's hard-timeout summary as JSON to this path (relative to the project root). */
  report?: string
}

export interface ResolvedOptions {
  timeout: number | undefined
  hookTimeout: number | undefined
  collectTimeout: number
  stuckAfter: number
  onNativeHang: NativeHangAction
  report: string | undefined
}

export const MAX_MS = 2 ** 31 - 1
const KNOWN = ['timeout', 'hookTimeout', 'collectTimeout', 'stuckAfter', 'onNativeHang', 'report']

/** How error messages show a value (shared with core's own option errors). */
export const show = (value: unknown): string => core.formatValue(value)

/** A limit in ms: a positive finite number up to 2^31-1. `where` says where the value came from. */
export function checkLimit(where: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_MS) {
    throw new TypeError(`[hardtimeout] ${where} must be a positive number of milliseconds (at most ${MAX_MS}), got ${show(value)}`)
  }
  return value
}

export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) options = {}
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`[hardtimeout] hardTimeout(options): options must be an object like { timeout: 5000 }, got ${show(options)}`)
  }
  const o = options as Record<string, unknown>
  for (const key of Object.keys(o)) {
    if (!KNOWN.includes(key)) {
      throw new TypeError(`[hardtimeout] hardTimeout(options): unknown option "${key}" (value ${show(o[key])}); known options: ${KNOWN.join(', ')}`)
    }
  }
  const opt = (name: string): number | undefined =>
    o[name] === undefined ? undefined : checkLimit(`hardTimeout({ ${name} })`, o[name])
  const onNativeHang = o.onNativeHang ?? 'kill'
  if (onNativeHang !== 'kill' && onNativeHang !== 'report') {
    throw new TypeError(`[hardtimeout] hardTimeout({ onNativeHang }) must be 'kill' or 'report', got ${show(o.onNativeHang)}`)
  }
  if (o.report !== undefined && (typeof o.report !== 'string' || o.report === '')) {
    throw new TypeError(`[hardtimeout] hardTimeout({ report }) must be a file path like 'hard-timeouts.json', got ${show(o.report)}`)
  }
  return {
    timeout: opt('timeout'),
    hookTimeout: opt('hookTimeout'),
    collectTimeout: opt('collectTimeout') ?? 60_000,
    stuckAfter: opt('stuckAfter') ?? 1000,
    onNativeHang,
    report: o.report as string | undefined,
  }
}

/** The meta.hardTimeout of a test or suite, checked; undefined when not set. */
export function metaLimit(meta: unknown, where: () => string): number | undefined {
  if (meta === null || typeof meta !== 'object') return undefined
  const value = (meta as { hardTimeout?: unknown }).hardTimeout
  if (value === undefined) return undefined
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_MS) return value
  return checkLimit(`meta.hardTimeout of ${where()}`, value)
}

/** The edit distance between two short strings (insertions, deletions, substitutions, swaps). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1)
      d[i]![j] = v
    }
  }
  return d[a.length]![b.length]!
}

/**
 * The keys of a meta object that look like a misspelt hardTimeout (hardTimout, hardtimeout,
 * hard_timeout, …): the plugin ignores them, so the user is told.
 */
export function nearMissKeys(meta: unknown): string[] {
  if (meta === null || typeof meta !== 'object') return []
  const out: string[] = []
  for (const key of Object.keys(meta)) {
    if (key === 'hardTimeout') continue
    const norm = key.toLowerCase().replace(/[^a-z]/g, '')
    if (Math.abs(norm.length - 11) <= 2 && distance(norm, 'hardtimeout') <= 2) out.push(key)
  }
  return out
}

/** Vitest's own timeout for a task: a positive finite number, else none (0 and Infinity mean "no timeout"). */
export function ownLimit(timeout: unknown): number | undefined {
  return typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, MAX_MS) : undefined
}
