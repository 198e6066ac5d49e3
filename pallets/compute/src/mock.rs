//! A test runtime with `frame_system` and the compute pallet. The node registry and billing are
//! stood in for by [`MockRegistry`] and [`MockBilling`], kept in (unhashed) storage so that a
//! failing call's storage layer rolls them back like the real pallets; plus helpers to add
//! nodes, submit jobs and sign attestations.

use crate::{
	self as pallet_compute, Attestation, Determinism, JobId, JobSpec, JobStatus, Jobs, NodeJobs,
	Outcome, Payment, ShaderSource, Workgroups,
};
use codec::{Decode, Encode};
use frame_support::{
	assert_ok, derive_impl,
	dispatch::DispatchResultWithPostInfo,
	ensure, parameter_types,
	storage::unhashed,
	traits::{ConstU32, ConstU64, Get, Hooks},
	BoundedVec,
};
use ocos_primitives::{
	Billing, GpuClass, NodeId, NodeRegistry, ReputationReason, Resource, ResourceKind, Settlement,
	Usage, WorkerKey,
};
use sp_core::{sr25519, Pair};
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::{BuildStorage, DispatchError, DispatchResult, Perbill, TokenError};

type Block = frame_system::mocking::MockBlock<Test>;
/// Account ids of the test runtime.
pub type AccountId = u64;
/// Balances of the test runtime.
pub type Balance = u64;

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
/// Price of a GPU-millisecond (every class) unless a test changes [`GpuPrice`].
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
/// Most usage entries the mock billing settles at once.
pub const MAX_PROVIDERS: usize = 5;

parameter_types! {
	/// The price of a GPU-millisecond of any class; `None`: unpriced (settlements fail with
	/// `DispatchError::Unavailable`).
	pub static GpuPrice: Option<Balance> = Some(PRICE);
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

/// A node as the mock registry keeps it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct MockNode {
	/// The owner.
	pub owner: AccountId,
	/// The worker's public key.
	pub worker_key: WorkerKey,
	/// The seed of the worker key pair ([`worker`]); 0 for keystore keys.
	pub seed: u8,
	/// The GPU class, if the node has a GPU.
	pub gpu: Option<GpuClass>,
	/// Listed by `active_nodes`.
	pub active: bool,
	/// Heartbeat recent: `can_serve` requires it.
	pub live: bool,
	/// `None`: open access; otherwise the customers admitted besides the owner.
	pub allow_list: Option<Vec<AccountId>>,
	/// The reputation score.
	pub reputation: Perbill,
	/// Work started and not finished.
	pub in_flight: u32,
}

impl MockNode {
	/// An active, live, open node with a GPU of `class`, the worker key of `seed` and
	/// `reputation` percent.
	pub fn gpu(owner: AccountId, seed: u8, class: GpuClass, reputation: u32) -> Self {
		Self {
			owner,
			worker_key: worker_key(seed),
			seed,
			gpu: Some(class),
			active: true,
			live: true,
			allow_list: None,
			reputation: Perbill::from_percent(reputation),
			in_flight: 0,
		}
	}
}

/// The node registry, stood in for by a table of [`MockNode`]s and a log of reports.
pub struct MockRegistry;

impl MockRegistry {
	const COUNT_KEY: &'static [u8] = b"mock-registry/count";
	const REPORTS_KEY: &'static [u8] = b"mock-registry/reports";

	fn node_key(node: NodeId) -> Vec<u8> {
		(b"mock-registry/node", node).encode()
	}

	/// Adds a node with the next id.
	pub fn add(record: MockNode) -> NodeId {
		let node = Self::count();
		unhashed::put(&Self::node_key(node), &record);
		unhashed::put(Self::COUNT_KEY, &(node + 1));
		node
	}

	/// How many nodes were ever added (the next id).
	pub fn count() -> NodeId {
		unhashed::get_or_default(Self::COUNT_KEY)
	}

	/// The node, if it exists.
	pub fn get(node: NodeId) -> Option<MockNode> {
		unhashed::get(&Self::node_key(node))
	}

	/// Changes an existing node.
	pub fn mutate(node: NodeId, f: impl FnOnce(&mut MockNode)) {
		let mut record = Self::get(node).expect("the mock node exists");
		f(&mut record);
		unhashed::put(&Self::node_key(node), &record);
	}

