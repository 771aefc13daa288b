// The outcome vocabulary (src/outcome.ts): the record type the plugins report, its one message
// builder, the mappings from a HardTimeoutError and from a stuck report, and where a stuck stack
// points (src/location.ts).
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

const require = createRequire(import.meta.url)
const core = require('../dist/index.js')
const internal = require('../dist/internal.js')
const {
  ACTIONS, CAUSES, ENTRIES, OUTCOME_WORDS, describeOutcome, createRecord, recordFromError, recordFromStuckReport,
  runWithHardTimeout, HardTimeoutError,
} = core

const read = { pid: 10, tid: 11, state: 'S', running: false, syscall: { nr: 0, name: 'read', args: [18] }, fd: { fd: 18, target: 'pipe:[7]' }, children: [] }
const onCpu = { pid: 10, tid: 11, state: 'R', running: true, children: [] }
const base = { entry: 'test', name: 'parser > rejects', file: 'test/parser.test.js', limitMs: 1000, elapsedMs: 1003.4 }

// The one place the fixed words of HardTimeoutError messages are spelled out: users and tools read
// them, so a change here is a change they see. Other tests build their patterns from the constant.
test('the words of HardTimeoutError messages', () => {
  assert.deepEqual({ ...internal.MESSAGE_WORDS }, {
    stopped: 'was stopped after',
    pastTimeout: 'it ran past its hard timeout of',
    blockedIn: 'while blocked in',
    runningNative: 'while running native code (on a CPU, in no syscall)',
    interrupted: 'interrupted the syscall',
    signalled: 'signalled the thread',
    toUnblock: 'to unblock it',
    pending: 'did not settle within its hard timeout of',
    waiting: '(it was waiting, not blocking the thread)',
    noAddon: '(native addon unavailable: the line it was stuck on is unknown)',
    countedAgain: 'counted again from when',
    starvedThread: 'whose loop starved its thread, was stopped',
    starvedBy: 'was starved by',
    starvedHeld: 'whose loop held its thread past its deadline, and did not settle within its hard timeout of',
    starvedAfter: "after that loop was stopped (its continuation may have been dropped with the loop's microtasks)",
  })
  assert.ok(Object.isFrozen(internal.MESSAGE_WORDS))
})

test('the closed sets', () => {
  assert.deepEqual([...ENTRIES], ['test', 'hook', 'collection'])
  assert.deepEqual([...CAUSES], ['js', 'native', 'pending'])
  assert.deepEqual([...ACTIONS], ['stopped', 'unblocked', 'worker-killed', 'thread-ended', 'thread-abandoned', 'run-ended'])
  assert.ok(Object.isFrozen(ENTRIES) && Object.isFrozen(CAUSES) && Object.isFrozen(ACTIONS) && Object.isFrozen(OUTCOME_WORDS.action))
})

// The sentences themselves: every cause × action. This is the one place that spells them out.
const head = 'test "parser > rejects" in test/parser.test.js ran past its hard timeout of 1000 ms'
const expected = {
  js: {
    stopped: `${head} in JavaScript, stuck at /p/helper.js:3:9: stopped in place after 1003 ms`,
    unblocked: `${head} in JavaScript that could not be stopped in place, stuck at /p/helper.js:3:9: unblocked and stopped after 1003 ms`,
    'worker-killed': `${head} in JavaScript that could not be stopped in place, stuck at /p/helper.js:3:9: its worker was killed after 1003 ms`,
    'thread-ended': `${head} in JavaScript that could not be stopped in place, stuck at /p/helper.js:3:9: its worker thread was ended after 1003 ms`,
    'thread-abandoned': `${head} in JavaScript that could not be stopped in place, stuck at /p/helper.js:3:9: its worker thread was left running and abandoned after 1003 ms`,
    'run-ended': `${head} in JavaScript that could not be stopped in place, stuck at /p/helper.js:3:9: the run was ended after 1003 ms`,
  },
  native: {
    stopped: `${head} in native code (read(fd 18 → pipe:[7])), stuck at /p/helper.js:3:9: stopped in place after 1003 ms`,
    unblocked: `${head} in native code (read(fd 18 → pipe:[7])), stuck at /p/helper.js:3:9: unblocked (syscall interrupted; 2 child processes killed) and stopped after 1003 ms`,
    'worker-killed': `${head} in native code (read(fd 18 → pipe:[7])), stuck at /p/helper.js:3:9: its worker was killed after 1003 ms`,
    'thread-ended': `${head} in native code (read(fd 18 → pipe:[7])), stuck at /p/helper.js:3:9: its worker thread was ended after 1003 ms`,
    'thread-abandoned': `${head} in native code (read(fd 18 → pipe:[7])), stuck at /p/helper.js:3:9: its worker thread was left running and abandoned after 1003 ms`,
    'run-ended': `${head} in native code (read(fd 18 → pipe:[7])), stuck at /p/helper.js:3:9: the run was ended after 1003 ms`,
  },
  pending: {
    stopped: `${head} while waiting (nothing blocked its thread; its promise had not settled): failed at its limit after 1003 ms`,
    unblocked: `${head} while waiting (nothing blocked its thread; its promise had not settled): unblocked and stopped after 1003 ms`,
    'worker-killed': `${head} while waiting (nothing blocked its thread; its promise had not settled): its worker was killed after 1003 ms`,
    'thread-ended': `${head} while waiting (nothing blocked its thread; its promise had not settled): its worker thread was ended after 1003 ms`,
    'thread-abandoned': `${head} while waiting (nothing blocked its thread; its promise had not settled): its worker thread was left running and abandoned after 1003 ms`,
    'run-ended': `${head} while waiting (nothing blocked its thread; its promise had not settled): the run was ended after 1003 ms`,
  },
}

