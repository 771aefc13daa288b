/** createHardTimeoutEnvironment: adds hard timeouts to any Jest environment class. */
import { Controller } from './controller';
import type { CircusEvent, CircusState } from './circus';
import { OPTIONS_KEY, resolveOptions } from './options';

/** The shape of a Jest environment class (jest-environment-node, -jsdom, or a user's own). */
export interface JestEnvironmentLike {
  global: object;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  handleTestEvent?(event: any, state: any): void | Promise<void>;
}
export type JestEnvironmentClass = abstract new (config: any, context: any) => JestEnvironmentLike;

interface EnvConfig {
  projectConfig: { rootDir: string; testEnvironmentOptions?: Record<string, unknown> };
}
interface EnvContext {
  testPath: string;
  docblockPragmas?: Record<string, string | string[]>;
}

const CONTROLLER = Symbol('@hardtimeout/jest-env.controller');
/** Events jest-circus dispatches synchronously: a returned promise is ignored there. */
const SYNC_EVENTS = new Set(['start_describe_definition', 'finish_describe_definition', 'add_hook', 'add_test', 'error', 'error_handled']);

/**
 * The config without our key in testEnvironmentOptions, for the base class. jest-environment-node
 * copies every key of testEnvironmentOptions onto the sandbox's global, and jest-environment-jsdom
 * hands them to JSDOM: neither should see ours (a `hardTimeout` global would leak into tests).
 */
function withoutOwnOptions(config: EnvConfig): EnvConfig {
  const options = config?.projectConfig?.testEnvironmentOptions;
  if (!options || typeof options !== 'object' || !(OPTIONS_KEY in options)) return config;
  const { [OPTIONS_KEY]: _ours, ...rest } = options;
  return { ...config, projectConfig: { ...config.projectConfig, testEnvironmentOptions: rest } };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null &&
    typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Returns a subclass of `Base` in which every test and hook is stopped at its hard limit.
 *
 *     const { TestEnvironment } = require('jest-environment-node')
 *     const { createHardTimeoutEnvironment } = require('@hardtimeout/jest-env')
 *     module.exports = createHardTimeoutEnvironment(class MyEnv extends TestEnvironment { ... })
 */
export function createHardTimeoutEnvironment<T extends JestEnvironmentClass>(Base: T): T {
  if (typeof Base !== 'function') {
    throw new TypeError(`createHardTimeoutEnvironment(Base) expects an environment class, got ${typeof Base}`);
  }
  abstract class HardTimeoutEnvironment extends (Base as unknown as abstract new (config: any, context: any) => JestEnvironmentLike) {
    readonly [CONTROLLER]: Controller;

    constructor(config: EnvConfig, context: EnvContext) {
      // Invalid options fail this file only, before anything runs, with the value and its origin.
      const options = resolveOptions({
        testEnvironmentOptions: config?.projectConfig?.testEnvironmentOptions,
        docblockPragmas: context?.docblockPragmas,
        testPath: context?.testPath ?? '<unknown file>',
        rootDir: config?.projectConfig?.rootDir ?? process.cwd(),
      });
      super(withoutOwnOptions(config), context);
      this[CONTROLLER] = new Controller(options, context?.testPath ?? '<unknown file>');
    }

    override async setup(): Promise<void> {
      await super.setup();
      this[CONTROLLER].setup();
    }

    override handleTestEvent(event: any, state: any): void | Promise<void> {
      const controller = this[CONTROLLER];
      const base = super.handleTestEvent;
      const own = typeof base === 'function' ? base.call(this, event, state) : undefined;
      if (isThenable(own) && !SYNC_EVENTS.has((event as CircusEvent).name)) {
        return Promise.resolve(own).then(() => controller.onEvent(event as CircusEvent, state as CircusState));
      }
      const mine = controller.onEvent(event as CircusEvent, state as CircusState);
      return isThenable(own) ? own : mine;
    }
  }
  Object.defineProperty(HardTimeoutEnvironment, 'name', { value: `HardTimeout${Base.name || 'Environment'}` });
  return HardTimeoutEnvironment as unknown as T;
}
