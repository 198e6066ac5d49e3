//! # DAO pallet
//!
//! Token holders govern the chain. Any account may put a call to a vote, holders of the
//! currency vote for or against it with part of their balance, and a call that passes is
//! dispatched after a delay with the DAO's own origin, [`RawOrigin::Dao`]. Nothing is controlled
//! by a single key: only an enacted proposal has the DAO origin, and root is not the DAO. Other
//! pallets hand their DAO-only calls to the token holders by using [`EnsureDao`] as their
//! `DaoOrigin`.
//!
//! ## Terms
//!
//! - **Proposal** ([`Proposals`], [`Proposal`]): a call, a description (UTF-8 text or an IPFS
//!   CID, at most `MaxDescriptionLen` bytes), the proposer's deposit, a tally and a status.
//!   Proposals are numbered from 0 ([`ProposalCount`]) and stay in storage after they end, as a
//!   record.
//! - **Call**: a [`Bounded`] call: inline (at most 128 bytes encoded) or the hash and length of
//!   a preimage in [`Config::Preimages`]. The pallet requests the preimage from submission until
//!   the proposal ends, so that it may be noted later without a deposit and is kept until
//!   needed.
//! - **Parameters** ([`Params`], [`DaoParams`]): the proposal deposit, voting period, enactment
//!   delay, quorum, approval and spam threshold. They start as [`Config::DefaultParams`], may be
//!   overridden at genesis and change only by [`set_params`](Pallet::set_params), i.e. by a
//!   proposal. A proposal keeps the deposit and voting end it was submitted with; quorum,
//!   approval and spam threshold apply as they are when it is closed.
//! - **Vote** ([`Vote`], [`VotesOf`]): aye or nay with a non-zero `amount` of the voter's
//!   balance, at most its free balance (frozen funds count; held ones do not). One vote per
//!   account and proposal; voting again replaces it. An account has at most `MaxVotes` entries in [`VotesOf`],
//!   including those on proposals that ended and were not unlocked yet.
//! - **Voting freeze**: the voter's funds frozen under [`FreezeReason::Voting`]: the largest
//!   amount among its votes on proposals still voting. The same funds may back votes on several
//!   proposals at once, and frozen funds may still be held (staked, bonded, a deposit): a freeze
//!   overlaps holds. The freeze is recomputed whenever the account votes or removes a vote, and
//!   by [`unlock`](Pallet::unlock), which anyone may call once a proposal it voted on ended.
//! - **Turnout**: `ayes + nays`. A proposal **passes** iff its turnout is non-zero and at least
//!   `quorum × total issuance`, and `ayes ≥ approval × turnout`. A proposal that does not pass is
//!   **spam** iff its turnout reached the quorum and `ayes < spam_threshold × turnout`.
//! - **Enactment**: the dispatch of a passed proposal's call with the DAO origin, by
//!   [`enact`](Pallet::enact), which [`Config::Scheduler`] dispatches `enactment_delay` blocks
//!   (at least one) after the close. A call heavier than `MaxEnactWeight` is not dispatched.
//!   The few calls the runtime lists in [`Config::AsRoot`] (those that accept only root, such
//!   as authorizing a runtime upgrade) are dispatched with the root origin instead.
//!
//! ## Life cycle
//!
//! ```text
//!  propose ─► Voting ─┬─close (passed)─────► Approved ───┬─enact─► Enacted { ok }
//!                     ├─close (not passed)─► Rejected    │
//!                     └─cancel─────────────► Cancelled ◄─┘ cancel (DAO)
//! ```
//!
//! ## Calls
//!
//! - [`propose`](Pallet::propose)`(call, description)`: holds `proposal_deposit` from the caller
//!   and opens a vote until `now + voting_period`. An inline call must decode and weigh at most
//!   `MaxEnactWeight`. At most `MaxOpenProposals` proposals vote at once.
//! - [`vote`](Pallet::vote)`(index, aye, amount)`: before the proposal's end; replaces the
//!   caller's earlier vote on it, and sets the caller's voting freeze.
//! - [`remove_vote`](Pallet::remove_vote)`(index)`: withdraws the caller's vote: from the tally
//!   while the proposal votes (not between its end and its close: the tally is final then), and
//!   from [`VotesOf`] once it ended. Recomputes the freeze.
//! - [`unlock`](Pallet::unlock)`(target)`: anyone; drops `target`'s votes on proposals that
//!   ended and recomputes its freeze.
//! - [`close`](Pallet::close)`(index)`: anyone, from the proposal's end on. A passed proposal
//!   gets its enactment scheduled and its deposit back; a rejected one its deposit back, unless
//!   it is spam: then the deposit goes to [`Config::Treasury`].
//! - [`cancel`](Pallet::cancel)`(index)`: by the proposer while the proposal votes and no vote
//!   counts, or by the DAO while it votes or is approved (its enactment is then unscheduled).
//!   The deposit of a voting proposal is returned.
//! - [`enact`](Pallet::enact)`(index)`: DAO only (the scheduler dispatches it), from the
//!   enactment block on: dispatches an approved proposal's call as the DAO. The call's failure does not fail `enact`: it is
//!   reported in [`Event::Enacted`], and whatever the call changed is undone.
//! - [`set_params`](Pallet::set_params)`(proposal_deposit?, voting_period?, enactment_delay?,
//!   quorum?, approval?, spam_threshold?)`: DAO only; `voting_period` stays non-zero.
//!
//! ## Genesis
//!
//! [`GenesisConfig`] may set parameters other than the defaults, written in a chain spec as
//! `"dao": { "params": { "proposalDeposit": <plancks>, "votingPeriod": <blocks>,
//! "enactmentDelay": <blocks>, "quorum": <ppb>, "approval": <ppb>, "spamThreshold": <ppb> } }`,
//! with shares in parts per billion.
//!
//! ## Invariants (checked by `do_try_state`)
//!
//! - [`OpenProposals`] lists exactly the proposals in `Voting` status, each once.
//! - The tally of each voting proposal equals the sum of the [`VotesOf`] entries on it.
//! - No account has two entries on one proposal, a zero vote, or an empty [`VotesOf`] stored.
//! - Each voter's freeze under [`FreezeReason::Voting`] is at least the largest amount among its
//!   votes on voting proposals, and at most the largest among all its votes.
//! - The balance held from each proposer under [`HoldReason::ProposalDeposit`] equals the sum of
//!   the deposits of its voting proposals.

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

