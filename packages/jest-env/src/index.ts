/**
 * @hardtimeout/jest-env
 *
 *   testEnvironment: '@hardtimeout/jest-env'        the node environment with hard timeouts
 *   import { withHardTimeout } from '@hardtimeout/jest-env'   per-test hard limit (in test files)
 *   createHardTimeoutEnvironment(Base)              hard timeouts for your own environment class
 *
 * Test files import this module inside Jest's sandbox for withHardTimeout: everything else is
 * loaded on first use, so that the sandbox never loads a second copy of the environment or the addon.
 */
import type { createHardTimeoutEnvironment as CreateFn, JestEnvironmentClass } from './environment';

export { withHardTimeout, HARD_TIMEOUT_TAG } from './helper';
export type { HardTimeoutOptions } from './options';
export type { HardTimeoutRecord } from '@hardtimeout/core';
export type { JestEnvironmentClass, JestEnvironmentLike } from './environment';

/** The node environment with hard timeouts (also the default export, which Jest loads). */
export declare const TestEnvironment: JestEnvironmentClass;
/** Adds hard timeouts to any environment class; see the README. */
export declare const createHardTimeoutEnvironment: typeof CreateFn;

const lazy: Record<string, () => unknown> = {
  default: () => (require('./node') as typeof import('./node')).default,
  TestEnvironment: () => (require('./node') as typeof import('./node')).default,
  createHardTimeoutEnvironment: () => (require('./environment') as typeof import('./environment')).createHardTimeoutEnvironment,
};
for (const [name, get] of Object.entries(lazy)) {
  Object.defineProperty(exports, name, { enumerable: true, configurable: true, get });
}
