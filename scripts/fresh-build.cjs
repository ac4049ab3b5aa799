#!/usr/bin/env node
'use strict';
// Keeps dist/ in step with the TypeScript sources without paying for a compiler run when nothing
// changed. Every npm script that runs compiled code (start, train, score, import, bench:*,
// openapi:generate), the `ml-anomaly-api` bin and `prepare` (so `npm ci` leaves a build behind)
// go through ensureFreshBuild():
//
// - up to date: a stat walk over the build's inputs finds nothing newer than the stamp the last
//   build left (dist/.build-stamp): a few milliseconds, no compiler loaded;
// - otherwise: `tsc -b tsconfig.build.json` (incremental: it re-emits what changed, type-checks
//   as before, and fails on a type error), then the stamp gets the build's START time, so an
//   edit made while tsc ran still counts as newer next time.
//
// Inputs: everything under src/ (files and folders, so a deleted or renamed file counts too),
// the tsconfig files, package.json and package-lock.json. Outside a clone (no src/, e.g. the
// image) there is nothing to check. FRESH_BUILD=0 skips the check (dist/ is used as it is).
const { spawnSync } = require('node:child_process');
const {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} = require('node:fs');
const { dirname, join } = require('node:path');

const ROOT = join(__dirname, '..');
const STAMP = join(ROOT, 'dist', '.build-stamp');
const TOP_LEVEL_INPUTS = [
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
];

/** Newest mtime (ms) of a folder, its files and sub-folders. */
function newestUnder(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** Newest mtime (ms) of the build's inputs. */
function newestInput(root) {
  let newest = newestUnder(join(root, 'src'));
  for (const name of TOP_LEVEL_INPUTS) {
    const path = join(root, name);
    if (existsSync(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The `tsc` script: TypeScript 7's native compiler (installed as `@typescript/native`, see
 * docs/typescript.md), else whatever `typescript` provides; null when neither is installed.
 */
function findTsc() {
  for (const [pkg, bin] of [
    ['@typescript/native', 'tsc'],
    ['typescript', 'tsc'],
  ]) {
    try {
      const manifest = require.resolve(`${pkg}/package.json`, { paths: [ROOT] });
      const bins = JSON.parse(readFileSync(manifest, 'utf8')).bin ?? {};
      if (typeof bins[bin] === 'string') return join(dirname(manifest), bins[bin]);
    } catch (e) {
      if (e.code !== 'MODULE_NOT_FOUND') throw e; // not installed: try the next
    }
  }
  return null;
}

/** Why dist/ needs a build, or null when it is up to date. */
function staleReason(root = ROOT) {
  if (!existsSync(join(root, 'src'))) return null;
  const stamp = join(root, 'dist', '.build-stamp');
  if (!existsSync(stamp)) return 'no build yet';
  return newestInput(root) > statSync(stamp).mtimeMs ? 'sources changed' : null;
}

/**
 * Builds dist/ when a source changed since the last build; returns true when it is up to date
 * afterwards. Prints tsc's diagnostics (to stderr) and returns false when the build fails.
 */
function ensureFreshBuild() {
  if (process.env.FRESH_BUILD === '0') return true;
  const reason = staleReason();
  if (reason === null) return true;
  const tsc = findTsc();
  if (tsc === null) {
    // `npm ci --omit=dev` in a clone still runs `prepare`: without TypeScript there is nothing
    // to build with, which must not fail the install (the CLIs say so when they start).
    if (process.env.npm_lifecycle_event === 'prepare') {
      process.stderr.write(
        `prepare: TypeScript is not installed (dev dependencies omitted): dist/ not built\n`,
      );
      return true;
    }
    process.stderr.write(
      `dist/ is out of date (${reason}) and TypeScript is not installed: run npm ci\n`,
    );
    return false;
  }
  process.stderr.write(`building dist/ (${reason}): tsc -b tsconfig.build.json\n`);
  const started = new Date();
  // tsc's diagnostics go to stderr so that a CLI's stdout (scores, JSON) stays clean.
  const r = spawnSync(process.execPath, [tsc, '-b', join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    stdio: ['ignore', 2, 2],
  });
  if (r.status !== 0) {
    process.stderr.write(
      `build failed (tsc exit ${r.status ?? r.signal}): dist/ is not up to date\n`,
    );
    return false;
  }
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  writeFileSync(STAMP, '');
  utimesSync(STAMP, started, started);
  return true;
}

module.exports = { ensureFreshBuild, staleReason };

if (require.main === module) process.exitCode = ensureFreshBuild() ? 0 : 1;
