//! # OCOS primitives
//!
//! Types and traits shared by the OCOS pallets. Each pallet talks to the others only through
//! the traits here, so a pallet's mock runtime can stand in for the rest:
//!
//! - [`NodeRegistry`]: which provider nodes exist, what they can serve and for whom, their
//!   worker keys and reputation (implemented by `pallet-node-registry`).
//! - [`Quotas`]: quota earned by staking, consumed before any balance is charged
//!   (implemented by `pallet-quotas`).
//! - [`Billing`]: budget holds at submission and settlement when work is verified
//!   (implemented by `pallet-billing`).
//! - [`EpochClock`]: the economy's epoch count (kept by `pallet-node-registry`, whose DAO-set
//!   parameters include the epoch length); [`EpochAnchor`] is the arithmetic behind it.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::{DispatchError, DispatchResult},
	BoundedVec,
};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{
	traits::{AtLeast32BitUnsigned, One},
	Perbill,
};

/// Identifier of a registered provider node, assigned in registration order.
pub type NodeId = u64;

/// Epoch counter. An epoch is a DAO-set number of blocks; quotas renew, reputation decays and
/// storage is billed per epoch.
pub type EpochIndex = u32;

/// The economy's epoch count, shared by every pallet that works per epoch.
pub trait EpochClock {
	/// The epoch the current block belongs to. It never decreases, even when the epoch length
	/// changes.
	fn current_epoch() -> EpochIndex;
}

/// Where the epoch count stands: epoch `epoch` began at block `start`, and every `length`
/// blocks after it another begins.
///
/// Storing the anchor instead of computing `block / length` is what lets the DAO change the
/// length without the epoch number jumping back or far ahead: the anchor is first moved to the
/// start of the running epoch ([`EpochAnchor::advanced_to`]) with the old length, and the new
/// length counts from there.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct EpochAnchor<BlockNumber> {
	/// The epoch that began at `start`.
	pub epoch: EpochIndex,
	/// The first block of `epoch`.
	pub start: BlockNumber,
}

impl<BlockNumber: AtLeast32BitUnsigned + Copy> EpochAnchor<BlockNumber> {
	/// The anchor of the epoch running at `now` when epochs last `length` blocks (zero counts as
	/// one): its number and first block. Blocks before `start` belong to `epoch`; the number
	/// saturates at `EpochIndex::MAX`.
	pub fn advanced_to(&self, now: BlockNumber, length: BlockNumber) -> Self {
		let length = length.max(One::one());
		let elapsed = now.saturating_sub(self.start) / length;
		Self {
			epoch: self.epoch.saturating_add(elapsed.unique_saturated_into()),
			// At most `now`, so it cannot overflow; saturating for the type's sake.
			start: self.start.saturating_add(elapsed.saturating_mul(length)),
		}
	}

	/// The epoch running at `now` when epochs last `length` blocks (zero counts as one).
	pub fn epoch_at(&self, now: BlockNumber, length: BlockNumber) -> EpochIndex {
		self.advanced_to(now, length).epoch
	}
}

/// The sr25519 public key a node's off-chain worker signs heartbeats and attestations with.
pub type WorkerKey = [u8; 32];

/// Key type of worker keys in a provider node's keystore: the registry checks heartbeats, and
/// compute and storage check attestations, against the worker key registered for a node.
pub const WORKER_KEY_TYPE: sp_runtime::KeyTypeId = sp_runtime::KeyTypeId(*b"ocwk");

/// A kind of resource that is staked for, metered and billed.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Serialize,
	Deserialize,
)]
pub enum ResourceKind {
	/// GPU compute, metered in GPU-milliseconds.
	Gpu,
	/// Pinned storage, metered in byte-epochs.
	Storage,
}

/// Performance class of a GPU; prices are set per class.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Serialize,
	Deserialize,
)]
pub enum GpuClass {
	/// Consumer cards and CPU (software) adapters.
	Entry,
	/// Workstation cards.
	Standard,
	/// Data-centre accelerators.
	HighEnd,
}

