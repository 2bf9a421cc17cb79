import {
  claimOutsideReplayStore,
  grantListOutsideDomain,
  jweOutsideCrypto,
  nodeCryptoOutsideCrypto,
  responseTypeOutsideOAuthErrors,
  RULES,
  sourceFiles,
  streamIdOutsideDomain,
  type SourceFile,
} from './one-place-per-concept.rules';

const files = sourceFiles();

describe('one place per concept (issue #15)', () => {
  it('reads the sources it checks', () => {
    expect(files.length).toBeGreaterThan(300);
    expect(files.some((f) => f.path === 'packages/domain/src/streams.ts')).toBe(true);
  });

  it.each(Object.entries(RULES))('%s', (_rule, check) => {
    const found = files.flatMap((f) => {
      const problem = check(f);
      return problem === undefined ? [] : [`${f.path}: ${problem}`];
    });
    expect(found).toEqual([]);
  });
});

/** Each rule catches a planted copy, so the checks above cannot pass vacuously. */
describe('the rules catch a planted copy', () => {
  const file = (path: string, text: string): SourceFile => ({ path, text });

  it('node:crypto outside @idp/crypto, and randomness in tests', () => {
    const prod = "import { randomBytes } from 'node:crypto';\n";
    expect(nodeCryptoOutsideCrypto(file('apps/auth-api/src/x.ts', prod))).toMatch(/outside/);
    expect(nodeCryptoOutsideCrypto(file('apps/auth-api/src/x.spec.ts', prod))).toMatch(
      /randomBytes/,
    );
    const oracle = "import { createHash } from 'node:crypto';\n";
    expect(nodeCryptoOutsideCrypto(file('apps/auth-api/src/x.spec.ts', oracle))).toBeUndefined();
    expect(nodeCryptoOutsideCrypto(file('packages/crypto/src/x.ts', prod))).toBeUndefined();
  });

  it('a hand-built stream id', () => {
    const text = 'const s = `grant-${id}`;\n';
    expect(streamIdOutsideDomain(file('apps/cli/src/x.ts', text))).toMatch(/stream id/);
    expect(streamIdOutsideDomain(file('apps/cli/src/x.ts', "load('key-ring')"))).toMatch(
      /stream id/,
    );
    expect(streamIdOutsideDomain(file('apps/cli/src/x.ts', ' * e.g. `grant-${id}`'))).toBe(
      undefined,
    );
  });

  it('a second JWE encryption', () => {
    const text = "import { CompactEncrypt } from 'jose';\n";
    expect(jweOutsideCrypto(file('apps/token-service/src/x.ts', text))).toMatch(/encryptAccess/);
    expect(jweOutsideCrypto(file('test/e2e/x.e2e.spec.ts', text))).toMatch(/encryptAccess/);
  });

  it('a hand-maintained grant type list', () => {
    const text = "grant_types_supported: [\n  'authorization_code',\n  'refresh_token',\n]";
    expect(grantListOutsideDomain(file('apps/auth-api/src/x.ts', text))).toMatch(/grant types/);
  });

  it('a look-alike response type', () => {
    const text =
      'export interface Answer {\n  status: number;\n  headers: Record<string, string>;\n  body: string;\n}';
    expect(responseTypeOutsideOAuthErrors(file('packages/nest-kit/src/x.ts', text))).toMatch(
      /HttpResponse/,
    );
    const ret = 'function f(): {\n  status: number;\n  body: string;\n  headers: H;\n} {';
    expect(responseTypeOutsideOAuthErrors(file('apps/auth-api/src/x.ts', ret))).toMatch(
      /HttpResponse/,
    );
  });

  it('a one-time value claimed beside the ReplayStore', () => {
    const text = "return this.cache.setIfAbsent(`client-assertion:${h}`, '1', ttl);";
    expect(claimOutsideReplayStore(file('apps/token-service/src/x.ts', text))).toMatch(
      /ReplayStore/,
    );
    const nx = "await redis.set(key, '1', 'PX', ttl, 'NX');";
    expect(claimOutsideReplayStore(file('apps/auth-api/src/x.ts', nx))).toMatch(/ReplayStore/);
    expect(claimOutsideReplayStore(file('packages/cache/src/replay/x.ts', nx))).toBeUndefined();
  });
});
