//! # Compute pallet
//!
//! GPU compute jobs on OCOS Cloud. A customer submits a WGSL compute shader with its inputs and
//! a budget; the pallet holds the budget, assigns the job to `replication` GPU nodes chosen
//! deterministically by reputation, collects the nodes' signed attestations, and once a strict
//! majority agrees on the output hash it pays the agreeing nodes through billing and records
//! the result. Nodes that miss their deadline are penalised and replaced; a job that cannot
//! complete is refunded. Other pallets are seen only through [`ocos_primitives::NodeRegistry`]
//! ([`Config::Registry`]) and [`ocos_primitives::Billing`] ([`Config::Billing`]).
//!
//! ## Terms
//!
//! - **Job spec** ([`JobSpec`]): the WGSL source (inline, at most `MaxSourceLen` bytes, or the
//!   CID of the source on IPFS), the entry point, the workgroup counts `(x, y, z)` (each 1 to
//!   [`MAX_WORKGROUPS_PER_DIMENSION`]), the input CIDs (at most `MaxInputs`, bound in order),
//!   the output size in bytes (1 to `MaxOutputSize`), the least [`GpuClass`], whether the
//!   kernel is [`Determinism::BitExact`] or [`Determinism::Float`], and the **deadline**: the
//!   blocks each assignment gets (`MinDeadline` to `MaxDeadline`).
//! - **Replication** `k` (1 to `MaxReplication`): how many nodes run the job. The **quorum** is
//!   a strict majority, `q = k / 2 + 1` ([`quorum`]).
//! - **Budget**: `max_budget`, held from the customer by [`Config::Billing`] at submission. It
//!   caps what the job can cost; the rest is released when the job is settled.
//! - **Eligible node**: listed by `Registry::active_nodes(Gpu, ..)` within the candidate
//!   window (below), with a GPU of at least the job's class (`Entry < Standard < HighEnd`),
//!   fewer than `MaxJobsPerNode` open assignments, `Registry::can_serve(node, customer, Gpu)`
//!   (active, live, and its access policy admits the customer), and not already assigned to
//!   the job, dropped from it, or owned by the owner of another of its replicas.
//! - **Candidate window**: at most `MaxCandidates` active GPU nodes in ascending id order,
//!   starting after [`CandidateCursor`] and wrapping around to the lowest ids. Every successful
//!   assignment moves the cursor to the last node of its window, so successive jobs look at
//!   successive slices of a large network (no unbounded scan, and every node gets its turn).
//!   While the network has fewer than `MaxCandidates` GPU nodes, every window holds all of
//!   them.
//! - **Assignment**: the eligible nodes of the window ranked by reputation (highest first),
//!   ties broken by [`assignment_rank`]`(job, node)` (blake2-256 of
//!   `(b"ocos/assignment", job, node)`, smallest first), taken in that order skipping a node
//!   whose owner was already taken. Every assigned node gets `Registry::work_started`, and
//!   `Registry::work_finished` when the job ends or drops it.
//! - **Attestation** ([`Attestation`]): `(job, node, outcome)` signed by the node's worker key
//!   (sr25519) over [`Attestation::signing_payload`] = `(b"ocos/attestation", attestation)`
//!   SCALE-encoded. The outcome is `Completed { output_cid, output_hash, gpu_millis }` or
//!   `Failed(kind)` ([`FailureKind`]).
//! - **Deadline**: the block in whose `on_initialize` the current assignment ends; attestations
//!   are accepted in earlier blocks only. A job is always in the [`Deadlines`] bucket of its
//!   deadline block, which holds at most `MaxJobsPerBlock` jobs.
//!
//! ## Calls
//!
//! - [`submit_job`](Pallet::submit_job)`(spec, replication, max_budget)`: checks the spec,
//!   that the budget is non-zero and buys at least one GPU-millisecond of the class at current
//!   prices (`Billing::estimate`), and that the deadline block `now + spec.deadline` has room;
//!   assigns `replication` nodes (or fails with [`Error::NotEnoughNodes`], holding nothing),
//!   holds the budget, and records the job with attempt 1.
//! - [`attest`](Pallet::attest)`(attestation, signature)`: unsigned and fee-free. Valid iff the
//!   job exists and is open, the current block is before its deadline, the node is one of its
//!   replicas and has not attested, a completion names its output CID, and the signature
//!   verifies with the node's current worker key. The pool (`ValidateUnsigned`) and the call
//!   apply the same checks ([`AttestationRejection`]); in the pool the transaction `provides`
//!   `(job, node)`, with priority `UnsignedPriority` and longevity
//!   `min(UnsignedLongevity, deadline - now)`. The report is stored and the quorum rule
//!   applied (below).
//! - [`cancel_job`](Pallet::cancel_job)`(job)`: by the customer, while the job is open and no
//!   replica has reported: refunds the budget and releases the nodes.
//! - [`settle_job`](Pallet::settle_job)`(job)`: anyone; retries the settlement of a completed
//!   job whose payment is [`Payment::Pending`] (see Settlement).
//!
//! ## Quorum
//!
//! After every attestation ([`Job::verdict`]):
//! - **Completed**: `q` replicas reported `Completed` with the same output hash. Each agreeing
//!   replica's usage is the **lower median** of the agreeing replicas' `gpu_millis`
//!   ([`lower_median`]), so no replica can inflate the bill; the usage goes to
//!   `Billing::settle(customer, budget, GpuMillis(class), usage)`, which charges quota first,
//!   then the budget (capped by it), pays the owners and releases the rest of the budget. The
//!   record keeps the first agreeing replica's output CID, the hash and the median.
//! - **Failed**: `q` replicas reported the same [`FailureKind`] (reason `Reported(kind)`), or
//!   no outcome can reach `q` any more: the most-reported hash or failure kind plus the
//!   replicas yet to report is below `q` (reason `NoQuorum`). The budget is refunded.
//! - Otherwise the job waits for more attestations or its deadline.
//!
//! Replicas that have not reported when the job ends are released without reputation change.
//!
//! ## Reputation
//!
//! Reported to the registry with `report(node, reason, value)`:
//! - A completed job: each agreeing replica `JobVerified`, valued at its usage's price
//!   (`Billing::estimate(GpuMillis(class), median)`, at most the budget). A replica that
//!   reported something else `ResultMismatch` ([`Event::ResultMismatch`]), valued at its share
//!   of the budget (`budget / replication`), except a `Completed` with another hash on a
//!   [`Determinism::Float`] job: float results legitimately differ between drivers, so it is
//!   merely unpaid. A `Failed` report against a completing majority is penalised on either
//!   kind of job: other nodes of the class ran the job.
//! - A failed job changes no reputation. A failure kind reported by a majority is taken as a
//!   property of the job, not of the nodes: `InvalidShader`, `InputUnavailable` and
//!   `OutputTooLarge` are the customer's doing, and `Timeout`, `OutOfMemory` or
//!   `ExecutionError` from most nodes of the class mean the job exceeds what the class can do
//!   within the deadline. Without a majority the chain cannot tell who was wrong.
//! - A replica that has not reported at a deadline: `MissedDeadline`, valued at its share of
//!   the budget ([`Event::DeadlineMissed`]).
//!
//! ## Deadlines
//!
//! `on_initialize(now)` takes the [`Deadlines`] bucket of `now` (at most `MaxJobsPerBlock` jobs,
//! weighed as [`WeightInfo::process_deadlines`]) and for each job: the replicas without a
//! report are penalised, released and moved to the job's `dropped` list; the replicas that
//! reported keep their reports. The job is then **reassigned**, its empty slots filled with
//! fresh eligible nodes (never a dropped one, never a second node of an owner among the
//! replicas), if
//! - `attempt < MaxAttempts`,
//! - the new deadline `min(now + spec.deadline, submitted_at + MaxJobLifetime)` is at least
//!   `MinDeadline` blocks away and its bucket has room,
//! - the budget still buys one GPU-millisecond of the class at current prices, and
//! - enough eligible nodes are found;
//!
//! otherwise the job fails as `Expired` and is refunded. The reassignment runs in a storage
//! layer, so a failing one leaves nothing behind.
//!
//! ## Settlement
//!
//! A settlement that fails when the quorum is reached (e.g. the DAO removed the class's price,
//! or a freeze overlaps the held budget) does not undo the quorum: the job is `Completed` with
//! [`Payment::Pending`] ([`Event::SettlementDeferred`]), the budget stays held and anyone may
//! retry with [`settle_job`](Pallet::settle_job). The work was done, so the customer cannot
//! escape payment by making the settlement fail.
//!
//! ## Records
//!
//! Job records stay in [`Jobs`] after the job ends (like DAO proposals), so developers can read
//! the status, output CID and hash at any later block; the spec ([`JobSpecs`]) is removed when
//! the job ends, as are its [`NodeJobs`] and [`Deadlines`] entries.
//!
//! ## Invariants (checked by `do_try_state`)
//!
//! - Every job id is below [`NextJobId`]; `1 ≤ attempt ≤ MaxAttempts`; replicas have distinct
//!   nodes and owners, none of them dropped; a spec exists iff the job is open.
//! - An open job has exactly `replication` replicas, an undecided verdict, a deadline after the
//!   current block and at most `submitted_at + MaxJobLifetime`, and is listed exactly once in
//!   the [`Deadlines`] bucket of its deadline.
//! - [`NodeJobs`]`[node]` lists `job` iff `job` is open and `node` one of its replicas (so
//!   attestations come only from assigned nodes, and every `work_started` is matched by one
//!   `work_finished` when the job ends or drops the node); no entry is empty.
//! - Every [`Deadlines`] entry is an open job due at that block; no bucket is empty.
//!
//! ## Runtime API
//!
//! `pallet-compute-runtime-api` declares `ComputeApi`; the runtime implements it with
//! [`Pallet::job_info`] (status and result of a job) and [`Pallet::pending_work`] (the open jobs
//! a node has not attested yet, with their specs: what a worker runs).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use codec::Encode;
use frame_support::{pallet_prelude::*, storage::with_storage_layer};
use frame_system::pallet_prelude::*;
#[cfg(feature = "runtime-benchmarks")]
use ocos_primitives::WorkerKey;
use ocos_primitives::{
	pick_ranked, remove_listed, Billing, Candidate, GpuClass, NodeId, NodeRegistry,
	ReputationReason, Resource, ResourceKind, Usage,
};
use sp_core::sr25519;
use sp_runtime::traits::{Saturating, UniqueSaturatedInto};

