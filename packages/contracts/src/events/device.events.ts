import { z } from 'zod';
import { defineEvent, type EventOf } from '../define-event';
import { epochSeconds, id, scope, tokenHash } from './common';

/** Seconds between two polls (RFC 8628 3.2 `interval`), grown by slow_down. */
const interval = z.number().int().positive().max(3600);

/**
 * Device authorization stream (`device-<deviceId>`, RFC 8628): one device's
 * request, the user's decision on the verification page, and the single
 * redemption of its device_code. Published on the token topic; its readers
 * there skip these types. Neither code is stored in clear: the device_code
 * and the user_code appear only as keyed hashes. Expiry is not an event: it
 * is `exp` compared with the time of each command.
 */
export const DeviceAuthorizationRequested = defineEvent(
  'device.authorization_requested',
  1,
  z.object({
    deviceId: id,
    clientId: id,
    scope,
    deviceCodeHash: tokenHash,
    userCodeHash: tokenHash,
    interval,
    exp: epochSeconds,
  }),
);

/** The user signed in and approved on the verification page: the session that approved. */
export const DeviceAuthorizationApproved = defineEvent(
  'device.authorization_approved',
  1,
  z.object({
    deviceId: id,
    clientId: id,
    sub: id,
    sid: id.optional(),
    authTime: epochSeconds,
    acr: z.string().optional(),
    amr: z.array(z.string()).optional(),
  }),
);

export const DeviceAuthorizationDenied = defineEvent(
  'device.authorization_denied',
  1,
  z.object({ deviceId: id, clientId: id, sub: id.optional() }),
);

/** RFC 8628 3.5 slow_down: the client polled within its interval, which is now `interval`. */
export const DevicePolledTooFast = defineEvent(
  'device.polled_too_fast',
  1,
  z.object({ deviceId: id, clientId: id, interval }),
);

/** The device_code was exchanged for tokens, issued under the grant `grantId`. */
export const DeviceCodeRedeemed = defineEvent(
  'device.code_redeemed',
  1,
  z.object({ deviceId: id, clientId: id, grantId: id, sub: id, sid: id.optional() }),
);

export const deviceEvents = [
  DeviceAuthorizationRequested,
  DeviceAuthorizationApproved,
  DeviceAuthorizationDenied,
  DevicePolledTooFast,
  DeviceCodeRedeemed,
] as const;

export type DeviceEvent =
  | EventOf<typeof DeviceAuthorizationRequested>
  | EventOf<typeof DeviceAuthorizationApproved>
  | EventOf<typeof DeviceAuthorizationDenied>
  | EventOf<typeof DevicePolledTooFast>
  | EventOf<typeof DeviceCodeRedeemed>;
