#!/usr/bin/env bash
# Runs the bundled IPFS daemon (js-ipfs, serving the Kubo RPC API; installed by
# scripts/setup.sh) offline on loopback: `scripts/ipfs-daemon.sh REPO API_PORT GATEWAY_PORT`.
# The repository is created on first use and kept. Providers on real networks run Kubo
# instead, which serves the same API (`ipfs daemon`), and point `--ipfs-api` at it.
set -euo pipefail
repo=$1 api_port=$2 gateway_port=$3
cli="$(cd "$(dirname "$0")/.." && pwd)/tests/ipfs-daemon/node_modules/ipfs/src/cli.js"
export IPFS_PATH=$repo NO_UPDATE_NOTIFIER=1
if [ ! -f "$repo/config" ]; then
	mkdir -p "$repo"
	cat >"$repo.init.json" <<JSON
{"Addresses": {"Swarm": [], "Announce": [], "NoAnnounce": [], "RPC": "", "Delegates": [],
  "API": "/ip4/127.0.0.1/tcp/$api_port", "Gateway": "/ip4/127.0.0.1/tcp/$gateway_port"},
 "Discovery": {"MDNS": {"Enabled": false}, "webRTCStar": {"Enabled": false}},
 "Bootstrap": [], "Swarm": {"DisableNatPortMap": true}, "Routing": {"Type": "none"}}
JSON
	node "$cli" init --empty-repo "$repo.init.json" >/dev/null
	rm -f "$repo.init.json"
fi
# A daemon killed without a chance to clean up leaves its lock behind.
rm -rf "$repo/repo.lock" "$repo/api"
exec node "$cli" daemon --offline --enable-preload=false
