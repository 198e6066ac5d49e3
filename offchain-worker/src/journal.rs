//! Journals: small files the worker writes (and syncs to disk) before it acts, so a restart
//! picks up where it stopped. Every attestation and storage report is journaled before it is
//! submitted, so a restarted worker resubmits the very same signed message instead of
//! redoing the work — it never reports twice with different results and never forgets a
//! report it made; such entries are dropped once their deadline has passed. The DataVault
//! pins a worker may hold are journaled before they are pinned, so none is left behind.

use std::{
	collections::BTreeMap,
	fs,
	io::Write,
	path::{Path, PathBuf},
};

use codec::{Decode, Encode};
use pallet_compute::JobId;

use crate::chain::{BlockNumber, SignedAttestation};

/// One assignment round of one job.
pub type Assignment = (JobId, u32);

/// A journaled value: whether and when it expires.
pub trait Expiring {
	/// The last block at which the entry is useful; `None`: until it is removed.
	fn expires(&self) -> Option<BlockNumber>;
}

/// A journaled attestation.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct Entry {
	/// The attestation, as signed.
	pub attestation: SignedAttestation,
	/// The assignment's deadline; after it the entry is useless.
	pub deadline: BlockNumber,
}

impl Expiring for Entry {
	fn expires(&self) -> Option<BlockNumber> {
		Some(self.deadline)
	}
}

/// The attestations of GPU jobs, by assignment.
pub type AttestationJournal = Journal<Assignment, Entry>;

/// A journal file and its contents.
#[derive(Debug)]
pub struct Journal<K, V> {
	path: PathBuf,
	entries: BTreeMap<K, V>,
}

/// Why a journal cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
	/// Reading or writing the file failed.
	#[error("journal {path}: {error}")]
	Io {
		/// The journal file.
		path: PathBuf,
		/// What failed.
		error: std::io::Error,
	},
	/// The file is not a journal.
	#[error("journal {path} is corrupt: {error}")]
	Corrupt {
		/// The journal file.
		path: PathBuf,
		/// The decoding error.
		error: codec::Error,
	},
}

impl<K, V> Journal<K, V>
where
	K: Ord + Clone + Encode + Decode,
	V: Clone + Encode + Decode + Expiring,
{
	/// Opens the journal at `path`, empty if the file does not exist yet.
	pub fn open(path: impl Into<PathBuf>) -> Result<Self, JournalError> {
		let path = path.into();
		let entries = match fs::read(&path) {
			Ok(bytes) => Vec::<(K, V)>::decode(&mut &bytes[..])
				.map_err(|error| JournalError::Corrupt { path: path.clone(), error })?
				.into_iter()
				.collect(),
			Err(error) if error.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
			Err(error) => return Err(JournalError::Io { path, error }),
		};
		Ok(Self { path, entries })
	}

	/// The journaled value of `key`.
	pub fn get(&self, key: &K) -> Option<&V> {
		self.entries.get(key)
	}

	/// The journaled entries, in key order.
	pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
		self.entries.iter()
	}

	/// How many entries are journaled.
	pub fn len(&self) -> usize {
		self.entries.len()
	}

	/// Whether nothing is journaled.
	pub fn is_empty(&self) -> bool {
		self.entries.is_empty()
	}

	/// Records `value` for `key` and persists the journal before returning. A key already
	/// journaled keeps its first value (returned as `Err`).
	pub fn record(&mut self, key: K, value: V) -> Result<(), RecordError<V>> {
		if let Some(existing) = self.entries.get(&key) {
			return Err(RecordError::AlreadyJournaled(Box::new(existing.clone())));
		}
		self.entries.insert(key.clone(), value);
		self.persist().map_err(|error| {
			// Not durable, so not journaled.
			self.entries.remove(&key);
			RecordError::Journal(error)
		})
	}

	/// Removes `key` and persists the journal if it was there.
	pub fn remove(&mut self, key: &K) -> Result<(), JournalError> {
		if self.entries.remove(key).is_none() {
			return Ok(());
		}
		self.persist()
	}

	/// Drops the entries that expired before `best` and persists if any were dropped.
	pub fn prune(&mut self, best: BlockNumber) -> Result<(), JournalError> {
		let before = self.entries.len();
		self.entries.retain(|_, value| value.expires().is_none_or(|last| last >= best));
		if self.entries.len() == before {
			return Ok(());
		}
		self.persist()
	}

	/// Writes the journal to a temporary file, syncs it and renames it over the journal, so a
	/// crash leaves either the old or the new journal, never a torn one.
	fn persist(&self) -> Result<(), JournalError> {
		let io = |error| JournalError::Io { path: self.path.clone(), error };
		let bytes = self.entries.iter().collect::<Vec<_>>().encode();
		let temporary = temporary_path(&self.path);
		let mut file = fs::File::create(&temporary).map_err(io)?;
		file.write_all(&bytes).and_then(|()| file.sync_all()).map_err(io)?;
		fs::rename(&temporary, &self.path).map_err(io)?;
		if let Some(directory) = self.path.parent() {
			// Makes the rename itself durable.
			fs::File::open(directory).and_then(|dir| dir.sync_all()).map_err(io)?;
		}
		Ok(())
	}
}

