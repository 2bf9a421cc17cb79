import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeIo } from './io.test-support';
import { COMMANDS } from './commands';
import { main } from './main';
import { synopsis } from './support/command';

const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const { io, stdout, stderr } = fakeIo({ env });
  const code = await main(argv, io);
  return { code, stdout: stdout(), stderr: stderr() };
};

describe('idp: usage and exit codes', () => {
  it('idp --help lists every subcommand with its options, exit 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const c of COMMANDS) expect(r.stdout).toContain(synopsis(c).slice('idp '.length));
    expect(r.stdout).toContain('keys rotate <alg> [--grace-seconds N]');
    expect(r.stdout).toContain('events tail [--type T] [--grant G] [--from-start]');
    expect(r.stdout).toMatch(/exit codes: 0 success, 1 failure .*, 2 bad arguments/);
  });

  it('no command: usage on stderr, exit 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^idp: missing command\n\nusage: idp <command>/);
  });

  it('an unknown command: exit 2 with the usage', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).toContain('usage: idp <command>');
  });

  it('a group alone shows its commands only (exit 2; with --help, exit 0)', async () => {
    const bare = await run(['keys']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("missing command after 'keys'");
    expect(bare.stderr).toContain('keys rotate');
    expect(bare.stderr).not.toContain('clients get <id>');
    const help = await run(['backchannel', 'dead-letters', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: idp backchannel dead-letters <command>');
    expect(help.stdout).toContain('backchannel dead-letters retry <id>');
    const unknown = await run(['keys', 'burn']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'keys burn'");
  });

  describe.each(COMMANDS.map((c) => [c.path.join(' '), c] as const))('idp %s', (_name, command) => {
    const required = command.positionals.filter((p) => !p.optional).map((p) => `x${p.name}`);

    it('--help prints its usage on stdout, exit 0', async () => {
      const r = await run([...command.path, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`usage: ${synopsis(command)}`);
      for (const name of Object.keys(command.options)) expect(r.stdout).toContain(`--${name}`);
    });

    it('an unknown option prints its usage on stderr, exit 2', async () => {
      const r = await run([...command.path, ...required, '--no-such-option']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain("Unknown option '--no-such-option'");
      expect(r.stderr).toContain(`usage: ${synopsis(command)}`);
    });

    it('one argument too many is refused without echoing it, exit 2', async () => {
      const r = await run([...command.path, ...required, 'at_leaked-token-value']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('too many arguments');
      expect(r.stderr).not.toContain('leaked-token-value');
    });

    if (required.length)
      it('a missing argument is refused, exit 2', async () => {
        const r = await run([...command.path]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`missing <${command.positionals[0]!.name}>`);
      });

    for (const [name, o] of Object.entries(command.options).filter(([, o]) => o.type === 'string'))
      it(`--${name} without a value is refused, exit 2`, async () => {
        const r = await run([...command.path, ...required, `--${name}`]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`usage: ${synopsis(command)}`);
        expect(o.value).toBeDefined();
      });
  });

  it.each([
    [['keys', 'rotate', 'HS256'], "unknown algorithm 'HS256'"],
    [['keys', 'rotate', 'ES256', '--grace-seconds=-5'], '--grace-seconds must be an integer'],
    [
      ['keys', 'rotate', 'ES256', '--grace-seconds', '-5'],
      "Option '--grace-seconds' argument is ambiguous",
    ],
    [['keys', 'rotate', 'ES256', '--grace-seconds', '1.5'], '--grace-seconds must be an integer'],
    [['read-model', 'rebuild', '--flush', '--embedded'], '--flush has no meaning with --embedded'],
    [['clients', 'create'], '--file is required'],
    [['users', 'create'], '--file is required'],
    [['clients', 'update', 'rp-1'], '--file is required'],
    [['users', 'update', 'u1'], '--file is required'],
    [['backchannel', 'dead-letters', 'retry', 'no-slash'], 'is not a delivery id'],
    [['events', 'tail', '--interval-ms', '0'], '--interval-ms must be an integer of at least 10'],
  ])('refuses bad values: %j, exit 2', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('usage: idp ');
  });

  it('a runtime failure is one line on stderr, exit 1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'idp-cli-'));
    try {
      const r = await run(['keys', 'list', '--embedded'], { DATA_DIR: dataDir });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `idp keys list: no event store at ${join(dataDir, 'events.sqlite')} (DATA_DIR)\n`,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an invalid setting is reported on one line, exit 1', async () => {
    const r = await run(['keys', 'list'], { OUTBOX_SWEEP_MS: 'soon' });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^idp keys list: invalid configuration:; OUTBOX_SWEEP_MS/);
  });
});
