# Keepsake: `make run` and `make test` are the two commands a newcomer needs (see README.md).
# Both set up what is missing first (scripts/setup.sh), and are quick when nothing changed.

CARGO ?= cargo
DEMO_DIR ?= target/demo

.PHONY: setup build run test lint fmt bench clean-demo

setup:
	@scripts/setup.sh

build: setup
	$(CARGO) build --release -p keepsake-cli

# Until the desktop app lands (src-tauri), `make run` shows the engine through the CLI on a
# generated demo database: a backup, its verification, the list and the statistics.
run: build
	@scripts/demo.sh "$(DEMO_DIR)"

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test: setup lint
	$(CARGO) test --workspace

fmt:
	$(CARGO) fmt --all

bench: setup
	$(CARGO) build --release -p keepsake-bench
	@scripts/bench.sh

clean-demo:
	rm -rf "$(DEMO_DIR)"
