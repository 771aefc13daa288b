// Validation of runWithHardTimeout's options: every mistake names the option and the value.

export interface StuckPlan {
  /** Write the stuck report (JSON) to this path, from the native watchdog thread. */
  report?: string
  /** 'process': SIGKILL every descendant of this process, then the process itself. Default 'none'. */
  kill?: 'process' | 'none'
}

export interface HardTimeoutOptions {
  /** The hard limit, in ms: a positive, finite number (at most 2^31-1). */
  timeout: number
  /** Names the function in errors and stuck reports (a test's name, say). */
  label?: string
  /** Fire deadlines even when a debugger (inspector) is attached. Default false. */
  whenDebugging?: boolean
  /** How long after the deadline a thread that could not be stopped counts as stuck. Default 1000 ms. */
  stuckAfter?: number
  /** What the native watchdog does when the thread stays stuck (no JavaScript can run then). */
  onStuck?: StuckPlan
}

export interface ParsedOptions {
  timeout: number
  label: string | undefined
  whenDebugging: boolean
  stuckAfter: number
  report: string | undefined
  killProcess: boolean
  /** stuckAfter, report and killProcess are the defaults: the native call needs fewer arguments. */
  defaults: boolean
}

const KNOWN = new Set(['timeout', 'label', 'whenDebugging', 'stuckAfter', 'onStuck'])
/** Also the addon's own default (NewArm in native/src/registry.cc): then it need not be passed. */
const DEFAULT_STUCK_AFTER_MS = 1000
const MAX_MS = 2 ** 31 - 1

/** A value as an error message should show it: strings quoted, bigints with n, objects as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'function') return 'a function'
  if (value === null || typeof value !== 'object') return String(value)
  try {
    return JSON.stringify(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

export function checkMs(name: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number of milliseconds, got ${formatValue(value)}`)
  }
  if (!Number.isFinite(value) || value <= 0 || value > MAX_MS) {
    throw new RangeError(`${name} must be a positive, finite number of milliseconds up to ${MAX_MS}, got ${formatValue(value)}`)
  }
  return value
}

export function parseOptions(options: unknown): ParsedOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`runWithHardTimeout: options must be an object like { timeout: 1000 }, got ${formatValue(options)}`)
  }
  const o = options as Record<string, unknown>
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) {
      throw new TypeError(`runWithHardTimeout: unknown option "${key}" (value ${formatValue(o[key])}); known options: ${[...KNOWN].join(', ')}`)
    }
  }
  const timeout = checkMs('runWithHardTimeout: options.timeout', o.timeout)
  if (o.label !== undefined && typeof o.label !== 'string') {
    throw new TypeError(`runWithHardTimeout: options.label must be a string, got ${formatValue(o.label)}`)
  }
  if (o.whenDebugging !== undefined && typeof o.whenDebugging !== 'boolean') {
    throw new TypeError(`runWithHardTimeout: options.whenDebugging must be a boolean, got ${formatValue(o.whenDebugging)}`)
  }
  const stuckAfter = o.stuckAfter === undefined ? DEFAULT_STUCK_AFTER_MS : checkMs('runWithHardTimeout: options.stuckAfter', o.stuckAfter)
  let report: string | undefined
  let killProcess = false
  if (o.onStuck !== undefined) {
    const plan = o.onStuck as Record<string, unknown>
    if (plan === null || typeof plan !== 'object') {
      throw new TypeError(`runWithHardTimeout: options.onStuck must be an object like { report: 'stuck.json', kill: 'process' }, got ${formatValue(o.onStuck)}`)
    }
    for (const key of Object.keys(plan)) {
      if (key !== 'report' && key !== 'kill') {
        throw new TypeError(`runWithHardTimeout: unknown option "onStuck.${key}" (value ${formatValue(plan[key])}); known: report, kill`)
      }
    }
    if (plan.report !== undefined && (typeof plan.report !== 'string' || plan.report === '')) {
      throw new TypeError(`runWithHardTimeout: options.onStuck.report must be a file path, got ${formatValue(plan.report)}`)
    }
    if (plan.kill !== undefined && plan.kill !== 'process' && plan.kill !== 'none') {
      throw new TypeError(`runWithHardTimeout: options.onStuck.kill must be 'process' or 'none', got ${formatValue(plan.kill)}`)
    }
    report = plan.report as string | undefined
    killProcess = plan.kill === 'process'
  }
  return {
    timeout,
    label: o.label as string | undefined,
    whenDebugging: o.whenDebugging === true,
    stuckAfter,
    report,
    killProcess,
    defaults: stuckAfter === DEFAULT_STUCK_AFTER_MS && report === undefined && !killProcess,
  }
}
