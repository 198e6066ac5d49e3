
//! PLACEHOLDER WEIGHTS — NOT MEASURED. Regenerate before this pallet goes to any network:
//!
//! ```sh
//! ocos-node benchmark pallet --chain dev --pallet pallet_compute --extrinsic '*' \
//!   --steps 50 --repeat 20 --wasm-execution compiled \
//!   --template benchmarking/frame-weight-template.hbs --output pallets/compute/src/weights.rs
//! ```
//!
//! The numbers below are estimates written by hand in the shape of the generated files (so
//! that the runtime and the tests build): storage reads and writes counted from the code,
//! execution times guessed from the node registry's and billing's measured weights. The
//! candidate scan is assumed to read about four registry entries per candidate
//! (`gpu_class`, `can_serve`, `owner`, `reputation` and `NodeJobs`, with the trie cache
//! absorbing repeats), at the runtime's `MaxCandidates` = 64 where a weight does not take the
//! number of candidates as a component.

// Executed command (once regenerated):
// /root/.cache/ocos-cloud/target/release/ocos-node
// benchmark
// pallet
// --chain
// dev
// --pallet
// pallet_compute
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
// pallets/compute/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(unused_variables)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed by `pallet_compute`.
pub trait WeightInfo {
	fn submit_job(c: u32, r: u32, ) -> Weight;
	fn attest(r: u32, ) -> Weight;
	fn cancel_job(r: u32, ) -> Weight;
	fn settle_job(r: u32, ) -> Weight;
	fn process_deadlines(n: u32, ) -> Weight;
}

/// Weights for the runtime, with the runtime's database weights (placeholder, see above).
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Compute::NextJobId` (r:1 w:1)
	/// Storage: `Compute::Deadlines` (r:1 w:1)
	/// Storage: `Compute::CandidateCursor` (r:1 w:1)
	/// Storage: `NodeRegistry::ActiveNodes` (r:c w:0)
	/// Storage: `NodeRegistry::Nodes` (r:c w:r)
	/// Storage: `NodeRegistry::Params` (r:1 w:0)
	/// Storage: `NodeRegistry::Epoch` (r:1 w:0)
	/// Storage: `NodeRegistry::AllowList` (r:c w:0)
	/// Storage: `Compute::NodeJobs` (r:c w:r)
	/// Storage: `Billing::Prices` (r:1 w:0)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `Compute::Jobs` (r:0 w:1)
	/// Storage: `Compute::JobSpecs` (r:0 w:1)
	/// The range of component `c` is `[5, 64]`.
	/// The range of component `r` is `[1, 5]`.
	fn submit_job(c: u32, r: u32, ) -> Weight {
		// Placeholder, not measured.
		let db = T::DbWeight::get();
		Weight::from_parts(150_000_000, 0)
			.saturating_add(Weight::from_parts(0, 12_000))
			.saturating_add(Weight::from_parts(12_000_000, 0).saturating_mul(c.into()))
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(r.into()))
			.saturating_add(db.reads(9))
			.saturating_add(db.reads((4_u64).saturating_mul(c.into())))
			.saturating_add(db.writes(7))
			.saturating_add(db.writes((2_u64).saturating_mul(r.into())))
			.saturating_add(Weight::from_parts(0, 6_000).saturating_mul(c.into()))
	}
	/// Storage: `Compute::Jobs` (r:1 w:1)
	/// Storage: `NodeRegistry::Nodes` (r:r w:r)
	/// Storage: `NodeRegistry::Params` (r:1 w:0)
	/// Storage: `NodeRegistry::Epoch` (r:1 w:0)
	/// Storage: `Compute::NodeJobs` (r:r w:r)
	/// Storage: `Compute::Deadlines` (r:1 w:1)
	/// Storage: `Compute::JobSpecs` (r:0 w:1)
	/// Storage: `Billing::Prices` (r:1 w:0)
	/// Storage: `Billing::ProtocolFee` (r:1 w:0)
	/// Storage: `Billing::UsageRecords` (r:1 w:1)
	/// Storage: `Quotas::Stakes` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:5 w:5)
	/// The range of component `r` is `[1, 5]`.
	fn attest(r: u32, ) -> Weight {
		// Placeholder, not measured; the worst case: the last attestation reaches the quorum
		// and settles (two signature checks: pool validation and dispatch).
		let db = T::DbWeight::get();
		Weight::from_parts(260_000_000, 0)
			.saturating_add(Weight::from_parts(0, 16_000))
			.saturating_add(Weight::from_parts(45_000_000, 0).saturating_mul(r.into()))
			.saturating_add(db.reads(14))
			.saturating_add(db.reads((3_u64).saturating_mul(r.into())))
			.saturating_add(db.writes(12))
			.saturating_add(db.writes((3_u64).saturating_mul(r.into())))
			.saturating_add(Weight::from_parts(0, 6_000).saturating_mul(r.into()))
	}
	/// Storage: `Compute::Jobs` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Compute::NodeJobs` (r:r w:r)
	/// Storage: `NodeRegistry::Nodes` (r:r w:r)
	/// Storage: `Compute::Deadlines` (r:1 w:1)
	/// Storage: `Compute::JobSpecs` (r:0 w:1)
	/// The range of component `r` is `[1, 5]`.
	fn cancel_job(r: u32, ) -> Weight {
		// Placeholder, not measured.
		let db = T::DbWeight::get();
		Weight::from_parts(70_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8_000))
			.saturating_add(Weight::from_parts(15_000_000, 0).saturating_mul(r.into()))
			.saturating_add(db.reads(4))
			.saturating_add(db.reads((2_u64).saturating_mul(r.into())))
			.saturating_add(db.writes(5))
			.saturating_add(db.writes((2_u64).saturating_mul(r.into())))
			.saturating_add(Weight::from_parts(0, 6_000).saturating_mul(r.into()))
	}
	/// Storage: `Compute::Jobs` (r:1 w:1)
	/// Storage: `Billing::Prices` (r:1 w:0)
	/// Storage: `Billing::ProtocolFee` (r:1 w:0)
	/// Storage: `Billing::UsageRecords` (r:1 w:1)
	/// Storage: `Quotas::Stakes` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:2 w:2)
	/// The range of component `r` is `[1, 5]`.
	fn settle_job(r: u32, ) -> Weight {
		// Placeholder, not measured.
		let db = T::DbWeight::get();
		Weight::from_parts(120_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8_000))
			.saturating_add(Weight::from_parts(25_000_000, 0).saturating_mul(r.into()))
			.saturating_add(db.reads(8))
			.saturating_add(db.reads((1_u64).saturating_mul(r.into())))
			.saturating_add(db.writes(6))
			.saturating_add(db.writes((1_u64).saturating_mul(r.into())))
			.saturating_add(Weight::from_parts(0, 2_603).saturating_mul(r.into()))
	}
	/// Storage: `Compute::Deadlines` (r:1+n w:1+n)
	/// Storage: `Compute::Jobs` (r:n w:n)
	/// Storage: `Compute::CandidateCursor` (r:n w:n)
	/// Storage: `NodeRegistry::ActiveNodes` (r:64n w:0)
	/// Storage: `NodeRegistry::Nodes` (r:64n w:10n)
	/// Storage: `NodeRegistry::AllowList` (r:64n w:0)
	/// Storage: `Compute::NodeJobs` (r:64n w:10n)
	/// Storage: `Billing::Prices` (r:n w:0)
	/// The range of component `n` is `[0, 32]`.
	fn process_deadlines(n: u32, ) -> Weight {
		// Placeholder, not measured; per job the worst case: every replica missed the deadline
		// and is replaced after a full candidate scan.
		let db = T::DbWeight::get();
		Weight::from_parts(6_000_000, 0)
			.saturating_add(Weight::from_parts(0, 1_500))
			.saturating_add(Weight::from_parts(900_000_000, 0).saturating_mul(n.into()))
			.saturating_add(db.reads(1))
			.saturating_add(db.reads((262_u64).saturating_mul(n.into())))
			.saturating_add(db.writes(1))
			.saturating_add(db.writes((24_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 400_000).saturating_mul(n.into()))
	}
}

