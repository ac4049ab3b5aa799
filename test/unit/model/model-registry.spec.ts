import { ConfigService } from '@nestjs/config';
import pino from 'pino';
import { readFileSync } from 'node:fs';
import { decodeArtifact } from '../../../src/artifact';
import { loadConfig, type AppConfig } from '../../../src/config';
import { ModelNotFoundError, ModelUnavailableError } from '../../../src/errors';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { ModelLoader } from '../../../src/model/model-loader';
import { ModelRegistry } from '../../../src/model/model-registry';
import type { ModelFiles } from '../../../src/model/model-source';
import { toServingModel } from '../../../src/model/serving-model';
import { trainArtifact } from '../../helpers/model-files';
import { TempModelDir } from '../../helpers/temp-model-dir';
import { DEFAULT_MODEL } from '../../helpers/test-app';

function registry(path: string, env: Record<string, string> = {}): ModelRegistry {
  const config = new ConfigService<AppConfig, true>({
    ...loadConfig({ MODEL_PATH: path, ...env }),
  });
  return new ModelRegistry(
    new ModelLoader(config),
    config,
    new MetricsService(),
    pino({ level: 'silent' }),
  );
}

const ID = { name: 'anomaly-detector', version: 1 };

describe('ModelRegistry with MODEL_PATH (real loader, real files)', () => {
  const dir = new TempModelDir();
  afterAll(() => dir.remove());

  it('is unavailable before the first load, with a reason', () => {
    const models = registry(dir.file('never.json'));
    expect(models.peek()).toBeNull();
    expect(() => models.get()).toThrow(ModelUnavailableError);
    expect(models.entry()).toBeUndefined();
    expect(models.reasonUnavailable()).toBe('the model has not been loaded yet');
  });

  it('serves the file as MODEL_NAME version 1 and 404s other names and versions', async () => {
    const models = registry(dir.copyDefault('named.json'), { MODEL_NAME: 'cpu-memory' });
    await models.loadAll('startup');
    expect(models.defaultName).toBe('cpu-memory');
    expect(models.get()).toBe(models.get('cpu-memory', 1));
    expect(models.get()).toMatchObject({ name: 'cpu-memory', version: 1 });
    expect(() => models.get('anomaly-detector')).toThrow(ModelNotFoundError);
    expect(() => models.get('cpu-memory', 2)).toThrow('model "cpu-memory" has no version 2');
    expect(models.entries().map((e) => e.name)).toEqual(['cpu-memory']);
  });

  it('loads, then swaps on reload and reports the previous model', async () => {
    const path = dir.copyDefault('a.json');
    const models = registry(path);
    const first = await models.load('anomaly-detector', 'startup');
    expect(first).toMatchObject({ ok: true, previous: null });
    const v1 = models.get().modelVersion;
    expect(v1).toBe(decodeArtifact(readFileSync(DEFAULT_MODEL)).modelVersion);
    dir.write('a.json', trainArtifact({ seed: 5, modelVersion: 'v2' }));
    const second = await models.load('anomaly-detector', 'api');
    expect(second.ok && second.previous?.modelVersion).toBe(v1);
    expect(models.get().modelVersion).toBe('v2');
    expect(models.entry()?.lastLoad).toMatchObject({ ok: true, trigger: 'api', reason: null });
  });

  it('keeps the serving model object untouched when a reload fails', async () => {
    const path = dir.copyDefault('b.json');
    const models = registry(path);
    await models.loadAll('startup');
    const serving = models.get();
    dir.writeCorrupt('b.json');
    const outcome = await models.load('anomaly-detector', 'signal');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.reason).toMatch(/^model file is invalid: /);
      expect(outcome.serving).toBe(serving);
    }
    expect(models.get()).toBe(serving);
    expect(models.entry()?.lastLoad).toMatchObject({ ok: false, trigger: 'signal' });
  });

  it('serialises concurrent loads: each sees the file as it was when its turn came', async () => {
    const path = dir.copyDefault('c.json');
    const models = registry(path);
    dir.write('c.json', trainArtifact({ seed: 1, modelVersion: 'c1' }));
    const a = models.load('anomaly-detector', 'api');
    const b = models.load('anomaly-detector', 'api');
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toMatchObject({ ok: true, previous: null });
    expect(rb.ok && rb.previous?.modelVersion).toBe('c1');
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
    const models = registry(make(dir));
    const [outcome] = await models.loadAll('startup');
    expect(outcome.ok).toBe(false);
    expect(models.reasonUnavailable()).toMatch(reason);
    expect(models.reasonUnavailable()).not.toContain(dir.path);
    expect(() => models.get()).toThrow(ModelUnavailableError);
  });
});

