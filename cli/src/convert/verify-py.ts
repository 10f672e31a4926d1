/**
 * The Python side of `mlops convert --verify`, run with the project's interpreter: executing the
 * notebook with nbclient (recording what each cell printed and dumping each stage's declared
 * outputs after its last cell), and comparing values (DataFrames and arrays with a tolerance).
 */

/** argv: notebook, plan JSON file, dump folder, result JSON file. */
export const RUN_NOTEBOOK_PY = `
import json, os, sys
missing = []
for mod in ("nbformat", "nbclient", "ipykernel"):
    try:
        __import__(mod)
    except ImportError:
        missing.append(mod)
if missing:
    json.dump({"missing": missing}, open(sys.argv[4], "w"))
    sys.exit(0)
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

notebook, plan_file, dump, result = sys.argv[1:5]
plan = json.load(open(plan_file))
nb = nbformat.read(notebook, as_version=4)
last_code = {}
for stage in plan["stages"]:
    code = [c for c in stage["cells"] if nb.cells[c - 1].cell_type == "code"]
    if code and stage["outputs"]:
        last_code[max(code)] = stage
cells = []
for i, cell in enumerate(nb.cells, start=1):
    cell.metadata["mlops_index"] = i
    cells.append(cell)
    stage = last_code.get(i)
    if stage is not None:
        folder = os.path.join(dump, stage["name"])
        src = ("def __mlops_dump(names, folder):\\n"
               "    import os, pickle\\n"
               "    os.makedirs(folder, exist_ok=True)\\n"
               "    g = globals()\\n"
               "    for n in names:\\n"
               "        with open(os.path.join(folder, n + '.pkl'), 'wb') as f:\\n"
               "            pickle.dump(g[n], f, protocol=4)\\n"
               "__mlops_dump(%r, %r)\\n"
               "del __mlops_dump\\n") % (stage["outputs"], folder)
        dump_cell = nbformat.v4.new_code_cell(src)
        dump_cell.metadata["mlops_index"] = 0
        cells.append(dump_cell)
nb.cells = cells
client = NotebookClient(nb, timeout=900, startup_timeout=300, kernel_name="python3", resources={"metadata": {"path": os.path.dirname(os.path.abspath(notebook))}})
error = None
try:
    client.execute()
except CellExecutionError as e:
    error = str(e).strip().splitlines()[-1] if str(e).strip() else repr(e)
printed = {}
failed_cell = None
for cell in nb.cells:
    index = cell.metadata.get("mlops_index", 0)
    if cell.cell_type != "code":
        continue
    text = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and out.name == "stdout":
            text.append(out.text)
        elif out.output_type == "execute_result":
            text.append(out.data.get("text/plain", "") + "\\n")
        elif out.output_type == "display_data" and "image/png" not in out.data and "text/plain" in out.data:
            text.append(out.data["text/plain"] + "\\n")
        elif out.output_type == "error" and failed_cell is None:
            failed_cell = index
    if index:
        printed[str(index)] = "".join(text)
json.dump({"printed": printed, "error": error, "failed_cell": failed_cell}, open(result, "w"))
`;

/** argv: pairs JSON file ([{stage, name, notebook, pipeline}]), result JSON file. */
export const COMPARE_PY = `
import json, math, pickle, sys

try:
    import numpy as np
except ImportError:
    np = None
try:
    import pandas as pd
except ImportError:
    pd = None

RTOL, ATOL = 1e-9, 1e-12


def load(path):
    if path.endswith(".parquet"):
        return pd.read_parquet(path)
    with open(path, "rb") as f:
        return pickle.load(f)


def short(v):
    text = repr(v)
    return text if len(text) < 120 else text[:117] + "..."


def differ(a, b, depth=0):
    if depth > 50:
        return None
    if pd is not None and isinstance(a, (pd.DataFrame, pd.Series, pd.Index)):
        if type(a) is not type(b):
            return "a %s became a %s" % (type(a).__name__, type(b).__name__)
        try:
            if isinstance(a, pd.DataFrame):
                pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=RTOL, atol=ATOL)
            elif isinstance(a, pd.Series):
                pd.testing.assert_series_equal(a, b, check_exact=False, rtol=RTOL, atol=ATOL)
            else:
                pd.testing.assert_index_equal(a, b)
        except AssertionError as e:
            return " ".join(str(e).split())[:300]
        return None
    if np is not None and isinstance(a, np.ndarray):
        if not isinstance(b, np.ndarray) or a.shape != b.shape or a.dtype != b.dtype:
            return "array %s %s became %s" % (getattr(a, "shape", "?"), a.dtype, short(b)[:80])
        if a.dtype.kind in "fc":
            ok = np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)
        else:
            ok = np.array_equal(a, b)
        return None if ok else "arrays differ (max abs difference %s)" % (np.max(np.abs(a - b)) if a.dtype.kind in "fciu" else "n/a")
    if isinstance(a, float) and isinstance(b, float):
        if (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL):
            return None
        return "%r became %r" % (a, b)
    if type(a) is not type(b):
        return "a %s became a %s" % (type(a).__name__, type(b).__name__)
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return "length %d became %d" % (len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = differ(x, y, depth + 1)
            if d:
                return "[%d]: %s" % (i, d)
        return None
    if isinstance(a, dict):
        if list(a.keys()) != list(b.keys()):
            return "keys %s became %s" % (short(list(a.keys())), short(list(b.keys())))
        for k in a:
            d = differ(a[k], b[k], depth + 1)
            if d:
                return "[%r]: %s" % (k, d)
        return None
    if hasattr(a, "__dict__") and not isinstance(a, type) and not callable(a):
        return differ(vars(a), vars(b), depth + 1)
    try:
        eq = a == b
        if isinstance(eq, bool):
            return None if eq else "%s became %s" % (short(a), short(b))
    except Exception:
        pass
    return None if pickle.dumps(a, protocol=4) == pickle.dumps(b, protocol=4) else "%s became %s" % (short(a), short(b))


pairs = json.load(open(sys.argv[1]))
result = {"compared": 0, "difference": None}
for p in pairs:
    try:
        a, b = load(p["notebook"]), load(p["pipeline"])
        d = differ(a, b)
    except Exception as e:
        with open(p["notebook"], "rb") as f1, open(p["pipeline"], "rb") as f2:
            d = None if f1.read() == f2.read() else "could not be compared (%s)" % e
    result["compared"] += 1
    if d:
        result["difference"] = {"stage": p["stage"], "name": p["name"], "message": d}
        break
json.dump(result, open(sys.argv[2], "w"))
`;
