//! Domain types of the compute pallet: the job specification a customer submits, the signed
//! attestation a worker sends, the stored job record with its replicas and status, the quorum
//! rule ([`Job::verdict`]) and the runtime API's views of jobs and pending work.

use crate::{BalanceOf, Config};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::marker::PhantomData;
use frame_support::{
	pallet_prelude::{BoundedVec, Get},
	CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use ocos_primitives::{tally, GpuClass, NodeId};
use scale_info::TypeInfo;

/// Identifier of a compute job, assigned in submission order.
pub type JobId = u64;

/// Domain tag prefixed to every signed attestation, so an attestation signature can never be
/// replayed as another kind of worker message (and vice versa).
///
/// Heartbeats start with the raw tag `ocos/heartbeat` and worker key proofs with a compact
/// length byte; `ocos/attestation` differs from the first at its sixth byte and from the
/// second at its first, so no signed payload of one kind is a payload of another.
pub const ATTESTATION_DOMAIN: [u8; 16] = *b"ocos/attestation";

/// Domain tag of the assignment tie-break hash ([`crate::assignment_rank`]).
pub const ASSIGNMENT_DOMAIN: [u8; 15] = *b"ocos/assignment";

/// The largest workgroup count per dimension a job may dispatch: WebGPU's default
/// `maxComputeWorkgroupsPerDimension`, which every adapter supports.
pub const MAX_WORKGROUPS_PER_DIMENSION: u32 = 65_535;

/// An IPFS CID (its bytes, not interpreted on chain).
pub type CidOf<T> = BoundedVec<u8, <T as Config>::MaxCidLen>;

/// The bound of a job's list of dropped nodes: `MaxReplication × MaxAttempts`, since every
/// deadline drops at most `replication` nodes and a job meets at most `MaxAttempts` deadlines.
pub struct MaxDroppedOf<T>(PhantomData<T>);

impl<T: Config> Get<u32> for MaxDroppedOf<T> {
	fn get() -> u32 {
		T::MaxReplication::get().saturating_mul(T::MaxAttempts::get())
	}
}

/// Where a job's WGSL source is.
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
pub enum ShaderSource<T: Config> {
	/// The WGSL source itself (UTF-8), at most `MaxSourceLen` bytes.
	Inline(BoundedVec<u8, T::MaxSourceLen>),
	/// The CID of the WGSL source on IPFS.
	Ipfs(CidOf<T>),
}

impl<T: Config> ShaderSource<T> {
	/// Whether the source (or its CID) is empty.
	pub fn is_empty(&self) -> bool {
		match self {
			Self::Inline(code) => code.is_empty(),
			Self::Ipfs(cid) => cid.is_empty(),
		}
	}
}

/// How many workgroups a job dispatches along each dimension.
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
pub struct Workgroups {
	/// Workgroups along x.
	pub x: u32,
	/// Workgroups along y.
	pub y: u32,
	/// Workgroups along z.
	pub z: u32,
}

impl Workgroups {
	/// Whether every dimension is between 1 and [`MAX_WORKGROUPS_PER_DIMENSION`].
	pub fn is_valid(&self) -> bool {
		[self.x, self.y, self.z]
			.iter()
			.all(|count| (1..=MAX_WORKGROUPS_PER_DIMENSION).contains(count))
	}
}

/// Whether replicas of a job can be expected to produce bit-identical outputs.
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
pub enum Determinism {
	/// Integer (or otherwise bit-exact) kernels: every honest GPU produces the same bytes, so a
	/// replica whose output hash differs from the quorum's is penalised.
	BitExact,
	/// Floating-point kernels: results may differ between drivers (FMA, summation order), so a
	/// different output hash alone is not penalised; only the quorum's hash is paid.
	Float,
}

/// What a customer submits: the shader, how to run it, where its inputs are and which GPUs
/// and how long it needs.
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
pub struct JobSpec<T: Config> {
	/// The WGSL source, inline or by CID.
	pub source: ShaderSource<T>,
	/// The compute entry point's name in the source.
	pub entry_point: BoundedVec<u8, T::MaxEntryPointLen>,
	/// The dispatch size.
	pub workgroups: Workgroups,
	/// CIDs of the input buffers, bound in order.
	pub inputs: BoundedVec<CidOf<T>, T::MaxInputs>,
	/// Size of the output buffer in bytes, at most `MaxOutputSize`.
	pub output_size: u64,
	/// The least GPU class that may run the job; better classes may too.
	pub gpu_class: GpuClass,
	/// Whether replicas must agree bit for bit.
	pub determinism: Determinism,
	/// Blocks each assignment gets to attest (between `MinDeadline` and `MaxDeadline`).
	pub deadline: BlockNumberFor<T>,
}

/// Why a worker could not complete a job.
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
pub enum FailureKind {
	/// The source does not parse or validate as WGSL, or lacks the entry point.
	InvalidShader,
	/// An input (or the source's CID) could not be fetched from IPFS.
	InputUnavailable,
	/// The job ran out of its wall-time limit.
	Timeout,
	/// The job needed more GPU memory than the adapter has.
	OutOfMemory,
	/// The dispatch failed on the device (device lost, validation error at run time).
	ExecutionError,
	/// The output exceeded the declared `output_size`.
	OutputTooLarge,
}

/// What a worker reports for a job.
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
pub enum Outcome<T: Config> {
	/// The job ran: its output was added to IPFS as `output_cid`, its blake2-256 hash (of the
	/// raw output bytes) is `output_hash`, and it took `gpu_millis` milliseconds of GPU time.
	Completed { output_cid: CidOf<T>, output_hash: [u8; 32], gpu_millis: u64 },
	/// The job could not run.
	Failed(FailureKind),
}

impl<T: Config> Outcome<T> {
	/// Whether the outcome is acceptable as reported: a completion must name its output CID.
	pub fn is_well_formed(&self) -> bool {
		match self {
			Self::Completed { output_cid, .. } => !output_cid.is_empty(),
			Self::Failed(_) => true,
		}
	}

	/// The output hash of a completion.
	pub fn output_hash(&self) -> Option<&[u8; 32]> {
		match self {
			Self::Completed { output_hash, .. } => Some(output_hash),
			Self::Failed(_) => None,
		}
	}

	/// The metered GPU time of a completion.
	pub fn gpu_millis(&self) -> Option<u64> {
		match self {
			Self::Completed { gpu_millis, .. } => Some(*gpu_millis),
			Self::Failed(_) => None,
		}
	}

	/// The output CID of a completion.
	pub fn output_cid(&self) -> Option<&CidOf<T>> {
		match self {
			Self::Completed { output_cid, .. } => Some(output_cid),
			Self::Failed(_) => None,
		}
	}

	/// The outcome as the runtime API reports it.
	pub fn info(&self) -> OutcomeInfo {
		match self {
			Self::Completed { output_cid, output_hash, gpu_millis } => OutcomeInfo::Completed {
				output_cid: output_cid.to_vec(),
				output_hash: *output_hash,
				gpu_millis: *gpu_millis,
			},
			Self::Failed(kind) => OutcomeInfo::Failed(*kind),
		}
	}
}

/// A node's report on a job; the worker signs [`Attestation::signing_payload`] with its worker
/// key.
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
pub struct Attestation<T: Config> {
	/// The job reported on.
	pub job: JobId,
	/// The reporting node; must be assigned to the job.
	pub node: NodeId,
	/// What the node found.
	pub outcome: Outcome<T>,
}

impl<T: Config> Attestation<T> {
	/// The bytes the worker key signs: `(ATTESTATION_DOMAIN, self).encode()`, i.e. the 16-byte
	/// tag `ocos/attestation` followed by the SCALE-encoded attestation.
	pub fn signing_payload(&self) -> Vec<u8> {
		(ATTESTATION_DOMAIN, self).encode()
	}
}

/// One node assigned to a job, and its report once it sent one.
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
	/// The assigned node.
	pub node: NodeId,
	/// Its owner at assignment (who is paid; owners never change).
	pub owner: T::AccountId,
	/// The node's attestation, once received.
	pub outcome: Option<Outcome<T>>,
}

