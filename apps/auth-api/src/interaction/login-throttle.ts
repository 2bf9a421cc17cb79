import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import {
  ATTEMPT_THROTTLE,
  InMemoryAttemptThrottle,
  type AttemptThrottle,
  type ThrottlePolicy,
} from '@idp/cache';
import { loginThrottleKey } from '@idp/domain';
import { countLoginLock } from '@idp/nest-kit';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';

/** A sign-in that may go on to the password check; report how it ended. */
export interface LoginAttempt {
  readonly allowed: true;
  succeeded(): Promise<void>;
  failed(): Promise<void>;
  /** The check did not happen (token-service busy or down): nothing is counted. */
  abandoned(): Promise<void>;
}

export type LoginVerdict =
  LoginAttempt | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * Failed sign-ins slowed down per username and per client IP (ADR 0016),
 * before the password check, so one source cannot fill token-service's
 * shared queue of checks. The username key is a hash of the typed name:
 * names with and without an account are throttled and locked alike. A lock
 * is recorded as an event through token-service. If the throttle store is
 * unreachable, sign-ins go on unthrottled (the admission gate in
 * token-service still bounds them) rather than nobody signing in.
 */
@Injectable()
export class LoginThrottle {
  private readonly log = new Logger('LoginThrottle');
  private readonly throttle: AttemptThrottle;
  private readonly user: ThrottlePolicy;
  private readonly ip: ThrottlePolicy;
  /** Password checks in flight per client IP on this replica. */
  private readonly inFlight = new Map<string, number>();
  private readonly perIp: number;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient,
    // Unbound only in test harnesses of auth-api alone: one process, so memory is shared enough.
    @Optional() @Inject(ATTEMPT_THROTTLE) throttle?: AttemptThrottle,
  ) {
    this.throttle = throttle ?? new InMemoryAttemptThrottle();
    this.perIp = config.LOGIN_CONCURRENCY_PER_IP;
    const common = {
      delayMs: config.LOGIN_THROTTLE_DELAY_MS,
      maxDelayMs: config.LOGIN_THROTTLE_MAX_DELAY_MS,
      windowMs: config.LOGIN_THROTTLE_WINDOW_SECONDS * 1000,
      lockMs: config.LOGIN_LOCK_SECONDS * 1000,
    };
    this.user = {
      ...common,
      freeFailures: config.LOGIN_THROTTLE_FREE_FAILURES,
      lockFailures: config.LOGIN_LOCK_FAILURES,
    };
    this.ip = { ...common, freeFailures: config.LOGIN_THROTTLE_IP_FREE_FAILURES, lockFailures: 0 };
  }

  async begin(username: string, ip: string): Promise<LoginVerdict> {
    // A source with its share of checks in flight waits its turn here, not in the shared queue.
    if ((this.inFlight.get(ip) ?? 0) >= this.perIp) return refused(1000);
    this.inFlight.set(ip, (this.inFlight.get(ip) ?? 0) + 1);
    const verdict = await this.counted(username, ip);
    if (!verdict.allowed) this.leave(ip);
    return verdict;
  }

  private leave(ip: string): void {
    const left = (this.inFlight.get(ip) ?? 1) - 1;
    if (left > 0) this.inFlight.set(ip, left);
    else this.inFlight.delete(ip);
  }

  private async counted(username: string, ip: string): Promise<LoginVerdict> {
    const userKey = `login:user:${loginThrottleKey(username)}`;
    const ipKey = `login:ip:${ip}`;
    try {
      const byIp = await this.throttle.begin(ipKey, this.ip);
      if (!byIp.allowed) return refused(byIp.retryAfterMs);
      const byUser = await this.throttle.begin(userKey, this.user);
      if (!byUser.allowed) {
        await this.throttle.refund(ipKey, this.ip);
        return refused(byUser.retryAfterMs);
      }
    } catch (err) {
      this.log.warn(`throttle store unavailable, sign-in not throttled: ${(err as Error).message}`);
      return this.released(ip, unthrottled);
    }
    return this.released(ip, {
      allowed: true,
      succeeded: () =>
        this.quietly(async () => {
          await this.throttle.clear(userKey);
          await this.throttle.refund(ipKey, this.ip);
        }),
      failed: () =>
        this.quietly(async () => {
          await this.throttle.fail(ipKey, this.ip);
          const until = await this.throttle.fail(userKey, this.user);
          if (until !== undefined) {
            countLoginLock();
            await this.recordLock(username, until);
          }
        }),
      abandoned: () =>
        this.quietly(async () => {
          await this.throttle.refund(userKey, this.user);
          await this.throttle.refund(ipKey, this.ip);
        }),
    });
  }

  /** The same attempt, giving back its in-flight place once its outcome is known. */
  private released(ip: string, attempt: LoginAttempt): LoginAttempt {
    const done = (report: () => Promise<void>) => async (): Promise<void> => {
      this.leave(ip);
      await report();
    };
    return {
      allowed: true,
      succeeded: done(attempt.succeeded),
      failed: done(attempt.failed),
      abandoned: done(attempt.abandoned),
    };
  }

  /** An admin lifted the lock: forget the username's failures. True if it was locked. */
  clearUser(key: string): Promise<boolean> {
    return this.throttle.clear(`login:user:${key}`);
  }

  private async recordLock(username: string, untilMs: number): Promise<void> {
    await this.tokens.recordLoginLock({
      key: loginThrottleKey(username),
      until: Math.ceil(untilMs / 1000),
      failures: this.user.lockFailures,
    });
  }

  private async quietly(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.log.warn(`throttle update failed: ${(err as Error).message}`);
    }
  }
}

const refused = (retryAfterMs: number) =>
  ({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) }) as const;

const noop = async (): Promise<void> => undefined;
const unthrottled: LoginAttempt = {
  allowed: true,
  succeeded: noop,
  failed: noop,
  abandoned: noop,
};