pub use ocos_primitives::WORKER_KEY_TYPE;

/// `InvalidTransaction::Custom` code: the attestation names no job.
pub const INVALID_UNKNOWN_JOB: u8 = 1;
/// `InvalidTransaction::Custom` code: the attesting node is not assigned to the job.
pub const INVALID_NOT_ASSIGNED: u8 = 2;
/// `InvalidTransaction::Custom` code: the outcome is malformed (a completion without CID).
pub const INVALID_OUTCOME: u8 = 3;
/// `InvalidTransaction::Custom` code: the attesting node has no worker key (unknown node).
pub const INVALID_UNKNOWN_NODE: u8 = 4;

/// Balance of budgets.
pub type BalanceOf<T> = <T as Config>::Balance;

/// The tie-break among nodes of equal reputation when assigning `job`: the blake2-256 hash of
/// `(ASSIGNMENT_DOMAIN, job, node)` SCALE-encoded; smaller ranks first. Deterministic, yet it
/// spreads jobs over equally reputed nodes instead of always favouring the lowest ids.
pub fn assignment_rank(job: JobId, node: NodeId) -> [u8; 32] {
	sp_io::hashing::blake2_256(&(ASSIGNMENT_DOMAIN, job, node).encode())
}

/// What the benchmarks need from the rest of the runtime: nodes, funds and prices.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Balance> {
	/// Registers an active, live node of `owner` with a GPU of `class` and the worker key
	/// `worker_key`, whose secret the keystore holds under [`WORKER_KEY_TYPE`] (so it can sign
	/// a key proof). Returns the node's id.
	fn register_gpu_node(owner: &AccountId, class: GpuClass, worker_key: WorkerKey) -> NodeId;
	/// Gives `who` at least `amount` of free balance to hold as budgets.
	fn fund(who: &AccountId, amount: Balance);
	/// Sets (`Some`) or removes (`None`) the price of `resource`, so that settlements succeed
	/// or fail.
	fn set_price(resource: Resource, price: Option<Balance>);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The balance budgets are held in (the runtime's native balance).
		type Balance: frame_support::traits::tokens::Balance;

		/// Provider nodes: eligibility, owners, worker keys, reputation and work counters.
		type Registry: ocos_primitives::NodeRegistry<Self::AccountId>;

		/// Budget holds, settlements, refunds and price estimates.
		type Billing: ocos_primitives::Billing<Self::AccountId, Self::Balance>;

		/// Longest inline WGSL source, in bytes.
		#[pallet::constant]
		type MaxSourceLen: Get<u32>;

		/// Longest CID (source, inputs, output), in bytes.
		#[pallet::constant]
		type MaxCidLen: Get<u32>;

		/// Longest entry point name, in bytes.
		#[pallet::constant]
		type MaxEntryPointLen: Get<u32>;

		/// Most input CIDs of a job.
		#[pallet::constant]
		type MaxInputs: Get<u32>;

		/// Largest output a job may declare, in bytes.
		#[pallet::constant]
		type MaxOutputSize: Get<u64>;

		/// Fewest blocks an assignment may get. At least one.
		#[pallet::constant]
		type MinDeadline: Get<BlockNumberFor<Self>>;

		/// Most blocks an assignment may get. At least `MinDeadline`.
		#[pallet::constant]
		type MaxDeadline: Get<BlockNumberFor<Self>>;

		/// Most blocks from submission to the last deadline, reassignments included. At least
		/// `MaxDeadline`.
		#[pallet::constant]
		type MaxJobLifetime: Get<BlockNumberFor<Self>>;

		/// Most assignment rounds of a job (the first included). At least one.
		#[pallet::constant]
		type MaxAttempts: Get<u32>;

		/// Highest replication. At least one, and at most the billing pallet's `MaxProviders`
		/// (a settlement carries one usage entry per agreeing replica).
		#[pallet::constant]
		type MaxReplication: Get<u32>;

		/// Most nodes one assignment examines (the candidate window). At least
		/// `MaxReplication`.
		#[pallet::constant]
		type MaxCandidates: Get<u32>;

		/// Most open assignments of one node; a node with this many gets no more work.
		#[pallet::constant]
		type MaxJobsPerNode: Get<u32>;

		/// Most jobs whose deadline falls in one block (the `on_initialize` work per block).
		#[pallet::constant]
		type MaxJobsPerBlock: Get<u32>;

		/// Pool priority of attestations.
		#[pallet::constant]
		type UnsignedPriority: Get<TransactionPriority>;

		/// Most blocks an attestation lives in the pool (never past the job's deadline).
		#[pallet::constant]
		type UnsignedLongevity: Get<TransactionLongevity>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;

		/// Creates nodes, funds and prices for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::Balance>;
	}

	/// The id the next submitted job gets.
	#[pallet::storage]
	pub type NextJobId<T> = StorageValue<_, JobId, ValueQuery>;

	/// Every job ever submitted; records of ended jobs are kept as their results.
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, Job<T>, OptionQuery>;

	/// The specification of every open job (removed when the job ends).
	#[pallet::storage]
	pub type JobSpecs<T: Config> = StorageMap<_, Twox64Concat, JobId, JobSpec<T>, OptionQuery>;

	/// The open jobs each node is assigned to, attested or not, in assignment order. Absent
	/// when empty.
	#[pallet::storage]
	pub type NodeJobs<T: Config> =
		StorageMap<_, Twox64Concat, NodeId, BoundedVec<JobId, T::MaxJobsPerNode>, ValueQuery>;

	/// The open jobs whose current deadline falls in each block, consumed by that block's
	/// `on_initialize`. Absent when empty.
	#[pallet::storage]
	pub type Deadlines<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<JobId, T::MaxJobsPerBlock>,
		ValueQuery,
	>;

	/// The last node of the last assignment's candidate window; the next window starts after
	/// it. `None`: start from the lowest id.
	#[pallet::storage]
	pub type CandidateCursor<T> = StorageValue<_, NodeId, OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A job was submitted and its budget held.
		JobSubmitted { job: JobId, customer: T::AccountId, budget: BalanceOf<T>, replication: u32 },
		/// Nodes were assigned to a job (all of them at submission, replacements at a
		/// reassignment); they must attest before block `deadline`.
		JobAssigned {
			job: JobId,
			attempt: u32,
			nodes: BoundedVec<NodeId, T::MaxReplication>,
			deadline: BlockNumberFor<T>,
		},
		/// A node attested a job.
		Attested { job: JobId, node: NodeId, outcome: Outcome<T> },
		/// A majority of a job's replicas agreed on its output; `nodes` agreed and are paid for
		/// `gpu_millis` each.
		JobCompleted {
			job: JobId,
			output_cid: CidOf<T>,
			output_hash: [u8; 32],
			gpu_millis: u64,
			nodes: BoundedVec<NodeId, T::MaxReplication>,
		},
		/// A completed job was settled: `charged` from its budget, `quota_units` covered by
		/// quota, `released` back to the customer.
		JobSettled { job: JobId, charged: BalanceOf<T>, quota_units: u64, released: BalanceOf<T> },
		/// A completed job could not be settled; its budget stays held until `settle_job`
		/// succeeds.
		SettlementDeferred { job: JobId, error: DispatchError },
		/// A node's report disagreed with the quorum of a completed job; it was penalised.
		ResultMismatch { job: JobId, node: NodeId },
		/// A node had not attested a job at its deadline; it was penalised and dropped.
		DeadlineMissed { job: JobId, node: NodeId },
		/// A job failed; `refunded` of its budget went back to the customer.
		JobFailed { job: JobId, reason: JobFailure, refunded: BalanceOf<T> },
		/// The customer cancelled a job; `refunded` went back to them.
		JobCancelled { job: JobId, refunded: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No job has this id.
		UnknownJob,
		/// Only the job's customer may do this.
		NotCustomer,
		/// The job has ended.
		JobClosed,
		/// A replica has reported: the job can no longer be cancelled.
		AttestationsReceived,
		/// Replication must be between 1 and `MaxReplication`.
		InvalidReplication,
		/// The deadline is below `MinDeadline`.
		DeadlineTooShort,
		/// The deadline is above `MaxDeadline`.
		DeadlineTooLong,
		/// The output size must be between 1 and `MaxOutputSize` bytes.
		InvalidOutputSize,
		/// Every workgroup count must be between 1 and `MAX_WORKGROUPS_PER_DIMENSION`.
		InvalidWorkgroups,
		/// The entry point is empty.
		EmptyEntryPoint,
		/// The inline source or the source CID is empty.
		EmptySource,
		/// An input CID is empty.
		InvalidCid,
		/// The budget is zero.
		ZeroBudget,
		/// The budget does not buy one GPU-millisecond of the class at current prices.
		BudgetTooLow,
		/// Job ids are exhausted.
		JobIdOverflow,
		/// `MaxJobsPerBlock` jobs already have their deadline in that block.
		DeadlineBucketFull,
		/// Too few eligible nodes of distinct owners in the candidate window.
		NotEnoughNodes,
		/// The node already has `MaxJobsPerNode` open assignments.
		NodeBusy,
		/// The node is not assigned to the job.
		NotAssigned,
		/// The node has already attested the job.
		AlreadyAttested,
		/// The job's deadline has come.
		DeadlinePassed,
		/// A completion must name its output CID.
		InvalidOutcome,
		/// The node has no worker key: it is not registered.
		UnknownNode,
		/// The signature does not verify with the node's worker key.
		BadSignature,
		/// The job is not completed with its payment pending.
		NotAwaitingSettlement,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::process_deadlines(now)
		}

		fn integrity_test() {
			assert!(T::MaxReplication::get() >= 1, "MaxReplication must be at least 1");
			assert!(
				T::MaxCandidates::get() >= T::MaxReplication::get(),
				"MaxCandidates must be at least MaxReplication"
			);
			assert!(T::MaxAttempts::get() >= 1, "MaxAttempts must be at least 1");
			assert!(T::MaxJobsPerNode::get() >= 1, "MaxJobsPerNode must be at least 1");
			assert!(T::MaxJobsPerBlock::get() >= 1, "MaxJobsPerBlock must be at least 1");
			assert!(T::MaxOutputSize::get() >= 1, "MaxOutputSize must be at least 1");
			assert!(!T::MinDeadline::get().is_zero(), "MinDeadline must be at least one block");
			assert!(
				T::MinDeadline::get() <= T::MaxDeadline::get(),
				"MinDeadline must not exceed MaxDeadline"
			);
			assert!(
				T::MaxDeadline::get() <= T::MaxJobLifetime::get(),
				"MaxDeadline must not exceed MaxJobLifetime"
			);
			let max_block = <T as frame_system::Config>::BlockWeights::get().max_block;
			assert!(
				T::WeightInfo::process_deadlines(T::MaxJobsPerBlock::get()).all_lte(max_block),
				"a full deadline bucket must fit in a block"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submits a compute job (signed, the customer): checks `spec`, assigns `replication`
		/// nodes and holds `max_budget`. See the pallet docs for the assignment rule.
		///
		/// Emits [`Event::JobSubmitted`] and [`Event::JobAssigned`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::submit_job(
			T::MaxCandidates::get(),
			(*replication).min(T::MaxReplication::get()),
		))]
		pub fn submit_job(
			origin: OriginFor<T>,
			spec: JobSpec<T>,
			replication: u32,
			#[pallet::compact] max_budget: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let customer = ensure_signed(origin)?;
			Self::ensure_valid_spec(&spec, replication)?;
			ensure!(!max_budget.is_zero(), Error::<T>::ZeroBudget);
			let resource = Resource::GpuMillis(spec.gpu_class);
			ensure!(T::Billing::estimate(resource, 1) <= max_budget, Error::<T>::BudgetTooLow);

			let job = NextJobId::<T>::get();
			let next = job.checked_add(1).ok_or(Error::<T>::JobIdOverflow)?;
			let now = frame_system::Pallet::<T>::block_number();
			let deadline = now.saturating_add(spec.deadline);
			ensure!(Self::bucket_has_room(deadline), Error::<T>::DeadlineBucketFull);

			let Selection { nodes, scanned, cursor } =
				Self::select_nodes(job, &customer, spec.gpu_class, replication, &[], &[])?;
			T::Billing::hold_budget(&customer, max_budget)?;

			let mut replicas = BoundedVec::<Replica<T>, T::MaxReplication>::new();
			for (node, owner) in nodes {
				replicas
					.try_push(Replica { node, owner, outcome: None })
					.map_err(|_| Error::<T>::InvalidReplication)?;
				Self::assign_node(job, node)?;
			}
			Deadlines::<T>::try_mutate(deadline, |jobs| jobs.try_push(job))
				.map_err(|_| Error::<T>::DeadlineBucketFull)?;
			CandidateCursor::<T>::set(cursor);

			let record = Job {
				customer: customer.clone(),
				gpu_class: spec.gpu_class,
				determinism: spec.determinism,
				replication,
				budget: max_budget,
				submitted_at: now,
				duration: spec.deadline,
				deadline,
				attempt: 1,
				replicas,
				dropped: BoundedVec::new(),
				status: JobStatus::Assigned,
			};
			let assigned = record.nodes();
			Jobs::<T>::insert(job, record);
			JobSpecs::<T>::insert(job, spec);
			NextJobId::<T>::put(next);

			Self::deposit_event(Event::JobSubmitted {
				job,
				customer,
				budget: max_budget,
				replication,
			});
			Self::deposit_event(Event::JobAssigned { job, attempt: 1, nodes: assigned, deadline });
			Ok(Some(T::WeightInfo::submit_job(scanned, replication)).into())
		}

		/// Records a node's report on a job (unsigned, fee-free). The worker signs
		/// [`Attestation::signing_payload`] with its worker key; see the pallet docs for the
		/// validity rules, which the pool and this call both apply, and for the quorum rule
		/// applied afterwards.
		///
		/// Emits [`Event::Attested`], then the events of a completion or failure if the
		/// attestation decides the job.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::attest(T::MaxReplication::get()))]
		pub fn attest(
			origin: OriginFor<T>,
			attestation: Attestation<T>,
			signature: sr25519::Signature,
		) -> DispatchResultWithPostInfo {
			ensure_none(origin)?;
			let now = frame_system::Pallet::<T>::block_number();
			let (mut record, index) =
				Self::check_attestation(&attestation, &signature, now).map_err(Error::<T>::from)?;
			let Attestation { job, node, outcome } = attestation;
			let replica = record.replicas.get_mut(index).ok_or(Error::<T>::NotAssigned)?;
			replica.outcome = Some(outcome.clone());
			let replication = record.replication;
			Self::deposit_event(Event::Attested { job, node, outcome });

			match record.verdict() {
				Verdict::Undecided => Jobs::<T>::insert(job, record),
				Verdict::Agreed(output_hash) => Self::complete(job, record, output_hash),
				Verdict::Failed(reason) => Self::fail(job, record, reason),
			}
			Ok(Some(T::WeightInfo::attest(replication)).into())
		}

		/// Cancels an open job no replica has reported on yet (signed, the customer): refunds
		/// its budget and releases its nodes.
		///
		/// Emits [`Event::JobCancelled`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::cancel_job(T::MaxReplication::get()))]
		pub fn cancel_job(origin: OriginFor<T>, job: JobId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let mut record = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
			ensure!(record.customer == who, Error::<T>::NotCustomer);
			ensure!(record.is_open(), Error::<T>::JobClosed);
			ensure!(!record.has_attestations(), Error::<T>::AttestationsReceived);

			T::Billing::refund(&who, record.budget)?;
			Self::close(job, &record);
			let replicas = u32::try_from(record.replicas.len()).unwrap_or(u32::MAX);
			let refunded = record.budget;
			record.status = JobStatus::Cancelled;
			Jobs::<T>::insert(job, record);
			Self::deposit_event(Event::JobCancelled { job, refunded });
			Ok(Some(T::WeightInfo::cancel_job(replicas)).into())
		}

		/// Retries the settlement of a completed job whose payment is pending (signed, anyone):
		/// pays the agreeing replicas' owners for the recorded median and releases the rest of
		/// the budget. A failing settlement fails the call and changes nothing.
		///
		/// Emits [`Event::JobSettled`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::settle_job(T::MaxReplication::get()))]
		pub fn settle_job(origin: OriginFor<T>, job: JobId) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let mut record = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
			let JobStatus::Completed { output_hash, gpu_millis, payment: Payment::Pending, .. } =
				&record.status
			else {
				return Err(Error::<T>::NotAwaitingSettlement.into());
			};
			let usage = Self::usage_of(&record, output_hash, *gpu_millis);
			let settled = Self::try_settle(job, &record, &usage)?;
			if let JobStatus::Completed { payment, .. } = &mut record.status {
				*payment = settled;
			}
			let replicas = u32::try_from(record.replicas.len()).unwrap_or(u32::MAX);
			Jobs::<T>::insert(job, record);
			Ok(Some(T::WeightInfo::settle_job(replicas)).into())
		}
	}

	#[pallet::validate_unsigned]
	#[allow(deprecated)]
	impl<T: Config> ValidateUnsigned for Pallet<T> {
		type Call = Call<T>;

		/// Admits an attestation that passes the checks of [`Pallet::attest`]: one per job and
		/// node (the `provides` tag), living at most `UnsignedLongevity` blocks and never past
		/// the job's deadline.
		fn validate_unsigned(_source: TransactionSource, call: &Self::Call) -> TransactionValidity {
			let Call::attest { attestation, signature } = call else {
				return InvalidTransaction::Call.into();
			};
			let now = frame_system::Pallet::<T>::block_number();
			let (record, _) = Self::check_attestation(attestation, signature, now)
				.map_err(AttestationRejection::validity_error)?;
			let remaining: TransactionLongevity =
				record.deadline.saturating_sub(now).unique_saturated_into();
			ValidTransaction::with_tag_prefix("OcosComputeAttestation")
				.priority(T::UnsignedPriority::get())
				.and_provides((attestation.job, attestation.node))
				.longevity(remaining.min(T::UnsignedLongevity::get()).max(1))
				.propagate(true)
				.build()
		}
	}
}

