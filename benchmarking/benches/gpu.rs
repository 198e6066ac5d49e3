//! GPU benchmarks of the worker's executor (numbers go to the README, not to tests):
//! - kernel throughput of the integer and f32 matrix products (GFLOP/s, counting a
//!   multiply-add as two operations) at several sizes;
//! - the executor's overhead: wall time of a whole sandboxed run (process start, naga
//!   validation, device setup, upload, readback) minus the kernel time.
//!
//! Kernels run as the worker runs them: `ocos-node gpu-exec` in a sandbox (or the standalone
//! `ocos-gpu-exec` named by `OCOS_GPU_EXEC`, e.g. on a GPU machine without the node). Sizes
//! come from `OCOS_BENCH_SIZES` (default 256,512,1024); each figure is the median of `RUNS`
//! runs. The smoke run does one run of a 64×64 product.

use std::{ffi::OsString, time::Duration};

use ocos_benchmarks::{full_run, median};
use ocos_offchain_worker::{
	gpu::{driver, Kernel, Run, Sandbox, SandboxConfig},
	kernels::{matmul_u32_case, matmul_workgroups, matrix_u32, to_bytes, MATMUL_F32, MATMUL_U32},
};

const RUNS: usize = 5;

/// How many runs each figure takes.
fn run_count() -> usize {
	if full_run() {
		RUNS
	} else {
		1
	}
}

fn matmul_kernel(source: &str, n: u32) -> Kernel {
	let inputs = if source == MATMUL_U32 {
		matmul_u32_case(n).0
	} else {
		let floats = |seed| -> Vec<u8> {
			matrix_u32(n, seed)
				.iter()
				.flat_map(|x| ((*x % 1000) as f32 / 1000.0).to_le_bytes())
				.collect()
		};
		vec![to_bytes(&[n]), floats(1), floats(2)]
	};
	let groups = matmul_workgroups(n);
	Kernel {
		source: source.into(),
		entry_point: "main".into(),
		workgroups: [groups, groups, 1],
		inputs,
		output_size: u64::from(n) * u64::from(n) * 4,
	}
}

async fn runs(sandbox: &Sandbox, kernel: &Kernel) -> Vec<Run> {
	let mut runs = Vec::new();
	for _ in 0..run_count() {
		match sandbox.run(kernel.clone()).await {
			Ok(run) => runs.push(run),
			Err(failure) => panic!("benchmark kernel failed: {failure}"),
		}
	}
	runs
}

#[tokio::main]
async fn main() {
	let (program, args) = match std::env::var_os("OCOS_GPU_EXEC") {
		Some(program) => (program.into(), vec![]),
		None => match ocos_e2e::node::binary() {
			Ok(node) => (node, vec![OsString::from("gpu-exec")]),
			Err(error) => panic!("{error:#}"),
		},
	};
	let sandbox = Sandbox::new(SandboxConfig {
		program,
		args,
		wall_time: Duration::from_secs(600),
		memory_limit: 8 << 30,
	});
	let adapter = match driver::check(&sandbox).await {
		Ok(adapter) => adapter,
		Err(error) => panic!("{error}"),
	};
	println!("adapter: {adapter}");
	println!("| kernel | n | kernel time (median) | GFLOP/s |");
	println!("|---|---|---|---|");
	let sizes: Vec<u32> = match std::env::var("OCOS_BENCH_SIZES") {
		Ok(sizes) => sizes.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
		Err(_) if full_run() => vec![256, 512, 1024],
		Err(_) => vec![64],
	};
	for (name, source) in [("matmul u32", MATMUL_U32), ("matmul f32", MATMUL_F32)] {
		for &n in &sizes {
			let kernel = matmul_kernel(source, n);
			let runs = runs(&sandbox, &kernel).await;
			if source == MATMUL_U32 && n <= 256 {
				assert_eq!(runs[0].executed.output, matmul_u32_case(n).1, "wrong product");
			}
			let nanos = median(runs.iter().map(|run| run.executed.kernel_nanos).collect());
			let flops = 2.0 * f64::from(n).powi(3);
			println!(
				"| {name} | {n} | {:.1} ms | {:.2} |",
				nanos as f64 / 1e6,
				flops / nanos as f64
			);
		}
	}

	println!();
	println!("| executor overhead (tiny kernel) | median |");
	println!("|---|---|");
	let tiny = matmul_kernel(MATMUL_U32, 8);
	let runs = runs(&sandbox, &tiny).await;
	let wall = median(runs.iter().map(|run| run.wall_nanos).collect());
	let kernel = median(runs.iter().map(|run| run.executed.kernel_nanos).collect());
	println!("| whole sandboxed run | {:.1} ms |", wall as f64 / 1e6);
	println!("| of which kernel | {:.2} ms |", kernel as f64 / 1e6);
	println!("| overhead | {:.1} ms |", wall.saturating_sub(kernel) as f64 / 1e6);
}
