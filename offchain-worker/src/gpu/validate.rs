//! WGSL checks made before a kernel touches the GPU: naga parses and validates the source,
//! and the module must have the named `@compute` entry point and bind exactly what the worker
//! provides — the inputs read-only at `@group(0) @binding(0..n)`, the output read-write at
//! `@binding(n)`, nothing else.

use wgpu::naga::{
	self,
	valid::{Capabilities, ValidationFlags, Validator},
	AddressSpace, ShaderStage, StorageAccess,
};

/// Parses and validates `source`, then checks its entry point and bindings for a kernel with
/// `inputs` input buffers. The error is a diagnostic a developer can act on (naga's, with line
/// and column, or which binding is wrong).
pub fn check(source: &str, entry_point: &str, inputs: usize) -> Result<naga::Module, String> {
	let module = naga::front::wgsl::parse_str(source).map_err(|e| e.emit_to_string(source))?;
	Validator::new(ValidationFlags::all(), Capabilities::default())
		.validate(&module)
		.map_err(|e| e.emit_to_string(source))?;
	if !module
		.entry_points
		.iter()
		.any(|entry| entry.name == entry_point && entry.stage == ShaderStage::Compute)
	{
		return Err(format!("the shader has no @compute entry point named `{entry_point}`"));
	}
	let output = u32::try_from(inputs).map_err(|_| "too many inputs".to_string())?;
	for (_, global) in module.global_variables.iter() {
		let Some(binding) = &global.binding else { continue };
		let name = global.name.as_deref().unwrap_or("<unnamed>");
		let at = format!("`{name}` (@group({}) @binding({}))", binding.group, binding.binding);
		if binding.group != 0 || binding.binding > output {
			return Err(format!(
				"{at} is not provided: a job binds its {inputs} input(s) at @group(0) \
				 @binding(0..{inputs}) and its output at @group(0) @binding({output})"
			));
		}
		let AddressSpace::Storage { access } = global.space else {
			return Err(format!("{at} must be a storage buffer (var<storage, ...>)"));
		};
		if binding.binding < output && access.contains(StorageAccess::STORE) {
			return Err(format!("{at} is an input and must be declared var<storage, read>"));
		}
		if binding.binding == output && !access.contains(StorageAccess::STORE) {
			return Err(format!(
				"{at} is the output and must be declared var<storage, read_write>"
			));
		}
	}
	Ok(module)
}

#[cfg(test)]
mod tests {
	use super::*;

	const DOUBLE: &str = "
		@group(0) @binding(0) var<storage, read> input: array<u32>;
		@group(0) @binding(1) var<storage, read_write> output: array<u32>;
		@compute @workgroup_size(64)
		fn main(@builtin(global_invocation_id) id: vec3<u32>) {
			if (id.x < arrayLength(&input)) { output[id.x] = input[id.x] * 2u; }
		}";

	#[test]
	fn accepts_a_kernel_that_binds_what_the_worker_provides() {
		assert!(check(DOUBLE, "main", 1).is_ok());
	}

	#[test]
	fn reports_syntax_errors_with_their_position() {
		let error = check("fn main( {", "main", 0).unwrap_err();
		assert!(error.contains(":1:"), "{error}");
	}

	#[test]
	fn reports_type_errors_found_by_validation() {
		let source = "@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }";
		let error = check(source, "main", 0).unwrap_err();
		assert!(error.to_lowercase().contains("error"), "{error}");
	}

	#[test]
	fn requires_the_named_compute_entry_point() {
		let error = check(DOUBLE, "other", 1).unwrap_err();
		assert!(error.contains("no @compute entry point named `other`"), "{error}");
	}

	#[test]
	fn refuses_bindings_the_worker_does_not_provide() {
		let beyond = DOUBLE.replace("@binding(1)", "@binding(2)");
		let error = check(&beyond, "main", 1).unwrap_err();
		assert!(error.contains("`output` (@group(0) @binding(2)) is not provided"), "{error}");
		let other_group = DOUBLE.replace("@group(0) @binding(1)", "@group(1) @binding(0)");
		assert!(check(&other_group, "main", 1).unwrap_err().contains("is not provided"));
	}

	#[test]
	fn requires_read_only_inputs_and_a_writable_output() {
		let writable_input =
			DOUBLE.replace("var<storage, read> input", "var<storage, read_write> input");
		assert!(check(&writable_input, "main", 1).unwrap_err().contains("is an input"));
		let read_only_output = "
			@group(0) @binding(0) var<storage, read> output: array<u32>;
			@compute @workgroup_size(1) fn main() { _ = output[0]; }";
		assert!(check(read_only_output, "main", 0).unwrap_err().contains("is the output"));
	}

	#[test]
	fn refuses_non_storage_bindings() {
		let uniform = "
			@group(0) @binding(0) var<uniform> params: vec4<u32>;
			@group(0) @binding(1) var<storage, read_write> output: array<u32>;
			@compute @workgroup_size(1) fn main() { output[0] = params.x; }";
		assert!(check(uniform, "main", 1).unwrap_err().contains("must be a storage buffer"));
	}
}
