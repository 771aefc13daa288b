/** The hard limit of one call of a test or hook, and the plan core runs it with. */
import type { StuckPlan } from '@hardtimeout/core/internal';
import type { ResolvedOptions } from './options';
import type { GuardPlan } from './wrap';

/** Jest's own default timeout, when neither the entry nor the state says one. */
const JEST_DEFAULT_TIMEOUT = 5000;
const MAX_TIMER_MS = 2_147_483_647;

/** Jest's (soft) timeout of an entry: its own, else the file's (`jest.setTimeout`, `testTimeout`). */
export function softLimit(entryTimeout: number | undefined, stateTimeout: number | undefined): number {
  return entryTimeout || stateTimeout || JEST_DEFAULT_TIMEOUT;
}

/** The hard limit: withHardTimeout's, else `hardTimeout.timeout`, else Jest's own timeout. */
export function hardLimit(tagged: number | undefined, options: Pick<ResolvedOptions, 'timeout'>, soft: number): number {
  if (tagged !== undefined) return tagged;
  if (options.timeout !== undefined) return options.timeout;
  return soft;
}

export interface PlanInput {
  hard: number;
  soft: number;
  label: string;
  options: Pick<ResolvedOptions, 'whenDebugging' | 'stuckAfter'>;
  /**
   * What the watchdog does when the call is stuck in native code: kill the process, after the
   * program that says which test it was (and writing the reporter's stuck report). In a child
   * process only the worker dies: Jest reports a signal death without retrying the file. In band
   * or in a worker thread the process is Jest itself, and the run ends.
   */
  onStuck: StuckPlan;
}

/** The plan of one guarded call, or null when it runs without a hard limit (Infinity, 0). */
export function planFor(p: PlanInput): GuardPlan | null {
  if (!(p.hard > 0) || p.hard === Infinity) return null;
  const core: GuardPlan['core'] = {
    timeout: Math.min(Math.ceil(p.hard), MAX_TIMER_MS),
    label: p.label,
    whenDebugging: p.options.whenDebugging,
    onStuck: p.onStuck,
  };
  if (p.options.stuckAfter !== undefined) core.stuckAfter = Math.max(1, p.options.stuckAfter);
  return { core, soft: p.soft };
}

/** Whether the plan of an entry's last call still holds for this one (saves building it per call). */
export function samePlan(last: GuardPlan | null, hard: number, soft: number): last is GuardPlan {
  return last !== null && last.soft === soft && last.core.timeout === Math.min(Math.ceil(hard), MAX_TIMER_MS);
}