use alloc::boxed::Box;
use frame_support::{
	dispatch::{extract_actual_weight, GetDispatchInfo, PostDispatchInfo},
	pallet_prelude::*,
	storage::with_storage_layer,
	traits::{
		fungible::{self, Inspect, InspectHold, MutateFreeze, MutateHold},
		schedule::{
			self,
			v3::{Named as ScheduleNamed, TaskName},
			DispatchTime,
		},
		tokens::{Fortitude, Precision, Restriction},
		Bounded, Contains, QueryPreimage, StorePreimage,
	},
	Hashable,
};
use frame_system::pallet_prelude::*;
use sp_runtime::{
	traits::{Dispatchable, Saturating},
	Perbill,
};

/// Prefix of the scheduler task names of enactments ([`task_name`]).
const TASK_PREFIX: [u8; 8] = *b"ocos/dao";

/// Scheduler priority of enactments (as `pallet-referenda`'s).
pub const ENACTMENT_PRIORITY: schedule::Priority = schedule::HARD_DEADLINE;

/// Balance of the currency that votes and pays deposits.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// The runtime's call type, as the pallet sees it.
pub type CallOf<T> = <T as Config>::RuntimeCall;
/// A proposal's call: inline, or the hash of a preimage.
pub type BoundedCallOf<T> = Bounded<CallOf<T>, <T as frame_system::Config>::Hashing>;
/// A proposal's description: UTF-8 text or an IPFS CID.
pub type DescriptionOf<T> = BoundedVec<u8, <T as Config>::MaxDescriptionLen>;
/// A vote with the runtime's balance type.
pub type VoteOf<T> = Vote<BalanceOf<T>>;
/// A tally with the runtime's balance type.
pub type TallyOf<T> = Tally<BalanceOf<T>>;
/// An account's votes, by proposal.
pub type AccountVotesOf<T> = BoundedVec<(ProposalIndex, VoteOf<T>), <T as Config>::MaxVotes>;
/// The DAO's parameters with the runtime's balance and block number types.
pub type DaoParamsOf<T> = DaoParams<BalanceOf<T>, BlockNumberFor<T>>;
/// A proposal with the runtime's types.
pub type ProposalOf<T> = Proposal<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	BoundedCallOf<T>,
	DescriptionOf<T>,
>;

/// The scheduler task name of proposal `index`'s enactment: the blake2-256 hash of
/// `(b"ocos/dao", index)` SCALE-encoded.
pub fn task_name(index: ProposalIndex) -> TaskName {
	(TASK_PREFIX, index).blake2_256()
}

/// Succeeds for the DAO origin ([`RawOrigin::Dao`]) only: the origin enacted proposals are
/// dispatched with. Root does not pass.
pub struct EnsureDao;

impl<O: Into<Result<RawOrigin, O>> + From<RawOrigin>> EnsureOrigin<O> for EnsureDao {
	type Success = ();

