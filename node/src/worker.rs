//! `--worker`: the provider's off-chain worker, wired into the node. The worker library
//! (`ocos-offchain-worker`) holds the logic; this module gives it the chain ([`ClientChain`]:
//! runtime API calls at the best block, unsigned transactions into the pool), the keystore,
//! the GPU child process (this executable's `gpu-exec` subcommand), the IPFS daemon and the
//! stream of best blocks. The worker runs as a non-essential task: whatever happens to it, the node goes on.

use std::{sync::Arc, time::Duration};

use codec::{Decode, Encode};
use futures::{future, StreamExt};
use ocos_offchain_worker::{
	chain::{
		BlockNumber, Chain, ChainError, SignedAttestation, SignedReport, StorageWork, WorkItem,
	},
	datavault::VaultConfig,
	gpu::{driver, Sandbox, SandboxConfig},
	ipfs::{Ipfs, IpfsConfig},
	keys::Signer,
	Fault, IpfsStore, JobLimits, JobRunner, Journals, Worker, WorkerConfig,
};
use ocos_primitives::{NodeId, WorkerKey, WORKER_KEY_TYPE};
use ocos_runtime::{
	opaque::Block, AccountId, Balance, Runtime, RuntimeCall, UncheckedExtrinsic,
	MILLI_SECS_PER_BLOCK,
};
use pallet_compute_runtime_api::ComputeApi;
use pallet_node_registry::{Heartbeat, WorkerInfo};
use pallet_node_registry_runtime_api::NodeRegistryApi;
use pallet_storage_runtime_api::DataVaultApi;
use sc_client_api::BlockchainEvents;
use sc_service::{Configuration, SpawnTaskHandle};
use sc_transaction_pool_api::{TransactionPool, TransactionSource};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_consensus::BlockOrigin;
use sp_core::sr25519;
use sp_keystore::KeystorePtr;
use sp_runtime::{traits::Header, OpaqueExtrinsic};

use crate::cli::{WorkerFault, WorkerParams};

/// A worker checked and ready to start with the node.
pub struct PreparedWorker {
	runner: JobRunner,
	store: IpfsStore,
	journals: Journals,
	config: WorkerConfig,
	/// `--alice`, `--bob`, `--dev`...: the development seed whose `//worker` key the worker
	/// uses when the keystore has none (the development presets register it).
	dev_seed: Option<String>,
}

/// Checks the GPU (a probe kernel that truncating drivers get wrong) and opens the journals
/// under the chain's data directory. Fails with an error that names the fix.
pub async fn prepare(
	params: &WorkerParams,
	config: &Configuration,
) -> Result<PreparedWorker, String> {
	let program = std::env::current_exe()
		.map_err(|error| format!("--worker: cannot locate this executable: {error}"))?;
	let sandbox = Sandbox::new(SandboxConfig {
		program,
		args: vec!["gpu-exec".into()],
		wall_time: Duration::from_secs(params.worker_job_timeout.max(1)),
		memory_limit: params.worker_memory_limit.saturating_mul(1 << 20),
	});
	let adapter = driver::check(&sandbox).await.map_err(|error| format!("--worker: {error}"))?;
	let ipfs = Ipfs::new(&params.ipfs_api, IpfsConfig::default())
		.map_err(|error| format!("--ipfs-api: {error}"))?;
	match ipfs.version().await {
		Ok(version) => log::info!(target: "ocos-worker", "IPFS {version} at {}", params.ipfs_api),
		// Not fatal: jobs and pins wait until the daemon answers.
		Err(error) => {
			log::warn!(target: "ocos-worker", "{} ({error}); jobs and pins wait for it", params.ipfs_api)
		}
	}
	let directory = config.data_path.join("worker");
	std::fs::create_dir_all(&directory)
		.map_err(|error| format!("--worker: cannot create {}: {error}", directory.display()))?;
	let journals = Journals::open(&directory).map_err(|error| error.to_string())?;
	log::info!(
		target: "ocos-worker",
		"worker ready on GPU {adapter}; {} journaled attestation(s), {} journaled storage \
		 report(s), {} DataVault pin(s) held",
		journals.attestations.len(),
		journals.reports.len(),
		journals.holdings.len(),
	);
	let fault = params.worker_fault.map(|fault| match fault {
		WorkerFault::CorruptOutput => Fault::CorruptOutput,
		WorkerFault::WrongAnswers => Fault::WrongAnswers,
	});
	if let Some(fault) = fault {
		log::warn!(target: "ocos-worker", "TEST FAULT ENABLED: {fault:?}");
	}
	let vault = VaultConfig {
		block_time: Duration::from_millis(MILLI_SECS_PER_BLOCK),
		pin_concurrency: params.worker_pin_concurrency.max(1),
		..Default::default()
	};
	Ok(PreparedWorker {
		runner: JobRunner::new(ipfs.clone(), sandbox, JobLimits::default(), fault),
		store: IpfsStore::new(ipfs, fault),
		journals,
		config: WorkerConfig {
			concurrency: params.worker_concurrency.max(1),
			vault,
			..Default::default()
		},
		dev_seed: config.dev_key_seed.clone(),
	})
}

