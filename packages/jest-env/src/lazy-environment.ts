/** An environment class that picks its base (the running Jest's own) when Jest instantiates it. */
import { createHardTimeoutEnvironment, type JestEnvironmentClass, type JestEnvironmentLike } from './environment';
import { baseClass, resolveBaseModule } from './resolve-base';

export function lazyEnvironment(moduleName: 'jest-environment-node' | 'jest-environment-jsdom', className: string): JestEnvironmentClass {
  const made = new Map<unknown, new (config: unknown, context: unknown) => JestEnvironmentLike>();
  // Resolving walks require.cache (thousands of entries in a Jest worker): once per project root.
  const bases = new Map<string | undefined, new (...args: any[]) => any>();
  const Lazy = function (this: unknown, config: { projectConfig?: { rootDir?: string } }, context: unknown): JestEnvironmentLike {
    const rootDir = config?.projectConfig?.rootDir;
    let Base = bases.get(rootDir);
    if (!Base) {
      Base = baseClass(resolveBaseModule(moduleName, rootDir), moduleName);
      bases.set(rootDir, Base);
    }
    let Env = made.get(Base);
    if (!Env) {
      Env = createHardTimeoutEnvironment(Base as unknown as JestEnvironmentClass) as unknown as new (
        config: unknown,
        context: unknown,
      ) => JestEnvironmentLike;
      made.set(Base, Env);
    }
    return new Env(config, context);
  };
  Object.defineProperty(Lazy, 'name', { value: className });
  return Lazy as unknown as JestEnvironmentClass;
}
