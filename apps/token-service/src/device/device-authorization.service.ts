import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { uuidv7, type ClientAuthentication } from '@idp/contracts';
import { mintOpaqueToken, randomBytes } from '@idp/crypto';
import {
  allowsGrant,
  DEVICE_CODE_GRANT_TYPE,
  deviceDecider,
  DeviceErrors,
  deviceStream,
  formatUserCode,
  normaliseUserCode,
  scopeTokens,
  userCodeFromBytes,
  type DeviceAuthorization,
} from '@idp/domain';
import { COMMAND_RUNNER } from '@idp/nest-kit';
import type { CommandRunner } from '@idp/eventsourcing';
import {
  InvalidGrant,
  InvalidScope,
  TemporarilyUnavailable,
  UnauthorizedClient,
} from '@idp/oauth-errors';
import { ClientAuthenticator } from '../clients/client-authenticator';
import { ClientRegistry } from '../clients/client-registry.service';
import { TokenSecrets } from '../secrets/token-secrets';
import { DeviceFlowStore } from './device-flow-store';

/** Draws before giving up on a free user code: a collision among live codes is already rare. */
const USER_CODE_DRAWS = 5;

export interface DeviceAuthorizationInput {
  readonly clientAuth: ClientAuthentication;
  readonly endpoint: string;
  /** The requested scopes auth-api knows (unknown ones dropped there, as at /authorize). */
  readonly scope: readonly string[];
  /** Whether the request carried a non-empty scope parameter at all. */
  readonly scopeRequested: boolean;
}

export interface DeviceAuthorizationResult {
  readonly device_code: string;
  readonly user_code: string;
  readonly expires_in: number;
  readonly interval: number;
  readonly scope: string;
}

/** What the verification page shows about a pending request. */
export interface PendingDeviceRequest {
  readonly clientId: string;
  readonly clientName: string;
  readonly scope: string;
}

export interface DeviceDecisionInput {
  readonly userCode: string;
  readonly approve: boolean;
  readonly sub: string;
  readonly sid: string;
  readonly authTime: number;
  readonly amr: readonly string[];
  readonly acr?: string | undefined;
}

/**
 * RFC 8628 3.1-3.3: the device authorization request (client authenticated
 * as at /token, the grant type allowed for it, scope within its
 * registration), and the user's answer from the verification page. The
 * device_code is an opaque token naming the device's stream; the user_code
 * is reserved in the shared store and appears in the log only as a keyed hash.
 */
