//! # Node registry
//!
//! The providers of OCOS Cloud and the nodes they run: registration against a held bond, DAO
//! verification, worker heartbeats and liveness, a decaying value-weighted reputation, and a
//! per-node access policy. The compute and storage pallets see this pallet only through
//! [`ocos_primitives::NodeRegistry`], which it implements.
//!
//! ## Terms
//!
//! - **Owner**: the provider account that registers a node, holds its bond and is paid for its
//!   work. One account owns at most `MaxNodesPerOwner` nodes.
//! - **Worker key**: the sr25519 public key the node's worker signs heartbeats and
//!   attestations with (key type [`WORKER_KEY_TYPE`] in the node's keystore). A worker key
//!   belongs to one node at a time, and is only accepted with a key proof.
//! - **Key proof**: the worker key's sr25519 signature of
//!   [`worker_key_proof_payload`]`(owner)`, i.e. `(REGISTER_DOMAIN, owner)` SCALE-encoded
//!   with [`REGISTER_DOMAIN`] = `b"ocos/worker-key"`. It proves that the account registering
//!   a key (or rotating to it) holds the key and that the key consents to serve that account.
//! - **Capabilities**: a GPU (class, model, VRAM) and/or storage bytes; at least one.
//! - **Parameters** ([`Params`], [`RegistryParams`]): the node bond, heartbeat period and
//!   timeout, retirement cooldown and epoch length. They start as [`Config::DefaultParams`],
//!   may be overridden at genesis (development chains use short periods) and change only by
//!   [`set_params`](Pallet::set_params) (DAO).
//! - **Bond**: the `node_bond` parameter at registration, held from the owner under
//!   [`HoldReason::NodeBond`] for as long as the node exists; slashes move part of it to
//!   `TreasuryAccount`. A later change of the parameter does not touch existing bonds.
//! - **Heartbeat period / timeout**: a node may heartbeat at most once per `heartbeat_period`
//!   blocks; without a heartbeat for more than `heartbeat_timeout` blocks it is offline and
//!   gets no work.
//! - **Epoch**: the economy's epoch, `epoch_length` blocks, counted from the [`Epoch`] anchor
//!   ([`EpochAnchor`]); this pallet is the economy's [`EpochClock`]. Reputation evidence decays
//!   by `ReputationDecay` (λ) per epoch. A new length applies from the start of the running
//!   epoch, so the epoch number never goes back.
//!
//! ## Life cycle
//!
//! ```text
//!  register ─► Pending ──verify──► Active ──suspend──► Suspended ──resume──► Active
//!                 │  ▲               │  (raising capabilities: back to Pending)
//!                 │  └──── update ───┘
//!                 └──suspend──► Suspended
//!  any but Retiring ──retire──► Retiring { since } ──withdraw_bond──► removed (Retired)
//! ```
//!
//! ## Calls
//!
//! Owner (signed) calls:
//! - [`register`](Pallet::register)`(worker_key, capabilities, region, endpoint, key_proof)`:
//!   checks the key proof for the caller, holds `node_bond`, assigns the next [`NodeId`],
//!   status `Pending`.
//! - [`update`](Pallet::update)`(node, endpoint?, capabilities?, region?)`: changes what the
//!   node declares. Capabilities that exceed the old ones (a GPU where there was none, a better
//!   class, more VRAM, another model, more storage) send an active node back to `Pending` for
//!   re-verification; a suspended node cannot raise them; lower capabilities apply at once.
//! - [`rotate_worker_key`](Pallet::rotate_worker_key)`(node, new_key, key_proof)`: checks the
//!   new key's proof for the caller (the owner), then moves the node to the new key.
//! - [`retire`](Pallet::retire)`(node)`: `Retiring { since: now }`; the node gets no new work.
//! - [`withdraw_bond`](Pallet::withdraw_bond)`(node)`: once `since + retire_cooldown` has passed
//!   and no work is in flight, releases the bond and removes the node with its worker key and
//!   allow-list (the node is *Retired*).
//! - [`set_access_policy`](Pallet::set_access_policy)`(node, policy)`,
//!   [`allow_customer`](Pallet::allow_customer)`(node, who)`,
//!   [`revoke_customer`](Pallet::revoke_customer)`(node, who)`: open access, or access for the
//!   owner and at most `MaxAllowList` allow-listed customers.
//!
//! Worker keys are unique, so without the key proof anyone who learns a provider's worker key
//! (from its `register` waiting in the pool, or from the chain once a rotation or retirement
//! frees it) could register the key first and lock the provider's worker out. The proof is
//! checked before anything changes (before the bond is held); a wrong one fails with
//! [`Error::InvalidKeyProof`]. Because the signed payload names the owner, a proof seen on
//! chain cannot be replayed by another account. Genesis nodes are trusted and need no proof.
//!
//! DAO (`DaoOrigin`) calls:
//! - [`verify`](Pallet::verify)`(node)`: `Pending → Active`.
//! - [`suspend`](Pallet::suspend)`(node)`: `Active | Pending → Suspended`.
//! - [`resume`](Pallet::resume)`(node)`: `Suspended → Active` (the DAO vouches for the node as
//!   with `verify`).
//! - [`slash`](Pallet::slash)`(node, fraction, reason)`: moves `fraction` of the node's bond
//!   (rounded down) from the owner's hold to `TreasuryAccount`; total issuance is unchanged.
//! - [`set_params`](Pallet::set_params)`(node_bond?, heartbeat_period?, heartbeat_timeout?,
//!   retire_cooldown?, epoch_length?)`: changes the given parameters; the result must keep
//!   `heartbeat_period` and `epoch_length` non-zero and `heartbeat_timeout > heartbeat_period`.
//!
//! Unsigned, fee-free:
//! - [`heartbeat`](Pallet::heartbeat)`(heartbeat, signature)`: `signature` is the worker key's
//!   sr25519 signature of [`Heartbeat::signing_payload`] (`(b"ocos/heartbeat", payload)`
//!   SCALE-encoded). Valid iff the node exists and is not retiring, `heartbeat.block_number` is
//!   not in the future and less than `heartbeat_period` blocks old, at least
//!   `heartbeat_period` blocks passed since the node's last heartbeat, and the signature
//!   verifies. The pool validation (`ValidateUnsigned`) and the call itself apply the same
//!   checks; in the pool the transaction `provides` `(node, now / heartbeat_period)`, so one
//!   heartbeat per node and
//!   period is kept, and lives until the period ends (or the payload expires).
//!
//! ## Liveness
//!
//! A node is live at block `now` iff `now <= last_heartbeat + heartbeat_timeout` and it is not
//! marked offline. `on_idle` sweeps at most `MaxOfflineScan` nodes per block (and only as many
//! as the remaining weight allows), resuming from `OfflineCursor`; it marks active nodes whose
//! heartbeat lapsed `offline` (event [`Event::NodeOffline`], once per transition) and drops
//! them from the `ActiveNodes` index. The next heartbeat clears the mark
//! ([`Event::NodeBackOnline`]). [`NodeRegistry::can_serve`] checks the heartbeat age itself,
//! so it is exact even before the sweep reaches a node.
//!
//! ## Reputation
//!
//! A Beta(r, s) score `(r + 1) / (r + s + 2)` ([`Reputation`]). Each reported outcome first
//! decays r and s by `λ ^ (epochs since the last update)`, then adds its weight to r (positive
//! reasons) or s (negative ones). An outcome of value `v` weighs
//! `min(max(1, v / ReputationValueUnit), MaxReputationWeight)`, so large jobs count more but
//! no single outcome dominates. Reads decay to the current epoch without writing.
//!
//! ## Invariants (checked by `do_try_state`)
//!
//! - `ActiveNodes` holds `(kind, node)` iff the node is `Active`, not marked offline and offers
//!   `kind`; keys are big-endian node ids, so a prefix iterates in ascending id order.
//! - `OwnerNodes[owner]` lists exactly the nodes whose owner is `owner` (never empty).
//! - `WorkerKeys[key] = node` iff `Nodes[node].worker_key == key`.
//! - `allow_list_len` equals the node's `AllowList` entries and is at most `MaxAllowList`; no
//!   entries exist for removed nodes.
//! - For every owner, the balance held under [`HoldReason::NodeBond`] equals the sum of the
//!   `bond`s of their nodes.
//! - Every node id is below `NextNodeId`; every node has at least one capability.
//!
//! ## Runtime API
//!
//! `pallet-node-registry-runtime-api` declares `NodeRegistryApi`; the runtime implements it
//! with [`Pallet::node_info`] and [`Pallet::active_nodes_page`].

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	storage::with_storage_layer,
	traits::{
		fungible::{self, InspectHold, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
		DefensiveSaturating,
	},
	weights::WeightMeter,
};
use frame_system::pallet_prelude::*;
use ocos_primitives::{
	EpochAnchor, EpochClock, EpochIndex, GpuClass, NodeId, NodeRegistry, ReputationReason,
	ResourceKind, WorkerKey,
};
use sp_core::sr25519;
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedInto},
	Perbill,
};