	/// Removes a node (as if it retired).
	pub fn remove(node: NodeId) {
		unhashed::kill(&Self::node_key(node));
	}

	/// The reports received, oldest first.
	pub fn reports() -> Vec<(NodeId, ReputationReason, u128)> {
		unhashed::get_or_default(Self::REPORTS_KEY)
	}

	/// The node's work in flight.
	pub fn in_flight(node: NodeId) -> u32 {
		Self::get(node).map_or(0, |record| record.in_flight)
	}
}

impl NodeRegistry<AccountId> for MockRegistry {
	fn owner(node: NodeId) -> Option<AccountId> {
		Self::get(node).map(|record| record.owner)
	}

	fn worker_key(node: NodeId) -> Option<WorkerKey> {
		Self::get(node).map(|record| record.worker_key)
	}

	fn gpu_class(node: NodeId) -> Option<GpuClass> {
		Self::get(node).and_then(|record| record.gpu)
	}

	fn storage_capacity(_node: NodeId) -> u64 {
		0
	}

	fn can_serve(node: NodeId, customer: &AccountId, kind: ResourceKind) -> bool {
		Self::get(node).is_some_and(|record| {
			record.active
				&& record.live
				&& kind == ResourceKind::Gpu
				&& record.gpu.is_some()
				&& record
					.allow_list
					.as_ref()
					.map_or(true, |list| record.owner == *customer || list.contains(customer))
		})
	}

	fn active_nodes(kind: ResourceKind, after: Option<NodeId>, limit: u32) -> Vec<NodeId> {
		let start = after.map_or(0, |after| after.saturating_add(1));
		(start..Self::count())
			.filter(|node| {
				Self::get(*node).is_some_and(|record| {
					record.active && kind == ResourceKind::Gpu && record.gpu.is_some()
				})
			})
			.take(limit as usize)
			.collect()
	}

	fn reputation(node: NodeId) -> Perbill {
		Self::get(node).map(|record| record.reputation).unwrap_or_default()
	}

	fn report(node: NodeId, reason: ReputationReason, value: u128) {
		let mut reports = Self::reports();
		reports.push((node, reason, value));
		unhashed::put(Self::REPORTS_KEY, &reports);
	}

	fn work_started(node: NodeId) {
		if let Some(mut record) = Self::get(node) {
			record.in_flight += 1;
			unhashed::put(&Self::node_key(node), &record);
		}
	}

	fn work_finished(node: NodeId) {
		if let Some(mut record) = Self::get(node) {
			record.in_flight =
				record.in_flight.checked_sub(1).expect("work finished that never started");
			unhashed::put(&Self::node_key(node), &record);
		}
	}
}

/// One settlement as the mock billing received it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct SettleCall {
	pub customer: AccountId,
	pub held: Balance,
	pub resource: Resource,
	pub usage: Vec<(AccountId, u64)>,
}

/// Billing, stood in for by free, held and received balances per account: the charge is
/// `units × price` capped by the held budget, paid pro rata to the providers, without fee or
/// quota. Every check comes before any write, so a failure changes nothing.
pub struct MockBilling;

impl MockBilling {
	const SETTLEMENTS_KEY: &'static [u8] = b"mock-billing/settlements";

	fn free_key(who: AccountId) -> Vec<u8> {
		(b"mock-billing/free", who).encode()
	}

	fn held_key(who: AccountId) -> Vec<u8> {
		(b"mock-billing/held", who).encode()
	}

	fn paid_key(who: AccountId) -> Vec<u8> {
		(b"mock-billing/paid", who).encode()
	}

	/// Free balance.
	pub fn free(who: AccountId) -> Balance {
		unhashed::get_or_default(&Self::free_key(who))
	}

	/// Balance held as budgets.
	pub fn held(who: AccountId) -> Balance {
		unhashed::get_or_default(&Self::held_key(who))
	}

	/// What a provider was paid.
	pub fn paid(who: AccountId) -> Balance {
		unhashed::get_or_default(&Self::paid_key(who))
	}

	/// Sets the free balance.
	pub fn set_free(who: AccountId, amount: Balance) {
		unhashed::put(&Self::free_key(who), &amount);
	}

	/// The settlements made, oldest first.
	pub fn settlements() -> Vec<SettleCall> {
		unhashed::get_or_default(Self::SETTLEMENTS_KEY)
	}
}