/// One priced unit of work: what a price-table entry and a usage record refer to.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Serialize,
	Deserialize,
)]
pub enum Resource {
	/// One GPU-millisecond on a GPU of this class.
	GpuMillis(GpuClass),
	/// One byte stored for one epoch.
	StorageByteEpoch,
}

impl Resource {
	/// The resource kind this unit belongs to (what quota is consumed).
	pub fn kind(&self) -> ResourceKind {
		match self {
			Resource::GpuMillis(_) => ResourceKind::Gpu,
			Resource::StorageByteEpoch => ResourceKind::Storage,
		}
	}
}

/// Why a node's reputation changed; carried in events so providers see the reason.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum ReputationReason {
	/// A job result agreed with the quorum.
	JobVerified,
	/// A job result disagreed with the quorum.
	ResultMismatch,
	/// An assigned job got no attestation before its deadline.
	MissedDeadline,
	/// A storage challenge was answered in agreement with the other replicas.
	ChallengePassed,
	/// A storage challenge was missed or answered against the other replicas.
	ChallengeFailed,
}

impl ReputationReason {
	/// Whether the outcome counts for (`true`) or against (`false`) the node.
	pub fn is_positive(&self) -> bool {
		matches!(self, Self::JobVerified | Self::ChallengePassed)
	}
}

/// Provider nodes as the compute and storage pallets see them.
pub trait NodeRegistry<AccountId> {
	/// The node's owner (who is paid for its work), if the node exists.
	fn owner(node: NodeId) -> Option<AccountId>;
	/// The key the node's worker signs with, if the node exists.
	fn worker_key(node: NodeId) -> Option<WorkerKey>;
	/// The class of the node's GPU, if it has one.
	fn gpu_class(node: NodeId) -> Option<GpuClass>;
	/// Bytes of storage the node registered (0 if none).
	fn storage_capacity(node: NodeId) -> u64;
	/// Whether new work of `kind` for `customer` may go to the node: it is active, live
	/// (recent heartbeat), has the capability and its access policy admits the customer.
	fn can_serve(node: NodeId, customer: &AccountId, kind: ResourceKind) -> bool;
	/// Active nodes able to serve `kind`, in ascending id order, at most `limit` of them
	/// starting after `after` (pagination without unbounded reads).
	fn active_nodes(kind: ResourceKind, after: Option<NodeId>, limit: u32) -> Vec<NodeId>;
	/// The node's current reputation score (1 = perfect).
	fn reputation(node: NodeId) -> Perbill;
	/// Records an outcome of the node's work of the given value (in plancks billed), which
	/// weighs the reputation update.
	fn report(node: NodeId, reason: ReputationReason, value: u128);
	/// Moves `fraction` of the node's bond to the treasury for `reason` (at most the
	/// registry's reason length is kept); returns the amount slashed, 0 for an unknown node or
	/// an empty bond.
	fn slash(node: NodeId, fraction: Perbill, reason: &[u8]) -> u128;
	/// A unit of work was assigned to the node (it cannot finish retiring meanwhile).
	fn work_started(node: NodeId);
	/// A unit of work assigned to the node ended (settled, failed or reassigned).
	fn work_finished(node: NodeId);
}

/// A window of at most `limit` active nodes able to serve `kind`, in ascending id order,
/// starting after `cursor` and wrapping around to the lowest ids (never past `cursor` again);
/// and where the next window starts: after the last node of a full window, from the lowest id
/// otherwise. Successive assignments that each look at one window cover a large network slice
/// by slice, with a bounded number of reads each, and give every node its turn.
pub fn candidate_window<AccountId, R: NodeRegistry<AccountId>>(
	kind: ResourceKind,
	cursor: Option<NodeId>,
	limit: u32,
) -> (Vec<NodeId>, Option<NodeId>) {
	let max = usize::try_from(limit).unwrap_or(usize::MAX);
	let mut window = R::active_nodes(kind, cursor, limit);
	window.truncate(max);
	if let Some(cursor) = cursor {
		let room = limit.saturating_sub(u32::try_from(window.len()).unwrap_or(u32::MAX));
		if room > 0 {
			let wrapped = R::active_nodes(kind, None, room);
			window.extend(wrapped.into_iter().take_while(|node| *node <= cursor));
			window.truncate(max);
		}
	}
	let next = if window.len() < max { None } else { window.last().copied() };
	(window, next)
}

