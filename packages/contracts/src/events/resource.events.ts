import { z } from 'zod';
import { defineEvent, type EventOf } from '../define-event';
import { accessTokenFormat, id } from './common';

/** JWK members that only a private or symmetric key has (RFC 7518 6.2.2, 6.3.2, 6.4.1). */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * A resource server's public encryption key. The schema refuses private
 * members so that no event, and therefore no store row or Kafka message, can
 * ever carry a resource server's private key: we only encrypt to it.
 */
export const resourceEncryptionJwk = z
  .looseObject({
    kty: z.enum(['RSA', 'EC']),
    use: z.literal('enc'),
    alg: z.enum(['RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A256KW']),
    kid: z.string().min(1).max(200).optional(),
  })
  .refine((k) => PRIVATE_JWK_MEMBERS.every((m) => !(m in k)), {
    message: 'must be a public key (no private or symmetric members)',
  });
export type ResourceEncryptionJwk = z.output<typeof resourceEncryptionJwk>;

/**
 * Resource stream (`resource-<id>`, id = base64url SHA-256 of the resource
 * URI, so the URI found in a client's `resources` is one stream read away).
 * `resource` is the RFC 8707 indicator and the `aud` of its tokens; the first
 * key of `jwks` is the one new tokens are encrypted to.
 */
const resourceDefinition = {
  resourceId: id,
  resource: z.string().min(1).max(2000),
  jwks: z.object({ keys: z.array(resourceEncryptionJwk).min(1).max(10) }),
  /** The format this resource server wants; overrides the client's (see ADR 0007). */
  accessTokenFormat: accessTokenFormat.optional(),
};

export const ResourceRegistered = defineEvent(
  'resource.registered',
  1,
  z.object({ ...resourceDefinition, source: z.enum(['seed', 'admin']) }),
);

/** Replaces the definition: key rotation and format changes. The resource URI never changes. */
export const ResourceUpdated = defineEvent('resource.updated', 1, z.object(resourceDefinition));

export const resourceEvents = [ResourceRegistered, ResourceUpdated] as const;

export type ResourceEvent = EventOf<typeof ResourceRegistered> | EventOf<typeof ResourceUpdated>;
