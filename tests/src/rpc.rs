//! Typed helpers over a node's JSON-RPC API.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use codec::{Decode, Encode};
use frame_support::traits::PalletInfoAccess;
use frame_system::Phase;
use jsonrpsee::{
	core::{
		client::{ClientT, Subscription, SubscriptionClientT},
		params::ArrayParams,
		ClientError, DeserializeOwned,
	},
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use ocos_runtime::{Runtime, RuntimeEvent};
use serde_json::Value;
use sp_core::H256;
use sp_runtime::generic::DigestItem;
use sp_runtime::DispatchError;

use crate::{AccountId, AccountInfo, Balance, EventRecord, Nonce};

/// A JSON-RPC connection to one node.
#[derive(Debug)]
pub struct Rpc {
	client: WsClient,
}

/// The parts of a block header the tests look at.
#[derive(Debug, Clone)]
pub struct Header {
	/// Hash of the parent block.
	pub parent_hash: H256,
	/// Block number.
	pub number: u32,
	/// Digest items (consensus pre-runtime data, seals, ...).
	pub digest: Vec<DigestItem>,
}

impl Header {
	/// The Aura slot the block was authored in; its author is `slot % authority count`.
	pub fn aura_slot(&self) -> Option<u64> {
		self.digest.iter().find_map(|item| item.pre_runtime_try_to::<u64>(b"aura"))
	}
}

/// Result of `system_health`.
#[derive(Debug, Clone, Copy)]
pub struct Health {
	/// Number of connected peers.
	pub peers: u64,
	/// Whether the node is catching up with the network.
	pub is_syncing: bool,
}

/// What happened to an included extrinsic.
#[derive(Debug)]
pub struct Outcome {
	/// The block that includes it.
	pub block: H256,
	/// The events it emitted, `System::ExtrinsicSuccess`/`ExtrinsicFailed` included.
	pub events: Vec<RuntimeEvent>,
}

impl Outcome {
	/// The dispatch error, if the extrinsic failed.
	pub fn error(&self) -> Option<DispatchError> {
		self.events.iter().find_map(|event| match event {
			RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error, ..
			}) => Some(*dispatch_error),
			_ => None,
		})
	}

	/// Fails with the dispatch error if the extrinsic failed.
	pub fn ensure_success(&self) -> Result<()> {
		match self.error() {
			Some(error) => bail!("extrinsic in block {:?} failed: {error:?}", self.block),
			None => Ok(()),
		}
	}
}

/// Versions a transaction commits to.
#[derive(Debug, Clone, Copy)]
pub struct RuntimeVersion {
	/// `specVersion`.
	pub spec_version: u32,
	/// `transactionVersion`.
	pub transaction_version: u32,
}

impl Rpc {
	/// Connects to a node's WebSocket RPC endpoint.
	pub async fn connect(url: &str) -> Result<Self> {
		let client = WsClientBuilder::default()
			.build(url)
			.await
			.with_context(|| format!("connecting to {url}"))?;
		Ok(Self { client })
	}

	/// The underlying client, for calls without a helper here.
	pub fn client(&self) -> &WsClient {
		&self.client
	}

	async fn call<R: DeserializeOwned>(&self, method: &str, params: ArrayParams) -> Result<R> {
		self.client.request(method, params).await.with_context(|| format!("RPC {method}"))
	}

	/// `system_health`.
	pub async fn health(&self) -> Result<Health> {
		let health: Value = self.call("system_health", rpc_params![]).await?;
		Ok(Health {
			peers: health["peers"].as_u64().context("system_health: no `peers`")?,
			is_syncing: health["isSyncing"].as_bool().context("system_health: no `isSyncing`")?,
		})
	}

	/// Number of connected peers.
	pub async fn peers(&self) -> Result<u64> {
		Ok(self.health().await?.peers)
	}

