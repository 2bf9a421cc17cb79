import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { configureLogging } from '@idp/observability';
import { main } from './main';

// Diagnostics of the libraries the commands load (the Kafka bus, the event
// store's storage warnings) go to stderr as structured lines: stdout carries
// only the command's output, so `--json` and `events tail` stay parseable.
configureLogging({
  service: 'cli',
  level: process.env.LOG_LEVEL || 'warn',
  destination: { write: (line: string) => process.stderr.write(line) },
});

/** The process around main(): real streams, Ctrl-C as an abort, the exit code. */
const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  // A second Ctrl-C does not wait for a clean stop.
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort();
});
process.on('SIGTERM', () => controller.abort());

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
  readFile: (path) => (path === '-' ? readStdin() : readFile(path, 'utf8')),
  now: () => Date.now(),
}).then(
  (code) => {
    process.exitCode = code;
    // Client libraries (kafkajs, ioredis, pg pools) may keep timers alive after close.
    setTimeout(() => process.exit(code), 1_000).unref();
  },
  (err: unknown) => {
    console.error(`idp: ${(err as Error).message}`);
    process.exit(1);
  },
);

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}
