import { counterValue, type MetricsSource } from './metrics';

export interface DependencyReport {
  readonly status: 'ready' | 'not_ready';
  readonly dependencies: Record<string, { status: 'up' | 'down'; required: boolean }>;
}

/** Where a process answers /health/*: its admin listener (ADR 0017). */
export const healthUrl = (source: MetricsSource, probe: 'live' | 'ready' | 'dependencies') =>
  `${typeof source === 'string' ? source : source.adminUrl}/health/${probe}`;

/** GET /health/dependencies, or undefined when the process does not answer. */
export async function dependencies(source: MetricsSource): Promise<DependencyReport | undefined> {
  try {
    const res = await fetch(healthUrl(source, 'dependencies'), {
      signal: AbortSignal.timeout(3_000),
    });
    return res.status === 200 ? ((await res.json()) as DependencyReport) : undefined;
  } catch {
    return undefined;
  }
}

/** The bus as /health/dependencies and the idp_dependency_up gauge both see it, when they agree. */
export async function busState(source: MetricsSource): Promise<'up' | 'down' | undefined> {
  const report = await dependencies(source);
  const gauge = await counterValue(source, 'idp_dependency_up', { dependency: 'bus' }).catch(
    () => undefined,
  );
  const status = report?.dependencies['bus']?.status;
  if (status === 'up' && gauge === 1) return 'up';
  if (status === 'down' && gauge === 0) return 'down';
  return undefined;
}
