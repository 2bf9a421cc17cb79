import * as stable from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { ATTR } from './attributes';

// Our copies of the names must be the conventions' own, stable or incubating.
const conventions = new Set<string>(
  [...Object.entries(stable), ...Object.entries(incubating)]
    .filter(([key, value]) => key.startsWith('ATTR_') && typeof value === 'string')
    .map(([, value]) => value as string),
);

describe('span attribute names', () => {
  it.each(Object.entries(ATTR))('%s (%s) is a semantic-convention name', (_key, name) => {
    expect(conventions.has(name)).toBe(true);
  });

  it('would notice a made-up name', () => {
    expect(conventions.has('http.request.verb')).toBe(false);
  });
});
