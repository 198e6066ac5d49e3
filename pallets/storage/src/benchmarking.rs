//! Benchmarks of the storage pallet, each at its worst case: an order that scans `c`
//! candidates and assigns `r` replicas; the report that completes a failure quorum and ends
//! an order of `r` replicas, measured with its pool validation; a renewal; an unpin of `r`
//! replicas; a parameter change; and a round bucket of `n` pins of `MaxReplicas` replicas
//! whose every round does the most work a round can: a dispute settled against all but one
//! replica, which strike out (slash and drop), one epoch billed, a tie on the running
//! challenge sent to a new referee, the dropped replicas replaced after a full candidate scan
//! and a new challenge issued.
//!
//! Nodes, funds and prices come from [`Config::BenchmarkHelper`]; worker keys are generated in
//! the keystore under [`WORKER_KEY_TYPE`]. The setups need `MaxEpochs ≥ 2`, `MaxReplicas ≥ 2`
//! and room for `MaxPinsPerBlock × (2 × MaxReplicas + 1)` assignments on `MaxCandidates`
//! nodes (`MaxCandidates × MaxPinsPerNode`), which the runtime's values give.

use super::*;
use crate::Pallet as Storage;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::UnfilteredDispatchable;
use frame_system::RawOrigin;
#[allow(deprecated)]
use sp_runtime::{traits::ValidateUnsigned, Perbill};

const SEED: u32 = 0;

/// The budget of every benchmark order.
fn budget<T: Config>() -> BalanceOf<T> {
	BalanceOf::<T>::from(u32::MAX)
}

/// The size of every benchmark order: 1 MiB, or less if `MaxPinSize` is less.
fn size<T: Config>() -> u64 {
	T::MaxPinSize::get().min(1 << 20)
}

/// Prices storage at one planck per byte-epoch.
fn priced<T: Config>() {
	T::BenchmarkHelper::set_price(Resource::StorageByteEpoch, Some(One::one()));
}

/// A customer funded for many budgets.
fn customer<T: Config>() -> T::AccountId {
	let who: T::AccountId = account("customer", 0, SEED);
	T::BenchmarkHelper::fund(&who, budget::<T>().saturating_mul(1_000u32.into()));
	who
}

/// The longest CID.
fn longest_cid<T: Config>() -> CidOf<T> {
	BoundedVec::truncate_from((0..T::MaxCidLen::get()).map(|_| b'Q').collect())
}

/// Registers `count` storage nodes of distinct owners with room for everything, each with a
/// fresh worker key in the keystore; returns their ids and keys.
fn nodes<T: Config>(count: u32) -> Vec<(NodeId, sr25519::Public)> {
	(0..count)
		.map(|i| {
			let owner: T::AccountId = account("provider", i, SEED);
			let public = sp_io::crypto::sr25519_generate(WORKER_KEY_TYPE, None);
			(T::BenchmarkHelper::register_storage_node(&owner, u64::MAX / 4, public.0), public)
		})
		.collect()
}

/// Places an order of `replication` replicas for `epochs` for `customer`; returns its id.
fn place<T: Config>(
	customer: &T::AccountId,
	replication: u32,
	epochs: u32,
) -> Result<PinId, BenchmarkError> {
	let pin = NextPinId::<T>::get();
	Storage::<T>::pin(
		RawOrigin::Signed(customer.clone()).into(),
		longest_cid::<T>(),
		size::<T>(),
		replication,
		epochs,
		budget::<T>(),
	)?;
	Ok(pin)
}

