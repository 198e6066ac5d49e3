//! GPU jobs end to end: a real `local` network whose nodes run `--worker` (wgpu on this
//! machine's Vulkan driver, lavapipe on CPU-only machines) next to real js-ipfs daemons, one
//! per worker. Customers submit signed `compute.submitJob` extrinsics; workers run the jobs,
//! pin the outputs and attest; the runtime settles by quorum.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use ocos_e2e::{
	compute::{self, matmul_spec},
	ipfs::IpfsDaemon,
	start_network, until, wait_best, ChainInfo, Check, Node, NodeBuilder, Rpc,
};
use ocos_offchain_worker::kernels::{matmul_u32_case, ENDLESS};
use ocos_primitives::NodeId;
use ocos_runtime::{RuntimeEvent, UNIT};
use pallet_compute::{FailureKind, JobFailure, JobStatusInfo, OutcomeInfo, Payment};
use sp_crypto_hashing::blake2_256;
use sp_keyring::Sr25519Keyring;

/// Iterations of the job that runs while its worker is killed: long enough (seconds on
/// lavapipe) to be killed mid-run, short enough for the 20 s job time limit.
const CRASH_LOOP: u32 = 100_000_000;

/// Upper bound for a job to end (a few blocks of 6 s, plus lavapipe's compile time).
const JOB_TIMEOUT: Duration = Duration::from_secs(180);

/// A `local` network of Alice and Bob (validators), each running a worker with its own IPFS
/// daemon, plus Charlie's worker when `charlie` gives its extra flags. The genesis registers
/// the three development provider nodes (0: Alice's, 1: Bob's, 2: Charlie's).
struct Network {
	nodes: Vec<Node>,
	daemons: Vec<IpfsDaemon>,
}

impl Network {
	async fn start(charlie: Option<&[&str]>) -> Result<Self> {
		let mut daemons = vec![IpfsDaemon::start().await?, IpfsDaemon::start().await?];
		let mut builders = vec![
			worker(NodeBuilder::new().chain("local").authority("alice"), &daemons[0]),
			worker(NodeBuilder::new().chain("local").authority("bob"), &daemons[1]),
		];
		if let Some(flags) = charlie {
			daemons.push(IpfsDaemon::start().await?);
			let mut builder =
				worker(NodeBuilder::new().chain("local").arg("--charlie"), &daemons[2]);
			for flag in flags {
				builder = builder.arg(flag);
			}
			builders.push(builder);
		}
		let nodes = start_network(builders).await?;
		Ok(Self { nodes, daemons })
	}

	async fn rpc(&self) -> Result<Rpc> {
		self.nodes[0].rpc().await
	}

	/// Adds `data` to every daemon (they run offline, so each needs its own copy).
	async fn add_everywhere(&self, data: &[u8]) -> Result<String> {
		let mut cids = Vec::new();
		for daemon in &self.daemons {
			cids.push(daemon.add(data).await?);
		}
		ensure!(cids.windows(2).all(|pair| pair[0] == pair[1]), "CIDs differ: {cids:?}");
		cids.pop().context("no daemon")
	}

	/// The inputs of an n×n integer matmul, added to every daemon, and the CPU reference.
	async fn matmul_inputs(&self, n: u32) -> Result<(Vec<String>, Vec<u8>)> {
		let (inputs, expected) = matmul_u32_case(n);
		let mut cids = Vec::new();
		for input in &inputs {
			cids.push(self.add_everywhere(input).await?);
		}
		Ok((cids, expected))
	}

	/// Each node's latest worker, warning and error lines, for failure messages.
	fn logs(&self) -> String {
		let marks = ["job ", "worker", "IPFS", "WARN", "ERROR"];
		self.nodes.iter().map(|node| node.log_lines(&marks)).collect::<Vec<_>>().join("\n")
	}
}

fn worker(builder: NodeBuilder, daemon: &IpfsDaemon) -> NodeBuilder {
	builder
		.arg("--worker")
		.arg("--ipfs-api")
		.arg(daemon.api_url())
		.arg("--worker-job-timeout")
		.arg("20")
}

/// Free balance of `who`.
async fn free(rpc: &Rpc, who: Sr25519Keyring) -> Result<u128> {
	Ok(rpc.account(&who.to_account_id(), None).await?.data.free)
}

