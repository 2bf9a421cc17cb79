import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigDocs } from './config-docs';

describe('docs/configuration.md', () => {
  it('is generated from the settings table (run `npm run docs:config` after changing a setting)', () => {
    const committed = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');
    expect(committed).toBe(renderConfigDocs());
  });
});
