//! Blocks from a job's submission to its settled result.
//!
//! A development chain whose node runs the worker (real wgpu on this machine's Vulkan driver,
//! a real js-ipfs daemon) takes 64×64 integer matmul jobs, one after another, each submitted
//! once the previous one settled. For each job: the block that included the submission, the
//! block whose attestation completed and settled it, and the wall time between submitting
//! and seeing it settled (polled every second). The smoke run (`cargo test`) does one job.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use ocos_benchmarks::{full_run, median};
use ocos_e2e::{
	compute::{self, matmul_spec},
	ChainInfo, IpfsDaemon, NodeBuilder, Rpc,
};
use ocos_offchain_worker::kernels::matmul_u32_case;
use ocos_runtime::{BlockNumber, RuntimeEvent, UNIT};
use pallet_compute::{JobId, JobStatusInfo};
use sp_keyring::Sr25519Keyring;

/// Jobs in a full run.
const JOBS: usize = 10;
/// Matrix size.
const N: u32 = 64;

#[tokio::main]
async fn main() -> Result<()> {
	let jobs = if full_run() { JOBS } else { 1 };
	let daemon = IpfsDaemon::start().await?;
	let node = NodeBuilder::new()
		.dev()
		.arg("--worker")
		.arg("--ipfs-api")
		.arg(daemon.api_url())
		.start()
		.await?;
	let rpc = node.rpc().await?;
	let chain = ChainInfo::fetch(&rpc).await?;
	let (inputs, expected) = matmul_u32_case(N);
	let mut cids = Vec::new();
	for input in &inputs {
		cids.push(daemon.add(input).await?);
	}

	println!("| job | submitted in block | settled in block | blocks | wall time |");
	println!("|---|---|---|---|---|");
	let mut blocks = Vec::new();
	for _ in 0..jobs {
		let started = Instant::now();
		let spec = matmul_spec(N, &cids, 20)?;
		let id = compute::submit(&rpc, &chain, Sr25519Keyring::Charlie, spec, 1, 10 * UNIT).await?;
		let job = compute::wait_ended(&rpc, id, Duration::from_secs(300))
			.await
			.with_context(|| node.log_tail(40))?;
		let wall = started.elapsed();
		let JobStatusInfo::Completed { output_hash, .. } = job.status else {
			bail!("job {id} did not complete: {job:?}\n{}", node.log_tail(40));
		};
		ensure!(output_hash == sp_crypto_hashing::blake2_256(&expected), "job {id}: wrong product");
		let settled = completed_at(&rpc, id, job.submitted_at).await?;
		let took = settled - job.submitted_at;
		blocks.push(u64::from(took));
		println!(
			"| {id} | {} | {settled} | {took} | {:.1} s |",
			job.submitted_at,
			wall.as_secs_f64()
		);
	}
	println!();
	println!(
		"blocks from submission to settled result: median {}, min {}, max {} ({} jobs)",
		median(blocks.clone()),
		blocks.iter().min().copied().unwrap_or_default(),
		blocks.iter().max().copied().unwrap_or_default(),
		blocks.len()
	);
	Ok(())
}

/// The block whose events complete job `id`, searched from `from` to the best block.
async fn completed_at(rpc: &Rpc, id: JobId, from: BlockNumber) -> Result<BlockNumber> {
	let events = rpc.events_in(from, rpc.best_number().await?).await?;
	events
		.iter()
		.find_map(|(number, record)| match record.event {
			RuntimeEvent::Compute(pallet_compute::Event::JobCompleted { job, .. }) if job == id => {
				Some(*number)
			}
			_ => None,
		})
		.with_context(|| format!("no JobCompleted event for job {id}"))
}
