/**
 * Replaces a test or hook function by one that calls it under a hard timeout, while keeping
 * everything jest-circus looks at: arity (done-style detection is `fn.length > 0`), `this` (the
 * test context), the name, and the return value (undefined, or a promise).
 */
import * as path from 'node:path';
import { setImmediate } from 'node:timers';
import { runWithHardTimeout, type StuckPlan } from '@hardtimeout/core/internal';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** The options of one guarded call (runWithHardTimeout's). */
export interface CoreOptions {
  timeout: number;
  label: string;
  stuckAfter?: number;
  whenDebugging?: boolean;
  onStuck?: StuckPlan;
}

/** What one guarded call needs; `null` runs the function unguarded. */
export interface GuardPlan {
  core: CoreOptions;
  /**
   * Jest's own timeout for this call. A call that is merely waiting (not blocking the thread) when
   * a hard limit >= this one passes is left to Jest's timeout, which reports it as it always did.
   */
  soft: number;
}

export interface GuardHooks {
  /** Every HardTimeoutError that comes out of the function. */
  onHardTimeout(error: Error): void;
  /**
   * An asynchronous call is in flight: `settled` resolves with its HardTimeoutError, if any;
   * `release()` ends its hard limit (once Jest is done with the call, e.g. after its own timeout).
   */
  onAsync?(settled: Promise<Error | undefined>, release: () => void, call: { start: number; limit: number }): void;
}

/** A HardTimeoutError for a call that was waiting, not stuck. */
export function isPendingTimeout(error: unknown): boolean {
  return isHardTimeoutError(error) && (error as { pending?: unknown }).pending === true;
}

const never = (): Promise<never> => new Promise<never>(() => {});

/** The package roots of this package and of @hardtimeout/core: their frames say nothing to the user. */
const OWN_ROOTS: string[] = (() => {
  const roots = [__dirname];
  try {
    roots.push(path.resolve(path.dirname(require.resolve('@hardtimeout/core')), '..'));
  } catch {
    // core not resolvable from here: keep its frames
  }
  return roots.map((r) => r + path.sep);
})();

/** Drops the frames of the guard itself (this package, core) from a HardTimeoutError's stack. */
function trimOwnFrames(error: Error): void {
  try {
    const stack = error.stack;
    if (typeof stack !== 'string') return;
    const lines = stack.split('\n');
    const kept = lines.filter((line) => !(/^\s+at /.test(line) && OWN_ROOTS.some((root) => line.includes(root))));
    if (kept.length !== lines.length) error.stack = kept.join('\n');
  } catch {
    // leave the stack as it is
  }
}

const WRAPPER = Symbol('@hardtimeout/jest-env.wrapper');

export function isWrapper(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[WRAPPER] === true;
}

export function isHardTimeoutError(error: unknown): error is Error & { timeout: number; elapsed: number; kind: 'js' | 'native' } {
  return error instanceof Error
    ? error.name === 'HardTimeoutError'
    : typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'HardTimeoutError';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null &&
    typeof (value as { then?: unknown }).then === 'function';
}

/** What TypeScript (`__awaiter`) and Babel (`asyncGeneratorStep`, regenerator) emit for `async` below ES2017. */
const TRANSPILED_ASYNC = /\b(?:__awaiter|asyncGeneratorStep|_asyncToGenerator|regeneratorRuntime|_regeneratorRuntime)\b/;

/**
 * Whether `fn` is an `async function`, or one transpiled from it: such a function is started in a
 * macrotask of its own.
 *
 * Why: a loop right after awaiting an already-settled value (`await null; for (;;) {}`) runs in
 * the microtask checkpoint of whatever called the function. Stopping it ends that checkpoint, and
 * V8 drops the jobs queued behind it there, jest-circus's among them: Jest then waits forever
 * (29.7 and 30.5). Started from `setImmediate`, the function's first jobs share their
 * checkpoint with nobody. Other functions are called in place: moving every synchronous test to a
 * later macrotask would let timers and I/O run between a `beforeEach` and its test.
 */
function isAsyncFunction(fn: AnyFunction): boolean {
  if (Object.prototype.toString.call(fn) === '[object AsyncFunction]') return true;
  try {
    return TRANSPILED_ASYNC.test(Function.prototype.toString.call(fn));
  } catch {
    return false; // a proxy or a host function without source
  }
}

/** Hands a HardTimeoutError to the hooks (after dropping our own frames from its stack). */
function report(hooks: GuardHooks, error: unknown): void {
  if (isHardTimeoutError(error)) {
    trimOwnFrames(error);
    try {
      hooks.onHardTimeout(error);
    } catch {
      // bookkeeping must never change the test's outcome
    }
  }
}

function track(
  hooks: GuardHooks,
  settled: Promise<Error | undefined>,
  release: () => void,
  call: { start: number; limit: number },
): void {
  try {
    hooks.onAsync?.(settled, release, call);
  } catch {
    // see report
  }
}

const NO_RELEASE = (): void => {};

/** The result of {@link run}: what the call returned (or a promise of it), and how to end its limit. */
interface Ran {
  result: unknown;
  release: () => void;
}

/**
 * Runs `call` under the hard limit. A promise it returns is handed to core wrapped, so that its
 * limit can be released once Jest is done with the call: a promise Jest gave up on (after its own
 * timeout) must never fire a limit later, during another test.
 */
function run(call: () => unknown, p: GuardPlan): Ran {
  let release: () => void = NO_RELEASE;
  const result = runWithHardTimeout(() => {
    const value = call();
    if (!isThenable(value)) return value;
    return new Promise((resolve, reject) => {
      release = () => resolve(undefined);
      value.then(resolve, reject);
    });
  }, p.core);
  return { result, release: () => release() };
}

/** A test or hook that takes `done`: guarded until done() is called (or its promise settles). */
function guardDoneStyle(orig: AnyFunction, plan: () => GuardPlan | null, hooks: GuardHooks): AnyFunction {
  return function (this: unknown, done: unknown) {
    const p = plan();
    if (!p || typeof done !== 'function') return orig.call(this, done);
    const start = Date.now();
    const self = this;
    let stopped = false;
    let finished = false;
    let signal!: () => void;
    const called = new Promise<void>((resolve) => (signal = resolve));
    const doneProxy = function (this: unknown, ...args: unknown[]) {
      if (stopped) return undefined; // the test already failed with its HardTimeoutError
      finished = true;
      signal();
      return (done as AnyFunction).apply(this, args);
    };
    let returned: unknown;
    let guarded: unknown;
    let release: () => void;
    try {
      ({ result: guarded, release } = run(() => {
        returned = orig.call(self, doneProxy);
        // A done-style function that also returns something is an error jest-circus reports: let it.
        return returned === undefined ? called : returned;
      }, p));
    } catch (error) {
      report(hooks, error);
      throw error;
    }
    if (returned !== undefined) return guarded;
    if (isThenable(guarded)) {
      track(
        hooks,
        Promise.resolve(guarded).then(
          () => undefined,
          (error: unknown) => {
            if (finished || !isHardTimeoutError(error)) return undefined;
            // only waiting for done(), and Jest's own timeout is due no later: leave it to Jest
            if (isPendingTimeout(error) && p.core.timeout >= p.soft) return undefined;
            stopped = true;
            report(hooks, error);
            (done as AnyFunction)(error);
            return error;
          },
        ),
        release,
        { start, limit: p.core.timeout },
      );
    }
    return undefined;
  };
}

/**
 * Calls a test or hook that takes no `done` under its limit; returns what it returns. (run()
 * inlined: this is every test's path, and a synchronous test then allocates one closure.)
 */
function callGuarded(orig: AnyFunction, self: unknown, args: unknown[], p: GuardPlan, hooks: GuardHooks): unknown {
  const start = Date.now();
  let result: unknown;
  let end: () => void = NO_RELEASE;
  try {
    result = runWithHardTimeout(() => {
      const value = orig.apply(self, args);
      if (!isThenable(value)) return value;
      return new Promise((resolve, reject) => {
        end = () => resolve(undefined);
        value.then(resolve, reject);
      });
    }, p.core);
  } catch (error) {
    report(hooks, error);
    throw error;
  }
  if (!isThenable(result)) return result;
  let verdict!: (error: Error | undefined) => void;
  track(hooks, new Promise<Error | undefined>((resolve) => (verdict = resolve)), () => end(), { start, limit: p.core.timeout });
  return Promise.resolve(result).then(
    (value) => {
      verdict(undefined);
      return value;
    },
    (error: unknown) => {
      // only waiting, and Jest's own timeout is due no later: leave it to Jest, as without us
      if (isPendingTimeout(error) && p.core.timeout >= p.soft) {
        verdict(undefined);
        return never();
      }
      verdict(isHardTimeoutError(error) ? error : undefined);
      report(hooks, error);
      throw error;
    },
  );
}

/**
 * @param plan called at call time (the limit can depend on state that changes after definition)
 * @param hooks told of every HardTimeoutError that comes out of the function, and of async calls
 *
 * The wrapper keeps `fn.length` semantics (done-style or not) and `this`; it does not copy the
 * name (no one reads a test function's name, and redefining it costs every test).
 */
export function guard(orig: AnyFunction, plan: () => GuardPlan | null, hooks: GuardHooks): AnyFunction {
  if (isWrapper(orig)) return orig;
  // Generators are run by jest-circus through `co`: wrapping one would change how it is called.
  if (Object.prototype.toString.call(orig) === '[object GeneratorFunction]') return orig;

  let wrapper: AnyFunction;
  if (orig.length > 0) {
    wrapper = guardDoneStyle(orig, plan, hooks);
  } else {
    const isolate = isAsyncFunction(orig);
    wrapper = function (this: unknown) {
      const p = plan();
      // eslint-disable-next-line prefer-rest-params
      const args = arguments as unknown as unknown[];
      if (!p) return orig.apply(this, args);
      if (!isolate) return callGuarded(orig, this, args, p, hooks);
      const self = this;
      return new Promise((resolve, reject) => {
        setImmediate(() => {
          let out: unknown;
          try {
            out = callGuarded(orig, self, args, p, hooks);
          } catch (error) {
            reject(error);
            return;
          }
          // `then` on a pending promise queues nothing: the function's own jobs stay alone in
          // this checkpoint (see isAsyncFunction).
          if (isThenable(out)) out.then(resolve, reject);
          else resolve(out);
        });
      });
    };
  }
  // A plain assignment: cheaper than defineProperty, and symbols stay out of sight.
  (wrapper as unknown as Record<symbol, unknown>)[WRAPPER] = true;
  return wrapper;
}
