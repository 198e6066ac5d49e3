//! DataVault end to end: a real `local` network of three storage nodes (Alice's and Bob's
//! validators, Charlie's full node), each running `--worker` next to its own real js-ipfs
//! daemon. Customers place signed `dataVault.pin` orders; workers pin, answer challenges and
//! unpin; the runtime compares answers, bills epochs, strikes, slashes and re-replicates.
//!
//! The daemons run offline, so each test stores the content (unpinned) on every daemon, as if
//! it were reachable on the network; whether a node pins it is the worker's doing alone.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use codec::Encode;
use ocos_e2e::{
	datavault::{self, Event, Pin},
	ipfs::IpfsDaemon,
	start_network, wait_best, ChainInfo, Node, NodeBuilder, Rpc,
};
use ocos_primitives::NodeId;
use ocos_runtime::{Balance, RuntimeCall, RuntimeEvent, UNIT};
use pallet_node_registry::{Capabilities, GpuSpec};
use pallet_storage::{DropReason, EndReason, PinFailure, PinStatus, ReplicaState, StorageWork};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave};
use sp_runtime::DispatchError;

/// The pallet's errors, as the runtime reports them.
type StorageError = pallet_storage::Error<ocos_runtime::Runtime>;

/// Time for anything that takes a few 10-block epochs of 6 s blocks.
const EPOCHS: Duration = Duration::from_secs(300);

/// The genesis storage nodes' owners, by node id.
const OWNERS: [Sr25519Keyring; 3] = [Alice, Bob, Charlie];

/// Three storage nodes (0: Alice's, 1: Bob's, 2: Charlie's), each with a worker and a daemon.
struct Network {
	nodes: Vec<Node>,
	daemons: Vec<IpfsDaemon>,
}

impl Network {
	/// Starts the network; `charlie_flags` go to Charlie's node.
	async fn start(charlie_flags: &[&str]) -> Result<Self> {
		let mut daemons = Vec::new();
		for _ in 0..3 {
			daemons.push(IpfsDaemon::start().await?);
		}
		let mut charlie = worker(NodeBuilder::new().chain("local").arg("--charlie"), &daemons[2]);
		for flag in charlie_flags {
			charlie = charlie.arg(flag);
		}
		let nodes = start_network([
			worker(NodeBuilder::new().chain("local").authority("alice"), &daemons[0]),
			worker(NodeBuilder::new().chain("local").authority("bob"), &daemons[1]),
			charlie,
		])
		.await?;
		let network = Self { nodes, daemons };
		// Past the 8-block heartbeat timeout, so every node's liveness is settled.
		wait_best(&network.rpc().await?, 10, Duration::from_secs(120)).await?;
		Ok(network)
	}

	async fn rpc(&self) -> Result<Rpc> {
		self.nodes[0].rpc().await
	}

	/// Stores `content` unpinned on every daemon and returns its CID.
	async fn put_everywhere(&self, content: &[u8]) -> Result<String> {
		let mut cids = Vec::new();
		for daemon in &self.daemons {
			cids.push(daemon.put(content).await?);
		}
		ensure!(cids.windows(2).all(|pair| pair[0] == pair[1]), "CIDs differ: {cids:?}");
		cids.pop().context("no daemon")
	}

	/// The nodes whose daemon pins `cid`.
	async fn pinned_by(&self, cid: &str) -> Result<Vec<NodeId>> {
		let mut nodes = Vec::new();
		for (node, daemon) in self.daemons.iter().enumerate() {
			if !daemon.is_stopped() && daemon.pins().await?.iter().any(|pin| pin == cid) {
				nodes.push(node as NodeId);
			}
		}
		Ok(nodes)
	}

	/// Waits until exactly `nodes` pin `cid` on their daemons.
	async fn wait_pinned_by(&self, cid: &str, nodes: &[NodeId]) -> Result<()> {
		let what = format!("{cid} pinned by exactly {nodes:?}");
		ocos_e2e::until(&what, EPOCHS, Duration::from_secs(1), || async move {
			let pinned = self.pinned_by(cid).await?;
			Ok(if pinned == nodes {
				ocos_e2e::Check::Done(())
			} else {
				ocos_e2e::Check::Pending(format!("pinned by {pinned:?}"))
			})
		})
		.await
		.with_context(|| self.logs())
	}

