/**
 * A process whose metrics are read: a ServiceProcess, or the admin URL of an
 * in-process app (`startEmbedded(...).adminUrl`). /metrics is served on the
 * admin listener only (ADR 0017).
 */
export type MetricsSource = { readonly adminUrl: string } | string;

/** The one place a test builds a /metrics URL. */
export const metricsUrl = (source: MetricsSource): string =>
  `${typeof source === 'string' ? source : source.adminUrl}/metrics`;

/** Sums one counter's samples on a service's /metrics whose labels include every given label. */
export async function counterValue(
  source: MetricsSource,
  name: string,
  labels: Readonly<Record<string, string>>,
): Promise<number> {
  const text = await (await fetch(metricsUrl(source))).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = match[2]!.split(',');
    if (wanted.every((w) => have.includes(w))) sum += Number(match[3]);
  }
  return sum;
}

/** How many events of `type` a consumer group handled successfully on one process. */
export const eventsConsumed = (
  source: MetricsSource,
  group: string,
  type: string,
): Promise<number> =>
  counterValue(source, 'idp_events_consumed_total', { group, type, outcome: 'ok' });
