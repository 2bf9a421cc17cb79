// The Keycloak server distribution, fetched with Maven from Maven Central
// once, unpacked and built (`kc.sh build`) into a git-ignored cache, so every
// bench start is `kc.sh start --optimized` (production mode, no build at
// start). The cache is shared by every clone on the machine (.infra is a
// link to the main checkout's): each install works in a directory of its
// own and renames it into place in one step, so two runs never see a
// half-unpacked or half-built distribution (the loser of a race throws its
// copy away).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The distribution the bench runs (26.7.3: the newest 26.7 served by the registry here). */
export const KEYCLOAK_VERSION = '26.7.3';
const ARTIFACT = `org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:tar.gz`;
const MARKER = 'bench-build.json';

/**
 * Build-time options per storage variant (`kc.sh build`): each variant has
 * its own built copy. Health and metrics stay off (nothing reads them, and
 * they would start the management interface on a fixed port).
 */
export const BUILDS = {
  postgres: ['--db=postgres', '--health-enabled=false', '--metrics-enabled=false'],
};

function exec(command, args, { env, cwd, what }) {
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk) => (output = (output + chunk).slice(-8_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err) => reject(new Error(`${what}: ${err.message}`)));
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${what} exited ${code}:\n${output}`)),
    );
  });
}

/**
 * The cache directory of one version and build variant:
 * `<root>/.infra/keycloak/<version>/<variant>-<hash of its build options>`,
 * so a change of options gets a new directory and never rebuilds one that a
 * running server may be using.
 */
export function distDir(root, variant = 'postgres') {
  const hash = createHash('sha256').update(JSON.stringify(BUILDS[variant])).digest('hex');
  return join(root, '.infra', 'keycloak', KEYCLOAK_VERSION, `${variant}-${hash.slice(0, 8)}`);
}

/** Whether `dir` holds a finished build made with `args`. */
function built(dir, args) {
  try {
    return (
      JSON.stringify(JSON.parse(readFileSync(join(dir, MARKER), 'utf8')).build) ===
      JSON.stringify(args)
    );
  } catch {
    return false;
  }
}

/** Whether the cache already holds a built distribution of `variant`. */
export function installed(root, variant = 'postgres') {
  return built(distDir(root, variant), BUILDS[variant]);
}

/**
 * Returns the directory of a built Keycloak (bin/kc.sh, lib/, ...), fetching
 * and building it first if the cache has none. `java` is findJava()'s answer.
 */
export async function ensureKeycloak({ root, java, log = () => {}, variant = 'postgres' }) {
  const args = BUILDS[variant];
  if (!args) throw new Error(`no Keycloak build variant ${variant}`);
  const final = distDir(root, variant);
  if (built(final, args)) return final;
  const parent = join(final, '..');
  mkdirSync(parent, { recursive: true });
  const work = join(parent, `.tmp-${variant}-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(work);
  try {
    const t0 = Date.now();
    log(`keycloak: fetching ${ARTIFACT} with Maven`);
    await exec(
      'mvn',
      ['-q', '-B', 'dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${work}`],
      {
        env: process.env,
        cwd: work,
        what: 'mvn dependency:copy (is Maven installed?)',
      },
    );
    const tarball = join(work, `keycloak-quarkus-dist-${KEYCLOAK_VERSION}.tar.gz`);
    await exec('tar', ['-xzf', tarball, '-C', work], { env: process.env, cwd: work, what: 'tar' });
    rmSync(tarball);
    const dist = join(work, `keycloak-${KEYCLOAK_VERSION}`);
    log(`keycloak: kc.sh build ${args.join(' ')} (Java ${java.major} at ${java.home})`);
    await exec(join(dist, 'bin', 'kc.sh'), ['build', ...args], {
      env: { ...process.env, JAVA_HOME: java.home },
      cwd: dist,
      what: 'kc.sh build',
    });
    writeFileSync(
      join(dist, MARKER),
      JSON.stringify({ version: KEYCLOAK_VERSION, build: args }, null, 2),
    );
    try {
      renameSync(dist, final);
    } catch (err) {
      // Another run renamed its build into place first: use that one.
      if (!built(final, args)) throw err;
    }
    log(`keycloak: installed in ${final} (${Math.round((Date.now() - t0) / 1000)} s)`);
    return final;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
