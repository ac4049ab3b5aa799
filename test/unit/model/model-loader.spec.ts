import { ModelLoader, publicReason } from '../../../src/model/model-loader';
import { ModelLoadError } from '../../../src/model/model-load.error';
import { TempModelDir } from '../../helpers/temp-model-dir';

describe('ModelLoader (real files)', () => {
  const dir = new TempModelDir();
  afterAll(() => dir.remove());

  it('decodes the committed default model', async () => {
    const artifact = await new ModelLoader().load(dir.copyDefault());
    expect(artifact.featureNames).toEqual(['cpu_usage', 'memory_load']);
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
  ])('refuses %s with a reason free of parser text', async (_name, content, reason) => {
    const path = dir.write('bad.json', content);
    const err: unknown = await new ModelLoader().load(path).catch((e: unknown) => e);
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
