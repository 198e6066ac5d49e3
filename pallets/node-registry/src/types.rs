//! Domain types of the node registry: capabilities, status, access policy, reputation, the
//! stored node record, the signed worker key proof and heartbeat payloads, the runtime API's
//! view of a node, the DAO-set parameters and the genesis description of pre-registered nodes.

use crate::{BalanceOf, Config};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use ocos_primitives::{EpochIndex, GpuClass, NodeId, ResourceKind, WorkerKey};
use scale_info::TypeInfo;
use sp_runtime::{traits::Saturating, FixedPointNumber, FixedU128, Perbill};

/// Domain tag prefixed to every signed heartbeat, so a heartbeat signature can never be
/// replayed as another kind of worker message (and vice versa).
pub const HEARTBEAT_DOMAIN: [u8; 14] = *b"ocos/heartbeat";

/// Domain tag of worker key proofs: a worker key's signature of
/// [`worker_key_proof_payload`] shows that whoever registers the key (or rotates to it) holds
/// it, and binds that proof to one owner account.
pub const REGISTER_DOMAIN: &[u8] = b"ocos/worker-key";

/// The bytes a worker key signs to prove it consents to serve `owner`'s node, as `register` and
/// `rotate_worker_key` check them: `(REGISTER_DOMAIN, owner).encode()`, i.e. the compact
/// length `0x3c`, the 15 bytes `ocos/worker-key`, then the SCALE-encoded account.
///
/// The compact length byte means no such payload can begin like a heartbeat's (which starts
/// with the raw tag `ocos/heartbeat`), so neither signature can stand in for the other.
pub fn worker_key_proof_payload<AccountId: Encode>(owner: &AccountId) -> Vec<u8> {
	(REGISTER_DOMAIN, owner).encode()
}

/// The GPU a node offers.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct GpuSpec<T: Config> {
	/// Performance class; prices are set per class.
	pub class: GpuClass,
	/// Model name as reported by the driver (UTF-8, not interpreted on chain).
	pub model: BoundedVec<u8, T::MaxModelLen>,
	/// Memory of the GPU in MiB.
	pub vram_mib: u32,
}

impl<T: Config> GpuSpec<T> {
	/// Whether `self` claims more than `old`: a better class, more VRAM or another model (a
	/// different card is a new, unverified claim even at equal class and VRAM).
	pub fn exceeds(&self, old: &Self) -> bool {
		self.class > old.class || self.vram_mib > old.vram_mib || self.model != old.model
	}
}

/// What a node offers. At least one capability is required.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Capabilities<T: Config> {
	/// The node's GPU, if it runs compute jobs.
	pub gpu: Option<GpuSpec<T>>,
	/// Bytes of storage offered for pins (0: no storage).
	pub storage_bytes: u64,
}

impl<T: Config> Capabilities<T> {
	/// Whether the node offers resources of `kind`.
	pub fn has(&self, kind: ResourceKind) -> bool {
		match kind {
			ResourceKind::Gpu => self.gpu.is_some(),
			ResourceKind::Storage => self.storage_bytes > 0,
		}
	}

	/// Whether `self` claims more than `old` in any dimension: a GPU where there was none, a
	/// GPU that [exceeds](GpuSpec::exceeds) the old one, or more storage. Such a change needs
	/// the DAO to verify the node again.
	pub fn exceeds(&self, old: &Self) -> bool {
		let gpu = match (&self.gpu, &old.gpu) {
			(Some(new), Some(old)) => new.exceeds(old),
			(Some(_), None) => true,
			(None, _) => false,
		};
		gpu || self.storage_bytes > old.storage_bytes
	}
}

