import { HTTP_DURATION, RouteTimer } from './http-metrics';
import { registry } from './metrics';

async function series(route: string) {
  const values = (await registry.getSingleMetric(HTTP_DURATION)!.get()).values as {
    metricName?: string;
    labels: Record<string, string | number>;
    value: number;
  }[];
  return values.filter(
    (v) => v.metricName === `${HTTP_DURATION}_count` && v.labels['http_route'] === route,
  );
}

describe('RouteTimer', () => {
  it('counts an unknown method as _OTHER, so methods cannot add series', async () => {
    const timer = new RouteTimer('/route-timer-methods');
    for (const method of ['PROPFIND', 'X-EVIL-1', 'X-EVIL-2', undefined])
      timer.observe(method, 200, 0.01);
    timer.observe('GET', 200, 0.01);
    const found = await series('/route-timer-methods');
    expect(found.map((s) => [s.labels['http_request_method'], s.value]).sort()).toEqual([
      ['GET', 1],
      ['_OTHER', 4],
    ]);
  });

  it('keeps one series per method and status, however many requests', async () => {
    const timer = new RouteTimer('/route-timer-bounded');
    for (let i = 0; i < 1000; i++) timer.observe('POST', i % 2 ? 200 : 401, i / 1000);
    const found = await series('/route-timer-bounded');
    expect(found).toHaveLength(2);
    expect(found.reduce((n, s) => n + s.value, 0)).toBe(1000);
  });
});
