import { z } from 'zod';
import { actorSchema } from '../actor';
import { deliveryProgressView } from './delivery-progress';

/** One back-channel logout delivery as operators see it (never the token itself). */
export const backchannelDelivery = z
  .object({
    sid: z.string(),
    clientId: z.string(),
    sub: z.string(),
    jti: z.string(),
    uri: z.string(),
  })
  .extend(deliveryProgressView.shape);
export type BackchannelDeliveryView = z.output<typeof backchannelDelivery>;

/** auth-api's admin API → session-service: dead-lettered back-channel logout deliveries. */
export const backchannelRpcMethods = {
  /** Dead letters in (sid, clientId) order; page with `after` = the last one returned. */
  listDeadLetters: {
    request: z.object({
      limit: z.number().int().min(1).max(500).default(100),
      after: z.object({ sid: z.string().max(200), clientId: z.string().max(200) }).optional(),
    }),
    response: z.object({ deliveries: z.array(backchannelDelivery) }),
  },
  /**
   * Puts a dead letter back in the queue: due now, attempts reset, same jti.
   * 404 when there is no such delivery, 409 when it is not dead-lettered.
   */
  retryDeadLetter: {
    request: z.object({
      sid: z.string().min(1).max(200),
      clientId: z.string().min(1).max(200),
      actor: actorSchema.optional(),
    }),
    response: z.object({ delivery: backchannelDelivery }),
  },
};
export type BackchannelRpcMethods = typeof backchannelRpcMethods;
