/**
 * In band or in a worker thread: the run ends because a test is stuck in native code. Says so,
 * replays what finished into Jest's results (replay.ts), prints the stuck file and Jest's summary
 * lines and the hard-timeout summary, writes Jest's `--json` output and the reporter's JSON, and
 * removes the reporter's folder and the journal (the reporter dies with Jest).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StuckReport } from '@hardtimeout/core/internal';
import { parseJournal } from './journal';
import { jestResultHelpers, type JestResultHelpers } from './internals';
import { DIR_ENV, JSON_ENV, allRecords, readResults, readTotal } from './report-file';
import { errorText } from './rewrite';
import { formatSummary } from './summary';
import { replay, type StuckTest } from './replay';
import type { FileResult } from './rewrite';
import { declarationLine, stuckRecord, type StuckContext } from './stuck-exit';

function write(fd: number, text: string): void {
  try {
    fs.writeSync(fd, text);
  } catch {
    // closed: the exit status still says it
  }
}

function readText(file: string | undefined): string {
  if (!file) return '';
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function endRun(c: StuckContext, report: StuckReport): void {
  const where = c.mode === 'in-band' ? 'in the main Jest process (in band)' : 'in a Jest worker thread';
  const entry = c.entry;
  const line = entry?.kind === 'test' ? declarationLine(readText(c.testPath), entry.title) : undefined;
  const record = stuckRecord(c, report, line, 'run-ended');
  write(2, [
    '',
    `@hardtimeout/jest-env: ${record.message}`,
    `@hardtimeout/jest-env: it runs ${where}, where it cannot be stopped without stopping Jest: ending the run.`,
    '@hardtimeout/jest-env: with child-process workers (not --runInBand, not workerThreads) only that worker is killed and the run goes on.',
    '',
  ].join('\n'));
  const dir = process.env[DIR_ENV];
  try {
    const stuck: StuckTest = {
      testPath: c.testPath,
      ...(entry?.kind === 'test'
        ? { test: [entry.ancestorTitles, entry.title] as [string[], string] }
        : entry
          ? { scope: entry.ancestorTitles, hookName: record.name }
          : {}),
      message: errorText(record),
      elapsedMs: report.elapsedMs,
    };
    const jest = jestResultHelpers(c.jestDir);
    if (jest instanceof Error) {
      write(2, `@hardtimeout/jest-env: the results of the run are not replayed: ${jest.message}\n`);
    } else {
      const results = replay(parseJournal(readText(c.journal)), dir ? readResults(dir) : [], jest.createEmptyTestResult, stuck, Date.now());
      printAndWrite(c, jest, results, dir);
    }
    const records = [...(dir ? allRecords(dir) : []), record];
    if (dir) write(2, formatSummary(records));
    const json = process.env[JSON_ENV];
    if (json) fs.writeFileSync(json, `${JSON.stringify({ hardTimeouts: records, complete: false }, null, 2)}\n`);
  } catch (error) {
    write(2, `@hardtimeout/jest-env: could not write the results of the run: ${(error as Error)?.stack ?? String(error)}\n`);
  } finally {
    for (const p of [dir, c.journal]) {
      try {
        if (p) fs.rmSync(p, { recursive: true, force: true });
      } catch {
        // a temporary file
      }
    }
  }
}

function printAndWrite(c: StuckContext, jest: JestResultHelpers, results: FileResult[], dir: string | undefined): void {
  const aggregate = jest.makeEmptyAggregatedTestResult();
  aggregate.startTime = Math.min(...results.map((r) => r.perfStats.start || Date.now()));
  for (const r of results) jest.addResult(aggregate, r);
  aggregate.success = false;
  const total = dir ? readTotal(dir) : undefined;
  if (total !== undefined) aggregate.numTotalTestSuites = Math.max(aggregate.numTotalTestSuites ?? 0, total);
  const stuckFile = results.find((r) => r.testFilePath === c.testPath);
  const globalConfig = { rootDir: c.rootDir };
  if (stuckFile) {
    const header = jest.getResultHeader?.(stuckFile, globalConfig) ?? `FAIL ${path.relative(c.rootDir, c.testPath)}`;
    write(2, `${header}\n${stuckFile.failureMessage ?? ''}\n`);
  }
  if (jest.getSummary) write(2, `${jest.getSummary(aggregate, { estimatedTime: 0, roundTime: false })}\n`);
  else write(2, `Tests: ${aggregate.numFailedTests} failed, ${aggregate.numPassedTests} passed, ${aggregate.numTotalTests} total (@jest/reporters not found: Jest's own summary lines cannot be printed)\n`);
  if (c.json) {
    const text = JSON.stringify(jest.formatTestResults(aggregate));
    if (c.outputFile) {
      const target = path.resolve(process.cwd(), c.outputFile);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, text);
      write(2, `Test results written to: ${path.relative(process.cwd(), target)}\n`);
    } else {
      write(1, `${text}\n`);
    }
  }
}
