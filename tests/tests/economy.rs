//! The OCOS economy on a real dev node: a provider registers a node, the interim governor
//! (Alice, until the DAO exists) verifies it, a customer stakes for quota and prices are
//! quoted through the runtime API.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use codec::Encode;
use frame_support::traits::Get;
use ocos_e2e::{start_dev, tx::sign, wait_best, ChainInfo, Outcome, Rpc, LOG_TAIL_LINES};
use ocos_primitives::{GpuClass, NodeId, Resource, ResourceKind};
use ocos_runtime::{AccountId, Balance, BlockNumber, Runtime, RuntimeCall, RuntimeEvent, UNIT};
use pallet_node_registry::{Capabilities, GpuSpec, NodeInfo, NodeStatus};
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;

/// Upper bound for anything that takes a few 6 s blocks.
const TIMEOUT: Duration = Duration::from_secs(180);

/// Signs `call` by `who` with its next nonce and executes it.
async fn execute(
	rpc: &Rpc,
	chain: &ChainInfo,
	who: Sr25519Keyring,
	call: RuntimeCall,
) -> Result<Outcome> {
	let nonce = rpc.account_next_index(&who.to_account_id()).await?;
	rpc.execute(&sign(call, &who.pair(), nonce, chain), TIMEOUT).await
}

async fn node_info(
	rpc: &Rpc,
	node: NodeId,
) -> Result<Option<NodeInfo<AccountId, Balance, BlockNumber>>> {
	rpc.runtime_call("NodeRegistryApi_node", &node.encode(), None).await
}

async fn held(rpc: &Rpc, who: &AccountId) -> Result<Balance> {
	Ok(rpc.account(who, None).await?.data.reserved)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_registers_governor_verifies_customer_stakes() -> Result<()> {
	let dev = start_dev().await?;
	let log = || dev.log_tail(LOG_TAIL_LINES);
	let rpc = dev.rpc().await?;
	wait_best(&rpc, 1, TIMEOUT).await.with_context(log)?;
	let chain = ChainInfo::fetch(&rpc).await?;

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
	let bond = <<Runtime as pallet_node_registry::Config>::NodeBond as Get<Balance>>::get();
	let held_before = held(&rpc, &owner).await?;
	let registered = execute(&rpc, &chain, provider, register).await.with_context(log)?;
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
	let info = node_info(&rpc, node).await?.context("the runtime API does not know the node")?;
	ensure!(info.status == NodeStatus::Pending, "a new node is {:?}, not Pending", info.status);
	ensure!(info.owner == owner && info.worker_key == worker.public().0, "wrong record: {info:?}");

	// Only governance verifies: Bob's attempt fails and changes nothing.
	let verify = RuntimeCall::NodeRegistry(pallet_node_registry::Call::verify { node });
	let refused = execute(&rpc, &chain, provider, verify.clone()).await?;
	ensure!(
		refused.error() == Some(sp_runtime::DispatchError::BadOrigin),
		"Bob verified his own node: {:#?}",
		refused.events
	);
	ensure!(node_info(&rpc, node).await?.map(|i| i.status) == Some(NodeStatus::Pending));

	// Alice, the dev chain's interim governor, verifies it: it is active and offered for GPU work.
	let verified = execute(&rpc, &chain, Sr25519Keyring::Alice, verify).await?;
	verified.ensure_success()?;
	ensure!(verified.events.iter().any(|e| matches!(
		e,
		RuntimeEvent::NodeRegistry(pallet_node_registry::Event::NodeVerified { node: n }) if *n == node
	)));
	ensure!(node_info(&rpc, node).await?.map(|i| i.status) == Some(NodeStatus::Active));
	let gpu_nodes: Vec<NodeId> = rpc
		.runtime_call(
			"NodeRegistryApi_active_nodes",
			&(ResourceKind::Gpu, None::<NodeId>, 10u32).encode(),
			None,
		)
		.await?;
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

	// Wallets can quote a price before submitting: 1 000 GPU-ms on an entry GPU.
	let quote: Option<Balance> = rpc
		.runtime_call(
			"BillingApi_estimate_cost",
			&(Resource::GpuMillis(GpuClass::Entry), 1_000u64).encode(),
			None,
		)
		.await?;
	ensure!(quote == Some(10_000 * 1_000), "quote {quote:?}");
	Ok(())
}
