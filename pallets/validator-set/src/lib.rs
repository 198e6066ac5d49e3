//! # Validator-set pallet
//!
//! The DAO decides who validates the chain. This pallet keeps the set it voted for and is
//! `pallet-session`'s [`SessionManager`]: Aura and GRANDPA authorities follow the session's
//! validators, so a change takes effect at a session boundary, not at once.
//!
//! ## Terms
//!
//! - **Validator set** ([`Validators`]): the accounts the DAO decided, in the order they were
//!   added (a removal keeps the order of the rest). No account twice; at least
//!   [`Config::MinValidators`] (itself at least one), so that no vote can halt the chain by
//!   removing every validator, and at most [`Config::MaxValidators`].
//! - **Session keys**: an account may only join the set once it has registered its session keys
//!   with `session.set_keys` ([`Config::HasSessionKeys`]; the runtime answers from
//!   `pallet-session`'s `NextKeys`). The session pallet silently skips a validator without keys,
//!   so the check keeps the DAO from voting in a validator that would not validate. A validator
//!   that purges its keys later is skipped the same way until it sets them again.
//! - **Pending change** ([`SetChanged`]): the set changed since it was last handed to the
//!   session pallet. Several changes between two session boundaries are handed over as one.
//!
//! ## Calls
//!
//! - [`add_validator`](Pallet::add_validator)`(who)`: [`Config::AddRemoveOrigin`] (the DAO);
//!   appends `who`, which must not be a validator, must have session keys, and must fit within
//!   `MaxValidators`.
//! - [`remove_validator`](Pallet::remove_validator)`(who)`: [`Config::AddRemoveOrigin`];
//!   removes `who`, unless the set would fall below `MinValidators`.
//!
//! Both mark the change as pending; neither touches the session pallet.
//!
//! ## Session manager
//!
//! When the session pallet rotates into session `n`, it plans session `n + 1` with
//! [`SessionManager::new_session`]`(n + 1)`: if a change is pending, the pallet hands over the
//! whole set ([`Event::NewSetPlanned`]) and clears the pending flag; otherwise it answers
//! `None` and the session pallet keeps its validators. A planned set validates from session
//! `n + 1` on, so a change voted during session `n - 1` takes effect one to two session
//! lengths after the vote. A planned set is handed over as it is, even if the changes since
//! the last one cancel out (the session pallet treats it as a change of the set).
//!
//! [`SessionManager::new_session_genesis`] answers with the stored set, or `None` while it is
//! empty: the session pallet builds its genesis before this pallet's when it comes first in the
//! runtime, and then starts with the validators of its own genesis keys, which the presets keep
//! equal to this pallet's genesis set. `end_session` and `start_session` do nothing.
//!
//! The session pallet charges a rotation a full block, so it does not account for the
//! manager's weight; `new_session` costs at most two reads ([`SetChanged`], [`Validators`]) and
//! two writes ([`SetChanged`] and the event).
//!
//! ## Genesis
//!
//! [`GenesisConfig`] lists the initial validators, written in a chain spec as
//! `"validatorSet": { "validators": [<account>, ...] }`. The list must be non-empty, without
//! duplicates, and between `MinValidators` and `MaxValidators` long; a genesis that breaks
//! this fails to build. The accounts should also have session keys in the session pallet's
//! genesis, which this pallet cannot check (the session genesis may be built after it). A
//! runtime that adds this pallet to a live chain must store the session's current validators
//! in [`Validators`] with a migration.
//!
//! ## Invariants (checked by `do_try_state`)
//!
//! - [`Validators`] lists no account twice.
//! - `MinValidators ≤` the number of validators `≤ MaxValidators`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::Contains};
use frame_system::pallet_prelude::*;
use pallet_session::SessionManager;

/// A session's index (as `pallet-session`'s, `sp_staking::SessionIndex`).
pub type SessionIndex = u32;

/// The validator set with the runtime's account type.
pub type ValidatorsOf<T> =
	BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxValidators>;

/// Prepares accounts for the benchmarks: whatever [`Config::HasSessionKeys`] needs to accept
/// them.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `who` pass [`Config::HasSessionKeys`] (in the runtime: sets session keys for it).
	fn ensure_session_keys(who: &AccountId);
}

