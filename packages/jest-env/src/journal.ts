/**
 * In band and in worker threads a test stuck in native code ends the run (the process is Jest
 * itself). So that nothing finished is lost, each thread keeps a journal of its files and tests in
 * core's stuck log: memory only, written to a file by the native watchdog when a call of this
 * thread is stuck, just before it starts the program that ends the run (stuck-exit.ts), which
 * replays it into Jest's results. A healthy run writes nothing.
 *
 * One JSON object a line: a `file` line when a file starts (its tests, in order), a `case` line per
 * test that finished (Jest's assertion result), in the order they happened. A case belongs to the
 * file line before it (a thread runs one file at a time) and names its test by its index in that
 * line's list: written for every test of a healthy run, it is kept short and made without
 * JSON.stringify (a test the list does not have, added while the file ran, is written in full).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { stuckLog, type StuckLog } from '@hardtimeout/core/internal';
import { describeTitles, type CircusDescribeBlock, type CircusTest } from './internals';

export interface JournalFile {
  t: 'file';
  path: string;
  project?: string;
  start: number;
  /** Every test of the file, in order: [ancestorTitles, title]. */
  tests: Array<[string[], string]>;
}

/** What Jest's assertion result says about one test (the subset a replay can know). */
export interface JournalCase {
  ancestorTitles: string[];
  title: string;
  status: 'passed' | 'failed' | 'pending' | 'todo';
  duration: number | null;
  failureMessages: string[];
}

/** A case line: its test by index in the file line's `tests` (`i`), or by name. */
export interface JournalCaseLine {
  t: 'case';
  i?: number;
  ancestorTitles?: string[];
  title?: string;
  status: JournalCase['status'];
  duration: number | null;
  failureMessages?: string[];
}

export type JournalLine = JournalFile | JournalCaseLine;

let log: StuckLog | null | undefined;
let logPath: string | undefined;

/** This thread's journal file (where the watchdog writes it), started on first use. */
export function journalPath(dir: string | undefined): string | undefined {
  if (log === undefined) {
    logPath = path.join(dir ?? os.tmpdir(), `hardtimeout-jest-journal-${process.pid}-${threadId}.jsonl`);
    try {
      log = stuckLog(logPath);
    } catch {
      log = null; // no addon: nothing is stuck in native code, nothing to replay
    }
  }
  return log ? logPath : undefined;
}

function append(text: string): void {
  if (!log) return;
  try {
    log.append(text);
  } catch {
    // a journal too big to keep: the results are then only lost if the run ends
  }
}

/** Every test of a file, in the order jest-circus runs them (`index`: each test's place). */
export function testsOf(root: CircusDescribeBlock, index?: Map<CircusTest, number>): Array<[string[], string]> {
  const out: Array<[string[], string]> = [];
  const walk = (block: CircusDescribeBlock): void => {
    for (const child of block.children) {
      if (child.type === 'describeBlock') walk(child);
      else {
        index?.set(child, out.length);
        out.push([describeTitles(child.parent), child.name]);
      }
    }
  };
  walk(root);
  return out;
}

/** The tests of the file this thread runs now, by place in its file line. */
let order = new Map<CircusTest, number>();

export function journalFile(testPath: string, root: CircusDescribeBlock, project: string | undefined): void {
  if (!log) return;
  order = new Map();
  const line: JournalFile = { t: 'file', path: testPath, ...(project ? { project } : {}), start: Date.now(), tests: testsOf(root, order) };
  append(`${JSON.stringify(line)}\n`);
}

/** The text of one error as Jest lists it (its stack). */
export function errorText(error: unknown): string {
  const e = Array.isArray(error) ? (error[0] instanceof Error ? error[0] : error[1] ?? error[0]) : error;
  if (e instanceof Error || (typeof e === 'object' && e !== null && typeof (e as Error).stack === 'string')) {
    return (e as Error).stack ?? String((e as Error).message);
  }
  return String(e);
}

/** A test jest-circus is done with (test_done), skipped (test_skip) or marked todo (test_todo). */
export function journalCase(test: CircusTest, status: JournalCase['status']): void {
  if (!log) return;
  const failed = status === 'passed' && test.errors.length > 0 ? 'failed' : status;
  const duration = Number.isFinite(test.duration) ? (test.duration as number) : null;
  const i = order.get(test);
  if (i !== undefined && failed !== 'failed') {
    append(`{"t":"case","i":${i},"status":"${failed}","duration":${duration}}\n`);
    return;
  }
  const line: JournalCaseLine = {
    t: 'case',
    ...(i !== undefined ? { i } : { ancestorTitles: describeTitles(test.parent), title: test.name }),
    status: failed,
    duration,
    ...(failed === 'failed' ? { failureMessages: test.errors.map(errorText) } : {}),
  };
  append(`${JSON.stringify(line)}\n`);
}

/** Each file of a journal, in order, with its cases named (a file run twice: both). */
export function journalFiles(lines: JournalLine[]): Array<{ file: JournalFile; cases: JournalCase[] }> {
  const out: Array<{ file: JournalFile; cases: JournalCase[] }> = [];
  for (const line of lines) {
    if (line.t === 'file') {
      out.push({ file: line, cases: [] });
      continue;
    }
    const current = out[out.length - 1];
    if (line.t !== 'case' || !current) continue;
    const named = line.i !== undefined ? current.file.tests[line.i] : line.title !== undefined ? ([line.ancestorTitles ?? [], line.title] as [string[], string]) : undefined;
    if (!named) continue;
    current.cases.push({ ancestorTitles: named[0], title: named[1], status: line.status, duration: line.duration, failureMessages: line.failureMessages ?? [] });
  }
  return out;
}

/** The last run of `path` in a journal (the one the stuck call belongs to). */
export function journalOf(lines: JournalLine[], path: string): { file?: JournalFile; cases: JournalCase[] } {
  const runs = journalFiles(lines).filter((f) => f.file.path === path);
  return runs[runs.length - 1] ?? { cases: [] };
}

export function parseJournal(text: string): JournalLine[] {
  const out: JournalLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalLine);
    } catch {
      // a line cut short: skip it
    }
  }
  return out;
}
