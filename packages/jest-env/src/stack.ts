/** Locations in stacks: where a test is declared, and where a stopped one was stuck. */
/**
 * Where the test() or hook call being dispatched right now is, in the user's code. Called from the
 * add_test/add_hook handler, which jest-circus runs synchronously inside that call. (The entry's own
 * `asyncError` must not be read: V8 formats a stack once, and jest-circus sets that error's message
 * later, for timeouts and non-error throws.)
 */
export function callSite(testPath: string): string | null {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  let stack: string | undefined;
  try {
    stack = new Error().stack;
  } finally {
    Error.stackTraceLimit = limit;
  }
  const locations = (stack ?? '')
    .split('\n')
    .slice(1)
    .map(frameLocation)
    .filter((l): l is string => l !== null);
  return (
    locations.find((l) => l.startsWith(`${testPath}:`)) ??
    locations.find((l) => !/node_modules|^node:|^internal[\\/]/.test(l) && !l.startsWith(__dirname)) ??
    null
  );
}

/** "file:line:column" of one "    at ..." stack line. */
export function frameLocation(line: string): string | null {
  const m = /^\s*at (?:.*? \()?(.+?:\d+:\d+)\)?\s*$/.exec(line);
  return m ? m[1]! : null;
}

/**
 * Where a HardTimeoutError says the code was stuck: the innermost frame of the user's code (outside
 * node_modules and Node's internals; our own frames are already gone), the frame Jest's code frame
 * shows. Where the test is declared is recorded apart (declaredAt).
 */
export function stuckAt(stack: string | undefined): string | null {
  if (typeof stack !== 'string') return null;
  const locations = stack
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .map(frameLocation)
    .filter((l): l is string => l !== null);
  return locations.find((l) => !/[\\/]node_modules[\\/]|^node:|^internal[\\/]/.test(l)) ?? null;
}
