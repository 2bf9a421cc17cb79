import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The scripts every workspace carries, so `turbo run <task> --filter=<package>` works for each. */
const TASKS = {
  build: 'tsc -b',
  lint: 'eslint src',
  // The root jest config, which narrows itself to the workspace it is started in.
  test: 'jest -c ../../jest.config.js --selectProjects unit --passWithNoTests',
  'test:int': 'jest -c ../../jest.config.js --selectProjects int --runInBand --passWithNoTests',
};

const workspaces = ['packages', 'apps'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((name) => existsSync(join(ROOT, dir, name, 'package.json')))
    .map((name) => `${dir}/${name}`),
);
const json = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

describe('per-package tasks (turbo)', () => {
  it.each(workspaces)('%s has the build, lint, test and test:int scripts', (workspace) => {
    const { name, scripts } = json(`${workspace}/package.json`);
    expect(name).toBe(`@idp/${workspace.split('/')[1]}`);
    expect(scripts).toMatchObject(TASKS);
  });

  it('turbo.json declares every task; tests need no build, only the sources they import', () => {
    const { tasks } = json('turbo.json');
    expect(Object.keys(tasks)).toEqual(expect.arrayContaining(Object.keys(TASKS)));
    expect(tasks.test.dependsOn).toEqual(['transit']);
    expect(tasks.transit.dependsOn).toEqual(['^transit']);
  });
});
