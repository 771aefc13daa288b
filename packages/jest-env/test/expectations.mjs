// What every fixture must produce, test by test, in every mode and on every Jest line.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ACTIONS, CAUSES, ENTRIES, OUTCOME_WORDS, describeOutcome } from '@hardtimeout/core';
import { FIXTURES, describeRun, lineOf, resultOf, statesOf } from './helpers.mjs';

/** A record of the reporter's JSON is core's: closed fields, and the message core's builder makes of it. */
export function checkRecord(rec) {
  assert.ok(ENTRIES.includes(rec.entry), JSON.stringify(rec));
  assert.ok(CAUSES.includes(rec.cause), JSON.stringify(rec));
  assert.ok(ACTIONS.includes(rec.action), JSON.stringify(rec));
  const { message, ...outcome } = rec;
  assert.equal(message, describeOutcome(outcome));
}

export const JS_DIR = path.join(FIXTURES, 'js-hangs');
export const NATIVE_DIR = path.join(FIXTURES, 'native-hangs');

/** file -> fullName -> [status, limit ms of the stopped test or hook, marker of the stuck line] */
export const JS_HANGS = {
  'loop.test.js': {
    'passes before': ['passed'],
    'spins in while(true)': ['failed', 400, 'HANG-LINE'],
    'passes after': ['passed'],
  },
  'regex.test.js': {
    'catastrophic regex': ['failed', 400, 'HANG-LINE'],
    'passes after': ['passed'],
  },
  'atomics.test.js': {
    'Atomics.wait without a timeout': ['failed', 400, 'HANG-LINE'],
    'passes after': ['passed'],
  },
  'swallow.test.js': {
    'a loop that swallows every error': ['failed', 400, 'HANG-LINE'],
    'passes after': ['passed'],
  },
  'after-await.test.js': {
    'passes before': ['passed'],
    'loops after an await': ['failed', 400, 'HANG-LINE'],
    'loops right after awaiting a settled value': ['failed', 400, 'HANG-SETTLED'],
    'a beforeEach that loops right after awaiting a resolved promise': ['failed', 400, 'HANG-SETTLED-HOOK'],
    'passes after': ['passed'],
  },
  'transpiled.test.js': {
    'transpiled async test looping right after awaiting a settled value': ['failed', 400, 'HANG-LINE'],
    'passes after': ['passed'],
  },
  'done.test.js': {
    'done-style test spinning before calling done': ['failed', 400, 'HANG-LINE'],
    'done-style test that passes': ['passed'],
    'passes after': ['passed'],
  },
  'concurrent.test.js': {
    'concurrent test that spins': ['failed', 400, 'HANG-LINE'],
    'concurrent test that passes': ['passed'],
    'sequential test after': ['passed'],
  },
  'failing.test.js': {
    'test.failing that hangs is still a failure': ['failed', 400, 'HANG-LINE'],
    'test.failing that throws passes': ['passed'],
    'passes after': ['passed'],
  },
  'hooks.test.js': {
    'beforeEach hangs test behind the stuck beforeEach': ['failed', 400, 'HANG-LINE'],
    'beforeAll hangs first test behind the stuck beforeAll': ['failed', 400, 'HANG-BEFORE-ALL'],
    'beforeAll hangs second test behind the stuck beforeAll': ['failed', 400, 'HANG-BEFORE-ALL'],
    'afterEach hangs test followed by the stuck afterEach': ['failed', 400, 'HANG-AFTER-EACH'],
    'healthy hooks runs after the stuck hooks': ['passed'],
  },
  'docblock.test.js': {
    'stopped at the file limit, not the 5 s test timeout': ['failed', 300, 'HANG-LINE'],
    'no sandbox global leaks from the options': ['passed'],
  },
  'helper.test.js': {
    'withHardTimeout sets a hard limit below the soft one': ['failed', 300, 'HANG-LINE'],
    'withHardTimeout keeps done-style tests working': ['passed'],
    'passes after': ['passed'],
  },
  'healthy.test.js': {
    'busy for 150 ms under a 2000 ms limit': ['passed'],
    'waits 200 ms under a 2000 ms limit': ['passed'],
    'fake timers': ['passed'],
    'each 1': ['passed'],
    'each 2': ['passed'],
    'each 3': ['passed'],
    'this is the test context': ['passed'],
    'done-style': ['passed'],
    'with hooks sees beforeAll': ['passed'],
    'ordinary failure is reported as usual': ['failed'],
    "waiting past its timeout is still Jest's own timeout": ['failed'],
  },
};

