//! Deliberate faults, for the end-to-end tests of dishonest providers. Never set in
//! production: the node flag that sets one (`--worker-fault`) is hidden and off by default.

/// A way for a worker to cheat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
	/// Flip the first byte of every job output before hashing and publishing it.
	CorruptOutput,
	/// Flip the first challenged byte before hashing a storage challenge's answer.
	WrongAnswers,
}
