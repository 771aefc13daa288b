/** Where this Jest test file runs: a jest-worker child process, a worker thread, or the main Jest process. */
import { isMainThread } from 'node:worker_threads';

export type RunMode = 'child-process' | 'worker-thread' | 'in-band';

export function detectRunMode(): RunMode {
  if (!isMainThread) return 'worker-thread';
  const entry = process.argv[1] ?? '';
  // jest-worker 29: build/workers/processChild.js; 30: build/processChild.js
  if (/[\\/]jest-worker[\\/]build[\\/](workers[\\/])?processChild\.js$/.test(entry) && typeof process.send === 'function') {
    return 'child-process';
  }
  return 'in-band';
}
