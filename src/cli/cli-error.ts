/** Process exit codes of the CLIs (documented in README "Training and offline scoring"). */
export const EXIT_OK = 0;
/** Bad data or model: unreadable/invalid CSV, corrupt model file, failed write. */
export const EXIT_DATA_ERROR = 1;
/** Bad command line: unknown flag, missing or malformed value. */
export const EXIT_USAGE = 2;

/** An error the CLI reports as one line on stderr (no stack trace), with its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  /**
   * @param message what went wrong, for the person at the terminal
   * @param exitCode EXIT_USAGE or EXIT_DATA_ERROR
   */
  constructor(
    message: string,
    readonly exitCode: number = EXIT_DATA_ERROR,
  ) {
    super(message);
  }
}

/** A command-line mistake (exit code 2). */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT_USAGE);
}
