// In band and in worker threads a test stuck in native code ends the run (the process is Jest
// itself): every result that finished is still printed (Jest's summary lines, the hard-timeout
// summary) and written to Jest's --json --outputFile, the stuck test failed, the tests that never
// ran listed; the exit status is not 0. With and without the reporter, on Jest 29.7 and 30.5.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, JEST_LINES, MODES, WORKSPACE_ENV, describeRun, resultOf, runJest, statesOf } from './helpers.mjs';
import { OUTCOME_WORDS } from '@hardtimeout/core';
import { NATIVE_DIR, NATIVE_UNBLOCKED, checkRecord } from './expectations.mjs';

const STUCK = 'native spins in native code that cannot be interrupted';
const STUCK_FILE_STATES = {
  'passes before the stuck test': 'passed',
  [STUCK]: 'failed',
  'native never runs: its worker was killed': 'pending',
};

for (const [line, jestBin] of Object.entries(JEST_LINES)) {
  for (const mode of ['in band', 'worker threads']) {
    for (const reporter of [true, false]) {
      test(`Jest ${line}, ${mode}, ${reporter ? 'with' : 'without'} the reporter: a run ended by a native hang keeps every finished result`, async () => {
        const env = reporter ? WORKSPACE_ENV : { ...WORKSPACE_ENV, HT_NO_REPORTER: '1' };
        const r = await runJest({ cwd: NATIVE_DIR, args: [...MODES[mode], 'healthy', 'exec', 'stuck'], jest: jestBin(), env, timeoutMs: 60_000 });
        assert.equal(r.timedOut, false, describeRun(r));
        assert.equal(r.signal, 'SIGKILL', describeRun(r));
        assert.ok(r.json, `no --json output file: ${describeRun(r)}`);
        const states = statesOf(r.json);
        assert.deepEqual(states['stuck.test.js'], STUCK_FILE_STATES, `${JSON.stringify(states)}\n${describeRun(r)}`);
        const stuck = resultOf(r.json, 'stuck.test.js', STUCK).failureMessages.join('\n');
        const ended = r.stderr.match(/^@hardtimeout\/jest-env: (test "native › spins in native code that cannot be interrupted" .*)$/m)?.[1];
        assert.ok(ended, r.stderr);
        assert.ok(ended.includes(OUTCOME_WORDS.action['run-ended']), ended);
        assert.ok(ended.includes('(declared at stuck.test.js:8)'), ended);
        assert.ok(stuck.startsWith(`HardTimeoutError: ${ended}`), stuck);
        assert.match(stuck, /stuck\.test\.js:8\b/, stuck);
        const never = resultOf(r.json, 'stuck.test.js', 'native never runs: its worker was killed').failureMessages.join('\n');
        assert.match(never, /not run: the run ended while "native › spins in native code that cannot be interrupted" was stuck in native code/);
        // the other files, as far as they had finished, exactly as Jest reported them (pipe.test.js
        // is left out: its FIFO folder, removed in its afterAll, stays if the run ends meanwhile)
        for (const [file, tests] of Object.entries(NATIVE_UNBLOCKED)) {
          if (!states[file]) continue;
          assert.deepEqual(states[file], Object.fromEntries(Object.entries(tests).map(([n, [s]]) => [n, s])), `${file}: ${JSON.stringify(states)}\n${describeRun(r)}`);
        }
        // every file Jest printed before the run ended is in the results (without the reporter, a
        // worker thread knows only its own files)
        const end = r.stderr.indexOf('ending the run');
        assert.ok(end > 0, r.stderr);
        const printed = [...r.stderr.slice(0, end).matchAll(/^(?:PASS|FAIL) +(?:\S+\/)?(\S+\.test\.js)/gm)].map((m) => m[1]);
        if (reporter || mode === 'in band') {
          for (const file of printed) assert.ok(states[file], `${file} finished before the run ended but is not in --json: ${JSON.stringify(states)}`);
        }
        const failed = Object.values(states).flatMap((s) => Object.values(s)).filter((s) => s === 'failed').length;
        assert.equal(r.json.numFailedTests, failed);
        assert.equal(r.json.success, false);
        if (reporter) assert.equal(r.json.numTotalTestSuites, 3);
        // Jest's own lines for the stuck file and the summary, after the message that ends the run
        const after = r.stderr.slice(end);
        assert.match(after, /FAIL +\S*stuck\.test\.js/, after);
        assert.match(after, new RegExp(`Tests: +${failed} failed`), after);
        assert.match(after, /Test Suites: +\d+ failed/, after);
        if (reporter) {
          assert.match(after, /Hard timeouts: \d+/, after);
          assert.equal(r.hardTimeouts.complete, false);
          const record = r.hardTimeouts.hardTimeouts.at(-1);
          checkRecord(record);
          assert.deepEqual([record.name, record.action, record.message], ['native › spins in native code that cannot be interrupted', 'run-ended', ended]);
        } else {
          assert.doesNotMatch(after, /Hard timeouts:/);
        }
        assert.deepEqual(r.leftovers, [], 'processes left behind');
        assert.deepEqual(r.tempLeft, [], 'temporary files left behind');
      });
    }
  }

  test(`Jest ${line}, child-process workers, only testEnvironment set: the killed worker's test is named on the terminal`, async () => {
    const r = await runJest({ cwd: NATIVE_DIR, args: [...MODES['child-process workers'], 'healthy', 'stuck'], jest: jestBin(), env: { ...WORKSPACE_ENV, HT_NO_REPORTER: '1' }, timeoutMs: 60_000 });
    assert.equal(r.timedOut, false, describeRun(r));
    assert.equal(r.code, 1, describeRun(r));
    // test, file:line, limit, diagnosis, what was done: core's message of the record
    const line = r.stderr.match(/^@hardtimeout\/jest-env: (test "native › spins in native code that cannot be interrupted" in stuck\.test\.js .*) \(worker pid \d+\); the tests after it in this file do not run$/m)?.[1];
    assert.ok(line, r.stderr);
    for (const part of ['(declared at stuck.test.js:8)', '500 ms', OUTCOME_WORDS.cause.native, '(running on a CPU, outside any syscall)', OUTCOME_WORDS.action['worker-killed']]) {
      assert.ok(line.includes(part), `${part} in ${line}`);
    }
    // without the reporter Jest's --json has the crash as Jest reports it
    const file = r.json.testResults.find((f) => f.name.endsWith('stuck.test.js'));
    assert.match(file.message, /signal=SIGKILL/);
    assert.deepEqual(statesOf(r.json)['healthy.test.js'], { 'another file keeps running': 'passed', 'and passes': 'passed' });
    assert.deepEqual(r.leftovers, [], 'processes left behind');
    assert.deepEqual(r.tempLeft, [], 'temporary files left behind');
  });
}

