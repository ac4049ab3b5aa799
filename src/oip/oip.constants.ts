/** `GET /v2`'s server name. */
export const SERVER_NAME = 'ml-anomaly-api';

/** Protocol extensions this server implements (Triton's names). */
export const OIP_EXTENSIONS = ['model_repository', 'binary_tensor_data'] as const;

/** The input name model metadata advertises (requests may use any name). */
export const OIP_INPUT_NAME = 'input';

/** The outputs every model has, named after scikit-learn's methods, in response order. */
export const BASE_OUTPUTS = [
  'predict',
  'score_samples',
  'decision_function',
  'anomaly_score',
] as const;

/** Request header of the binary tensor data extension: the JSON part's byte length. */
export const INFERENCE_HEADER_CONTENT_LENGTH = 'inference-header-content-length';

/** `GET /v2`'s server version: package.json's (a unit test keeps them equal). */
export const SERVER_VERSION = '0.1.0';

/** OpenAPI examples of inference requests. */
export const INFER_EXAMPLES = {
  twoRows: {
    summary: "The seed's two rows, FP64, flat row-major data",
    value: {
      id: '42',
      inputs: [{ name: 'input', shape: [2, 2], datatype: 'FP64', data: [-5.5, 5.2, 2.1, 2.1] }],
    },
  },
  nestedFp32: {
    summary: 'Nested FP32 data, selected outputs',
    value: {
      inputs: [
        {
          name: 'x',
          shape: [2, 2],
          datatype: 'FP32',
          data: [
            [-5.5, 5.2],
            [2.1, 2.1],
          ],
        },
      ],
      outputs: [{ name: 'predict' }, { name: 'anomaly_score' }],
    },
  },
  oneRow: {
    summary: 'One row, shape [F]',
    value: { inputs: [{ name: 'input', shape: [2], datatype: 'FP64', data: [2.1, 2.1] }] },
  },
};
