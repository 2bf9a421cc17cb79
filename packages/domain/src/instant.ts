/**
 * An instant (epoch milliseconds) as RFC 3339 UTC with milliseconds, the
 * shape `Date#toISOString` gives, computed without making a Date so the
 * domain stays visibly clock-free (ADR 0020): days to civil date after
 * Howard Hinnant's `civil_from_days`. Years 0-9999 only, as RFC 3339.
 */
export function isoInstant(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const msOfDay = ms - days * 86_400_000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const hours = Math.floor(msOfDay / 3_600_000);
  const minutes = Math.floor((msOfDay % 3_600_000) / 60_000);
  const seconds = Math.floor((msOfDay % 60_000) / 1000);
  return (
    `${pad(year, 4)}-${pad(month)}-${pad(day)}T` +
    `${pad(hours)}:${pad(minutes)}:${pad(seconds)}.${pad(msOfDay % 1000, 3)}Z`
  );
}

/** RFC 3339 as the event envelope and the admin API take it (zod `iso.datetime`), to epoch ms. */
export const instantMs = (rfc3339: string): number => Date.parse(rfc3339);
