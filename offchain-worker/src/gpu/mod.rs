//! GPU execution of untrusted WGSL kernels.
//!
//! - [`validate`]: naga checks (syntax, types, entry point, bindings) with clear diagnostics;
//! - [`child`]: the child process that validates and runs one kernel with wgpu (Vulkan);
//! - [`sandbox`]: the worker's side, which starts the child under a wall-time and a memory
//!   limit and turns whatever happens into a result or a typed failure;
//! - [`driver`]: the start-up check that refuses a driver that would return wrong results.
//!
//! Buffer convention: input `i` is bound read-only at `@group(0) @binding(i)`, the output
//! read-write at `@group(0) @binding(n)` for `n` inputs.

pub mod child;
pub mod driver;
pub mod protocol;
pub mod sandbox;
pub mod validate;

pub use protocol::{Executed, Failure, Kernel};
pub use sandbox::{Run, Sandbox, SandboxConfig};
