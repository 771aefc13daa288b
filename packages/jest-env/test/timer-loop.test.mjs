// A loop in a timer callback a test started: no stop can be caught there, so a child worker is
// killed (in band, the run is ended) as for native code, but the record and the test's failure say
// it was JavaScript, why it could not be stopped in place, and point at the loop.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { createRequire } from 'node:module';
import { FIXTURES, MODES, describeRun, runJest } from './helpers.mjs';
import { checkRecord } from './expectations.mjs';

const { OUTCOME_WORDS } = createRequire(import.meta.url)('@hardtimeout/core');
const DIR = path.join(FIXTURES, 'timer-loop');
const LOOP = fs.readFileSync(path.join(DIR, 'timer.test.js'), 'utf8').split('\n').findIndex((l) => l.includes('HANG-LINE')) + 1;

test('Jest 30.5, child-process workers: a loop in a timer callback is named JavaScript, at the loop; its worker is killed', async () => {
  const r = await runJest({ cwd: DIR, args: MODES['child-process workers'], timeoutMs: 60_000 });
  assert.equal(r.timedOut, false, describeRun(r));
  assert.equal(r.code, 1, describeRun(r));
  const records = r.hardTimeouts?.hardTimeouts ?? [];
  assert.equal(records.length, 1, JSON.stringify(records, null, 1));
  const [rec] = records;
  checkRecord(rec);
  assert.deepEqual([rec.name, rec.cause, rec.jsIn, rec.action, rec.location?.line], ['loops in a timer callback', 'js', 'callback', 'worker-killed', LOOP]);
  assert.ok(rec.message.includes(`${OUTCOME_WORDS.cause.jsUnstoppable} (${OUTCOME_WORDS.jsIn.callback})`), rec.message);
  assert.doesNotMatch(rec.message, /native code/);
  const file = r.json.testResults.find((f) => f.name.endsWith('timer.test.js'));
  const states = Object.fromEntries(file.assertionResults.map((a) => [a.title, a.status]));
  assert.equal(states['passes before the loop'], 'passed');
  assert.equal(states['loops in a timer callback'], 'failed');
  const failure = file.assertionResults.find((a) => a.title === 'loops in a timer callback').failureMessages.join('\n');
  assert.ok(failure.startsWith(`HardTimeoutError: ${rec.message}`), failure);
  const healthy = r.json.testResults.find((f) => f.name.endsWith('healthy.test.js'));
  assert.deepEqual(healthy.assertionResults.map((a) => a.status), ['passed', 'passed']);
  assert.deepEqual(r.leftovers, [], 'processes left behind');
  assert.deepEqual(r.tempLeft, [], 'temporary files left behind');
});
