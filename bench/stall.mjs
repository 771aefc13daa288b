// Stop latency on other threads while one thread is stuck in native code: eight worker threads
// stopping guarded loops (10 ms limit), a ninth in pbkdf2Sync with a huge round count (50 ms limit). "stuck":
// that call is guarded and reported stuck (its /proc diagnosis, unblock attempt and report are
// the watchdog's work); "baseline": the same call unguarded, so that both have the same CPU load.
// The two alternate, each in a fresh process.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { percentile } from './core.mjs'

const require = createRequire(import.meta.url)
const corePath = require.resolve('../packages/core/dist/index.js')
const child = fileURLToPath(new URL('./stall-child.mjs', import.meta.url))

function measure(mode, stops, dir) {
  const r = spawnSync(process.execPath, [child, mode, String(stops), corePath, join(dir, 'stuck.json')], { encoding: 'utf8' })
  const line = r.stdout.split('\n').find((l) => l.startsWith('['))
  if (line === undefined) throw new Error(`bench/stall-child.mjs ${mode} printed no samples (signal ${r.signal}): ${r.stderr}`)
  return JSON.parse(line)
}

const summary = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b)
  return { count: sorted.length, p50_ms: percentile(sorted, 50), p99_ms: percentile(sorted, 99) }
}

export function stall(quick) {
  const dir = mkdtempSync(join(tmpdir(), 'ht-stall-'))
  const rounds = quick ? 1 : 3
  const stops = quick ? 15 : 60
  const samples = { baseline: [], stuck: [] }
  try {
    for (let i = 0; i < rounds; i++) {
      samples.baseline.push(...measure('baseline', stops, dir))
      samples.stuck.push(...measure('stuck', stops, dir))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const baseline = summary(samples.baseline)
  const stuck = summary(samples.stuck)
  return { threads: 8, timeout_ms: 10, baseline, stuck, p99_delta_ms: stuck.p99_ms - baseline.p99_ms }
}
