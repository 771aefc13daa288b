// The JavaScript-hang fixture run on one Vitest line and pool, with every assertion on its outcome.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ACTION, WORDS, describeOutcome, failure, killLeftovers, leftovers, makeProject, markerLine, removeProject, runVitest, states } from './helpers.mjs'

const F = 'js-hangs'

export const EXPECTED_STATES = {
  'hooks.test.js > beforeEach hangs once first (its beforeEach hangs)': 'failed',
  'hooks.test.js > beforeEach hangs once second': 'passed',
  'hooks.test.js > beforeAll hangs never runs': 'skipped',
  'hooks.test.js > afterEach hangs body passes but afterEach hangs': 'failed',
  'hooks.test.js > afterAll hangs passes': 'passed',
  'hooks.test.js > afterEach with its own longer timeout is not stopped at hookTimeout': 'passed',
  'hooks.test.js > hooks ran and this worker still works': 'passed',
  'tests.test.js > passes before': 'passed',
  'tests.test.js > infinite loop': 'failed',
  'tests.test.js > catastrophic regex': 'failed',
  'tests.test.js > Atomics.wait': 'failed',
  'tests.test.js > loop that swallows every error': 'failed',
  'tests.test.js > loop after an await': 'failed',
  'tests.test.js > own meta.hardTimeout': 'failed',
  'tests.test.js > group with meta inherits the describe limit': 'failed',
  'tests.test.js > slow but within its limit': 'passed',
  'tests.test.js > its own per-test timeout is its limit': 'passed',
  "tests.test.js > waits forever: Vitest's own timeout reports it": 'failed',
  'tests.test.js > test.fails cannot turn a stop into a pass': 'failed',
  'tests.test.js > passes after, in the same worker, after every afterEach ran': 'passed',
}

// [full name in the JSON report, file, marker, limit, how the message names it]
const STOPPED_TESTS = [
  ['infinite loop', 'tests.test.js', 'loop', 500, 'test "infinite loop"'],
  ['catastrophic regex', 'tests.test.js', 'regex', 500, 'test "catastrophic regex"'],
  ['Atomics.wait', 'tests.test.js', 'atomics', 500, 'test "Atomics.wait"'],
  ['loop that swallows every error', 'tests.test.js', 'swallow', 500, 'test "loop that swallows every error"'],
  ['loop after an await', 'tests.test.js', 'async', 500, 'test "loop after an await"'],
  ['own meta.hardTimeout', 'tests.test.js', 'meta', 300, 'test "own meta.hardTimeout"'],
  ['group with meta inherits the describe limit', 'tests.test.js', 'describe', 200, 'test "group with meta > inherits the describe limit"'],
  ['test.fails cannot turn a stop into a pass', 'tests.test.js', 'fails', 500, 'test "test.fails cannot turn a stop into a pass"'],
  ['beforeEach hangs once first (its beforeEach hangs)', 'hooks.test.js', 'beforeEach', 500, 'beforeEach hook of describe "beforeEach hangs once"'],
  ['afterEach hangs body passes but afterEach hangs', 'hooks.test.js', 'afterEach', 500, 'afterEach hook of describe "afterEach hangs"'],
]

// Everything the summary must list: [file, marker, limit, what].
const SUMMARY = [
  ...STOPPED_TESTS.map(([, file, marker, limit]) => [file, marker, limit]),
  ['hooks.test.js', 'beforeAll', 500],
  ['hooks.test.js', 'afterAll', 400],
]

export async function checkJsHangs(t, line, pool) {
  const dir = makeProject(F, line)
  try {
    const r = await runVitest(dir, line, { args: [`--pool=${pool}`], limitMs: 90_000 })
    const output = r.stdout + r.stderr
    assert.equal(r.timedOut, false, `vitest did not finish in 90 s:\n${output.slice(-3000)}`)
    assert.equal(r.signal, null, `vitest died with ${r.signal}:\n${output.slice(-3000)}`)
    assert.equal(r.code, 1, `exit code:\n${output.slice(-3000)}`)
    assert.ok(r.json, `no JSON report:\n${output.slice(-3000)}`)
    assert.deepEqual(states(r.json), EXPECTED_STATES)

    for (const [name, file, marker, limit, display] of STOPPED_TESTS) {
      const message = failure(r.json, name)
      assert.ok(message, `no failure message for ${name}`)
      assert.match(message, new RegExp(`^HardTimeoutError: ${escape(display)} was stopped after \\d+ ms: it ran past its hard timeout of ${limit} ms`), name)
      // The stack's first frame in a file (not V8's own RegExp.test) is the stuck line.
      const first = message.split('\n').find((l) => /^\s+at /.test(l) && !/\(<anonymous>\)$|\(native\)$/.test(l))
      assert.ok(first?.includes(`${file}:${markerLine(F, file, marker)}:`), `${name}: first frame ${first}, expected ${file}:${markerLine(F, file, marker)}`)
    }
    // A test that only waits (the thread is free) is left to Vitest's own timeout.
    assert.doesNotMatch(failure(r.json, "waits forever: Vitest's own timeout reports it"), /HardTimeoutError/)
    assert.match(output, /waits forever: Vitest's own timeout reports it\n(TestTimeoutError|Error): Test timed out in 500ms/)

    // No stray errors afterwards (Vitest's orphaned timers, unhandled rejections).
    assert.doesNotMatch(output, /Unhandled|Errors\s+\d+ error/, 'stray errors in the output')

    // The summary: printed, and written as JSON.
    assert.match(r.stdout, /Hard timeouts \(12\)/)
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'hard-timeouts.json'), 'utf8'))
    const got = report.hardTimeouts.map((h) => [h.file, h.location.line, h.limitMs, h.action]).sort()
    const want = SUMMARY.map(([file, marker, limit]) => [file, markerLine(F, file, marker), limit, ACTION.stopped]).sort()
    // Each record's message is core's sentence for it.
    for (const h of report.hardTimeouts) assert.equal(h.message, describeOutcome(h))
    assert.deepEqual(got, want)
    assert.match(r.stdout, new RegExp(`infinite loop\\s+tests\\.test\\.js:${markerLine(F, 'tests.test.js', 'loop')}\\s+limit 500 ms\\s+${WORDS.action.stopped}`))

    // Bounded: 12 stops of at most 0.5 s plus a few seconds of Vitest; generous for a loaded machine.
    assert.ok(r.ms < 45_000, `took ${r.ms} ms`)
    t.diagnostic(`vitest ${line} ${pool}: ${r.ms} ms`)
    assert.deepEqual(leftovers(dir), [])
  } finally {
    killLeftovers(dir)
    removeProject(dir)
  }
}

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
