//! # Billing pallet
//!
//! Metered billing for OCOS Cloud. The compute and storage pallets hold a customer's budget
//! when an order is submitted and settle it through this pallet once the work is verified:
//! usage is charged to the customer's staking quota first, then to the held budget; providers
//! are paid at once (there is no withdraw step), a protocol fee goes to the treasury and the
//! rest of the budget is released. Other pallets see it only through
//! [`ocos_primitives::Billing`].
//!
//! ## Terms
//!
//! - **Price**: plancks per unit of a [`Resource`](ocos_primitives::Resource), set by the DAO
//!   in [`Prices`]. A resource without a price cannot be settled ([`Error::NoPrice`]). A price
//!   of zero makes the resource free.
//! - **Budget**: funds of the customer held under [`HoldReason::Budget`] for an order. The
//!   calling pallet remembers how much it held for each order and passes it back as `held`.
//! - **Quota**: units a customer may use per epoch for having staked
//!   ([`ocos_primitives::Quotas`]). Units covered by quota are paid to the providers by the
//!   **treasury** ([`Config::TreasuryAccount`]): the protocol subsidises staked usage.
//! - **Protocol fee**: the share [`ProtocolFee`] of every charge to a budget that goes to the
//!   treasury; at most [`Config::MaxProtocolFee`].
//! - **Dust**: what floor division leaves over when a charge is split among providers, plus
//!   pay a provider's account cannot receive (see below). It goes to the treasury.
//!
//! ## Settlement
//!
//! `settle(customer, held, resource, usage)` with `usage` a list of `(provider, units)` of at
//! most [`Config::MaxProviders`] entries, `total` their sum and `p` the price of `resource`:
//!
//! 1. **Checks** (nothing changes if any fails): the entry count, `total` fits in `u64`
//!    ([`Error::UnitsOverflow`]), `resource` is priced, `held` is at most what the customer has
//!    on hold ([`Error::InsufficientHeld`]).
//! 2. **Quota**: the treasury can fund `fundable = spare / p` units, `spare` being its balance
//!    above the existential deposit (kept alive; all units if `p = 0`). The quota pallet
//!    covers `covered = consume(customer, kind, min(total, fundable))` units, and the treasury
//!    owes the providers `quota_cost = covered × p`.
//! 3. **Charge**: `charge = min((total − covered) × p, held)`; an overflowing product exceeds
//!    any budget and is capped at `held` too. `fee = ProtocolFee × charge` rounded down.
//! 4. **Split**: each provider gets `(charge − fee) × units / total` from the budget and
//!    `quota_cost × units / total` from the treasury, both rounded down (entries of the same
//!    provider are merged, entries of zero units ignored). The budget's rounding remainder goes
//!    to the treasury; the treasury's stays where it is.
//! 5. **Accounts that cannot receive**: a payment that would leave an empty account below the
//!    existential deposit cannot be made. Never failing the settlement for it, the pallet
//!    - pays a provider whose budget part alone is too small, but whose whole pay is not,
//!      entirely from the treasury, sending the budget part to the treasury instead
//!      ([`Event::ProviderPaid`]);
//!    - sends the budget part of a provider whose whole pay is too small to the treasury and
//!      leaves the quota part there ([`Event::ProviderPaymentDiverted`]).
//!
//!    If the treasury itself cannot receive its share (only while the treasury account does
//!    not exist and the share is below the existential deposit), that share is not charged and
//!    is released with the rest of the budget.
//! 6. **Moves**, all on hold → free with `Precision::Exact`, `Fortitude::Polite`: budget →
//!    providers, budget → treasury (fee, dust, pay routed through the treasury), treasury →
//!    providers (kept alive), and `held − charged` is released. A budget overlapping a freeze
//!    (e.g. votes) that the charge would break fails with [`Error::BudgetFrozen`].
//! 7. **Record**: a [`UsageRecord`] is put first in the customer's [`UsageRecords`] (the oldest
//!    is dropped beyond [`Config::MaxUsageRecords`]) and [`Event::Charged`] closes the
//!    settlement's events.
//!
//! A settlement is atomic: it runs in its own storage layer, so an error leaves no partial
//! transfer, quota consumption or record behind.
//!
//! ## Cross-pallet API ([`ocos_primitives::Billing`])
//!
//! - `hold_budget(customer, amount)`: holds a non-zero `amount` ([`Event::BudgetHeld`]).
//! - `settle(..)`: as above; returns the [`Settlement`](ocos_primitives::Settlement).
//! - `refund(customer, amount)`: releases `amount` of the budget hold
//!   ([`Event::BudgetReleased`]); zero is a no-op.
//! - `estimate(resource, units)`: `price × units`, saturating, `0` for an unpriced resource
//!   (the trait has no error channel). [`Pallet::estimate_cost`] is the precise version behind
//!   the runtime API: `None` when unpriced or overflowing.
//!
//! ## Calls (all [`Config::DaoOrigin`])
//!
//! - [`Pallet::set_price`]: sets the price of a resource.
//! - [`Pallet::remove_price`]: removes a price; settlements of that resource fail until a new
//!   one is set.
//! - [`Pallet::set_protocol_fee`]: sets the protocol fee, at most [`Config::MaxProtocolFee`].
//!
//! ## Invariants (checked by `try_state`)
//!
//! - [`ProtocolFee`] ≤ [`Config::MaxProtocolFee`].
//! - Each account's records are at most [`Config::MaxUsageRecords`], most recent first (block
//!   numbers never increase along the list), with `fee ≤ charged` and `quota_units ≤ units`.
//!
//! Budget holds are tracked per order by the calling pallets, which check them against
//! `balance_on_hold`; this pallet keeps no per-order state of its own.

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

