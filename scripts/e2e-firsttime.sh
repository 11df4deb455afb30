#!/usr/bin/env bash
# End-to-end test of a person's first ten minutes (tests/e2e/firsttime.test.mjs, issue 26): from a
# fresh profile on a desktop without a tray, she finds and protects her app's database, adds an
# external disk (a tmpfs of its own), and closes the window; a scheduled backup still runs, and
# Home never says "Protected" while it is not. Screenshots in target/e2e/firsttime/. The session
# is scripts/e2e.sh's; it mounts the tmpfs, so it runs as root (as CI does).
set -euo pipefail
E2E_SUITE=firsttime exec "$(dirname "$0")/e2e.sh" "$@"
