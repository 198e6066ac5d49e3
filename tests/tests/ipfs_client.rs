//! The worker's IPFS client against a real js-ipfs daemon, for DataVault pins: content the
//! daemon can serve is pinned, measured, read by range and unpinned; missing content and bad
//! CIDs are reported as such.

use std::time::Duration;

use anyhow::Result;
use ocos_e2e::ipfs::IpfsDaemon;
use ocos_offchain_worker::ipfs::{ContentStat, Ipfs, IpfsConfig, IpfsError};

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
	// `hello world\n`, which this offline daemon never saw.
	let absent = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
	let pinned = ipfs.pin(absent, Duration::from_secs(3)).await;
	assert!(matches!(pinned, Err(IpfsError::Unavailable(_))), "{pinned:?}");
	assert!(!daemon.pins().await?.iter().any(|pin| pin == absent));
	let bad = ipfs.pin("not-a-cid", Duration::from_secs(3)).await;
	assert!(matches!(bad, Err(IpfsError::InvalidCid(_))), "{bad:?}");
	assert!(matches!(ipfs.stat("not-a-cid").await, Err(IpfsError::InvalidCid(_))));
	Ok(())
}