/** Record names (core's) of the hooks, mapped to the Jest full name whose failure shows them. */
const JS_NAMES = {
  'after-await.test.js': {
    'beforeEach of a beforeEach › that loops right after awaiting a resolved promise': 'a beforeEach that loops right after awaiting a resolved promise',
  },
  'hooks.test.js': {
    'beforeEach of beforeEach hangs › test behind the stuck beforeEach': 'beforeEach hangs test behind the stuck beforeEach',
    'beforeAll of beforeAll hangs': 'beforeAll hangs first test behind the stuck beforeAll',
    'afterEach of afterEach hangs › test followed by the stuck afterEach': 'afterEach hangs test followed by the stuck afterEach',
  },
};

/** Stopped places: one record per stopped test or hook (beforeAll counts once). */
export const JS_STOPS = 16;

/** Asserts everything a run of the js-hangs fixture must show. */
export function checkJsHangsRun(r, { maxMs = 90_000 } = {}) {
  assert.equal(r.timedOut, false, `Jest did not finish: ${describeRun(r)}`);
  assert.ok(r.json, `no --json output: ${describeRun(r)}`);
  assert.equal(r.code, 1, `exit code: ${describeRun(r)}`);
  assert.ok(r.ms < maxMs, `took ${r.ms} ms`);
  const expected = Object.fromEntries(
    Object.entries(JS_HANGS).map(([file, tests]) => [file, Object.fromEntries(Object.entries(tests).map(([n, [s]]) => [n, s]))]),
  );
  assert.deepEqual(statesOf(r.json), expected);
  for (const [file, tests] of Object.entries(JS_HANGS)) {
    for (const [name, [status, limit, marker]] of Object.entries(tests)) {
      if (status !== 'failed' || limit === undefined) continue;
      const a = resultOf(r.json, file, name);
      const message = a.failureMessages.join('\n');
      assert.match(message, /HardTimeoutError/, `${file} › ${name}: ${message}`);
      // once: not also as an unhandled rejection of a promise nobody was left to handle
      assert.equal(a.failureMessages.length, 1, `${file} › ${name}: ${message}`);
      assert.match(message, new RegExp(`hard timeout of ${limit} ms`), `${file} › ${name}: ${message}`);
      const line = lineOf(JS_DIR, file, marker);
      assert.ok(message.includes(`${file}:${line}:`), `${file} › ${name}: the stack should point at line ${line}:\n${message}`);
      // stopped close to its limit (generous: a loaded 2-core machine), never long after
      if (a.duration !== null && a.duration !== undefined && !name.includes('beforeAll')) {
        assert.ok(a.duration >= limit - 5 && a.duration < limit + 3000, `${file} › ${name}: duration ${a.duration} ms`);
      }
    }
  }
  // a test that only waits is not a hard timeout: Jest's own message, as without the environment
  const waiting = resultOf(r.json, 'healthy.test.js', "waiting past its timeout is still Jest's own timeout").failureMessages.join('\n');
  assert.match(waiting, /Exceeded timeout of 300 ms/, waiting);
  assert.doesNotMatch(waiting, /HardTimeoutError/, waiting);
  assert.deepEqual(r.leftovers, [], 'processes left behind');
  // the reporter: a summary on stderr and the same as JSON
  assert.match(r.stderr, new RegExp(`Hard timeouts: ${JS_STOPS}\\b`), r.stderr.slice(-3000));
  assert.ok(r.hardTimeouts, 'reporter JSON written');
  assert.equal(r.hardTimeouts.complete, true);
  assert.equal(r.hardTimeouts.hardTimeouts.length, JS_STOPS, JSON.stringify(r.hardTimeouts, null, 1));
  for (const rec of r.hardTimeouts.hardTimeouts) {
    checkRecord(rec);
    // 'native' when, on a loaded machine, the interrupt had not landed before the unblock step
    assert.equal(rec.action, rec.cause === 'js' ? 'stopped' : 'unblocked', JSON.stringify(rec));
    // paths as Jest shows them, relative to its rootDir; the stuck line is the code frame's
    assert.equal(path.isAbsolute(rec.file), false, rec.file);
    assert.equal(rec.location?.file, rec.file, JSON.stringify(rec));
    assert.equal(rec.declaredAt?.file, rec.file, JSON.stringify(rec));
    const a = resultOf(r.json, rec.file, JS_NAMES[rec.file]?.[rec.name] ?? rec.name.replaceAll(' › ', ' '));
    assert.ok(a, `${rec.file}: no Jest result for ${rec.name}`);
    assert.ok(a.failureMessages.join('\n').includes(`${rec.file}:${rec.location.line}:${rec.location.column}`), `${rec.name}: the code frame's line ${rec.location.line}`);
  }
}

