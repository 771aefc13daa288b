/** The reporter's record of one hard timeout, built from the error core threw (never from its text). */
import { describeDiagnosis } from '@hardtimeout/core/internal';
import { stuckAt } from './stack';
import type { EntryName } from './entries';
import type { HardTimeoutRecord } from './report-file';

interface ErrorFields {
  timeout?: number;
  elapsed?: number;
  kind?: 'js' | 'native';
  pending?: boolean;
  diagnosis?: unknown;
  unblocked?: { signalled?: boolean; killed?: Array<{ pid: number; cmd: string }> };
}

export interface RecordContext {
  testPath: string;
  project: string | undefined;
  name: EntryName;
  declaredAt: string | null;
  /** The limit of the call, when the error does not say it. */
  limitMs: number;
}

export function recordOfError(error: Error, c: RecordContext): HardTimeoutRecord {
  const e = error as Error & ErrorFields;
  let action = 'stopped in place';
  let blockedIn: string | undefined;
  if (e.kind === 'native') {
    blockedIn = describeDiagnosis(e.diagnosis as never) ?? undefined;
    const how: string[] = [];
    if (e.unblocked?.signalled) how.push('syscall interrupted');
    const killed = e.unblocked?.killed ?? [];
    if (killed.length > 0) how.push(`${killed.length} child process${killed.length > 1 ? 'es' : ''} killed`);
    action = how.length > 0 ? `unblocked (${how.join('; ')}) and stopped` : 'unblocked and stopped';
  } else if (e.pending === true) {
    action = 'failed: still waiting at its limit';
  }
  const record: HardTimeoutRecord = {
    testPath: c.testPath,
    ...(c.project ? { project: c.project } : {}),
    ...c.name,
    declaredAt: c.declaredAt,
    stuckAt: stuckAt(error.stack),
    limitMs: typeof e.timeout === 'number' ? e.timeout : c.limitMs,
    elapsedMs: typeof e.elapsed === 'number' ? Math.round(e.elapsed) : null,
    cause: e.kind === 'native' ? 'native' : 'js',
    action,
    message: error.message,
  };
  if (blockedIn) record.blockedIn = blockedIn;
  return record;
}
