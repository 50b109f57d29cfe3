#!/usr/bin/env bash
# The one start command (`npm start`): installs what is missing, builds every
# project (cached by Nx), then runs the local stack in the foreground.
# Options after `--` go to the stack runner: `npm start -- --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
echo "==> building"
npx nx run-many -t build --parallel=2 --output-style=static >/tmp/ferry-build.$$.log 2>&1 || { cat /tmp/ferry-build.$$.log; rm -f /tmp/ferry-build.$$.log; echo "build failed" >&2; exit 1; }
rm -f /tmp/ferry-build.$$.log
exec node deploy/local/dist/main.js "$@"