pub use ocos_primitives::WORKER_KEY_TYPE;

/// Longest slash reason, in bytes.
pub const MAX_SLASH_REASON_LEN: u32 = 64;

/// `InvalidTransaction::Custom` code: the heartbeat names no registered node.
pub const INVALID_UNKNOWN_NODE: u8 = 1;
/// `InvalidTransaction::Custom` code: the heartbeat's node is retiring.
pub const INVALID_NODE_RETIRING: u8 = 2;

/// The resource kinds a node can be indexed under.
const RESOURCE_KINDS: [ResourceKind; 2] = [ResourceKind::Gpu, ResourceKind::Storage];

/// Balance of the currency bonds are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// The registry's parameters with the runtime's balance and block number types.
pub type RegistryParamsOf<T> = RegistryParams<BalanceOf<T>, BlockNumberFor<T>>;

/// Why the DAO slashed a node (UTF-8, shown in the event).
pub type SlashReason = BoundedVec<u8, ConstU32<MAX_SLASH_REASON_LEN>>;

/// Key of a node in the `ActiveNodes` index: its id in big-endian bytes, so the trie order of
/// an index prefix is ascending id order.
pub fn index_key(node: NodeId) -> [u8; 8] {
	node.to_be_bytes()
}

/// The node id of an `ActiveNodes` key.
pub fn node_of_index_key(key: [u8; 8]) -> NodeId {
	NodeId::from_be_bytes(key)
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The currency node bonds are held in.
		type Currency: fungible::Inspect<Self::AccountId>
			+ fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Origin of the DAO-only calls: `verify`, `suspend`, `resume`, `slash`, `set_params`.
		type DaoOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The parameters in force until genesis or the DAO sets others (the production
		/// values). Must pass the checks of `set_params`.
		#[pallet::constant]
		type DefaultParams: Get<RegistryParamsOf<Self>>;

		/// Account that receives slashed bonds.
		#[pallet::constant]
		type TreasuryAccount: Get<Self::AccountId>;

		/// λ: the share of reputation evidence kept per epoch. Must be below one.
		#[pallet::constant]
		type ReputationDecay: Get<Perbill>;

		/// Outcome value (in plancks) that weighs one unit. Must be non-zero.
		#[pallet::constant]
		type ReputationValueUnit: Get<u128>;

		/// Largest weight of a single outcome. Must be at least one.
		#[pallet::constant]
		type MaxReputationWeight: Get<u32>;

		/// Most nodes one account may own.
		#[pallet::constant]
		type MaxNodesPerOwner: Get<u32>;

		/// Most customers on one node's allow-list.
		#[pallet::constant]
		type MaxAllowList: Get<u32>;

		/// Longest GPU model name, in bytes.
		#[pallet::constant]
		type MaxModelLen: Get<u32>;

		/// Longest region label, in bytes.
		#[pallet::constant]
		type MaxRegionLen: Get<u32>;

		/// Longest endpoint, in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;

		/// Most nodes the liveness sweep examines per block.
		#[pallet::constant]
		type MaxOfflineScan: Get<u32>;

		/// Pool priority of heartbeat transactions.
		#[pallet::constant]
		type UnsignedPriority: Get<TransactionPriority>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Reasons this pallet holds funds for.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The bond of a registered node.
		#[codec(index = 0)]
		NodeBond,
	}

	/// The parameters when nothing is stored: [`Config::DefaultParams`].
	#[pallet::type_value]
	pub fn ParamsOnEmpty<T: Config>() -> RegistryParamsOf<T> {
		T::DefaultParams::get()
	}

	/// The registry's parameters (see [`RegistryParams`]).
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, RegistryParamsOf<T>, ValueQuery, ParamsOnEmpty<T>>;

	/// The anchor the economy's epochs are counted from; moved to the running epoch whenever
	/// the epoch length changes.
	#[pallet::storage]
	pub type Epoch<T: Config> = StorageValue<_, EpochAnchor<BlockNumberFor<T>>, ValueQuery>;

	/// The id the next registered node gets.
	#[pallet::storage]
	pub type NextNodeId<T> = StorageValue<_, NodeId, ValueQuery>;

	/// Every registered node that has not been retired.
	#[pallet::storage]
	pub type Nodes<T: Config> = StorageMap<_, Twox64Concat, NodeId, NodeRecord<T>, OptionQuery>;

	/// The nodes of each owner, in registration order.
	#[pallet::storage]
	pub type OwnerNodes<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<NodeId, T::MaxNodesPerOwner>,
		ValueQuery,
	>;

	/// The node each worker key belongs to.
	#[pallet::storage]
	pub type WorkerKeys<T> = StorageMap<_, Blake2_128Concat, WorkerKey, NodeId, OptionQuery>;

	/// Customers a node with [`AccessPolicy::AllowList`] accepts, besides its owner.
	#[pallet::storage]
	pub type AllowList<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NodeId, Blake2_128Concat, T::AccountId, (), OptionQuery>;

	/// Index of the active, online nodes per resource kind; the second key is the node id in
	/// big-endian bytes ([`index_key`]), so each kind iterates in ascending id order. Node ids
	/// are assigned by the chain, hence the `Identity` hasher.
	#[pallet::storage]
	pub type ActiveNodes<T> =
		StorageDoubleMap<_, Twox64Concat, ResourceKind, Identity, [u8; 8], (), OptionQuery>;

	/// The last node the liveness sweep examined; `None`: start from the beginning.
	#[pallet::storage]
	pub type OfflineCursor<T> = StorageValue<_, NodeId, OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A node was registered and its bond held; it awaits verification.
		NodeRegistered {
			node: NodeId,
			owner: T::AccountId,
			worker_key: WorkerKey,
			bond: BalanceOf<T>,
		},
		/// The DAO verified a pending node; it is active.
		NodeVerified { node: NodeId },
		/// The DAO suspended a node.
		NodeSuspended { node: NodeId },
		/// The DAO resumed a suspended node; it is active.
		NodeResumed { node: NodeId },
		/// The DAO slashed `amount` of a node's bond to the treasury.
		NodeSlashed { node: NodeId, amount: BalanceOf<T>, reason: SlashReason },
		/// The owner updated a node; `reverify`: it went back to pending for verification.
		NodeUpdated { node: NodeId, reverify: bool },
		/// The owner replaced a node's worker key.
		WorkerKeyRotated { node: NodeId, old: WorkerKey, new: WorkerKey },
		/// The owner started retiring a node.
		NodeRetiring { node: NodeId, since: BlockNumberFor<T> },
		/// A retired node's bond was released and the node removed.
		NodeRetired { node: NodeId, owner: T::AccountId, released: BalanceOf<T> },
		/// The owner set a node's access policy.
		AccessPolicySet { node: NodeId, policy: AccessPolicy },
		/// The owner allow-listed a customer on a node.
		CustomerAllowed { node: NodeId, customer: T::AccountId },
		/// The owner removed a customer from a node's allow-list.
		CustomerRevoked { node: NodeId, customer: T::AccountId },
		/// A node's heartbeat was recorded at `block_number`.
		HeartbeatReceived { node: NodeId, block_number: BlockNumberFor<T> },
		/// An active node's heartbeats lapsed; it gets no work until it heartbeats again.
		NodeOffline { node: NodeId },
		/// A node marked offline heartbeated again.
		NodeBackOnline { node: NodeId },
		/// An outcome of a node's work changed its reputation to `score`.
		ReputationUpdated { node: NodeId, reason: ReputationReason, score: Perbill },
		/// The DAO changed the registry's parameters; these are now in force.
		ParamsSet { params: RegistryParamsOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No registered node has this id.
		UnknownNode,
		/// Only the node's owner may do this.
		NotOwner,
		/// The worker key already belongs to a node.
		WorkerKeyInUse,
		/// The key proof is not the worker key's signature of [`worker_key_proof_payload`] for
		/// the caller.
		InvalidKeyProof,
		/// A node must offer a GPU or storage.
		NoCapability,
		/// A GPU needs a model name and non-zero VRAM.
		InvalidGpuSpec,
		/// The owner already has `MaxNodesPerOwner` nodes.
		TooManyNodes,
		/// The owner cannot hold the node bond.
		InsufficientBalance,
		/// Node ids are exhausted.
		NodeIdOverflow,
		/// Only a pending node can be verified.
		NotPending,
		/// Only an active or pending node can be suspended.
		CannotSuspend,
		/// Only a suspended node can be resumed.
		NotSuspended,
		/// The slash amounts to nothing (zero fraction or no bond left).
		NothingToSlash,
		/// An update must change at least one field.
		NothingToUpdate,
		/// The node is retiring: it cannot be changed or retired again.
		NodeRetiring,
		/// A suspended node cannot raise its capabilities.
		NodeSuspended,
		/// Only a retiring node's bond can be withdrawn.
		NotRetiring,
		/// The retirement cooldown has not passed yet.
		CooldownNotElapsed,
		/// Work assigned to the node has not ended yet.
		WorkInFlight,
		/// The customer is already on the allow-list.
		AlreadyAllowed,
		/// The customer is not on the allow-list.
		NotAllowed,
		/// The allow-list already has `MaxAllowList` customers.
		TooManyAllowed,
		/// The heartbeat signature does not verify with the node's worker key.
		BadSignature,
		/// The heartbeat is signed at a block after the current one.
		HeartbeatFromFuture,
		/// The heartbeat was signed `heartbeat_period` or more blocks ago.
		HeartbeatExpired,
		/// The node heartbeated less than `heartbeat_period` blocks ago.
		HeartbeatTooEarly,
		/// The heartbeat period must be non-zero.
		ZeroHeartbeatPeriod,
		/// The heartbeat timeout must exceed the heartbeat period.
		HeartbeatTimeoutTooShort,
		/// The epoch length must be non-zero.
		ZeroEpochLength,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_idle(now: BlockNumberFor<T>, remaining_weight: Weight) -> Weight {
			Self::sweep(now, remaining_weight)
		}

		fn integrity_test() {
			assert_eq!(
				Self::ensure_valid_params(&T::DefaultParams::get()),
				Ok(()),
				"DefaultParams must pass the checks of set_params"
			);
			assert!(
				T::ReputationDecay::get() < Perbill::one(),
				"ReputationDecay must be below one"
			);
			assert!(T::ReputationValueUnit::get() > 0, "ReputationValueUnit must be non-zero");
			assert!(T::MaxReputationWeight::get() >= 1, "MaxReputationWeight must be at least 1");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a node owned by the caller, holding `node_bond` from the caller. The node
		/// is `Pending` until the DAO verifies it. `key_proof` is `worker_key`'s signature of
		/// [`worker_key_proof_payload`] for the caller.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			worker_key: WorkerKey,
			capabilities: Capabilities<T>,
			region: BoundedVec<u8, T::MaxRegionLen>,
			endpoint: BoundedVec<u8, T::MaxEndpointLen>,
			key_proof: sr25519::Signature,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::ensure_key_proof(&owner, &worker_key, &key_proof)?;
			let (node, bond) = Self::do_register(
				owner.clone(),
				worker_key,
				capabilities,
				region,
				endpoint,
				NodeStatus::Pending,
			)?;
			Self::deposit_event(Event::NodeRegistered { node, owner, worker_key, bond });
			Ok(())
		}

		/// Activates a pending node (DAO).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::verify_node())]
		pub fn verify(origin: OriginFor<T>, node: NodeId) -> DispatchResult {
			T::DaoOrigin::ensure_origin(origin)?;
			Self::mutate_node(node, |record| {
				ensure!(record.status == NodeStatus::Pending, Error::<T>::NotPending);
				record.status = NodeStatus::Active;
				Ok(())
			})?;
			Self::deposit_event(Event::NodeVerified { node });
			Ok(())
		}

		/// Suspends an active or pending node (DAO): it gets no work until resumed.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::suspend())]
		pub fn suspend(origin: OriginFor<T>, node: NodeId) -> DispatchResult {
			T::DaoOrigin::ensure_origin(origin)?;
			Self::mutate_node(node, |record| {
				ensure!(
					matches!(record.status, NodeStatus::Active | NodeStatus::Pending),
					Error::<T>::CannotSuspend
				);
				record.status = NodeStatus::Suspended;
				Ok(())
			})?;
			Self::deposit_event(Event::NodeSuspended { node });
			Ok(())
		}

		/// Reactivates a suspended node (DAO).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::resume())]
		pub fn resume(origin: OriginFor<T>, node: NodeId) -> DispatchResult {
			T::DaoOrigin::ensure_origin(origin)?;
			Self::mutate_node(node, |record| {
				ensure!(record.status == NodeStatus::Suspended, Error::<T>::NotSuspended);
				record.status = NodeStatus::Active;
				Ok(())
			})?;
			Self::deposit_event(Event::NodeResumed { node });
			Ok(())
		}

		/// Moves `fraction` of the node's bond (rounded down) from the owner's hold to
		/// `TreasuryAccount` (DAO). The node's status is unchanged; suspend it separately.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::slash())]
		pub fn slash(
			origin: OriginFor<T>,
			node: NodeId,
			fraction: Perbill,
			reason: SlashReason,
		) -> DispatchResult {
			T::DaoOrigin::ensure_origin(origin)?;
			Self::do_slash(node, fraction, reason)?;
			Ok(())
		}

		/// Changes what a node declares (owner). Raised capabilities send an active node back
		/// to `Pending` for re-verification and are refused for a suspended node.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::update())]
		pub fn update(
			origin: OriginFor<T>,
			node: NodeId,
			endpoint: Option<BoundedVec<u8, T::MaxEndpointLen>>,
			capabilities: Option<Capabilities<T>>,
			region: Option<BoundedVec<u8, T::MaxRegionLen>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(
				endpoint.is_some() || capabilities.is_some() || region.is_some(),
				Error::<T>::NothingToUpdate
			);
			let reverify = Self::mutate_node(node, |record| {
				ensure!(record.owner == who, Error::<T>::NotOwner);
				ensure!(!record.is_retiring(), Error::<T>::NodeRetiring);
				let mut reverify = false;
				if let Some(capabilities) = capabilities {
					Self::ensure_valid_capabilities(&capabilities)?;
					if capabilities.exceeds(&record.capabilities) {
						match record.status {
							NodeStatus::Suspended => return Err(Error::<T>::NodeSuspended.into()),
							NodeStatus::Active => {
								record.status = NodeStatus::Pending;
								reverify = true;
							}
							NodeStatus::Pending | NodeStatus::Retiring { .. } => {}
						}
					}
					record.capabilities = capabilities;
				}
				if let Some(endpoint) = endpoint {
					record.endpoint = endpoint;
				}
				if let Some(region) = region {
					record.region = region;
				}
				Ok(reverify)
			})?;
			Self::deposit_event(Event::NodeUpdated { node, reverify });
			Ok(())
		}

		/// Replaces a node's worker key (owner). `key_proof` is `new_key`'s signature of
		/// [`worker_key_proof_payload`] for the caller. Heartbeats signed with the old key are
		/// no longer accepted.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::rotate_worker_key())]
		pub fn rotate_worker_key(
			origin: OriginFor<T>,
			node: NodeId,
			new_key: WorkerKey,
			key_proof: sr25519::Signature,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			// Checked against the caller: if the caller is not the owner the call fails anyway.
			Self::ensure_key_proof(&who, &new_key, &key_proof)?;
			let old = Self::mutate_node(node, |record| {
				ensure!(record.owner == who, Error::<T>::NotOwner);
				ensure!(!WorkerKeys::<T>::contains_key(new_key), Error::<T>::WorkerKeyInUse);
				Ok(core::mem::replace(&mut record.worker_key, new_key))
			})?;
			WorkerKeys::<T>::remove(old);
			WorkerKeys::<T>::insert(new_key, node);
			Self::deposit_event(Event::WorkerKeyRotated { node, old, new: new_key });
			Ok(())
		}

		/// Starts retiring a node (owner): it gets no new work from now on.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::retire())]
		pub fn retire(origin: OriginFor<T>, node: NodeId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let since = frame_system::Pallet::<T>::block_number();
			Self::mutate_node(node, |record| {
				ensure!(record.owner == who, Error::<T>::NotOwner);
				ensure!(!record.is_retiring(), Error::<T>::NodeRetiring);
				record.status = NodeStatus::Retiring { since };
				Ok(())
			})?;
			Self::deposit_event(Event::NodeRetiring { node, since });
			Ok(())
		}

		/// Releases a retiring node's bond and removes the node (owner), once `retire_cooldown`
		/// blocks have passed since it started retiring and no work is in flight.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::withdraw_bond(T::MaxAllowList::get()))]
		pub fn withdraw_bond(origin: OriginFor<T>, node: NodeId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let record = Nodes::<T>::get(node).ok_or(Error::<T>::UnknownNode)?;
			ensure!(record.owner == who, Error::<T>::NotOwner);
			let NodeStatus::Retiring { since } = record.status else {
				return Err(Error::<T>::NotRetiring.into());
			};
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				since.saturating_add(Params::<T>::get().retire_cooldown) <= now,
				Error::<T>::CooldownNotElapsed
			);
			ensure!(record.in_flight == 0, Error::<T>::WorkInFlight);

			let released = if record.bond.is_zero() {
				Zero::zero()
			} else {
				T::Currency::release(
					&HoldReason::NodeBond.into(),
					&who,
					record.bond,
					Precision::BestEffort,
				)?
			};
			if released != record.bond {
				defensive!("the hold of a node's bond is smaller than its recorded bond");
			}
			Self::remove_node(node, &record);
			Self::deposit_event(Event::NodeRetired { node, owner: who, released });
			Ok(Some(T::WeightInfo::withdraw_bond(record.allow_list_len)).into())
		}

		/// Sets which customers a node accepts (owner).
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_access_policy())]
		pub fn set_access_policy(
			origin: OriginFor<T>,
			node: NodeId,
			policy: AccessPolicy,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::mutate_node(node, |record| {
				ensure!(record.owner == who, Error::<T>::NotOwner);
				record.access = policy;
				Ok(())
			})?;
			Self::deposit_event(Event::AccessPolicySet { node, policy });
			Ok(())
		}

		/// Adds a customer to a node's allow-list (owner).
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::allow_customer())]
		pub fn allow_customer(
			origin: OriginFor<T>,
			node: NodeId,
			customer: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::mutate_node(node, |record| {
				ensure!(record.owner == who, Error::<T>::NotOwner);
				ensure!(!AllowList::<T>::contains_key(node, &customer), Error::<T>::AlreadyAllowed);
				ensure!(record.allow_list_len < T::MaxAllowList::get(), Error::<T>::TooManyAllowed);
				// Below `MaxAllowList`, so it cannot overflow.
				record.allow_list_len = record.allow_list_len.saturating_add(1);
				AllowList::<T>::insert(node, &customer, ());
				Ok(())
			})?;
			Self::deposit_event(Event::CustomerAllowed { node, customer });
			Ok(())
		}

		/// Removes a customer from a node's allow-list (owner). Work already assigned to the
		/// customer is not affected.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::revoke_customer())]
		pub fn revoke_customer(
			origin: OriginFor<T>,
			node: NodeId,
			customer: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::mutate_node(node, |record| {
				ensure!(record.owner == who, Error::<T>::NotOwner);
				ensure!(AllowList::<T>::contains_key(node, &customer), Error::<T>::NotAllowed);
				// The entry exists, so the count is at least one.
				record.allow_list_len = record.allow_list_len.defensive_saturating_sub(1);
				AllowList::<T>::remove(node, &customer);
				Ok(())
			})?;
			Self::deposit_event(Event::CustomerRevoked { node, customer });
			Ok(())
		}

		/// Records that a node is alive (unsigned, fee-free). The worker signs
		/// [`Heartbeat::signing_payload`] with its worker key; see the pallet docs for the
		/// validity rules, which the pool and this call both apply.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::heartbeat())]
		pub fn heartbeat(
			origin: OriginFor<T>,
			heartbeat: Heartbeat<BlockNumberFor<T>>,
			signature: sr25519::Signature,
		) -> DispatchResult {
			ensure_none(origin)?;
			let now = frame_system::Pallet::<T>::block_number();
			Self::check_heartbeat(&heartbeat, &signature, now).map_err(Error::<T>::from)?;
			let node = heartbeat.node;
			let was_offline = Self::mutate_node(node, |record| {
				record.last_heartbeat = now;
				Ok(core::mem::replace(&mut record.offline, false))
			})?;
			if was_offline {
				Self::deposit_event(Event::NodeBackOnline { node });
			}
			Self::deposit_event(Event::HeartbeatReceived { node, block_number: now });
			Ok(())
		}

		/// Changes the given registry parameters (DAO); see [`RegistryParams`]. A new epoch
		/// length counts from the start of the running epoch; a new bond applies to nodes
		/// registered from now on.
		///
		/// Emits [`Event::ParamsSet`] with the parameters now in force.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(
			origin: OriginFor<T>,
			node_bond: Option<BalanceOf<T>>,
			heartbeat_period: Option<BlockNumberFor<T>>,
			heartbeat_timeout: Option<BlockNumberFor<T>>,
			retire_cooldown: Option<BlockNumberFor<T>>,
			epoch_length: Option<BlockNumberFor<T>>,
		) -> DispatchResult {
			T::DaoOrigin::ensure_origin(origin)?;
			let old = Params::<T>::get();
			let params = RegistryParams {
				node_bond: node_bond.unwrap_or(old.node_bond),
				heartbeat_period: heartbeat_period.unwrap_or(old.heartbeat_period),
				heartbeat_timeout: heartbeat_timeout.unwrap_or(old.heartbeat_timeout),
				retire_cooldown: retire_cooldown.unwrap_or(old.retire_cooldown),
				epoch_length: epoch_length.unwrap_or(old.epoch_length),
			};
			ensure!(params != old, Error::<T>::NothingToUpdate);
			Self::ensure_valid_params(&params)?;

			if params.epoch_length != old.epoch_length {
				let now = frame_system::Pallet::<T>::block_number();
				Epoch::<T>::mutate(|anchor| *anchor = anchor.advanced_to(now, old.epoch_length));
			}
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}
	}

	#[pallet::validate_unsigned]
	#[allow(deprecated)]
	impl<T: Config> ValidateUnsigned for Pallet<T> {
		type Call = Call<T>;

		/// Admits a heartbeat that passes the checks of [`Pallet::heartbeat`]: one per node
		/// and heartbeat period (the `provides` tag), living until the period ends.
		fn validate_unsigned(_source: TransactionSource, call: &Self::Call) -> TransactionValidity {
			let Call::heartbeat { heartbeat, signature } = call else {
				return InvalidTransaction::Call.into();
			};
			let now = frame_system::Pallet::<T>::block_number();
			Self::check_heartbeat(heartbeat, signature, now)
				.map_err(HeartbeatRejection::validity_error)?;

			let period = Self::heartbeat_period();
			let period_index = now.checked_div(&period).unwrap_or_default();
			let period_end = period_index.saturating_add(One::one()).saturating_mul(period);
			let expiry = period_end.min(heartbeat.block_number.saturating_add(period));
			let longevity: TransactionLongevity =
				expiry.saturating_sub(now).unique_saturated_into();
			ValidTransaction::with_tag_prefix("OcosNodeHeartbeat")
				.priority(T::UnsignedPriority::get())
				.and_provides((heartbeat.node, period_index))
				.longevity(longevity.max(1))
				.propagate(true)
				.build()
		}
	}

	/// The registry at genesis: its parameters, and nodes that exist from the start, already
	/// bonded and active (development and test chains), whose worker keys are trusted and need
	/// no key proof.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Parameters other than [`Config::DefaultParams`]; `None` keeps the defaults.
		pub params: Option<RegistryParamsOf<T>>,
		/// The nodes, registered in order (ids from 0), with empty region and endpoint.
		pub nodes: Vec<GenesisNode<T::AccountId>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// A genesis that cannot be built must fail loudly, hence the `expect`s.
			if let Some(params) = self.params {
				Pallet::<T>::ensure_valid_params(&params)
					.expect("genesis registry parameters must pass the checks of set_params");
				Params::<T>::put(params);
			}
			for node in &self.nodes {
				let capabilities = node
					.capabilities::<T>()
					.expect("genesis node GPU model is longer than MaxModelLen");
				Pallet::<T>::do_register(
					node.owner.clone(),
					node.worker_key,
					capabilities,
					BoundedVec::new(),
					BoundedVec::new(),
					NodeStatus::Active,
				)
				.expect(
					"genesis node must have a unique worker key, a capability, room among its \
					 owner's nodes and an owner balance that can hold the bond",
				);
			}
		}
	}
}

