//! Domain types of the storage pallet: the pin order a customer places, its replicas and their
//! challenge answers, the storage challenge and its tie-break (the dispute), the signed report a
//! worker sends, the DAO-set parameters, and the rule that decides a challenge
//! ([`decide_challenge`]).

use crate::{BalanceOf, Config};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::{BoundedVec, ConstU32},
	CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use ocos_primitives::{tally, NodeId};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// Identifier of a pin order, assigned in order of placement.
pub type PinId = u64;

/// Domain tag prefixed to every signed storage report, so its signature can never be replayed
/// as another kind of worker message: heartbeats begin `ocos/heartbeat` and compute
/// attestations `ocos/attestation`, both differing from `ocos/storage` at the sixth byte, and
/// worker key proofs begin with a compact length byte.
pub const STORAGE_REPORT_DOMAIN: [u8; 12] = *b"ocos/storage";

/// Domain tag of a challenge's seed ([`Challenge::seed`]).
pub const CHALLENGE_DOMAIN: [u8; 14] = *b"ocos/challenge";

/// Domain tag of the assignment tie-break hash ([`crate::assignment_rank`]).
pub const ASSIGNMENT_DOMAIN: [u8; 17] = *b"ocos/pin-assigned";

/// How many recently dropped nodes a pin remembers (never reassigned to it while remembered).
pub const MAX_DROPPED: u32 = 16;

/// An IPFS CID in its text form (not interpreted on chain beyond its alphabet).
pub type CidOf<T> = BoundedVec<u8, <T as Config>::MaxCidLen>;

/// Parameters the DAO sets ([`crate::Pallet::set_params`]).
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
pub struct StorageParams {
	/// Strikes at which a replica is slashed and replaced (at least 1).
	pub strike_limit: u8,
	/// The fraction of the node's bond slashed when a replica reaches `strike_limit`.
	pub strike_slash: Perbill,
}

impl Default for StorageParams {
	fn default() -> Self {
		Self { strike_limit: 3, strike_slash: Perbill::from_percent(1) }
	}
}

/// Why a worker could not pin an order's content.
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
pub enum PinFailure {
	/// The CID does not parse.
	InvalidCid,
	/// The content could not be fetched within the worker's time limit.
	Unavailable,
	/// The content is not a file (a directory or raw DAG): challenges address file bytes.
	NotAFile,
	/// The content's size differs from the order's.
	SizeMismatch,
}

/// What a worker reports about a pin.
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
pub enum Report {
	/// The node pinned the content and measured `size` bytes (must equal the order's size).
	Pinned { size: u64 },
	/// The node's answer to the challenge of `round`: blake2-256 of the challenge seed
	/// followed by the challenged bytes ([`Challenge`]).
	Answer { round: u32, hash: [u8; 32] },
	/// The node could not pin the content.
	Failed(PinFailure),
}

/// A node's report on a pin; the worker signs [`StorageReport::signing_payload`] with its
/// worker key.
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
pub struct StorageReport {
	/// The pin reported on.
	pub pin: PinId,
	/// The reporting node: a replica of the pin, or its dispute's referee.
	pub node: NodeId,
	/// What the node reports.
	pub report: Report,
}

impl StorageReport {
	/// The bytes the worker key signs: `(STORAGE_REPORT_DOMAIN, self).encode()`.
	pub fn signing_payload(&self) -> Vec<u8> {
		(STORAGE_REPORT_DOMAIN, self).encode()
	}
}

/// A storage challenge: every challenged replica hashes `length` bytes of the content from
/// `offset` (file bytes, as `cat` returns them) after the `seed`.
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
pub struct Challenge {
	/// The pin's round the challenge was issued in.
	pub round: u32,
	/// Fresh per challenge, so answers cannot be computed ahead.
	pub seed: [u8; 32],
	/// First challenged byte.
	pub offset: u64,
	/// Challenged bytes (the challenge length, or the whole content if it is shorter).
	pub length: u32,
}

