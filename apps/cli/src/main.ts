import { COMMANDS } from './commands';
import { type Command, synopsis, usageOf } from './support/command';
import { CliError, oneLine, UsageError } from './support/errors';
import { type Io, println } from './support/io';
import { parseCommandArgs } from './support/parse';

const ENVIRONMENT = `environment:
  store commands (migrate, keys, read-model, events, grants, clients list, users list)
    read the services' settings: DATABASE_URL, DATABASE_SCHEMA, KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX, KEY_ENCRYPTION_KEY, TOKEN_HASH_KEY, ISSUER, REDIS_URL,
    REDIS_KEY_PREFIX; with --embedded, DATA_DIR (events.sqlite, secrets.json).
  admin commands (clients, users, sessions, backchannel, ssf) call the admin API:
    IDP_ADMIN_URL or --endpoint (default http://127.0.0.1:9100),
    IDP_ADMIN_TOKEN or --token (an ADMIN_TOKEN or an access token with scope idp:admin).

exit codes: 0 success, 1 failure (one line on stderr), 2 bad arguments (usage on stderr).
Secrets and tokens are never printed, except a client secret the admin API returns
once, in the answer that set it ('clients create', 'clients rotate-secret', and
'clients update' when it sets one).
See docs/operations/cli.md.`;

export function topUsage(commands: readonly Command[] = COMMANDS): string {
  const lines = commands.map((c) => `  ${synopsis(c).slice('idp '.length)}\n      ${c.summary}`);
  return [
    'usage: idp <command> [options]   (idp <command> --help for details)',
    '',
    'commands:',
    ...lines,
    '',
    ENVIRONMENT,
    '',
  ].join('\n');
}

/** The usage of a group (`idp keys`): its commands only. */
function groupUsage(prefix: readonly string[]): string {
  const inGroup = COMMANDS.filter((c) => prefix.every((p, i) => c.path[i] === p));
  return topUsage(inGroup).replace('<command>', `${prefix.join(' ')} <command>`);
}

function findCommand(argv: readonly string[]): Command | undefined {
  let best: Command | undefined;
  for (const c of COMMANDS) {
    if (c.path.every((p, i) => argv[i] === p) && (!best || c.path.length > best.path.length))
      best = c;
  }
  return best;
}

/** The longest group prefix argv names (`['backchannel', 'dead-letters']`), possibly empty. */
function groupPrefix(argv: readonly string[]): string[] {
  const prefix: string[] = [];
  for (const word of argv) {
    const next = [...prefix, word];
    if (!COMMANDS.some((c) => next.every((p, i) => c.path[i] === p))) break;
    prefix.push(word);
  }
  return prefix;
}

/**
 * Runs one invocation and resolves with its exit code; never calls
 * process.exit, so tests run it in process.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const command = findCommand(argv);
  if (!command) {
    const prefix = groupPrefix(argv);
    const usage = prefix.length ? groupUsage(prefix) : topUsage();
    const rest = argv.slice(prefix.length);
    if (rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h')) {
      io.stdout.write(usage);
      return 0;
    }
    const problem = rest.length
      ? `unknown command '${[...prefix, rest[0]].join(' ')}'`
      : `missing command${prefix.length ? ` after '${prefix.join(' ')}'` : ''}`;
    io.stderr.write(`idp: ${problem}\n\n${usage}`);
    return 2;
  }
  const name = command.path.join(' ');
  try {
    const parsed = parseCommandArgs(command, argv.slice(command.path.length));
    if (parsed.help) {
      io.stdout.write(usageOf(command));
      return 0;
    }
    const code = await command.run({
      values: parsed.values,
      positionals: parsed.positionals,
      io,
      usageError: (message) => new UsageError(message, usageOf(command)),
    });
    return code ?? 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`idp ${name}: ${err.message}\n\n${err.usage}`);
      return 2;
    }
    println(io.stderr, `idp ${name}: ${oneLine(err)}`);
    if (!(err instanceof CliError) && io.env.IDP_DEBUG && err instanceof Error)
      println(io.stderr, err.stack);
    return 1;
  }
}
