/** createHardTimeoutEnvironment: adds hard timeouts to any Jest environment class. */
import { Controller, type RunContext } from './controller';
import { SYNC_EVENTS, checkJest, circusHandlers, type CircusEvent, type CircusHandler, type CircusState } from './internals';
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
  globalConfig?: { rootDir?: string; json?: boolean; outputFile?: string };
  projectConfig: { rootDir: string; displayName?: string | { name?: string }; testEnvironmentOptions?: Record<string, unknown> };
}

function runContext(config: EnvConfig, jestDir: string | undefined): RunContext {
  const displayName = config?.projectConfig?.displayName;
  const project = typeof displayName === 'string' ? displayName : typeof displayName?.name === 'string' ? displayName.name : undefined;
  return {
    rootDir: config?.globalConfig?.rootDir ?? config?.projectConfig?.rootDir ?? process.cwd(),
    json: config?.globalConfig?.json === true,
    outputFile: typeof config?.globalConfig?.outputFile === 'string' ? config.globalConfig.outputFile : undefined,
    project: project || undefined,
    jestDir,
  };
}
interface EnvContext {
  testPath: string;
  docblockPragmas?: Record<string, string | string[]>;
}

const CONTROLLER = Symbol('@hardtimeout/jest-env.controller');
const JOINED = Symbol('@hardtimeout/jest-env.joined');
const LISTEN = Symbol('@hardtimeout/jest-env.listen');
type Handler = (event: any, state: any) => unknown;

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

/** Whether `env.handleTestEvent` resolves to the accessor on `proto` (no subclass overrides it). */
function isReadFromOurPrototype(env: object, proto: object): boolean {
  for (let p: object | null = env; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    if (Object.prototype.hasOwnProperty.call(p, 'handleTestEvent')) return p === proto;
  }
  return false;
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
    [JOINED] = false;

    constructor(config: EnvConfig, context: EnvContext) {
      // An unsupported Jest, or one missing what we rely on, fails every file with one message.
      const { mode, dir: jestDir } = checkJest();
      // Invalid options fail this file only, before anything runs, with the value and its origin.
      const options = resolveOptions({
        testEnvironmentOptions: config?.projectConfig?.testEnvironmentOptions,
        docblockPragmas: context?.docblockPragmas,
        testPath: context?.testPath ?? '<unknown file>',
        rootDir: config?.projectConfig?.rootDir ?? process.cwd(),
      });
      super(withoutOwnOptions(config), context);
      this[CONTROLLER] = new Controller(options, context?.testPath ?? '<unknown file>', mode, runContext(config, jestDir));
    }

    /** Our part of one event, after the part of the handler it follows (`own`, its result). */
    [LISTEN](own: unknown, event: any, state: any): unknown {
      const controller = this[CONTROLLER];
      if (isThenable(own) && !SYNC_EVENTS.has((event as CircusEvent).name)) {
        return Promise.resolve(own).then(() => controller.onEvent(event as CircusEvent, state as CircusState));
      }
      const mine = controller.onEvent(event as CircusEvent, state as CircusState);
      return isThenable(own) ? own : mine;
    }
  }

  const proto = HardTimeoutEnvironment.prototype as unknown as Record<PropertyKey, unknown> & HardTimeoutEnvironment;
  const baseProto = Object.getPrototypeOf(proto) as object;
  /** The listener: the base's handleTestEvent (if any), then ours. */
  const listener = function handleTestEvent(this: HardTimeoutEnvironment, event: any, state: any): unknown {
    const base = Reflect.get(baseProto, 'handleTestEvent', this) as Handler | undefined;
    const own = typeof base === 'function' ? base.call(this, event, state) : undefined;
    return this[LISTEN](own, event, state);
  };

  /**
   * `handleTestEvent` is what jest-circus reads, once per test file, to decide whether the
   * environment listens to its events. Each listener costs every event of every test one more
   * `await` in jest-circus's dispatch, and on Node 20 each await pays for the promise hooks of the
   * AsyncLocalStorage jest-circus 30 creates per file (never disabled): on a suite of trivial
   * tests an environment with an empty handleTestEvent costs Jest more than all our own work.
   * So on jest-circus 30, whose handlers are in an array on the file's global, we do not listen:
   * our part runs inside the last synchronous handler registered before us (jest-circus's own
   * formatNodeAssertErrors in 30.x), right after it, so no await is added. The only change of
   * order: the async handler registered just before us (it sets expect's test name, and adds
   * expect.assertions() failures at test_done) now runs after our part instead of before.
   * We listen when that array is not there (Jest 29), when the base class listens anyway, or when
   * a subclass overrides handleTestEvent and calls ours through `super`.
   */
  Object.defineProperty(proto, 'handleTestEvent', {
    configurable: true,
    enumerable: false,
    get(this: HardTimeoutEnvironment): Handler | undefined {
      if (!isReadFromOurPrototype(this, proto)) return listener;
      if (typeof Reflect.get(baseProto, 'handleTestEvent', this) === 'function') return listener;
      if (this[JOINED] || !this[CONTROLLER].enabled) return undefined;
      return joinHandlers(this) ? undefined : listener;
    },
  });

  /** Puts our part of each event inside the last synchronous handler jest-circus has (see above). */
  function joinHandlers(env: HardTimeoutEnvironment): boolean {
    const handlers = circusHandlers(env.global);
    if (!handlers) return false;
    for (let i = handlers.length - 1; i >= 0; i--) {
      const inner = handlers[i] as unknown;
      // An async handler's result is awaited: running ours after its synchronous part would
      // change the order whenever it awaits something.
      if (typeof inner !== 'function' || Object.prototype.toString.call(inner) === '[object AsyncFunction]') continue;
      handlers[i] = function (this: unknown, event: any, state: any): unknown {
        return env[LISTEN]((inner as Handler).call(this, event, state), event, state);
      } as CircusHandler;
      env[JOINED] = true;
      return true;
    }
    return false;
  }

  Object.defineProperty(HardTimeoutEnvironment, 'name', { value: `HardTimeout${Base.name || 'Environment'}` });
  return HardTimeoutEnvironment as unknown as T;
}
