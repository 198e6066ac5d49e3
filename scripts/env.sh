# Shared settings for every script: one target dir, one profile, one feature set, so the
# dev chain, the tests and CI reuse each other's build artifacts. Sourced, not run.

# Outside the clone, so fresh clones (CI) reuse the compiled dependencies.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ocos-cloud/target}"
# The node and runtime are built as shipped, without `runtime-benchmarks` (a benchmarking
# runtime embeds a 4.5 MB test runtime and the benchmark API). Switching a feature recompiles
# most of polkadot-sdk, so this one set serves the dev chain, the tests and CI.
OCOS_CARGO_FLAGS=(--release --locked --workspace --all-targets)
# The pallets' benchmark tests need `runtime-benchmarks`; built for these crates alone, the
# feature recompiles only the FRAME crates beneath them (about 2 minutes), not the node.
# Weights are generated with a benchmarking build of the node (README, "Benchmarks").
OCOS_BENCHMARKED_PALLETS=(-p pallet-billing -p pallet-compute -p pallet-dao -p pallet-node-registry -p pallet-quotas -p pallet-storage -p pallet-validator-set)
OCOS_NODE_BIN="$CARGO_TARGET_DIR/release/ocos-node"
export OCOS_NODE_BIN

# Builds the node, the runtime (native and wasm) and every test binary.
ocos_build() {
	cargo build "${OCOS_CARGO_FLAGS[@]}"
}