for (const cause of ['js', 'native', 'pending']) {
  for (const action of ['stopped', 'unblocked', 'worker-killed', 'thread-ended', 'thread-abandoned', 'run-ended']) {
    test(`describeOutcome: cause ${cause}, action ${action}`, () => {
      const r = { ...base, cause, action }
      if (cause !== 'pending') r.location = { file: '/p/helper.js', line: 3, column: 9 }
      if (cause === 'native') {
        r.diagnosis = read
        r.unblocked = { signalled: true, killed: [{ pid: 12, cmd: 'sleep 1' }, { pid: 13, cmd: 'sleep 2' }] }
      }
      assert.equal(describeOutcome(r), expected[cause][action])
    })
  }
}

test('describeOutcome: entries, project, declaredAt, a CPU-bound native hang, no elapsed time', () => {
  assert.equal(
    describeOutcome({ entry: 'hook', name: 'beforeAll', file: 'a.test.js', project: 'unit', limitMs: 50.25, cause: 'native', action: 'worker-killed', diagnosis: onCpu }),
    'hook "beforeAll" in a.test.js [unit] ran past its hard timeout of 50.3 ms in native code (running on a CPU, outside any syscall): its worker was killed',
  )
  assert.equal(
    describeOutcome({ entry: 'collection', name: 'a.test.js', file: 'a.test.js', limitMs: 500, elapsedMs: 502, cause: 'js', action: 'stopped',
      location: { file: '/p/lib.js', line: 4, column: 2 }, declaredAt: { file: '/p/a.test.js', line: 12 } }),
    'collection of "a.test.js" in a.test.js ran past its hard timeout of 500 ms in JavaScript, stuck at /p/lib.js:4:2 (declared at /p/a.test.js:12): stopped in place after 502 ms',
  )
  // Declared on the line it was stuck on: said once.
  assert.equal(
    describeOutcome({ ...base, cause: 'js', action: 'stopped', location: { file: '/p/a.test.js', line: 12, column: 5 }, declaredAt: { file: '/p/a.test.js', line: 12 } }),
    `${head} in JavaScript, stuck at /p/a.test.js:12:5: stopped in place after 1003 ms`,
  )
  // The syscall of a signalled thread that was on a CPU is not called interrupted.
  assert.match(
    describeOutcome({ ...base, cause: 'native', action: 'unblocked', diagnosis: onCpu, unblocked: { signalled: true, killed: [] } }),
    /: unblocked \(thread signalled\) and stopped after 1003 ms$/,
  )
})

