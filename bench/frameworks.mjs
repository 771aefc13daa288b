// Vitest and Jest figures: recovery after a stop, overhead on a healthy suite, and the same
// hanging suite with and without hardtimeout. Filled in as the framework packages land.
export async function frameworks(quick, table, fmt) {
  return {
    recovery: { in_place_ms: null, worker_kill_ms: null },
    overhead: {
      vitest: { tests: null, off_s: null, on_s: null, ratio: null },
      jest: { tests: null, off_s: null, on_s: null, ratio: null },
    },
    anchors: { vitest: null, jest: null },
  }
}
