/** Locations in stacks: where a test is declared, and where a stopped one was stuck. */
/**
 * Where the test() or hook call being dispatched right now is, in the user's code. Called from the
 * add_test/add_hook handler, which jest-circus runs synchronously inside that call. (The entry's own
 * `asyncError` must not be read: V8 formats a stack once, and jest-circus sets that error's message
 * later, for timeouts and non-error throws.)
 *
 * Only V8's call sites are taken here, and the one chosen is formatted later, by
 * {@link siteLocation}, when a record or a killed worker's names need it: formatting every frame of
 * every test through Jest's source-map support was most of what the reporter cost a healthy run.
 */
export function callSite(testPath: string): NodeJS.CallSite | null {
  // Most test() calls are a few frames up: a short capture first, the long one only when needed.
  return pick(sites(20), testPath, true) ?? pick(sites(60), testPath, false);
}

function sites(limit: number): NodeJS.CallSite[] {
  const limitBefore = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  let captured: unknown;
  Error.stackTraceLimit = limit;
  Error.prepareStackTrace = (_error, frames) => frames;
  try {
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, callSite);
    captured = holder.stack;
  } catch {
    captured = undefined;
  } finally {
    Error.stackTraceLimit = limitBefore;
    Error.prepareStackTrace = prepare;
  }
  return Array.isArray(captured) ? (captured as NodeJS.CallSite[]) : [];
}

function fileOf(site: NodeJS.CallSite): string {
  try {
    return site.getFileName() ?? '';
  } catch {
    return '';
  }
}

/** The frame in the test file, else (`inFileOnly` false) the first of the user's code. */
function pick(frames: NodeJS.CallSite[], testPath: string, inFileOnly: boolean): NodeJS.CallSite | null {
  const inFile = frames.find((site) => fileOf(site) === testPath);
  if (inFile || inFileOnly) return inFile ?? null;
  return (
    frames.find((site) => {
      const f = fileOf(site);
      return f !== '' && !/node_modules|^node:|^internal[\\/]/.test(f) && !f.startsWith(__dirname);
    }) ?? null
  );
}

/**
 * "file:line:column" of a call site from {@link callSite}, as Jest would print it: through the
 * `Error.prepareStackTrace` in place now (Jest's source-map support while a test file runs), so
 * that a transformed file's location is its source's.
 */
export function siteLocation(site: NodeJS.CallSite): string | null {
  let text: unknown;
  const prepare = Error.prepareStackTrace;
  if (typeof prepare === 'function') {
    try {
      text = prepare(new Error(), [site]);
    } catch {
      text = undefined;
    }
  }
  if (typeof text !== 'string') text = `Error\n    at ${String(site)}`;
  const line = (text as string).split('\n').find((l) => /^\s*at /.test(l));
  return line ? frameLocation(line) : null;
}

/**
 * "file:line:column" of a call site as V8 ran it, without source maps: right for an untransformed
 * file, perhaps not for a transformed one (the reporter checks it against the source).
 */
export function siteRawLocation(site: NodeJS.CallSite): string | null {
  try {
    const file = site.getFileName();
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    return file && line !== null && column !== null ? `${file}:${line}:${column}` : null;
  } catch {
    return null;
  }
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
