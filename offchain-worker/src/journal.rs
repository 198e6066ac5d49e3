//! The attestation journal: every attestation is written here (and synced to disk) before it
//! is submitted, so a worker that restarts resubmits the very same signed attestation instead
//! of running the job again — it never attests twice with different results and never forgets
//! one it made. Entries are dropped once their deadline has passed.

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

/// A journaled attestation.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct Entry {
	/// The attestation, as signed.
	pub attestation: SignedAttestation,
	/// The assignment's deadline; after it the entry is useless.
	pub deadline: BlockNumber,
}

/// The journal file and its contents.
#[derive(Debug)]
pub struct Journal {
	path: PathBuf,
	entries: BTreeMap<Assignment, Entry>,
}

/// Why the journal cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
	/// Reading or writing the file failed.
	#[error("attestation journal {path}: {error}")]
	Io {
		/// The journal file.
		path: PathBuf,
		/// What failed.
		error: std::io::Error,
	},
	/// The file is not a journal.
	#[error("attestation journal {path} is corrupt: {error}")]
	Corrupt {
		/// The journal file.
		path: PathBuf,
		/// The decoding error.
		error: codec::Error,
	},
}

impl Journal {
	/// Opens the journal at `path`, empty if the file does not exist yet.
	pub fn open(path: impl Into<PathBuf>) -> Result<Self, JournalError> {
		let path = path.into();
		let entries = match fs::read(&path) {
			Ok(bytes) => Vec::<(Assignment, Entry)>::decode(&mut &bytes[..])
				.map_err(|error| JournalError::Corrupt { path: path.clone(), error })?
				.into_iter()
				.collect(),
			Err(error) if error.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
			Err(error) => return Err(JournalError::Io { path, error }),
		};
		Ok(Self { path, entries })
	}

	/// The journaled attestation of `assignment`.
	pub fn get(&self, assignment: &Assignment) -> Option<&Entry> {
		self.entries.get(assignment)
	}

	/// How many attestations are journaled.
	pub fn len(&self) -> usize {
		self.entries.len()
	}

	/// Whether nothing is journaled.
	pub fn is_empty(&self) -> bool {
		self.entries.is_empty()
	}

	/// Records `entry` for `assignment` and persists the journal before returning. An
	/// assignment already journaled keeps its first attestation (returned as `Err`).
	pub fn record(&mut self, assignment: Assignment, entry: Entry) -> Result<(), RecordError> {
		if let Some(existing) = self.entries.get(&assignment) {
			return Err(RecordError::AlreadyJournaled(Box::new(existing.clone())));
		}
		self.entries.insert(assignment, entry);
		self.persist().map_err(RecordError::Journal)
	}

	/// Drops the entries whose deadline is before `best` and persists if any were dropped.
	pub fn prune(&mut self, best: BlockNumber) -> Result<(), JournalError> {
		let before = self.entries.len();
		self.entries.retain(|_, entry| entry.deadline >= best);
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

/// Why an attestation was not journaled.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
	/// The assignment was attested before; its attestation stands.
	#[error("the assignment was already attested")]
	AlreadyJournaled(Box<Entry>),
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
		let mut journal = Journal::open(&path).expect("a new journal");
		assert!(journal.is_empty());
		journal.record((1, 1), entry(1, 20)).expect("recorded");
		journal.record((2, 1), entry(2, 30)).expect("recorded");

		let reopened = Journal::open(&path).expect("the journal reopens");
		assert_eq!(reopened.len(), 2);
		assert_eq!(reopened.get(&(1, 1)), Some(&entry(1, 20)));
		assert_eq!(reopened.get(&(1, 2)), None);
	}

	#[test]
	fn keeps_the_first_attestation_of_an_assignment() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let mut journal = Journal::open(dir.path().join("journal")).expect("a new journal");
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
		let mut journal = Journal::open(&path).expect("a new journal");
		journal.record((1, 1), entry(1, 20)).expect("recorded");
		journal.record((2, 1), entry(2, 30)).expect("recorded");
		journal.prune(21).expect("pruned");
		assert_eq!(journal.get(&(1, 1)), None);
		let reopened = Journal::open(&path).expect("the journal reopens");
		assert_eq!(reopened.len(), 1);
		assert!(reopened.get(&(2, 1)).is_some());
	}

	#[test]
	fn refuses_a_corrupt_file_instead_of_forgetting_attestations() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let path = dir.path().join("journal");
		fs::write(&path, [0xff, 0xff, 0xff]).expect("written");
		assert!(matches!(Journal::open(&path), Err(JournalError::Corrupt { .. })));
	}
}
