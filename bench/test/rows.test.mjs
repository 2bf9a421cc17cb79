// The suite's rows: one figure and ratio per peer, and the goals of issue #16
// judged per row (bench/lib/rows.mjs, bench/lib/goals.mjs), and the table
// (bench/suite.mjs render) with one column per peer. No servers needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compare } from '../lib/rows.mjs';
import { curveCsv } from '../lib/series.mjs';
import { render } from '../suite.mjs';

const fig = (rps) => ({ rps, p50: 1, p99: 2, errors: 0 });

describe('compare', () => {
  it('gives each peer its ratio and judges the distributed goals against nop and nop-redis', () => {
    const row = compare({
      scenario: 'issuance',
      variant: 'opaque',
      mode: 'distributed',
      unit: 'req/s',
      ours: fig(1200),
      peers: { nop: fig(1000), 'nop-redis': fig(1000) },
    });
    assert.equal(row.peers.nop.ratio, 1.2);
    assert.equal(row.peers['nop-redis'].value, 1000);
    assert.deepEqual(row.goals, [
      { goal: '≥ 1.0× nop', met: true },
      { goal: '≥ 1.5× nop-redis', met: false },
    ]);
    assert.equal(row.met, false);
    assert.deepEqual(row.missed, ['≥ 1.5× nop-redis']);
  });

  it('holds the embedded mode to 1.5× nop, and Keycloak to 5× on a row without nop goals', () => {
    const embedded = compare({
      scenario: 'codeflow',
      variant: 'refresh rotation',
      mode: 'embedded',
      unit: 'rotations/s',
      ours: fig(1600),
      peers: { nop: fig(1000) },
    });
    assert.deepEqual(embedded.goals, [{ goal: '≥ 1.5× nop', met: true }]);
    const rs256 = compare({
      scenario: 'issuance',
      variant: 'JWT RS256',
      mode: 'embedded',
      unit: 'req/s',
      ours: fig(400),
      peers: { nop: fig(100), keycloak: fig(100) },
    });
    assert.deepEqual(rs256.goals, [{ goal: '≥ 5.0× keycloak', met: false }]);
  });

  it('judges no goal against a peer without a figure, and says why it has none', () => {
    const row = compare({
      scenario: 'userinfo',
      variant: 'jwt',
      mode: 'distributed',
      unit: 'req/s',
      ours: fig(500),
      peers: { nop: { na: 'no JWT userinfo' }, 'nop-redis': { na: 'no JWT userinfo' } },
    });
    assert.deepEqual(row.goals, []);
    assert.equal(row.met, undefined);
    assert.match(row.notes, /nop, nop-redis n\/a: no JWT userinfo/);
  });

  it('keeps the introspection goals: 3× nop and 0.6× bare', () => {
    const row = compare({
      scenario: 'introspection',
      variant: 'opaque',
      mode: 'distributed, 2 replicas',
      unit: 'req/s',
      ours: fig(3000),
      peers: { nop: fig(1000) },
      bare: fig(6000),
    });
    assert.deepEqual(row.goals, [
      { goal: '≥ 3.0× nop', met: true },
      { goal: '≥ 0.6× bare', met: false },
    ]);
    assert.equal(row.ratioBare, 0.5);
  });
});

describe('the table and the curves', () => {
  const ctx = { peers: [{ name: 'nop' }, { name: 'nop-redis' }] };

  it('has one figure and one ratio column per peer, and names the missed goal', () => {
    const row = compare({
      scenario: 'issuance',
      variant: 'opaque',
      mode: 'distributed',
      unit: 'req/s',
      ours: fig(1200),
      peers: { nop: fig(1000), 'nop-redis': fig(1000) },
    });
    const md = render({
      argv: [],
      options: { connections: 64, warmup: 3, duration: 10, curveDuration: 5 },
      m: { commit: 'abc', cpus: 2, cpuModel: 'x', os: 'linux', node: 'v24', loadavg: '1' },
      date: '2026-12-06',
      results: [{ name: 'issuance', title: 't', rows: [row], seconds: 1, loadavg: '1' }],
      peers: ['nop', 'nop-redis'],
      skipped: [{ name: 'keycloak', why: 'no JDK 21+ found' }],
    });
    const lines = md.split('\n');
    const header = lines.find((l) => l.startsWith('| scenario'));
    assert.match(header, /\| ours \| nop \| nop-redis \| bare \|/);
    assert.match(header, /\| ours\/nop \| ours\/nop-redis \| ours\/bare \|/);
    const data = lines.find((l) => l.startsWith('| issuance'));
    assert.equal(data.split('|').length, header.split('|').length);
    assert.match(data, /\*\*MISSED\*\*: ≥ 1\.5× nop-redis/);
    assert.match(md, /peer \*\*keycloak\*\*: not run: no JDK 21\+ found/);
  });

  it('renders a row of a scenario without peers (its own target) among them', () => {
    const md = render({
      argv: [],
      options: { connections: 64, warmup: 3, duration: 10, curveDuration: 5 },
      m: { commit: 'abc', cpus: 2, cpuModel: 'x', os: 'linux', node: 'v24', loadavg: '1' },
      date: '2026-12-06',
      results: [
        {
          name: 'fanout',
          title: 't',
          rows: [{ scenario: 'fanout', ours: 3, unit: 's', target: '< 2 s', met: false }],
          seconds: 1,
          loadavg: '1',
        },
      ],
      peers: ['nop'],
    });
    assert.match(md, /\| fanout \|.*\*\*MISSED\*\*: < 2 s/);
  });

  it('writes a curve column per target that has points, ours first', () => {
    const csv = curveCsv(ctx, {
      file: 'x.csv',
      points: [1, 8],
      curve: { bare: { 1: 9, 8: 9 }, 'nop-redis': { 1: 3, 8: 4 }, distributed: { 1: 1, 8: 2 } },
    });
    assert.deepEqual(csv.header, [
      'connections',
      'ours_distributed_rps',
      'nop_redis_rps',
      'bare_rps',
    ]);
    assert.deepEqual(csv.lines, [
      [1, 1, 3, 9],
      [8, 2, 4, 9],
    ]);
  });
});