export const NATIVE_UNBLOCKED = {
  'pipe.test.js': {
    'passes before': ['passed'],
    'readSync on a pipe nobody writes to': ['failed', 500, 'HANG-LINE'],
    'passes after': ['passed'],
  },
  'exec.test.js': {
    'execSync of a child that never exits': ['failed', 500, 'HANG-LINE'],
    'passes after': ['passed'],
  },
  'healthy.test.js': {
    'another file keeps running': ['passed'],
    'and passes': ['passed'],
  },
};

/** Checks pipe.test.js, exec.test.js and healthy.test.js of a run of the native-hangs fixture. */
export function checkUnblocked(r) {
  for (const [file, tests] of Object.entries(NATIVE_UNBLOCKED)) {
    const states = statesOf(r.json)[file];
    assert.deepEqual(states, Object.fromEntries(Object.entries(tests).map(([n, [s]]) => [n, s])), file);
    for (const [name, [status, limit, marker]] of Object.entries(tests)) {
      if (status !== 'failed') continue;
      const message = resultOf(r.json, file, name).failureMessages.join('\n');
      assert.match(message, /HardTimeoutError: .* was stopped after \d+ ms: it ran past its hard timeout of 500 ms while blocked in /, message);
      const line = lineOf(NATIVE_DIR, file, marker);
      assert.ok(message.includes(`${file}:${line}:`), `${file} › ${name}: the stack should point at line ${line}:\n${message}`);
    }
  }
  const exec = resultOf(r.json, 'exec.test.js', 'execSync of a child that never exits').failureMessages.join('\n');
  assert.match(exec, /killed 2 child processes/, exec);
  const pipe = resultOf(r.json, 'pipe.test.js', 'readSync on a pipe nobody writes to').failureMessages.join('\n');
  assert.match(pipe, /read\(fd \d+ → \S+fifo\)/, pipe);
  assert.match(pipe, /interrupted the syscall/, pipe);
}

/** A run of the whole native-hangs fixture with child-process workers. */
export function checkNativeWorkersRun(r) {
  assert.equal(r.timedOut, false, describeRun(r));
  assert.equal(r.code, 1, describeRun(r));
  assert.ok(r.ms < 60_000, `took ${r.ms} ms`);
  checkUnblocked(r);
  // the killed worker: tests that passed before are kept, the stuck one fails with its diagnosis
  assert.deepEqual(statesOf(r.json)['stuck.test.js'], {
    'passes before the stuck test': 'passed',
    'native spins in native code that cannot be interrupted': 'failed',
  });
  const stuck = resultOf(r.json, 'stuck.test.js', 'native spins in native code that cannot be interrupted');
  const message = stuck.failureMessages.join('\n');
  const records = r.hardTimeouts.hardTimeouts;
  const killed = records.find((x) => x.name === 'native › spins in native code that cannot be interrupted');
  assert.ok(killed, JSON.stringify(records, null, 1));
  checkRecord(killed);
  assert.equal(killed.action, 'worker-killed');
  assert.equal(killed.cause, 'native');
  assert.ok(killed.message.includes(OUTCOME_WORDS.action['worker-killed']), killed.message);
  assert.deepEqual(killed.declaredAt, { file: 'stuck.test.js', line: 8, column: 3 });
  assert.ok(message.startsWith(`HardTimeoutError: ${killed.message}`), message);
  assert.match(message, /stuck\.test\.js:8/, message);
  assert.equal(r.json.numRuntimeErrorTestSuites, 0);
  assert.equal(r.json.numFailedTests, 3);
  assert.equal(r.json.numPassedTests, 6);
  // a signal death: jest-worker did not re-run the file
  assert.match(r.stderr, /signal=SIGKILL/);
  assert.doesNotMatch(r.stderr, /child process exceptions|retry limit/);
  assert.deepEqual(r.leftovers, [], 'processes left behind');
  assert.equal(records.length, 3, JSON.stringify(records, null, 1));
  for (const rec of records) checkRecord(rec);
  assert.match(r.stderr, /Hard timeouts: 3\b/);
}
