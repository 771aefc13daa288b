// Options (project, file docblock, invalid values), a user's own environment class, and jsdom.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, describeRun, lineOf, resultOf, runJest, statesOf } from './helpers.mjs';

const OPTIONS = path.join(FIXTURES, 'options');

/**
 * The test `title` of `dir/file` failed with a HardTimeoutError at its `limitMs`, pointing at the
 * file's HANG-LINE, within 3 s (a generous bound on a loaded machine; the hang itself never ends).
 */
function assertStoppedAt(r, dir, file, title, limitMs) {
  const result = resultOf(r.json, file, title);
  const message = result.failureMessages.join('\n');
  assert.match(message, new RegExp(`HardTimeoutError: .*hard timeout of ${limitMs} ms`), message);
  assert.ok(message.includes(`${file}:${lineOf(dir, file, 'HANG-LINE')}:`), message);
  assert.ok(result.duration < 3000, `${title}: stopped ${result.duration} ms after it started, limit ${limitMs} ms`);
}

function execError(json, file) {
  const f = json.testResults.find((r) => path.basename(r.name) === file);
  return f ? `${f.status}: ${f.message}` : `${file} missing`;
}

test('invalid file options fail that file only, naming the value and the docblock; project options apply elsewhere', async () => {
  const r = await runJest({ cwd: OPTIONS, args: ['--maxWorkers=2'], env: { HT_JEST_ENV: path.resolve(FIXTURES, '../../dist/index.js'), HT_OPTIONS: '{"hardTimeout":{"timeout":300}}' } });
  assert.equal(r.timedOut, false, describeRun(r));
  assert.equal(r.code, 1);
  const bad = execError(r.json, 'bad-docblock.test.js');
  assert.match(bad, /^failed: /);
  assert.match(bad, /invalid hardTimeout\.timeout -5 in the @jest-environment-options docblock of \S+bad-docblock\.test\.js: expected a positive number of milliseconds/, bad);
  const unknown = execError(r.json, 'unknown-key.test.js');
  assert.match(unknown, /invalid option hardTimeout\.timout = 100 in the @jest-environment-options docblock of \S+unknown-key\.test\.js: expected one of timeout, stuckAfter, whenDebugging, enabled/, unknown);
  assert.deepEqual(statesOf(r.json)['good.test.js'], { passes: 'passed', 'hangs under the project limit': 'failed' });
  const hang = resultOf(r.json, 'good.test.js', 'hangs under the project limit');
  const message = hang.failureMessages.join('\n');
  assert.match(message, /hard timeout of 300 ms/, message);
  assert.ok(message.includes(`good.test.js:${lineOf(OPTIONS, 'good.test.js', 'HANG-LINE')}:`), message);
  assert.ok(hang.duration < 3000, `stopped at the project limit, long before the 5 s test timeout: ${hang.duration} ms`);
});

test('invalid project options name the value and the project', async () => {
  const r = await runJest({ cwd: OPTIONS, args: ['--maxWorkers=2', 'good'], env: { HT_JEST_ENV: path.resolve(FIXTURES, '../../dist/index.js'), HT_OPTIONS: '{"hardTimeout":{"timeout":"fast"}}' } });
  assert.equal(r.timedOut, false, describeRun(r));
  assert.equal(r.code, 1);
  const good = execError(r.json, 'good.test.js');
  assert.match(good, /invalid hardTimeout\.timeout "fast" in testEnvironmentOptions of the Jest project \S+options: expected a positive number of milliseconds/, good);
});

test('createHardTimeoutEnvironment wraps a user environment class, keeping its behaviour', async () => {
  const r = await runJest({ cwd: path.join(FIXTURES, 'custom-env'), args: ['--runInBand', 'custom', 'sub'], env: { HT_JEST_ENV: path.resolve(FIXTURES, '../../dist/index.js') } });
  assert.equal(r.timedOut, false, describeRun(r));
  assert.deepEqual(statesOf(r.json)['custom.test.js'], {
    'the user environment still works': 'passed',
    'and hangs are stopped in it': 'failed',
    'its own handleTestEvent still sees every test': 'passed',
  });
  assertStoppedAt(r, path.join(FIXTURES, 'custom-env'), 'custom.test.js', 'and hangs are stopped in it', 300);
  // A subclass of a hard-timeout environment that overrides handleTestEvent and calls super's.
  assert.deepEqual(statesOf(r.json)['sub.test.js'], {
    'a subclass calling super.handleTestEvent': 'passed',
    'still has hangs stopped': 'failed',
    'and sees every test': 'passed',
  });
  assertStoppedAt(r, path.join(FIXTURES, 'custom-env'), 'sub.test.js', 'still has hangs stopped', 300);
});

test('on Jest 30 the environment does not listen to events (each listener costs every event an await)', async () => {
  const r = await runJest({ cwd: path.join(FIXTURES, 'custom-env'), args: ['--runInBand', 'joined'], env: { HT_JEST_ENV: path.resolve(FIXTURES, '../../dist/index.js') } });
  assert.equal(r.timedOut, false, describeRun(r));
  assert.deepEqual(statesOf(r.json)['joined.test.js'], {
    'the environment adds no event listener to jest-circus': 'passed',
    'and hangs are still stopped': 'failed',
    'and the file goes on': 'passed',
  });
  assertStoppedAt(r, path.join(FIXTURES, 'custom-env'), 'joined.test.js', 'and hangs are still stopped', 300);
});

test('the jsdom environment stops a hang inside a DOM event handler', async () => {
  const dir = path.join(FIXTURES, 'jsdom');
  const r = await runJest({ cwd: dir, args: ['--runInBand'] });
  assert.equal(r.timedOut, false, describeRun(r));
  assert.deepEqual(statesOf(r.json)['dom.test.js'], {
    'has a DOM': 'passed',
    'a hang in a DOM event handler is stopped': 'failed',
    'the DOM still works after': 'passed',
    'on Jest 30 the environment adds no event listener to jest-circus': 'passed',
  });
  assertStoppedAt(r, dir, 'dom.test.js', 'a hang in a DOM event handler is stopped', 400);
});
