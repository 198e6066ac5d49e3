//! DataVault pin orders (`pallet-storage`): assigned to registered storage nodes, challenged
//! every epoch, billed per epoch through billing.

use frame_support::{
	parameter_types,
	traits::{ConstU32, Randomness},
};
use sp_runtime::traits::{BlakeTwo256, Hash as _};

use super::economy::NodeUnsignedPriority;
use super::DaoOrigin;
use crate::{Balance, Billing, BlockNumber, Hash, NodeRegistry, Runtime, System};

parameter_types! {
	/// CIDs in text form (a base32 CIDv1 with a sha2-256 multihash is 59 characters).
	pub const MaxPinCidLen: u32 = 128;
	/// Pins up to 64 GiB.
	pub const MaxPinSize: u64 = 64 << 30;
	/// How long a report may wait in the transaction pool, in blocks.
	pub const ReportLongevity: u64 = 64;
}

/// Challenge seeds from the parent block's hash and the challenge's subject.
///
/// Aura has no VRF, so no unbiasable randomness exists on this chain. A challenge needs only to
/// be unknown to the replicas until its round block is built: the parent hash is unknown until
/// the parent is sealed, and its author can bias it only by choosing among the blocks it could
/// seal, which buys a challenged replica at most a choice among a few byte ranges that it must
/// hold anyway.
pub struct ParentHashRandomness;

impl Randomness<Hash, BlockNumber> for ParentHashRandomness {
	fn random(subject: &[u8]) -> (Hash, BlockNumber) {
		let parent = System::parent_hash();
		let known_since = System::block_number().saturating_sub(1);
		(BlakeTwo256::hash_of(&(subject, parent)), known_since)
	}
}

impl pallet_storage::Config for Runtime {
	type Balance = Balance;
	type Registry = NodeRegistry;
	type Billing = Billing;
	type Randomness = ParentHashRandomness;
	type DaoOrigin = DaoOrigin;
	type MaxCidLen = MaxPinCidLen;
	type MaxPinSize = MaxPinSize;
	// At most billing's `MaxProviders` (16).
	type MaxReplicas = ConstU32<5>;
	/// Orders run up to about a year of hour-long epochs ahead, renewable.
	type MaxEpochs = ConstU32<8_760>;
	/// 1 KiB per challenge: a ranged `cat` per replica and epoch.
	type ChallengeLength = ConstU32<1024>;
	type MaxCandidates = ConstU32<64>;
	type MaxPinsPerNode = ConstU32<256>;
	type MaxPinsPerBlock = ConstU32<32>;
	type UnsignedPriority = NodeUnsignedPriority;
	type UnsignedLongevity = ReportLongevity;
	type WeightInfo = pallet_storage::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = super::benchmark_helper::Helper;
}
