import { ConfigService } from '@nestjs/config';
import pino from 'pino';
import { readFileSync } from 'node:fs';
import { decodeArtifact } from '../../../src/artifact';
import { loadConfig, type AppConfig } from '../../../src/config';
import { ModelUnavailableError } from '../../../src/common/errors';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { ModelLoader } from '../../../src/model/model-loader';
import { ModelService } from '../../../src/model/model.service';
import { toServingModel } from '../../../src/model/serving-model';
import { trainArtifact } from '../../helpers/model-files';
import { TempModelDir } from '../../helpers/temp-model-dir';
import { DEFAULT_MODEL } from '../../helpers/test-app';

function service(path: string): ModelService {
  const config = new ConfigService<AppConfig, true>({ ...loadConfig({ MODEL_PATH: path }) });
  return new ModelService(
    new ModelLoader(),
    config,
    new MetricsService(),
    pino({ level: 'silent' }),
  );
}

describe('ModelService (real loader, real files)', () => {
  const dir = new TempModelDir();
  afterAll(() => dir.remove());

  it('is unavailable before the first load, with a reason', () => {
    const models = service(dir.file('never.json'));
    expect(models.peek()).toBeNull();
    expect(() => models.current()).toThrow(ModelUnavailableError);
    expect(models.lastLoad).toBeNull();
  });

  it('loads, then swaps on reload and reports the previous version', async () => {
    const path = dir.copyDefault('a.json');
    const models = service(path);
    const first = await models.reload('startup');
    expect(first).toMatchObject({ ok: true, previousVersion: null });
    const v1 = models.current().version;
    expect(v1).toBe(decodeArtifact(readFileSync(DEFAULT_MODEL)).modelVersion);
    dir.write('a.json', trainArtifact({ seed: 5, modelVersion: 'v2' }));
    const second = await models.reload('api');
    expect(second).toMatchObject({ ok: true, previousVersion: v1 });
    expect(models.current().version).toBe('v2');
    expect(models.lastLoad).toMatchObject({ ok: true, trigger: 'api', reason: null });
  });

  it('keeps the serving model object untouched when a reload fails', async () => {
    const path = dir.copyDefault('b.json');
    const models = service(path);
    await models.reload('startup');
    const serving = models.current();
    dir.writeCorrupt('b.json');
    const outcome = await models.reload('signal');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.reason).toMatch(/^model file is invalid: /);
      expect(outcome.serving).toBe(serving);
    }
    expect(models.current()).toBe(serving);
    expect(models.lastLoad).toMatchObject({ ok: false, trigger: 'signal' });
  });

  it('serialises concurrent reloads: each sees the file as it was when its turn came', async () => {
    const path = dir.copyDefault('c.json');
    const models = service(path);
    dir.write('c.json', trainArtifact({ seed: 1, modelVersion: 'c1' }));
    const a = models.reload('api');
    const b = models.reload('api');
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toMatchObject({ ok: true, previousVersion: null });
    expect(rb).toMatchObject({ ok: true, previousVersion: 'c1' });
  });

  it.each([
    [
      'a missing file',
      (d: TempModelDir) => d.file('missing.json'),
      'model file not found (MODEL_PATH)',
    ],
    ['a directory', (d: TempModelDir) => d.path, 'MODEL_PATH is a directory, not a file'],
    ['an empty file', (d: TempModelDir) => d.write('empty.json', ''), /^model file is invalid: /],
    [
      'a truncated file',
      (d: TempModelDir) => d.writeTruncated('t.json'),
      /^model file is invalid: /,
    ],
  ])('explains %s without the path', async (_name, make, reason) => {
    const models = service(make(dir));
    const outcome = await models.reload('startup');
    expect(outcome.ok).toBe(false);
    expect(models.reasonUnavailable).toMatch(reason);
    expect(models.reasonUnavailable).not.toContain(dir.path);
  });
});

describe('toServingModel', () => {
  const artifact = decodeArtifact(trainArtifact({ seed: 2 }));

  it('derives the threshold, the columns and a readable expected input', () => {
    const m = toServingModel(artifact, new Date('2025-02-03T04:05:06Z'));
    expect(m.threshold).toBe(-artifact.offset);
    expect([...(m.columns ?? [])]).toEqual([
      ['cpu_usage', 0],
      ['memory_load', 1],
    ]);
    expect(m.expectedInput).toBe('2 values (cpu_usage, memory_load)');
    expect(m.loadedAt).toBe('2025-02-03T04:05:06.000Z');
    expect(Object.isFrozen(m)).toBe(true);
  });

  it('refuses inconsistent feature metadata and non-finite offsets', () => {
    const at = new Date();
    expect(() => toServingModel({ ...artifact, featureNames: ['a'] }, at)).toThrow(
      /1 feature names for 2 features/,
    );
    expect(() => toServingModel({ ...artifact, featureNames: ['a', 'a'] }, at)).toThrow(
      /repeats a feature name/,
    );
    expect(() => toServingModel({ ...artifact, nFeatures: 3 }, at)).toThrow(/3 features declared/);
    expect(() => toServingModel({ ...artifact, offset: NaN }, at)).toThrow(/non-finite offset/);
  });

  it('accepts models without feature names', () => {
    const m = toServingModel({ ...artifact, featureNames: null }, new Date());
    expect(m.columns).toBeNull();
    expect(m.expectedInput).toBe('2 values (unnamed)');
  });
});
