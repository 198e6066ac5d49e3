#!/usr/bin/env bash
# Runs every test: unit tests of runtime and pallets (also with their benchmarks), and the
# end-to-end tests that start real ocos-node processes. Extra arguments go to the test
# binaries (e.g. a name filter).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

scripts/setup.sh
ocos_build
# Each end-to-end test runs one to three nodes; two tests at a time fit two cores.
cargo test "${OCOS_CARGO_FLAGS[@]}" --no-fail-fast -- --test-threads=2 "$@"
# The pallets' unit and benchmark tests, with benchmarking compiled in.
cargo test --release --locked "${OCOS_BENCHMARKED_PALLETS[@]}" --features runtime-benchmarks \
	--lib --no-fail-fast -- "$@"
