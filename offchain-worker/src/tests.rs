//! The worker loop against an in-memory chain, executor and store: what it attests, signs,
//! journals, resubmits and heartbeats, block by block. DataVault duties: [`datavault`].

mod datavault;

use std::{
	collections::HashMap,
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc, Mutex,
	},
	time::Duration,
};

use ocos_primitives::{GpuClass, NodeId, WorkerKey, WORKER_KEY_TYPE};
use pallet_compute::{Determinism, JobSpecInfo, OutcomeInfo, ShaderSourceInfo, Workgroups};
use pallet_node_registry::{Heartbeat, WorkerInfo};
use sp_core::{sr25519, Pair};
use sp_keystore::{testing::MemoryKeystore, Keystore, KeystorePtr};

use crate::{
	chain::{
		signing_payload, BlockNumber, Chain, ChainError, SignedAttestation, SignedReport,
		StorageWork, WorkItem,
	},
	datavault::VaultConfig,
	jobs::{Attempt, Execute},
	store::{PinAttempt, Store},
	worker::{Journals, Worker, WorkerConfig},
};

const NODE: NodeId = 7;

#[derive(Default)]
struct FakeChain {
	workers: Mutex<HashMap<WorkerKey, WorkerInfo<BlockNumber>>>,
	pending: Mutex<Vec<WorkItem>>,
	heartbeats: Mutex<Vec<(Heartbeat<BlockNumber>, [u8; 64])>>,
	attestations: Mutex<Vec<SignedAttestation>>,
	storage_work: Mutex<Vec<StorageWork>>,
	reports: Mutex<Vec<SignedReport>>,
}

#[async_trait::async_trait]
impl Chain for FakeChain {
	async fn worker(&self, key: WorkerKey) -> Result<Option<WorkerInfo<BlockNumber>>, ChainError> {
		Ok(self.workers.lock().expect("lock").get(&key).copied())
	}

	async fn pending_work(&self, node: NodeId) -> Result<Vec<WorkItem>, ChainError> {
		assert_eq!(node, NODE);
		Ok(self.pending.lock().expect("lock").clone())
	}

	async fn submit_heartbeat(
		&self,
		heartbeat: Heartbeat<BlockNumber>,
		signature: [u8; 64],
	) -> Result<(), ChainError> {
		self.heartbeats.lock().expect("lock").push((heartbeat, signature));
		Ok(())
	}

	async fn submit_attestation(&self, attestation: SignedAttestation) -> Result<(), ChainError> {
		self.attestations.lock().expect("lock").push(attestation);
		Ok(())
	}

	async fn storage_work(&self, node: NodeId) -> Result<Vec<StorageWork>, ChainError> {
		assert_eq!(node, NODE);
		Ok(self.storage_work.lock().expect("lock").clone())
	}

	async fn submit_storage_report(&self, report: SignedReport) -> Result<(), ChainError> {
		self.reports.lock().expect("lock").push(report);
		Ok(())
	}
}

/// A content store answering from scripted results and recording what it was asked.
#[derive(Default)]
struct FakeStore {
	/// Each pin's result, by CID (unscripted CIDs pin with the asked size).
	pin_results: Mutex<HashMap<String, PinAttempt>>,
	/// Each CID's challenge answer (unscripted: the answer is unavailable).
	answers: Mutex<HashMap<String, [u8; 32]>>,
	pinned: Mutex<Vec<String>>,
	reads: AtomicUsize,
	unpinned: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Store for FakeStore {
	async fn pin(&self, cid: &str, size: u64, _until: tokio::time::Instant) -> PinAttempt {
		self.pinned.lock().expect("lock").push(cid.into());
		let scripted = self.pin_results.lock().expect("lock").get(cid).cloned();
		scripted.unwrap_or(PinAttempt::Pinned(size))
	}

	async fn answer(
		&self,
		cid: &str,
		_challenge: &pallet_storage::Challenge,
		_until: tokio::time::Instant,
	) -> Result<[u8; 32], String> {
		self.reads.fetch_add(1, Ordering::SeqCst);
		self.answers.lock().expect("lock").get(cid).copied().ok_or_else(|| "unavailable".into())
	}

	async fn unpin(&self, cid: &str) -> Result<(), String> {
		self.unpinned.lock().expect("lock").push(cid.into());
		Ok(())
	}
}

/// Answers each call with the next scripted attempt (the last one repeats), optionally
/// holding every call until released.
struct FakeExecutor {
	script: Mutex<Vec<Attempt>>,
	calls: AtomicUsize,
	running: AtomicUsize,
	most_running: AtomicUsize,
	gate: Option<tokio::sync::Semaphore>,
}

impl FakeExecutor {
	fn new(script: Vec<Attempt>) -> Arc<Self> {
		Arc::new(Self::with_gate(script, None))
	}

