import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<boolean> | boolean;

export interface ReadinessReport {
  readonly status: 'ready' | 'not_ready';
  readonly checks: Record<string, 'up' | 'down'>;
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
 * Modules register a readiness check for each real dependency they hold
 * (database, broker, Redis). A hung dependency counts as down after a short
 * timeout, so the probe itself never hangs.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async readiness(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(
        async ([name, check]) => [name, (await run(check)) ? 'up' : 'down'] as const,
      ),
    );
    const checks = Object.fromEntries(entries);
    return { status: entries.every(([, s]) => s === 'up') ? 'ready' : 'not_ready', checks };
  }
}
