import { z } from 'zod';

/**
 * Where a queued delivery stands, as operators see it: the part every
 * delivery queue's view shares (back-channel logout, Shared Signals SETs).
 * Each view extends its own identifying fields with this shape, so the
 * identity comes first in every answer.
 */
export const deliveryProgressView = z.object({
  status: z.enum(['pending', 'delivered', 'dead_lettered']),
  attempts: z.number().int().nonnegative(),
  /** Epoch milliseconds. */
  nextAttemptAt: z.number().int(),
  lastError: z.string().nullable(),
  /** Epoch milliseconds. */
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type DeliveryProgressView = z.output<typeof deliveryProgressView>;
