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

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::pallet_prelude::{DispatchError, DispatchResult};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::Perbill;

/// Identifier of a registered provider node, assigned in registration order.
pub type NodeId = u64;

/// Epoch counter. An epoch is a DAO-set number of blocks; quotas renew and storage is billed
/// per epoch.
pub type EpochIndex = u32;

/// The sr25519 public key a node's off-chain worker signs heartbeats and attestations with.
pub type WorkerKey = [u8; 32];

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
	/// A unit of work was assigned to the node (it cannot finish retiring meanwhile).
	fn work_started(node: NodeId);
	/// A unit of work assigned to the node ended (settled, failed or reassigned).
	fn work_finished(node: NodeId);
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
