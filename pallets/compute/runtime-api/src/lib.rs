//! # Compute runtime API
//!
//! What the node, RPC and workers may ask the runtime about compute jobs: one job's status and
//! result (developers polling for their output), and the work pending on a node (the open jobs
//! assigned to it that it has not attested yet, with what to run: the worker's to-do list).
//! The runtime implements it with `pallet_compute::Pallet::job_info` and
//! `pallet_compute::Pallet::pending_work`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;

pub use ocos_primitives::NodeId;
pub use pallet_compute::{
	Determinism, FailureKind, JobFailure, JobId, JobInfo, JobSpecInfo, JobStatusInfo, OutcomeInfo,
	Payment, ReplicaInfo, ShaderSourceInfo, WorkItem, Workgroups,
};

sp_api::decl_runtime_apis! {
	/// Compute jobs as seen by developers and workers.
	pub trait ComputeApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// The job `id` (open or ended: records are kept), with its result once completed.
		fn job(id: JobId) -> Option<JobInfo<AccountId, Balance, BlockNumber>>;

		/// The open jobs assigned to `node` that it has not attested yet, in assignment order,
		/// each with its spec and deadline.
		fn pending_work(node: NodeId) -> Vec<WorkItem<BlockNumber>>;
	}
}