	fn try_origin(o: O) -> Result<Self::Success, O> {
		let origin: Result<RawOrigin, O> = o.into();
		match origin {
			Ok(RawOrigin::Dao) => Ok(()),
			Err(o) => Err(o),
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		Ok(O::from(RawOrigin::Dao))
	}
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
		/// The runtime's call type: what proposals carry and [`Pallet::enact`] dispatches.
		type RuntimeCall: Parameter
			+ Dispatchable<
				RuntimeOrigin = <Self as Config>::RuntimeOrigin,
				PostInfo = PostDispatchInfo,
			> + GetDispatchInfo
			+ From<Call<Self>>
			+ IsType<<Self as frame_system::Config>::RuntimeCall>;

		/// The runtime's origin type; the DAO origin converts into it and is recognised in it.
		type RuntimeOrigin: From<RawOrigin>
			+ Into<Result<RawOrigin, <Self as Config>::RuntimeOrigin>>
			+ IsType<<Self as frame_system::Config>::RuntimeOrigin>;

		/// The runtime's caller type (`OriginCaller`); enactments are scheduled with the DAO
		/// origin in it.
		type PalletsOrigin: From<RawOrigin>;

		/// The currency that votes (frozen) and pays proposal deposits (held).
		type Currency: fungible::Inspect<Self::AccountId>
			+ fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::MutateFreeze<Self::AccountId, Id = Self::RuntimeFreezeReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The overarching freeze reason.
		type RuntimeFreezeReason: From<FreezeReason>;

		/// The scheduler that dispatches enactments. `enact`'s weight, `MaxEnactWeight`
		/// included, must fit its maximum weight per block, or enactments never run.
		type Scheduler: ScheduleNamed<
			BlockNumberFor<Self>,
			CallOf<Self>,
			Self::PalletsOrigin,
			Hasher = Self::Hashing,
		>;

		/// Where the preimages of proposals' calls are stored.
		type Preimages: QueryPreimage<H = Self::Hashing> + StorePreimage;

		/// Account that receives the deposits of proposals rejected as spam.
		#[pallet::constant]
		type Treasury: Get<Self::AccountId>;

		/// The parameters in force until genesis or the DAO sets others (the production
		/// values). Must pass the checks of `set_params`.
		#[pallet::constant]
		type DefaultParams: Get<DaoParamsOf<Self>>;

		/// Longest proposal description, in bytes.
		#[pallet::constant]
		type MaxDescriptionLen: Get<u32>;

		/// Most proposals voting at once.
		#[pallet::constant]
		type MaxOpenProposals: Get<u32>;

		/// Most entries an account may have in [`VotesOf`].
		#[pallet::constant]
		type MaxVotes: Get<u32>;

		/// Heaviest call a proposal may carry: `propose` refuses a heavier inline call, and
		/// `enact` does not dispatch one.
		#[pallet::constant]
		type MaxEnactWeight: Get<Weight>;

		/// Calls the DAO enacts with the root origin instead of its own: those of pallets that
		/// accept no origin but root (frame-system's `authorize_upgrade`, for runtime
		/// upgrades). Everything else runs as [`RawOrigin::Dao`], which only the pallets that
		/// chose [`EnsureDao`] accept.
		type AsRoot: Contains<CallOf<Self>>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The origin of this pallet.
	#[pallet::origin]
	pub type Origin = RawOrigin;

	/// The DAO's origin.
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
	pub enum RawOrigin {
		/// The token holders, through an enacted proposal.
		Dao,
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of a voting proposal.
		#[codec(index = 0)]
		ProposalDeposit,
	}

	/// Why this pallet freezes funds.
	#[pallet::composite_enum]
	pub enum FreezeReason {
		/// Funds backing votes on proposals.
		#[codec(index = 0)]
		Voting,
	}

	/// The parameters when nothing is stored: [`Config::DefaultParams`].
	#[pallet::type_value]
	pub fn ParamsOnEmpty<T: Config>() -> DaoParamsOf<T> {
		T::DefaultParams::get()
	}

	/// The DAO's parameters (see [`DaoParams`]).
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, DaoParamsOf<T>, ValueQuery, ParamsOnEmpty<T>>;

	/// The index the next proposal gets.
	#[pallet::storage]
	pub type ProposalCount<T> = StorageValue<_, ProposalIndex, ValueQuery>;

	/// Every proposal ever submitted.
	#[pallet::storage]
	pub type Proposals<T: Config> =
		StorageMap<_, Twox64Concat, ProposalIndex, ProposalOf<T>, OptionQuery>;

	/// The proposals in `Voting` status, in submission order.
	#[pallet::storage]
	pub type OpenProposals<T: Config> =
		StorageValue<_, BoundedVec<ProposalIndex, T::MaxOpenProposals>, ValueQuery>;

	/// Each account's votes, including those on proposals that ended and were not unlocked yet.
	/// Absent when empty.
	#[pallet::storage]
	pub type VotesOf<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, AccountVotesOf<T>, ValueQuery>;

	/// The DAO's parameters at genesis.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Parameters other than [`Config::DefaultParams`]; `None` keeps the defaults.
		pub params: Option<DaoParamsOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(params) = self.params {
				// A genesis that cannot be built must fail loudly.
				Pallet::<T>::ensure_valid_params(&params)
					.expect("genesis DAO parameters must pass the checks of set_params");
				Params::<T>::put(params);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A proposal was submitted with `deposit` held; it is open for votes until `end`.
		Proposed {
			index: ProposalIndex,
			proposer: T::AccountId,
			deposit: BalanceOf<T>,
			end: BlockNumberFor<T>,
		},
		/// An account voted on a proposal (replacing any earlier vote of it there).
		Voted { index: ProposalIndex, who: T::AccountId, vote: VoteOf<T> },
		/// An account withdrew its vote on a proposal.
		VoteRemoved { index: ProposalIndex, who: T::AccountId },
		/// An account's votes on ended proposals were dropped; `frozen` is now frozen for its
		/// other votes.
		Unlocked { who: T::AccountId, frozen: BalanceOf<T> },
		/// A proposal passed; its enactment is scheduled for block `enact_at`.
		Passed {
			index: ProposalIndex,
			ayes: BalanceOf<T>,
			nays: BalanceOf<T>,
			enact_at: BlockNumberFor<T>,
		},
		/// A proposal did not pass; `slashed` of its deposit went to the treasury (spam).
		Rejected {
			index: ProposalIndex,
			ayes: BalanceOf<T>,
			nays: BalanceOf<T>,
			slashed: BalanceOf<T>,
		},
		/// A proposal was cancelled.
		Cancelled { index: ProposalIndex },
		/// A passed proposal's call was dispatched as the DAO, with `result`.
		Enacted { index: ProposalIndex, result: DispatchResult },
		/// The DAO changed its parameters; these are now in force.
		ParamsSet { params: DaoParamsOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No proposal has this index.
		UnknownProposal,
		/// `MaxOpenProposals` proposals are voting already.
		TooManyProposals,
		/// Proposal indices are exhausted.
		IndexOverflow,
		/// The caller cannot pay the deposit, or cannot back the vote with its free balance.
		InsufficientBalance,
		/// The call does not decode as a call of this runtime.
		UndecodableCall,
		/// The call weighs more than `MaxEnactWeight`.
		CallTooHeavy,
		/// The proposal is not open for votes.
		NotVoting,
		/// The proposal's voting period is over.
		VotingEnded,
		/// A vote must be for a non-zero amount.
		ZeroAmount,
		/// The account has `MaxVotes` votes; remove some or unlock ended ones first.
		TooManyVotes,
		/// The account has no vote on this proposal.
		NotVoted,
		/// The account has no vote on an ended proposal.
		NothingToUnlock,
		/// The proposal's voting period is not over yet.
		VotingNotOver,
		/// Only the proposer (or the DAO) may cancel a proposal.
		NotProposer,
		/// The proposer cannot cancel a proposal that has votes.
		HasVotes,
		/// The proposal cannot be cancelled in its status.
		CannotCancel,
		/// Only an approved proposal can be enacted.
		NotApproved,
		/// The proposal's enactment block has not come yet.
		EnactmentNotDue,
		/// The preimage of the proposal's call is not available.
		PreimageUnavailable,
		/// The enactment could not be scheduled (the scheduler's agenda of its block is full);
		/// try again in a later block.
		SchedulingFailed,
		/// The parameter change would change nothing.
		NothingToUpdate,
		/// The voting period must be non-zero.
		ZeroVotingPeriod,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxOpenProposals::get() > 0, "`MaxOpenProposals` must not be zero");
			assert!(T::MaxVotes::get() > 0, "`MaxVotes` must not be zero");
			assert_eq!(
				Self::ensure_valid_params(&T::DefaultParams::get()),
				Ok(()),
				"DefaultParams must pass the checks of set_params"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submits `call` to the token holders' vote, holding `proposal_deposit` from the
		/// caller. The vote is open until `now + voting_period`. A preimage call is requested
		/// from the preimage store until the proposal ends.
		///
		/// Emits [`Event::Proposed`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::propose())]
		pub fn propose(
			origin: OriginFor<T>,
			call: Box<BoundedCallOf<T>>,
			description: DescriptionOf<T>,
		) -> DispatchResult {
			let proposer = ensure_signed(origin)?;
			let call = *call;
			if matches!(call, Bounded::Inline(_)) {
				let (inner, _) =
					T::Preimages::peek(&call).map_err(|_| Error::<T>::UndecodableCall)?;
				ensure!(!Self::too_heavy(&inner), Error::<T>::CallTooHeavy);
			}

			let index = ProposalCount::<T>::get();
			let next = index.checked_add(1).ok_or(Error::<T>::IndexOverflow)?;
			OpenProposals::<T>::try_mutate(|open| open.try_push(index))
				.map_err(|_| Error::<T>::TooManyProposals)?;

			let params = Params::<T>::get();
			let deposit = params.proposal_deposit;
			if !deposit.is_zero() {
				let reason = Self::deposit_reason();
				ensure!(
					T::Currency::can_hold(&reason, &proposer, deposit),
					Error::<T>::InsufficientBalance
				);
				T::Currency::hold(&reason, &proposer, deposit)?;
			}
			T::Preimages::hold(&call);

			let now = frame_system::Pallet::<T>::block_number();
			let end = now.saturating_add(params.voting_period);
			Proposals::<T>::insert(
				index,
				Proposal {
					proposer: proposer.clone(),
					call,
					description,
					deposit,
					submitted_at: now,
					tally: Tally::default(),
					status: ProposalStatus::Voting { end },
				},
			);
			ProposalCount::<T>::put(next);

			Self::deposit_event(Event::Proposed { index, proposer, deposit, end });
			Ok(())
		}

		/// Votes `amount` for (`aye`) or against proposal `index`, replacing the caller's
		/// earlier vote on it. `amount` may be at most the caller's free balance (held funds do
		/// not count); the caller's voting freeze becomes the largest amount among its votes on
		/// proposals still voting.
		///
		/// Emits [`Event::Voted`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::vote())]
		pub fn vote(
			origin: OriginFor<T>,
			index: ProposalIndex,
			aye: bool,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut proposal = Proposals::<T>::get(index).ok_or(Error::<T>::UnknownProposal)?;
			let end = Self::voting_end(&proposal)?;
			ensure!(frame_system::Pallet::<T>::block_number() < end, Error::<T>::VotingEnded);
			ensure!(amount <= T::Currency::balance(&who), Error::<T>::InsufficientBalance);

			let vote = Vote { aye, amount };
			let mut votes = VotesOf::<T>::get(&who);
			if let Some((_, old)) = votes.iter_mut().find(|(voted, _)| *voted == index) {
				proposal.tally.remove(*old);
				*old = vote;
			} else {
				votes.try_push((index, vote)).map_err(|_| Error::<T>::TooManyVotes)?;
			}
			proposal.tally.add(vote);

			Self::update_freeze(&who, &votes, &OpenProposals::<T>::get())?;
			VotesOf::<T>::insert(&who, votes);
			Proposals::<T>::insert(index, proposal);
			Self::deposit_event(Event::Voted { index, who, vote });
			Ok(())
		}

		/// Withdraws the caller's vote on proposal `index`. While the proposal votes, the vote
		/// leaves its tally (refused between the end and the close: the tally is final then);
		/// on an ended proposal only the record goes. Recomputes the caller's voting freeze.
		///
		/// Emits [`Event::VoteRemoved`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::remove_vote())]
		pub fn remove_vote(origin: OriginFor<T>, index: ProposalIndex) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut votes = VotesOf::<T>::get(&who);
			let mut removed = None;
			votes.retain(|(voted, vote)| {
				if *voted == index {
					removed = Some(*vote);
					false
				} else {
					true
				}
			});
			let vote = removed.ok_or(Error::<T>::NotVoted)?;

			if let Some(mut proposal) = Proposals::<T>::get(index) {
				if let ProposalStatus::Voting { end } = proposal.status {
					ensure!(
						frame_system::Pallet::<T>::block_number() < end,
						Error::<T>::VotingEnded
					);
					proposal.tally.remove(vote);
					Proposals::<T>::insert(index, proposal);
				}
			}

			Self::update_freeze(&who, &votes, &OpenProposals::<T>::get())?;
			Self::store_votes(&who, votes);
			Self::deposit_event(Event::VoteRemoved { index, who });
			Ok(())
		}

		/// Drops `target`'s votes on proposals that are no longer voting and recomputes its
		/// voting freeze. Anyone may call it.
		///
		/// Emits [`Event::Unlocked`] with the amount still frozen.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::unlock())]
		pub fn unlock(origin: OriginFor<T>, target: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			let mut votes = VotesOf::<T>::get(&target);
			let open = OpenProposals::<T>::get();
			let before = votes.len();
			votes.retain(|(index, _)| open.contains(index));
			ensure!(votes.len() < before, Error::<T>::NothingToUnlock);

			let frozen = Self::update_freeze(&target, &votes, &open)?;
			Self::store_votes(&target, votes);
			Self::deposit_event(Event::Unlocked { who: target, frozen });
			Ok(())
		}

		/// Closes the vote on proposal `index` once its voting period is over. Anyone may call
		/// it.
		///
		/// A passed proposal's enactment is scheduled `enactment_delay` blocks ahead (at least
		/// one) and its deposit returned ([`Event::Passed`]). A rejected proposal's deposit is
		/// returned, or moved to [`Config::Treasury`] if it is spam ([`Event::Rejected`]).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::close().max(T::WeightInfo::close_rejected()))]
		pub fn close(origin: OriginFor<T>, index: ProposalIndex) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let mut proposal = Proposals::<T>::get(index).ok_or(Error::<T>::UnknownProposal)?;
			let end = Self::voting_end(&proposal)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now >= end, Error::<T>::VotingNotOver);
			Self::remove_open(index);

			let params = Params::<T>::get();
			let Tally { ayes, nays } = proposal.tally;
			let outcome = params.outcome(&proposal.tally, T::Currency::total_issuance());
			let weight = if outcome == Outcome::Passed {
				let enact_at = now.saturating_add(params.enactment_delay.max(One::one()));
				let enact = T::Preimages::bound(CallOf::<T>::from(Call::<T>::enact { index }))
					.map_err(|_| Error::<T>::SchedulingFailed)?;
				T::Scheduler::schedule_named(
					task_name(index),
					DispatchTime::At(enact_at),
					None,
					ENACTMENT_PRIORITY,
					RawOrigin::Dao.into(),
					enact,
				)
				.map_err(|_| Error::<T>::SchedulingFailed)?;
				Self::release_deposit(&proposal);
				proposal.status = ProposalStatus::Approved { enact_at };
				Self::deposit_event(Event::Passed { index, ayes, nays, enact_at });
				T::WeightInfo::close()
			} else {
				let slashed = if outcome == Outcome::Spam {
					Self::slash_deposit(&proposal)
				} else {
					Self::release_deposit(&proposal);
					Zero::zero()
				};
				T::Preimages::drop(&proposal.call);
				proposal.status = ProposalStatus::Rejected;
				Self::deposit_event(Event::Rejected { index, ayes, nays, slashed });
				T::WeightInfo::close_rejected()
			};
			Proposals::<T>::insert(index, proposal);
			Ok(Some(weight).into())
		}

