//! The worker's IPFS client: job inputs are fetched (`cat`) and outputs added and pinned
//! (`add --pin`), and DataVault content pinned (`pin/add`), measured (`files/stat`), read for
//! challenges (`cat` with offset and length) and unpinned (`pin/rm`), through a daemon's Kubo
//! RPC API with `ipfs-api-backend-hyper`. Every call has a timeout and is retried with
//! exponential backoff; an unreachable daemon is reported as [`IpfsError::Unavailable`], which
//! only delays work.

use std::{io::Cursor, str::FromStr, time::Duration};

use futures::TryStreamExt;
use ipfs_api_backend_hyper::{request::Add, IpfsApi, IpfsClient, TryFromUri};

/// Why an IPFS operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IpfsError {
	/// The daemon did not answer (down, or the content could not be found in time): try again
	/// later; it says nothing about the job.
	#[error("the IPFS daemon is unavailable: {0}")]
	Unavailable(String),
	/// The CID cannot be a CID: the job names an input no one can provide.
	#[error("`{0}` is not a valid CID")]
	InvalidCid(String),
	/// The content is larger than the worker accepts.
	#[error("{cid} is larger than {limit} bytes")]
	TooLarge {
		/// The content.
		cid: String,
		/// The worker's limit.
		limit: u64,
	},
	/// The daemon answered with an error.
	#[error("the IPFS daemon refused: {0}")]
	Refused(String),
}

/// What `files/stat` reports about a CID's content.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ContentStat {
	/// The file's size in bytes (what `cat` returns); for a directory, the size of its node.
	pub size: u64,
	/// Whether the content is a file (UnixFS `file`), not a directory.
	pub is_file: bool,
}

/// Timeouts and retries of the IPFS client.
#[derive(Clone, Copy, Debug)]
pub struct IpfsConfig {
	/// Time one call may take.
	pub timeout: Duration,
	/// Attempts per operation (at least one).
	pub attempts: u32,
	/// Wait before the first retry; doubled before each further one.
	pub backoff: Duration,
}

impl Default for IpfsConfig {
	fn default() -> Self {
		Self { timeout: Duration::from_secs(20), attempts: 3, backoff: Duration::from_millis(500) }
	}
}

/// A Kubo RPC API endpoint.
#[derive(Clone)]
pub struct Ipfs {
	client: IpfsClient,
	config: IpfsConfig,
}

impl Ipfs {
	/// A client of the API at `url` (e.g. `http://127.0.0.1:5001`).
	pub fn new(url: &str, config: IpfsConfig) -> Result<Self, IpfsError> {
		let client = <IpfsClient as TryFromUri>::from_str(url)
			.map_err(|error| IpfsError::Refused(format!("bad IPFS API URL `{url}`: {error}")))?;
		Ok(Self { client, config })
	}

	/// The daemon's version: whether it is reachable at all.
	pub async fn version(&self) -> Result<String, IpfsError> {
		self.retrying(|| async { self.client.version().await.map(|version| version.version) }).await
	}

	/// The content of `cid` (a file), at most `limit` bytes.
	pub async fn cat(&self, cid: &str, limit: u64) -> Result<Vec<u8>, IpfsError> {
		let cid = parse_cid(cid)?;
		let path = cid.to_string();
		let bytes = self
			.retrying(|| async {
				let mut stream = self.client.cat(&path);
				let mut bytes = Vec::new();
				while let Some(chunk) = stream.try_next().await? {
					bytes.extend_from_slice(&chunk);
					if bytes.len() as u64 > limit {
						break;
					}
				}
				Ok(bytes)
			})
			.await?;
		if bytes.len() as u64 > limit {
			return Err(IpfsError::TooLarge { cid: path, limit });
		}
		Ok(bytes)
	}

	/// Adds `data` as a file and pins it; returns its CID.
	pub async fn add_and_pin(&self, data: Vec<u8>) -> Result<String, IpfsError> {
		self.retrying(|| async {
			let options = Add { pin: Some(true), ..Default::default() };
			let added = self.client.add_with_options(Cursor::new(data.clone()), options).await?;
			Ok(added.hash)
		})
		.await
	}

	/// Pins `cid` recursively, fetching what the daemon lacks, within `timeout` per attempt
	/// (fetching a large DAG takes longer than one call's usual timeout).
	pub async fn pin(&self, cid: &str, timeout: Duration) -> Result<(), IpfsError> {
		let path = parse_cid(cid)?.to_string();
		self.retrying_within(timeout, || async { self.client.pin_add(&path, true).await.map(drop) })
			.await
	}