/// Why an attestation is refused; the call reports it as an [`Error`], the pool as an
/// `InvalidTransaction`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AttestationRejection {
	/// No job has the attestation's id.
	UnknownJob,
	/// The job has ended.
	JobClosed,
	/// The job's deadline has come.
	DeadlinePassed,
	/// The node is not one of the job's replicas.
	NotAssigned,
	/// The node has already attested the job.
	AlreadyAttested,
	/// A completion without output CID.
	InvalidOutcome,
	/// The node has no worker key.
	UnknownNode,
	/// The signature does not verify with the node's worker key.
	BadSignature,
}

impl AttestationRejection {
	/// The pool's view: `Stale` for a job that ended, is past its deadline or was already
	/// attested by the node, `BadProof` for a bad signature, and custom codes for the rest.
	fn validity_error(self) -> TransactionValidityError {
		let invalid = match self {
			Self::UnknownJob => InvalidTransaction::Custom(INVALID_UNKNOWN_JOB),
			Self::NotAssigned => InvalidTransaction::Custom(INVALID_NOT_ASSIGNED),
			Self::InvalidOutcome => InvalidTransaction::Custom(INVALID_OUTCOME),
			Self::UnknownNode => InvalidTransaction::Custom(INVALID_UNKNOWN_NODE),
			Self::JobClosed | Self::DeadlinePassed | Self::AlreadyAttested => {
				InvalidTransaction::Stale
			}
			Self::BadSignature => InvalidTransaction::BadProof,
		};
		invalid.into()
	}
}

