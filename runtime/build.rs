//! Builds the runtime to wasm (with the metadata hash that `CheckMetadataHash` signs over).

#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("OCOS", 12)
		.build();
}

/// The wasm builder is not needed when this crate itself is compiled to wasm.
#[cfg(not(feature = "std"))]
fn main() {}