/// A node eligible for an assignment, with what ranks it: reputation first, then a
/// tie-break hash that differs per assignment (so equal nodes share the work).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Candidate<AccountId> {
	/// The node.
	pub node: NodeId,
	/// Its owner (at most one node per owner is picked).
	pub owner: AccountId,
	/// Its reputation; higher ranks first.
	pub reputation: Perbill,
	/// The assignment's tie-break hash for it; lower ranks first among equal reputations.
	pub tie_break: [u8; 32],
}

/// The best `count` of `candidates` (or fewer, if there are not enough), best first, at
/// most one node per owner.
pub fn pick_ranked<AccountId: PartialEq>(
	mut candidates: Vec<Candidate<AccountId>>,
	count: u32,
) -> Vec<(NodeId, AccountId)> {
	candidates.sort_by(|a, b| {
		b.reputation.cmp(&a.reputation).then_with(|| a.tie_break.cmp(&b.tie_break))
	});
	let wanted = usize::try_from(count).unwrap_or(usize::MAX);
	let mut picked: Vec<(NodeId, AccountId)> = Vec::new();
	for candidate in candidates {
		if picked.len() >= wanted {
			break;
		}
		if picked.iter().all(|(_, owner)| *owner != candidate.owner) {
			picked.push((candidate.node, candidate.owner));
		}
	}
	picked
}

/// Removes `item` from a list kept in a storage map, and the map's entry once the list is
/// empty: the closure body of `StorageMap::mutate_exists` for work lists and round buckets.
pub fn remove_listed<T: PartialEq, S>(entry: &mut Option<BoundedVec<T, S>>, item: &T) {
	if let Some(list) = entry {
		list.retain(|listed| listed != item);
		if list.is_empty() {
			*entry = None;
		}
	}
}

/// Adds one to `key`'s count in `counts` (the votes of replicas that must agree).
pub fn tally<K: PartialEq>(counts: &mut Vec<(K, u32)>, key: K) {
	match counts.iter_mut().find(|(known, _)| *known == key) {
		Some((_, count)) => *count = count.saturating_add(1),
		None => counts.push((key, 1)),
	}
}

/// Staking quotas as billing sees them.
pub trait Quotas<AccountId> {
	/// Consumes up to `units` of the account's current-epoch quota of `kind` and returns how
	/// many units the quota covered (the rest is charged in OCOS).
	fn consume(who: &AccountId, kind: ResourceKind, units: u64) -> u64;
	/// Units of `kind` quota the account has left in the current epoch.
	fn available(who: &AccountId, kind: ResourceKind) -> u64;
}

/// What one provider is paid for in a settlement.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Usage<AccountId> {
	/// The node's owner, who receives the payment.
	pub provider: AccountId,
	/// Units of the settled resource the provider delivered.
	pub units: u64,
}

/// The outcome of a settlement.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Default, Debug)]
pub struct Settlement<Balance> {
	/// Units covered by the customer's quota.
	pub quota_units: u64,
	/// Charged from the held budget (providers' pay plus the protocol fee).
	pub charged: Balance,
	/// Of `charged`, the protocol fee sent to the treasury.
	pub fee: Balance,
	/// Released back to the customer.
	pub released: Balance,
}

/// Metered billing as the compute and storage pallets see it.
pub trait Billing<AccountId, Balance> {
	/// Holds `amount` of the customer's balance as the budget of one order.
	fn hold_budget(customer: &AccountId, amount: Balance) -> DispatchResult;
	/// Settles an order whose budget `held` was held: the usage is charged to the customer's
	/// quota first, then to the held budget (capped by it); providers are paid at once, the
	/// fee goes to the treasury and the rest of `held` is released.
	fn settle(
		customer: &AccountId,
		held: Balance,
		resource: Resource,
		usage: &[Usage<AccountId>],
	) -> Result<Settlement<Balance>, DispatchError>;
	/// Releases `amount` of an order's held budget back to the customer (failure, timeout,
	/// cancellation).
	fn refund(customer: &AccountId, amount: Balance) -> DispatchResult;
	/// What `units` of `resource` cost at current prices, fee included, before any quota.
	fn estimate(resource: Resource, units: u64) -> Balance;
}

