//! Token holders govern the chain from Polkadot.js: each test starts a real local network and
//! runs one `@polkadot/api` scenario of `tests/polkadot-js/` against it (price change by vote,
//! runtime upgrade, validator addition, bad input); developers submit a GPU job and read its
//! result, and pin a file, renew, read and end the order.

use std::time::Duration;

use anyhow::{Context, Result};
use ocos_e2e::{
	ipfs::IpfsDaemon, polkadot_js, start_local_network, start_network, wait_best, wait_finalized,
	Node, NodeBuilder, LOG_TAIL_LINES,
};

/// A scenario's limit: a vote and an enactment take about ten 6 s blocks, a validator change up
/// to two 10-block sessions more.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(420);

/// Alice and Bob validating the `local` chain, with a first block finalized.
async fn local_network() -> Result<Vec<Node>> {
	let nodes = start_local_network(&["alice", "bob"]).await?;
	let rpc = nodes[0].rpc().await?;
	wait_finalized(&rpc, 1, Duration::from_secs(120))
		.await
		.with_context(|| nodes[0].log_tail(LOG_TAIL_LINES))?;
	Ok(nodes)
}

/// Runs `scenario` against Alice's node with `env`; on failure quotes the nodes' logs.
async fn run(nodes: &[Node], scenario: &str, mut env: Vec<(&str, String)>) -> Result<()> {
	env.push(("OCOS_WS", nodes[0].rpc_url()));
	polkadot_js::run(scenario, &env, SCENARIO_TIMEOUT).await.with_context(|| {
		nodes.iter().map(|n| n.log_tail(LOG_TAIL_LINES)).collect::<Vec<_>>().join("\n")
	})?;
	Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_holders_change_a_price_by_vote() -> Result<()> {
	let nodes = local_network().await?;
	run(&nodes, "price-by-vote.test.mjs", Vec::new()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_holders_upgrade_the_runtime() -> Result<()> {
	let wasm = ocos_runtime::spec_version_incremented::WASM_BINARY_PATH
		.context("the runtime was built without wasm (SKIP_WASM_BUILD)")?;
	let nodes = local_network().await?;
	run(&nodes, "runtime-upgrade.test.mjs", vec![("OCOS_UPGRADE_WASM", wasm.into())]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_holders_add_a_validator() -> Result<()> {
	let mut nodes = local_network().await?;
	let bootnode = nodes[0].multiaddr().await?;
	// Charlie runs a validator node with an empty keystore: it syncs, and authors once the DAO
	// adds him.
	let charlie = NodeBuilder::new()
		.chain("local")
		.validator()
		.name("charlie")
		.bootnode(bootnode)
		.start()
		.await?;
	let charlie_ws = charlie.rpc_url();
	nodes.push(charlie);
	run(&nodes, "add-validator.test.mjs", vec![("OCOS_NEW_VALIDATOR_WS", charlie_ws)]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_dao_input_fails_cleanly() -> Result<()> {
	let nodes = local_network().await?;
	run(&nodes, "bad-input.test.mjs", Vec::new()).await
}

/// Alice and Bob validating the `local` chain; Alice's node runs the worker of her genesis
/// provider node next to `daemon`. Bob's genesis node has no worker and goes offline, so work
/// goes to Alice's.
async fn network_with_a_worker(daemon: &IpfsDaemon) -> Result<Vec<Node>> {
	let nodes = start_network([
		NodeBuilder::new()
			.chain("local")
			.authority("alice")
			.arg("--worker")
			.arg("--ipfs-api")
			.arg(daemon.api_url()),
		NodeBuilder::new().chain("local").authority("bob"),
	])
	.await?;
	// Past the 8-block heartbeat timeout: only nodes with a worker are live.
	wait_best(&nodes[0].rpc().await?, 10, Duration::from_secs(120)).await?;
	Ok(nodes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn developers_submit_a_gpu_job_and_read_its_result() -> Result<()> {
	let daemon = IpfsDaemon::start().await?;
	let nodes = network_with_a_worker(&daemon).await?;
	run(&nodes, "compute-job.test.mjs", vec![("OCOS_IPFS_API", daemon.api_url())]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn developers_pin_renew_read_and_end_a_storage_order() -> Result<()> {
	let daemon = IpfsDaemon::start().await?;
	let nodes = network_with_a_worker(&daemon).await?;
	run(&nodes, "datavault.test.mjs", vec![("OCOS_IPFS_API", daemon.api_url())]).await
}
