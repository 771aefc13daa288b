// The watchdog serves every thread of the process: one thread stuck in native code (its /proc
// diagnosis, its report, its onStuck program and the wait for that program before the kill) must
// not delay the deadlines of the others.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fixture, run, scenario, tempDir } from './helpers.mjs'

test('while a stuck thread\'s onStuck program runs (3 s) before the kill, another thread\'s loops are still stopped at their deadline', async () => {
  const r = await run([fixture('busy-watchdog.cjs'), '3000'], { limitMs: 30_000 })
  assert.equal(r.signal, 'SIGKILL', `code ${r.code} ${r.stderr}`)
  const stuck = r.lines.find((l) => l.stuck)
  assert.equal(stuck?.stuck, 'pbkdf2', r.stdout + r.stderr)
  const stops = r.lines.filter((l) => 'stopped' in l)
  // ~3 s of 200 ms loops: about a dozen; every one stopped within its normal bound.
  assert.ok(stops.length >= 5, `only ${stops.length} stops before the kill: ${r.stdout}`)
  for (const s of stops) {
    assert.equal(s.stopped, true)
    assert.ok(s.wall < 1000, `a 200 ms loop took ${s.wall} ms to stop`)
  }
  // The kill waited for the program: the last stop is well after the report.
  assert.ok(stops.at(-1).at - stuck.at > 2000, `kill came ${stops.at(-1).at - stuck.at} ms after the report`)
})

// A loop in a raw timer callback cannot be stopped (a termination there would crash Node): the
// stuck report says it was JavaScript and where it loops, the stack taken by an interrupt that
// creates an error but does not terminate.
const rawTimerLine = readFileSync(fixture('scenario.cjs'), 'utf8').split('\n').findIndex((l) => l.includes('// HANG rawTimer')) + 1

for (const where of ['main', 'worker']) {
  test(`a loop in a timer callback (${where} thread): the stuck report has the stack of the loop`, async () => {
    const report = join(tempDir('ht-stack-'), 'report.json')
    const r = await scenario(where, 'rawTimer', [report], { limitMs: 20_000 })
    assert.equal(r.signal, 'SIGKILL', `code ${r.code} ${r.stderr}`)
    const json = JSON.parse(readFileSync(report, 'utf8'))
    assert.equal(json.busyInJavaScript, true)
    assert.equal(json.jsIn, 'callback')
    assert.equal(typeof json.stack, 'string', JSON.stringify(json))
    assert.match(json.stack.split('\n')[1], new RegExp(`scenario\\.cjs:${rawTimerLine}:`), json.stack)
    assert.match(json.stack, /Timeout\._onTimeout|listOnTimeout/)
  })
}

test('a call stuck in native code has no stack in its report (it is not running JavaScript)', async () => {
  const report = join(tempDir('ht-stack-'), 'report.json')
  const r = await scenario('main', 'stuck', [report], { limitMs: 20_000 })
  assert.equal(r.signal, 'SIGKILL', `code ${r.code} ${r.stderr}`)
  const json = JSON.parse(readFileSync(report, 'utf8'))
  assert.equal(json.busyInJavaScript, false)
  assert.equal(json.jsIn, undefined)
  assert.equal(json.stack, undefined)
})

test('JavaScript past its deadline that then blocks in a read is still unblocked and stopped (not left to the stuck report)', async () => {
  const r = await run([fixture('late-block.cjs')], { limitMs: 20_000 })
  assert.equal(r.code, 0, r.stderr)
  const line = r.lines[0]
  assert.equal(line?.name, 'HardTimeoutError', r.stdout + r.stderr)
  assert.equal(line.kind, 'native')
  assert.equal(line.syscall, 'read')
  assert.ok(line.elapsed < 2000, `stopped after ${line.elapsed} ms`)
  const hangLine = readFileSync(fixture('late-block.cjs'), 'utf8').split('\n').findIndex((l) => l.includes('// HANG lateBlock')) + 1
  assert.match(line.stack, new RegExp(`late-block\\.cjs:${hangLine}:`))
})
