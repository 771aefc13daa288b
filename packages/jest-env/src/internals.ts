/**
 * Every part of Jest this package reads or changes that is not Jest's documented API, named once,
 * with the Jest versions it was checked on. Nothing else in this package touches them.
 *
 * {@link checkJest} runs when the first test file's environment is made: a Jest outside the
 * supported range, or one in which any of these is missing, fails every test file with one message
 * naming what is missing and which Jest it is, instead of running tests unguarded.
 */
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** The Jest versions each access below was checked on. */
export const CHECKED_ON = ['29.7.0', '30.5.2'] as const;
/** jest-worker below 29.6 has no restartWorkerIfShutDown: a killed worker left the run hanging. */
export const SUPPORTED = { min: [29, 6, 0] as const, maxMajor: 30, text: '29.6 to 30.x' };

export class JestInternalsError extends Error {
  constructor(message: string) {
    super(`@hardtimeout/jest-env: ${message}`);
    this.name = 'JestInternalsError';
    // the message says it all: no code frame of this package's internals
    this.stack = `${this.name}: ${this.message}`;
  }
}

// --- jest-runner: where the running Jest is -------------------------------------------------

/** The folders of package `name` among the modules loaded so far (those under its `build/`). */
function loadedPackageDirs(name: 'jest-runner' | 'jest-worker'): string[] {
  const dirs = new Set<string>();
  const re = new RegExp(`^(.*[\\\\/]node_modules[\\\\/]${name})[\\\\/]build[\\\\/]`);
  for (const key of Object.keys(require.cache)) {
    const m = re.exec(key);
    if (m) dirs.add(m[1]!);
  }
  return [...dirs];
}

/**
 * jest-runner's folders, from the modules loaded so far (checked on 29.7, 30.5: `build/testWorker.js`
 * in a worker, `build/index.js` in band, both loaded before any environment).
 */
export function jestRunnerDirs(): string[] {
  return loadedPackageDirs('jest-runner');
}

/** jest-worker's folders: in a worker, the one that runs this file (29.7, 30.5). */
export function jestWorkerDirs(): string[] {
  return loadedPackageDirs('jest-worker');
}

