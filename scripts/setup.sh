#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build and test OCOS Cloud:
# the Rust targets for the wasm runtime, the C toolchain/protoc some crates need, and Node.js
# with the pinned @polkadot/api packages of the Polkadot.js end-to-end scenarios.
# Idempotent and non-interactive.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_packages=(protobuf-compiler clang libclang-dev)
missing=()
for p in "${apt_packages[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# @polkadot/api 16 needs Node.js 18 or later (Debian 12's own nodejs is 18).
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 18 ] || ! command -v npm >/dev/null 2>&1; then
	missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null
fi

if ! command -v rustup >/dev/null 2>&1; then
	echo "setup: rustup is required (https://rustup.rs); install it and run again" >&2
	exit 1
fi
installed_targets=$(rustup target list --installed)
for t in wasm32-unknown-unknown wasm32v1-none; do
	grep -qx "$t" <<<"$installed_targets" || rustup target add "$t"
done
rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src

# The Polkadot.js scenarios' packages, exactly as locked; reinstalled when the lock changes.
js_dir="$(dirname "$0")/../tests/polkadot-js"
if ! cmp -s "$js_dir/package-lock.json" "$js_dir/node_modules/.ocos-installed-lock"; then
	echo "setup: installing the Polkadot.js test packages (npm ci)"
	(cd "$js_dir" && npm ci --no-audit --no-fund </dev/null && cp package-lock.json node_modules/.ocos-installed-lock)
fi
