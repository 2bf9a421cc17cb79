// Runs one scenario module on its own (`node bench/scenarios/<name>.mjs [--smoke]`),
// outside the suite: the same ctx the suite gives, the rows as a markdown table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Whether `importMetaUrl` is the module node was started with. */
export const isMain = (importMetaUrl) =>
  process.argv[1] !== undefined && fileURLToPath(importMetaUrl) === process.argv[1];

const cell = (v) =>
  v === undefined || v === null
    ? ''
    : typeof v === 'number'
      ? v.toLocaleString('en-US', { maximumFractionDigits: v < 10 ? 2 : 0 })
      : String(v);

export function markdownTable(rows) {
  const cols = [
    'scenario',
    'variant',
    'mode',
    'ours',
    'peer',
    'unit',
    'p50',
    'p99',
    'errors',
    'target',
    'met',
    'notes',
  ];
  const lines = [`| ${cols.join(' | ')} |`, `| ${cols.map(() => '---').join(' | ')} |`];
  for (const r of rows) lines.push(`| ${cols.map((c) => cell(r[c])).join(' | ')} |`);
  return lines.join('\n');
}

/**
 * Parses --smoke (and --csv: write the CSVs to docs/bench/ as the suite does),
 * runs the scenario, prints its rows; exits 1 on a thrown error or a row with errors.
 */
export async function runStandalone(scenario, extraOptions = {}) {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      ...Object.fromEntries(Object.keys(extraOptions).map((k) => [k, { type: 'string' }])),
    },
  });
  const log = (m) => process.stderr.write(`[${scenario.name}] ${m}\n`);
  const options = {
    smoke: values.smoke,
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/idp_test',
    kafkaBrokers: process.env.BENCH_KAFKA_BROKERS ?? '127.0.0.1:9092',
    ...Object.fromEntries(
      Object.keys(extraOptions)
        .filter((k) => values[k] !== undefined)
        .map((k) => [k, values[k]]),
    ),
  };
  try {
    const result = await scenario.run({ options, log, root, smoke: values.smoke });
    process.stdout.write(`\n### ${scenario.title}\n\n${markdownTable(result.rows)}\n`);
    for (const { file, header, lines } of result.csv ?? []) {
      const text = [header, ...lines].map((l) => l.join(',')).join('\n') + '\n';
      process.stdout.write(`\n${file}:\n${text}`);
      if (values.csv) {
        mkdirSync(join(root, 'docs/bench'), { recursive: true });
        writeFileSync(join(root, 'docs/bench', file), text);
      }
    }
    if (result.rows.some((r) => r.errors > 0)) {
      log('a row has errors');
      process.exitCode = 1;
    }
  } catch (err) {
    log(`failed: ${err.stack ?? err.message}`);
    process.exitCode = 1;
  }
}
