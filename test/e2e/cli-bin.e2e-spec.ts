import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureBuilt,
  listeningUrl,
  spawnService,
  type ServiceProcess,
} from '../helpers/service-process';
import { makeTempDir } from '../helpers/temp-dir';
import { DEFAULT_MODEL, postJson, send } from '../helpers/test-app';

// The `ml-anomaly-api` bin (package.json "bin", `npx ml-anomaly-api` in a clone) as real
// processes. FRESH_BUILD=0: `npm test` has just built dist/, and a rebuild racing the other
// suites' processes would test nothing more (scripts/fresh-build.cjs has its own tests).
jest.setTimeout(60_000);

const root = join(__dirname, '../..');
const BIN = 'bin/ml-anomaly-api.cjs';
const dir = makeTempDir('cli-bin');
const running: ServiceProcess[] = [];

beforeAll(() => ensureBuilt());
afterAll(() => {
  for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  dir.remove();
});

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', FRESH_BUILD: '0' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const bin = (...args: string[]) => run(process.execPath, [BIN, ...args]);

describe('ml-anomaly-api <serve|train|score|import>', () => {
  it('--help lists the four commands; no command or an unknown one is a usage error (2)', () => {
    const help = bin('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ml-anomaly-api: /);
    for (const name of ['serve', 'train', 'score', 'import'])
      expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(help.stderr).toBe('');
    const none = bin();
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toMatch(/^ml-anomaly-api: a command is required\n/);
    const unknown = bin('predict');
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^ml-anomaly-api: unknown command "predict"\n/);
    expect(bin('constructor').code).toBe(2);
  });

  it.each([
    ['serve', /^Usage: ml-anomaly-api serve \[--port N\]/m],
    ['train', /^Usage: npm run train -- \[--data FILE.csv\]/m],
    ['score', /^Usage: npm run score -- --model PATH --data FILE.csv/m],
    ['import', /^Usage: npm run import -- --model FILE.pkl/m],
  ])('%s --help prints its usage and exits 0', (name, usage) => {
    const r = bin(name, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(usage);
    expect(r.stderr).toBe('');
  });

  it('train then score: the same bytes as the compiled CLIs, exit codes passed through', () => {
    const model = dir.file('model.json');
    const trained = bin('train', '--out', model, '--n-estimators', '20');
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/^Trained an Isolation Forest and wrote /);
    const data = dir.file('seed.csv');
    writeFileSync(data, 'cpu_usage,memory_load\n-5.5,5.2\n2.1,2.1\n');
    const viaBin = bin('score', '--model', model, '--data', data);
    const direct = run(process.execPath, ['dist/cli/score.js', '--model', model, '--data', data]);
    expect(viaBin.code).toBe(0);
    expect(viaBin.stdout).toMatch(
      /^score_samples,decision_function,prediction\n\S+,\S+,-1\n\S+,\S+,1\n$/,
    );
    expect(viaBin.stdout).toBe(direct.stdout);
    const bad = bin('score', '--model', model, '--data', dir.file('missing.csv'));
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toMatch(/^score: /);
    expect(bin('score', '--nope').code).toBe(2);
  });

  it('npm run score goes through the bin', () => {
    const data = dir.file('seed2.csv');
    writeFileSync(data, 'cpu_usage,memory_load\n-5.5,5.2\n2.1,2.1\n');
    const r = run('npm', ['run', '-s', 'score', '--', '--model', DEFAULT_MODEL, '--data', data]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^score_samples,decision_function,prediction\n\S+,\S+,-1\n\S+,\S+,1\n$/,
    );
  });

  it('serve: flags become the environment, it serves the seed contract, SIGTERM exits 0', async () => {
    const s = spawnService({ FRESH_BUILD: '0', LOG_LEVEL: 'info' }, [
      BIN,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--model',
      DEFAULT_MODEL,
    ]);
    running.push(s);
    const url = await listeningUrl(s);
    expect((await send(`${url}/health`)).status).toBe(200);
    const outlier = await postJson(`${url}/predict`, { data: [-5.5, 5.2] });
    const inlier = await postJson(`${url}/predict`, { data: [2.1, 2.1] });
    expect(outlier.body).toMatchObject({ prediction_score: -1 });
    expect(inlier.body).toMatchObject({ prediction_score: 1 });
    s.child.kill('SIGTERM');
    expect(await s.exited).toEqual({ code: 0, signal: null });
  });

  it('serve: a bad flag value fails like the variable it sets (exit 1, named, no stack)', async () => {
    const s = spawnService({ FRESH_BUILD: '0' }, [BIN, 'serve', '--port', 'eighty']);
    running.push(s);
    expect((await s.exited).code).toBe(1);
    expect(s.stderr()).toMatch(/^Invalid environment variables: PORT/);
    expect(s.stderr()).not.toMatch(/\bat .+\(/);
  });
});