describe('ModelRegistry: prepare, install, versions (bytes from elsewhere)', () => {
  const good = (seed: number, id: string): Uint8Array => trainArtifact({ seed, modelVersion: id });
  const files = (name: string, ...versions: ModelFiles['versions']): ModelFiles => ({
    name,
    versions,
  });

  it('prepare verifies without touching the registry; install swaps it in', () => {
    const models = registry('unused.json');
    const prepared = models.prepare(files('m', { version: 1, bytes: good(1, 'm1') }));
    expect(prepared.failures).toEqual([]);
    expect(models.entry('m')).toBeUndefined();
    expect(() => models.get('m')).toThrow(ModelNotFoundError);
    const outcome = models.install(prepared, 'api');
    expect(outcome.ok && outcome.model.modelVersion).toBe('m1');
    expect(models.get('m').modelVersion).toBe('m1');
  });

  it('routes to the highest version by default and to any version by number', async () => {
    const models = registry('unused.json');
    await models.loadFiles(
      files('m', { version: 2, bytes: good(2, 'm2') }, { version: 10, bytes: good(3, 'm10') }),
      'startup',
    );
    expect(models.get('m').modelVersion).toBe('m10');
    expect(models.get('m', 2).modelVersion).toBe('m2');
    expect(models.entry('m')?.versions.map((v) => v.version)).toEqual([2, 10]);
  });

  it('isolates a bad version of a model that is not serving yet', async () => {
    const models = registry('unused.json');
    const outcome = await models.loadFiles(
      files('m', { version: 1, bytes: good(1, 'm1') }, { version: 2, bytes: Buffer.from('{}') }),
      'startup',
    );
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.reason).toMatch(/^version 2: model file is invalid: /);
    expect(models.get('m', 1).modelVersion).toBe('m1');
    expect(() => models.get('m')).toThrow(/model file is invalid/);
    expect(models.entry('m')?.versions.map((v) => v.state)).toEqual(['READY', 'UNAVAILABLE']);
  });

  it('keeps a serving model whole when a reload has a bad version', async () => {
    const models = registry('unused.json');
    await models.loadFiles(files('m', { version: 1, bytes: good(1, 'm1') }), 'startup');
    const before = models.entry('m');
    const outcome = await models.loadFiles(
      files('m', { version: 1, bytes: good(1, 'm1') }, { version: 2, reason: 'unreadable' }),
      'api',
    );
    expect(outcome).toMatchObject({ ok: false, reason: 'version 2: unreadable' });
    expect(models.entry('m')?.versions).toBe(before?.versions);
    expect(models.get('m').modelVersion).toBe('m1');
  });

  it('unloads every version (503 unloaded) until the model is loaded again', async () => {
    const models = registry('unused.json');
    await models.loadFiles(files('m', { version: 1, bytes: good(1, 'm1') }), 'startup');
    const taken = models.get('m');
    await models.unload('m');
    expect(() => models.get('m')).toThrow(ModelUnavailableError);
    expect(() => models.get('m', 1)).toThrow('no model is loaded: unloaded');
    expect(taken.modelVersion).toBe('m1');
    await expect(models.unload('nope')).rejects.toThrow(ModelNotFoundError);
    await models.loadFiles(files('m', { version: 1, bytes: good(1, 'm1') }), 'api');
    expect(models.get('m').modelVersion).toBe('m1');
  });

  it('fails a load of a name its loader does not define, keeping the registry as it was', async () => {
    const models = registry('unused.json');
    const outcome = await models.load('elsewhere', 'api');
    expect(outcome).toMatchObject({
      ok: false,
      reason: 'model "elsewhere" is not in the repository',
      serving: null,
    });
    expect(models.entry('elsewhere')).toBeUndefined();
  });
});

describe('toServingModel', () => {
  const artifact = decodeArtifact(trainArtifact({ seed: 2 }));

  it('derives the threshold, the columns and a readable expected input', () => {
    const m = toServingModel(artifact, ID, new Date('2025-02-03T04:05:06Z'));
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
    expect(() => toServingModel({ ...artifact, featureNames: ['a'] }, ID, at)).toThrow(
      /1 feature names for 2 features/,
    );
    expect(() => toServingModel({ ...artifact, featureNames: ['a', 'a'] }, ID, at)).toThrow(
      /repeats a feature name/,
    );
    expect(() => toServingModel({ ...artifact, nFeatures: 3 }, ID, at)).toThrow(
      /3 features declared/,
    );
    expect(() => toServingModel({ ...artifact, offset: NaN }, ID, at)).toThrow(/non-finite offset/);
  });

  it('accepts models without feature names', () => {
    const m = toServingModel({ ...artifact, featureNames: null }, ID, new Date());
    expect(m.columns).toBeNull();
    expect(m.expectedInput).toBe('2 values (unnamed)');
  });
});
