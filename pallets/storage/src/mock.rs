//! A test runtime with `frame_system` and the storage pallet. The node registry and billing are
//! stood in for by `ocos-pallet-testing`'s [`MockRegistry`] and [`MockBilling`]; plus helpers to
//! add storage nodes, place pins, sign reports and answer challenges.

use crate::{
	self as pallet_storage, AnswerState, Challenge, NodePins, PinId, PinStatus, Pins, Report,
	StorageReport, StorageWork,
};
use codec::Encode;
use frame_support::{
	assert_ok, derive_impl,
	dispatch::DispatchResultWithPostInfo,
	parameter_types,
	traits::{ConstU32, ConstU64, Hooks, Randomness},
	BoundedVec,
};
use frame_system::EnsureRoot;
use ocos_primitives::{NodeId, ResourceKind};
use sp_core::{Pair, H256};
use sp_runtime::BuildStorage;

pub use ocos_pallet_testing::{
	worker, AccountId, Balance, MockBilling, MockNode, MockRegistry, SettleCall,
};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Storage: pallet_storage,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// Customers, funded with [`ENDOWMENT`].
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
/// An account without funds.
pub const DAVE: AccountId = 4;
/// Starting free balance of each funded customer.
pub const ENDOWMENT: Balance = 1_000_000;
/// Price of a byte-epoch.
pub const PRICE: Balance = 1;
/// Size of the default content.
pub const SIZE: u64 = 100;
/// Epochs of the default order.
pub const EPOCHS: u32 = 3;
/// Budget of the default order: the default epochs of two replicas, and some to spare.
pub const BUDGET: Balance = 1_000;
/// Storage offered by the nodes of [`storage_nodes`].
pub const CAPACITY: u64 = 1_000;
/// Owners of the nodes made by [`storage_nodes`] are `OWNER_BASE + i`.
pub const OWNER_BASE: AccountId = 100;
/// Blocks per epoch.
pub const EPOCH: u64 = 10;
/// Bytes per challenge.
pub const CHALLENGE_LENGTH: u32 = 16;
/// Highest replication.
pub const MAX_REPLICAS: u32 = 3;
/// Most epochs ahead.
pub const MAX_EPOCHS: u32 = 5;
/// Most pins per node.
pub const MAX_PINS_PER_NODE: u32 = 3;
/// Most rounds per block.
pub const MAX_PINS_PER_BLOCK: u32 = 2;
/// Largest pin.
pub const MAX_PIN_SIZE: u64 = 10_000;
/// Pool priority and longest pool life of reports.
pub const REPORT_PRIORITY: u64 = 1 << 20;
pub const REPORT_LONGEVITY: u64 = 5;

parameter_types! {
	/// `MaxCandidates`, settable per test.
	pub static MaxCandidates: u32 = 16;
}

/// Randomness that differs per subject and block: blake2-256 of both.
pub struct TestRandomness;

impl Randomness<H256, u64> for TestRandomness {
	fn random(subject: &[u8]) -> (H256, u64) {
		let block = System::block_number();
		(H256(sp_io::hashing::blake2_256(&(subject, block).encode())), block)
	}
}

impl pallet_storage::Config for Test {
	type Balance = Balance;
	type Registry = MockRegistry;
	type Billing = MockBilling;
	type Randomness = TestRandomness;
	type DaoOrigin = EnsureRoot<AccountId>;
	type MaxCidLen = ConstU32<16>;
	type MaxPinSize = ConstU64<MAX_PIN_SIZE>;
	type MaxReplicas = ConstU32<MAX_REPLICAS>;
	type MaxEpochs = ConstU32<MAX_EPOCHS>;
	type ChallengeLength = ConstU32<CHALLENGE_LENGTH>;
	type MaxCandidates = MaxCandidates;
	type MaxPinsPerNode = ConstU32<MAX_PINS_PER_NODE>;
	type MaxPinsPerBlock = ConstU32<MAX_PINS_PER_BLOCK>;
	type UnsignedPriority = ConstU64<REPORT_PRIORITY>;
	type UnsignedLongevity = ConstU64<REPORT_LONGEVITY>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Nodes, funds and prices for the benchmarks, in the mocks.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId, Balance> for MockBenchmarkHelper {
	fn register_storage_node(
		owner: &AccountId,
		bytes: u64,
		worker_key: ocos_primitives::WorkerKey,
	) -> NodeId {
		MockRegistry::add(MockNode {
			worker_key,
			seed: 0,
			..MockNode::storage(*owner, 0, bytes, 50)
		})
	}

	fn fund(who: &AccountId, amount: Balance) {
		MockBilling::set_free(*who, MockBilling::free(*who).max(amount));
	}

	fn set_price(resource: ocos_primitives::Resource, price: Option<Balance>) {
		MockBilling::set_price(resource.kind(), price);
	}
}

/// Externalities for the benchmark test suite: those of the unit tests, with a keystore.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
	use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
	let mut ext = ExtBuilder::default().build();
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext
}