	/// Each node's latest worker lines, for failure messages.
	fn logs(&self) -> String {
		let marks = ["pin ", "worker", "IPFS", "WARN", "ERROR"];
		self.nodes.iter().map(|node| node.log_lines(&marks)).collect::<Vec<_>>().join("\n")
	}
}

fn worker(builder: NodeBuilder, daemon: &IpfsDaemon) -> NodeBuilder {
	builder.arg("--worker").arg("--ipfs-api").arg(daemon.api_url())
}

/// `len` bytes of a pattern that differs at every offset a challenge could pick.
fn content(len: usize, salt: u8) -> Vec<u8> {
	(0..len).map(|i| (i % 251) as u8 ^ salt ^ ((i / 251) as u8)).collect()
}

fn nodes_of(record: &Pin) -> Vec<NodeId> {
	let mut nodes: Vec<NodeId> = record.replicas.iter().map(|replica| replica.node).collect();
	nodes.sort();
	nodes
}

fn all_pinned(record: &Pin, count: usize) -> bool {
	record.replicas.len() == count
		&& record.replicas.iter().all(|replica| replica.state == ReplicaState::Pinned)
}

/// The storage work of every node, at the best block.
async fn work_lists(rpc: &Rpc) -> Result<Vec<Vec<StorageWork<u32>>>> {
	let mut lists = Vec::new();
	for node in 0..3 as NodeId {
		lists.push(rpc.runtime_call("DataVaultApi_node_work", &node.encode(), None).await?);
	}
	Ok(lists)
}

/// What billing paid each provider account in blocks `from..=to`.
async fn provider_payments(
	rpc: &Rpc,
	from: u32,
	to: u32,
) -> Result<Vec<(ocos_e2e::AccountId, Balance)>> {
	Ok(rpc
		.events_in(from, to)
		.await?
		.into_iter()
		.filter_map(|(_, record)| match record.event {
			RuntimeEvent::Billing(pallet_billing::Event::ProviderPaid { provider, amount }) => {
				Some((provider, amount))
			}
			_ => None,
		})
		.collect())
}

