//! `ocos_*` RPC methods: compute jobs and DataVault pins as developers, customers and providers
//! read them, in JSON, without decoding SCALE. Backed by the `ComputeApi` and `DataVaultApi`
//! runtime APIs at the given (or best) block.
//!
//! - `ocos_job(id, at?)`: the job's status, replicas and result (`null` if unknown).
//! - `ocos_pendingWork(node, at?)`: the jobs a node still has to run and attest.
//! - `ocos_pin(id, at?)`: a pin order: its replicas, challenge, budget and status (`null` if
//!   unknown).

use std::sync::Arc;

use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{ErrorObject, ErrorObjectOwned},
};
use ocos_primitives::NodeId;
use ocos_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Runtime, SS58_PREFIX};
use pallet_compute::{
	JobId, JobInfo, JobStatusInfo, OutcomeInfo, Payment, ShaderSourceInfo, WorkItem,
};
use pallet_compute_runtime_api::ComputeApi;
use pallet_storage::{AnswerState, Pin, PinId, PinStatus, ReplicaState};
use pallet_storage_runtime_api::DataVaultApi;
use serde_json::{json, Value};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::{
	crypto::{Ss58AddressFormat, Ss58Codec},
	hexdisplay::HexDisplay,
};

type Hash = <Block as sp_runtime::traits::Block>::Hash;

/// The `ocos_*` methods.
#[rpc(server)]
pub trait OcosApi {
	/// A compute job with its status and result, or `null`.
	#[method(name = "ocos_job")]
	fn job(&self, id: JobId, at: Option<Hash>) -> RpcResult<Option<Value>>;

	/// The jobs assigned to `node` that it has not attested yet.
	#[method(name = "ocos_pendingWork")]
	fn pending_work(&self, node: NodeId, at: Option<Hash>) -> RpcResult<Vec<Value>>;

	/// A DataVault pin order with its replicas, challenge and status, or `null`.
	#[method(name = "ocos_pin")]
	fn pin(&self, id: PinId, at: Option<Hash>) -> RpcResult<Option<Value>>;
}

/// The methods over a client.
pub struct Ocos<C> {
	client: Arc<C>,
}

impl<C> Ocos<C> {
	/// The methods over `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

/// Runtime API failures are reported with this JSON-RPC error code.
const RUNTIME_ERROR: i32 = 1;

fn runtime_error(error: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, "runtime API call failed", Some(error.to_string()))
}

impl<C> OcosApiServer for Ocos<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ComputeApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: DataVaultApi<Block, Pin<Runtime>, BlockNumber>,
{
	fn job(&self, id: JobId, at: Option<Hash>) -> RpcResult<Option<Value>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let job = self.client.runtime_api().job(at, id).map_err(runtime_error)?;
		Ok(job.map(|job| job_json(id, &job)))
	}

	fn pending_work(&self, node: NodeId, at: Option<Hash>) -> RpcResult<Vec<Value>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let work = self.client.runtime_api().pending_work(at, node).map_err(runtime_error)?;
		Ok(work.iter().map(work_json).collect())
	}

	fn pin(&self, id: PinId, at: Option<Hash>) -> RpcResult<Option<Value>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let pin = DataVaultApi::pin(&*self.client.runtime_api(), at, id).map_err(runtime_error)?;
		Ok(pin.map(|pin| pin_json(id, &pin)))
	}
}

/// An account in the chain's SS58 format.
fn address(account: &AccountId) -> String {
	account.to_ss58check_with_version(Ss58AddressFormat::custom(SS58_PREFIX))
}

/// A CID as text (CIDs are stored as their text form); hex if it is not UTF-8.
fn cid(bytes: &[u8]) -> String {
	String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| format!("0x{}", HexDisplay::from(&bytes)))
}

fn outcome_json(outcome: &OutcomeInfo) -> Value {
	match outcome {
		OutcomeInfo::Completed { output_cid, output_hash, gpu_millis } => json!({ "completed": {
			"outputCid": cid(output_cid),
			"outputHash": format!("0x{}", HexDisplay::from(output_hash)),
			"gpuMillis": gpu_millis,
		}}),
		OutcomeInfo::Failed(kind) => json!({ "failed": format!("{kind:?}") }),
	}
}

