//! A test runtime with `frame_system`, `pallet_balances` and the node registry, plus helpers
//! to register nodes and sign key proofs and heartbeats.

use crate::{
	self as pallet_node_registry, worker_key_proof_payload, Capabilities, GenesisNode, GpuSpec,
	Heartbeat, NodeStatus, Nodes, RegistryParams,
};
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64},
	BoundedVec,
};
use frame_system::EnsureRoot;
use ocos_primitives::{GpuClass, NodeId, WorkerKey};
use sp_core::{sr25519, Pair};
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::{BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;
/// Account ids of the test runtime.
pub type AccountId = u64;
/// Balances of the test runtime.
pub type Balance = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		NodeRegistry: pallet_node_registry,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
}

/// Owners with funds for several bonds.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// A customer that owns no node.
pub const DAVE: AccountId = 4;
/// An account that cannot afford a bond.
pub const POOR: AccountId = 5;
/// Receives slashed bonds; starts without an account.
pub const TREASURY: AccountId = 99;
/// Starting balance of `ALICE`, `BOB`, `CHARLIE` and `DAVE`.
pub const ENDOWMENT: Balance = 10_000;
/// Starting balance of `POOR`.
pub const POOR_ENDOWMENT: Balance = 500;

/// Blocks between heartbeats.
pub const HEARTBEAT_PERIOD: u64 = 10;
/// Blocks without a heartbeat before a node is offline.
pub const HEARTBEAT_TIMEOUT: u64 = 30;
/// Blocks per reputation epoch.
pub const EPOCH_LENGTH: u64 = 100;
/// Blocks a node stays retiring before its bond can be withdrawn.
pub const RETIRE_COOLDOWN: u64 = 20;
/// Outcome value that weighs one unit.
pub const VALUE_UNIT: u128 = 1_000;
/// Largest outcome weight.
pub const MAX_WEIGHT: u32 = 10;
/// Pool priority of heartbeats.
pub const HEARTBEAT_PRIORITY: u64 = 1 << 20;

/// Bond of a node.
pub const NODE_BOND: Balance = 1_000;

parameter_types! {
	pub const DefaultParams: RegistryParams<Balance, u64> = RegistryParams {
		node_bond: NODE_BOND,
		heartbeat_period: HEARTBEAT_PERIOD,
		heartbeat_timeout: HEARTBEAT_TIMEOUT,
		retire_cooldown: RETIRE_COOLDOWN,
		epoch_length: EPOCH_LENGTH,
	};
	pub const TreasuryAccount: AccountId = TREASURY;
	pub const ReputationDecay: Perbill = Perbill::from_percent(90);
}

impl pallet_node_registry::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type DaoOrigin = EnsureRoot<AccountId>;
	type DefaultParams = DefaultParams;
	type TreasuryAccount = TreasuryAccount;
	type ReputationDecay = ReputationDecay;
	type ReputationValueUnit = ConstU128<VALUE_UNIT>;
	type MaxReputationWeight = ConstU32<MAX_WEIGHT>;
	type MaxNodesPerOwner = ConstU32<3>;
	type MaxAllowList = ConstU32<4>;
	type MaxModelLen = ConstU32<32>;
	type MaxRegionLen = ConstU32<16>;
	type MaxEndpointLen = ConstU32<64>;
	type MaxOfflineScan = ConstU32<4>;
	type UnsignedPriority = ConstU64<HEARTBEAT_PRIORITY>;
	type WeightInfo = ();
}

/// Builds test externalities: funded accounts, optional genesis nodes, a keystore (for the
/// benchmark test suite) and block 1.
#[derive(Default)]
pub struct ExtBuilder {
	params: Option<RegistryParams<Balance, u64>>,
	genesis_nodes: Vec<GenesisNode<AccountId>>,
}

impl ExtBuilder {
	/// Sets genesis parameters other than the defaults.
	pub fn params(mut self, params: RegistryParams<Balance, u64>) -> Self {
		self.params = Some(params);
		self
	}

	/// Adds nodes registered and activated at genesis.
	pub fn genesis_nodes(mut self, nodes: Vec<GenesisNode<AccountId>>) -> Self {
		self.genesis_nodes = nodes;
		self
	}

	/// The externalities, at block 1.
	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![
				(ALICE, ENDOWMENT),
				(BOB, ENDOWMENT),
				(CHARLIE, ENDOWMENT),
				(DAVE, ENDOWMENT),
				(POOR, POOR_ENDOWMENT),
			],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		pallet_node_registry::GenesisConfig::<Test> {
			params: self.params,
			nodes: self.genesis_nodes,
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			NodeRegistry::do_try_state().expect("invariants hold after the test");
		});
	}
}

/// Externalities for the benchmark test suite.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}

/// The worker key pair derived from `seed`.
pub fn worker(seed: u8) -> sr25519::Pair {
	sr25519::Pair::from_seed(&[seed; 32])
}

/// The public worker key derived from `seed`.
pub fn worker_key(seed: u8) -> WorkerKey {
	worker(seed).public().0
}

/// The key proof of the worker derived from `seed` for `owner`: its signature of
/// [`worker_key_proof_payload`]`(owner)`.
pub fn key_proof(owner: AccountId, seed: u8) -> sr25519::Signature {
	worker(seed).sign(&worker_key_proof_payload(&owner))
}

/// A heartbeat for `node` at `block_number`, signed by the worker derived from `seed`.
pub fn signed_heartbeat(
	node: NodeId,
	block_number: u64,
	seed: u8,
) -> (Heartbeat<u64>, sr25519::Signature) {
	let heartbeat = Heartbeat { node, block_number };
	let signature = worker(seed).sign(&heartbeat.signing_payload());
	(heartbeat, signature)
}

/// A bounded byte string.
pub fn bytes<S: frame_support::traits::Get<u32>>(value: &[u8]) -> BoundedVec<u8, S> {
	BoundedVec::try_from(value.to_vec()).expect("test value fits its bound")
}

/// Capabilities with a GPU of `class` and `vram_mib`, and `storage_bytes`.
pub fn gpu_caps(class: GpuClass, vram_mib: u32, storage_bytes: u64) -> Capabilities<Test> {
	Capabilities {
		gpu: Some(GpuSpec { class, model: bytes(b"RTX 4090"), vram_mib }),
		storage_bytes,
	}
}

/// Storage-only capabilities.
pub fn storage_caps(storage_bytes: u64) -> Capabilities<Test> {
	Capabilities { gpu: None, storage_bytes }
}

/// Registers a pending node of `owner` with the worker key of `seed` and its key proof.
pub fn register_with(owner: AccountId, seed: u8, capabilities: Capabilities<Test>) -> NodeId {
	let node = pallet_node_registry::NextNodeId::<Test>::get();
	assert_ok!(NodeRegistry::register(
		RuntimeOrigin::signed(owner),
		worker_key(seed),
		capabilities,
		bytes(b"eu-west"),
		bytes(b"/dns/node.example/tcp/4001"),
		key_proof(owner, seed),
	));
	node
}

/// Registers and verifies a node with a GPU and storage.
pub fn active_node(owner: AccountId, seed: u8) -> NodeId {
	let node = register_with(owner, seed, gpu_caps(GpuClass::Standard, 24_576, 1 << 30));
	assert_ok!(NodeRegistry::verify(RuntimeOrigin::root(), node));
	node
}

/// Moves to block `n`.
pub fn run_to(n: u64) {
	System::set_block_number(n);
}

/// The stored status of `node`.
pub fn status(node: NodeId) -> NodeStatus<u64> {
	Nodes::<Test>::get(node).expect("node exists").status
}