	fn with_gate(script: Vec<Attempt>, gate: Option<tokio::sync::Semaphore>) -> Self {
		Self {
			script: Mutex::new(script),
			calls: AtomicUsize::new(0),
			running: AtomicUsize::new(0),
			most_running: AtomicUsize::new(0),
			gate,
		}
	}
}

#[async_trait::async_trait]
impl Execute for FakeExecutor {
	async fn execute(&self, _node: NodeId, _item: &WorkItem, _best: BlockNumber) -> Attempt {
		self.calls.fetch_add(1, Ordering::SeqCst);
		let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
		self.most_running.fetch_max(now, Ordering::SeqCst);
		if let Some(gate) = &self.gate {
			gate.acquire().await.expect("gate open").forget();
		}
		self.running.fetch_sub(1, Ordering::SeqCst);
		let mut script = self.script.lock().expect("lock");
		if script.len() > 1 {
			script.remove(0)
		} else {
			script[0].clone()
		}
	}
}

fn completed(byte: u8) -> OutcomeInfo {
	OutcomeInfo::Completed {
		output_cid: b"QmOutput".to_vec(),
		output_hash: [byte; 32],
		gpu_millis: 12,
	}
}

fn item(job: u64, deadline: BlockNumber) -> WorkItem {
	WorkItem {
		job,
		attempt: 1,
		deadline,
		spec: JobSpecInfo {
			source: ShaderSourceInfo::Inline(b"@compute @workgroup_size(1) fn main() {}".to_vec()),
			entry_point: b"main".to_vec(),
			workgroups: Workgroups { x: 1, y: 1, z: 1 },
			inputs: vec![],
			output_size: 4,
			gpu_class: GpuClass::Entry,
			determinism: Determinism::BitExact,
			deadline: 20,
		},
	}
}

struct Setup {
	chain: Arc<FakeChain>,
	keystore: KeystorePtr,
	public: sr25519::Public,
	store: Arc<FakeStore>,
	journal: tempfile::TempDir,
}

impl Setup {
	/// A chain that knows one worker key (next heartbeat at `next_heartbeat`), and a keystore
	/// holding it.
	fn new(next_heartbeat: BlockNumber) -> Self {
		let keystore: KeystorePtr = Arc::new(MemoryKeystore::new());
		let public =
			keystore.sr25519_generate_new(WORKER_KEY_TYPE, Some("//Worker")).expect("a key");
		let chain = Arc::new(FakeChain::default());
		chain.workers.lock().expect("lock").insert(
			public.0,
			WorkerInfo { node: NODE, next_heartbeat, retiring: false, storage_bytes: 1 << 20 },
		);
		let journal = tempfile::tempdir().expect("a directory");
		Self { chain, keystore, public, store: Arc::default(), journal }
	}

	fn worker(
		&self,
		executor: Arc<FakeExecutor>,
		concurrency: usize,
	) -> Worker<FakeChain, FakeExecutor, FakeStore> {
		let journals = Journals::open(self.journal.path()).expect("journals");
		let vault = VaultConfig {
			block_time: Duration::from_secs(6),
			pin_concurrency: 2,
			unpin_after: 2,
			resubmit_after: 5,
		};
		let config = WorkerConfig { concurrency, resubmit_after: 5, vault };
		let store = self.store.clone();
		Worker::new(self.chain.clone(), executor, store, self.keystore.clone(), journals, config)
	}

	fn attestations(&self) -> Vec<SignedAttestation> {
		self.chain.attestations.lock().expect("lock").clone()
	}

