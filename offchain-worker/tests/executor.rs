//! The GPU executor for real: kernels run through the `ocos-gpu-exec` child process with wgpu
//! on this machine's Vulkan driver (Mesa lavapipe on CPU-only machines).

use std::time::{Duration, Instant};

use ocos_offchain_worker::{
	gpu::{driver, Kernel, Sandbox, SandboxConfig},
	kernels::{matmul_u32_case, matmul_workgroups, to_bytes, ENDLESS, MATMUL_U32},
};
use pallet_compute::FailureKind;

const WALL_TIME: Duration = Duration::from_secs(20);

fn sandbox(wall_time: Duration) -> Sandbox {
	Sandbox::new(SandboxConfig {
		program: env!("CARGO_BIN_EXE_ocos-gpu-exec").into(),
		args: vec![],
		wall_time,
		memory_limit: 4 << 30,
	})
}

fn kernel(source: &str, inputs: Vec<Vec<u8>>, output_size: u64) -> Kernel {
	Kernel {
		source: source.into(),
		entry_point: "main".into(),
		workgroups: [1, 1, 1],
		inputs,
		output_size,
	}
}

fn matmul(n: u32) -> (Kernel, Vec<u8>) {
	let (inputs, expected) = matmul_u32_case(n);
	let groups = matmul_workgroups(n);
	let kernel = Kernel {
		workgroups: [groups, groups, 1],
		..kernel(MATMUL_U32, inputs, u64::from(n * n * 4))
	};
	(kernel, expected)
}

#[tokio::test]
async fn an_integer_matmul_equals_the_cpu_reference() {
	let (kernel, expected) = matmul(96);
	let run = sandbox(WALL_TIME).run(kernel).await.expect("the kernel runs");
	assert_eq!(run.executed.output, expected);
	assert!(run.executed.kernel_nanos > 0 && run.executed.kernel_nanos <= run.wall_nanos);
	assert!(!run.adapter.is_empty());
}

#[tokio::test]
async fn an_odd_sized_output_is_returned_at_its_exact_size() {
	let source = "
		@group(0) @binding(0) var<storage, read_write> out: array<u32>;
		@compute @workgroup_size(1) fn main() { out[0] = 0x04030201u; out[1] = 0x08070605u; }";
	let run = sandbox(WALL_TIME).run(kernel(source, vec![], 6)).await.expect("the kernel runs");
	assert_eq!(run.executed.output, vec![1, 2, 3, 4, 5, 6]);
}

#[tokio::test]
async fn the_driver_runs_long_loops_exactly() {
	let adapter = driver::check(&sandbox(WALL_TIME))
		.await
		.expect("this machine's Vulkan driver must not truncate loops (run scripts/setup.sh)");
	assert!(!adapter.is_empty());
}

#[tokio::test]
async fn an_invalid_shader_fails_with_a_diagnostic() {
	let failure = sandbox(WALL_TIME)
		.run(kernel("@compute @workgroup_size(1) fn main() { let x: u32 = ; }", vec![], 4))
		.await
		.expect_err("the shader does not parse");
	assert_eq!(failure.kind, FailureKind::InvalidShader);
	assert!(failure.message.contains(":1:"), "{}", failure.message);
}

#[tokio::test]
async fn a_looping_shader_is_killed_at_the_wall_time_and_the_next_kernel_runs() {
	let looping = "
		@group(0) @binding(0) var<storage, read> input: array<u32>;
		@group(0) @binding(1) var<storage, read_write> out: array<u32>;
		@compute @workgroup_size(1) fn main() {
			var x: u32 = input[0];
			loop { x = x * 3u + 1u; if (x == 0xffffffffu && input[0] == 7u) { break; } }
			out[0] = x;
		}";
	let sandbox = sandbox(Duration::from_secs(5));
	let started = Instant::now();
	let failure = sandbox
		.run(kernel(looping, vec![to_bytes(&[1])], 4))
		.await
		.expect_err("the shader never ends");
	assert_eq!(failure.kind, FailureKind::Timeout);
	assert!(started.elapsed() < Duration::from_secs(15), "killed late: {:?}", started.elapsed());

	let (kernel, expected) = matmul(16);
	let run = sandbox.run(kernel).await.expect("the GPU is usable after the kill");
	assert_eq!(run.executed.output, expected);
}

#[test]
fn a_child_left_alone_by_its_worker_ends_itself_at_its_lifetime() {
	use codec::Encode;
	use ocos_offchain_worker::gpu::protocol::ChildRequest;
	use std::{
		io::Write,
		process::{Command, Stdio},
	};

	// As after a worker crash: nobody kills this child, however long its kernel loops.
	let request = ChildRequest {
		kernel: kernel(ENDLESS, vec![], 4),
		memory_limit: 4 << 30,
		lifetime_millis: 3_000,
	};
	let mut child = Command::new(env!("CARGO_BIN_EXE_ocos-gpu-exec"))
		.stdin(Stdio::piped())
		.stdout(Stdio::null())
		.stderr(Stdio::piped())
		.spawn()
		.expect("the GPU process starts");
	let mut stdin = child.stdin.take().expect("piped stdin");
	stdin.write_all(&request.encode()).expect("the request is sent");
	drop(stdin);
	let started = Instant::now();
	let output = child.wait_with_output().expect("the GPU process ends");
	assert!(!output.status.success(), "the loop cannot have finished");
	assert!(String::from_utf8_lossy(&output.stderr).contains("lifetime"), "{output:?}");
	assert!(started.elapsed() < Duration::from_secs(30), "ended late: {:?}", started.elapsed());
}

#[tokio::test]
async fn a_kernel_larger_than_the_memory_limit_fails_without_harming_the_worker() {
	let sandbox = Sandbox::new(SandboxConfig {
		program: env!("CARGO_BIN_EXE_ocos-gpu-exec").into(),
		args: vec![],
		wall_time: WALL_TIME,
		memory_limit: 512 << 20,
	});
	// A 1 GiB output buffer cannot fit in 512 MiB of memory.
	let failure = sandbox
		.run(kernel(
			"@group(0) @binding(0) var<storage, read_write> out: array<u32>;
			 @compute @workgroup_size(1) fn main() { out[0] = 1u; }",
			vec![],
			1 << 30,
		))
		.await
		.expect_err("the buffer does not fit");
	assert!(
		matches!(failure.kind, FailureKind::OutOfMemory | FailureKind::ExecutionError),
		"{failure}"
	);
	let (kernel, expected) = matmul(8);
	assert_eq!(sandbox.run(kernel).await.expect("runs").executed.output, expected);
}

#[tokio::test]
async fn a_binding_the_worker_does_not_provide_is_an_invalid_shader() {
	let (mut kernel, _) = matmul(8);
	kernel.source = kernel.source.replace("@binding(3)", "@binding(5)");
	let failure = sandbox(WALL_TIME).run(kernel).await.expect_err("binding 5 is not provided");
	assert_eq!(failure.kind, FailureKind::InvalidShader);
	assert!(failure.message.contains("is not provided"), "{}", failure.message);
}
