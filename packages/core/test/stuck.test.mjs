// When nothing can stop the thread (native code that cannot be unblocked, or JavaScript in a raw
// timer callback where stopping it would crash Node), the watchdog writes the report and
// carries out the onStuck plan without any JavaScript.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { alive, scenario } from './helpers.mjs'

// The watchdog keeps a label in a fixed 256-byte buffer (no allocation per guarded call): a longer
// one is cut at a whole UTF-8 character (é is 2 bytes: 127 of them fit in 255).
const cases = [
  ['stuck', 'pbkdf2', false],
  ['rawTimer', '', true],
  ['stuck', 'é'.repeat(127), false, 'é'.repeat(200)],
]
for (const [name, label, busy, given] of cases) {
  test(`${name}${given ? ' (a 400-byte label)' : ''}: report written, then the process and its children SIGKILLed`, async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'ht-stuck-')), 'report.json')
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
