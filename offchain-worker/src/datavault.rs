//! The worker's DataVault duties, served on every best block from the node's work list
//! (`DataVaultApi::node_work`):
//! - **Pin**: if the node has room (its registered storage against the content it holds), pin
//!   the content through the [`Store`] and report `Pinned` with the measured size, or the typed
//!   failure.
//! - **Answer** / **Referee**: hash the challenged bytes after the seed and report the answer.
//! - **Hold**: nothing to do; the pin stays.
//! - A held pin that has left the list (the order ended or the replica was dropped) for
//!   `unpin_after` blocks is unpinned, unless another held pin has the same CID.
//!
//! Reports are journaled before they are submitted and resubmitted until the work list moves
//! on, like job attestations. The pins the worker may hold are journaled before it pins them,
//! so a crash never leaves one behind. A report must be included before the pin's next round
//! (`due`), so each duty gives up a block before that.

use std::{
	collections::{BTreeMap, HashMap, HashSet},
	sync::{Arc, Mutex},
	time::Duration,
};

use codec::{Decode, Encode};
use ocos_primitives::NodeId;
use pallet_node_registry::WorkerInfo;
use pallet_storage::{Challenge, PinId, PinTask, Report, StorageReport};
use tokio::{sync::Semaphore, time::Instant};

use crate::{
	chain::{BlockNumber, Chain, ChainError, SignedReport, StorageWork},
	journal::{Expiring, Journal, RecordError},
	keys::Signer,
	store::{PinAttempt, Store},
	worker::{is_due, lock},
};

/// What a report answers for a pin.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Duty {
	/// Pinning it (`Pinned` or a failure).
	Pin,
	/// A challenge to a replica.
	Answer,
	/// A dispute's challenge to its referee.
	Referee,
}

/// One report's place: the pin, the block its round ends (`due`) and the duty.
pub type ReportKey = (PinId, BlockNumber, Duty);

/// A journaled storage report.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
pub struct ReportEntry {
	/// The report, as signed.
	pub report: SignedReport,
	/// The block it had to be included before.
	pub due: BlockNumber,
}

impl Expiring for ReportEntry {
	fn expires(&self) -> Option<BlockNumber> {
		Some(self.due)
	}
}

/// A pin the worker may hold on its daemon (journaled before pinning).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct Holding {
	/// The CID (text).
	pub cid: Vec<u8>,
	/// The order's size in bytes.
	pub size: u64,
}

impl Expiring for Holding {
	fn expires(&self) -> Option<BlockNumber> {
		None
	}
}

/// The storage reports, by place.
pub type ReportJournal = Journal<ReportKey, ReportEntry>;
/// The pins held, by pin.
pub type HoldingJournal = Journal<PinId, Holding>;

/// How the DataVault duties pace themselves.
#[derive(Clone, Copy, Debug)]
pub struct VaultConfig {
	/// The chain's block time: how long a duty may take is the blocks left before it is due.
	pub block_time: Duration,
	/// Pins fetched at once (challenge answers read a little and are not limited).
	pub pin_concurrency: usize,
	/// Blocks a held pin stays off the work list before it is unpinned (a short fork does not
	/// unpin anything).
	pub unpin_after: BlockNumber,
	/// Blocks to wait for a submitted report to be included before submitting it again.
	pub resubmit_after: BlockNumber,
}

impl Default for VaultConfig {
	fn default() -> Self {
		Self {
			block_time: Duration::from_secs(6),
			pin_concurrency: 2,
			unpin_after: 2,
			resubmit_after: 5,
		}
	}
}

/// In-memory bookkeeping (the journals are the durable part).
#[derive(Default)]
struct State {
	/// Duties being served.
	running: HashSet<ReportKey>,
	/// When each journaled report was last submitted.
	submitted_at: HashMap<ReportKey, BlockNumber>,
	/// Held pins off the work list, since when.
	unlisted_since: HashMap<PinId, BlockNumber>,
	/// Held pins being unpinned.
	unpinning: HashSet<PinId>,
	/// Pins refused for want of room (logged once).
	no_room: HashSet<PinId>,
}

