#!/usr/bin/env bash
# The main job: set up, build, and run a single-validator development chain whose node also
# runs the provider worker (`--worker`) for the genesis GPU node, next to an IPFS daemon.
# RPC (Polkadot.js Apps) at ws://127.0.0.1:9944, Prometheus metrics at :9615/metrics, the IPFS
# daemon's Kubo RPC API at http://127.0.0.1:5001 (set OCOS_IPFS_API to use a running daemon
# instead). Extra arguments go to ocos-node, e.g. `scripts/dev.sh --base-path /tmp/ocos-dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

scripts/setup.sh
ocos_build

ipfs_api=${OCOS_IPFS_API:-}
if [ -z "$ipfs_api" ]; then
	ipfs_api=http://127.0.0.1:5001
	ipfs_repo=${OCOS_IPFS_REPO:-$HOME/.local/share/ocos-cloud/ipfs-dev}
	mkdir -p "$(dirname "$ipfs_repo")"
	scripts/ipfs-daemon.sh "$ipfs_repo" 5001 8080 >"$ipfs_repo.log" 2>&1 &
	ipfs_pid=$!
	trap 'kill $ipfs_pid 2>/dev/null || true' EXIT
	echo "dev: IPFS daemon at $ipfs_api (repository $ipfs_repo, log $ipfs_repo.log)"
fi
"$OCOS_NODE_BIN" --dev --rpc-cors all --worker --ipfs-api "$ipfs_api" "$@"
