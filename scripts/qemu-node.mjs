// `node scripts/qemu-node.mjs <major>` prints the path of an executable `node` that runs the official
// linux-arm64 Node of that major under qemu-user (qemu-aarch64-static, Debian's qemu-user-static),
// for testing the linux-arm64 prebuild on an x64 machine.
//
// Without binfmt_misc (a container cannot register it, and registering is machine-wide) the kernel
// cannot execute an arm64 binary, so every arm64 process must be started through qemu explicitly,
// including the ones Node starts itself: Vitest's and Jest's workers are forked from
// `process.execPath`, which under qemu is the arm64 binary. The wrapper therefore puts a preload in
// NODE_OPTIONS that points `process.execPath` at the wrapper, and its folder goes first in PATH for
// a test's `execSync('node …')`. Everything else (a shell, `sleep`, `tail`) stays a host program, as
// it would be on an arm64 machine. Nothing here changes what the addon or the frameworks do.
//
// What differs from real arm64 hardware (HARDTIMEOUT_QEMU is set in the emulated processes'
// environment):
// - /proc/<pid>/task/<tid>/syscall is the host kernel's view: qemu performs an arm64 syscall as the
//   host's x86-64 syscall, so the numbers there are x86-64 numbers (an arm64 `read`, 63, shows as
//   0). The addon notices this and names them from the x86-64 table (native/README.md).
// - qemu adds a thread of its own to /proc/<pid>/task (named after the qemu binary), which runs
//   no JavaScript and is in no guard.
// - Signals sent to a thread reach it through qemu, which delivers them to the emulated code and
//   makes an interrupted blocking syscall return EINTR as the kernel would: unblocking works.
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { nodeDir } from './node-bin.mjs'

const root = resolve(new URL('..', import.meta.url).pathname)
export const SYSROOT = '/usr/aarch64-linux-gnu'

function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

/**
 * Installs what the arm64 leg needs from Debian when it is missing (CI: a fresh machine, root, apt
 * reachable): the cross compiler (with the arm64 C/C++ runtime that qemu's -L points at) and qemu.
 * Returns a reason string when it cannot, undefined when everything is there.
 */
export function ensureArm64Tools({ log = console.log } = {}) {
  const missing = []
  if (!which('aarch64-linux-gnu-g++')) missing.push('g++-aarch64-linux-gnu')
  if (!which('qemu-aarch64-static')) missing.push('qemu-user-static')
  if (missing.length === 0) return undefined
  if (process.getuid?.() !== 0 || !which('apt-get')) return `needs ${missing.join(' and ')} (apt-get install -y ${missing.join(' ')})`
  log(`installing ${missing.join(' ')} with apt-get`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env })
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env })
  return undefined
}

/** The path of the wrapper `node` for an arm64 Node of this major (created on first use). */
export function qemuNode(major) {
  // The unpacked binary itself: inside an emulated process nodeBin() would answer process.execPath,
  // which is this wrapper.
  const real = join(nodeDir(major, 'arm64'), 'bin/node')
  const dir = join(root, '.cache/qemu', `node-${major}`, 'bin')
  const wrapper = join(dir, 'node')
  const preload = join(dir, 'exec-path.cjs')
  // The builtins Node loads lazily on first use, loaded up front: compiling them under emulation
  // takes longer than the tests' deadlines (on hardware, a few ms), so a 200 ms limit would fall
  // in Node's module loading instead of the hang the test sets up (process.stderr's getter inside
  // execSync, crypto's internals inside the first pbkdf2Sync).
  const preloadText = `'use strict'
if (process.env.HARDTIMEOUT_QEMU_NODE) process.execPath = process.env.HARDTIMEOUT_QEMU_NODE
require('node:crypto')
require('node:child_process')
require('node:worker_threads')
void process.stdout, process.stderr
`
  const wrapperText = `#!/bin/sh
export HARDTIMEOUT_QEMU=1 HARDTIMEOUT_QEMU_NODE='${wrapper}'
case " $NODE_OPTIONS " in
  *" --require=${preload} "*) ;;
  *) export NODE_OPTIONS="--require=${preload}\${NODE_OPTIONS:+ $NODE_OPTIONS}" ;;
esac
case ":$PATH:" in
  *":${dir}:"*) ;;
  *) export PATH="${dir}:$PATH" ;;
esac
exec qemu-aarch64-static -L ${SYSROOT} '${real}' "$@"
`
  mkdirSync(dir, { recursive: true })
  // Rewritten only when it changed: legs running side by side use the same wrapper.
  for (const [file, text] of [[preload, preloadText], [wrapper, wrapperText]]) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text)
  }
  chmodSync(wrapper, 0o755)
  return wrapper
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(qemuNode(process.argv[2] ?? '24'))
