#!/usr/bin/env node
'use strict';
// `node scripts/run-built.cjs dist/FILE.js [args]`: brings dist/ up to date (a few milliseconds
// when no source changed, see fresh-build.cjs), then runs FILE with node: what the bench:* and
// openapi:generate scripts use. Exit code and signal are FILE's.
const { spawnSync } = require('node:child_process');
const { ensureFreshBuild } = require('./fresh-build.cjs');

const [file, ...args] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node scripts/run-built.cjs dist/FILE.js [args]\n');
  process.exit(2);
}
if (!ensureFreshBuild()) process.exit(1);
const r = spawnSync(process.execPath, [file, ...args], { stdio: 'inherit' });
if (r.signal) process.kill(process.pid, r.signal);
process.exitCode = r.status ?? 1;
