// CPU time of server processes (Linux /proc), to show how busy a target was.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** USER_HZ, the unit of utime/stime in /proc/<pid>/stat: asked once (100 on every Linux seen so far). */
function clockTicks() {
  try {
    const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(hz) && hz > 0 ? hz : 100;
  } catch {
    return 100;
  }
}
export const TICKS_PER_SECOND = clockTicks();

function ticks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    // A process's line counts every thread of it (GC, libuv pool), live or exited.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * Starts a CPU clock over pids; stop() returns { seconds (CPU, user + system),
 * ticks, wallSeconds } or undefined when a process was gone. The resolution is
 * one tick (10 ms at 100 Hz) per process: measure for seconds, not milliseconds.
 */
export function cpuClock(pids) {
  const start = pids.map(ticks);
  const t0 = process.hrtime.bigint();
  return {
    stop() {
      const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const end = pids.map(ticks);
      if (start.some((t) => t === undefined) || end.some((t) => t === undefined)) return undefined;
      const used = end.reduce((sum, t, i) => sum + t - start[i], 0);
      return { seconds: used / TICKS_PER_SECOND, ticks: used, wallSeconds };
    },
  };
}

/** Starts a CPU meter over pids; stop() returns e.g. "97%" (of one core) or undefined. */
export function cpuMeter(pids) {
  const clock = cpuClock(pids);
  return {
    stop() {
      const t = clock.stop();
      return t && `${Math.round((t.seconds / t.wallSeconds) * 100)}%`;
    },
  };
}