test('describeOutcome: JavaScript that could not be stopped says what it ran in', () => {
  const r = { ...base, cause: 'js', action: 'worker-killed', location: { file: '/p/a.test.js', line: 4, column: 7 } }
  assert.equal(describeOutcome({ ...r, jsIn: 'callback' }),
    `${head} in JavaScript that could not be stopped in place (a timer, I/O or event callback, where a stop cannot be caught), stuck at /p/a.test.js:4:7: its worker was killed after 1003 ms`)
  assert.equal(describeOutcome({ ...r, jsIn: 'microtask' }),
    `${head} in JavaScript that could not be stopped in place (code after an await while an AsyncHook is enabled: on Node 24+ stopping it would abort Node; disable the hook in tests), stuck at /p/a.test.js:4:7: its worker was killed after 1003 ms`)
  // a stop in place needs no reason
  assert.equal(describeOutcome({ ...r, action: 'stopped', jsIn: 'callback' }), `${head} in JavaScript, stuck at /p/a.test.js:4:7: stopped in place after 1003 ms`)
  assert.throws(() => describeOutcome({ ...r, jsIn: 'timer' }), /record\.jsIn must be one of callback, microtask, got "timer"/)
  const report = { label: 't', pid: 1, tid: 1, generation: 1, timeoutMs: 200, elapsedMs: 1201, busyInJavaScript: true, jsIn: 'callback', diagnosis: onCpu, unblock: null, action: 'kill-process' }
  assert.equal(recordFromStuckReport(report, { entry: 'test', name: 't', file: 'a.js', action: 'worker-killed' }).jsIn, 'callback')
  assert.equal('jsIn' in recordFromStuckReport({ ...report, busyInJavaScript: false }, { entry: 'test', name: 't', file: 'a.js', action: 'worker-killed' }), false)
})

test('describeOutcome refuses a record outside the vocabulary, naming the field and value', () => {
  assert.throws(() => describeOutcome({ ...base, cause: 'loop', action: 'stopped' }), /^TypeError: describeOutcome: record\.cause must be one of js, native, pending, got "loop"$/)
  assert.throws(() => describeOutcome({ ...base, cause: 'js', action: 'stopped in place' }), /record\.action must be one of stopped, unblocked, worker-killed, thread-ended, thread-abandoned, run-ended, got "stopped in place"/)
  assert.throws(() => describeOutcome({ ...base, entry: 'file', cause: 'js', action: 'stopped' }), /record\.entry must be one of test, hook, collection, got "file"/)
  assert.throws(() => describeOutcome({ ...base, name: 3, cause: 'js', action: 'stopped' }), /record\.name must be a string, got 3/)
  assert.throws(() => describeOutcome({ ...base, limitMs: NaN, cause: 'js', action: 'stopped' }), /record\.limitMs must be a positive number, got NaN/)
  assert.throws(() => describeOutcome(null), /describeOutcome: expected a record, got null/)
})

test('a record survives JSON: same fields, same message rebuilt', () => {
  const record = createRecord({
    ...base, project: 'e2e', cause: 'native', action: 'unblocked', location: { file: '/p/a.js', line: 1, column: 2 },
    declaredAt: { file: '/p/a.test.js', line: 9 }, diagnosis: read, unblocked: { signalled: true, killed: [] }, elapsedMs: undefined,
  })
  assert.equal('elapsedMs' in record, false, 'undefined fields are left out, as JSON would')
  const back = JSON.parse(JSON.stringify(record))
  assert.deepEqual(back, record)
  const { message, ...outcome } = back
  assert.equal(describeOutcome(outcome), message)
  assert.equal(message, record.message)
})

test('recordFromStuckReport: busy in JavaScript is cause js, else native; the report gives limit, elapsed, diagnosis', () => {
  const report = { label: 't', pid: 10, tid: 11, generation: 1, timeoutMs: 200, elapsedMs: 1201.26, busyInJavaScript: false, diagnosis: onCpu, unblock: null, action: 'kill-process' }
  const context = { entry: 'test', name: 's > t', file: 'a.test.js', project: 'p', action: 'worker-killed' }
  const native = recordFromStuckReport(report, context)
  assert.deepEqual(native, {
    entry: 'test', name: 's > t', file: 'a.test.js', project: 'p', action: 'worker-killed', limitMs: 200, elapsedMs: 1201.3,
    cause: 'native', diagnosis: onCpu,
    message: 'test "s > t" in a.test.js [p] ran past its hard timeout of 200 ms in native code (running on a CPU, outside any syscall): its worker was killed after 1201 ms',
  })
  const js = recordFromStuckReport({ ...report, busyInJavaScript: true }, { ...context, action: 'run-ended' })
  assert.equal(js.cause, 'js')
  assert.equal(js.message, describeOutcome({ ...context, action: 'run-ended', limitMs: 200, elapsedMs: 1201.3, cause: 'js', diagnosis: onCpu }))
  assert.match(js.message, new RegExp(`${OUTCOME_WORDS.cause.jsUnstoppable}.*${OUTCOME_WORDS.action['run-ended']}`))
  // A report with the stack of the JavaScript it was stuck in: its innermost user frame.
  const stack = 'Error: stuck here\n    at node:internal/timers:594:17\n    at spin (/p/a.test.js:8:5)\n    at /p/a.test.js:3:1'
  const located = recordFromStuckReport({ ...report, busyInJavaScript: true, stack }, context)
  assert.deepEqual(located.location, { file: '/p/a.test.js', line: 8, column: 5 })
  assert.match(located.message, /, stuck at \/p\/a\.test\.js:8:5: its worker was killed/)
  assert.equal('stack' in located, false, 'the stack itself is not part of the record')
  const given = recordFromStuckReport({ ...report, stack }, { ...context, location: { file: '/p/b.js', line: 1 } })
  assert.deepEqual(given.location, { file: '/p/b.js', line: 1 })
})

