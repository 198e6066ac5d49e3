//! Reference kernels: the integer and f32 matrix products used by the tests, the end-to-end
//! scenarios and the GPU benchmarks, with their inputs and CPU references, and a kernel that
//! never ends.

/// `C = A × B` for n×n u32 matrices, wrapping (bit-exact on every GPU).
pub const MATMUL_U32: &str = include_str!("../kernels/matmul_u32.wgsl");
/// `C = A × B` for n×n f32 matrices.
pub const MATMUL_F32: &str = include_str!("../kernels/matmul_f32.wgsl");
/// A kernel that never ends: its loop's exit needs `out[0] == 7`, and the zeroed output
/// never is. For time-limit tests.
pub const ENDLESS: &str = "
	@group(0) @binding(0) var<storage, read_write> out: array<u32>;
	@compute @workgroup_size(1) fn main() {
		var x: u32 = 1u;
		loop { x = x * 3u + 1u; if (x == 0u && out[0] == 7u) { break; } }
		out[0] = x;
	}";
/// Side of the square workgroup of both kernels.
pub const MATMUL_WORKGROUP: u32 = 8;

/// Little-endian bytes of `words`.
pub fn to_bytes(words: &[u32]) -> Vec<u8> {
	words.iter().flat_map(|word| word.to_le_bytes()).collect()
}

/// A deterministic n×n u32 matrix (a simple generator seeded by `seed`).
pub fn matrix_u32(n: u32, seed: u32) -> Vec<u32> {
	let len = (n as usize).saturating_mul(n as usize);
	let mut x = seed;
	(0..len)
		.map(|_| {
			x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
			x >> 16
		})
		.collect()
}

/// The CPU reference of [`MATMUL_U32`].
pub fn matmul_u32(n: u32, a: &[u32], b: &[u32]) -> Vec<u32> {
	let n = n as usize;
	let mut c = vec![0u32; n.saturating_mul(n)];
	for row in 0..n {
		for col in 0..n {
			c[row * n + col] = (0..n)
				.fold(0u32, |sum, k| sum.wrapping_add(a[row * n + k].wrapping_mul(b[k * n + col])));
		}
	}
	c
}

/// The buffers of an n×n [`MATMUL_U32`] (`[n]`, A, B; fixed matrices) and the little-endian
/// bytes of its CPU reference output.
pub fn matmul_u32_case(n: u32) -> (Vec<Vec<u8>>, Vec<u8>) {
	let (a, b) = (matrix_u32(n, 1), matrix_u32(n, 2));
	let expected = to_bytes(&matmul_u32(n, &a, &b));
	(vec![to_bytes(&[n]), to_bytes(&a), to_bytes(&b)], expected)
}

/// Workgroups along each side for an n×n product.
pub fn matmul_workgroups(n: u32) -> u32 {
	n.div_ceil(MATMUL_WORKGROUP).max(1)
}
