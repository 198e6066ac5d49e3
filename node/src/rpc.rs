//! The node's own RPC methods, beside the standard ones `sc-service` installs
//! (`system_*`, `chain_*`, `state_*`, `author_*`): account nonces, fee queries and the
//! `ocos_*` methods of [`crate::ocos_rpc`].

use std::sync::Arc;

use jsonrpsee::RpcModule;
use ocos_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Nonce};
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// What the RPC methods need from the node.
pub struct FullDeps<C, P> {
	pub client: Arc<C>,
	pub pool: Arc<P>,
}

/// Account nonces (`system_accountNextIndex`), fee queries (`payment_*`) and `ocos_*`.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: pallet_compute_runtime_api::ComputeApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: pallet_storage_runtime_api::DataVaultApi<
		Block,
		pallet_storage::Pin<ocos_runtime::Runtime>,
		BlockNumber,
	>,
	P: TransactionPool + 'static,
{
	use crate::ocos_rpc::{Ocos, OcosApiServer};
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let FullDeps { client, pool } = deps;
	let mut module = RpcModule::new(());
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(Ocos::new(client).into_rpc())?;
	Ok(module)
}
