/** The reporter's list of hard timeouts at the end of the run: each record's name, where it is declared, core's message. */
import type { HardTimeoutRecord } from '@hardtimeout/core/internal';

export function formatSummary(records: readonly HardTimeoutRecord[]): string {
  const lines = [`\nHard timeouts: ${records.length}`];
  for (const r of records) {
    const at = r.declaredAt ?? r.location;
    const where = at ? `${at.file}:${at.line}` : r.file;
    lines.push(`  ✕ ${r.project ? `[${r.project}] ` : ''}${r.name} — ${where}`);
    lines.push(`      ${r.message}`);
  }
  return `${lines.join('\n')}\n\n`;
}
