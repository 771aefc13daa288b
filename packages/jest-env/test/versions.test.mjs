// An unsupported Jest (below 29.6: its jest-worker leaves the run hanging once a worker is killed)
// fails every test file with one message naming the version and the supported range: no test
// runs unguarded.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeRun, installedJest, runJest } from './helpers.mjs';
import { NATIVE_DIR } from './expectations.mjs';

test('Jest 29.5 (jest-runner, jest-worker 29.5): every file fails to run, naming the version and the supported range', async () => {
  const r = await runJest({ cwd: NATIVE_DIR, args: ['--maxWorkers=2', 'healthy', 'exec'], jest: installedJest('29.5.0', { pinned: ['jest-runner', 'jest-worker'] }), timeoutMs: 60_000 });
  assert.equal(r.timedOut, false, describeRun(r));
  assert.equal(r.code, 1, describeRun(r));
  assert.equal(r.json.numTotalTests, 0, 'no test ran');
  assert.equal(r.json.testResults.length, 2);
  for (const file of r.json.testResults) {
    assert.equal(file.status, 'failed');
    assert.match(file.message, /JestInternalsError: @hardtimeout\/jest-env: Jest 29\.5\.0 \(\S+jest-runner\) is not supported: supported are Jest 29\.6 to 30\.x/, file.message);
    assert.equal(file.message.match(/JestInternalsError/g).length, 1, file.message);
    // one clear message: no stack of ours
    assert.doesNotMatch(file.message, /at .*jest-env[\\/]dist/, file.message);
  }
  assert.deepEqual(r.leftovers, [], 'processes left behind');
  assert.deepEqual(r.tempLeft, [], 'temporary files left behind');
});
