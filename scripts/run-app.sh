#!/usr/bin/env bash
# `make run`: launches the desktop app (built by `make app`). With KEEPSAKE_DEMO=1 and nothing set
# up yet, the app creates its demo database and backs it up at once.
#
# On a machine without a display (a server, a container) the app cannot open a window: it then
# runs for a while under Xvfb in a D-Bus session of its own, and a screenshot of its window is
# saved to target/run-screenshot.png.
set -euo pipefail
cd "$(dirname "$0")/.."
APP=target/debug/keepsake-app
export KEEPSAKE_DEMO=${KEEPSAKE_DEMO:-1}

if [ "${1:-}" != "--headless" ]; then
  if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    exec "$APP"
  fi
  echo "run: no display; running the app under Xvfb for ${KEEPSAKE_RUN_SECONDS:-20} s"
  exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" dbus-run-session -- "$0" --headless
fi
"$APP" &
pid=$!
sleep "${KEEPSAKE_RUN_SECONDS:-20}"
import -window root target/run-screenshot.png || true
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
echo "run: screenshot of the window: target/run-screenshot.png"