impl<T: Config> Replica<T> {
	/// Whether the replica reported a completion with output hash `hash`.
	pub fn agrees_with(&self, hash: &[u8; 32]) -> bool {
		self.outcome.as_ref().and_then(Outcome::output_hash) == Some(hash)
	}
}

/// Why a job failed.
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
pub enum JobFailure {
	/// A majority of the replicas reported this failure.
	Reported(FailureKind),
	/// No output hash can reach a majority any more, and no failure kind has one.
	NoQuorum,
	/// A deadline passed without a quorum and the job could not be reassigned.
	Expired,
}

/// Whether the providers of a completed job have been paid.
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
pub enum Payment<Balance> {
	/// Settlement failed when the quorum was reached (e.g. the resource had no price); the
	/// budget stays held until [`settle_job`](crate::Pallet::settle_job) succeeds.
	Pending,
	/// Settled: `charged` was taken from the budget (the rest released) and `quota_units` of
	/// the usage were covered by the customer's quota.
	Settled { charged: Balance, quota_units: u64 },
}

/// Where a job stands.
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
pub enum JobStatus<T: Config> {
	/// Assigned to its replicas, awaiting attestations (the only open status).
	Assigned,
	/// A majority agreed on `output_hash`. `output_cid` is the first agreeing replica's CID,
	/// `gpu_millis` the lower median of the agreeing replicas' metered time (what each of them
	/// is paid for).
	Completed {
		output_cid: CidOf<T>,
		output_hash: [u8; 32],
		gpu_millis: u64,
		payment: Payment<BalanceOf<T>>,
	},
	/// The job failed and its budget was refunded.
	Failed(JobFailure),
	/// The customer cancelled the job and its budget was refunded.
	Cancelled,
}

