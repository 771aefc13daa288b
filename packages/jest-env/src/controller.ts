/**
 * Per test file: wraps every test and hook of jest-circus in a hard timeout, makes sure a hang is
 * never turned into a pass, and tells the reporter what happened. Everything here runs inside
 * `handleTestEvent`, so nothing may throw out of {@link Controller.onEvent}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeDiagnosis, dieWithParent } from '@hardtimeout/core/internal';
import { taggedLimit } from './helper';
import { detectRunMode, type RunMode } from './mode';
import type { ResolvedOptions } from './options';
import { appendRecord, names, reportDir, writeJson, type EntryMeta, type HardTimeoutRecord } from './report-file';
import { stuckProgram } from './stuck-exit';
import {
  callSite,
  describeTitles,
  stuckAt,
  type CircusDescribeBlock,
  type CircusEvent,
  type CircusHook,
  type CircusState,
  type CircusTest,
} from './circus';
import { ASYNC_GRACE_MS, guard, isPendingTimeout, type GuardPlan } from './wrap';

type Entry = CircusTest | CircusHook;

interface Wrapped {
  original: (...args: any[]) => unknown;
  plan: GuardPlan | null;
}

let diesWithParent = false;

/** HARDTIMEOUT_JEST_DEBUG=<file>: every circus event this environment sees is appended there. */
const DEBUG_LOG = process.env.HARDTIMEOUT_JEST_DEBUG;
function debugLog(line: string): void {
  try {
    fs.appendFileSync(DEBUG_LOG!, `${Date.now()} ${line}\n`);
  } catch {
    // debugging aid only
  }
}

