/** The `hardTimeout` environment options: parsing, validation and where they came from. */
import { checkLimit, describeValue } from './helper';

/** What users put under `testEnvironmentOptions.hardTimeout`. */
export interface HardTimeoutOptions {
  /** Hard limit (ms) for every test and hook; default: each one's own Jest timeout. */
  timeout?: number;
  /** How long (ms) after the limit native code that cannot be unblocked may run before the worker is killed. Default 1000. */
  stuckAfter?: number;
  /** Keep the limits while a debugger is attached (default false: no limits while debugging). */
  whenDebugging?: boolean;
  /** `false` turns the environment into the plain base environment. Default true. */
  enabled?: boolean;
}

export interface ResolvedOptions {
  timeout: number | undefined;
  stuckAfter: number | undefined;
  whenDebugging: boolean;
  enabled: boolean;
  /** Human-readable origin, used in messages. */
  source: string;
}

/** The key under `testEnvironmentOptions`. */
export const OPTIONS_KEY = 'hardTimeout';

const KNOWN = new Set(['timeout', 'stuckAfter', 'whenDebugging', 'enabled']);

export class HardTimeoutConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HardTimeoutConfigError';
    // the message says it all: no code frame of this package's internals
    this.stack = `${this.name}: ${message}`;
  }
}

/** Whether the file's `@jest-environment-options` docblock sets `hardTimeout`. */
function fromDocblock(pragmas: Record<string, string | string[]> | undefined): boolean {
  const raw = pragmas?.['jest-environment-options'];
  const texts = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  for (const text of texts) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && OPTIONS_KEY in parsed) return true;
    } catch {
      // Jest itself reports invalid JSON in the docblock
    }
  }
  return false;
}

export interface OptionsInput {
  testEnvironmentOptions: Record<string, unknown> | undefined;
  docblockPragmas: Record<string, string | string[]> | undefined;
  testPath: string;
  rootDir: string;
}

/**
 * Reads and checks the options; throws {@link HardTimeoutConfigError} naming the bad value and
 * where it came from (the file's docblock or the project configuration).
 */
export function resolveOptions(input: OptionsInput): ResolvedOptions {
  const source = fromDocblock(input.docblockPragmas)
    ? `the @jest-environment-options docblock of ${input.testPath}`
    : `testEnvironmentOptions of the Jest project ${input.rootDir}`;
  const raw = input.testEnvironmentOptions?.[OPTIONS_KEY];
  const resolved: ResolvedOptions = { timeout: undefined, stuckAfter: undefined, whenDebugging: false, enabled: true, source };
  if (raw === undefined || raw === null) return resolved;
  const fail = (what: string, value: unknown, expected: string): never => {
    throw new HardTimeoutConfigError(
      `@hardtimeout/jest-env: invalid ${what} ${describeValue(value)} in ${source}: expected ${expected}`,
    );
  };
  if (typeof raw === 'number') {
    // shorthand: {"hardTimeout": 500}
    resolved.timeout = checked(raw, `${OPTIONS_KEY}`, fail);
    return resolved;
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return fail(OPTIONS_KEY, raw, 'an object such as {"timeout": 10000}');
  }
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!KNOWN.has(key)) fail(`option ${OPTIONS_KEY}.${key} =`, obj[key], `one of ${[...KNOWN].join(', ')}`);
  }
  if (obj.timeout !== undefined) resolved.timeout = checked(obj.timeout, `${OPTIONS_KEY}.timeout`, fail);
  if (obj.stuckAfter !== undefined) {
    const v = obj.stuckAfter;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${OPTIONS_KEY}.stuckAfter`, v, 'a number of milliseconds >= 0');
    resolved.stuckAfter = v as number;
  }
  if (obj.whenDebugging !== undefined) {
    if (typeof obj.whenDebugging !== 'boolean') fail(`${OPTIONS_KEY}.whenDebugging`, obj.whenDebugging, 'true or false');
    resolved.whenDebugging = obj.whenDebugging as boolean;
  }
  if (obj.enabled !== undefined) {
    if (typeof obj.enabled !== 'boolean') fail(`${OPTIONS_KEY}.enabled`, obj.enabled, 'true or false');
    resolved.enabled = obj.enabled as boolean;
  }
  return resolved;
}

function checked(value: unknown, what: string, fail: (what: string, value: unknown, expected: string) => never): number {
  try {
    return checkLimit(value, what);
  } catch {
    return fail(what, value, 'a positive number of milliseconds (or Infinity for no hard limit)');
  }
}