	fn reports(&self) -> Vec<SignedReport> {
		self.chain.reports.lock().expect("lock").clone()
	}
}

/// Waits (up to 10 s) until `condition` holds.
async fn eventually(what: &str, condition: impl Fn() -> bool) {
	for _ in 0..1000 {
		if condition() {
			return;
		}
		tokio::time::sleep(Duration::from_millis(10)).await;
	}
	panic!("timed out waiting until {what}");
}

#[tokio::test]
async fn attests_pending_work_once_signed_by_the_worker_key() {
	let setup = Setup::new(1_000);
	setup.chain.pending.lock().expect("lock").push(item(1, 20));
	let executor = FakeExecutor::new(vec![Attempt::Attest(completed(1))]);
	let worker = setup.worker(executor.clone(), 2);

	worker.on_block(10).await.expect("served");
	eventually("the job is attested", || setup.attestations().len() == 1).await;
	let attestation = &setup.attestations()[0];
	assert_eq!((attestation.job, attestation.node), (1, NODE));
	assert_eq!(attestation.outcome, completed(1));
	let payload = signing_payload(1, NODE, &completed(1));
	let signature = sr25519::Signature::from_raw(attestation.signature);
	assert!(sr25519::Pair::verify(&signature, &payload, &setup.public));

	// Still pending (not included yet): not run again, not resubmitted before 5 blocks.
	for best in 11..15 {
		worker.on_block(best).await.expect("served");
	}
	assert_eq!(setup.attestations().len(), 1);
	worker.on_block(15).await.expect("served");
	assert_eq!(setup.attestations().len(), 2);
	assert_eq!(setup.attestations()[1], setup.attestations()[0]);
	assert_eq!(executor.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_restarted_worker_resubmits_its_journaled_attestation_without_rerunning() {
	let setup = Setup::new(1_000);
	setup.chain.pending.lock().expect("lock").push(item(1, 20));
	let first = setup.worker(FakeExecutor::new(vec![Attempt::Attest(completed(1))]), 2);
	first.on_block(10).await.expect("served");
	eventually("the job is attested", || setup.attestations().len() == 1).await;
	drop(first);

	// After the restart the job would produce another output; it must not be attested.
	let rerun = FakeExecutor::new(vec![Attempt::Attest(completed(2))]);
	let restarted = setup.worker(rerun.clone(), 2);
	restarted.on_block(11).await.expect("served");
	assert_eq!(setup.attestations().len(), 2);
	assert_eq!(setup.attestations()[1].outcome, completed(1));
	assert_eq!(rerun.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_delayed_job_runs_again_at_a_later_block() {
	let setup = Setup::new(1_000);
	setup.chain.pending.lock().expect("lock").push(item(1, 20));
	let executor = FakeExecutor::new(vec![
		Attempt::Delay("IPFS is down".into()),
		Attempt::Attest(completed(1)),
	]);
	let worker = setup.worker(executor.clone(), 2);

	worker.on_block(10).await.expect("served");
	eventually("the first try ends", || executor.calls.load(Ordering::SeqCst) == 1).await;
	tokio::time::sleep(Duration::from_millis(50)).await;
	assert!(setup.attestations().is_empty());
	worker.on_block(11).await.expect("served");
	eventually("the job is attested", || setup.attestations().len() == 1).await;
	assert_eq!(executor.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn jobs_past_their_deadline_are_not_started() {
	let setup = Setup::new(1_000);
	setup.chain.pending.lock().expect("lock").push(item(1, 20));
	let executor = FakeExecutor::new(vec![Attempt::Attest(completed(1))]);
	setup.worker(executor.clone(), 2).on_block(20).await.expect("served");
	tokio::time::sleep(Duration::from_millis(50)).await;
	assert_eq!(executor.calls.load(Ordering::SeqCst), 0);
	assert!(setup.attestations().is_empty());
}

#[tokio::test]
async fn runs_at_most_concurrency_jobs_at_once() {
	let setup = Setup::new(1_000);
	setup.chain.pending.lock().expect("lock").extend([item(1, 50), item(2, 50), item(3, 50)]);
	let gate = tokio::sync::Semaphore::new(0);
	let executor =
		Arc::new(FakeExecutor::with_gate(vec![Attempt::Attest(completed(1))], Some(gate)));
	let worker = setup.worker(executor.clone(), 2);

	worker.on_block(10).await.expect("served");
	eventually("two jobs run", || executor.running.load(Ordering::SeqCst) == 2).await;
	tokio::time::sleep(Duration::from_millis(50)).await;
	assert_eq!(executor.calls.load(Ordering::SeqCst), 2);
	executor.gate.as_ref().expect("a gate").add_permits(3);
	eventually("all three are attested", || setup.attestations().len() == 3).await;
	assert_eq!(executor.most_running.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn heartbeats_when_the_registry_takes_one() {
	let setup = Setup::new(20);
	let worker = setup.worker(FakeExecutor::new(vec![Attempt::Attest(completed(1))]), 2);
	let heartbeats = || setup.chain.heartbeats.lock().expect("lock").clone();

	worker.on_block(19).await.expect("served");
	assert!(heartbeats().is_empty());
	worker.on_block(20).await.expect("served");
	let (heartbeat, signature) = heartbeats()[0].clone();
	assert_eq!(heartbeat, Heartbeat { node: NODE, block_number: 20 });
	let signature = sr25519::Signature::from_raw(signature);
	assert!(sr25519::Pair::verify(&signature, &heartbeat.signing_payload(), &setup.public));

	// Not included yet: sent again only after `resubmit_after` blocks.
	worker.on_block(21).await.expect("served");
	assert_eq!(heartbeats().len(), 1);
	worker.on_block(25).await.expect("served");
	assert_eq!(heartbeats().len(), 2);

	// Included: the registry takes the next one three blocks later, and gets it then, well
	// before `resubmit_after` blocks.
	setup
		.chain
		.workers
		.lock()
		.expect("lock")
		.values_mut()
		.for_each(|info| info.next_heartbeat = 28);
	worker.on_block(27).await.expect("served");
	assert_eq!(heartbeats().len(), 2);
	worker.on_block(28).await.expect("served");
	assert_eq!(heartbeats().len(), 3);
	assert_eq!(heartbeats()[2].0, Heartbeat { node: NODE, block_number: 28 });
}

#[tokio::test]
async fn does_nothing_without_a_registered_worker_key() {
	let setup = Setup::new(0);
	setup.chain.workers.lock().expect("lock").clear();
	setup.chain.pending.lock().expect("lock").push(item(1, 20));
	let executor = FakeExecutor::new(vec![Attempt::Attest(completed(1))]);
	setup.worker(executor.clone(), 2).on_block(10).await.expect("served");
	tokio::time::sleep(Duration::from_millis(50)).await;
	assert_eq!(executor.calls.load(Ordering::SeqCst), 0);
	assert!(setup.chain.heartbeats.lock().expect("lock").is_empty());
}
