// Keycloak 26 needs Java 21 or newer; these machines' default java is 17,
// with newer JDKs installed beside it under /usr/lib/jvm. This finds one for
// Keycloak alone (its JAVA_HOME, never the bench's or anyone else's).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The oldest Java that Keycloak 26 runs on. */
export const MIN_JAVA = 21;
const JVM_DIR = '/usr/lib/jvm';

/** `java -version` prints e.g. `openjdk version "25.0.3" 2026-04-21` (or "1.8.0_402" before 9) on stderr. */
export function javaMajor(versionOutput) {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!m) return undefined;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

/** The major version of <home>/bin/java, or undefined when it is not a working java. */
function majorOf(home) {
  const java = join(home, 'bin', 'java');
  if (!existsSync(java)) return undefined;
  // `java -version` writes to stderr.
  const { stderr, status } = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 20_000 });
  return status === 0 ? javaMajor(stderr) : undefined;
}

/**
 * The JDK Keycloak runs on: $KEYCLOAK_JAVA_HOME if set (it must be ≥ 21),
 * else the newest JDK ≥ 21 among $JAVA_HOME and /usr/lib/jvm/*. Returns
 * { home, major } or undefined when there is none.
 */
export function findJava(env = process.env, jvmDir = JVM_DIR) {
  if (env.KEYCLOAK_JAVA_HOME) {
    const m = majorOf(env.KEYCLOAK_JAVA_HOME);
    if (m === undefined || m < MIN_JAVA)
      throw new Error(
        `KEYCLOAK_JAVA_HOME=${env.KEYCLOAK_JAVA_HOME} is not a Java ${MIN_JAVA}+ (found ${m ?? 'no java'})`,
      );
    return { home: env.KEYCLOAK_JAVA_HOME, major: m };
  }
  const homes = [env.JAVA_HOME].filter(Boolean);
  if (existsSync(jvmDir)) homes.push(...readdirSync(jvmDir).map((d) => join(jvmDir, d)));
  let best;
  for (const home of homes) {
    const m = majorOf(home);
    if (m !== undefined && m >= MIN_JAVA && (!best || m > best.major)) best = { home, major: m };
  }
  return best;
}
