//! # Storage pallet (DataVault)
//!
//! Pin orders on OCOS Cloud: a customer asks for an IPFS CID to be kept by `replication`
//! storage nodes for a number of epochs and holds a budget for it. The pallet assigns nodes
//! with room for the content, collects their signed reports (pinned, failed, challenge
//! answers), challenges every replica once per epoch with a random byte range of the content,
//! compares the answers, strikes, slashes and replaces replicas that miss or answer against
//! the others, and pays the replicas that proved their storage through billing at the end of
//! each epoch. Other pallets are seen only through [`ocos_primitives::NodeRegistry`]
//! ([`Config::Registry`]) and [`ocos_primitives::Billing`] ([`Config::Billing`]).
//!
//! ## Terms
//!
//! - **Pin order** ([`Pin`]): the CID (text form, 1 to `MaxCidLen` ASCII letters and digits),
//!   the content's **size** in bytes (1 to `MaxPinSize`; the file's length, what `cat` returns),
//!   the **replication** `k` (1 to `MaxReplicas`), the **epochs** it runs (1 to `MaxEpochs`,
//!   counting the running one) and the held **budget**.
//! - **Epoch** of a pin: [`EpochLength`] blocks, set at genesis (1 minute on the development
//!   chains, 1 hour on the testnet). Its epochs end at its **rounds**, the blocks
//!   `placed + EpochLength`, `+ 2 × EpochLength`, …; each pin keeps its own phase, so rounds
//!   spread over blocks. A placement is refused while the bucket of its first round is full
//!   ([`Error::RoundsFull`]: place it a block later), so a bucket never holds more than
//!   `MaxPinsPerBlock` pins and moves on whole: each round reschedules into an emptied bucket.
//!   The length is not a DAO parameter, since a new length would merge buckets; changing it
//!   takes a runtime upgrade with a migration of [`Rounds`].
//! - **Units**: one epoch of one replica holding the content is `size` units of
//!   `Resource::StorageByteEpoch`.
//! - **Eligible node**: listed by `Registry::active_nodes(Storage, ..)` within the candidate
//!   window ([`ocos_primitives::candidate_window`], at most `MaxCandidates` nodes after
//!   [`CandidateCursor`]), `Registry::can_serve(node, customer, Storage)`, with fewer than
//!   `MaxPinsPerNode` pins and **room**: the sizes of the pins it holds ([`NodeUsage`]) plus
//!   this one within `Registry::storage_capacity(node)`; not already holding or recently
//!   dropped from the pin ([`MAX_DROPPED`] remembered), and not of an owner already among its
//!   replicas. Eligible nodes are ranked by reputation, ties broken by
//!   [`assignment_rank`]`(pin, node)`.
//! - **Report** ([`StorageReport`]): `(pin, node, report)` signed by the node's worker key over
//!   [`StorageReport::signing_payload`]. `Pinned { size }` (the measured size, which must equal
//!   the order's), `Failed(kind)` ([`PinFailure`]) or `Answer { round, hash }`.
//! - **Challenge** ([`Challenge`]): issued at each round to the replicas that hold the content:
//!   a seed drawn from [`Config::Randomness`] and `(CHALLENGE_DOMAIN, pin, round)`, and
//!   `min(ChallengeLength, size)` bytes at an offset drawn from the seed. The answer is
//!   blake2-256 of the seed followed by those bytes, due before the next round.
//!
//! ## Calls
//!
//! - [`pin`](Pallet::pin)`(cid, size, replication, epochs, max_budget)`: checks the order, that
//!   the budget pays one epoch of `k` replicas at current prices (`Billing::estimate`) and that
//!   a round bucket has room; assigns `k` nodes (or fails with [`Error::NotEnoughNodes`], or
//!   [`Error::InsufficientCapacity`] when nodes lack only room), holds the budget.
//! - [`report`](Pallet::report)`(report, signature)`: unsigned and fee-free; checked alike in
//!   the pool (`ValidateUnsigned`) and the call ([`ReportRejection`]). `Pinned` and `Failed`
//!   come from a replica still pending; `Answer` from a challenged replica that has not answered
//!   the running round, or from the referee of the last round's dispute. A failure reported by
//!   a strict majority of `k` before any replica pinned ends the order
//!   ([`EndReason::Failed`]); a failure on an order some replica holds drops the reporter (it is
//!   replaced at the next round).
//! - [`renew`](Pallet::renew)`(pin, epochs, extra_budget)`: the customer adds epochs (the
//!   remaining ones at most `MaxEpochs`) and holds more budget.
//! - [`unpin`](Pallet::unpin)`(pin)`: the customer ends the order; the rest of the budget is
//!   refunded (the running epoch is not billed).
//! - [`set_params`](Pallet::set_params)`(params)`: the DAO sets the strike limit and the slash.
//!
//! ## Rounds
//!
//! At a pin's round (`on_initialize`, at most `MaxPinsPerBlock` pins per block):
//! 1. **The last dispute** is decided by its referee's answer: tied replicas that gave it pass,
//!    the others fail; a silent referee is reported `MissedDeadline` and nobody fails.
//! 2. **The running challenge** is decided ([`decide_challenge`]): a replica that did not
//!    answer fails; among the answers, a hash given by a strict majority (or the only answer)
//!    passes and the others fail; with no majority the answers **tie** and go to a referee (an
//!    eligible node that is not a replica, room not needed) who answers the same challenge
//!    before the next round. Passing reports `ChallengePassed` and takes a strike off; failing
//!    reports `ChallengeFailed` and adds one. At `strike_limit` strikes the node's bond is
//!    slashed by `strike_slash` (`Registry::slash`) and the replica dropped.
//! 3. Replicas still pending (assigned before this round, not pinned) are reported
//!    `MissedDeadline` and dropped, as are replicas that reported a failure.
//! 4. **Billing**: the replicas that proved their storage this epoch (passed the challenge, or
//!    pinned during the epoch without being challenged) are paid `size` units each through
//!    `Billing::settle`, from at most their price out of the budget (quota first; a release is
//!    held again for the next epochs). A failing settlement leaves the epoch unbilled.
//! 5. The epoch ends. The order **expires** after its last epoch, and ends **unfunded** if the
//!    rest of the budget does not pay the next epoch of `k` replicas; either way the rest is
//!    refunded and every node is released.
//! 6. Otherwise missing replicas are replaced by eligible nodes, a new challenge is issued to
//!    the replicas holding the content, and the next round is scheduled `EpochLength` later.
//!
//! A replica dropped or an order ended leaves the node's [`NodePins`]: the worker sees it and
//! unpins. Ties are not billed: the referee's verdict only strikes.
//!
//! ## Invariants (checked by `do_try_state`)
//!
//! - Every pin id is below [`NextPinId`]. An open order has at most `replication` replicas
//!   of distinct nodes and owners, none of them recently dropped, is in exactly one [`Rounds`]
//!   bucket, that of its `next_round`, which is after the current block; an ended one has no
//!   replicas, challenge or dispute.
//! - [`NodePins`]`[node]` lists an open pin iff the node is one of its replicas or its
//!   referee; [`NodeUsage`]`[node]` is the sum of the sizes of the pins it is a replica of.
//!   No entry is empty or zero.

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
use codec::Encode;
use frame_support::{pallet_prelude::*, storage::with_storage_layer, traits::Randomness};
use frame_system::pallet_prelude::*;
use ocos_primitives::{
	pick_ranked, remove_listed, Billing, Candidate, NodeId, NodeRegistry, ReputationReason,
	Resource, ResourceKind, Usage,
};
use sp_core::sr25519;
use sp_runtime::traits::{One, Saturating, UniqueSaturatedInto, Zero};

