//! The GPU child process: limits its own memory, validates the kernel with naga, runs it with
//! wgpu on the best Vulkan adapter and reports. Everything untrusted (parsing the WGSL,
//! compiling it in the driver, running it) happens here, so a shader that loops forever, eats
//! memory or crashes the driver takes down only this process; the worker kills it on timeout.

use std::{
	borrow::Cow,
	io::{Read, Write},
	sync::{mpsc, Arc},
	time::{Duration, Instant},
};

use codec::{Decode, Encode};
use futures::executor::block_on;
use pallet_compute::FailureKind;
use wgpu::naga;

use super::{
	protocol::{buffer_size, ChildReport, ChildRequest, Executed, Failure, Kernel},
	validate,
};

/// The child's `main`: reads a [`ChildRequest`] from stdin and writes a [`ChildReport`] to
/// stdout. Fails only when it cannot talk to its parent; a kernel's failure is a report.
pub fn run_child() -> Result<(), String> {
	let mut input = Vec::new();
	std::io::stdin()
		.read_to_end(&mut input)
		.map_err(|error| format!("gpu-exec: cannot read the request: {error}"))?;
	let request = ChildRequest::decode(&mut &input[..])
		.map_err(|error| format!("gpu-exec: malformed request: {error}"))?;
	let lifetime = Duration::from_millis(request.lifetime_millis);
	// A worker that crashed cannot kill this process at the wall time, so it ends itself.
	std::thread::spawn(move || {
		std::thread::sleep(lifetime);
		eprintln!("gpu-exec: lifetime of {lifetime:?} over; aborting");
		std::process::abort();
	});
	let report = execute(request);
	let mut stdout = std::io::stdout().lock();
	stdout
		.write_all(&report.encode())
		.and_then(|()| stdout.flush())
		.map_err(|error| format!("gpu-exec: cannot write the report: {error}"))
}

/// Applies the memory limit, then validates and runs the kernel.
fn execute(request: ChildRequest) -> ChildReport {
	let limit = request.memory_limit;
	if let Err(error) = rlimit::setrlimit(rlimit::Resource::DATA, limit, limit) {
		return ChildReport::Failed(Failure::new(
			FailureKind::ExecutionError,
			format!("cannot apply the memory limit: {error}"),
		));
	}
	let kernel = request.kernel;
	let module = match validate::check(&kernel.source, &kernel.entry_point, kernel.inputs.len()) {
		Ok(module) => module,
		Err(message) => {
			return ChildReport::Failed(Failure::new(FailureKind::InvalidShader, message))
		}
	};
	let gpu = match Gpu::open() {
		Ok(gpu) => gpu,
		Err(message) => {
			return ChildReport::Failed(Failure::new(FailureKind::ExecutionError, message))
		}
	};
	match gpu.run(module, &kernel) {
		Ok(executed) => ChildReport::Done { executed, adapter: gpu.adapter },
		Err(failure) => ChildReport::Failed(failure),
	}
}

/// An open GPU device.
struct Gpu {
	device: wgpu::Device,
	queue: wgpu::Queue,
	limits: wgpu::Limits,
	/// `name (driver driver_info)`, e.g. `llvmpipe (LLVM 15.0.6, 256 bits) (llvmpipe Mesa 25.0.7)`.
	adapter: String,
}