const HOOK_DIR = path.join(FIXTURES, 'native-hook');

for (const [line, jestBin] of Object.entries(JEST_LINES)) {
  test(`Jest ${line}, in band: a beforeAll stuck in native code fails the test it ran for, the finished files are kept`, async () => {
    const r = await runJest({ cwd: HOOK_DIR, args: ['--runInBand', 'healthy', 'hook'], jest: jestBin(), timeoutMs: 60_000 });
    assert.equal(r.timedOut, false, describeRun(r));
    assert.equal(r.signal, 'SIGKILL', describeRun(r));
    const file = r.json.testResults.find((f) => f.name.endsWith('hook.test.js'));
    assert.ok(file, JSON.stringify(r.json.testResults.map((f) => f.name)));
    assert.equal(file.status, 'failed');
    const record = r.hardTimeouts.hardTimeouts.at(-1);
    checkRecord(record);
    assert.deepEqual([record.entry, record.name, record.action], ['hook', 'beforeAll of keys', 'run-ended']);
    assert.ok(file.message.includes(record.message), file.message);
    assert.deepEqual(statesOf(r.json)['hook.test.js'], { 'keys never runs: its beforeAll is stuck': 'failed' });
    assert.ok(resultOf(r.json, 'hook.test.js', 'keys never runs: its beforeAll is stuck').failureMessages[0].startsWith(`HardTimeoutError: ${record.message}`));
    // healthy.test.js ran first (the larger file), and is there as Jest reported it
    assert.deepEqual(statesOf(r.json)['healthy.test.js'], { 'another file keeps running': 'passed', 'and passes': 'passed' });
    assert.match(r.stderr, /Tests: +1 failed, 2 passed, 3 total/, r.stderr);
    assert.deepEqual(r.leftovers, [], 'processes left behind');
    assert.deepEqual(r.tempLeft, [], 'temporary files left behind');
  });
}
