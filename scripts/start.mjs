#!/usr/bin/env node
// `npm start`: compile, make sure the default model exists (train it when missing), then serve.
// PORT, HOST and MODEL_PATH are honoured; a custom MODEL_PATH that is missing is not trained
// (the service starts with readiness down and says why, so an operator can fix it).
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run('npx', ['tsc', '-p', 'tsconfig.build.json']);
const DEFAULT_MODEL = 'model-artifacts/anomaly-detector.json';
if (!process.env.MODEL_PATH && !existsSync(DEFAULT_MODEL)) {
  console.error(`${DEFAULT_MODEL} is missing: training the default model`);
  run('node', ['dist/cli/train.js']);
}
const child = spawn('node', ['dist/main.js'], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