pub use ocos_primitives::WORKER_KEY_TYPE;

/// `InvalidTransaction::Custom` code: the report names no pin.
pub const INVALID_UNKNOWN_PIN: u8 = 1;
/// `InvalidTransaction::Custom` code: the reporting node is neither replica nor referee.
pub const INVALID_NOT_ASSIGNED: u8 = 2;
/// `InvalidTransaction::Custom` code: a `Pinned` report with another size than the order's.
pub const INVALID_SIZE: u8 = 3;
/// `InvalidTransaction::Custom` code: the reporting node has no worker key (unknown node).
pub const INVALID_UNKNOWN_NODE: u8 = 4;

/// Blocks after the due one searched for a round bucket with room when a round is
/// rescheduled: only after a change of the epoch length can the due bucket be full.
pub const SCHEDULE_SLACK: u32 = 8;

/// Reason recorded with a slash for strikes.
pub const STRIKES_SLASH_REASON: &[u8] = b"storage challenge strikes";

/// Balance of budgets.
pub type BalanceOf<T> = <T as Config>::Balance;

/// What the benchmarks need from the rest of the runtime: nodes, funds and prices.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Balance> {
	/// Registers an active, live node of `owner` offering `bytes` of storage with the worker
	/// key `worker_key`, whose secret the keystore holds under [`WORKER_KEY_TYPE`]. Returns
	/// the node's id.
	fn register_storage_node(
		owner: &AccountId,
		bytes: u64,
		worker_key: ocos_primitives::WorkerKey,
	) -> NodeId;
	/// Gives `who` at least `amount` of free balance to hold as budgets.
	fn fund(who: &AccountId, amount: Balance);
	/// Sets (`Some`) or removes (`None`) the price of `resource`.
	fn set_price(resource: Resource, price: Option<Balance>);
}