		/// Cancels proposal `index`: by its proposer while it votes and no vote counts, or by
		/// the DAO while it votes or is approved (its scheduled enactment is cancelled). The
		/// deposit of a voting proposal is returned.
		///
		/// Emits [`Event::Cancelled`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::cancel().max(T::WeightInfo::cancel_approved()))]
		pub fn cancel(origin: OriginFor<T>, index: ProposalIndex) -> DispatchResultWithPostInfo {
			let caller = Self::ensure_dao_or_signed(origin)?;
			let mut proposal = Proposals::<T>::get(index).ok_or(Error::<T>::UnknownProposal)?;
			let voting = matches!(proposal.status, ProposalStatus::Voting { .. });
			let approved = matches!(proposal.status, ProposalStatus::Approved { .. });
			match caller {
				Some(who) => {
					ensure!(who == proposal.proposer, Error::<T>::NotProposer);
					ensure!(voting, Error::<T>::CannotCancel);
					ensure!(proposal.tally.turnout().is_zero(), Error::<T>::HasVotes);
				}
				None => ensure!(voting || approved, Error::<T>::CannotCancel),
			}

			let weight = if approved {
				// The task may be gone already: a task the scheduler postponed loses its name.
				// It then finds the proposal cancelled and does nothing.
				let _ = T::Scheduler::cancel_named(task_name(index));
				T::WeightInfo::cancel_approved()
			} else {
				Self::remove_open(index);
				Self::release_deposit(&proposal);
				T::WeightInfo::cancel()
			};
			T::Preimages::drop(&proposal.call);
			proposal.status = ProposalStatus::Cancelled;
			Proposals::<T>::insert(index, proposal);
			Self::deposit_event(Event::Cancelled { index });
			Ok(Some(weight).into())
		}

