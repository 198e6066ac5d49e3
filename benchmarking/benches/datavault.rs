//! DataVault on a provider's IPFS daemon: what the worker's checked pin costs next to the
//! daemon's own add+pin, and how many storage challenges a node answers per second.
//!
//! One real js-ipfs daemon and the worker's own store (`IpfsStore`, as `ocos-node --worker`
//! uses it):
//! 1. **The daemon's own add+pin**: the files added with `add?pin=true`.
//! 2. **The worker's path**: the same kind of files (salted, so no block is shared with run 1)
//!    stored unpinned as a customer does (`add?pin=false`), then pinned by the worker's store:
//!    `files/stat` (is it a file of the ordered size?) and `pin/add`. Reported: the pin step
//!    alone and the whole path, against run 1.
//!
//! Each for many small files (200 × 4 KiB) and one large file (64 MiB).
//! 3. **Challenges**: 1 KiB at seeded offsets of the pinned files, answered by the store
//!    (`cat` with offset and length, then blake2-256 of seed ‖ bytes), one at a time and 8 at
//!    once; every answer is checked against the file's bytes.
//!
//! The smoke run (`cargo test`) uses 5 small files, 1 MiB and 20 challenges.

use std::time::{Duration, Instant};

use anyhow::{ensure, Result};
use futures::{stream, StreamExt, TryStreamExt};
use ocos_benchmarks::full_run;
use ocos_e2e::IpfsDaemon;
use ocos_offchain_worker::{
	ipfs::{Ipfs, IpfsConfig},
	store::{PinAttempt, Store},
	IpfsStore,
};
use pallet_storage::Challenge;
use sp_crypto_hashing::blake2_256;
use tokio::time::Instant as Deadline;

/// The worker's challenge length.
const CHALLENGE_LENGTH: u32 = 1024;
/// Answers read at once in the concurrent run (the worker does not limit them).
const CONCURRENT: usize = 8;

struct Sizes {
	small_files: usize,
	small_size: usize,
	large_size: usize,
	challenges: usize,
}

#[tokio::main]
async fn main() -> Result<()> {
	let sizes = if full_run() {
		Sizes { small_files: 200, small_size: 4 << 10, large_size: 64 << 20, challenges: 500 }
	} else {
		Sizes { small_files: 5, small_size: 4 << 10, large_size: 1 << 20, challenges: 20 }
	};
	let daemon = IpfsDaemon::start().await?;
	let config = IpfsConfig { timeout: Duration::from_secs(120), ..IpfsConfig::default() };
	let ipfs = Ipfs::new(&daemon.api_url(), config)?;
	let store = IpfsStore::new(ipfs.clone(), None);

	let small = |salt: u8| -> Vec<Vec<u8>> {
		(0..sizes.small_files).map(|i| file(sizes.small_size, salt, i as u64)).collect()
	};
	println!("| files | daemon add+pin | worker: store unpinned | worker: checked pin | worker path in all | overhead |");
	println!("|---|---|---|---|---|---|");
	let label = format!("{} × {} KiB", sizes.small_files, sizes.small_size >> 10);
	let pinned_small = compare(&label, &daemon, &store, small(1), small(2)).await?;
	let label = format!("1 × {} MiB", sizes.large_size >> 20);
	let large = |salt| vec![file(sizes.large_size, salt, 0)];
	let pinned_large = compare(&label, &daemon, &store, large(3), large(4)).await?;

	println!();
	println!("| challenged content | at once | challenges | answers/s | median answer |");
	println!("|---|---|---|---|---|");
	for (label, pinned) in [("small files", &pinned_small), ("large file", &pinned_large)] {
		for at_once in [1, CONCURRENT] {
			answer_challenges(label, &store, pinned, sizes.challenges, at_once).await?;
		}
	}
	Ok(())
}

/// `size` bytes unique to (`salt`, `index`), every byte position distinct within the file.
fn file(size: usize, salt: u8, index: u64) -> Vec<u8> {
	let mut bytes = Vec::with_capacity(size);
	let mut block = tag(salt, index);
	while bytes.len() < size {
		bytes.extend_from_slice(&block);
		block = blake2_256(&block);
	}
	bytes.truncate(size);
	bytes
}