/** The version of the jest-runner that runs this file (its package.json), or undefined. */
export function runningJestVersion(dirs = jestRunnerDirs()): { version: string; dir: string } | undefined {
  for (const dir of dirs) {
    try {
      const version = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version;
      if (typeof version === 'string') return { version, dir };
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** Whether `version` ("30.5.2", "30.0.0-alpha.6") is in {@link SUPPORTED}. */
export function isSupportedVersion(version: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major > SUPPORTED.maxMajor) return false;
  const [a, b, c] = SUPPORTED.min;
  return major > a || (major === a && (minor > b || (minor === b && patch >= c)));
}

/** Resolves `name` the way the running Jest would (next to its jest-runner), then from `fallback`. */
export function requireFromJest(name: string, fallback: string[] = []): unknown {
  for (const dir of [...jestRunnerDirs(), ...fallback]) {
    try {
      const req = createRequire(path.join(dir, 'package.json'));
      return req(req.resolve(name));
    } catch {
      // next
    }
  }
  return undefined;
}

/**
 * What the program that ends a run (replay-exit.ts) uses to rebuild Jest's results: @jest/test-result's
 * createEmptyTestResult, makeEmptyAggregatedTestResult, addResult, formatTestResults, and
 * @jest/reporters' utils.getSummary and getResultHeader (29.7, 30.5), from the running Jest's folder.
 */
export interface JestResultHelpers {
  createEmptyTestResult: () => import('./rewrite').FileResult & Record<string, unknown>;
  makeEmptyAggregatedTestResult: () => Record<string, any>;
  addResult: (aggregate: unknown, result: unknown) => void;
  formatTestResults: (aggregate: unknown) => unknown;
  getSummary: ((aggregate: unknown, options: unknown) => string) | undefined;
  getResultHeader: ((result: unknown, globalConfig: unknown) => string) | undefined;
}

export function jestResultHelpers(jestDir: string | undefined): JestResultHelpers | Error {
  if (!jestDir) return new Error('the running Jest was not found');
  const req = createRequire(path.join(jestDir, 'package.json'));
  let result: Partial<JestResultHelpers>;
  try {
    result = req('@jest/test-result') as Partial<JestResultHelpers>;
  } catch (error) {
    return new Error(`cannot load @jest/test-result next to ${jestDir}: ${(error as Error).message}`);
  }
  const missing = (['createEmptyTestResult', 'makeEmptyAggregatedTestResult', 'addResult', 'formatTestResults'] as const).filter((k) => typeof result[k] !== 'function');
  if (missing.length > 0) return new Error(`@jest/test-result next to ${jestDir} lacks ${missing.join(', ')} (checked on Jest ${CHECKED_ON.join(', ')})`);
  // @jest/reporters is a dependency of @jest/core (next to jest-runner in a flat node_modules), not of jest-runner
  let utils: { getSummary?: unknown; getResultHeader?: unknown } = {};
  for (const from of [path.join(path.dirname(jestDir), '@jest', 'core', 'package.json'), req.resolve('@jest/test-result')]) {
    try {
      utils = (createRequire(from)('@jest/reporters') as { utils?: typeof utils }).utils ?? {};
      break;
    } catch {
      // next
    }
  }
  return {
    ...(result as JestResultHelpers),
    getSummary: typeof utils.getSummary === 'function' ? (utils.getSummary as JestResultHelpers['getSummary']) : undefined,
    getResultHeader: typeof utils.getResultHeader === 'function' ? (utils.getResultHeader as JestResultHelpers['getResultHeader']) : undefined,
  };
}

// --- jest-worker: how this file runs --------------------------------------------------------

export type RunMode = 'child-process' | 'worker-thread' | 'in-band';

/**
 * jest-worker's child entry point, `process.argv[1]` of a child-process worker (checked on 29.7:
 * `build/workers/processChild.js`; 30.5: `build/processChild.js`). In band argv[1] is Jest's bin.
 */
const PROCESS_CHILD = /[\\/]jest-worker[\\/]build[\\/](workers[\\/])?processChild\.js$/;
/** What a worker (process or thread) loads to run files, and Jest in band does not (29.7, 30.5). */
const TEST_WORKER = /[\\/]node_modules[\\/]jest-runner[\\/]build[\\/]testWorker\.js$/;

/**
 * Where this test file runs. A main thread that loaded jest-runner's worker module but has no IPC
 * channel is a worker we cannot tell apart from Jest itself (killing it could end the run, or not
 * killing it leave a worker spinning): it fails loudly.
 */
export function detectRunMode(
  argv1 = process.argv[1] ?? '',
  hasChannel = typeof process.send === 'function',
  mainThread = isMainThread,
  loaded: readonly string[] = Object.keys(require.cache),
): RunMode {
  if (!mainThread) return 'worker-thread';
  if (!PROCESS_CHILD.test(argv1) && !loaded.some((k) => TEST_WORKER.test(k))) return 'in-band';
  if (hasChannel) return 'child-process';
  throw new JestInternalsError(
    `cannot tell how this test file runs: jest-runner's worker is loaded on the main thread of a process without an IPC channel (entry point ${argv1}; checked on Jest ${CHECKED_ON.join(', ')})`,
  );
}

// --- jest-circus: its state, its events, its handlers ---------------------------------------

// The parts of jest-circus's state and events this package reads (29.7, 30.5), typed here: the
// type packages of the two lines differ in details we do not touch.

export interface CircusDescribeBlock {
  type: 'describeBlock';
  name: string;
  parent?: CircusDescribeBlock;
  children: Array<CircusDescribeBlock | CircusTest>;
  hooks: CircusHook[];
}

export interface CircusTest {
  type: 'test';
  name: string;
  fn: (...args: any[]) => unknown;
  parent: CircusDescribeBlock;
  timeout?: number;
  failing?: boolean;
  concurrent?: boolean;
  errors: unknown[];
  invocations: number;
  /** Set by jest-circus at test_done (ms). */
  duration?: number | null;
  asyncError?: { stack?: string };
}

export interface CircusHook {
  type: 'beforeAll' | 'beforeEach' | 'afterEach' | 'afterAll';
  fn: (...args: any[]) => unknown;
  parent: CircusDescribeBlock;
  timeout?: number;
  asyncError?: { stack?: string };
}

export interface CircusState {
  currentDescribeBlock: CircusDescribeBlock;
  currentlyRunningTest: CircusTest | null;
  rootDescribeBlock: CircusDescribeBlock;
  testTimeout: number;
}

export interface CircusEvent {
  name: string;
  test?: CircusTest;
  hook?: CircusHook;
  testName?: string;
  fn?: unknown;
  error?: unknown;
}

/** Titles of the describe blocks above `block` (inclusive), outermost first, without the root. */
export function describeTitles(block: CircusDescribeBlock | undefined): string[] {
  const titles: string[] = [];
  for (let b = block; b && b.parent; b = b.parent) titles.unshift(b.name);
  return titles;
}


/**
 * jest-circus 30 keeps its event handlers in an array on the test file's global, under this
 * registered symbol (checked on 30.5). Jest 29 keeps them in a module variable: not there, and
 * the environment then listens through handleTestEvent.
 */
const EVENT_HANDLERS = Symbol.for('EVENT_HANDLERS');

export type CircusHandler = (event: CircusEvent, state: CircusState) => unknown;

export function circusHandlers(global: object): CircusHandler[] | undefined {
  let handlers: unknown;
  try {
    handlers = (global as Record<PropertyKey, unknown>)[EVENT_HANDLERS];
  } catch {
    return undefined;
  }
  return Array.isArray(handlers) ? (handlers as CircusHandler[]) : undefined;
}

/** The jest-circus events the environment acts on (29.7, 30.5). */
export const EVENTS = Object.freeze({
  addTest: 'add_test',
  addHook: 'add_hook',
  runStart: 'run_start',
  testStart: 'test_start',
  hookStart: 'hook_start',
  testFnFailure: 'test_fn_failure',
  testFnSuccess: 'test_fn_success',
  hookFailure: 'hook_failure',
  hookSuccess: 'hook_success',
  testDone: 'test_done',
  testSkip: 'test_skip',
  testTodo: 'test_todo',
} as const);

/** Events jest-circus dispatches synchronously (`dispatchSync`; 29.7, 30.5): a returned promise is ignored. */
export const SYNC_EVENTS: ReadonlySet<string> = new Set([
  'start_describe_definition',
  'finish_describe_definition',
  'add_hook',
  'add_test',
  'error',
  'error_handled',
]);

/** The message of jest-circus's own timeout (`_getTimeoutMessage`, "Exceeded timeout of N ms …"; 29.7, 30.5). */
export function isJestTimeoutMessage(text: string): boolean {
  return text.startsWith('Exceeded timeout of');
}

/**
 * What the circus state must offer (29.7, 30.5): checked on the first event of each file, so that
 * a jest-circus that moved one of them fails the file with its name instead of running unguarded.
 */
export function missingStateParts(state: unknown): string[] {
  const s = state as Partial<Record<keyof CircusState | 'unhandledErrors', unknown>> | null | undefined;
  if (!s || typeof s !== 'object') return ['the circus state itself'];
  const missing: string[] = [];
  const isBlock = (b: unknown): boolean =>
    !!b && typeof b === 'object' && Array.isArray((b as CircusDescribeBlock).children) && Array.isArray((b as CircusDescribeBlock).hooks);
  if (!isBlock(s.rootDescribeBlock)) missing.push('state.rootDescribeBlock (with children and hooks arrays)');
  if (!isBlock(s.currentDescribeBlock)) missing.push('state.currentDescribeBlock (with children and hooks arrays)');
  if (!('currentlyRunningTest' in s)) missing.push('state.currentlyRunningTest');
  if (typeof s.testTimeout !== 'number') missing.push('state.testTimeout (a number)');
  if (!Array.isArray(s.unhandledErrors)) missing.push('state.unhandledErrors (an array)');
  return missing;
}

/** Fails loudly when the state lacks what we read (see {@link missingStateParts}). */
export function checkState(state: unknown): void {
  const missing = missingStateParts(state);
  if (missing.length > 0) {
    const jest = runningJestVersion();
    throw new JestInternalsError(
      `this jest-circus (Jest ${jest?.version ?? 'of unknown version'}) lacks ${missing.join(', ')}, which hard timeouts need (checked on Jest ${CHECKED_ON.join(', ')}): tests would run without a hard timeout`,
    );
  }
}

/** The test `add_test` just added: the last child of the current describe block (29.7, 30.5). */
export function addedTest(state: CircusState): CircusTest | undefined {
  const children = state.currentDescribeBlock.children;
  const last = children[children.length - 1];
  return last && last.type === 'test' ? last : undefined;
}

/** The hook `add_hook` just added: the last hook of the current describe block (29.7, 30.5). */
export function addedHook(state: CircusState): CircusHook | undefined {
  const hooks = state.currentDescribeBlock.hooks;
  return hooks[hooks.length - 1];
}

/** The function jest-circus calls for a test or hook, read at its start and replaced (29.7, 30.5). */
export function entryFn(entry: CircusTest | CircusHook): ((...args: any[]) => unknown) | undefined {
  return typeof entry.fn === 'function' ? entry.fn : undefined;
}

export function setEntryFn(entry: CircusTest | CircusHook, fn: (...args: any[]) => unknown): void {
  entry.fn = fn;
}

/** Where jest-circus keeps errors it reports for a file (tests' `errors`, `state.unhandledErrors`; 29.7, 30.5). */
export function errorLists(state: CircusState): unknown[][] {
  const lists: unknown[][] = [];
  const walk = (block: CircusDescribeBlock): void => {
    for (const child of block.children) {
      if (child.type === 'describeBlock') walk(child);
      else if (Array.isArray(child.errors)) lists.push(child.errors);
    }
  };
  walk(state.rootDescribeBlock);
  const unhandled = (state as { unhandledErrors?: unknown }).unhandledErrors;
  if (Array.isArray(unhandled)) lists.push(unhandled);
  return lists;
}

// --- the startup check ----------------------------------------------------------------------

let checked: { mode: RunMode; version: string; dir: string } | JestInternalsError | undefined;

/**
 * The running Jest, found from `dirs` (jest-runner folders), if it is supported; else the error to
 * fail with. A jest-worker below 29.6 under a newer jest-runner (both are ^ ranges of jest) is
 * not supported either: it is what kills and replaces workers.
 */
export function checkJestVersion(dirs = jestRunnerDirs(), workerDirs = jestWorkerDirs()): { version: string; dir: string } | JestInternalsError {
  const jest = runningJestVersion(dirs);
  if (!jest) {
    return new JestInternalsError(
      `cannot find the running Jest: no jest-runner among the loaded modules (checked on Jest ${CHECKED_ON.join(', ')}); supported: Jest ${SUPPORTED.text}`,
    );
  }
  if (!isSupportedVersion(jest.version)) {
    return new JestInternalsError(`Jest ${jest.version} (${jest.dir}) is not supported: supported are Jest ${SUPPORTED.text}`);
  }
  const worker = runningJestVersion(workerDirs);
  if (worker && !isSupportedVersion(worker.version)) {
    return new JestInternalsError(`jest-worker ${worker.version} (${worker.dir}) is not supported: supported are Jest ${SUPPORTED.text} and their jest-worker`);
  }
  return jest;
}

/**
 * Once per process: the running Jest is supported and this file's run mode is known. Throws a
 * {@link JestInternalsError} (the environment's constructor fails the file with it) otherwise.
 */
export function checkJest(): { mode: RunMode; version: string; dir: string } {
  if (checked === undefined) {
    try {
      const jest = checkJestVersion();
      checked = jest instanceof JestInternalsError ? jest : { mode: detectRunMode(), ...jest };
    } catch (error) {
      checked = error instanceof JestInternalsError ? error : new JestInternalsError(String((error as Error)?.message ?? error));
    }
  }
  if (checked instanceof JestInternalsError) throw checked;
  return checked;
}