/// The DataVault duties of one worker.
pub struct DataVault<C, S> {
	chain: Arc<C>,
	store: Arc<S>,
	reports: Arc<Mutex<ReportJournal>>,
	holdings: Arc<Mutex<HoldingJournal>>,
	pins: Arc<Semaphore>,
	state: Arc<Mutex<State>>,
	config: VaultConfig,
}

/// What one duty needs, moved into its task.
struct Task {
	key: ReportKey,
	node: NodeId,
	cid: String,
	size: u64,
	challenge: Option<Challenge>,
	until: Instant,
	best: BlockNumber,
}

impl<C: Chain, S: Store> DataVault<C, S> {
	/// The duties over `store`, journaling to `reports` and `holdings`.
	pub fn new(
		chain: Arc<C>,
		store: Arc<S>,
		reports: ReportJournal,
		holdings: HoldingJournal,
		config: VaultConfig,
	) -> Self {
		Self {
			chain,
			store,
			reports: Arc::new(Mutex::new(reports)),
			holdings: Arc::new(Mutex::new(holdings)),
			pins: Arc::new(Semaphore::new(config.pin_concurrency.max(1))),
			state: Arc::default(),
			config,
		}
	}

	/// Serves one best block (see the module docs).
	pub async fn on_block(
		&self,
		signer: &Signer,
		info: &WorkerInfo<BlockNumber>,
		best: BlockNumber,
	) -> Result<(), ChainError> {
		lock(&self.reports).prune(best).map_err(|error| ChainError(error.to_string()))?;
		let work = self.chain.storage_work(info.node).await?;
		let keys: HashSet<ReportKey> = work.iter().filter_map(|item| key_of(item)).collect();
		lock(&self.state).submitted_at.retain(|key, _| keys.contains(key));
		self.release_unlisted(&work, best);
		for item in work {
			if matches!(item.task, PinTask::Hold | PinTask::Answer(_)) {
				self.adopt(&item);
			}
			let (Some(key), Ok(cid)) = (key_of(&item), String::from_utf8(item.cid.clone())) else {
				continue;
			};
			let journaled = lock(&self.reports).get(&key).copied();
			if let Some(entry) = journaled {
				self.resubmit(key, entry.report, best).await;
				continue;
			}
			if lock(&self.state).running.contains(&key) {
				continue;
			}
			// The report must be in a block before `due`: submitted by the start of block
			// `due - 1`, half a block early.
			let blocks_left = item.due.saturating_sub(best).saturating_sub(1);
			if blocks_left == 0 {
				continue;
			}
			let time_left = self
				.config
				.block_time
				.saturating_mul(blocks_left)
				.saturating_sub(self.config.block_time / 2);
			if key.2 == Duty::Pin && !self.has_room(&item, info.storage_bytes) {
				continue;
			}
			let challenge = match item.task {
				PinTask::Answer(challenge) | PinTask::Referee(challenge) => Some(challenge),
				PinTask::Pin | PinTask::Hold => None,
			};
			lock(&self.state).running.insert(key);
			let until = Instant::now() + time_left;
			let task = Task { key, node: info.node, cid, size: item.size, challenge, until, best };
			self.start(signer.clone(), task);
		}
		Ok(())
	}

	/// Whether the content of `item` fits in `capacity` next to the distinct content held
	/// (logs once per pin when it does not).
	fn has_room(&self, item: &StorageWork, capacity: u64) -> bool {
		let holdings = lock(&self.holdings);
		let mut cids = HashSet::new();
		let mut used = 0u64;
		for (_, holding) in holdings.iter() {
			if holding.cid == item.cid {
				return true;
			}
			if cids.insert(&holding.cid) {
				used = used.saturating_add(holding.size);
			}
		}
		if used.saturating_add(item.size) <= capacity {
			return true;
		}
		if lock(&self.state).no_room.insert(item.pin) {
			log::warn!(
				target: "ocos-worker",
				"pin {}: {} bytes do not fit next to the {used} held (registered {capacity}); \
				 not pinned",
				item.pin,
				item.size
			);
		}
		false
	}

