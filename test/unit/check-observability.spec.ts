import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'check-observability.mjs');
const SOURCE = join(ROOT, 'deploy', 'observability');

/** Runs the check on a copy of deploy/observability changed by `edit`; its exit code and output. */
function checkCopy(edit: (dir: string) => void = () => undefined): { code: number; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'idp-obs-'));
  try {
    cpSync(SOURCE, dir, { recursive: true });
    edit(dir);
    const out = execFileSync(process.execPath, [SCRIPT, '--dir', dir], { stdio: 'pipe' });
    return { code: 0, out: out.toString() };
  } catch (err) {
    const e = err as { status: number; stderr: Buffer };
    return { code: e.status, out: e.stderr.toString() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function replaceIn(file: string, from: string, to: string): (dir: string) => void {
  return (dir) => {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    if (!text.includes(from)) throw new Error(`${from} not in ${file}`);
    writeFileSync(path, text.split(from).join(to));
  };
}

describe('scripts/check-observability.mjs', () => {
  it('passes on the dashboard and the rules as committed', () => {
    const { code, out } = checkCopy();
    expect(out).toMatch(/all in the catalog/);
    expect(code).toBe(0);
  });

  it('fails on a metric of the dashboard that is not in the catalog', () => {
    const { code, out } = checkCopy(
      replaceIn('grafana-dashboard.json', 'idp_tokens_issued_total', 'idp_tokens_minted_total'),
    );
    expect(code).toBe(1);
    expect(out).toMatch(/idp_tokens_minted_total is not in/);
  });

  it('fails on a metric of an alert rule that is not in the catalog', () => {
    const { code, out } = checkCopy(
      replaceIn('prometheus-alerts.yaml', 'idp_consumer_lag)', 'idp_consumer_lag_messages)'),
    );
    expect(code).toBe(1);
    expect(out).toMatch(/IdpConsumerLagHigh.*idp_consumer_lag_messages is not in/);
  });

  it('fails on a label the metric does not have', () => {
    const { code, out } = checkCopy(
      replaceIn('prometheus-alerts.yaml', 'http_route="/introspect"', 'route="/introspect"'),
    );
    expect(code).toBe(1);
    expect(out).toMatch(/has no label route/);
  });

  it('takes _bucket, _sum and _count only for histograms', () => {
    const { code, out } = checkCopy(
      replaceIn(
        'prometheus-alerts.yaml',
        'max(idp_outbox_oldest',
        'max(idp_outbox_backlog_count) + max(idp_outbox_oldest',
      ),
    );
    expect(code).toBe(1);
    expect(out).toMatch(/idp_outbox_backlog_count is not in/);
  });

  it('fails when the dashboard has no Prometheus datasource variable', () => {
    const { code, out } = checkCopy(
      replaceIn('grafana-dashboard.json', '"type": "datasource",\n', '"type": "custom",\n'),
    );
    expect(code).toBe(1);
    expect(out).toMatch(/no Prometheus datasource variable/);
  });

  it('fails on rules that are not in the groups: format', () => {
    const { code, out } = checkCopy((dir) =>
      writeFileSync(join(dir, 'prometheus-alerts.yaml'), '- alert: X\n  expr: up\n'),
    );
    expect(code).toBe(1);
    expect(out).toMatch(/no `groups:`/);
  });
});
