import { parseFlags } from './cli-flags';
import { processIo, runAsScript, runCli, type CliIo } from './run-cli';

const USAGE = `Run the HTTP service (what \`npm start\` runs; the image runs \`node dist/main.js\`).

Usage: ml-anomaly-api serve [--port N] [--host ADDR] [--model PATH]

  --port N        port to listen on (sets PORT; default 8000)
  --host ADDR     address to listen on (sets HOST; default 0.0.0.0)
  --model PATH    model artifact to serve (sets MODEL_PATH;
                  default model-artifacts/anomaly-detector.json)
  --help          show this text

Every other setting comes from the environment (README, "Configuration"). The service runs until
SIGTERM or SIGINT (drains in-flight requests, exits 0); SIGHUP reloads the model.
Exit codes: 1 bad environment or failure to start, 2 bad command line.
`;

const FLAGS = { port: 'string', host: 'string', model: 'string', help: 'boolean' } as const;

/** The environment variable each flag sets (the service reads its configuration from there). */
const FLAG_ENV = { port: 'PORT', host: 'HOST', model: 'MODEL_PATH' } as const;

/**
 * `ml-anomaly-api serve`: flags become the environment variables the service validates
 * (a bad value fails with the variable's own message), then the service starts in this
 * process. Nest loads only here, so the other commands start without it.
 *
 * @returns 0 once listening, else the exit code
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code = 0;
  const outcome = await runCli(
    'serve',
    io,
    async () => {
      const flags = parseFlags(argv, FLAGS);
      if (flags.help) {
        io.stdout.write(USAGE);
        return;
      }
      for (const [flag, variable] of Object.entries(FLAG_ENV)) {
        const value = flags[flag as keyof typeof FLAG_ENV];
        if (value !== undefined) process.env[variable] = value;
      }
      const service = await import('../main');
      code = await service.serve().catch(service.exitOnStartFailure);
    },
    'ml-anomaly-api serve --help',
  );
  return outcome !== 0 ? outcome : code;
}

if (require.main === module) runAsScript(main);
