//! Running one assigned job: fetch the source and inputs from IPFS, run the kernel in the
//! sandbox, add and pin the output, and say what to attest — or that the job must wait
//! because IPFS is unavailable.

use ocos_primitives::NodeId;
use pallet_compute::{FailureKind, OutcomeInfo, ShaderSourceInfo};
use sp_crypto_hashing::blake2_256;

use crate::{
	chain::{BlockNumber, WorkItem},
	fault::Fault,
	gpu::{Kernel, Sandbox},
	ipfs::{Ipfs, IpfsError},
};

/// What became of an attempt to run a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
	/// Attest this outcome.
	Attest(OutcomeInfo),
	/// Try again at a later block (IPFS was unavailable); the reason is logged.
	Delay(String),
}

/// Runs jobs; the worker's seam to execution, so its logic is testable without a GPU.
#[async_trait::async_trait]
pub trait Execute: Send + Sync + 'static {
	/// Runs `item` for `node`; `best` is the block the worker saw it at.
	async fn execute(&self, node: NodeId, item: &WorkItem, best: BlockNumber) -> Attempt;
}

/// Limits on what a job may make the worker fetch.
#[derive(Clone, Copy, Debug)]
pub struct JobLimits {
	/// Largest WGSL source fetched by CID.
	pub max_source_bytes: u64,
	/// Largest input fetched.
	pub max_input_bytes: u64,
	/// When an input stays unavailable while the daemon is up, the worker attests
	/// `InputUnavailable` once the deadline is this many blocks away (earlier, it retries).
	pub give_up_margin: BlockNumber,
}

impl Default for JobLimits {
	fn default() -> Self {
		Self { max_source_bytes: 1 << 20, max_input_bytes: 256 << 20, give_up_margin: 3 }
	}
}

/// Runs jobs with IPFS and the GPU sandbox.
pub struct JobRunner {
	ipfs: Ipfs,
	sandbox: Sandbox,
	limits: JobLimits,
	fault: Option<Fault>,
}

impl JobRunner {
	/// A runner over `ipfs` and `sandbox`.
	pub fn new(ipfs: Ipfs, sandbox: Sandbox, limits: JobLimits, fault: Option<Fault>) -> Self {
		Self { ipfs, sandbox, limits, fault }
	}

	/// Fetches `cid` (at most `limit` bytes), or says what to do instead.
	async fn fetch(
		&self,
		cid: &[u8],
		limit: u64,
		item: &WorkItem,
		best: BlockNumber,
	) -> Result<Vec<u8>, Attempt> {
		let unavailable = Attempt::Attest(OutcomeInfo::Failed(FailureKind::InputUnavailable));
		let Ok(cid) = core::str::from_utf8(cid) else { return Err(unavailable) };
		match self.ipfs.cat(cid, limit).await {
			Ok(bytes) => Ok(bytes),
			Err(error @ (IpfsError::InvalidCid(_) | IpfsError::TooLarge { .. })) => {
				log::info!(target: "ocos-worker", "job {}: input {cid}: {error}", item.job);
				Err(unavailable)
			}
			Err(error) => {
				let near_deadline =
					best.saturating_add(self.limits.give_up_margin) >= item.deadline;
				// Only a daemon that answers can say the content is missing; a daemon that is
				// down says nothing about the job, which then waits (or is reassigned).
				if near_deadline && self.ipfs.version().await.is_ok() {
					log::info!(target: "ocos-worker", "job {}: input {cid} not found: {error}", item.job);
					return Err(unavailable);
				}
				Err(Attempt::Delay(format!("input {cid}: {error}")))
			}
		}
	}

	/// Runs the job up to its outcome.
	async fn run(&self, item: &WorkItem, best: BlockNumber) -> Result<OutcomeInfo, Attempt> {
		let failed = |kind| Attempt::Attest(OutcomeInfo::Failed(kind));
		let spec = &item.spec;
		let source = match &spec.source {
			ShaderSourceInfo::Inline(code) => code.clone(),
			ShaderSourceInfo::Ipfs(cid) => {
				self.fetch(cid, self.limits.max_source_bytes, item, best).await?
			}
		};
		let source = String::from_utf8(source).map_err(|_| failed(FailureKind::InvalidShader))?;
		let entry_point = String::from_utf8(spec.entry_point.clone())
			.map_err(|_| failed(FailureKind::InvalidShader))?;
		let mut inputs = Vec::with_capacity(spec.inputs.len());
		for cid in &spec.inputs {
			inputs.push(self.fetch(cid, self.limits.max_input_bytes, item, best).await?);
		}
		let kernel = Kernel {
			source,
			entry_point,
			workgroups: [spec.workgroups.x, spec.workgroups.y, spec.workgroups.z],
			inputs,
			output_size: spec.output_size,
		};
		let run = self.sandbox.run(kernel).await.map_err(|failure| {
			log::info!(target: "ocos-worker", "job {} failed: {failure}", item.job);
			failed(failure.kind)
		})?;
		let mut output = run.executed.output;
		if self.fault == Some(Fault::CorruptOutput) {
			if let Some(byte) = output.first_mut() {
				*byte ^= 0xff;
			}
		}
		let output_hash = blake2_256(&output);
		let output_cid = self
			.ipfs
			.add_and_pin(output)
			.await
			.map_err(|error| Attempt::Delay(format!("publishing the output: {error}")))?;
		Ok(OutcomeInfo::Completed {
			output_cid: output_cid.into_bytes(),
			output_hash,
			gpu_millis: gpu_millis(run.executed.kernel_nanos),
		})
	}
}

#[async_trait::async_trait]
impl Execute for JobRunner {
	async fn execute(&self, _node: NodeId, item: &WorkItem, best: BlockNumber) -> Attempt {
		match self.run(item, best).await {
			Ok(outcome) => Attempt::Attest(outcome),
			Err(attempt) => attempt,
		}
	}
}

/// Metered GPU milliseconds: the kernel time rounded up, at least 1.
pub fn gpu_millis(kernel_nanos: u64) -> u64 {
	kernel_nanos.div_ceil(1_000_000).max(1)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn meters_whole_milliseconds_rounded_up() {
		assert_eq!(gpu_millis(0), 1);
		assert_eq!(gpu_millis(1), 1);
		assert_eq!(gpu_millis(1_000_000), 1);
		assert_eq!(gpu_millis(1_000_001), 2);
		assert_eq!(gpu_millis(u64::MAX), u64::MAX / 1_000_000 + 1);
	}
}
