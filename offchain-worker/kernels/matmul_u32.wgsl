// C = A × B for n×n matrices of u32, wrapping on overflow (bit-exact on every GPU).
// Inputs: dims = [n], a and b row-major. Output: c, row-major, n*n*4 bytes.
// Dispatch ceil(n/8) × ceil(n/8) workgroups.
@group(0) @binding(0) var<storage, read> dims: array<u32>;
@group(0) @binding(1) var<storage, read> a: array<u32>;
@group(0) @binding(2) var<storage, read> b: array<u32>;
@group(0) @binding(3) var<storage, read_write> c: array<u32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
	let n = dims[0];
	if (id.x >= n || id.y >= n) {
		return;
	}
	var sum: u32 = 0u;
	for (var k: u32 = 0u; k < n; k = k + 1u) {
		sum = sum + a[id.y * n + k] * b[k * n + id.x];
	}
	c[id.y * n + id.x] = sum;
}
