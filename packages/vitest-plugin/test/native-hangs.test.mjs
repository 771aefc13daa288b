// Tests blocked in a syscall are unblocked and stopped in place; a test stuck in native code that
// cannot be unblocked gets its fork worker killed (or its worker thread abandoned), with the file's
// results kept and the run going on.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { ACTION, WORDS, failure, killLeftovers, leftovers, makeProject, markerLine, removeProject, runVitest, states } from './helpers.mjs'

const F = 'native-hangs'

const EXPECTED = {
  'other.test.js > another file still runs': 'passed',
  'stuck.test.js > passes first': 'passed',
  'stuck.test.js > pbkdf2Sync with 2e9 rounds': 'failed',
  'stuck.test.js > never runs': 'skipped',
  'syscalls.test.js > passes before': 'passed',
  'syscalls.test.js > readSync on a pipe': 'failed',
  'syscalls.test.js > execSync of a child that never exits': 'failed',
  'syscalls.test.js > passes after, in the same worker': 'passed',
}

// Vitest 4 reuses a non-isolated (vm pool) worker for the next file even after it died, and loses
// that file: only the process-isolated pools are checked there.
const RUNS = [[3, 'forks'], [3, 'vmForks'], [3, 'threads'], [3, 'vmThreads'], [4, 'forks'], [5, 'forks'], [5, 'vmForks'], [4, 'threads'], [5, 'threads'], [5, 'vmThreads']]

