import { dpopHeaderValues } from './dpop-headers';

describe('dpopHeaderValues', () => {
  it('finds the DPoP header whatever its case', () => {
    expect(dpopHeaderValues({ rawHeaders: ['Host', 'x', 'dPoP', 'a.b.c'] })).toEqual(['a.b.c']);
    expect(dpopHeaderValues({ rawHeaders: ['Host', 'x'] })).toEqual([]);
  });

  it('counts two header lines, and a value combined with a comma, as two', () => {
    expect(dpopHeaderValues({ rawHeaders: ['DPoP', 'a.b.c', 'dpop', 'd.e.f'] })).toEqual([
      'a.b.c',
      'd.e.f',
    ]);
    expect(dpopHeaderValues({ rawHeaders: ['DPoP', 'a.b.c, d.e.f'] })).toEqual(['a.b.c', 'd.e.f']);
  });
});
