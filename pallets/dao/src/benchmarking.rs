//! Benchmarks of the DAO pallet, each call at its worst case. The setup writes the parameters
//! it needs (a non-zero deposit, short voting, and the quorum and approval that decide the
//! outcome it measures); the code paths do not depend on their values.

use super::*;
use crate::Pallet as Dao;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::{InspectFreeze, Mutate};
use frame_system::RawOrigin as SystemOrigin;

/// Puts parameters with a deposit of the existential deposit (at least one), ten blocks of
/// voting (the benchmark CLI moves from block 0 to 1 between setup and call), one block of
/// enactment delay, and the given shares.
fn bench_params<T: Config>(quorum: Perbill, approval: Perbill, spam_threshold: Perbill) {
	Params::<T>::put(DaoParams {
		proposal_deposit: T::Currency::minimum_balance().max(1u32.into()),
		voting_period: 10u32.into(),
		enactment_delay: One::one(),
		quorum,
		approval,
		spam_threshold,
	});
}

/// The smallest amount a benchmark votes or deposits: the existential deposit, at least one.
fn unit<T: Config>() -> BalanceOf<T> {
	T::Currency::minimum_balance().max(1u32.into())
}

/// An account funded for every deposit and vote of a benchmark.
fn funded<T: Config>(name: &'static str) -> T::AccountId {
	let who: T::AccountId = account(name, 0, 0);
	let _ = T::Currency::set_balance(&who, unit::<T>().saturating_mul(1_000_000u32.into()));
	who
}

/// A trivial call, inline.
fn remark_call<T: Config>() -> Result<Box<BoundedCallOf<T>>, BenchmarkError> {
	let call: <T as frame_system::Config>::RuntimeCall =
		frame_system::Call::<T>::remark { remark: vec![] }.into();
	Ok(Box::new(T::Preimages::bound(CallOf::<T>::from(call))?))
}

/// A description of the longest length.
fn full_description<T: Config>() -> DescriptionOf<T> {
	BoundedVec::truncate_from((0..T::MaxDescriptionLen::get()).map(|_| b'x').collect())
}

/// Submits `count` proposals (of a trivial call); returns their indices.
fn proposals<T: Config>(count: u32) -> Result<Vec<ProposalIndex>, BenchmarkError> {
	let proposer = funded::<T>("proposer");
	let mut indices = Vec::new();
	for _ in 0..count {
		indices.push(ProposalCount::<T>::get());
		Dao::<T>::propose(
			SystemOrigin::Signed(proposer.clone()).into(),
			remark_call::<T>()?,
			full_description::<T>(),
		)?;
	}
	Ok(indices)
}

/// `MaxOpenProposals` voting proposals; returns the index of the last.
fn full_open_list<T: Config>() -> Result<ProposalIndex, BenchmarkError> {
	let indices = proposals::<T>(T::MaxOpenProposals::get())?;
	Ok(*indices.last().ok_or("MaxOpenProposals is zero")?)
}

/// Gives `who` `count` votes of `unit` on proposals that are not voting (indices no proposal
/// has), still frozen: the most costly entries for the freeze's recomputation, which scans the
/// open list for each.
fn ended_votes<T: Config>(who: &T::AccountId, count: u32) -> Result<(), BenchmarkError> {
	let amount = unit::<T>();
	let votes: Vec<_> = (0..count)
		.map(|i| (ProposalIndex::MAX.saturating_sub(i), Vote { aye: true, amount }))
		.collect();
	VotesOf::<T>::insert(who, AccountVotesOf::<T>::try_from(votes).map_err(|_| "too many votes")?);
	T::Currency::set_freeze(&FreezeReason::Voting.into(), who, amount)?;
	Ok(())
}

/// A voter votes `aye` on proposal `index`, and the block moves to the end of its voting.
fn vote_and_end<T: Config>(index: ProposalIndex, aye: bool) -> Result<(), BenchmarkError> {
	let voter = funded::<T>("voter");
	Dao::<T>::vote(SystemOrigin::Signed(voter).into(), index, aye, unit::<T>())?;
	let proposal = Proposals::<T>::get(index).ok_or("no proposal")?;
	let end = Dao::<T>::voting_end(&proposal).map_err(|_| "the proposal is not voting")?;
	frame_system::Pallet::<T>::set_block_number(end);
	Ok(())
}