	/// The size and type of `cid`'s content (`files/stat /ipfs/<cid>`).
	pub async fn stat(&self, cid: &str) -> Result<ContentStat, IpfsError> {
		let path = format!("/ipfs/{}", parse_cid(cid)?);
		let stat = self.retrying(|| self.client.files_stat(&path)).await?;
		Ok(ContentStat { size: stat.size, is_file: stat.typ == "file" })
	}

	/// `length` bytes of the file `cid` from `offset` (fewer if the file ends first).
	pub async fn cat_range(
		&self,
		cid: &str,
		offset: u64,
		length: u32,
	) -> Result<Vec<u8>, IpfsError> {
		let path = parse_cid(cid)?.to_string();
		let offset = usize::try_from(offset)
			.map_err(|_| IpfsError::Refused(format!("offset {offset} is out of range")))?;
		let length = usize::try_from(length).unwrap_or(usize::MAX);
		self.retrying(|| async {
			let mut stream = self.client.cat_range(&path, offset, length);
			let mut bytes = Vec::new();
			while let Some(chunk) = stream.try_next().await? {
				bytes.extend_from_slice(&chunk);
			}
			bytes.truncate(length);
			Ok(bytes)
		})
		.await
	}

	/// Unpins `cid`; content that is not pinned (any more) is not an error.
	pub async fn unpin(&self, cid: &str) -> Result<(), IpfsError> {
		let path = parse_cid(cid)?.to_string();
		match self.retrying(|| async { self.client.pin_rm(&path, true).await.map(drop) }).await {
			Err(IpfsError::Refused(message)) if message.contains("not pinned") => Ok(()),
			other => other,
		}
	}

	/// Runs `call` with the timeout, retrying with backoff while the daemon is unavailable.
	async fn retrying<T, F, Fut>(&self, call: F) -> Result<T, IpfsError>
	where
		F: Fn() -> Fut,
		Fut: std::future::Future<Output = Result<T, ipfs_api_backend_hyper::Error>>,
	{
		self.retrying_within(self.config.timeout, call).await
	}

	/// [`Self::retrying`] with another timeout per attempt.
	async fn retrying_within<T, F, Fut>(&self, timeout: Duration, call: F) -> Result<T, IpfsError>
	where
		F: Fn() -> Fut,
		Fut: std::future::Future<Output = Result<T, ipfs_api_backend_hyper::Error>>,
	{
		let mut backoff = self.config.backoff;
		let mut attempt = 1;
		loop {
			let error = match tokio::time::timeout(timeout, call()).await {
				Ok(Ok(value)) => return Ok(value),
				Ok(Err(error)) => classify(error),
				Err(_) => IpfsError::Unavailable(format!("no answer in {timeout:?}")),
			};
			if !matches!(error, IpfsError::Unavailable(_)) || attempt >= self.config.attempts {
				return Err(error);
			}
			log::debug!(target: "ocos-worker", "IPFS call failed ({error}); retrying in {backoff:?}");
			tokio::time::sleep(backoff).await;
			backoff = backoff.saturating_mul(2);
			attempt += 1;
		}
	}
}

/// Parses a CID as the chain stores it (its text form).
pub fn parse_cid(text: &str) -> Result<cid::Cid, IpfsError> {
	cid::Cid::from_str(text).map_err(|_| IpfsError::InvalidCid(text.into()))
}

/// Sorts a client error: transport failures mean "unavailable", API errors "refused".
fn classify(error: ipfs_api_backend_hyper::Error) -> IpfsError {
	match error {
		ipfs_api_backend_hyper::Error::Api(api) => IpfsError::Refused(api.message),
		other => IpfsError::Unavailable(other.to_string()),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn parses_v0_and_v1_cids_and_refuses_garbage() {
		assert!(parse_cid("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o").is_ok());
		assert!(parse_cid("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e").is_ok());
		assert!(matches!(parse_cid("not-a-cid"), Err(IpfsError::InvalidCid(_))));
	}

	#[tokio::test]
	async fn an_unreachable_daemon_is_unavailable_after_the_retries() {
		// Nothing listens on port 9 (discard) of loopback here.
		let config = IpfsConfig {
			timeout: Duration::from_secs(2),
			attempts: 2,
			backoff: Duration::from_millis(10),
		};
		let ipfs = Ipfs::new("http://127.0.0.1:9", config).expect("a valid URL");
		assert!(matches!(ipfs.version().await, Err(IpfsError::Unavailable(_))));
		let cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
		assert!(matches!(ipfs.cat(cid, 1024).await, Err(IpfsError::Unavailable(_))));
		assert!(matches!(ipfs.cat("garbage", 1024).await, Err(IpfsError::InvalidCid(_))));
	}
}