/// Why a heartbeat is refused; the call reports it as an [`Error`], the pool as an
/// `InvalidTransaction`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum HeartbeatRejection {
	UnknownNode,
	Retiring,
	FromFuture,
	Expired,
	TooEarly,
	BadSignature,
}

impl HeartbeatRejection {
	/// The pool's view: `Future` for a payload from a later block, `Stale` for an expired
	/// payload or a node that heartbeated this period, `BadProof` for a bad signature and
	/// custom codes for unknown and retiring nodes.
	fn validity_error(self) -> TransactionValidityError {
		let invalid = match self {
			Self::UnknownNode => InvalidTransaction::Custom(INVALID_UNKNOWN_NODE),
			Self::Retiring => InvalidTransaction::Custom(INVALID_NODE_RETIRING),
			Self::FromFuture => InvalidTransaction::Future,
			Self::Expired | Self::TooEarly => InvalidTransaction::Stale,
			Self::BadSignature => InvalidTransaction::BadProof,
		};
		invalid.into()
	}
}

impl<T: Config> From<HeartbeatRejection> for Error<T> {
	fn from(rejection: HeartbeatRejection) -> Self {
		match rejection {
			HeartbeatRejection::UnknownNode => Error::<T>::UnknownNode,
			HeartbeatRejection::Retiring => Error::<T>::NodeRetiring,
			HeartbeatRejection::FromFuture => Error::<T>::HeartbeatFromFuture,
			HeartbeatRejection::Expired => Error::<T>::HeartbeatExpired,
			HeartbeatRejection::TooEarly => Error::<T>::HeartbeatTooEarly,
			HeartbeatRejection::BadSignature => Error::<T>::BadSignature,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Registers a node with `status`, holding the bond; returns its id and the bond. Shared
	/// by `register` (status `Pending`) and the genesis build (`Active`).
	fn do_register(
		owner: T::AccountId,
		worker_key: WorkerKey,
		capabilities: Capabilities<T>,
		region: BoundedVec<u8, T::MaxRegionLen>,
		endpoint: BoundedVec<u8, T::MaxEndpointLen>,
		status: NodeStatus<BlockNumberFor<T>>,
	) -> Result<(NodeId, BalanceOf<T>), DispatchError> {
		ensure!(!WorkerKeys::<T>::contains_key(worker_key), Error::<T>::WorkerKeyInUse);
		Self::ensure_valid_capabilities(&capabilities)?;
		let node = NextNodeId::<T>::get();
		let next = node.checked_add(1).ok_or(Error::<T>::NodeIdOverflow)?;
		OwnerNodes::<T>::try_mutate(&owner, |nodes| nodes.try_push(node))
			.map_err(|_| Error::<T>::TooManyNodes)?;

		let bond = Params::<T>::get().node_bond;
		if !bond.is_zero() {
			let reason: T::RuntimeHoldReason = HoldReason::NodeBond.into();
			ensure!(T::Currency::can_hold(&reason, &owner, bond), Error::<T>::InsufficientBalance);
			T::Currency::hold(&reason, &owner, bond)?;
		}

		let now = frame_system::Pallet::<T>::block_number();
		let record = NodeRecord {
			owner,
			worker_key,
			capabilities,
			region,
			endpoint,
			status,
			bond,
			access: AccessPolicy::Open,
			allow_list_len: 0,
			last_heartbeat: now,
			offline: false,
			in_flight: 0,
			reputation: Reputation::new(Self::current_epoch()),
			registered_at: now,
		};
		Self::reindex(node, None, Some(&record));
		Nodes::<T>::insert(node, record);
		WorkerKeys::<T>::insert(worker_key, node);
		NextNodeId::<T>::put(next);
		Ok((node, bond))
	}

	/// Checks that `key_proof` is `worker_key`'s sr25519 signature of
	/// [`worker_key_proof_payload`] for `owner`.
	fn ensure_key_proof(
		owner: &T::AccountId,
		worker_key: &WorkerKey,
		key_proof: &sr25519::Signature,
	) -> DispatchResult {
		let public = sr25519::Public::from_raw(*worker_key);
		ensure!(
			sp_io::crypto::sr25519_verify(key_proof, &worker_key_proof_payload(owner), &public),
			Error::<T>::InvalidKeyProof
		);
		Ok(())
	}

	/// A node needs at least one capability, and a declared GPU a model and VRAM.
	fn ensure_valid_capabilities(capabilities: &Capabilities<T>) -> DispatchResult {
		if let Some(gpu) = &capabilities.gpu {
			ensure!(gpu.vram_mib > 0 && !gpu.model.is_empty(), Error::<T>::InvalidGpuSpec);
		}
		ensure!(
			capabilities.gpu.is_some() || capabilities.storage_bytes > 0,
			Error::<T>::NoCapability
		);
		Ok(())
	}

	/// Applies `f` to a node's record and brings the `ActiveNodes` index in line with the
	/// result. Nothing is written if the node does not exist or `f` fails.
	pub(crate) fn mutate_node<R>(
		node: NodeId,
		f: impl FnOnce(&mut NodeRecord<T>) -> Result<R, DispatchError>,
	) -> Result<R, DispatchError> {
		Nodes::<T>::try_mutate(node, |maybe_record| {
			let record = maybe_record.as_mut().ok_or(Error::<T>::UnknownNode)?;
			let before = record.clone();
			let out = f(record)?;
			Self::reindex(node, Some(&before), Some(record));
			Ok(out)
		})
	}

	/// Inserts and removes the node's `ActiveNodes` entries that differ between `before` and
	/// `after` (`None`: the node does not exist).
	fn reindex(node: NodeId, before: Option<&NodeRecord<T>>, after: Option<&NodeRecord<T>>) {
		for kind in RESOURCE_KINDS {
			let was = before.is_some_and(|record| record.is_indexed_for(kind));
			let is = after.is_some_and(|record| record.is_indexed_for(kind));
			match (was, is) {
				(false, true) => ActiveNodes::<T>::insert(kind, index_key(node), ()),
				(true, false) => ActiveNodes::<T>::remove(kind, index_key(node)),
				_ => {}
			}
		}
	}

	/// Removes a retired node and everything that refers to it.
	fn remove_node(node: NodeId, record: &NodeRecord<T>) {
		Self::reindex(node, Some(record), None);
		Nodes::<T>::remove(node);
		WorkerKeys::<T>::remove(record.worker_key);
		OwnerNodes::<T>::mutate_exists(&record.owner, |maybe_nodes| {
			if let Some(nodes) = maybe_nodes {
				nodes.retain(|id| *id != node);
				if nodes.is_empty() {
					*maybe_nodes = None;
				}
			}
		});
		// `allow_list_len <= MaxAllowList` entries exist, so one bounded pass removes them all.
		let removal = AllowList::<T>::clear_prefix(node, T::MaxAllowList::get(), None);
		if removal.maybe_cursor.is_some() {
			defensive!("a node has more allow-list entries than MaxAllowList");
		}
	}

	/// Checks parameters as `set_params` and the genesis build require them.
	pub(crate) fn ensure_valid_params(params: &RegistryParamsOf<T>) -> DispatchResult {
		ensure!(!params.heartbeat_period.is_zero(), Error::<T>::ZeroHeartbeatPeriod);
		ensure!(
			params.heartbeat_timeout > params.heartbeat_period,
			Error::<T>::HeartbeatTimeoutTooShort
		);
		ensure!(!params.epoch_length.is_zero(), Error::<T>::ZeroEpochLength);
		Ok(())
	}

	/// The heartbeat period in force, at least one block (the pool divides by it).
	fn heartbeat_period() -> BlockNumberFor<T> {
		Params::<T>::get().heartbeat_period.max(One::one())
	}

	/// The heartbeat timeout in force.
	fn heartbeat_timeout() -> BlockNumberFor<T> {
		Params::<T>::get().heartbeat_timeout
	}

	/// Checks a heartbeat at block `now`; returns the node's record if it is acceptable. The
	/// signature, the costliest check, comes last.
	fn check_heartbeat(
		heartbeat: &Heartbeat<BlockNumberFor<T>>,
		signature: &sr25519::Signature,
		now: BlockNumberFor<T>,
	) -> Result<NodeRecord<T>, HeartbeatRejection> {
		let record = Nodes::<T>::get(heartbeat.node).ok_or(HeartbeatRejection::UnknownNode)?;
		if record.is_retiring() {
			return Err(HeartbeatRejection::Retiring);
		}
		if heartbeat.block_number > now {
			return Err(HeartbeatRejection::FromFuture);
		}
		let period = Self::heartbeat_period();
		if heartbeat.block_number.saturating_add(period) <= now {
			return Err(HeartbeatRejection::Expired);
		}
		if record.last_heartbeat.saturating_add(period) > now {
			return Err(HeartbeatRejection::TooEarly);
		}
		let public = sr25519::Public::from_raw(record.worker_key);
		if !sp_io::crypto::sr25519_verify(signature, &heartbeat.signing_payload(), &public) {
			return Err(HeartbeatRejection::BadSignature);
		}
		Ok(record)
	}

	/// The liveness sweep: examines up to `MaxOfflineScan` nodes after `OfflineCursor`, as
	/// many as `limit` pays for, and marks active nodes whose heartbeat lapsed offline.
	/// Returns the weight used.
	pub(crate) fn sweep(now: BlockNumberFor<T>, limit: Weight) -> Weight {
		let mut meter = WeightMeter::with_limit(limit);
		let base = T::WeightInfo::on_idle_sweep(0);
		let per_node = T::WeightInfo::on_idle_sweep(1).saturating_sub(base);
		if meter.try_consume(base).is_err() {
			return Weight::zero();
		}

		let mut nodes = match OfflineCursor::<T>::get() {
			Some(last) => Nodes::<T>::iter_from(Nodes::<T>::hashed_key_for(last)),
			None => Nodes::<T>::iter(),
		};
		let timeout = Self::heartbeat_timeout();
		let mut lapsed = Vec::new();
		let mut last_seen = None;
		let mut reached_end = false;
		for _ in 0..T::MaxOfflineScan::get() {
			if meter.try_consume(per_node).is_err() {
				break;
			}
			let Some((node, record)) = nodes.next() else {
				reached_end = true;
				break;
			};
			last_seen = Some(node);
			if record.status == NodeStatus::Active
				&& !record.offline
				&& record.heartbeat_lapsed(now, timeout)
			{
				lapsed.push(node);
			}
		}
		match (reached_end, last_seen) {
			(true, _) => OfflineCursor::<T>::kill(),
			(false, Some(node)) => OfflineCursor::<T>::put(node),
			(false, None) => {}
		}

		for node in lapsed {
			if Self::mutate_node(node, |record| {
				record.offline = true;
				Ok(())
			})
			.is_ok()
			{
				Self::deposit_event(Event::NodeOffline { node });
			}
		}
		meter.consumed()
	}

	/// Moves `fraction` of the node's bond (rounded down) from the owner's hold to
	/// `TreasuryAccount`; the DAO's [`slash`](Pallet::slash) and the other pallets' slashes
	/// (through [`NodeRegistry::slash`]) both come here. Returns the amount moved.
	pub fn do_slash(
		node: NodeId,
		fraction: Perbill,
		reason: SlashReason,
	) -> Result<BalanceOf<T>, DispatchError> {
		let amount = Self::mutate_node(node, |record| {
			let amount = fraction.mul_floor(record.bond);
			ensure!(!amount.is_zero(), Error::<T>::NothingToSlash);
			// Best effort: moves at most what is actually held, which is `record.bond`.
			let slashed = T::Currency::transfer_on_hold(
				&HoldReason::NodeBond.into(),
				&record.owner,
				&T::TreasuryAccount::get(),
				amount,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)?;
			// `slashed <= amount <= bond`.
			record.bond = record.bond.defensive_saturating_sub(slashed);
			Ok(slashed)
		})?;
		Self::deposit_event(Event::NodeSlashed { node, amount, reason });
		Ok(amount)
	}

	/// The economy's current epoch, counted from the [`Epoch`] anchor.
	pub fn current_epoch() -> EpochIndex {
		let now = frame_system::Pallet::<T>::block_number();
		Epoch::<T>::get().epoch_at(now, Params::<T>::get().epoch_length)
	}

	/// Weight of an outcome of `value`: `min(max(1, value / ReputationValueUnit),
	/// MaxReputationWeight)`; a zero unit weighs every outcome the maximum.
	pub fn outcome_weight(value: u128) -> u32 {
		let max = T::MaxReputationWeight::get().max(1);
		let units = value.checked_div(T::ReputationValueUnit::get()).unwrap_or(u128::MAX);
		u32::try_from(units).unwrap_or(u32::MAX).max(1).min(max)
	}

	/// The node whose worker key is `key`, as its worker needs it: its id and the first block
	/// at which the registry takes its next heartbeat (`None` for an unknown key).
	pub fn worker_info(key: WorkerKey) -> Option<WorkerInfo<BlockNumberFor<T>>> {
		let node = WorkerKeys::<T>::get(key)?;
		let record = Nodes::<T>::get(node)?;
		Some(WorkerInfo {
			node,
			next_heartbeat: record.last_heartbeat.saturating_add(Self::heartbeat_period()),
			retiring: record.is_retiring(),
			storage_bytes: record.capabilities.storage_bytes,
		})
	}

	/// A node as the runtime API reports it, evaluated at the current block.
	pub fn node_info(
		node: NodeId,
	) -> Option<NodeInfo<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let record = Nodes::<T>::get(node)?;
		let now = frame_system::Pallet::<T>::block_number();
		let reputation =
			record.reputation.decayed(Self::current_epoch(), T::ReputationDecay::get()).score();
		Some(NodeInfo {
			online: record.is_live(now, Self::heartbeat_timeout()),
			gpu: record.capabilities.gpu.map(|gpu| GpuInfo {
				class: gpu.class,
				model: gpu.model.into_inner(),
				vram_mib: gpu.vram_mib,
			}),
			storage_bytes: record.capabilities.storage_bytes,
			owner: record.owner,
			worker_key: record.worker_key,
			region: record.region.into_inner(),
			endpoint: record.endpoint.into_inner(),
			status: record.status,
			bond: record.bond,
			access: record.access,
			allow_list_len: record.allow_list_len,
			last_heartbeat: record.last_heartbeat,
			in_flight: record.in_flight,
			reputation,
			registered_at: record.registered_at,
		})
	}

	/// Up to `limit` ids of active nodes offering `kind`, ascending, after `after`. May list a
	/// node whose heartbeat lapsed since the sweep last saw it; [`NodeRegistry::can_serve`] is
	/// exact.
	pub fn active_nodes_page(kind: ResourceKind, after: Option<NodeId>, limit: u32) -> Vec<NodeId> {
		let keys = match after {
			Some(after) => ActiveNodes::<T>::iter_key_prefix_from(
				kind,
				ActiveNodes::<T>::hashed_key_for(kind, index_key(after)),
			),
			None => ActiveNodes::<T>::iter_key_prefix(kind),
		};
		keys.take(usize::try_from(limit).unwrap_or(usize::MAX)).map(node_of_index_key).collect()
	}

	/// Checks the invariants listed in the pallet docs.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;

		let next = NextNodeId::<T>::get();
		let mut bonds: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (node, record) in Nodes::<T>::iter() {
			ensure!(node < next, "a node id is not below NextNodeId");
			ensure!(
				WorkerKeys::<T>::get(record.worker_key) == Some(node),
				"a node's worker key does not map back to it"
			);
			ensure!(
				OwnerNodes::<T>::get(&record.owner).contains(&node),
				"a node is missing from its owner's list"
			);
			ensure!(
				record.capabilities.gpu.is_some() || record.capabilities.storage_bytes > 0,
				"a node has no capability"
			);
			let allowed = AllowList::<T>::iter_prefix(node).count();
			ensure!(
				u32::try_from(allowed).ok() == Some(record.allow_list_len),
				"allow_list_len differs from the node's AllowList entries"
			);
			ensure!(
				record.allow_list_len <= T::MaxAllowList::get(),
				"an allow-list is longer than MaxAllowList"
			);
			for kind in RESOURCE_KINDS {
				ensure!(
					ActiveNodes::<T>::contains_key(kind, index_key(node))
						== record.is_indexed_for(kind),
					"ActiveNodes disagrees with a node's status, liveness mark or capabilities"
				);
			}
			let bonded = bonds.entry(record.owner.clone()).or_default();
			*bonded = bonded.saturating_add(record.bond);
		}
		for (kind, key) in ActiveNodes::<T>::iter_keys() {
			ensure!(
				Nodes::<T>::get(node_of_index_key(key))
					.is_some_and(|record| record.is_indexed_for(kind)),
				"an ActiveNodes entry has no matching active node"
			);
		}
		for (owner, nodes) in OwnerNodes::<T>::iter() {
			ensure!(!nodes.is_empty(), "an OwnerNodes entry is empty");
			for node in nodes {
				ensure!(
					Nodes::<T>::get(node).is_some_and(|record| record.owner == owner),
					"OwnerNodes lists a node its account does not own"
				);
			}
		}
		for (key, node) in WorkerKeys::<T>::iter() {
			ensure!(
				Nodes::<T>::get(node).is_some_and(|record| record.worker_key == key),
				"a worker key maps to a node with another key"
			);
		}
		for (node, _) in AllowList::<T>::iter_keys() {
			ensure!(Nodes::<T>::contains_key(node), "an allow-list entry outlived its node");
		}
		for (owner, bonded) in bonds {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::NodeBond.into(), &owner) == bonded,
				"an owner's held bond differs from the sum of their nodes' bonds"
			);
		}
		Ok(())
	}
}