test('recordFromError: a real stop gives cause, action and the innermost user frame', () => {
  let error
  try {
    runWithHardTimeout(function spin() { for (;;) {} }, { timeout: 50, label: 'spin' }) // LOOP
  } catch (e) {
    error = e
  }
  assert.ok(error instanceof HardTimeoutError)
  const here = new URL(import.meta.url).pathname
  const line = 1 + readFileLines().findIndex((l) => l.includes('// LOOP'))
  assert.equal(error.location.file, here)
  assert.equal(error.location.line, line)
  const record = recordFromError(error, { entry: 'test', name: 'spin', file: 'outcome.test.mjs' })
  assert.equal(record.cause, 'js')
  assert.equal(record.action, 'stopped')
  assert.deepEqual(record.location, error.location)
  assert.equal(record.limitMs, 50)
  assert.equal(record.message, describeOutcome({ entry: 'test', name: 'spin', file: 'outcome.test.mjs', limitMs: 50, elapsedMs: record.elapsedMs, cause: 'js', action: 'stopped', location: error.location }))
})

test('recordFromError: a pending promise is cause pending, with no location', async () => {
  const error = await runWithHardTimeout(() => new Promise(() => {}), { timeout: 30 }).catch((e) => e)
  assert.equal(error.pending, true)
  assert.equal(error.location, undefined)
  const record = recordFromError(error, { entry: 'hook', name: 'afterAll', file: 'a.test.js' })
  assert.equal(record.cause, 'pending')
  assert.equal(record.action, 'stopped')
  assert.equal('location' in record, false)
  assert.match(record.message, new RegExp(`${OUTCOME_WORDS.action.stoppedPending} after \\d+`))
})

test('userFrame skips Node, node_modules and hardtimeout\'s own dist files', () => {
  const { userFrame } = internal
  const dist = require.resolve('../dist/internal.js')
  const plugin = dist.replace(/core[/\\]dist[/\\]internal\.js$/, 'vitest-plugin/dist/worker.cjs')
  const stack = [
    'HardTimeoutError: x',
    '    at RegExp.test (<anonymous>)',
    '    at node:internal/timers:1:2',
    `    at run (${dist}:10:3)`,
    `    at guard (${plugin}:5:1)`,
    '    at lib (/p/node_modules/lib/index.js:1:1)',
    '    at eval (eval at <anonymous> (/p/a.js:1:1), <anonymous>:1:1)',
    '    at async step (file:///p/my%20tests/a.test.mjs:7:12)',
    '    at /p/b.js:1:1',
  ].join('\n')
  assert.deepEqual(userFrame(stack), { file: '/p/my tests/a.test.mjs', line: 7, column: 12 })
  assert.deepEqual(userFrame('Error\n    at /p/b.js:2:3'), { file: '/p/b.js', line: 2, column: 3 })
  assert.equal(userFrame('Error\n    at node:fs:1:1'), undefined)
  assert.equal(userFrame(undefined), undefined)
})

test('one module instance behind both entry points; plumbing only in ./internal', () => {
  for (const name of Object.keys(core)) assert.equal(core[name], internal[name], name)
  for (const name of ['formatValue', 'describeDiagnosis', 'stuckLog', 'killProcessTree', 'dieWithParent', 'nativeStatus']) {
    assert.equal(name in core, false, `${name} is not public`)
    assert.equal(typeof internal[name], 'function', name)
  }
  assert.equal(require('@hardtimeout/core/internal'), internal)
  assert.equal(require('@hardtimeout/core').runWithHardTimeout, internal.runWithHardTimeout)
})

function readFileLines() {
  return require('node:fs').readFileSync(new URL(import.meta.url), 'utf8').split('\n')
}
