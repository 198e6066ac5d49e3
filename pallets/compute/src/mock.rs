//! A test runtime with `frame_system` and the compute pallet. The node registry and billing are
//! stood in for by `ocos-pallet-testing`'s [`MockRegistry`] and [`MockBilling`]; plus helpers to
//! add nodes, submit jobs and sign attestations.

use crate::{
	self as pallet_compute, Attestation, Determinism, JobId, JobSpec, JobStatus, Jobs, NodeJobs,
	Outcome, Payment, ShaderSource, Workgroups,
};
use frame_support::{
	assert_ok, derive_impl,
	dispatch::DispatchResultWithPostInfo,
	parameter_types,
	traits::{ConstU32, ConstU64, Get, Hooks},
	BoundedVec,
};
use ocos_primitives::{GpuClass, NodeId, ResourceKind};
#[cfg(feature = "runtime-benchmarks")]
use ocos_primitives::{Resource, WorkerKey};
use sp_core::{sr25519, Pair};
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;
pub use ocos_pallet_testing::{
	worker, AccountId, Balance, MockBilling, MockNode, MockRegistry, SettleCall,
};

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Compute: pallet_compute,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// Customers, funded with [`ENDOWMENT`].
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// An account without funds.
pub const DAVE: AccountId = 4;
/// Starting free balance of each funded customer.
pub const ENDOWMENT: Balance = 1_000_000;
/// The budget of most test jobs.
pub const BUDGET: Balance = 10_000;
/// Price of a GPU-millisecond (every class) unless a test changes it.
pub const PRICE: Balance = 2;
/// Owners of the nodes made by [`standard_nodes`] are `OWNER_BASE + i`.
pub const OWNER_BASE: AccountId = 100;

/// Deadline bounds and lifetime, in blocks.
pub const MIN_DEADLINE: u64 = 5;
pub const MAX_DEADLINE: u64 = 50;
pub const MAX_LIFETIME: u64 = 100;
/// The default spec's deadline.
pub const DEADLINE: u64 = 10;
/// Most assignment rounds.
pub const MAX_ATTEMPTS: u32 = 3;
/// Highest replication.
pub const MAX_REPLICATION: u32 = 5;
/// Most open assignments per node.
pub const MAX_JOBS_PER_NODE: u32 = 3;
/// Most deadlines per block.
pub const MAX_JOBS_PER_BLOCK: u32 = 2;
/// Largest output.
pub const MAX_OUTPUT: u64 = 1024;
/// Pool priority and longest pool life of attestations.
pub const ATTESTATION_PRIORITY: u64 = 1 << 20;
pub const ATTESTATION_LONGEVITY: u64 = 5;

parameter_types! {
	/// `MaxCandidates`, settable per test.
	pub static MaxCandidates: u32 = 16;
}

impl pallet_compute::Config for Test {
	type Balance = Balance;
	type Registry = MockRegistry;
	type Billing = MockBilling;
	type MaxSourceLen = ConstU32<64>;
	type MaxCidLen = ConstU32<16>;
	type MaxEntryPointLen = ConstU32<8>;
	type MaxInputs = ConstU32<2>;
	type MaxOutputSize = ConstU64<MAX_OUTPUT>;
	type MinDeadline = ConstU64<MIN_DEADLINE>;
	type MaxDeadline = ConstU64<MAX_DEADLINE>;
	type MaxJobLifetime = ConstU64<MAX_LIFETIME>;
	type MaxAttempts = ConstU32<MAX_ATTEMPTS>;
	type MaxReplication = ConstU32<MAX_REPLICATION>;
	type MaxCandidates = MaxCandidates;
	type MaxJobsPerNode = ConstU32<MAX_JOBS_PER_NODE>;
	type MaxJobsPerBlock = ConstU32<MAX_JOBS_PER_BLOCK>;
	type UnsignedPriority = ConstU64<ATTESTATION_PRIORITY>;
	type UnsignedLongevity = ConstU64<ATTESTATION_LONGEVITY>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Nodes, funds and prices for the benchmarks, in the mocks.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId, Balance> for MockBenchmarkHelper {
	fn register_gpu_node(owner: &AccountId, class: GpuClass, worker_key: WorkerKey) -> NodeId {
		MockRegistry::add(MockNode { worker_key, seed: 0, ..MockNode::gpu(*owner, 0, class, 50) })
	}

	fn fund(who: &AccountId, amount: Balance) {
		MockBilling::set_free(*who, MockBilling::free(*who).max(amount));
	}

	fn set_price(_resource: Resource, price: Option<Balance>) {
		set_gpu_price(price);
	}
}

/// Builds test externalities: funded customers, a keystore (for the benchmark test suite) and
/// block 1.
#[derive(Default)]
pub struct ExtBuilder;

impl ExtBuilder {
	/// The externalities, at block 1.
	pub fn build(self) -> sp_io::TestExternalities {
		set_gpu_price(Some(PRICE));
		MaxCandidates::set(16);
		let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
		ext.execute_with(|| {
			System::set_block_number(1);
			for who in [ALICE, BOB, CHARLIE] {
				MockBilling::set_free(who, ENDOWMENT);
			}
		});
		ext
	}

	/// Runs `test`, then checks the pallet's invariants and that the mocks agree with it.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Compute::do_try_state().expect("invariants hold after the test");
			check_mocks();
		});
	}
}

