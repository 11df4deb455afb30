#!/usr/bin/env bash
# End-to-end tests of the window's screens on the real app (tests/e2e/screens.test.mjs, issue 6):
# first run, back up now, verify, restore and undo, a schedule edit, a wrong password, and a
# screenshot of every screen in target/e2e/screens/. The session is scripts/e2e.sh's.
set -euo pipefail
E2E_SUITE=screens exec "$(dirname "$0")/e2e.sh" "$@"
