// The pure parts of the environment, without Jest: version and run-mode checks, the circus state
// check, names, limits and plans, error replacement, the journal, the replay of a run that ended.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { describeOutcome } from '@hardtimeout/core';
import { PKG } from './helpers.mjs';

const require = createRequire(import.meta.url);
const dist = (m) => require(path.join(PKG, 'dist', m));
const internals = dist('internals.js');
const { nameOf, labelOf } = dist('entries.js');
const entries = dist('entries.js');
const limits = dist('limits.js');
const { replaceError } = dist('inflight.js');
const journal = dist('journal.js');
const { replay, fileResult, notRunMessage } = dist('replay.js');
const stuckExit = dist('stuck-exit.js');

test('supported Jest versions: 29.6 to 30.x', () => {
  for (const v of ['29.6.0', '29.7.0', '30.0.0', '30.5.2', '30.0.0-alpha.6']) assert.equal(internals.isSupportedVersion(v), true, v);
  for (const v of ['29.5.0', '28.1.3', '31.0.0', '27.0.0', 'next']) assert.equal(internals.isSupportedVersion(v), false, v);
});

test('an unsupported or missing Jest gives one error naming the version and the supported range', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ht-jest-version-'));
  try {
    const runner = path.join(dir, 'node_modules', 'jest-runner');
    fs.mkdirSync(runner, { recursive: true });
    fs.writeFileSync(path.join(runner, 'package.json'), JSON.stringify({ version: '31.0.0' }));
    const error = internals.checkJestVersion([runner], []);
    assert.ok(error instanceof internals.JestInternalsError);
    assert.equal(error.message, `@hardtimeout/jest-env: Jest 31.0.0 (${runner}) is not supported: supported are Jest 29.6 to 30.x`);
    assert.equal(error.stack, `JestInternalsError: ${error.message}`, 'no stack of our internals');
    fs.writeFileSync(path.join(runner, 'package.json'), JSON.stringify({ version: '29.5.0' }));
    assert.match(internals.checkJestVersion([runner], []).message, /Jest 29\.5\.0 .* is not supported: supported are Jest 29\.6 to 30\.x$/);
    fs.writeFileSync(path.join(runner, 'package.json'), JSON.stringify({ version: '30.5.2' }));
    assert.deepEqual(internals.checkJestVersion([runner], []), { version: '30.5.2', dir: runner });
    const worker = path.join(dir, 'node_modules', 'jest-worker');
    fs.mkdirSync(worker, { recursive: true });
    fs.writeFileSync(path.join(worker, 'package.json'), JSON.stringify({ version: '29.5.0' }));
    assert.equal(internals.checkJestVersion([runner], [worker]).message, `@hardtimeout/jest-env: jest-worker 29.5.0 (${worker}) is not supported: supported are Jest 29.6 to 30.x and their jest-worker`);
    assert.match(internals.checkJestVersion([], []).message, /cannot find the running Jest: no jest-runner among the loaded modules .*supported: Jest 29\.6 to 30\.x/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('run mode: from jest-worker\'s entry point and jest-runner\'s worker module; a worker that cannot be told apart fails', () => {
  const j29 = '/p/node_modules/jest-worker/build/workers/processChild.js';
  const j30 = '/p/node_modules/jest-worker/build/processChild.js';
  const testWorker = '/p/node_modules/jest-runner/build/testWorker.js';
  assert.equal(internals.detectRunMode(j29, true, true, []), 'child-process');
  assert.equal(internals.detectRunMode(j30, true, true, [testWorker]), 'child-process');
  assert.equal(internals.detectRunMode('/p/other-entry.js', true, true, [testWorker]), 'child-process');
  assert.equal(internals.detectRunMode('/p/node_modules/jest/bin/jest.js', false, true, ['/p/node_modules/jest-runner/build/index.js']), 'in-band');
  assert.equal(internals.detectRunMode('/p/node_modules/jest/bin/jest.js', true, true, []), 'in-band', 'Jest itself started with an IPC channel');
  assert.equal(internals.detectRunMode(j30, true, false, []), 'worker-thread');
  assert.throws(() => internals.detectRunMode(j30, false, true, [testWorker]), /cannot tell how this test file runs: jest-runner's worker is loaded on the main thread of a process without an IPC channel/);
});

test('the circus state check names every missing part and the Jest it ran on', () => {
  const block = { children: [], hooks: [] };
  const good = { rootDescribeBlock: block, currentDescribeBlock: block, currentlyRunningTest: null, testTimeout: 5000, unhandledErrors: [] };
  assert.deepEqual(internals.missingStateParts(good), []);
  assert.doesNotThrow(() => internals.checkState(good));
  const { testTimeout, unhandledErrors, ...bad } = good;
  assert.deepEqual(internals.missingStateParts(bad), ['state.testTimeout (a number)', 'state.unhandledErrors (an array)']);
  assert.throws(() => internals.checkState(bad), (e) => {
    assert.equal(e.name, 'JestInternalsError');
    assert.match(e.message, /lacks state\.testTimeout \(a number\), state\.unhandledErrors \(an array\), which hard timeouts need \(checked on Jest 29\.7\.0, 30\.5\.2\): tests would run without a hard timeout/);
    return true;
  });
  assert.deepEqual(internals.missingStateParts(undefined), ['the circus state itself']);
});

const root = { type: 'describeBlock', name: 'ROOT_DESCRIBE_BLOCK', children: [], hooks: [] };
const outer = { type: 'describeBlock', name: 'outer', parent: root, children: [], hooks: [] };
const t = { type: 'test', name: 'spins', parent: outer, errors: [], fn() {} };
const hook = { type: 'beforeEach', parent: outer, fn() {} };
const beforeAll = { type: 'beforeAll', parent: outer, fn() {} };
root.children.push(outer);
outer.children.push(t);

test('names and labels of tests and hooks', () => {
  assert.deepEqual(nameOf(t, 'test', null), { kind: 'test', ancestorTitles: ['outer'], title: 'spins', test: 'outer › spins' });
  assert.equal(labelOf(nameOf(t, 'test', null)), 'outer › spins');
  assert.equal(labelOf(nameOf(hook, 'beforeEach', t)), 'beforeEach hook of outer › spins');
  assert.deepEqual(nameOf(beforeAll, 'beforeAll', t), { kind: 'beforeAll', ancestorTitles: ['outer'], title: 'outer', test: 'outer' });
  assert.equal(labelOf(nameOf(beforeAll, 'beforeAll', null)), 'beforeAll hook of outer');
  assert.equal(labelOf(nameOf({ type: 'afterAll', parent: root, fn() {} }, 'afterAll', null)), 'afterAll hook');
});

test('limits: withHardTimeout, then hardTimeout.timeout, then Jest\'s own timeout', () => {
  assert.equal(limits.softLimit(undefined, undefined), 5000);
  assert.equal(limits.softLimit(0, 300), 300);
  assert.equal(limits.softLimit(200, 300), 200);
  assert.equal(limits.hardLimit(100, { timeout: 300 }, 500), 100);
  assert.equal(limits.hardLimit(undefined, { timeout: 300 }, 500), 300);
  assert.equal(limits.hardLimit(undefined, { timeout: undefined }, 500), 500);
  const base = { soft: 500, label: 'x', options: { whenDebugging: false, stuckAfter: undefined }, onStuck: { kill: 'process', exec: ['node', 'p.js'] } };
  assert.equal(limits.planFor({ ...base, hard: Infinity }), null);
  assert.equal(limits.planFor({ ...base, hard: 0 }), null);
  const plan = limits.planFor({ ...base, hard: 400.2, options: { whenDebugging: true, stuckAfter: 0 }, onStuck: { kill: 'process', exec: ['node', 'p.js'], report: '/r.json' } });
  assert.deepEqual(plan, {
    soft: 500,
    core: { timeout: 401, label: 'x', whenDebugging: true, stuckAfter: 1, onStuck: { kill: 'process', exec: ['node', 'p.js'], report: '/r.json' } },
  });
  assert.equal(limits.planFor({ ...base, hard: 3e9 }).core.timeout, 2_147_483_647);
  assert.equal(limits.planFor({ ...base, hard: 100 }).core.onStuck, base.onStuck, 'the file\'s plan, shared');
  assert.equal(limits.samePlan(plan, 400.2, 500), true);
  assert.equal(limits.samePlan(plan, 400.2, 600), false);
  assert.equal(limits.samePlan(null, 400, 500), false);
});

test('replaceError puts the hard timeout where jest-circus recorded its own timeout, alone or paired', () => {
  const jest = new Error('Exceeded timeout of 400 ms for a test.');
  const ours = new Error('HardTimeoutError');
  const other = new Error('other');
  const errors = [jest, other];
  const unhandled = [[jest, new Error('async')]];
  replaceError([errors, unhandled], jest, ours);
  assert.deepEqual(errors, [ours, other]);
  assert.equal(unhandled[0][0], ours);
});

test('the journal: tests of a file in order, errors as Jest lists them, lines cut short skipped', () => {
  assert.deepEqual(journal.testsOf(root), [[['outer'], 'spins']]);
  const e = new Error('boom');
  assert.equal(journal.errorText(e), e.stack);
  assert.equal(journal.errorText([e, new Error('async')]), e.stack);
  assert.equal(journal.errorText(['thrown string', new Error('x')]).startsWith('Error: x'), true);
  assert.equal(journal.errorText(42), '42');
  assert.deepEqual(journal.parseJournal('{"t":"file","path":"a"}\n{"t":"case","pa'), [{ t: 'file', path: 'a' }]);
});

test('the journal: a case names its test by its place in the file line before it, or in full', () => {
  const lines = journal.parseJournal([
    '{"t":"file","path":"/p/a.test.js","start":1,"tests":[[[],"a1"],[["d"],"a2"]]}',
    '{"t":"case","i":1,"status":"passed","duration":2}',
    '{"t":"file","path":"/p/b.test.js","start":2,"tests":[[[],"b1"]]}',
    '{"t":"case","i":0,"status":"failed","duration":null,"failureMessages":["Error: b1"]}',
    '{"t":"case","ancestorTitles":["added"],"title":"late","status":"passed","duration":1}',
    '{"t":"case","i":7,"status":"passed","duration":1}',
  ].join('\n'));
  const files = journal.journalFiles(lines);
  assert.deepEqual(files.map((f) => [f.file.path, f.cases.map((c) => [c.ancestorTitles, c.title, c.status, c.failureMessages])]), [
    ['/p/a.test.js', [[['d'], 'a2', 'passed', []]]],
    ['/p/b.test.js', [[[], 'b1', 'failed', ['Error: b1']], [['added'], 'late', 'passed', []]]],
  ]);
  assert.deepEqual(journal.journalOf(lines, '/p/b.test.js').cases.length, 2);
  assert.deepEqual(journal.journalOf(lines, '/p/none.test.js'), { cases: [] });
});

test('the stuck entry from its label: tests, each-hooks, all-hooks, labels cut at 255 bytes, no journal', () => {
  const tests = [[[], 'top'], [['outer'], 'a › b'], [['outer', 'inner'], 'x'], [['outer', 'inner'], 'x']];
  const done = (a, t) => t === 'top';
  const of = (label) => entries.entryOfLabel(label, tests, done);
  assert.deepEqual(of('top'), { kind: 'test', ancestorTitles: [], title: 'top' });
  assert.deepEqual(of('outer › a › b'), { kind: 'test', ancestorTitles: ['outer'], title: 'a › b' }, 'a title with the separator');
  assert.deepEqual(of('outer › inner › x'), { kind: 'test', ancestorTitles: ['outer', 'inner'], title: 'x' });
  assert.deepEqual(of('beforeEach hook of outer › inner › x'), { kind: 'beforeEach', ancestorTitles: ['outer', 'inner'], title: '' });
  assert.deepEqual(of('afterAll hook of outer › inner'), { kind: 'afterAll', ancestorTitles: ['outer', 'inner'], title: '' });
  assert.deepEqual(of('beforeAll hook'), { kind: 'beforeAll', ancestorTitles: [], title: '' });
  const long = 'é'.repeat(200);
  const cut = [...Buffer.from(`outer › ${long}`).subarray(0, 255).toString('utf8')].slice(0, -1).join('');
  assert.deepEqual(entries.entryOfLabel(cut, [[['outer'], long]]), { kind: 'test', ancestorTitles: ['outer'], title: long });
  assert.deepEqual(entries.entryOfLabel('d › t'), { kind: 'test', ancestorTitles: ['d'], title: 't' }, 'no journal: split');
  assert.deepEqual(entries.entryOfLabel('beforeAll hook of d'), { kind: 'beforeAll', ancestorTitles: ['d'], title: '' });
});

function emptyResult() {
  return {
    testFilePath: '', testResults: [], numFailingTests: 0, numPassingTests: 0, numPendingTests: 0, numTodoTests: 0,
    perfStats: { start: 0, end: 0, runtime: 0 }, failureMessage: null, snapshot: {}, leaks: false, openHandles: [], skipped: false,
  };
}

test('replay: finished tests kept, the stuck test failed, the never-run ones listed as pending with the reason', () => {
  const file = { t: 'file', path: '/p/stuck.test.js', start: 1000, project: 'node', tests: [[[], 'before'], [['native'], 'spins'], [['native'], 'never runs']] };
  const cases = [{ ancestorTitles: [], title: 'before', status: 'passed', duration: 3, failureMessages: [] }];
  const stuck = { testPath: file.path, test: [['native'], 'spins'], message: 'HardTimeoutError: stuck', elapsedMs: 1500.4 };
  const r = fileResult(file, cases, emptyResult, stuck, 3000);
  assert.deepEqual(r.testResults.map((x) => [x.fullName, x.status]), [['before', 'passed'], ['native spins', 'failed'], ['native never runs', 'pending']]);
  assert.deepEqual(r.testResults[1].failureMessages, ['HardTimeoutError: stuck']);
  assert.equal(r.testResults[1].duration, 1500);
  assert.deepEqual(r.testResults[2].failureMessages, [notRunMessage('native › spins')]);
  assert.deepEqual([r.numPassingTests, r.numFailingTests, r.numPendingTests], [1, 1, 1]);
  assert.deepEqual(r.displayName, { name: 'node', color: 'white' });
  assert.match(r.failureMessage, /● native › spins\n\n {4}HardTimeoutError: stuck/);
  assert.deepEqual(r.perfStats, { start: 1000, end: 3000, runtime: 2000 });
});

test('replay: the reporter\'s results win over the journal, except for the stuck file; a stuck hook fails its file', () => {
  const lines = [
    { t: 'file', path: '/p/a.test.js', start: 1, tests: [[[], 'a1']] },
    { t: 'case', i: 0, status: 'failed', duration: 1, failureMessages: ['Error: a1'] },
    { t: 'file', path: '/p/b.test.js', start: 2, tests: [[[], 'b1']] },
    { t: 'case', i: 0, status: 'passed', duration: 1 },
    { t: 'file', path: '/p/s.test.js', start: 3, tests: [[[], 's1']] },
  ];
  const exact = { ...emptyResult(), testFilePath: '/p/a.test.js', numFailingTests: 1, console: [{ message: 'kept' }] };
  const stuckAtStart = { ...emptyResult(), testFilePath: '/p/s.test.js' };
  const out = replay(lines, [exact, stuckAtStart], emptyResult, { testPath: '/p/s.test.js', message: 'HardTimeoutError: beforeAll', elapsedMs: 10 }, 100);
  assert.deepEqual(out.map((r) => r.testFilePath), ['/p/a.test.js', '/p/b.test.js', '/p/s.test.js']);
  assert.equal(out[0], exact);
  assert.deepEqual(out[1].testResults.map((x) => x.status), ['passed']);
  assert.deepEqual(out[2].testExecError, { message: 'HardTimeoutError: beforeAll', stack: 'HardTimeoutError: beforeAll' });
  assert.deepEqual(out[2].testResults.map((x) => [x.title, x.status]), [['s1', 'pending']]);
  // a stuck beforeEach: the first test of its block that had not finished fails, the rest are not run
  const hooked = replay(
    [{ t: 'file', path: '/p/h.test.js', start: 1, tests: [[[], 'outside'], [['keys'], 'k1'], [['keys'], 'k2']] }],
    [], emptyResult, { testPath: '/p/h.test.js', scope: ['keys'], hookName: 'beforeEach of keys › k1', message: 'HardTimeoutError: hook', elapsedMs: 10 }, 100,
  );
  assert.deepEqual(hooked[0].testResults.map((x) => [x.title, x.status, x.failureMessages[0]]), [
    ['outside', 'pending', notRunMessage('beforeEach of keys › k1')],
    ['k1', 'failed', 'HardTimeoutError: hook'],
    ['k2', 'pending', notRunMessage('beforeEach of keys › k1')],
  ]);
  assert.equal(hooked[0].testExecError, undefined);
  // no journal at all: the stuck test alone
  const alone = replay([], [], emptyResult, { testPath: '/p/x.test.js', test: [[], 'x'], message: 'm', elapsedMs: 5 }, 100);
  assert.deepEqual(alone.map((r) => [r.testFilePath, r.testResults.map((x) => x.status)]), [['/p/x.test.js', ['failed']]]);
});

test('the killed worker\'s message: test, file:line, limit, diagnosis, what was done', () => {
  const source = "const x = 1;\ndescribe('native', () => {\n  test('spins in native code', () => {\n  });\n});\n";
  assert.equal(stuckExit.declarationLine(source, 'spins in native code'), 3);
  assert.equal(stuckExit.declarationLine(source, 'nowhere'), undefined);
  assert.equal(stuckExit.declarationLine("test('a', 1);\ntest('a', 2);", 'a'), undefined, 'ambiguous');
  const report = { label: 'native › spins in native code', pid: 42, timeoutMs: 500, elapsedMs: 1540.6, busyInJavaScript: false, diagnosis: { running: true }, unblock: null };
  const context = { rootDir: '/p', testPath: '/p/test/stuck.test.js', project: 'node', entry: { kind: 'test', ancestorTitles: ['native'], title: 'spins in native code' } };
  const expected = describeOutcome({
    entry: 'test', name: 'native › spins in native code', file: 'test/stuck.test.js', project: 'node', declaredAt: { file: 'test/stuck.test.js', line: 3 },
    limitMs: 500, elapsedMs: 1540.6, cause: 'native', action: 'worker-killed', diagnosis: { running: true },
  });
  assert.equal(stuckExit.killedWorkerMessage(context, report, 3), `@hardtimeout/jest-env: ${expected} (worker pid 42); the tests after it in this file do not run\n`);
});

test('records: names of hooks, paths relative to rootDir, locations with or without a column', () => {
  const records = dist('records.js');
  assert.equal(records.recordName(nameOf(t, 'test', null)), 'outer › spins');
  assert.equal(records.recordName(nameOf(hook, 'beforeEach', t)), 'beforeEach of outer › spins');
  assert.equal(records.recordName(nameOf({ type: 'afterAll', parent: root, fn() {} }, 'afterAll', null)), 'afterAll');
  assert.deepEqual(records.parseLocation('/p/test/a.test.js:3:5', '/p'), { file: 'test/a.test.js', line: 3, column: 5 });
  assert.deepEqual(records.parseLocation('/p/a.test.js:3', '/p'), { file: 'a.test.js', line: 3 });
  assert.equal(records.parseLocation(null, '/p'), undefined);
});

test('the controller fails loudly on a circus state it cannot use, and on a test that ran unguarded', () => {
  const { Controller } = dist('controller.js');
  const options = { timeout: undefined, stuckAfter: undefined, whenDebugging: false, enabled: true, source: 'test' };
  const run = { rootDir: '/p', json: false, outputFile: undefined, project: undefined, jestDir: undefined };
  // no hard timeout can be put on tests of a state without a describe block: the event throws
  const bad = new Controller(options, '/p/a.test.js', 'in-band', run);
  assert.throws(() => bad.onEvent({ name: 'setup' }, { testTimeout: 5000 }), (e) => e.name === 'JestInternalsError' && /lacks state\.rootDescribeBlock/.test(e.message));
  // a test jest-circus ran without an add_test or test_start event: its result says so
  const c = new Controller(options, '/p/a.test.js', 'in-band', run);
  const block = { type: 'describeBlock', name: 'ROOT_DESCRIBE_BLOCK', children: [], hooks: [] };
  const state = { rootDescribeBlock: block, currentDescribeBlock: block, currentlyRunningTest: null, testTimeout: 5000, unhandledErrors: [] };
  const unguarded = { type: 'test', name: 'sneaks by', parent: block, errors: [], fn() {} };
  c.onEvent({ name: 'test_done', test: unguarded }, state);
  assert.equal(unguarded.errors.length, 1);
  assert.match(unguarded.errors[0].message, /"sneaks by" ran without a hard timeout: jest-circus sent no add_test or test_start event for it/);
  // the same test through test_start is wrapped, and nothing is added
  const guarded = { type: 'test', name: 'guarded', parent: block, errors: [], fn() {} };
  c.onEvent({ name: 'test_start', test: guarded }, state);
  c.onEvent({ name: 'test_done', test: guarded }, state);
  assert.deepEqual(guarded.errors, []);
});

test('a killed worker\'s entry: its raw location, checked against the line that has its title in quotes', () => {
  const { declaredAtOf } = dist('reporter.js');
  const source = "describe('d', () => {\n  beforeEach(() => {})\n  test('spins', () => {})\n})\n";
  const read = () => source;
  const entry = (over) => ({ kind: 'test', test: 'd › spins', title: 'spins', ancestorTitles: ['d'], declaredAt: '/p/a.test.js:3:3', raw: true, ...over });
  assert.equal(declaredAtOf('/p/a.test.js', entry({}), read), '/p/a.test.js:3:3');
  // a transform moved the call: the source's line, without a column
  assert.equal(declaredAtOf('/p/a.test.js', entry({ declaredAt: '/p/a.test.js:9:7' }), read), '/p/a.test.js:3');
  // a hook, or a title not found once: the raw location as it is
  assert.equal(declaredAtOf('/p/a.test.js', entry({ kind: 'beforeEach', title: 'd', declaredAt: '/p/a.test.js:2:3' }), read), '/p/a.test.js:2:3');
  assert.equal(declaredAtOf('/p/a.test.js', entry({ title: 'gone', declaredAt: '/p/a.test.js:3:3' }), read), '/p/a.test.js:3:3');
  // an entry already formatted by the worker
  assert.equal(declaredAtOf('/p/a.test.js', entry({ raw: undefined, declaredAt: '/p/a.test.js:8:1' }), () => { throw new Error('not read'); }), '/p/a.test.js:8:1');
});
