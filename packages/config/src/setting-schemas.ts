import { z } from 'zod';

/** A count, size or duration setting: a whole number above zero, read from a string. */
export const positiveInt = z.coerce.number().int().positive();

/** An absolute URL. */
export const url = z.string().url();

/** A comma-separated list: items trimmed, empty items dropped. */
export const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

/** An on/off switch: `true` or `false`, off when unset. */
export const offByDefault = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');
