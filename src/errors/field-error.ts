/** One invalid input location in a request, as reported in a problem's `errors` array. */
export interface FieldError {
  /** Path of the offending value: `data`, `data[1]`, `data[3][0]`, `features.cpu_usage`. */
  readonly field: string;
  /** What is wrong, for the person who sent the request. */
  readonly message: string;
}
