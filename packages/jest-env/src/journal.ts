/**
 * In band and in worker threads a test stuck in native code ends the run (the process is Jest
 * itself). So that nothing finished is lost, each thread keeps a journal of its files and tests in
 * core's stuck log: memory only, written to a file by the native watchdog when a call of this
 * thread is stuck, just before it starts the program that ends the run (stuck-exit.ts), which
 * replays it into Jest's results. A healthy run writes nothing.
 *
 * One JSON object a line: a `file` line when a file starts (its tests, in order), a `case` line per
 * test that finished (Jest's assertion result), in the order they happened.
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
  t: 'case';
  path: string;
  ancestorTitles: string[];
  title: string;
  status: 'passed' | 'failed' | 'pending' | 'todo';
  duration: number | null;
  failureMessages: string[];
}

export type JournalLine = JournalFile | JournalCase;

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

function append(line: JournalLine): void {
  if (!log) return;
  try {
    log.append(`${JSON.stringify(line)}\n`);
  } catch {
    // a journal too big to keep: the results are then only lost if the run ends
  }
}

/** Every test of a file, in the order jest-circus runs them. */
export function testsOf(root: CircusDescribeBlock): Array<[string[], string]> {
  const out: Array<[string[], string]> = [];
  const walk = (block: CircusDescribeBlock): void => {
    for (const child of block.children) {
      if (child.type === 'describeBlock') walk(child);
      else out.push([describeTitles(child.parent), child.name]);
    }
  };
  walk(root);
  return out;
}

export function journalFile(testPath: string, root: CircusDescribeBlock, project: string | undefined): void {
  append({ t: 'file', path: testPath, ...(project ? { project } : {}), start: Date.now(), tests: testsOf(root) });
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
export function journalCase(testPath: string, test: CircusTest, status: JournalCase['status']): void {
  if (!log) return;
  const failed = status === 'passed' && test.errors.length > 0 ? 'failed' : status;
  append({
    t: 'case',
    path: testPath,
    ancestorTitles: describeTitles(test.parent),
    title: test.name,
    status: failed,
    duration: typeof test.duration === 'number' ? test.duration : null,
    failureMessages: failed === 'failed' ? test.errors.map(errorText) : [],
  });
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
