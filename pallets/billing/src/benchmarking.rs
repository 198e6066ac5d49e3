//! Benchmarks of the billing pallet's calls, each at its worst case.

#![cfg(feature = "runtime-benchmarks")]

use super::*;
use frame_benchmarking::v2::*;
use frame_support::traits::{EnsureOrigin, Get};
use ocos_primitives::{GpuClass, Resource};
use sp_runtime::Permill;

/// The resource every benchmark prices.
const RESOURCE: Resource = Resource::GpuMillis(GpuClass::HighEnd);

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Worst case: an existing price is overwritten.
	#[benchmark]
	fn set_price() -> Result<(), BenchmarkError> {
		let origin =
			T::DaoOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		Prices::<T>::insert(RESOURCE, BalanceOf::<T>::from(1u32));
		let price = BalanceOf::<T>::from(1_000u32);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, RESOURCE, price);

		assert_eq!(Prices::<T>::get(RESOURCE), Some(price));
		Ok(())
	}

	#[benchmark]
	fn remove_price() -> Result<(), BenchmarkError> {
		let origin =
			T::DaoOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		Prices::<T>::insert(RESOURCE, BalanceOf::<T>::from(1_000u32));

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, RESOURCE);

		assert_eq!(Prices::<T>::get(RESOURCE), None);
		Ok(())
	}

	/// Worst case: the highest fee allowed (the check passes and the value is written).
	#[benchmark]
	fn set_protocol_fee() -> Result<(), BenchmarkError> {
		let origin =
			T::DaoOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let fee: Permill = T::MaxProtocolFee::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, fee);

		assert_eq!(ProtocolFee::<T>::get(), fee);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
