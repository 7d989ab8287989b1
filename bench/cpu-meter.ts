/**
 * The CPU time each process of the bench's stack spends on a run of calls, read from /proc (Linux only). Everything
 * shares the same cores, so once they are busy a call's latency follows the CPU time it costs in all the processes
 * together: this says where that time goes (README, "Where a sign-off's time goes").
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux counts process CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture Node.js runs on. */
const MS_PER_TICK = 10;

/** The parts of the stack CPU time is told by, as the bench's tables name them. */
export const CPU_PARTS = ['Temporal server', 'PostgreSQL', 'this process', 'other processes'] as const;
type CpuPart = (typeof CPU_PARTS)[number];

/** CPU ms per call, by part of the stack. */
export type CpuPerCall = Partial<Record<CpuPart, number>>;

/** CPU time so far, in ms, by part of the stack: this process, and each of its children with its own descendants. */
type CpuSnapshot = ReadonlyMap<CpuPart, number>;

interface ProcStat {
  pid: number;
  ppid: number;
  command: string;
  /** utime + stime: the process's own CPU time. */
  ownTicks: number;
  /** cutime + cstime: that of its children that have exited (and were waited for). */
  exitedChildrenTicks: number;
}

function readStat(pid: string): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command sits in parentheses and may hold spaces; the fields after it are space-separated.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    const field = (n: number) => Number(fields[n - 3]); // numbered as in proc(5), the state being field 3
    return {
      pid: Number(pid),
      ppid: field(4),
      command: stat.slice(stat.indexOf('(') + 1, close),
      ownTicks: field(14) + field(15),
      exitedChildrenTicks: field(16) + field(17),
    };
  } catch {
    return undefined; // gone between listing and reading
  }
}

/** What a child process is, by its command: the names the bench's tables use. */
function partOf(command: string): CpuPart {
  if (command.startsWith('postgres')) return 'PostgreSQL';
  if (command.startsWith('temporal')) return 'Temporal server';
  return 'other processes';
}

/**
 * The CPU time of this process (its own threads: the API, the case worker, the Temporal client) and of each part of
 * the stack it started (PostgreSQL, the Temporal dev server, load generators and worker processes), each with all its
 * descendants, live or exited. Undefined where there is no /proc.
 */
function cpuSnapshot(): CpuSnapshot | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const stats = pids.flatMap((pid) => readStat(pid) ?? []);
  const byPid = new Map(stats.map((stat) => [stat.pid, stat]));
  const self = byPid.get(process.pid);
  if (!self) return undefined;
  const parts = new Map<CpuPart, number>([
    ['this process', self.ownTicks * MS_PER_TICK],
    // Children that have exited (a load generator at the end of its run): PostgreSQL and Temporal outlive the bench.
    ['other processes', self.exitedChildrenTicks * MS_PER_TICK],
  ]);
  for (const stat of stats) {
    // The child of this process it descends from, if any.
    let child: ProcStat | undefined = stat;
    while (child && child.ppid !== process.pid) child = byPid.get(child.ppid);
    if (!child || stat.pid === process.pid) continue;
    const part = partOf(child.command);
    // A live process's own time plus that of its exited children: nothing is counted twice.
    parts.set(part, (parts.get(part) ?? 0) + (stat.ownTicks + stat.exitedChildrenTicks) * MS_PER_TICK);
  }
  return parts;
}

/**
 * Runs `run` and answers its value with the CPU ms each of its `calls` (counted from the value) cost every part of
 * the stack; no CPU figures where there is no /proc.
 */
export async function meterCpu<T>(
  run: () => Promise<T>,
  calls: (value: T) => number,
): Promise<{ value: T; cpuMsPerCall?: CpuPerCall }> {
  const before = cpuSnapshot();
  const value = await run();
  const after = cpuSnapshot();
  const count = calls(value);
  if (!before || !after || count === 0) return { value };
  const cpuMsPerCall = Object.fromEntries(
    [...after].map(([part, ms]) => [part, (ms - (before.get(part) ?? 0)) / count]),
  );
  return { value, cpuMsPerCall };
}
