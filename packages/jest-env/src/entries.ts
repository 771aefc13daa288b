/** How a test or hook is named: in messages, stuck reports and the reporter's records. */
import { describeTitles, type CircusHook, type CircusTest } from './internals';

export type Entry = CircusTest | CircusHook;
export type EntryKind = 'test' | CircusHook['type'];

export interface EntryName {
  kind: EntryKind;
  /** Titles of the describe blocks around the test (of the hook, for beforeAll/afterAll). */
  ancestorTitles: string[];
  /** The test's title; for a beforeAll/afterAll hook, its describe block's. */
  title: string;
  /** "describe › test", or the describe block's path for beforeAll/afterAll. */
  test: string;
}

/**
 * @param current the test a beforeEach/afterEach hook runs for (jest-circus's currentlyRunningTest)
 */
export function nameOf(entry: Entry, kind: EntryKind, current: CircusTest | null | undefined): EntryName {
  const perTest = kind === 'test' ? (entry as CircusTest) : kind === 'beforeEach' || kind === 'afterEach' ? current : null;
  if (perTest) {
    const ancestorTitles = describeTitles(perTest.parent);
    return { kind, ancestorTitles, title: perTest.name, test: [...ancestorTitles, perTest.name].join(' › ') };
  }
  const ancestorTitles = describeTitles(entry.parent);
  return { kind, ancestorTitles, title: ancestorTitles[ancestorTitles.length - 1] ?? '', test: ancestorTitles.join(' › ') };
}

/** The label of one call (core puts it in errors and stuck reports): "describe › test", "beforeEach hook of describe › test". */
export function labelOf(name: EntryName): string {
  if (name.kind === 'test') return name.test;
  return name.test ? `${name.kind} hook of ${name.test}` : `${name.kind} hook`;
}
