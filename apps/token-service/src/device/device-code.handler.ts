import { Inject, Injectable } from '@nestjs/common';
import { uuidv7, type TokenResponse } from '@idp/contracts';
import { verifyOpaqueToken } from '@idp/crypto';
import {
  DEVICE_CODE_GRANT_TYPE,
  deviceDecider,
  DeviceErrors,
  deviceStream,
  grantDecider,
  grantStream,
  hasScope,
  pollRejection,
  type DeviceAuthorization,
  type RegisteredClient,
} from '@idp/domain';
import { COMMAND_RUNNER, countIssuedTokens } from '@idp/nest-kit';
import type { CommandRunner } from '@idp/eventsourcing';
import { InvalidGrant } from '@idp/oauth-errors';
import { TokenSecrets } from '../secrets/token-secrets';
import { TokenMinter } from '../tokens/token-minter.service';
import { UserDirectory } from '../users/user-directory.service';
import {
  refreshBindingFor,
  tokenTypeFor,
  type GrantHandler,
  type RequestBinding,
} from '../grants/grant-handler';
import { claimsFor } from '../grants/user-claims';
import { DeviceFlowStore } from './device-flow-store';

/**
 * RFC 8628 3.4-3.5: the device polls with its device_code. The device
 * stream decides (pending, slow_down, denied, expired, used, another
 * client's); an approved code is redeemed there first, so a second
 * redemption conflicts or finds it used, and the tokens are then issued
 * under a fresh grant joined to the session that approved, as the code
 * flow's are (access, refresh if the client may refresh, ID token for openid).
 */
@Injectable()
export class DeviceCodeHandler implements GrantHandler {
  readonly grantType = DEVICE_CODE_GRANT_TYPE;
  readonly requiredParams = ['device_code'];

  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    private readonly secrets: TokenSecrets,
    private readonly minter: TokenMinter,
    private readonly users: UserDirectory,
    private readonly store: DeviceFlowStore,
  ) {}

  async handle(
    params: Readonly<Record<string, string>>,
    client: RegisteredClient,
    binding: RequestBinding,
  ): Promise<TokenResponse> {
    const deviceCode = params.device_code!;
    // The MAC is checked before any read: garbage never costs a round trip.
    const parts = verifyOpaqueToken(deviceCode, this.secrets.macKey);
    if (!parts || parts.kind !== 'dc') throw new InvalidGrant(DeviceErrors.codeInvalid);
    const stream = deviceStream(parts.handle);
    const loaded = await this.runner.load(deviceDecider, stream);
    const deviceCodeHash = this.secrets.tokenHash(deviceCode);
    const { state } = loaded;
    // Pace only the polls that would be answered pending: those are what slow_down is for.
    const tooFast =
      state.status === 'pending' &&
      state.deviceCodeHash === deviceCodeHash &&
      state.clientId === client.clientId &&
      (await this.store.polledTooFast(state.deviceId, state.interval));
    const grantId = uuidv7();
    const meta = this.runner.requestMeta();
    const result = await this.runner.runFrom(
      deviceDecider,
      stream,
      {
        type: 'PollDeviceAuthorization',
        deviceCodeHash,
        clientId: client.clientId,
        tooFast,
        grantId,
        meta,
      },
      loaded,
    );
    const rejection = pollRejection(result.appended);
    if (rejection) {
      if (result.state.status !== 'empty')
        await this.store.restartPollWindow(result.state.deviceId, result.state.interval);
      throw rejection;
    }
    if (result.state.status !== 'redeemed') throw new InvalidGrant(DeviceErrors.codeInvalid); // unreachable: the decider threw
    return this.issue(result.state, grantId, client, binding, meta);
  }

  private async issue(
    device: DeviceAuthorization,
    grantId: string,
    client: RegisteredClient,
    binding: RequestBinding,
    meta: { now: number; correlationId: string },
  ): Promise<TokenResponse> {
    const approval = device.approval!;
    const { now } = meta;
    const subject = {
      sub: approval.sub,
      ...(approval.sid === undefined ? {} : { sid: approval.sid }),
      authTime: approval.authTime,
      ...(approval.acr === undefined ? {} : { acr: approval.acr }),
      ...(approval.amr === undefined ? {} : { amr: approval.amr }),
    };
    const claims = await claimsFor(this.users, approval.sub, client);
    const at = await this.minter.accessToken({
      grantId,
      client,
      subject,
      scope: device.scope,
      extraClaims: claims.accessToken,
      now,
      // RFC 9449 5 / RFC 8705 3: bound like every other grant's (a device may hold a DPoP key).
      cnf: binding.cnf,
    });
    const wantsRefresh = client.metadata.grant_types.includes('refresh_token');
    const rt = wantsRefresh
      ? this.minter.refreshToken(grantId, now, refreshBindingFor(client, binding))
      : undefined;
    const idt = hasScope(device.scope, 'openid')
      ? await this.minter.idToken({
          client,
          subject,
          accessToken: at.token,
          claims: {},
          now,
        })
      : undefined;
    await this.runner.runNew(grantDecider, grantStream(grantId), {
      type: 'IssueDeviceGrant',
      grantId,
      clientId: client.clientId,
      sub: approval.sub,
      ...(approval.sid === undefined ? {} : { sid: approval.sid }),
      scope: device.scope,
      accessToken: at.spec,
      ...(rt ? { refreshToken: rt.spec } : {}),
      ...(idt ? { idToken: idt.spec } : {}),
      meta,
    });
    countIssuedTokens(DEVICE_CODE_GRANT_TYPE, {
      accessToken: at.spec,
      refreshToken: rt !== undefined,
      idToken: idt !== undefined,
    });
    return {
      access_token: at.token,
      token_type: tokenTypeFor(at.spec.cnf),
      expires_in: at.spec.exp - now,
      ...(rt ? { refresh_token: rt.token } : {}),
      ...(idt ? { id_token: idt.token } : {}),
      scope: device.scope,
    };
  }
}
