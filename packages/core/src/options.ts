// Validation of runWithHardTimeout's options: every mistake names the option and the value.

export interface StuckPlan {
  /** Write the stuck report (JSON) to this path, from the native watchdog thread. */
  report?: string
  /** 'process': SIGKILL every descendant of this process, then the process itself. Default 'none'. */
  kill?: 'process' | 'none'
  /**
   * A program to start from the watchdog thread, `[file, ...args]` (no shell; `file` is looked up
   * in PATH), with the stuck report's JSON added as its last argument. It inherits this process's
   * environment, working directory and standard streams. With `kill: 'process'` it runs first:
   * the process is killed when it exits, or after 10 s.
   */
  exec?: readonly string[]
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
  /** onStuck.exec for the addon: each argument followed by a NUL byte. */
  exec: string | undefined
  /** stuckAfter, report, killProcess and exec are the defaults: the native call needs fewer arguments. */
  defaults: boolean
}

const KNOWN = ['timeout', 'label', 'whenDebugging', 'stuckAfter', 'onStuck']
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

/** The option names, as one comparison chain: a Set lookup per key cost more, in every call. */
function isKnown(key: string): boolean {
  return key === 'timeout' || key === 'label' || key === 'stuckAfter' || key === 'onStuck' || key === 'whenDebugging'
}

/** A valid number of ms (NaN fails the first comparison, Infinity the second). */
function isMs(value: unknown): value is number {
  return typeof value === 'number' && value > 0 && value <= MAX_MS
}

/**
 * Runs on every guarded call (a test runner's every test and hook): each option is read once, and
 * the checks that build error messages run only for a value that already failed the quick test.
 */
export function parseOptions(options: unknown): ParsedOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`runWithHardTimeout: options must be an object like { timeout: 1000 }, got ${formatValue(options)}`)
  }
  const o = options as Record<string, unknown>
  const keys = Object.keys(o)
  for (let i = 0; i < keys.length; i++) {
    if (!isKnown(keys[i]!)) {
      throw new TypeError(`runWithHardTimeout: unknown option "${keys[i]}" (value ${formatValue(o[keys[i]!])}); known options: ${KNOWN.join(', ')}`)
    }
  }
  const { timeout, label, whenDebugging, stuckAfter, onStuck } = o
  if (!isMs(timeout)) checkMs('runWithHardTimeout: options.timeout', timeout)
  if (label !== undefined && typeof label !== 'string') {
    throw new TypeError(`runWithHardTimeout: options.label must be a string, got ${formatValue(label)}`)
  }
  if (whenDebugging !== undefined && typeof whenDebugging !== 'boolean') {
    throw new TypeError(`runWithHardTimeout: options.whenDebugging must be a boolean, got ${formatValue(whenDebugging)}`)
  }
  if (stuckAfter !== undefined && !isMs(stuckAfter)) checkMs('runWithHardTimeout: options.stuckAfter', stuckAfter)
  let report: string | undefined
  let killProcess = false
  let exec: string | undefined
  if (onStuck !== undefined) {
    if (onStuck === lastStuck?.plan) ({ report, killProcess, exec } = lastStuck)
    else ({ report, killProcess, exec } = parseStuckPlan(onStuck))
  }
  const after = (stuckAfter as number | undefined) ?? DEFAULT_STUCK_AFTER_MS
  return {
    timeout: timeout as number,
    label: label as string | undefined,
    whenDebugging: whenDebugging === true,
    stuckAfter: after,
    report,
    killProcess,
    exec,
    defaults: after === DEFAULT_STUCK_AFTER_MS && report === undefined && !killProcess && exec === undefined,
  }
}

interface ParsedStuckPlan {
  plan: object
  report: string | undefined
  killProcess: boolean
  exec: string | undefined
}

/**
 * The last frozen onStuck read. A test runner passes one frozen plan for every call of a file:
 * it cannot change, so it is checked and its program joined once, not at every test.
 */
let lastStuck: ParsedStuckPlan | undefined

function parseStuckPlan(onStuck: unknown): ParsedStuckPlan {
  const plan = onStuck as Record<string, unknown>
  if (plan === null || typeof plan !== 'object') {
    throw new TypeError(`runWithHardTimeout: options.onStuck must be an object like { report: 'stuck.json', kill: 'process' }, got ${formatValue(onStuck)}`)
  }
  const planKeys = Object.keys(plan)
  for (let i = 0; i < planKeys.length; i++) {
    const key = planKeys[i]!
    if (key !== 'report' && key !== 'kill' && key !== 'exec') {
      throw new TypeError(`runWithHardTimeout: unknown option "onStuck.${key}" (value ${formatValue(plan[key])}); known: report, kill, exec`)
    }
  }
  const { report: path, kill, exec: program } = plan
  if (path !== undefined && (typeof path !== 'string' || path === '')) {
    throw new TypeError(`runWithHardTimeout: options.onStuck.report must be a file path, got ${formatValue(path)}`)
  }
  if (kill !== undefined && kill !== 'process' && kill !== 'none') {
    throw new TypeError(`runWithHardTimeout: options.onStuck.kill must be 'process' or 'none', got ${formatValue(kill)}`)
  }
  const parsed: ParsedStuckPlan = {
    plan,
    report: path as string | undefined,
    killProcess: kill === 'process',
    // (joined once here; the addon still copies it at every call)
    exec: program !== undefined ? joinProgram(program) : undefined,
  }
  if (Object.isFrozen(plan) && (plan.exec === undefined || Object.isFrozen(plan.exec))) lastStuck = parsed
  return parsed
}

/** onStuck.exec checked, and joined as the addon reads it: one string, each argument ended by NUL. */
function joinProgram(program: unknown): string {
  const example = "like [process.execPath, 'report-stuck.js']"
  if (!Array.isArray(program) || program.length === 0) {
    throw new TypeError(`runWithHardTimeout: options.onStuck.exec must be a non-empty array of strings ${example}, got ${formatValue(program)}`)
  }
  let joined = ''
  for (let i = 0; i < program.length; i++) {
    const arg: unknown = program[i]
    if (typeof arg !== 'string' || arg.includes('\0') || (i === 0 && arg === '')) {
      const what = i === 0 ? 'a program (a path or a name in PATH)' : 'a string without NUL characters'
      throw new TypeError(`runWithHardTimeout: options.onStuck.exec[${i}] must be ${what}, got ${formatValue(arg)}`)
    }
    joined += arg + '\0'
  }
  return joined
}
