/**
 * Bad arguments: the caller prints the usage of the (sub)command it belongs
 * to and exits 2, so a script can tell a typo from a failure.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The usage text of the command that refused the arguments. */
    readonly usage: string,
  ) {
    super(message);
  }
}

/** A failure the operator can act on, reported as one line on stderr (exit 1). */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** One line for any error: a multi-line message (e.g. a config error) is folded. */
export function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ');
}
