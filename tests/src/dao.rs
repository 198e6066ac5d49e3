//! Passing a DAO proposal on a development chain the way token holders do: one account
//! proposes, others vote, anyone closes after the voting period, and the scheduler enacts it.

use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use codec::Encode;
use frame_support::traits::Bounded;
use ocos_runtime::{RuntimeCall, RuntimeEvent, UNIT};
use sp_keyring::Sr25519Keyring;
use sp_runtime::DispatchResult;

use crate::{rpc::Rpc, tx::execute, wait::wait_best, Balance, ChainInfo, Outcome};

/// Each voter's stake: two of them pass the development chains' 10% quorum.
pub const VOTE: Balance = 500_000 * UNIT;

/// [`execute`] that requires the call to succeed.
pub async fn execute_ok(
	rpc: &Rpc,
	chain: &ChainInfo,
	who: Sr25519Keyring,
	call: RuntimeCall,
	timeout: Duration,
) -> Result<Outcome> {
	let outcome = execute(rpc, chain, who, call, timeout).await?;
	outcome.ensure_success()?;
	Ok(outcome)
}

/// Proposes `call` (inline) as Bob, votes aye with Alice's and Charlie's [`VOTE`], closes it
/// once voting ends and waits for its enactment; returns the result the DAO reported in
/// `Enacted`.
pub async fn pass(
	rpc: &Rpc,
	chain: &ChainInfo,
	call: RuntimeCall,
	timeout: Duration,
) -> Result<DispatchResult> {
	let inline = call.encode().try_into().map_err(|_| anyhow!("call too large to inline"))?;
	let propose = RuntimeCall::Dao(pallet_dao::Call::propose {
		call: Box::new(Bounded::Inline(inline)),
		description: b"end-to-end test proposal"
			.to_vec()
			.try_into()
			.map_err(|_| anyhow!("long"))?,
	});
	let proposed = execute_ok(rpc, chain, Sr25519Keyring::Bob, propose, timeout).await?;
	let (index, end) = proposed
		.events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::Dao(pallet_dao::Event::Proposed { index, end, .. }) => {
				Some((*index, *end))
			}
			_ => None,
		})
		.with_context(|| format!("no Proposed event: {:#?}", proposed.events))?;

	for voter in [Sr25519Keyring::Alice, Sr25519Keyring::Charlie] {
		let vote = RuntimeCall::Dao(pallet_dao::Call::vote { index, aye: true, amount: VOTE });
		execute_ok(rpc, chain, voter, vote, timeout).await?;
	}

	wait_best(rpc, end, timeout).await?;
	let close = RuntimeCall::Dao(pallet_dao::Call::close { index });
	let closed = execute_ok(rpc, chain, Sr25519Keyring::Bob, close, timeout).await?;
	let enact_at = closed
		.events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::Dao(pallet_dao::Event::Passed { index: i, enact_at, .. })
				if *i == index =>
			{
				Some(*enact_at)
			}
			_ => None,
		})
		.with_context(|| format!("proposal {index} did not pass: {:#?}", closed.events))?;

	wait_best(rpc, enact_at, timeout).await?;
	let hash = rpc.block_hash(enact_at).await?.context("enactment block not found")?;
	let events = rpc.events(hash).await?;
	let result = events
		.iter()
		.find_map(|record| match &record.event {
			RuntimeEvent::Dao(pallet_dao::Event::Enacted { index: i, result }) if *i == index => {
				Some(*result)
			}
			_ => None,
		})
		.with_context(|| format!("no Enacted event in block {enact_at}: {events:#?}"))?;
	Ok(result)
}
