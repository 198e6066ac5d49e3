//! GPU compute jobs (`pallet-compute`): assigned to registered GPU nodes, attested by their
//! workers, settled through billing.

use frame_support::{parameter_types, traits::ConstU32};

use super::economy::NodeUnsignedPriority;
use crate::{Balance, Billing, BlockNumber, NodeRegistry, Runtime, HOURS};

parameter_types! {
	/// Inline WGSL up to 64 KiB; larger shaders are given by IPFS CID.
	pub const MaxSourceLen: u32 = 64 * 1024;
	/// Binary CIDs (CIDv1 with a sha2-256 multihash is 36 bytes).
	pub const MaxCidLen: u32 = 128;
	pub const MaxOutputSize: u64 = 256 * 1024 * 1024;
	/// Each assignment gets one to 120 minutes (10 to 1 200 blocks).
	pub const MinDeadline: BlockNumber = 10;
	pub const MaxDeadline: BlockNumber = 2 * HOURS;
	/// A job, reassignments included, ends within six hours of its submission.
	pub const MaxJobLifetime: BlockNumber = 6 * HOURS;
	/// How long an attestation may wait in the transaction pool, in blocks.
	pub const AttestationLongevity: u64 = 64;
}

impl pallet_compute::Config for Runtime {
	type Balance = Balance;
	type Registry = NodeRegistry;
	type Billing = Billing;
	type MaxSourceLen = MaxSourceLen;
	type MaxCidLen = MaxCidLen;
	type MaxEntryPointLen = ConstU32<64>;
	type MaxInputs = ConstU32<16>;
	type MaxOutputSize = MaxOutputSize;
	type MinDeadline = MinDeadline;
	type MaxDeadline = MaxDeadline;
	type MaxJobLifetime = MaxJobLifetime;
	type MaxAttempts = ConstU32<3>;
	// At most billing's `MaxProviders` (16).
	type MaxReplication = ConstU32<5>;
	type MaxCandidates = ConstU32<64>;
	type MaxJobsPerNode = ConstU32<16>;
	type MaxJobsPerBlock = ConstU32<32>;
	type UnsignedPriority = NodeUnsignedPriority;
	type UnsignedLongevity = AttestationLongevity;
	type WeightInfo = pallet_compute::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark::Helper;
}

/// Sets up real registry nodes, balances and prices for the compute benchmarks.
#[cfg(feature = "runtime-benchmarks")]
mod benchmark {
	use frame_support::traits::fungible::Mutate;
	use ocos_primitives::{GpuClass, NodeId, Resource, WorkerKey, WORKER_KEY_TYPE};
	use pallet_node_registry::{Capabilities, GpuSpec};

	use crate::{AccountId, Balance, Balances, NodeRegistry, Runtime, RuntimeOrigin, UNIT};

	pub struct Helper;

	impl pallet_compute::BenchmarkHelper<AccountId, Balance> for Helper {
		fn register_gpu_node(owner: &AccountId, class: GpuClass, worker_key: WorkerKey) -> NodeId {
			let bond = pallet_node_registry::Params::<Runtime>::get().node_bond;
			let _ = Balances::mint_into(owner, bond.saturating_add(100 * UNIT));
			let public = sp_core::sr25519::Public::from_raw(worker_key);
			let payload = pallet_node_registry::worker_key_proof_payload(owner);
			let key_proof = sp_io::crypto::sr25519_sign(WORKER_KEY_TYPE, &public, &payload)
				.expect("benchmark worker keys are in the keystore");
			let node = pallet_node_registry::NextNodeId::<Runtime>::get();
			let capabilities = Capabilities::<Runtime> {
				gpu: Some(GpuSpec {
					class,
					model: b"benchmark".to_vec().try_into().expect("short model"),
					vram_mib: 8192,
				}),
				storage_bytes: 0,
			};
			NodeRegistry::register(
				RuntimeOrigin::signed(owner.clone()),
				worker_key,
				capabilities,
				Default::default(),
				Default::default(),
				key_proof,
			)
			.expect("benchmark node registers");
			NodeRegistry::verify(pallet_dao::RawOrigin::Dao.into(), node)
				.expect("the DAO verifies it");
			node
		}

		fn fund(who: &AccountId, amount: Balance) {
			let _ = Balances::mint_into(who, amount);
		}

		fn set_price(resource: Resource, price: Option<Balance>) {
			pallet_billing::Prices::<Runtime>::set(resource, price);
		}
	}
}
