#!/usr/bin/python3
"""
Generates vocabulary.generated.ts: which keyword arguments of which ML classes and functions are
tunable numbers, read from the libraries themselves rather than typed by hand.

- scikit-learn (Debian's python3-sklearn): every estimator from `all_estimators()`, its
  `__init__` signature and `_parameter_constraints` (a parameter is numeric when a constraint is an
  Interval or a number type).
- XGBoost (Debian's python3-xgboost): the scikit-learn wrappers' signatures; the native parameter
  names and aliases from doc/parameter.rst; callbacks from python-package/xgboost/callback.py.
- LightGBM: the scikit-learn wrapper and callbacks parsed (Python `ast`) from its sources, native
  parameters with numeric types and their aliases from docs/Parameters.rst.
- Keras: optimizers, callbacks and regularization layers parsed (Python `ast`) from its sources.

Sources are read from git mirrors of the public repositories (`git show`), the folder given first:

    /usr/bin/python3 language-server/src/python/generate-vocabulary.py /work/.mirror \
        > language-server/src/python/vocabulary.generated.ts

PyTorch is not packaged small enough in Debian (python3-torch brings ~200 packages) and its
repository is too large to mirror here, so torch's optimizer and scheduler class names stay a
short hand list in vocabulary.ts; their keywords are all treated as tunable.
"""
import ast
import inspect
import json
import numbers
import re
import subprocess
import sys

# Keyword names that are never tuning values, whatever their type.
NOT_TUNING = {
    'n_jobs', 'verbose', 'verbosity', 'random_state', 'seed', 'copy', 'copy_X', 'warm_start', 'nthread', 'n_threads',
    'num_threads', 'device', 'cache_size', 'max_num_features', 'period', 'name', 'dtype', 'save_freq',
    'initial_value_threshold', 'histogram_freq', 'update_freq', 'write_steps_per_second', 'profile_batch',
    'embeddings_freq', 'start_from_epoch', 'baseline', 'verbose_eval', 'missing', 'num_parallel_tree_',
    'gpu_id', 'n_gpus', 'max_cat_to_onehot_', 'positive', 'fit_intercept', 'min_delta_', 'multi_strategy',
    'silent', 'n_iter_no_change_', 'offset', 'ema_momentum', 'ema_overwrite_frequency', 'loss_scale_factor',
    'gradient_accumulation_steps_', 'global_clipnorm_', 'steps_per_execution', 'mode', 'precompute',
    'max_n_alphas', 'n_alphas', 'eps_', 'pre_dispatch', 'error_score', 'return_train_score', 'refit',
    # Facts about the data or the run, and per-feature arrays, in the boosters' native parameters.
    'num_class', 'num_classes', 'save_period', 'output_freq', 'hist_pool_size', 'histogram_pool_size', 'eval_at',
    'ndcg_at', 'ndcg_eval_at', 'map_at', 'map_eval_at', 'multi_error_top_k', 'auc_mu_weights', 'label_gain', 'mc',
    'monotone_constraint', 'monotone_constraints', 'feature_contri', 'feature_contrib', 'fc', 'fp', 'feature_penalty',
    'refresh_leaf', 'num_iteration', 'sigmoid',
}


def git_show(mirrors, repo, path):
    git_dir = f"{mirrors}/{repo.replace('/', '+')}/repo"
    try:
        return subprocess.run(['git', '--git-dir', git_dir, 'show', f'HEAD:{path}'], check=True, capture_output=True, text=True).stdout
    except (subprocess.CalledProcessError, FileNotFoundError):
        print(f'warning: {repo}:{path} not found under {mirrors}', file=sys.stderr)
        return None


def sklearn_classes(out, positional):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401 (registers the halving searches)
    from sklearn.utils import all_estimators
    from sklearn.utils._param_validation import Interval

    def numeric(constraint):
        if isinstance(constraint, Interval):
            return True
        return inspect.isclass(constraint) and issubclass(constraint, numbers.Number) and constraint is not bool

    import sklearn.model_selection as ms
    searches = [(n, getattr(ms, n)) for n in ('GridSearchCV', 'RandomizedSearchCV', 'HalvingGridSearchCV', 'HalvingRandomSearchCV')]
    for name, cls in all_estimators() + searches:
        constraints = getattr(cls, '_parameter_constraints', {})
        params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != 'self' and p.kind != p.VAR_KEYWORD]
        # Without declared constraints (older or experimental classes), a number default says it.
        tunable = [
            p.name for p in params
            if p.name not in NOT_TUNING and (
                any(numeric(c) for c in constraints.get(p.name, []))
                or (p.name not in constraints and isinstance(p.default, numbers.Number) and not isinstance(p.default, bool))
            )
        ]
        if tunable:
            out[name] = sorted(set(out.get(name, [])) | set(tunable))
        first = next((p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)), None)
        if first is not None and first.name in tunable:
            positional[name] = first.name


