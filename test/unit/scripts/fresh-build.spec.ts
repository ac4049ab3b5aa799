import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../helpers/temp-dir';

// scripts/fresh-build.cjs, what `prepare`, the bin and the CLI/bench npm scripts run before
// compiled code: exercised as a process on a small real project in a temp folder (its own
// src/, tsconfig files and the repository's TypeScript), never on the repository's dist/.
const repo = join(__dirname, '../../..');
const dir = makeTempDir('fresh-build');
afterAll(() => dir.remove());

const root = dir.path;
const stamp = join(root, 'dist/.build-stamp');

function write(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** Sets a file's (or folder's) mtime `secondsAgo` in the past. */
function age(path: string, secondsAgo: number): void {
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(join(root, path), t, t);
}

function freshBuild(env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/fresh-build.cjs')], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function staleReason(): string | null {
  const r = spawnSync(
    process.execPath,
    [
      '-p',
      `JSON.stringify(require(${JSON.stringify(join(root, 'scripts/fresh-build.cjs'))}).staleReason())`,
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(r.stdout.trim()) as string | null;
}

/** Every input older than the stamp, so the project reads as freshly built. */
function settle(): void {
  const ageTree = (path: string): void => {
    for (const entry of readdirSync(join(root, path), { withFileTypes: true }))
      if (entry.isDirectory()) ageTree(join(path, entry.name));
      else age(join(path, entry.name), 60);
    age(path, 60);
  };
  if (existsSync(join(root, 'src'))) ageTree('src');
  for (const path of ['tsconfig.build.json', 'package-lock.json'])
    if (existsSync(join(root, path))) age(path, 60);
  age('dist/.build-stamp', 30);
}

beforeAll(() => {
  mkdirSync(join(root, 'scripts'));
  copyFileSync(join(repo, 'scripts/fresh-build.cjs'), join(root, 'scripts/fresh-build.cjs'));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  write(
    'tsconfig.build.json',
    JSON.stringify({
      compilerOptions: {
        module: 'commonjs',
        target: 'ES2022',
        strict: true,
        rootDir: './src',
        outDir: './dist',
        incremental: true,
        tsBuildInfoFile: './dist/.tsbuildinfo',
        types: [],
      },
      include: ['src/**/*.ts'],
    }),
  );
  write('src/lib/add.ts', 'export const add = (a: number, b: number): number => a + b;\n');
  write('src/main.ts', "import { add } from './lib/add';\nconsole.log(add(1, 2));\n");
});

describe('scripts/fresh-build.cjs', () => {
  it('builds when there is no build yet, and stamps it', () => {
    expect(staleReason()).toBe('no build yet');
    const r = freshBuild();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('building dist/ (no build yet): tsc -b tsconfig.build.json');
    expect(r.stdout).toBe('');
    expect(existsSync(stamp)).toBe(true);
    const run = spawnSync(process.execPath, [join(root, 'dist/main.js')], { encoding: 'utf8' });
    expect(run.stdout).toBe('3\n');
    expect(staleReason()).toBeNull();
  });

  it('does nothing (no compiler, no output) when no input is newer than the stamp', () => {
    settle();
    const before = statSync(join(root, 'dist/main.js')).mtimeMs;
    const r = freshBuild();
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(statSync(join(root, 'dist/main.js')).mtimeMs).toBe(before);
  });

  it.each([
    [
      'an edited file',
      () => write('src/lib/add.ts', readFileSync(join(root, 'src/lib/add.ts'), 'utf8')),
    ],
    ['a new file in a sub-folder', () => write('src/lib/extra.ts', 'export const x = 1;\n')],
    ['a deleted file', () => rmSync(join(root, 'src/lib/extra.ts'))],
    [
      'a changed tsconfig',
      () => write('tsconfig.build.json', readFileSync(join(root, 'tsconfig.build.json'), 'utf8')),
    ],
    ['a changed package-lock.json', () => write('package-lock.json', '{}\n')],
  ])('sees %s as a change', (_what, change) => {
    settle();
    expect(staleReason()).toBeNull();
    change();
    expect(staleReason()).toBe('sources changed');
  });

  it('rebuilds what changed, and then is fresh again', () => {
    settle();
    write('src/lib/add.ts', 'export const add = (a: number, b: number): number => a + b + 10;\n');
    const r = freshBuild();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('building dist/ (sources changed)');
    const run = spawnSync(process.execPath, [join(root, 'dist/main.js')], { encoding: 'utf8' });
    expect(run.stdout).toBe('13\n');
    expect(staleReason()).toBeNull();
  });

  it('fails on a type error, leaves the stamp behind the sources, and says so', () => {
    settle();
    const stampBefore = statSync(stamp).mtimeMs;
    write('src/lib/add.ts', 'export const add = (a: number, b: number): number => `${a}${b}`;\n');
    const r = freshBuild();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error TS2322/);
    expect(r.stderr).toMatch(/build failed \(tsc exit [12]\): dist\/ is not up to date/);
    expect(statSync(stamp).mtimeMs).toBe(stampBefore);
    expect(staleReason()).toBe('sources changed');
    write('src/lib/add.ts', 'export const add = (a: number, b: number): number => a + b;\n');
    expect(freshBuild().code).toBe(0);
  });

  it('FRESH_BUILD=0 skips the check', () => {
    write('src/lib/add.ts', 'export const add = (a: number, b: number): number => a * b;\n');
    expect(freshBuild({ FRESH_BUILD: '0' })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(staleReason()).toBe('sources changed');
  });

  it('outside a clone (no src/) there is nothing to build', () => {
    rmSync(join(root, 'src'), { recursive: true });
    expect(staleReason()).toBeNull();
    expect(freshBuild()).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
