//! The worker loop. On each new best block it
//! 1. finds its node (the first worker key in the keystore that the registry knows);
//! 2. sends a heartbeat when the registry takes the next one;
//! 3. reads the node's pending work and, for each assignment, resubmits its journaled
//!    attestation if it has one, or else starts running it (at most `concurrency` at once);
//! 4. journals each new attestation before submitting it;
//! 5. serves the node's DataVault duties ([`crate::datavault`]).
//!
//! Errors (chain, IPFS, GPU) are logged and retried at later blocks; nothing here stops the
//! node.

use std::{
	collections::{HashMap, HashSet},
	path::Path,
	sync::{Arc, Mutex, MutexGuard},
};

use futures::{Stream, StreamExt};
use ocos_primitives::NodeId;
use pallet_node_registry::{Heartbeat, WorkerInfo};
use sp_keystore::KeystorePtr;
use tokio::sync::Semaphore;

use crate::{
	chain::{signing_payload, BlockNumber, Chain, ChainError, SignedAttestation, WorkItem},
	datavault::{DataVault, HoldingJournal, ReportJournal, VaultConfig},
	jobs::{Attempt, Execute},
	journal::{Assignment, AttestationJournal, Entry, JournalError, RecordError},
	keys::Signer,
	store::Store,
};

/// How the worker paces itself.
#[derive(Clone, Copy, Debug)]
pub struct WorkerConfig {
	/// Jobs run at once.
	pub concurrency: usize,
	/// Blocks to wait for a submitted heartbeat or attestation to be included before
	/// submitting it again (the pool drops transactions on restart or when it is full).
	pub resubmit_after: BlockNumber,
	/// The DataVault duties' pacing.
	pub vault: VaultConfig,
}

impl Default for WorkerConfig {
	fn default() -> Self {
		Self { concurrency: 2, resubmit_after: 5, vault: VaultConfig::default() }
	}
}

/// The worker's journals, files in one directory.
pub struct Journals {
	/// Job attestations (`attestations`).
	pub attestations: AttestationJournal,
	/// Storage reports (`storage-reports`).
	pub reports: ReportJournal,
	/// DataVault pins held (`pins`).
	pub holdings: HoldingJournal,
}

impl Journals {
	/// Opens the journals in `directory`.
	pub fn open(directory: &Path) -> Result<Self, JournalError> {
		Ok(Self {
			attestations: AttestationJournal::open(directory.join("attestations"))?,
			reports: ReportJournal::open(directory.join("storage-reports"))?,
			holdings: HoldingJournal::open(directory.join("pins"))?,
		})
	}
}

/// In-memory bookkeeping (the journal is the durable part).
#[derive(Default)]
struct State {
	/// Assignments being run.
	running: HashSet<Assignment>,
	/// When each journaled attestation was last submitted.
	submitted_at: HashMap<Assignment, BlockNumber>,
	/// When the last heartbeat was submitted.
	heartbeat_at: Option<BlockNumber>,
	/// Whether the missing worker key was reported.
	reported_no_node: bool,
}

/// A provider's worker, generic over its chain, its GPU executor and its content store.
pub struct Worker<C, E, S> {
	chain: Arc<C>,
	executor: Arc<E>,
	keystore: KeystorePtr,
	journal: Arc<Mutex<AttestationJournal>>,
	jobs: Arc<Semaphore>,
	state: Arc<Mutex<State>>,
	vault: DataVault<C, S>,
	config: WorkerConfig,
}

impl<C: Chain, E: Execute, S: Store> Worker<C, E, S> {
	/// A worker signing with `keystore`'s worker key and journaling to `journals`.
	pub fn new(
		chain: Arc<C>,
		executor: Arc<E>,
		store: Arc<S>,
		keystore: KeystorePtr,
		journals: Journals,
		config: WorkerConfig,
	) -> Self {
		let vault =
			DataVault::new(chain.clone(), store, journals.reports, journals.holdings, config.vault);
		Self {
			chain,
			executor,
			keystore,
			journal: Arc::new(Mutex::new(journals.attestations)),
			jobs: Arc::new(Semaphore::new(config.concurrency.max(1))),
			state: Arc::default(),
			vault,
			config,
		}
	}

	/// Serves every best block of `blocks` until the stream ends.
	pub async fn run(self, blocks: impl Stream<Item = BlockNumber>) {
		let mut blocks = Box::pin(blocks);
		while let Some(best) = blocks.next().await {
			if let Err(error) = self.on_block(best).await {
				log::warn!(target: "ocos-worker", "at block {best}: {error}");
			}
		}
	}

	/// Serves one best block (see the module docs).
	pub async fn on_block(&self, best: BlockNumber) -> Result<(), ChainError> {
		let Some((signer, info)) = self.identity().await? else { return Ok(()) };
		if info.retiring {
			return Ok(());
		}
		self.heartbeat(&signer, &info, best).await?;
		let jobs = self.serve_jobs(&signer, &info, best).await;
		let storage = self.vault.on_block(&signer, &info, best).await;
		jobs.and(storage)
	}

	/// Resubmits or starts the node's pending GPU jobs.
	async fn serve_jobs(
		&self,
		signer: &Signer,
		info: &WorkerInfo<BlockNumber>,
		best: BlockNumber,
	) -> Result<(), ChainError> {
		lock(&self.journal).prune(best).map_err(|error| ChainError(error.to_string()))?;
		let work = self.chain.pending_work(info.node).await?;
		let pending: HashSet<Assignment> =
			work.iter().map(|item| (item.job, item.attempt)).collect();
		lock(&self.state).submitted_at.retain(|assignment, _| pending.contains(assignment));
		for item in work {
			let assignment = (item.job, item.attempt);
			let journaled = lock(&self.journal).get(&assignment).cloned();
			if let Some(entry) = journaled {
				self.resubmit(assignment, entry.attestation, best).await;
			} else if best < item.deadline && lock(&self.state).running.insert(assignment) {
				self.start(signer.clone(), info.node, item, best);
			}
		}
		Ok(())
	}