/// The tie-break among nodes of equal reputation when assigning `pin`: blake2-256 of
/// `(ASSIGNMENT_DOMAIN, pin, node)` SCALE-encoded; smaller ranks first.
pub fn assignment_rank(pin: PinId, node: NodeId) -> [u8; 32] {
	sp_io::hashing::blake2_256(&(ASSIGNMENT_DOMAIN, pin, node).encode())
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
		/// The balance budgets are held in (the runtime's native balance).
		type Balance: frame_support::traits::tokens::Balance;

		/// Provider nodes: eligibility, owners, capacity, worker keys, reputation, slashes.
		type Registry: ocos_primitives::NodeRegistry<Self::AccountId>;

		/// Budget holds, settlements, refunds and price estimates.
		type Billing: ocos_primitives::Billing<Self::AccountId, Self::Balance>;

		/// Where challenge seeds come from.
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// Who sets [`StorageParams`] (the DAO).
		type DaoOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Longest CID, in bytes.
		#[pallet::constant]
		type MaxCidLen: Get<u32>;

		/// Largest content a pin may declare, in bytes.
		#[pallet::constant]
		type MaxPinSize: Get<u64>;

		/// Highest replication. At least one, and at most the billing pallet's `MaxProviders`.
		#[pallet::constant]
		type MaxReplicas: Get<u32>;

		/// Most epochs an order runs ahead (placed or renewed). At least one.
		#[pallet::constant]
		type MaxEpochs: Get<u32>;

		/// Most bytes one challenge covers. At least one.
		#[pallet::constant]
		type ChallengeLength: Get<u32>;

		/// Most nodes one assignment examines. At least `MaxReplicas`.
		#[pallet::constant]
		type MaxCandidates: Get<u32>;

		/// Most pins one node holds or referees.
		#[pallet::constant]
		type MaxPinsPerNode: Get<u32>;

		/// Most pins whose round falls in one block (the `on_initialize` work per block).
		#[pallet::constant]
		type MaxPinsPerBlock: Get<u32>;

		/// Pool priority of reports.
		#[pallet::constant]
		type UnsignedPriority: Get<TransactionPriority>;

		/// Most blocks a report lives in the pool (never past the pin's next round).
		#[pallet::constant]
		type UnsignedLongevity: Get<TransactionLongevity>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;

		/// Creates nodes, funds and prices for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::Balance>;
	}

	/// The id the next pin order gets.
	#[pallet::storage]
	pub type NextPinId<T> = StorageValue<_, PinId, ValueQuery>;

	/// Every pin order ever placed; records of ended orders are kept.
	#[pallet::storage]
	pub type Pins<T: Config> = StorageMap<_, Twox64Concat, PinId, Pin<T>, OptionQuery>;

	/// The open pins each node holds, is assigned to hold, or referees. Absent when empty.
	#[pallet::storage]
	pub type NodePins<T: Config> =
		StorageMap<_, Twox64Concat, NodeId, BoundedVec<PinId, T::MaxPinsPerNode>, ValueQuery>;

	/// Bytes each node holds or is assigned to hold (the sizes of its replicas). Absent when
	/// zero.
	#[pallet::storage]
	pub type NodeUsage<T: Config> = StorageMap<_, Twox64Concat, NodeId, u64, ValueQuery>;

	/// The open pins whose round falls in each block. Absent when empty.
	#[pallet::storage]
	pub type Rounds<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<PinId, T::MaxPinsPerBlock>,
		ValueQuery,
	>;

	/// The last node of the last assignment's full candidate window; `None`: from the lowest.
	#[pallet::storage]
	pub type CandidateCursor<T> = StorageValue<_, NodeId, OptionQuery>;

	/// The DAO-set parameters.
	#[pallet::storage]
	pub type Params<T> = StorageValue<_, StorageParams, ValueQuery>;

	/// Blocks per epoch of a pin, set at genesis (zero counts as one).
	#[pallet::storage]
	pub type EpochLength<T> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The parameters at genesis.
		pub params: StorageParams,
		/// Blocks per epoch of a pin (at least one).
		pub epoch_length: BlockNumberFor<T>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		/// The default parameters and epochs of 600 blocks (an hour of 6-second blocks).
		fn default() -> Self {
			Self { params: StorageParams::default(), epoch_length: 600u32.into() }
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(self.params.strike_limit >= 1, "strike_limit must be at least 1");
			assert!(!self.epoch_length.is_zero(), "epoch_length must be at least 1");
			Params::<T>::put(self.params);
			EpochLength::<T>::put(self.epoch_length);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A pin order was placed and its budget held; its first round is `next_round`.
		PinPlaced {
			pin: PinId,
			customer: T::AccountId,
			size: u64,
			replication: u32,
			epochs: u32,
			budget: BalanceOf<T>,
			next_round: BlockNumberFor<T>,
		},
		/// A node was assigned to hold a pin's content; it must pin it before the next round.
		ReplicaAssigned { pin: PinId, node: NodeId },
		/// A replica reported that it holds the content.
		ReplicaPinned { pin: PinId, node: NodeId },
		/// A replica reported that it could not pin the content.
		PinFailureReported { pin: PinId, node: NodeId, failure: PinFailure },
		/// A node was released from a pin.
		ReplicaDropped { pin: PinId, node: NodeId, reason: DropReason },
		/// Too few eligible nodes to bring a pin back to its replication.
		ReplicationShort { pin: PinId, missing: u32 },
		/// A challenge was issued to the replicas holding a pin.
		ChallengeIssued { pin: PinId, challenge: Challenge },
		/// A node answered a pin's challenge of `round`.
		ChallengeAnswered { pin: PinId, node: NodeId, round: u32 },
		/// A replica passed the challenge of `round`.
		ChallengePassed { pin: PinId, node: NodeId, round: u32 },
		/// A replica missed or answered the challenge of `round` against the others; it now has
		/// `strikes` strikes.
		ChallengeFailed { pin: PinId, node: NodeId, round: u32, strikes: u8 },
		/// The answers to the challenge of `round` tied; `referee` answers it by the next round.
		DisputeOpened { pin: PinId, round: u32, referee: NodeId },
		/// The answers to the challenge of `round` tied and no referee could be found.
		DisputeUnrefereed { pin: PinId, round: u32 },
		/// The referee of `round` answered `verdict` (`None`: it did not answer).
		DisputeResolved { pin: PinId, round: u32, verdict: Option<[u8; 32]> },
		/// An epoch of a pin was billed: `nodes` are paid `size` units each; `charged` from the
		/// budget, `quota_units` from quota.
		EpochBilled {
			pin: PinId,
			round: u32,
			nodes: BoundedVec<NodeId, T::MaxReplicas>,
			charged: BalanceOf<T>,
			quota_units: u64,
		},
		/// An epoch could not be billed (e.g. storage has no price); nobody is paid for it.
		EpochUnbilled { pin: PinId, round: u32, error: DispatchError },
		/// The customer renewed a pin: it now runs `epochs` epochs in all, with `budget` left.
		PinRenewed { pin: PinId, epochs: u32, budget: BalanceOf<T> },
		/// A pin order ended; `refunded` of its budget went back to the customer.
		PinEnded { pin: PinId, reason: EndReason, refunded: BalanceOf<T> },
		/// The DAO set the parameters.
		ParamsSet { params: StorageParams },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No pin has this id.
		UnknownPin,
		/// Only the pin's customer may do this.
		NotCustomer,
		/// The pin order has ended.
		PinEnded,
		/// The CID is empty or has characters other than ASCII letters and digits.
		InvalidCid,
		/// The size must be between 1 and `MaxPinSize` bytes.
		InvalidSize,
		/// Replication must be between 1 and `MaxReplicas`.
		InvalidReplication,
		/// Epochs must be at least 1 and leave at most `MaxEpochs` to run.
		InvalidEpochs,
		/// The budget is zero.
		ZeroBudget,
		/// The budget does not pay one epoch of the replicas at current prices.
		BudgetTooLow,
		/// Pin ids are exhausted.
		PinIdOverflow,
		/// The bucket of the pin's first round is full: place it in a later block.
		RoundsFull,
		/// Too few eligible nodes of distinct owners in the candidate window.
		NotEnoughNodes,
		/// Enough nodes, but too few with room for the content.
		InsufficientCapacity,
		/// The node already holds `MaxPinsPerNode` pins.
		NodeBusy,
		/// The node is neither a replica of the pin nor its referee.
		NotAssigned,
		/// The replica has already pinned or reported a failure.
		NotPending,
		/// The measured size differs from the order's: report `Failed(SizeMismatch)`.
		SizeMismatch,
		/// The node has no open challenge of this round.
		NotChallenged,
		/// The node has already answered this challenge.
		AlreadyAnswered,
		/// The node has no worker key: it is not registered.
		UnknownNode,
		/// The signature does not verify with the node's worker key.
		BadSignature,
		/// `strike_limit` must be at least 1.
		InvalidParams,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::process_rounds(now)
		}

		fn integrity_test() {
			assert!(T::MaxReplicas::get() >= 1, "MaxReplicas must be at least 1");
			assert!(
				T::MaxCandidates::get() >= T::MaxReplicas::get(),
				"MaxCandidates must be at least MaxReplicas"
			);
			assert!(T::MaxEpochs::get() >= 1, "MaxEpochs must be at least 1");
			assert!(T::ChallengeLength::get() >= 1, "ChallengeLength must be at least 1");
			assert!(T::MaxPinsPerNode::get() >= 1, "MaxPinsPerNode must be at least 1");
			assert!(T::MaxPinsPerBlock::get() >= 1, "MaxPinsPerBlock must be at least 1");
			assert!(T::MaxPinSize::get() >= 1, "MaxPinSize must be at least 1");
			let max_block = <T as frame_system::Config>::BlockWeights::get().max_block;
			assert!(
				T::WeightInfo::process_rounds(T::MaxPinsPerBlock::get()).all_lte(max_block),
				"a full round bucket must fit in a block"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Places a pin order (signed, the customer): checks it, assigns `replication` nodes
		/// with room and holds `max_budget`. See the pallet docs.
		///
		/// Emits [`Event::PinPlaced`] and one [`Event::ReplicaAssigned`] per node.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::pin(
			T::MaxCandidates::get(),
			(*replication).min(T::MaxReplicas::get()),
		))]
		pub fn pin(
			origin: OriginFor<T>,
			cid: CidOf<T>,
			size: u64,
			replication: u32,
			epochs: u32,
			#[pallet::compact] max_budget: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let customer = ensure_signed(origin)?;
			ensure!(is_cid_text(&cid), Error::<T>::InvalidCid);
			ensure!((1..=T::MaxPinSize::get()).contains(&size), Error::<T>::InvalidSize);
			ensure!(
				(1..=T::MaxReplicas::get()).contains(&replication),
				Error::<T>::InvalidReplication
			);
			ensure!((1..=T::MaxEpochs::get()).contains(&epochs), Error::<T>::InvalidEpochs);
			ensure!(!max_budget.is_zero(), Error::<T>::ZeroBudget);
			let epoch_cost = Self::epoch_cost(size, replication).ok_or(Error::<T>::InvalidSize)?;
			ensure!(epoch_cost <= max_budget, Error::<T>::BudgetTooLow);

			let pin = NextPinId::<T>::get();
			let next = pin.checked_add(1).ok_or(Error::<T>::PinIdOverflow)?;
			let now = frame_system::Pallet::<T>::block_number();
			let next_round = now.saturating_add(Self::epoch_length());
			ensure!(Self::bucket_has_room(next_round), Error::<T>::RoundsFull);

			let selection = Self::select_nodes(pin, &customer, size, replication, &[], &[], true);
			let wanted = usize::try_from(replication).unwrap_or(usize::MAX);
			if selection.nodes.len() < wanted {
				return Err(if selection.lacked_room {
					Error::<T>::InsufficientCapacity
				} else {
					Error::<T>::NotEnoughNodes
				}
				.into());
			}
			T::Billing::hold_budget(&customer, max_budget)?;

			let mut record = Pin::<T> {
				customer: customer.clone(),
				cid,
				size,
				replication,
				epochs,
				epochs_done: 0,
				budget: max_budget,
				next_round,
				round: 0,
				replicas: BoundedVec::new(),
				challenge: None,
				dispute: None,
				dropped: BoundedVec::new(),
				status: PinStatus::Pinning,
			};
			Rounds::<T>::try_mutate(next_round, |pins| pins.try_push(pin))
				.map_err(|_| Error::<T>::RoundsFull)?;
			CandidateCursor::<T>::set(selection.cursor);
			NextPinId::<T>::put(next);
			Self::deposit_event(Event::PinPlaced {
				pin,
				customer,
				size,
				replication,
				epochs,
				budget: max_budget,
				next_round,
			});
			for (node, owner) in selection.nodes {
				Self::add_replica(pin, &mut record, node, owner)?;
			}
			Pins::<T>::insert(pin, record);
			Ok(Some(T::WeightInfo::pin(selection.scanned, replication)).into())
		}

		/// Records a node's report on a pin (unsigned, fee-free). The worker signs
		/// [`StorageReport::signing_payload`] with its worker key; see the pallet docs.
		///
		/// Emits [`Event::ReplicaPinned`], [`Event::PinFailureReported`] or
		/// [`Event::ChallengeAnswered`], and the events of an order that the report ends.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::report(T::MaxReplicas::get()))]
		pub fn report(
			origin: OriginFor<T>,
			report: StorageReport,
			signature: sr25519::Signature,
		) -> DispatchResultWithPostInfo {
			ensure_none(origin)?;
			let mut record = Self::check_report(&report, &signature).map_err(Error::<T>::from)?;
			let StorageReport { pin, node, report: what } = report;
			let replicas = u32::try_from(record.replicas.len()).unwrap_or(u32::MAX);
			match what {
				Report::Pinned { .. } => {
					Self::set_replica(&mut record, node, |replica| {
						replica.state = ReplicaState::Pinned
					});
					record.status = PinStatus::Active;
					Self::deposit_event(Event::ReplicaPinned { pin, node });
				}
				Report::Failed(failure) => {
					Self::set_replica(&mut record, node, |replica| {
						replica.state = ReplicaState::Failed(failure)
					});
					Self::deposit_event(Event::PinFailureReported { pin, node, failure });
					if record.status == PinStatus::Pinning {
						if let Some(failure) = record.failure_quorum() {
							Self::end(pin, &mut record, EndReason::Failed(failure));
						}
					} else {
						Self::drop_replica(
							pin,
							&mut record,
							node,
							DropReason::ReportedFailure(failure),
						);
					}
				}
				Report::Answer { round, hash } => {
					if let Some(dispute) = record.dispute.as_mut().filter(|d| d.referee == node) {
						dispute.verdict = Some(hash);
					} else {
						Self::set_replica(&mut record, node, |replica| {
							replica.answer = AnswerState::Answered(hash)
						});
					}
					Self::deposit_event(Event::ChallengeAnswered { pin, node, round });
				}
			}
			Pins::<T>::insert(pin, record);
			Ok(Some(T::WeightInfo::report(replicas)).into())
		}

		/// Adds `epochs` to an open order and holds `extra_budget` more (signed, the customer;
		/// a zero `extra_budget` holds nothing). The epochs still to run may not exceed
		/// `MaxEpochs`.
		///
		/// Emits [`Event::PinRenewed`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::renew())]
		pub fn renew(
			origin: OriginFor<T>,
			pin: PinId,
			epochs: u32,
			#[pallet::compact] extra_budget: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Pins::<T>::get(pin).ok_or(Error::<T>::UnknownPin)?;
			ensure!(record.customer == who, Error::<T>::NotCustomer);
			ensure!(record.is_open(), Error::<T>::PinEnded);
			let total = record.epochs.checked_add(epochs).ok_or(Error::<T>::InvalidEpochs)?;
			let ahead = total.saturating_sub(record.epochs_done);
			ensure!(epochs >= 1 && ahead <= T::MaxEpochs::get(), Error::<T>::InvalidEpochs);
			if !extra_budget.is_zero() {
				T::Billing::hold_budget(&who, extra_budget)?;
			}
			record.epochs = total;
			record.budget = record.budget.saturating_add(extra_budget);
			Self::deposit_event(Event::PinRenewed { pin, epochs: total, budget: record.budget });
			Pins::<T>::insert(pin, record);
			Ok(())
		}

		/// Ends an open order (signed, the customer): releases its nodes and refunds the rest of
		/// its budget; the running epoch is not billed.
		///
		/// Emits [`Event::ReplicaDropped`] per node and [`Event::PinEnded`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::unpin(T::MaxReplicas::get()))]
		pub fn unpin(origin: OriginFor<T>, pin: PinId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let mut record = Pins::<T>::get(pin).ok_or(Error::<T>::UnknownPin)?;
			ensure!(record.customer == who, Error::<T>::NotCustomer);
			ensure!(record.is_open(), Error::<T>::PinEnded);
			let replicas = u32::try_from(record.replicas.len()).unwrap_or(u32::MAX);
			Self::end(pin, &mut record, EndReason::Unpinned);
			Pins::<T>::insert(pin, record);
			Ok(Some(T::WeightInfo::unpin(replicas)).into())
		}

		/// Sets the strike limit and the slash for reaching it (DAO).
		///
		/// Emits [`Event::ParamsSet`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: StorageParams) -> DispatchResult {
			T::DaoOrigin::ensure_origin(origin)?;
			ensure!(params.strike_limit >= 1, Error::<T>::InvalidParams);
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}
	}

	#[pallet::validate_unsigned]
	#[allow(deprecated)]
	impl<T: Config> ValidateUnsigned for Pallet<T> {
		type Call = Call<T>;

		/// Admits a report that passes the checks of [`Pallet::report`]: one per pin, node,
		/// kind and round (the `provides` tag), living at most `UnsignedLongevity` blocks and
		/// never past the pin's next round.
		fn validate_unsigned(_source: TransactionSource, call: &Self::Call) -> TransactionValidity {
			let Call::report { report, signature } = call else {
				return InvalidTransaction::Call.into();
			};
			let record =
				Self::check_report(report, signature).map_err(ReportRejection::validity_error)?;
			let now = frame_system::Pallet::<T>::block_number();
			let remaining: TransactionLongevity =
				record.next_round.saturating_sub(now).unique_saturated_into();
			let (kind, round) = match report.report {
				Report::Pinned { .. } | Report::Failed(_) => (0u8, record.round),
				Report::Answer { round, .. } => (1u8, round),
			};
			ValidTransaction::with_tag_prefix("OcosStorageReport")
				.priority(T::UnsignedPriority::get())
				.and_provides((report.pin, report.node, kind, round))
				.longevity(remaining.min(T::UnsignedLongevity::get()).max(1))
				.propagate(true)
				.build()
		}
	}
}