def signature_classes(out, positional, classes, numeric_names=None):
    """Classes whose numeric parameters show in their defaults (or in a given name list)."""
    for name, cls in classes:
        params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != 'self' and p.kind != p.VAR_KEYWORD]
        tunable = [
            p.name for p in params
            if p.name not in NOT_TUNING and (
                (isinstance(p.default, numbers.Number) and not isinstance(p.default, bool)) or (numeric_names and p.name in numeric_names)
            )
        ]
        if tunable:
            out[name] = sorted(set(out.get(name, [])) | set(tunable))


def ast_defs(source, wanted_bases=None):
    """(name, [(param, default node or None)]) of classes' __init__ and of top-level functions."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            init = next((b for b in node.body if isinstance(b, ast.FunctionDef) and b.name == '__init__'), None)
            if init is not None and not node.name.startswith('_'):
                yield node.name, params_of(init, skip_self=True)
        elif isinstance(node, ast.FunctionDef) and not node.name.startswith('_'):
            yield node.name, params_of(node, skip_self=False)


def params_of(fn, skip_self):
    args = fn.args.posonlyargs + fn.args.args
    if skip_self:
        args = args[1:]
    defaults = [None] * (len(args) - len(fn.args.defaults)) + list(fn.args.defaults)
    out = list(zip([a.arg for a in args], defaults, [a.annotation for a in args]))
    out += [(a.arg, d, a.annotation) for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults)]
    return out


def is_number_node(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


def is_number_annotation(node):
    return node is not None and re.fullmatch(r'(int|float|Optional\[(int|float)\]|Union\[int, float\])', ast.unparse(node)) is not None


def ast_numeric(out, positional, source, names=None, first_required=False):
    """Numeric parameters: a number default, a number annotation, or (layers) the required first one."""
    if source is None:
        return
    for name, params in ast_defs(source):
        if names is not None and name not in names:
            continue
        tunable = [p for p, d, a in params if p not in NOT_TUNING and (is_number_node(d) if d is not None else is_number_annotation(a))]
        if first_required and params and params[0][1] is None and params[0][0] not in NOT_TUNING and params[0][0] not in tunable:
            tunable.insert(0, params[0][0])
        if tunable:
            out[name] = sorted(set(out.get(name, [])) | set(tunable))
            if params and params[0][0] in tunable:
                positional[name] = params[0][0]


def lightgbm_native(mirrors):
    text = git_show(mirrors, 'microsoft/LightGBM', 'docs/Parameters.rst') or ''
    names = set()
    section = ''
    for line in text.splitlines():
        if re.match(r'^[A-Z][A-Za-z ]+Parameters$', line):
            section = line
        m = re.match(r'^-  ``(\w+)`` .*type = (int|double|multi-double|multi-int)(.*)$', line)
        if not m or section.startswith(('IO', 'GPU', 'Network', 'Predict', 'Convert', 'Dataset')):
            continue
        for n in [m.group(1)] + re.findall(r'``(\w+)``', m.group(3).split('aliases:')[1] if 'aliases:' in m.group(3) else ''):
            if n not in NOT_TUNING and not re.search(r'seed|thread|verbos|gpu|device|machine|port|time_out|snapshot|metric_freq', n):
                names.add(n)
    return names


def xgboost_native(mirrors):
    text = git_show(mirrors, 'dmlc/xgboost', 'doc/parameter.rst') or ''
    names = set()
    for m in re.finditer(r'^\* ``(\w+)`` \[default\s*=\s*([^,\]]+)(?:,\s*alias:\s*([^\]]+))?\]', text, re.M):
        default = m.group(2).strip().strip('`')
        if not re.fullmatch(r'-?[0-9.]+(e-?[0-9]+)?', default):
            continue
        for n in [m.group(1)] + re.findall(r'``(\w+)``', m.group(3) or ''):
            if n not in NOT_TUNING and not re.search(r'seed|thread|verbos|gpu|device', n):
                names.add(n)
    # Parameters documented by their numeric range instead of a default.
    for m in re.finditer(r'^\* ``(\w+)``[^\n]*(Range: [(\[]|\[range = )', text, re.M):
        if m.group(1) not in NOT_TUNING:
            names.add(m.group(1))
    return names


def main():
    mirrors = sys.argv[1] if len(sys.argv) > 1 else '/work/.mirror'
    classes, positional = {}, {}
    sklearn_classes(classes, positional)
    try:
        import xgboost
        signature_classes(classes, positional, [(n, getattr(xgboost, n)) for n in ('XGBModel', 'XGBClassifier', 'XGBRegressor', 'XGBRanker', 'XGBRFClassifier', 'XGBRFRegressor')],
                          numeric_names=set(inspect.signature(xgboost.XGBModel.__init__).parameters) - {'objective', 'booster', 'tree_method', 'importance_type', 'eval_metric', 'callbacks', 'kwargs', 'grow_policy', 'sampling_method', 'interaction_constraints', 'monotone_constraints', 'feature_types', 'enable_categorical', 'validate_parameters', 'predictor', 'missing', 'n_jobs', 'random_state', 'verbosity', 'gpu_id'})
        for n in ('XGBClassifier', 'XGBRegressor', 'XGBRanker', 'XGBRFClassifier', 'XGBRFRegressor'):
            classes[n] = sorted(set(classes.get(n, [])) | set(classes.get('XGBModel', [])))
    except ImportError:
        print('warning: xgboost not importable (apt-get install python3-xgboost)', file=sys.stderr)
    ast_numeric(classes, positional, git_show(mirrors, 'dmlc/xgboost', 'python-package/xgboost/callback.py'), names={'EarlyStopping', 'LearningRateScheduler'})
    ast_numeric(classes, positional, git_show(mirrors, 'microsoft/LightGBM', 'python-package/lightgbm/sklearn.py'), names={'LGBMModel'})
    for n in ('LGBMClassifier', 'LGBMRegressor', 'LGBMRanker'):
        classes[n] = classes.get('LGBMModel', [])
    ast_numeric(classes, positional, git_show(mirrors, 'microsoft/LightGBM', 'python-package/lightgbm/callback.py'), names={'early_stopping', 'reset_parameter'})
    keras_files = subprocess.run(['git', '--git-dir', f'{mirrors}/keras-team+keras/repo', 'ls-tree', '-r', '--name-only', 'HEAD', 'keras/src/'], capture_output=True, text=True).stdout.split()
    for path in keras_files:
        if re.match(r'keras/src/(optimizers|callbacks)/[a-z_]+\.py$', path) and '_test' not in path:
            ast_numeric(classes, positional, git_show(mirrors, 'keras-team/keras', path))
        elif re.match(r'keras/src/layers/regularization/[a-z_]+\.py$', path) and '_test' not in path:
            ast_numeric(classes, positional, git_show(mirrors, 'keras-team/keras', path), first_required=True)
    native = sorted(lightgbm_native(mirrors) | xgboost_native(mirrors))
    print('// Generated by language-server/src/python/generate-vocabulary.py from the libraries\' own signatures and')
    print('// parameter docs (scikit-learn, XGBoost, LightGBM, Keras). Do not edit by hand: run the script.')
    print()
    print('/** Class or function → its keyword parameters that take tunable numbers. */')
    print('export const TUNABLE_PARAMS: Readonly<Record<string, readonly string[]>> = {')
    for name in sorted(classes):
        print(f'  {json.dumps(name)}: {json.dumps(classes[name])},')
    print('};')
    print()
    print('/** Class or function → the parameter its first positional argument binds, when tunable (`KNeighborsClassifier(3)`). */')
    print('export const FIRST_POSITIONAL: Readonly<Record<string, string>> = {')
    for name in sorted(positional):
        print(f'  {json.dumps(name)}: {json.dumps(positional[name])},')
    print('};')
    print()
    print('/** Native XGBoost and LightGBM training parameters (with aliases) that take numbers: keys of `params` dicts. */')
    print('export const BOOSTER_PARAMS: readonly string[] = [')
    for i in range(0, len(native), 8):
        print('  ' + ', '.join(json.dumps(n) for n in native[i:i + 8]) + ',')
    print('];')


main()
