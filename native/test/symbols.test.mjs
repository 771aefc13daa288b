// The ABI rule of DESIGN.md, checked on the built binary: besides Node-API it may import only the
// v8 members whose exported symbols are identical in Node 18-26. Anything else from v8.h or
// node.h would load on one Node major and die with "undefined symbol" on another.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { test } from 'node:test'

const ALLOWED = new Set([
  '_ZN2v87Isolate10GetCurrentEv',
  '_ZN2v87Isolate16RequestInterruptEPFvPS0_PvES2_',
  '_ZN2v87Isolate18TerminateExecutionEv',
  '_ZN2v87Isolate22IsExecutionTerminatingEv',
  '_ZN2v87Isolate24CancelTerminateExecutionEv',
  '_ZN2v87Isolate30AddMicrotasksCompletedCallbackEPFvPS0_PvES2_',
  '_ZN2v815MicrotasksScope19IsRunningMicrotasksEPNS_7IsolateE',
])

const dir = new URL('../prebuilds/linux-x64/', import.meta.url)

test('the prebuilt addon imports only Node-API and the allowed v8 symbols', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.node'))
  assert.ok(files.length > 0, 'no prebuilt binary: run the build first')
  for (const file of files) {
    const out = execFileSync('nm', ['-D', '--undefined-only', new URL(file, dir).pathname], { encoding: 'utf8' })
    const symbols = out.split('\n').map((l) => l.trim().split(/\s+/).pop()).filter(Boolean)
    const engine = symbols.filter((s) => /^_ZN(2v8|4node)|^uv_/.test(s))
    const foreign = engine.filter((s) => !ALLOWED.has(s))
    assert.deepEqual(foreign, [], `${file} imports V8/Node/libuv symbols outside the allowed set`)
    assert.ok(engine.length > 0, 'the check found no v8 symbol at all: is nm output parsed?')
    assert.ok(symbols.some((s) => s.startsWith('napi_')), 'no Node-API import found')
  }
})
