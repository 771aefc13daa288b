/**
 * The records of hard timeouts this package reports: core's HardTimeoutRecord, built from the
 * error core threw or the stuck report its watchdog wrote (never from a message's text), with the
 * message from core's builder. Paths are relative to Jest's rootDir, as Jest shows them.
 */
import * as path from 'node:path';
import {
  recordFromError,
  recordFromStuckReport,
  type HardTimeoutAction,
  type HardTimeoutError,
  type HardTimeoutRecord,
  type SourceLocation,
  type StuckReport,
} from '@hardtimeout/core/internal';
import type { EntryName } from './entries';

/** Where a record is from: the test or hook, its file, its project. */
export interface RecordContext {
  testPath: string;
  rootDir: string;
  project: string | undefined;
  name: EntryName;
  /** "file:line:column" of the test() or hook call, when known. */
  declaredAt: string | null;
}

/** The record's name of a test or hook: "describe › test", "beforeEach of describe › test", "afterAll". */
export function recordName(name: EntryName): string {
  if (name.kind === 'test') return name.test;
  return name.test ? `${name.kind} of ${name.test}` : name.kind;
}

export function relativeTo(rootDir: string, file: string): string {
  return path.isAbsolute(file) ? path.relative(rootDir, file) || file : file;
}

/** "file:line:column" (a stack frame's) or "file:line" as a location relative to rootDir. */
export function parseLocation(text: string | null | undefined, rootDir: string): SourceLocation | undefined {
  const m = text ? /^(.*?):(\d+)(?::(\d+))?$/.exec(text) : null;
  if (!m) return undefined;
  return { file: relativeTo(rootDir, m[1]!), line: Number(m[2]), ...(m[3] ? { column: Number(m[3]) } : {}) };
}

function context(c: RecordContext) {
  return {
    entry: c.name.kind === 'test' ? ('test' as const) : ('hook' as const),
    name: recordName(c.name),
    file: relativeTo(c.rootDir, c.testPath),
    ...(c.project ? { project: c.project } : {}),
    declaredAt: parseLocation(c.declaredAt, c.rootDir),
  };
}

/** A HardTimeoutError a test or hook failed with: stopped in place, unblocked, or failed while waiting. */
export function recordOfError(error: HardTimeoutError, c: RecordContext): HardTimeoutRecord {
  const location = error.location ? { ...error.location, file: relativeTo(c.rootDir, error.location.file) } : undefined;
  const { timeout, elapsed, kind, pending, diagnosis, unblocked } = error;
  return recordFromError({ timeout, elapsed, kind, pending, diagnosis, unblocked, location }, context(c));
}

/** A stuck report: the worker killed (child process), or the run ended (in band, worker thread). */
export function recordOfStuck(report: StuckReport, c: RecordContext, action: HardTimeoutAction): HardTimeoutRecord {
  return recordFromStuckReport(report, { ...context(c), action });
}
