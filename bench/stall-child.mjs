// One measurement of bench/stall.mjs, in a process of its own (a thread stuck in pbkdf2Sync
// cannot be terminated: the process SIGKILLs itself once it has printed its samples).
// `node stall-child.mjs <stuck|baseline> <stops per thread> <core path> <report path>`
import { Worker } from 'node:worker_threads'

const [mode, stopsArg, corePath, reportPath] = process.argv.slice(2)
const THREADS = 8
const TIMEOUT_MS = 10

const stuckCode = `
  const { workerData, parentPort } = require('node:worker_threads')
  const { runWithHardTimeout } = require(workerData.corePath)
  const crypto = require('node:crypto')
  crypto.pbkdf2Sync('x', 'y', 1, 64, 'sha512') // loaded and compiled outside the guard: only the hash is guarded
  const pbkdf2 = () => crypto.pbkdf2Sync('x', 'y', 2e9, 64, 'sha512')
  parentPort.postMessage('started')
  if (workerData.guarded) {
    runWithHardTimeout(pbkdf2, { timeout: 50, stuckAfter: 100, label: 'pbkdf2', onStuck: { report: workerData.reportPath } })
  } else {
    pbkdf2()
  }`

// The loop threads take turns (a shared counter): one loop spins at a time, beside the stuck
// thread, so that the figure is the watchdog's punctuality rather than a contest for 2 CPUs.
const loopCode = `
  const { workerData, parentPort } = require('node:worker_threads')
  const { runWithHardTimeout } = require(workerData.corePath)
  const loop = () => { for (;;) {} }
  const turn = new Int32Array(workerData.turn)
  const samples = []
  parentPort.postMessage('ready')
  for (let i = 0; i < workerData.stops; i++) {
    for (let t; (t = Atomics.load(turn, 0)) % workerData.threads !== workerData.index;) Atomics.wait(turn, 0, t)
    const t0 = performance.now()
    try { runWithHardTimeout(loop, { timeout: workerData.timeout }) } catch (error) {
      if (error.name !== 'HardTimeoutError') throw error
      samples.push(performance.now() - t0 - workerData.timeout)
    }
    Atomics.add(turn, 0, 1)
    Atomics.notify(turn, 0)
  }
  parentPort.postMessage(samples.slice(2)) // the first stops include compiling the guard`

const turn = new SharedArrayBuffer(4)
const loops = Array.from({ length: THREADS }, (_, index) => new Worker(loopCode, {
  eval: true,
  workerData: { corePath, stops: Number(stopsArg) + 2, timeout: TIMEOUT_MS, turn, index, threads: THREADS },
}))
const results = loops.map((w) => new Promise((resolve, reject) => {
  w.on('message', (m) => m !== 'ready' && resolve(m))
  w.once('error', reject)
}))
// The stuck thread starts once the loops run: its deadline, unblock step and report (50, 100 and
// 150 ms after its start) fall among their stops.
await new Promise((resolve) => setTimeout(resolve, 100))
const stuck = new Worker(stuckCode, { eval: true, workerData: { corePath, reportPath, guarded: mode === 'stuck' } })
stuck.once('error', (e) => { throw e })
const samples = (await Promise.all(results)).flat()
process.stdout.write(JSON.stringify(samples) + '\n', () => process.kill(process.pid, 'SIGKILL'))