impl<T: Config> From<AttestationRejection> for Error<T> {
	fn from(rejection: AttestationRejection) -> Self {
		match rejection {
			AttestationRejection::UnknownJob => Error::<T>::UnknownJob,
			AttestationRejection::JobClosed => Error::<T>::JobClosed,
			AttestationRejection::DeadlinePassed => Error::<T>::DeadlinePassed,
			AttestationRejection::NotAssigned => Error::<T>::NotAssigned,
			AttestationRejection::AlreadyAttested => Error::<T>::AlreadyAttested,
			AttestationRejection::InvalidOutcome => Error::<T>::InvalidOutcome,
			AttestationRejection::UnknownNode => Error::<T>::UnknownNode,
			AttestationRejection::BadSignature => Error::<T>::BadSignature,
		}
	}
}

/// The nodes an assignment chose, with what it cost to find them.
pub(crate) struct Selection<AccountId> {
	/// The chosen nodes and their owners, best first.
	pub nodes: Vec<(NodeId, AccountId)>,
	/// How many candidates the window held.
	pub scanned: u32,
	/// Where the next window starts.
	pub cursor: Option<NodeId>,
}

impl<T: Config> Pallet<T> {
	/// Checks a job specification and the replication asked for it.
	fn ensure_valid_spec(spec: &JobSpec<T>, replication: u32) -> DispatchResult {
		ensure!(
			(1..=T::MaxReplication::get()).contains(&replication),
			Error::<T>::InvalidReplication
		);
		ensure!(spec.deadline >= T::MinDeadline::get(), Error::<T>::DeadlineTooShort);
		ensure!(spec.deadline <= T::MaxDeadline::get(), Error::<T>::DeadlineTooLong);
		ensure!(
			(1..=T::MaxOutputSize::get()).contains(&spec.output_size),
			Error::<T>::InvalidOutputSize
		);
		ensure!(spec.workgroups.is_valid(), Error::<T>::InvalidWorkgroups);
		ensure!(!spec.entry_point.is_empty(), Error::<T>::EmptyEntryPoint);
		ensure!(!spec.source.is_empty(), Error::<T>::EmptySource);
		ensure!(spec.inputs.iter().all(|cid| !cid.is_empty()), Error::<T>::InvalidCid);
		Ok(())
	}

