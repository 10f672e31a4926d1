#!/usr/bin/env bash
# Installs what the real-VS-Code e2e suite needs, OUTSIDE the clone:
#   code-server 4.100.3 (= VS Code 1.100.3, the newest that runs on Node 20), Debian chromium, playwright-core.
# Cache folder: ${MLOPS_E2E_CACHE:-$HOME/.cache/mlops-e2e}. Idempotent: returns in seconds when already installed.
# Uses only the npm registry and Debian apt. Needs Node 20 + npm; apt needs root (or an already installed chromium).
set -euo pipefail
CACHE=${MLOPS_E2E_CACHE:-$HOME/.cache/mlops-e2e}
CS_VERSION=4.100.3
# code-server 4.100.3 pins @vscode/ripgrep 1.15.11, whose postinstall downloads rg from GitHub (unreachable here)
# unless it finds the asset in $TMPDIR/vscode-ripgrep-cache-<version>/; we seed that cache from npm.
RG_VERSION=1.15.11
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
PW_VERSION=1.55.0
export npm_config_nodedir=/usr   # build native modules against /usr/include/node instead of downloading headers
export npm_config_yes=true       # node-pty's postinstall runs `npx node-gyp`; a yes=false config would abort it
export npm_config_unsafe_perm=true
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
mkdir -p "$CACHE"/{tmp,cs,pw}
log() { echo "[e2e-setup $(date +%T)] $*"; }

CS_ENTRY="$CACHE/cs/node_modules/code-server/out/node/entry.js"
PW_MAIN="$CACHE/pw/node_modules/playwright-core/package.json"
chromium_path() { for c in /usr/lib/chromium/chromium /usr/bin/chromium; do [ -x "$c" ] && { echo "$c"; return 0; }; done; return 1; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || { echo "e2e-setup: Node 20 is required (code-server $CS_VERSION), found $(node --version)" >&2; exit 1; }

APT_PACKAGES="chromium build-essential python3 pkg-config libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev"
need_apt=0
chromium_path >/dev/null || need_apt=1
if [ ! -f "$CACHE/cs/.installed-$CS_VERSION" ]; then   # code-server compiles native modules: needs the build deps
  for p in build-essential pkg-config libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev; do
    dpkg -s "$p" >/dev/null 2>&1 || need_apt=1
  done
fi
if [ "$need_apt" = 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "e2e-setup: run as root once (apt-get install -y $APT_PACKAGES)" >&2; exit 1; }
  log "apt: $APT_PACKAGES"
  # A new machine has no package lists yet: fetch them first instead of failing the first install.
  ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 || apt-get update || true
  for i in 1 2 3 4 5 6 7 8; do   # another process may hold the dpkg lock
    # shellcheck disable=SC2086
    if DEBIAN_FRONTEND=noninteractive apt-get install -y $APT_PACKAGES; then break; fi
    [ "$i" = 8 ] && { echo "e2e-setup: apt-get install failed" >&2; exit 1; }
    sleep 15; apt-get update || true
  done
else
  log "chromium present: $(chromium_path)"
fi

if [ -f "$CS_ENTRY" ] && [ -f "$CACHE/cs/.installed-$CS_VERSION" ]; then
  log "code-server $CS_VERSION present"
else
  log "seeding ripgrep download cache from npm"
  ( cd "$CACHE/tmp" && npm pack @vscode/ripgrep-linux-x64@1.18.0 >/dev/null \
    && tar xzf vscode-ripgrep-linux-x64-1.18.0.tgz package/bin/rg \
    && mkdir -p "vscode-ripgrep-cache-$RG_VERSION" \
    && tar czf "vscode-ripgrep-cache-$RG_VERSION/$RG_ASSET" -C package/bin rg )
  log "installing code-server $CS_VERSION (compiles native modules, several minutes)"
  cd "$CACHE/cs"
  [ -f package.json ] || echo '{"name":"mlops-e2e-code-server","private":true}' > package.json
  TMPDIR="$CACHE/tmp" npm install --no-save "code-server@$CS_VERSION"
  test -f node_modules/code-server/lib/vscode/node_modules/node-pty/build/Release/pty.node
  test -x node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg
  touch ".installed-$CS_VERSION"
fi

if [ -f "$PW_MAIN" ]; then
  log "playwright-core present"
else
  log "installing playwright-core $PW_VERSION"
  cd "$CACHE/pw"
  [ -f package.json ] || echo '{"name":"mlops-e2e-playwright","private":true}' > package.json
  npm install --no-save "playwright-core@$PW_VERSION"
fi
log "ready in $CACHE"
