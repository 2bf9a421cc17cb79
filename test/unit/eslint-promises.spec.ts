import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const ESLINT = join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'lint', 'promises.ts');

interface Message {
  readonly ruleId: string | null;
  readonly line: number;
}

/** The repository's own ESLint config (type-aware) on the broken fixture, which it otherwise ignores. */
function lintFixture(): Message[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [ESLINT, '--no-ignore', '--format', 'json', FIXTURE], {
      cwd: ROOT,
      stdio: 'pipe',
    }).toString();
  } catch (err) {
    out = (err as { stdout: Buffer }).stdout.toString();
  }
  const [result] = JSON.parse(out) as { messages: Message[] }[];
  return result!.messages;
}

// Builds the type-aware program over tsconfig.tests.json: tens of seconds on 2 cores.
jest.setTimeout(180_000);

describe('ESLint promise rules (eslint.config.mjs)', () => {
  let messages: Message[];
  beforeAll(() => {
    messages = lintFixture();
  });

  it('reports a promise nobody awaits (no-floating-promises)', () => {
    expect(messages).toContainEqual(
      expect.objectContaining({ ruleId: '@typescript-eslint/no-floating-promises', line: 10 }),
    );
  });

  it('reports an async callback where a void one is expected (no-misused-promises)', () => {
    expect(messages).toContainEqual(
      expect.objectContaining({ ruleId: '@typescript-eslint/no-misused-promises', line: 14 }),
    );
  });
});
