//! # OCOS pallet testing
//!
//! Stand-ins for the pallets the compute and storage pallets see through
//! [`ocos_primitives`] traits, for those pallets' unit tests (mocks belong in unit tests only):
//!
//! - [`MockRegistry`]: a table of [`MockNode`]s implementing [`NodeRegistry`], with a log of
//!   reputation reports and slashes;
//! - [`MockBilling`]: free, held and received balances implementing [`Billing`], with one
//!   price per [`ResourceKind`] and a log of settlements.
//!
//! Both keep their state in unhashed storage, so a failing call's storage layer rolls them
//! back like the real pallets. Account ids and balances are `u64`.

use codec::{Decode, Encode};
use core::cell::RefCell;
use frame_support::{ensure, storage::unhashed};
use ocos_primitives::{
	Billing, GpuClass, NodeId, NodeRegistry, ReputationReason, Resource, ResourceKind, Settlement,
	Usage, WorkerKey,
};
use sp_core::{sr25519, Pair};
use sp_runtime::{DispatchError, DispatchResult, Perbill, TokenError};

/// Account ids of the test runtimes.
pub type AccountId = u64;
/// Balances of the test runtimes.
pub type Balance = u64;

/// Most usage entries [`MockBilling`] settles at once (the billing pallet's `MaxProviders`).
pub const MAX_PROVIDERS: usize = 5;

/// The worker key pair derived from `seed`.
pub fn worker(seed: u8) -> sr25519::Pair {
	sr25519::Pair::from_seed(&[seed; 32])
}

/// The public worker key derived from `seed`.
pub fn worker_key(seed: u8) -> WorkerKey {
	worker(seed).public().0
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
	/// Bytes of storage offered (0: none).
	pub storage: u64,
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
	/// The bond slashes take from.
	pub bond: u128,
}

impl MockNode {
	/// An active, live, open node of `owner` with the worker key of `seed`, `reputation`
	/// percent, a bond of 1 000 and no capability.
	pub fn new(owner: AccountId, seed: u8, reputation: u32) -> Self {
		Self {
			owner,
			worker_key: worker_key(seed),
			seed,
			gpu: None,
			storage: 0,
			active: true,
			live: true,
			allow_list: None,
			reputation: Perbill::from_percent(reputation),
			in_flight: 0,
			bond: 1_000,
		}
	}

	/// Such a node with a GPU of `class`.
	pub fn gpu(owner: AccountId, seed: u8, class: GpuClass, reputation: u32) -> Self {
		Self { gpu: Some(class), ..Self::new(owner, seed, reputation) }
	}

	/// Such a node offering `bytes` of storage.
	pub fn storage(owner: AccountId, seed: u8, bytes: u64, reputation: u32) -> Self {
		Self { storage: bytes, ..Self::new(owner, seed, reputation) }
	}

	/// Whether the node has the capability for `kind`.
	pub fn has(&self, kind: ResourceKind) -> bool {
		match kind {
			ResourceKind::Gpu => self.gpu.is_some(),
			ResourceKind::Storage => self.storage > 0,
		}
	}
}

/// The node registry, stood in for by a table of [`MockNode`]s and logs of reports and
/// slashes.
pub struct MockRegistry;

impl MockRegistry {
	const COUNT_KEY: &'static [u8] = b"mock-registry/count";
	const REPORTS_KEY: &'static [u8] = b"mock-registry/reports";
	const SLASHES_KEY: &'static [u8] = b"mock-registry/slashes";

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

	/// The slashes made, oldest first: node, amount, reason.
	pub fn slashes() -> Vec<(NodeId, u128, Vec<u8>)> {
		unhashed::get_or_default(Self::SLASHES_KEY)
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

	fn storage_capacity(node: NodeId) -> u64 {
		Self::get(node).map_or(0, |record| record.storage)
	}

	fn can_serve(node: NodeId, customer: &AccountId, kind: ResourceKind) -> bool {
		Self::get(node).is_some_and(|record| {
			record.active
				&& record.live
				&& record.has(kind)
				&& record
					.allow_list
					.as_ref()
					.map_or(true, |list| record.owner == *customer || list.contains(customer))
		})
	}

	fn active_nodes(kind: ResourceKind, after: Option<NodeId>, limit: u32) -> Vec<NodeId> {
		let start = after.map_or(0, |after| after.saturating_add(1));
		(start..Self::count())
			.filter(|node| Self::get(*node).is_some_and(|record| record.active && record.has(kind)))
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

	fn slash(node: NodeId, fraction: Perbill, reason: &[u8]) -> u128 {
		let Some(mut record) = Self::get(node) else { return 0 };
		let amount = fraction.mul_floor(record.bond);
		if amount == 0 {
			return 0;
		}
		record.bond -= amount;
		unhashed::put(&Self::node_key(node), &record);
		let mut slashes = Self::slashes();
		slashes.push((node, amount, reason.to_vec()));
		unhashed::put(Self::SLASHES_KEY, &slashes);
		amount
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

thread_local! {
	/// The price of a unit of each kind; `None`: unpriced.
	static PRICES: RefCell<[Option<Balance>; 2]> = const { RefCell::new([None, None]) };
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

	fn slot(kind: ResourceKind) -> usize {
		match kind {
			ResourceKind::Gpu => 0,
			ResourceKind::Storage => 1,
		}
	}

	/// Sets (`Some`) or removes (`None`) the price of every unit of `kind`. Prices live per
	/// test thread; set them when building the externalities.
	pub fn set_price(kind: ResourceKind, price: Option<Balance>) {
		PRICES.with(|prices| prices.borrow_mut()[Self::slot(kind)] = price);
	}

	/// The price of a unit of `resource`.
	pub fn price(resource: Resource) -> Option<Balance> {
		PRICES.with(|prices| prices.borrow()[Self::slot(resource.kind())])
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
		let price = Self::price(resource).ok_or(DispatchError::Unavailable)?;
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

	fn estimate(resource: Resource, units: u64) -> Balance {
		Self::price(resource).map_or(0, |price| price.saturating_mul(units))
	}
}
