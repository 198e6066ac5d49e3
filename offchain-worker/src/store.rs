//! DataVault content on the node's IPFS daemon: pinning an order's CID once it is checked
//! against the order, answering storage challenges from its bytes, unpinning it.
//!
//! A pin is checked before anything large is fetched: `files/stat` reads only the root of the
//! DAG, so content that is not a file, or whose size differs from the order's, is refused
//! without downloading it. Failures that say something about the content become typed
//! [`PinFailure`]s to report; a daemon that is down says nothing about it, so the work waits.

use std::time::Duration;

use pallet_storage::{Challenge, PinFailure};
use tokio::time::Instant;

use crate::{
	fault::Fault,
	ipfs::{parse_cid, Ipfs, IpfsError},
};

/// What became of an attempt to pin an order's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinAttempt {
	/// Pinned; the content measured this many bytes.
	Pinned(u64),
	/// The content cannot be pinned for this order: report it.
	Failed(PinFailure),
	/// Nothing to report yet (the daemon is down or refused); the reason is logged.
	Delay(String),
}

/// The worker's seam to its content store, so the DataVault duties are testable without a
/// daemon.
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
	/// Pins `cid` if it is a file of exactly `size` bytes, giving up at `until`.
	async fn pin(&self, cid: &str, size: u64, until: Instant) -> PinAttempt;

	/// The answer to `challenge` over the bytes of `cid`, or why there is none by `until`.
	async fn answer(
		&self,
		cid: &str,
		challenge: &Challenge,
		until: Instant,
	) -> Result<[u8; 32], String>;

	/// Unpins `cid` (content not pinned is not an error).
	async fn unpin(&self, cid: &str) -> Result<(), String>;
}

/// The store on an IPFS daemon.
pub struct IpfsStore {
	ipfs: Ipfs,
	fault: Option<Fault>,
	/// Wait between attempts while the daemon is unavailable.
	retry: Duration,
}

impl IpfsStore {
	/// A store on `ipfs`.
	pub fn new(ipfs: Ipfs, fault: Option<Fault>) -> Self {
		Self { ipfs, fault, retry: Duration::from_secs(2) }
	}

	/// Runs `call` until it succeeds, fails for good, or `until` passes; an unavailable daemon
	/// or content not found yet is retried.
	async fn retry_until<T, F, Fut>(&self, until: Instant, call: F) -> Result<T, IpfsError>
	where
		F: Fn() -> Fut,
		Fut: std::future::Future<Output = Result<T, IpfsError>>,
	{
		loop {
			let error = match tokio::time::timeout_at(until, call()).await {
				Ok(Err(IpfsError::Unavailable(error))) => error,
				Ok(result) => return result,
				Err(_) => return Err(IpfsError::Unavailable("the time for it ran out".into())),
			};
			if Instant::now() + self.retry >= until {
				return Err(IpfsError::Unavailable(error));
			}
			tokio::time::sleep(self.retry).await;
		}
	}

	/// After content stayed unavailable: a daemon that answers could not find it (report
	/// it); a daemon that is down says nothing about it (wait).
	async fn unavailable(&self, cid: &str, error: IpfsError) -> PinAttempt {
		match self.ipfs.version().await {
			Ok(_) => {
				log::info!(target: "ocos-worker", "{cid} could not be fetched: {error}");
				PinAttempt::Failed(PinFailure::Unavailable)
			}
			Err(down) => PinAttempt::Delay(down.to_string()),
		}
	}
}

#[async_trait::async_trait]
impl Store for IpfsStore {
	async fn pin(&self, cid: &str, size: u64, until: Instant) -> PinAttempt {
		if parse_cid(cid).is_err() {
			return PinAttempt::Failed(PinFailure::InvalidCid);
		}
		let stat = match self.retry_until(until, || self.ipfs.stat(cid)).await {
			Ok(stat) => stat,
			Err(IpfsError::InvalidCid(_)) => return PinAttempt::Failed(PinFailure::InvalidCid),
			Err(IpfsError::Refused(message)) => {
				// The daemon has the root but cannot read it as UnixFS (raw or dag-cbor data).
				log::info!(target: "ocos-worker", "{cid} is not a file: {message}");
				return PinAttempt::Failed(PinFailure::NotAFile);
			}
			Err(error) => return self.unavailable(cid, error).await,
		};
		if !stat.is_file {
			return PinAttempt::Failed(PinFailure::NotAFile);
		}
		if stat.size != size {
			log::info!(target: "ocos-worker", "{cid} has {} bytes, the order says {size}", stat.size);
			return PinAttempt::Failed(PinFailure::SizeMismatch);
		}
		let left = until.saturating_duration_since(Instant::now());
		match self.retry_until(until, || self.ipfs.pin(cid, left)).await {
			Ok(()) => PinAttempt::Pinned(stat.size),
			Err(IpfsError::Refused(message)) => {
				// Stat read the content's root, so this is the daemon's trouble (disk full...).
				PinAttempt::Delay(format!("the daemon refused to pin {cid}: {message}"))
			}
			Err(error) => self.unavailable(cid, error).await,
		}
	}

	async fn answer(
		&self,
		cid: &str,
		challenge: &Challenge,
		until: Instant,
	) -> Result<[u8; 32], String> {
		let mut bytes = self
			.retry_until(until, || self.ipfs.cat_range(cid, challenge.offset, challenge.length))
			.await
			.map_err(|error| format!("reading the challenged bytes: {error}"))?;
		if bytes.len() != challenge.length as usize {
			return Err(format!(
				"read {} of the {} challenged bytes at offset {}",
				bytes.len(),
				challenge.length,
				challenge.offset
			));
		}
		if self.fault == Some(Fault::WrongAnswers) {
			if let Some(byte) = bytes.first_mut() {
				*byte ^= 0xff;
			}
		}
		Ok(challenge.answer(&bytes))
	}

	async fn unpin(&self, cid: &str) -> Result<(), String> {
		self.ipfs.unpin(cid).await.map_err(|error| error.to_string())
	}
}
