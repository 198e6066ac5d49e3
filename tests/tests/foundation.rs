//! Foundation scenarios: block production and finality, networking, signed transfers, restarts
//! and rejection of bad input.

use std::{collections::BTreeSet, time::Duration};

use anyhow::{bail, ensure, Context, Result};
use jsonrpsee::{core::ClientError, types::ErrorObjectOwned};
use ocos_e2e::{
	start_dev, start_local_network,
	tx::{sign, sign_as, transfer_keep_alive},
	wait_best, wait_finalized, wait_peers, AccountId, BaseDir, ChainInfo, NodeBuilder,
	LOG_TAIL_LINES,
};
use ocos_runtime::{RuntimeEvent, UNIT};
use sp_core::{sr25519, Pair, H256};
use sp_keyring::Sr25519Keyring;

/// Upper bound for anything that takes a few 6 s blocks.
const TIMEOUT: Duration = Duration::from_secs(180);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_node_produces_and_finalizes_blocks() -> Result<()> {
	let node = start_dev().await?;
	let log = || node.log_tail(LOG_TAIL_LINES);
	let rpc = node.rpc().await?;

	wait_best(&rpc, 3, TIMEOUT).await.with_context(log)?;
	wait_finalized(&rpc, 2, TIMEOUT).await.with_context(log)?;

	let canonical = rpc.block_hash(2).await?.context("no block #2")?;
	let finalized = rpc.ancestor(rpc.finalized_hash().await?, 2).await?;
	ensure!(
		finalized == canonical,
		"finalized #2 {finalized:?} is not the best chain's #2 {canonical:?}"
	);
	Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_validator_local_network_peers_and_finalizes() -> Result<()> {
	let nodes = start_local_network(&["alice", "bob"]).await?;
	let logs = || nodes.iter().map(|n| n.log_tail(LOG_TAIL_LINES)).collect::<Vec<_>>().join("\n");
	let mut rpcs = Vec::new();
	for node in &nodes {
		rpcs.push(node.rpc().await?);
	}

	for (node, rpc) in nodes.iter().zip(&rpcs) {
		let peers = wait_peers(rpc, 1, TIMEOUT).await.with_context(logs)?;
		ensure!(peers == 1, "node `{}` has {peers} peers, expected exactly 1", node.name());
	}
	for rpc in &rpcs {
		wait_finalized(rpc, 3, TIMEOUT).await.with_context(logs)?;
	}
	let mut hashes = Vec::new();
	for rpc in &rpcs {
		hashes.push(rpc.block_hash(3).await?.context("no block #3")?);
	}
	ensure!(hashes[0] == hashes[1], "nodes disagree on finalized block #3: {hashes:?}");

	// Aura assigns slot `s` to authority `s % 2`; both must have authored among the first blocks.
	const BLOCKS: u32 = 6;
	wait_best(&rpcs[0], BLOCKS, TIMEOUT).await.with_context(logs)?;
	let mut authors = BTreeSet::new();
	for number in 1..=BLOCKS {
		let hash =
			rpcs[0].block_hash(number).await?.with_context(|| format!("no block #{number}"))?;
		let slot = rpcs[0]
			.header(Some(hash))
			.await?
			.aura_slot()
			.with_context(|| format!("block #{number} has no Aura slot"))?;
		authors.insert(slot % 2);
	}
	ensure!(authors.len() == 2, "blocks 1..={BLOCKS} were all authored by authority {authors:?}");
	Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_transfer_is_included_and_sender_pays_fee() -> Result<()> {
	let node = start_dev().await?;
	let log = || node.log_tail(LOG_TAIL_LINES);
	let rpc = node.rpc().await?;
	wait_best(&rpc, 1, TIMEOUT).await.with_context(log)?;
	let chain = ChainInfo::fetch(&rpc).await?;

	let alice = Sr25519Keyring::Alice.to_account_id();
	let recipient: AccountId = sr25519::Pair::generate().0.public().into();
	let amount = 10 * UNIT;
	let nonce = rpc.account_next_index(&alice).await?;
	let xt = sign(
		transfer_keep_alive(recipient.clone(), amount),
		&Sr25519Keyring::Alice.pair(),
		nonce,
		&chain,
	);
	let block = rpc.submit_and_watch_until_in_block(&xt, TIMEOUT).await.with_context(log)?;

	let events = rpc.events(block).await?;
	let transferred = events.iter().any(|record| {
		matches!(
			&record.event,
			RuntimeEvent::Balances(pallet_balances::Event::Transfer { from, to, amount: a })
				if *from == alice && *to == recipient && *a == amount
		)
	});
	ensure!(transferred, "no Balances::Transfer event in block {block:?}: {events:#?}");
	let fee = events
		.iter()
		.find_map(|record| match &record.event {
			RuntimeEvent::TransactionPayment(
				pallet_transaction_payment::Event::TransactionFeePaid { who, actual_fee, .. },
			) if *who == alice => Some(*actual_fee),
			_ => None,
		})
		.with_context(|| {
			format!("no TransactionFeePaid event for Alice in block {block:?}: {events:#?}")
		})?;
	ensure!(fee > 0, "Alice paid no fee");

	let parent = rpc.header(Some(block)).await?.parent_hash;
	let before = rpc.account(&alice, Some(parent)).await?.data.free;
	let after = rpc.account(&alice, Some(block)).await?.data.free;
	ensure!(
		before.checked_sub(after) == Some(amount + fee),
		"Alice's free balance went from {before} to {after}, expected a decrease of {amount} + fee {fee}"
	);
	let received = rpc.account(&recipient, Some(block)).await?.data.free;
	ensure!(received == amount, "recipient holds {received}, expected {amount}");
	Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_restart_resumes_from_its_database() -> Result<()> {
	let node = NodeBuilder::new().dev().base_dir(BaseDir::temp()?).start().await?;
	let rpc = node.rpc().await?;
	wait_finalized(&rpc, 3, TIMEOUT).await.with_context(|| node.log_tail(LOG_TAIL_LINES))?;
	let best = rpc.best_number().await?;
	let best_hash = rpc.block_hash(best).await?.with_context(|| format!("no block #{best}"))?;
	drop(rpc);
	let base = node.stop().await?;

	let node = NodeBuilder::new().dev().base_dir(base).start().await?;
	let log = || node.log_tail(LOG_TAIL_LINES);
	let rpc = node.rpc().await?;
	let resumed = rpc.best_number().await?;
	ensure!(
		resumed >= best,
		"restarted node is at #{resumed}, below #{best} before the restart\n{}",
		log()
	);
	let hash = rpc.block_hash(best).await?;
	ensure!(
		hash == Some(best_hash),
		"block #{best} is {hash:?} after the restart, was {best_hash:?}"
	);
	wait_finalized(&rpc, best + 2, TIMEOUT).await.with_context(log)?;
	Ok(())
}

/// The JSON-RPC error object of a rejected submission.
fn rejection(result: Result<H256, ClientError>) -> Result<ErrorObjectOwned> {
	match result {
		Err(ClientError::Call(error)) => Ok(error),
		Err(other) => bail!("expected a JSON-RPC error, got: {other}"),
		Ok(hash) => bail!("the extrinsic was accepted as {hash:?}"),
	}
}

/// Asserts a transaction-pool rejection (code 1010) whose data mentions `reason`.
fn ensure_invalid_transaction(error: &ErrorObjectOwned, reason: &str) -> Result<()> {
	let data = error.data().map(|d| d.get()).unwrap_or_default();
	ensure!(
		error.code() == 1010 && data.contains(reason),
		"expected 1010 `{reason}`, got {error:?}"
	);
	Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rpc_input_is_rejected_and_blocks_continue() -> Result<()> {
	let node = start_dev().await?;
	let log = || node.log_tail(LOG_TAIL_LINES);
	let rpc = node.rpc().await?;
	wait_best(&rpc, 1, TIMEOUT).await.with_context(log)?;
	let chain = ChainInfo::fetch(&rpc).await?;
	let bob = Sr25519Keyring::Bob.to_account_id();

	// Bytes that do not decode as an extrinsic.
	let garbage = rejection(rpc.submit(&[0x12, 0x34]).await)?;
	ensure!(
		garbage.message().contains("Could not decode"),
		"expected a decoding error for garbage, got {garbage:?}"
	);

	// A well-formed transfer from an account that holds nothing.
	let (unfunded, _) = sr25519::Pair::generate();
	let xt = sign(transfer_keep_alive(bob.clone(), UNIT), &unfunded, 0, &chain);
	ensure_invalid_transaction(&rejection(rpc.submit(&xt).await)?, "Inability to pay")?;

	// Alice as sender, but signed with Bob's key.
	let alice = Sr25519Keyring::Alice.to_account_id();
	let nonce = rpc.account_next_index(&alice).await?;
	let xt =
		sign_as(transfer_keep_alive(bob, UNIT), &Sr25519Keyring::Bob.pair(), alice, nonce, &chain);
	ensure_invalid_transaction(&rejection(rpc.submit(&xt).await)?, "bad signature")?;

	// The node is unaffected.
	let best = rpc.best_number().await?;
	let finalized = rpc.finalized_number().await?;
	wait_best(&rpc, best + 2, TIMEOUT).await.with_context(log)?;
	wait_finalized(&rpc, finalized + 1, TIMEOUT).await.with_context(log)?;
	Ok(())
}
