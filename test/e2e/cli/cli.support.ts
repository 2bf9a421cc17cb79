import { readFile } from 'node:fs/promises';
import { main } from '@idp/cli';

/** Runs `idp` in process (main() never exits the process) and collects what it wrote. */
export async function idp(
  argv: string[],
  env: NodeJS.ProcessEnv,
  options: {
    signal?: AbortSignal;
    onStderr?: (text: string) => void;
    onStdout?: (text: string) => void;
  } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: {
      write: (c: string) => {
        stdout += c;
        options.onStdout?.(stdout);
      },
    },
    stderr: {
      write: (c: string) => {
        stderr += c;
        options.onStderr?.(stderr);
      },
    },
    env,
    signal: options.signal ?? new AbortController().signal,
    readFile: (path) => readFile(path, 'utf8'),
    now: () => Date.now(),
  });
  return { code, stdout, stderr };
}
