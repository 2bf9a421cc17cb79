import 'reflect-metadata';
import { loadConfig } from '@idp/config';
import { distributedAdapters, runService } from '@idp/nest-kit';
import { IntrospectionServiceModule } from './introspection-service.module';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { PORT: '3002' });
  const bindings = await distributedAdapters(config, 'introspection-service', {
    eventStore: false,
    cache: true,
  });
  await runService({
    name: 'introspection-service',
    modules: [IntrospectionServiceModule],
    bindings,
  });
}

main().catch((err: unknown) => {
  console.error(`introspection-service failed to start: ${(err as Error).message}`);
  process.exit(1);
});
