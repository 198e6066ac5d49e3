//! Attestations settled per block at the block weight limit.
//!
//! The real runtime (the development genesis, this build's weights and block limits) builds
//! one block as an author would: `Executive::initialize_block`, then signed attestations
//! through `Executive::apply_extrinsic` until `CheckWeight` refuses the next one
//! (`ExhaustsResources`). Beforehand, `NODES` verified GPU nodes are registered and enough
//! jobs submitted that the block cannot take all their attestations. The attestations come
//! job by job, from the first q = r / 2 + 1 replicas of each, so every q-th one completes a
//! quorum and settles its job (billing, payouts, reputation) in the same block.
//!
//! Prints, per replication: attestations included, jobs settled, the normal-class weight
//! they used, and the native time the runtime took to apply them. The smoke run (`cargo
//! test`) measures replication 1 only.

use std::{collections::BTreeMap, time::Instant};

use frame_support::{dispatch::DispatchClass, traits::fungible::Mutate};
use ocos_benchmarks::full_run;
use ocos_primitives::{GpuClass, NodeId};
use ocos_runtime::{
	genesis_config_presets::get_preset, AccountId, Balances, Compute, Executive, Header,
	NodeRegistry, Runtime, RuntimeCall, RuntimeEvent, RuntimeGenesisConfig, RuntimeOrigin, System,
	UncheckedExtrinsic, UNIT,
};
use pallet_compute::{Attestation, Determinism, JobId, JobSpec, Outcome, ShaderSource, Workgroups};
use pallet_node_registry::{Capabilities, GpuSpec};
use sp_core::{sr25519, Pair};
use sp_runtime::{
	traits::Header as _,
	transaction_validity::{InvalidTransaction, TransactionValidityError},
	BoundedVec, BuildStorage,
};

/// Registered GPU nodes: room for 16 open assignments each, more than a block can attest.
const NODES: u32 = 400;
/// Attestations prepared, whatever the replication: more than a block takes.
const ATTESTATIONS: u32 = 6_000;
/// Jobs whose deadline may fall in one block (the runtime's `MaxJobsPerBlock`).
const JOBS_PER_DEADLINE_BLOCK: u32 = 32;

fn main() {
	let replications: &[u32] = if full_run() { &[1, 2, 3] } else { &[1] };
	let weights = <Runtime as frame_system::Config>::BlockWeights::get();
	let limit = weights.get(DispatchClass::Normal).max_total.unwrap_or(weights.max_block);
	println!("normal-class block limit: {:.3} s of ref time", limit.ref_time() as f64 / 1e12);
	println!(
		"| replication | attestations in the block | jobs settled | weight used | native time |"
	);
	println!("|---|---|---|---|---|");
	for &replication in replications {
		let filled = fill_a_block(replication);
		println!(
			"| {replication} | {} | {} | {:.1}% | {:.0} ms |",
			filled.attestations,
			filled.settled,
			filled.ref_time as f64 * 100.0 / limit.ref_time() as f64,
			filled.native_nanos as f64 / 1e6,
		);
	}
}

/// What one full block held.
struct Filled {
	attestations: u32,
	settled: u32,
	/// Normal-class ref time used by the block, initialization included.
	ref_time: u64,
	/// Native time spent in `apply_extrinsic`.
	native_nanos: u128,
}

/// Sets up a fresh development chain with open jobs of `replication` and fills block 2 with
/// their attestations.
fn fill_a_block(replication: u32) -> Filled {
	let mut ext = genesis();
	ext.execute_with(|| {
		System::set_block_number(1);
		let workers = register_nodes();
		let jobs = submit_jobs(replication);
		let extrinsics = attestations(&jobs, &workers);

		let parent = System::block_hash(1);
		Executive::initialize_block(&Header::new(
			2,
			Default::default(),
			Default::default(),
			parent,
			Default::default(),
		));
		let started = Instant::now();
		let mut attestations = 0;
		for (job, node, extrinsic) in extrinsics {
			match Executive::apply_extrinsic(extrinsic) {
				Ok(Ok(())) => attestations += 1,
				Err(TransactionValidityError::Invalid(InvalidTransaction::ExhaustsResources)) => {
					break
				}
				other => panic!("attestation of job {job} by node {node}: {other:?}"),
			}
		}
		let native_nanos = started.elapsed().as_nanos();
		let settled = System::events()
			.iter()
			.filter(|record| {
				matches!(
					record.event,
					RuntimeEvent::Compute(pallet_compute::Event::JobCompleted { .. })
				)
			})
			.count();
		assert!(
			attestations < jobs.values().map(Vec::len).sum::<usize>() as u32,
			"the block took every attestation: prepare more"
		);
		Filled {
			attestations,
			settled: settled as u32,
			ref_time: System::block_weight().get(DispatchClass::Normal).ref_time(),
			native_nanos,
		}
	})
}

/// Externalities with the development genesis state: the preset merged into the default
/// genesis config, as the node builds its chain spec.
fn genesis() -> sp_io::TestExternalities {
	let preset = get_preset(&sp_genesis_builder::DEV_RUNTIME_PRESET.into())
		.unwrap_or_else(|| panic!("the runtime has a development preset"));
	let patch: serde_json::Value = serde_json::from_slice(&preset)
		.unwrap_or_else(|error| panic!("the preset is JSON: {error}"));
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default())
		.unwrap_or_else(|error| panic!("the default genesis config serializes: {error}"));
	sc_chain_spec::json_merge(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config)
		.unwrap_or_else(|error| panic!("the preset fits the genesis config: {error}"));
	config
		.build_storage()
		.unwrap_or_else(|error| panic!("the development genesis builds: {error}"))
		.into()
}

