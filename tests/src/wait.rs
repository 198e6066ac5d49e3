//! Polling for chain conditions. Timeouts are generous upper bounds, never timing assertions.

use std::{future::Future, time::Duration};

use anyhow::{bail, Context, Result};
use tokio::time::{sleep, Instant};

use crate::rpc::Rpc;

/// Poll interval of the conveniences below (blocks are 6 s apart).
const POLL: Duration = Duration::from_millis(500);

/// Outcome of one poll.
#[derive(Debug)]
pub enum Check<T> {
	/// The condition holds; stop waiting.
	Done(T),
	/// Not yet; describes what was observed, quoted if the wait times out.
	Pending(String),
}

/// Calls `check` every `poll` until it returns [`Check::Done`], failing when `timeout` elapses
/// (naming `what` and the last observation) or as soon as `check` itself fails.
pub async fn until<F, Fut, T>(
	what: &str,
	timeout: Duration,
	poll: Duration,
	mut check: F,
) -> Result<T>
where
	F: FnMut() -> Fut,
	Fut: Future<Output = Result<Check<T>>>,
{
	let deadline = Instant::now() + timeout;
	loop {
		match check().await.with_context(|| format!("while waiting for {what}"))? {
			Check::Done(value) => return Ok(value),
			Check::Pending(observed) if Instant::now() >= deadline => {
				bail!("timed out after {timeout:?} waiting for {what}; last observed: {observed}")
			}
			Check::Pending(_) => sleep(poll).await,
		}
	}
}

/// Waits until the best block is at least `number`; returns the best block number seen.
pub async fn wait_best(rpc: &Rpc, number: u32, timeout: Duration) -> Result<u32> {
	until(&format!("best block >= #{number}"), timeout, POLL, || async move {
		let best = rpc.best_number().await?;
		Ok(if best >= number { Check::Done(best) } else { Check::Pending(format!("best #{best}")) })
	})
	.await
}

/// Waits until the finalized block is at least `number`; returns the finalized number seen.
pub async fn wait_finalized(rpc: &Rpc, number: u32, timeout: Duration) -> Result<u32> {
	until(&format!("finalized block >= #{number}"), timeout, POLL, || async move {
		let finalized = rpc.finalized_number().await?;
		Ok(if finalized >= number {
			Check::Done(finalized)
		} else {
			Check::Pending(format!("finalized #{finalized}"))
		})
	})
	.await
}

/// Waits until the node has at least `count` peers; returns the peer count seen.
pub async fn wait_peers(rpc: &Rpc, count: u64, timeout: Duration) -> Result<u64> {
	until(&format!(">= {count} peers"), timeout, POLL, || async move {
		let peers = rpc.peers().await?;
		Ok(if peers >= count {
			Check::Done(peers)
		} else {
			Check::Pending(format!("{peers} peers"))
		})
	})
	.await
}