	/// Whether the deadline bucket of `block` can take another job.
	fn bucket_has_room(block: BlockNumberFor<T>) -> bool {
		let max = usize::try_from(T::MaxJobsPerBlock::get()).unwrap_or(usize::MAX);
		Deadlines::<T>::decode_len(block).unwrap_or(0) < max
	}

	/// The candidate window: up to `MaxCandidates` active GPU nodes after [`CandidateCursor`],
	/// wrapping around to the lowest ids; and where the next window starts (after the last
	/// node of a full window, from the start otherwise).
	fn candidate_window() -> (Vec<NodeId>, Option<NodeId>) {
		ocos_primitives::candidate_window::<T::AccountId, T::Registry>(
			ResourceKind::Gpu,
			CandidateCursor::<T>::get(),
			T::MaxCandidates::get(),
		)
	}

	/// Chooses `count` nodes for `job` of `customer` with a GPU of at least `class`: the
	/// eligible nodes of the candidate window (see the pallet docs), excluding `excluded_nodes`
	/// and the nodes of `excluded_owners`, ranked by reputation then [`assignment_rank`], one
	/// per owner.
	fn select_nodes(
		job: JobId,
		customer: &T::AccountId,
		class: GpuClass,
		count: u32,
		excluded_nodes: &[NodeId],
		excluded_owners: &[T::AccountId],
	) -> Result<Selection<T::AccountId>, Error<T>> {
		let (window, cursor) = Self::candidate_window();
		let scanned = u32::try_from(window.len()).unwrap_or(u32::MAX);
		let max_jobs = usize::try_from(T::MaxJobsPerNode::get()).unwrap_or(usize::MAX);

		let mut candidates = Vec::new();
		for node in window {
			// Cheapest checks first.
			if excluded_nodes.contains(&node) {
				continue;
			}
			if !T::Registry::gpu_class(node).is_some_and(|gpu| gpu >= class) {
				continue;
			}
			if NodeJobs::<T>::decode_len(node).unwrap_or(0) >= max_jobs {
				continue;
			}
			if !T::Registry::can_serve(node, customer, ResourceKind::Gpu) {
				continue;
			}
			let Some(owner) = T::Registry::owner(node) else { continue };
			if excluded_owners.contains(&owner) {
				continue;
			}
			let reputation = T::Registry::reputation(node);
			let tie_break = assignment_rank(job, node);
			candidates.push(Candidate { node, owner, reputation, tie_break });
		}
		let nodes = pick_ranked(candidates, count);
		ensure!(u32::try_from(nodes.len()) == Ok(count), Error::<T>::NotEnoughNodes);
		Ok(Selection { nodes, scanned, cursor })
	}