/// Builds test externalities: funded customers, storage priced at [`PRICE`], block 1.
#[derive(Default)]
pub struct ExtBuilder;

impl ExtBuilder {
	/// The externalities, at block 1.
	pub fn build(self) -> sp_io::TestExternalities {
		MockBilling::set_price(ResourceKind::Storage, Some(PRICE));
		MockBilling::set_price(ResourceKind::Gpu, None);
		MaxCandidates::set(16);
		let storage = RuntimeGenesisConfig {
			storage: pallet_storage::GenesisConfig {
				params: Default::default(),
				epoch_length: EPOCH,
			},
			..Default::default()
		}
		.build_storage()
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			for who in [ALICE, BOB] {
				MockBilling::set_free(who, ENDOWMENT);
			}
		});
		ext
	}

	/// Runs `test`, then checks the pallet's invariants and that the mocks agree with it.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Storage::do_try_state().expect("invariants hold after the test");
			check_mocks();
		});
	}
}

/// Checks that every node's work in flight equals its pin list, and that each customer's held
/// balance equals the budgets of its open pins.
pub fn check_mocks() {
	for node in 0..MockRegistry::count() {
		if let Some(record) = MockRegistry::get(node) {
			assert_eq!(
				record.in_flight as usize,
				NodePins::<Test>::get(node).len(),
				"node {node}: work in flight differs from its pin list"
			);
		}
	}
	for customer in [ALICE, BOB, DAVE] {
		let budgets: Balance = Pins::<Test>::iter_values()
			.filter(|pin| pin.customer == customer && pin.is_open())
			.map(|pin| pin.budget)
			.sum();
		assert_eq!(MockBilling::held(customer), budgets, "customer {customer}: held budgets");
	}
}

/// Adds `count` storage nodes of [`CAPACITY`] bytes and distinct owners (`OWNER_BASE + i`),
/// worker seed `i + 1`, with reputations 90%, 89%, … so that node `i` ranks `i`-th.
pub fn storage_nodes(count: u8) -> Vec<NodeId> {
	(0..count)
		.map(|i| {
			MockRegistry::add(MockNode::storage(
				OWNER_BASE + u64::from(i),
				i + 1,
				CAPACITY,
				90 - u32::from(i),
			))
		})
		.collect()
}

/// A bounded byte string.
pub fn cid(value: &[u8]) -> BoundedVec<u8, ConstU32<16>> {
	BoundedVec::try_from(value.to_vec()).expect("test CID fits its bound")
}

/// The default CID.
pub const CID: &[u8] = b"QmDefaultContent";

/// The default content: [`SIZE`] bytes `0, 1, 2, …`.
pub fn content() -> Vec<u8> {
	(0..SIZE).map(|i| i as u8).collect()
}

/// Places an order for `customer`.
pub fn place_order(
	customer: AccountId,
	size: u64,
	replication: u32,
	epochs: u32,
	budget: Balance,
) -> DispatchResultWithPostInfo {
	Storage::pin(RuntimeOrigin::signed(customer), cid(CID), size, replication, epochs, budget)
}

