import * as stable from '@opentelemetry/semantic-conventions';
import { ATTR } from './attributes';

// A subpath export, which this repo's moduleResolution cannot type.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const incubating = require('@opentelemetry/semantic-conventions/incubating') as Record<
  string,
  unknown
>;

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
