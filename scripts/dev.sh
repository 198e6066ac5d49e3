#!/usr/bin/env bash
# The main job: set up, build, and run a single-validator development chain.
# RPC (Polkadot.js Apps) at ws://127.0.0.1:9944, Prometheus metrics at :9615/metrics.
# Extra arguments go to ocos-node, e.g. `scripts/dev.sh --base-path /tmp/ocos-dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

scripts/setup.sh
ocos_build
exec "$OCOS_NODE_BIN" --dev --rpc-cors all "$@"
