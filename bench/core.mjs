// Core figures: what a guard costs, how soon a stuck function is stopped, memory over many stops.
import { spawn, execSync } from 'node:child_process'
import { mkdtempSync, openSync, rmSync, constants } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import * as vm from 'node:vm'

const require = createRequire(import.meta.url)
const corePath = require.resolve('../packages/core/dist/index.js')
const { runWithHardTimeout } = require(corePath)

function nsPerCall(fn, iterations) {
  for (let i = 0; i < iterations / 10; i++) fn()
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) fn()
  return Number(process.hrtime.bigint() - t0) / iterations
}

export function guardCost(quick) {
  const f = () => 1
  const opts = { timeout: 1000 }
  const plain = nsPerCall(f, quick ? 1e5 : 1e6)
  const guard = Math.min(...[1, 2, 3].map(() => nsPerCall(() => runWithHardTimeout(f, opts), quick ? 1e5 : 1e6)))
  const script = new vm.Script('1')
  const vmTimeout = nsPerCall(() => script.runInThisContext({ timeout: 1000 }), quick ? 2e3 : 2e4)
  return { plain_ns_per_call: plain, ns_per_call: guard, vm_timeout_ns_per_call: vmTimeout }
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/** Spins one core for the duration of fn: the latency is measured with the other core busy. */
async function withBusyCore(fn) {
  const busy = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' })
  try {
    return await fn()
  } finally {
    busy.kill('SIGKILL')
  }
}

async function stopLatency(kinds, perKind, timeout) {
  const samples = []
  for (const [name, fn] of Object.entries(kinds)) {
    for (let i = 0; i < perKind; i++) {
      const t0 = performance.now()
      try {
        await runWithHardTimeout(fn, { timeout })
      } catch (error) {
        if (error.name !== 'HardTimeoutError') throw error
        samples.push({ kind: name, ms: performance.now() - t0 - timeout })
      }
    }
  }
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b)
  return { count: sorted.length, p50_ms: percentile(sorted, 50), p99_ms: percentile(sorted, 99), max_ms: sorted.at(-1), samples }
}

export async function latency(quick) {
  const js = {
    loop: () => { for (;;) {} },
    regex: () => /^(a+)+$/.test('a'.repeat(40) + 'b'),
    atomics: () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0),
  }
  const dir = mkdtempSync(join(tmpdir(), 'ht-bench-'))
  execSync(`mkfifo ${join(dir, 'fifo')}`)
  const fd = openSync(join(dir, 'fifo'), constants.O_RDWR)
  rmSync(dir, { recursive: true }) // the open pipe outlives its name
  const native = {
    readSync: () => require('node:fs').readSync(fd, Buffer.alloc(8)),
    execSync: () => execSync('sleep 1000'),
  }
  return withBusyCore(async () => ({
    js: await stopLatency(js, quick ? 10 : 70, 20),
    native: await stopLatency(native, quick ? 3 : 25, 20),
  }))
}

/** 10,000 in-place stops in one worker thread; RSS growth after the first 100. */
export function memory(quick) {
  const kills = quick ? 1000 : 10000
  const code = `
    const { parentPort, workerData } = require('node:worker_threads')
    const { runWithHardTimeout } = require(workerData.corePath)
    const loop = () => { for (;;) {} }
    const stopAll = (n) => { for (let i = 0; i < n; i++) try { runWithHardTimeout(loop, { timeout: 1 }) } catch {} }
    stopAll(100); globalThis.gc?.()
    const before = process.memoryUsage().rss
    stopAll(workerData.kills); globalThis.gc?.()
    parentPort.postMessage((process.memoryUsage().rss - before) / 2 ** 20)`
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { corePath, kills } })
    w.once('message', (mb) => resolve({ kills, rss_growth_mb: mb }))
    w.once('error', reject)
  })
}
