import {
  DeviceAuthorizationApproved,
  DeviceAuthorizationDenied,
  DeviceAuthorizationRequested,
  DeviceCodeRedeemed,
  DevicePolledTooFast,
  type DeviceEvent,
  type PendingEvent,
} from '@idp/contracts';
import {
  AccessDenied,
  AuthorizationPending,
  ExpiredToken,
  InvalidGrant,
  type OAuthError,
  SlowDown,
} from '@idp/oauth-errors';
import {
  assertNever,
  type CommandMeta,
  type Decider,
  DomainRuleError,
  eventMeta,
} from '../decider';

/** RFC 8628 3.5: each slow_down adds 5 seconds to the interval, for the rest of the flow. */
export const SLOW_DOWN_STEP_SECONDS = 5;

/**
 * Fixed descriptions. An unknown device code and another client's read the
 * same, so a client learns nothing about devices it does not own.
 */
export const DeviceErrors = {
  codeInvalid: 'device code is invalid',
  codeUsed: 'device code has already been used',
  codeExpired: 'device code is expired',
  denied: 'the user denied the authorization request',
  pending: 'the user has not yet approved the authorization request',
  slowDown: 'polling too fast: wait the interval between requests',
  userCodeInvalid: 'user code is invalid or expired',
  alreadyDecided: 'the authorization request was already answered',
} as const;

export type DeviceStatus = 'pending' | 'approved' | 'denied' | 'redeemed';

export interface DeviceApproval {
  readonly sub: string;
  readonly sid?: string;
  readonly authTime: number;
  readonly acr?: string;
  readonly amr?: readonly string[];
}

export interface DeviceAuthorization {
  readonly status: DeviceStatus;
  readonly deviceId: string;
  readonly clientId: string;
  readonly scope: string;
  readonly deviceCodeHash: string;
  readonly userCodeHash: string;
  /** Seconds the client must wait between polls (grown by slow_down). */
  readonly interval: number;
  readonly exp: number;
  readonly approval?: DeviceApproval;
  readonly grantId?: string;
}
export type DeviceState = { readonly status: 'empty' } | DeviceAuthorization;

interface Base {
  readonly meta: CommandMeta;
}
export interface RequestDeviceAuthorization extends Base {
  readonly type: 'RequestDeviceAuthorization';
  readonly deviceId: string;
  readonly clientId: string;
  readonly scope: string;
  readonly deviceCodeHash: string;
  readonly userCodeHash: string;
  readonly interval: number;
  readonly exp: number;
}
/** The verification page: the user with this session approves the code they entered. */
export interface ApproveDeviceAuthorization extends Base, DeviceApproval {
  readonly type: 'ApproveDeviceAuthorization';
  readonly userCodeHash: string;
}
export interface DenyDeviceAuthorization extends Base {
  readonly type: 'DenyDeviceAuthorization';
  readonly userCodeHash: string;
  readonly sub?: string;
}
/**
 * One poll of the token endpoint. `tooFast` is whether the client polled
 * within its interval, as the pacing store replicas share answered (the
 * decider keeps no clock of its own); `grantId` is the fresh grant the
 * tokens go to if the user approved.
 */
export interface PollDeviceAuthorization extends Base {
  readonly type: 'PollDeviceAuthorization';
  readonly deviceCodeHash: string;
  readonly clientId: string;
  readonly tooFast: boolean;
  readonly grantId: string;
}
export type DeviceCommand =
  | RequestDeviceAuthorization
  | ApproveDeviceAuthorization
  | DenyDeviceAuthorization
  | PollDeviceAuthorization;

type PendingDeviceEvent = PendingEvent<DeviceEvent['type'], DeviceEvent['data']>;

function request(cmd: RequestDeviceAuthorization, state: DeviceState): PendingDeviceEvent[] {
  if (state.status !== 'empty')
    throw new DomainRuleError('device.exists', `device authorization ${cmd.deviceId} exists`);
  if (cmd.exp <= cmd.meta.now)
    throw new DomainRuleError('device.born_expired', 'device code expiry must be in the future');
  const { type: _type, meta, ...data } = cmd;
  return [DeviceAuthorizationRequested.create(data, eventMeta(meta))];
}

/**
 * The page's user code must be this device's, unexpired and unanswered. A
 * second approval by the same user (a double click) changes nothing.
 */
function approve(cmd: ApproveDeviceAuthorization, state: DeviceState): PendingDeviceEvent[] {
  const device = decidable(state, cmd.userCodeHash, cmd.meta.now);
  if (device.status === 'approved' && device.approval?.sub === cmd.sub) return [];
  if (device.status !== 'pending') throw new InvalidGrant(DeviceErrors.alreadyDecided);
  return [
    DeviceAuthorizationApproved.create(
      {
        deviceId: device.deviceId,
        clientId: device.clientId,
        sub: cmd.sub,
        ...(cmd.sid === undefined ? {} : { sid: cmd.sid }),
        authTime: cmd.authTime,
        ...(cmd.acr === undefined ? {} : { acr: cmd.acr }),
        ...(cmd.amr === undefined ? {} : { amr: [...cmd.amr] }),
      },
      eventMeta(cmd.meta),
    ),
  ];
}

