//! Real registry nodes, balances and prices for the compute and DataVault benchmarks.

use frame_support::traits::fungible::Mutate;
use ocos_primitives::{GpuClass, NodeId, Resource, WorkerKey, WORKER_KEY_TYPE};
use pallet_node_registry::{Capabilities, GpuSpec};

use crate::{AccountId, Balance, Balances, NodeRegistry, Runtime, RuntimeOrigin, UNIT};

/// The benchmark helper of both pallets.
pub struct Helper;

/// Registers a node of `owner` with `capabilities`, signing its key proof with `worker_key`
/// from the keystore, and has the DAO verify it. Returns its id.
fn register(
	owner: &AccountId,
	capabilities: Capabilities<Runtime>,
	worker_key: WorkerKey,
) -> NodeId {
	let bond = pallet_node_registry::Params::<Runtime>::get().node_bond;
	let _ = Balances::mint_into(owner, bond.saturating_add(100 * UNIT));
	let public = sp_core::sr25519::Public::from_raw(worker_key);
	let payload = pallet_node_registry::worker_key_proof_payload(owner);
	let key_proof = sp_io::crypto::sr25519_sign(WORKER_KEY_TYPE, &public, &payload)
		.expect("benchmark worker keys are in the keystore");
	let node = pallet_node_registry::NextNodeId::<Runtime>::get();
	NodeRegistry::register(
		RuntimeOrigin::signed(owner.clone()),
		worker_key,
		capabilities,
		Default::default(),
		Default::default(),
		key_proof,
	)
	.expect("benchmark node registers");
	NodeRegistry::verify(pallet_dao::RawOrigin::Dao.into(), node).expect("the DAO verifies it");
	node
}

fn fund(who: &AccountId, amount: Balance) {
	let _ = Balances::mint_into(who, amount);
}

fn set_price(resource: Resource, price: Option<Balance>) {
	pallet_billing::Prices::<Runtime>::set(resource, price);
}

impl pallet_compute::BenchmarkHelper<AccountId, Balance> for Helper {
	fn register_gpu_node(owner: &AccountId, class: GpuClass, worker_key: WorkerKey) -> NodeId {
		let gpu = GpuSpec {
			class,
			model: b"benchmark".to_vec().try_into().expect("short model"),
			vram_mib: 8192,
		};
		register(owner, Capabilities { gpu: Some(gpu), storage_bytes: 0 }, worker_key)
	}

	fn fund(who: &AccountId, amount: Balance) {
		fund(who, amount)
	}

	fn set_price(resource: Resource, price: Option<Balance>) {
		set_price(resource, price)
	}
}

impl pallet_storage::BenchmarkHelper<AccountId, Balance> for Helper {
	fn register_storage_node(owner: &AccountId, bytes: u64, worker_key: WorkerKey) -> NodeId {
		register(owner, Capabilities { gpu: None, storage_bytes: bytes }, worker_key)
	}

	fn fund(who: &AccountId, amount: Balance) {
		fund(who, amount)
	}

	fn set_price(resource: Resource, price: Option<Balance>) {
		set_price(resource, price)
	}
}
