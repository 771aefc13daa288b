/**
 * In band (the main Jest process) and in worker threads, a test stuck in native code cannot be
 * stopped, and its process cannot be killed without killing Jest. So its guarded calls carry an
 * onStuck plan of kill 'process' with this program: when a call is stuck, core's native watchdog
 * (no JavaScript can run in the stuck process) starts it, waits for it, then SIGKILLs Jest and its
 * descendants. The program says which test is stuck where, and writes the reporter's JSON, so that
 * the run ends with a non-zero status and a reason instead of hanging forever.
 *
 * `node stuck-exit.js <mode> <testPath> <stuck report JSON>` (the report is added by the watchdog).
 * Started only when something is stuck: a healthy run pays nothing for it (the helper thread
 * this replaces cost every in-band run ~150 M instructions to start).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeDiagnosis, type StuckReport } from '@hardtimeout/core/internal';
import { DIR_ENV, JSON_ENV, allRecords, type HardTimeoutRecord } from './report-file';
import type { RunMode } from './mode';

/** The onStuck.exec of a guarded call in this mode and file. */
export function stuckProgram(mode: RunMode, testPath: string): string[] {
  return [process.execPath, __filename, mode, testPath];
}

function main(mode: RunMode, testPath: string, report: StuckReport): void {
  const blockedIn = describeDiagnosis(report.diagnosis) ?? (report.busyInJavaScript ? 'JavaScript that cannot be stopped safely' : 'native code');
  const where = mode === 'in-band' ? 'in the main Jest process (in band)' : 'in a Jest worker thread';
  const file = testPath ? path.relative(process.cwd(), testPath) || testPath : 'a test file';
  const lines = [
    '',
    `@hardtimeout/jest-env: "${report.label}" in ${file} is stuck in ${blockedIn}: ` +
      `${Math.round(report.elapsedMs)} ms, hard timeout ${Math.round(report.timeoutMs)} ms.`,
    `@hardtimeout/jest-env: it runs ${where}, where it cannot be stopped without stopping Jest: ending the run.`,
    '@hardtimeout/jest-env: with child-process workers (not --runInBand, not workerThreads) only that worker is killed and the run goes on.',
    '',
  ];
  try {
    fs.writeSync(2, lines.join('\n'));
  } catch {
    // stderr closed: the exit status still says it
  }
  const dir = process.env[DIR_ENV];
  try {
    writeJson(mode, testPath, report, blockedIn, lines[1]!, dir);
  } finally {
    // The reporter's folder (records of this run's workers) would be removed by the reporter when
    // the run completes; Jest is killed as soon as this program exits, so it is removed here.
    try {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // a temporary folder
    }
  }
}

function writeJson(mode: RunMode, testPath: string, report: StuckReport, blockedIn: string, message: string, dir: string | undefined): void {
  const json = process.env[JSON_ENV];
  if (!json) return;
  const record: HardTimeoutRecord = {
    testPath,
    test: report.label,
    title: report.label,
    ancestorTitles: [],
    kind: /^(beforeAll|beforeEach|afterEach|afterAll) hook/.exec(report.label)?.[1] as HardTimeoutRecord['kind'] ?? 'test',
    declaredAt: null,
    stuckAt: null,
    limitMs: report.timeoutMs,
    elapsedMs: Math.round(report.elapsedMs),
    cause: 'native',
    action: mode === 'in-band' ? 'run ended (stuck in native code in band)' : 'run ended (stuck in native code in a worker thread)',
    blockedIn,
    message: message.replace('@hardtimeout/jest-env: ', ''),
  };
  try {
    const earlier = dir ? allRecords(dir) : [];
    fs.writeFileSync(json, JSON.stringify({ hardTimeouts: [...earlier, record], complete: false }, null, 2));
  } catch {
    // best effort: the message above is out
  }
}

if (require.main === module) {
  const [mode, testPath, report] = process.argv.slice(2);
  main(mode as RunMode, testPath ?? '', JSON.parse(report ?? '{}') as StuckReport);
}
