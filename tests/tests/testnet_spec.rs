//! The committed testnet spec boots: its two bootstrap validators author and finalize.

use std::{path::PathBuf, time::Duration};

use anyhow::{ensure, Context, Result};
use ocos_e2e::{
	run_subcommand, start_network, wait_finalized, BaseDir, NodeBuilder, LOG_TAIL_LINES,
};
use sp_core::crypto::DEV_PHRASE;

/// Upper bound for anything that takes a few 6 s blocks.
const TIMEOUT: Duration = Duration::from_secs(180);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_testnet_spec_starts_and_finalizes() -> Result<()> {
	let spec_path =
		PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../chain-specs/testnet-raw.json");
	let spec_bytes =
		std::fs::read(&spec_path).with_context(|| format!("reading {}", spec_path.display()))?;
	let spec: serde_json::Value =
		serde_json::from_slice(&spec_bytes).context("parsing the testnet spec")?;
	let name = spec["name"].as_str().context("the testnet spec has no `name`")?;
	let spec_arg = spec_path.to_str().context("spec path is not UTF-8")?;

	// Validator N's keys derive from `<DEV_PHRASE>//ocos-testnet//validator//N`: Aura (sr25519)
	// and GRANDPA (ed25519).
	let mut validators = Vec::new();
	for n in 1..=2 {
		let base = BaseDir::temp()?;
		let base_arg = base.path().to_str().context("base path is not UTF-8")?;
		let suri = format!("{DEV_PHRASE}//ocos-testnet//validator//{n}");
		for (scheme, key_type) in [("sr25519", "aura"), ("ed25519", "gran")] {
			run_subcommand([
				"key",
				"insert",
				"--chain",
				spec_arg,
				"--base-path",
				base_arg,
				"--scheme",
				scheme,
				"--suri",
				&suri,
				"--key-type",
				key_type,
			])?;
		}
		validators.push(
			NodeBuilder::new()
				.chain(spec_arg)
				.validator()
				.name(format!("validator-{n}"))
				.base_dir(base),
		);
	}
	let nodes = start_network(validators).await?;
	let logs = || nodes.iter().map(|n| n.log_tail(LOG_TAIL_LINES)).collect::<Vec<_>>().join("\n");

	let mut finalized = Vec::new();
	let mut genesis = Vec::new();
	for node in &nodes {
		let rpc = node.rpc().await?;
		let chain = rpc.chain_name().await?;
		ensure!(chain == name, "node `{}` runs chain {chain:?}, the spec is {name:?}", node.name());
		let symbol = rpc.properties().await?.get("tokenSymbol").cloned();
		ensure!(
			symbol == Some("OCOS".into()),
			"node `{}` reports token symbol {symbol:?}",
			node.name()
		);
		wait_finalized(&rpc, 3, TIMEOUT).await.with_context(logs)?;
		finalized.push(rpc.block_hash(3).await?.context("no block #3")?);
		genesis.push(rpc.genesis_hash().await?);
	}
	ensure!(genesis[0] == genesis[1], "nodes disagree on genesis: {genesis:?}");
	ensure!(finalized[0] == finalized[1], "nodes disagree on finalized block #3: {finalized:?}");
	Ok(())
}