/// Why a node was released from a pin.
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
pub enum DropReason {
	/// It had not pinned the content by the round after its assignment.
	MissedPinning,
	/// It reported that it could not pin the content.
	ReportedFailure(PinFailure),
	/// It reached the strike limit; `slashed` was taken from its bond.
	Strikes { slashed: u128 },
	/// The order ended.
	OrderEnded,
}

/// Why a report is refused; the call reports it as an [`Error`], the pool as an
/// `InvalidTransaction`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReportRejection {
	/// No pin has the report's id.
	UnknownPin,
	/// The order has ended.
	PinEnded,
	/// The node is neither replica nor referee.
	NotAssigned,
	/// `Pinned` or `Failed` from a replica that is not pending.
	NotPending,
	/// `Pinned` with a size other than the order's.
	SizeMismatch,
	/// An answer from a node without an open challenge of that round.
	NotChallenged,
	/// A second answer to the same challenge.
	AlreadyAnswered,
	/// The node has no worker key.
	UnknownNode,
	/// The signature does not verify with the node's worker key.
	BadSignature,
}

impl ReportRejection {
	/// The pool's view: `Stale` for what was already reported or can no longer be, `BadProof`
	/// for a bad signature, custom codes for the rest.
	fn validity_error(self) -> TransactionValidityError {
		let invalid = match self {
			Self::UnknownPin => InvalidTransaction::Custom(INVALID_UNKNOWN_PIN),
			Self::NotAssigned => InvalidTransaction::Custom(INVALID_NOT_ASSIGNED),
			Self::SizeMismatch => InvalidTransaction::Custom(INVALID_SIZE),
			Self::UnknownNode => InvalidTransaction::Custom(INVALID_UNKNOWN_NODE),
			Self::PinEnded | Self::NotPending | Self::NotChallenged | Self::AlreadyAnswered => {
				InvalidTransaction::Stale
			}
			Self::BadSignature => InvalidTransaction::BadProof,
		};
		invalid.into()
	}
}

