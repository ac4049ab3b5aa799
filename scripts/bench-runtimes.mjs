#!/usr/bin/env node
// `npm run bench:runtimes -- [--baseline PATH] [--rounds N] engine http ...`: runs the given
// benchmarks (dist/bench/<name>.bench.js) under this node and under a baseline node (default
// /usr/bin/node, e.g. Node 20 beside Node 24), alternating which goes first round by round so
// a loaded machine weighs on both alike. Each benchmark's last output line is its JSON figures;
// this prints, per numeric figure, the median under each runtime and their ratio (this node /
// baseline; nested figures by their dotted path), then one JSON line with everything.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: {
    baseline: { type: 'string', default: '/usr/bin/node' },
    rounds: { type: 'string', default: '2' },
  },
  allowPositionals: true,
});
const benches = positionals.length > 0 ? positionals : ['engine', 'http'];
const rounds = Number(values.rounds);
const runtimes = [
  { node: process.execPath, version: process.version },
  { node: values.baseline, version: versionOf(values.baseline) },
];

function versionOf(node) {
  const r = spawnSync(node, ['-v'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${node} -v failed: ${r.stderr || r.error?.message}`);
  return r.stdout.trim();
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs one benchmark under `node`; returns its final JSON line (progress goes to stderr). */
function runBench(node, name) {
  const r = spawnSync(node, [`dist/bench/${name}.bench.js`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  const lines = r.stdout.trim().split('\n');
  if (r.status !== 0) throw new Error(`${name} under ${node} failed (${r.status}):\n${r.stdout}`);
  process.stderr.write(lines.map((l) => `  [${name} ${versionOf(node)}] ${l}`).join('\n') + '\n');
  return JSON.parse(lines[lines.length - 1]);
}

/**
 * Flattens a benchmark's figures to `path -> number`: nested objects by key, arrays of objects
 * with a `connections` field as `c<connections>` (bench:http's per-concurrency results), other
 * arrays by index.
 */
function flatten(value, prefix = '', out = {}) {
  if (typeof value === 'number') out[prefix] = value;
  else if (Array.isArray(value))
    value.forEach((v, i) =>
      flatten(v, `${prefix}.${typeof v?.connections === 'number' ? `c${v.connections}` : i}`, out),
    );
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

const result = { runtimes: runtimes.map((r) => r.version), rounds, benches: {} };
for (const name of benches) {
  const samples = runtimes.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      process.stderr.write(
        `== ${name}, round ${round + 1}/${rounds}, node ${runtimes[i].version}\n`,
      );
      samples[i].push(flatten(runBench(runtimes[i].node, name)));
    }
  }
  const keys = Object.keys(samples[0][0]).filter((k) =>
    samples.every((s) => s.every((fig) => typeof fig[k] === 'number')),
  );
  const figures = {};
  console.log(`\n${name}: median of ${rounds} (${runtimes[0].version} vs ${runtimes[1].version})`);
  for (const k of keys) {
    const [a, b] = samples.map((s) => median(s.map((fig) => fig[k])));
    const ratio = b !== 0 ? a / b : null;
    figures[k] = { [runtimes[0].version]: a, [runtimes[1].version]: b, ratio };
    console.log(
      `  ${k.padEnd(40)} ${String(Number(a.toPrecision(5))).padStart(12)} ${String(Number(b.toPrecision(5))).padStart(12)}  ${ratio === null ? '' : `${ratio.toFixed(2)}x`}`,
    );
  }
  result.benches[name] = figures;
}
console.log(JSON.stringify(result));
