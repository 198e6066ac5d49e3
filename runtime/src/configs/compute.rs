//! GPU compute jobs (`pallet-compute`): assigned to registered GPU nodes, attested by their
//! workers, settled through billing.

use frame_support::{parameter_types, traits::ConstU32};

use super::economy::NodeUnsignedPriority;
use crate::{Balance, Billing, BlockNumber, NodeRegistry, Runtime, HOURS};

parameter_types! {
	/// Inline WGSL up to 64 KiB; larger shaders are given by IPFS CID.
	pub const MaxSourceLen: u32 = 64 * 1024;
	/// Binary CIDs (CIDv1 with a sha2-256 multihash is 36 bytes).
	pub const MaxCidLen: u32 = 128;
	pub const MaxOutputSize: u64 = 256 * 1024 * 1024;
	/// Each assignment gets one to 120 minutes (10 to 1 200 blocks).
	pub const MinDeadline: BlockNumber = 10;
	pub const MaxDeadline: BlockNumber = 2 * HOURS;
	/// A job, reassignments included, ends within six hours of its submission.
	pub const MaxJobLifetime: BlockNumber = 6 * HOURS;
	/// How long an attestation may wait in the transaction pool, in blocks.
	pub const AttestationLongevity: u64 = 64;
}

impl pallet_compute::Config for Runtime {
	type Balance = Balance;
	type Registry = NodeRegistry;
	type Billing = Billing;
	type MaxSourceLen = MaxSourceLen;
	type MaxCidLen = MaxCidLen;
	type MaxEntryPointLen = ConstU32<64>;
	type MaxInputs = ConstU32<16>;
	type MaxOutputSize = MaxOutputSize;
	type MinDeadline = MinDeadline;
	type MaxDeadline = MaxDeadline;
	type MaxJobLifetime = MaxJobLifetime;
	type MaxAttempts = ConstU32<3>;
	// At most billing's `MaxProviders` (16).
	type MaxReplication = ConstU32<5>;
	type MaxCandidates = ConstU32<64>;
	type MaxJobsPerNode = ConstU32<16>;
	type MaxJobsPerBlock = ConstU32<32>;
	type UnsignedPriority = NodeUnsignedPriority;
	type UnsignedLongevity = AttestationLongevity;
	type WeightInfo = pallet_compute::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = super::benchmark_helper::Helper;
}
