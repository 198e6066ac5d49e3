// Placeholder weights for `pallet_quotas`.
//
// This file is replaced by the output of
// `ocos-node benchmark pallet --pallet pallet_quotas --extrinsic '*' --output
// pallets/quotas/src/weights.rs` on reference hardware. Until then the values below are
// conservative estimates: generous execution times plus the proof size and database accesses
// of each call's worst case (see the benchmarks in `benchmarking.rs`).

use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_quotas`.
pub trait WeightInfo {
	/// `stake` into an existing position of a past epoch (the lazy reset is written too).
	fn stake() -> Weight;
	/// `unstake` that appends a chunk to an almost full unbonding queue.
	fn unstake() -> Weight;
	/// `withdraw_unbonded` releasing `c` matured chunks.
	fn withdraw_unbonded(c: u32) -> Weight;
	/// `rebond` emptying `c` unbonding chunks.
	fn rebond(c: u32) -> Weight;
	/// `set_quota_rate`.
	fn set_quota_rate() -> Weight;
}

/// Placeholder weights against RocksDB, for tests and runtimes not yet benchmarked.
impl WeightInfo for () {
	/// Storage: `Quotas::Stakes` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	fn stake() -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	/// Storage: `Quotas::Stakes` (r:1 w:1)
	/// Storage: `Quotas::Unbonding` (r:1 w:1)
	fn unstake() -> Weight {
		Weight::from_parts(45_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	/// Storage: `Quotas::Unbonding` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	fn withdraw_unbonded(c: u32) -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(c.into()))
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	/// Storage: `Quotas::Unbonding` (r:1 w:1)
	/// Storage: `Quotas::Stakes` (r:1 w:1)
	/// Storage: `Quotas::QuotaRate` (r:1 w:0)
	fn rebond(c: u32) -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(c.into()))
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	/// Storage: `Quotas::QuotaRate` (r:0 w:1)
	fn set_quota_rate() -> Weight {
		Weight::from_parts(20_000_000, 0).saturating_add(RocksDbWeight::get().writes(1_u64))
	}
}
