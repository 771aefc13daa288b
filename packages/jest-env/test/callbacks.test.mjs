// Loops in callbacks a test scheduled (timers, immediates, nextTick, a stream's and a child
// process's listeners, fs callbacks) are stopped in place on Jest 30.5, in every run mode: the
// test fails with the loop's stack, the rest of the file runs, fake timers still work.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, MODES, describeRun, lineOf, resultOf, runJest, statesOf } from './helpers.mjs';

export const CALLBACKS_DIR = path.join(FIXTURES, 'callbacks');

/** fullName -> [status, marker of the loop's line] */
export const CALLBACK_HANGS = {
  'passes before': ['passed'],
  'loops in a setTimeout callback': ['failed', 'HANG-TIMEOUT'],
  'passes between': ['passed'],
  'loops in a setInterval callback': ['failed', 'HANG-INTERVAL'],
  'loops in a setImmediate callback': ['failed', 'HANG-IMMEDIATE'],
  'loops in a process.nextTick callback': ['failed', 'HANG-TICK'],
  'loops in a stream data listener': ['failed', 'HANG-STREAM'],
  'loops in an fs callback': ['failed', 'HANG-FS'],
  'loops in a child process exit listener': ['failed', 'HANG-CHILD'],
  'fake timers still work': ['passed'],
  'a timer callback that ends in time passes': ['passed'],
  'passes after': ['passed'],
};

export function checkCallbacksRun(r) {
  assert.equal(r.timedOut, false, `Jest did not finish: ${describeRun(r)}`);
  assert.ok(r.json, `no --json output: ${describeRun(r)}`);
  assert.equal(r.code, 1, describeRun(r));
  const file = 'callbacks.test.js';
  assert.deepEqual(statesOf(r.json)[file], Object.fromEntries(Object.entries(CALLBACK_HANGS).map(([n, [s]]) => [n, s])));
  for (const [name, [status, marker]] of Object.entries(CALLBACK_HANGS)) {
    if (status !== 'failed') continue;
    const a = resultOf(r.json, file, name);
    const message = a.failureMessages.join('\n');
    assert.equal(a.failureMessages.length, 1, `${name}: ${message}`);
    assert.match(message, /HardTimeoutError: ".*" was stopped after \d+ ms: it ran past its hard timeout of 400 ms\n/, `${name}: ${message}`);
    assert.doesNotMatch(message, /native code|worker process/, `${name}: ${message}`);
    const line = lineOf(CALLBACKS_DIR, file, marker);
    // the stack's first frame is the loop
    const first = message.split('\n').find((l) => /^\s+at /.test(l));
    assert.ok(first.includes(`${file}:${line}:`), `${name}: the stack should start at line ${line}:\n${message}`);
  }
  assert.deepEqual(r.leftovers, [], 'processes left behind');
  assert.deepEqual(r.tempLeft, [], 'temporary files left behind');
}

for (const [mode, args] of Object.entries(MODES)) {
  test(`Jest 30.5, ${mode}: a loop in a callback the test scheduled is stopped in place`, async () => {
    checkCallbacksRun(await runJest({ cwd: CALLBACKS_DIR, args }));
  });
}
