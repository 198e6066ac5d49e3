//! Weights for `pallet_billing`.
//!
//! PLACEHOLDER: conservative hand-written weights. This file is replaced by the output of
//! `ocos-node benchmark pallet --pallet pallet_billing --extrinsic '*'` run on reference
//! hardware (see `src/benchmarking.rs`).

use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed by `pallet_billing`, one per call.
pub trait WeightInfo {
	/// `set_price`: one price-table write.
	fn set_price() -> Weight;
	/// `remove_price`: one price-table read and removal.
	fn remove_price() -> Weight;
	/// `set_protocol_fee`: one value write.
	fn set_protocol_fee() -> Weight;
}

/// Placeholder weights; also used by the mock runtime.
impl WeightInfo for () {
	/// Storage: `Billing::Prices` (r:0 w:1)
	fn set_price() -> Weight {
		Weight::from_parts(12_000_000, 0).saturating_add(RocksDbWeight::get().writes(1))
	}
	/// Storage: `Billing::Prices` (r:1 w:1)
	/// Proof: `Billing::Prices` (`max_values`: None, `max_size`: Some(26), mode: `MaxEncodedLen`)
	fn remove_price() -> Weight {
		Weight::from_parts(15_000_000, 3_517)
			.saturating_add(RocksDbWeight::get().reads(1))
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	/// Storage: `Billing::ProtocolFee` (r:0 w:1)
	fn set_protocol_fee() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(RocksDbWeight::get().writes(1))
	}
}
