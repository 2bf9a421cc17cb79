import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import {
  ATTEMPT_THROTTLE,
  InMemoryAttemptThrottle,
  type AttemptThrottle,
  type ThrottlePolicy,
} from '@idp/cache';
import { keyedHash } from '@idp/crypto';
import { EdgeConfig } from '../http/edge-config';

/** An entry that may go on to the lookup; report how it ended. */
export interface UserCodeAttempt {
  readonly allowed: true;
  /** The code named a pending request: the attempt is taken back. */
  succeeded(): Promise<void>;
  /** Unknown, expired or answered: counted against the IP and the code. */
  failed(): Promise<void>;
}

export type UserCodeVerdict =
  | UserCodeAttempt
  | { readonly allowed: false; readonly retryAfterSeconds: number }
  | { readonly allowed: false; readonly unavailable: true };

/**
 * The user_code brute-force guard (RFC 8628 5.1): wrong codes are counted
 * per client IP and per code in the attempt throttle every auth-api replica
 * shares (Redis distributed, memory embedded; ADR 0016's store), and a key
 * past its limit is locked for the window. 20^8 codes against ten guesses
 * per IP per window leave a guesser nothing. Unlike sign-in, a store that
 * cannot answer refuses (fail closed): the codes are short on purpose, and
 * this guard is what makes that safe.
 */
@Injectable()
export class UserCodeGuard {
  private readonly log = new Logger('UserCodeGuard');
  private readonly throttle: AttemptThrottle;
  private readonly ip: ThrottlePolicy;
  private readonly code: ThrottlePolicy;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly edge: EdgeConfig,
    // Unbound only in test harnesses of auth-api alone: one process, so memory is shared enough.
    @Optional() @Inject(ATTEMPT_THROTTLE) throttle?: AttemptThrottle,
  ) {
    this.throttle = throttle ?? new InMemoryAttemptThrottle();
    const windowMs = config.DEVICE_USER_CODE_WINDOW_SECONDS * 1000;
    const policy = (failures: number): ThrottlePolicy => ({
      freeFailures: failures,
      lockFailures: failures,
      delayMs: windowMs,
      maxDelayMs: windowMs,
      lockMs: windowMs,
      windowMs,
    });
    this.ip = policy(config.DEVICE_USER_CODE_IP_FAILURES);
    this.code = policy(config.DEVICE_USER_CODE_CODE_FAILURES);
  }

  /** `code`: the normalised user code (or what was typed, if it is none). */
  async begin(ip: string, code: string): Promise<UserCodeVerdict> {
    const ipKey = `device-code:ip:${ip}`;
    // Keyed: the store must not hold a live code, nor a hash anyone could reverse offline.
    const codeKey = `device-code:code:${keyedHash(this.edge.deviceThrottleKey, code)}`;
    try {
      const byIp = await this.throttle.begin(ipKey, this.ip);
      if (!byIp.allowed) return refused(byIp.retryAfterMs);
      const byCode = await this.throttle.begin(codeKey, this.code);
      if (!byCode.allowed) {
        await this.throttle.refund(ipKey, this.ip);
        return refused(byCode.retryAfterMs);
      }
    } catch (err) {
      this.log.warn(`user code throttle unavailable, entry refused: ${(err as Error).message}`);
      return { allowed: false, unavailable: true };
    }
    return {
      allowed: true,
      succeeded: () =>
        this.quietly(async () => {
          await this.throttle.refund(ipKey, this.ip);
          await this.throttle.refund(codeKey, this.code);
        }),
      failed: () =>
        this.quietly(async () => {
          await this.throttle.fail(ipKey, this.ip);
          await this.throttle.fail(codeKey, this.code);
        }),
    };
  }

  private async quietly(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.log.warn(`user code throttle update failed: ${(err as Error).message}`);
    }
  }
}

const refused = (retryAfterMs: number) =>
  ({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) }) as const;
