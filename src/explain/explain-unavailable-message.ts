/**
 * Why a model cannot be explained and how to fix it, for models without per-node weights (read
 * from a version-1 artifact). Used by the HTTP 422 and by `score --explain`.
 */
export function explainUnavailableMessage(formatVersion: number, sourceFormat: string): string {
  const how =
    sourceFormat === 'native'
      ? 'train it again with `npm run train` (the same data and options give the same trees)'
      : 'import the scikit-learn file again with `npm run import`';
  return (
    `this model cannot be explained: its artifact (format version ${formatVersion}) has no ` +
    `weighted_n_node_samples per node, which explanations need. Re-export it in format ` +
    `version 2: ${how}, then load the new file`
  );
}
