import { CliError } from './errors';
import type { Io } from './io';

/** One JSON object from a file (or stdin for `-`), or a one-line CliError. */
export async function readJsonObject(io: Io, path: string): Promise<Record<string, unknown>> {
  const text = await io.readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${path}: ${err.code ?? err.message}`);
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CliError(`${path} must hold one JSON object`);
  return value as Record<string, unknown>;
}