/// Registers `NODES` entry-class GPU nodes, each of its own owner, verified by the DAO;
/// returns every GPU node's worker key, the genesis node's included.
fn register_nodes() -> BTreeMap<NodeId, sr25519::Pair> {
	let mut workers = BTreeMap::new();
	let genesis_worker = sr25519::Pair::from_string("//Alice//worker", None)
		.unwrap_or_else(|error| panic!("a development key: {error:?}"));
	workers.insert(0, genesis_worker);
	let bond = pallet_node_registry::Params::<Runtime>::get().node_bond;
	for index in 0..NODES {
		let owner = account(b"owner", index);
		Balances::set_balance(&owner, bond + 10 * UNIT);
		let worker = sr25519::Pair::from_seed(&seed(b"worker", index));
		let key_proof = worker.sign(&pallet_node_registry::worker_key_proof_payload(&owner));
		let capabilities = Capabilities::<Runtime> {
			gpu: Some(GpuSpec {
				class: GpuClass::Entry,
				model: BoundedVec::truncate_from(b"benchmark".to_vec()),
				vram_mib: 8192,
			}),
			storage_bytes: 0,
		};
		let node = pallet_node_registry::NextNodeId::<Runtime>::get();
		NodeRegistry::register(
			RuntimeOrigin::signed(owner),
			worker.public().0,
			capabilities,
			Default::default(),
			Default::default(),
			key_proof,
		)
		.unwrap_or_else(|error| panic!("node {index} registers: {error:?}"));
		NodeRegistry::verify(pallet_dao::RawOrigin::Dao.into(), node)
			.unwrap_or_else(|error| panic!("the DAO verifies node {node}: {error:?}"));
		workers.insert(node, worker);
	}
	workers
}

/// Submits enough jobs of `replication` for `ATTESTATIONS` attestations; returns each job's
/// assigned nodes.
fn submit_jobs(replication: u32) -> BTreeMap<JobId, Vec<NodeId>> {
	let customer = account(b"customer", 0);
	Balances::set_balance(&customer, 1_000_000 * UNIT);
	let count = ATTESTATIONS.div_ceil(replication);
	let first = pallet_compute::NextJobId::<Runtime>::get();
	for index in 0..count {
		let spec = JobSpec::<Runtime> {
			source: ShaderSource::Inline(BoundedVec::truncate_from(
				b"@compute @workgroup_size(1) fn main() {}".to_vec(),
			)),
			entry_point: BoundedVec::truncate_from(b"main".to_vec()),
			workgroups: Workgroups { x: 1, y: 1, z: 1 },
			inputs: Default::default(),
			output_size: 4,
			gpu_class: GpuClass::Entry,
			determinism: Determinism::BitExact,
			// Spread over deadline blocks, each of which takes a bounded number of jobs.
			deadline: 10 + index / JOBS_PER_DEADLINE_BLOCK,
		};
		Compute::submit_job(RuntimeOrigin::signed(customer.clone()), spec, replication, UNIT)
			.unwrap_or_else(|error| panic!("job {index} of replication {replication}: {error:?}"));
	}
	(first..first + JobId::from(count))
		.map(|job| {
			let record = pallet_compute::Jobs::<Runtime>::get(job)
				.unwrap_or_else(|| panic!("job {job} is stored"));
			(job, record.replicas.iter().map(|replica| replica.node).collect())
		})
		.collect()
}

/// Signed attestations of the same result, job by job, from as many of its replicas as
/// complete its quorum (the pool refuses later ones as stale once the job has completed).
fn attestations(
	jobs: &BTreeMap<JobId, Vec<NodeId>>,
	workers: &BTreeMap<NodeId, sr25519::Pair>,
) -> Vec<(JobId, NodeId, UncheckedExtrinsic)> {
	let mut extrinsics = Vec::new();
	for (&job, nodes) in jobs {
		let quorum = pallet_compute::quorum(u32::try_from(nodes.len()).unwrap_or(u32::MAX));
		for &node in nodes.iter().take(usize::try_from(quorum).unwrap_or(usize::MAX)) {
			let worker = workers.get(&node).unwrap_or_else(|| panic!("node {node} has a worker"));
			let attestation = Attestation::<Runtime> {
				job,
				node,
				outcome: Outcome::Completed {
					output_cid: BoundedVec::truncate_from(
						b"bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy".to_vec(),
					),
					output_hash: [7; 32],
					gpu_millis: 10,
				},
			};
			let signature = worker.sign(&attestation.signing_payload());
			let call =
				RuntimeCall::Compute(pallet_compute::Call::attest { attestation, signature });
			extrinsics.push((job, node, UncheckedExtrinsic::new_bare(call)));
		}
	}
	extrinsics
}

/// A benchmark account or key seed: `tag` and `index`, zero-padded to 32 bytes.
fn seed(tag: &[u8], index: u32) -> [u8; 32] {
	let mut seed = [0u8; 32];
	seed[..tag.len()].copy_from_slice(tag);
	seed[28..].copy_from_slice(&index.to_le_bytes());
	seed
}

fn account(tag: &[u8], index: u32) -> AccountId {
	AccountId::new(seed(tag, index))
}
