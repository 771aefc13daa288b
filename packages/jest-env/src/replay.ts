/**
 * Rebuilds Jest's results of a run that must end because a test is stuck in native code in band or
 * in a worker thread, from the stuck thread's journal and the results the reporter kept. Pure: the
 * program that ends the run (replay-exit.ts) reads the files and hands Jest's helpers in.
 */
import { journalFiles, type JournalCase, type JournalFile, type JournalLine } from './journal';
import type { CaseResult, FileResult } from './rewrite';

export interface StuckTest {
  testPath: string;
  /** The stuck test's [ancestorTitles, title], when it is a test (not a hook). */
  test?: [string[], string];
  /** A stuck hook's describe block (its titles): the first test there that had not finished fails, as Jest fails the test a hook ran for. */
  scope?: string[];
  /** The hook's name, for the tests that never ran. */
  hookName?: string;
  /** The failure message of the stuck test (or of the file, for a hook). */
  message: string;
  elapsedMs: number;
}

/** Jest's createEmptyTestResult (of the running Jest). */
export type EmptyResult = () => FileResult & Record<string, unknown>;

function caseOf(c: Pick<JournalCase, 'ancestorTitles' | 'title' | 'status' | 'duration' | 'failureMessages'>): CaseResult {
  return {
    ancestorTitles: c.ancestorTitles,
    title: c.title,
    fullName: [...c.ancestorTitles, c.title].join(' '),
    status: c.status,
    duration: c.duration,
    failureDetails: [],
    failureMessages: c.failureMessages,
    invocations: 1,
    location: null,
    numPassingAsserts: 0,
    retryReasons: [],
    startedAt: null,
  };
}

const key = (ancestors: string[], title: string): string => JSON.stringify([ancestors, title]);

/** The message a never-run test of the stuck file carries in the JSON. */
export function notRunMessage(stuckName: string): string {
  return `not run: the run ended while "${stuckName}" was stuck in native code`;
}

/**
 * One file's result from its journal lines. For the stuck file: its stuck test failed, the tests
 * that never ran listed as pending with a message saying why.
 */
export function fileResult(file: JournalFile, cases: JournalCase[], empty: EmptyResult, stuck: StuckTest | undefined, now: number): FileResult {
  const result = empty();
  result.testFilePath = file.path;
  if (file.project) (result as Record<string, unknown>).displayName = { name: file.project, color: 'white' };
  const done = new Map<string, CaseResult>();
  for (const c of cases) done.set(key(c.ancestorTitles, c.title), caseOf(c));
  const results: CaseResult[] = [];
  let stuckKey = stuck?.test ? key(stuck.test[0], stuck.test[1]) : undefined;
  if (stuck && !stuck.test && stuck.scope) {
    const scope = stuck.scope;
    const first = file.tests.find(([a, t]) => !done.has(key(a, t)) && scope.every((s, i) => a[i] === s));
    if (first) stuckKey = key(first[0], first[1]);
  }
  for (const [ancestors, title] of file.tests) {
    const k = key(ancestors, title);
    const finished = done.get(k);
    if (finished) {
      results.push(finished);
      done.delete(k);
    } else if (stuck && k === stuckKey) {
      results.push({ ...caseOf({ ancestorTitles: ancestors, title, status: 'failed', duration: Math.round(stuck.elapsedMs), failureMessages: [stuck.message] }) });
    } else if (stuck) {
      const name = stuck.test ? [...stuck.test[0], stuck.test[1]].join(' › ') : stuck.hookName ?? 'a hook';
      results.push(caseOf({ ancestorTitles: ancestors, title, status: 'pending', duration: null, failureMessages: [notRunMessage(name)] }));
    }
  }
  // (a test the file did not list at its start, e.g. added while running)
  for (const extra of done.values()) results.push(extra);
  result.testResults = results;
  result.numPassingTests = results.filter((r) => r.status === 'passed').length;
  result.numFailingTests = results.filter((r) => r.status === 'failed').length;
  result.numPendingTests = results.filter((r) => r.status === 'pending').length;
  result.numTodoTests = results.filter((r) => r.status === 'todo').length;
  if (stuck && !stuck.test && !results.some((r) => r.status === 'failed' && r.failureMessages[0] === stuck.message)) {
    // a hook no test was waiting for (an afterAll): the file failed to run
    result.testExecError = { message: stuck.message, stack: stuck.message };
  }
  const failing = results.filter((r) => r.status === 'failed');
  result.failureMessage =
    failing.length > 0 || result.testExecError
      ? [
          ...failing.map((r) => `  ● ${[...r.ancestorTitles, r.title].join(' › ')}\n\n${r.failureMessages.join('\n').replace(/^/gm, '    ')}\n`),
          ...(result.testExecError ? [`  ● Test suite failed to run\n\n${stuck!.message.replace(/^/gm, '    ')}\n`] : []),
        ].join('\n')
      : null;
  result.perfStats = { ...result.perfStats, start: file.start, end: now, runtime: now - file.start };
  return result;
}

/**
 * Every file's result: the reporter's (exact, Jest's own objects) where it has one, else rebuilt
 * from the journal. The stuck file is always rebuilt (Jest never finished it).
 */
export function replay(lines: JournalLine[], fromReporter: FileResult[], empty: EmptyResult, stuck: StuckTest, now: number): FileResult[] {
  // (a path run twice, by two projects: its last run, as before)
  const files = new Map<string, { file: JournalFile; cases: JournalCase[] }>();
  for (const run of journalFiles(lines)) files.set(run.file.path, run);
  const out: FileResult[] = fromReporter.filter((r) => r.testFilePath !== stuck.testPath);
  const known = new Set(out.map((r) => r.testFilePath));
  for (const [p, { file, cases }] of files) {
    if (known.has(p)) continue;
    out.push(fileResult(file, cases, empty, p === stuck.testPath ? stuck : undefined, now));
  }
  if (!files.has(stuck.testPath)) {
    // the journal was not there (no addon log): the stuck test alone
    out.push(fileResult({ t: 'file', path: stuck.testPath, start: now - stuck.elapsedMs, tests: stuck.test ? [stuck.test] : [] }, [], empty, stuck, now));
  }
  return out;
}
