import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/run-cli';

/** Outcome of one in-process CLI run. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Calls a CLI's `main(argv, io)` with in-memory stdout/stderr and returns what it printed. */
export async function runCliMain(
  main: (argv: readonly string[], io: CliIo) => Promise<number>,
  argv: readonly string[],
): Promise<CliRun> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  let stderr = '';
  const code = await main(argv, {
    stdout,
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout: Buffer.concat(chunks).toString('utf8'), stderr };
}
