/**
 * The asynchronous calls of tests and hooks still in flight: their hard limit ends when jest-circus
 * is done with them, and a HardTimeoutError due at the same moment as Jest's own timeout is shown
 * in its place.
 */
import type { CircusState } from './internals';
import type { Entry } from './entries';
import { errorLists, isJestTimeoutMessage } from './internals';
import { isPendingTimeout } from './wrap';

interface Call {
  /** Resolves with the call's HardTimeoutError, if any. */
  settled: Promise<Error | undefined>;
  /** Ends the call's hard limit. */
  release: () => void;
  start: number;
  limit: number;
}

/** How long to wait for our verdict once Jest's own timeout reported first. */
const VERDICT_WAIT_MS = 1000;

export class Inflight {
  private readonly calls = new WeakMap<Entry, Call>();

  set(entry: Entry, call: Call): void {
    this.calls.set(entry, call);
  }

  /**
   * jest-circus is done with this call (it settled, or Jest's own timeout fired): end its hard
   * limit, so that a promise Jest gave up on cannot fire it later, during another test.
   */
  finished(entry: Entry, pending: Promise<void> | void): Promise<void> | void {
    const call = this.calls.get(entry);
    if (!call) return pending;
    if (!pending) {
      this.calls.delete(entry);
      call.release();
      return undefined;
    }
    return pending.finally(() => {
      if (this.calls.get(entry) === call) this.calls.delete(entry);
      call.release();
    });
  }

  /**
   * When a loop after an await is stopped at a limit equal to Jest's timeout, Jest's timer (set
   * just before ours) can report "Exceeded timeout" first. Wait for our verdict, due at the same
   * moment, and put the HardTimeoutError (with the stuck line) in place of Jest's message.
   */
  preferHardTimeout(entry: Entry, error: unknown, state: CircusState, now = Date.now()): Promise<void> | void {
    const text = typeof error === 'string' ? error : error instanceof Error ? error.message : '';
    if (!isJestTimeoutMessage(text)) return;
    const call = this.calls.get(entry);
    if (!call) return;
    // On time: the thread was free to run Jest's timer, nothing was stuck (a late timer means a
    // loop kept it from running until the hard limit stopped that loop).
    if (now - call.start < call.limit) return;
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), VERDICT_WAIT_MS);
    });
    return Promise.race([call.settled, cap])
      .then((hardTimeout) => {
        if (hardTimeout && !isPendingTimeout(hardTimeout)) replaceError(errorLists(state), error, hardTimeout);
      })
      .catch(() => undefined)
      .finally(() => clearTimeout(timer));
  }
}

/** Puts `replacement` wherever `original` was recorded (alone, or as the first of an [error, asyncError] pair). */
export function replaceError(lists: unknown[][], original: unknown, replacement: Error): void {
  for (const list of lists) {
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (item === original) list[i] = replacement;
      else if (Array.isArray(item) && item[0] === original) list[i] = [replacement, item[1]];
    }
  }
}
