//! Benchmarks of the compute pallet, each at its worst case: a submission that scans `c`
//! candidates and assigns `r` replicas with the largest spec; the attestation that reaches the
//! quorum and settles (with every other replica reported, dissenters included), measured
//! together with its pool validation; cancellation and deferred settlement of `r` replicas;
//! and a deadline bucket of `n` jobs whose replicas all missed, each reassigned after a full
//! candidate scan.
//!
//! Nodes, funds and prices come from [`Config::BenchmarkHelper`]; worker keys are generated in
//! the keystore under [`WORKER_KEY_TYPE`]. The setups need `MaxCandidates ≥ 2 ×
//! MaxReplication` and room for `MaxJobsPerBlock × MaxReplication` assignments twice over
//! (`MaxCandidates × MaxJobsPerNode`), which the runtime's values give.

use super::*;
use crate::Pallet as Compute;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::UnfilteredDispatchable;
use frame_system::RawOrigin;
#[allow(deprecated)]
use sp_runtime::traits::ValidateUnsigned;

const SEED: u32 = 0;

/// The class of every benchmark job and node.
const CLASS: GpuClass = GpuClass::Standard;

/// The budget of every benchmark job.
fn budget<T: Config>() -> BalanceOf<T> {
	BalanceOf::<T>::from(u32::MAX)
}

/// Prices the benchmarks' GPU class at one planck per millisecond.
fn priced<T: Config>() {
	T::BenchmarkHelper::set_price(Resource::GpuMillis(CLASS), Some(One::one()));
}

/// A customer funded for many budgets.
fn customer<T: Config>() -> T::AccountId {
	let who: T::AccountId = account("customer", 0, SEED);
	T::BenchmarkHelper::fund(&who, budget::<T>().saturating_mul(1_000u32.into()));
	who
}

/// A byte string of the bound's full length.
fn full<S: Get<u32>>() -> BoundedVec<u8, S> {
	BoundedVec::truncate_from((0..S::get()).map(|_| b'x').collect())
}

/// The largest specification: the longest inline source and entry point, the most inputs
/// with the longest CIDs, the largest dispatch and output, and the shortest deadline.
fn largest_spec<T: Config>() -> JobSpec<T> {
	let max = MAX_WORKGROUPS_PER_DIMENSION;
	JobSpec {
		source: ShaderSource::Inline(full()),
		entry_point: full(),
		workgroups: Workgroups { x: max, y: max, z: max },
		inputs: BoundedVec::truncate_from(
			(0..T::MaxInputs::get()).map(|_| full::<T::MaxCidLen>()).collect(),
		),
		output_size: T::MaxOutputSize::get(),
		gpu_class: CLASS,
		determinism: Determinism::BitExact,
		deadline: T::MinDeadline::get(),
	}
}

/// Registers `count` nodes of distinct owners, each with a fresh worker key in the keystore;
/// returns their ids and keys.
fn nodes<T: Config>(count: u32) -> Vec<(NodeId, sr25519::Public)> {
	(0..count)
		.map(|i| {
			let owner: T::AccountId = account("provider", i, SEED);
			let public = sp_io::crypto::sr25519_generate(WORKER_KEY_TYPE, None);
			(T::BenchmarkHelper::register_gpu_node(&owner, CLASS, public.0), public)
		})
		.collect()
}

/// Submits the largest spec with `replication` for `customer`; returns the job's id.
fn submit<T: Config>(customer: &T::AccountId, replication: u32) -> Result<JobId, BenchmarkError> {
	let job = NextJobId::<T>::get();
	Compute::<T>::submit_job(
		RawOrigin::Signed(customer.clone()).into(),
		largest_spec::<T>(),
		replication,
		budget::<T>(),
	)?;
	Ok(job)
}

/// A completion with the longest output CID.
fn completion<T: Config>(hash: u8) -> Outcome<T> {
	Outcome::Completed { output_cid: full(), output_hash: [hash; 32], gpu_millis: 1_000 }
}

/// The `attest` call of `node` (whose worker key is `public`) on `job`.
fn attestation_call<T: Config>(
	job: JobId,
	node: NodeId,
	public: &sr25519::Public,
	outcome: Outcome<T>,
) -> Result<Call<T>, BenchmarkError> {
	let attestation = Attestation { job, node, outcome };
	let signature =
		sp_io::crypto::sr25519_sign(WORKER_KEY_TYPE, public, &attestation.signing_payload())
			.ok_or("the keystore could not sign the attestation")?;
	Ok(Call::<T>::attest { attestation, signature })
}

/// The worker key of `node` among `keys`.
fn key_of(
	keys: &[(NodeId, sr25519::Public)],
	node: NodeId,
) -> Result<sr25519::Public, BenchmarkError> {
	keys.iter()
		.find(|(known, _)| *known == node)
		.map(|(_, public)| *public)
		.ok_or(BenchmarkError::Stop("an assigned node has no benchmark key"))
}

/// The nodes assigned to `job`.
fn assigned<T: Config>(job: JobId) -> Result<Vec<NodeId>, BenchmarkError> {
	Ok(Jobs::<T>::get(job).ok_or("the job exists")?.replicas.iter().map(|r| r.node).collect())
}

/// Validates an unsigned call as block import does.
#[allow(deprecated)]
fn validate_in_block<T: Config>(call: &Call<T>) -> Result<(), BenchmarkError> {
	Compute::<T>::validate_unsigned(TransactionSource::InBlock, call)?;
	Ok(())
}

/// Dispatches `call` unsigned, after validating it.
fn dispatch_unsigned<T: Config>(call: Call<T>) -> Result<(), BenchmarkError> {
	validate_in_block::<T>(&call)?;
	call.dispatch_bypass_filter(RawOrigin::None.into())?;
	Ok(())
}

