//! Weights for `pallet_dao`. Placeholders: generate them with `ocos-node benchmark pallet`
//! (see the README), which overwrites this file.

// Command that generates them:
// /root/.cache/ocos-cloud/target/release/ocos-node
// benchmark
// pallet
// --chain
// dev
// --pallet
// pallet_dao
// --extrinsic
// *
// --steps
// 50
// --repeat
// 20
// --wasm-execution
// compiled
// --template
// benchmarking/frame-weight-template.hbs
// --output
// pallets/dao/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(unused_variables)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed by `pallet_dao`.
pub trait WeightInfo {
	fn propose() -> Weight;
	fn vote() -> Weight;
	fn remove_vote() -> Weight;
	fn unlock() -> Weight;
	fn close() -> Weight;
	fn close_rejected() -> Weight;
	fn cancel() -> Weight;
	fn cancel_approved() -> Weight;
	fn enact() -> Weight;
	fn set_params() -> Weight;
}

/// Weights measured on the reference machine, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	// Placeholder until the weights are generated.
	fn propose() -> Weight {
		let db = T::DbWeight::get();
		Weight::from_parts(62_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3593))
			.saturating_add(db.reads(5))
			.saturating_add(db.writes(5))
	}
	fn vote() -> Weight {
		let db = T::DbWeight::get();
		Weight::from_parts(58_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4200))
			.saturating_add(db.reads(5))
			.saturating_add(db.writes(4))
	}
	fn remove_vote() -> Weight {
		let db = T::DbWeight::get();
		Weight::from_parts(52_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4200))
			.saturating_add(db.reads(5))
			.saturating_add(db.writes(4))
	}
	fn unlock() -> Weight {
		let db = T::DbWeight::get();
		Weight::from_parts(44_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3800))
			.saturating_add(db.reads(4))
			.saturating_add(db.writes(3))
	}
	fn close() -> Weight {
		let db = T::DbWeight::get();
		Weight::from_parts(78_000_000, 0)
			.saturating_add(Weight::from_parts(0, 10400))
			.saturating_add(db.reads(8))
			.saturating_add(db.writes(6))
	}
	fn close_rejected() -> Weight {
		let db = T::DbWeight::get();
		Weight::from_parts(70_000_000, 0)
			.saturating_add(Weight::from_parts(0, 6200))
			.saturating_add(db.reads(7))
			.saturating_add(db.writes(5))
	}
	fn cancel() -> Weight {
		let db = T::DbWeight::get();
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4100))
			.saturating_add(db.reads(4))
			.saturating_add(db.writes(4))
	}
	fn cancel_approved() -> Weight {
		let db = T::DbWeight::get();
		Weight::from_parts(40_000_000, 0)
			.saturating_add(Weight::from_parts(0, 10400))
			.saturating_add(db.reads(3))
			.saturating_add(db.writes(3))
	}
	fn enact() -> Weight {
		let db = T::DbWeight::get();
		Weight::from_parts(24_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3700))
			.saturating_add(db.reads(1))
			.saturating_add(db.writes(1))
	}
	fn set_params() -> Weight {
		let db = T::DbWeight::get();
		Weight::from_parts(12_000_000, 0)
			.saturating_add(Weight::from_parts(0, 1500))
			.saturating_add(db.reads(1))
			.saturating_add(db.writes(1))
	}
}

/// The same weights with ParityDB's database weights, for tests and mocks.
impl WeightInfo for () {
	// Placeholder until the weights are generated.
	fn propose() -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(62_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3593))
			.saturating_add(db.reads(5))
			.saturating_add(db.writes(5))
	}
	fn vote() -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(58_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4200))
			.saturating_add(db.reads(5))
			.saturating_add(db.writes(4))
	}
	fn remove_vote() -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(52_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4200))
			.saturating_add(db.reads(5))
			.saturating_add(db.writes(4))
	}
	fn unlock() -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(44_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3800))
			.saturating_add(db.reads(4))
			.saturating_add(db.writes(3))
	}
	fn close() -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(78_000_000, 0)
			.saturating_add(Weight::from_parts(0, 10400))
			.saturating_add(db.reads(8))
			.saturating_add(db.writes(6))
	}
	fn close_rejected() -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(70_000_000, 0)
			.saturating_add(Weight::from_parts(0, 6200))
			.saturating_add(db.reads(7))
			.saturating_add(db.writes(5))
	}
	fn cancel() -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4100))
			.saturating_add(db.reads(4))
			.saturating_add(db.writes(4))
	}
	fn cancel_approved() -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(40_000_000, 0)
			.saturating_add(Weight::from_parts(0, 10400))
			.saturating_add(db.reads(3))
			.saturating_add(db.writes(3))
	}
	fn enact() -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(24_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3700))
			.saturating_add(db.reads(1))
			.saturating_add(db.writes(1))
	}
	fn set_params() -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(12_000_000, 0)
			.saturating_add(Weight::from_parts(0, 1500))
			.saturating_add(db.reads(1))
			.saturating_add(db.writes(1))
	}
}