impl<T: Config> From<ReportRejection> for Error<T> {
	fn from(rejection: ReportRejection) -> Self {
		match rejection {
			ReportRejection::UnknownPin => Error::<T>::UnknownPin,
			ReportRejection::PinEnded => Error::<T>::PinEnded,
			ReportRejection::NotAssigned => Error::<T>::NotAssigned,
			ReportRejection::NotPending => Error::<T>::NotPending,
			ReportRejection::SizeMismatch => Error::<T>::SizeMismatch,
			ReportRejection::NotChallenged => Error::<T>::NotChallenged,
			ReportRejection::AlreadyAnswered => Error::<T>::AlreadyAnswered,
			ReportRejection::UnknownNode => Error::<T>::UnknownNode,
			ReportRejection::BadSignature => Error::<T>::BadSignature,
		}
	}
}

/// Whether `cid` looks like a CID in text form: 1 or more ASCII letters and digits (the
/// alphabets of base58btc, base32 and base36, which CIDs are written in). The worker parses it
/// fully and reports [`PinFailure::InvalidCid`] if it does not parse.
pub fn is_cid_text(cid: &[u8]) -> bool {
	!cid.is_empty() && cid.iter().all(u8::is_ascii_alphanumeric)
}

/// The nodes an assignment chose, with what it cost to find them.
pub(crate) struct Selection<AccountId> {
	/// The chosen nodes and their owners, best first (possibly fewer than asked).
	pub nodes: Vec<(NodeId, AccountId)>,
	/// Whether some otherwise eligible node lacked room.
	pub lacked_room: bool,
	/// How many candidates the window held.
	pub scanned: u32,
	/// Where the next window starts.
	pub cursor: Option<NodeId>,
}

/// How a replica came out of a challenge.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Judgement {
	Passed,
	Failed,
}

/// A replica's judgement on the challenge of a round.
type Judged = (NodeId, Judgement, u32);

impl<T: Config> Pallet<T> {
	/// What one epoch of `replication` replicas of `size` bytes costs at current prices;
	/// `None` if the units overflow.
	fn epoch_cost(size: u64, replication: u32) -> Option<BalanceOf<T>> {
		let units = size.checked_mul(u64::from(replication))?;
		Some(T::Billing::estimate(Resource::StorageByteEpoch, units))
	}

	/// Blocks per epoch ([`EpochLength`], at least one).
	pub fn epoch_length() -> BlockNumberFor<T> {
		EpochLength::<T>::get().max(One::one())
	}

	/// Whether the round bucket of `block` can take another pin.
	fn bucket_has_room(block: BlockNumberFor<T>) -> bool {
		let max = usize::try_from(T::MaxPinsPerBlock::get()).unwrap_or(usize::MAX);
		Rounds::<T>::decode_len(block).unwrap_or(0) < max
	}

	/// Chooses up to `count` nodes for `pin` of `customer` from the candidate window (see the
	/// pallet docs), excluding `excluded_nodes` and the nodes of `excluded_owners`; with
	/// `need_room`, only nodes with room for `size` more bytes.
	fn select_nodes(
		pin: PinId,
		customer: &T::AccountId,
		size: u64,
		count: u32,
		excluded_nodes: &[NodeId],
		excluded_owners: &[T::AccountId],
		need_room: bool,
	) -> Selection<T::AccountId> {
		let (window, cursor) = ocos_primitives::candidate_window::<T::AccountId, T::Registry>(
			ResourceKind::Storage,
			CandidateCursor::<T>::get(),
			T::MaxCandidates::get(),
		);
		let scanned = u32::try_from(window.len()).unwrap_or(u32::MAX);
		let max_pins = usize::try_from(T::MaxPinsPerNode::get()).unwrap_or(usize::MAX);

		let mut candidates = Vec::new();
		let mut lacked_room = false;
		for node in window {
			if excluded_nodes.contains(&node) {
				continue;
			}
			if NodePins::<T>::decode_len(node).unwrap_or(0) >= max_pins {
				continue;
			}
			if !T::Registry::can_serve(node, customer, ResourceKind::Storage) {
				continue;
			}
			let Some(owner) = T::Registry::owner(node) else { continue };
			if excluded_owners.contains(&owner) {
				continue;
			}
			if need_room && !Self::has_room(node, size) {
				lacked_room = true;
				continue;
			}
			let reputation = T::Registry::reputation(node);
			let tie_break = assignment_rank(pin, node);
			candidates.push(Candidate { node, owner, reputation, tie_break });
		}
		Selection { nodes: pick_ranked(candidates, count), lacked_room, scanned, cursor }
	}

	/// Whether `node` has room for `size` more bytes.
	fn has_room(node: NodeId, size: u64) -> bool {
		NodeUsage::<T>::get(node)
			.checked_add(size)
			.is_some_and(|used| used <= T::Registry::storage_capacity(node))
	}

	/// Adds `node` to the pin's work list and tells the registry.
	fn list_node(pin: PinId, node: NodeId) -> DispatchResult {
		NodePins::<T>::try_mutate(node, |pins| pins.try_push(pin))
			.map_err(|_| Error::<T>::NodeBusy)?;
		T::Registry::work_started(node);
		Ok(())
	}

	/// Takes `pin` off `node`'s work list and tells the registry.
	fn unlist_node(pin: PinId, node: NodeId) {
		NodePins::<T>::mutate_exists(node, |pins| remove_listed(pins, &pin));
		T::Registry::work_finished(node);
	}

	/// Assigns `node` as a pending replica of `pin`: lists it and counts the size against its
	/// room.
	fn add_replica(
		pin: PinId,
		record: &mut Pin<T>,
		node: NodeId,
		owner: T::AccountId,
	) -> DispatchResult {
		record
			.replicas
			.try_push(Replica {
				node,
				owner,
				state: ReplicaState::Pending,
				answer: AnswerState::Unchallenged,
				strikes: 0,
			})
			.map_err(|_| Error::<T>::InvalidReplication)?;
		Self::list_node(pin, node)?;
		NodeUsage::<T>::mutate(node, |used| *used = used.saturating_add(record.size));
		Self::deposit_event(Event::ReplicaAssigned { pin, node });
		Ok(())
	}