/// What the quorum rule says about a job's attestations so far.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
	/// A majority may still form: wait.
	Undecided,
	/// A strict majority of the replicas reported a completion with this output hash.
	Agreed([u8; 32]),
	/// No output hash can reach a majority any more.
	Failed(JobFailure),
}

/// The number of agreeing replicas a job of `replication` needs: a strict majority,
/// `replication / 2 + 1`.
pub fn quorum(replication: u32) -> u32 {
	replication / 2 + 1
}

/// The lower median of `values` (the smaller middle value of an even count; 0 if empty), so
/// that no single replica can raise what the agreeing replicas are paid for.
pub fn lower_median(mut values: Vec<u64>) -> u64 {
	values.sort_unstable();
	values.get(values.len().saturating_sub(1) / 2).copied().unwrap_or(0)
}

/// A compute job. The record stays in storage after the job ends, as its result.
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
pub struct Job<T: Config> {
	/// Who submitted (and pays for) the job.
	pub customer: T::AccountId,
	/// The least GPU class of its nodes; the class it is billed at.
	pub gpu_class: GpuClass,
	/// Whether replicas must agree bit for bit.
	pub determinism: Determinism,
	/// How many nodes run the job (1 to `MaxReplication`).
	pub replication: u32,
	/// The budget held from the customer (`max_budget`).
	pub budget: BalanceOf<T>,
	/// Block of submission.
	pub submitted_at: BlockNumberFor<T>,
	/// Blocks each assignment gets (the spec's `deadline`).
	pub duration: BlockNumberFor<T>,
	/// The block in whose `on_initialize` the current assignment's deadline falls; attestations
	/// are accepted in earlier blocks.
	pub deadline: BlockNumberFor<T>,
	/// Assignment round, from 1; each reassignment adds one (at most `MaxAttempts`).
	pub attempt: u32,
	/// The assigned nodes (exactly `replication` while the job is open) with their reports.
	pub replicas: BoundedVec<Replica<T>, T::MaxReplication>,
	/// Nodes removed from the job for missing a deadline; never assigned to it again.
	pub dropped: BoundedVec<NodeId, MaxDroppedOf<T>>,
	/// Where the job stands.
	pub status: JobStatus<T>,
}

