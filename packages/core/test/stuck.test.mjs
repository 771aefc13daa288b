// When nothing can stop the thread (native code that cannot be unblocked, or JavaScript in a raw
// timer callback where stopping it would crash Node), the watchdog writes the report and
// carries out the onStuck plan without any JavaScript.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { alive, scenario, tempDir } from './helpers.mjs'

// The watchdog keeps a label in a fixed 256-byte buffer (no allocation per guarded call): a longer
// one is cut at a whole UTF-8 character (é is 2 bytes: 127 of them fit in 255).
const cases = [
  ['stuck', 'pbkdf2', false],
  ['rawTimer', '', true],
  ['stuck', 'é'.repeat(127), false, 'é'.repeat(200)],
]
for (const [name, label, busy, given] of cases) {
  test(`${name}${given ? ' (a 400-byte label)' : ''}: report written, then the process and its children SIGKILLed`, async () => {
    const report = join(tempDir('ht-stuck-'), 'report.json')
    const r = await scenario('main', name, given ? [report, given] : [report], { limitMs: 20_000 })
    assert.equal(r.signal, 'SIGKILL', `code ${r.code} ${r.stderr}`)
    assert.equal(r.lines[0].started, true)
    assert.ok(r.wall < 10_000, `took ${r.wall} ms`)
    const json = JSON.parse(readFileSync(report, 'utf8'))
    assert.equal(json.label, label)
    assert.equal(json.timeoutMs, 200)
    assert.ok(json.elapsedMs >= 490 && json.elapsedMs < 5000, `elapsed ${json.elapsedMs}`)
    assert.equal(json.busyInJavaScript, busy)
    assert.equal(json.action, 'kill-process')
    assert.equal(json.pid, r.pid)
    assert.equal(alive(r.pid), false)
  })
}

// onStuck.exec: a program started by the watchdog thread (Jest in band uses it to say which test
// is stuck before the run ends). With kill 'process' it runs first and the kill waits for it.
test('exec with kill "process": the program runs with the report while the process lives, then the process is killed', async () => {
  const out = join(tempDir('ht-exec-'), 'out.json')
  const r = await scenario('main', 'stuckExec', ['process', out, 'report'], { limitMs: 20_000 })
  assert.equal(r.signal, 'SIGKILL', `code ${r.code} ${r.stderr}`)
  assert.ok(r.wall < 10_000, `took ${r.wall} ms`)
  const seen = JSON.parse(readFileSync(out, 'utf8')) // written 300 ms after it started: the kill waited
  assert.equal(seen.ppid, r.lines[0].pid)
  assert.equal(seen.parentAlive, true)
  assert.equal(seen.argc, 5) // node, script, out, mode, report: the report is the last argument
  assert.equal(seen.report.label, 'pbkdf2')
  assert.equal(seen.report.pid, r.lines[0].pid)
  assert.equal(seen.report.action, 'kill-process')
  assert.match(r.stderr, new RegExp(`stuck-program: ran for pid ${r.lines[0].pid}\\n`)) // inherited stderr
  assert.equal(alive(seen.pid), false)
})

test('exec with kill "none": the program runs and the stuck thread is left to it', async () => {
  const out = join(tempDir('ht-exec-'), 'out.json')
  const r = await scenario('main', 'stuckExec', ['none', out, 'kill-parent'], { limitMs: 20_000 })
  assert.equal(r.signal, 'SIGKILL', `code ${r.code} ${r.stderr}`) // by the program
  const seen = JSON.parse(readFileSync(out, 'utf8'))
  assert.equal(seen.report.action, 'report')
  assert.equal(seen.report.label, 'pbkdf2')
  assert.equal(seen.parentAlive, true)
})

test('exec of a program that does not exist: the process is still killed, nothing crashes', async () => {
  const r = await scenario('main', 'stuckExec', ['process', '', '', '/nonexistent/hardtimeout-program'], { limitMs: 20_000 })
  assert.equal(r.signal, 'SIGKILL', `code ${r.code} ${r.stderr}`)
  assert.ok(r.wall < 10_000, `took ${r.wall} ms`)
  assert.doesNotMatch(r.stderr, /Assertion|Abort|terminate called/)
})

// stuckLog: text kept in memory, appended to its file by the watchdog only when stuck.
for (const where of ['main', 'worker']) {
  test(`stuckLog (${where} thread): nothing written while healthy; when stuck, the text since clear() is in the file before the report`, async () => {
    const dir = tempDir('ht-log-')
    const log = join(dir, 'log.jsonl')
    const report = join(dir, 'report.json')
    const r = await scenario(where, 'stuckLog', [log, report], { limitMs: 20_000 })
    assert.equal(r.signal, 'SIGKILL', `code ${r.code} ${r.stderr}`)
    const started = r.lines.find((l) => l.started)
    assert.equal(started.written, false)
    const lines = readFileSync(log, 'utf8').split('\n')
    assert.equal(lines.pop(), '')
    assert.equal(lines.length, 3000)
    lines.forEach((l, i) => assert.deepEqual(JSON.parse(l), { line: i, text: `é – ✓ ${'x'.repeat(i % 50)}` }))
    assert.equal(JSON.parse(readFileSync(report, 'utf8')).label, 'pbkdf2')
  })
}
