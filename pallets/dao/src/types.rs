//! Domain types of the DAO pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{AtLeast32BitUnsigned, Saturating},
	Perbill,
};

/// Index of a proposal: proposals are numbered from 0 in submission order.
pub type ProposalIndex = u32;

/// One account's vote on one proposal.
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
)]
pub struct Vote<Balance> {
	/// For the proposal (`true`) or against it.
	pub aye: bool,
	/// The balance backing the vote; frozen while the proposal is voting. Never zero.
	pub amount: Balance,
}

/// The votes cast on a proposal.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Tally<Balance> {
	/// Sum of the amounts of the votes for.
	pub ayes: Balance,
	/// Sum of the amounts of the votes against.
	pub nays: Balance,
}

impl<Balance: Saturating + Copy> Tally<Balance> {
	/// Counts `vote`.
	pub fn add(&mut self, vote: Vote<Balance>) {
		if vote.aye {
			self.ayes = self.ayes.saturating_add(vote.amount);
		} else {
			self.nays = self.nays.saturating_add(vote.amount);
		}
	}

	/// Stops counting `vote`, which was counted before.
	pub fn remove(&mut self, vote: Vote<Balance>) {
		if vote.aye {
			self.ayes = self.ayes.saturating_sub(vote.amount);
		} else {
			self.nays = self.nays.saturating_sub(vote.amount);
		}
	}

	/// All the balance that voted: `ayes + nays`.
	pub fn turnout(&self) -> Balance {
		self.ayes.saturating_add(self.nays)
	}
}

/// Where a proposal is in its life cycle.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum ProposalStatus<BlockNumber> {
	/// Open for votes until block `end` (exclusive); then anyone may close it.
	Voting { end: BlockNumber },
	/// Passed; its enactment is scheduled for block `enact_at`.
	Approved { enact_at: BlockNumber },
	/// Closed without passing.
	Rejected,
	/// Withdrawn by its proposer, or stopped by the DAO.
	Cancelled,
	/// Its call was dispatched; `ok`: the call succeeded.
	Enacted { ok: bool },
}

/// A call put to the token holders' vote.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Proposal<AccountId, Balance, BlockNumber, Call, Description> {
	/// The account that submitted the proposal and paid its deposit.
	pub proposer: AccountId,
	/// The call to dispatch as the DAO: inline or the hash of a preimage.
	pub call: Call,
	/// What the proposal is about: UTF-8 text or an IPFS CID.
	pub description: Description,
	/// The deposit held from the proposer while the proposal is voting.
	pub deposit: Balance,
	/// The block the proposal was submitted in.
	pub submitted_at: BlockNumber,
	/// The votes cast while the proposal was voting.
	pub tally: Tally<Balance>,
	/// Where the proposal is in its life cycle.
	pub status: ProposalStatus<BlockNumber>,
}

/// How a closed vote ended ([`DaoParams::outcome`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
	/// Quorum and approval reached.
	Passed,
	/// Not passed.
	Rejected,
	/// Not passed, with quorum reached and the ayes' share below the spam threshold.
	Spam,
}

/// The DAO's parameters, set at genesis and by the DAO itself ([`crate::Params`]).
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
pub struct DaoParams<Balance, BlockNumber> {
	/// Held from the proposer of each proposal while it is voting; returned when it ends, but
	/// slashed to the treasury if it is rejected as spam.
	pub proposal_deposit: Balance,
	/// Blocks a proposal is open for votes. Non-zero.
	pub voting_period: BlockNumber,
	/// Blocks between the close of a passed proposal and its enactment (at least one).
	pub enactment_delay: BlockNumber,
	/// Smallest turnout, as a share of the total issuance, for a proposal to pass.
	pub quorum: Perbill,
	/// Smallest share of ayes in the turnout for a proposal to pass.
	pub approval: Perbill,
	/// A rejected proposal that reached quorum with a share of ayes below this is spam.
	pub spam_threshold: Perbill,
}

impl<Balance: AtLeast32BitUnsigned + Copy, BlockNumber> DaoParams<Balance, BlockNumber> {
	/// The outcome of a vote with `tally`, given the currency's `total_issuance`.
	///
	/// Passed iff the turnout is non-zero and at least `quorum × total_issuance`, and the ayes
	/// are at least `approval × turnout`; spam iff not passed, quorum reached and the ayes below
	/// `spam_threshold × turnout`. The products are rounded up, so each comparison is exact.
	pub fn outcome(&self, tally: &Tally<Balance>, total_issuance: Balance) -> Outcome {
		let turnout = tally.turnout();
		if turnout.is_zero() || turnout < self.quorum.mul_ceil(total_issuance) {
			Outcome::Rejected
		} else if tally.ayes >= self.approval.mul_ceil(turnout) {
			Outcome::Passed
		} else if tally.ayes < self.spam_threshold.mul_ceil(turnout) {
			Outcome::Spam
		} else {
			Outcome::Rejected
		}
	}
}