	/// Releases replica `node` from `pin`, remembering it as dropped.
	fn drop_replica(pin: PinId, record: &mut Pin<T>, node: NodeId, reason: DropReason) {
		let Some(index) = record.replica_index(node) else { return };
		record.replicas.remove(index);
		Self::unlist_node(pin, node);
		NodeUsage::<T>::mutate_exists(node, |used| {
			let left = used.unwrap_or(0).saturating_sub(record.size);
			*used = (left > 0).then_some(left);
		});
		if reason != DropReason::OrderEnded {
			if record.dropped.is_full() {
				record.dropped.remove(0);
			}
			// Room was made above.
			let _ = record.dropped.try_push(node);
		}
		Self::deposit_event(Event::ReplicaDropped { pin, node, reason });
	}

	/// Applies `f` to replica `node` of the record.
	fn set_replica(record: &mut Pin<T>, node: NodeId, f: impl FnOnce(&mut Replica<T>)) {
		if let Some(replica) = record.replicas.iter_mut().find(|replica| replica.node == node) {
			f(replica);
		}
	}

	/// Ends an open order: releases its replicas and referee, leaves its round bucket and
	/// refunds the rest of its budget. The caller stores the record.
	fn end(pin: PinId, record: &mut Pin<T>, reason: EndReason) {
		let nodes: Vec<NodeId> = record.replicas.iter().map(|replica| replica.node).collect();
		for node in nodes {
			Self::drop_replica(pin, record, node, DropReason::OrderEnded);
		}
		if let Some(dispute) = record.dispute.take() {
			Self::unlist_node(pin, dispute.referee);
		}
		record.challenge = None;
		Rounds::<T>::mutate_exists(record.next_round, |pins| remove_listed(pins, &pin));
		let refunded = match T::Billing::refund(&record.customer, record.budget) {
			Ok(()) => record.budget,
			Err(_) => {
				defensive!("the held budget of an open pin could not be refunded");
				Zero::zero()
			}
		};
		record.budget = Zero::zero();
		record.status = PinStatus::Ended(reason);
		Self::deposit_event(Event::PinEnded { pin, reason, refunded });
	}

	/// Checks a report; returns the pin's record if it is acceptable. The signature, the
	/// costliest check, comes last.
	fn check_report(
		report: &StorageReport,
		signature: &sr25519::Signature,
	) -> Result<Pin<T>, ReportRejection> {
		let record = Pins::<T>::get(report.pin).ok_or(ReportRejection::UnknownPin)?;
		if !record.is_open() {
			return Err(ReportRejection::PinEnded);
		}
		let replica = record.replicas.iter().find(|replica| replica.node == report.node);
		match report.report {
			Report::Pinned { size } => {
				let replica = replica.ok_or(ReportRejection::NotAssigned)?;
				if replica.state != ReplicaState::Pending {
					return Err(ReportRejection::NotPending);
				}
				if size != record.size {
					return Err(ReportRejection::SizeMismatch);
				}
			}
			Report::Failed(_) => {
				let replica = replica.ok_or(ReportRejection::NotAssigned)?;
				if replica.state != ReplicaState::Pending {
					return Err(ReportRejection::NotPending);
				}
			}
			Report::Answer { round, .. } => {
				if let Some(dispute) =
					record.dispute.as_ref().filter(|dispute| dispute.referee == report.node)
				{
					if dispute.challenge.round != round {
						return Err(ReportRejection::NotChallenged);
					}
					if dispute.verdict.is_some() {
						return Err(ReportRejection::AlreadyAnswered);
					}
				} else {
					let replica = replica.ok_or(ReportRejection::NotAssigned)?;
					if record.challenge.map(|challenge| challenge.round) != Some(round) {
						return Err(ReportRejection::NotChallenged);
					}
					match replica.answer {
						AnswerState::Unchallenged => return Err(ReportRejection::NotChallenged),
						AnswerState::Answered(_) => return Err(ReportRejection::AlreadyAnswered),
						AnswerState::Awaiting => {}
					}
				}
			}
		}
		let key = T::Registry::worker_key(report.node).ok_or(ReportRejection::UnknownNode)?;
		let public = sr25519::Public::from_raw(key);
		if !sp_io::crypto::sr25519_verify(signature, &report.signing_payload(), &public) {
			return Err(ReportRejection::BadSignature);
		}
		Ok(record)
	}

	/// The rounds of block `now`: every pin of its bucket goes through its round (see the pallet
	/// docs). Returns the weight used.
	pub(crate) fn process_rounds(now: BlockNumberFor<T>) -> Weight {
		let due = Rounds::<T>::take(now);
		let count = u32::try_from(due.len()).unwrap_or(u32::MAX);
		for pin in due {
			let Some(mut record) = Pins::<T>::get(pin) else {
				defensive!("a round bucket lists an unknown pin");
				continue;
			};
			if !record.is_open() {
				defensive!("a round bucket lists an ended pin");
				continue;
			}
			Self::round(pin, &mut record, now);
			Pins::<T>::insert(pin, record);
		}
		T::WeightInfo::process_rounds(count)
	}

	/// One pin's round at block `now`.
	fn round(pin: PinId, record: &mut Pin<T>, now: BlockNumberFor<T>) {
		let mut judged: Vec<Judged> = Vec::new();
		if let Some(dispute) = record.dispute.take() {
			Self::settle_dispute(pin, record, dispute, &mut judged);
		}
		let mut current: Vec<Judged> = Vec::new();
		let tie = record
			.challenge
			.take()
			.and_then(|challenge| Self::judge_challenge(record, challenge, &mut current));
		// Who proved storage this epoch: passed its challenge, or pinned meanwhile without one.
		let proved: Vec<(NodeId, T::AccountId)> = record
			.replicas
			.iter()
			.filter(|replica| {
				replica.state == ReplicaState::Pinned
					&& (replica.answer == AnswerState::Unchallenged
						|| current.contains(&(replica.node, Judgement::Passed, record.round)))
			})
			.map(|replica| (replica.node, replica.owner.clone()))
			.collect();
		for replica in record.replicas.iter_mut() {
			replica.answer = AnswerState::Unchallenged;
		}
		judged.extend(current);
		Self::apply_judgements(pin, record, &judged);
		Self::drop_unpinned(pin, record);
		Self::bill(pin, record, &proved);

		record.epochs_done = record.epochs_done.saturating_add(1);
		if record.epochs_done >= record.epochs {
			return Self::end(pin, record, EndReason::Expired);
		}
		let funded = Self::epoch_cost(record.size, record.replication)
			.is_some_and(|cost| cost <= record.budget);
		if !funded {
			return Self::end(pin, record, EndReason::Unfunded);
		}

		record.round = record.round.saturating_add(1);
		Self::replenish(pin, record);
		if let Some((challenge, answers)) = tie {
			Self::open_dispute(pin, record, challenge, answers);
		}
		Self::issue_challenge(pin, record);
		Self::schedule(pin, record, now);
	}