/// The DAO origin.
fn dao_origin<T: Config>() -> OriginFor<T> {
	<T as Config>::RuntimeOrigin::from(RawOrigin::Dao).into()
}

/// The status of proposal `index`.
fn status<T: Config>(index: ProposalIndex) -> Option<ProposalStatus<BlockNumberFor<T>>> {
	Proposals::<T>::get(index).map(|proposal| proposal.status)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	// Worst case: the open list holds `MaxOpenProposals - 1` proposals and the description is
	// of the longest length.
	#[benchmark]
	fn propose() -> Result<(), BenchmarkError> {
		bench_params::<T>(Perbill::zero(), Perbill::zero(), Perbill::zero());
		proposals::<T>(T::MaxOpenProposals::get().saturating_sub(1))?;
		let caller = funded::<T>("caller");
		let call = remark_call::<T>()?;
		let description = full_description::<T>();
		let index = ProposalCount::<T>::get();

		#[extrinsic_call]
		_(SystemOrigin::Signed(caller.clone()), call, description);

		assert_eq!(Proposals::<T>::get(index).map(|proposal| proposal.proposer), Some(caller));
		assert!(OpenProposals::<T>::get().is_full());
		Ok(())
	}

	// Worst case: the open list is full and the voter has `MaxVotes - 1` other votes, none on
	// an open proposal (each scans the whole open list).
	#[benchmark]
	fn vote() -> Result<(), BenchmarkError> {
		bench_params::<T>(Perbill::zero(), Perbill::zero(), Perbill::zero());
		let index = full_open_list::<T>()?;
		let voter = funded::<T>("voter");
		ended_votes::<T>(&voter, T::MaxVotes::get().saturating_sub(1))?;

		#[extrinsic_call]
		_(SystemOrigin::Signed(voter.clone()), index, true, unit::<T>());

		assert!(VotesOf::<T>::get(&voter).is_full());
		Ok(())
	}

	// Worst case: as for `vote`, removing the vote on a voting proposal.
	#[benchmark]
	fn remove_vote() -> Result<(), BenchmarkError> {
		bench_params::<T>(Perbill::zero(), Perbill::zero(), Perbill::zero());
		let index = full_open_list::<T>()?;
		let voter = funded::<T>("voter");
		ended_votes::<T>(&voter, T::MaxVotes::get().saturating_sub(1))?;
		Dao::<T>::vote(SystemOrigin::Signed(voter.clone()).into(), index, true, unit::<T>())?;

		#[extrinsic_call]
		_(SystemOrigin::Signed(voter.clone()), index);

		assert!(VotesOf::<T>::get(&voter).iter().all(|(voted, _)| *voted != index));
		Ok(())
	}

	// Worst case: the open list is full and the target has `MaxVotes` votes, all on proposals
	// that ended.
	#[benchmark]
	fn unlock() -> Result<(), BenchmarkError> {
		bench_params::<T>(Perbill::zero(), Perbill::zero(), Perbill::zero());
		full_open_list::<T>()?;
		let target = funded::<T>("target");
		ended_votes::<T>(&target, T::MaxVotes::get())?;
		let caller = funded::<T>("caller");

		#[extrinsic_call]
		_(SystemOrigin::Signed(caller), target.clone());

		assert!(!VotesOf::<T>::contains_key(&target));
		assert!(T::Currency::balance_frozen(&FreezeReason::Voting.into(), &target).is_zero());
		Ok(())
	}

	// A passed proposal: its enactment is scheduled and its deposit released. The open list
	// is full.
	#[benchmark]
	fn close() -> Result<(), BenchmarkError> {
		bench_params::<T>(Perbill::zero(), Perbill::zero(), Perbill::zero());
		let index = full_open_list::<T>()?;
		vote_and_end::<T>(index, true)?;
		let caller = funded::<T>("caller");

		#[extrinsic_call]
		_(SystemOrigin::Signed(caller), index);

		assert!(matches!(status::<T>(index), Some(ProposalStatus::Approved { .. })));
		Ok(())
	}

	// `close` of a proposal rejected as spam: its deposit goes to the treasury. The open list
	// is full.
	#[benchmark]
	fn close_rejected() -> Result<(), BenchmarkError> {
		bench_params::<T>(Perbill::zero(), Perbill::one(), Perbill::one());
		let index = full_open_list::<T>()?;
		vote_and_end::<T>(index, false)?;
		let caller = funded::<T>("caller");
		let treasury = T::Treasury::get();
		let before = T::Currency::balance(&treasury);

		#[extrinsic_call]
		close(SystemOrigin::Signed(caller), index);

		assert_eq!(status::<T>(index), Some(ProposalStatus::Rejected));
		assert!(T::Currency::balance(&treasury) > before);
		Ok(())
	}

	// `cancel` by the DAO of a voting proposal with votes: its deposit is released. The open
	// list is full.
	#[benchmark]
	fn cancel() -> Result<(), BenchmarkError> {
		bench_params::<T>(Perbill::zero(), Perbill::zero(), Perbill::zero());
		let index = full_open_list::<T>()?;
		let voter = funded::<T>("voter");
		Dao::<T>::vote(SystemOrigin::Signed(voter).into(), index, true, unit::<T>())?;
		let origin = dao_origin::<T>();

		#[extrinsic_call]
		_(origin, index);

		assert_eq!(status::<T>(index), Some(ProposalStatus::Cancelled));
		Ok(())
	}

	// `cancel` by the DAO of an approved proposal: its enactment is unscheduled.
	#[benchmark]
	fn cancel_approved() -> Result<(), BenchmarkError> {
		bench_params::<T>(Perbill::zero(), Perbill::zero(), Perbill::zero());
		let index = full_open_list::<T>()?;
		vote_and_end::<T>(index, true)?;
		Dao::<T>::close(SystemOrigin::Signed(funded::<T>("caller")).into(), index)?;
		let origin = dao_origin::<T>();

		#[extrinsic_call]
		cancel(origin, index);

		assert_eq!(status::<T>(index), Some(ProposalStatus::Cancelled));
		Ok(())
	}

	// `enact` itself, with a trivial inline call; the call's own weight is added to it.
	#[benchmark]
	fn enact() -> Result<(), BenchmarkError> {
		bench_params::<T>(Perbill::zero(), Perbill::zero(), Perbill::zero());
		let index = full_open_list::<T>()?;
		vote_and_end::<T>(index, true)?;
		Dao::<T>::close(SystemOrigin::Signed(funded::<T>("caller")).into(), index)?;
		let Some(ProposalStatus::Approved { enact_at }) = status::<T>(index) else {
			return Err(BenchmarkError::Stop("the proposal did not pass"));
		};
		frame_system::Pallet::<T>::set_block_number(enact_at);
		let origin = dao_origin::<T>();

		#[extrinsic_call]
		_(origin, index);

		assert_eq!(status::<T>(index), Some(ProposalStatus::Enacted { ok: true }));
		Ok(())
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let old = Params::<T>::get();
		let new = DaoParams {
			proposal_deposit: old.proposal_deposit.saturating_add(1u32.into()),
			voting_period: old.voting_period.saturating_add(One::one()),
			enactment_delay: old.enactment_delay.saturating_add(One::one()),
			quorum: Perbill::from_percent(11),
			approval: Perbill::from_percent(51),
			spam_threshold: Perbill::from_percent(21),
		};
		let origin = dao_origin::<T>();

		#[extrinsic_call]
		_(
			origin,
			Some(new.proposal_deposit),
			Some(new.voting_period),
			Some(new.enactment_delay),
			Some(new.quorum),
			Some(new.approval),
			Some(new.spam_threshold),
		);

		assert_eq!(Params::<T>::get(), new);
		Ok(())
	}

	impl_benchmark_test_suite!(Dao, crate::mock::new_test_ext(), crate::mock::Test);
}
