import { z } from 'zod';

/** A count, size or duration setting: a whole number above zero, read from a string. */
export const positiveInt = z.coerce.number().int().positive();
