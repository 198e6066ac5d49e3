//! Extrinsics for `ocos-runtime`, built client-side like a wallet (signed) or a worker
//! (unsigned) would.

use std::time::Duration;

use anyhow::Result;
use codec::Encode;
use ocos_runtime::{Runtime, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic};
use sp_core::{sr25519, Pair, H256};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{generic::Era, MultiAddress};

use crate::{rpc::Rpc, AccountId, Balance, Nonce, Outcome};

/// What a signature commits to besides the call, read from a node so it stays right across
/// runtime upgrades.
#[derive(Debug, Clone, Copy)]
pub struct ChainInfo {
	/// Hash of block 0.
	pub genesis_hash: H256,
	/// Runtime `specVersion`.
	pub spec_version: u32,
	/// Runtime `transactionVersion`.
	pub transaction_version: u32,
}

impl ChainInfo {
	/// Reads the genesis hash and the best block's runtime versions.
	pub async fn fetch(rpc: &Rpc) -> Result<Self> {
		let version = rpc.runtime_version().await?;
		Ok(Self {
			genesis_hash: rpc.genesis_hash().await?,
			spec_version: version.spec_version,
			transaction_version: version.transaction_version,
		})
	}
}

/// `Balances::transfer_keep_alive` of `value` to `dest`.
pub fn transfer_keep_alive(dest: AccountId, value: Balance) -> RuntimeCall {
	RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: MultiAddress::Id(dest),
		value,
	})
}

/// Encodes `call` as an immortal, tip-free transaction signed by `signer` with `nonce`.
pub fn sign(call: RuntimeCall, signer: &sr25519::Pair, nonce: Nonce, chain: &ChainInfo) -> Vec<u8> {
	sign_as(call, signer, signer.public().into(), nonce, chain)
}

/// Like [`sign`], but the transaction claims to be sent by `sender` whatever key signs it, so
/// tests can forge a bad signature.
pub fn sign_as(
	call: RuntimeCall,
	signer: &sr25519::Pair,
	sender: AccountId,
	nonce: Nonce,
	chain: &ChainInfo,
) -> Vec<u8> {
	let extension: TxExtension = (
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	);
	// The extensions' implicit data, which the runtime reads from its own storage: versions for
	// the version checks, the genesis hash for both `CheckGenesis` and the immortal `CheckEra`,
	// and no metadata hash (mode disabled).
	let implicit = (
		(),
		chain.spec_version,
		chain.transaction_version,
		chain.genesis_hash,
		chain.genesis_hash,
		(),
		(),
		(),
		None,
		(),
	);
	// `SignedPayload` encodes as the blake2-256 hash of payloads longer than 256 bytes.
	let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	UncheckedExtrinsic::new_signed(call, MultiAddress::Id(sender), signature.into(), extension)
		.encode()
}

/// Encodes `call` as an unsigned extrinsic, as workers send heartbeats and attestations (the
/// runtime's `ValidateUnsigned` checks the signature inside the call).
pub fn unsigned(call: RuntimeCall) -> Vec<u8> {
	UncheckedExtrinsic::new_bare(call).encode()
}

/// Signs `call` by the well-known account `who` with its next nonce and executes it (see
/// [`Rpc::execute`]); the outcome may be a dispatch error.
pub async fn execute(
	rpc: &Rpc,
	chain: &ChainInfo,
	who: Sr25519Keyring,
	call: RuntimeCall,
	timeout: Duration,
) -> Result<Outcome> {
	let nonce = rpc.account_next_index(&who.to_account_id()).await?;
	rpc.execute(&sign(call, &who.pair(), nonce, chain), timeout).await
}
