/**
 * What the rules know about ML code: hyperparameter names, the APIs that take them, seed calls,
 * I/O calls and credential-like names. Kept apart from the rule logic so it can grow by data only.
 * Which keywords of which estimator, booster, callback and Keras class take tunable numbers is
 * generated from the libraries themselves (vocabulary.generated.ts, by generate-vocabulary.py).
 */
import { BOOSTER_PARAMS, FIRST_POSITIONAL, TUNABLE_PARAMS } from './vocabulary.generated';

/** Keyword names that are hyperparameters in whatever call they appear (their names say so). */
export const STRONG_HYPERPARAMS = new Set([
  'learning_rate', 'lr', 'n_estimators', 'max_depth', 'batch_size', 'epochs', 'num_epochs', 'n_epochs', 'max_epochs',
  'weight_decay', 'dropout', 'dropout_rate', 'test_size', 'validation_split', 'val_size', 'momentum',
  'num_train_epochs', 'per_device_train_batch_size', 'per_device_eval_batch_size', 'warmup_steps', 'warmup_ratio',
  'num_leaves', 'min_child_weight', 'colsample_bytree', 'colsample_bylevel', 'subsample', 'reg_alpha', 'reg_lambda',
  'min_samples_split', 'min_samples_leaf', 'l1_ratio', 'max_iter', 'n_neighbors', 'early_stopping_rounds',
  'num_boost_round', 'label_smoothing', 'gradient_accumulation_steps', 'max_grad_norm', 'min_child_samples',
  'bagging_fraction', 'feature_fraction', 'patience', 'learning_rate_init', 'min_delta', 'step_size',
  'n_components', 'n_clusters', 'n_splits', 'max_leaf_nodes', 'ccp_alpha', 'scale_pos_weight', 'eta', 'max_features',
  // Model selection: folds, search iterations and trials.
  'cv', 'nfold', 'n_iter', 'n_trials', 'train_size',
  // Boosting rounds and schedules under their many spellings.
  'num_round', 'num_rounds', 'nrounds', 'n_trees', 'num_trees', 'num_iterations', 'stopping_rounds', 'bagging_freq',
  'num_warmup_steps', 'decay_steps', 'decay_rate', 'max_samples', 'n_iter_no_change', 'validation_fraction',
]);

const BOOSTER = new Set(BOOSTER_PARAMS);

/** Names that are tunable in some library's signature and long enough to say so on their own (`min_samples_leaf`). */
const DISTINCT_TUNABLE = new Set(
  [...Object.values(TUNABLE_PARAMS).flat(), ...BOOSTER_PARAMS].filter(
    (n) => n.includes('_') && n.length >= 6 && !/^(init_size|leaf_size|base_score|max_bin|n_init|top_k)$|^n_(features|samples|classes|outputs|targets)/.test(n),
  ),
);

/** Whether a dict key or `params[...]` subscript names a training parameter: `"num_leaves"`, `"lambda"`, `"svc__C"`. */
export function isParamKey(key: string): boolean {
  const leaf = key.split('__').pop() ?? key;
  return STRONG_HYPERPARAMS.has(leaf) || BOOSTER.has(leaf) || DISTINCT_TUNABLE.has(leaf) || (key.includes('__') && WEAK_HYPERPARAMS.has(leaf));
}

/** Whether `kw` takes a tunable number in a call to `short` (the callee's last name), by the generated signatures. */
export function isTunableKeyword(short: string, kw: string): boolean {
  return TUNABLE_PARAMS[short]?.includes(kw) === true || (OPTIMIZER.test(short) && !/^(verbose|last_epoch|foreach|maximize|capturable|differentiable|fused|name)$/.test(kw));
}

/**
 * PyTorch optimizers and schedulers (their package is too heavy to install for the generator, so
 * the class names are listed here): every numeric keyword they take is a training setting.
 */
const OPTIMIZER = /^(Adam|AdamW|Adamax|NAdam|Nadam|RAdam|Adagrad|Adadelta|Adafactor|ASGD|LBFGS|RMSprop|Rprop|SGD|SparseAdam|Ftrl|Lion|Lamb|StepLR|MultiStepLR|ExponentialLR|CosineAnnealingLR|CosineAnnealingWarmRestarts|ReduceLROnPlateau|OneCycleLR|CyclicLR|LinearLR|PolynomialLR|ConstantLR)$/;

