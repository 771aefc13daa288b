/** HARDTIMEOUT_JEST_DEBUG=<file>: every circus event the environment sees is appended there. */
import * as fs from 'node:fs';

const DEBUG_LOG = process.env.HARDTIMEOUT_JEST_DEBUG;

export const debugging = DEBUG_LOG !== undefined && DEBUG_LOG !== '';

export function debugLog(line: string): void {
  try {
    fs.appendFileSync(DEBUG_LOG!, `${Date.now()} ${line}\n`);
  } catch {
    // a debugging aid only
  }
}