	/// Records `node`'s assignment to `job` and tells the registry.
	fn assign_node(job: JobId, node: NodeId) -> DispatchResult {
		NodeJobs::<T>::try_mutate(node, |jobs| jobs.try_push(job))
			.map_err(|_| Error::<T>::NodeBusy)?;
		T::Registry::work_started(node);
		Ok(())
	}

	/// Ends `node`'s assignment to `job` and tells the registry.
	fn unassign_node(job: JobId, node: NodeId) {
		NodeJobs::<T>::mutate_exists(node, |jobs| remove_listed(jobs, &job));
		T::Registry::work_finished(node);
	}

	/// Takes `job` out of the deadline bucket of `block` (if it is there).
	fn remove_deadline(block: BlockNumberFor<T>, job: JobId) {
		Deadlines::<T>::mutate_exists(block, |jobs| remove_listed(jobs, &job));
	}

	/// Ends an open job's bookkeeping: releases its replicas, leaves its deadline bucket and
	/// drops its spec. The caller writes the final status.
	fn close(job: JobId, record: &Job<T>) {
		for replica in record.replicas.iter() {
			Self::unassign_node(job, replica.node);
		}
		Self::remove_deadline(record.deadline, job);
		JobSpecs::<T>::remove(job);
	}

	/// What a replica's share of the job is worth to the reputation: `budget / replication`.
	fn replica_value(record: &Job<T>) -> u128 {
		let replication = BalanceOf::<T>::from(record.replication.max(1));
		record.budget.checked_div(&replication).unwrap_or_else(Zero::zero).unique_saturated_into()
	}

	/// The agreeing replicas' usage: `units` each, paid to their owners.
	fn usage_of(record: &Job<T>, output_hash: &[u8; 32], units: u64) -> Vec<Usage<T::AccountId>> {
		record
			.replicas
			.iter()
			.filter(|replica| replica.agrees_with(output_hash))
			.map(|replica| Usage { provider: replica.owner.clone(), units })
			.collect()
	}

	/// Settles `usage` against the job's budget, in a storage layer of its own.
	fn try_settle(
		job: JobId,
		record: &Job<T>,
		usage: &[Usage<T::AccountId>],
	) -> Result<Payment<BalanceOf<T>>, DispatchError> {
		let resource = Resource::GpuMillis(record.gpu_class);
		let settlement = with_storage_layer(|| {
			T::Billing::settle(&record.customer, record.budget, resource, usage)
		})?;
		Self::deposit_event(Event::JobSettled {
			job,
			charged: settlement.charged,
			quota_units: settlement.quota_units,
			released: settlement.released,
		});
		Ok(Payment::Settled { charged: settlement.charged, quota_units: settlement.quota_units })
	}

