/**
 * Per test file: routes jest-circus's events to the parts that act on them — wrapping each test
 * and hook in a hard timeout, ending the limits of calls Jest is done with, keeping a hang from
 * turning into a pass, telling the reporter what happened. Everything here runs inside
 * jest-circus's event handling, so nothing but a {@link JestInternalsError} may throw out of
 * {@link Controller.onEvent}.
 */
import * as path from 'node:path';
import { dieWithParent, type HardTimeoutError, type StuckPlan } from '@hardtimeout/core/internal';
import { debugLog, debugging } from './debug-log';
import { labelOf, nameOf, type Entry, type EntryKind } from './entries';
import { taggedLimit } from './helper';
import { Inflight } from './inflight';
import {
  CHECKED_ON,
  EVENTS,
  JestInternalsError,
  addedHook,
  addedTest,
  checkState,
  entryFn,
  setEntryFn,
  type CircusEvent,
  type CircusState,
  type CircusTest,
  type RunMode,
} from './internals';
import { hardLimit, planFor, samePlan, softLimit } from './limits';
import type { ResolvedOptions } from './options';
import { IN_BAND, reportDir } from './report-file';
import type { ReporterLink } from './reporter-link';
import type { StuckContext } from './stuck-exit';
import { guard, isHardTimeoutError, type GuardPlan } from './wrap';

// Needed by some runs only, loaded then: the journal in band and in worker threads, the reporter's
// part when the reporter is there, the stuck program's arguments when one is planned.
let journalModule: typeof import('./journal') | undefined;
const journal = (): typeof import('./journal') => (journalModule ??= require('./journal') as typeof import('./journal'));
const reporterLink = (): typeof import('./reporter-link') => require('./reporter-link') as typeof import('./reporter-link');
let stuckExitModule: typeof import('./stuck-exit') | undefined;
const stuckExit = (): typeof import('./stuck-exit') => (stuckExitModule ??= require('./stuck-exit') as typeof import('./stuck-exit'));

/** What the environment knows of the run (Jest's global and project config). */
export interface RunContext {
  rootDir: string;
  json: boolean;
  outputFile: string | undefined;
  project: string | undefined;
  jestDir: string | undefined;
}

interface Wrapped {
  original: (...args: any[]) => unknown;
  plan: GuardPlan | null;
}

let diesWithParent = false;

export class Controller {
  private readonly dir = reportDir();
  /** The reporter's part, when the reporter is there. */
  private readonly link: ReporterLink | undefined;
  private state: CircusState | undefined;
  private stateChecked = false;
  /** Each wrapped test and hook: its own function, and the plan of its last call. */
  private readonly wrapped = new WeakMap<Entry, Wrapped>();
  /** Tests whose current invocation ended in a HardTimeoutError, with that error. */
  private readonly hung = new WeakMap<CircusTest, Error>();
  private readonly failingReported = new WeakSet<CircusTest>();
  private readonly inflight = new Inflight();

