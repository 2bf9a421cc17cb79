import { Inject, Injectable } from '@nestjs/common';
import { loginThrottleDecider, loginThrottleKey, loginThrottleStream } from '@idp/domain';
import { COMMAND_RUNNER } from '@idp/nest-kit';
import type { CommandRunner } from '@idp/eventsourcing';

/**
 * The audit side of sign-in throttling (ADR 0016): the counts live in
 * auth-api's throttle store; a lock and an admin unlock are events on the
 * `login-throttle-<key>` stream, which exists for any typed name.
 */
@Injectable()
export class LoginLocks {
  constructor(@Inject(COMMAND_RUNNER) private readonly runner: CommandRunner) {}

  async recordLock(lock: { key: string; until: number; failures: number }): Promise<void> {
    await this.runner.run(loginThrottleDecider, loginThrottleStream(lock.key), {
      type: 'RecordLock',
      ...lock,
      meta: this.runner.requestMeta(),
    });
  }

  /** Whether a running lock was recorded as lifted; the key is what auth-api clears. */
  async unlock(sub: string, username: string): Promise<{ key: string; recorded: boolean }> {
    const key = loginThrottleKey(username);
    const result = await this.runner.run(loginThrottleDecider, loginThrottleStream(key), {
      type: 'Unlock',
      key,
      sub,
      meta: this.runner.requestMeta(),
    });
    return { key, recorded: result.appended.length > 0 };
  }
}
