//! The OCOS economy on a real dev node: a provider registers a node, token holders verify it
//! by DAO vote, its worker heartbeats and the node goes offline when it stops; a customer
//! stakes for quota, unstakes and withdraws after the (development chain's short) unbonding
//! period, and prices are quoted through the runtime API.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use codec::Encode;
use ocos_e2e::{
	dao, start_dev,
	tx::{execute, unsigned},
	wait::{until, Check},
	wait_best, ChainInfo, Outcome, Rpc, LOG_TAIL_LINES,
};
use ocos_primitives::{GpuClass, NodeId, Resource, ResourceKind};
use ocos_runtime::{AccountId, Balance, BlockNumber, Runtime, RuntimeCall, RuntimeEvent, UNIT};
use pallet_node_registry::{Capabilities, GpuSpec, Heartbeat, NodeStatus, RegistryParams};
use pallet_quotas::QuotaParams;
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;

/// Upper bound for anything that takes a few 6 s blocks.
const TIMEOUT: Duration = Duration::from_secs(180);

async fn held(rpc: &Rpc, who: &AccountId) -> Result<Balance> {
	Ok(rpc.account(who, None).await?.data.reserved)
}

/// Reads and decodes a storage value at the best block.
async fn read<V: codec::Decode>(rpc: &Rpc, key: &[u8]) -> Result<V> {
	let bytes = rpc.storage(key, None).await?.context("storage value absent")?;
	Ok(V::decode(&mut &bytes[..])?)
}

/// Active nodes offering GPUs, through the runtime API.
async fn active_gpu_nodes(rpc: &Rpc) -> Result<Vec<NodeId>> {
	rpc.runtime_call(
		"NodeRegistryApi_active_nodes",
		&(ResourceKind::Gpu, None::<NodeId>, 10u32).encode(),
		None,
	)
	.await
}