pub use types::UsageRecord;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use crate::types::{Payout, Route};
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		storage::with_storage_layer,
		traits::{
			fungible::{Inspect, InspectHold, Mutate, MutateHold},
			tokens::{
				DepositConsequence, Fortitude, Precision, Preservation, Provenance, Restriction,
			},
		},
	};
	use frame_system::pallet_prelude::*;
	use ocos_primitives::{Resource, Settlement, Usage};
	use sp_runtime::{
		helpers_128bit::multiply_by_rational_with_rounding, traits::SaturatedConversion, Permill,
		Rounding, Saturating,
	};

	/// The balance type of [`Config::Currency`].
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A [`UsageRecord`] as stored for a runtime.
	pub type UsageRecordOf<T> = UsageRecord<BlockNumberFor<T>, BalanceOf<T>>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The native currency: budgets are held in it, providers and the treasury paid in it.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Staking quotas, consumed before any budget is charged.
		type Quotas: ocos_primitives::Quotas<Self::AccountId>;

		/// The treasury: receives protocol fees and dust, and pays quota-covered usage.
		#[pallet::constant]
		type TreasuryAccount: Get<Self::AccountId>;

		/// The origin that sets prices and the protocol fee (the DAO).
		type DaoOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The highest protocol fee [`Pallet::set_protocol_fee`] accepts.
		#[pallet::constant]
		type MaxProtocolFee: Get<Permill>;

		/// Usage records kept per account; beyond this the oldest is dropped.
		#[pallet::constant]
		type MaxUsageRecords: Get<u32>;

		/// Usage entries (providers) one settlement may carry.
		#[pallet::constant]
		type MaxProviders: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Reasons this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The budget of a compute job or pin order, until it is settled or refunded.
		#[codec(index = 0)]
		Budget,
	}

	/// Price per unit of each priced resource, in plancks.
	#[pallet::storage]
	pub type Prices<T: Config> = StorageMap<_, Twox64Concat, Resource, BalanceOf<T>, OptionQuery>;

	/// Share of every charge to a budget that goes to the treasury.
	#[pallet::storage]
	pub type ProtocolFee<T: Config> = StorageValue<_, Permill, ValueQuery>;

	/// Each customer's most recent settlements, most recent first.
	#[pallet::storage]
	pub type UsageRecords<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<UsageRecordOf<T>, T::MaxUsageRecords>,
		ValueQuery,
	>;

	/// Initial price table and protocol fee.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Price per unit, in plancks, of each initially priced resource (no duplicates).
		pub prices: Vec<(Resource, BalanceOf<T>)>,
		/// Initial protocol fee; at most [`Config::MaxProtocolFee`].
		pub protocol_fee: Permill,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(
				self.protocol_fee <= T::MaxProtocolFee::get(),
				"the genesis protocol fee exceeds `MaxProtocolFee`"
			);
			for (resource, price) in &self.prices {
				assert!(
					!Prices::<T>::contains_key(resource),
					"a resource is priced twice in the genesis price table"
				);
				Prices::<T>::insert(resource, price);
			}
			ProtocolFee::<T>::put(self.protocol_fee);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The DAO set the price of a resource.
		PriceSet { resource: Resource, price: BalanceOf<T> },
		/// The DAO removed the price of a resource; it cannot be settled until priced again.
		PriceRemoved { resource: Resource },
		/// The DAO set the protocol fee.
		ProtocolFeeSet { fee: Permill },
		/// A budget was put on hold for an order.
		BudgetHeld { customer: T::AccountId, amount: BalanceOf<T> },
		/// Held budget was released back to the customer (rest of a settlement, or a refund).
		BudgetReleased { customer: T::AccountId, amount: BalanceOf<T> },
		/// An order was settled: `units` delivered, `quota_units` of them covered by quota,
		/// `charged` taken from the budget, `fee` of it to the treasury.
		Charged {
			customer: T::AccountId,
			resource: Resource,
			units: u64,
			quota_units: u64,
			charged: BalanceOf<T>,
			fee: BalanceOf<T>,
		},
		/// The treasury paid `amount` to providers for `units` covered by the customer's quota.
		QuotaSubsidised { customer: T::AccountId, units: u64, amount: BalanceOf<T> },
		/// A provider was paid for its part of a settlement.
		ProviderPaid { provider: T::AccountId, amount: BalanceOf<T> },
		/// A provider's pay was below what its (empty) account can receive: the budget's part
		/// went to the treasury (or, if the treasury could not receive it either, back to the
		/// customer) and the quota part stayed in the treasury.
		ProviderPaymentDiverted { provider: T::AccountId, amount: BalanceOf<T> },
		/// Budget left over by rounding, or diverted from providers, went to the treasury.
		DustCollected { amount: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A budget of zero cannot be held.
		ZeroBudget,
		/// The customer's free balance cannot cover the budget.
		InsufficientBalance,
		/// More budget was claimed than the customer has on hold.
		InsufficientHeld,
		/// The resource has no price.
		NoPrice,
		/// A settlement carries more usage entries than `MaxProviders`.
		TooManyProviders,
		/// The units of a settlement do not fit in a `u64`.
		UnitsOverflow,
		/// The charge would take held funds that a freeze (e.g. a vote) still needs.
		BudgetFrozen,
		/// The protocol fee exceeds `MaxProtocolFee`.
		FeeTooHigh,
		/// An amount does not fit the balance type (not with a balance of up to 128 bits).
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxProviders::get() > 0, "`MaxProviders` must admit at least one entry");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Sets the price per unit of `resource`, in plancks (zero makes it free).
		///
		/// Origin: [`Config::DaoOrigin`]. Applies to every settlement from now on, including
		/// those of orders submitted earlier (their budgets cap the charge).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_price())]
		pub fn set_price(
			origin: OriginFor<T>,
			resource: Resource,
			#[pallet::compact] price: BalanceOf<T>,
		) -> DispatchResult {
			T::DaoOrigin::ensure_origin(origin)?;
			Prices::<T>::insert(resource, price);
			Self::deposit_event(Event::PriceSet { resource, price });
			Ok(())
		}

		/// Removes the price of `resource`: it can no longer be settled or estimated.
		///
		/// Origin: [`Config::DaoOrigin`]. Fails with [`Error::NoPrice`] if it had none.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_price())]
		pub fn remove_price(origin: OriginFor<T>, resource: Resource) -> DispatchResult {
			T::DaoOrigin::ensure_origin(origin)?;
			ensure!(Prices::<T>::contains_key(resource), Error::<T>::NoPrice);
			Prices::<T>::remove(resource);
			Self::deposit_event(Event::PriceRemoved { resource });
			Ok(())
		}

		/// Sets the protocol fee: the share of every charge that goes to the treasury.
		///
		/// Origin: [`Config::DaoOrigin`]. Fails with [`Error::FeeTooHigh`] above
		/// [`Config::MaxProtocolFee`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_protocol_fee())]
		pub fn set_protocol_fee(origin: OriginFor<T>, fee: Permill) -> DispatchResult {
			T::DaoOrigin::ensure_origin(origin)?;
			ensure!(fee <= T::MaxProtocolFee::get(), Error::<T>::FeeTooHigh);
			ProtocolFee::<T>::put(fee);
			Self::deposit_event(Event::ProtocolFeeSet { fee });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// What `units` of `resource` cost at the current price, protocol fee included and
		/// before any quota; `None` if the resource has no price or the cost overflows.
		///
		/// This backs the `BillingApi::estimate_cost` runtime API.
		pub fn estimate_cost(resource: Resource, units: u64) -> Option<BalanceOf<T>> {
			let price = Prices::<T>::get(resource)?;
			Self::units_cost(units, price)
		}

		/// The hold reason of budgets, as the runtime knows it.
		fn budget_reason() -> T::RuntimeHoldReason {
			HoldReason::Budget.into()
		}

		/// `units × price`, or `None` if it does not fit the balance type.
		fn units_cost(units: u64, price: BalanceOf<T>) -> Option<BalanceOf<T>> {
			<BalanceOf<T> as TryFrom<u64>>::try_from(units).ok()?.checked_mul(&price)
		}

		/// `amount × part / total`, rounded down. `part ≤ total` keeps it within `amount`.
		fn pro_rata(
			amount: BalanceOf<T>,
			part: u64,
			total: u64,
		) -> Result<BalanceOf<T>, DispatchError> {
			let amount = <BalanceOf<T> as TryInto<u128>>::try_into(amount)
				.map_err(|_| Error::<T>::Overflow)?;
			let share = multiply_by_rational_with_rounding(
				amount,
				u128::from(part),
				u128::from(total),
				Rounding::Down,
			)
			.ok_or(Error::<T>::Overflow)?;
			<BalanceOf<T> as TryFrom<u128>>::try_from(share)
				.map_err(|_| Error::<T>::Overflow.into())
		}

		/// Units of a resource priced `price` that the treasury can pay for while staying
		/// alive: its spare balance over the price, all units if the price is zero.
		fn fundable_units(treasury: &T::AccountId, price: BalanceOf<T>) -> u64 {
			let spare =
				T::Currency::reducible_balance(treasury, Preservation::Preserve, Fortitude::Polite);
			match spare.checked_div(&price) {
				// A zero price costs the treasury nothing.
				None => u64::MAX,
				// More fundable units than a `u64` holds: every unit is fundable.
				Some(units) => <BalanceOf<T> as TryInto<u64>>::try_into(units).unwrap_or(u64::MAX),
			}
		}

		/// Whether `who` can receive `amount` (zero always can).
		fn can_receive(who: &T::AccountId, amount: BalanceOf<T>) -> bool {
			T::Currency::can_deposit(who, amount, Provenance::Extant) == DepositConsequence::Success
		}

		/// Puts `record` first in the customer's history, dropping the oldest at capacity.
		fn record_usage(customer: &T::AccountId, record: UsageRecordOf<T>) {
			if T::MaxUsageRecords::get() == 0 {
				return;
			}
			UsageRecords::<T>::mutate(customer, |records| {
				// Cannot fail: the bound is not zero and index 0 is always in range.
				let _dropped = records.force_insert_keep_left(0, record);
			});
		}

		/// Splits the budget's `budget_pool` (charge net of fee) and the treasury's `quota_cost`
		/// among the providers pro rata to their units, and decides how each one's pay reaches
		/// it. Entries of the same provider are merged (first appearance keeps the order),
		/// entries of zero units are ignored. `total` is the sum of all units.
		fn plan_payouts(
			usage: &[Usage<T::AccountId>],
			total: u64,
			budget_pool: BalanceOf<T>,
			quota_cost: BalanceOf<T>,
		) -> Result<Vec<Payout<T::AccountId, BalanceOf<T>>>, DispatchError> {
			let mut shares: Vec<(T::AccountId, u64)> = Vec::with_capacity(usage.len());
			for Usage { provider, units } in usage.iter().filter(|entry| entry.units > 0) {
				match shares.iter_mut().find(|(known, _)| known == provider) {
					// Cannot saturate: the sum of all entries fits in `u64` (checked before).
					Some((_, merged)) => *merged = merged.saturating_add(*units),
					None => shares.push((provider.clone(), *units)),
				}
			}

			let mut payouts = Vec::with_capacity(shares.len());
			for (provider, units) in shares {
				let from_customer = Self::pro_rata(budget_pool, units, total)?;
				let from_treasury = Self::pro_rata(quota_cost, units, total)?;
				// Cannot saturate: both are parts of balances that exist.
				let due = from_customer.saturating_add(from_treasury);
				let route = if !Self::can_receive(&provider, due) {
					Route::Diverted
				} else if Self::can_receive(&provider, from_customer) {
					Route::Direct
				} else {
					Route::ViaTreasury
				};
				payouts.push(Payout { provider, from_customer, from_treasury, route });
			}
			Ok(payouts)
		}

		/// The settlement described in the crate docs. Must run in a storage layer of its own:
		/// the quota is consumed before the last checks.
		fn do_settle(
			customer: &T::AccountId,
			held: BalanceOf<T>,
			resource: Resource,
			usage: &[Usage<T::AccountId>],
		) -> Result<Settlement<BalanceOf<T>>, DispatchError> {
			let entries = u32::try_from(usage.len()).map_err(|_| Error::<T>::TooManyProviders)?;
			ensure!(entries <= T::MaxProviders::get(), Error::<T>::TooManyProviders);
			let total = usage
				.iter()
				.try_fold(0u64, |sum, entry| sum.checked_add(entry.units))
				.ok_or(Error::<T>::UnitsOverflow)?;
			let price = Prices::<T>::get(resource).ok_or(Error::<T>::NoPrice)?;
			let reason = Self::budget_reason();
			ensure!(
				held <= T::Currency::balance_on_hold(&reason, customer),
				Error::<T>::InsufficientHeld
			);
			let treasury = T::TreasuryAccount::get();

			// Quota: only as many units as the treasury can pay for.
			let request = total.min(Self::fundable_units(&treasury, price));
			let covered = if request == 0 {
				0
			} else {
				let covered = <T::Quotas as ocos_primitives::Quotas<T::AccountId>>::consume(
					customer,
					resource.kind(),
					request,
				);
				if covered > request {
					defensive!("`Quotas::consume` covered more units than requested");
				}
				covered.min(request)
			};
			// Cannot fail: `covered × price` is at most the treasury's spare balance.
			let quota_cost = Self::units_cost(covered, price).ok_or(Error::<T>::Overflow)?;

			// Charge: the rest at the same price, capped by the budget. A cost that overflows
			// the balance type exceeds any budget, so it is capped as well.
			// Cannot saturate: `covered ≤ total`.
			let billable = total.saturating_sub(covered);
			let charge = Self::units_cost(billable, price).map_or(held, |cost| cost.min(held));
			let fee = ProtocolFee::<T>::get().mul_floor(charge);
			// Cannot saturate: the fee is a share of the charge.
			let pool = charge.saturating_sub(fee);

			let mut payouts = Self::plan_payouts(usage, total, pool, quota_cost)?;

			// What the budget pays providers directly; everything else of the charge goes to
			// the treasury. Cannot saturate: shares of `pool ≤ charge`.
			let direct = payouts
				.iter()
				.filter(|payout| payout.route == Route::Direct)
				.fold(BalanceOf::<T>::zero(), |sum, payout| {
					sum.saturating_add(payout.from_customer)
				});
			let to_treasury = charge.saturating_sub(direct);
			let treasury_receives = Self::can_receive(&treasury, to_treasury);
			if !treasury_receives {
				// Only an account-less treasury refuses, and it funds no quota, so no pay is
				// routed through it; should any be, it is not charged either.
				for payout in payouts.iter_mut().filter(|payout| payout.route == Route::ViaTreasury)
				{
					payout.route = Route::Diverted;
				}
			}
			let (charged, fee, to_treasury) = if treasury_receives {
				(charge, fee, to_treasury)
			} else {
				(direct, Zero::zero(), Zero::zero())
			};
			ensure!(
				charged
					<= T::Currency::reducible_total_balance_on_hold(customer, Fortitude::Polite),
				Error::<T>::BudgetFrozen
			);
			// Cannot saturate: `charged ≤ charge ≤ held`.
			let released = held.saturating_sub(charged);

			// Budget → providers paid directly.
			for payout in &payouts {
				if payout.route == Route::Direct && !payout.from_customer.is_zero() {
					T::Currency::transfer_on_hold(
						&reason,
						customer,
						&payout.provider,
						payout.from_customer,
						Precision::Exact,
						Restriction::Free,
						Fortitude::Polite,
					)?;
				}
			}
			// Budget → treasury: fee, dust and pay routed through the treasury.
			if !to_treasury.is_zero() {
				T::Currency::transfer_on_hold(
					&reason,
					customer,
					&treasury,
					to_treasury,
					Precision::Exact,
					Restriction::Free,
					Fortitude::Polite,
				)?;
			}
			// Treasury → providers: the quota subsidy, and pay routed through the treasury.
			let mut subsidy = BalanceOf::<T>::zero();
			let mut routed = BalanceOf::<T>::zero();
			for payout in &payouts {
				let amount = match payout.route {
					Route::Direct => payout.from_treasury,
					Route::ViaTreasury => {
						routed.saturating_accrue(payout.from_customer);
						payout.from_customer.saturating_add(payout.from_treasury)
					}
					Route::Diverted => continue,
				};
				// Cannot saturate: parts of `quota_cost`.
				subsidy.saturating_accrue(payout.from_treasury);
				if !amount.is_zero() && payout.provider != treasury {
					T::Currency::transfer(
						&treasury,
						&payout.provider,
						amount,
						Preservation::Preserve,
					)?;
				}
			}
			if !released.is_zero() {
				T::Currency::release(&reason, customer, released, Precision::Exact)?;
			}

			for payout in payouts {
				// Cannot saturate: as in `plan_payouts`.
				let amount = payout.from_customer.saturating_add(payout.from_treasury);
				if amount.is_zero() {
					continue;
				}
				let provider = payout.provider;
				Self::deposit_event(match payout.route {
					Route::Direct | Route::ViaTreasury => Event::ProviderPaid { provider, amount },
					Route::Diverted => Event::ProviderPaymentDiverted { provider, amount },
				});
			}
			if covered > 0 {
				Self::deposit_event(Event::QuotaSubsidised {
					customer: customer.clone(),
					units: covered,
					amount: subsidy,
				});
			}
			// Cannot saturate: the treasury's part holds the fee and the routed pay.
			let dust = to_treasury.saturating_sub(fee).saturating_sub(routed);
			if !dust.is_zero() {
				Self::deposit_event(Event::DustCollected { amount: dust });
			}
			if !released.is_zero() {
				Self::deposit_event(Event::BudgetReleased {
					customer: customer.clone(),
					amount: released,
				});
			}

			Self::record_usage(
				customer,
				UsageRecord {
					block: frame_system::Pallet::<T>::block_number(),
					resource,
					units: total,
					quota_units: covered,
					charged,
					fee,
				},
			);
			Self::deposit_event(Event::Charged {
				customer: customer.clone(),
				resource,
				units: total,
				quota_units: covered,
				charged,
				fee,
			});
			Ok(Settlement { quota_units: covered, charged, fee, released })
		}

		/// Checks the invariants listed in the crate docs.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			ensure!(
				ProtocolFee::<T>::get() <= T::MaxProtocolFee::get(),
				"the protocol fee exceeds `MaxProtocolFee`"
			);
			let max_records = T::MaxUsageRecords::get();
			for records in UsageRecords::<T>::iter_values() {
				ensure!(
					u32::try_from(records.len()).map_or(false, |len| len <= max_records),
					"an account has more usage records than `MaxUsageRecords`"
				);
				ensure!(
					records
						.iter()
						.zip(records.iter().skip(1))
						.all(|(newer, older)| newer.block >= older.block),
					"usage records are not sorted most recent first"
				);
				ensure!(
					records.iter().all(|record| {
						record.fee <= record.charged && record.quota_units <= record.units
					}),
					"a usage record has a fee above its charge or quota above its units"
				);
			}
			Ok(())
		}
	}

	impl<T: Config> ocos_primitives::Billing<T::AccountId, BalanceOf<T>> for Pallet<T> {
		fn hold_budget(customer: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			ensure!(!amount.is_zero(), Error::<T>::ZeroBudget);
			let reason = Self::budget_reason();
			ensure!(
				T::Currency::can_hold(&reason, customer, amount),
				Error::<T>::InsufficientBalance
			);
			T::Currency::hold(&reason, customer, amount)?;
			Self::deposit_event(Event::BudgetHeld { customer: customer.clone(), amount });
			Ok(())
		}

		fn settle(
			customer: &T::AccountId,
			held: BalanceOf<T>,
			resource: Resource,
			usage: &[Usage<T::AccountId>],
		) -> Result<Settlement<BalanceOf<T>>, DispatchError> {
			with_storage_layer(|| Self::do_settle(customer, held, resource, usage))
		}

		fn refund(customer: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			if amount.is_zero() {
				return Ok(());
			}
			let reason = Self::budget_reason();
			ensure!(
				amount <= T::Currency::balance_on_hold(&reason, customer),
				Error::<T>::InsufficientHeld
			);
			T::Currency::release(&reason, customer, amount, Precision::Exact)?;
			Self::deposit_event(Event::BudgetReleased { customer: customer.clone(), amount });
			Ok(())
		}

		/// `price × units`, saturating; `0` if the resource has no price (see
		/// [`Pallet::estimate_cost`] for the version that tells).
		fn estimate(resource: Resource, units: u64) -> BalanceOf<T> {
			Prices::<T>::get(resource).map_or_else(Zero::zero, |price| {
				units.saturated_into::<BalanceOf<T>>().saturating_mul(price)
			})
		}
	}
}
