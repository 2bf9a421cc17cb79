import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InMemoryReplayStore, REPLAY_STORE, type ReplayStore } from '@idp/cache';
import { ReplayStoreModule } from './replay-store.module';

describe('ReplayStoreModule', () => {
  it('binds the one store under REPLAY_STORE for every module, and closes it on shutdown', async () => {
    const store = new InMemoryReplayStore();
    const close = jest.spyOn(store, 'close');
    @Module({ imports: [ReplayStoreModule.forRoot(store)] })
    class App {}
    const app = await NestFactory.createApplicationContext(App, { logger: false });
    const bound = app.get<ReplayStore>(REPLAY_STORE);
    expect(bound).toBe(store);
    expect(await bound.claimOnce('k', 1000)).toBe(true);
    expect(await bound.claimOnce('k', 1000)).toBe(false);
    await app.close();
    expect(close).toHaveBeenCalledTimes(1);
  });
});