/// A hash unique to (`salt`, `index`).
fn tag(salt: u8, index: u64) -> [u8; 32] {
	blake2_256(&[&[salt][..], &index.to_le_bytes()].concat())
}

/// Runs the daemon's own add+pin over `direct` and the worker's path over `customer`, prints
/// a row and returns the worker-pinned files with their CIDs.
async fn compare(
	label: &str,
	daemon: &IpfsDaemon,
	store: &IpfsStore,
	direct: Vec<Vec<u8>>,
	customer: Vec<Vec<u8>>,
) -> Result<Vec<(String, Vec<u8>)>> {
	let bytes: usize = direct.iter().map(Vec::len).sum();
	let started = Instant::now();
	for content in &direct {
		daemon.add(content).await?;
	}
	let daemon_time = started.elapsed();

	let started = Instant::now();
	let mut cids = Vec::new();
	for content in &customer {
		cids.push(daemon.put(content).await?);
	}
	let put_time = started.elapsed();
	let started = Instant::now();
	for (cid, content) in cids.iter().zip(&customer) {
		let until = Deadline::now() + Duration::from_secs(600);
		let pinned = store.pin(cid, content.len() as u64, until).await;
		ensure!(pinned == PinAttempt::Pinned(content.len() as u64), "{cid}: {pinned:?}");
	}
	let pin_time = started.elapsed();
	let pins = daemon.pins().await?;
	ensure!(cids.iter().all(|cid| pins.contains(cid)), "the worker's pins are not all listed");

	let rate = |time: Duration| {
		format!(
			"{:.2} s ({:.1} files/s, {:.1} MB/s)",
			time.as_secs_f64(),
			direct.len() as f64 / time.as_secs_f64(),
			bytes as f64 / 1e6 / time.as_secs_f64()
		)
	};
	let worker_time = put_time + pin_time;
	println!(
		"| {label} | {} | {:.2} s | {:.2} s | {} | {:+.0}% |",
		rate(daemon_time),
		put_time.as_secs_f64(),
		pin_time.as_secs_f64(),
		rate(worker_time),
		(worker_time.as_secs_f64() / daemon_time.as_secs_f64() - 1.0) * 100.0
	);
	Ok(cids.into_iter().zip(customer).collect())
}

/// Answers `count` challenges over `pinned`, `at_once` at a time, checks every answer and
/// prints a row.
async fn answer_challenges(
	label: &str,
	store: &IpfsStore,
	pinned: &[(String, Vec<u8>)],
	count: usize,
	at_once: usize,
) -> Result<()> {
	let challenges: Vec<(&String, &Vec<u8>, Challenge)> = (0..count)
		.map(|i| {
			let (cid, content) = &pinned[i % pinned.len()];
			let seed = tag(at_once as u8, i as u64);
			(cid, content, Challenge::new(i as u32, seed, content.len() as u64, CHALLENGE_LENGTH))
		})
		.collect();
	let started = Instant::now();
	let times: Vec<Duration> = stream::iter(challenges)
		.map(|(cid, content, challenge)| async move {
			let asked = Instant::now();
			let until = Deadline::now() + Duration::from_secs(60);
			let answer = store.answer(cid, &challenge, until).await.map_err(anyhow::Error::msg)?;
			let start = challenge.offset as usize;
			let expected = challenge.answer(&content[start..start + challenge.length as usize]);
			ensure!(answer == expected, "{cid}: a wrong answer at offset {start}");
			Ok::<_, anyhow::Error>(asked.elapsed())
		})
		.buffer_unordered(at_once)
		.try_collect()
		.await?;
	let total = started.elapsed();
	let micros: Vec<u64> = times.iter().map(|time| time.as_micros() as u64).collect();
	println!(
		"| {label} | {at_once} | {count} | {:.0} | {:.1} ms |",
		count as f64 / total.as_secs_f64(),
		ocos_benchmarks::median(micros) as f64 / 1000.0
	);
	Ok(())
}
