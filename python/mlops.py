"""MLOps Workbench tracking for Python: parameters, metrics, tags and artifacts of training runs.

Single file, standard library only, Python >= 3.8. Talks to the project's local daemon over HTTP
(``/api/v1``) using the address and token in ``.mlops/daemon.json``, or the ``MLOPS_API`` and
``MLOPS_TOKEN`` variables that ``mlops exec`` sets for the process it runs.

Tracking must never break training: when the daemon cannot be reached every call becomes a no-op
after a single warning, and network or validation problems surface as warnings, not exceptions.
Only :func:`params` raises, because a script cannot train without its parameters.

    import mlops

    p = mlops.params()
    with mlops.start_run(experiment="churn") as run:
        run.log_params(p["train"])
        for epoch in range(p["train"]["epochs"]):
            run.log_metric("loss", 0.5 / (epoch + 1), step=epoch)
"""

import atexit
import json
import math
import operator
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import warnings
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

__version__ = "0.1.0"
__all__ = [
    "MlopsError",
    "MlopsWarning",
    "Run",
    "active_run",
    "end_run",
    "flush",
    "log_artifact",
    "log_metric",
    "log_metrics",
    "log_model",
    "log_param",
    "log_params",
    "params",
    "set_tag",
    "set_tags",
    "start_run",
]

# A batch is sent once this many points wait, or once the oldest waiting point is this old.
FLUSH_POINTS = 1000
FLUSH_SECONDS = 2.0
# Points kept while the daemon is unreachable; beyond this the oldest are dropped.
MAX_BUFFERED_POINTS = 1_000_000
# The daemon limits request bodies to 1 MiB, so long backlogs go out in slices below that.
MAX_BATCH_BYTES = 512 * 1024
HTTP_TIMEOUT = 10.0
ARTIFACT_TIMEOUT = 300.0
# Creating a run makes the daemon read git state (and store `git diff`), which can take a while.
CREATE_TIMEOUT = 120.0
CLI_TIMEOUT = 60.0

_METRIC_KEY = re.compile(r"^[A-Za-z0-9_.\-/: ]{1,250}$")
_RUN_STATUSES = ("finished", "failed", "killed")
_MAX_PARAM_TEXT = 6000
_MAX_TAG_TEXT = 5000


class MlopsError(Exception):
    """Raised by :func:`params` when the parameters cannot be read."""


class MlopsWarning(UserWarning):
    """Every tracking problem is reported with this warning category."""


def _warn(message: str) -> None:
    """Warn, attributing the warning to the first caller outside this module (the user's line)."""
    level, frame = 1, sys._getframe(0)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
        level += 1
    warnings.warn("mlops: " + message, MlopsWarning, stacklevel=level)


# ---------------------------------------------------------------- project and CLI discovery