	/// Decides the running challenge (see the pallet docs). Records every challenged
	/// replica's judgement in `judged`, except the tied answers it returns for a referee.
	fn judge_challenge(
		record: &Pin<T>,
		challenge: Challenge,
		judged: &mut Vec<Judged>,
	) -> Option<(Challenge, Vec<(NodeId, [u8; 32])>)> {
		let round = challenge.round;
		let answers: Vec<(NodeId, [u8; 32])> = record
			.replicas
			.iter()
			.filter_map(|replica| match replica.answer {
				AnswerState::Answered(hash) => Some((replica.node, hash)),
				_ => None,
			})
			.collect();
		for replica in record.replicas.iter() {
			if replica.answer == AnswerState::Awaiting {
				judged.push((replica.node, Judgement::Failed, round));
			}
		}
		let hashes: Vec<[u8; 32]> = answers.iter().map(|(_, hash)| *hash).collect();
		match decide_challenge(&hashes) {
			Decision::Majority(winner) => {
				for (node, hash) in answers {
					let judgement =
						if hash == winner { Judgement::Passed } else { Judgement::Failed };
					judged.push((node, judgement, round));
				}
				None
			}
			Decision::Silent => None,
			Decision::Tie => Some((challenge, answers)),
		}
	}

	/// Decides the last round's dispute by its referee's answer; releases the referee.
	fn settle_dispute(pin: PinId, record: &Pin<T>, dispute: Dispute<T>, judged: &mut Vec<Judged>) {
		let round = dispute.challenge.round;
		Self::unlist_node(pin, dispute.referee);
		let value = Self::replica_value(record);
		match dispute.verdict {
			Some(verdict) => {
				let mut matched = false;
				for (node, hash) in dispute.answers.iter() {
					let passed = *hash == verdict;
					matched |= passed;
					let judgement = if passed { Judgement::Passed } else { Judgement::Failed };
					judged.push((*node, judgement, round));
				}
				let reason = if matched {
					ReputationReason::ChallengePassed
				} else {
					ReputationReason::ChallengeFailed
				};
				T::Registry::report(dispute.referee, reason, value);
			}
			None => T::Registry::report(dispute.referee, ReputationReason::MissedDeadline, value),
		}
		Self::deposit_event(Event::DisputeResolved { pin, round, verdict: dispute.verdict });
	}

	/// Reports the judgements to the registry, moves strikes, and slashes and drops the replicas
	/// that reached the strike limit.
	fn apply_judgements(pin: PinId, record: &mut Pin<T>, judged: &[Judged]) {
		let params = Params::<T>::get();
		let value = Self::replica_value(record);
		let mut struck_out: Vec<NodeId> = Vec::new();
		for (node, judgement, round) in judged {
			let round = *round;
			let Some(replica) = record.replicas.iter_mut().find(|replica| replica.node == *node)
			else {
				continue;
			};
			match judgement {
				Judgement::Passed => {
					replica.strikes = replica.strikes.saturating_sub(1);
					T::Registry::report(*node, ReputationReason::ChallengePassed, value);
					Self::deposit_event(Event::ChallengePassed { pin, node: *node, round });
				}
				Judgement::Failed => {
					replica.strikes = replica.strikes.saturating_add(1);
					T::Registry::report(*node, ReputationReason::ChallengeFailed, value);
					Self::deposit_event(Event::ChallengeFailed {
						pin,
						node: *node,
						round,
						strikes: replica.strikes,
					});
					if replica.strikes >= params.strike_limit && !struck_out.contains(node) {
						struck_out.push(*node);
					}
				}
			}
		}
		for node in struck_out {
			let slashed = T::Registry::slash(node, params.strike_slash, STRIKES_SLASH_REASON);
			Self::drop_replica(pin, record, node, DropReason::Strikes { slashed });
		}
	}

	/// Drops the replicas that have not pinned by this round (reported `MissedDeadline`) and
	/// those that reported a failure.
	fn drop_unpinned(pin: PinId, record: &mut Pin<T>) {
		let value = Self::replica_value(record);
		let unpinned: Vec<(NodeId, ReplicaState)> = record
			.replicas
			.iter()
			.filter(|replica| replica.state != ReplicaState::Pinned)
			.map(|replica| (replica.node, replica.state))
			.collect();
		for (node, state) in unpinned {
			let reason = match state {
				ReplicaState::Failed(failure) => DropReason::ReportedFailure(failure),
				ReplicaState::Pending | ReplicaState::Pinned => {
					T::Registry::report(node, ReputationReason::MissedDeadline, value);
					DropReason::MissedPinning
				}
			};
			Self::drop_replica(pin, record, node, reason);
		}
		if !record.any_pinned() && record.status == PinStatus::Active {
			// Every holder is gone: the order waits for new replicas to pin again.
			record.status = PinStatus::Pinning;
		}
	}

	/// Pays the replicas that proved their storage this epoch (see the pallet docs).
	fn bill(pin: PinId, record: &mut Pin<T>, proved: &[(NodeId, T::AccountId)]) {
		if proved.is_empty() {
			return;
		}
		let count = u32::try_from(proved.len()).unwrap_or(u32::MAX);
		let amount = Self::epoch_cost(record.size, count)
			.unwrap_or_else(|| record.budget)
			.min(record.budget);
		let usage: Vec<Usage<T::AccountId>> = proved
			.iter()
			.map(|(_, owner)| Usage { provider: owner.clone(), units: record.size })
			.collect();
		let round = record.round;
		let settled = with_storage_layer(|| {
			T::Billing::settle(&record.customer, amount, Resource::StorageByteEpoch, &usage)
		});
		match settled {
			Ok(settlement) => {
				record.budget = record.budget.saturating_sub(amount);
				// Keep what the quota covered for the next epochs.
				if !settlement.released.is_zero()
					&& T::Billing::hold_budget(&record.customer, settlement.released).is_ok()
				{
					record.budget = record.budget.saturating_add(settlement.released);
				}
				let nodes =
					BoundedVec::truncate_from(proved.iter().map(|(node, _)| *node).collect());
				Self::deposit_event(Event::EpochBilled {
					pin,
					round,
					nodes,
					charged: settlement.charged,
					quota_units: settlement.quota_units,
				});
			}
			Err(error) => Self::deposit_event(Event::EpochUnbilled { pin, round, error }),
		}
	}

	/// Fills the pin's missing replicas with eligible nodes that have room.
	fn replenish(pin: PinId, record: &mut Pin<T>) {
		let held = u32::try_from(record.replicas.len()).unwrap_or(u32::MAX);
		let missing = record.replication.saturating_sub(held);
		if missing == 0 {
			return;
		}
		let (excluded_nodes, excluded_owners) = Self::exclusions(record);
		let selection = Self::select_nodes(
			pin,
			&record.customer,
			record.size,
			missing,
			&excluded_nodes,
			&excluded_owners,
			true,
		);
		CandidateCursor::<T>::set(selection.cursor);
		let found = u32::try_from(selection.nodes.len()).unwrap_or(u32::MAX);
		for (node, owner) in selection.nodes {
			if Self::add_replica(pin, record, node, owner).is_err() {
				defensive!("a selected node could not be assigned");
			}
		}
		if found < missing {
			Self::deposit_event(Event::ReplicationShort { pin, missing: missing - found });
		}
	}

	/// The nodes and owners a new replica or referee of the pin may not be.
	fn exclusions(record: &Pin<T>) -> (Vec<NodeId>, Vec<T::AccountId>) {
		let mut nodes: Vec<NodeId> = record.replicas.iter().map(|replica| replica.node).collect();
		nodes.extend(record.dropped.iter().copied());
		if let Some(dispute) = &record.dispute {
			nodes.push(dispute.referee);
		}
		let owners = record.replicas.iter().map(|replica| replica.owner.clone()).collect();
		(nodes, owners)
	}

