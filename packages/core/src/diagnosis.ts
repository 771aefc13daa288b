// What /proc says about a stuck thread, and how to say it in one line.

export interface ThreadDiagnosis {
  pid: number
  tid: number
  /** Scheduler state letter from /proc/<pid>/task/<tid>/stat: R running, S sleeping, D disk wait … */
  state?: string
  /** true when the thread was on a CPU (not in a syscall) when read. */
  running?: boolean
  syscall?: { nr: number; name?: string; args: number[] }
  /** The file descriptor of fd-based syscalls and what it points at (pipe:[…], a path, socket:[…]). */
  fd?: { fd: number; target?: string }
  /** The path argument of open/openat. */
  path?: string
  /** Kernel wait channel, e.g. anon_pipe_read, do_epoll_wait, futex_wait_queue. */
  wchan?: string
  children: Array<{ pid: number; cmd: string }>
}

export interface UnblockResult {
  /** An EINTR signal was sent to the thread. */
  signalled: boolean
  /** Child processes (the whole tree below the thread) that were killed. */
  killed: Array<{ pid: number; cmd: string }>
}

export function parseJson<T>(json: string | undefined): T | undefined {
  if (!json) return undefined
  try {
    return JSON.parse(json) as T
  } catch {
    return undefined
  }
}

/** "read(fd 18 → pipe:[123])", "epoll_pwait waiting for `sleep 1000` (pid 42)", "running". */
export function describeDiagnosis(d: ThreadDiagnosis | undefined): string | undefined {
  if (!d) return undefined
  if (d.running) return 'running on a CPU, outside any syscall'
  if (!d.syscall) return d.state ? `in state ${d.state}` : undefined
  const name = d.syscall.name ?? `syscall ${d.syscall.nr}`
  let s = name
  if (d.fd) s += `(fd ${d.fd.fd}${d.fd.target ? ` → ${d.fd.target}` : ''})`
  else if (d.path) s += `(${d.path})`
  if (d.children.length > 0) {
    s += ` waiting for ${d.children.map((c) => `\`${c.cmd}\` (pid ${c.pid})`).join(', ')}`
  }
  return s
}
