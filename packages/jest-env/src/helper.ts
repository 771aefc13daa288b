/**
 * The per-test helper. This module is imported by test files, inside Jest's sandbox, so it must
 * stay free of dependencies: the environment (outer realm) finds the limit through a registered
 * symbol, which is shared by every realm of the process.
 */

/** Property under which {@link withHardTimeout} stores a function's hard limit (ms). */
export const HARD_TIMEOUT_TAG: unique symbol = Symbol.for('@hardtimeout/jest-env.hardTimeout') as never;

type AnyFunction = (this: any, ...args: any[]) => any;

/** Checks a limit given in milliseconds; `Infinity` means "no hard limit". */
export function checkLimit(value: unknown, where: string): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0 || (!Number.isFinite(value) && value !== Infinity)) {
    throw new TypeError(
      `@hardtimeout/jest-env: invalid hard timeout ${describeValue(value)} in ${where}: ` +
        'expected a positive number of milliseconds (or Infinity for no hard limit)',
    );
  }
  if (value !== Infinity && value > 2_147_483_647) {
    throw new TypeError(`@hardtimeout/jest-env: invalid hard timeout ${value} in ${where}: larger than 2147483647 ms`);
  }
  return value;
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

/**
 * Gives one test (or hook) a hard limit different from its Jest timeout:
 *
 *     test('parses the big file', withHardTimeout(2000, () => { ... }), 30_000)
 *
 * The function is stopped where it is stuck once `ms` have passed, while Jest's own (soft) timeout
 * still applies to asynchronous waits. Works with `test`, `test.only`, `test.failing`,
 * `test.concurrent` and hooks; `test.each` hides the function from the environment, so give those
 * tests the limit through their timeout or `hardTimeout.timeout` instead.
 */
export function withHardTimeout<F extends AnyFunction>(ms: number, fn: F): F {
  checkLimit(ms, 'withHardTimeout()');
  if (typeof fn !== 'function') {
    throw new TypeError(`@hardtimeout/jest-env: withHardTimeout(${ms}, fn) expects a function, got ${describeValue(fn)}`);
  }
  let tagged: AnyFunction;
  if (Object.prototype.toString.call(fn) === '[object GeneratorFunction]') {
    tagged = fn; // a generator cannot be forwarded without changing what Jest sees: tag it as is
  } else if (fn.length > 0) {
    tagged = function (this: unknown, done: unknown) {
      return fn.call(this, done);
    };
  } else {
    tagged = function (this: unknown) {
      // eslint-disable-next-line prefer-rest-params
      return fn.apply(this, arguments as unknown as unknown[]);
    };
  }
  Object.defineProperty(tagged, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(tagged, HARD_TIMEOUT_TAG, { value: ms, configurable: true });
  return tagged as F;
}

/** The limit set by {@link withHardTimeout} on `fn`, if any. */
export function taggedLimit(fn: unknown): number | undefined {
  if (typeof fn !== 'function') return undefined;
  const value = (fn as unknown as Record<symbol, unknown>)[HARD_TIMEOUT_TAG];
  return typeof value === 'number' ? value : undefined;
}
