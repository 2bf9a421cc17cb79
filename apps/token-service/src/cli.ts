import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@idp/config';
import { SIGNING_ALGS, type SigningAlg } from '@idp/crypto';
import { distributedAdapters, HealthModule, InfraModule } from '@idp/nest-kit';
import { KeysModule } from './keys/keys.module';
import { KeyRingService } from './keys/key-ring.service';

const USAGE = `usage: node apps/token-service/dist/cli.js rotate-key <${SIGNING_ALGS.join('|')}> [--grace-seconds N]

Rotates the signing key for one algorithm: new tokens use the new key at
once; the old key stays in the JWKS for the grace period (default 86400 s,
at least the longest token lifetime). Reads the same environment as the
service (DATABASE_URL, KAFKA_BROKERS, KEY_ENCRYPTION_KEY...).`;

function parseArgs(argv: string[]): { alg: SigningAlg; graceSeconds: number } {
  const [command, alg, ...rest] = argv;
  if (command !== 'rotate-key' || !alg || !(SIGNING_ALGS as readonly string[]).includes(alg))
    throw new Error(USAGE);
  let graceSeconds = 86_400;
  if (rest[0] === '--grace-seconds') {
    graceSeconds = Number(rest[1]);
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0) throw new Error(USAGE);
  } else if (rest.length) throw new Error(USAGE);
  return { alg: alg as SigningAlg, graceSeconds };
}

async function main(): Promise<void> {
  const { alg, graceSeconds } = parseArgs(process.argv.slice(2));
  const config = loadConfig(process.env, { PORT: '0' });
  const bindings = await distributedAdapters(config, 'token-service-cli', {
    eventStore: true,
    cache: false,
  });
  @Module({ imports: [InfraModule.forRoot(bindings), HealthModule, KeysModule] })
  class CliModule {}
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  const kid = await app.get(KeyRingService).rotate(alg, graceSeconds);
  console.log(`rotated ${alg}: new key ${kid} is active (committed to the event store)`);
  // Publish now if the broker is there; otherwise a running token-service's relay will.
  bindings.relay?.start();
  try {
    await bindings.relay?.flush(5_000);
  } catch {
    console.log(
      'the broker is not reachable: the outbox relay of a running token-service will publish the events',
    );
  }
  await app.close();
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
