# Keepsake: `make run` and `make test` are the two commands a newcomer needs (see README.md).
# Both set up what is missing first (scripts/setup.sh), and are quick when nothing changed.

CARGO ?= cargo
DEMO_DIR ?= target/demo

.PHONY: setup build ui ui-test app run demo bundle package check-package e2e e2e-screens e2e-apps e2e-firsttime test lint fmt bench clean-demo bindings

setup:
	@scripts/setup.sh

build: setup
	$(CARGO) build --release -p keepsake-cli

# The window (ui/dist), then the desktop app with it embedded (one target dir, debug build).
ui: setup
	cd ui && npm run build --silent

# The window's own checks: strict TypeScript, ESLint, and the component tests (vitest).
ui-test: setup
	cd ui && npm run typecheck --silent && npm run lint --silent && npm test --silent

app: ui
	$(CARGO) build -p keepsake-app --features custom-protocol

# The desktop app. KEEPSAKE_DEMO=1: with nothing set up yet, it creates a demo database (an
# astrology app's data) in its data folder and adds it as the first source, backed up at once.
# Without a display it runs under Xvfb for a while and saves a screenshot (scripts/run-app.sh).
run: app
	@scripts/run-app.sh

# The engine through the CLI on a generated demo database: a backup, its verification, the
# list and the statistics.
demo: build
	@scripts/demo.sh "$(DEMO_DIR)"

# The .deb people install (target/dist/bundle/deb/): one stripped binary (profile dist) that is
# the app and, by the name `keepsake` (a link), the command; a systemd user unit for
# `keepsake daemon` (scripts/package.sh).
package: setup
	scripts/package.sh
bundle: package

# Unpacks the .deb into a throwaway root and checks it: files, sizes, stripped binaries, the
# maintainer, the unit; then starts the unpacked app under Xvfb to its first screen.
check-package: package
	scripts/check-package.sh

# End-to-end tests of the real app under Xvfb, in their own D-Bus session (scripts/e2e.sh).
e2e: app
	KEEPSAKE_APP=$(CURDIR)/target/debug/keepsake-app scripts/e2e.sh

# The window's screens end to end on the real app, from a fresh profile (first run, back up,
# verify, restore and undo, schedule, wrong password; screenshots in target/e2e/screens/).
e2e-screens: app
	KEEPSAKE_APP=$(CURDIR)/target/debug/keepsake-app scripts/e2e-screens.sh

# "Find my databases" end to end on the real app, with a real Firefox ESR running in the
# session's home folder (screenshots in target/e2e/apps/).
e2e-apps: app
	KEEPSAKE_APP=$(CURDIR)/target/debug/keepsake-app scripts/e2e-apps.sh

# A person's first ten minutes on the real app, without a tray (issue 26; screenshots in
# target/e2e/firsttime/).
e2e-firsttime: app
	KEEPSAKE_APP=$(CURDIR)/target/debug/keepsake-app scripts/e2e-firsttime.sh

# The window's contract (ui/src/bindings.ts), generated from the Rust types; `make test` fails
# when the committed file differs from what the types generate.
bindings:
	KEEPSAKE_WRITE_BINDINGS=1 $(CARGO) test -p keepsake-app --test contract

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The tests build the desktop app once: `cargo test` with the window embedded (custom-protocol,
# ui/dist built first) makes target/debug/keepsake-app in the test profile, and the end-to-end
# suites run that binary, so the Tauri stack is not compiled a second time for them. It also
# builds the IPC bridge (src-tauri/examples/ipc_bridge.rs) the window's real-engine screen tests
# (`npm run test:real`) run against.
test: setup lint ui-test ui
	$(CARGO) test --workspace --features keepsake-app/custom-protocol
	cd ui && npm run test:real
	KEEPSAKE_APP=$(CURDIR)/target/debug/keepsake-app scripts/e2e.sh
	KEEPSAKE_APP=$(CURDIR)/target/debug/keepsake-app scripts/e2e-screens.sh
	KEEPSAKE_APP=$(CURDIR)/target/debug/keepsake-app scripts/e2e-apps.sh
	KEEPSAKE_APP=$(CURDIR)/target/debug/keepsake-app scripts/e2e-firsttime.sh

fmt:
	$(CARGO) fmt --all

bench: setup
	$(CARGO) build --release -p keepsake-bench -p keepsake-cli
	@scripts/bench.sh

clean-demo:
	rm -rf "$(DEMO_DIR)"
