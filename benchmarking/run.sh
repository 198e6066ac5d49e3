#!/usr/bin/env bash
# Runs the throughput and latency benchmarks in full, on the build the tests use; prints the
# tables quoted in the README's "Benchmarks". Arguments name benches to run (default: all of
# gpu, attestations, job_latency, datavault). The FRAME weights are generated separately (README).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

scripts/setup.sh
ocos_build
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(gpu attestations job_latency datavault)
for bench in "${benches[@]}"; do
	echo "== $bench"
	# The workspace's feature set, so the test build's artifacts are reused.
	cargo test --release --locked --workspace --bench "$bench" -- --bench
done