/// Waits until the genesis nodes without a worker have gone offline (so they are not
/// assigned) and the workers' heartbeats are in: past the 8-block heartbeat timeout.
async fn settle_liveness(rpc: &Rpc) -> Result<()> {
	wait_best(rpc, 10, Duration::from_secs(120)).await.map(|_| ())
}

#[tokio::test]
async fn two_workers_run_a_replicated_matmul_and_are_paid() -> Result<()> {
	let network = Network::start(None).await?;
	let rpc = network.rpc().await?;
	let chain = ChainInfo::fetch(&rpc).await?;
	settle_liveness(&rpc).await?;

	// 1. An integer matmul, replicated on both workers.
	let n = 64;
	let (cids, expected) = network.matmul_inputs(n).await?;
	let charlie_before = free(&rpc, Sr25519Keyring::Charlie).await?;
	let (alice_before, bob_before) =
		(free(&rpc, Sr25519Keyring::Alice).await?, free(&rpc, Sr25519Keyring::Bob).await?);
	let id = compute::submit(
		&rpc,
		&chain,
		Sr25519Keyring::Charlie,
		matmul_spec(n, &cids, 20)?,
		2,
		10 * UNIT,
	)
	.await?;
	let job = compute::wait_ended(&rpc, id, JOB_TIMEOUT).await.with_context(|| network.logs())?;

	let JobStatusInfo::Completed { output_cid, output_hash, gpu_millis, payment } = &job.status
	else {
		anyhow::bail!("job {id} did not complete: {job:?}\n{}", network.logs());
	};
	let mut nodes: Vec<NodeId> = job.replicas.iter().map(|replica| replica.node).collect();
	nodes.sort();
	ensure!(nodes == vec![0, 1], "assigned to {nodes:?}, not Alice's and Bob's nodes");
	for replica in &job.replicas {
		let Some(OutcomeInfo::Completed { output_hash: hash, .. }) = &replica.outcome else {
			anyhow::bail!("replica {} did not attest a result: {replica:?}", replica.node);
		};
		ensure!(hash == output_hash, "replica {} attested another hash", replica.node);
	}
	ensure!(*output_hash == blake2_256(&expected), "the quorum hash is not the CPU reference's");
	let output_cid = String::from_utf8(output_cid.clone())?;
	for daemon in &network.daemons {
		ensure!(
			daemon.cat(&output_cid).await? == expected,
			"output on IPFS differs from the CPU reference"
		);
		ensure!(daemon.pins().await?.contains(&output_cid), "the output is not pinned");
	}
	let Payment::Settled { charged, .. } = payment else {
		anyhow::bail!("not settled: {payment:?}")
	};
	ensure!(
		*gpu_millis >= 1 && *charged > 0,
		"nothing metered: {gpu_millis} ms, {charged} charged"
	);

	// The customer paid (charge and transaction fee); both providers were paid.
	ensure!(free(&rpc, Sr25519Keyring::Charlie).await? <= charlie_before - charged);
	ensure!(free(&rpc, Sr25519Keyring::Alice).await? > alice_before, "Alice was not paid");
	ensure!(free(&rpc, Sr25519Keyring::Bob).await? > bob_before, "Bob was not paid");

	// 3. An invalid shader and a looping one: typed failures, refunds, blocks go on.
	let invalid = compute::spec("@compute fn main( {", [1, 1, 1], &[], 4, 20)?;
	let before = free(&rpc, Sr25519Keyring::Dave).await?;
	let id = compute::submit(&rpc, &chain, Sr25519Keyring::Dave, invalid, 2, 10 * UNIT)
		.await
		.with_context(|| network.logs())?;
	let job = compute::wait_ended(&rpc, id, JOB_TIMEOUT).await?;
	ensure!(
		job.status == JobStatusInfo::Failed(JobFailure::Reported(FailureKind::InvalidShader)),
		"invalid shader: {job:?}\n{}",
		network.logs()
	);
	let id = compute::submit(
		&rpc,
		&chain,
		Sr25519Keyring::Dave,
		compute::spec(ENDLESS, [1, 1, 1], &[], 4, 20)?,
		2,
		10 * UNIT,
	)
	.await
	.with_context(|| network.logs())?;
	let job = compute::wait_ended(&rpc, id, JOB_TIMEOUT).await?;
	ensure!(
		job.status == JobStatusInfo::Failed(JobFailure::Reported(FailureKind::Timeout)),
		"looping shader: {job:?}\n{}",
		network.logs()
	);
	// Both budgets came back: Dave paid only the two transaction fees.
	let spent = before - free(&rpc, Sr25519Keyring::Dave).await?;
	ensure!(spent < UNIT, "Dave lost {spent} for two failed jobs");
	let best = rpc.best_number().await?;
	wait_best(&rpc, best + 2, Duration::from_secs(60)).await?;
	Ok(())
}