	/// The signer and node of the first keystore key the registry knows.
	async fn identity(&self) -> Result<Option<(Signer, WorkerInfo<BlockNumber>)>, ChainError> {
		let keys = Signer::keys(&self.keystore);
		for public in &keys {
			if let Some(info) = self.chain.worker(public.0).await? {
				lock(&self.state).reported_no_node = false;
				return Ok(Some((Signer::new(self.keystore.clone(), *public), info)));
			}
		}
		let mut state = lock(&self.state);
		if !state.reported_no_node {
			state.reported_no_node = true;
			log::warn!(
				target: "ocos-worker",
				"no registered node has a worker key in this keystore ({} ocwk key(s)); \
				 insert the key with `ocos-node key insert --key-type ocwk` and register it",
				keys.len()
			);
		}
		Ok(None)
	}

	/// Sends a heartbeat as soon as the registry takes the next one (every heartbeat period),
	/// and the same one again if it was not included within `resubmit_after` blocks.
	async fn heartbeat(
		&self,
		signer: &Signer,
		info: &WorkerInfo<BlockNumber>,
		best: BlockNumber,
	) -> Result<(), ChainError> {
		// A heartbeat sent before the registry's next one is due was included (the registry
		// moved on); one sent since is still waiting for inclusion.
		let waiting = lock(&self.state).heartbeat_at.filter(|at| *at >= info.next_heartbeat);
		let due = best >= info.next_heartbeat && self.due(waiting, best);
		if !due {
			return Ok(());
		}
		let heartbeat = Heartbeat { node: info.node, block_number: best };
		let signature = signer.sign(&heartbeat.signing_payload()).map_err(ChainError)?;
		lock(&self.state).heartbeat_at = Some(best);
		self.chain.submit_heartbeat(heartbeat, signature).await
	}

	/// Submits a journaled attestation again if it has not been included for a while.
	async fn resubmit(
		&self,
		assignment: Assignment,
		attestation: SignedAttestation,
		best: BlockNumber,
	) {
		let submitted_at = lock(&self.state).submitted_at.get(&assignment).copied();
		if !self.due(submitted_at, best) {
			return;
		}
		lock(&self.state).submitted_at.insert(assignment, best);
		if let Err(error) = self.chain.submit_attestation(attestation).await {
			log::debug!(target: "ocos-worker", "resubmitting job {}: {error}", assignment.0);
		}
	}

	/// [`is_due`] with the configured `resubmit_after`.
	fn due(&self, last: Option<BlockNumber>, best: BlockNumber) -> bool {
		is_due(last, best, self.config.resubmit_after)
	}

	/// Runs `item` in a task: execute, sign, journal, submit.
	fn start(&self, signer: Signer, node: NodeId, item: WorkItem, best: BlockNumber) {
		let chain = self.chain.clone();
		let executor = self.executor.clone();
		let journal = self.journal.clone();
		let state = self.state.clone();
		let jobs = self.jobs.clone();
		let assignment = (item.job, item.attempt);
		tokio::spawn(async move {
			let outcome = match jobs.acquire_owned().await {
				Ok(_permit) => {
					log::info!(target: "ocos-worker", "job {} (attempt {}) running", item.job, item.attempt);
					executor.execute(node, &item, best).await
				}
				Err(_) => Attempt::Delay("the worker is shutting down".into()),
			};
			let outcome = match outcome {
				Attempt::Attest(outcome) => outcome,
				Attempt::Delay(reason) => {
					log::info!(target: "ocos-worker", "job {} waits: {reason}", item.job);
					lock(&state).running.remove(&assignment);
					return;
				}
			};
			let attestation = match signer.sign(&signing_payload(item.job, node, &outcome)) {
				Ok(signature) => SignedAttestation { job: item.job, node, outcome, signature },
				Err(error) => {
					log::warn!(target: "ocos-worker", "job {}: {error}", item.job);
					lock(&state).running.remove(&assignment);
					return;
				}
			};
			let entry = Entry { attestation: attestation.clone(), deadline: item.deadline };
			let recorded = lock(&journal).record(assignment, entry);
			let attestation = match recorded {
				Ok(()) => attestation,
				Err(RecordError::AlreadyJournaled(first)) => first.attestation,
				Err(RecordError::Journal(error)) => {
					// Without a durable record the attestation could be made twice after a
					// crash, so it is not made at all.
					log::error!(target: "ocos-worker", "job {}: {error}", item.job);
					lock(&state).running.remove(&assignment);
					return;
				}
			};
			{
				let mut state = lock(&state);
				state.submitted_at.insert(assignment, best);
				state.running.remove(&assignment);
			}
			match chain.submit_attestation(attestation).await {
				Ok(()) => log::info!(target: "ocos-worker", "job {} attested", item.job),
				Err(error) => {
					log::warn!(target: "ocos-worker", "job {}: submitting: {error}", item.job)
				}
			}
		});
	}
}

/// Whether something last submitted at `last` (if ever) is to be submitted (again) at
/// `best`: `after` blocks without inclusion.
pub(crate) fn is_due(last: Option<BlockNumber>, best: BlockNumber, after: BlockNumber) -> bool {
	last.is_none_or(|at| best >= at.saturating_add(after))
}

/// Locks `mutex`, recovering the data if a task panicked while holding it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
	mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