/// Checks that every node's work in flight equals its open assignments, and that each
/// customer's held balance equals the budgets of its open jobs and of its completed jobs
/// awaiting settlement.
pub fn check_mocks() {
	for node in 0..MockRegistry::count() {
		if let Some(record) = MockRegistry::get(node) {
			assert_eq!(
				record.in_flight as usize,
				NodeJobs::<Test>::get(node).len(),
				"node {node}: work in flight differs from its open assignments"
			);
		}
	}
	for customer in [ALICE, BOB, CHARLIE, DAVE] {
		let budgets: Balance = Jobs::<Test>::iter_values()
			.filter(|job| job.customer == customer)
			.filter(|job| {
				job.is_open()
					|| matches!(job.status, JobStatus::Completed { payment: Payment::Pending, .. })
			})
			.map(|job| job.budget)
			.sum();
		assert_eq!(MockBilling::held(customer), budgets, "customer {customer}: held budgets");
	}
}

/// Externalities for the benchmark test suite.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}

/// Sets (`Some`) or removes (`None`) the price of a GPU-millisecond of every class; without a
/// price settlements fail with `DispatchError::Unavailable`.
pub fn set_gpu_price(price: Option<Balance>) {
	MockBilling::set_price(ResourceKind::Gpu, price);
}

/// Adds an active, live, open GPU node; returns its id.
pub fn gpu_node(owner: AccountId, seed: u8, class: GpuClass, reputation: u32) -> NodeId {
	MockRegistry::add(MockNode::gpu(owner, seed, class, reputation))
}

/// Adds `count` `Standard` nodes of distinct owners (`OWNER_BASE + i`), worker seed `i + 1`,
/// with reputations 90%, 89%, … so that node `i` ranks `i`-th. Returns their ids.
pub fn standard_nodes(count: u8) -> Vec<NodeId> {
	(0..count)
		.map(|i| gpu_node(OWNER_BASE + u64::from(i), i + 1, GpuClass::Standard, 90 - u32::from(i)))
		.collect()
}

/// A bounded byte string.
pub fn bytes<S: Get<u32>>(value: &[u8]) -> BoundedVec<u8, S> {
	BoundedVec::try_from(value.to_vec()).expect("test value fits its bound")
}

/// A bounded list.
pub fn bounded<T, S: Get<u32>>(values: Vec<T>) -> BoundedVec<T, S> {
	BoundedVec::try_from(values).ok().expect("test list fits its bound")
}

/// The default spec: an inline shader, one input, 64 bytes out, `Standard`, bit-exact, a
/// deadline of [`DEADLINE`] blocks.
pub fn spec() -> JobSpec<Test> {
	JobSpec {
		source: ShaderSource::Inline(bytes(b"@compute @workgroup_size(1) fn main() {}")),
		entry_point: bytes(b"main"),
		workgroups: Workgroups { x: 1, y: 1, z: 1 },
		inputs: bounded(vec![bytes(b"bafyinput")]),
		output_size: 64,
		gpu_class: GpuClass::Standard,
		determinism: Determinism::BitExact,
		deadline: DEADLINE,
	}
}

/// The default spec with another deadline.
pub fn spec_with_deadline(deadline: u64) -> JobSpec<Test> {
	JobSpec { deadline, ..spec() }
}

/// Submits `spec` for `customer`.
pub fn submit_spec(
	customer: AccountId,
	spec: JobSpec<Test>,
	replication: u32,
	budget: Balance,
) -> DispatchResultWithPostInfo {
	Compute::submit_job(RuntimeOrigin::signed(customer), spec, replication, budget)
}

/// Submits the default spec with [`BUDGET`]; returns the job's id.
pub fn submit(customer: AccountId, replication: u32) -> JobId {
	let job = pallet_compute::NextJobId::<Test>::get();
	assert_ok!(submit_spec(customer, spec(), replication, BUDGET));
	job
}

/// The nodes assigned to `job`, in assignment order.
pub fn assigned(job: JobId) -> Vec<NodeId> {
	Jobs::<Test>::get(job).expect("job exists").replicas.iter().map(|r| r.node).collect()
}

/// A completion with output CID `bafyout`, output hash `[hash; 32]` and `gpu_millis`.
pub fn completed(hash: u8, gpu_millis: u64) -> Outcome<Test> {
	Outcome::Completed { output_cid: bytes(b"bafyout"), output_hash: [hash; 32], gpu_millis }
}

/// An attestation of `node` on `job`, signed by the worker of `seed`.
pub fn signed_by(
	job: JobId,
	node: NodeId,
	outcome: Outcome<Test>,
	seed: u8,
) -> (Attestation<Test>, sr25519::Signature) {
	let attestation = Attestation { job, node, outcome };
	let signature = worker(seed).sign(&attestation.signing_payload());
	(attestation, signature)
}

/// An attestation of `node` on `job`, signed by the node's own worker.
pub fn signed(
	job: JobId,
	node: NodeId,
	outcome: Outcome<Test>,
) -> (Attestation<Test>, sr25519::Signature) {
	let seed = MockRegistry::get(node).map_or(0, |record| record.seed);
	signed_by(job, node, outcome, seed)
}

/// Submits `node`'s attestation on `job`, signed by the node's worker.
pub fn attest(job: JobId, node: NodeId, outcome: Outcome<Test>) -> DispatchResultWithPostInfo {
	let (attestation, signature) = signed(job, node, outcome);
	Compute::attest(RuntimeOrigin::none(), attestation, signature)
}

/// Moves block by block to `n`, running the pallet's `on_initialize` in each.
pub fn run_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Compute::on_initialize(next);
	}
}
