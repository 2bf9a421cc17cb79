import {
  DeviceAuthorizationApproved,
  DeviceAuthorizationDenied,
  DeviceAuthorizationRequested,
  DeviceCodeRedeemed,
  DevicePolledTooFast,
  freshEventMeta,
} from '@idp/contracts';
import {
  AccessDenied,
  AuthorizationPending,
  ExpiredToken,
  InvalidGrant,
  SlowDown,
} from '@idp/oauth-errors';
import { deciderSpec } from '@idp/testing';
import { deviceStream } from '../streams';
import { deviceDecider, DeviceErrors, pollRejection } from './device.decider';

const NOW = 1_000;
const EXP = NOW + 600;
const DEVICE_HASH = 'D'.repeat(43);
const USER_HASH = 'U'.repeat(43);
const meta = (now = NOW) => ({ now, correlationId: 'c' });
const spec = deciderSpec(deviceDecider);

const requested = DeviceAuthorizationRequested.create(
  {
    deviceId: 'dev1',
    clientId: 'tv',
    scope: 'openid profile',
    deviceCodeHash: DEVICE_HASH,
    userCodeHash: USER_HASH,
    interval: 5,
    exp: EXP,
  },
  freshEventMeta('c'),
);
const approved = DeviceAuthorizationApproved.create(
  { deviceId: 'dev1', clientId: 'tv', sub: 'alice', sid: 's1', authTime: NOW, amr: ['pwd'] },
  freshEventMeta('c'),
);
const denied = DeviceAuthorizationDenied.create(
  { deviceId: 'dev1', clientId: 'tv', sub: 'alice' },
  freshEventMeta('c'),
);
const slowed = (interval: number) =>
  DevicePolledTooFast.create({ deviceId: 'dev1', clientId: 'tv', interval }, freshEventMeta('c'));
const redeemed = DeviceCodeRedeemed.create(
  { deviceId: 'dev1', clientId: 'tv', grantId: 'g1', sub: 'alice', sid: 's1' },
  freshEventMeta('c'),
);

const poll = (over: { clientId?: string; tooFast?: boolean; now?: number; hash?: string } = {}) =>
  ({
    type: 'PollDeviceAuthorization',
    deviceCodeHash: over.hash ?? DEVICE_HASH,
    clientId: over.clientId ?? 'tv',
    tooFast: over.tooFast ?? false,
    grantId: 'g1',
    meta: meta(over.now),
  }) as const;
const approve = (now = NOW, userCodeHash = USER_HASH, sub = 'alice') =>
  ({
    type: 'ApproveDeviceAuthorization',
    userCodeHash,
    sub,
    sid: 's1',
    authTime: NOW,
    amr: ['pwd'],
    meta: meta(now),
  }) as const;

