import { EXIT_OK, EXIT_USAGE } from './cli-error';
import { processIo, runAsScript, type CliIo } from './run-cli';

/** A command's entry point, as each CLI module exports it. */
type CommandMain = (argv: readonly string[], io: CliIo) => Promise<number>;

/**
 * The commands, each loaded only when chosen: `score` never loads Nest, `serve` never loads
 * the CSV reader.
 */
const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<CommandMain> }>> = {
  serve: {
    summary: 'run the HTTP service (npm start)',
    load: async () => (await import('./serve')).main,
  },
  train: {
    summary: 'train an Isolation Forest on a CSV and write a model artifact (npm run train)',
    load: async () => (await import('./train')).main,
  },
  score: {
    summary: 'score a CSV with a model artifact or scikit-learn pickle (npm run score)',
    load: async () => (await import('./score')).main,
  },
  import: {
    summary: 'convert a scikit-learn pickle/joblib model into an artifact (npm run import)',
    load: async () => (await import('./import')).main,
  },
  report: {
    summary: 'write the model report (drift and decision map) as one HTML file (npm run report)',
    load: async () => (await import('./report')).main,
  },
};

const USAGE = `ml-anomaly-api: Isolation Forest anomaly detection with scikit-learn's semantics.

Usage: ml-anomaly-api <command> [flags]
       ml-anomaly-api <command> --help

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)}${c.summary}`)
  .join('\n')}

In a clone: npx ml-anomaly-api <command> ..., or npm run <command> -- ... (npm start for serve).
`;

/**
 * `ml-anomaly-api <serve|train|score|import|report> [flags]`: dispatches to the command's own `main`
 * with the remaining arguments; `--help` (or no command) prints the command list.
 *
 * @returns the process exit code (2 for a missing or unknown command)
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.stderr.write(
      name === undefined
        ? `ml-anomaly-api: a command is required\n${USAGE}`
        : `ml-anomaly-api: unknown command ${JSON.stringify(name)}\n${USAGE}`,
    );
    return EXIT_USAGE;
  }
  return (await command.load())(rest, io);
}

if (require.main === module) runAsScript(main);