/// Whether some event of `outcome` matches.
fn emitted(outcome: &Outcome, matches: impl Fn(&RuntimeEvent) -> bool) -> bool {
	outcome.events.iter().any(matches)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_registers_dao_verifies_customer_stakes() -> Result<()> {
	let dev = start_dev().await?;
	let log = || dev.log_tail(LOG_TAIL_LINES);
	let rpc = dev.rpc().await?;
	wait_best(&rpc, 1, TIMEOUT).await.with_context(log)?;
	let chain = ChainInfo::fetch(&rpc).await?;

	// The development preset's short periods are in storage, not the runtime's defaults.
	let registry: RegistryParams<Balance, BlockNumber> =
		read(&rpc, &pallet_node_registry::Params::<Runtime>::hashed_key()).await?;
	let quotas: QuotaParams<Balance, BlockNumber> =
		read(&rpc, &pallet_quotas::Params::<Runtime>::hashed_key()).await?;
	ensure!(
		registry.heartbeat_timeout < 10 && quotas.unbonding_period < 10,
		"the dev chain has production periods: {registry:?} {quotas:?}"
	);

	// Bob registers a GPU + storage node run by a fresh worker key, proving he holds it.
	let provider = Sr25519Keyring::Bob;
	let owner = provider.to_account_id();
	let worker = sr25519::Pair::generate().0;
	let key_proof = worker.sign(&pallet_node_registry::worker_key_proof_payload(&owner));
	let register = RuntimeCall::NodeRegistry(pallet_node_registry::Call::register {
		worker_key: worker.public().0,
		capabilities: Capabilities::<Runtime> {
			gpu: Some(GpuSpec {
				class: GpuClass::Entry,
				model: b"llvmpipe".to_vec().try_into().map_err(|_| anyhow::anyhow!("model"))?,
				vram_mib: 2048,
			}),
			storage_bytes: 1 << 30,
		},
		region: b"eu-west".to_vec().try_into().map_err(|_| anyhow::anyhow!("region"))?,
		endpoint: b"https://node.example"
			.to_vec()
			.try_into()
			.map_err(|_| anyhow::anyhow!("endpoint"))?,
		key_proof,
	});
	let bond = registry.node_bond;
	let held_before = held(&rpc, &owner).await?;
	let registered = execute(&rpc, &chain, provider, register, TIMEOUT).await.with_context(log)?;
	registered.ensure_success()?;
	let node = registered
		.events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::NodeRegistry(pallet_node_registry::Event::NodeRegistered {
				node,
				owner: o,
				bond: b,
				..
			}) if *o == owner && *b == bond => Some(*node),
			_ => None,
		})
		.with_context(|| format!("no NodeRegistered event: {:#?}", registered.events))?;
	ensure!(held(&rpc, &owner).await? == held_before + bond, "the bond is not held");
	let info = rpc.node_info(node).await?.context("the runtime API does not know the node")?;
	ensure!(info.status == NodeStatus::Pending, "a new node is {:?}, not Pending", info.status);
	ensure!(info.owner == owner && info.worker_key == worker.public().0, "wrong record: {info:?}");

	// Only the DAO verifies: Bob's attempt fails and changes nothing.
	let verify = RuntimeCall::NodeRegistry(pallet_node_registry::Call::verify { node });
	let refused = execute(&rpc, &chain, provider, verify.clone(), TIMEOUT).await?;
	ensure!(
		refused.error() == Some(sp_runtime::DispatchError::BadOrigin),
		"Bob verified his own node: {:#?}",
		refused.events
	);
	ensure!(rpc.node_info(node).await?.map(|i| i.status) == Some(NodeStatus::Pending));

	// Token holders verify it by DAO vote: it is active.
	let enacted = dao::pass(&rpc, &chain, verify, TIMEOUT).await.with_context(log)?;
	ensure!(enacted.is_ok(), "verification failed at enactment: {enacted:?}");
	ensure!(rpc.node_info(node).await?.map(|i| i.status) == Some(NodeStatus::Active));

	// Its worker heartbeats, unsigned and fee-free, once a heartbeat period has passed since
	// registration, signing the current block number with the worker key; the node is then
	// live and offered for GPU work.
	let registered_at = rpc.node_info(node).await?.context("node vanished")?.registered_at;
	let first_allowed = registered_at + registry.heartbeat_period;
	let best = wait_best(&rpc, first_allowed, TIMEOUT).await?;
	let heartbeat = Heartbeat { node, block_number: best };
	let signature = worker.sign(&heartbeat.signing_payload());
	let beat = rpc
		.execute(
			&unsigned(RuntimeCall::NodeRegistry(pallet_node_registry::Call::heartbeat {
				heartbeat,
				signature,
			})),
			TIMEOUT,
		)
		.await
		.with_context(log)?;
	beat.ensure_success()?;
	ensure!(emitted(&beat, |e| matches!(
		e,
		RuntimeEvent::NodeRegistry(pallet_node_registry::Event::HeartbeatReceived { node: n, .. })
			if *n == node
	)));
	let info = rpc.node_info(node).await?.context("node vanished")?;
	ensure!(info.online && info.last_heartbeat > registered_at, "after a heartbeat: {info:?}");
	let gpu_nodes = active_gpu_nodes(&rpc).await?;
	ensure!(gpu_nodes.contains(&node), "active GPU nodes {gpu_nodes:?} lack node {node}");

	// Charlie stakes 100 OCOS for GPU quota: held, recorded, announced.
	let customer = Sr25519Keyring::Charlie;
	let who = customer.to_account_id();
	let stake = 100 * UNIT;
	let held_before = held(&rpc, &who).await?;
	let staked = execute(
		&rpc,
		&chain,
		customer,
		RuntimeCall::Quotas(pallet_quotas::Call::stake { kind: ResourceKind::Gpu, amount: stake }),
		TIMEOUT,
	)
	.await?;
	staked.ensure_success()?;
	ensure!(staked.events.iter().any(|e| matches!(
		e,
		RuntimeEvent::Quotas(pallet_quotas::Event::Staked { who: w, kind: ResourceKind::Gpu, amount, .. })
			if *w == who && *amount == stake
	)));
	ensure!(held(&rpc, &who).await? == held_before + stake, "the stake is not held");
	let key = pallet_quotas::Stakes::<Runtime>::hashed_key_for(&who, ResourceKind::Gpu);
	let position = rpc.storage(&key, None).await?.context("no stake position in storage")?;
	let position =
		<pallet_quotas::StakeInfo<Balance> as codec::Decode>::decode(&mut &position[..])?;
	ensure!(position.staked == stake, "stored stake {position:?}");

	// Charlie unstakes it all and withdraws once the unbonding period has passed.
	let unstaked = execute(
		&rpc,
		&chain,
		customer,
		RuntimeCall::Quotas(pallet_quotas::Call::unstake {
			kind: ResourceKind::Gpu,
			amount: stake,
		}),
		TIMEOUT,
	)
	.await?;
	unstaked.ensure_success()?;
	let unlock_at = unstaked
		.events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::Quotas(pallet_quotas::Event::Unbonding { unlock_at, .. }) => {
				Some(*unlock_at)
			}
			_ => None,
		})
		.context("no Unbonding event")?;
	let withdraw = RuntimeCall::Quotas(pallet_quotas::Call::withdraw_unbonded {});
	let early = execute(&rpc, &chain, customer, withdraw.clone(), TIMEOUT).await?;
	if rpc.header(Some(early.block)).await?.number < unlock_at {
		ensure!(early.error().is_some(), "withdrew before block {unlock_at}: {:#?}", early.events);
	}
	wait_best(&rpc, unlock_at, TIMEOUT).await?;
	let withdrawn = execute(&rpc, &chain, customer, withdraw, TIMEOUT).await?;
	withdrawn.ensure_success()?;
	ensure!(emitted(&withdrawn, |e| matches!(
		e,
		RuntimeEvent::Quotas(pallet_quotas::Event::Withdrawn { who: w, amount })
			if *w == who && *amount == stake
	)));
	ensure!(held(&rpc, &who).await? == held_before, "the unbonded stake is still held");

	// Wallets can quote a price before submitting: 1 000 GPU-ms on an entry GPU.
	let quote: Option<Balance> = rpc
		.runtime_call(
			"BillingApi_estimate_cost",
			&(Resource::GpuMillis(GpuClass::Entry), 1_000u64).encode(),
			None,
		)
		.await?;
	ensure!(quote == Some(10_000 * 1_000), "quote {quote:?}");

	// The worker sends nothing more: past the heartbeat timeout the node is offline, and the
	// liveness sweep drops it from the active nodes.
	until("the silent node to go offline", TIMEOUT, Duration::from_secs(1), || async {
		let info = rpc.node_info(node).await?.context("node vanished")?;
		let listed = active_gpu_nodes(&rpc).await?.contains(&node);
		Ok(if !info.online && !listed {
			Check::Done(())
		} else {
			Check::Pending(format!("online {}, listed {listed}", info.online))
		})
	})
	.await
	.with_context(log)?;
	Ok(())
}