/// Places the default order ([`SIZE`] bytes, [`EPOCHS`], [`BUDGET`]); returns its id.
pub fn place(customer: AccountId, replication: u32) -> PinId {
	let pin = pallet_storage::NextPinId::<Test>::get();
	assert_ok!(place_order(customer, SIZE, replication, EPOCHS, BUDGET));
	pin
}

/// The replicas of `pin`, in assignment order.
pub fn replicas(pin: PinId) -> Vec<NodeId> {
	Pins::<Test>::get(pin).expect("pin exists").replicas.iter().map(|r| r.node).collect()
}

/// The stored status of `pin`.
pub fn status(pin: PinId) -> PinStatus {
	Pins::<Test>::get(pin).expect("pin exists").status
}

/// The running challenge of `pin`.
pub fn challenge(pin: PinId) -> Challenge {
	Pins::<Test>::get(pin).expect("pin exists").challenge.expect("a challenge is open")
}

/// `node`'s part in the running challenge of `pin`.
pub fn answer_state(pin: PinId, node: NodeId) -> AnswerState {
	let record = Pins::<Test>::get(pin).expect("pin exists");
	record.replicas.iter().find(|r| r.node == node).expect("node is a replica").answer
}

/// The honest answer to `challenge` over `bytes`: blake2-256 of the seed and the challenged
/// bytes.
pub fn honest_answer(challenge: &Challenge, bytes: &[u8]) -> [u8; 32] {
	let start = challenge.offset as usize;
	let end = start + challenge.length as usize;
	let mut data = challenge.seed.to_vec();
	data.extend_from_slice(&bytes[start..end]);
	sp_io::hashing::blake2_256(&data)
}

/// A report of `node` on `pin`, signed by the worker of `seed`.
pub fn signed_by(
	pin: PinId,
	node: NodeId,
	report: Report,
	seed: u8,
) -> (StorageReport, sp_core::sr25519::Signature) {
	let report = StorageReport { pin, node, report };
	let signature = worker(seed).sign(&report.signing_payload());
	(report, signature)
}

/// A report of `node` on `pin`, signed by the node's own worker.
pub fn signed(
	pin: PinId,
	node: NodeId,
	report: Report,
) -> (StorageReport, sp_core::sr25519::Signature) {
	let seed = MockRegistry::get(node).map_or(0, |record| record.seed);
	signed_by(pin, node, report, seed)
}

/// Submits `node`'s report on `pin`, signed by the node's worker.
pub fn report(pin: PinId, node: NodeId, report: Report) -> DispatchResultWithPostInfo {
	let (report, signature) = signed(pin, node, report);
	Storage::report(RuntimeOrigin::none(), report, signature)
}

/// Every replica of `pin` reports `Pinned` with the order's size.
pub fn pin_all(pin: PinId) {
	let size = Pins::<Test>::get(pin).expect("pin exists").size;
	for node in replicas(pin) {
		assert_ok!(report(pin, node, Report::Pinned { size }));
	}
}

/// `node` answers the running challenge of `pin` honestly over [`content`].
pub fn answer_honestly(pin: PinId, node: NodeId) {
	let challenge = challenge(pin);
	let hash = honest_answer(&challenge, &content());
	assert_ok!(report(pin, node, Report::Answer { round: challenge.round, hash }));
}

/// `node` answers the running challenge of `pin` with a wrong hash.
pub fn answer_wrongly(pin: PinId, node: NodeId) {
	let round = challenge(pin).round;
	assert_ok!(report(pin, node, Report::Answer { round, hash: [0xee; 32] }));
}

/// Moves block by block to `n`, running the pallet's `on_initialize` in each.
pub fn run_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Storage::on_initialize(next);
	}
}

/// What `node` has to do.
pub fn node_work(node: NodeId) -> Vec<StorageWork<u64>> {
	Storage::node_work(node)
}

/// The block of `pin`'s next round.
pub fn next_round(pin: PinId) -> u64 {
	Pins::<Test>::get(pin).expect("pin exists").next_round
}

/// Runs to `pin`'s next round.
pub fn run_to_round(pin: PinId) {
	run_to(next_round(pin));
}