	/// The node's libp2p peer id (`system_localPeerId`).
	pub async fn local_peer_id(&self) -> Result<String> {
		self.call("system_localPeerId", rpc_params![]).await
	}

	/// The chain spec's name (`system_chain`).
	pub async fn chain_name(&self) -> Result<String> {
		self.call("system_chain", rpc_params![]).await
	}

	/// The chain spec's properties (`system_properties`): token symbol, decimals, SS58 format.
	pub async fn properties(&self) -> Result<serde_json::Map<String, Value>> {
		self.call("system_properties", rpc_params![]).await
	}

	/// Header of block `at`, or of the best block.
	pub async fn header(&self, at: Option<H256>) -> Result<Header> {
		let header: Option<Value> =
			self.call("chain_getHeader", rpc_params![at.map(hash_hex)]).await?;
		parse_header(&header.with_context(|| format!("no header for block {at:?}"))?)
	}

	/// Number of the best block.
	pub async fn best_number(&self) -> Result<u32> {
		Ok(self.header(None).await?.number)
	}

	/// Hash of the last finalized block.
	pub async fn finalized_hash(&self) -> Result<H256> {
		let hash: String = self.call("chain_getFinalizedHead", rpc_params![]).await?;
		parse_h256(&hash)
	}

	/// Number of the last finalized block.
	pub async fn finalized_number(&self) -> Result<u32> {
		Ok(self.header(Some(self.finalized_hash().await?)).await?.number)
	}

	/// Hash of the best chain's block at height `number`, if the node has one.
	pub async fn block_hash(&self, number: u32) -> Result<Option<H256>> {
		let hash: Option<String> = self.call("chain_getBlockHash", rpc_params![number]).await?;
		hash.as_deref().map(parse_h256).transpose()
	}

	/// Hash of the ancestor of block `from` at height `number`, walking back through parents.
	pub async fn ancestor(&self, from: H256, number: u32) -> Result<H256> {
		let mut hash = from;
		loop {
			let header = self.header(Some(hash)).await?;
			if header.number <= number {
				if header.number < number {
					bail!("block {from:?} is below height {number}");
				}
				return Ok(hash);
			}
			hash = header.parent_hash;
		}
	}

	/// Hash of block 0.
	pub async fn genesis_hash(&self) -> Result<H256> {
		self.block_hash(0).await?.context("node has no genesis block hash")
	}

	/// `specVersion` and `transactionVersion` of the best block's runtime.
	pub async fn runtime_version(&self) -> Result<RuntimeVersion> {
		let version: Value = self.call("state_getRuntimeVersion", rpc_params![]).await?;
		let field = |name: &str| -> Result<u32> {
			let value = version[name]
				.as_u64()
				.with_context(|| format!("runtime version has no `{name}`"))?;
			Ok(u32::try_from(value)?)
		};
		Ok(RuntimeVersion {
			spec_version: field("specVersion")?,
			transaction_version: field("transactionVersion")?,
		})
	}

	/// Next usable nonce of `who`, counting transactions in the pool (`system_accountNextIndex`).
	pub async fn account_next_index(&self, who: &AccountId) -> Result<Nonce> {
		self.call("system_accountNextIndex", rpc_params![who.to_string()]).await
	}

	/// Raw storage value under `key` at block `at` (best block if `None`).
	pub async fn storage(&self, key: &[u8], at: Option<H256>) -> Result<Option<Vec<u8>>> {
		let value: Option<String> =
			self.call("state_getStorage", rpc_params![to_hex(key), at.map(hash_hex)]).await?;
		value.as_deref().map(from_hex).transpose()
	}

	/// `System::Account` of `who` at block `at` (default, i.e. empty, if absent).
	pub async fn account(&self, who: &AccountId, at: Option<H256>) -> Result<AccountInfo> {
		let key = frame_system::Account::<Runtime>::hashed_key_for(who);
		match self.storage(&key, at).await? {
			Some(bytes) => AccountInfo::decode(&mut &bytes[..]).context("decoding System::Account"),
			None => Ok(AccountInfo::default()),
		}
	}

