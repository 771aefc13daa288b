/**
 * The program core's native watchdog starts when a guarded call is stuck in native code, before it
 * SIGKILLs the process (no JavaScript can run in the stuck process by then), and waits for.
 *
 * - In a child-process worker only the worker dies (Jest reports a signal death and goes on): the
 *   program names the stuck test on Jest's terminal. (With the reporter it is not started: the
 *   reporter puts the same into the file's result.)
 * - In band and in a worker thread the process is Jest itself, and the run ends: the program
 *   replays what had finished (the journal, see journal.ts), prints Jest's summary lines and the
 *   hard-timeout summary, and writes Jest's `--json` output and the reporter's JSON.
 *
 * `node stuck-exit.js <context JSON> <stuck report JSON>` (the report is added by the watchdog).
 * One program per file, the same for each of its calls: which test or hook was stuck is read from
 * the report's label (entries.ts, entryOfLabel).
 * Started only when something is stuck: a healthy run pays nothing for it.
 */
import * as fs from 'node:fs';
import type { StuckReport } from '@hardtimeout/core/internal';
import { entryOfLabel, type EntryName, type LabelledEntry } from './entries';
import { journalOf, parseJournal, type JournalLine } from './journal';
import { recordOfStuck } from './records';
import type { RunMode } from './internals';

/** What the program needs to know about the run, fixed when the file's first guarded call starts. */
export interface StuckContext {
  mode: RunMode;
  testPath: string;
  /** Jest's pid: its stderr is where a child worker's message goes. */
  jestPid: number;
  rootDir: string;
  /** The stuck thread's journal (its stuck log), in band and in worker threads. */
  journal?: string;
  /** Jest's `--json` and `--outputFile`. */
  json?: boolean;
  outputFile?: string;
  /** The folder of the running jest-runner, to load Jest's own result and summary helpers. */
  jestDir?: string;
  project?: string;
  /** The stuck test or hook, found from the report's label (set by the program, not passed in). */
  entry?: LabelledEntry;
}

/** The onStuck.exec of every guarded call of a file: the program and the file's context (JSON). */
export function stuckProgram(context: string): readonly string[] {
  return Object.freeze([process.execPath, __filename, context]);
}

/** Where the stuck test is declared: the one line of the file that has its title in quotes. */
export function declarationLine(source: string, title: string): number | undefined {
  if (!title) return undefined;
  const lines = source.split('\n');
  const quoted = [`'${title}'`, `"${title}"`, `\`${title}\``];
  const found = lines.flatMap((l, i) => (quoted.some((q) => l.includes(q)) ? [i + 1] : []));
  return found.length === 1 ? found[0] : undefined;
}

/** Opens Jest's own stderr (Jest does not forward the stderr of the workers it starts to replace killed ones). */
function jestStderr(jestPid: number): number {
  try {
    return fs.openSync(`/proc/${jestPid}/fd/2`, fs.constants.O_WRONLY | fs.constants.O_APPEND);
  } catch {
    return 2;
  }
}

/** The record of the stuck entry: its name from the context (the report's label when none). */
export function stuckRecord(c: StuckContext, report: StuckReport, line: number | undefined, action: 'worker-killed' | 'run-ended') {
  const entry = c.entry;
  const name: EntryName = entry
    ? { ...entry, test: [...entry.ancestorTitles, ...(entry.kind === 'test' ? [entry.title] : [])].join(' › ') }
    : { kind: 'test', ancestorTitles: [], title: report.label, test: report.label };
  return recordOfStuck(
    report,
    { testPath: c.testPath, rootDir: c.rootDir, project: c.project, name, declaredAt: line ? `${c.testPath}:${line}` : null },
    action,
  );
}

/** The terminal line for a child worker killed for a stuck test: core's message of its record. */
export function killedWorkerMessage(c: StuckContext, report: StuckReport, line: number | undefined): string {
  const record = stuckRecord(c, report, line, 'worker-killed');
  return `@hardtimeout/jest-env: ${record.message} (worker pid ${report.pid}); the tests after it in this file do not run\n`;
}

function childProcess(c: StuckContext, report: StuckReport): void {
  let line: number | undefined;
  try {
    line = c.entry?.kind === 'test' ? declarationLine(fs.readFileSync(c.testPath, 'utf8'), c.entry.title) : undefined;
  } catch {
    // no line, then
  }
  const fd = jestStderr(c.jestPid);
  try {
    fs.writeSync(fd, `\n${killedWorkerMessage(c, report, line)}`);
  } catch {
    // stderr closed: Jest still reports the signal death
  }
}

/** The stuck entry: its label matched against the file's tests in the journal, when there is one. */
function stuckEntry(c: StuckContext, report: StuckReport): LabelledEntry | undefined {
  if (typeof report.label !== 'string') return undefined;
  let lines: JournalLine[] = [];
  try {
    if (c.journal) lines = parseJournal(fs.readFileSync(c.journal, 'utf8'));
  } catch {
    // no journal: the label alone
  }
  const { file, cases } = journalOf(lines, c.testPath);
  const done = new Set(cases.map((x) => JSON.stringify([x.ancestorTitles, x.title])));
  return entryOfLabel(report.label, file?.tests, (a, t) => done.has(JSON.stringify([a, t])));
}

function main(c: StuckContext, report: StuckReport): void {
  if (c.mode === 'child-process') {
    childProcess(c, report);
    return;
  }
  // (required here: a child worker's program should not load Jest's modules for nothing)
  (require('./replay-exit') as typeof import('./replay-exit')).endRun(c, report);
}

if (require.main === module) {
  const [context, reportJson] = process.argv.slice(2);
  const c = JSON.parse(context ?? '{}') as StuckContext;
  const report = JSON.parse(reportJson ?? '{}') as StuckReport;
  main({ ...c, entry: stuckEntry(c, report) }, report);
}