fn status_json(status: &JobStatusInfo<Balance>) -> Value {
	match status {
		JobStatusInfo::Assigned => json!("assigned"),
		JobStatusInfo::Completed { output_cid, output_hash, gpu_millis, payment } => {
			let payment = match payment {
				Payment::Pending => json!("pending"),
				Payment::Settled { charged, quota_units } => json!({ "settled": {
					"charged": charged.to_string(),
					"quotaUnits": quota_units,
				}}),
			};
			json!({ "completed": {
				"outputCid": cid(output_cid),
				"outputHash": format!("0x{}", HexDisplay::from(output_hash)),
				"gpuMillis": gpu_millis,
				"payment": payment,
			}})
		}
		JobStatusInfo::Failed(reason) => json!({ "failed": format!("{reason:?}") }),
		JobStatusInfo::Cancelled => json!("cancelled"),
	}
}

/// A job as JSON (balances as decimal strings: they exceed JavaScript's safe integers).
fn job_json(id: JobId, job: &JobInfo<AccountId, Balance, BlockNumber>) -> Value {
	json!({
		"id": id,
		"customer": address(&job.customer),
		"gpuClass": format!("{:?}", job.gpu_class),
		"determinism": format!("{:?}", job.determinism),
		"replication": job.replication,
		"budget": job.budget.to_string(),
		"submittedAt": job.submitted_at,
		"deadline": job.deadline,
		"attempt": job.attempt,
		"replicas": job.replicas.iter().map(|replica| json!({
			"node": replica.node,
			"owner": address(&replica.owner),
			"outcome": replica.outcome.as_ref().map(outcome_json),
		})).collect::<Vec<_>>(),
		"dropped": job.dropped,
		"status": status_json(&job.status),
	})
}

fn work_json(item: &WorkItem<BlockNumber>) -> Value {
	let spec = &item.spec;
	let source = match &spec.source {
		ShaderSourceInfo::Inline(code) => json!({ "inline": String::from_utf8_lossy(code) }),
		ShaderSourceInfo::Ipfs(source) => json!({ "ipfs": cid(source) }),
	};
	json!({
		"job": item.job,
		"attempt": item.attempt,
		"deadline": item.deadline,
		"source": source,
		"entryPoint": String::from_utf8_lossy(&spec.entry_point),
		"workgroups": [spec.workgroups.x, spec.workgroups.y, spec.workgroups.z],
		"inputs": spec.inputs.iter().map(|input| cid(input)).collect::<Vec<_>>(),
		"outputSize": spec.output_size,
		"gpuClass": format!("{:?}", spec.gpu_class),
		"determinism": format!("{:?}", spec.determinism),
	})
}

/// 32 bytes as `0x`-prefixed hex.
fn hex32(bytes: &[u8; 32]) -> String {
	format!("0x{}", HexDisplay::from(bytes))
}

