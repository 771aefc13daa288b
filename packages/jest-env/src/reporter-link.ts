/**
 * The environment's side of the reporter (which runs in Jest's main process): where each test and
 * hook is declared, a stuck report file per entry, the names of a file's entries for a worker that
 * gets killed, and a record of each stopped call. Only when the reporter is there (its folder is
 * in HARDTIMEOUT_JEST_DIR); otherwise nothing is collected or written.
 */
import * as path from 'node:path';
import type { HardTimeoutError } from '@hardtimeout/core/internal';
import { nameOf, type Entry, type EntryKind } from './entries';
import { describeTitles, type CircusDescribeBlock, type CircusTest } from './internals';
import { appendRecord, fileKey, names, type EntryMeta } from './report-file';
import { stuckLog } from '@hardtimeout/core/internal';
import { callSite, siteLocation, siteRawLocation } from './stack';

export class ReporterLink {
  private readonly key: string;
  private nextId = 1;
  private readonly ids = new WeakMap<Entry, number>();
  /** Where each entry is declared: V8's call site until first asked, then its location. */
  private readonly declared = new WeakMap<Entry, NodeJS.CallSite | string | null>();

  constructor(
    private readonly dir: string,
    private readonly testPath: string,
    private readonly rootDir: string,
    private readonly project: string | undefined,
  ) {
    this.key = fileKey(testPath, project);
  }

  /** Called from add_test/add_hook, which jest-circus runs inside the user's test() or hook call. */
  declare(entry: Entry): void {
    this.declared.set(entry, callSite(this.testPath));
  }

  private declaredAt(entry: Entry): string | null {
    const site = this.declared.get(entry);
    if (site === undefined || site === null || typeof site === 'string') return site ?? null;
    const location = siteLocation(site);
    this.declared.set(entry, location);
    return location;
  }

  private idOf(entry: Entry): number {
    let id = this.ids.get(entry);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(entry, id);
    }
    return id;
  }

  /** Where core's watchdog writes the stuck report of this entry. */
  stuckReport(entry: Entry): string {
    // (the reporter's folder is absolute and normalized: no path.join per test)
    return `${this.dir}${path.sep}${names.stuck(this.key, process.pid, this.idOf(entry))}`;
  }

  /** A call stopped with a HardTimeoutError. */
  stopped(entry: Entry, kind: EntryKind, error: HardTimeoutError, current: CircusTest | null | undefined): void {
    const record = (require('./records') as typeof import('./records')).recordOfError(error, {
      testPath: this.testPath,
      rootDir: this.rootDir,
      project: this.project,
      name: nameOf(entry, kind, current),
      declaredAt: this.declaredAt(entry),
    });
    appendRecord(this.dir, this.key, record);
  }

  /** Where an entry is declared, as far as it is known without formatting its call site. */
  private rawDeclaredAt(entry: Entry): string | null {
    const site = this.declared.get(entry);
    if (site === undefined || site === null || typeof site === 'string') return site ?? null;
    return siteRawLocation(site);
  }

  /**
   * In a child process, a test stuck in native code kills the worker: the reporter then needs to
   * know which test each stuck report is about. Kept per test file in core's stuck log, which the
   * watchdog writes to the meta file only when a call of this worker is stuck (the next file's
   * log replaces it): a healthy file
   * writes nothing, and no call site is formatted (the reporter checks the raw locations).
   */
  writeMeta(root: CircusDescribeBlock): void {
    const entries: Record<number, EntryMeta> = {};
    const walk = (block: CircusDescribeBlock): void => {
      for (const hook of block.hooks) {
        const ancestorTitles = describeTitles(block);
        entries[this.idOf(hook)] = { ...nameOf(hook, hook.type, null), ancestorTitles, declaredAt: this.rawDeclaredAt(hook), raw: true };
      }
      for (const child of block.children) {
        if (child.type === 'describeBlock') walk(child);
        else entries[this.idOf(child)] = { ...nameOf(child, 'test', null), declaredAt: this.rawDeclaredAt(child), raw: true };
      }
    };
    walk(root);
    try {
      stuckLog(path.join(this.dir, names.meta(this.key, process.pid))).append(JSON.stringify({ testPath: this.testPath, pid: process.pid, entries }));
    } catch {
      // no addon: nothing can get stuck in native code, so no worker is killed for it
    }
  }
}