	/// Completes a job whose replicas agreed on `output_hash`: reputations, release of the
	/// replicas, settlement (deferred if it fails) and the result record.
	fn complete(job: JobId, mut record: Job<T>, output_hash: [u8; 32]) {
		let agreeing: Vec<&Replica<T>> =
			record.replicas.iter().filter(|replica| replica.agrees_with(&output_hash)).collect();
		let gpu_millis = lower_median(
			agreeing.iter().filter_map(|replica| replica.outcome.as_ref()?.gpu_millis()).collect(),
		);
		let output_cid = agreeing
			.first()
			.and_then(|replica| replica.outcome.as_ref()?.output_cid().cloned())
			.unwrap_or_default();
		let nodes: BoundedVec<NodeId, T::MaxReplication> =
			BoundedVec::truncate_from(agreeing.iter().map(|replica| replica.node).collect());

		let resource = Resource::GpuMillis(record.gpu_class);
		let work_value: u128 =
			T::Billing::estimate(resource, gpu_millis).min(record.budget).unique_saturated_into();
		let replica_value = Self::replica_value(&record);
		for replica in record.replicas.iter() {
			let Some(outcome) = &replica.outcome else { continue };
			if replica.agrees_with(&output_hash) {
				T::Registry::report(replica.node, ReputationReason::JobVerified, work_value);
			} else if Self::is_penalised_dissent(record.determinism, outcome) {
				T::Registry::report(replica.node, ReputationReason::ResultMismatch, replica_value);
				Self::deposit_event(Event::ResultMismatch { job, node: replica.node });
			}
		}

		Self::close(job, &record);
		Self::deposit_event(Event::JobCompleted {
			job,
			output_cid: output_cid.clone(),
			output_hash,
			gpu_millis,
			nodes,
		});
		let usage = Self::usage_of(&record, &output_hash, gpu_millis);
		let payment = Self::try_settle(job, &record, &usage).unwrap_or_else(|error| {
			Self::deposit_event(Event::SettlementDeferred { job, error });
			Payment::Pending
		});
		record.status = JobStatus::Completed { output_cid, output_hash, gpu_millis, payment };
		Jobs::<T>::insert(job, record);
	}

	/// Whether a report that disagrees with a completing quorum is penalised: a failure report
	/// always, another output hash only on a bit-exact job.
	fn is_penalised_dissent(determinism: Determinism, outcome: &Outcome<T>) -> bool {
		match outcome {
			Outcome::Failed(_) => true,
			Outcome::Completed { .. } => determinism == Determinism::BitExact,
		}
	}

	/// Fails an open job: releases its replicas and refunds its budget.
	fn fail(job: JobId, mut record: Job<T>, reason: JobFailure) {
		Self::close(job, &record);
		let refunded = match T::Billing::refund(&record.customer, record.budget) {
			Ok(()) => record.budget,
			Err(_) => {
				defensive!("the held budget of an open job could not be refunded");
				Zero::zero()
			}
		};
		record.status = JobStatus::Failed(reason);
		Jobs::<T>::insert(job, record);
		Self::deposit_event(Event::JobFailed { job, reason, refunded });
	}

	/// Checks an attestation at block `now`; returns the job's record and the node's position
	/// among its replicas if it is acceptable. The signature, the costliest check, comes last.
	fn check_attestation(
		attestation: &Attestation<T>,
		signature: &sr25519::Signature,
		now: BlockNumberFor<T>,
	) -> Result<(Job<T>, usize), AttestationRejection> {
		let record = Jobs::<T>::get(attestation.job).ok_or(AttestationRejection::UnknownJob)?;
		if !record.is_open() {
			return Err(AttestationRejection::JobClosed);
		}
		if now >= record.deadline {
			return Err(AttestationRejection::DeadlinePassed);
		}
		let index =
			record.replica_index(attestation.node).ok_or(AttestationRejection::NotAssigned)?;
		if record.replicas.get(index).is_some_and(|replica| replica.outcome.is_some()) {
			return Err(AttestationRejection::AlreadyAttested);
		}
		if !attestation.outcome.is_well_formed() {
			return Err(AttestationRejection::InvalidOutcome);
		}
		let key =
			T::Registry::worker_key(attestation.node).ok_or(AttestationRejection::UnknownNode)?;
		let public = sr25519::Public::from_raw(key);
		if !sp_io::crypto::sr25519_verify(signature, &attestation.signing_payload(), &public) {
			return Err(AttestationRejection::BadSignature);
		}
		Ok((record, index))
	}

	/// The deadlines of block `now`: every job of its bucket is reassigned or fails (see the
	/// pallet docs). Returns the weight used.
	pub(crate) fn process_deadlines(now: BlockNumberFor<T>) -> Weight {
		let due = Deadlines::<T>::get(now);
		if !due.is_empty() {
			Deadlines::<T>::remove(now);
		}
		let count = u32::try_from(due.len()).unwrap_or(u32::MAX);
		for job in due {
			Self::expire(job, now);
		}
		T::WeightInfo::process_deadlines(count)
	}

	/// A job's deadline at block `now` (its bucket already taken): drops and penalises the
	/// replicas that did not report, then reassigns the job or fails it as `Expired`.
	fn expire(job: JobId, now: BlockNumberFor<T>) {
		let Some(mut record) = Jobs::<T>::get(job) else {
			defensive!("a deadline bucket names an unknown job");
			return;
		};
		if !record.is_open() || record.deadline != now {
			defensive!("a deadline bucket names a closed job or one due at another block");
			return;
		}

		let value = Self::replica_value(&record);
		let mut missed = Vec::new();
		record.replicas.retain(|replica| {
			let reported = replica.outcome.is_some();
			if !reported {
				missed.push(replica.node);
			}
			reported
		});
		for node in missed {
			T::Registry::report(node, ReputationReason::MissedDeadline, value);
			Self::unassign_node(job, node);
			if record.dropped.try_push(node).is_err() {
				defensive!("a job dropped more than MaxReplication × MaxAttempts nodes");
			}
			Self::deposit_event(Event::DeadlineMissed { job, node });
		}

		let reassigned = Self::next_deadline(&record, now).and_then(|deadline| {
			let mut candidate = record.clone();
			with_storage_layer(|| Self::reassign(job, &mut candidate, deadline))
				.ok()
				.map(|nodes| (candidate, nodes, deadline))
		});
		match reassigned {
			Some((candidate, nodes, deadline)) => {
				let attempt = candidate.attempt;
				Jobs::<T>::insert(job, candidate);
				Self::deposit_event(Event::JobAssigned { job, attempt, nodes, deadline });
			}
			None => Self::fail(job, record, JobFailure::Expired),
		}
	}

