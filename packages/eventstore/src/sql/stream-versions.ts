import { int, text } from './event-rows';
import type { Sql } from './sql-db';

/** The latest version of each stream that has events (a stream without any is absent). */
export async function currentVersions(
  sql: Sql,
  streams: readonly string[],
): Promise<Map<string, number>> {
  const rows = await sql.query(
    `SELECT stream, MAX(stream_version) AS v FROM events WHERE stream IN (${streams.map(() => '?').join(', ')}) GROUP BY stream`,
    streams,
  );
  return new Map(rows.map((row) => [text(row, 'stream'), int(row, 'v')]));
}

export async function currentVersion(sql: Sql, stream: string): Promise<number> {
  return (await currentVersions(sql, [stream])).get(stream) ?? 0;
}
