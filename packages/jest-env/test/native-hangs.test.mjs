// Hangs in blocking syscalls are unblocked and stopped in place; a test stuck in native code that
// cannot be unblocked gets its worker killed by a signal (no retry), and the reporter turns the
// crashed file into that test's failure. In band, the run ends with a report instead of hanging.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { MODES, describeRun, runJest } from './helpers.mjs';
import { NATIVE_DIR, checkNativeWorkersRun, checkRecord, checkUnblocked } from './expectations.mjs';

test('Jest 30.5, child-process workers: syscalls unblocked, native-stuck worker killed and its file rewritten', async () => {
  const r = await runJest({ cwd: NATIVE_DIR, args: MODES['child-process workers'] });
  checkNativeWorkersRun(r);
  assert.deepEqual(r.tempLeft, [], 'temporary files left behind');
});

for (const mode of ['in band', 'worker threads']) {
  test(`Jest 30.5, ${mode}: syscalls unblocked and stopped in place`, async () => {
    const r = await runJest({ cwd: NATIVE_DIR, args: [...MODES[mode], 'pipe', 'exec', 'healthy'] });
    assert.equal(r.timedOut, false, describeRun(r));
    assert.equal(r.code, 1, describeRun(r));
    checkUnblocked(r);
    assert.deepEqual(r.leftovers, [], 'processes left behind');
    assert.deepEqual(r.tempLeft, [], 'temporary files left behind');
  });

  test(`Jest 30.5, ${mode}: native code that cannot be unblocked ends the run with a report`, async () => {
    // two files, so that Jest really uses worker threads when asked to (one file always runs in band)
    const r = await runJest({ cwd: NATIVE_DIR, args: [...MODES[mode], 'stuck', 'healthy'], timeoutMs: 60_000 });
    assert.equal(r.timedOut, false, describeRun(r));
    assert.equal(r.signal, 'SIGKILL', describeRun(r));
    assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
    const records = r.hardTimeouts?.hardTimeouts;
    assert.ok(records, 'the JSON report is written before the run ends');
    const stuck = records.at(-1);
    checkRecord(stuck);
    assert.equal(stuck.name, 'native › spins in native code that cannot be interrupted');
    assert.equal(stuck.action, 'run-ended');
    assert.ok(r.stderr.includes(`@hardtimeout/jest-env: ${stuck.message}`), r.stderr);
    assert.match(r.stderr, mode === 'in band' ? /in the main Jest process \(in band\).*ending the run/ : /in a Jest worker thread.*ending the run/, r.stderr);
    assert.equal(r.hardTimeouts.complete, false);
    assert.deepEqual(r.leftovers, [], 'processes left behind');
    // Jest is killed, so its reporter cannot remove its folder: the program that ends the run does.
    assert.deepEqual(r.tempLeft, [], 'temporary files left behind');
  });
}
