/**
 * `reporters: ['default', '@hardtimeout/jest-env/reporter']` (or `[..., ['@hardtimeout/jest-env/reporter', { outputFile: 'hard-timeouts.json' }]]`)
 *
 * - lists every hard timeout of the run at the end: test, file:line, limit, what was done;
 * - writes the same list as JSON when `outputFile` is given;
 * - when a worker was killed because a test was stuck in native code, turns the crashed file's
 *   "Test suite failed to run" into the stuck test's failure, keeping the tests that had passed.
 *   (Listed before 'default', the default reporter already prints the rewritten result.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeDiagnosis, type StuckReport } from '@hardtimeout/core/internal';
import {
  DIR_ENV,
  JSON_ENV,
  RUN_FILE,
  appendResult,
  writeJson,
  filesFor,
  readJson,
  readRecords,
  type EntryMeta,
  type HardTimeoutRecord,
} from './report-file';
import { relative, rewriteCrashedFile, type Aggregate, type CaseResult, type FileResult } from './rewrite';
import { describeValue } from './helper';
import { formatSummary } from './summary';

export { formatSummary };

export interface HardTimeoutReporterOptions {
  /** Write the list of hard timeouts as JSON to this file (relative to rootDir). */
  outputFile?: string;
  /** Do not print the summary (the JSON file and the rewriting of crashed files still happen). */
  silent?: boolean;
}

interface TestRef {
  path: string;
}

const KNOWN = new Set(['outputFile', 'silent']);

export default class HardTimeoutReporter {
  private readonly dir: string;
  private readonly rootDir: string;
  private readonly outputFile: string | undefined;
  private readonly silent: boolean;
  private readonly cases = new Map<string, CaseResult[]>();
  private readonly records: HardTimeoutRecord[] = [];
  private readonly seen = new Set<string>();

  constructor(globalConfig: { rootDir?: string }, options?: HardTimeoutReporterOptions) {
    this.rootDir = globalConfig?.rootDir ?? process.cwd();
    const opts = (options ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(opts)) {
      if (!KNOWN.has(key)) {
        throw new Error(`@hardtimeout/jest-env/reporter: unknown option "${key}" (value ${describeValue(opts[key])}) in the reporters entry of the Jest config; known options: ${[...KNOWN].join(', ')}`);
      }
    }
    if (opts.outputFile !== undefined && (typeof opts.outputFile !== 'string' || opts.outputFile === '')) {
      throw new Error(`@hardtimeout/jest-env/reporter: invalid outputFile ${describeValue(opts.outputFile)} in the reporters entry of the Jest config: expected a file path`);
    }
    if (opts.silent !== undefined && typeof opts.silent !== 'boolean') {
      throw new Error(`@hardtimeout/jest-env/reporter: invalid silent ${describeValue(opts.silent)} in the reporters entry of the Jest config: expected true or false`);
    }
    this.outputFile = typeof opts.outputFile === 'string' ? path.resolve(this.rootDir, opts.outputFile) : undefined;
    this.silent = opts.silent === true;
    // Exported before Jest forks its workers, which inherit it: that is how they find this directory.
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hardtimeout-jest-'));
    process.env[DIR_ENV] = this.dir;
    if (this.outputFile) process.env[JSON_ENV] = this.outputFile;
    else delete process.env[JSON_ENV];
  }

  onRunStart(aggregate: { numTotalTestSuites?: number }): void {
    writeJson(path.join(this.dir, RUN_FILE), { numTotalTestSuites: aggregate?.numTotalTestSuites });
  }

  onTestCaseResult(test: TestRef, result: CaseResult): void {
    const list = this.cases.get(test.path) ?? [];
    list.push(result);
    this.cases.set(test.path, list);
  }

  onTestFileResult(test: TestRef, result: FileResult, aggregate: Aggregate): void {
    try {
      this.collect(test.path, result, aggregate);
    } catch (error) {
      process.stderr.write(`@hardtimeout/jest-env/reporter: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    this.cases.delete(test.path);
    // kept in case the run must end (a test stuck in native code in band or in a worker thread)
    appendResult(this.dir, result);
  }

  private add(record: HardTimeoutRecord): void {
    const key = JSON.stringify(record);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.records.push(record);
  }

  private collect(testPath: string, result: FileResult, aggregate: Aggregate): void {
    for (const file of filesFor(this.dir, testPath, 'stopped')) for (const r of readRecords(file)) this.add(r);
    const stuckFiles = filesFor(this.dir, testPath, 'stuck').filter((f) => !this.seen.has(f));
    if (stuckFiles.length === 0) return;
    for (const f of stuckFiles) this.seen.add(f);
    // The worker is killed at the first stuck test: one report per dead worker.
    const file = stuckFiles[stuckFiles.length - 1]!;
    const report = readJson<StuckReport>(file);
    if (!report) return;
    const m = /\.(\d+)\.stuck\.(\d+)\.json$/.exec(file);
    const meta = m ? readJson<{ entries: Record<string, EntryMeta> }>(path.join(this.dir, path.basename(file).replace(/\.stuck\.\d+\.json$/, '.meta.json'))) : undefined;
    const entry = m ? meta?.entries[m[2]!] : undefined;
    const blockedIn = describeDiagnosis(report.diagnosis) ?? (report.busyInJavaScript ? 'JavaScript that could not be stopped safely' : 'native code');
    const killed = report.action === 'kill-process';
    const elapsed = Math.round(report.elapsedMs);
    const record: HardTimeoutRecord = {
      testPath,
      test: entry?.test ?? report.label,
      title: entry?.title ?? report.label,
      ancestorTitles: entry?.ancestorTitles ?? [],
      kind: entry?.kind ?? 'test',
      declaredAt: entry?.declaredAt ?? null,
      stuckAt: null,
      limitMs: report.timeoutMs,
      elapsedMs: elapsed,
      cause: 'native',
      action: killed ? `worker process ${report.pid} killed (SIGKILL)` : 'reported',
      blockedIn,
      message:
        `"${report.label}" ran past its hard timeout of ${Math.round(report.timeoutMs)} ms in native code that could not be ` +
        `interrupted (${blockedIn})` +
        (killed
          ? `: its worker process (pid ${report.pid}) was killed after ${elapsed} ms; the tests after it in this file did not run`
          : ''),
    };
    this.add(record);
    if (result.testExecError) {
      rewriteCrashedFile(result, aggregate, this.cases.get(testPath) ?? [], record, this.rootDir);
      if (!this.silent) {
        process.stderr.write(`\n@hardtimeout/jest-env: ${relative(testPath, this.rootDir)}: ${record.message}\n`);
      }
    }
  }

  onRunComplete(): void {
    if (!this.silent && this.records.length > 0) process.stderr.write(formatSummary(this.records, this.rootDir));
    if (this.outputFile) {
      try {
        fs.mkdirSync(path.dirname(this.outputFile), { recursive: true });
        fs.writeFileSync(this.outputFile, `${JSON.stringify({ hardTimeouts: this.records, complete: true }, null, 2)}\n`);
      } catch (error) {
        process.stderr.write(`@hardtimeout/jest-env/reporter: cannot write ${this.outputFile}: ${(error as Error).message}\n`);
      }
    }
    try {
      fs.rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // a temporary directory
    }
  }

  /** The hard timeouts of the run so far (for programmatic use). */
  getHardTimeouts(): readonly HardTimeoutRecord[] {
    return this.records;
  }
}