export class Controller {
  private readonly mode: RunMode = detectRunMode();
  private readonly dir = reportDir();
  private state: CircusState | undefined;
  private nextId = 1;
  private readonly ids = new WeakMap<Entry, number>();
  /** Each wrapped test and hook: its own function, and the plan of its last call. */
  private readonly wrapped = new WeakMap<Entry, Wrapped>();
  /** Tests whose current invocation ended in a HardTimeoutError, with that error. */
  private readonly hung = new WeakMap<CircusTest, Error>();
  /** onStuck.exec in band and in worker threads (stuck-exit.ts), made at the first guarded call. */
  private program: string[] | undefined;
  private readonly failingReported = new WeakSet<CircusTest>();
  /** Where each test and hook is declared (only collected when the reporter is there to use it). */
  private readonly declared = new WeakMap<Entry, string | null>();
  /** The verdict of the asynchronous call of each test or hook still (or last) in flight. */
  private readonly inflight = new WeakMap<
    Entry,
    { settled: Promise<Error | undefined>; release: () => void; start: number; limit: number }
  >();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly testPath: string,
  ) {
    if (this.mode === 'child-process' && !diesWithParent) {
      diesWithParent = true;
      try {
        dieWithParent(); // no orphaned worker spinning forever if Jest itself is killed
      } catch {
        // without the addon there is nothing to do
      }
    }
  }

  /** Whether hard timeouts are on for this file (`hardTimeout.enabled`). */
  get enabled(): boolean {
    return this.options.enabled;
  }

  onEvent(event: CircusEvent, state: CircusState): void | Promise<void> {
    try {
      return this.handle(event, state);
    } catch (error) {
      // A throw here would fail the whole file: say it, and leave the test alone.
      try {
        process.stderr.write(`@hardtimeout/jest-env: internal error at ${event.name}: ${(error as Error)?.stack ?? String(error)}\n`);
      } catch {
        // nothing left to do
      }
    }
  }

  private handle(event: CircusEvent, state: CircusState): void | Promise<void> {
    this.state = state;
    if (DEBUG_LOG) debugLog(`${process.pid} ${path.basename(this.testPath)} ${event.name} ${event.test?.name ?? event.hook?.type ?? ''}`);
    if (!this.options.enabled) return;
    switch (event.name) {
      case 'add_test': {
        // Jest 29 starts test.concurrent bodies before test_start: wrap them when they are added.
        const last = state.currentDescribeBlock.children[state.currentDescribeBlock.children.length - 1];
        if (last && last.type === 'test') {
          this.wrap(last, 'test');
          if (this.dir) this.declared.set(last, callSite(this.testPath));
        }
        break;
      }
      case 'add_hook': {
        const hooks = state.currentDescribeBlock.hooks;
        const last = hooks[hooks.length - 1];
        if (last && this.dir) this.declared.set(last, callSite(this.testPath));
        break;
      }
      case 'run_start':
        this.writeMeta(state.rootDescribeBlock);
        break;
      case 'test_start':
        if (event.test) {
          this.hung.delete(event.test);
          this.wrap(event.test, 'test');
        }
        break;
      case 'hook_start':
        if (event.hook) this.wrap(event.hook, event.hook.type);
        break;
      case 'test_fn_failure':
        if (event.test) return this.finished(event.test, this.preferHardTimeout(event.test, event.error, state));
        break;
      case 'hook_failure':
        if (event.hook) return this.finished(event.hook, this.preferHardTimeout(event.hook, event.error, state));
        break;
      case 'hook_success':
        if (event.hook) this.finished(event.hook, undefined);
        break;
      case 'test_fn_success':
      case 'test_done':
        if (event.test) this.finished(event.test, undefined);
        // test.failing turns a thrown error into a pass: a hang must stay a failure.
        if (event.test?.failing) this.failHungFailingTest(event.test);
        break;
      default:
        break;
    }
  }

  /**
   * jest-circus is done with this call (it settled, or Jest's own timeout fired): end its hard
   * limit, so that a promise Jest gave up on cannot fire it later, during another test.
   */
  private finished(entry: Entry, pending: Promise<void> | void): Promise<void> | void {
    const call = this.inflight.get(entry);
    if (!call) return pending;
    if (!pending) {
      this.inflight.delete(entry);
      call.release();
      return undefined;
    }
    return pending.finally(() => {
      if (this.inflight.get(entry) === call) this.inflight.delete(entry);
      call.release();
    });
  }

  /**
   * When a loop after an await is stopped at a limit equal to Jest's timeout, Jest's timer (set
   * just before ours) can report "Exceeded timeout" first. Wait for our verdict, due at the same
   * moment, and put the HardTimeoutError (with the stuck line) in place of Jest's message.
   */
  private preferHardTimeout(entry: Entry, error: unknown, state: CircusState): Promise<void> | void {
    const text = typeof error === 'string' ? error : error instanceof Error ? error.message : '';
    if (!text.startsWith('Exceeded timeout of')) return;
    const call = this.inflight.get(entry);
    if (!call) return;
    // On time: the thread was free to run Jest's timer, nothing was stuck (a late timer means a
    // loop kept it from running until the hard limit stopped that loop).
    if (Date.now() - call.start < call.limit + ASYNC_GRACE_MS / 2) return;
    const settled = call.settled;
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), 1000);
    });
    return Promise.race([settled, cap])
      .then((hardTimeout) => {
        if (hardTimeout && !isPendingTimeout(hardTimeout)) replaceError(state, error, hardTimeout);
      })
      .catch(() => undefined)
      .finally(() => clearTimeout(timer));
  }

  private failHungFailingTest(test: CircusTest): void {
    const error = this.hung.get(test);
    if (!error || this.failingReported.has(test)) return;
    this.failingReported.add(test);
    test.errors.push(error);
  }

  private idOf(entry: Entry): number {
    let id = this.ids.get(entry);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(entry, id);
    }
    return id;
  }

  /** Puts the guard around a test's or hook's function, once. */
  private wrap(entry: Entry, kind: EntryMeta['kind']): void {
    if (typeof entry.fn !== 'function' || this.wrapped.has(entry)) return;
    const record: Wrapped = { original: entry.fn, plan: null };
    this.wrapped.set(entry, record);
    entry.fn = guard(record.original as never, () => this.plan(entry, kind, record), {
      onHardTimeout: (error) => this.stopped(entry, kind, error),
      onAsync: (settled, release, call) => this.inflight.set(entry, { settled, release, ...call }),
    });
  }

  /** The limit of one call, decided when it starts. */
  private limitOf(entry: Entry, original = this.wrapped.get(entry)?.original): number {
    const tagged = taggedLimit(original);
    if (tagged !== undefined) return tagged;
    if (this.options.timeout !== undefined) return this.options.timeout;
    return entry.timeout || this.state?.testTimeout || 5000;
  }

  /** Names one call: "describe › test", or "beforeEach hook of describe › test". */
  private describe(entry: Entry, kind: EntryMeta['kind']): Omit<EntryMeta, 'declaredAt'> {
    if (kind === 'test') {
      const test = entry as CircusTest;
      const ancestorTitles = describeTitles(test.parent);
      return { kind, ancestorTitles, title: test.name, test: [...ancestorTitles, test.name].join(' › ') };
    }
    const hook = entry as CircusHook;
    const current = kind === 'beforeEach' || kind === 'afterEach' ? this.state?.currentlyRunningTest : null;
    if (current) {
      const ancestorTitles = describeTitles(current.parent);
      return { kind, ancestorTitles, title: current.name, test: [...ancestorTitles, current.name].join(' › ') };
    }
    const ancestorTitles = describeTitles(hook.parent);
    return { kind, ancestorTitles, title: ancestorTitles[ancestorTitles.length - 1] ?? '', test: ancestorTitles.join(' › ') };
  }

  private label(entry: Entry, kind: EntryMeta['kind']): string {
    const d = this.describe(entry, kind);
    if (kind === 'test') return [...d.ancestorTitles, d.title].join(' › ');
    if ((kind === 'beforeEach' || kind === 'afterEach') && this.state?.currentlyRunningTest) {
      return `${kind} hook of ${[...d.ancestorTitles, d.title].join(' › ')}`;
    }
    return d.ancestorTitles.length > 0 ? `${kind} hook of ${d.ancestorTitles.join(' › ')}` : `${kind} hook`;
  }

  /**
   * The plan of one call, decided when it starts. Most calls (every call of a test, and of a
   * beforeAll or afterAll hook) get the same plan as the entry's last call: it is kept and reused.
   */
  private plan(entry: Entry, kind: EntryMeta['kind'], record: Wrapped): GuardPlan | null {
    const timeout = this.limitOf(entry, record.original);
    const soft = entry.timeout || this.state?.testTimeout || 5000;
    if (!(timeout > 0) || timeout === Infinity) return null;
    const limit = Math.min(Math.ceil(timeout), 2_147_483_647);
    // A beforeEach/afterEach hook is named after the test it runs for: a new label each time.
    const perTest = kind === 'beforeEach' || kind === 'afterEach';
    const last = record.plan;
    if (last && !perTest && last.soft === soft && last.core.timeout === limit) return last;
    const report = this.dir ? path.join(this.dir, names.stuck(this.testPath, process.pid, this.idOf(entry))) : undefined;
    const core: GuardPlan['core'] = {
      timeout: limit,
      label: this.label(entry, kind),
      whenDebugging: this.options.whenDebugging,
      // In a child process the worker can die without losing the run: Jest reports a signal death
      // without retrying the file. In band or in a worker thread the process is Jest itself: the
      // run ends, and a program started first (stuck-exit.ts) says which test was stuck where.
      onStuck: this.mode === 'child-process'
        ? { kill: 'process', ...(report ? { report } : {}) }
        : { kill: 'process', exec: (this.program ??= stuckProgram(this.mode, this.testPath)), ...(report ? { report } : {}) },
    };
    if (this.options.stuckAfter !== undefined) core.stuckAfter = Math.max(1, this.options.stuckAfter);
    record.plan = { core, soft };
    return record.plan;
  }

  private stopped(entry: Entry, kind: EntryMeta['kind'], error: Error): void {
    if (kind === 'test') this.hung.set(entry as CircusTest, error);
    if (!this.dir) return;
    const e = error as Error & {
      timeout?: number;
      elapsed?: number;
      kind?: 'js' | 'native';
      diagnosis?: unknown;
      unblocked?: { signalled?: boolean; killed?: Array<{ pid: number; cmd: string }> };
      pending?: boolean;
    };
    const d = this.describe(entry, kind);
    let action = 'stopped in place';
    let blockedIn: string | undefined;
    if (e.kind === 'native') {
      blockedIn = describeDiagnosis(e.diagnosis as never) ?? undefined;
      const how: string[] = [];
      if (e.unblocked?.signalled) how.push('syscall interrupted');
      const killed = e.unblocked?.killed ?? [];
      if (killed.length > 0) how.push(`${killed.length} child process${killed.length > 1 ? 'es' : ''} killed`);
      action = how.length > 0 ? `unblocked (${how.join('; ')}) and stopped` : 'unblocked and stopped';
    } else if (e.message.includes('did not settle')) {
      action = 'failed: still waiting at its limit';
    }
    const record: HardTimeoutRecord = {
      testPath: this.testPath,
      ...d,
      declaredAt: this.declared.get(entry) ?? null,
      stuckAt: stuckAt(error.stack, this.testPath),
      limitMs: typeof e.timeout === 'number' ? e.timeout : this.limitOf(entry),
      elapsedMs: typeof e.elapsed === 'number' ? Math.round(e.elapsed) : null,
      cause: e.kind === 'native' ? 'native' : 'js',
      action,
      message: error.message,
    };
    if (blockedIn) record.blockedIn = blockedIn;
    appendRecord(this.dir, record);
  }

  /**
   * In a child process, a test stuck in native code kills the worker: the reporter then needs to
   * know which test each stuck report is about. One small file per test file, written at run_start.
   */
  private writeMeta(root: CircusDescribeBlock): void {
    if (!this.dir || this.mode !== 'child-process') return;
    const entries: Record<number, EntryMeta> = {};
    const walk = (block: CircusDescribeBlock): void => {
      for (const hook of block.hooks) {
        const ancestorTitles = describeTitles(block);
        entries[this.idOf(hook)] = {
          kind: hook.type,
          ancestorTitles,
          title: ancestorTitles[ancestorTitles.length - 1] ?? '',
          test: ancestorTitles.join(' › '),
          declaredAt: this.declared.get(hook) ?? null,
        };
      }
      for (const child of block.children) {
        if (child.type === 'describeBlock') walk(child);
        else entries[this.idOf(child)] = { ...this.describe(child, 'test'), declaredAt: this.declared.get(child) ?? null };
      }
    };
    walk(root);
    writeJson(path.join(this.dir, names.meta(this.testPath, process.pid)), { testPath: this.testPath, pid: process.pid, entries });
  }
}

/** Puts `replacement` wherever jest-circus recorded `original` (tests' errors, unhandled errors). */
function replaceError(state: CircusState, original: unknown, replacement: Error): void {
  const fix = (list: unknown[] | undefined): void => {
    if (!Array.isArray(list)) return;
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (item === original) list[i] = replacement;
      else if (Array.isArray(item) && item[0] === original) list[i] = [replacement, item[1]];
    }
  };
  const walk = (block: CircusDescribeBlock): void => {
    for (const child of block.children) {
      if (child.type === 'describeBlock') walk(child);
      else fix(child.errors);
    }
  };
  walk(state.rootDescribeBlock);
  fix((state as { unhandledErrors?: unknown[] }).unhandledErrors);
}