/** Short or generic names that are hyperparameters only in a known ML call (`SVC(C=10)`, `Ridge(alpha=0.5)`). */
export const WEAK_HYPERPARAMS = new Set(['C', 'alpha', 'gamma', 'beta_1', 'beta_2', 'epsilon', 'eps', 'l2', 'lambda_', 'tol', 'k', 'degree', 'rate', 'p']);

/**
 * Estimator, optimizer and scheduler classes, and the fit/train calls: the only callees whose
 * generic keywords (`alpha`, `C`, `p`) are hyperparameters. A module prefix is not enough:
 * `torch.norm(x, p=2)` or `nn.BatchNorm1d(64, eps=1e-5)` use the same names for plain maths.
 */
const ML_CLASS = /^(\w*(Classifier|Regressor|Regression|Ridge|RidgeCV|Lasso|LassoCV|ElasticNet|SVC|SVR|KMeans|PCA|Trainer|Booster|NearestNeighbors|DBSCAN|TSNE|GaussianNB|MultinomialNB|Forest\w*|Boost\w*)|Dropout|Adam|AdamW|SGD|RMSprop|Adagrad|Adadelta|Nadam|LBFGS|StepLR|MultiStepLR|ExponentialLR|CosineAnnealingLR|ReduceLROnPlateau)$/;
const ML_FUNCTIONS = new Set(['fit', 'train', 'compile', 'cv', 'fit_generator']);

export function takesWeakHyperparams(callee: string): boolean {
  const last = callee.split('.').pop() ?? '';
  return ML_CLASS.test(last) || ML_FUNCTIONS.has(last) || OPTIMIZER.test(last);
}

/** Data generators of demonstrations: their seeds draw example data, not training configuration. */
export function isDemoDataCall(short: string): boolean {
  return /^(make_(blobs|moons|circles|classification|regression|s_curve|swiss_roll|gaussian_quantiles|friedman\d|hastie_10_2|multilabel_classification|sparse_\w+|low_rank_matrix|checkerboard|biclusters))$|^rvs$/.test(short);
}

/** Keyword names that carry a random seed. */
export const SEED_KEYWORDS = new Set(['random_state', 'seed', 'random_seed', 'rng_seed', 'data_seed']);

/** Calls whose first argument is a seed. */
const SEED_CALLS = /(^|\.)(seed|manual_seed|manual_seed_all|set_seed|set_random_seed|seed_everything|default_rng|RandomState|PRNGKey|Random)$/;
export function isSeedCall(callee: string): boolean {
  return SEED_CALLS.test(callee) && !/^(st|streamlit)\./.test(callee);
}

/** Variable names holding a seed. */
export const SEED_NAME = /^(seed|random_seed|random_state|rng_seed|global_seed|rand_seed)$/i;

/** Variable names holding a hyperparameter: the strong keyword names plus common spellings. */
const HP_NAME_EXTRA = /^(past|future_steps|window_size|sequence_length|lookback|split_fraction|train_split|num_round|nrounds|n_trees|threshold|decision_threshold|proba_threshold|prob_threshold|clf_threshold|classification_threshold|cutoff|num_layers|n_layers|hidden_size|hidden_dim|embedding_dim|embed_dim|max_len|max_length|max_seq_length|seq_len|n_heads|num_heads|warmup_epochs|lr_decay|decay|gamma|alpha|l2_reg|l1_reg|k_folds|n_folds|num_folds|early_stopping_patience|train_batch_size|eval_batch_size|base_lr|init_lr|max_lr|min_lr)$/;

export function hyperparameterName(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (STRONG_HYPERPARAMS.has(lower) || HP_NAME_EXTRA.test(lower) || DISTINCT_TUNABLE.has(lower)) return lower;
  // `dropout_p`, `lr_0`: a known name with a one- or two-letter tail.
  const tail = /^(.+)_[a-z0-9]{1,2}$/.exec(lower);
  if (tail?.[1] && (STRONG_HYPERPARAMS.has(tail[1]) || /^(dropout|threshold)$/.test(tail[1]))) return lower;
  // `XGB_LEARNING_RATE`, `rf_max_depth`: a known name after a short prefix.
  const m = /^[a-z0-9]+_(.+)$/.exec(lower);
  if (m?.[1] && (STRONG_HYPERPARAMS.has(m[1]) || /threshold$/.test(m[1])) && m[1].length > 2) return lower;
  return undefined;
}