/// Where a node is in its life cycle.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum NodeStatus<BlockNumber> {
	/// Registered (or its capabilities raised), awaiting DAO verification. Gets no work.
	Pending,
	/// Verified: gets work while its heartbeats are recent.
	Active,
	/// Suspended by the DAO. Gets no work until resumed.
	Suspended,
	/// Leaving since block `since`: gets no new work; the bond can be withdrawn once the
	/// cooldown has passed and no work is in flight, which removes the node.
	Retiring {
		/// The block `retire` was called in.
		since: BlockNumber,
	},
}

/// Which customers a node accepts work from.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub enum AccessPolicy {
	/// Any customer.
	#[default]
	Open,
	/// Only the owner and the customers on the node's allow-list.
	AllowList,
}

/// A node's reputation: a Beta(r, s) score over value-weighted outcomes whose evidence decays
/// by a factor λ per epoch.
///
/// `positive` (r) and `negative` (s) are the decayed sums of the weights of good and bad
/// outcomes as of epoch `epoch`. The score is the Beta posterior mean with a uniform prior,
/// `(r + 1) / (r + s + 2)`: 1/2 for a node without history, approaching 1 (or 0) as good (or
/// bad) outcomes accumulate, and drifting back to 1/2 as old evidence decays.
#[derive(Encode, Decode, TypeInfo, MaxEncodedLen, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Reputation {
	/// r: decayed weight of positive outcomes.
	pub positive: FixedU128,
	/// s: decayed weight of negative outcomes.
	pub negative: FixedU128,
	/// The epoch `positive` and `negative` were last decayed to.
	pub epoch: EpochIndex,
}

impl Reputation {
	/// No history, as of `epoch`.
	pub fn new(epoch: EpochIndex) -> Self {
		Self { positive: FixedU128::from_inner(0), negative: FixedU128::from_inner(0), epoch }
	}

	/// The evidence decayed to `epoch`: both sums multiplied by `retain ^ (epoch - self.epoch)`.
	///
	/// The power is computed by squaring (O(log n) multiplications), so any number of elapsed
	/// epochs costs the same few steps and long-idle evidence rounds down to zero. An `epoch`
	/// before `self.epoch` leaves the evidence as it is.
	pub fn decayed(self, epoch: EpochIndex, retain: Perbill) -> Self {
		let elapsed = epoch.saturating_sub(self.epoch);
		if elapsed == 0 {
			return self;
		}
		// `usize` is at least 32 bits on every supported target; saturate otherwise.
		let factor = retain.saturating_pow(usize::try_from(elapsed).unwrap_or(usize::MAX));
		let scale = |x: FixedU128| FixedU128::from_inner(factor.mul_floor(x.into_inner()));
		Self { positive: scale(self.positive), negative: scale(self.negative), epoch }
	}

	/// The evidence decayed to `epoch`, plus an outcome of `weight` on the positive (`true`)
	/// or negative side. Sums saturate at the fixed-point maximum.
	pub fn record(self, epoch: EpochIndex, retain: Perbill, positive: bool, weight: u32) -> Self {
		let mut next = self.decayed(epoch, retain);
		let weight = FixedU128::saturating_from_integer(weight);
		if positive {
			next.positive = next.positive.saturating_add(weight);
		} else {
			next.negative = next.negative.saturating_add(weight);
		}
		next
	}

	/// The score `(r + 1) / (r + s + 2)`, always within `[0, 1]`.
	pub fn score(&self) -> Perbill {
		let one = FixedU128::DIV;
		let numerator = self.positive.into_inner().saturating_add(one);
		let denominator = self
			.positive
			.into_inner()
			.saturating_add(self.negative.into_inner())
			.saturating_add(one.saturating_mul(2));
		Perbill::from_rational(numerator, denominator)
	}
}

