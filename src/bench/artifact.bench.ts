/**
 * `npm run bench:artifact [-- PATH]`: size and load + verify time of a model artifact (default:
 * the committed default model), as medians of repeated runs with baselines from the same run:
 * bare `JSON.parse` of the same bytes and bare SHA-256 of them (the floor of any checked JSON
 * format). The first decode in the process is reported separately: it includes JIT warm-up and
 * is what a starting service pays.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeArtifact } from '../artifact/decode-artifact';
import { encodeArtifact } from '../artifact/encode-artifact';
import { DEFAULT_MODEL_PATH } from '../cli/train';

const REPEATS = 60;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function measure(fn: () => unknown): number {
  const samples: number[] = [];
  for (let i = 0; i < REPEATS; i++) samples.push(time(fn));
  return median(samples);
}

const path = process.argv[2] ?? DEFAULT_MODEL_PATH;
const bytes = readFileSync(path);
const first = time(() => decodeArtifact(bytes));
const model = decodeArtifact(bytes);
const nodes = model.forest.nodeOffsets[model.forest.nEstimators];

const decode = measure(() => decodeArtifact(bytes));
const parse = measure(() => JSON.parse(new TextDecoder().decode(bytes)));
const hash = measure(() => createHash('sha256').update(bytes).digest('hex'));
const encode = measure(() => encodeArtifact(model));

const ms = (v: number): string => `${v.toFixed(2)} ms`;
console.log(`artifact ${path}`);
console.log(
  `  size                 ${(bytes.length / 1024).toFixed(1)} KiB (${bytes.length} bytes; ` +
    `${model.forest.nEstimators} trees, ${nodes} nodes, ${(bytes.length / nodes).toFixed(1)} bytes/node; budget 2048 KiB)`,
);
console.log(`  first decode         ${ms(first)} (cold, includes JIT warm-up; budget 50 ms)`);
console.log(`  decode + verify      ${ms(decode)} median of ${REPEATS}`);
console.log(
  `  baseline JSON.parse  ${ms(parse)} median (decode = ${(decode / parse).toFixed(2)}x)`,
);
console.log(`  baseline sha256      ${ms(hash)} median (decode = ${(decode / hash).toFixed(2)}x)`);
console.log(`  encode               ${ms(encode)} median (includes its own verifying decode)`);
