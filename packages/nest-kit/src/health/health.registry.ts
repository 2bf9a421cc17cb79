import { Injectable } from '@nestjs/common';
import { metrics, reportDependenciesFrom } from '../metrics/metrics';

export type ReadinessCheck = () => Promise<boolean> | boolean;

export interface CheckOptions {
  /**
   * true: the process cannot answer its requests without this dependency, so
   * it fails readiness (the instance leaves load balancing). false: reported
   * in /health/dependencies and the `idp_dependency_up` gauge only. A
   * dependency every replica shares and the process can serve without (the
   * bus behind an outbox) must not be required: its outage would take every
   * instance out of its Service at once (docs/operations/health.md).
   */
  readonly required: boolean;
}

export interface ReadinessReport {
  readonly status: 'ready' | 'not_ready';
  /** Why the process is out of rotation whatever its checks say (`shutting down`). */
  readonly reason?: string;
  /** The required checks only. */
  readonly checks: Record<string, 'up' | 'down'>;
}

export interface DependencyState {
  readonly status: 'up' | 'down';
  readonly required: boolean;
}

export interface DependencyReport {
  /** Same verdict as readiness. */
  readonly status: 'ready' | 'not_ready';
  readonly dependencies: Record<string, DependencyState>;
}

const CHECK_TIMEOUT_MS = 1_500;

async function run(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Modules register a check for each real dependency they hold (database,
 * broker, Redis), as required or informational. A hung dependency counts as
 * down after a short timeout, so a probe never hangs. Every run of the
 * checks also sets the `idp_dependency_up` gauge, which a /metrics scrape
 * refreshes.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, { check: ReadinessCheck; required: boolean }>();
  private notReadyReason: string | undefined;
  private readonly leaving = new AbortController();
  /**
   * Aborted when the process leaves rotation (the first step of the
   * shutdown): work that waits on purpose, such as a held RFC 8936 long
   * poll, answers now instead of holding up the HTTP and gRPC drains.
   */
  readonly leavingRotation: AbortSignal = this.leaving.signal;

  constructor() {
    reportDependenciesFrom(() => this.dependencies());
  }

  register(name: string, check: ReadinessCheck, options: CheckOptions): void {
    this.checks.set(name, { check, required: options.required });
  }

  /**
   * From now on readiness fails with this reason, whatever the checks say:
   * the first step of the shutdown, so load balancers stop sending before
   * the listeners close.
   */
  markNotReady(reason: string): void {
    this.notReadyReason = reason;
    this.leaving.abort();
  }

  /** Readiness: the required checks only. */
  async readiness(): Promise<ReadinessReport> {
    const states = await this.run((entry) => entry.required);
    const checks = Object.fromEntries(Object.entries(states).map(([n, s]) => [n, s.status]));
    if (this.notReadyReason !== undefined)
      return { status: 'not_ready', reason: this.notReadyReason, checks };
    return { status: verdict(states), checks };
  }

  /** Every dependency, required or not, with the readiness verdict. */
  async dependencies(): Promise<DependencyReport> {
    const dependencies = await this.run(() => true);
    return { status: verdict(dependencies), dependencies };
  }

  private async run(
    which: (entry: { required: boolean }) => boolean,
  ): Promise<Record<string, DependencyState>> {
    const entries = await Promise.all(
      [...this.checks]
        .filter(([, entry]) => which(entry))
        .map(async ([name, entry]) => {
          const up = await run(entry.check);
          metrics.dependencyUp.set(
            { dependency: name, required: String(entry.required) },
            up ? 1 : 0,
          );
          return [name, { status: up ? 'up' : 'down', required: entry.required }] as const;
        }),
    );
    return Object.fromEntries(entries);
  }
}

function verdict(states: Record<string, DependencyState>): 'ready' | 'not_ready' {
  return Object.values(states).every((s) => s.status === 'up' || !s.required)
    ? 'ready'
    : 'not_ready';
}