	/// The deadline a reassignment of `record` at block `now` would get, if one is allowed:
	/// attempts left, at least `MinDeadline` blocks before the job's lifetime ends, room in
	/// that block's bucket, and a budget that still buys one GPU-millisecond.
	fn next_deadline(record: &Job<T>, now: BlockNumberFor<T>) -> Option<BlockNumberFor<T>> {
		if record.attempt >= T::MaxAttempts::get() {
			return None;
		}
		let latest = record.submitted_at.saturating_add(T::MaxJobLifetime::get());
		let deadline = now.saturating_add(record.duration).min(latest);
		if deadline < now.saturating_add(T::MinDeadline::get()) || !Self::bucket_has_room(deadline)
		{
			return None;
		}
		let resource = Resource::GpuMillis(record.gpu_class);
		if T::Billing::estimate(resource, 1) > record.budget {
			return None;
		}
		Some(deadline)
	}

	/// Fills the empty replica slots of `record` with fresh eligible nodes and moves it to the
	/// bucket of `deadline`. Returns the new nodes. Must run in a storage layer: it may fail
	/// after writing.
	fn reassign(
		job: JobId,
		record: &mut Job<T>,
		deadline: BlockNumberFor<T>,
	) -> Result<BoundedVec<NodeId, T::MaxReplication>, DispatchError> {
		let needed = record
			.replication
			.saturating_sub(u32::try_from(record.replicas.len()).unwrap_or(u32::MAX));
		let mut excluded: Vec<NodeId> =
			record.replicas.iter().map(|replica| replica.node).collect();
		excluded.extend(record.dropped.iter().copied());
		let owners: Vec<T::AccountId> =
			record.replicas.iter().map(|replica| replica.owner.clone()).collect();
		let Selection { nodes, cursor, .. } = Self::select_nodes(
			job,
			&record.customer,
			record.gpu_class,
			needed,
			&excluded,
			&owners,
		)?;

		let mut fresh = BoundedVec::<NodeId, T::MaxReplication>::new();
		for (node, owner) in nodes {
			record
				.replicas
				.try_push(Replica { node, owner, outcome: None })
				.map_err(|_| Error::<T>::InvalidReplication)?;
			fresh.try_push(node).map_err(|_| Error::<T>::InvalidReplication)?;
			Self::assign_node(job, node)?;
		}
		Deadlines::<T>::try_mutate(deadline, |jobs| jobs.try_push(job))
			.map_err(|_| Error::<T>::DeadlineBucketFull)?;
		CandidateCursor::<T>::set(cursor);
		record.attempt = record.attempt.saturating_add(1);
		record.deadline = deadline;
		Ok(fresh)
	}

	/// A job as the runtime API reports it: its status and, once completed, its result.
	pub fn job_info(job: JobId) -> Option<JobInfo<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		Jobs::<T>::get(job).map(|record| record.info())
	}

	/// The open jobs `node` is assigned to and has not attested yet, with what to run: the
	/// worker's to-do list, in assignment order.
	pub fn pending_work(node: NodeId) -> Vec<WorkItem<BlockNumberFor<T>>> {
		NodeJobs::<T>::get(node)
			.into_iter()
			.filter_map(|job| {
				let record = Jobs::<T>::get(job)?;
				let index = record.replica_index(node)?;
				let unattested = record.replicas.get(index)?.outcome.is_none();
				if !record.is_open() || !unattested {
					return None;
				}
				let spec = JobSpecs::<T>::get(job)?;
				Some(WorkItem {
					job,
					attempt: record.attempt,
					deadline: record.deadline,
					spec: spec.info(),
				})
			})
			.collect()
	}

	/// Checks the invariants listed in the pallet docs.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let next = NextJobId::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		let lifetime = T::MaxJobLifetime::get();
		for (job, record) in Jobs::<T>::iter() {
			ensure!(job < next, "a job id is not below NextJobId");
			ensure!(
				record.attempt >= 1 && record.attempt <= T::MaxAttempts::get(),
				"a job's attempt is outside 1..=MaxAttempts"
			);
			ensure!(
				JobSpecs::<T>::contains_key(job) == record.is_open(),
				"a job's spec is not kept exactly while it is open"
			);
			for (position, replica) in record.replicas.iter().enumerate() {
				ensure!(
					record
						.replicas
						.iter()
						.skip(position.saturating_add(1))
						.all(|other| other.node != replica.node && other.owner != replica.owner),
					"two replicas of a job share a node or an owner"
				);
				ensure!(!record.dropped.contains(&replica.node), "a dropped node is a replica");
			}
			if !record.is_open() {
				continue;
			}
			ensure!(
				u32::try_from(record.replicas.len()).ok() == Some(record.replication),
				"an open job does not have `replication` replicas"
			);
			ensure!(record.verdict() == Verdict::Undecided, "an open job has a decided verdict");
			ensure!(record.deadline > now, "an open job's deadline has passed");
			ensure!(
				record.deadline <= record.submitted_at.saturating_add(lifetime),
				"an open job's deadline is beyond its lifetime"
			);
			ensure!(
				Deadlines::<T>::get(record.deadline).iter().filter(|due| **due == job).count() == 1,
				"an open job is not in its deadline bucket exactly once"
			);
			for replica in record.replicas.iter() {
				ensure!(
					NodeJobs::<T>::get(replica.node).contains(&job),
					"an open job's replica does not list it in NodeJobs"
				);
			}
		}
		for (node, jobs) in NodeJobs::<T>::iter() {
			ensure!(!jobs.is_empty(), "a NodeJobs entry is empty");
			for (position, job) in jobs.iter().enumerate() {
				ensure!(
					!jobs.iter().skip(position.saturating_add(1)).any(|other| other == job),
					"NodeJobs lists a job twice"
				);
				ensure!(
					Jobs::<T>::get(job).is_some_and(|record| {
						record.is_open() && record.replica_index(node).is_some()
					}),
					"NodeJobs lists a job that is closed or not assigned to the node"
				);
			}
		}
		for (block, jobs) in Deadlines::<T>::iter() {
			ensure!(!jobs.is_empty(), "a deadline bucket is empty");
			for job in jobs.iter() {
				ensure!(
					Jobs::<T>::get(job)
						.is_some_and(|record| record.is_open() && record.deadline == block),
					"a deadline bucket lists a job that is closed or due at another block"
				);
			}
		}
		for job in JobSpecs::<T>::iter_keys() {
			ensure!(Jobs::<T>::contains_key(job), "a spec outlived its job");
		}
		Ok(())
	}
}
