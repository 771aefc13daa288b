// Whether a process still exists (the supervisor's cleanup and the stale state folders ask).

/** Whether a process with this pid exists (EPERM: it does, it is another user's). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
