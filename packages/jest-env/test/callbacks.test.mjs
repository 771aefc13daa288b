// Loops in callbacks a test scheduled (timers, immediates, nextTick, a stream's and a child
// process's listeners, fs callbacks) are stopped in place on Jest 30.5, in every run mode: the
// test fails with the loop's stack, the rest of the file runs, fake timers still work.
import { test } from 'node:test';
import { MODES, runJest } from './helpers.mjs';
import { CALLBACKS_DIR, checkCallbacksRun } from './expectations.mjs';

for (const [mode, args] of Object.entries(MODES)) {
  test(`Jest 30.5, ${mode}: a loop in a callback the test scheduled is stopped in place`, async () => {
    checkCallbacksRun(await runJest({ cwd: CALLBACKS_DIR, args }));
  });
}