/// A pin order as JSON (the budget as a decimal string).
fn pin_json(id: PinId, pin: &Pin<Runtime>) -> Value {
	let replicas: Vec<Value> = pin
		.replicas
		.iter()
		.map(|replica| {
			let state = match replica.state {
				ReplicaState::Pending => json!("pending"),
				ReplicaState::Pinned => json!("pinned"),
				ReplicaState::Failed(failure) => json!({ "failed": format!("{failure:?}") }),
			};
			let answer = match replica.answer {
				AnswerState::Unchallenged => json!("unchallenged"),
				AnswerState::Awaiting => json!("awaiting"),
				AnswerState::Answered(hash) => json!({ "answered": hex32(&hash) }),
			};
			json!({
				"node": replica.node,
				"owner": address(&replica.owner),
				"state": state,
				"answer": answer,
				"strikes": replica.strikes,
			})
		})
		.collect();
	let status = match pin.status {
		PinStatus::Pinning => json!("pinning"),
		PinStatus::Active => json!("active"),
		PinStatus::Ended(reason) => json!({ "ended": format!("{reason:?}") }),
	};
	json!({
		"id": id,
		"customer": address(&pin.customer),
		"cid": cid(&pin.cid),
		"size": pin.size,
		"replication": pin.replication,
		"epochs": pin.epochs,
		"epochsDone": pin.epochs_done,
		"budget": pin.budget.to_string(),
		"nextRound": pin.next_round,
		"round": pin.round,
		"replicas": replicas,
		"challenge": pin.challenge.map(|challenge| json!({
			"round": challenge.round,
			"seed": hex32(&challenge.seed),
			"offset": challenge.offset,
			"length": challenge.length,
		})),
		"dispute": pin.dispute.as_ref().map(|dispute| json!({
			"round": dispute.challenge.round,
			"referee": dispute.referee,
			"answered": dispute.verdict.is_some(),
		})),
		"dropped": pin.dropped.to_vec(),
		"status": status,
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use pallet_compute::{Determinism, FailureKind, JobFailure, ReplicaInfo};
	use sp_keyring::Sr25519Keyring;

	#[test]
	fn a_completed_job_reads_as_json() {
		let job = JobInfo {
			customer: Sr25519Keyring::Charlie.to_account_id(),
			gpu_class: ocos_primitives::GpuClass::Entry,
			determinism: Determinism::BitExact,
			replication: 2,
			budget: u128::MAX,
			submitted_at: 4,
			deadline: 24,
			attempt: 1,
			replicas: vec![
				ReplicaInfo {
					node: 0,
					owner: Sr25519Keyring::Bob.to_account_id(),
					outcome: Some(OutcomeInfo::Completed {
						output_cid: b"QmOut".to_vec(),
						output_hash: [0xab; 32],
						gpu_millis: 7,
					}),
				},
				ReplicaInfo {
					node: 1,
					owner: Sr25519Keyring::Dave.to_account_id(),
					outcome: Some(OutcomeInfo::Failed(FailureKind::Timeout)),
				},
			],
			dropped: vec![],
			status: JobStatusInfo::Completed {
				output_cid: b"QmOut".to_vec(),
				output_hash: [0xab; 32],
				gpu_millis: 7,
				payment: Payment::Settled { charged: 1_500, quota_units: 2 },
			},
		};
		let value = job_json(9, &job);
		assert_eq!(value["budget"], json!(u128::MAX.to_string()));
		assert_eq!(value["customer"], json!(address(&Sr25519Keyring::Charlie.to_account_id())));
		assert_eq!(value["replicas"][1]["outcome"], json!({ "failed": "Timeout" }));
		let completed = &value["status"]["completed"];
		assert_eq!(completed["outputCid"], json!("QmOut"));
		assert_eq!(completed["outputHash"], json!(format!("0x{}", "ab".repeat(32))));
		assert_eq!(
			completed["payment"],
			json!({ "settled": { "charged": "1500", "quotaUnits": 2 } })
		);
		assert_eq!(
			status_json(&JobStatusInfo::Failed(JobFailure::Reported(FailureKind::InvalidShader))),
			json!({ "failed": "Reported(InvalidShader)" })
		);
	}

	#[test]
	fn a_pin_order_reads_as_json() {
		use pallet_storage::{Challenge, EndReason, Replica};
		let pin = Pin::<Runtime> {
			customer: Sr25519Keyring::Charlie.to_account_id(),
			cid: b"QmPinned".to_vec().try_into().expect("short"),
			size: 1 << 20,
			replication: 2,
			epochs: 3,
			epochs_done: 1,
			budget: u128::MAX,
			next_round: 31,
			round: 1,
			replicas: vec![
				Replica::<Runtime> {
					node: 0,
					owner: Sr25519Keyring::Alice.to_account_id(),
					state: ReplicaState::Pinned,
					answer: AnswerState::Answered([0xcd; 32]),
					strikes: 0,
				},
				Replica::<Runtime> {
					node: 4,
					owner: Sr25519Keyring::Dave.to_account_id(),
					state: ReplicaState::Pending,
					answer: AnswerState::Unchallenged,
					strikes: 2,
				},
			]
			.try_into()
			.expect("two replicas"),
			challenge: Some(Challenge { round: 1, seed: [1; 32], offset: 512, length: 1024 }),
			dispute: None,
			dropped: vec![3].try_into().expect("one"),
			status: PinStatus::Active,
		};
		let value = pin_json(5, &pin);
		assert_eq!(value["cid"], json!("QmPinned"));
		assert_eq!(value["budget"], json!(u128::MAX.to_string()));
		assert_eq!(
			value["replicas"][0]["answer"],
			json!({ "answered": format!("0x{}", "cd".repeat(32)) })
		);
		assert_eq!(value["replicas"][1]["state"], json!("pending"));
		assert_eq!(value["replicas"][1]["strikes"], json!(2));
		assert_eq!(value["challenge"]["offset"], json!(512));
		assert_eq!(value["dispute"], Value::Null);
		assert_eq!(value["dropped"], json!([3]));
		assert_eq!(value["status"], json!("active"));
		let ended = Pin::<Runtime> { status: PinStatus::Ended(EndReason::Expired), ..pin };
		assert_eq!(pin_json(5, &ended)["status"], json!({ "ended": "Expired" }));
	}
}
