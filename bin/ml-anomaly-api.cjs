#!/usr/bin/env node
'use strict';
// `ml-anomaly-api <serve|train|score|import> [flags]` (package.json "bin"; `npx ml-anomaly-api`
// in a clone, and what `npm start` / `npm run train|score|import` run). In a clone it first
// brings dist/ up to date, which costs a few milliseconds when no source changed (see
// scripts/fresh-build.cjs), then runs the compiled command in this same process.
const { ensureFreshBuild } = require('../scripts/fresh-build.cjs');

if (!ensureFreshBuild()) process.exit(1);
const { main } = require('../dist/cli/main.js');
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
