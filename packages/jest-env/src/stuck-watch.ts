/**
 * In band (the main Jest process) and in worker threads, a test stuck in native code cannot be
 * stopped and its process cannot be killed without killing Jest. A helper thread, idle until then,
 * hears about it from the native watchdog (onThreadStuck), prints which test is stuck where, writes
 * the report, and ends the run with a non-zero status instead of letting it hang forever.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { currentThread } from '@hardtimeout/core';
import type { RunMode } from './mode';

let helper: Worker | undefined;

export interface WatchMessage {
  testPath: string;
}

export interface WatchData {
  tid: number;
  mode: RunMode;
}

export function watchForStuckThread(testPath: string, mode: RunMode): void {
  try {
    if (!helper) {
      const data: WatchData = { tid: currentThread().tid, mode };
      helper = new Worker(path.join(__dirname, 'stuck-watch-thread.js'), { workerData: data, stdout: false, stderr: false });
      helper.unref();
      helper.on('error', () => {
        helper = undefined;
      });
    }
    const message: WatchMessage = { testPath };
    helper.postMessage(message);
  } catch {
    // no addon, no threads: the run is then only as safe as it was without hard timeouts
  }
}
