// The peer registry (bench/lib/peers.mjs): choosing peers, leaving out those
// that cannot run here with the reason, and which variants a peer measures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectPeers, variantsFor } from '../lib/peers.mjs';
import { parseOptions } from '../suite.mjs';

const ctx = (redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379') => ({
  options: { redisUrl },
  log: () => {},
});

describe('selectPeers', () => {
  it('runs the peers asked for, in that order', async () => {
    const { peers, skipped } = await selectPeers(ctx(), ['nop-redis', 'nop']);
    assert.deepEqual(
      peers.map((p) => p.name),
      ['nop-redis', 'nop'],
    );
    assert.deepEqual(skipped, []);
  });

  it('leaves out a peer that cannot run here, with the reason', async () => {
    const { peers, skipped } = await selectPeers(ctx('redis://127.0.0.1:1'), undefined);
    assert.deepEqual(
      peers.map((p) => p.name),
      ['nop'],
    );
    assert.equal(skipped[0].name, 'nop-redis');
    assert.match(skipped[0].why, /does not answer: .*ECONNREFUSED/);
  });

  it('refuses an unknown peer name', async () => {
    await assert.rejects(selectPeers(ctx(), ['nope']), /unknown peer nope/);
  });

  it('--peers none runs ours alone; --peers a,b picks them', () => {
    assert.deepEqual(parseOptions(['--peers', 'none'], {}).peers, []);
    assert.deepEqual(parseOptions(['--peers', 'nop, nop-redis'], {}).peers, ['nop', 'nop-redis']);
    assert.equal(parseOptions([], {}).peers, undefined);
  });
});

describe('variantsFor', () => {
  const nop = { peer: { name: 'nop', supports: (s, v) => v !== 'jwt' || 'no JWT here' } };

  it('gives ours every variant and a peer those it supports, with why not', () => {
    assert.deepEqual(variantsFor({}, {}, 'userinfo', ['opaque', 'jwt']).run, ['opaque', 'jwt']);
    assert.deepEqual(variantsFor({}, nop, 'userinfo', ['opaque', 'jwt']), {
      run: ['opaque'],
      skipped: { jwt: 'no JWT here' },
    });
  });

  it('gives a peer one variant in a smoke run', () => {
    const all = { peer: { name: 'p', supports: () => true } };
    assert.deepEqual(variantsFor({ smoke: true }, all, 'issuance', ['a', 'b', 'c']).run, ['a']);
  });
});
