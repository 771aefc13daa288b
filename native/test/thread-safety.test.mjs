// clang's thread-safety analysis over every source file: a field marked GUARDED_BY(g_mu) read or
// written without g_mu held, or a REQUIRES(g_mu) function called without it, fails the build of
// this check (src/sync.h). g++ builds the addon and ignores the annotations, so the check needs
// clang: found on PATH, or installed with apt when this runs as root with apt-get available
// (Debian's clang package, a few seconds from a mirror); otherwise the test is skipped, saying so.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { test } from 'node:test'

const here = resolve(dirname(new URL(import.meta.url).pathname), '..')
const src = join(here, 'src')

function findClang() {
  const dirs = (process.env.PATH ?? '').split(':')
  const names = new Set()
  for (const dir of dirs) {
    try {
      for (const f of readdirSync(dir)) if (/^clang\+\+(-\d+)?$/.test(f)) names.add(join(dir, f))
    } catch {}
  }
  // clang++ first, then the newest versioned one.
  return [...names].sort((a, b) => (a.endsWith('clang++') ? -1 : b.endsWith('clang++') ? 1 : b.localeCompare(a, 'en', { numeric: true })))[0]
}

function installClang() {
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).status !== 0) return 'not root with apt-get'
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'clang'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, encoding: 'utf8', timeout: 240_000,
  })
  let r = install()
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8', timeout: 120_000 })
    r = install()
  }
  return r.status === 0 ? undefined : `apt-get install clang failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`
}

let clang = findClang()
let why
if (clang === undefined) {
  why = installClang()
  clang = findClang()
}
if (clang === undefined) {
  console.warn(`thread-safety.test.mjs: SKIPPED, no clang++ (${why ?? 'not found after installing'}): GUARDED_BY/REQUIRES are not checked on this machine`)
}

const require = createRequire(import.meta.url)
const nodeInclude = join(dirname(process.execPath), '..', 'include', 'node')
const flags = (file) => ['-fsyntax-only', '-std=c++17', '-Wthread-safety', '-Werror',
  `-I${nodeInclude}`, `-I${require('node-addon-api').include_dir}`, `-I${src}`,
  '-DNAPI_VERSION=8', '-DNAPI_DISABLE_CPP_EXCEPTIONS', '-DNODE_ADDON_API_DISABLE_DEPRECATED', file]

const sources = ['', 'linux', 'stub'].flatMap((dir) =>
  readdirSync(join(src, dir)).filter((f) => f.endsWith('.cc')).map((f) => join(src, dir, f)))

test('every source file passes clang -Wthread-safety -Werror', { skip: clang === undefined && 'no clang++' }, () => {
  assert.ok(sources.length >= 8, `found only ${sources.length} sources`)
  for (const file of sources) {
    const r = spawnSync(clang, flags(file), { encoding: 'utf8' })
    assert.equal(r.status, 0, `${file}:\n${r.stderr}`)
  }
})

test('the check sees a violation (a guarded field read, a REQUIRES function called, without g_mu)', { skip: clang === undefined && 'no clang++' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ht-tsa-'))
  try {
    const probe = join(dir, 'probe.cc')
    writeFileSync(probe, '#include "registry.h"\nnamespace ht {\nbool Peek(Arm* a) { return a->stuck; }\nvoid Find(Arm* a) { FindArm(a->ts, 1); }\n}\n')
    const r = spawnSync(clang, flags(probe), { encoding: 'utf8' })
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /reading variable 'stuck' requires holding mutex 'g_mu'/)
    assert.match(r.stderr, /calling function 'FindArm' requires holding mutex 'g_mu'/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
