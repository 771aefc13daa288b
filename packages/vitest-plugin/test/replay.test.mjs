// The journal replay: which call was stuck, which results a killed worker had not sent, and the
// task updates that settle every test of the file.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { importSource } from './src-module.mjs'

const { parseJournal, replayJournal, settleTasks } = await importSource('replay.ts')

const start = (id, name, extra = {}) => ({ k: 'start', id, file: '/p/a.test.js', what: 'test', name, limit: 500, t: 1000, ...extra })
const passed = (id) => ({ k: 'done', id, s: 'pass', t: 1, d: 2500 })

test('parseJournal keeps the lines before one cut short', () => {
  const text = '{"k":"thread","handle":null}\n{"k":"done","id":"a","s":"pass","t":1,"d":2}\n{"k":"start","id":"b","fi'
  assert.deepEqual(parseJournal(text).map((e) => e.k), ['thread', 'done'])
  assert.deepEqual(parseJournal(''), [])
})

test('replayJournal finds the call the stuck report names, and the results before it', () => {
  const journal = [
    { k: 'thread', handle: null },
    start(null, 'loading a.test.js', { what: 'collect' }),
    start('t1', 'first'),
    passed('t1'),
    start('t2', 'second'),
    { k: 'done', id: 't2', result: { state: 'fail', errors: [{ message: 'x' }] } },
    start('t3', 'stuck one'),
  ]
  const r = replayJournal(journal, 'stuck one')
  assert.equal(r.start.id, 't3')
  assert.deepEqual([...r.done.keys()], ['t1', 't2'])
  // A plain pass is journaled in short form: duration in microseconds.
  assert.deepEqual(r.done.get('t1'), { state: 'pass', startTime: 1, duration: 2.5, retryCount: 0, repeatCount: 0 })
  assert.deepEqual(r.done.get('t2'), { state: 'fail', errors: [{ message: 'x' }] })
})

test('replayJournal takes the last call started when none carries the label', () => {
  const r = replayJournal([start('t1', 'a'), start('t2', 'b')], 'something else')
  assert.equal(r.start.id, 't2')
  assert.equal(replayJournal([{ k: 'thread', handle: null }], 'x'), undefined)
})

test('replayJournal forgets the results of an earlier run of the same file (a reused worker)', () => {
  const journal = [
    start(null, 'loading a.test.js', { what: 'collect' }), start('t1', 'first'), passed('t1'),
    start(null, 'loading a.test.js', { what: 'collect' }), start('t2', 'again'),
  ]
  assert.deepEqual([...replayJournal(journal, 'again').done.keys()], [])
})

test('settleTasks: the stuck test fails, finished ones keep their journaled results, the rest are skipped with the note', () => {
  const t = (id, result) => ({ id, name: id, type: 'test', result })
  const inner = { id: 's', name: 's', type: 'suite', tasks: [t('t3'), t('t4')] }
  const file = { id: 'f', name: 'a.test.js', type: 'suite', filepath: '/p/a.test.js', tasks: [t('t1', { state: 'pass' }), t('t2'), inner] }
  const stuck = inner.tasks[0]
  const error = { name: 'HardTimeoutError', message: 'stuck' }
  const { packs, events } = settleTasks(file, stuck, new Map([['t2', { state: 'pass', duration: 1 }]]), { error, startTime: 100, now: 350, skipNote: 'not run: why' })
  assert.deepEqual(packs, [
    ['t2', { state: 'pass', duration: 1 }, undefined],
    ['t3', { state: 'fail', errors: [error], startTime: 100, duration: 250 }, undefined],
    ['t4', { state: 'skip', note: 'not run: why' }, undefined],
    ['s', { state: 'fail', errors: undefined }, undefined],
    ['f', { state: 'fail', errors: undefined }, undefined],
  ])
  assert.deepEqual(events.map((e) => e.slice(0, 2)), [['t2', 'test-finished'], ['t3', 'test-finished'], ['t4', 'test-finished'], ['s', 'suite-finished'], ['f', 'suite-finished']])
})

test('settleTasks: a stuck hook fails its suite with the error; a suite of passed tests passes', () => {
  const ok = { id: 'ok', name: 'ok', type: 'suite', tasks: [{ id: 'p', name: 'p', type: 'test', result: { state: 'pass' } }] }
  const hooked = { id: 'h', name: 'h', type: 'suite', tasks: [{ id: 'n', name: 'n', type: 'test' }] }
  const file = { id: 'f', name: 'a', type: 'suite', filepath: '/p/a', tasks: [ok, hooked] }
  const error = { message: 'beforeAll stuck' }
  const { packs } = settleTasks(file, hooked, new Map(), { error, startTime: 0, now: 1, skipNote: 'n/r' })
  assert.deepEqual(packs, [
    ['ok', { state: 'pass', errors: undefined }, undefined],
    ['n', { state: 'skip', note: 'n/r' }, undefined],
    ['h', { state: 'fail', errors: [error] }, undefined],
    ['f', { state: 'fail', errors: undefined }, undefined],
  ])
})
