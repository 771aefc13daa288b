/**
 * The files through which the environment (in a worker, or in band) tells the reporter (main
 * process) about hard timeouts. The reporter creates a directory and exports it in
 * HARDTIMEOUT_JEST_DIR before Jest starts its workers; without the reporter nothing is written.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HardTimeoutRecord } from '@hardtimeout/core/internal';
import type { EntryKind } from './entries';

export type { HardTimeoutRecord };

export const DIR_ENV = 'HARDTIMEOUT_JEST_DIR';
/** Set by the reporter when it writes a JSON summary: the in-band fallback writes there too. */
export const JSON_ENV = 'HARDTIMEOUT_JEST_JSON';

/** Everything the reporter needs to know about one test or hook of a file, written before it runs. */
export interface EntryMeta {
  kind: EntryKind;
  test: string;
  title: string;
  ancestorTitles: string[];
  declaredAt: string | null;
  /** declaredAt is V8's location, not source-mapped (reporter-link.ts): the reporter checks it. */
  raw?: boolean;
}

export function reportDir(): string | undefined {
  const dir = process.env[DIR_ENV];
  return dir && path.isAbsolute(dir) ? dir : undefined;
}

/** A test file in a project: the same file in two projects (jsdom and node, say) is two runs. */
export function fileKey(testPath: string, project: string | undefined): string {
  return createHash('sha1').update(`${project ?? ''}\0${testPath}`).digest('hex').slice(0, 16);
}

export const names = {
  meta: (key: string, pid: number) => `${key}.${pid}.meta.json`,
  stuck: (key: string, pid: number, id: number) => `${key}.${pid}.stuck.${id}.json`,
  stopped: (key: string, pid: number) => `${key}.${pid}.stopped.jsonl`,
};

/** The records the reporter collected so far, in order (read by the program that ends a run). */
export const RECORDS_FILE = 'records.jsonl';

/** Appends one record of the file `key` (never throws: reporting must not fail a test run). */
export function appendRecord(dir: string, key: string, record: HardTimeoutRecord): void {
  try {
    fs.appendFileSync(path.join(dir, names.stopped(key, process.pid)), `${JSON.stringify(record)}\n`);
  } catch {
    // the reporter will only miss this entry in its summary; the test itself already failed
  }
}

export function writeJson(file: string, value: unknown): void {
  try {
    fs.writeFileSync(file, JSON.stringify(value));
  } catch {
    // see appendRecord
  }
}

/** The names in `dir` (none when it cannot be read). */
export function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Files of `dir` that belong to `testPath` and match `kind` (`all`: the names in `dir`, read once). */
export function filesFor(dir: string, key: string, kind: 'meta' | 'stuck' | 'stopped', all = listDir(dir)): string[] {
  const prefix = `${key}.`;
  const re = kind === 'meta' ? /\.meta\.json$/ : kind === 'stuck' ? /\.stuck\.\d+\.json$/ : /\.stopped\.jsonl$/;
  return all.filter((n) => n.startsWith(prefix) && re.test(n)).map((n) => path.join(dir, n));
}

/**
 * Set on the main process's global by an environment that runs there (in band): the reporter then
 * keeps each file's result for a replay. Child-process workers never end the run, so a run with
 * them keeps nothing.
 */
export const IN_BAND = Symbol.for('@hardtimeout/jest-env.in-band');

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function readRecords(file: string): HardTimeoutRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: HardTimeoutRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as HardTimeoutRecord);
    } catch {
      // a record cut short by a kill: skip it
    }
  }
  return out;
}

/** Every record of the run so far: those the reporter collected, then those it had not read yet. */
export function allRecords(dir: string): HardTimeoutRecord[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return [
    ...readRecords(path.join(dir, RECORDS_FILE)),
    ...names.filter((n) => n.endsWith('.stopped.jsonl')).flatMap((n) => readRecords(path.join(dir, n))),
  ];
}

export function removeFiles(files: string[]): void {
  for (const f of files) {
    try {
      fs.rmSync(f, { force: true });
    } catch {
      // left for the directory cleanup
    }
  }
}

/** Each finished file's result, as Jest gave it to the reporter: replayed if the run must end (replay.ts). */
export const RESULTS_FILE = 'results.jsonl';
export const RUN_FILE = 'run.json';

export function appendResult(dir: string, result: unknown): void {
  appendLine(path.join(dir, RESULTS_FILE), result);
}

/** Appends one JSON line (never throws: what is lost is only replayed from the journal, where there is one). */
export function appendLine(file: string, value: unknown): void {
  try {
    fs.appendFileSync(file, `${JSON.stringify(value)}\n`);
  } catch {
    // see above
  }
}

export function readResults<T = import('./rewrite').FileResult>(dir: string): T[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, RESULTS_FILE), 'utf8');
  } catch {
    return [];
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // cut short
    }
  }
  return out;
}

/** How many test files the run has (the reporter's onRunStart). */
export function readTotal(dir: string): number | undefined {
  const run = readJson<{ numTotalTestSuites?: unknown }>(path.join(dir, RUN_FILE));
  return typeof run?.numTotalTestSuites === 'number' ? run.numTotalTestSuites : undefined;
}