#[cfg(test)]
mod tests {
	use super::*;
	use frame_support::traits::ConstU32;

	#[test]
	fn epochs_count_from_the_anchor() {
		let anchor = EpochAnchor { epoch: 0, start: 0u32 };
		assert_eq!(anchor.epoch_at(0, 10), 0);
		assert_eq!(anchor.epoch_at(9, 10), 0);
		assert_eq!(anchor.epoch_at(10, 10), 1);
		assert_eq!(anchor.epoch_at(35, 10), 3);
		assert_eq!(anchor.advanced_to(35, 10), EpochAnchor { epoch: 3, start: 30 });
	}

	#[test]
	fn a_length_change_keeps_the_running_epoch_and_counts_on_from_its_start() {
		// Epochs of 10 blocks until block 35, then the length becomes 100.
		let anchor = EpochAnchor { epoch: 0, start: 0u32 }.advanced_to(35, 10);
		assert_eq!(anchor.epoch_at(35, 100), 3);
		assert_eq!(anchor.epoch_at(129, 100), 3);
		assert_eq!(anchor.epoch_at(130, 100), 4);
		// Shortening it to 2 blocks: epoch 3 began at 30, so block 35 is epoch 5.
		assert_eq!(anchor.epoch_at(35, 2), 5);
	}

	#[test]
	fn blocks_before_the_anchor_and_zero_lengths_are_harmless() {
		let anchor = EpochAnchor { epoch: 7, start: 100u32 };
		assert_eq!(anchor.epoch_at(50, 10), 7);
		assert_eq!(anchor.advanced_to(50, 10), anchor);
		assert_eq!(anchor.epoch_at(103, 0), 10);
		let far = EpochAnchor { epoch: EpochIndex::MAX - 1, start: 0u64 };
		assert_eq!(far.epoch_at(u64::MAX, 1), EpochIndex::MAX);
	}

	fn candidate(node: NodeId, owner: u8, reputation: u32, tie_break: u8) -> Candidate<u8> {
		Candidate {
			node,
			owner,
			reputation: Perbill::from_percent(reputation),
			tie_break: [tie_break; 32],
		}
	}

	#[test]
	fn picks_by_reputation_then_tie_break_one_node_per_owner() {
		let candidates = vec![
			candidate(1, 10, 50, 9),
			candidate(2, 20, 90, 5),
			// Owner 20's second node ranks second but is skipped.
			candidate(3, 20, 80, 1),
			candidate(4, 30, 50, 2),
			candidate(5, 40, 10, 0),
		];
		assert_eq!(pick_ranked(candidates.clone(), 3), vec![(2, 20), (4, 30), (1, 10)]);
		assert_eq!(pick_ranked(candidates.clone(), 1), vec![(2, 20)]);
		// Fewer than asked when owners run out; none for none.
		assert_eq!(pick_ranked(candidates, 9).len(), 4);
		assert!(pick_ranked(Vec::<Candidate<u8>>::new(), 2).is_empty());
	}

	#[test]
	fn tally_counts_each_value_in_order_of_first_sight() {
		let mut counts = Vec::new();
		for vote in [7, 3, 7, 7, 1] {
			tally(&mut counts, vote);
		}
		assert_eq!(counts, vec![(7, 3), (3, 1), (1, 1)]);
	}

	#[test]
	fn removing_the_last_listed_item_removes_the_entry() {
		let list = |items: Vec<u32>| Some(BoundedVec::<u32, ConstU32<4>>::truncate_from(items));
		let mut entry = list(vec![1, 2, 1]);
		remove_listed(&mut entry, &1);
		assert_eq!(entry, list(vec![2]));
		remove_listed(&mut entry, &3);
		assert_eq!(entry, list(vec![2]));
		remove_listed(&mut entry, &2);
		assert_eq!(entry, None);
		remove_listed(&mut entry, &2);
		assert_eq!(entry, None);
	}
}
