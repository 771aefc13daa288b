// Node 26's --process-timeout=<duration> (print why the process is still running, exit 124) next
// to our watchdog: Node interrupts the main thread to print its stack, as we do to stop it. Either
// deadline may come first; neither may swallow, crash or delay the other.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fixture, run } from './helpers.mjs'

const major = Number(process.versions.node.split('.')[0])
const skip = major < 26 && '--process-timeout is new in Node 26'
const hangLine = (kind) => readFileSync(fixture('process-timeout.cjs'), 'utf8').split('\n').findIndex((l) => l.includes(`// HANG ${kind}`)) + 1
const ptRun = (processTimeout, args) => run([`--process-timeout=${processTimeout}`, fixture('process-timeout.cjs'), ...args], { limitMs: 30_000 })

for (const kind of ['loop', 'afterAwait', 'execSync']) {
  test(`${kind}: a hard timeout before --process-timeout stops the call; Node's timeout still ends the process later`, { skip }, async () => {
    const r = await ptRun('3s', [kind, '300', '10000'])
    const [line, ...rest] = r.lines
    assert.equal(line?.name, 'HardTimeoutError', `${r.stdout}${r.stderr}`)
    assert.match(line.message, new RegExp(`^"${kind}" was stopped after \\d+(\\.\\d)? ms: it ran past its hard timeout of 300 ms`))
    assert.match(line.stack, new RegExp(`process-timeout\\.cjs:${hangLine(kind)}:`))
    // The process then lingers on a timer: Node's watchdog fires at 3 s, not later, and says why.
    assert.deepEqual(rest, [])
    assert.equal(r.signal, null, r.stderr)
    assert.equal(r.code, 124, r.stderr)
    assert.match(r.stderr, /Process timed out after 3s \(--process-timeout\)\. Exiting with code 124\./)
    assert.match(r.stderr, /Main thread was not executing JavaScript\.\nResources keeping the event loop alive:\n\s+Timeout/)
    assert.ok(r.wall >= 2900 && r.wall < 8000, `exited after ${r.wall} ms`)
  })
}

for (const kind of ['loop', 'afterAwait']) {
  test(`${kind}: --process-timeout before the hard timeout ends the process with exit 124 and the stuck stack, never an abort`, { skip }, async () => {
    const r = await ptRun('1s', [kind, '10000'])
    assert.equal(r.signal, null, r.stderr)
    assert.equal(r.code, 124, `our guard must not cancel Node's exit\n${r.stdout}${r.stderr}`)
    assert.deepEqual(r.lines, [])
    assert.match(r.stderr, /Process timed out after 1s \(--process-timeout\)\. Exiting with code 124\.\nMain thread was executing JavaScript:\n/)
    assert.match(r.stderr, new RegExp(`process-timeout\\.cjs:${hangLine(kind)}:`))
    assert.ok(r.wall < 8000, `exited after ${r.wall} ms`)
  })
}
