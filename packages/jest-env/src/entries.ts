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

const HOOK_LABEL = /^(beforeEach|afterEach|beforeAll|afterAll) hook(?: of ([\s\S]*))?$/;
const SEPARATOR = ' › ';

/** What the stuck program knows of a stuck test or hook (a hook's `title` is ''). */
export interface LabelledEntry {
  kind: EntryKind;
  ancestorTitles: string[];
  title: string;
}

/**
 * The test or hook a {@link labelOf} label names, among `tests` (a file's [ancestorTitles, title],
 * in order; `finished` says which had finished). Why from the label: the stuck program learns which
 * call was stuck from core's stuck report, and the label is the one per-call string core keeps
 * anyway; handing it a description of the entry as well cost every healthy call more than the
 * guard itself. The addon keeps the first 255 bytes of a label: a longer one is matched by its
 * start (the first such test that had not finished). Without `tests` (a child-process worker keeps
 * no journal) the label is split at ' › ', exact unless a title itself contains ' › '.
 */
export function entryOfLabel(
  label: string,
  tests: Array<[string[], string]> = [],
  finished: (ancestors: string[], title: string) => boolean = () => false,
): LabelledEntry {
  const find = (name: string): [string[], string] | undefined => {
    const full = tests.filter(([a, t]) => [...a, t].join(SEPARATOR) === name);
    if (full.length > 0) return full.find(([a, t]) => !finished(a, t)) ?? full[0];
    if (Buffer.byteLength(name) < 250) return undefined;
    return tests.find(([a, t]) => !finished(a, t) && [...a, t].join(SEPARATOR).startsWith(name));
  };
  const split = (name: string): [string[], string] => {
    const parts = name === '' ? [''] : name.split(SEPARATOR);
    return [parts.slice(0, -1), parts[parts.length - 1]!];
  };
  const test = find(label);
  const hook = HOOK_LABEL.exec(label);
  if (test || !hook) {
    const [ancestorTitles, title] = test ?? split(label);
    return { kind: 'test', ancestorTitles, title };
  }
  const kind = hook[1] as EntryKind;
  const of = hook[2] ?? '';
  if (kind === 'beforeEach' || kind === 'afterEach') {
    // "beforeEach hook of <the test it ran for>": the hook's scope is that test's describe block
    const [ancestorTitles] = find(of) ?? split(of);
    return { kind, ancestorTitles, title: '' };
  }
  // "beforeAll hook of <describe path>": the path of a describe block some test is inside
  if (of !== '') {
    for (const [a] of tests) {
      const depth = a.findIndex((_, i) => a.slice(0, i + 1).join(SEPARATOR) === of);
      if (depth >= 0) return { kind, ancestorTitles: a.slice(0, depth + 1), title: '' };
    }
  }
  return { kind, ancestorTitles: of === '' ? [] : of.split(SEPARATOR), title: '' };
}
