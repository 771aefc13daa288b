// test.concurrent: one test loops after an await, the one beside it waits 50 ms on a timer. The
// loop is stopped in place (its own stack); the waiter, whose deadline passed while the loop held
// the thread, runs once the loop is stopped and passes, in whichever order they were declared.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, JEST_LINES, MODES, describeRun, lineOf, resultOf, runJest, statesOf } from './helpers.mjs';

const DIR = path.join(FIXTURES, 'concurrent-starved');

for (const [line, jest] of Object.entries(JEST_LINES)) {
  for (const [mode, args] of Object.entries(MODES)) {
    test(`Jest ${line}, ${mode}: a concurrent loop is stopped in place, the test it starved passes`, async () => {
      const r = await runJest({ cwd: DIR, args, jest: jest(), timeoutMs: 90_000 });
      assert.equal(r.timedOut, false, describeRun(r));
      assert.equal(r.code, 1, describeRun(r));
      const states = statesOf(r.json);
      for (const file of ['waiter-first.test.js', 'looper-first.test.js']) {
        assert.deepEqual(states[file], {
          'waits 50 ms on a timer': 'passed',
          'loops after an await': 'failed',
          'sequential test after': 'passed',
        }, `${file}\n${describeRun(r)}`);
        const message = resultOf(r.json, file, 'loops after an await').failureMessages.join('\n');
        assert.match(message, /HardTimeoutError: .*loops after an await.* was stopped after \d+ ms: it ran past its hard timeout of 1000 ms/);
        assert.match(message, new RegExp(`${file.replace('.', '\\.')}:${lineOf(DIR, file, 'HANG-LINE')}:`), message);
      }
      assert.deepEqual(r.leftovers, []);
      assert.deepEqual(r.tempLeft, []);
    });
  }
}
