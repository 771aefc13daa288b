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
import type { StuckReport } from '@hardtimeout/core/internal';
import type { EntryName } from './entries';
import {
  DIR_ENV,
  JSON_ENV,
  RECORDS_FILE,
  RUN_FILE,
  appendLine,
  appendResult,
  IN_BAND,
  fileKey,
  listDir,
  removeFiles,
  writeJson,
  filesFor,
  readJson,
  readRecords,
  type EntryMeta,
  type HardTimeoutRecord,
} from './report-file';
import type { Aggregate, CaseResult, FileResult } from './rewrite';
import { describeValue } from './helper';
import { formatSummary } from './summary';

// What only a file with something to report needs, loaded then: with them a healthy run's Jest
// would also load core and the addon in its main process for nothing.
const lazy = {
  records: () => require('./records') as typeof import('./records'),
  rewrite: () => require('./rewrite') as typeof import('./rewrite'),
  stuckExit: () => require('./stuck-exit') as typeof import('./stuck-exit'),
};

export { formatSummary };

export interface HardTimeoutReporterOptions {
  /** Write the list of hard timeouts as JSON to this file (relative to rootDir). */
  outputFile?: string;
  /** Do not print the summary (the JSON file and the rewriting of crashed files still happen). */
  silent?: boolean;
}

interface TestRef {
  path: string;
  context?: { config?: { displayName?: string | { name?: string } } };
}

/** The Jest project's displayName of a test file (normalized by Jest to { name, color }). */
export function projectOf(test: TestRef): string | undefined {
  const d = test?.context?.config?.displayName;
  const name = typeof d === 'string' ? d : d?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

const KNOWN = new Set(['outputFile', 'silent']);

/** The key of a file's test results while it runs (no hash: the reporter makes one per test). */
function caseKey(testPath: string, project: string | undefined): string {
  return `${project ?? ''}\0${testPath}`;
}

/**
 * Where a killed worker's entry is declared. The worker keeps V8's location, not source-mapped (it
 * would cost every healthy file a source-map parse): a test's is checked against the one line of
 * the file that has its title in quotes, and that line wins where they differ (a transform moved it).
 */
export function declaredAtOf(testPath: string, entry: EntryMeta, read = (f: string) => fs.readFileSync(f, 'utf8')): string | null {
  if (!entry.raw) return entry.declaredAt;
  let line: number | undefined;
  try {
    line = entry.kind === 'test' ? lazy.stuckExit().declarationLine(read(testPath), entry.title) : undefined;
  } catch {
    line = undefined;
  }
  if (line === undefined) return entry.declaredAt;
  const m = /:(\d+):(\d+)$/.exec(entry.declaredAt ?? '');
  return m && Number(m[1]) === line ? entry.declaredAt : `${testPath}:${line}`;
}

export default class HardTimeoutReporter {
  private readonly dir: string;
  private readonly rootDir: string;
  private readonly outputFile: string | undefined;
  private readonly silent: boolean;
  /** Each running file's finished tests, by project and path (for a worker that gets killed). */
  private readonly cases = new Map<string, CaseResult[]>();
  /** Worker threads can end the run (a test stuck in native code): results are kept for a replay. */
  private readonly threads: boolean;
  private readonly records: HardTimeoutRecord[] = [];

  constructor(globalConfig: { rootDir?: string; workerThreads?: boolean }, options?: HardTimeoutReporterOptions) {
    this.rootDir = globalConfig?.rootDir ?? process.cwd();
    this.threads = globalConfig?.workerThreads === true;
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
    const key = caseKey(test.path, projectOf(test));
    const list = this.cases.get(key);
    if (list) list.push(result);
    else this.cases.set(key, [result]);
  }

  onTestFileResult(test: TestRef, result: FileResult, aggregate: Aggregate): void {
    const project = projectOf(test);
    try {
      this.collect(test.path, project, fileKey(test.path, project), result, aggregate);
    } catch (error) {
      process.stderr.write(`@hardtimeout/jest-env/reporter: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    this.cases.delete(caseKey(test.path, project));
    // kept in case the run must end (a test stuck in native code in band or in a worker thread)
    if (this.threads || (globalThis as Record<symbol, unknown>)[IN_BAND] === true) appendResult(this.dir, result);
  }

  /**
   * Every record is kept, in order: one per stopped call (a retried test stopped twice is there
   * twice). Also appended to the run's records file, for the program that ends a run in band.
   */
  private add(record: HardTimeoutRecord): void {
    this.records.push(record);
    appendLine(path.join(this.dir, RECORDS_FILE), record);
  }

  /** Reads the files the environment wrote for this file of this project, once: they are removed. */
  private collect(testPath: string, project: string | undefined, key: string, result: FileResult, aggregate: Aggregate): void {
    const all = listDir(this.dir);
    const stopped = filesFor(this.dir, key, 'stopped', all);
    for (const file of stopped) for (const r of readRecords(file)) this.add(r);
    const stuckFiles = filesFor(this.dir, key, 'stuck', all);
    const metaFiles = filesFor(this.dir, key, 'meta', all);
    try {
      if (stuckFiles.length > 0) this.collectStuck(testPath, project, stuckFiles, result, aggregate);
    } finally {
      if (stopped.length + stuckFiles.length + metaFiles.length > 0) removeFiles([...stopped, ...stuckFiles, ...metaFiles]);
    }
  }

  private collectStuck(testPath: string, project: string | undefined, stuckFiles: string[], result: FileResult, aggregate: Aggregate): void {
    // The worker is killed at the first stuck test: one report per dead worker.
    const file = stuckFiles[stuckFiles.length - 1]!;
    const report = readJson<StuckReport>(file);
    if (!report) return;
    const m = /\.(\d+)\.stuck\.(\d+)\.json$/.exec(file);
    const meta = m ? readJson<{ entries: Record<string, EntryMeta> }>(path.join(this.dir, path.basename(file).replace(/\.stuck\.\d+\.json$/, '.meta.json'))) : undefined;
    const entry = m ? meta?.entries[m[2]!] : undefined;
    const name: EntryName = entry ?? { kind: 'test', ancestorTitles: [], title: report.label, test: report.label };
    const record = lazy.records().recordOfStuck(
      report,
      { testPath, rootDir: this.rootDir, project, name, declaredAt: entry ? declaredAtOf(testPath, entry) : null },
      report.action === 'kill-process' ? 'worker-killed' : 'run-ended',
    );
    this.add(record);
    if (result.testExecError) {
      lazy.rewrite().rewriteCrashedFile(result, aggregate, this.cases.get(caseKey(testPath, project)) ?? [], record, name);
      if (!this.silent) process.stderr.write(`\n@hardtimeout/jest-env: ${record.message}\n`);
    }
  }

  onRunComplete(): void {
    if (!this.silent && this.records.length > 0) process.stderr.write(formatSummary(this.records));
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