		/// Dispatches approved proposal `index`'s call with the DAO origin (DAO only: the
		/// scheduler dispatches this at the enactment block).
		///
		/// The call runs in its own storage layer: if it fails, what it changed is undone, the
		/// proposal is `Enacted { ok: false }` and `enact` itself succeeds. A preimage that is
		/// unavailable, does not decode or weighs more than `MaxEnactWeight` fails the same way.
		///
		/// Emits [`Event::Enacted`] with the call's result.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::enact().saturating_add(T::MaxEnactWeight::get()))]
		pub fn enact(origin: OriginFor<T>, index: ProposalIndex) -> DispatchResultWithPostInfo {
			Self::ensure_dao(origin)?;
			let mut proposal = Proposals::<T>::get(index).ok_or(Error::<T>::UnknownProposal)?;
			let ProposalStatus::Approved { enact_at } = proposal.status else {
				return Err(Error::<T>::NotApproved.into());
			};
			// Another proposal cannot enact this one ahead of its delay.
			ensure!(
				frame_system::Pallet::<T>::block_number() >= enact_at,
				Error::<T>::EnactmentNotDue
			);
			// Recorded before the call runs, so that the call cannot enact its proposal again.
			proposal.status = ProposalStatus::Enacted { ok: false };
			Proposals::<T>::insert(index, &proposal);

			let (result, call_weight) = Self::dispatch_as_dao(&proposal.call);
			if result.is_ok() {
				proposal.status = ProposalStatus::Enacted { ok: true };
				Proposals::<T>::insert(index, &proposal);
			}
			Self::deposit_event(Event::Enacted { index, result });
			Ok(Some(T::WeightInfo::enact().saturating_add(call_weight)).into())
		}

