//! The GPU child process on its own (the node runs the same code as `ocos-node gpu-exec`):
//! reads one kernel on stdin, writes its report on stdout. Used by the executor's tests and
//! benchmarks.

fn main() -> std::process::ExitCode {
	match ocos_offchain_worker::gpu::child::run_child() {
		Ok(()) => std::process::ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("{error}");
			std::process::ExitCode::FAILURE
		}
	}
}