	/// Journals a pin the chain says the node holds but the worker does not know (a lost
	/// journal), so it is unpinned when it ends.
	fn adopt(&self, item: &StorageWork) {
		let mut holdings = lock(&self.holdings);
		if holdings.get(&item.pin).is_some() {
			return;
		}
		let holding = Holding { cid: item.cid.clone(), size: item.size };
		if let Err(error) = holdings.record(item.pin, holding) {
			log::warn!(target: "ocos-worker", "pin {}: {error}", item.pin);
		}
	}

	/// Unpins the held pins that have been off the work list for `unpin_after` blocks; their
	/// content stays pinned while another held pin has the same CID.
	fn release_unlisted(&self, work: &[StorageWork], best: BlockNumber) {
		let listed: HashSet<PinId> = work
			.iter()
			.filter(|item| !matches!(item.task, PinTask::Referee(_)))
			.map(|item| item.pin)
			.collect();
		let holdings: Vec<(PinId, Vec<u8>)> =
			lock(&self.holdings).iter().map(|(pin, holding)| (*pin, holding.cid.clone())).collect();
		let mut state = lock(&self.state);
		state.unlisted_since.retain(|pin, _| !listed.contains(pin));
		let mut releasing: BTreeMap<&[u8], Vec<PinId>> = BTreeMap::new();
		for (pin, cid) in &holdings {
			let pinning = state.running.iter().any(|key| key.0 == *pin && key.2 == Duty::Pin);
			if listed.contains(pin) || pinning || state.unpinning.contains(pin) {
				continue;
			}
			let since = *state.unlisted_since.entry(*pin).or_insert(best);
			if best >= since.saturating_add(self.config.unpin_after) {
				releasing.entry(cid).or_default().push(*pin);
			}
		}
		for (cid, pins) in releasing {
			state.unpinning.extend(pins.iter().copied());
			let shared = holdings.iter().any(|(other, held)| held == cid && !pins.contains(other));
			self.unpin(pins, cid.to_vec(), shared);
		}
	}

	/// Unpins `cid` (unless it is `shared` with a held pin that stays) and forgets the
	/// holdings of `pins`.
	fn unpin(&self, pins: Vec<PinId>, cid: Vec<u8>, shared: bool) {
		let store = self.store.clone();
		let holdings = self.holdings.clone();
		let state = self.state.clone();
		tokio::spawn(async move {
			let cid = String::from_utf8_lossy(&cid).into_owned();
			let unpinned = if shared { Ok(()) } else { store.unpin(&cid).await };
			if let Err(error) = &unpinned {
				log::warn!(target: "ocos-worker", "unpinning {cid}: {error}");
			}
			for pin in pins {
				if unpinned.is_ok() {
					match lock(&holdings).remove(&pin) {
						Ok(()) => {
							log::info!(target: "ocos-worker", "pin {pin} ended here: {cid} released");
							lock(&state).unlisted_since.remove(&pin);
						}
						Err(error) => log::warn!(target: "ocos-worker", "pin {pin}: {error}"),
					}
				}
				lock(&state).unpinning.remove(&pin);
			}
		});
	}

	/// Submits a journaled report again if it has not been included for a while.
	async fn resubmit(&self, key: ReportKey, report: SignedReport, best: BlockNumber) {
		let submitted_at = lock(&self.state).submitted_at.get(&key).copied();
		if !is_due(submitted_at, best, self.config.resubmit_after) {
			return;
		}
		lock(&self.state).submitted_at.insert(key, best);
		if let Err(error) = self.chain.submit_storage_report(report).await {
			log::debug!(target: "ocos-worker", "resubmitting a report on pin {}: {error}", key.0);
		}
	}