/// Everything the chain knows about one node.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct NodeRecord<T: Config> {
	/// The provider account: registered the node, holds its bond, is paid for its work.
	pub owner: T::AccountId,
	/// The sr25519 key the node's worker signs heartbeats and attestations with.
	pub worker_key: WorkerKey,
	/// What the node offers.
	pub capabilities: Capabilities<T>,
	/// Free-form region label (e.g. `eu-west`), for customers choosing nodes.
	pub region: BoundedVec<u8, T::MaxRegionLen>,
	/// How the node is reached off chain (e.g. a libp2p multiaddr).
	pub endpoint: BoundedVec<u8, T::MaxEndpointLen>,
	/// Where the node is in its life cycle.
	pub status: NodeStatus<BlockNumberFor<T>>,
	/// The bond currently held from `owner` for this node (reduced by slashes).
	pub bond: BalanceOf<T>,
	/// Which customers the node accepts.
	pub access: AccessPolicy,
	/// Number of `AllowList` entries of this node.
	pub allow_list_len: u32,
	/// Block of the last accepted heartbeat (the registration block before the first one).
	pub last_heartbeat: BlockNumberFor<T>,
	/// Set by the liveness sweep when an active node's heartbeats lapsed; cleared by the next
	/// heartbeat.
	pub offline: bool,
	/// Units of work assigned to the node and not yet ended.
	pub in_flight: u32,
	/// Outcome-weighted, decaying reputation.
	pub reputation: Reputation,
	/// Block the node was registered in.
	pub registered_at: BlockNumberFor<T>,
}

impl<T: Config> NodeRecord<T> {
	/// Whether the node is retiring.
	pub fn is_retiring(&self) -> bool {
		matches!(self.status, NodeStatus::Retiring { .. })
	}

	/// Whether the last heartbeat is more than `timeout` blocks before `now`.
	pub fn heartbeat_lapsed(&self, now: BlockNumberFor<T>, timeout: BlockNumberFor<T>) -> bool {
		now > self.last_heartbeat.saturating_add(timeout)
	}

	/// Whether the node counts as online at `now` under a heartbeat `timeout`: not marked
	/// offline and its heartbeat has not lapsed (checked from the heartbeat itself, so it holds
	/// before the sweep reaches the node).
	pub fn is_live(&self, now: BlockNumberFor<T>, timeout: BlockNumberFor<T>) -> bool {
		!self.offline && !self.heartbeat_lapsed(now, timeout)
	}

	/// Whether the node belongs in the `ActiveNodes` index under `kind`: active, not marked
	/// offline and offering `kind`.
	pub fn is_indexed_for(&self, kind: ResourceKind) -> bool {
		self.status == NodeStatus::Active && !self.offline && self.capabilities.has(kind)
	}
}

/// The payload of a heartbeat; the worker signs [`Heartbeat::signing_payload`] with its
/// worker key.
#[derive(
	Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen, Clone, PartialEq, Eq, Debug,
)]
pub struct Heartbeat<BlockNumber> {
	/// The node that is alive.
	pub node: NodeId,
	/// The worker's best block when it signed; must be recent when the heartbeat is included.
	pub block_number: BlockNumber,
}

impl<BlockNumber: Encode> Heartbeat<BlockNumber> {
	/// The bytes the worker key signs: `(HEARTBEAT_DOMAIN, self).encode()`, i.e. the 14-byte
	/// tag `ocos/heartbeat` followed by the SCALE-encoded payload.
	pub fn signing_payload(&self) -> Vec<u8> {
		(HEARTBEAT_DOMAIN, self).encode()
	}
}

/// A node as its own worker sees it ([`crate::Pallet::worker_info`]).
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct WorkerInfo<BlockNumber> {
	/// The node the worker key belongs to.
	pub node: NodeId,
	/// The first block at which a heartbeat is accepted.
	pub next_heartbeat: BlockNumber,
	/// Whether the node is retiring (heartbeats are refused; no new work comes).
	pub retiring: bool,
	/// The storage it registered, in bytes: the most its worker keeps pinned for DataVault.
	pub storage_bytes: u64,
}

/// A node's GPU as the runtime API reports it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct GpuInfo {
	/// Performance class.
	pub class: GpuClass,
	/// Model name.
	pub model: Vec<u8>,
	/// Memory in MiB.
	pub vram_mib: u32,
}