#[tokio::test]
async fn replicas_pin_pass_challenges_are_paid_and_a_dead_replica_is_replaced() -> Result<()> {
	let mut network = Network::start(&[]).await?;
	let rpc = network.rpc().await?;
	let chain = ChainInfo::fetch(&rpc).await?;
	// 300 KiB: more than one 256 KiB chunk, so challenges read across blocks of the DAG.
	let data = content(300 * 1024, 1);
	let size = data.len() as u64;
	let cid = network.put_everywhere(&data).await?;

	// 1. Two replicas pin and attest, pass challenges round after round, and are paid.
	let placed_at = rpc.best_number().await?;
	let id = datavault::pin(&rpc, &chain, Dave, &cid, size, 2, 50, UNIT).await?;
	let record = datavault::wait_pin(&rpc, id, "two replicas pinned", EPOCHS, |p| all_pinned(p, 2))
		.await
		.with_context(|| network.logs())?;
	let holders = nodes_of(&record);
	let spare = (0..3).find(|node| !holders.contains(node)).context("a third node")?;
	network.wait_pinned_by(&cid, &holders).await?;

	let record = datavault::wait_pin(&rpc, id, "three epochs", EPOCHS, |p| p.epochs_done >= 3)
		.await
		.with_context(|| network.logs())?;
	let best = rpc.best_number().await?;
	let events = datavault::events(&rpc, placed_at, best).await?;
	for holder in &holders {
		let passed: Vec<u32> = events
			.iter()
			.filter_map(|(_, event)| match event {
				Event::ChallengePassed { pin, node, round } if *pin == id && node == holder => {
					Some(*round)
				}
				_ => None,
			})
			.collect();
		ensure!(passed.len() >= 2, "node {holder} passed only rounds {passed:?}: {events:?}");
	}
	ensure!(
		!events.iter().any(|(_, event)| matches!(event, Event::ChallengeFailed { .. })),
		"a challenge failed: {events:?}"
	);
	let billed: Vec<(Vec<NodeId>, Balance, u64)> = events
		.iter()
		.filter_map(|(_, event)| match event {
			Event::EpochBilled { pin, nodes, charged, quota_units, .. } if *pin == id => {
				let mut nodes = nodes.to_vec();
				nodes.sort();
				Some((nodes, *charged, *quota_units))
			}
			_ => None,
		})
		.collect();
	ensure!(billed.len() as u32 >= record.epochs_done, "epochs billed: {billed:?}");
	for (nodes, charged, quota_units) in &billed {
		// One planck per byte and epoch, for each of the two replicas: from quota or budget.
		ensure!(*nodes == holders, "billed {nodes:?}, held by {holders:?}");
		ensure!(*charged + Balance::from(*quota_units) == 2 * Balance::from(size), "{billed:?}");
	}
	let paid = provider_payments(&rpc, placed_at, best).await?;
	for holder in &holders {
		let owner = OWNERS[*holder as usize].to_account_id();
		let total: Balance = paid.iter().filter(|(who, _)| *who == owner).map(|(_, a)| a).sum();
		ensure!(total > 0, "the owner of node {holder} was not paid: {paid:?}");
	}

	// 2. One replica's daemon stops: it misses challenges, is struck out, slashed and
	// replaced by the third node; the content stays retrievable from the other replica.
	let (survivor, victim) = (holders[0], holders[1]);
	let before = rpc.node_info(victim).await?.context("the victim's node")?;
	let stopped_at = rpc.best_number().await?;
	network.daemons[victim as usize].stop().await?;
	let mut replaced = vec![survivor, spare];
	replaced.sort();
	let record = datavault::wait_pin(&rpc, id, "the third node pinned", EPOCHS * 2, |p| {
		nodes_of(p) == replaced && all_pinned(p, 2)
	})
	.await
	.with_context(|| network.logs())?;
	ensure!(network.daemons[survivor as usize].cat(&cid).await? == data, "content changed");
	let events = datavault::events(&rpc, stopped_at, rpc.best_number().await?).await?;
	let strikes: Vec<u8> = events
		.iter()
		.filter_map(|(_, event)| match event {
			Event::ChallengeFailed { pin, node, strikes, .. } if *pin == id && *node == victim => {
				Some(*strikes)
			}
			_ => None,
		})
		.collect();
	ensure!(strikes == [1, 2, 3], "the victim's strikes: {strikes:?}");
	let slashed = events
		.iter()
		.find_map(|(_, event)| match event {
			Event::ReplicaDropped { pin, node, reason: DropReason::Strikes { slashed } }
				if *pin == id && *node == victim =>
			{
				Some(*slashed)
			}
			_ => None,
		})
		.context("the victim was not dropped for strikes")?;
	let after = rpc.node_info(victim).await?.context("the victim's node")?;
	ensure!(
		slashed > 0 && after.bond + slashed == before.bond,
		"bond {} -> {}",
		before.bond,
		after.bond
	);
	ensure!(
		after.reputation < before.reputation,
		"reputation {:?} -> {:?}",
		before.reputation,
		after.reputation
	);
	ensure!(record.dropped.contains(&victim));
	network.wait_pinned_by(&cid, &replaced).await?;
	ensure!(network.daemons[spare as usize].cat(&cid).await? == data, "the new replica's copy");

	// The victim's daemon comes back: its worker unpins the content it no longer holds.
	network.daemons[victim as usize].restart().await?;
	ocos_e2e::until("the victim to unpin", EPOCHS, Duration::from_secs(1), || async {
		let pins = network.daemons[victim as usize].pins().await?;
		Ok(if pins.contains(&cid) {
			ocos_e2e::Check::Pending(format!("{pins:?}"))
		} else {
			ocos_e2e::Check::Done(())
		})
	})
	.await
	.with_context(|| network.logs())?;
	Ok(())
}

