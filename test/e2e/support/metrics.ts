/** Sums one counter's samples on a service's /metrics whose labels include every given label. */
export async function counterValue(
  serviceUrl: string,
  name: string,
  labels: Readonly<Record<string, string>>,
): Promise<number> {
  const text = await (await fetch(`${serviceUrl}/metrics`)).text();
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
export const eventsConsumed = (serviceUrl: string, group: string, type: string): Promise<number> =>
  counterValue(serviceUrl, 'idp_events_consumed_total', { group, type, outcome: 'ok' });
