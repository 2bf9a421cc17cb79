// CPU time of server processes (Linux /proc), to show how busy a target was.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on every Linux this runs on

function ticks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Starts a CPU meter over pids; stop() returns e.g. "97%" (of one core) or undefined. */
export function cpuMeter(pids) {
  const start = pids.map(ticks);
  const t0 = process.hrtime.bigint();
  return {
    stop() {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const end = pids.map(ticks);
      if (start.some((t) => t === undefined) || end.some((t) => t === undefined)) return undefined;
      const used = end.reduce((sum, t, i) => sum + t - start[i], 0) / TICKS_PER_SECOND;
      return `${Math.round((used / seconds) * 100)}%`;
    },
  };
}