impl Billing<AccountId, Balance> for MockBilling {
	fn hold_budget(customer: &AccountId, amount: Balance) -> DispatchResult {
		ensure!(amount > 0, DispatchError::Other("zero budget"));
		let free = Self::free(*customer)
			.checked_sub(amount)
			.ok_or(DispatchError::Token(TokenError::FundsUnavailable))?;
		unhashed::put(&Self::free_key(*customer), &free);
		unhashed::put(&Self::held_key(*customer), &(Self::held(*customer) + amount));
		Ok(())
	}

	fn settle(
		customer: &AccountId,
		held: Balance,
		resource: Resource,
		usage: &[Usage<AccountId>],
	) -> Result<Settlement<Balance>, DispatchError> {
		// `Unavailable` rather than `Other`: the message of `Other` is not encoded, so it would
		// not survive the round trip through a stored event.
		let price = GpuPrice::get().ok_or(DispatchError::Unavailable)?;
		ensure!(usage.len() <= MAX_PROVIDERS, DispatchError::Other("too many providers"));
		let on_hold = Self::held(*customer);
		ensure!(held <= on_hold, DispatchError::Other("insufficient held"));
		let total = usage
			.iter()
			.try_fold(0u64, |sum, entry| sum.checked_add(entry.units))
			.ok_or(DispatchError::Other("units overflow"))?;
		let charged = total.saturating_mul(price).min(held);
		for entry in usage {
			let pay = (u128::from(charged) * u128::from(entry.units) / u128::from(total.max(1)))
				as Balance;
			let key = Self::paid_key(entry.provider);
			unhashed::put(&key, &(Self::paid(entry.provider) + pay));
		}
		let released = held - charged;
		unhashed::put(&Self::held_key(*customer), &(on_hold - held));
		unhashed::put(&Self::free_key(*customer), &(Self::free(*customer) + released));
		let mut settlements = Self::settlements();
		settlements.push(SettleCall {
			customer: *customer,
			held,
			resource,
			usage: usage.iter().map(|entry| (entry.provider, entry.units)).collect(),
		});
		unhashed::put(Self::SETTLEMENTS_KEY, &settlements);
		Ok(Settlement { quota_units: 0, charged, fee: 0, released })
	}

	fn refund(customer: &AccountId, amount: Balance) -> DispatchResult {
		if amount == 0 {
			return Ok(());
		}
		let held = Self::held(*customer)
			.checked_sub(amount)
			.ok_or(DispatchError::Other("insufficient held"))?;
		unhashed::put(&Self::held_key(*customer), &held);
		unhashed::put(&Self::free_key(*customer), &(Self::free(*customer) + amount));
		Ok(())
	}

	fn estimate(_resource: Resource, units: u64) -> Balance {
		GpuPrice::get().map_or(0, |price| price.saturating_mul(units))
	}
}

/// Nodes, funds and prices for the benchmarks, in the mocks.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId, Balance> for MockBenchmarkHelper {
	fn register_gpu_node(owner: &AccountId, class: GpuClass, worker_key: WorkerKey) -> NodeId {
		MockRegistry::add(MockNode {
			owner: *owner,
			worker_key,
			seed: 0,
			gpu: Some(class),
			active: true,
			live: true,
			allow_list: None,
			reputation: Perbill::from_percent(50),
			in_flight: 0,
		})
	}

	fn fund(who: &AccountId, amount: Balance) {
		MockBilling::set_free(*who, MockBilling::free(*who).max(amount));
	}

	fn set_price(_resource: Resource, price: Option<Balance>) {
		GpuPrice::set(price);
	}
}

/// Builds test externalities: funded customers, a keystore (for the benchmark test suite) and
/// block 1.
#[derive(Default)]
pub struct ExtBuilder;

impl ExtBuilder {
	/// The externalities, at block 1.
	pub fn build(self) -> sp_io::TestExternalities {
		GpuPrice::set(Some(PRICE));
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

/// The worker key pair derived from `seed`.
pub fn worker(seed: u8) -> sr25519::Pair {
	sr25519::Pair::from_seed(&[seed; 32])
}

/// The public worker key derived from `seed`.
pub fn worker_key(seed: u8) -> WorkerKey {
	worker(seed).public().0
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
