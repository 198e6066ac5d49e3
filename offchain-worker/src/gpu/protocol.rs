//! What the worker and its GPU child process exchange: one SCALE-encoded [`ChildRequest`] on
//! the child's stdin, one SCALE-encoded [`ChildReport`] on its stdout.

use codec::{Decode, Encode};
use pallet_compute::FailureKind;

/// A compute kernel, ready to run: every input already fetched.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct Kernel {
	/// WGSL source.
	pub source: String,
	/// Name of the `@compute` entry point.
	pub entry_point: String,
	/// Workgroups dispatched along x, y and z.
	pub workgroups: [u32; 3],
	/// Input buffers, bound read-only at `@group(0) @binding(0..n)`.
	pub inputs: Vec<Vec<u8>>,
	/// Bytes of the output buffer, bound read-write at `@group(0) @binding(n)`.
	pub output_size: u64,
}

/// A kernel and the limits the child applies to itself before touching the GPU driver.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct ChildRequest {
	/// What to run.
	pub kernel: Kernel,
	/// Most bytes of private writable memory (`RLIMIT_DATA`) the child may map.
	pub memory_limit: u64,
	/// Milliseconds after which the child ends itself, so that a kernel cannot outlive a
	/// worker that crashed before it could kill the child.
	pub lifetime_millis: u64,
}

/// A kernel's output and how long the GPU took.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct Executed {
	/// The output buffer, `output_size` bytes.
	pub output: Vec<u8>,
	/// Nanoseconds from submitting the dispatch until the GPU finished it.
	pub kernel_nanos: u64,
}

/// Why a kernel did not run, as a failure kind for the chain and a message for people.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct Failure {
	/// The typed reason attested on chain.
	pub kind: FailureKind,
	/// What went wrong, for logs (e.g. naga's diagnostic with line and column).
	pub message: String,
}

impl Failure {
	/// A failure of `kind` explained by `message`.
	pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
		Self { kind, message: message.into() }
	}
}

impl core::fmt::Display for Failure {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		write!(f, "{:?}: {}", self.kind, self.message)
	}
}

/// The child's answer.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub enum ChildReport {
	/// The kernel ran; `adapter` names the GPU and driver that ran it.
	Done { executed: Executed, adapter: String },
	/// The kernel did not run.
	Failed(Failure),
}

/// Rounds `bytes` up to wgpu's buffer-size alignment (4) and at least 4 (no buffer binds empty).
pub fn buffer_size(bytes: u64) -> u64 {
	bytes.max(1).div_ceil(wgpu::COPY_BUFFER_ALIGNMENT).saturating_mul(wgpu::COPY_BUFFER_ALIGNMENT)
}