/// Starts the worker on every new best block imported after the initial sync.
pub fn spawn<C, P>(
	prepared: PreparedWorker,
	client: Arc<C>,
	pool: Arc<P>,
	keystore: KeystorePtr,
	spawner: &SpawnTaskHandle,
) where
	C: ChainClient,
	C::Api: WorkerApis,
	P: TransactionPool<Block = Block> + 'static,
{
	let blocks = client.import_notification_stream().filter_map(|notification| {
		let serve =
			notification.is_new_best && notification.origin != BlockOrigin::NetworkInitialSync;
		future::ready(serve.then(|| *notification.header.number()))
	});
	let PreparedWorker { runner, store, journals, config, dev_seed } = prepared;
	if let Some(seed) = dev_seed {
		insert_dev_worker_key(&keystore, &seed);
	}
	let chain = Arc::new(ClientChain { client, pool });
	let worker = Worker::new(chain, Arc::new(runner), Arc::new(store), keystore, journals, config);
	spawner.spawn("ocos-worker", Some("worker"), worker.run(blocks));
}

/// Inserts the development worker key `{seed}//worker` into a keystore without worker keys.
fn insert_dev_worker_key(keystore: &KeystorePtr, seed: &str) {
	if !Signer::keys(keystore).is_empty() {
		return;
	}
	let suri = format!("{seed}//worker");
	match keystore.sr25519_generate_new(WORKER_KEY_TYPE, Some(&suri)) {
		Ok(public) => log::info!(target: "ocos-worker", "development worker key {suri}: {public}"),
		Err(error) => log::warn!(target: "ocos-worker", "cannot insert {suri}: {error}"),
	}
}

/// What the worker needs of the client.
pub trait ChainClient:
	ProvideRuntimeApi<Block> + HeaderBackend<Block> + BlockchainEvents<Block> + Send + Sync + 'static
{
}
impl<C> ChainClient for C where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ BlockchainEvents<Block>
		+ Send
		+ Sync
		+ 'static
{
}

/// The runtime APIs the worker calls.
pub trait WorkerApis:
	NodeRegistryApi<Block, AccountId, Balance, BlockNumber>
	+ ComputeApi<Block, AccountId, Balance, BlockNumber>
	+ DataVaultApi<Block, pallet_storage::Pin<Runtime>, BlockNumber>
{
}
impl<A> WorkerApis for A where
	A: NodeRegistryApi<Block, AccountId, Balance, BlockNumber>
		+ ComputeApi<Block, AccountId, Balance, BlockNumber>
		+ DataVaultApi<Block, pallet_storage::Pin<Runtime>, BlockNumber>
{
}

/// The chain as the node's client and transaction pool see it.
pub struct ClientChain<C, P> {
	client: Arc<C>,
	pool: Arc<P>,
}

impl<C, P> ClientChain<C, P>
where
	C: ChainClient,
	P: TransactionPool<Block = Block> + 'static,
{
	/// Puts `call` into the pool as an unsigned transaction, validated at the best block.
	async fn submit(&self, call: RuntimeCall) -> Result<(), ChainError> {
		let extrinsic = UncheckedExtrinsic::new_bare(call).encode();
		let extrinsic = OpaqueExtrinsic::decode(&mut &extrinsic[..])
			.map_err(|error| ChainError(format!("encoding the transaction: {error}")))?;
		let best = self.client.info().best_hash;
		self.pool
			.submit_one(best, TransactionSource::Local, extrinsic)
			.await
			.map(|_| ())
			.map_err(|error| ChainError(format!("the pool refused the transaction: {error}")))
	}
}

