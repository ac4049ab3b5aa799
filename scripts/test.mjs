#!/usr/bin/env node
// The whole test suite in one command (`npm test`): format, lint, types, build, then every jest
// project (unit, e2e against the real HTTP server, container against the real Docker engine).
// It ends with one line `N passed, N failed, N skipped` counted from jest's JSON report, the
// closing line CI reads (jest's own summary is not recognised there).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';

const extraJestArgs = process.argv.slice(2);
const JEST_NODE_FLAGS = ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'];
const steps = [
  ['format', 'npx', ['prettier', '--check', '.']],
  ['lint', 'npx', ['eslint', '--max-warnings', '0', '.']],
  ['typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['build', 'npx', ['tsc', '-p', 'tsconfig.build.json']],
];

let failedSteps = 0;
for (const [name, cmd, args] of steps) {
  process.stderr.write(`\n== ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    failedSteps++;
    process.stderr.write(`== ${name} FAILED (exit ${r.status})\n`);
  }
}

mkdirSync('.reports', { recursive: true });
const report = '.reports/jest.json';
process.stderr.write('\n== jest\n');
// NestJS 12 ships ES modules only; jest loads them with require(esm), which needs Node 24.9+
// and vm modules (the flag is passed to jest's node, its workers inherit it).
const jest = spawnSync(
  process.execPath,
  [
    ...JEST_NODE_FLAGS,
    'node_modules/jest/bin/jest.js',
    '--ci',
    '--json',
    `--outputFile=${report}`,
    ...extraJestArgs,
  ],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  skipped = r.numPendingTests + r.numTodoTests;
} else {
  failed = 1;
}
// Each failed check step counts as one failed test so the closing line never hides it.
failed += failedSteps;
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || jest.status !== 0 ? 1 : 0);
