//! Listening ports for nodes and IPFS daemons. They are taken below the kernel's ephemeral
//! range (32768 and up on Linux), where outgoing connections get their source ports: a node
//! or daemon restarted on its old port (after a stop or a crash) never finds it taken by some
//! connection made in the meantime. Each process walks its own sequence, so ports are not
//! handed out twice within a test binary.

use std::{
	net::TcpListener,
	sync::atomic::{AtomicU32, Ordering},
};

use anyhow::{bail, Result};

/// The range ports are taken from.
const FIRST: u32 = 20_000;
const LAST: u32 = 32_000;

/// How many candidates this process has tried.
static TRIED: AtomicU32 = AtomicU32::new(0);

/// `count` distinct ports that were free a moment ago.
pub fn free(count: usize) -> Result<Vec<u16>> {
	let span = LAST - FIRST;
	// Processes start at different places, so consecutive test binaries rarely reuse a port
	// that may still be in TIME_WAIT.
	let start = std::process::id().wrapping_mul(7_919) % span;
	let mut ports = Vec::with_capacity(count);
	while ports.len() < count {
		let tried = TRIED.fetch_add(1, Ordering::Relaxed);
		if tried >= span {
			bail!("no free port left in {FIRST}..{LAST}");
		}
		let port = u16::try_from(FIRST + (start + tried) % span)?;
		// Bound and released at once: the node or daemon binds it right after.
		if TcpListener::bind(("127.0.0.1", port)).is_ok() {
			ports.push(port);
		}
	}
	Ok(ports)
}
