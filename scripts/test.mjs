#!/usr/bin/env node
// The whole test suite in one command (`npm test`): format, lint, types, build, the Python venv of
// the OIP client tests, then every jest project (unit, e2e against the real HTTP server, with the
// pytest cases of real OIP clients reported one by one, container against the real Docker engine),
// then the Spring Boot gateway's Maven build (`mvn -B -f gateway verify`: its unit tests and the
// failsafe integration tests, which run the dist/ built above). It ends with one line
// `N passed, N failed, N skipped` counted from jest's JSON report plus the Surefire and Failsafe
// XML reports, the closing line CI reads (jest's own summary is not recognised there).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const extraJestArgs = process.argv.slice(2);
const JEST_NODE_FLAGS = ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'];
const steps = [
  ['format', 'npx', ['prettier', '--check', '.']],
  ['lint', 'npx', ['eslint', '--max-warnings', '0', '.']],
  ['typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['build', 'npx', ['tsc', '-p', 'tsconfig.build.json']],
  // The pinned Python venv of the OIP client tests (tritonclient, kserve), created when missing.
  ['oip clients venv', 'bash', ['scripts/oip-clients-venv.sh']],
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
/** Sums the `<testsuite>` counts of the JUnit XML reports in `dir` (Surefire and Failsafe). */
function junitCounts(dir) {
  const counts = { tests: 0, failed: 0, skipped: 0 };
  if (!existsSync(dir)) return counts;
  for (const name of readdirSync(dir)) {
    if (!/^TEST-.*\.xml$/.test(name)) continue;
    const xml = readFileSync(join(dir, name), 'utf8');
    const tag = /<testsuite\b[^>]*>/.exec(xml)?.[0] ?? '';
    const attr = (a) => Number(new RegExp(`\\b${a}="(\\d+)"`).exec(tag)?.[1] ?? 0);
    counts.tests += attr('tests');
    counts.failed += attr('failures') + attr('errors');
    counts.skipped += attr('skipped');
  }
  return counts;
}

// The gateway: Maven runs its unit tests (Surefire) and integration tests (Failsafe, against
// the dist/ built above). Stale reports are removed first so only this run counts.
process.stderr.write('\n== gateway: mvn -B -f gateway verify\n');
for (const dir of ['surefire-reports', 'failsafe-reports']) {
  rmSync(join('gateway', 'target', dir), { recursive: true, force: true });
}
// NODE: the ITs start the service with the node running this script.
const maven = spawnSync('mvn', ['-B', '-f', 'gateway', 'verify'], {
  stdio: 'inherit',
  env: { ...process.env, NODE: process.execPath },
});
let mavenCounted = 0;
for (const dir of ['surefire-reports', 'failsafe-reports']) {
  const c = junitCounts(join('gateway', 'target', dir));
  passed += c.tests - c.failed - c.skipped;
  failed += c.failed;
  skipped += c.skipped;
  mavenCounted += c.failed;
}
if (maven.status !== 0 && mavenCounted === 0) {
  // A build that failed outside a test (compilation, code generation, no mvn) still fails.
  failedSteps++;
  process.stderr.write(
    `== gateway build FAILED (${maven.error ? maven.error.message : `exit ${maven.status}`})\n`,
  );
}

// Each failed check step counts as one failed test so the closing line never hides it.
failed += failedSteps;
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || jest.status !== 0 || maven.status !== 0 ? 1 : 0);