#[tokio::test]
async fn a_dishonest_worker_is_outvoted_and_penalised() -> Result<()> {
	let mut network = Network::start(Some(&["--worker-fault", "corrupt-output"])).await?;
	let rpc = network.rpc().await?;
	let chain = ChainInfo::fetch(&rpc).await?;
	settle_liveness(&rpc).await?;

	let n = 16;
	let (cids, expected) = network.matmul_inputs(n).await?;
	// The honest workers' daemons are down at first, so Charlie's wrong result is in before
	// the honest majority forms (else the job could complete without it).
	network.daemons[0].stop().await?;
	network.daemons[1].stop().await?;
	let id = compute::submit(
		&rpc,
		&chain,
		Sr25519Keyring::Dave,
		matmul_spec(n, &cids, 30)?,
		3,
		10 * UNIT,
	)
	.await?;
	until("Charlie's attestation", JOB_TIMEOUT, Duration::from_secs(1), || async {
		let job = compute::job(&rpc, id).await?.context("job")?;
		let charlie =
			job.replicas.iter().find(|replica| replica.node == 2).context("node 2 assigned")?;
		Ok(match charlie.outcome {
			Some(_) => Check::Done(()),
			None => Check::Pending(format!("{job:?}")),
		})
	})
	.await
	.with_context(|| network.logs())?;
	network.daemons[0].restart().await?;
	network.daemons[1].restart().await?;
	let job = compute::wait_ended(&rpc, id, JOB_TIMEOUT).await.with_context(|| network.logs())?;
	let JobStatusInfo::Completed { output_hash, .. } = &job.status else {
		anyhow::bail!("job {id} did not complete: {job:?}\n{}", network.logs());
	};
	ensure!(*output_hash == blake2_256(&expected), "the honest majority's hash won");

	// Charlie's node (2) attested another hash; the chain reported the mismatch.
	let charlie =
		job.replicas.iter().find(|replica| replica.node == 2).context("node 2 assigned")?;
	ensure!(
		matches!(&charlie.outcome, Some(OutcomeInfo::Completed { output_hash: hash, .. }) if hash != output_hash),
		"Charlie's attestation: {charlie:?}"
	);
	let events = rpc.events_in(job.submitted_at, rpc.best_number().await?).await?;
	let mismatch = events.iter().any(|(_, record)| {
		matches!(record.event, RuntimeEvent::Compute(pallet_compute::Event::ResultMismatch { job, node: 2 }) if job == id)
	});
	ensure!(mismatch, "no ResultMismatch event for node 2");
	let honest = reputation(&rpc, 0).await?;
	let dishonest = reputation(&rpc, 2).await?;
	ensure!(
		dishonest < honest,
		"Charlie's reputation {dishonest:?} is not below Alice's {honest:?}"
	);
	Ok(())
}

/// A node's reputation at the best block.
async fn reputation(rpc: &Rpc, node: NodeId) -> Result<sp_runtime::Perbill> {
	Ok(rpc.node_info(node).await?.context("the node is not registered")?.reputation)
}

/// Every `Attested` event of `job` from `from` up to the best block, as (block, node).
async fn attestations(rpc: &Rpc, job: u64, from: u32) -> Result<Vec<(u32, NodeId)>> {
	let events = rpc.events_in(from, rpc.best_number().await?).await?;
	Ok(events
		.into_iter()
		.filter_map(|(number, record)| match record.event {
			RuntimeEvent::Compute(pallet_compute::Event::Attested { job: j, node, .. })
				if j == job =>
			{
				Some((number, node))
			}
			_ => None,
		})
		.collect())
}