impl<T: Config> Job<T> {
	/// Whether the job still takes attestations.
	pub fn is_open(&self) -> bool {
		matches!(self.status, JobStatus::Assigned)
	}

	/// The position of `node` among the replicas.
	pub fn replica_index(&self, node: NodeId) -> Option<usize> {
		self.replicas.iter().position(|replica| replica.node == node)
	}

	/// Whether any replica has reported.
	pub fn has_attestations(&self) -> bool {
		self.replicas.iter().any(|replica| replica.outcome.is_some())
	}

	/// The assigned nodes, in assignment order.
	pub fn nodes(&self) -> BoundedVec<NodeId, T::MaxReplication> {
		BoundedVec::truncate_from(self.replicas.iter().map(|replica| replica.node).collect())
	}

	/// The quorum rule, applied to the attestations so far (with `q` = [`quorum`]):
	///
	/// 1. an output hash reported by `q` replicas: [`Verdict::Agreed`];
	/// 2. else, while the most-reported hash plus the replicas yet to report can reach `q`:
	///    [`Verdict::Undecided`];
	/// 3. else [`Verdict::Failed`], with [`JobFailure::Reported`] if `q` replicas reported the
	///    same failure kind and [`JobFailure::NoQuorum`] otherwise.
	///
	/// A job whose replicas all reported is always decided.
	pub fn verdict(&self) -> Verdict {
		let quorum = quorum(self.replication);
		let mut hashes: Vec<([u8; 32], u32)> = Vec::new();
		let mut failures: Vec<(FailureKind, u32)> = Vec::new();
		let mut attested: u32 = 0;
		for outcome in self.replicas.iter().filter_map(|replica| replica.outcome.as_ref()) {
			attested = attested.saturating_add(1);
			match outcome {
				Outcome::Completed { output_hash, .. } => tally(&mut hashes, *output_hash),
				Outcome::Failed(kind) => tally(&mut failures, *kind),
			}
		}
		if let Some((hash, _)) = hashes.iter().find(|(_, count)| *count >= quorum) {
			return Verdict::Agreed(*hash);
		}
		if let Some((kind, _)) = failures.iter().find(|(_, count)| *count >= quorum) {
			return Verdict::Failed(JobFailure::Reported(*kind));
		}
		let pending = self.replication.saturating_sub(attested);
		// Some outcome, a hash or a failure kind, can still reach the quorum.
		let most = hashes
			.iter()
			.map(|(_, count)| *count)
			.chain(failures.iter().map(|(_, count)| *count))
			.max()
			.unwrap_or(0);
		if most.saturating_add(pending) >= quorum {
			return Verdict::Undecided;
		}
		Verdict::Failed(JobFailure::NoQuorum)
	}

	/// The job as the runtime API reports it.
	pub fn info(&self) -> JobInfo<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> {
		JobInfo {
			customer: self.customer.clone(),
			gpu_class: self.gpu_class,
			determinism: self.determinism,
			replication: self.replication,
			budget: self.budget,
			submitted_at: self.submitted_at,
			deadline: self.deadline,
			attempt: self.attempt,
			replicas: self
				.replicas
				.iter()
				.map(|replica| ReplicaInfo {
					node: replica.node,
					owner: replica.owner.clone(),
					outcome: replica.outcome.as_ref().map(Outcome::info),
				})
				.collect(),
			dropped: self.dropped.to_vec(),
			status: match &self.status {
				JobStatus::Assigned => JobStatusInfo::Assigned,
				JobStatus::Completed { output_cid, output_hash, gpu_millis, payment } => {
					JobStatusInfo::Completed {
						output_cid: output_cid.to_vec(),
						output_hash: *output_hash,
						gpu_millis: *gpu_millis,
						payment: *payment,
					}
				}
				JobStatus::Failed(reason) => JobStatusInfo::Failed(*reason),
				JobStatus::Cancelled => JobStatusInfo::Cancelled,
			},
		}
	}
}

