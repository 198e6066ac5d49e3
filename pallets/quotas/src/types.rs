//! Domain types of the quotas pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use ocos_primitives::{EpochIndex, ResourceKind};
use scale_info::TypeInfo;

/// One account's stake for one resource kind, with the quota it used in the epoch it was last
/// touched in.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct StakeInfo<Balance> {
	/// Funds actively staked (held); they earn quota every epoch. Never zero in storage.
	pub staked: Balance,
	/// Quota units consumed in `epoch`.
	pub used: u64,
	/// The epoch `used` refers to.
	pub epoch: EpochIndex,
}

impl<Balance> StakeInfo<Balance> {
	/// A position of `staked` that has used nothing in `epoch` yet.
	pub fn new(staked: Balance, epoch: EpochIndex) -> Self {
		Self { staked, used: 0, epoch }
	}

	/// The position as seen in `epoch`: the lazy per-account reset. A position last touched in
	/// another epoch has used nothing of `epoch`'s quota yet.
	///
	/// The test is `!=` rather than `<` so that a position written under a longer
	/// `EpochLength` (a higher epoch index than the current one after the length was
	/// increased) also renews instead of keeping its usage until the index catches up.
	pub fn renewed(self, epoch: EpochIndex) -> Self {
		if self.epoch == epoch {
			self
		} else {
			Self { used: 0, epoch, ..self }
		}
	}
}

/// Funds on their way from a stake back to the free balance. They stay held but earn no quota,
/// and may be withdrawn from block `unlock_at` on (or rebonded at any time).
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct UnbondingChunk<Balance, BlockNumber> {
	/// The resource kind the funds were staked for (what `rebond` restores).
	pub kind: ResourceKind,
	/// Funds in the chunk. Never zero in storage.
	pub amount: Balance,
	/// First block at which the funds may be withdrawn.
	pub unlock_at: BlockNumber,
}

/// The quotas pallet's parameters, set at genesis and by the DAO ([`crate::Params`]).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase", deny_unknown_fields)]
pub struct QuotaParams<Balance, BlockNumber> {
	/// Blocks between an unstake and the moment its funds may be withdrawn; chunks already
	/// unbonding keep their unlock block. Should be at least the epoch length.
	pub unbonding_period: BlockNumber,
	/// The smallest position allowed; a position is either absent or at least this. Positions
	/// below a raised minimum stay, and may only grow past it or be unstaked whole.
	pub min_stake: Balance,
}
