//! Benchmarks of the quotas pallet, each call at its worst case.

use super::*;
use crate::Pallet as Quotas;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use ocos_primitives::ResourceKind;
use sp_runtime::{traits::Saturating, FixedU128};

/// The smallest stake a benchmark works with: `min_stake`, and at least the existential
/// deposit and one planck.
fn min_stake<T: Config>() -> BalanceOf<T> {
	Params::<T>::get().min_stake.max(T::Currency::minimum_balance()).max(1u32.into())
}

/// An account funded with `units + 2` minimum stakes (the extra keeps it alive).
fn funded<T: Config>(name: &'static str, units: u32) -> T::AccountId {
	let who = account(name, 0, 0);
	let _ = T::Currency::set_balance(
		&who,
		min_stake::<T>().saturating_mul(units.saturating_add(2).into()),
	);
	who
}

/// Stakes `c + 2` minimum stakes of GPU quota for `who` and unstakes `c` of them in `c`
/// successive blocks, leaving `c` unbonding chunks (none merged) and two minimum stakes active.
fn with_chunks<T: Config>(who: &T::AccountId, c: u32) -> Result<(), BenchmarkError> {
	let min = min_stake::<T>();
	let origin = RawOrigin::Signed(who.clone());
	Quotas::<T>::stake(
		origin.clone().into(),
		ResourceKind::Gpu,
		min.saturating_mul(c.saturating_add(2).into()),
	)?;
	let start = frame_system::Pallet::<T>::block_number();
	for i in 0..c {
		frame_system::Pallet::<T>::set_block_number(start.saturating_add(i.into()));
		Quotas::<T>::unstake(origin.clone().into(), ResourceKind::Gpu, min)?;
	}
	Ok(())
}

/// Dates `who`'s GPU position to another epoch, so the lazy quota reset applies to it (as if
/// the epoch had turned since it was last touched).
fn age_position<T: Config>(who: &T::AccountId) {
	let other = Quotas::<T>::current_epoch().wrapping_sub(1);
	Stakes::<T>::mutate(who, ResourceKind::Gpu, |info| {
		if let Some(info) = info {
			info.epoch = other;
		}
	});
}

#[benchmarks]
mod benchmarks {
	use super::*;

	// Worst case: adding to an existing position from a past epoch, so the renewed position
	// is written too.
	#[benchmark]
	fn stake() -> Result<(), BenchmarkError> {
		let caller = funded::<T>("staker", 2);
		let min = min_stake::<T>();
		Quotas::<T>::stake(RawOrigin::Signed(caller.clone()).into(), ResourceKind::Gpu, min)?;
		age_position::<T>(&caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), ResourceKind::Gpu, min);

		assert_eq!(
			Stakes::<T>::get(&caller, ResourceKind::Gpu).map(|info| info.staked),
			Some(min.saturating_mul(2u32.into()))
		);
		Ok(())
	}

	// Worst case: the queue holds `MaxUnbondingChunks - 1` chunks and a new one is appended;
	// the position stays (rewritten, not removed).
	#[benchmark]
	fn unstake() -> Result<(), BenchmarkError> {
		let chunks = T::MaxUnbondingChunks::get().saturating_sub(1);
		let caller = funded::<T>("staker", chunks.saturating_add(2));
		with_chunks::<T>(&caller, chunks)?;
		age_position::<T>(&caller);
		// A block after the last chunk's, so the new chunk is not merged into it.
		let next = frame_system::Pallet::<T>::block_number().saturating_add(1u32.into());
		frame_system::Pallet::<T>::set_block_number(next);
		let min = min_stake::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), ResourceKind::Gpu, min);

		assert!(Unbonding::<T>::get(&caller).is_full());
		assert_eq!(Stakes::<T>::get(&caller, ResourceKind::Gpu).map(|info| info.staked), Some(min));
		Ok(())
	}

	// `c` matured chunks, all released.
	#[benchmark]
	fn withdraw_unbonded(
		c: Linear<1, { T::MaxUnbondingChunks::get() }>,
	) -> Result<(), BenchmarkError> {
		let caller = funded::<T>("staker", c.saturating_add(2));
		with_chunks::<T>(&caller, c)?;
		let matured = frame_system::Pallet::<T>::block_number()
			.saturating_add(Params::<T>::get().unbonding_period)
			.saturating_add(1u32.into());
		frame_system::Pallet::<T>::set_block_number(matured);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(!Unbonding::<T>::contains_key(&caller));
		Ok(())
	}

	// `c` chunks of the kind, all emptied back into the position.
	#[benchmark]
	fn rebond(c: Linear<1, { T::MaxUnbondingChunks::get() }>) -> Result<(), BenchmarkError> {
		let caller = funded::<T>("staker", c.saturating_add(2));
		with_chunks::<T>(&caller, c)?;
		let min = min_stake::<T>();
		let amount = min.saturating_mul(c.into());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), ResourceKind::Gpu, amount);

		assert!(!Unbonding::<T>::contains_key(&caller));
		assert_eq!(
			Stakes::<T>::get(&caller, ResourceKind::Gpu).map(|info| info.staked),
			Some(min.saturating_mul(c.saturating_add(2).into()))
		);
		Ok(())
	}

	#[benchmark]
	fn set_quota_rate() -> Result<(), BenchmarkError> {
		let origin =
			T::DaoOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let rate = FixedU128::from_u32(3);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, ResourceKind::Gpu, rate);

		assert_eq!(QuotaRate::<T>::get(ResourceKind::Gpu), rate);
		Ok(())
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin =
			T::DaoOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let old = Params::<T>::get();
		let new = QuotaParams {
			unbonding_period: old.unbonding_period.saturating_add(1u32.into()),
			min_stake: old.min_stake.saturating_add(1u32.into()),
		};

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Some(new.unbonding_period), Some(new.min_stake));

		assert_eq!(Params::<T>::get(), new);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