/// Why a value was not journaled.
#[derive(Debug, thiserror::Error)]
pub enum RecordError<V> {
	/// The key was journaled before; its value stands.
	#[error("already journaled")]
	AlreadyJournaled(Box<V>),
	/// The journal could not be written.
	#[error(transparent)]
	Journal(JournalError),
}

fn temporary_path(path: &Path) -> PathBuf {
	let mut name = path.file_name().map(|name| name.to_os_string()).unwrap_or_default();
	name.push(".tmp");
	path.with_file_name(name)
}

#[cfg(test)]
mod tests {
	use super::*;
	use pallet_compute::{FailureKind, OutcomeInfo};

	fn entry(job: JobId, deadline: BlockNumber) -> Entry {
		Entry {
			attestation: SignedAttestation {
				job,
				node: 3,
				outcome: OutcomeInfo::Failed(FailureKind::Timeout),
				signature: [7; 64],
			},
			deadline,
		}
	}

	#[test]
	fn survives_a_restart() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let path = dir.path().join("journal");
		let mut journal = AttestationJournal::open(&path).expect("a new journal");
		assert!(journal.is_empty());
		journal.record((1, 1), entry(1, 20)).expect("recorded");
		journal.record((2, 1), entry(2, 30)).expect("recorded");

		let reopened = AttestationJournal::open(&path).expect("the journal reopens");
		assert_eq!(reopened.len(), 2);
		assert_eq!(reopened.get(&(1, 1)), Some(&entry(1, 20)));
		assert_eq!(reopened.get(&(1, 2)), None);
	}

	#[test]
	fn keeps_the_first_attestation_of_an_assignment() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let mut journal =
			AttestationJournal::open(dir.path().join("journal")).expect("a new journal");
		journal.record((1, 1), entry(1, 20)).expect("recorded");
		let mut second = entry(1, 20);
		second.attestation.signature = [9; 64];
		match journal.record((1, 1), second) {
			Err(RecordError::AlreadyJournaled(first)) => assert_eq!(*first, entry(1, 20)),
			other => panic!("expected AlreadyJournaled, got {other:?}"),
		}
		assert_eq!(journal.get(&(1, 1)), Some(&entry(1, 20)));
	}

	#[test]
	fn prunes_entries_past_their_deadline_on_disk_too() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let path = dir.path().join("journal");
		let mut journal = AttestationJournal::open(&path).expect("a new journal");
		journal.record((1, 1), entry(1, 20)).expect("recorded");
		journal.record((2, 1), entry(2, 30)).expect("recorded");
		journal.prune(21).expect("pruned");
		assert_eq!(journal.get(&(1, 1)), None);
		let reopened = AttestationJournal::open(&path).expect("the journal reopens");
		assert_eq!(reopened.len(), 1);
		assert!(reopened.get(&(2, 1)).is_some());
	}

	/// A value kept until removed.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	struct Kept(u8);

	impl Expiring for Kept {
		fn expires(&self) -> Option<BlockNumber> {
			None
		}
	}

	#[test]
	fn keeps_entries_without_a_deadline_until_they_are_removed() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let path = dir.path().join("kept");
		let mut journal = Journal::<u64, Kept>::open(&path).expect("a new journal");
		journal.record(1, Kept(1)).expect("recorded");
		journal.record(2, Kept(2)).expect("recorded");
		journal.prune(BlockNumber::MAX).expect("pruned");
		journal.remove(&1).expect("removed");
		journal.remove(&7).expect("removing what is not there is no error");
		let reopened = Journal::<u64, Kept>::open(&path).expect("the journal reopens");
		assert_eq!(reopened.iter().collect::<Vec<_>>(), vec![(&2, &Kept(2))]);
	}

	#[test]
	fn refuses_a_corrupt_file_instead_of_forgetting_attestations() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let path = dir.path().join("journal");
		fs::write(&path, [0xff, 0xff, 0xff]).expect("written");
		assert!(matches!(AttestationJournal::open(&path), Err(JournalError::Corrupt { .. })));
	}
}
