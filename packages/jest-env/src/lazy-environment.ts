/** An environment class that picks its base (the running Jest's own) when Jest instantiates it. */
import { createHardTimeoutEnvironment, type JestEnvironmentClass, type JestEnvironmentLike } from './environment';
import { baseClass, resolveBaseModule } from './resolve-base';

export function lazyEnvironment(moduleName: 'jest-environment-node' | 'jest-environment-jsdom', className: string): JestEnvironmentClass {
  // Resolving walks require.cache, large in a Jest worker: once per project root.
  const made = new Map<string | undefined, new (config: unknown, context: unknown) => JestEnvironmentLike>();
  const Lazy = function (this: unknown, config: { projectConfig?: { rootDir?: string } }, context: unknown): JestEnvironmentLike {
    const rootDir = config?.projectConfig?.rootDir;
    let Env = made.get(rootDir);
    if (!Env) {
      const Base = baseClass(resolveBaseModule(moduleName, rootDir), moduleName);
      Env = createHardTimeoutEnvironment(Base as unknown as JestEnvironmentClass) as unknown as new (
        config: unknown,
        context: unknown,
      ) => JestEnvironmentLike;
      made.set(rootDir, Env);
    }
    return new Env(config, context);
  };
  Object.defineProperty(Lazy, 'name', { value: className });
  return Lazy as unknown as JestEnvironmentClass;
}
