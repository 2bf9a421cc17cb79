import { Inject, Injectable, Logger } from '@nestjs/common';
import { READ_MODEL_CACHE, type ReadModelCache } from '@idp/cache';
import { TemporarilyUnavailable } from '@idp/oauth-errors';

/**
 * What the device flow keeps besides its events, in the store every
 * token-service replica shares (Redis distributed, memory embedded): the
 * index from a user code's keyed hash to its device, and each device's
 * polling pace. Neither is a fact worth an event: the index is derivable from
 * `device.authorization_requested`, the pace is a clock. A store that cannot
 * answer is a 503, never a guess.
 */
@Injectable()
export class DeviceFlowStore {
  private readonly log = new Logger('DeviceFlowStore');

  constructor(@Inject(READ_MODEL_CACHE) private readonly store: ReadModelCache) {}

  /**
   * Reserves a user code for a device until it expires. False when a live
   * device holds the same code (the caller draws another): SET NX makes two
   * replicas drawing the same code at once see it.
   */
  reserveUserCode(userCodeHash: string, deviceId: string, ttlSeconds: number): Promise<boolean> {
    return this.guarded(() =>
      this.store.setIfAbsent(userCodeKey(userCodeHash), deviceId, ttlSeconds * 1000),
    );
  }

  /** The device a user code was given to, while it lives. */
  deviceOfUserCode(userCodeHash: string): Promise<string | null> {
    return this.guarded(() => this.store.get(userCodeKey(userCodeHash)));
  }

  /**
   * Whether this poll came within `intervalSeconds` of the last counted
   * one (RFC 8628 3.5): the first poll of a window claims it with SET NX,
   * whichever replica it reaches.
   */
  async polledTooFast(deviceId: string, intervalSeconds: number): Promise<boolean> {
    const first = await this.guarded(() =>
      this.store.setIfAbsent(pollKey(deviceId), '1', intervalSeconds * 1000),
    );
    return !first;
  }

  /** After slow_down: the next poll must wait the whole grown interval from now. */
  restartPollWindow(deviceId: string, intervalSeconds: number): Promise<void> {
    return this.guarded(() => this.store.set(pollKey(deviceId), '1', intervalSeconds * 1000));
  }

  private async guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      this.log.warn(`device flow store failed: ${(err as Error).message}`);
      throw new TemporarilyUnavailable('the device flow is unavailable; retry the request', {
        cause: err,
      });
    }
  }
}

const userCodeKey = (hash: string) => `device:user-code:${hash}`;
const pollKey = (deviceId: string) => `device:poll:${deviceId}`;