@Injectable()
export class DeviceAuthorizationService {
  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    @Inject(CONFIG) private readonly config: Config,
    private readonly authenticator: ClientAuthenticator,
    private readonly clients: ClientRegistry,
    private readonly secrets: TokenSecrets,
    private readonly store: DeviceFlowStore,
  ) {}

  async request(input: DeviceAuthorizationInput): Promise<DeviceAuthorizationResult> {
    const client = await this.authenticator.authenticate(
      input.clientAuth,
      input.endpoint,
      this.config.ISSUER,
    );
    if (!allowsGrant(client, DEVICE_CODE_GRANT_TYPE))
      throw new UnauthorizedClient(`the client may not use grant_type ${DEVICE_CODE_GRANT_TYPE}`);
    const scope = this.grantedScope(client.metadata.scope, input);
    const meta = this.runner.requestMeta();
    const ttl = this.config.DEVICE_CODE_TTL;
    const deviceId = uuidv7();
    const userCode = await this.reserveUserCode(deviceId, ttl);
    const deviceCode = mintOpaqueToken('dc', this.secrets.macKey, deviceId);
    await this.runner.runNew(deviceDecider, deviceStream(deviceId), {
      type: 'RequestDeviceAuthorization',
      deviceId,
      clientId: client.clientId,
      scope,
      deviceCodeHash: this.secrets.tokenHash(deviceCode),
      userCodeHash: this.userCodeHash(userCode),
      interval: this.config.DEVICE_POLL_INTERVAL,
      exp: meta.now + ttl,
      meta,
    });
    return {
      device_code: deviceCode,
      user_code: formatUserCode(userCode),
      expires_in: ttl,
      interval: this.config.DEVICE_POLL_INTERVAL,
      scope,
    };
  }

  /** The pending request a user code names, or undefined (unknown, expired or answered). */
  async pending(userCode: string): Promise<PendingDeviceRequest | undefined> {
    const device = await this.live(userCode);
    if (device === undefined || device.status !== 'pending') return undefined;
    const client = await this.clients.find(device.clientId);
    if (!client) return undefined;
    return {
      clientId: device.clientId,
      clientName: client.metadata.client_name ?? device.clientId,
      scope: device.scope,
    };
  }

  /** The user's answer; a code that is unknown, expired or already answered is invalid_grant. */
  async decide(input: DeviceDecisionInput): Promise<void> {
    const code = normaliseUserCode(input.userCode, this.config.DEVICE_USER_CODE_LENGTH);
    if (code === undefined) throw new InvalidGrant(DeviceErrors.userCodeInvalid);
    const userCodeHash = this.userCodeHash(code);
    const deviceId = await this.store.deviceOfUserCode(userCodeHash);
    if (deviceId === null) throw new InvalidGrant(DeviceErrors.userCodeInvalid);
    const meta = this.runner.requestMeta();
    await this.runner.run(
      deviceDecider,
      deviceStream(deviceId),
      input.approve
        ? {
            type: 'ApproveDeviceAuthorization',
            userCodeHash,
            sub: input.sub,
            sid: input.sid,
            authTime: input.authTime,
            amr: input.amr,
            ...(input.acr === undefined ? {} : { acr: input.acr }),
            meta,
          }
        : { type: 'DenyDeviceAuthorization', userCodeHash, sub: input.sub, meta },
    );
  }

  private async live(userCode: string): Promise<DeviceAuthorization | undefined> {
    const code = normaliseUserCode(userCode, this.config.DEVICE_USER_CODE_LENGTH);
    if (code === undefined) return undefined;
    const userCodeHash = this.userCodeHash(code);
    const deviceId = await this.store.deviceOfUserCode(userCodeHash);
    if (deviceId === null) return undefined;
    const { state } = await this.runner.load(deviceDecider, deviceStream(deviceId));
    if (state.status === 'empty' || state.userCodeHash !== userCodeHash) return undefined;
    return state.exp > this.runner.clock.nowSeconds() ? state : undefined;
  }

  /**
   * Scope as /authorize grants it: the known scopes requested (auth-api
   * dropped unknown ones) within the client's registered scope; nothing left
   * is invalid_scope.
   */
  private grantedScope(registered: string | undefined, input: DeviceAuthorizationInput): string {
    const allowed = registered === undefined ? undefined : new Set(scopeTokens(registered));
    const scope = [...new Set(input.scope)].filter((s) => allowed?.has(s) ?? true);
    if (scope.length === 0)
      throw new InvalidScope(
        input.scopeRequested ? 'no requested scope is allowed' : 'missing required parameter scope',
      );
    return scope.join(' ');
  }

  private async reserveUserCode(deviceId: string, ttl: number): Promise<string> {
    const length = this.config.DEVICE_USER_CODE_LENGTH;
    for (let draw = 0; draw < USER_CODE_DRAWS; draw += 1) {
      // Twice the bytes needed: rejection sampling skips about 6 % of them.
      const code = userCodeFromBytes(randomBytes(length * 2), length);
      if (code === undefined) continue;
      if (await this.store.reserveUserCode(this.userCodeHash(code), deviceId, ttl)) return code;
    }
    // Five collisions in a row mean the live codes crowd the space: a retry, not a 500.
    throw new TemporarilyUnavailable('no free user code could be drawn; retry the request');
  }

  private userCodeHash(code: string): string {
    return this.secrets.tokenHash(`device-user-code:${code}`);
  }
}