/// A node as the runtime API reports it: the stored record with the bounded fields unbounded
/// and the time-dependent values (liveness, decayed score) evaluated at the queried block.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct NodeInfo<AccountId, Balance, BlockNumber> {
	/// The provider account.
	pub owner: AccountId,
	/// The worker's sr25519 public key.
	pub worker_key: WorkerKey,
	/// The node's GPU, if any.
	pub gpu: Option<GpuInfo>,
	/// Bytes of storage offered (0: none).
	pub storage_bytes: u64,
	/// Region label.
	pub region: Vec<u8>,
	/// Off-chain endpoint.
	pub endpoint: Vec<u8>,
	/// Life-cycle status.
	pub status: NodeStatus<BlockNumber>,
	/// Bond held.
	pub bond: Balance,
	/// Access policy.
	pub access: AccessPolicy,
	/// Number of allow-listed customers.
	pub allow_list_len: u32,
	/// Block of the last heartbeat.
	pub last_heartbeat: BlockNumber,
	/// Whether the node is online at the queried block.
	pub online: bool,
	/// Units of work in flight.
	pub in_flight: u32,
	/// Reputation score at the queried block.
	pub reputation: Perbill,
	/// Registration block.
	pub registered_at: BlockNumber,
}

/// The registry's parameters, set at genesis and by the DAO ([`crate::Params`]).
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
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase", deny_unknown_fields)]
pub struct RegistryParams<Balance, BlockNumber> {
	/// Bond held for each node registered from now on; registered nodes keep the bond they
	/// were registered with.
	pub node_bond: Balance,
	/// Minimum blocks between two heartbeats of a node; also how long a signed heartbeat
	/// stays valid. Non-zero.
	pub heartbeat_period: BlockNumber,
	/// Blocks without a heartbeat after which a node is offline. Above `heartbeat_period`, or
	/// live nodes would go offline between heartbeats.
	pub heartbeat_timeout: BlockNumber,
	/// Blocks a node stays retiring before its bond can be withdrawn.
	pub retire_cooldown: BlockNumber,
	/// Blocks per economy epoch (reputation decay, quota renewal). Non-zero.
	pub epoch_length: BlockNumber,
}

/// A node registered, bonded and activated at genesis (development and test chains).
#[derive(Clone, PartialEq, Eq, Debug, frame_support::Serialize, frame_support::Deserialize)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisNode<AccountId> {
	/// The provider account; must be endowed by the balances genesis to hold the bond.
	pub owner: AccountId,
	/// The worker's sr25519 public key.
	pub worker_key: WorkerKey,
	/// The node's GPU, if any.
	pub gpu: Option<GenesisGpu>,
	/// Bytes of storage offered (0: none).
	pub storage_bytes: u64,
}

/// The GPU of a [`GenesisNode`].
#[derive(Clone, PartialEq, Eq, Debug, frame_support::Serialize, frame_support::Deserialize)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisGpu {
	/// Performance class, in JSON `"Entry"`, `"Standard"` or `"HighEnd"`.
	pub class: GpuClass,
	/// Model name; at most `MaxModelLen` bytes.
	pub model: Vec<u8>,
	/// Memory in MiB.
	pub vram_mib: u32,
}

impl<AccountId> GenesisNode<AccountId> {
	/// The node's capabilities, or `None` if the GPU model is longer than `MaxModelLen`.
	pub fn capabilities<T: Config>(&self) -> Option<Capabilities<T>> {
		let gpu = match &self.gpu {
			Some(gpu) => Some(GpuSpec {
				class: gpu.class,
				model: BoundedVec::try_from(gpu.model.clone()).ok()?,
				vram_mib: gpu.vram_mib,
			}),
			None => None,
		};
		Some(Capabilities { gpu, storage_bytes: self.storage_bytes })
	}
}