	/// Events deposited in block `at`.
	pub async fn events(&self, at: H256) -> Result<Vec<EventRecord>> {
		// `System::Events` is not public; its key is the standard storage-value prefix. It holds
		// `Vec<Box<EventRecord>>`, which encodes exactly like `Vec<EventRecord>`.
		let pallet = <frame_system::Pallet<Runtime> as PalletInfoAccess>::name();
		let key = frame_support::storage::storage_prefix(pallet.as_bytes(), b"Events");
		match self.storage(&key, Some(at)).await? {
			Some(bytes) => {
				Vec::<EventRecord>::decode(&mut &bytes[..]).context("decoding System::Events")
			}
			None => Ok(Vec::new()),
		}
	}

	/// Events deposited in blocks `from..=to` of the best chain, each with its block number.
	pub async fn events_in(&self, from: u32, to: u32) -> Result<Vec<(u32, EventRecord)>> {
		let mut found = Vec::new();
		for number in from..=to {
			let hash =
				self.block_hash(number).await?.with_context(|| format!("no block #{number}"))?;
			found.extend(self.events(hash).await?.into_iter().map(|record| (number, record)));
		}
		Ok(found)
	}

	/// Calls runtime API `method` (e.g. `"BillingApi_estimate_cost"`) with SCALE-encoded `args`
	/// at block `at` (best block if `None`) and decodes the answer as `R`.
	pub async fn runtime_call<R: Decode>(
		&self,
		method: &str,
		args: &[u8],
		at: Option<H256>,
	) -> Result<R> {
		let bytes: String =
			self.call("state_call", rpc_params![method, to_hex(args), at.map(hash_hex)]).await?;
		R::decode(&mut &from_hex(&bytes)?[..]).with_context(|| format!("decoding {method}"))
	}

	/// Provider node `node` as the registry's runtime API reports it, at the best block.
	pub async fn node_info(
		&self,
		node: ocos_primitives::NodeId,
	) -> Result<Option<pallet_node_registry::NodeInfo<AccountId, Balance, u32>>> {
		self.runtime_call("NodeRegistryApi_node", &node.encode(), None).await
	}

	/// The encoded extrinsics of block `at`.
	pub async fn block_extrinsics(&self, at: H256) -> Result<Vec<Vec<u8>>> {
		let block: Value = self.call("chain_getBlock", rpc_params![hash_hex(at)]).await?;
		block["block"]["extrinsics"]
			.as_array()
			.context("block has no `extrinsics`")?
			.iter()
			.map(|xt| from_hex(xt.as_str().context("extrinsic is not a string")?))
			.collect()
	}

	/// Submits an extrinsic, waits until it is in a block and returns what it did there.
	/// A dispatch failure is an [`Outcome`] too (see [`Outcome::error`]); a transaction the
	/// pool rejects is an error.
	pub async fn execute(&self, extrinsic: &[u8], timeout: Duration) -> Result<Outcome> {
		let block = self.submit_and_watch_until_in_block(extrinsic, timeout).await?;
		let index = self
			.block_extrinsics(block)
			.await?
			.iter()
			.position(|xt| xt == extrinsic)
			.with_context(|| format!("extrinsic not found in block {block:?}"))?;
		let index = u32::try_from(index)?;
		let events = self
			.events(block)
			.await?
			.into_iter()
			.filter(|record| record.phase == Phase::ApplyExtrinsic(index))
			.map(|record| record.event)
			.collect();
		Ok(Outcome { block, events })
	}

	/// Submits an encoded extrinsic (`author_submitExtrinsic`) and returns its hash. The error is
	/// the raw client error so tests can assert on a rejection's code, message and data.
	pub async fn submit(&self, extrinsic: &[u8]) -> Result<H256, ClientError> {
		let hash: String =
			self.client.request("author_submitExtrinsic", rpc_params![to_hex(extrinsic)]).await?;
		parse_h256(&hash).map_err(|e| ClientError::Custom(format!("{e:#}")))
	}