#[tokio::test]
async fn a_replica_answering_with_wrong_bytes_is_caught_against_the_other() -> Result<()> {
	let network = Network::start(&["--worker-fault", "wrong-answers"]).await?;
	let rpc = network.rpc().await?;
	let chain = ChainInfo::fetch(&rpc).await?;
	// Bob's node declares 1 KiB of storage: too little to hold the content, so the pin goes
	// to Alice's (honest) and Charlie's (lying) nodes, and Bob's referees their tie.
	let bob = rpc.node_info(1).await?.context("Bob's node")?;
	let gpu = bob.gpu.context("Bob's node has a GPU in the local genesis")?;
	let model = gpu.model.try_into().ok().context("the GPU model's length")?;
	let capabilities = Capabilities {
		// The same GPU: only a raised claim would send the node back to verification.
		gpu: Some(GpuSpec { class: gpu.class, model, vram_mib: gpu.vram_mib }),
		storage_bytes: 1024,
	};
	let update = RuntimeCall::NodeRegistry(pallet_node_registry::Call::update {
		node: 1,
		endpoint: None,
		capabilities: Some(capabilities),
		region: None,
	});
	ocos_e2e::tx::execute(&rpc, &chain, Bob, update, Duration::from_secs(60))
		.await?
		.ensure_success()?;

	let data = content(200 * 1024, 2);
	let cid = network.put_everywhere(&data).await?;
	let placed_at = rpc.best_number().await?;
	let id = datavault::pin(&rpc, &chain, Dave, &cid, data.len() as u64, 2, 50, UNIT).await?;
	let record = datavault::wait_pin(&rpc, id, "two replicas pinned", EPOCHS, |p| all_pinned(p, 2))
		.await
		.with_context(|| network.logs())?;
	ensure!(nodes_of(&record) == [0, 2], "replicas {:?}", nodes_of(&record));

	// The answers tie; Bob's node referees with the honest answer, and Charlie's is struck.
	let record = datavault::wait_pin(&rpc, id, "a strike", EPOCHS * 2, |p| {
		p.replicas.iter().any(|replica| replica.strikes > 0)
	})
	.await
	.with_context(|| network.logs())?;
	let strikes: Vec<(NodeId, u8)> =
		record.replicas.iter().map(|replica| (replica.node, replica.strikes)).collect();
	ensure!(strikes == [(0, 0), (2, 1)] || strikes == [(2, 1), (0, 0)], "strikes {strikes:?}");
	let events = datavault::events(&rpc, placed_at, rpc.best_number().await?).await?;
	let (round, verdict) = events
		.iter()
		.find_map(|(_, event)| match event {
			Event::DisputeResolved { pin, round, verdict: Some(verdict) } if *pin == id => {
				Some((*round, *verdict))
			}
			_ => None,
		})
		.context("no resolved dispute")?;
	let referee = events.iter().find_map(|(_, event)| match event {
		Event::DisputeOpened { pin, round: r, referee } if *pin == id && *r == round => {
			Some(*referee)
		}
		_ => None,
	});
	ensure!(referee == Some(1), "referee {referee:?}");
	let challenge = events
		.iter()
		.find_map(|(_, event)| match event {
			Event::ChallengeIssued { pin, challenge } if *pin == id && challenge.round == round => {
				Some(*challenge)
			}
			_ => None,
		})
		.context("the disputed challenge")?;
	let start = challenge.offset as usize;
	let honest = challenge.answer(&data[start..start + challenge.length as usize]);
	ensure!(verdict == honest, "the referee's verdict is not the honest answer");
	ensure!(
		events.iter().any(|(_, event)| matches!(event,
			Event::ChallengeFailed { pin, node: 2, round: r, .. } if *pin == id && *r == round)),
		"Charlie's node did not fail round {round}: {events:?}"
	);
	ensure!(
		events.iter().any(|(_, event)| matches!(event,
			Event::ChallengePassed { pin, node: 0, round: r } if *pin == id && *r == round)),
		"Alice's node did not pass round {round}: {events:?}"
	);
	Ok(())
}

