// Without the addon (forced here), core still stops a synchronous loop, warns once what is lost,
// and the thread functions refuse clearly.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { MESSAGE_WORDS as W, run } from './helpers.mjs'

const script = `
const core = require(${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)})
const out = { status: require(${JSON.stringify(new URL('../dist/internal.js', import.meta.url).pathname)}).nativeStatus() }
try { core.runWithHardTimeout(() => { for (;;) {} }, { timeout: 150 }) } catch (e) { out.loop = { name: e.name, kind: e.kind, message: e.message } }
try { core.runWithHardTimeout(() => { for (;;) {} }, { timeout: 150 }) } catch (e) { out.second = e.name }
out.value = core.runWithHardTimeout(() => 5, { timeout: 150 })
try { core.currentThread() } catch (e) { out.thread = e.message }
console.log(JSON.stringify(out))
`

test('the pure-JS fallback stops a sync loop and says what is lost, once', async () => {
  const r = await run(['-e', script], { env: { HARDTIMEOUT_FORCE_FALLBACK: '1' } })
  assert.equal(r.code, 0, r.stderr)
  const out = r.lines[0]
  assert.deepEqual(out.status, { loaded: false, reason: 'HARDTIMEOUT_FORCE_FALLBACK=1 is set' })
  assert.equal(out.loop.name, 'HardTimeoutError')
  assert.equal(out.loop.kind, 'js')
  assert.ok(out.loop.message.endsWith(`${W.pastTimeout} 150 ms ${W.noAddon}`), out.loop.message)
  assert.equal(out.second, 'HardTimeoutError')
  assert.equal(out.value, 5)
  assert.match(out.thread, /currentThread\(\) needs the native addon, which is not available: HARDTIMEOUT_FORCE_FALLBACK=1 is set/)
  const warnings = r.stderr.match(/HardTimeoutWarning/g) ?? []
  assert.equal(warnings.length, 1, r.stderr)
  assert.match(r.stderr, /hangs after an await and hangs in native code \(readSync, execSync\) are not stopped/)
})

test('the fallback warning names the platform, the reason and exactly what is lost', async () => {
  const r = await run(['-e', script], { env: { HARDTIMEOUT_FORCE_FALLBACK: '1' } })
  assert.equal(r.code, 0, r.stderr)
  const warning = /HardTimeoutWarning: (.*)/.exec(r.stderr)?.[1]
  assert.ok(warning, r.stderr)
  // This machine: Linux with glibc.
  const platform = `${process.platform}-${process.arch} (glibc)`
  assert.ok(warning.startsWith(`@hardtimeout/core runs without its native addon on ${platform}: HARDTIMEOUT_FORCE_FALLBACK=1 is set. `), warning)
  assert.match(warning, /a synchronous JavaScript hang \(a loop, a regex\) is still stopped at its limit, but without the line it was stuck on/)
  assert.match(warning, /Lost: hangs after an await and hangs in native code \(readSync, execSync\) are not stopped; nothing is diagnosed or unblocked; onStuck plans and stuck reports never happen/)
  for (const fn of ['currentThread', 'interruptThread', 'unblockThread', 'diagnoseThread', 'killThread', 'onThreadStuck']) {
    assert.ok(warning.includes(fn), `${fn} not named`)
  }
  assert.match(warning, /The addon is prebuilt for [a-z0-9, -]*linux-x64[a-z0-9, -]* \(glibc\); elsewhere it needs a C\+\+ compiler at install\.$/)
  // The one function that says it (the platforms' code can give other reasons through it).
  const { fallbackWarning, platformName } = createRequire(import.meta.url)('../dist/internal.js')
  assert.equal(platformName(), platform)
  assert.equal(warning, fallbackWarning('HARDTIMEOUT_FORCE_FALLBACK=1 is set'))
})
