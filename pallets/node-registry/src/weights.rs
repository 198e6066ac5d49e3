//! Weights for `pallet_node_registry`.
//!
//! PLACEHOLDER: these are conservative hand estimates (storage accesses counted from the code,
//! execution time generous). This file is replaced by the output of
//! `ocos-node benchmark pallet --pallet pallet_node_registry` with
//! `benchmarking/frame-weight-template.hbs`.

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed by `pallet_node_registry`.
pub trait WeightInfo {
	/// `register`, including the check of the key proof (one sr25519 verification).
	fn register() -> Weight;
	/// `verify` (benchmarked as `verify_node`).
	fn verify_node() -> Weight;
	/// `suspend`.
	fn suspend() -> Weight;
	/// `resume`.
	fn resume() -> Weight;
	/// `slash`.
	fn slash() -> Weight;
	/// `update`.
	fn update() -> Weight;
	/// `rotate_worker_key`, including the check of the key proof (one sr25519 verification).
	fn rotate_worker_key() -> Weight;
	/// `retire`.
	fn retire() -> Weight;
	/// `withdraw_bond` of a node with `a` allow-list entries.
	fn withdraw_bond(a: u32) -> Weight;
	/// `set_access_policy`.
	fn set_access_policy() -> Weight;
	/// `allow_customer`.
	fn allow_customer() -> Weight;
	/// `revoke_customer`.
	fn revoke_customer() -> Weight;
	/// `heartbeat`, including its pool validation (both verify the signature).
	fn heartbeat() -> Weight;
	/// The `on_idle` liveness sweep examining `n` nodes, each marked offline.
	fn on_idle_sweep(n: u32) -> Weight;
}

/// Weights with the runtime's database weights (`T::DbWeight`).
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register() -> Weight {
		Weight::from_parts(140_000_000, 6_000).saturating_add(T::DbWeight::get().reads_writes(5, 6))
	}
	fn verify_node() -> Weight {
		Weight::from_parts(30_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(1, 3))
	}
	fn suspend() -> Weight {
		Weight::from_parts(30_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(1, 3))
	}
	fn resume() -> Weight {
		Weight::from_parts(30_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(1, 3))
	}
	fn slash() -> Weight {
		Weight::from_parts(90_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn update() -> Weight {
		Weight::from_parts(40_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(1, 3))
	}
	fn rotate_worker_key() -> Weight {
		Weight::from_parts(100_000_000, 6_000).saturating_add(T::DbWeight::get().reads_writes(2, 3))
	}
	fn retire() -> Weight {
		Weight::from_parts(30_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(1, 3))
	}
	fn withdraw_bond(a: u32) -> Weight {
		Weight::from_parts(90_000_000, 8_000)
			.saturating_add(Weight::from_parts(3_000_000, 0).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads_writes(4, 7))
			.saturating_add(T::DbWeight::get().writes(a.into()))
	}
	fn set_access_policy() -> Weight {
		Weight::from_parts(25_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn allow_customer() -> Weight {
		Weight::from_parts(30_000_000, 6_000).saturating_add(T::DbWeight::get().reads_writes(2, 2))
	}
	fn revoke_customer() -> Weight {
		Weight::from_parts(30_000_000, 6_000).saturating_add(T::DbWeight::get().reads_writes(2, 2))
	}
	fn heartbeat() -> Weight {
		Weight::from_parts(180_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(1, 3))
	}
	fn on_idle_sweep(n: u32) -> Weight {
		Weight::from_parts(10_000_000, 1_500)
			.saturating_add(Weight::from_parts(25_000_000, 4_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
			.saturating_add(T::DbWeight::get().reads_writes(1, 3).saturating_mul(n.into()))
	}
}

/// The same estimates with RocksDB database weights, for tests and mocks.
impl WeightInfo for () {
	fn register() -> Weight {
		Weight::from_parts(140_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads_writes(5, 6))
	}
	fn verify_node() -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 3))
	}
	fn suspend() -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 3))
	}
	fn resume() -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 3))
	}
	fn slash() -> Weight {
		Weight::from_parts(90_000_000, 8_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn update() -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 3))
	}
	fn rotate_worker_key() -> Weight {
		Weight::from_parts(100_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads_writes(2, 3))
	}
	fn retire() -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 3))
	}
	fn withdraw_bond(a: u32) -> Weight {
		Weight::from_parts(90_000_000, 8_000)
			.saturating_add(Weight::from_parts(3_000_000, 0).saturating_mul(a.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(4, 7))
			.saturating_add(RocksDbWeight::get().writes(a.into()))
	}
	fn set_access_policy() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn allow_customer() -> Weight {
		Weight::from_parts(30_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads_writes(2, 2))
	}
	fn revoke_customer() -> Weight {
		Weight::from_parts(30_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads_writes(2, 2))
	}
	fn heartbeat() -> Weight {
		Weight::from_parts(180_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 3))
	}
	fn on_idle_sweep(n: u32) -> Weight {
		Weight::from_parts(10_000_000, 1_500)
			.saturating_add(Weight::from_parts(25_000_000, 4_000).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(1, 1))
			.saturating_add(RocksDbWeight::get().reads_writes(1, 3).saturating_mul(n.into()))
	}
}