#[tokio::test]
async fn ended_orders_are_released_everywhere_and_bad_orders_fail_cleanly() -> Result<()> {
	let network = Network::start(&[]).await?;
	let rpc = network.rpc().await?;
	let chain = ChainInfo::fetch(&rpc).await?;
	let dave = Dave.to_account_id();
	let reserved_before = rpc.account(&dave, None).await?.data.reserved;

	// Bad input the chain refuses: larger than any node's 1 GiB, larger than the pallet takes.
	let too_large = datavault::try_pin(
		&rpc,
		&chain,
		Dave,
		"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
		2 << 30,
		1,
		1,
		UNIT,
	)
	.await?;
	let error = |error: StorageError| Some(DispatchError::from(error));
	ensure!(
		too_large.error() == error(StorageError::InsufficientCapacity),
		"{:?}",
		too_large.error()
	);
	let huge = datavault::try_pin(
		&rpc,
		&chain,
		Dave,
		"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
		1 << 40,
		1,
		1,
		UNIT,
	)
	.await?;
	ensure!(huge.error() == error(StorageError::InvalidSize), "{:?}", huge.error());

	// Bad input the workers find: a malformed CID and a size that lies (one byte short).
	let lying = content(50 * 1024, 3);
	let lying_cid = network.put_everywhere(&lying).await?;
	let malformed = datavault::pin(&rpc, &chain, Dave, "QmNotACidAtAll", 100, 2, 5, UNIT).await?;
	let short =
		datavault::pin(&rpc, &chain, Dave, &lying_cid, lying.len() as u64 - 1, 2, 5, UNIT).await?;

	// An order that expires after one epoch, and one whose renewal is not funded: its budget
	// pays the first epoch and one planck more.
	let expiring = content(40 * 1024, 4);
	let expiring_cid = network.put_everywhere(&expiring).await?;
	let expiring_id =
		datavault::pin(&rpc, &chain, Dave, &expiring_cid, expiring.len() as u64, 2, 1, UNIT)
			.await?;
	let unfunded = content(30 * 1024, 5);
	let unfunded_cid = network.put_everywhere(&unfunded).await?;
	let epoch_cost = Balance::from(unfunded.len() as u64);
	let unfunded_id =
		datavault::pin(&rpc, &chain, Dave, &unfunded_cid, unfunded.len() as u64, 1, 1, epoch_cost)
			.await?;
	datavault::renew(&rpc, &chain, Dave, unfunded_id, 3, 1).await?;

	for (id, failure) in [(malformed, PinFailure::InvalidCid), (short, PinFailure::SizeMismatch)] {
		let record =
			datavault::wait_ended(&rpc, id, EPOCHS).await.with_context(|| network.logs())?;
		ensure!(
			record.status == PinStatus::Ended(EndReason::Failed(failure)),
			"pin {id}: {:?}",
			record.status
		);
		ensure!(record.budget == 0, "pin {id} kept {}", record.budget);
	}
	ensure!(
		network.pinned_by(&lying_cid).await?.is_empty(),
		"content that lies about its size was pinned"
	);

	let record =
		datavault::wait_ended(&rpc, expiring_id, EPOCHS).await.with_context(|| network.logs())?;
	ensure!(record.status == PinStatus::Ended(EndReason::Expired), "{:?}", record.status);
	let record =
		datavault::wait_ended(&rpc, unfunded_id, EPOCHS).await.with_context(|| network.logs())?;
	ensure!(record.status == PinStatus::Ended(EndReason::Unfunded), "{:?}", record.status);
	let best = rpc.best_number().await?;
	let ended: Vec<(u64, Balance)> = datavault::events(&rpc, 1, best)
		.await?
		.into_iter()
		.filter_map(|(_, event)| match event {
			Event::PinEnded { pin, refunded, .. } => Some((pin, refunded)),
			_ => None,
		})
		.collect();
	ensure!(ended.contains(&(unfunded_id, 1)), "the unfunded order's refund: {ended:?}");

	// Released on every node: no daemon lists the content, no node has work left, and the
	// customer's budget is no longer held.
	network.wait_pinned_by(&expiring_cid, &[]).await?;
	network.wait_pinned_by(&unfunded_cid, &[]).await?;
	let lists = work_lists(&rpc).await?;
	ensure!(lists.iter().all(Vec::is_empty), "work left: {lists:?}");
	ensure!(rpc.account(&dave, None).await?.data.reserved == reserved_before, "budget still held");
	Ok(())
}