for (const [line, pool] of RUNS) {
  test(`vitest ${line}, pool ${pool}: blocking syscalls are unblocked, a native hang ends only its worker`, async (t) => {
    const threads = pool.endsWith('Threads') || pool === 'threads'
    const dir = makeProject(F, line)
    try {
      const r = await runVitest(dir, line, { args: [`--pool=${pool}`], limitMs: 90_000 })
      const output = r.stdout + r.stderr
      assert.equal(r.timedOut, false, `vitest did not finish in 90 s:\n${output.slice(-3000)}`)
      assert.equal(r.code, 1, output.slice(-3000))
      assert.deepEqual(states(r.json), EXPECTED)
      // The worker exit the plugin caused is not reported again as an unhandled error, and nothing
      // of the disposed worker keeps Vitest from exiting.
      assert.doesNotMatch(output, /Unhandled|Errors\s+\d+ error|close timed out/)

      const read = failure(r.json, 'readSync on a pipe')
      assert.match(read, /^HardTimeoutError: test "readSync on a pipe" was stopped after \d+ ms: it ran past its hard timeout of 600 ms while blocked in read\(fd \d+ → \S*\/fifo-\w+\/fifo\) \(interrupted the syscall to unblock it\)/)
      // Vitest 3's vm pools do not source-map a stack taken in Node's own code (the syscall's
      // return): the frame names the file, at its transformed line (README, known gaps).
      const mapped = !(line === 3 && pool.startsWith('vm'))
      assert.match(read, new RegExp(`syscalls\\.test\\.js:${mapped ? markerLine(F, 'syscalls.test.js', 'read') : '\\d+'}:`))
      const exec = failure(r.json, 'execSync of a child that never exits')
      assert.match(exec, /^HardTimeoutError: test "execSync of a child that never exits" was stopped after \d+ ms: .* waiting for `\/bin\/sh -c sleep 1000; echo never` \(pid \d+\), `sleep 1000` \(pid \d+\) \(interrupted the syscall and killed 2 child processes to unblock it\)/)
      assert.match(exec, new RegExp(`syscalls\\.test\\.js:${mapped ? markerLine(F, 'syscalls.test.js', 'exec') : '\\d+'}:`))

      const stuck = failure(r.json, 'pbkdf2Sync with 2e9 rounds')
      assert.match(stuck, /^HardTimeoutError: test "pbkdf2Sync with 2e9 rounds" was stuck in native code for \d+ ms \(hard timeout 600 ms\) and could not be stopped \(.+\): /)
      if (threads) assert.match(stuck, /: its worker thread \(\d+\) was abandoned/)
      else assert.match(stuck, /: the worker \(pid \d+\) and its process tree were killed/)
      const skipped = r.json.testResults.flatMap((f) => f.assertionResults).find((a) => a.title === 'never runs')
      assert.equal(skipped.status, 'skipped')
      assert.match(r.stdout, /never runs \[not run: the worker was stopped because test "pbkdf2Sync with 2e9 rounds" was stuck in native code\]/)

      const report = JSON.parse(fs.readFileSync(path.join(dir, 'hard-timeouts.json'), 'utf8'))
      assert.deepEqual(
        report.hardTimeouts.map((h) => [h.name, h.file, h.location.line, h.limitMs, h.cause, h.action]),
        [
          ['pbkdf2Sync with 2e9 rounds', 'stuck.test.js', markerLine(F, 'stuck.test.js', 'pbkdf2'), 600, 'native', threads ? ACTION['thread-abandoned'] : ACTION['worker-killed']],
          ['readSync on a pipe', 'syscalls.test.js', mapped ? markerLine(F, 'syscalls.test.js', 'read') : report.hardTimeouts[1].location.line, 600, 'native', ACTION.unblocked],
          ['execSync of a child that never exits', 'syscalls.test.js', mapped ? markerLine(F, 'syscalls.test.js', 'exec') : report.hardTimeouts[2].location.line, 600, 'native', ACTION.unblocked],
        ],
      )
      assert.ok(r.ms < 40_000, `took ${r.ms} ms`)
      t.diagnostic(`vitest ${line} ${pool}: ${r.ms} ms`)
      // No worker, no `sh`, no `sleep` left behind.
      assert.deepEqual(leftovers(dir), [])
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })
}

// A non-isolated worker (isolate: false, one worker; on Vitest 4 also the vm pools) runs a queue of
// files: the files queued behind it when it is killed (or its thread abandoned) run in the worker
// that replaces it, in the same run. Vitest 3.2's pools are tinypool's, which does this itself; on
// 4.1 and 5.1 the plugin hands them to the pool again.
const NON_ISOLATED = [
  [3, ['--pool=forks', '--no-isolate', '--maxWorkers=1']],
  [3, ['--pool=threads', '--no-isolate', '--maxWorkers=1']],
  [4, ['--pool=vmForks', '--maxWorkers=1']],
  [5, ['--pool=forks', '--no-isolate', '--maxWorkers=1']],
  [5, ['--pool=threads', '--no-isolate', '--maxWorkers=1']],
]
for (const [line, args] of NON_ISOLATED) test(`vitest ${line}, ${args.join(' ')}: files queued on the killed (or abandoned) non-isolated worker run in a new one`, async () => {
  const dir = makeProject(F, line)
  try {
    const r = await runVitest(dir, line, { args, limitMs: 90_000 })
    assert.equal(r.timedOut, false)
    assert.equal(r.code, 1)
    assert.deepEqual(states(r.json), EXPECTED)
    // other.test.js comes after the stuck file: it ran in the worker that replaced the killed one.
    assert.match(r.stdout, /stuck\.test\.js[^\n]*\n[\s\S]*other\.test\.js \(1 test\)/)
    assert.doesNotMatch(r.stdout + r.stderr, /Unhandled|not run: queued|close timed out/)
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'hard-timeouts.json'), 'utf8'))
    assert.deepEqual(report.notRun, [])
    assert.deepEqual(leftovers(dir), [])
  } finally {
    killLeftovers(dir)
    removeProject(dir)
  }
})

test("vitest 4, forks: onNativeHang 'report' reports a native hang and leaves the worker running", async () => {
  const dir = makeProject('report-only', 4)
  try {
    const r = await runVitest(dir, 4, { limitMs: 90_000 })
    assert.equal(r.timedOut, false)
    assert.equal(r.code, 1)
    assert.deepEqual(states(r.json), { 'r.test.js > slow native call': 'failed', 'r.test.js > after': 'passed' })
    assert.match(r.stderr, /\[hardtimeout\] "slow native call" is stuck in native code \(.+\) \d+ ms after its start, past its hard timeout of 300 ms \(pid \d+, thread 0\); onNativeHang: 'report' leaves it running/)
    // The same worker went on: it stopped the test once the native call returned.
    assert.match(failure(r.json, 'slow native call'), /^HardTimeoutError: test "slow native call" was stopped after \d+ ms/)
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'hard-timeouts.json'), 'utf8'))
    assert.deepEqual(report.hardTimeouts.map((h) => [h.name, h.location.line, h.action]), [['slow native call', 5, ACTION.unblocked]])
    assert.match(r.stdout, new RegExp(`slow native call  r\\.test\\.js:5  limit 300 ms  reported stuck in native code, then ${WORDS.action.unblocked}`))
  } finally {
    killLeftovers(dir)
    removeProject(dir)
  }
})
