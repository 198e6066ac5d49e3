//! # OCOS off-chain worker
//!
//! The provider's side of OCOS Cloud, run inside `ocos-node --worker`. It reads the work the
//! chain assigned to this provider's node, runs it, and reports back with attestations signed
//! by the node's worker key.
//!
//! - [`chain`]: the one seam to the chain ([`chain::Chain`]): the node implements it with its
//!   client and transaction pool, tests implement it in memory.
//! - [`worker`]: the loop run on every new best block (heartbeats, pending work, bounded
//!   concurrency, resubmission).
//! - [`jobs`]: one GPU job: inputs from IPFS, the kernel in the sandbox, the output to IPFS.
//! - [`gpu`]: WGSL validation (naga) and execution (wgpu on Vulkan) in a child process with
//!   wall-time and memory limits, and the start-up check that refuses a truncating driver.
//! - [`ipfs`]: the Kubo RPC client, with timeouts and retries.
//! - [`journal`]: the restart-safe record of attestations made.
//! - [`keys`]: the worker key in the node's keystore.
//! - [`kernels`]: reference kernels (matrix products) for tests and benchmarks.

pub mod chain;
pub mod gpu;
pub mod ipfs;
pub mod jobs;
pub mod journal;
pub mod kernels;
pub mod keys;
pub mod worker;

#[cfg(test)]
mod tests;

pub use chain::{Chain, ChainError, SignedAttestation};
pub use jobs::{Fault, JobLimits, JobRunner};
pub use worker::{Worker, WorkerConfig};
