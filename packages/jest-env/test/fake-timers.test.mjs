// Tests that fake and move the clock with jest.useFakeTimers(): hangs are still stopped at their
// limit by the real clock, a test finishing just under its limit is not stopped, and Node prints
// no timer warning. In every run mode.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, MODES, describeRun, lineOf, resultOf, runJest, statesOf } from './helpers.mjs';

const DIR = path.join(FIXTURES, 'fake-timers');

for (const [mode, args] of Object.entries(MODES)) {
  test(`Jest 30.5, ${mode}: fake timers do not move the hard limits`, async () => {
    const r = await runJest({ cwd: DIR, args, timeoutMs: 60_000 });
    assert.equal(r.timedOut, false, describeRun(r));
    assert.equal(r.code, 1, describeRun(r));
    assert.deepEqual(statesOf(r.json)['clock.test.js'], {
      'passes before': 'passed',
      'loops with Date faked 12 years back': 'failed',
      'loops after an await, the fake clock run 10 minutes ahead': 'failed',
      'finishes just under its limit while ticking the fake clock': 'passed',
      'waits just under its limit on a real timer, the fake clock set back': 'passed',
      'loops after an await under sinon installed on the globals, set to 2014': 'failed',
      'passes after': 'passed',
    });
    for (const [name, marker] of [['loops with Date faked 12 years back', 'date'], ['loops after an await, the fake clock run 10 minutes ahead', 'async'], ['loops after an await under sinon installed on the globals, set to 2014', 'sinon']]) {
      const message = resultOf(r.json, 'clock.test.js', name).failureMessages.join('\n');
      const m = /HardTimeoutError: [^\n]* was stopped after (\d+) ms: it ran past its hard timeout of 500 ms/.exec(message);
      assert.ok(m, `${name}: ${message}`);
      assert.ok(Number(m[1]) >= 495 && Number(m[1]) < 2500, `${name}: stopped after ${m[1]} ms`);
      assert.ok(message.includes(`clock.test.js:${lineOf(DIR, 'clock.test.js', `HANG-LINE ${marker}`)}:`), `${name}: not at the loop:\n${message}`);
    }
    assert.doesNotMatch(r.stdout + r.stderr, /TimeoutOverflowWarning|Warning:/);
    assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
    assert.deepEqual(r.leftovers, []);
    assert.deepEqual(r.tempLeft, []);
  });
}
