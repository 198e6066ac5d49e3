//! The worker's one seam to the chain. The node implements [`Chain`] with its client (runtime
//! API calls at the best block) and transaction pool; unit tests implement it in memory.

use codec::{Decode, Encode};
use ocos_primitives::{NodeId, WorkerKey};
use pallet_compute::{JobId, OutcomeInfo, ATTESTATION_DOMAIN};
use pallet_node_registry::{Heartbeat, WorkerInfo};
use pallet_storage::StorageReport;

/// The chain's block number.
pub type BlockNumber = u32;

/// A job assigned to this worker's node, as the runtime API reports it.
pub type WorkItem = pallet_compute::WorkItem<BlockNumber>;

/// A DataVault pin on this worker's node's work list, as the runtime API reports it.
pub type StorageWork = pallet_storage::StorageWork<BlockNumber>;

/// Why a chain call failed (the node's client or pool error, as text).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ChainError(pub String);

/// What the worker reads from and sends to the chain.
#[async_trait::async_trait]
pub trait Chain: Send + Sync + 'static {
	/// The node registered with worker key `key`, at the best block.
	async fn worker(&self, key: WorkerKey) -> Result<Option<WorkerInfo<BlockNumber>>, ChainError>;

	/// The open jobs assigned to `node` that it has not attested, at the best block.
	async fn pending_work(&self, node: NodeId) -> Result<Vec<WorkItem>, ChainError>;

	/// Submits a signed heartbeat as an unsigned transaction.
	async fn submit_heartbeat(
		&self,
		heartbeat: Heartbeat<BlockNumber>,
		signature: [u8; 64],
	) -> Result<(), ChainError>;

	/// Submits a signed attestation as an unsigned transaction.
	async fn submit_attestation(&self, attestation: SignedAttestation) -> Result<(), ChainError>;

	/// The open DataVault pins `node` holds, is assigned or referees, at the best block.
	async fn storage_work(&self, node: NodeId) -> Result<Vec<StorageWork>, ChainError>;

	/// Submits a signed storage report as an unsigned transaction.
	async fn submit_storage_report(&self, report: SignedReport) -> Result<(), ChainError>;
}

/// An attestation with its worker-key signature: the arguments of `compute.attest`.
///
/// It encodes exactly like the runtime's `pallet_compute::Attestation` followed by the
/// signature (an [`OutcomeInfo`] encodes like an `Outcome`: bounded and unbounded vectors
/// encode alike), which the node checks when it builds the call.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct SignedAttestation {
	/// The job.
	pub job: JobId,
	/// The reporting node.
	pub node: NodeId,
	/// What the node found.
	pub outcome: OutcomeInfo,
	/// The worker key's sr25519 signature of [`signing_payload`].
	pub signature: [u8; 64],
}

impl SignedAttestation {
	/// The attestation without its signature, SCALE-encoded as the runtime's type.
	pub fn attestation_bytes(&self) -> Vec<u8> {
		(self.job, self.node, &self.outcome).encode()
	}
}

/// The bytes a worker key signs to attest `outcome` of `job` by `node`: the runtime's
/// `Attestation::signing_payload`.
pub fn signing_payload(job: JobId, node: NodeId, outcome: &OutcomeInfo) -> Vec<u8> {
	(ATTESTATION_DOMAIN, job, node, outcome).encode()
}

/// A DataVault report with its worker-key signature: the arguments of `dataVault.report`.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
pub struct SignedReport {
	/// The report.
	pub report: StorageReport,
	/// The worker key's sr25519 signature of `report.signing_payload()`.
	pub signature: [u8; 64],
}
