import type { Io } from './io';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** What the value is called in the usage line (`--grace-seconds N`). */
  readonly value?: string;
  readonly help: string;
}

export interface PositionalSpec {
  readonly name: string;
  readonly optional?: boolean;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface RunContext {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly io: Io;
  /** A UsageError carrying this command's usage: bad values found after parsing. */
  usageError(message: string): Error;
}

/**
 * One subcommand: what `idp --help` lists, what its own `--help` prints,
 * how its arguments parse (node:util parseArgs, strict) and what it does.
 * `run` resolves with the exit code (0 when it returns nothing).
 */
export interface Command {
  readonly path: readonly string[];
  readonly summary: string;
  /** Paragraphs after the usage line of `idp <path> --help`. */
  readonly description: string;
  readonly positionals: readonly PositionalSpec[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  run(ctx: RunContext): Promise<number | void>;
}

export function synopsis(command: Command): string {
  const args = command.positionals.map((p) => (p.optional ? `[<${p.name}>]` : `<${p.name}>`));
  const opts = Object.entries(command.options).map(([name, o]) =>
    o.type === 'boolean' ? `[--${name}]` : `[--${name} ${o.value ?? 'VALUE'}]`,
  );
  return ['idp', ...command.path, ...args, ...opts].join(' ');
}

export function usageOf(command: Command): string {
  const width = Math.max(
    10,
    ...Object.entries(command.options).map(([n, o]) => optionLabel(n, o).length),
  );
  const options = Object.entries(command.options).map(
    ([name, o]) => `  ${optionLabel(name, o).padEnd(width)}  ${o.help}`,
  );
  return [
    `usage: ${synopsis(command)}`,
    '',
    command.summary,
    '',
    command.description.trim(),
    '',
    'options:',
    ...options,
    `  ${'--help'.padEnd(width)}  show this help`,
    '',
  ].join('\n');
}

const optionLabel = (name: string, o: OptionSpec) =>
  o.type === 'boolean' ? `--${name}` : `--${name} ${o.value ?? 'VALUE'}`;
