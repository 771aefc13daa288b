/** The reporter's list of hard timeouts at the end of the run. */
import type { HardTimeoutRecord } from './report-file';
import { relative } from './rewrite';

export function formatSummary(records: HardTimeoutRecord[], rootDir: string): string {
  const lines = [`\nHard timeouts: ${records.length}`];
  for (const r of records) {
    const at = r.declaredAt ?? r.stuckAt ?? r.testPath;
    const name = r.kind === 'test' ? r.test : `${r.kind} hook${r.test ? ` of ${r.test}` : ''}`;
    lines.push(`  ✕ ${name} — ${relative(stripColumn(at), rootDir)}`);
    const details = [`limit ${r.limitMs} ms`];
    if (r.stuckAt) details.push(`stuck at ${relative(r.stuckAt, rootDir)}${r.blockedIn ? ` in ${r.blockedIn}` : ''}`);
    else if (r.blockedIn) details.push(`stuck in ${r.cause === 'native' ? 'native code: ' : ''}${r.blockedIn}`);
    details.push(`${r.action}${r.elapsedMs !== null ? ` after ${r.elapsedMs} ms` : ''}`);
    lines.push(`      ${details.join(' · ')}`);
  }
  return `${lines.join('\n')}\n\n`;
}

function stripColumn(location: string): string {
  return location.replace(/:(\d+):\d+$/, ':$1');
}