/// Has every assigned node of `job` but the last attest, so that the last attestation decides
/// it: the `r − q` first report distinct dissenting hashes, the next `q − 1` agree. Returns the
/// call of the last node (agreeing).
fn all_but_the_last<T: Config>(
	job: JobId,
	keys: &[(NodeId, sr25519::Public)],
) -> Result<Call<T>, BenchmarkError> {
	let replicas = assigned::<T>(job)?;
	let replication = u32::try_from(replicas.len()).map_err(|_| "too many replicas")?;
	let dissenters = replication.saturating_sub(quorum(replication));
	let (last, others) = replicas.split_last().ok_or("the job has replicas")?;
	for (i, node) in others.iter().enumerate() {
		let i = u32::try_from(i).map_err(|_| "too many replicas")?;
		// Dissenting hashes 1, 2, …; the agreeing hash is 0.
		let hash = if i < dissenters { u8::try_from(i + 1).unwrap_or(u8::MAX) } else { 0 };
		dispatch_unsigned::<T>(attestation_call::<T>(
			job,
			*node,
			&key_of(keys, *node)?,
			completion::<T>(hash),
		)?)?;
	}
	attestation_call::<T>(job, *last, &key_of(keys, *last)?, completion::<T>(0))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `c` eligible candidates of distinct owners (all scanned), `r` replicas, the largest
	/// spec.
	#[benchmark]
	fn submit_job(
		c: Linear<{ T::MaxReplication::get() }, { T::MaxCandidates::get() }>,
		r: Linear<1, { T::MaxReplication::get() }>,
	) -> Result<(), BenchmarkError> {
		priced::<T>();
		let who = customer::<T>();
		nodes::<T>(c);
		let job = NextJobId::<T>::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(who), largest_spec::<T>(), r, budget::<T>());

		assert_eq!(Jobs::<T>::get(job).map(|record| record.replicas.len()), Some(r as usize));
		Ok(())
	}

	/// Pool validation plus dispatch of the attestation that completes a job of `r`
	/// replicas: `r − q` dissenters are penalised, `q` agreeing replicas verified and paid,
	/// all `r` released.
	#[benchmark]
	fn attest(r: Linear<1, { T::MaxReplication::get() }>) -> Result<(), BenchmarkError> {
		priced::<T>();
		let who = customer::<T>();
		let keys = nodes::<T>(r);
		let job = submit::<T>(&who, r)?;
		let call = all_but_the_last::<T>(job, &keys)?;

		#[block]
		{
			validate_in_block::<T>(&call)?;
			call.dispatch_bypass_filter(RawOrigin::None.into())?;
		}

		assert!(matches!(
			Jobs::<T>::get(job).map(|record| record.status),
			Some(JobStatus::Completed { payment: Payment::Settled { .. }, .. })
		));
		Ok(())
	}

	/// A job of `r` replicas cancelled.
	#[benchmark]
	fn cancel_job(r: Linear<1, { T::MaxReplication::get() }>) -> Result<(), BenchmarkError> {
		priced::<T>();
		let who = customer::<T>();
		nodes::<T>(r);
		let job = submit::<T>(&who, r)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who), job);

		assert_eq!(Jobs::<T>::get(job).map(|record| record.status), Some(JobStatus::Cancelled));
		Ok(())
	}

	/// A completed job of `r` replicas whose settlement was deferred (the price was missing
	/// when the quorum was reached), settled once the price is back.
	#[benchmark]
	fn settle_job(r: Linear<1, { T::MaxReplication::get() }>) -> Result<(), BenchmarkError> {
		priced::<T>();
		let who = customer::<T>();
		let keys = nodes::<T>(r);
		let job = submit::<T>(&who, r)?;
		T::BenchmarkHelper::set_price(Resource::GpuMillis(CLASS), None);
		let last = all_but_the_last::<T>(job, &keys)?;
		dispatch_unsigned::<T>(last)?;
		assert!(matches!(
			Jobs::<T>::get(job).map(|record| record.status),
			Some(JobStatus::Completed { payment: Payment::Pending, .. })
		));
		priced::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(who), job);

		assert!(matches!(
			Jobs::<T>::get(job).map(|record| record.status),
			Some(JobStatus::Completed { payment: Payment::Settled { .. }, .. })
		));
		Ok(())
	}

	/// `n` jobs of `MaxReplication` replicas due in one block, none of which reported: every
	/// replica is penalised and dropped, and every job reassigned after a full candidate scan.
	///
	/// The hook runs for the deadline block while the system block number stays at the
	/// submission block, so that the registry still sees the benchmark nodes as live (a real
	/// chain's nodes heartbeat meanwhile).
	#[benchmark]
	fn process_deadlines(
		n: Linear<0, { T::MaxJobsPerBlock::get() }>,
	) -> Result<(), BenchmarkError> {
		priced::<T>();
		let who = customer::<T>();
		nodes::<T>(T::MaxCandidates::get());
		let replication = T::MaxReplication::get();
		let mut jobs = vec![];
		for _ in 0..n {
			jobs.push(submit::<T>(&who, replication)?);
		}
		let deadline =
			frame_system::Pallet::<T>::block_number().saturating_add(T::MinDeadline::get());

		#[block]
		{
			Compute::<T>::process_deadlines(deadline);
		}

		for job in jobs {
			assert_eq!(Jobs::<T>::get(job).map(|record| record.attempt), Some(2));
		}
		Ok(())
	}

	impl_benchmark_test_suite!(Compute, crate::mock::new_test_ext(), crate::mock::Test);
}
