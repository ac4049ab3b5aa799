/**
 * The complete set of globals the reader accepts: the classes and functions a pickled scikit-learn
 * IsolationForest is made of (listed per fixture in test/fixtures/sklearn/manifest.json), under
 * both numpy 1.x (`numpy.core`) and numpy 2.x (`numpy._core`) module names. Any other global
 * (`os.system`, `builtins.eval`, another estimator...) stops the read. None of these is ever
 * called: each kind maps to a small, inert interpretation in the reader.
 */
export type GlobalKind =
  /** `sklearn.ensemble._iforest.IsolationForest`: NEWOBJ + BUILD(state dict). */
  | 'isolation-forest'
  /** `sklearn.tree._classes.ExtraTreeRegressor`: NEWOBJ + BUILD(state dict). */
  | 'extra-tree'
  /** `sklearn.tree._tree.Tree`: REDUCE(n_features, n_classes, n_outputs) + BUILD(state dict). */
  | 'tree'
  /** `numpy.dtype`: REDUCE(type string, align, copy) + BUILD(state tuple). */
  | 'dtype'
  /** `numpy.ndarray`: only an argument of `_reconstruct` or a joblib wrapper's `subclass`. */
  | 'ndarray'
  /** `numpy.core.multiarray._reconstruct`: REDUCE(ndarray, (0,), b'b') + BUILD(array state). */
  | 'reconstruct'
  /** `numpy.core.numeric._frombuffer`: REDUCE(buffer, dtype, shape, order). */
  | 'frombuffer'
  /** `numpy.core.multiarray.scalar`: REDUCE(dtype, bytes) (a numpy scalar such as offset_). */
  | 'scalar'
  /** `_codecs.encode`: REDUCE(str, 'latin1') (protocol 2's spelling of bytes). */
  | 'codecs-encode'
  /** `joblib.numpy_pickle.NumpyArrayWrapper`: NEWOBJ + BUILD(dict), then inline array bytes. */
  | 'joblib-array-wrapper'
  /**
   * `numpy.random._pickle.__randomstate_ctor`: REDUCE('MT19937'[, bit-generator ctor]) on
   * numpy 1.x, REDUCE(bit generator) on numpy 2, then BUILD(state dict). A `random_state` that
   * was a `RandomState` instance; read as an inert value.
   */
  | 'randomstate-ctor'
  /** `numpy.random._pickle.__bit_generator_ctor`: REDUCE('MT19937' or the MT19937 class). */
  | 'bit-generator-ctor'
  /** `numpy.random._mt19937.MT19937`: only an argument of `__bit_generator_ctor` (numpy 2). */
  | 'mt19937';

/** `module.name` -> kind. */
export const ALLOWED_GLOBALS: ReadonlyMap<string, GlobalKind> = new Map<string, GlobalKind>([
  ['sklearn.ensemble._iforest.IsolationForest', 'isolation-forest'],
  ['sklearn.tree._classes.ExtraTreeRegressor', 'extra-tree'],
  ['sklearn.tree._tree.Tree', 'tree'],
  ['numpy.dtype', 'dtype'],
  ['numpy.ndarray', 'ndarray'],
  ['numpy.core.multiarray._reconstruct', 'reconstruct'],
  ['numpy._core.multiarray._reconstruct', 'reconstruct'],
  ['numpy.core.numeric._frombuffer', 'frombuffer'],
  ['numpy._core.numeric._frombuffer', 'frombuffer'],
  ['numpy.core.multiarray.scalar', 'scalar'],
  ['numpy._core.multiarray.scalar', 'scalar'],
  ['_codecs.encode', 'codecs-encode'],
  ['joblib.numpy_pickle.NumpyArrayWrapper', 'joblib-array-wrapper'],
  ['numpy.random._pickle.__randomstate_ctor', 'randomstate-ctor'],
  ['numpy.random._pickle.__bit_generator_ctor', 'bit-generator-ctor'],
  ['numpy.random._mt19937.MT19937', 'mt19937'],
]);
