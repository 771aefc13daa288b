// The code cache the workers load core and the runner with (src/code-cache.ts), on its own: real
// processes, each loading a module as a fresh Vitest worker would.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, before, test } from 'node:test'
import { PKG } from './helpers.mjs'

const MODULE = `'use strict'
exports.value = require('node:path').basename('/a/b.txt')
exports.fail = function fail() {
  throw new Error('boom') // line 4
}
exports.work = function work() {
  let s = 0
  for (let i = 0; i < 10; i++) s += i
  return s
}
`
const LOAD = `
import { createRequire } from 'node:module'
import { CodeCache } from ${JSON.stringify(path.join(PKG, 'dist/runner.js'))}
const [dir, file, key] = process.argv.slice(2)
const cache = new CodeCache(dir)
const m = cache.require({ file, key })
let frame
try { m.fail() } catch (e) { frame = e.stack.split('\\n')[1].trim() }
const out = { loads: cache.loads, value: m.value, sum: m.work(), same: createRequire(import.meta.url)(file) === m, frame }
cache.save()
console.log(JSON.stringify(out))
`
let work, dir, file, loader

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ht-code-cache-'))
  dir = path.join(work, 'cache')
  fs.mkdirSync(dir, { mode: 0o700 })
  file = path.join(work, 'mod.js')
  fs.writeFileSync(file, MODULE)
  loader = path.join(work, 'load.mjs')
  fs.writeFileSync(loader, LOAD)
})
after(() => fs.rmSync(work, { recursive: true, force: true }))

const load = (key = '1-2') => JSON.parse(execFileSync(process.execPath, [loader, dir, file, key], { encoding: 'utf8' }))
const caches = () => fs.readdirSync(dir).filter((n) => n.endsWith('.v8cache'))

function assertLoaded(r) {
  assert.equal(r.value, 'b.txt')
  assert.equal(r.sum, 45)
  assert.equal(r.same, true, 'require() of the same file must return the module the cache loaded')
  assert.equal(r.frame, `at Object.fail (${file}:4:9)`)
}

test('the first load compiles and leaves a cache; the next loads use it', () => {
  const first = load()
  assertLoaded(first)
  assert.deepEqual(first.loads, [{ file, cache: 'miss' }])
  assert.deepEqual(caches(), [`mod.js-1-2-${process.version}-${process.arch}.v8cache`])
  assert.equal(fs.statSync(path.join(dir, caches()[0])).mode & 0o777, 0o600)
  for (let i = 0; i < 2; i++) {
    const next = load()
    assertLoaded(next)
    assert.deepEqual(next.loads, [{ file, cache: 'hit' }])
  }
  assert.equal(caches().length, 1)
})

test('another key (the file changed) is another cache', () => {
  const r = load('3-4')
  assertLoaded(r)
  assert.deepEqual(r.loads, [{ file, cache: 'miss' }])
  assert.equal(caches().length, 2)
})

test('a cache V8 does not accept is ignored, and the module loads as usual', () => {
  const name = path.join(dir, caches().find((n) => n.startsWith('mod.js-1-2-')))
  fs.writeFileSync(name, Buffer.alloc(4096, 7))
  const r = load()
  assertLoaded(r)
  assert.deepEqual(r.loads, [{ file, cache: 'rejected' }])
})