fn api_error(error: sp_api::ApiError) -> ChainError {
	ChainError(format!("runtime API: {error}"))
}

#[async_trait::async_trait]
impl<C, P> Chain for ClientChain<C, P>
where
	C: ChainClient,
	C::Api: WorkerApis,
	P: TransactionPool<Block = Block> + 'static,
{
	async fn worker(&self, key: WorkerKey) -> Result<Option<WorkerInfo<BlockNumber>>, ChainError> {
		let best = self.client.info().best_hash;
		NodeRegistryApi::worker(&*self.client.runtime_api(), best, key).map_err(api_error)
	}

	async fn pending_work(&self, node: NodeId) -> Result<Vec<WorkItem>, ChainError> {
		let best = self.client.info().best_hash;
		self.client.runtime_api().pending_work(best, node).map_err(api_error)
	}

	async fn submit_heartbeat(
		&self,
		heartbeat: Heartbeat<BlockNumber>,
		signature: [u8; 64],
	) -> Result<(), ChainError> {
		let signature = sr25519::Signature::from_raw(signature);
		self.submit(RuntimeCall::NodeRegistry(pallet_node_registry::Call::heartbeat {
			heartbeat,
			signature,
		}))
		.await
	}

	async fn submit_attestation(&self, attestation: SignedAttestation) -> Result<(), ChainError> {
		let call = attest_call(&attestation)?;
		self.submit(call).await
	}

	async fn storage_work(&self, node: NodeId) -> Result<Vec<StorageWork>, ChainError> {
		let best = self.client.info().best_hash;
		self.client.runtime_api().node_work(best, node).map_err(api_error)
	}

	async fn submit_storage_report(&self, report: SignedReport) -> Result<(), ChainError> {
		self.submit(report_call(report)).await
	}
}

/// The `dataVault.report` call carrying `report`.
fn report_call(signed: SignedReport) -> RuntimeCall {
	RuntimeCall::DataVault(pallet_storage::Call::report {
		report: signed.report,
		signature: sr25519::Signature::from_raw(signed.signature),
	})
}

/// The `compute.attest` call carrying `attestation`.
fn attest_call(attestation: &SignedAttestation) -> Result<RuntimeCall, ChainError> {
	let bytes = attestation.attestation_bytes();
	let decoded =
		pallet_compute::Attestation::<Runtime>::decode(&mut &bytes[..]).map_err(|error| {
			ChainError(format!("the attestation exceeds the runtime's bounds: {error}"))
		})?;
	Ok(RuntimeCall::Compute(pallet_compute::Call::attest {
		attestation: decoded,
		signature: sr25519::Signature::from_raw(attestation.signature),
	}))
}

#[cfg(test)]
mod tests {
	use super::*;
	use ocos_offchain_worker::chain::signing_payload;
	use pallet_compute::{FailureKind, OutcomeInfo};

	/// The worker signs what the runtime verifies, for both kinds of outcome.
	#[test]
	fn the_worker_signs_the_runtime_attestation_payload() {
		let outcomes = [
			OutcomeInfo::Completed {
				output_cid: b"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o".to_vec(),
				output_hash: [9; 32],
				gpu_millis: 1_500,
			},
			OutcomeInfo::Failed(FailureKind::Timeout),
		];
		for outcome in outcomes {
			let signed =
				SignedAttestation { job: 3, node: 5, outcome: outcome.clone(), signature: [1; 64] };
			let RuntimeCall::Compute(pallet_compute::Call::attest { attestation, .. }) =
				attest_call(&signed).expect("within bounds")
			else {
				panic!("not an attest call");
			};
			assert_eq!((attestation.job, attestation.node), (3, 5));
			assert_eq!(attestation.outcome.info(), outcome);
			assert_eq!(attestation.signing_payload(), signing_payload(3, 5, &outcome));
		}
	}

	#[test]
	fn an_output_cid_beyond_the_runtime_bound_is_refused() {
		let outcome = OutcomeInfo::Completed {
			output_cid: vec![b'a'; 1_000],
			output_hash: [0; 32],
			gpu_millis: 1,
		};
		let signed = SignedAttestation { job: 1, node: 1, outcome, signature: [0; 64] };
		assert!(attest_call(&signed).is_err());
	}
}
