/** The helper thread of stuck-watch.ts. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { describeDiagnosis, killProcessTree, onThreadStuck, type StuckReport } from '@hardtimeout/core';
import { DIR_ENV, JSON_ENV, allRecords, type HardTimeoutRecord } from './report-file';
import type { WatchData, WatchMessage } from './stuck-watch';

const data = workerData as WatchData;
let testPath = '';

parentPort?.on('message', (message: WatchMessage) => {
  testPath = message.testPath;
});
// Stay alive (the Worker object is unref'ed on the other side, so this does not keep Jest running).
setInterval(() => {}, 1 << 30);

onThreadStuck((report: StuckReport) => {
  if (report.tid !== data.tid || report.pid !== process.pid) return;
  const blockedIn = describeDiagnosis(report.diagnosis) ?? (report.busyInJavaScript ? 'JavaScript that cannot be stopped safely' : 'native code');
  const where = data.mode === 'in-band' ? 'in the main Jest process (in band)' : 'in a Jest worker thread';
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
    action: 'run ended (stuck in native code in band)',
    blockedIn,
    message: lines[1]!.replace('@hardtimeout/jest-env: ', ''),
  };
  const json = process.env[JSON_ENV];
  if (json) {
    try {
      const earlier = dir ? allRecords(dir) : [];
      fs.writeFileSync(json, JSON.stringify({ hardTimeouts: [...earlier, record], complete: false }, null, 2));
    } catch {
      // best effort
    }
  }
  killProcessTree(process.pid, { includeSelf: true });
});
