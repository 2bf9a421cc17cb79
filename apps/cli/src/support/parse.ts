import { parseArgs } from 'node:util';
import type { Command, OptionValues } from './command';
import { usageOf } from './command';
import { UsageError } from './errors';

export interface Parsed {
  readonly help: boolean;
  readonly values: OptionValues;
  readonly positionals: string[];
}

/**
 * Strict parsing: an unknown option, a missing value or a wrong number of
 * positionals is a UsageError with this command's usage (exit 2).
 */
export function parseCommandArgs(command: Command, args: readonly string[]): Parsed {
  const usage = usageOf(command);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(
          Object.entries(command.options).map(([name, o]) => [name, { type: o.type }]),
        ),
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
  const { help, ...values } = parsed.values as Record<string, string | boolean | undefined>;
  if (help) return { help: true, values, positionals: parsed.positionals };
  const required = command.positionals.filter((p) => !p.optional).length;
  const { positionals } = parsed;
  if (positionals.length < required) {
    const missing = command.positionals[positionals.length]?.name ?? 'argument';
    throw new UsageError(`missing <${missing}>`, usage);
  }
  if (positionals.length > command.positionals.length)
    // The value is not echoed: it may be a token pasted in the wrong place.
    throw new UsageError(
      `too many arguments (${positionals.length} given, at most ${command.positionals.length})`,
      usage,
    );
  return { help: false, values, positionals };
}

/** A non-negative integer option, or a UsageError naming it. */
export function integerOption(
  raw: string | boolean | undefined,
  name: string,
  fallback: number,
  usageError: (m: string) => Error,
  min = 0,
): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^[0-9]{1,10}$/.test(raw) || Number(raw) < min)
    throw usageError(`--${name} must be an integer of at least ${min}, got '${String(raw)}'`);
  return Number(raw);
}