impl Gpu {
	/// Opens the highest-performance Vulkan adapter with all its limits.
	fn open() -> Result<Self, String> {
		let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
			backends: wgpu::Backends::VULKAN,
			..wgpu::InstanceDescriptor::new_without_display_handle()
		});
		let adapter = block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
			power_preference: wgpu::PowerPreference::HighPerformance,
			..Default::default()
		}))
		.map_err(|error| format!("no Vulkan GPU adapter: {error}"))?;
		let info = adapter.get_info();
		let limits = adapter.limits();
		let (device, queue) = block_on(adapter.request_device(&wgpu::DeviceDescriptor {
			label: Some("ocos-job"),
			required_limits: limits.clone(),
			..Default::default()
		}))
		.map_err(|error| format!("cannot open the GPU device: {error}"))?;
		// Errors are collected through error scopes; anything else is only logged, never a
		// panic (wgpu's default handler panics).
		device.on_uncaptured_error(Arc::new(|error| eprintln!("gpu-exec: wgpu error: {error}")));
		let adapter = format!("{} ({} {})", info.name, info.driver, info.driver_info);
		Ok(Self { device, queue, limits, adapter })
	}

	/// Runs `kernel` (whose source `module` is) and reads its output back.
	fn run(&self, module: naga::Module, kernel: &Kernel) -> Result<Executed, Failure> {
		self.check_limits(kernel)?;
		let device = &self.device;

		let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
		let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
			label: Some("job"),
			source: wgpu::ShaderSource::Naga(Cow::Owned(module)),
		});
		let entries: Vec<wgpu::BindGroupLayoutEntry> = (0..=kernel.inputs.len())
			.map(|index| wgpu::BindGroupLayoutEntry {
				binding: binding_index(index),
				visibility: wgpu::ShaderStages::COMPUTE,
				ty: wgpu::BindingType::Buffer {
					ty: wgpu::BufferBindingType::Storage { read_only: index < kernel.inputs.len() },
					has_dynamic_offset: false,
					min_binding_size: None,
				},
				count: None,
			})
			.collect();
		let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
			label: Some("job"),
			entries: &entries,
		});
		let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
			label: Some("job"),
			bind_group_layouts: &[Some(&layout)],
			immediate_size: 0,
		});
		let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
			label: Some("job"),
			layout: Some(&pipeline_layout),
			module: &shader,
			entry_point: Some(&kernel.entry_point),
			compilation_options: Default::default(),
			cache: None,
		});
		if let Some(error) = block_on(scope.pop()) {
			return Err(Failure::new(FailureKind::InvalidShader, error.to_string()));
		}

		let memory = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
		let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
		let inputs: Vec<wgpu::Buffer> = kernel.inputs.iter().map(|data| self.input(data)).collect();
		let output_size = buffer_size(kernel.output_size);
		let output = device.create_buffer(&wgpu::BufferDescriptor {
			label: Some("output"),
			size: output_size,
			usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
			mapped_at_creation: false,
		});
		let readback = device.create_buffer(&wgpu::BufferDescriptor {
			label: Some("readback"),
			size: output_size,
			usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
			mapped_at_creation: false,
		});
		let bindings: Vec<wgpu::BindGroupEntry> = inputs
			.iter()
			.chain(core::iter::once(&output))
			.enumerate()
			.map(|(index, buffer)| wgpu::BindGroupEntry {
				binding: binding_index(index),
				resource: buffer.as_entire_binding(),
			})
			.collect();
		let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
			label: Some("job"),
			layout: &layout,
			entries: &bindings,
		});
		let mut encoder = device.create_command_encoder(&Default::default());
		{
			let mut pass = encoder.begin_compute_pass(&Default::default());
			pass.set_pipeline(&pipeline);
			pass.set_bind_group(0, &bind_group, &[]);
			let [x, y, z] = kernel.workgroups;
			pass.dispatch_workgroups(x, y, z);
		}
		encoder.copy_buffer_to_buffer(&output, 0, &readback, 0, output_size);

		let started = Instant::now();
		let submission = self.queue.submit([encoder.finish()]);
		let finished =
			device.poll(wgpu::PollType::Wait { submission_index: Some(submission), timeout: None });
		let kernel_nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
		if let Some(error) = block_on(validation.pop()) {
			return Err(Failure::new(FailureKind::ExecutionError, error.to_string()));
		}
		if let Some(error) = block_on(memory.pop()) {
			return Err(Failure::new(FailureKind::OutOfMemory, error.to_string()));
		}
		finished.map_err(|error| Failure::new(FailureKind::ExecutionError, error.to_string()))?;

		let output = self.read(&readback, kernel.output_size)?;
		Ok(Executed { output, kernel_nanos })
	}

	/// Refuses a kernel whose buffers this device cannot bind, before allocating anything.
	fn check_limits(&self, kernel: &Kernel) -> Result<(), Failure> {
		let limits = &self.limits;
		let buffers = kernel.inputs.len().saturating_add(1);
		if buffers > limits.max_storage_buffers_per_shader_stage as usize {
			return Err(Failure::new(
				FailureKind::ExecutionError,
				format!(
					"{buffers} storage buffers needed; this GPU binds at most {}",
					limits.max_storage_buffers_per_shader_stage
				),
			));
		}
		let largest = kernel
			.inputs
			.iter()
			.map(|data| data.len() as u64)
			.chain(core::iter::once(kernel.output_size))
			.max()
			.unwrap_or(0);
		let bindable =
			u64::from(limits.max_storage_buffer_binding_size).min(limits.max_buffer_size);
		if buffer_size(largest) > bindable {
			return Err(Failure::new(
				FailureKind::OutOfMemory,
				format!(
					"a {largest}-byte buffer is needed; this GPU binds at most {bindable} bytes"
				),
			));
		}
		Ok(())
	}

	/// A read-only storage buffer holding `data` (zero-padded to the buffer alignment).
	fn input(&self, data: &[u8]) -> wgpu::Buffer {
		let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
			label: Some("input"),
			size: buffer_size(data.len() as u64),
			usage: wgpu::BufferUsages::STORAGE,
			mapped_at_creation: true,
		});
		if let Ok(mut view) = buffer.get_mapped_range_mut(..) {
			view.slice(..data.len()).copy_from_slice(data);
		}
		buffer.unmap();
		buffer
	}

	/// Maps `readback` and copies out its first `size` bytes.
	fn read(&self, readback: &wgpu::Buffer, size: u64) -> Result<Vec<u8>, Failure> {
		let execution = |message: String| Failure::new(FailureKind::ExecutionError, message);
		let (sender, receiver) = mpsc::channel();
		readback.map_async(wgpu::MapMode::Read, .., move |result| {
			let _ = sender.send(result);
		});
		self.device
			.poll(wgpu::PollType::wait_indefinitely())
			.map_err(|error| execution(error.to_string()))?;
		receiver
			.recv()
			.map_err(|error| execution(error.to_string()))?
			.map_err(|error| execution(error.to_string()))?;
		let view = readback.get_mapped_range(..).map_err(|error| execution(error.to_string()))?;
		let size = usize::try_from(size).map_err(|error| execution(error.to_string()))?;
		Ok(view.get(..size).unwrap_or(&view[..]).to_vec())
	}
}

/// The binding number of the `index`-th buffer (inputs first, then the output).
fn binding_index(index: usize) -> u32 {
	u32::try_from(index).unwrap_or(u32::MAX)
}
