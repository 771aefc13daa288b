/**
 * Finds the base environment that belongs to the Jest that is running: jest-environment-node
 * next to the loaded jest-runner (29 and 30 differ), jest-environment-jsdom from the project.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { jestRunnerDirs } from './internals';


export function resolveBaseModule(name: 'jest-environment-node' | 'jest-environment-jsdom', rootDir?: string): unknown {
  const from: string[] = [];
  if (name === 'jest-environment-node') from.push(...jestRunnerDirs());
  if (rootDir) from.push(rootDir);
  from.push(process.cwd(), ...jestRunnerDirs());
  const tried: string[] = [];
  for (const dir of from) {
    try {
      const req = createRequire(path.join(dir, 'package.json'));
      return req(req.resolve(name));
    } catch {
      tried.push(dir);
    }
  }
  try {
    return require(name);
  } catch (error) {
    throw new Error(
      `@hardtimeout/jest-env: cannot find ${name} (looked from ${[...tried, __dirname].join(', ')}). ` +
        `Install it next to jest: npm install --save-dev ${name}`,
      { cause: error },
    );
  }
}

export function baseClass(mod: unknown, name: string): new (...args: any[]) => any {
  const m = mod as { TestEnvironment?: unknown; default?: unknown };
  const cls = m.TestEnvironment ?? m.default ?? mod;
  if (typeof cls !== 'function') throw new Error(`@hardtimeout/jest-env: ${name} exports no environment class`);
  return cls as new (...args: any[]) => any;
}
