//! Builds the runtime to wasm (with the metadata hash that `CheckMetadataHash` signs over), and
//! the same runtime one `spec_version` higher for the runtime-upgrade tests.

#[cfg(feature = "std")]
fn main() {
	use substrate_wasm_builder::WasmBuilder;

	WasmBuilder::init_with_defaults().enable_metadata_hash("OCOS", 12).build();

	WasmBuilder::init_with_defaults()
		.enable_feature("increment-spec-version")
		.set_file_name("wasm_binary_spec_version_incremented.rs")
		.build();
}

/// The wasm builder is not needed when this crate itself is compiled to wasm.
#[cfg(not(feature = "std"))]
fn main() {}