/// The `report` call of `node` (whose worker key is `public`) on `pin`.
fn report_call<T: Config>(
	pin: PinId,
	node: NodeId,
	public: &sr25519::Public,
	report: Report,
) -> Result<Call<T>, BenchmarkError> {
	let report = StorageReport { pin, node, report };
	let signature = sp_io::crypto::sr25519_sign(WORKER_KEY_TYPE, public, &report.signing_payload())
		.ok_or("the keystore could not sign the report")?;
	Ok(Call::<T>::report { report, signature })
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

/// Validates an unsigned call as block import does.
#[allow(deprecated)]
fn validate_in_block<T: Config>(call: &Call<T>) -> Result<(), BenchmarkError> {
	Storage::<T>::validate_unsigned(TransactionSource::InBlock, call)?;
	Ok(())
}

/// The DAO origin.
fn dao<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::DaoOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

/// Puts `pin` (whose replicas all pinned) in the state whose round is costliest: the first
/// replica pinned during the epoch (unchallenged, billed); the others gave distinct answers to
/// the running challenge (a tie) and to the last one, whose referee answered none of them,
/// and have one strike left.
fn costliest_round<T: Config>(pin: PinId, referee: NodeId) -> Result<(), BenchmarkError> {
	let mut record = Pins::<T>::get(pin).ok_or("the pin exists")?;
	let limit = Params::<T>::get().strike_limit;
	let last_round = Challenge::new(record.round, [1; 32], record.size, 1);
	let running = Challenge::new(record.round, [2; 32], record.size, T::ChallengeLength::get());
	let mut tied = Vec::new();
	for (i, replica) in record.replicas.iter_mut().enumerate() {
		replica.state = ReplicaState::Pinned;
		if i == 0 {
			continue;
		}
		let hash = [u8::try_from(i).unwrap_or(u8::MAX); 32];
		replica.answer = AnswerState::Answered(hash);
		replica.strikes = limit.saturating_sub(1);
		tied.push((replica.node, hash));
	}
	record.status = PinStatus::Active;
	record.challenge = Some(running);
	Storage::<T>::list_node(pin, referee)?;
	record.dispute = Some(Dispute {
		challenge: last_round,
		answers: BoundedVec::truncate_from(tied),
		referee,
		verdict: Some([0; 32]),
	});
	Pins::<T>::insert(pin, record);
	Ok(())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `c` eligible candidates of distinct owners (all scanned), `r` replicas, the longest
	/// CID.
	#[benchmark]
	fn pin(
		c: Linear<{ T::MaxReplicas::get() }, { T::MaxCandidates::get() }>,
		r: Linear<1, { T::MaxReplicas::get() }>,
	) -> Result<(), BenchmarkError> {
		priced::<T>();
		let who = customer::<T>();
		nodes::<T>(c);
		let order = NextPinId::<T>::get();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(who),
			longest_cid::<T>(),
			size::<T>(),
			r,
			T::MaxEpochs::get(),
			budget::<T>(),
		);

		assert_eq!(Pins::<T>::get(order).map(|record| record.replicas.len()), Some(r as usize));
		Ok(())
	}

	/// Pool validation plus dispatch of the failure report that reaches the quorum of an
	/// order of `r` replicas: the order ends, all `r` are released and the budget refunded.
	#[benchmark]
	fn report(r: Linear<1, { T::MaxReplicas::get() }>) -> Result<(), BenchmarkError> {
		priced::<T>();
		let who = customer::<T>();
		let keys = nodes::<T>(r);
		let order = place::<T>(&who, r, 1)?;
		let replicas: Vec<NodeId> = Pins::<T>::get(order)
			.ok_or("the order exists")?
			.replicas
			.iter()
			.map(|replica| replica.node)
			.collect();
		let quorum = usize::try_from(r / 2 + 1).map_err(|_| "quorum overflows")?;
		let failure = Report::Failed(PinFailure::Unavailable);
		for node in replicas.iter().take(quorum.saturating_sub(1)) {
			let call = report_call::<T>(order, *node, &key_of(&keys, *node)?, failure)?;
			validate_in_block::<T>(&call)?;
			call.dispatch_bypass_filter(RawOrigin::None.into())?;
		}
		let last = *replicas.get(quorum.saturating_sub(1)).ok_or("the quorum's node exists")?;
		let call = report_call::<T>(order, last, &key_of(&keys, last)?, failure)?;

		#[block]
		{
			validate_in_block::<T>(&call)?;
			call.dispatch_bypass_filter(RawOrigin::None.into())?;
		}

		assert_eq!(
			Pins::<T>::get(order).map(|record| record.status),
			Some(PinStatus::Ended(EndReason::Failed(PinFailure::Unavailable)))
		);
		Ok(())
	}

	/// An epoch and more budget added to an order.
	#[benchmark]
	fn renew() -> Result<(), BenchmarkError> {
		priced::<T>();
		let who = customer::<T>();
		nodes::<T>(1);
		let order = place::<T>(&who, 1, 1)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who), order, 1, budget::<T>());

		assert_eq!(Pins::<T>::get(order).map(|record| record.epochs), Some(2));
		Ok(())
	}

	/// An order of `r` replicas unpinned.
	#[benchmark]
	fn unpin(r: Linear<1, { T::MaxReplicas::get() }>) -> Result<(), BenchmarkError> {
		priced::<T>();
		let who = customer::<T>();
		nodes::<T>(r);
		let order = place::<T>(&who, r, 1)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who), order);

		assert_eq!(
			Pins::<T>::get(order).map(|record| record.status),
			Some(PinStatus::Ended(EndReason::Unpinned))
		);
		Ok(())
	}

	/// Both parameters changed.
	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let params = StorageParams { strike_limit: 7, strike_slash: Perbill::from_percent(3) };
		let origin = dao::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);

		assert_eq!(Params::<T>::get(), params);
		Ok(())
	}

	/// `n` pins of `MaxReplicas` replicas due in one block, each in the costliest state
	/// ([`costliest_round`]).
	///
	/// The hook runs for the round block while the system block number stays at the placement
	/// block, so that the registry still sees the benchmark nodes as live (a real chain's nodes
	/// heartbeat meanwhile).
	#[benchmark]
	fn process_rounds(n: Linear<0, { T::MaxPinsPerBlock::get() }>) -> Result<(), BenchmarkError> {
		priced::<T>();
		let who = customer::<T>();
		let keys = nodes::<T>(T::MaxCandidates::get());
		let replication = T::MaxReplicas::get();
		let mut pins = vec![];
		for _ in 0..n {
			let order = place::<T>(&who, replication, T::MaxEpochs::get())?;
			let record = Pins::<T>::get(order).ok_or("the order exists")?;
			let (excluded, owners) = Storage::<T>::exclusions(&record);
			let referee = keys
				.iter()
				.map(|(node, _)| *node)
				.find(|node| {
					!excluded.contains(node)
						&& T::Registry::owner(*node).is_some_and(|owner| !owners.contains(&owner))
				})
				.ok_or("a referee is available")?;
			costliest_round::<T>(order, referee)?;
			pins.push(order);
		}
		let round =
			frame_system::Pallet::<T>::block_number().saturating_add(Storage::<T>::epoch_length());

		#[block]
		{
			Storage::<T>::process_rounds(round);
		}

		for order in pins {
			let record = Pins::<T>::get(order).ok_or("the order exists")?;
			assert_eq!(record.round, 1);
			assert!(record.dispute.is_some());
			assert_eq!(record.replicas.len(), replication as usize);
		}
		Ok(())
	}

	impl_benchmark_test_suite!(Storage, crate::mock::new_test_ext(), crate::mock::Test);
}