impl Challenge {
	/// The challenge of `round` with `seed` over content of `size` bytes: `length =
	/// min(max_length, size)` bytes from an offset drawn uniformly (by the seed's first eight
	/// bytes) among the `size - length + 1` possible ones.
	pub fn new(round: u32, seed: [u8; 32], size: u64, max_length: u32) -> Self {
		let length = u64::from(max_length).min(size);
		let mut first = [0u8; 8];
		first.copy_from_slice(&seed[..8]);
		let positions = size.saturating_sub(length).saturating_add(1);
		let offset = u64::from_le_bytes(first) % positions;
		Self { round, seed, offset, length: u32::try_from(length).unwrap_or(max_length) }
	}

	/// The answer over the challenged bytes (`length` bytes of the content from `offset`):
	/// blake2-256 of the seed followed by them.
	pub fn answer(&self, challenged: &[u8]) -> [u8; 32] {
		let mut data = Vec::with_capacity(self.seed.len().saturating_add(challenged.len()));
		data.extend_from_slice(&self.seed);
		data.extend_from_slice(challenged);
		sp_io::hashing::blake2_256(&data)
	}
}

/// Whether a replica holds the content yet.
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
pub enum ReplicaState {
	/// Assigned; must report `Pinned` before the pin's next round.
	Pending,
	/// Reported a failure to pin; dropped at the next round.
	Failed(PinFailure),
	/// Holds the content.
	Pinned,
}

/// A replica's part in the open challenge.
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
pub enum AnswerState {
	/// Not challenged this round (it was not pinned when the challenge was issued).
	Unchallenged,
	/// Challenged, no answer yet.
	Awaiting,
	/// Answered with this hash.
	Answered([u8; 32]),
}

/// One node holding (or assigned to hold) a pin's content.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Replica<T: Config> {
	/// The node.
	pub node: NodeId,
	/// Its owner at assignment (who is paid).
	pub owner: T::AccountId,
	/// Whether it holds the content.
	pub state: ReplicaState,
	/// Its part in the open challenge.
	pub answer: AnswerState,
	/// Failed challenges, less passed ones (never below zero).
	pub strikes: u8,
}

/// A challenge whose answers tied: a referee (a storage node holding no replica) answers the
/// same challenge by the next round and its answer decides.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Dispute<T: Config> {
	/// The tied challenge.
	pub challenge: Challenge,
	/// The tied replicas' answers.
	pub answers: BoundedVec<(NodeId, [u8; 32]), T::MaxReplicas>,
	/// The referee.
	pub referee: NodeId,
	/// Its answer, once sent.
	pub verdict: Option<[u8; 32]>,
}

/// Why a pin order ended.
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
pub enum EndReason {
	/// It ran the epochs it was placed (and renewed) for.
	Expired,
	/// Its budget no longer paid for the next epoch.
	Unfunded,
	/// The customer unpinned it.
	Unpinned,
	/// A majority of its first replicas reported this failure before any pinned it.
	Failed(PinFailure),
	/// No round bucket had room for its next round (only after a change of the epoch length).
	Unschedulable,
}

/// Where a pin order stands.
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
pub enum PinStatus {
	/// No replica has pinned the content yet.
	Pinning,
	/// At least one replica has pinned it.
	Active,
	/// Ended; its nodes unpin the content and its budget was refunded.
	Ended(EndReason),
}

