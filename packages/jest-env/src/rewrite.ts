/**
 * Turns the result of a file whose worker was killed (a "Test suite failed to run" with no tests)
 * into what happened: the tests that passed before, and the stuck test failed with its diagnosis.
 */
import { formatLocation, type HardTimeoutRecord } from '@hardtimeout/core/internal';
import type { EntryName } from './entries';

/** The subset of Jest's AssertionResult this module builds or reads. */
export interface CaseResult {
  ancestorTitles: string[];
  title: string;
  fullName: string;
  status: string;
  duration?: number | null;
  failureDetails: unknown[];
  failureMessages: string[];
  invocations?: number;
  location?: { line: number; column: number } | null;
  numPassingAsserts: number;
  retryReasons?: string[];
  startedAt?: number | null;
}

export interface FileResult {
  testFilePath: string;
  testResults: CaseResult[];
  testExecError?: { message: string; stack?: string } | undefined;
  failureMessage?: string | null;
  numFailingTests: number;
  numPassingTests: number;
  numPendingTests: number;
  numTodoTests: number;
  perfStats: { start: number; end: number; runtime?: number };
}

export interface Aggregate {
  numFailedTests: number;
  numPassedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
  numRuntimeErrorTestSuites: number;
}

/** The failure text of a record: core's message, then where it was stuck or is declared (as a stack frame). */
export function errorText(record: HardTimeoutRecord): string {
  const at = record.location ?? record.declaredAt;
  const where = at ? `\n    at ${record.location ? '' : 'the test declared at '}${formatLocation(at)}` : '';
  return `HardTimeoutError: ${record.message}${where}`;
}

function countOf(results: CaseResult[], status: string): number {
  return results.filter((r) => r.status === status).length;
}

/**
 * @param before results the reporter received (onTestCaseResult) before the worker died
 * @param record the stuck test or hook
 */
export function rewriteCrashedFile(result: FileResult, aggregate: Aggregate, before: CaseResult[], record: HardTimeoutRecord, entry: EntryName): void {
  const text = errorText(record);
  const isHookOfFile = entry.kind === 'beforeAll' || entry.kind === 'afterAll';
  const title = isHookOfFile ? `${entry.kind} hook` : entry.title;
  const ancestorTitles = entry.ancestorTitles;
  const fullName = [...ancestorTitles, title].join(' ');
  const kept = before.filter((r) => !(r.fullName === fullName && r.status !== 'passed'));
  const failed: CaseResult = {
    ancestorTitles,
    title,
    fullName,
    status: 'failed',
    duration: record.elapsedMs === undefined ? null : Math.round(record.elapsedMs),
    failureDetails: [{ ...record, name: 'HardTimeoutError', stack: text }],
    failureMessages: [text],
    invocations: 1,
    location: null,
    numPassingAsserts: 0,
    retryReasons: [],
    startedAt: null,
  };
  const results = [...kept, failed];
  const passed = countOf(results, 'passed');
  const failedCount = countOf(results, 'failed');
  const pending = countOf(results, 'pending');
  const todo = countOf(results, 'todo');

  const hadExecError = result.testExecError !== undefined && result.testExecError !== null;
  // undo what addResult counted for this file, then count the rebuilt result
  aggregate.numFailedTests += failedCount - result.numFailingTests;
  aggregate.numPassedTests += passed - result.numPassingTests;
  aggregate.numPendingTests += pending - result.numPendingTests;
  aggregate.numTodoTests += todo - (result.numTodoTests ?? 0);
  aggregate.numTotalTests +=
    results.length - (result.numFailingTests + result.numPassingTests + result.numPendingTests + (result.numTodoTests ?? 0));
  if (hadExecError) aggregate.numRuntimeErrorTestSuites = Math.max(0, aggregate.numRuntimeErrorTestSuites - 1);

  result.testResults = results;
  result.numPassingTests = passed;
  result.numFailingTests = failedCount;
  result.numPendingTests = pending;
  result.numTodoTests = todo;
  result.testExecError = undefined;
  const header = `  ● ${[...ancestorTitles, title].join(' › ')}`;
  result.failureMessage = `${header}\n\n${text.replace(/^/gm, '    ')}\n`;
  const now = Date.now();
  if (!result.perfStats.start) {
    const elapsed = Math.round(record.elapsedMs ?? 0);
    result.perfStats.start = now - elapsed;
    result.perfStats.end = now;
    result.perfStats.runtime = elapsed;
  }
}
