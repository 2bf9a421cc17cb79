import { z } from 'zod';
import { id } from '../events/common';
import { clientMetadata } from '../events/client.events';
import { clientInformation, newUserInput, userChanges, userView } from '../rpc/admin.rpc';
import { backchannelDelivery } from '../rpc/backchannel.rpc';
import { sessionView } from '../rpc/session.rpc';
import { ssfDeliveryView } from '../rpc/ssf.rpc';

/**
 * The admin API's HTTP bodies, queries and answers (ADR 0017): auth-api
 * validates requests with these, and the OpenAPI document is generated from
 * the same schemas (admin-api.openapi.ts), so the two cannot disagree.
 * Answers that are an RPC response as is use the RPC contract's schema, which
 * the RPC layer validates on every call.
 */

/** A path parameter: the ids every aggregate accepts. */
export const adminPathId = id;

/** Same bounds as the RPC contract: a chosen secret must be as strong as a generated one. */
export const adminClientSecret = z
  .string()
  .min(32)
  .max(500)
  .meta({ description: 'An operator-chosen secret; generated (and shown once) when absent.' });

/** A metadata field as a body may give it: optional, and null meaning "the default" (RFC 7592 2.2). */
function asBodyField(schema: z.ZodType): z.ZodType {
  const inner =
    schema instanceof z.ZodDefault || schema instanceof z.ZodOptional
      ? (schema.unwrap() as z.ZodType)
      : schema;
  return inner.nullable().optional();
}

const bodyFields = Object.fromEntries(
  Object.entries(clientMetadata.shape).map(([name, schema]) => [name, asBodyField(schema)]),
);

/**
 * POST /admin/clients, PUT /admin/clients/{id}: RFC 7591 metadata plus the
 * operator-only settings, and an optional chosen client_secret. Other fields
 * (e.g. the read-only ones of a GET answer sent back) are ignored.
 */
export const adminClientBody = z
  .looseObject({ ...bodyFields, client_secret: adminClientSecret.optional() })
  .meta({ description: 'RFC 7591 client metadata, the operator settings and client_secret.' });

/** RFC 7591 3.2.1 client information as operators see it: the metadata at the top level. */
export const adminClientView = clientMetadata
  .extend({
    source: clientInformation.shape.source,
    client_id_issued_at: z.number().int().optional(),
    client_secret: z.string().optional().meta({ description: 'Only in the answer that set it.' }),
    client_secret_expires_at: z.number().int().optional(),
  })
  .meta({ description: 'The registered metadata (defaults included) and the issued fields.' });

export const adminRotatedSecret = z.object({
  client_id: z.string(),
  client_secret: z.string().meta({ description: 'Shown once.' }),
  client_secret_expires_at: z.number().int(),
});

export const adminUserBody = newUserInput;
export const adminUserChanges = userChanges;
export const adminUserView = userView;
export const adminSessionView = sessionView;

export const adminRevokedGrants = z.object({
  revoked_grants: z.number().int().min(0).meta({ description: 'Grants revoked by this call.' }),
});
export const adminSessionEnded = z.object({
  ended: z.boolean().meta({ description: 'false: unknown, or it had ended already.' }),
});
export const adminSessionsEnded = z.object({ ended_sessions: z.number().int().min(0) });
export const adminUnlocked = z.object({
  unlocked: z.boolean().meta({ description: 'false: there was no lock.' }),
});

/** GET /admin/backchannel/dead-letters: a page in (sid, client_id) order. */
export const adminDeadLettersQueryFields = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/, 'limit must be an integer from 1 to 500')
    .transform(Number)
    .pipe(z.number().int().min(1, 'limit must be an integer from 1 to 500').max(500))
    .optional()
    .meta({ description: '1-500, default 100.' }),
  after_sid: id.optional().meta({ description: 'Next page: the sid of the last delivery seen.' }),
  after_client_id: id
    .optional()
    .meta({ description: 'Next page: the client_id of the last delivery seen.' }),
});
export const adminDeadLettersQuery = adminDeadLettersQueryFields.refine(
  (q) => (q.after_sid === undefined) === (q.after_client_id === undefined),
  'after_sid and after_client_id go together (the last delivery seen)',
);
export const adminDeadLetters = z.object({ deliveries: z.array(backchannelDelivery) });
export const adminRetried = z.object({ delivery: backchannelDelivery });

/** GET /admin/ssf/dead-letters: a page of SET deliveries in (stream_id, jti) order. */
export const adminSsfDeadLettersQueryFields = z.object({
  limit: adminDeadLettersQueryFields.shape.limit,
  after_stream_id: id
    .optional()
    .meta({ description: 'Next page: the stream_id of the last delivery seen.' }),
  after_jti: id.optional().meta({ description: 'Next page: the jti of the last delivery seen.' }),
});
export const adminSsfDeadLettersQuery = adminSsfDeadLettersQueryFields.refine(
  (q) => (q.after_stream_id === undefined) === (q.after_jti === undefined),
  'after_stream_id and after_jti go together (the last delivery seen)',
);
export const adminSsfDeadLetters = z.object({ deliveries: z.array(ssfDeliveryView) });
export const adminSsfRetried = z.object({ delivery: ssfDeliveryView });

/** Every error answer: RFC 6749 5.2 JSON. */
export const adminError = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});
