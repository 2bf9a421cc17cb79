export { createSsfStore } from './sql/create-ssf-store';
export { SharedSignalsModule, SsfStoreModule } from './shared-signals.module';
export type { SsfStore } from './ssf-store.port';
