// src/linux/syscalls.h names syscalls by number for x86-64 and arm64; a wrong number would name
// the wrong call in every diagnosis on that machine. Checked against the kernel's own headers
// (linux-libc-dev) where they are installed.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'node:test'

const source = readFileSync(new URL('../src/linux/syscalls.h', import.meta.url), 'utf8')

function entries(table) {
  const body = source.slice(source.indexOf(`${table}[] = {`), source.indexOf('};', source.indexOf(`${table}[] = {`)))
  return [...body.matchAll(/\{(\d+), "(\w+)", (true|false), (-?\d)\}/g)].map((m) => ({ nr: Number(m[1]), name: m[2] }))
}

function kernelNumbers(header) {
  const text = readFileSync(header, 'utf8')
  const numbers = new Map()
  for (const m of text.matchAll(/^#define __NR(?:3264)?_(\w+)\s+(\d+)\s*$/gm)) numbers.set(m[1], Number(m[2]))
  return numbers
}

const headers = {
  kX86_64Entries: ['/usr/include/x86_64-linux-gnu/asm/unistd_64.h', '/usr/include/asm/unistd_64.h'],
  kArm64Entries: ['/usr/include/asm-generic/unistd.h'],
}

for (const [table, candidates] of Object.entries(headers)) {
  const header = candidates.find(existsSync)
  test(`${table}: every number is the kernel's`, { skip: header === undefined && 'no kernel headers (linux-libc-dev)' }, () => {
    const list = entries(table)
    assert.ok(list.length >= 30, `parsed only ${list.length} entries`)
    const numbers = kernelNumbers(header)
    for (const { nr, name } of list) assert.equal(nr, numbers.get(name), `${name} in ${table}`)
    assert.equal(new Set(list.map((e) => e.nr)).size, list.length, 'a number twice')
  })
}

test('arm64 has none of the calls asm-generic dropped', () => {
  const names = entries('kArm64Entries').map((e) => e.name)
  for (const gone of ['open', 'pipe', 'poll', 'select', 'epoll_wait', 'pause']) assert.ok(!names.includes(gone), gone)
})
