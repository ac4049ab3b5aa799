import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { send, startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Swagger UI in a real headless Chromium: the page's scripts must run under the service's
 * Content-Security-Policy and render every operation. An HTTP-level test cannot show that (the
 * served HTML contains no operation markup; Swagger UI's JavaScript builds it in the browser).
 *
 * Needs Chromium: `CHROMIUM_PATH`, or Debian's `/usr/bin/chromium` (`apt-get install chromium`,
 * which `.ci/run` does).
 */

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
const CHROMIUM = CANDIDATES.find((path): path is string => path !== undefined && existsSync(path));

/** The operations the OpenAPI document declares, as Swagger UI renders their ids. */
const OPERATIONS = [
  'operations-predict-predict',
  'operations-predict-predictBatch',
  'operations-model-getModel',
  'operations-model-reloadModel',
  'operations-health-health',
  'operations-health-liveness',
  'operations-health-readiness',
  'operations-metrics-metrics',
];

/** What Chromium made of a page: the DOM after its scripts ran, and its console lines. */
interface Rendered {
  readonly dom: string;
  readonly console: string[];
}

/** Loads `url` in headless Chromium, lets its scripts run, and returns the DOM and console. */
function render(url: string): Promise<Rendered> {
  if (CHROMIUM === undefined) {
    throw new Error(
      'Chromium not found: install it (apt-get install chromium) or set CHROMIUM_PATH',
    );
  }
  const args = [
    '--headless',
    '--no-sandbox', // CI runs as root
    '--disable-gpu',
    '--no-first-run',
    '--enable-logging=stderr',
    '--v=0',
    '--virtual-time-budget=15000',
    '--dump-dom',
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, args, { timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`chromium failed: ${err.message}\n${stderr.slice(-2000)}`));
        return;
      }
      const console = stderr.split('\n').filter((line) => line.includes(':CONSOLE'));
      resolve({ dom: stdout, console });
    });
  });
}

const CSP_VIOLATION = /Content Security Policy/i;

describe('Swagger UI in headless Chromium (real server)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('renders every operation under the service CSP, with no CSP violation', async () => {
    const served = await send(`${t.url}/docs`, { method: 'GET' });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    for (const id of OPERATIONS) expect(served.text).not.toContain(id);

    const page = await render(`${t.url}/docs`);
    for (const id of OPERATIONS) expect(page.dom).toContain(`id="${id}"`);
    expect(page.dom).toContain('ml-anomaly-api');
    expect(page.console.filter((line) => CSP_VIOLATION.test(line))).toEqual([]);
  }, 90_000);

  describe('control: the same checks catch a page whose scripts the CSP blocks', () => {
    let server: Server;
    let url = '';

    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.setHeader('Content-Security-Policy', "default-src 'none'");
        res.setHeader('Content-Type', 'text/html');
        res.end(
          '<html><body><div id="out">static</div>' +
            '<script>document.getElementById("out").id = "operations-predict-predict"</script>' +
            '</body></html>',
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('sees the violation in the console and no rendered operation', async () => {
      const page = await render(url);
      expect(page.dom).toContain('id="out"');
      expect(page.dom).not.toContain('id="operations-predict-predict"');
      expect(page.console.some((line) => CSP_VIOLATION.test(line))).toBe(true);
    }, 90_000);
  });
});