def _find_root(start: Optional[str] = None) -> Optional[str]:
    """The folder holding ``mlops.yaml`` or ``.mlops/``, walking up from ``start`` (``MLOPS_ROOT`` wins)."""
    if os.environ.get("MLOPS_ROOT"):
        return os.path.abspath(os.environ["MLOPS_ROOT"])
    here = os.path.abspath(start or os.getcwd())
    while True:
        if os.path.isfile(os.path.join(here, "mlops.yaml")) or os.path.isdir(os.path.join(here, ".mlops")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _cli_command() -> Optional[List[str]]:
    """The ``mlops`` CLI as an argv prefix: ``MLOPS_CLI`` (e.g. ``node /x/dist/cli.js``) or ``mlops`` on PATH."""
    named = os.environ.get("MLOPS_CLI", "").strip()
    if named:
        return shlex.split(named)
    found = shutil.which("mlops")
    return [found] if found else None


def _run_cli(args: List[str], cwd: Optional[str] = None) -> Tuple[int, str, str]:
    cmd = _cli_command()
    if cmd is None:
        raise FileNotFoundError("the `mlops` command is not on PATH and MLOPS_CLI is not set")
    proc = subprocess.run(
        cmd + args,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=CLI_TIMEOUT,
        universal_newlines=True,
    )
    return proc.returncode, proc.stdout, proc.stderr


# ---------------------------------------------------------------- params()


def params() -> Dict[str, Any]:
    """The resolved ``params`` section of ``mlops.yaml`` as a dict.

    Inside ``mlops exec`` it is read from the JSON file named by ``MLOPS_PARAMS`` (the exact values the
    run recorded). Elsewhere it asks ``mlops params --json``. Raises :class:`MlopsError` when neither works.
    """
    path = os.environ.get("MLOPS_PARAMS")
    if path:
        try:
            with open(path, "r", encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            raise MlopsError("cannot read the run parameters from MLOPS_PARAMS=%s: %s" % (path, e)) from e
        return _expect_dict(data, "MLOPS_PARAMS file " + path)
    return _params_from_cli()


def _params_from_cli() -> Dict[str, Any]:
    try:
        code, out, err = _run_cli(["params", "--json"])
    except FileNotFoundError as e:
        raise MlopsError(
            "cannot read parameters: MLOPS_PARAMS is not set (not inside `mlops exec`) and %s; "
            "install the CLI or set MLOPS_CLI to a command such as `node /path/to/dist/cli.js`" % e
        ) from e
    except (OSError, subprocess.SubprocessError) as e:
        raise MlopsError("cannot run `mlops params --json`: %s" % e) from e
    if code != 0:
        detail = (err or out).strip() or "no message"
        raise MlopsError("`mlops params --json` failed (exit %d): %s" % (code, detail))
    try:
        data = json.loads(out)
    except ValueError as e:
        raise MlopsError("`mlops params --json` printed something that is not JSON: %s" % e) from e
    return _expect_dict(data, "`mlops params --json` output")


def _expect_dict(data: Any, where: str) -> Dict[str, Any]:
    if not isinstance(data, dict):
        raise MlopsError("%s: expected a JSON object of parameters, got %s" % (where, type(data).__name__))
    return data


# ---------------------------------------------------------------- HTTP


class _ApiError(Exception):
    """The daemon answered with an error status (4xx/5xx)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Unreachable(Exception):
    """The daemon did not answer at all."""


class _Api:
    def __init__(self, base: str, token: str) -> None:
        self.base = base.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body: Any = None, timeout: float = HTTP_TIMEOUT) -> Any:
        data = None if body is None else json.dumps(body, allow_nan=False).encode("utf-8")
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.token)
        req.add_header("X-Mlops-Actor", "python")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                text = resp.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            raise _ApiError(e.code, _error_message(e)) from None
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise _Unreachable("%s %s: %s" % (method, self.base + path, getattr(e, "reason", e))) from None
        try:
            return json.loads(text) if text else {}
        except ValueError:
            raise _Unreachable("%s %s: the answer is not JSON" % (method, self.base + path)) from None


def _error_message(e: "urllib.error.HTTPError") -> str:
    try:
        body = json.loads(e.read().decode("utf-8"))
        err = body["error"]
        issues = err.get("issues") or []
        where = "; ".join("%s: %s" % (i.get("path", ""), i.get("message", "")) for i in issues)
        return "%s (HTTP %d%s)" % (err["message"], e.code, "; " + where if where else "")
    except (ValueError, KeyError, TypeError, AttributeError, OSError):
        return "daemon answered HTTP %d" % e.code


def _read_daemon_json(root: str) -> Optional[Dict[str, Any]]:
    try:
        with open(os.path.join(root, ".mlops", "daemon.json"), "r", encoding="utf-8") as f:
            info = json.load(f)
    except (OSError, ValueError):
        return None
    if isinstance(info, dict) and isinstance(info.get("port"), int) and isinstance(info.get("token"), str):
        return info
    return None


def _api_for_root(root: str) -> Optional[_Api]:
    """A client for the daemon that answers for this project, or None."""
    info = _read_daemon_json(root)
    if info is None:
        return None
    api = _Api("http://127.0.0.1:%d/api/v1" % info["port"], info["token"])
    try:
        status = api.call("GET", "/status", timeout=3.0)
    except (_ApiError, _Unreachable, ValueError):
        return None
    return api if status.get("pid") == info.get("pid") else None


def _discover() -> Tuple[Optional[_Api], str]:
    """The daemon to talk to, or (None, why not)."""
    env_api, env_token = os.environ.get("MLOPS_API"), os.environ.get("MLOPS_TOKEN")
    if env_api and env_token:
        return _Api(env_api, env_token), ""
    root = _find_root()
    if root is None:
        return None, "no MLOps project here (no mlops.yaml or .mlops/ in %s or above)" % os.getcwd()
    api = _api_for_root(root)
    if api is not None:
        return api, ""
    why = _start_daemon(root)
    api = _api_for_root(root)
    if api is not None:
        return api, ""
    return None, "the daemon for %s is not running and could not be started (%s)" % (root, why)


def _start_daemon(root: str) -> str:
    try:
        code, out, err = _run_cli(["daemon", "start", "--json"], cwd=root)
    except FileNotFoundError as e:
        return str(e)
    except (OSError, subprocess.SubprocessError) as e:
        return "`mlops daemon start` failed: %s" % e
    if code != 0:
        return "`mlops daemon start` exited %d: %s" % (code, (err or out).strip()[:500])
    return "`mlops daemon start` succeeded but the daemon does not answer"


# ---------------------------------------------------------------- value checks


def _param_value(key: str, value: Any) -> Any:
    """A JSON scalar the daemon accepts: str (<= 6000 chars), finite number, bool or None."""
    if hasattr(value, "item") and callable(value.item):
        try:
            value = value.item()  # numpy scalars and 0-d arrays
        except (TypeError, ValueError):
            pass
    if value is None or isinstance(value, (bool, int, str)):
        pass
    elif isinstance(value, float):
        if not math.isfinite(value):
            value = repr(value)
    else:
        value = str(value)
    if isinstance(value, str) and len(value) > _MAX_PARAM_TEXT:
        _warn("param %r is %d characters long; keeping the first %d" % (key, len(value), _MAX_PARAM_TEXT))
        value = value[:_MAX_PARAM_TEXT]
    return value


def _metric_value(key: str, value: Any) -> Tuple[bool, Optional[float]]:
    """(keep, value): NaN becomes None; infinities and non-numbers are dropped with a warning."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        _warn("metric %r: value %r is not a number; skipped" % (key, value))
        return False, None
    if math.isnan(number):
        return True, None
    if math.isinf(number):
        _warn("metric %r: value %r is infinite; skipped" % (key, number))
        return False, None
    return True, number


def _step(step: Any) -> Optional[int]:
    """A step as a non-negative int (numpy integers included), or None when it is not one."""
    if isinstance(step, bool):
        return None
    try:
        number = operator.index(step)
    except TypeError:
        return None
    return number if number >= 0 else None


def _enc(segment: str) -> str:
    return urllib.request.quote(segment, safe="")


# ---------------------------------------------------------------- runs


class Run:
    """One tracked run. Every method is safe to call when tracking is disabled (it does nothing)."""

    def __init__(self, api: Optional[_Api], run_id: Optional[str], owned: bool) -> None:
        self._api = api
        self.id = run_id
        # A run made by `mlops exec` is ended by exec from the exit code; we only flush it.
        self._owned = owned
        self._ended = False
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._keys: List[str] = []
        self._steps: List[int] = []
        self._times: List[int] = []
        self._values: List[Optional[float]] = []
        self._oldest = 0.0
        self._next_step: Dict[str, int] = {}
        self._net_warned = False

    @property
    def enabled(self) -> bool:
        """False when tracking is off (no daemon): calls are no-ops."""
        return self._api is not None and self.id is not None

    def __repr__(self) -> str:
        return "<mlops.Run %s>" % (self.id if self.enabled else "disabled")

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc_type is None:
            self.end_run("finished")
        elif issubclass(exc_type, KeyboardInterrupt):
            self.end_run("killed")
        else:
            self.end_run("failed")
        return False

    # ------------------------------------------------ params and tags (sent at once)

    def log_param(self, key: str, value: Any) -> None:
        self.log_params({key: value})

    def log_params(self, values: Mapping[str, Any]) -> None:
        """Record parameters. Logging a key again with a different value is refused by the daemon (a warning)."""
        if not self.enabled:
            return
        body = {str(k): _param_value(str(k), v) for k, v in dict(values).items()}
        self._send("POST", "/runs/%s/params" % _enc(self.id or ""), {"params": body}, "log_params")

    def set_tag(self, key: str, value: Any) -> None:
        self.set_tags({key: value})

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        if not self.enabled:
            return
        body = {}
        for k, v in dict(tags).items():
            text = str(v)
            if len(text) > _MAX_TAG_TEXT:
                _warn("tag %r is %d characters long; keeping the first %d" % (k, len(text), _MAX_TAG_TEXT))
                text = text[:_MAX_TAG_TEXT]
            body[str(k)] = text
        self._send("POST", "/runs/%s/tags" % _enc(self.id or ""), {"tags": body}, "set_tags")

    # ------------------------------------------------ metrics (buffered)

    def log_metric(self, key: str, value: Any, step: Optional[int] = None) -> None:
        """Buffer one point. ``step`` defaults to one past the previous step of this key (0 first)."""
        self.log_metrics({key: value}, step=step)

    def log_metrics(self, metrics: Mapping[str, Any], step: Optional[int] = None) -> None:
        if not self.enabled:
            return
        if self._ended:
            _warn("run %s has ended; metrics logged to it are ignored" % self.id)
            return
        if step is not None:
            checked = _step(step)
            if checked is None:
                _warn("step %r is not a non-negative integer; these metrics were skipped" % (step,))
                return
            step = checked
        now_ms = int(time.time() * 1000)
        with self._lock:
            for key, value in dict(metrics).items():
                key = str(key)
                if not _METRIC_KEY.match(key):
                    _warn("metric key %r must be 1-250 letters, digits, _ . - / : or space; skipped" % key)
                    continue
                keep, number = _metric_value(key, value)
                if not keep:
                    continue
                at = step if step is not None else self._next_step.get(key, 0)
                self._next_step[key] = at + 1
                if not self._keys:
                    self._oldest = time.monotonic()
                self._keys.append(key)
                self._steps.append(at)
                self._times.append(now_ms)
                self._values.append(number)
            due = len(self._keys) >= FLUSH_POINTS or (
                bool(self._keys) and time.monotonic() - self._oldest >= FLUSH_SECONDS
            )
        if due:
            self.flush()

    def _due(self) -> bool:
        with self._lock:
            return bool(self._keys) and time.monotonic() - self._oldest >= FLUSH_SECONDS

    def flush(self) -> None:
        """Send every buffered point now (one columnar batch, split only when very large)."""
        if not self.enabled:
            return
        with self._send_lock:
            with self._lock:
                keys, steps, times, values = self._keys, self._steps, self._times, self._values
                self._keys, self._steps, self._times, self._values = [], [], [], []
            start = 0
            while start < len(keys):
                end = _slice_end(keys, values, start)
                batch = {"keys": keys[start:end], "steps": steps[start:end], "timestamps": times[start:end],
                         "values": values[start:end]}
                outcome = self._post_batch(batch)
                if outcome == "unreachable":
                    self._requeue(keys[start:], steps[start:], times[start:], values[start:])
                    return
                start = end

    def _post_batch(self, batch: Dict[str, List[Any]]) -> str:
        try:
            assert self._api is not None
            self._api.call("POST", "/runs/%s/metrics/batch" % _enc(self.id or ""), batch)
            return "ok"
        except _Unreachable as e:
            self._warn_network(e)
            return "unreachable"
        except _ApiError as e:
            if e.status >= 500:
                self._warn_network(e)
                return "unreachable"
            _warn("the daemon refused %d metric points of run %s: %s" % (len(batch["keys"]), self.id, e))
            return "refused"

    def _requeue(self, keys: List[str], steps: List[int], times: List[int], values: List[Optional[float]]) -> None:
        with self._lock:
            self._keys = keys + self._keys
            self._steps = steps + self._steps
            self._times = times + self._times
            self._values = values + self._values
            excess = len(self._keys) - MAX_BUFFERED_POINTS
            if excess > 0:
                del self._keys[:excess], self._steps[:excess], self._times[:excess], self._values[:excess]
            self._oldest = time.monotonic()

    # ------------------------------------------------ artifacts and end

    def log_artifact(self, path: str, name: Optional[str] = None) -> Optional[Dict[str, Any]]:
        """Copy a local file into the run's content-addressed store; returns {path, sha256, size} or None."""
        if not self.enabled:
            return None
        full = os.path.abspath(os.fspath(path))
        if not os.path.isfile(full):
            _warn("log_artifact: %s is not a file; nothing recorded" % full)
            return None
        body: Dict[str, Any] = {"path": full}
        if name is not None:
            body["name"] = str(name)
        return self._send("POST", "/runs/%s/artifacts" % _enc(self.id or ""), body, "log_artifact", ARTIFACT_TIMEOUT)

    def end_run(self, status: str = "finished") -> None:
        """Flush metrics and record the final status (finished, failed or killed)."""
        global _active
        if status not in _RUN_STATUSES:
            _warn("end_run: unknown status %r (expected finished, failed or killed); recording 'failed'" % (status,))
            status = "failed"
        if _active is self:
            _active = None
        if self._ended or not self.enabled:
            self._ended = True
            return
        self._ended = True
        _ticker.forget(self)
        self.flush()
        if self._owned:
            self._send("POST", "/runs/%s/status" % _enc(self.id or ""), {"status": status, "exit_code": None}, "end_run")

    # ------------------------------------------------ plumbing

    def _send(self, method: str, path: str, body: Any, what: str, timeout: float = HTTP_TIMEOUT) -> Any:
        try:
            assert self._api is not None
            return self._api.call(method, path, body, timeout=timeout)
        except _Unreachable as e:
            self._warn_network(e)
        except _ApiError as e:
            _warn("%s on run %s: %s" % (what, self.id, e))
        return None

    def _warn_network(self, e: Exception) -> None:
        if not self._net_warned:
            self._net_warned = True
            _warn("cannot reach the daemon (%s); metrics stay buffered and are retried, other calls are skipped" % e)


def _slice_end(keys: List[str], values: List[Optional[float]], start: int) -> int:
    """End index of a slice of the backlog whose JSON stays under MAX_BATCH_BYTES."""
    size, i = 64, start
    while i < len(keys):
        size += len(keys[i]) + 48
        if size > MAX_BATCH_BYTES and i > start:
            break
        i += 1
    return i


class _Ticker:
    """One background thread that sends buffered metrics of idle runs every FLUSH_SECONDS."""

    def __init__(self) -> None:
        self._runs: List[Run] = []
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None

    def ensure(self, run: Optional[Run] = None) -> None:
        with self._lock:
            if run is not None and run not in self._runs:
                self._runs.append(run)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="mlops-flush", daemon=True)
                self._thread.start()

    def forget(self, run: Run) -> None:
        with self._lock:
            if run in self._runs:
                self._runs.remove(run)

    def _loop(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS / 4)
            with self._lock:
                runs = list(self._runs)
            for run in runs:
                try:
                    if run._due():
                        run.flush()
                except Exception as e:  # the flush thread must never die
                    _warn("background flush failed: %s" % e)


_ticker = _Ticker()
_active: Optional[Run] = None
_api_cache: Optional[Tuple[Optional[_Api], str]] = None
_state_lock = threading.RLock()


def _connection() -> Optional[_Api]:
    """The daemon client, discovered once per process; warns once when there is none."""
    global _api_cache
    if _api_cache is None:
        _api_cache = _discover()
        if _api_cache[0] is None:
            _warn("tracking is disabled: %s. Training continues; nothing is recorded." % _api_cache[1])
    return _api_cache[0]


def _environment() -> Dict[str, Any]:
    packages = {}
    try:
        from importlib import metadata

        for dist in metadata.distributions():
            name = dist.metadata["Name"]
            if name and name.lower() not in packages:
                packages[name.lower()] = "%s==%s" % (name, dist.version)
    except Exception:  # broken package metadata must not stop a run
        pass
    return {
        "python_version": platform.python_version(),
        "python_executable": sys.executable,
        "packages": sorted(packages.values(), key=str.lower),
        "os": platform.platform(),
    }


def _command() -> List[str]:
    argv = [a for a in sys.argv if isinstance(a, str)]
    return [sys.executable] + argv if argv and argv[0] else []


def start_run(experiment: Optional[str] = None, name: Optional[str] = None,
              tags: Optional[Mapping[str, Any]] = None) -> Run:
    """Start (or join) a run and make it the active one.

    Inside ``mlops exec`` (``MLOPS_RUN_ID`` set) this joins that run: ``experiment`` and ``name`` are
    the ones exec chose, ``tags`` are added. Otherwise it creates a run in ``experiment`` (default
    ``default``). Usable as a context manager; an exception inside marks the run failed.
    """
    global _active
    with _state_lock:
        if _active is not None and not _active._ended:
            _warn("start_run: run %s was still active; ending it as finished" % _active.id)
            _active.end_run("finished")
        api = _connection()
        run_id = os.environ.get("MLOPS_RUN_ID")
        if api is None:
            run = Run(None, None, owned=False)
        elif run_id:
            run = Run(api, run_id, owned=False)
            if tags:
                run.set_tags(tags)
        else:
            run = _create_run(api, experiment, name, tags)
        _active = run
    if run.enabled:
        _ticker.ensure(run)
        _install_hooks()
    return run


def _create_run(api: _Api, experiment: Optional[str], name: Optional[str], tags: Optional[Mapping[str, Any]]) -> Run:
    body: Dict[str, Any] = {
        "experiment": experiment or "default",
        "command": _command(),
        "environment": _environment(),
        "tags": {str(k): str(v) for k, v in dict(tags or {}).items()},
    }
    if name is not None:
        body["name"] = str(name)
    try:
        detail = api.call("POST", "/runs", body, timeout=CREATE_TIMEOUT)
        return Run(api, str(detail["id"]), owned=True)
    except (_ApiError, _Unreachable, KeyError, TypeError) as e:
        _warn("start_run: the daemon did not create a run (%s); this run is not tracked" % e)
        return Run(None, None, owned=False)


def active_run() -> Optional[Run]:
    """The run module-level calls go to, or None."""
    return _active


def _current() -> Run:
    """The active run; one is started on first use, so `mlops.log_metric` works without `start_run`."""
    run = _active
    if run is not None and not run._ended:
        return run
    return start_run()


def log_param(key: str, value: Any) -> None:
    _current().log_param(key, value)


def log_params(values: Mapping[str, Any]) -> None:
    _current().log_params(values)


def log_metric(key: str, value: Any, step: Optional[int] = None) -> None:
    _current().log_metric(key, value, step)


def log_metrics(metrics: Mapping[str, Any], step: Optional[int] = None) -> None:
    _current().log_metrics(metrics, step)


def log_artifact(path: str, name: Optional[str] = None) -> Optional[Dict[str, Any]]:
    return _current().log_artifact(path, name)


def set_tag(key: str, value: Any) -> None:
    _current().set_tag(key, value)


def set_tags(tags: Mapping[str, Any]) -> None:
    _current().set_tags(tags)


def flush() -> None:
    """Send the active run's buffered metrics now."""
    if _active is not None:
        _active.flush()


def end_run(status: str = "finished") -> None:
    """End the active run (no-op when there is none)."""
    if _active is not None:
        _active.end_run(status)


# ---------------------------------------------------------------- log_model: scikit-learn → ONNX

EXPORT_TIMEOUT = 300.0
_LINEAR_REGRESSORS = ("LinearRegression", "Ridge", "RidgeCV", "Lasso", "LassoCV", "ElasticNet", "ElasticNetCV")
_LOGISTIC = ("LogisticRegression", "LogisticRegressionCV")
_TREE_CLASSIFIERS = ("DecisionTreeClassifier", "ExtraTreeClassifier")
_TREE_REGRESSORS = ("DecisionTreeRegressor", "ExtraTreeRegressor")
_FOREST_CLASSIFIERS = ("RandomForestClassifier", "ExtraTreesClassifier")
_FOREST_REGRESSORS = ("RandomForestRegressor", "ExtraTreesRegressor")


def _kinds(obj: Any) -> List[str]:
    """Class names of ``obj`` and its bases, so subclasses of supported estimators are recognised."""
    return [c.__name__ for c in type(obj).__mro__]


def _is(obj: Any, names: Tuple[str, ...]) -> bool:
    return any(k in names for k in _kinds(obj))


def _floats(values: Any, where: str) -> List[float]:
    out = [float(v) for v in list(values)]
    for i, v in enumerate(out):
        if not math.isfinite(v):
            raise MlopsError("log_model: %s[%d] is %r; a model with non-finite parameters cannot be exported" % (where, i, v))
    return out


def _class_labels(classes: Any) -> List[Any]:
    """``classes_`` as JSON: integers (integral floats and bools included) or strings, never a mix."""
    out: List[Any] = []
    for c in list(classes):
        item = c.item() if hasattr(c, "item") else c
        if isinstance(item, float) and item.is_integer():
            item = int(item)
        if isinstance(item, bool):
            item = int(item)
        if not isinstance(item, (int, str)):
            raise MlopsError("log_model: class label %r is neither an integer nor a string; ONNX labels must be int64 or strings" % (item,))
        out.append(item)
    if len({type(c) for c in out}) > 1:
        raise MlopsError("log_model: classes_ mixes numbers and strings (%r); encode the target as one type" % (out,))
    return out


def _tree(estimator: Any, classifier: bool) -> Dict[str, Any]:
    t = estimator.tree_
    if t.n_outputs != 1:
        raise MlopsError("log_model: %s predicts %d outputs; only single-output trees are exported" % (type(estimator).__name__, t.n_outputs))
    value = t.value[:, 0, :] if classifier else t.value[:, :, 0]
    # numpy's tolist() gives Python ints and floats in one C loop: a forest of a million nodes in about a second.
    return {
        "feature": t.feature.tolist(),
        "threshold": t.threshold.tolist(),
        "children_left": t.children_left.tolist(),
        "children_right": t.children_right.tolist(),
        "value": value.tolist(),
    }


def _gb_init(est: Any, raw_first: Any) -> List[float]:
    """The booster's raw score before any stage, from public API only: raw(x) minus the stages' sum at one row."""
    import numpy as np  # present whenever a fitted scikit-learn estimator is

    x0 = np.zeros((1, int(est.n_features_in_)))
    raw = np.asarray(raw_first(x0), dtype=float).reshape(-1)
    stages = est.estimators_
    for k in range(stages.shape[1]):
        raw[k] -= est.learning_rate * sum(float(tree.predict(x0)[0]) for tree in stages[:, k])
    return _floats(raw, "init")


def _logistic_spec(est: Any) -> Dict[str, Any]:
    classes = _class_labels(est.classes_)
    multi = getattr(est, "multi_class", "auto")
    if multi not in ("ovr", "multinomial"):
        # scikit-learn's 'auto' (and the default after `multi_class` was deprecated): ovr for liblinear.
        multi = "ovr" if getattr(est, "solver", "") == "liblinear" or len(classes) <= 2 else "multinomial"
    coef = [_floats(row, "coef_[%d]" % i) for i, row in enumerate(est.coef_)]
    return {"kind": "logistic_regression", "coef": coef, "intercept": _floats(est.intercept_, "intercept_"),
            "classes": classes, "multi_class": multi}


def _predictor_spec(est: Any) -> Dict[str, Any]:
    """The fitted parameters of one supported estimator as the daemon's ``/versions/sklearn`` expects them."""
    name = type(est).__name__
    if _is(est, _LOGISTIC):
        return _logistic_spec(est)
    if _is(est, _LINEAR_REGRESSORS):
        coef = list(getattr(est.coef_, "ravel", lambda: est.coef_)())
        intercept = getattr(est.intercept_, "ravel", lambda: [est.intercept_])()
        if len(list(intercept)) != 1 or len(coef) != int(est.n_features_in_):
            raise MlopsError("log_model: %s was fitted on several targets; only one target is exported" % name)
        return {"kind": "linear_regression", "coef": _floats(coef, "coef_"), "intercept": _floats(intercept, "intercept_")[0]}
    if _is(est, _TREE_CLASSIFIERS) or _is(est, _FOREST_CLASSIFIERS):
        trees = [est] if _is(est, _TREE_CLASSIFIERS) else list(est.estimators_)
        return {"kind": "tree_ensemble_classifier", "trees": [_tree(t, True) for t in trees], "classes": _class_labels(est.classes_)}
    if _is(est, _TREE_REGRESSORS) or _is(est, _FOREST_REGRESSORS):
        trees = [est] if _is(est, _TREE_REGRESSORS) else list(est.estimators_)
        return {"kind": "tree_ensemble_regressor", "trees": [_tree(t, False) for t in trees]}
    if _is(est, ("GradientBoostingClassifier",)):
        stages = [[_tree(t, False) for t in row] for row in est.estimators_]
        # The exponential loss (AdaBoost) turns a raw score s into expit(2s): scaling the score by 2 lets the
        # graph apply its plain sigmoid.
        factor = 2.0 if getattr(est, "loss", "") == "exponential" else 1.0
        return {"kind": "gradient_boosting_classifier", "learning_rate": float(est.learning_rate) * factor,
                "init": [v * factor for v in _gb_init(est, est.decision_function)], "stages": stages,
                "classes": _class_labels(est.classes_)}
    if _is(est, ("GradientBoostingRegressor",)):
        stages = [_tree(row[0], False) for row in est.estimators_]
        return {"kind": "gradient_boosting_regressor", "learning_rate": float(est.learning_rate),
                "init": _gb_init(est, est.predict)[0], "stages": stages}
    raise MlopsError(
        "log_model: %s is not supported by the built-in exporter (linear and logistic regression, decision trees, "
        "random forests, extra trees, gradient boosting, StandardScaler and Pipelines of those); install skl2onnx "
        "to export it" % name)


def _scaler_spec(step: Any) -> Dict[str, Any]:
    if not _is(step, ("StandardScaler",)):
        raise MlopsError("log_model: pipeline step %s is not supported by the built-in exporter (only StandardScaler "
                         "before the final estimator); install skl2onnx to export it" % type(step).__name__)
    mean = getattr(step, "mean_", None) if getattr(step, "with_mean", True) else None
    scale = getattr(step, "scale_", None) if getattr(step, "with_std", True) else None
    return {"kind": "standard_scaler",
            "mean": None if mean is None else _floats(mean, "StandardScaler.mean_"),
            "scale": None if scale is None else _floats(scale, "StandardScaler.scale_")}


def _split_pipeline(estimator: Any) -> Tuple[List[Any], Any]:
    """(transform steps, final estimator); a bare estimator has no steps."""
    if not _is(estimator, ("Pipeline",)):
        return [], estimator
    steps = [s for _, s in estimator.steps if s is not None and s != "passthrough"]
    if not steps:
        raise MlopsError("log_model: the Pipeline has no estimator")
    return steps[:-1], steps[-1]


def _check_fitted(final: Any) -> None:
    # scikit-learn's own convention (check_is_fitted): fit() sets attributes whose names end with "_".
    if not any(k.endswith("_") and not k.startswith("__") for k in vars(final)):
        raise MlopsError("log_model: %s is not fitted; call fit() before log_model()" % type(final).__name__)


def _feature_names(estimator: Any, final: Any, given: Optional[List[str]]) -> List[str]:
    fitted = getattr(estimator, "feature_names_in_", None)
    fitted_names = None if fitted is None else [str(n) for n in fitted]
    count = getattr(estimator, "n_features_in_", None) or getattr(final, "n_features_in_", None)
    if given is None:
        if fitted_names is None:
            raise MlopsError("log_model: pass feature_names=[...] (the estimator was fitted without column names)")
        return fitted_names
    names = [str(n) for n in given]
    if fitted_names is not None and names != fitted_names:
        raise MlopsError("log_model: feature_names %r differ from the columns the estimator was fitted on %r" % (names, fitted_names))
    if count is not None and len(names) != int(count):
        raise MlopsError("log_model: %d feature_names for an estimator fitted on %d features" % (len(names), int(count)))
    return names


def _describe(estimator: Any, steps: List[Any], final: Any) -> str:
    if steps or _is(estimator, ("Pipeline",)):
        return "sklearn.pipeline.Pipeline(%s)" % ", ".join(type(s).__name__ for s in steps + [final])
    return "%s.%s" % (type(final).__module__, type(final).__name__)


def _skl2onnx_bytes(estimator: Any, final: Any, names: List[str]) -> Optional[bytes]:
    """The estimator converted by skl2onnx when it is installed (probabilities as a tensor: zipmap off), else None."""
    try:
        from skl2onnx import convert_sklearn  # type: ignore
        from skl2onnx.common.data_types import FloatTensorType  # type: ignore
    except ImportError:
        return None
    options = {id(final): {"zipmap": False}} if hasattr(final, "classes_") else None
    onx = convert_sklearn(estimator, initial_types=[("features", FloatTensorType([None, len(names)]))], options=options)
    entry = onx.metadata_props.add()
    entry.key, entry.value = "feature_names", json.dumps(names)
    return onx.SerializeToString()


def _lineage_run_id() -> Optional[str]:
    run = _active
    if run is not None and not run._ended and run.id:
        return run.id
    return os.environ.get("MLOPS_RUN_ID") or None


def log_model(estimator: Any, name: str, feature_names: Optional[List[str]] = None, description: str = "",
              tags: Optional[Mapping[str, Any]] = None, metrics: Optional[Mapping[str, float]] = None) -> Optional[Dict[str, Any]]:
    """Register a fitted scikit-learn estimator as an ONNX version of model ``name``; returns the new version
    (a dict: ``version``, ``sha256``, ``signature``, ``run_id``...) or None.

    With skl2onnx installed it converts the estimator (``zipmap`` off, so probabilities are a tensor); otherwise
    the fitted parameters go to the daemon, whose ONNX writer builds the graph. Inside a run the version records
    that run as its source (lineage). An unsupported or unfitted estimator raises MlopsError; a daemon that is
    unreachable or refuses the model (e.g. a signature mismatch with mlops.yaml) is a warning and returns None.
    """
    steps, final = _split_pipeline(estimator)
    _check_fitted(final)
    names = _feature_names(estimator, final, feature_names)
    onnx_bytes = _skl2onnx_bytes(estimator, final, names)
    body: Dict[str, Any] = {"description": str(description), "tags": {str(k): str(v) for k, v in dict(tags or {}).items()},
                            "metrics": {str(k): float(v) for k, v in dict(metrics or {}).items()}}
    run_id = _lineage_run_id()
    if run_id:
        body["run_id"] = run_id
    if onnx_bytes is None:
        body.update({"estimator": {"steps": [_scaler_spec(s) for s in steps], "predictor": _predictor_spec(final)},
                     "feature_names": names, "estimator_class": _describe(estimator, steps, final),
                     "sklearn_version": _sklearn_version()})
    api = _connection()
    if api is None:
        return None
    try:
        if onnx_bytes is None:
            answer = api.call("POST", "/models/%s/versions/sklearn" % _enc(name), body, timeout=EXPORT_TIMEOUT)
        else:
            answer = _register_file(api, name, onnx_bytes, body)
        return answer.get("version") if isinstance(answer, dict) else None
    except (_ApiError, _Unreachable) as e:
        _warn("log_model: model %r was not registered: %s" % (name, e))
        return None


def _sklearn_version() -> str:
    try:
        import sklearn  # type: ignore

        return str(sklearn.__version__)
    except ImportError:
        return ""


def _register_file(api: _Api, name: str, onnx_bytes: bytes, body: Dict[str, Any]) -> Any:
    """Registers skl2onnx's bytes through a file in the project's `.mlops/tmp/` (the registry reads a path)."""
    root = _find_root()
    if root is None:
        raise _Unreachable("no MLOps project here to hold the exported file")
    folder = os.path.join(root, ".mlops", "tmp")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "log-model-%d-%d.onnx" % (os.getpid(), int(time.time() * 1000)))
    with open(path, "wb") as f:
        f.write(onnx_bytes)
    try:
        return api.call("POST", "/models/%s/versions" % _enc(name), dict(body, artifact_path=path), timeout=EXPORT_TIMEOUT)
    finally:
        os.remove(path)


# ---------------------------------------------------------------- process exit

_hooks_installed = False
_exit_status = "finished"


def _install_hooks() -> None:
    """At exit: flush, and end an owned run still open — failed if an exception ended the program."""
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    previous: Callable[..., Any] = sys.excepthook

    def hook(exc_type: Any, exc: Any, tb: Any) -> None:
        global _exit_status
        _exit_status = "killed" if issubclass(exc_type, KeyboardInterrupt) else "failed"
        previous(exc_type, exc, tb)

    sys.excepthook = hook
    atexit.register(_at_exit)


def _at_exit() -> None:
    run = _active
    if run is None:
        return
    try:
        run.end_run(_exit_status)
    except Exception as e:  # never turn a clean exit into a traceback
        _warn("could not finish run %s at exit: %s" % (run.id, e))