	/// Submits an encoded extrinsic and follows its status until it is in a block, returning that
	/// block's hash. Fails if the pool reports it invalid, dropped or usurped, or on timeout.
	pub async fn submit_and_watch_until_in_block(
		&self,
		extrinsic: &[u8],
		timeout: Duration,
	) -> Result<H256> {
		let mut statuses = self
			.client
			.subscribe::<Value, _>(
				"author_submitAndWatchExtrinsic",
				rpc_params![to_hex(extrinsic)],
				"author_unwatchExtrinsic",
			)
			.await
			.context("RPC author_submitAndWatchExtrinsic")?;
		let result = tokio::time::timeout(timeout, follow_until_included(&mut statuses))
			.await
			.map_err(|_| anyhow!("transaction not in a block within {timeout:?}"))?;
		// Best effort: the server may already have closed a finished subscription.
		let _ = statuses.unsubscribe().await;
		result
	}
}

/// Reads transaction statuses until one reports the block that includes the transaction.
async fn follow_until_included(statuses: &mut Subscription<Value>) -> Result<H256> {
	let mut seen = Vec::new();
	while let Some(status) = statuses.next().await {
		let status = status.context("decoding a transaction status")?;
		if let Some(block) = included_in(&status)? {
			return Ok(block);
		}
		seen.push(status);
	}
	bail!("status subscription ended before inclusion; statuses seen: {seen:?}")
}

/// Block hash from an `inBlock`/`finalized` status, `None` for progress statuses (`future`,
/// `ready`, `broadcast`, `retracted`); an error for terminal failures.
fn included_in(status: &Value) -> Result<Option<H256>> {
	match status {
		Value::String(s) if matches!(s.as_str(), "future" | "ready") => Ok(None),
		Value::Object(map) => {
			if let Some(block) = map.get("inBlock").or_else(|| map.get("finalized")) {
				return Ok(Some(parse_h256(
					block.as_str().context("block hash is not a string")?,
				)?));
			}
			if map.contains_key("broadcast") || map.contains_key("retracted") {
				return Ok(None);
			}
			bail!("transaction failed: {status}")
		}
		_ => bail!("transaction failed: {status}"),
	}
}

fn parse_header(header: &Value) -> Result<Header> {
	let number = header["number"].as_str().context("header has no `number`")?;
	let digest: Vec<DigestItem> = header["digest"]["logs"]
		.as_array()
		.context("header has no `digest.logs`")?
		.iter()
		.map(|log| {
			let bytes = from_hex(log.as_str().context("digest item is not a string")?)?;
			DigestItem::decode(&mut &bytes[..]).context("decoding a digest item")
		})
		.collect::<Result<_>>()?;
	Ok(Header {
		parent_hash: parse_h256(
			header["parentHash"].as_str().context("header has no `parentHash`")?,
		)?,
		number: u32::from_str_radix(number.trim_start_matches("0x"), 16)
			.with_context(|| format!("bad block number {number:?}"))?,
		digest,
	})
}

/// `0x`-prefixed lowercase hex.
fn to_hex(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

fn hash_hex(hash: H256) -> String {
	to_hex(hash.as_bytes())
}

/// Decodes hex with or without `0x`.
fn from_hex(s: &str) -> Result<Vec<u8>> {
	hex::decode(s.strip_prefix("0x").unwrap_or(s)).with_context(|| format!("invalid hex {s:?}"))
}

fn parse_h256(s: &str) -> Result<H256> {
	let bytes = from_hex(s)?;
	if bytes.len() != 32 {
		bail!("expected a 32-byte hash, got {s:?}");
	}
	Ok(H256::from_slice(&bytes))
}