/// Does nothing: for runtimes whose [`Config::HasSessionKeys`] accepts every account.
#[cfg(feature = "runtime-benchmarks")]
impl<AccountId> BenchmarkHelper<AccountId> for () {
	fn ensure_session_keys(_who: &AccountId) {}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The pallet's configuration. Its events go to `frame_system`'s `RuntimeEvent`, which the
	/// pallet macro requires to be `From<Event<Self>>`.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The origin that adds and removes validators (the DAO).
		type AddRemoveOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The accounts that have registered session keys (in the runtime: those in
		/// `pallet-session`'s `NextKeys`). Only they may become validators.
		type HasSessionKeys: Contains<Self::AccountId>;

		/// The most validators at once.
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// The fewest validators at once; at least one. A removal below it fails, so that no
		/// vote can leave the chain without validators.
		#[pallet::constant]
		type MinValidators: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Prepares the accounts the benchmarks add.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The validator set the DAO decided, in the order of addition.
	#[pallet::storage]
	pub type Validators<T: Config> = StorageValue<_, ValidatorsOf<T>, ValueQuery>;

	/// Whether [`Validators`] changed since it was last handed to the session pallet.
	#[pallet::storage]
	pub type SetChanged<T> = StorageValue<_, bool, ValueQuery>;

	/// The initial validators.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The initial validators: no duplicates, between `MinValidators` and `MaxValidators`
		/// long, the same accounts that have keys in the session genesis. Empty (the default)
		/// records no set: the session keeps its genesis validators, and the DAO cannot change
		/// them ([`Error::NoValidatorSet`]), since a first addition would replace them all.
		pub validators: Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			use alloc::collections::btree_set::BTreeSet;

			if self.validators.is_empty() {
				return;
			}
			// A genesis that cannot be built must fail loudly.
			assert_eq!(
				self.validators.iter().collect::<BTreeSet<_>>().len(),
				self.validators.len(),
				"the genesis validator set lists an account twice"
			);
			assert!(
				self.validators.len() >= T::MinValidators::get() as usize,
				"the genesis validator set has fewer than `MinValidators` validators"
			);
			let validators = ValidatorsOf::<T>::try_from(self.validators.clone())
				.expect("the genesis validator set has more than `MaxValidators` validators");
			Validators::<T>::put(validators);
			SetChanged::<T>::put(false);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The DAO added a validator; it validates from the session the change is planned for.
		ValidatorAdded { who: T::AccountId },
		/// The DAO removed a validator; it stops validating from the session the change is
		/// planned for.
		ValidatorRemoved { who: T::AccountId },
		/// The set was handed to the session pallet; it validates from session `session` on.
		NewSetPlanned { session: SessionIndex, validators: Vec<T::AccountId> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is a validator already.
		AlreadyValidator,
		/// No validator set was recorded at genesis; adding one validator would replace the
		/// session's validators with it alone.
		NoValidatorSet,
		/// The set has `MaxValidators` validators already.
		TooManyValidators,
		/// The account has not set its session keys (`session.set_keys`).
		NoSessionKeys,
		/// The account is not a validator.
		NotValidator,
		/// The set would have fewer than `MinValidators` validators.
		TooFewValidators,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MinValidators::get() > 0, "`MinValidators` must not be zero");
			assert!(
				T::MinValidators::get() <= T::MaxValidators::get(),
				"`MinValidators` must not exceed `MaxValidators`"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Adds `who` to the validator set (DAO only). `who` must have set its session keys.
		/// It validates from the next session the session pallet plans.
		///
		/// Emits [`Event::ValidatorAdded`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator())]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AddRemoveOrigin::ensure_origin(origin)?;
			let mut validators = Validators::<T>::get();
			ensure!(!validators.is_empty(), Error::<T>::NoValidatorSet);
			ensure!(!validators.contains(&who), Error::<T>::AlreadyValidator);
			validators.try_push(who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
			ensure!(T::HasSessionKeys::contains(&who), Error::<T>::NoSessionKeys);

			Validators::<T>::put(validators);
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { who });
			Ok(())
		}

		/// Removes `who` from the validator set (DAO only), keeping the order of the others,
		/// unless fewer than `MinValidators` would remain. It stops validating from the next
		/// session the session pallet plans.
		///
		/// Emits [`Event::ValidatorRemoved`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator())]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AddRemoveOrigin::ensure_origin(origin)?;
			let mut validators = Validators::<T>::get();
			ensure!(validators.contains(&who), Error::<T>::NotValidator);
			ensure!(
				validators.len() > T::MinValidators::get() as usize,
				Error::<T>::TooFewValidators
			);
			validators.retain(|validator| *validator != who);

			Validators::<T>::put(validators);
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorRemoved { who });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Checks the invariants listed in the pallet docs.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_set::BTreeSet;

		let validators = Validators::<T>::get();
		ensure!(
			validators.iter().collect::<BTreeSet<_>>().len() == validators.len(),
			"a validator is listed twice"
		);
		ensure!(
			validators.is_empty() || validators.len() >= T::MinValidators::get() as usize,
			"fewer validators than `MinValidators`"
		);
		ensure!(
			validators.len() <= T::MaxValidators::get() as usize,
			"more validators than `MaxValidators`"
		);
		Ok(())
	}
}

impl<T: Config> SessionManager<T::AccountId> for Pallet<T> {
	/// Hands the set over if it changed since the last time, and clears the pending change.
	///
	/// Weight (not accounted by the session pallet, which charges its rotation a full block):
	/// at most two reads ([`SetChanged`], [`Validators`]) and two writes ([`SetChanged`] and
	/// the event).
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		if !SetChanged::<T>::take() {
			return None;
		}
		let validators = Validators::<T>::get().into_inner();
		Self::deposit_event(Event::NewSetPlanned {
			session: new_index,
			validators: validators.clone(),
		});
		Some(validators)
	}

	/// The stored set, or `None` while it is empty (the session pallet then starts with the
	/// validators of its genesis keys). Leaves the pending change as it is.
	fn new_session_genesis(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		let validators = Validators::<T>::get();
		if validators.is_empty() {
			None
		} else {
			Some(validators.into_inner())
		}
	}

	fn end_session(_end_index: SessionIndex) {}

	fn start_session(_start_index: SessionIndex) {}
}
