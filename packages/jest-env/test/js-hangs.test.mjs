// JavaScript hangs (loop, regex, Atomics.wait, swallowed errors, after an await, done-style,
// concurrent, test.failing, hooks) are stopped in place on Jest 30.5, in every run mode.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, MODES, describeRun, resultOf, runJest, statesOf } from './helpers.mjs';
import { JS_DIR, checkJsHangsRun } from './expectations.mjs';

for (const [mode, args] of Object.entries(MODES)) {
  test(`Jest 30.5, ${mode}: every JS hang is stopped in place, the rest of the file runs`, async () => {
    const r = await runJest({ cwd: JS_DIR, args });
    checkJsHangsRun(r);
  });
}

test('Jest 30.5, in band: ordinary async timeouts stay Jest\'s own and the run goes on', async () => {
  const dir = path.join(FIXTURES, 'idle-waits');
  const r = await runJest({ cwd: dir, args: ['--runInBand'], timeoutMs: 60_000 });
  assert.equal(r.timedOut, false, describeRun(r));
  const states = statesOf(r.json)['idle.test.js'];
  assert.equal(states['passes after them'], 'passed');
  for (let i = 1; i <= 10; i++) {
    const a = resultOf(r.json, 'idle.test.js', `waits past its timeout ${i}`);
    assert.equal(a.status, 'failed');
    assert.match(a.failureMessages.join('\n'), /Exceeded timeout of 200 ms/);
    assert.doesNotMatch(a.failureMessages.join('\n'), /HardTimeoutError/);
  }
  const done = resultOf(r.json, 'idle.test.js', 'done-style test that never calls done');
  assert.match(done.failureMessages.join('\n'), /Exceeded timeout of 200 ms .*done/s);
  assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
});