impl<T: Config> NodeRegistry<T::AccountId> for Pallet<T> {
	fn owner(node: NodeId) -> Option<T::AccountId> {
		Nodes::<T>::get(node).map(|record| record.owner)
	}

	fn worker_key(node: NodeId) -> Option<WorkerKey> {
		Nodes::<T>::get(node).map(|record| record.worker_key)
	}

	fn gpu_class(node: NodeId) -> Option<GpuClass> {
		Nodes::<T>::get(node).and_then(|record| record.capabilities.gpu).map(|gpu| gpu.class)
	}

	fn storage_capacity(node: NodeId) -> u64 {
		Nodes::<T>::get(node).map_or(0, |record| record.capabilities.storage_bytes)
	}

	fn can_serve(node: NodeId, customer: &T::AccountId, kind: ResourceKind) -> bool {
		let Some(record) = Nodes::<T>::get(node) else { return false };
		let now = frame_system::Pallet::<T>::block_number();
		record.status == NodeStatus::Active
			&& record.is_live(now, Self::heartbeat_timeout())
			&& record.capabilities.has(kind)
			&& match record.access {
				AccessPolicy::Open => true,
				AccessPolicy::AllowList => {
					record.owner == *customer || AllowList::<T>::contains_key(node, customer)
				}
			}
	}

