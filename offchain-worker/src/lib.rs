//! # OCOS off-chain worker
//!
//! The provider's side of OCOS Cloud, run inside `ocos-node --worker`. It reads the work the
//! chain assigned to this provider's node (GPU jobs, DataVault pins and challenges), does it,
//! and reports back with attestations and reports signed by the node's worker key.
//!
//! - [`chain`]: the one seam to the chain ([`chain::Chain`]): the node implements it with its
//!   client and transaction pool, tests implement it in memory.
//! - [`worker`]: the loop run on every new best block (heartbeats, pending work, bounded
//!   concurrency, resubmission).
//! - [`jobs`]: one GPU job: inputs from IPFS, the kernel in the sandbox, the output to IPFS.
//! - [`datavault`]: the DataVault duties per block: pin, answer challenges, unpin what ended.
//! - [`store`]: DataVault content on the IPFS daemon: checked pins, challenge answers.
//! - [`gpu`]: WGSL validation (naga) and execution (wgpu on Vulkan) in a child process with
//!   wall-time and memory limits, and the start-up check that refuses a truncating driver.
//! - [`ipfs`]: the Kubo RPC client, with timeouts and retries.
//! - [`journal`]: the restart-safe records of attestations, reports and pins held.
//! - [`keys`]: the worker key in the node's keystore.
//! - [`kernels`]: reference kernels (matrix products) for tests and benchmarks.
//! - [`fault`]: deliberate faults for the end-to-end tests of dishonest providers.

pub mod chain;
pub mod datavault;
pub mod fault;
pub mod gpu;
pub mod ipfs;
pub mod jobs;
pub mod journal;
pub mod kernels;
pub mod keys;
pub mod store;
pub mod worker;

#[cfg(test)]
mod tests;

pub use chain::{Chain, ChainError, SignedAttestation, SignedReport};
pub use fault::Fault;
pub use jobs::{JobLimits, JobRunner};
pub use store::IpfsStore;
pub use worker::{Journals, Worker, WorkerConfig};
