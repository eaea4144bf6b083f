import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; NaN where
 * there is no /proc (not Linux) or the process is gone.
 */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** The ids of running processes with this command name (e.g. every `postgres` backend). */
export function pidsNamed(command: string): number[] {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === command;
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

/**
 * Postgres processes split by what they do: `backends` serve connections (their title holds
 * the client's address and port, or `[local]` over a Unix socket), `background` are the
 * server's own (WAL writer, autovacuum, checkpointer, background writer).
 */
export function postgresPids(kind: 'backends' | 'background'): number[] {
  return pidsNamed('postgres').filter((pid) => {
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return /\(\d+\)|\[local\]/.test(title) === (kind === 'backends');
    } catch {
      return false;
    }
  });
}

/**
 * CPU time used by groups of processes between two points of a benchmark. Processes that
 * start in between (a new Postgres backend) count from zero.
 */
export class CpuAccount {
  private readonly start = new Map<number, number>();

  constructor(private readonly groups: Record<string, () => number[]>) {
    for (const pids of Object.values(groups)) {
      for (const pid of pids()) {
        this.start.set(pid, cpuSeconds(pid));
      }
    }
  }

  /** CPU seconds per group since the account was opened. */
  used(): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this.groups).map(([group, pids]) => [
        group,
        pids()
          .map((pid) => cpuSeconds(pid) - (this.start.get(pid) ?? 0))
          .filter((seconds) => !Number.isNaN(seconds))
          .reduce((sum, seconds) => sum + seconds, 0),
      ]),
    );
  }
}