/**
 * Positional hyperparameters: `nn.Dropout(0.2)`, `optim.Adam(params, 1e-3)`, `keras.optimizers.Adam(1e-3)`,
 * and the first parameter of generated signatures (`KNeighborsClassifier(3)`, `lgb.early_stopping(5)`).
 */
export function positionalHyperparameter(callee: string, index: number): string | undefined {
  const last = callee.split('.').pop() ?? '';
  if (/^(\w*Dropout(\d[dD])?|SpatialDropout\dD|GaussianNoise)$/.test(last) && index === 0) return 'dropout';
  if (index === 0 && FIRST_POSITIONAL[last]) return FIRST_POSITIONAL[last];
  if (/(^|\.)optim\.\w+$/.test(callee) && ML_CLASS.test(last) && index === 1) return 'lr';
  if (/(^|\.)optimizers\.\w+$/.test(callee) && index === 0) return 'learning_rate';
  return undefined;
}

export type IoKind = 'read' | 'write';

const READ_CALLS = new Set([
  'read_csv', 'read_parquet', 'read_json', 'read_excel', 'read_feather', 'read_pickle', 'read_table', 'read_hdf',
  'read_orc', 'read_fwf', 'load', 'loadtxt', 'genfromtxt', 'load_model', 'imread', 'load_img', 'load_workbook',
  'read_text', 'read_bytes', 'scan_csv', 'scan_parquet', 'load_from_disk', 'load_weights', 'ImageFolder', 'DatasetFolder',
  // Boosters, their data files and other libraries' readers.
  'DMatrix', 'load_svmlight_file', 'load_svmlight_files', 'from_pretrained', 'read_image', 'decode_image',
]);
const WRITE_CALLS = new Set([
  'to_csv', 'to_parquet', 'to_json', 'to_excel', 'to_pickle', 'to_feather', 'to_hdf', 'savefig', 'save', 'dump',
  'savetxt', 'savez', 'savez_compressed', 'save_model', 'save_pretrained', 'imwrite', 'write_csv', 'write_parquet',
  'save_to_disk', 'save_weights', 'write_text', 'write_bytes', 'save_binary', 'dump_model', 'ModelCheckpoint',
  'save_image', 'save_checkpoint', 'export_model',
]);

/** torchvision-style dataset classes: their first argument (or `root=`) is the data folder. */
const DATASET_CLASSES = /^(MNIST|FashionMNIST|KMNIST|EMNIST|QMNIST|CIFAR10|CIFAR100|SVHN|STL10|CelebA|ImageNet|LSUN|Omniglot|Places365|Caltech101|Caltech256|Flowers102|OxfordIIITPet|Food101|VOCSegmentation|VOCDetection|CocoDetection|CocoCaptions|Cityscapes|Kitti|INaturalist|LFWPeople|USPS|SBDataset)$/;

/** Whether a call builds a dataset from a folder: a known class, or any class given `download=`/`train=`. */
export function isDatasetCall(short: string, keywords: ReadonlySet<string>): boolean {
  return DATASET_CLASSES.test(short) || (/^[A-Z]/.test(short) && (keywords.has('download') || keywords.has('train')));
}

/** Keywords that name a file or folder in whatever call they appear, with the direction of the I/O. */
export const PATH_KEYWORD_IO: Readonly<Record<string, IoKind>> = {
  output_dir: 'write', save_directory: 'write', model_file: 'read', init_model: 'read', data_dir: 'read', data_path: 'read',
  data_root: 'read', train_file: 'read', validation_file: 'read', test_file: 'read', data_files: 'read',
};

