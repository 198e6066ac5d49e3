//! OCOS Cloud's throughput and latency benchmarks (the numbers in the README's "Benchmarks"):
//!
//! - `benches/gpu.rs`: GPU kernel throughput and the executor's overhead;
//! - `benches/attestations.rs`: attestations settled per block at the block weight limit;
//! - `benches/job_latency.rs`: blocks from a job's submission to its settled result;
//! - `benches/datavault.rs`: the worker's checked pin against the daemon's own add+pin, and
//!   storage challenges answered per second.
//!
//! `benchmarking/run.sh` builds and runs them all. Each bench is a plain program: with the
//! `--bench` argument (as `cargo bench` and `run.sh` pass it) it measures in full; without it
//! (as `cargo test --all-targets` runs it) it makes one short pass, so CI keeps them working.

/// Whether this is a full benchmark run rather than the smoke run of `cargo test`.
pub fn full_run() -> bool {
	std::env::args().any(|arg| arg == "--bench")
}

/// The median of `values` (the upper one of an even count); 0 for none.
pub fn median(mut values: Vec<u64>) -> u64 {
	values.sort_unstable();
	values.get(values.len() / 2).copied().unwrap_or_default()
}