describe('device authorization (RFC 8628)', () => {
  it('records a request, once, in a stream named by a random id', () => {
    const { type: _t, version: _v, ...rest } = requested;
    spec
      .given([])
      .when({
        type: 'RequestDeviceAuthorization',
        ...(rest.data as typeof requested.data),
        meta: meta(),
      })
      .then([{ type: 'device.authorization_requested', data: requested.data }]);
    spec
      .given([requested])
      .when({
        type: 'RequestDeviceAuthorization',
        ...(requested.data as typeof requested.data),
        meta: meta(),
      })
      .thenThrows(/exists/);
    expect(deviceStream('dev1')).toBe('device-dev1');
  });

  it('refuses a request born expired', () => {
    spec
      .given([])
      .when({
        type: 'RequestDeviceAuthorization',
        ...(requested.data as typeof requested.data),
        exp: NOW,
        meta: meta(),
      })
      .thenThrows(/future/);
  });

  describe('polling', () => {
    it('is authorization_pending while the user has not answered', () => {
      spec.given([requested]).when(poll()).thenThrows(AuthorizationPending);
      spec.given([requested]).when(poll()).thenThrows(DeviceErrors.pending);
    });

    it('slows a client that polls too fast down by 5 s each time, for good', () => {
      spec
        .given([requested])
        .when(poll({ tooFast: true }))
        .then([
          {
            type: 'device.polled_too_fast',
            data: { deviceId: 'dev1', clientId: 'tv', interval: 10 },
          },
        ]);
      spec
        .given([requested, slowed(10)])
        .when(poll({ tooFast: true }))
        .then([
          {
            type: 'device.polled_too_fast',
            data: { deviceId: 'dev1', clientId: 'tv', interval: 15 },
          },
        ]);
      // The grown interval stays in the state the pacing store reads.
      const state = [requested, slowed(10), slowed(15)].reduce(
        (s, e, i) => deviceDecider.evolve(s, { ...e, stream: 'device-dev1', streamVersion: i + 1 }),
        deviceDecider.initialState(),
      );
      expect(state).toMatchObject({ status: 'pending', interval: 15 });
    });

    it('answers slow_down after the append, and nothing else does', () => {
      expect(pollRejection([slowed(10)])).toBeInstanceOf(SlowDown);
      expect(pollRejection([redeemed])).toBeUndefined();
    });

    it('is access_denied once the user denied', () => {
      spec.given([requested, denied]).when(poll()).thenThrows(AccessDenied);
    });

    it('is expired_token after exp, pending or approved', () => {
      spec
        .given([requested])
        .when(poll({ now: EXP }))
        .thenThrows(ExpiredToken);
      spec
        .given([requested, approved])
        .when(poll({ now: EXP + 1 }))
        .thenThrows(ExpiredToken);
    });

    it('redeems an approved code for the session that approved it', () => {
      spec
        .given([requested, approved])
        .when(poll())
        .then([
          {
            type: 'device.code_redeemed',
            data: { deviceId: 'dev1', clientId: 'tv', grantId: 'g1', sub: 'alice', sid: 's1' },
          },
        ]);
      // An approved code is not slowed down: the tokens are ready.
      spec
        .given([requested, approved])
        .when(poll({ tooFast: true }))
        .then([{ type: 'device.code_redeemed', data: redeemed.data }]);
    });

    it('is single use: a second redemption is invalid_grant', () => {
      spec.given([requested, approved, redeemed]).when(poll()).thenThrows(InvalidGrant);
      spec.given([requested, approved, redeemed]).when(poll()).thenThrows(DeviceErrors.codeUsed);
    });

    it('reads another client’s code, a wrong code and an unknown device alike', () => {
      for (const given of [[requested], [requested, approved]]) {
        spec
          .given(given)
          .when(poll({ clientId: 'other' }))
          .thenThrows(DeviceErrors.codeInvalid);
        spec
          .given(given)
          .when(poll({ hash: 'X'.repeat(43) }))
          .thenThrows(DeviceErrors.codeInvalid);
      }
      spec.given([]).when(poll()).thenThrows(DeviceErrors.codeInvalid);
    });
  });

  describe('the verification page', () => {
    it('approves a pending request once; the same user again changes nothing', () => {
      spec
        .given([requested])
        .when(approve())
        .then([{ type: 'device.authorization_approved', data: approved.data }]);
      spec.given([requested, approved]).when(approve()).thenNothing();
      spec
        .given([requested, approved])
        .when(approve(NOW, USER_HASH, 'mallory'))
        .thenThrows(DeviceErrors.alreadyDecided);
    });

    it('denies a pending request; a denied one cannot be approved', () => {
      spec
        .given([requested])
        .when({
          type: 'DenyDeviceAuthorization',
          userCodeHash: USER_HASH,
          sub: 'alice',
          meta: meta(),
        })
        .then([{ type: 'device.authorization_denied', data: denied.data }]);
      spec.given([requested, denied]).when(approve()).thenThrows(DeviceErrors.alreadyDecided);
    });

    it('refuses an expired code, another user code and a redeemed request', () => {
      spec.given([requested]).when(approve(EXP)).thenThrows(DeviceErrors.userCodeInvalid);
      spec
        .given([requested])
        .when(approve(NOW, 'Y'.repeat(43)))
        .thenThrows(DeviceErrors.userCodeInvalid);
      spec
        .given([requested, approved, redeemed])
        .when({ type: 'DenyDeviceAuthorization', userCodeHash: USER_HASH, meta: meta() })
        .thenThrows(DeviceErrors.alreadyDecided);
    });
  });
});
