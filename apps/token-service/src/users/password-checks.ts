import { availableParallelism } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { hashPassword, verifyPassword } from '@idp/crypto';
import { countAbuseRefusal } from '@idp/nest-kit';
import { TemporarilyUnavailable } from '@idp/oauth-errors';
import { AdmissionGate, AdmissionRefused } from './admission-gate';

/** Each check holds ~128 MiB: two beside the process fit a 512Mi container (ADR 0016). */
const AUTO_CONCURRENCY_CAP = 2;

/** Seconds a refused sign-in is told to wait: a queue of checks drains in about that. */
const BUSY_RETRY_AFTER_SECONDS = 1;

export function passwordCheckConcurrency(
  config: Pick<Config, 'PASSWORD_CHECK_CONCURRENCY'>,
): number {
  return (
    config.PASSWORD_CHECK_CONCURRENCY ?? Math.min(availableParallelism(), AUTO_CONCURRENCY_CAP)
  );
}

/**
 * Every scrypt this process runs (verifying and hashing) goes through one
 * admission gate, so the memory they hold is bounded whatever arrives.
 * Refused work is a 503 `temporarily_unavailable` with `Retry-After`; the
 * login page turns it into "try again shortly".
 */
@Injectable()
export class PasswordChecks {
  private readonly gate: AdmissionGate;

  constructor(@Inject(CONFIG) config: Config) {
    this.gate = new AdmissionGate({
      concurrency: passwordCheckConcurrency(config),
      queue: config.PASSWORD_CHECK_QUEUE,
      queueTimeoutMs: config.PASSWORD_CHECK_QUEUE_TIMEOUT_MS,
    });
  }

  verify(password: string, stored: string): Promise<boolean> {
    return this.admit(() => verifyPassword(password, stored));
  }

  hash(password: string): Promise<string> {
    return this.admit(() => hashPassword(password));
  }

  private async admit<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.gate.run(work);
    } catch (err) {
      if (!(err instanceof AdmissionRefused)) throw err;
      countAbuseRefusal('busy', 'password_check');
      throw new TemporarilyUnavailable('too many sign-ins at once; try again shortly', {
        headers: { 'Retry-After': String(BUSY_RETRY_AFTER_SECONDS) },
      });
    }
  }
}
