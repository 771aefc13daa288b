// Two Jest projects (displayNames) running the same test files: every hard timeout of every
// project is in the summary and the JSON, each record naming its project, and the summary's
// "stuck at" is the line the error's code frame shows (the innermost frame of the user's code).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, JEST_LINES, describeRun, lineOf, resultOf, runJest } from './helpers.mjs';
import { checkRecord } from './expectations.mjs';

const DIR = path.join(FIXTURES, 'multi-project');
const STOPPED = [
  ['one.test.js', 'spins in a loop', 'HANG-LINE'],
  ['two.test.js', 'backtracks in a helper', 'HANG-HELPER'],
  ['two.test.js', 'spins too', 'HANG-LINE'],
];

for (const [line, jestBin] of Object.entries(JEST_LINES)) {
  // jest-environment-jsdom is in the workspace for Jest 30 only
  const jsdom = line === '30.5';
  test(`Jest ${line}, two projects (${jsdom ? 'jsdom and node' : 'two node projects'}): all six hard timeouts listed, per project`, async () => {
    const r = await runJest({ cwd: DIR, args: ['--maxWorkers=2'], jest: jestBin(), env: { ...(await import('./helpers.mjs')).WORKSPACE_ENV, ...(jsdom ? { HT_JSDOM: '1' } : {}) } });
    assert.equal(r.timedOut, false, describeRun(r));
    assert.equal(r.code, 1, describeRun(r));
    const projects = jsdom ? ['dom', 'node'] : ['first', 'node'];
    // Jest's own JSON: each file once per project, the stopped tests failed in both
    assert.equal(r.json.testResults.length, 4);
    assert.equal(r.json.numFailedTests, 6);
    assert.equal(r.json.numPassedTests, 2);
    assert.match(r.stderr, /Hard timeouts: 6\b/, r.stderr.slice(-3000));
    const records = r.hardTimeouts.hardTimeouts;
    assert.equal(records.length, 6, JSON.stringify(records, null, 1));
    for (const project of projects) {
      for (const [file, title, marker] of STOPPED) {
        const found = records.filter((x) => x.project === project && x.file === file && x.name === title);
        assert.equal(found.length, 1, `${project} ${file} ${title}: ${JSON.stringify(records, null, 1)}`);
        checkRecord(found[0]);
        // the innermost user frame, as in the error's code frame; the declaration apart
        assert.equal(found[0].location.line, lineOf(DIR, file, marker), JSON.stringify(found[0]));
        assert.equal(found[0].declaredAt.line, lineOf(DIR, file, `test('${title}'`), JSON.stringify(found[0]));
        assert.ok(found[0].message.includes(`[${project}]`), found[0].message);
      }
    }
    // the summary: where it is declared, then core's message (which says where it was stuck)
    for (const rec of records) assert.ok(r.stderr.includes(`  ✕ [${rec.project}] ${rec.name} — ${rec.file}:${rec.declaredAt.line}\n      ${rec.message}\n`), rec.message);
    // a test stopped in a helper: the summary and Jest's code frame name the helper's line
    const helper = resultOf(r.json, 'two.test.js', 'backtracks in a helper');
    assert.ok(helper.failureMessages.join('\n').includes(`two.test.js:${lineOf(DIR, 'two.test.js', 'HANG-HELPER')}:`), helper.failureMessages.join('\n'));
    assert.deepEqual(r.leftovers, [], 'processes left behind');
    assert.deepEqual(r.tempLeft, [], 'temporary files left behind');
  });
}
