import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { syntheticServerData } from '../../src/cli/synthetic-server-data';
import { decodePng, pixelSpread } from '../helpers/png-pixels';
import { makeTempDir } from '../helpers/temp-dir';
import { postJson, send, startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The model report in a real headless Chromium, under the CSP the service sends: the SVG charts
 * are drawn (a screenshot with real spread of colours), no CSP violation, and the page says
 * `drift` after shifted rows were scored.
 *
 * Needs Chromium, found as in swagger-ui.e2e-spec.ts: `CHROMIUM_PATH`, or Debian's
 * `/usr/bin/chromium` (which `.ci/run` installs).
 */

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
const CHROMIUM = CANDIDATES.find((path): path is string => path !== undefined && existsSync(path));
const CSP_VIOLATION = /Content Security Policy|Refused to/i;

const dir = makeTempDir('model-report');
afterAll(() => dir.remove());

/** Runs headless Chromium on `url` with `extra` flags; returns stdout and the console lines. */
function chromium(url: string, extra: string[]): Promise<{ stdout: string; console: string[] }> {
  if (CHROMIUM === undefined) {
    throw new Error(
      'Chromium not found: install it (apt-get install chromium) or set CHROMIUM_PATH',
    );
  }
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--hide-scrollbars',
    '--enable-logging=stderr',
    '--v=0',
    '--window-size=1280,1600',
    ...extra,
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, args, { timeout: 60_000, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`chromium failed: ${err.message}\n${stderr.slice(-2000)}`));
        return;
      }
      resolve({ stdout, console: stderr.split('\n').filter((l) => l.includes(':CONSOLE')) });
    });
  });
}

/** The synthetic training rows moved by (dx, dy). */
function shiftedRows(dx: number, dy: number): number[][] {
  const { x } = syntheticServerData();
  const rows: number[][] = [];
  for (let i = 0; i < x.rows; i++) rows.push([x.data[2 * i] + dx, x.data[2 * i + 1] + dy]);
  return rows;
}

describe('GET /model/report in headless Chromium (real server, default model)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves a self-contained page: no scripts, nothing external, its CSP allows only its style', async () => {
    const res = await send(`${t.url}/model/report`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/unsafe-inline|script-src/);
    expect(res.text).not.toMatch(/<script|<link|@import|url\(|src=|href=/i);
    expect(res.text).toContain('Status: insufficient_data.');
  });

  it('renders the map, distributions and drift bars with no CSP violation, and shows drift', async () => {
    // 3,000 rows moved off the training clusters: every feature and the score drift.
    const rows = shiftedRows(1.5, -1);
    for (let k = 0; k < 3; k++) {
      expect((await postJson(`${t.url}/predict/batch`, { data: rows })).status).toBe(200);
    }
    const url = `${t.url}/model/report`;
    const dom = await chromium(url, ['--dump-dom']);
    const html = dom.stdout;
    expect(html).toMatch(/<svg[^>]*id="decision-map"/);
    expect(html).toMatch(/<path id="threshold-contour" d="M[0-9]/);
    expect((html.match(/<circle /g) ?? []).length).toBeGreaterThanOrEqual(200);
    expect(html).toMatch(/<svg[^>]*id="score-distribution"/);
    expect(html).toMatch(/<path id="live-score-line" d="M/);
    expect(html).toMatch(/<svg[^>]*id="drift-bars"/);
    expect((html.match(/class="psi-bar drifting"/g) ?? []).length).toBe(3);
    expect((html.match(/class="live-bar"/g) ?? []).length).toBeGreaterThanOrEqual(20);
    expect(html).toContain('id="status" class="status drift"');
    expect(html).toContain('Status: drift.');
    expect(dom.console.filter((line) => CSP_VIOLATION.test(line))).toEqual([]);

    const shot = dir.file('report.png');
    const screenshot = await chromium(url, [`--screenshot=${shot}`]);
    expect(screenshot.console.filter((line) => CSP_VIOLATION.test(line))).toEqual([]);
    const png = decodePng(readFileSync(shot));
    expect(png.width).toBe(1280);
    const spread = pixelSpread(png);
    // A blank or unstyled page has a handful of colours; the heat map, bars and text give many.
    expect(spread.colours).toBeGreaterThan(500);
    expect(spread.lumaStd).toBeGreaterThan(20);
  }, 120_000);

  it('control: the same checks see a violation when the stylesheet is not the one the CSP allows', async () => {
    const page = await send(`${t.url}/model/report`);
    const tampered = page.text.replace('<style>body{', '<style>body{color:red;');
    const file = dir.file('tampered.html');
    writeFileSync(file, tampered);
    const result = await chromium(`file://${file}`, ['--dump-dom']);
    expect(result.console.some((line) => CSP_VIOLATION.test(line))).toBe(true);
    // And the pixel check fails for a nearly blank page.
    const blank = dir.file('blank.html');
    writeFileSync(blank, '<!doctype html><p>report</p>');
    const shot = dir.file('blank.png');
    await chromium(`file://${blank}`, [`--screenshot=${shot}`]);
    const spread = pixelSpread(decodePng(readFileSync(shot)));
    expect(spread.colours).toBeLessThan(500);
    expect(spread.lumaStd).toBeLessThan(20);
  }, 60_000);
});
