/** No model (or no such version of a model) is known by that name (404). */
export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';

  /**
   * @param model the requested model name
   * @param version the requested version, when one was named
   */
  constructor(
    readonly model: string,
    readonly version: number | string | null = null,
  ) {
    super(
      version === null
        ? `model "${model}" is not in the repository`
        : `model "${model}" has no version ${version}`,
    );
  }
}