/// The same weights with ParityDB's database weights, for tests and mocks.
impl WeightInfo for () {
	fn submit_job(c: u32, r: u32, ) -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(150_000_000, 0)
			.saturating_add(Weight::from_parts(0, 12_000))
			.saturating_add(Weight::from_parts(12_000_000, 0).saturating_mul(c.into()))
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(r.into()))
			.saturating_add(db.reads(9))
			.saturating_add(db.reads((4_u64).saturating_mul(c.into())))
			.saturating_add(db.writes(7))
			.saturating_add(db.writes((2_u64).saturating_mul(r.into())))
			.saturating_add(Weight::from_parts(0, 6_000).saturating_mul(c.into()))
	}
	fn attest(r: u32, ) -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(260_000_000, 0)
			.saturating_add(Weight::from_parts(0, 16_000))
			.saturating_add(Weight::from_parts(45_000_000, 0).saturating_mul(r.into()))
			.saturating_add(db.reads(14))
			.saturating_add(db.reads((3_u64).saturating_mul(r.into())))
			.saturating_add(db.writes(12))
			.saturating_add(db.writes((3_u64).saturating_mul(r.into())))
			.saturating_add(Weight::from_parts(0, 6_000).saturating_mul(r.into()))
	}
	fn cancel_job(r: u32, ) -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(70_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8_000))
			.saturating_add(Weight::from_parts(15_000_000, 0).saturating_mul(r.into()))
			.saturating_add(db.reads(4))
			.saturating_add(db.reads((2_u64).saturating_mul(r.into())))
			.saturating_add(db.writes(5))
			.saturating_add(db.writes((2_u64).saturating_mul(r.into())))
			.saturating_add(Weight::from_parts(0, 6_000).saturating_mul(r.into()))
	}
	fn settle_job(r: u32, ) -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(120_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8_000))
			.saturating_add(Weight::from_parts(25_000_000, 0).saturating_mul(r.into()))
			.saturating_add(db.reads(8))
			.saturating_add(db.reads((1_u64).saturating_mul(r.into())))
			.saturating_add(db.writes(6))
			.saturating_add(db.writes((1_u64).saturating_mul(r.into())))
			.saturating_add(Weight::from_parts(0, 2_603).saturating_mul(r.into()))
	}
	fn process_deadlines(n: u32, ) -> Weight {
		let db = ParityDbWeight::get();
		Weight::from_parts(6_000_000, 0)
			.saturating_add(Weight::from_parts(0, 1_500))
			.saturating_add(Weight::from_parts(900_000_000, 0).saturating_mul(n.into()))
			.saturating_add(db.reads(1))
			.saturating_add(db.reads((262_u64).saturating_mul(n.into())))
			.saturating_add(db.writes(1))
			.saturating_add(db.writes((24_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 400_000).saturating_mul(n.into()))
	}
}
