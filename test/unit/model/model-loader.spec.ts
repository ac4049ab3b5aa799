import { ConfigService } from '@nestjs/config';
import { loadConfig, type AppConfig } from '../../../src/config';
import { ModelNotFoundError } from '../../../src/errors';
import { ModelLoader, readModelFile } from '../../../src/model/model-loader';
import { ModelLoadError } from '../../../src/model/model-load.error';
import { decodeServingModel, publicReason } from '../../../src/model/serving-model';
import { TempModelDir } from '../../helpers/temp-model-dir';

function loader(env: Record<string, string>): ModelLoader {
  return new ModelLoader(new ConfigService<AppConfig, true>({ ...loadConfig(env) }));
}

const ID = { name: 'm', version: 1 };

describe('ModelLoader (real files)', () => {
  const dir = new TempModelDir();
  afterAll(() => dir.remove());

  it('names the model of MODEL_PATH after MODEL_NAME, version 1, and reads its bytes', async () => {
    const path = dir.copyDefault();
    const source = loader({ MODEL_PATH: path, MODEL_NAME: 'cpu-memory' });
    expect(await source.names()).toEqual(['cpu-memory']);
    const files = await source.read('cpu-memory');
    expect(files.name).toBe('cpu-memory');
    expect(files.versions).toHaveLength(1);
    const [v1] = files.versions;
    expect(v1.version).toBe(1);
    expect(
      'bytes' in v1 && Buffer.from(v1.bytes).equals(Buffer.from(await readModelFile(path))),
    ).toBe(true);
  });

  it('calls the model anomaly-detector by default and refuses other names', async () => {
    const source = loader({ MODEL_PATH: dir.copyDefault() });
    expect(await source.names()).toEqual(['anomaly-detector']);
    await expect(source.read('other')).rejects.toThrow(ModelNotFoundError);
  });

  it('reports an unreadable version with a reason free of the path', async () => {
    const files = await loader({ MODEL_PATH: dir.file('missing.json') }).read('anomaly-detector');
    expect(files.versions).toEqual([{ version: 1, reason: 'model file not found (MODEL_PATH)' }]);
  });
});

describe('decodeServingModel (real bytes)', () => {
  const dir = new TempModelDir();
  afterAll(() => dir.remove());

  it('decodes the committed default model under its registry id', async () => {
    const model = decodeServingModel(await readModelFile(dir.copyDefault()), ID, new Date());
    expect(model).toMatchObject({ name: 'm', version: 1 });
    expect(model.artifact.featureNames).toEqual(['cpu_usage', 'memory_load']);
    expect(model.modelVersion).toBe(model.artifact.modelVersion);
  });

  it.each([
    ['malformed JSON', '{"oops"', 'model file is invalid: not valid JSON'],
    [
      'a JSON array',
      '[1, 2]',
      'model file is invalid: not a model artifact: expected a JSON object, got an array',
    ],
    [
      'non-UTF-8 bytes',
      Buffer.from([0xff, 0xfe, 0x00]),
      'model file is invalid: not a model artifact: the file is not UTF-8 text',
    ],
  ])('refuses %s with a reason free of parser text', (_name, content, reason) => {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    let err: unknown;
    try {
      decodeServingModel(bytes, ID, new Date());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).message).toBe(reason);
  });

  it('strips quoted parser messages from decoder reasons', () => {
    expect(
      publicReason(
        'truncated: the JSON document ends early (Unterminated string in JSON at position 12)',
      ),
    ).toBe('truncated: the JSON document ends early');
    expect(
      publicReason(
        "not valid JSON: Expected ':' after property name in JSON at position 7 (line 1 column 8)",
      ),
    ).toBe('not valid JSON');
    expect(publicReason('checksum mismatch: the content was modified')).toBe(
      'checksum mismatch: the content was modified',
    );
  });
});
