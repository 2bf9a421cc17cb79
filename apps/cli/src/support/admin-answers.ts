import { CliError } from './errors';

/** `3 grants`, `1 session`: the counts the revoke and end routes answer. */
export const counted = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * The count field of a revoke/end answer. A missing one is an error, not a
 * zero: "revoked 0 grants" after an answer that did not say would mislead.
 */
export function countIn(answer: unknown, field: string, route: string): number {
  const value = (answer as Record<string, unknown> | undefined)?.[field];
  if (typeof value !== 'number')
    throw new CliError(`${route}: the answer has no ${field} (is this the admin API?)`);
  return value;
}
