//! The worker's side of GPU execution: each kernel runs in a fresh child process (`ocos-node
//! gpu-exec`) that the worker kills when its wall time runs out, and that caps its own
//! memory. Whatever the kernel does, the worker (and the node around it) carries on.

use std::{ffi::OsString, path::PathBuf, process::Stdio, time::Duration};

use codec::{Decode, Encode};
use pallet_compute::FailureKind;
use tokio::{io::AsyncWriteExt, process::Command};

use super::protocol::{ChildReport, ChildRequest, Executed, Failure, Kernel};

/// How long past the wall time a child whose worker is gone may live.
const CHILD_GRACE: Duration = Duration::from_secs(2);

/// How to start the GPU child process and what it may use.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
	/// The program to run, e.g. the node's own executable.
	pub program: PathBuf,
	/// Its arguments, e.g. `["gpu-exec"]`.
	pub args: Vec<OsString>,
	/// Wall time a kernel may take, from process start to report; then the child is killed
	/// and the job fails with `Timeout`.
	pub wall_time: Duration,
	/// Private memory the child may map (`RLIMIT_DATA`), driver included.
	pub memory_limit: u64,
}

/// What a kernel run produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
	/// The output and the GPU time.
	pub executed: Executed,
	/// The adapter and driver that ran it.
	pub adapter: String,
	/// Wall time of the whole run: process start, validation, device setup, dispatch,
	/// readback (the executor's overhead is this minus the kernel time).
	pub wall_nanos: u64,
}

/// Runs kernels in child processes.
#[derive(Clone, Debug)]
pub struct Sandbox {
	config: SandboxConfig,
}

impl Sandbox {
	/// A sandbox that starts children as `config` says.
	pub fn new(config: SandboxConfig) -> Self {
		Self { config }
	}

	/// Runs `kernel` in a new child process. A kernel that outlives the wall time is killed
	/// (`Timeout`); a child that dies reports `OutOfMemory` when it ran out of memory and
	/// `ExecutionError` otherwise, with the end of its stderr as the message.
	pub async fn run(&self, kernel: Kernel) -> Result<Run, Failure> {
		// The worker kills the child at the wall time; the child's own deadline, a little
		// later, only matters when the worker is gone.
		let lifetime = self.config.wall_time.saturating_add(CHILD_GRACE);
		let request = ChildRequest {
			kernel,
			memory_limit: self.config.memory_limit,
			lifetime_millis: u64::try_from(lifetime.as_millis()).unwrap_or(u64::MAX),
		}
		.encode();
		let started = std::time::Instant::now();
		let mut child = Command::new(&self.config.program)
			.args(&self.config.args)
			.stdin(Stdio::piped())
			.stdout(Stdio::piped())
			.stderr(Stdio::piped())
			.kill_on_drop(true)
			.spawn()
			.map_err(|error| {
				Failure::new(
					FailureKind::ExecutionError,
					format!("cannot start {}: {error}", self.config.program.display()),
				)
			})?;
		let mut stdin = child.stdin.take().ok_or_else(|| {
			Failure::new(FailureKind::ExecutionError, "the GPU process has no stdin")
		})?;
		let exchange = async move {
			// A child that dies before reading everything closes the pipe; its exit status
			// tells why, so a write error here is not the interesting one.
			let _ = stdin.write_all(&request).await;
			drop(stdin);
			child.wait_with_output().await
		};
		// On timeout the future, and with it the child, is dropped: `kill_on_drop` kills it.
		let output = tokio::time::timeout(self.config.wall_time, exchange)
			.await
			.map_err(|_| {
				Failure::new(
					FailureKind::Timeout,
					format!("killed after the {:?} wall-time limit", self.config.wall_time),
				)
			})?
			.map_err(|error| Failure::new(FailureKind::ExecutionError, error.to_string()))?;
		let wall_nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);

		let stderr = String::from_utf8_lossy(&output.stderr);
		if !output.status.success() {
			return Err(died(output.status, &stderr));
		}
		match ChildReport::decode(&mut &output.stdout[..]) {
			Ok(ChildReport::Done { executed, adapter }) => {
				Ok(Run { executed, adapter, wall_nanos })
			}
			Ok(ChildReport::Failed(failure)) => Err(failure),
			Err(error) => Err(Failure::new(
				FailureKind::ExecutionError,
				format!("unreadable report from the GPU process ({error}): {}", tail(&stderr)),
			)),
		}
	}
}

/// The failure of a child that exited with `status`.
fn died(status: std::process::ExitStatus, stderr: &str) -> Failure {
	let tail = tail(stderr);
	let out_of_memory = ["memory allocation", "out of memory", "Cannot allocate memory"]
		.iter()
		.any(|sign| stderr.contains(sign));
	let kind = if out_of_memory { FailureKind::OutOfMemory } else { FailureKind::ExecutionError };
	Failure::new(kind, format!("the GPU process died ({status}): {tail}"))
}

/// The last lines of a child's stderr.
fn tail(stderr: &str) -> String {
	let lines: Vec<&str> = stderr.lines().collect();
	lines[lines.len().saturating_sub(5)..].join(" | ")
}
