#!/usr/bin/env node
// `npm start`: bring dist/ up to date (a few milliseconds when no source changed), make sure the
// default model exists (train it when missing), then serve in this process. PORT, HOST and
// MODEL_PATH are honoured, and `npm start -- --port 9000` takes serve's flags; a custom
// MODEL_PATH that is missing is not trained (the service starts with readiness down and says
// why, so an operator can fix it).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { ensureFreshBuild } = require('./fresh-build.cjs');

if (!ensureFreshBuild()) process.exit(1);
const args = process.argv.slice(2);
const DEFAULT_MODEL = 'model-artifacts/anomaly-detector.json';
const customModel =
  process.env.MODEL_PATH || args.some((a) => a === '--model' || a.startsWith('--model='));
if (!customModel && !existsSync(DEFAULT_MODEL)) {
  console.error(`${DEFAULT_MODEL} is missing: training the default model`);
  const { main: train } = require('../dist/cli/train.js');
  const code = await train([]);
  if (code !== 0) process.exit(code);
}
const { main: serve } = require('../dist/cli/serve.js');
process.exitCode = await serve(args);