#[tokio::test]
async fn jobs_survive_an_ipfs_outage_and_a_worker_crash() -> Result<()> {
	let mut network = Network::start(None).await?;
	let rpc = network.nodes[1].rpc().await?;
	let chain = ChainInfo::fetch(&rpc).await?;
	settle_liveness(&rpc).await?;
	let n = 16;
	let (cids, expected) = network.matmul_inputs(n).await?;

	// 5. Both IPFS daemons are down when the job arrives: it waits, blocks go on.
	for daemon in &mut network.daemons {
		daemon.stop().await?;
	}
	let id = compute::submit(
		&rpc,
		&chain,
		Sr25519Keyring::Dave,
		matmul_spec(n, &cids, 40)?,
		1,
		10 * UNIT,
	)
	.await?;
	let submitted_at = compute::job(&rpc, id).await?.context("job")?.submitted_at;
	wait_best(&rpc, submitted_at + 4, Duration::from_secs(60)).await?;
	let job = compute::job(&rpc, id).await?.context("job")?;
	ensure!(job.status == JobStatusInfo::Assigned, "the job did not wait for IPFS: {job:?}");
	ensure!(job.replicas.iter().all(|replica| replica.outcome.is_none()), "attested without input");
	for daemon in &mut network.daemons {
		daemon.restart().await?;
	}
	let job = compute::wait_ended(&rpc, id, JOB_TIMEOUT).await.with_context(|| network.logs())?;
	let JobStatusInfo::Completed { output_hash, .. } = &job.status else {
		anyhow::bail!("job {id} did not complete after the outage: {job:?}\n{}", network.logs());
	};
	ensure!(*output_hash == blake2_256(&expected), "wrong result after the outage");

	// 4. A worker killed (SIGKILL) while its job runs, then restarted on the same database
	// and keystore: one attestation per node, and the job completes (possibly reassigned).
	let looping_a_while = format!(
		"
		@group(0) @binding(0) var<storage, read_write> out: array<u32>;
		@compute @workgroup_size(1) fn main() {{
			var x: u32 = 1u;
			for (var i: u32 = 0u; i < {CRASH_LOOP}u; i = i + 1u) {{ x = x * 1664525u + 1013904223u; }}
			out[0] = x;
		}}"
	);
	let spec = compute::spec(&looping_a_while, [1, 1, 1], &[], 4, 30)?;
	let id = compute::submit(&rpc, &chain, Sr25519Keyring::Dave, spec, 1, 10 * UNIT).await?;
	let job = compute::job(&rpc, id).await?.context("job")?;
	let assigned = job.replicas.first().context("no replica")?.node;
	ensure!(assigned < 2, "assigned to node {assigned}, which has no worker");
	let index = assigned as usize;
	network.nodes[index]
		.wait_log(&format!("job {id} (attempt {}) running", job.attempt), JOB_TIMEOUT)
		.await
		.with_context(|| network.logs())?;
	let node = network.nodes.remove(index);
	let name = node.name().to_owned();
	let base = node.kill()?;
	// The survivor keeps producing blocks and answers from here on.
	let rpc = network.nodes[0].rpc().await?;
	let bootnode = network.nodes[0].multiaddr().await?;
	let restarted = worker(
		NodeBuilder::new().chain("local").authority(&name.to_lowercase()).base_dir(base),
		&network.daemons[index],
	)
	.bootnode(bootnode)
	.start()
	.await?;
	network.nodes.insert(index, restarted);
	let job = compute::wait_ended(&rpc, id, JOB_TIMEOUT).await.with_context(|| network.logs())?;
	ensure!(
		matches!(job.status, JobStatusInfo::Completed { .. }),
		"job {id} after the crash: {job:?}\n{}",
		network.logs()
	);
	let made = attestations(&rpc, id, job.submitted_at).await?;
	let mut nodes: Vec<NodeId> = made.iter().map(|(_, node)| *node).collect();
	nodes.sort();
	nodes.dedup();
	ensure!(nodes.len() == made.len(), "a node attested twice: {made:?}");
	Ok(())
}
