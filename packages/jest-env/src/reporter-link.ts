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
import { recordOfError } from './records';
import { appendRecord, fileKey, names, writeJson, type EntryMeta } from './report-file';
import { callSite } from './stack';

export class ReporterLink {
  private readonly key: string;
  private nextId = 1;
  private readonly ids = new WeakMap<Entry, number>();
  private readonly declared = new WeakMap<Entry, string | null>();

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
    return path.join(this.dir, names.stuck(this.key, process.pid, this.idOf(entry)));
  }

  /** A call stopped with a HardTimeoutError. */
  stopped(entry: Entry, kind: EntryKind, error: HardTimeoutError, current: CircusTest | null | undefined): void {
    const record = recordOfError(error, {
      testPath: this.testPath,
      rootDir: this.rootDir,
      project: this.project,
      name: nameOf(entry, kind, current),
      declaredAt: this.declared.get(entry) ?? null,
    });
    appendRecord(this.dir, this.key, record);
  }

  /**
   * In a child process, a test stuck in native code kills the worker: the reporter then needs to
   * know which test each stuck report is about. One small file per test file, written at run_start.
   */
  writeMeta(root: CircusDescribeBlock): void {
    const entries: Record<number, EntryMeta> = {};
    const walk = (block: CircusDescribeBlock): void => {
      for (const hook of block.hooks) {
        const ancestorTitles = describeTitles(block);
        entries[this.idOf(hook)] = { ...nameOf(hook, hook.type, null), ancestorTitles, declaredAt: this.declared.get(hook) ?? null };
      }
      for (const child of block.children) {
        if (child.type === 'describeBlock') walk(child);
        else entries[this.idOf(child)] = { ...nameOf(child, 'test', null), declaredAt: this.declared.get(child) ?? null };
      }
    };
    walk(root);
    writeJson(path.join(this.dir, names.meta(this.key, process.pid)), { testPath: this.testPath, pid: process.pid, entries });
  }
}
