import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'check-architecture.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'architecture');

/** Runs the check on `root`; its exit code and output. */
function check(root: string): { code: number; out: string } {
  try {
    const out = execFileSync(process.execPath, [SCRIPT, '--root', root], { stdio: 'pipe' });
    return { code: 0, out: out.toString() };
  } catch (err) {
    const e = err as { status: number; stderr: Buffer };
    return { code: e.status, out: e.stderr.toString() };
  }
}

// Each run reads every import with dependency-cruiser: seconds, not milliseconds.
jest.setTimeout(60_000);

describe('scripts/check-architecture.js', () => {
  it('passes on the repository as committed', () => {
    const { code, out } = check(ROOT);
    expect(out).toMatch(/no cycles, layers respected, every import declared/);
    expect(code).toBe(0);
  });

  describe('on the deliberately broken fixture (test/fixtures/architecture)', () => {
    let result: { code: number; out: string };
    beforeAll(() => {
      result = check(FIXTURE);
    });

    it('fails', () => {
      expect(result.code).toBe(1);
    });

    it('reports a file cycle, through a type-only import too', () => {
      expect(result.out).toContain(
        'file cycle: packages/domain/src/a.ts → packages/domain/src/b.ts → packages/domain/src/a.ts',
      );
    });

    it('reports an import of a package the workspace does not declare (though npm hoisted it)', () => {
      expect(result.out).toContain(
        'undeclared import: packages/domain/src/undeclared.ts imports zod, not in packages/domain/package.json',
      );
    });

    it('reports @nestjs imported in a framework-free package', () => {
      expect(result.out).toContain(
        'framework import: packages/domain/src/framework.ts imports @nestjs/common',
      );
    });

    it('reports @nestjs declared by a package that the rule does not name (a new package is covered)', () => {
      expect(result.out).toContain(
        'framework dependency: packages/eventsourcing/package.json declares @nestjs/common',
      );
    });

    it('reports nothing about a declared workspace import', () => {
      expect(result.out).not.toContain('clean.ts');
    });
  });
});