	/// Sends a tied challenge to a referee.
	fn open_dispute(
		pin: PinId,
		record: &mut Pin<T>,
		challenge: Challenge,
		answers: Vec<(NodeId, [u8; 32])>,
	) {
		let round = challenge.round;
		let (excluded_nodes, excluded_owners) = Self::exclusions(record);
		let referee = Self::select_nodes(
			pin,
			&record.customer,
			record.size,
			1,
			&excluded_nodes,
			&excluded_owners,
			false,
		)
		.nodes
		.first()
		.map(|(node, _)| *node)
		.filter(|node| Self::list_node(pin, *node).is_ok());
		match referee {
			Some(referee) => {
				record.dispute = Some(Dispute {
					challenge,
					answers: BoundedVec::truncate_from(answers),
					referee,
					verdict: None,
				});
				Self::deposit_event(Event::DisputeOpened { pin, round, referee });
			}
			None => Self::deposit_event(Event::DisputeUnrefereed { pin, round }),
		}
	}

	/// Issues the running epoch's challenge to the replicas holding the content.
	fn issue_challenge(pin: PinId, record: &mut Pin<T>) {
		if !record.any_pinned() {
			return;
		}
		let (random, _) = T::Randomness::random(&(CHALLENGE_DOMAIN, pin, record.round).encode());
		let seed =
			sp_io::hashing::blake2_256(&(CHALLENGE_DOMAIN, random, pin, record.round).encode());
		let challenge = Challenge::new(record.round, seed, record.size, T::ChallengeLength::get());
		for replica in record.replicas.iter_mut() {
			if replica.state == ReplicaState::Pinned {
				replica.answer = AnswerState::Awaiting;
			}
		}
		record.challenge = Some(challenge);
		Self::deposit_event(Event::ChallengeIssued { pin, challenge });
	}

	/// Schedules the pin's next round `EpochLength` after `now`: in that block's bucket, which
	/// has room while the epoch length stays the same (see the pallet docs); else in the first
	/// of the next `SCHEDULE_SLACK` blocks with room; else the order ends, refunded.
	fn schedule(pin: PinId, record: &mut Pin<T>, now: BlockNumberFor<T>) {
		let due = now.saturating_add(Self::epoch_length());
		let free = (0..=SCHEDULE_SLACK)
			.map(|extra| due.saturating_add(extra.into()))
			.find(|block| Self::bucket_has_room(*block));
		match free {
			Some(block) => {
				record.next_round = block;
				if Rounds::<T>::try_mutate(block, |pins| pins.try_push(pin)).is_err() {
					defensive!("a round bucket with room refused a pin");
				}
			}
			None => {
				defensive!("no round bucket has room for a rescheduled pin");
				Self::end(pin, record, EndReason::Unschedulable);
			}
		}
	}

	/// What a replica's epoch is worth to the reputation: its price at current prices, at most
	/// the budget.
	fn replica_value(record: &Pin<T>) -> u128 {
		Self::epoch_cost(record.size, 1)
			.unwrap_or_else(|| record.budget)
			.min(record.budget)
			.unique_saturated_into()
	}

	/// What `node` has to do: every open pin it holds, is assigned or referees, with what is
	/// asked of it.
	pub fn node_work(node: NodeId) -> Vec<StorageWork<BlockNumberFor<T>>> {
		NodePins::<T>::get(node)
			.into_iter()
			.filter_map(|pin| {
				let record = Pins::<T>::get(pin)?;
				let task = if let Some(dispute) =
					record.dispute.as_ref().filter(|dispute| dispute.referee == node)
				{
					if dispute.verdict.is_some() {
						return None;
					}
					PinTask::Referee(dispute.challenge)
				} else {
					let replica = record.replicas.iter().find(|replica| replica.node == node)?;
					match (replica.state, replica.answer, record.challenge) {
						(ReplicaState::Pending, ..) => PinTask::Pin,
						(ReplicaState::Failed(_), ..) => return None,
						(ReplicaState::Pinned, AnswerState::Awaiting, Some(challenge)) => {
							PinTask::Answer(challenge)
						}
						(ReplicaState::Pinned, ..) => PinTask::Hold,
					}
				};
				Some(StorageWork {
					pin,
					cid: record.cid.to_vec(),
					size: record.size,
					due: record.next_round,
					task,
				})
			})
			.collect()
	}

	/// Checks the invariants listed in the pallet docs.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let next_id = NextPinId::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		let mut usage: Vec<(NodeId, u64)> = Vec::new();
		let mut listed: Vec<(NodeId, PinId)> = Vec::new();
		for (pin, record) in Pins::<T>::iter() {
			ensure!(pin < next_id, "a pin id is not below NextPinId");
			if !record.is_open() {
				ensure!(
					record.replicas.is_empty()
						&& record.challenge.is_none()
						&& record.dispute.is_none(),
					"an ended pin keeps nodes"
				);
				continue;
			}
			let held = u32::try_from(record.replicas.len()).unwrap_or(u32::MAX);
			ensure!(held <= record.replication, "a pin has more replicas than its replication");
			for (i, replica) in record.replicas.iter().enumerate() {
				ensure!(
					record
						.replicas
						.iter()
						.skip(i + 1)
						.all(|other| other.node != replica.node && other.owner != replica.owner),
					"two replicas share a node or an owner"
				);
				ensure!(!record.dropped.contains(&replica.node), "a dropped node is a replica");
				match usage.iter_mut().find(|(node, _)| *node == replica.node) {
					Some((_, bytes)) => *bytes = bytes.saturating_add(record.size),
					None => usage.push((replica.node, record.size)),
				}
				listed.push((replica.node, pin));
			}
			if let Some(dispute) = &record.dispute {
				ensure!(record.replica_index(dispute.referee).is_none(), "a referee is a replica");
				listed.push((dispute.referee, pin));
			}
			ensure!(record.next_round > now, "an open pin's round is not ahead");
			ensure!(
				Rounds::<T>::get(record.next_round).iter().filter(|due| **due == pin).count() == 1,
				"an open pin is not in the bucket of its round exactly once"
			);
		}
		for (block, pins) in Rounds::<T>::iter() {
			ensure!(!pins.is_empty(), "an empty round bucket is stored");
			for pin in pins {
				let record = Pins::<T>::get(pin).ok_or("a round bucket lists an unknown pin")?;
				ensure!(
					record.is_open() && record.next_round == block,
					"a round bucket lists a pin not due then"
				);
			}
		}
		for (node, pins) in NodePins::<T>::iter() {
			ensure!(!pins.is_empty(), "an empty node pin list is stored");
			for pin in pins.iter() {
				ensure!(listed.contains(&(node, *pin)), "a node lists a pin it has no part in");
			}
		}
		for (node, pin) in &listed {
			ensure!(NodePins::<T>::get(node).contains(pin), "a node does not list its pin");
		}
		for (node, bytes) in NodeUsage::<T>::iter() {
			ensure!(bytes > 0, "a zero node usage is stored");
			let expected = usage.iter().find(|(known, _)| *known == node).map(|(_, b)| *b);
			ensure!(expected == Some(bytes), "a node's usage differs from its replicas' sizes");
		}
		ensure!(
			usage.iter().all(|(node, bytes)| NodeUsage::<T>::get(node) == *bytes),
			"a replica's size is not counted in its node's usage"
		);
		Ok(())
	}
}