		/// Changes the given parameters (DAO only); see [`DaoParams`]. Proposals already
		/// submitted keep their deposit and voting end; the others apply when they are closed.
		///
		/// Emits [`Event::ParamsSet`] with the parameters now in force.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(
			origin: OriginFor<T>,
			proposal_deposit: Option<BalanceOf<T>>,
			voting_period: Option<BlockNumberFor<T>>,
			enactment_delay: Option<BlockNumberFor<T>>,
			quorum: Option<Perbill>,
			approval: Option<Perbill>,
			spam_threshold: Option<Perbill>,
		) -> DispatchResult {
			Self::ensure_dao(origin)?;
			let old = Params::<T>::get();
			let params = DaoParams {
				proposal_deposit: proposal_deposit.unwrap_or(old.proposal_deposit),
				voting_period: voting_period.unwrap_or(old.voting_period),
				enactment_delay: enactment_delay.unwrap_or(old.enactment_delay),
				quorum: quorum.unwrap_or(old.quorum),
				approval: approval.unwrap_or(old.approval),
				spam_threshold: spam_threshold.unwrap_or(old.spam_threshold),
			};
			ensure!(params != old, Error::<T>::NothingToUpdate);
			Self::ensure_valid_params(&params)?;
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Checks parameters as `set_params` and the genesis build require them.
	pub(crate) fn ensure_valid_params(params: &DaoParamsOf<T>) -> DispatchResult {
		ensure!(!params.voting_period.is_zero(), Error::<T>::ZeroVotingPeriod);
		Ok(())
	}

	/// Fails with `BadOrigin` unless `origin` is the DAO.
	fn ensure_dao(origin: OriginFor<T>) -> DispatchResult {
		EnsureDao::ensure_origin(<T as Config>::RuntimeOrigin::from(origin))?;
		Ok(())
	}

	/// `None` for the DAO, the account for a signed origin; `BadOrigin` for any other.
	fn ensure_dao_or_signed(origin: OriginFor<T>) -> Result<Option<T::AccountId>, DispatchError> {
		match EnsureDao::try_origin(<T as Config>::RuntimeOrigin::from(origin)) {
			Ok(()) => Ok(None),
			Err(origin) => {
				let origin: OriginFor<T> = origin.into();
				Ok(Some(ensure_signed(origin)?))
			}
		}
	}

	/// The end of a voting proposal's voting period.
	fn voting_end(proposal: &ProposalOf<T>) -> Result<BlockNumberFor<T>, Error<T>> {
		match proposal.status {
			ProposalStatus::Voting { end } => Ok(end),
			_ => Err(Error::<T>::NotVoting),
		}
	}

	/// Whether `call` weighs more than [`Config::MaxEnactWeight`].
	fn too_heavy(call: &CallOf<T>) -> bool {
		call.get_dispatch_info().call_weight.any_gt(T::MaxEnactWeight::get())
	}

	/// The hold reason of proposal deposits.
	fn deposit_reason() -> T::RuntimeHoldReason {
		HoldReason::ProposalDeposit.into()
	}

	/// Removes `index` from [`OpenProposals`].
	fn remove_open(index: ProposalIndex) {
		OpenProposals::<T>::mutate(|open| open.retain(|open_index| *open_index != index));
	}

	/// Stores an account's votes, removing the entry when there are none.
	fn store_votes(who: &T::AccountId, votes: AccountVotesOf<T>) {
		if votes.is_empty() {
			VotesOf::<T>::remove(who);
		} else {
			VotesOf::<T>::insert(who, votes);
		}
	}

	/// Sets `who`'s voting freeze to the largest amount among `votes` on proposals in `open`
	/// (the voting ones), thawing it if there is none; returns the amount.
	fn update_freeze(
		who: &T::AccountId,
		votes: &AccountVotesOf<T>,
		open: &[ProposalIndex],
	) -> Result<BalanceOf<T>, DispatchError> {
		let frozen = votes
			.iter()
			.filter(|(index, _)| open.contains(index))
			.map(|(_, vote)| vote.amount)
			.max()
			.unwrap_or_else(Zero::zero);
		T::Currency::set_freeze(&FreezeReason::Voting.into(), who, frozen)?;
		Ok(frozen)
	}

	/// Returns a proposal's deposit to its proposer.
	fn release_deposit(proposal: &ProposalOf<T>) {
		if proposal.deposit.is_zero() {
			return;
		}
		let released = T::Currency::release(
			&Self::deposit_reason(),
			&proposal.proposer,
			proposal.deposit,
			Precision::BestEffort,
		);
		if released != Ok(proposal.deposit) {
			defensive!("a proposal's deposit was not held in full");
		}
	}

	/// Moves a proposal's deposit to the treasury and returns the amount moved. Should the
	/// treasury be unable to receive it (a missing account and a deposit below the existential
	/// deposit), the deposit is returned instead, so that `close` cannot get stuck.
	fn slash_deposit(proposal: &ProposalOf<T>) -> BalanceOf<T> {
		if proposal.deposit.is_zero() {
			return Zero::zero();
		}
		let slashed = with_storage_layer(|| {
			T::Currency::transfer_on_hold(
				&Self::deposit_reason(),
				&proposal.proposer,
				&T::Treasury::get(),
				proposal.deposit,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)
		});
		match slashed {
			Ok(slashed) => {
				if slashed != proposal.deposit {
					defensive!("a proposal's deposit was not held in full");
				}
				slashed
			}
			Err(_) => {
				Self::release_deposit(proposal);
				Zero::zero()
			}
		}
	}

	/// Realizes a proposal's call and dispatches it with the DAO origin in its own storage
	/// layer, so that a failing call changes nothing. Returns the call's result and the weight
	/// it used. The preimage request made by `propose` ends here.
	fn dispatch_as_dao(bounded: &BoundedCallOf<T>) -> (DispatchResult, Weight) {
		let realized = T::Preimages::peek(bounded);
		T::Preimages::drop(bounded);
		let call = match realized {
			Ok((call, _)) => call,
			Err(DispatchError::Corruption) => {
				return (Err(Error::<T>::UndecodableCall.into()), Weight::zero())
			}
			Err(_) => return (Err(Error::<T>::PreimageUnavailable.into()), Weight::zero()),
		};
		if Self::too_heavy(&call) {
			return (Err(Error::<T>::CallTooHeavy.into()), Weight::zero());
		}
		let info = call.get_dispatch_info();
		let origin: <T as Config>::RuntimeOrigin = if T::AsRoot::contains(&call) {
			let root: OriginFor<T> = frame_system::RawOrigin::Root.into();
			<<T as Config>::RuntimeOrigin as From<OriginFor<T>>>::from(root)
		} else {
			<T as Config>::RuntimeOrigin::from(RawOrigin::Dao)
		};
		let outcome = with_storage_layer(move || call.dispatch(origin));
		let weight = extract_actual_weight(&outcome, &info);
		(outcome.map(|_| ()).map_err(|e| e.error), weight)
	}

	/// Checks the invariants listed in the pallet docs.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
		use frame_support::traits::fungible::InspectFreeze;

		let open = OpenProposals::<T>::get();
		ensure!(
			open.iter().collect::<BTreeSet<_>>().len() == open.len(),
			"OpenProposals lists a proposal twice"
		);
		let count = ProposalCount::<T>::get();
		// Of each voting proposal: its recorded tally, and the tally of the votes on it.
		let mut tallies: BTreeMap<ProposalIndex, (TallyOf<T>, TallyOf<T>)> = BTreeMap::new();
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (index, proposal) in Proposals::<T>::iter() {
			ensure!(index < count, "a proposal index is not below ProposalCount");
			let held = deposits.entry(proposal.proposer.clone()).or_default();
			if let ProposalStatus::Voting { .. } = proposal.status {
				ensure!(open.contains(&index), "a voting proposal is missing from OpenProposals");
				*held = held.saturating_add(proposal.deposit);
				tallies.insert(index, (proposal.tally, Tally::default()));
			}
		}
		ensure!(
			open.iter().all(|index| tallies.contains_key(index)),
			"OpenProposals lists a proposal that is not voting"
		);

		for (who, votes) in VotesOf::<T>::iter() {
			ensure!(!votes.is_empty(), "an empty vote list is stored");
			let mut voted = BTreeSet::new();
			let mut largest = BalanceOf::<T>::zero();
			let mut largest_open = BalanceOf::<T>::zero();
			for (index, vote) in votes.iter() {
				ensure!(voted.insert(*index), "an account has two votes on a proposal");
				ensure!(!vote.amount.is_zero(), "a vote is zero");
				largest = largest.max(vote.amount);
				if let Some((_, counted)) = tallies.get_mut(index) {
					counted.add(*vote);
					largest_open = largest_open.max(vote.amount);
				}
			}
			let frozen = T::Currency::balance_frozen(&FreezeReason::Voting.into(), &who);
			ensure!(frozen >= largest_open, "a voting freeze is below a vote on a voting proposal");
			ensure!(frozen <= largest, "a voting freeze exceeds every vote of its account");
		}
		for (recorded, counted) in tallies.values() {
			ensure!(recorded == counted, "a voting proposal's tally differs from its votes");
		}

		for (proposer, deposit) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&Self::deposit_reason(), &proposer) == deposit,
				"a proposer's held deposit differs from the deposits of its voting proposals"
			);
		}
		Ok(())
	}
}