  /** This thread's journal, in band and in worker threads (journal.ts). */
  private readonly journal: string | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly testPath: string,
    private readonly mode: RunMode,
    private readonly run: RunContext,
  ) {
    this.journal = options.enabled && mode !== 'child-process' ? journal().journalPath(this.dir) : undefined;
    this.link = this.dir ? new (reporterLink().ReporterLink)(this.dir, testPath, run.rootDir, run.project) : undefined;
    if (this.mode === 'in-band' && this.dir) (globalThis as Record<symbol, unknown>)[IN_BAND] = true;
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
      // Jest lacks what we rely on: fail loudly rather than run unguarded.
      if (error instanceof JestInternalsError) throw error;
      // Anything else would fail the whole file: say it, and leave the test alone.
      try {
        process.stderr.write(`@hardtimeout/jest-env: internal error at ${event.name}: ${(error as Error)?.stack ?? String(error)}\n`);
      } catch {
        // nothing left to do
      }
    }
  }

  private handle(event: CircusEvent, state: CircusState): void | Promise<void> {
    if (debugging) debugLog(`${process.pid} ${path.basename(this.testPath)} ${event.name} ${event.test?.name ?? event.hook?.type ?? ''}`);
    if (!this.options.enabled) return;
    if (!this.stateChecked) {
      this.stateChecked = true;
      checkState(state);
    }
    this.state = state;
    switch (event.name) {
      case EVENTS.addTest: {
        // Jest 29 starts test.concurrent bodies before test_start: wrap them when they are added.
        const test = addedTest(state);
        if (test) {
          this.wrap(test, 'test');
          this.link?.declare(test);
        }
        break;
      }
      case EVENTS.addHook: {
        const hook = addedHook(state);
        if (hook) this.link?.declare(hook);
        break;
      }
      case EVENTS.runStart:
        if (this.mode === 'child-process') this.link?.writeMeta(state.rootDescribeBlock);
        if (this.journal) journal().journalFile(this.testPath, state.rootDescribeBlock, this.run.project);
        break;
      case EVENTS.testSkip:
        if (this.journal && event.test) journal().journalCase(event.test, 'pending');
        break;
      case EVENTS.testTodo:
        if (this.journal && event.test) journal().journalCase(event.test, 'todo');
        break;
      case EVENTS.testStart:
        if (event.test) {
          this.hung.delete(event.test);
          this.wrap(event.test, 'test');
        }
        break;
      case EVENTS.hookStart:
        if (event.hook) this.wrap(event.hook, event.hook.type);
        break;
      case EVENTS.testFnFailure:
        if (event.test) return this.inflight.finished(event.test, this.inflight.preferHardTimeout(event.test, event.error, state));
        break;
      case EVENTS.hookFailure:
        if (event.hook) return this.inflight.finished(event.hook, this.inflight.preferHardTimeout(event.hook, event.error, state));
        break;
      case EVENTS.hookSuccess:
        if (event.hook) this.inflight.finished(event.hook, undefined);
        break;
      case EVENTS.testFnSuccess:
      case EVENTS.testDone:
        if (event.test) this.inflight.finished(event.test, undefined);
        if (event.name === EVENTS.testDone && event.test) {
          this.checkWrapped(event.test);
          if (this.journal) journal().journalCase(event.test, 'passed');
        }
        // test.failing turns a thrown error into a pass: a hang must stay a failure.
        if (event.test?.failing) this.failHungFailingTest(event.test);
        break;
      default:
        break;
    }
  }

  /** A test that ran without passing through test_start or add_test ran unguarded: say so, in its result. */
  private checkWrapped(test: CircusTest): void {
    if (this.wrapped.has(test) || !entryFn(test)) return;
    const error = new JestInternalsError(
      `"${labelOf(nameOf(test, 'test', null))}" ran without a hard timeout: jest-circus sent no add_test or test_start event for it (checked on Jest ${CHECKED_ON.join(', ')})`,
    );
    test.errors.push(error);
  }

  private failHungFailingTest(test: CircusTest): void {
    const error = this.hung.get(test);
    if (!error || this.failingReported.has(test)) return;
    this.failingReported.add(test);
    test.errors.push(error);
  }

  /** Puts the guard around a test's or hook's function, once. */
  private wrap(entry: Entry, kind: EntryKind): void {
    const original = entryFn(entry);
    if (!original || this.wrapped.has(entry)) return;
    const record: Wrapped = { original, plan: null };
    this.wrapped.set(entry, record);
    setEntryFn(
      entry,
      guard(original as never, () => this.plan(entry, kind, record), {
        onHardTimeout: (error) => this.stopped(entry, kind, error),
        onAsync: (settled, release, call) => this.inflight.set(entry, { settled, release, ...call }),
      }),
    );
  }

  private limits(entry: Entry, original: unknown): { hard: number; soft: number } {
    const soft = softLimit(entry.timeout, this.state?.testTimeout);
    return { hard: hardLimit(taggedLimit(original), this.options, soft), soft };
  }

  /**
   * The plan of one call, decided when it starts. Most calls (every call of a test, and of a
   * beforeAll or afterAll hook) get the same plan as the entry's last call: it is kept and reused.
   */
  private plan(entry: Entry, kind: EntryKind, record: Wrapped): GuardPlan | null {
    const { hard, soft } = this.limits(entry, record.original);
    // A beforeEach/afterEach hook is named after the test it runs for: a new label each time.
    const perTest = kind === 'beforeEach' || kind === 'afterEach';
    if (!perTest && samePlan(record.plan, hard, soft)) return record.plan;
    record.plan = planFor({
      hard,
      soft,
      label: labelOf(nameOf(entry, kind, this.state?.currentlyRunningTest)),
      options: this.options,
      onStuck: this.link ? { ...this.fileStuckPlan(), report: this.link.stuckReport(entry) } : this.fileStuckPlan(),
    });
    return record.plan;
  }

  /** The part of onStuck that is the same for every call of the file, made once (frozen: core then reads it once). */
  private stuckPlan: StuckPlan | undefined;

  /**
   * onStuck of the file's calls: kill the process, after the program that says which test it was
   * and where the run stands (stuck-exit.ts). In a child worker with the reporter there is no
   * program: the reporter names the killed worker's test.
   */
  private fileStuckPlan(): StuckPlan {
    if (this.stuckPlan) return this.stuckPlan;
    if (this.mode === 'child-process' && this.link) return (this.stuckPlan = Object.freeze({ kill: 'process' as const }));
    const context = JSON.stringify({
      mode: this.mode,
      testPath: this.testPath,
      jestPid: this.mode === 'child-process' ? process.ppid : process.pid,
      rootDir: this.run.rootDir,
      ...(this.journal ? { journal: this.journal } : {}),
      ...(this.run.json ? { json: true } : {}),
      ...(this.run.outputFile ? { outputFile: this.run.outputFile } : {}),
      ...(this.run.jestDir ? { jestDir: this.run.jestDir } : {}),
      ...(this.run.project ? { project: this.run.project } : {}),
    } satisfies StuckContext);
    return (this.stuckPlan = Object.freeze({ kill: 'process' as const, exec: stuckExit().stuckProgram(context) }));
  }

  private stopped(entry: Entry, kind: EntryKind, error: Error): void {
    if (kind === 'test') this.hung.set(entry as CircusTest, error);
    if (this.link && isHardTimeoutError(error)) this.link.stopped(entry, kind, error as HardTimeoutError, this.state?.currentlyRunningTest);
  }
}