	/// Serves one duty in a task: pin or read, sign, journal, submit.
	fn start(&self, signer: Signer, task: Task) {
		let chain = self.chain.clone();
		let store = self.store.clone();
		let reports = self.reports.clone();
		let holdings = self.holdings.clone();
		let state = self.state.clone();
		let pins = self.pins.clone();
		tokio::spawn(async move {
			let (pin, due, duty) = task.key;
			let report = match (duty, task.challenge) {
				(Duty::Pin, _) => {
					let Ok(_permit) = pins.acquire_owned().await else { return };
					pin_report(&*store, &holdings, pin, &task).await
				}
				(_, Some(challenge)) => {
					match store.answer(&task.cid, &challenge, task.until).await {
						Ok(hash) => Ok(Report::Answer { round: challenge.round, hash }),
						Err(reason) => Err(reason),
					}
				}
				(_, None) => Err("no challenge to answer".into()),
			};
			let report = match report {
				Ok(report) => StorageReport { pin, node: task.node, report },
				Err(reason) => {
					log::info!(target: "ocos-worker", "pin {pin} ({duty:?}) waits: {reason}");
					lock(&state).running.remove(&task.key);
					return;
				}
			};
			let signed = match signer.sign(&report.signing_payload()) {
				Ok(signature) => SignedReport { report, signature },
				Err(error) => {
					log::warn!(target: "ocos-worker", "pin {pin}: {error}");
					lock(&state).running.remove(&task.key);
					return;
				}
			};
			let recorded = lock(&reports).record(task.key, ReportEntry { report: signed, due });
			let signed = match recorded {
				Ok(()) => signed,
				Err(RecordError::AlreadyJournaled(first)) => first.report,
				Err(RecordError::Journal(error)) => {
					// Without a durable record the report could be made twice after a crash,
					// so it is not made at all.
					log::error!(target: "ocos-worker", "pin {pin}: {error}");
					lock(&state).running.remove(&task.key);
					return;
				}
			};
			{
				let mut state = lock(&state);
				state.submitted_at.insert(task.key, task.best);
				state.running.remove(&task.key);
			}
			match chain.submit_storage_report(signed).await {
				Ok(()) => log::info!(
					target: "ocos-worker",
					"pin {pin}: reported {:?}",
					signed.report.report
				),
				Err(error) => log::warn!(target: "ocos-worker", "pin {pin}: submitting: {error}"),
			}
		});
	}
}

/// Pins the content of `task` (journaling the holding first) and says what to report, or
/// why nothing yet.
async fn pin_report<S: Store>(
	store: &S,
	holdings: &Mutex<HoldingJournal>,
	pin: PinId,
	task: &Task,
) -> Result<Report, String> {
	let holding = Holding { cid: task.cid.clone().into_bytes(), size: task.size };
	match lock(holdings).record(pin, holding) {
		Ok(()) | Err(RecordError::AlreadyJournaled(_)) => {}
		Err(RecordError::Journal(error)) => return Err(error.to_string()),
	}
	log::info!(target: "ocos-worker", "pin {pin}: pinning {} ({} bytes)", task.cid, task.size);
	match store.pin(&task.cid, task.size, task.until).await {
		PinAttempt::Pinned(size) => Ok(Report::Pinned { size }),
		// The holding stays until the pin leaves the work list: a pin that timed out may
		// still complete on the daemon.
		PinAttempt::Failed(kind) => Ok(Report::Failed(kind)),
		PinAttempt::Delay(reason) => Err(reason),
	}
}

/// The report place of a work item; `Hold` asks for no report.
fn key_of(item: &StorageWork) -> Option<ReportKey> {
	let duty = match item.task {
		PinTask::Pin => Duty::Pin,
		PinTask::Answer(_) => Duty::Answer,
		PinTask::Referee(_) => Duty::Referee,
		PinTask::Hold => return None,
	};
	Some((item.pin, item.due, duty))
}
