//! The start-up check of the GPU driver. Debian 12's Mesa 22.3 lavapipe silently stops every
//! shader invocation after 65,535 loop iterations and returns whatever it had: a worker on
//! such a driver would attest wrong results. Before taking any job, the worker runs a probe
//! kernel whose loop is longer than that and refuses to start unless the result is exact.

use super::{
	protocol::Kernel,
	sandbox::{Run, Sandbox},
};

/// Loop iterations of the probe: well past the 65,535 at which truncating drivers stop.
pub const PROBE_ITERATIONS: u32 = 200_000;
/// Seed of the probe's linear congruential generator.
const PROBE_SEED: u32 = 0x0c05;

/// The probe: `out[0]` counts the iterations, `out[1]` is the generator after them. The
/// count and seed come from the input, so no compiler can fold the loop away.
const PROBE_SHADER: &str = "
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(1)
fn main() {
	var x: u32 = params[1];
	var count: u32 = 0u;
	for (var i: u32 = 0u; i < params[0]; i = i + 1u) {
		x = x * 1664525u + 1013904223u;
		count = count + 1u;
	}
	out[0] = count;
	out[1] = x;
}";

/// Why the worker will not run jobs on this machine's GPU.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
	/// The probe could not run at all.
	#[error("the GPU probe kernel did not run: {0}")]
	Unusable(String),
	/// The driver returned a wrong result.
	#[error(
		"the GPU driver `{adapter}` returns wrong results: a {expected}-iteration shader loop \
		 ran {counted} times. It would make this worker attest wrong outputs, so it refuses \
		 to start. Install a fixed Mesa (23 or later; on Debian 12 `scripts/setup.sh` installs \
		 Mesa from bookworm-backports) and restart."
	)]
	TruncatesLoops {
		/// The adapter and driver.
		adapter: String,
		/// Iterations asked for.
		expected: u32,
		/// Iterations the driver ran.
		counted: u32,
	},
}

/// The probe kernel.
pub fn probe_kernel() -> Kernel {
	Kernel {
		source: PROBE_SHADER.into(),
		entry_point: "main".into(),
		workgroups: [1, 1, 1],
		inputs: vec![[PROBE_ITERATIONS, PROBE_SEED].iter().flat_map(|v| v.to_le_bytes()).collect()],
		output_size: 8,
	}
}

/// What the probe must return: the iteration count and the generator after them.
pub fn expected_probe_output() -> [u32; 2] {
	let x = (0..PROBE_ITERATIONS)
		.fold(PROBE_SEED, |x, _| x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223));
	[PROBE_ITERATIONS, x]
}

/// Judges a probe run: `Ok` with the adapter's name when the output is exact.
pub fn judge(run: &Run) -> Result<String, DriverError> {
	let words: Vec<u32> = run
		.executed
		.output
		.chunks_exact(4)
		.map(|word| u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
		.collect();
	let expected = expected_probe_output();
	if words.as_slice() == expected {
		return Ok(run.adapter.clone());
	}
	Err(DriverError::TruncatesLoops {
		adapter: run.adapter.clone(),
		expected: PROBE_ITERATIONS,
		counted: words.first().copied().unwrap_or(0),
	})
}

/// Runs the probe in `sandbox` and judges it: `Ok` with the adapter's name.
pub async fn check(sandbox: &Sandbox) -> Result<String, DriverError> {
	let run = sandbox
		.run(probe_kernel())
		.await
		.map_err(|failure| DriverError::Unusable(failure.to_string()))?;
	judge(&run)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::gpu::Executed;

	fn run_with(words: [u32; 2]) -> Run {
		Run {
			executed: Executed {
				output: words.iter().flat_map(|w| w.to_le_bytes()).collect(),
				kernel_nanos: 1,
			},
			adapter: "llvmpipe (llvmpipe Mesa 22.3.6)".into(),
			wall_nanos: 1,
		}
	}

	#[test]
	fn accepts_an_exact_probe_result() {
		assert_eq!(judge(&run_with(expected_probe_output())).ok(), Some(run_with([0, 0]).adapter));
	}

	#[test]
	fn refuses_a_truncated_loop_and_names_the_fix() {
		// What Mesa 22.3.6's lavapipe returns: the count stops at 65,535.
		let error = judge(&run_with([65_535, 12_345])).unwrap_err();
		assert!(matches!(error, DriverError::TruncatesLoops { counted: 65_535, .. }));
		let message = error.to_string();
		assert!(message.contains("Mesa 22.3.6") && message.contains("bookworm-backports"));
	}

	#[test]
	fn refuses_a_right_count_with_a_wrong_value() {
		let [count, x] = expected_probe_output();
		assert!(judge(&run_with([count, x ^ 1])).is_err());
	}
}