/** Whether a call reads or writes a file given as a path argument. `open` depends on its mode. */
export function ioKind(callee: string): IoKind | 'open' | undefined {
  const last = callee.split('.').pop() ?? '';
  if (/^(open|io\.open|gzip\.open|bz2\.open|lzma\.open|h5py\.File|tarfile\.open|zipfile\.ZipFile)$/.test(callee)) return 'open';
  if (/(^|\.)Image\.open$/.test(callee)) return 'read';
  // The script's own readers named like the library ones: `load_titanic_data("train.csv")`.
  if (!callee.includes('.') && /^(load|read)_\w+$/.test(last) && !/^load_(sample_images?|dataset|iris|digits|wine|breast_cancer|diabetes|linnerud)$/.test(last)) return 'read';
  // `pickle.dump(obj, f)` / `json.load(f)` take file objects; their path is flagged at `open`.
  if (/^(pickle|json|yaml|toml|cloudpickle|dill)\.(load|dump|loads|dumps)$/.test(callee)) return undefined;
  // A bare `load(...)`/`save(...)` is usually the script's own helper, not an I/O call.
  if (!callee.includes('.') && ['load', 'save', 'dump'].includes(last)) return undefined;
  if (READ_CALLS.has(last)) return 'read';
  if (WRITE_CALLS.has(last)) return 'write';
  return undefined;
}

/** Reading a settings file is configuration, not data: `open("config.json")`, `*.yaml`, `*.toml`. */
export function isConfigFile(path: string): boolean {
  const base = path.replace(/\\/g, '/').split('/').pop() ?? '';
  if (/\.(ya?ml|toml|ini|cfg|conf|env)$/i.test(base) || /^\.env(\.|$)/.test(base)) return true;
  return /\.json$/i.test(base) && /(config|conf|settings|params|hparams|hyperparams|options|args)/i.test(base);
}

export const PATH_KEYWORDS = new Set(['path', 'filepath', 'path_or_buf', 'fname', 'file', 'filename', 'filepath_or_buffer', 'f', 'save_directory', 'output_dir', 'logging_dir', 'io']);

const CLOUD = /^(s3a?|gs|gcs|az|abfss?|wasbs?|hdfs|dbfs|adl|oss):\/\//i;

/** How a string reads as a path; undefined when it does not look like one. */
export function pathKind(s: string): 'absolute' | 'home' | 'cloud' | 'relative' | undefined {
  if (s.length < 3 || s.length > 400 || /[\n\t]/.test(s)) return undefined;
  if (CLOUD.test(s) || /^https?:\/\/.+\.(csv|parquet|json|zip|gz|tgz|bz2|tar|tsv|npz|pkl|pt|data|txt|xlsx?)$/i.test(s)) return 'cloud';
  if (/\s{2,}/.test(s) || /^[\w-]+$/.test(s)) return undefined;
  if (/^~[/\\]/.test(s)) return 'home';
  if (/^\/[\w.-]/.test(s) || /^[A-Za-z]:[\\/]/.test(s)) return 'absolute';
  if (/^\.{0,2}[\w.-]*([/\\][\w .@=+-]+)+\/?$/.test(s) || /^[\w.-]+\.(csv|tsv|parquet|json|jsonl|xlsx?|feather|pkl|pickle|joblib|npy|npz|pt|pth|h5|hdf5|onnx|txt|bin|safetensors|ckpt|arrow|png|jpg)$/i.test(s)) {
    return 'relative';
  }
  return undefined;
}

/** Names of variables, keywords and dict keys that hold secrets. */
export const CREDENTIAL_NAME = /(^|_)(api_?key|apikey|secret|secret_key|token|access_token|auth_token|password|passwd|pwd|access_key|private_key|client_secret|hf_token|bearer)$/i;

/** Token formats that are secrets whatever they are assigned to. */
export const TOKEN_SHAPE = /^(AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|sk-[A-Za-z0-9_-]{20,}|hf_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20})$/;

/** Placeholders are not secrets: flagging them would be noise. */
export function isPlaceholder(s: string): boolean {
  return s.length < 6 || /^(x+|\*+|\.+|changeme|change_me|none|null|todo|secret|password|token|test|dummy|example)$/i.test(s) || /^<.*>$|your[_-]?|\$\{|^\{\{/i.test(s) || /\s/.test(s);
}
