#!/usr/bin/env bash
# `npm run test:e2e`: installs the e2e tools if needed (outside the clone), packages the extension and
# runs the suite in a real VS Code (code-server 4.100.3) driven by Chromium. Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
export MLOPS_E2E_CACHE=${MLOPS_E2E_CACHE:-$HOME/.cache/mlops-e2e}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/mlops-e2e-vsix.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
bash scripts/e2e-setup.sh || { echo "e2e setup failed"; echo "0 passed, 1 failed"; exit 1; }
npx tsx scripts/package.ts --out "$OUT/mlops.vsix" > "$OUT/package.log" 2>&1 || {
  cat "$OUT/package.log"; echo "packaging failed"; echo "0 passed, 1 failed"; exit 1; }
tail -1 "$OUT/package.log"
npx tsx test/e2e/suite.ts --vsix "$OUT/mlops.vsix" --cache "$MLOPS_E2E_CACHE" "$@"