function deny(cmd: DenyDeviceAuthorization, state: DeviceState): PendingDeviceEvent[] {
  const device = decidable(state, cmd.userCodeHash, cmd.meta.now);
  if (device.status === 'denied') return [];
  if (device.status !== 'pending') throw new InvalidGrant(DeviceErrors.alreadyDecided);
  return [
    DeviceAuthorizationDenied.create(
      {
        deviceId: device.deviceId,
        clientId: device.clientId,
        ...(cmd.sub === undefined ? {} : { sub: cmd.sub }),
      },
      eventMeta(cmd.meta),
    ),
  ];
}

function decidable(state: DeviceState, userCodeHash: string, now: number): DeviceAuthorization {
  if (state.status === 'empty' || state.userCodeHash !== userCodeHash || state.exp <= now)
    throw new InvalidGrant(DeviceErrors.userCodeInvalid);
  return state;
}

/**
 * RFC 8628 3.5, in the order a poll is judged: not this client's code (reads
 * as unknown), already redeemed (single use, RFC 8628 3.5 / RFC 6749 10.5),
 * expired, denied, still pending (slow_down when too fast, else
 * authorization_pending), approved (redeemed now). Pending and the other
 * refusals append nothing and throw; a too-fast poll appends the grown
 * interval (so every replica asks for the same) and the handler throws
 * slow_down after the append (see pollRejection).
 */
function poll(cmd: PollDeviceAuthorization, state: DeviceState): PendingDeviceEvent[] {
  if (
    state.status === 'empty' ||
    state.deviceCodeHash !== cmd.deviceCodeHash ||
    state.clientId !== cmd.clientId
  )
    throw new InvalidGrant(DeviceErrors.codeInvalid);
  if (state.status === 'redeemed') throw new InvalidGrant(DeviceErrors.codeUsed);
  if (state.exp <= cmd.meta.now) throw new ExpiredToken(DeviceErrors.codeExpired);
  if (state.status === 'denied') throw new AccessDenied(DeviceErrors.denied);
  if (state.status === 'pending') {
    if (!cmd.tooFast) throw new AuthorizationPending(DeviceErrors.pending);
    return [
      DevicePolledTooFast.create(
        {
          deviceId: state.deviceId,
          clientId: state.clientId,
          interval: state.interval + SLOW_DOWN_STEP_SECONDS,
        },
        eventMeta(cmd.meta),
      ),
    ];
  }
  const approval = state.approval;
  if (approval === undefined)
    throw new DomainRuleError('device.no_approval', 'an approved device has its approval');
  return [
    DeviceCodeRedeemed.create(
      {
        deviceId: state.deviceId,
        clientId: state.clientId,
        grantId: cmd.grantId,
        sub: approval.sub,
        ...(approval.sid === undefined ? {} : { sid: approval.sid }),
      },
      eventMeta(cmd.meta),
    ),
  ];
}

/** The error a poll still answers after its events were appended (slow_down), or undefined. */
export function pollRejection(
  events: readonly { readonly type: string }[],
): OAuthError | undefined {
  return events.some((e) => e.type === 'device.polled_too_fast')
    ? new SlowDown(DeviceErrors.slowDown)
    : undefined;
}

function decide(command: DeviceCommand, state: DeviceState): PendingDeviceEvent[] {
  switch (command.type) {
    case 'RequestDeviceAuthorization':
      return request(command, state);
    case 'ApproveDeviceAuthorization':
      return approve(command, state);
    case 'DenyDeviceAuthorization':
      return deny(command, state);
    case 'PollDeviceAuthorization':
      return poll(command, state);
    default:
      return assertNever(command);
  }
}

/** Total over every (state, event) pair: impossible pairs leave the state as it is. */
function evolve(state: DeviceState, event: DeviceEvent): DeviceState {
  if (event.type === 'device.authorization_requested')
    return state.status === 'empty' ? { status: 'pending', ...event.data } : state;
  if (state.status === 'empty') return state;
  switch (event.type) {
    case 'device.authorization_approved': {
      const { sub, sid, authTime, acr, amr } = event.data;
      return state.status === 'pending'
        ? {
            ...state,
            status: 'approved',
            approval: {
              sub,
              authTime,
              ...(sid === undefined ? {} : { sid }),
              ...(acr === undefined ? {} : { acr }),
              ...(amr === undefined ? {} : { amr }),
            },
          }
        : state;
    }
    case 'device.authorization_denied':
      return state.status === 'pending' ? { ...state, status: 'denied' } : state;
    case 'device.polled_too_fast':
      return { ...state, interval: Math.max(state.interval, event.data.interval) };
    case 'device.code_redeemed':
      return state.status === 'approved'
        ? { ...state, status: 'redeemed', grantId: event.data.grantId }
        : state;
    default:
      return assertNever(event);
  }
}

export const deviceDecider: Decider<DeviceState, DeviceCommand, DeviceEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'empty' }),
};
