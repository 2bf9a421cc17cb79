import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metric } from 'prom-client';
import { registry } from './metrics';
// Every module that registers metrics; the registry is the process's one.
import './domain-metrics';
import './http-metrics';
import './scrape-gauges';
import '../../../../apps/session-service/src/backchannel-logout/backchannel.metrics';
import '../../../../apps/session-service/src/shared-signals/ssf.metrics';

interface CatalogEntry {
  readonly name: string;
  readonly type: string;
  readonly labels: readonly string[];
}

const catalog = JSON.parse(
  readFileSync(
    join(__dirname, '..', '..', '..', '..', 'deploy', 'observability', 'metrics-catalog.json'),
    'utf8',
  ),
) as { metrics: CatalogEntry[] };

/** Ours: prom-client's default process_* and nodejs_* metrics are not in the catalog. */
const ours = (name: string) => name.startsWith('idp_') || name.startsWith('http_');

describe('deploy/observability/metrics-catalog.json', () => {
  it('lists exactly the metrics the code registers, with their types', async () => {
    const registered = await Promise.all(
      registry
        .getMetricsAsArray()
        .filter((m) => ours(m.name))
        .map(async (m) => [m.name, (await (m as unknown as Metric).get()).type] as const),
    );
    expect(Object.fromEntries(registered)).toEqual(
      Object.fromEntries(catalog.metrics.map((m) => [m.name, m.type])),
    );
  });

  it('names the label names each metric has', async () => {
    for (const entry of catalog.metrics) {
      const metric = registry.getSingleMetric(entry.name) as unknown as {
        labelNames?: readonly string[];
      };
      // Lean metrics (no labelNames) are checked through their samples below.
      if (metric.labelNames !== undefined)
        expect({ [entry.name]: [...metric.labelNames].sort() }).toEqual({
          [entry.name]: [...entry.labels].sort(),
        });
    }
    const answers = (await registry.getSingleMetric('idp_introspection_answers_total')!.get())
      .values;
    expect(new Set(answers.flatMap((v) => Object.keys(v.labels)))).toEqual(new Set(['outcome']));
  });
});
