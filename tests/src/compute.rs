//! Compute jobs from a customer's point of view: submit a job, follow it through the runtime
//! API until it ends.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use codec::Encode;
use frame_support::BoundedVec;
use ocos_offchain_worker::kernels::{matmul_workgroups, MATMUL_U32};
use ocos_primitives::GpuClass;
use ocos_runtime::{Balance, BlockNumber, Runtime, RuntimeCall, RuntimeEvent};
use pallet_compute::{
	Determinism, JobId, JobInfo, JobSpec, JobStatusInfo, ShaderSource, Workgroups,
};
use sp_keyring::Sr25519Keyring;

use crate::{
	rpc::Rpc,
	tx::{self, ChainInfo},
	wait::{until, Check},
	AccountId,
};

/// A job as the runtime API reports it.
pub type Job = JobInfo<AccountId, Balance, BlockNumber>;

/// A job spec running `source` (inline) over the `inputs` CIDs.
pub fn spec(
	source: &str,
	workgroups: [u32; 3],
	inputs: &[String],
	output_size: u64,
	deadline: BlockNumber,
) -> Result<JobSpec<Runtime>> {
	let source =
		BoundedVec::try_from(source.as_bytes().to_vec()).ok().context("source too long")?;
	let cids = inputs
		.iter()
		.map(|cid| BoundedVec::try_from(cid.as_bytes().to_vec()).ok().context("CID too long"))
		.collect::<Result<Vec<_>>>()?;
	Ok(JobSpec {
		source: ShaderSource::Inline(source),
		entry_point: BoundedVec::try_from(b"main".to_vec()).ok().context("entry point")?,
		workgroups: Workgroups { x: workgroups[0], y: workgroups[1], z: workgroups[2] },
		inputs: BoundedVec::try_from(cids).ok().context("too many inputs")?,
		output_size,
		gpu_class: GpuClass::Entry,
		determinism: Determinism::BitExact,
		deadline,
	})
}

/// The spec of an n×n integer matmul over the input CIDs.
pub fn matmul_spec(n: u32, inputs: &[String], deadline: BlockNumber) -> Result<JobSpec<Runtime>> {
	let groups = matmul_workgroups(n);
	spec(MATMUL_U32, [groups, groups, 1], inputs, u64::from(n * n * 4), deadline)
}

/// Submits `spec` as `who` and returns the job's id.
pub async fn submit(
	rpc: &Rpc,
	chain: &ChainInfo,
	who: Sr25519Keyring,
	spec: JobSpec<Runtime>,
	replication: u32,
	max_budget: Balance,
) -> Result<JobId> {
	let call =
		RuntimeCall::Compute(pallet_compute::Call::submit_job { spec, replication, max_budget });
	let outcome = tx::execute(rpc, chain, who, call, Duration::from_secs(60)).await?;
	outcome.ensure_success()?;
	outcome
		.events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::Compute(pallet_compute::Event::JobSubmitted { job, .. }) => Some(*job),
			_ => None,
		})
		.context("no JobSubmitted event")
}

/// The job `id` at the best block.
pub async fn job(rpc: &Rpc, id: JobId) -> Result<Option<Job>> {
	rpc.runtime_call("ComputeApi_job", &id.encode(), None).await
}

/// Waits until job `id` is no longer open and returns it.
pub async fn wait_ended(rpc: &Rpc, id: JobId, timeout: Duration) -> Result<Job> {
	until(&format!("job {id} to end"), timeout, Duration::from_secs(1), || async move {
		let Some(job) = job(rpc, id).await? else { bail!("job {id} does not exist") };
		Ok(match job.status {
			JobStatusInfo::Assigned => Check::Pending(format!("{job:?}")),
			_ => Check::Done(job),
		})
	})
	.await
}