/// A pin order. The record stays in storage after the order ends.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Pin<T: Config> {
	/// Who placed (and pays for) the order.
	pub customer: T::AccountId,
	/// The content's CID.
	pub cid: CidOf<T>,
	/// The content's size in bytes (the billed size per replica and epoch).
	pub size: u64,
	/// How many nodes should hold the content.
	pub replication: u32,
	/// Epochs the order runs (placed plus renewed).
	pub epochs: u32,
	/// Epochs that have ended (rounds processed).
	pub epochs_done: u32,
	/// What is left of the held budget.
	pub budget: BalanceOf<T>,
	/// The block of the next round (the end of the running epoch).
	pub next_round: BlockNumberFor<T>,
	/// The running epoch's number, from 0: the round its challenge belongs to.
	pub round: u32,
	/// The nodes holding (or assigned to hold) the content.
	pub replicas: BoundedVec<Replica<T>, T::MaxReplicas>,
	/// The running epoch's challenge, if any replica was pinned when it began.
	pub challenge: Option<Challenge>,
	/// The last epoch's tied challenge, awaiting its referee.
	pub dispute: Option<Dispute<T>>,
	/// Nodes recently dropped from the pin, most recent last; not reassigned to it.
	pub dropped: BoundedVec<NodeId, ConstU32<MAX_DROPPED>>,
	/// Where the order stands.
	pub status: PinStatus,
}

impl<T: Config> Pin<T> {
	/// Whether the order has not ended.
	pub fn is_open(&self) -> bool {
		!matches!(self.status, PinStatus::Ended(_))
	}

	/// The position of `node` among the replicas.
	pub fn replica_index(&self, node: NodeId) -> Option<usize> {
		self.replicas.iter().position(|replica| replica.node == node)
	}

	/// Whether `node` is the referee of the pin's dispute.
	pub fn is_referee(&self, node: NodeId) -> bool {
		self.dispute.as_ref().is_some_and(|dispute| dispute.referee == node)
	}

	/// Whether any replica holds the content.
	pub fn any_pinned(&self) -> bool {
		self.replicas.iter().any(|replica| replica.state == ReplicaState::Pinned)
	}

	/// The failure kind reported by at least a strict majority of `replication`, if any.
	pub fn failure_quorum(&self) -> Option<PinFailure> {
		let quorum = self.replication / 2 + 1;
		let mut counts: Vec<(PinFailure, u32)> = Vec::new();
		for replica in self.replicas.iter() {
			if let ReplicaState::Failed(kind) = replica.state {
				tally(&mut counts, kind);
			}
		}
		counts.into_iter().find(|(_, count)| *count >= quorum).map(|(kind, _)| kind)
	}
}

/// How a challenge's answers were judged ([`decide_challenge`]).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Decision {
	/// Every answer agreed, or a strict majority of the answers agreed on `hash`: the replicas
	/// that gave it pass, the others fail.
	Majority([u8; 32]),
	/// No hash has a strict majority of the answers: the answers must be refereed.
	Tie,
	/// Nobody answered.
	Silent,
}

/// The comparison rule: among the answers given (missing answers count as failures on their
/// own), a hash given by a strict majority wins; a single answer wins uncontested; otherwise
/// the answers tie.
pub fn decide_challenge(answers: &[[u8; 32]]) -> Decision {
	if answers.is_empty() {
		return Decision::Silent;
	}
	let mut counts: Vec<([u8; 32], u32)> = Vec::new();
	for hash in answers {
		tally(&mut counts, *hash);
	}
	let majority =
		|count: u32| usize::try_from(count).unwrap_or(usize::MAX).saturating_mul(2) > answers.len();
	match counts.iter().find(|(_, count)| majority(*count)) {
		Some((hash, _)) => Decision::Majority(*hash),
		None => Decision::Tie,
	}
}

/// What a node is asked to do for one pin.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum PinTask {
	/// Pin the content and report `Pinned` (or a failure) before the next round.
	Pin,
	/// Keep the content pinned; nothing to report now.
	Hold,
	/// Keep it pinned and answer this challenge before the next round.
	Answer(Challenge),
	/// As the referee of a dispute: answer this challenge (fetching the bytes, not pinning).
	Referee(Challenge),
}

/// One pin on a node's work list: what the worker asks for with `node_work`. Pins not on the
/// list are the node's to unpin.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct StorageWork<BlockNumber> {
	/// The pin.
	pub pin: PinId,
	/// Its CID (text).
	pub cid: Vec<u8>,
	/// Its size in bytes.
	pub size: u64,
	/// Reports are due before this block (the pin's next round).
	pub due: BlockNumber,
	/// What to do.
	pub task: PinTask,
}
