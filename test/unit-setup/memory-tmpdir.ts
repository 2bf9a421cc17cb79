// Unit specs keep their SQLite stores in os.tmpdir(), and the event store
// fsyncs every commit (synchronous = FULL). On a busy disk those fsyncs were
// the slowest part of the unit run, and they test nothing a unit test is
// about (a crash of a process, not of the machine, loses nothing either way).
// Where a RAM-backed /dev/shm exists, point TMPDIR there; the workers jest
// starts after this inherit it. Elsewhere (macOS) nothing changes.
import { accessSync, constants } from 'node:fs';

export default function useMemoryTmpdir(): void {
  const shm = '/dev/shm';
  try {
    accessSync(shm, constants.W_OK);
  } catch {
    return;
  }
  process.env['TMPDIR'] = shm;
}