	fn active_nodes(kind: ResourceKind, after: Option<NodeId>, limit: u32) -> Vec<NodeId> {
		Self::active_nodes_page(kind, after, limit)
	}

	/// Zero for an unknown node.
	fn reputation(node: NodeId) -> Perbill {
		Nodes::<T>::get(node)
			.map(|record| {
				record.reputation.decayed(Self::current_epoch(), T::ReputationDecay::get()).score()
			})
			.unwrap_or_default()
	}

	/// Ignored for an unknown node (it may have retired since the work ended).
	fn report(node: NodeId, reason: ReputationReason, value: u128) {
		let epoch = Self::current_epoch();
		let weight = Self::outcome_weight(value);
		let score = Nodes::<T>::mutate(node, |maybe_record| {
			maybe_record.as_mut().map(|record| {
				record.reputation = record.reputation.record(
					epoch,
					T::ReputationDecay::get(),
					reason.is_positive(),
					weight,
				);
				record.reputation.score()
			})
		});
		if let Some(score) = score {
			Self::deposit_event(Event::ReputationUpdated { node, reason, score });
		}
	}

	/// Through [`Pallet::do_slash`], in a storage layer of its own: a slash that fails (unknown
	/// node, nothing to slash) changes nothing and returns 0.
	fn slash(node: NodeId, fraction: Perbill, reason: &[u8]) -> u128 {
		let reason = SlashReason::truncate_from(reason.to_vec());
		with_storage_layer(|| Self::do_slash(node, fraction, reason))
			.map_or(0, |amount| amount.unique_saturated_into())
	}

	fn work_started(node: NodeId) {
		let started = Nodes::<T>::mutate(node, |maybe_record| {
			maybe_record.as_mut().map(|record| {
				record.in_flight = record.in_flight.saturating_add(1);
			})
		});
		if started.is_none() {
			defensive!("work started on an unknown node");
		}
	}

	fn work_finished(node: NodeId) {
		let finished = Nodes::<T>::mutate(node, |maybe_record| {
			maybe_record.as_mut().map(|record| {
				record.in_flight = record.in_flight.defensive_saturating_sub(1);
			})
		});
		if finished.is_none() {
			defensive!("work finished on an unknown node");
		}
	}
}

impl<T: Config> EpochClock for Pallet<T> {
	fn current_epoch() -> EpochIndex {
		Self::current_epoch()
	}
}
