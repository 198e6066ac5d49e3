//! DataVault pins from a customer's point of view: place, renew and end orders, follow them
//! through the runtime API, and collect the pallet's events.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use codec::Encode;
use frame_support::BoundedVec;
use ocos_runtime::{Balance, Runtime, RuntimeCall, RuntimeEvent};
use pallet_storage::{PinId, PinStatus};
use sp_keyring::Sr25519Keyring;

use crate::{
	rpc::{Outcome, Rpc},
	tx::{self, ChainInfo},
	wait::{until, Check},
};

/// A pin order as the runtime API reports it.
pub type Pin = pallet_storage::Pin<Runtime>;
/// One of the pallet's events.
pub type Event = pallet_storage::Event<Runtime>;

/// Time for a signed extrinsic to be included.
const INCLUSION: Duration = Duration::from_secs(60);

/// Places a pin order as `who`; the outcome may be a dispatch error.
#[allow(clippy::too_many_arguments)]
pub async fn try_pin(
	rpc: &Rpc,
	chain: &ChainInfo,
	who: Sr25519Keyring,
	cid: &str,
	size: u64,
	replication: u32,
	epochs: u32,
	max_budget: Balance,
) -> Result<Outcome> {
	let cid = BoundedVec::try_from(cid.as_bytes().to_vec()).ok().context("CID too long")?;
	let call = RuntimeCall::DataVault(pallet_storage::Call::pin {
		cid,
		size,
		replication,
		epochs,
		max_budget,
	});
	tx::execute(rpc, chain, who, call, INCLUSION).await
}

/// Places a pin order as `who` and returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn pin(
	rpc: &Rpc,
	chain: &ChainInfo,
	who: Sr25519Keyring,
	cid: &str,
	size: u64,
	replication: u32,
	epochs: u32,
	max_budget: Balance,
) -> Result<PinId> {
	let outcome = try_pin(rpc, chain, who, cid, size, replication, epochs, max_budget).await?;
	outcome.ensure_success()?;
	outcome
		.events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::DataVault(Event::PinPlaced { pin, .. }) => Some(*pin),
			_ => None,
		})
		.context("no PinPlaced event")
}

/// Renews pin `id` by `epochs` with `extra_budget`, as `who`.
pub async fn renew(
	rpc: &Rpc,
	chain: &ChainInfo,
	who: Sr25519Keyring,
	id: PinId,
	epochs: u32,
	extra_budget: Balance,
) -> Result<()> {
	let call =
		RuntimeCall::DataVault(pallet_storage::Call::renew { pin: id, epochs, extra_budget });
	tx::execute(rpc, chain, who, call, INCLUSION).await?.ensure_success()
}

/// The pin order `id` at the best block.
pub async fn pin_record(rpc: &Rpc, id: PinId) -> Result<Option<Pin>> {
	rpc.runtime_call("DataVaultApi_pin", &id.encode(), None).await
}

/// Waits until pin `id` satisfies `done` (named `what`) and returns it.
pub async fn wait_pin(
	rpc: &Rpc,
	id: PinId,
	what: &str,
	timeout: Duration,
	done: impl Fn(&Pin) -> bool,
) -> Result<Pin> {
	let done = &done;
	until(&format!("pin {id}: {what}"), timeout, Duration::from_secs(1), || async move {
		let Some(record) = pin_record(rpc, id).await? else { bail!("pin {id} does not exist") };
		Ok(if done(&record) { Check::Done(record) } else { Check::Pending(format!("{record:?}")) })
	})
	.await
}

/// Waits until pin `id` has ended and returns it.
pub async fn wait_ended(rpc: &Rpc, id: PinId, timeout: Duration) -> Result<Pin> {
	wait_pin(rpc, id, "ended", timeout, |record| matches!(record.status, PinStatus::Ended(_))).await
}

/// The pallet's events in blocks `from..=to`, with their block numbers.
pub async fn events(rpc: &Rpc, from: u32, to: u32) -> Result<Vec<(u32, Event)>> {
	Ok(rpc
		.events_in(from, to)
		.await?
		.into_iter()
		.filter_map(|(block, record)| match record.event {
			RuntimeEvent::DataVault(event) => Some((block, event)),
			_ => None,
		})
		.collect())
}
