import { streamId } from '@idp/contracts';
import { resourceIdOf } from './resource/resource.decider';
import { normaliseUsername } from './username/username.decider';

/**
 * Every aggregate's stream id, defined once. The prefixes are contracts'
 * STREAM_PREFIX (topicForStream routes by them); everything that reads or
 * appends a stream names it through these functions, never by a template.
 */
/** One stream per grant: everything issued under one authorization shares its fate. */
export const grantStream = (grantId: string): string => streamId('grant', grantId);
export const sessionStream = (sid: string): string => streamId('session', sid);
export const clientStream = (clientId: string): string => streamId('client', clientId);
export const userStream = (sub: string): string => streamId('user', sub);
/** Keyed by the normalised name, base64url: any Unicode name makes a safe stream id. */
export const usernameStream = (username: string): string =>
  streamId('username', Buffer.from(normaliseUsername(username), 'utf8').toString('base64url'));
/** One stream per device authorization (RFC 8628), keyed by a random id, never by a code. */
export const deviceStream = (deviceId: string): string => streamId('device', deviceId);
export const loginThrottleStream = (key: string): string => streamId('loginThrottle', key);
export const resourceStream = (resource: string): string =>
  streamId('resource', resourceIdOf(resource));
/** One stream per Shared Signals stream (SSF 1.0), keyed by its random stream_id (ADR 0035). */
export const ssfStream = (id: string): string => streamId('ssfStream', id);
/**
 * The key ring is one aggregate (stream `key-ring`), not one stream per key:
 * its invariant, "exactly one active key per algorithm", spans keys, and one
 * stream lets optimistic concurrency enforce it (see docs/adr/0003).
 */
export const KEY_RING_STREAM = streamId('key', 'ring');