impl<T: Config> JobSpec<T> {
	/// The specification as the runtime API reports it.
	pub fn info(&self) -> JobSpecInfo<BlockNumberFor<T>> {
		JobSpecInfo {
			source: match &self.source {
				ShaderSource::Inline(code) => ShaderSourceInfo::Inline(code.to_vec()),
				ShaderSource::Ipfs(cid) => ShaderSourceInfo::Ipfs(cid.to_vec()),
			},
			entry_point: self.entry_point.to_vec(),
			workgroups: self.workgroups,
			inputs: self.inputs.iter().map(|cid| cid.to_vec()).collect(),
			output_size: self.output_size,
			gpu_class: self.gpu_class,
			determinism: self.determinism,
			deadline: self.deadline,
		}
	}
}

/// A replica's report as the runtime API reports it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum OutcomeInfo {
	/// See [`Outcome::Completed`].
	Completed { output_cid: Vec<u8>, output_hash: [u8; 32], gpu_millis: u64 },
	/// See [`Outcome::Failed`].
	Failed(FailureKind),
}

/// A replica as the runtime API reports it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ReplicaInfo<AccountId> {
	/// The assigned node.
	pub node: NodeId,
	/// Its owner.
	pub owner: AccountId,
	/// Its report, if it sent one.
	pub outcome: Option<OutcomeInfo>,
}

/// A job's status as the runtime API reports it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum JobStatusInfo<Balance> {
	/// See [`JobStatus::Assigned`].
	Assigned,
	/// See [`JobStatus::Completed`].
	Completed {
		output_cid: Vec<u8>,
		output_hash: [u8; 32],
		gpu_millis: u64,
		payment: Payment<Balance>,
	},
	/// See [`JobStatus::Failed`].
	Failed(JobFailure),
	/// See [`JobStatus::Cancelled`].
	Cancelled,
}

/// A job as the runtime API reports it: the stored record with the bounded fields unbounded.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct JobInfo<AccountId, Balance, BlockNumber> {
	/// Who submitted the job.
	pub customer: AccountId,
	/// The least GPU class.
	pub gpu_class: GpuClass,
	/// Whether replicas must agree bit for bit.
	pub determinism: Determinism,
	/// How many nodes run the job.
	pub replication: u32,
	/// The held budget.
	pub budget: Balance,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// The current (or last) assignment's deadline block.
	pub deadline: BlockNumber,
	/// Assignment round, from 1.
	pub attempt: u32,
	/// The assigned nodes and their reports.
	pub replicas: Vec<ReplicaInfo<AccountId>>,
	/// Nodes dropped for missing a deadline.
	pub dropped: Vec<NodeId>,
	/// Where the job stands, with its result once completed.
	pub status: JobStatusInfo<Balance>,
}

/// A job's source as the runtime API reports it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum ShaderSourceInfo {
	/// The WGSL source.
	Inline(Vec<u8>),
	/// The CID of the WGSL source.
	Ipfs(Vec<u8>),
}

/// A job specification as the runtime API reports it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct JobSpecInfo<BlockNumber> {
	/// The WGSL source, inline or by CID.
	pub source: ShaderSourceInfo,
	/// The entry point.
	pub entry_point: Vec<u8>,
	/// The dispatch size.
	pub workgroups: Workgroups,
	/// Input CIDs, in binding order.
	pub inputs: Vec<Vec<u8>>,
	/// Output buffer size in bytes.
	pub output_size: u64,
	/// The least GPU class.
	pub gpu_class: GpuClass,
	/// Whether replicas must agree bit for bit.
	pub determinism: Determinism,
	/// Blocks each assignment gets.
	pub deadline: BlockNumber,
}

/// A job a node has to run and attest: what the worker asks for with `pending_work`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct WorkItem<BlockNumber> {
	/// The job.
	pub job: JobId,
	/// The assignment round the node belongs to.
	pub attempt: u32,
	/// The attestation must be included before this block.
	pub deadline: BlockNumber,
	/// What to run.
	pub spec: JobSpecInfo<BlockNumber>,
}
