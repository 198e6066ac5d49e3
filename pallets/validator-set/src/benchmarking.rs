//! Benchmarks of the validator-set pallet, each call at its worst case. The setup replaces the
//! validator set with generated accounts, each given session keys by
//! [`Config::BenchmarkHelper`].

use super::*;
use frame_benchmarking::v2::*;

/// A set of `count` generated validators, each with session keys.
fn validator_set<T: Config>(count: u32) -> Result<ValidatorsOf<T>, BenchmarkError> {
	let validators: Vec<T::AccountId> = (0..count).map(|i| account("validator", i, 0)).collect();
	for who in &validators {
		T::BenchmarkHelper::ensure_session_keys(who);
	}
	ValidatorsOf::<T>::try_from(validators)
		.map_err(|_| BenchmarkError::Stop("more validators than `MaxValidators`"))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	// Worst case: `MaxValidators - 1` validators, all compared with the new one, which fills
	// the set.
	#[benchmark]
	fn add_validator() -> Result<(), BenchmarkError> {
		let origin =
			T::AddRemoveOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		Validators::<T>::put(validator_set::<T>(T::MaxValidators::get().saturating_sub(1))?);
		SetChanged::<T>::kill();
		let who: T::AccountId = account("candidate", 0, 0);
		T::BenchmarkHelper::ensure_session_keys(&who);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert_eq!(Validators::<T>::get().last(), Some(&who));
		assert!(SetChanged::<T>::get());
		Ok(())
	}

	// Worst case: a full set, whose first validator is removed (every other one moves).
	#[benchmark]
	fn remove_validator() -> Result<(), BenchmarkError> {
		let origin =
			T::AddRemoveOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let max = T::MaxValidators::get();
		ensure!(
			max > T::MinValidators::get(),
			BenchmarkError::Stop("`MaxValidators` must exceed `MinValidators` to remove one")
		);
		let validators = validator_set::<T>(max)?;
		let who = validators.first().cloned().ok_or(BenchmarkError::Stop("no validator"))?;
		Validators::<T>::put(validators);
		SetChanged::<T>::kill();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		let validators = Validators::<T>::get();
		assert!(!validators.contains(&who));
		assert_eq!(validators.len(), max.saturating_sub(1) as usize);
		assert!(SetChanged::<T>::get());
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
