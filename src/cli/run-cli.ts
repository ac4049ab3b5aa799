import { InvalidInputError, ModelFormatError } from '../engine/errors';
import { CliError, EXIT_DATA_ERROR, EXIT_OK, EXIT_USAGE } from './cli-error';
import type { TextSink } from './progress';

/** Exit code of an unexpected failure (a bug): sysexits' EX_SOFTWARE. */
export const EXIT_INTERNAL = 70;

/** Output streams of a CLI run; tests pass collectors, the entry points pass the process's. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: TextSink;
}

/** The process's own stdout and stderr. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr };
}

/**
 * Runs a CLI body and turns its outcome into an exit code: expected failures (bad flags, bad
 * data, bad model) become one `name: message` line on stderr, never a stack trace; anything
 * else is a bug and is reported with its stack.
 *
 * @param helpCommand the command a usage error points to (default `npm run <name> -- --help`)
 */
export async function runCli(
  name: string,
  io: CliIo,
  body: () => Promise<void>,
  helpCommand = `npm run ${name} -- --help`,
): Promise<number> {
  try {
    await body();
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr.write(`${name}: ${e.message}\n`);
      if (e.exitCode === EXIT_USAGE) io.stderr.write(`Run \`${helpCommand}\` for usage.\n`);
      return e.exitCode;
    }
    if (e instanceof ModelFormatError || e instanceof InvalidInputError) {
      io.stderr.write(`${name}: ${e.message}\n`);
      return EXIT_DATA_ERROR;
    }
    io.stderr.write(`${name}: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    return EXIT_INTERNAL;
  }
}

/** Wires a CLI's `main` to the process when the file is run directly. */
export function runAsScript(main: (argv: readonly string[], io: CliIo) => Promise<number>): void {
  void main(process.argv.slice(2), processIo()).then((code) => {
    process.exitCode = code;
  });
}
