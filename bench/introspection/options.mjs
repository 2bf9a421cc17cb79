// Settings from --flags or BENCH_* environment variables (flags win).
import { parseArgs } from 'node:util';

const TARGETS = ['ours', 'peer', 'bare'];
const KINDS = ['opaque', 'jwt'];

const HELP = [
  ['--duration S', 'measured seconds per target and token kind', 'BENCH_DURATION, 10'],
  ['--warmup S', 'warm-up seconds before each measurement', 'BENCH_WARMUP, 3'],
  ['--connections N', 'concurrent connections', 'BENCH_CONNECTIONS, 64'],
  ['--tokens N', 'distinct tokens per kind, cycled by the load', 'BENCH_TOKENS, 32'],
  ['--targets LIST', `any of ${TARGETS.join(',')}`, 'BENCH_TARGETS, all'],
  ['--kinds LIST', `any of ${KINDS.join(',')}`, 'BENCH_KINDS, all'],
  ['--rounds N', 'the targets take turns N times; median per row', 'BENCH_ROUNDS, 1'],
  ['--workers N', 'autocannon worker threads, 0: none', 'BENCH_WORKERS, 0'],
  ['--rate N', 'offered req/s (all connections), 0: no cap', 'BENCH_RATE, 0'],
  ['--record', 'append the result to docs/BENCHMARKS.md', 'BENCH_RECORD=1'],
];

export const usage = [
  'usage: node bench/introspection/run.mjs [options]',
  ...HELP.map(([flag, what, env]) => `  ${flag.padEnd(17)}${what.padEnd(48)}(${env})`),
].join('\n');

function list(value, allowed, name) {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const wrong = items.filter((i) => !allowed.includes(i));
  if (wrong.length || !items.length)
    throw new Error(`--${name}: ${value} (allowed: ${allowed.join(',')})`);
  return allowed.filter((a) => items.includes(a));
}

function positive(value, name) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name}: ${value} is not a positive number`);
  return n;
}

export function parseOptions(argv = process.argv.slice(2), env = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      tokens: { type: 'string' },
      targets: { type: 'string' },
      kinds: { type: 'string' },
      rounds: { type: 'string' },
      workers: { type: 'string' },
      rate: { type: 'string' },
      record: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return {
    help: !!values.help,
    duration: positive(values.duration ?? env.BENCH_DURATION ?? 10, 'duration'),
    warmup: positive(values.warmup ?? env.BENCH_WARMUP ?? 3, 'warmup'),
    connections: Math.round(
      positive(values.connections ?? env.BENCH_CONNECTIONS ?? 64, 'connections'),
    ),
    tokenCount: Math.round(positive(values.tokens ?? env.BENCH_TOKENS ?? 32, 'tokens')),
    targets: list(values.targets ?? env.BENCH_TARGETS ?? TARGETS.join(), TARGETS, 'targets'),
    kinds: list(values.kinds ?? env.BENCH_KINDS ?? KINDS.join(), KINDS, 'kinds'),
    rounds: Math.round(positive(values.rounds ?? env.BENCH_ROUNDS ?? 1, 'rounds')),
    workers: Math.round(Number(values.workers ?? env.BENCH_WORKERS ?? 0)) || 0,
    rate: Math.round(Number(values.rate ?? env.BENCH_RATE ?? 0)) || 0,
    record: !!values.record || env.BENCH_RECORD === '1',
    sampleIntervalMs: 250,
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    databaseUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/idp_test',
    kafkaBrokers: env.BENCH_KAFKA_BROKERS ?? '127.0.0.1:9092',
  };
}
