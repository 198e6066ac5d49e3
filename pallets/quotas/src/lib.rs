//! # Quotas pallet
//!
//! Token holders stake OCOS per resource kind and earn quota of that kind every epoch, at a
//! rate the DAO sets. Billing spends quota before it charges any balance, through the
//! [`ocos_primitives::Quotas`] trait this pallet implements.
//!
//! ## Terms
//!
//! - **Epoch**: the economy's epoch, read from [`Config::Epochs`] (the node registry in the
//!   runtime); quota renews whenever the epoch number changes.
//! - **Parameters** ([`Params`], [`QuotaParams`]): the unbonding period and the minimum stake.
//!   They start as [`Config::DefaultParams`], may be overridden at genesis (development chains
//!   use a short unbonding period) and change only by [`set_params`](Pallet::set_params)
//!   (DAO).
//! - **Position**: an account's active stake for one
//!   [`ResourceKind`](ocos_primitives::ResourceKind) ([`Stakes`]), held under
//!   [`HoldReason::Staked`]. A position is either absent or at least `min_stake` (one below a
//!   since raised minimum stays until it grows or is unstaked whole).
//! - **Quota rate**: quota units per planck staked per epoch, a `FixedU128` per kind
//!   ([`QuotaRate`]); GPU quota is in GPU-milliseconds, storage quota in byte-epochs.
//! - **Quota** of a position in an epoch: `rate × staked`, rounded down, capped at `u64::MAX`
//!   (computed with the current rate and stake whenever it is read, so a rate change or an
//!   unstake takes effect at once).
//! - **Used**: the units of the position's quota consumed in its recorded epoch; **available**
//!   = `quota − used` (saturating).
//! - **Lazy reset**: no hook ever walks the accounts. Whenever a position is read for use and
//!   its recorded epoch is not the current one, it counts as having used nothing yet (and is
//!   written so when it is next stored).
//! - **Unbonding chunk**: funds leaving a position ([`Unbonding`]). They stay held under
//!   [`HoldReason::Staked`] but earn nothing, and may be withdrawn from `unlock_at =
//!   unstake block + unbonding_period` on, or rebonded at any time. At most
//!   [`Config::MaxUnbondingChunks`] per account; unstaking the same kind twice in one block
//!   adds to one chunk.
//!
//! ## Calls
//!
//! - [`stake`](Pallet::stake)`(kind, amount)`: holds `amount` more and adds it to the position
//!   of `kind`; it earns quota in the current epoch already. The resulting position must reach
//!   `min_stake`.
//! - [`unstake`](Pallet::unstake)`(kind, amount)`: moves `amount` from the position to a new
//!   unbonding chunk. The current epoch's quota shrinks at once; what was used stays used. The
//!   remaining position must be zero (it is removed) or at least `min_stake`.
//! - [`withdraw_unbonded`](Pallet::withdraw_unbonded)`()`: releases every matured chunk (of
//!   both kinds) to the free balance.
//! - [`rebond`](Pallet::rebond)`(kind, amount)`: moves `amount` from the most recent unbonding
//!   chunks of `kind` (matured or not) back to the position, without waiting. Rebonded funds
//!   earn quota from the next epoch on: the current epoch's quota they add is booked as used,
//!   so the available quota is the same as before the call. Without this, unstaking a whole
//!   position (which removes it with its usage) and rebonding would mint a fresh epoch's quota
//!   as often as one liked.
//! - [`set_quota_rate`](Pallet::set_quota_rate)`(kind, rate)`: DAO only; takes effect at once.
//! - [`set_params`](Pallet::set_params)`(unbonding_period?, min_stake?)`: DAO only; changes the
//!   given parameters for calls from now on.
//!
//! Every path from a stake back to the free balance works: `unstake` then
//! `withdraw_unbonded` after the unbonding period, or `rebond` and `unstake` again. Nothing
//! else moves or slashes funds held under [`HoldReason::Staked`].
//!
//! ## Billing
//!
//! [`Quotas::consume`](ocos_primitives::Quotas::consume)`(who, kind, units)` covers
//! `min(units, available)` units, books them as used and returns them (emitting
//! [`Event::QuotaConsumed`] when non-zero); the caller charges the rest.
//! [`Quotas::available`](ocos_primitives::Quotas::available) only reads. Consuming costs two
//! reads (rate and position) plus the epoch clock's (two in the runtime: the registry's
//! parameters and epoch anchor) and one write, which the caller accounts for.
//!
//! Because a new stake earns the current epoch's quota at once, staking just before an epoch
//! boundary earns two epochs' quota for the funds; `unbonding_period` should therefore be at
//! least the epoch length, so those funds stay locked for at least as long as they earned.
//!
//! ## Genesis
//!
//! [`GenesisConfig`] sets the initial rates, written in a chain spec as
//! `"quotas": { "rates": [["Gpu", "<rate>"], ["Storage", "<rate>"]] }`, where a rate is the
//! inner value of a `FixedU128` as a string (`"1000000000000000000"` is one unit per planck),
//! and optionally `"params": { "unbondingPeriod": <blocks>, "minStake": <plancks> }`.
//!
//! ## Invariants (checked by `do_try_state`)
//!
//! - For every account, its positions plus its unbonding chunks equal its balance held under
//!   [`HoldReason::Staked`].
//! - No position and no unbonding chunk is zero; no account has an empty unbonding queue
//!   stored.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::{QuotaParams, StakeInfo, UnbondingChunk};
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, MutateHold},
			tokens::Precision,
			DefensiveSaturating,
		},
	};
	use frame_system::pallet_prelude::*;
	use ocos_primitives::{EpochClock, EpochIndex, ResourceKind};
	use sp_runtime::{
		traits::Saturating, FixedPointNumber, FixedU128, SaturatedConversion, TokenError,
	};

	/// The balance type of the staked currency.
	pub type BalanceOf<T> = <<T as Config>::Currency as fungible::Inspect<
		<T as frame_system::Config>::AccountId,
	>>::Balance;
	/// An account's stake for one resource kind.
	pub type StakeInfoOf<T> = StakeInfo<BalanceOf<T>>;
	/// Funds on their way from a stake back to the free balance.
	pub type UnbondingChunkOf<T> = UnbondingChunk<BalanceOf<T>, BlockNumberFor<T>>;
	/// The pallet's parameters with the runtime's balance and block number types.
	pub type QuotaParamsOf<T> = QuotaParams<BalanceOf<T>, BlockNumberFor<T>>;
	/// An account's unbonding queue, oldest chunk first.
	pub type UnbondingQueueOf<T> =
		BoundedVec<UnbondingChunkOf<T>, <T as Config>::MaxUnbondingChunks>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// The pallet's configuration. Its events go to `frame_system`'s `RuntimeEvent`, which the
	/// pallet macro requires to be `From<Event<Self>>`.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The staked currency (OCOS); stakes and unbonding funds are held in it.
		type Currency: fungible::Inspect<Self::AccountId>
			+ fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The origin that sets quota rates and parameters (the DAO).
		type DaoOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The economy's epoch clock; quota renews whenever its epoch changes.
		type Epochs: EpochClock;

		/// The parameters in force until genesis or the DAO sets others (the production
		/// values).
		#[pallet::constant]
		type DefaultParams: Get<QuotaParamsOf<Self>>;

		/// The most unbonding chunks an account may have at once.
		#[pallet::constant]
		type MaxUnbondingChunks: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The parameters when nothing is stored: [`Config::DefaultParams`].
	#[pallet::type_value]
	pub fn ParamsOnEmpty<T: Config>() -> QuotaParamsOf<T> {
		T::DefaultParams::get()
	}

	/// The pallet's parameters (see [`QuotaParams`]).
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, QuotaParamsOf<T>, ValueQuery, ParamsOnEmpty<T>>;

	/// Quota units earned per planck staked per epoch, per resource kind (zero if unset).
	#[pallet::storage]
	pub type QuotaRate<T: Config> =
		StorageMap<_, Twox64Concat, ResourceKind, FixedU128, ValueQuery>;

	/// Active stake positions: account → resource kind → stake and usage.
	#[pallet::storage]
	pub type Stakes<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		ResourceKind,
		StakeInfoOf<T>,
		OptionQuery,
	>;

	/// Each account's unbonding chunks, in the order they were created (oldest first). Absent
	/// when empty.
	#[pallet::storage]
	pub type Unbonding<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, UnbondingQueueOf<T>, ValueQuery>;

	/// Initial quota rates and parameters.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Quota units per planck staked per epoch, by resource kind. A later entry for a kind
		/// overrides an earlier one; kinds not listed start at zero.
		pub rates: alloc::vec::Vec<(ResourceKind, FixedU128)>,
		/// Parameters other than [`Config::DefaultParams`]; `None` keeps the defaults.
		pub params: Option<QuotaParamsOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(params) = self.params {
				Params::<T>::put(params);
			}
			for (kind, rate) in &self.rates {
				QuotaRate::<T>::insert(kind, rate);
			}
		}
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Staked for quota, actively or unbonding.
		#[codec(index = 0)]
		Staked,
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `amount` more was staked for `kind`; the position is now `total`.
		Staked { who: T::AccountId, kind: ResourceKind, amount: BalanceOf<T>, total: BalanceOf<T> },
		/// `amount` left the position of `kind`; it may be withdrawn from block `unlock_at`.
		Unbonding {
			who: T::AccountId,
			kind: ResourceKind,
			amount: BalanceOf<T>,
			unlock_at: BlockNumberFor<T>,
		},
		/// Matured unbonding funds of `amount` were released to the free balance.
		Withdrawn { who: T::AccountId, amount: BalanceOf<T> },
		/// `amount` of unbonding funds went back to the position of `kind`, now `total`.
		Rebonded {
			who: T::AccountId,
			kind: ResourceKind,
			amount: BalanceOf<T>,
			total: BalanceOf<T>,
		},
		/// The quota rate of `kind` was set.
		QuotaRateSet { kind: ResourceKind, rate: FixedU128 },
		/// `units` of the account's `kind` quota were consumed by billing.
		QuotaConsumed { who: T::AccountId, kind: ResourceKind, units: u64 },
		/// The DAO changed the pallet's parameters; these are now in force.
		ParamsSet { params: QuotaParamsOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The amount is zero.
		ZeroAmount,
		/// The resulting position would be non-zero but below `min_stake`.
		BelowMinStake,
		/// The free balance cannot cover the stake (the existential deposit stays free).
		InsufficientBalance,
		/// An amount would overflow the balance type.
		Overflow,
		/// The account has no position of this kind.
		NotStaked,
		/// The amount exceeds the position.
		InsufficientStake,
		/// The account already has `MaxUnbondingChunks` unbonding chunks; withdraw or rebond
		/// first.
		TooManyUnbondingChunks,
		/// No unbonding chunk has matured yet.
		NothingToWithdraw,
		/// The account has no unbonding funds of this kind.
		NothingToRebond,
		/// The amount exceeds the account's unbonding funds of this kind.
		InsufficientUnbonding,
		/// The parameter change would change nothing.
		NothingToUpdate,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxUnbondingChunks::get() > 0, "`MaxUnbondingChunks` must not be zero");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Stake `amount` more for quota of `kind`.
		///
		/// The funds are held under [`HoldReason::Staked`] and earn quota from the current
		/// epoch on. The position after the call must be at least `min_stake`.
		///
		/// Emits [`Event::Staked`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::stake())]
		pub fn stake(
			origin: OriginFor<T>,
			kind: ResourceKind,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);

			let epoch = Self::current_epoch();
			let mut info = Stakes::<T>::get(&who, kind)
				.map(|info| info.renewed(epoch))
				.unwrap_or_else(|| StakeInfo::new(Zero::zero(), epoch));
			let total = info.staked.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
			ensure!(total >= Params::<T>::get().min_stake, Error::<T>::BelowMinStake);

			T::Currency::hold(&Self::hold_reason(), &who, amount).map_err(|e| match e {
				DispatchError::Token(TokenError::FundsUnavailable) => {
					Error::<T>::InsufficientBalance.into()
				}
				other => other,
			})?;
			info.staked = total;
			Stakes::<T>::insert(&who, kind, info);

			Self::deposit_event(Event::Staked { who, kind, amount, total });
			Ok(())
		}

		/// Start unbonding `amount` of the position of `kind`.
		///
		/// The funds stop earning quota at once (the current epoch's quota shrinks; quota used
		/// stays used) and may be withdrawn from `now + unbonding_period` (saturating at the
		/// largest block number) on. The remaining position must be zero, which removes it, or
		/// at least `min_stake`.
		///
		/// Emits [`Event::Unbonding`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::unstake())]
		pub fn unstake(
			origin: OriginFor<T>,
			kind: ResourceKind,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);

			let info = Stakes::<T>::get(&who, kind)
				.ok_or(Error::<T>::NotStaked)?
				.renewed(Self::current_epoch());
			let remaining =
				info.staked.checked_sub(&amount).ok_or(Error::<T>::InsufficientStake)?;
			let params = Params::<T>::get();
			ensure!(
				remaining.is_zero() || remaining >= params.min_stake,
				Error::<T>::BelowMinStake
			);

			let unlock_at =
				frame_system::Pallet::<T>::block_number().saturating_add(params.unbonding_period);
			let mut queue = Unbonding::<T>::get(&who);
			// A second unstake of the kind in the same block adds to the chunk it created.
			let merged = match queue.last_mut() {
				Some(last) if last.kind == kind && last.unlock_at == unlock_at => {
					last.amount = last.amount.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
					true
				}
				_ => false,
			};
			if !merged {
				queue
					.try_push(UnbondingChunk { kind, amount, unlock_at })
					.map_err(|_| Error::<T>::TooManyUnbondingChunks)?;
			}
			Unbonding::<T>::insert(&who, queue);

			if remaining.is_zero() {
				Stakes::<T>::remove(&who, kind);
			} else {
				Stakes::<T>::insert(&who, kind, StakeInfo { staked: remaining, ..info });
			}

			Self::deposit_event(Event::Unbonding { who, kind, amount, unlock_at });
			Ok(())
		}

		/// Release every unbonding chunk (of any kind) that has matured to the free balance.
		///
		/// Emits [`Event::Withdrawn`] with the total released.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded(T::MaxUnbondingChunks::get()))]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;

			let now = frame_system::Pallet::<T>::block_number();
			let mut queue = Unbonding::<T>::get(&who);
			let chunks = queue.len().saturated_into::<u32>();
			let mut amount = BalanceOf::<T>::zero();
			queue.retain(|chunk| {
				if chunk.unlock_at <= now {
					// All chunks together are held funds, so their sum fits the balance type.
					amount = amount.defensive_saturating_add(chunk.amount);
					false
				} else {
					true
				}
			});
			ensure!(!amount.is_zero(), Error::<T>::NothingToWithdraw);

			T::Currency::release(&Self::hold_reason(), &who, amount, Precision::Exact)?;
			Self::store_queue(&who, queue);

			Self::deposit_event(Event::Withdrawn { who, amount });
			Ok(Some(T::WeightInfo::withdraw_unbonded(chunks)).into())
		}

		/// Move `amount` of unbonding funds of `kind` back to the position of `kind`, taking
		/// from the most recently created chunks first.
		///
		/// The rebonded funds earn quota from the next epoch on: the quota they add to the
		/// current epoch is booked as used. The position after the call must be at least
		/// `min_stake`.
		///
		/// Emits [`Event::Rebonded`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::rebond(T::MaxUnbondingChunks::get()))]
		pub fn rebond(
			origin: OriginFor<T>,
			kind: ResourceKind,
			amount: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);

			let mut queue = Unbonding::<T>::get(&who);
			let chunks = queue.len().saturated_into::<u32>();
			let unbonding = queue.iter().filter(|chunk| chunk.kind == kind).fold(
				BalanceOf::<T>::zero(),
				|sum, chunk| {
					// Held funds, so their sum fits the balance type.
					sum.defensive_saturating_add(chunk.amount)
				},
			);
			ensure!(!unbonding.is_zero(), Error::<T>::NothingToRebond);
			ensure!(amount <= unbonding, Error::<T>::InsufficientUnbonding);

			let epoch = Self::current_epoch();
			let mut info = Stakes::<T>::get(&who, kind)
				.map(|info| info.renewed(epoch))
				.unwrap_or_else(|| StakeInfo::new(Zero::zero(), epoch));
			let total = info.staked.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
			ensure!(total >= Params::<T>::get().min_stake, Error::<T>::BelowMinStake);

			let mut left = amount;
			for chunk in queue.iter_mut().rev().filter(|chunk| chunk.kind == kind) {
				if left.is_zero() {
					break;
				}
				let taken = left.min(chunk.amount);
				// `taken` is at most each of the two.
				chunk.amount = chunk.amount.saturating_sub(taken);
				left = left.saturating_sub(taken);
			}
			queue.retain(|chunk| !chunk.amount.is_zero());
			Self::store_queue(&who, queue);

			let rate = QuotaRate::<T>::get(kind);
			let added =
				Self::epoch_quota(rate, total).saturating_sub(Self::epoch_quota(rate, info.staked));
			info.used = info.used.saturating_add(added);
			info.staked = total;
			Stakes::<T>::insert(&who, kind, info);

			Self::deposit_event(Event::Rebonded { who, kind, amount, total });
			Ok(Some(T::WeightInfo::rebond(chunks)).into())
		}

		/// Set the quota units earned per planck staked per epoch for `kind`. It applies at
		/// once, to the current epoch's quota too.
		///
		/// Only [`Config::DaoOrigin`]. Emits [`Event::QuotaRateSet`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_quota_rate())]
		pub fn set_quota_rate(
			origin: OriginFor<T>,
			kind: ResourceKind,
			rate: FixedU128,
		) -> DispatchResult {
			T::DaoOrigin::ensure_origin(origin)?;
			QuotaRate::<T>::insert(kind, rate);
			Self::deposit_event(Event::QuotaRateSet { kind, rate });
			Ok(())
		}

		/// Change the given parameters; see [`QuotaParams`]. They apply to calls from now on:
		/// chunks already unbonding keep their unlock block.
		///
		/// Only [`Config::DaoOrigin`]. Emits [`Event::ParamsSet`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(
			origin: OriginFor<T>,
			unbonding_period: Option<BlockNumberFor<T>>,
			min_stake: Option<BalanceOf<T>>,
		) -> DispatchResult {
			T::DaoOrigin::ensure_origin(origin)?;
			let old = Params::<T>::get();
			let params = QuotaParams {
				unbonding_period: unbonding_period.unwrap_or(old.unbonding_period),
				min_stake: min_stake.unwrap_or(old.min_stake),
			};
			ensure!(params != old, Error::<T>::NothingToUpdate);
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The economy's current epoch.
		pub fn current_epoch() -> EpochIndex {
			T::Epochs::current_epoch()
		}

		/// The quota a position of `staked` earns per epoch at `rate`: rounded down and capped
		/// at `u64::MAX`.
		pub fn epoch_quota(rate: FixedU128, staked: BalanceOf<T>) -> u64 {
			rate.saturating_mul_int(staked.saturated_into::<u128>()).saturated_into()
		}

		/// The account's position of `kind` as seen in the current epoch (lazy reset applied),
		/// and its quota there.
		fn current_position(
			who: &T::AccountId,
			kind: ResourceKind,
		) -> Option<(StakeInfoOf<T>, u64)> {
			Stakes::<T>::get(who, kind).map(|info| {
				let info = info.renewed(Self::current_epoch());
				let quota = Self::epoch_quota(QuotaRate::<T>::get(kind), info.staked);
				(info, quota)
			})
		}

		/// The hold reason of staked and unbonding funds.
		fn hold_reason() -> T::RuntimeHoldReason {
			HoldReason::Staked.into()
		}

		/// Stores an unbonding queue, removing the entry when it is empty.
		fn store_queue(who: &T::AccountId, queue: UnbondingQueueOf<T>) {
			if queue.is_empty() {
				Unbonding::<T>::remove(who);
			} else {
				Unbonding::<T>::insert(who, queue);
			}
		}

		/// Checks the pallet's invariants (see the crate docs).
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_set::BTreeSet;
			use frame_support::traits::fungible::InspectHold;

			let mut accounts = BTreeSet::new();
			for (who, _, info) in Stakes::<T>::iter() {
				ensure!(!info.staked.is_zero(), "a stake position is zero");
				accounts.insert(who);
			}
			for (who, queue) in Unbonding::<T>::iter() {
				ensure!(!queue.is_empty(), "an empty unbonding queue is stored");
				ensure!(
					queue.iter().all(|chunk| !chunk.amount.is_zero()),
					"an unbonding chunk is zero"
				);
				accounts.insert(who);
			}

			for who in accounts {
				let staked = Stakes::<T>::iter_prefix_values(&who)
					.try_fold(BalanceOf::<T>::zero(), |sum, info| sum.checked_add(&info.staked))
					.ok_or("an account's stake overflows")?;
				let recorded = Unbonding::<T>::get(&who)
					.iter()
					.try_fold(staked, |sum, chunk| sum.checked_add(&chunk.amount))
					.ok_or("an account's stake and unbonding funds overflow")?;
				ensure!(
					recorded == T::Currency::balance_on_hold(&Self::hold_reason(), &who),
					"stake plus unbonding funds differ from the balance held as staked"
				);
			}
			Ok(())
		}
	}

	impl<T: Config> ocos_primitives::Quotas<T::AccountId> for Pallet<T> {
		fn consume(who: &T::AccountId, kind: ResourceKind, units: u64) -> u64 {
			let Some((mut info, quota)) = Self::current_position(who, kind) else { return 0 };
			let covered = units.min(quota.saturating_sub(info.used));
			if covered > 0 {
				// `covered` is at most `quota − used`, so this cannot saturate.
				info.used = info.used.saturating_add(covered);
				Stakes::<T>::insert(who, kind, info);
				Self::deposit_event(Event::QuotaConsumed {
					who: who.clone(),
					kind,
					units: covered,
				});
			}
			covered
		}

		fn available(who: &T::AccountId, kind: ResourceKind) -> u64 {
			Self::current_position(who, kind)
				.map_or(0, |(info, quota)| quota.saturating_sub(info.used))
		}
	}
}
