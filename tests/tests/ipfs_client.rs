//! The worker's IPFS client and DataVault store against a real js-ipfs daemon: content the
//! daemon can serve is pinned, measured, read by range and unpinned; missing content and bad
//! CIDs are reported as such; pins are checked against the order and challenges answered.

use std::time::Duration;

use anyhow::Result;
use ocos_e2e::ipfs::IpfsDaemon;
use ocos_offchain_worker::{
	ipfs::{ContentStat, Ipfs, IpfsConfig, IpfsError},
	store::{PinAttempt, Store},
	Fault, IpfsStore,
};
use pallet_storage::{Challenge, PinFailure};
use tokio::time::Instant;

/// `hello world\n`, which these offline daemons never saw.
const ABSENT: &str = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

/// The worker's client of `daemon`, with short timeouts.
fn client(daemon: &IpfsDaemon) -> Result<Ipfs> {
	let config = IpfsConfig {
		timeout: Duration::from_secs(10),
		attempts: 2,
		backoff: Duration::from_millis(200),
	};
	Ok(Ipfs::new(&daemon.api_url(), config)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_is_pinned_measured_read_by_range_and_unpinned() -> Result<()> {
	let daemon = IpfsDaemon::start().await?;
	let ipfs = client(&daemon)?;
	// 300 KiB: more than one 256 KiB chunk, so a range can cross a block boundary.
	let content: Vec<u8> = (0..300 * 1024u32).map(|i| (i % 251) as u8).collect();
	let cid = daemon.put(&content).await?;
	assert!(!daemon.pins().await?.contains(&cid), "stored unpinned");

	ipfs.pin(&cid, Duration::from_secs(30)).await?;
	assert!(daemon.pins().await?.contains(&cid));
	let size = content.len() as u64;
	assert_eq!(ipfs.stat(&cid).await?, ContentStat { size, is_file: true });
	for (offset, length) in [(0u64, 16u32), (262_000, 1024), (size - 10, 1024)] {
		let range = ipfs.cat_range(&cid, offset, length).await?;
		let start = offset as usize;
		let end = (start + length as usize).min(content.len());
		assert_eq!(range, content[start..end], "{length} bytes at {offset}");
	}

	ipfs.unpin(&cid).await?;
	assert!(!daemon.pins().await?.contains(&cid));
	// Unpinning what is not pinned is harmless.
	ipfs.unpin(&cid).await?;
	Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_content_and_bad_cids_are_reported_as_such() -> Result<()> {
	let daemon = IpfsDaemon::start().await?;
	let ipfs = client(&daemon)?;
	let pinned = ipfs.pin(ABSENT, Duration::from_secs(3)).await;
	assert!(matches!(pinned, Err(IpfsError::Unavailable(_))), "{pinned:?}");
	assert!(!daemon.pins().await?.iter().any(|pin| pin == ABSENT));
	let bad = ipfs.pin("not-a-cid", Duration::from_secs(3)).await;
	assert!(matches!(bad, Err(IpfsError::InvalidCid(_))), "{bad:?}");
	assert!(matches!(ipfs.stat("not-a-cid").await, Err(IpfsError::InvalidCid(_))));
	Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_pins_only_what_matches_the_order_and_answers_challenges() -> Result<()> {
	let mut daemon = IpfsDaemon::start().await?;
	let store = IpfsStore::new(client(&daemon)?, None);
	let content: Vec<u8> = (0..5_000u32).map(|i| (i % 241) as u8).collect();
	let cid = daemon.put(&content).await?;
	let directory = daemon.empty_directory("not-a-file").await?;
	let soon = || Instant::now() + Duration::from_secs(20);

	// Refused before anything is pinned: a size that lies, a directory, a malformed CID.
	assert_eq!(store.pin(&cid, 4_000, soon()).await, PinAttempt::Failed(PinFailure::SizeMismatch));
	assert_eq!(store.pin(&directory, 4, soon()).await, PinAttempt::Failed(PinFailure::NotAFile));
	assert_eq!(store.pin("QmNotACid", 5, soon()).await, PinAttempt::Failed(PinFailure::InvalidCid));
	// Content the daemon (up) cannot find in time.
	let deadline = Instant::now() + Duration::from_secs(5);
	assert_eq!(store.pin(ABSENT, 12, deadline).await, PinAttempt::Failed(PinFailure::Unavailable));
	assert!(daemon.pins().await?.is_empty(), "nothing was pinned");

	assert_eq!(store.pin(&cid, 5_000, soon()).await, PinAttempt::Pinned(5_000));
	assert_eq!(daemon.pins().await?, vec![cid.clone()]);

	// The honest answer hashes the challenged bytes; the faulty store's differs.
	let challenge = Challenge::new(1, [7; 32], 5_000, 1024);
	let start = challenge.offset as usize;
	let honest = challenge.answer(&content[start..start + 1024]);
	assert_eq!(store.answer(&cid, &challenge, soon()).await, Ok(honest));
	let liar = IpfsStore::new(client(&daemon)?, Some(Fault::WrongAnswers));
	let lie = liar.answer(&cid, &challenge, soon()).await;
	assert!(matches!(lie, Ok(hash) if hash != honest), "{lie:?}");

	store.unpin(&cid).await.map_err(anyhow::Error::msg)?;
	assert!(daemon.pins().await?.is_empty());

	// A daemon that is down says nothing about the content: nothing to report.
	daemon.stop().await?;
	let deadline = Instant::now() + Duration::from_secs(5);
	assert!(matches!(store.pin(&cid, 5_000, deadline).await, PinAttempt::Delay(_)));
	let deadline = Instant::now() + Duration::from_secs(5);
	assert!(store.answer(&cid, &challenge, deadline).await.is_err());
	Ok(())
}
