#!/usr/bin/env bash
# The one test command (`npm test`): installs what is missing, then lint,
# typecheck and build of every Nx project, then every test (unit and
# integration against real nats-server/redis-server/haproxy). Ends with the
# line "N passed, N failed" and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=${NX_SKIP_NX_CACHE:-false}
export PATH="$PWD/node_modules/.bin:$PATH:/usr/sbin:/sbin"
failed_checks=0

echo "==> typecheck and build of every project"
if ! nx run-many -t typecheck build --parallel=2 --output-style=static; then
  echo "==> typecheck or build FAILED (see above)"
  failed_checks=$((failed_checks + 1))
fi

# One ESLint process for the whole workspace (type-aware rules load the TypeScript
# program once instead of once per project); `nx run-many -t lint` does the same per project.
# After an nx command: @nx/enforce-module-boundaries needs the project graph Nx caches.
echo "==> lint"
if ! eslint libs services deploy tools bench/ftp; then
  echo "==> lint FAILED (see above)"
  failed_checks=$((failed_checks + 1))
fi
echo "==> tests (unit and integration)"
report=.vitest-results.json
rm -f "$report"
vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
tests_status=$?

node scripts/test-summary.mjs "$report" "$failed_checks"
[ "$tests_status" -eq 0 ] && [ "$failed_checks" -eq 0 ]
