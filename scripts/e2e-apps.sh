#!/usr/bin/env bash
# End-to-end test of "Find my databases" on the real app (tests/e2e/apps.test.mjs, issue 25): a
# real Firefox ESR runs in the session's home folder; the first run finds it, names it in words,
# protects it in one click and backs it up while it runs; a restore while it runs is refused with
# its name. Screenshots in target/e2e/apps/. The session is scripts/e2e.sh's.
set -euo pipefail
E2E_SUITE=apps exec "$(dirname "$0")/e2e.sh" "$@"
