// The ABI rule of DESIGN.md, checked on the built binary: besides Node-API it may import only the
// v8 members whose exported symbols are identical in Node 18-26. Anything else from v8.h or
// node.h would load on one Node major and die with "undefined symbol" on another.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
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

const MACHINE = { 'linux-x64': 62, 'linux-arm64': 183 }
const prebuilds = new URL('../prebuilds/', import.meta.url)
// scripts/test.mjs names the platforms it built (the arm64 leg adds linux-arm64), so that a
// missing binary fails here instead of leaving that platform unchecked.
const expected = (process.env.HARDTIMEOUT_EXPECT_PREBUILDS || 'linux-x64').split(',')

test('a prebuilt addon exists for every expected platform', () => {
  const present = readdirSync(prebuilds).filter((d) => readdirSync(new URL(`${d}/`, prebuilds)).some((f) => f.endsWith('.node')))
  for (const platform of expected) assert.ok(present.includes(platform), `no prebuilt binary in prebuilds/${platform}/: run the build first`)
})

for (const platform of readdirSync(prebuilds)) {
  const dir = new URL(`${platform}/`, prebuilds)
  test(`${platform}: the prebuilt addon imports only Node-API and the allowed v8 symbols`, () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.node'))
    assert.ok(files.length > 0, `no prebuilt binary in prebuilds/${platform}/`)
    for (const file of files) {
      // binutils' nm reads the ELF of either architecture.
      const out = execFileSync('nm', ['-D', '--undefined-only', new URL(file, dir).pathname], { encoding: 'utf8' })
      const symbols = out.split('\n').map((l) => l.trim().split(/\s+/).pop()).filter(Boolean)
      const engine = symbols.filter((s) => /^_ZN(2v8|4node)|^uv_/.test(s))
      const foreign = engine.filter((s) => !ALLOWED.has(s))
      assert.deepEqual(foreign, [], `${platform}/${file} imports V8/Node/libuv symbols outside the allowed set`)
      assert.ok(engine.length > 0, 'the check found no v8 symbol at all: is nm output parsed?')
      assert.ok(symbols.some((s) => s.startsWith('napi_')), 'no Node-API import found')
      // e_machine of the ELF header: 62 x86-64, 183 aarch64.
      const machine = readFileSync(new URL(file, dir)).readUInt16LE(18)
      assert.equal(machine, MACHINE[platform], `prebuilds/${platform}/${file} is a binary of another architecture (e_machine ${machine})`)
    }
  })
}
