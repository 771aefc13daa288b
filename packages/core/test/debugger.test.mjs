// With an inspector attached, a deadline would fire while the user sits at a breakpoint: it is
// ignored unless { whenDebugging: true }.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { run } from './helpers.mjs'

const script = (whenDebugging) => `
const core = require(${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)})
const slow = () => { const end = Date.now() + 400; while (Date.now() < end); return 'finished' }
let out
try { out = core.runWithHardTimeout(slow, { timeout: 100, whenDebugging: ${whenDebugging} }) } catch (e) { out = e.name }
console.log(JSON.stringify(out)); process.exit(0)
`

test('deadlines do not fire under an attached inspector', async () => {
  const r = await run(['--inspect=127.0.0.1:0', '-e', script(false)])
  assert.deepEqual(r.lines, ['finished'], r.stderr)
})

test('deadlines fire under an inspector with whenDebugging: true', async () => {
  const r = await run(['--inspect=127.0.0.1:0', '-e', script(true)])
  assert.deepEqual(r.lines, ['HardTimeoutError'], r.stderr)
})

test('and fire normally without one', async () => {
  const r = await run(['-e', script(false)])
  assert.deepEqual(r.lines, ['HardTimeoutError'], r.stderr)
})

test('an inspector opened later is noticed by the first guarded call a second on (and closing it, too)', async () => {
  const r = await run(['-e', `
const core = require(${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)})
const inspector = require('node:inspector')
const slow = () => { const end = Date.now() + 400; while (Date.now() < end); return 'finished' }
const attempt = () => { try { return core.runWithHardTimeout(slow, { timeout: 100 }) } catch (e) { return e.name } }
const out = [attempt()]
inspector.open(0, '127.0.0.1')
setTimeout(() => {
  out.push(attempt())
  inspector.close()
  setTimeout(() => { out.push(attempt()); console.log(JSON.stringify(out)); process.exit(0) }, 1500)
}, 1500)
`])
  assert.deepEqual(r.lines, [['HardTimeoutError', 'finished', 'HardTimeoutError']], r.stderr)
})
