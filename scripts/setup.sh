#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build and test OCOS Cloud:
# the Rust targets for the wasm runtime, the C toolchain/protoc some crates need, Mesa's Vulkan
# driver (lavapipe runs the workers' wgpu shaders on machines without a GPU), and Node.js with
# the pinned @polkadot/api packages of the Polkadot.js end-to-end scenarios and the pinned js-ipfs
# daemon of the IPFS end-to-end tests.
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

# Mesa's Vulkan driver. Debian 12's Mesa 22.3 silently stops a shader invocation after 65,535
# loop iterations (a wrong result, no error), so on bookworm it comes from bookworm-backports
# (Mesa 25), added to the apt sources with the configured Debian mirror. Elsewhere the
# distribution's own is taken.
installed_version() {
	{ dpkg-query -W -f='${db:Status-Status} ${Version}' "$1" 2>/dev/null || true; } | sed -n 's/^installed //p'
}
has_backports() {
	grep -Eqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources
}
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
mesa_version=$(installed_version mesa-vulkan-drivers)
if [ "$codename" = bookworm ]; then
	if [ -z "$mesa_version" ] || dpkg --compare-versions "$mesa_version" lt 23 \
		|| [ -z "$(installed_version libvulkan1)" ]; then
		deb822=/etc/apt/sources.list.d/debian.sources
		# deb822 style (Debian 12's default): the stanza whose Suites: holds plain `bookworm`
		# (not `bookworm-security`, which lives on another host).
		bookworm_suites='^Suites:.*[[:space:]]bookworm([[:space:]]|$)'
		if ! has_backports && grep -Eqs "$bookworm_suites" "$deb822"; then
			echo "setup: adding bookworm-backports to $deb822"
			as_root sed -i -E "/$bookworm_suites/s/[[:space:]]*\$/ bookworm-backports/" "$deb822"
		fi
		# One-line style: the options and mirror of the first `deb ... bookworm main` line.
		if ! has_backports; then
			base=$(sed -nE '/^[[:space:]]*deb[[:space:]].*[[:space:]]bookworm[[:space:]](.*[[:space:]])?main([[:space:]]|$)/{
				s/^[[:space:]]*(deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+)[[:space:]].*/\1/p;q}' \
				/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
			if [ -z "$base" ]; then
				echo "setup: no Debian bookworm apt source to take bookworm-backports from" >&2
				exit 1
			fi
			echo "setup: adding /etc/apt/sources.list.d/bookworm-backports.list"
			echo "$base bookworm-backports main" | as_root tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
		fi
		echo "setup: installing Mesa's Vulkan driver from bookworm-backports (found: ${mesa_version:-none})"
		as_root apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports \
			mesa-vulkan-drivers libvulkan1 </dev/null
	fi
else
	if [ -z "$mesa_version" ] || [ -z "$(installed_version libvulkan1)" ]; then
		echo "setup: installing mesa-vulkan-drivers libvulkan1"
		as_root apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mesa-vulkan-drivers libvulkan1 </dev/null
		mesa_version=$(installed_version mesa-vulkan-drivers)
	fi
	if dpkg --compare-versions "$mesa_version" lt 23; then
		echo "setup: warning: Mesa $mesa_version may truncate long shader loops; use Mesa 23 or later" >&2
	fi
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

# The IPFS end-to-end tests' daemon (js-ipfs), exactly as locked; its postinstall applies
# tests/ipfs-daemon/patches/. Reinstalled when the lock changes.
ipfs_dir="$(dirname "$0")/../tests/ipfs-daemon"
if ! cmp -s "$ipfs_dir/package-lock.json" "$ipfs_dir/node_modules/.ocos-installed-lock"; then
	echo "setup: installing the IPFS daemon test packages (npm ci)"
	(cd "$ipfs_dir" && npm ci --no-audit --no-fund </dev/null && cp package-lock.json node_modules/.ocos-installed-lock)
fi
