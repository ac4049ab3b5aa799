// Real Open Inference Protocol clients from PyPI (tritonclient[http] and KServe's client) against
// the real server: jest starts the servers, runs test/oip-clients/test_oip_clients.py with pytest
// from the pinned venv (scripts/oip-clients-venv.sh), and reports each pytest case as a test.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTestRepository } from '../helpers/model-repository';
import { startTestApp, type TestApp } from '../helpers/test-app';

const PYTHON = join('.tmp', 'venv-oip-clients', 'bin', 'python');
const SUITE = join('test', 'oip-clients', 'test_oip_clients.py');
const TOKEN = 'oip-clients-admin-token';

/** The pytest cases, by the name junit reports (`test_x[param]`), or why none could be listed. */
function collect(): { names: string[]; problem: string | null } {
  if (!existsSync(PYTHON)) {
    return { names: [], problem: `${PYTHON} is missing: run scripts/oip-clients-venv.sh` };
  }
  const r = spawnSync(PYTHON, ['-m', 'pytest', '--collect-only', '-q', SUITE], {
    encoding: 'utf8',
    env: {
      ...process.env,
      OIP_URL: 'x',
      OIP_REPO_URL: 'x',
      OIP_REPO_DIR: 'x',
      OIP_ADMIN_TOKEN: 'x',
    },
  });
  const names = r.stdout
    .split('\n')
    .filter((l) => l.startsWith(`${SUITE}::`))
    .map((l) => l.slice(SUITE.length + 2));
  return names.length > 0
    ? { names, problem: null }
    : { names, problem: `pytest collected nothing: ${r.stdout}${r.stderr}` };
}

interface CaseResult {
  readonly outcome: 'passed' | 'failed' | 'skipped';
  readonly detail: string;
}

/** Reads pytest's JUnit XML report into name -> outcome. */
function readJunit(path: string): Map<string, CaseResult> {
  const results = new Map<string, CaseResult>();
  const xml = readFileSync(path, 'utf8');
  for (const m of xml.matchAll(
    /<testcase\b[^>]*\bname="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g,
  )) {
    const name = m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const body = m[2] ?? '';
    const outcome = /<(failure|error)\b/.test(body)
      ? 'failed'
      : /<skipped\b/.test(body)
        ? 'skipped'
        : 'passed';
    results.set(name, { outcome, detail: body });
  }
  return results;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => resolve(out));
  });
}

const { names, problem } = collect();

describe('real OIP clients (tritonclient[http], kserve) against the real server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oip-clients-'));
  const report = join(dir, 'pytest.xml');
  let results = new Map<string, CaseResult>();
  let output = '';
  let apps: TestApp[] = [];

  beforeAll(async () => {
    if (problem !== null) return;
    writeTestRepository(join(dir, 'serving'));
    writeTestRepository(join(dir, 'repo'), { broken: true });
    apps = [
      await startTestApp({ MODEL_REPOSITORY: join(dir, 'serving'), LOG_LEVEL: 'warn' }),
      await startTestApp({
        MODEL_REPOSITORY: join(dir, 'repo'),
        ADMIN_TOKEN: TOKEN,
        LOG_LEVEL: 'warn',
      }),
    ];
    const host = (app: TestApp): string => app.url.replace(/^http:\/\//, '');
    output = await run(
      PYTHON,
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', `--junitxml=${report}`, SUITE],
      {
        ...process.env,
        OIP_URL: host(apps[0]),
        OIP_REPO_URL: host(apps[1]),
        OIP_REPO_DIR: join(dir, 'repo'),
        OIP_ADMIN_TOKEN: TOKEN,
      },
    );
    if (existsSync(report)) results = readJunit(report);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  if (problem !== null) {
    it('has its pinned Python clients installed', () => {
      throw new Error(problem);
    });
    return;
  }

  it('collected the client cases', () => {
    expect(names.length).toBeGreaterThanOrEqual(15);
  });

  it.each(names)('%s', (name) => {
    const result = results.get(name);
    if (result === undefined) throw new Error(`pytest did not report ${name}:\n${output}`);
    if (result.outcome !== 'passed')
      throw new Error(`${name} ${result.outcome}:\n${result.detail}`);
  });
});
