//! Unit tests of the DAO pallet. Every test runs through [`ExtBuilder::build_and_execute`],
//! which checks the pallet's invariants afterwards (except the tests of the checks themselves).

use crate::{
	mock::*, task_name, DaoParams, DescriptionOf, EnsureDao, Error, Event, OpenProposals, Params,
	Proposal, ProposalCount, ProposalIndex, ProposalStatus, Proposals, Tally, Vote, VotesOf,
};
use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, Mutate},
		Bounded, BoundedInline, EnsureOrigin, QueryPreimage,
	},
};
use sp_runtime::{
	traits::{BadOrigin, BlakeTwo256, Hash},
	DispatchResult, Perbill,
};

fn cancel(origin: RuntimeOrigin, index: ProposalIndex) -> DispatchResult {
	Dao::cancel(origin, index).map(|_| ()).map_err(|e| e.error)
}

fn enact(origin: RuntimeOrigin, index: ProposalIndex) -> DispatchResult {
	Dao::enact(origin, index).map(|_| ()).map_err(|e| e.error)
}

fn assert_last(event: Event<Test>) {
	System::assert_last_event(event.into());
}

fn assert_has(event: Event<Test>) {
	System::assert_has_event(event.into());
}

/// Whether any proposal was enacted.
fn any_enacted() -> bool {
	System::events()
		.iter()
		.any(|record| matches!(record.event, RuntimeEvent::Dao(Event::Enacted { .. })))
}

fn aye(amount: Balance) -> Vote<Balance> {
	Vote { aye: true, amount }
}

fn nay(amount: Balance) -> Vote<Balance> {
	Vote { aye: false, amount }
}

fn votes(who: AccountId) -> Vec<(ProposalIndex, Vote<Balance>)> {
	VotesOf::<Test>::get(who).into_inner()
}

fn open() -> Vec<ProposalIndex> {
	OpenProposals::<Test>::get().into_inner()
}

fn tally(index: ProposalIndex) -> Tally<Balance> {
	Proposals::<Test>::get(index).expect("the proposal exists").tally
}

/// `call` by the hash and length of its preimage, which is not noted; and the hash.
fn lookup(call: &RuntimeCall) -> (Box<crate::BoundedCallOf<Test>>, sp_core::H256) {
	let encoded = call.encode();
	let hash = BlakeTwo256::hash(&encoded);
	(Box::new(Bounded::Lookup { hash, len: encoded.len() as u32 }), hash)
}

fn is_requested(hash: &sp_core::H256) -> bool {
	<Preimage as QueryPreimage>::is_requested(hash)
}

// ---------------------------------------------------------------------------------------------
// Genesis, origin, task names
// ---------------------------------------------------------------------------------------------

#[test]
fn default_params_apply_without_genesis_params() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Params::<Test>::get(), DefaultParams::get());
	});
}

#[test]
fn genesis_params_override_the_defaults() {
	let params = DaoParams { voting_period: 5, ..DefaultParams::get() };
	ExtBuilder::default().params(params).build_and_execute(|| {
		assert_eq!(Params::<Test>::get(), params);
		assert_eq!(propose(ALICE, remark()), 0);
		assert_eq!(status(0), ProposalStatus::Voting { end: 6 });
	});
}

#[test]
#[should_panic(expected = "genesis DAO parameters must pass the checks of set_params")]
fn genesis_params_with_a_zero_voting_period_fail() {
	let params = DaoParams { voting_period: 0, ..DefaultParams::get() };
	let _ = ExtBuilder::default().params(params).build();
}

#[test]
fn genesis_config_json_round_trips() {
	let config = crate::GenesisConfig::<Test> { params: Some(DefaultParams::get()) };
	let json = serde_json::to_value(&config).unwrap();
	assert_eq!(
		json,
		serde_json::json!({
			"params": {
				"proposalDeposit": 10,
				"votingPeriod": 10,
				"enactmentDelay": 2,
				"quorum": 200_000_000,
				"approval": 500_000_000,
				"spamThreshold": 200_000_000
			}
		})
	);
	let decoded: crate::GenesisConfig<Test> = serde_json::from_value(json).unwrap();
	assert_eq!(decoded.params, config.params);
	assert!(serde_json::from_value::<crate::GenesisConfig<Test>>(
		serde_json::json!({ "params": { "votingPeriod": 1 } })
	)
	.is_err());
}

#[test]
fn ensure_dao_accepts_only_the_dao_origin() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(EnsureDao::try_origin(dao()));
		assert!(EnsureDao::try_origin(RuntimeOrigin::root()).is_err());
		assert!(EnsureDao::try_origin(signed(ALICE)).is_err());
		assert!(EnsureDao::try_origin(RuntimeOrigin::none()).is_err());
	});
}

#[test]
fn task_names_hash_the_prefix_and_the_index() {
	assert_eq!(task_name(7), sp_io::hashing::blake2_256(&(b"ocos/dao", 7u32).encode()));
	assert_ne!(task_name(0), task_name(1));
}

// ---------------------------------------------------------------------------------------------
// propose
// ---------------------------------------------------------------------------------------------

#[test]
fn propose_works() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(propose(ALICE, remark()), 0);
		assert_last(Event::Proposed { index: 0, proposer: ALICE, deposit: DEPOSIT, end: 11 });
		assert_eq!(
			Proposals::<Test>::get(0),
			Some(Proposal {
				proposer: ALICE,
				call: *inline(remark()),
				description: description(b"ipfs://proposal"),
				deposit: DEPOSIT,
				submitted_at: 1,
				tally: Tally::default(),
				status: ProposalStatus::Voting { end: 11 },
			})
		);
		assert_eq!(ProposalCount::<Test>::get(), 1);
		assert_eq!(open(), vec![0]);
		assert_eq!(held(ALICE), DEPOSIT);
		assert_eq!(free(ALICE), ENDOWMENT - DEPOSIT);

		run_to(3);
		assert_eq!(propose(BOB, remark()), 1);
		assert_eq!(status(1), ProposalStatus::Voting { end: 13 });
		assert_eq!(open(), vec![0, 1]);
	});
}

#[test]
fn propose_without_funds_for_the_deposit_fails() {
	ExtBuilder::default().build_and_execute(|| {
		let call = || inline(remark());
		assert_noop!(
			Dao::propose(signed(NOBODY), call(), description(b"")),
			Error::<Test>::InsufficientBalance
		);
		// The existential deposit stays free.
		assert_eq!(Balances::set_balance(&NOBODY, DEPOSIT), DEPOSIT);
		assert_noop!(
			Dao::propose(signed(NOBODY), call(), description(b"")),
			Error::<Test>::InsufficientBalance
		);
		assert_eq!(Balances::set_balance(&NOBODY, DEPOSIT + 1), DEPOSIT + 1);
		assert_ok!(Dao::propose(signed(NOBODY), call(), description(b"")));
		assert_eq!(held(NOBODY), DEPOSIT);
	});
}

#[test]
fn a_zero_deposit_holds_nothing() {
	let params = DaoParams { proposal_deposit: 0, ..DefaultParams::get() };
	ExtBuilder::default().params(params).build_and_execute(|| {
		let index = propose(NOBODY, remark());
		assert_last(Event::Proposed { index, proposer: NOBODY, deposit: 0, end: 11 });
		// Even as spam it loses nothing.
		vote(BOB, index, true, 10);
		vote(CHARLIE, index, false, 100);
		run_to(11);
		assert_ok!(close(index));
		assert_last(Event::Rejected { index, ayes: 10, nays: 100, slashed: 0 });
	});
}

#[test]
fn propose_beyond_max_open_proposals_fails() {
	ExtBuilder::default().build_and_execute(|| {
		for _ in 0..MAX_OPEN {
			propose(ALICE, remark());
		}
		assert_noop!(
			Dao::propose(signed(BOB), inline(remark()), description(b"")),
			Error::<Test>::TooManyProposals
		);
		// A closed proposal makes room.
		run_to(11);
		assert_ok!(close(0));
		propose(BOB, remark());
		assert_eq!(open(), vec![1, 2, 3, 4]);
	});
}

#[test]
fn propose_a_call_heavier_than_max_enact_weight_fails() {
	ExtBuilder::default().build_and_execute(|| {
		// `enact` declares `MaxEnactWeight` on top of its own weight.
		let heavy = RuntimeCall::Dao(crate::Call::enact { index: 0 });
		assert_noop!(
			Dao::propose(signed(ALICE), inline(heavy), description(b"")),
			Error::<Test>::CallTooHeavy
		);
	});
}

#[test]
fn propose_an_undecodable_call_fails() {
	ExtBuilder::default().build_and_execute(|| {
		let garbage = Bounded::Inline(BoundedInline::truncate_from(vec![0xff; 8]));
		assert_noop!(
			Dao::propose(signed(ALICE), Box::new(garbage), description(b"")),
			Error::<Test>::UndecodableCall
		);
	});
}

#[test]
fn descriptions_are_bounded() {
	let longest = vec![b'x'; MAX_DESCRIPTION_LEN as usize];
	let too_long = vec![b'x'; MAX_DESCRIPTION_LEN as usize + 1];
	assert!(DescriptionOf::<Test>::try_from(longest.clone()).is_ok());
	assert!(DescriptionOf::<Test>::try_from(too_long.clone()).is_err());
	// A call argument that is too long does not even decode.
	assert!(DescriptionOf::<Test>::decode(&mut &longest.encode()[..]).is_ok());
	assert!(DescriptionOf::<Test>::decode(&mut &too_long.encode()[..]).is_err());
}

#[test]
fn a_preimage_is_requested_until_the_proposal_ends() {
	ExtBuilder::default().build_and_execute(|| {
		let (call, hash) = lookup(&set_voting_period(20));
		assert_ok!(Dao::propose(signed(ALICE), call, description(b"")));
		assert!(is_requested(&hash));
		run_to(11);
		assert_ok!(close(0));
		assert!(!is_requested(&hash));
	});
}

// ---------------------------------------------------------------------------------------------
// vote
// ---------------------------------------------------------------------------------------------

#[test]
fn vote_works() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		vote(BOB, index, true, 60);
		assert_last(Event::Voted { index, who: BOB, vote: aye(60) });
		vote(CHARLIE, index, false, 30);
		assert_eq!(tally(index), Tally { ayes: 60, nays: 30 });
		assert_eq!(votes(BOB), vec![(index, aye(60))]);
		assert_eq!(votes(CHARLIE), vec![(index, nay(30))]);
		assert_eq!(frozen(BOB), 60);
		assert_eq!(frozen(CHARLIE), 30);
	});
}

#[test]
fn voting_again_replaces_the_vote() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		vote(BOB, index, true, 60);
		vote(BOB, index, false, 20);
		assert_last(Event::Voted { index, who: BOB, vote: nay(20) });
		assert_eq!(tally(index), Tally { ayes: 0, nays: 20 });
		assert_eq!(votes(BOB), vec![(index, nay(20))]);
		// The freeze follows the vote down.
		assert_eq!(frozen(BOB), 20);
	});
}

#[test]
fn votes_freeze_funds() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		vote(BOB, index, true, 60);
		// Only the 40 not frozen may leave.
		assert!(Balances::transfer_allow_death(signed(BOB), CHARLIE, 41).is_err());
		assert_ok!(Balances::transfer_allow_death(signed(BOB), CHARLIE, 40));
		assert_eq!(free(BOB), 60);
		assert_eq!(frozen(BOB), 60);
	});
}

#[test]
fn the_same_funds_vote_on_several_proposals() {
	ExtBuilder::default().build_and_execute(|| {
		let first = propose(ALICE, remark());
		let second = propose(ALICE, remark());
		vote(BOB, first, true, ENDOWMENT);
		vote(BOB, second, false, ENDOWMENT);
		assert_eq!(frozen(BOB), ENDOWMENT);
		assert_eq!(tally(first), Tally { ayes: ENDOWMENT, nays: 0 });
		assert_eq!(tally(second), Tally { ayes: 0, nays: ENDOWMENT });
	});
}

#[test]
fn held_funds_do_not_vote_but_frozen_funds_can_be_held() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		// ALICE's deposit is held: only her free balance may vote.
		assert_noop!(
			Dao::vote(signed(ALICE), index, true, ENDOWMENT),
			Error::<Test>::InsufficientBalance
		);
		vote(ALICE, index, true, ENDOWMENT - DEPOSIT);
		assert_eq!(frozen(ALICE), ENDOWMENT - DEPOSIT);
		// Voting funds stay usable for holds (a second deposit, staking): freezes overlap holds.
		propose(ALICE, remark());
		assert_eq!(held(ALICE), 2 * DEPOSIT);
		assert_eq!(frozen(ALICE), ENDOWMENT - DEPOSIT);
	});
}

#[test]
fn voting_more_than_the_free_balance_fails() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(BOB, remark());
		assert_noop!(
			Dao::vote(signed(ALICE), index, true, ENDOWMENT + 1),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(Dao::vote(signed(NOBODY), index, true, 1), Error::<Test>::InsufficientBalance);
	});
}

#[test]
fn voting_zero_fails() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		assert_noop!(Dao::vote(signed(BOB), index, true, 0), Error::<Test>::ZeroAmount);
	});
}

#[test]
fn voting_on_an_unknown_proposal_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Dao::vote(signed(BOB), 0, true, 10), Error::<Test>::UnknownProposal);
	});
}

#[test]
fn voting_after_the_end_fails() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		run_to(10);
		vote(BOB, index, true, 10);
		run_to(11);
		assert_noop!(Dao::vote(signed(CHARLIE), index, true, 10), Error::<Test>::VotingEnded);
	});
}

#[test]
fn voting_on_a_closed_proposal_fails() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		run_to(11);
		assert_ok!(close(index));
		assert_noop!(Dao::vote(signed(BOB), index, true, 10), Error::<Test>::NotVoting);
	});
}

#[test]
fn voting_beyond_max_votes_fails() {
	ExtBuilder::default().build_and_execute(|| {
		for _ in 0..=MAX_VOTES {
			propose(ALICE, remark());
		}
		for index in 0..MAX_VOTES {
			vote(BOB, index, true, 10);
		}
		assert_noop!(Dao::vote(signed(BOB), MAX_VOTES, true, 10), Error::<Test>::TooManyVotes);
		// Replacing a vote takes no room.
		vote(BOB, 0, false, 20);
		assert_eq!(votes(BOB).len(), MAX_VOTES as usize);
	});
}

// ---------------------------------------------------------------------------------------------
// remove_vote
// ---------------------------------------------------------------------------------------------

#[test]
fn remove_vote_works() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		vote(BOB, index, true, 60);
		vote(CHARLIE, index, false, 30);
		assert_ok!(Dao::remove_vote(signed(BOB), index));
		assert_last(Event::VoteRemoved { index, who: BOB });
		assert_eq!(tally(index), Tally { ayes: 0, nays: 30 });
		assert!(!VotesOf::<Test>::contains_key(BOB));
		assert_eq!(frozen(BOB), 0);
		assert_ok!(Balances::transfer_allow_death(signed(BOB), DAVE, ENDOWMENT - 1));
	});
}

#[test]
fn remove_vote_keeps_the_freeze_of_the_other_votes() {
	ExtBuilder::default().build_and_execute(|| {
		let first = propose(ALICE, remark());
		let second = propose(ALICE, remark());
		vote(BOB, first, true, 60);
		vote(BOB, second, true, 20);
		assert_ok!(Dao::remove_vote(signed(BOB), first));
		assert_eq!(votes(BOB), vec![(second, aye(20))]);
		assert_eq!(frozen(BOB), 20);
	});
}

#[test]
fn remove_vote_without_a_vote_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Dao::remove_vote(signed(BOB), 0), Error::<Test>::NotVoted);
		let index = propose(ALICE, remark());
		vote(CHARLIE, index, true, 10);
		assert_noop!(Dao::remove_vote(signed(BOB), index), Error::<Test>::NotVoted);
	});
}

#[test]
fn remove_vote_between_the_end_and_the_close_fails() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		vote(BOB, index, false, 60);
		run_to(11);
		assert_noop!(Dao::remove_vote(signed(BOB), index), Error::<Test>::VotingEnded);
	});
}

#[test]
fn remove_vote_after_the_close_drops_only_the_record() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		vote(BOB, index, false, 60);
		run_to(11);
		assert_ok!(close(index));
		assert_ok!(Dao::remove_vote(signed(BOB), index));
		assert_eq!(tally(index), Tally { ayes: 0, nays: 60 });
		assert!(votes(BOB).is_empty());
		assert_eq!(frozen(BOB), 0);
	});
}

// ---------------------------------------------------------------------------------------------
// unlock
// ---------------------------------------------------------------------------------------------

#[test]
fn unlock_thaws_votes_on_ended_proposals() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		vote(BOB, index, true, 60);
		run_to(11);
		assert_ok!(close(index));
		// Frozen until unlocked, by anyone.
		assert_eq!(frozen(BOB), 60);
		assert_ok!(Dao::unlock(signed(EVE), BOB));
		assert_last(Event::Unlocked { who: BOB, frozen: 0 });
		assert_eq!(frozen(BOB), 0);
		assert!(!VotesOf::<Test>::contains_key(BOB));
	});
}

#[test]
fn unlock_keeps_votes_on_voting_proposals() {
	ExtBuilder::default().build_and_execute(|| {
		let first = propose(ALICE, remark());
		run_to(5);
		let second = propose(ALICE, remark());
		vote(BOB, first, true, 60);
		vote(BOB, second, true, 20);
		run_to(11);
		assert_ok!(close(first));
		assert_ok!(Dao::unlock(signed(BOB), BOB));
		assert_last(Event::Unlocked { who: BOB, frozen: 20 });
		assert_eq!(votes(BOB), vec![(second, aye(20))]);
		assert_eq!(frozen(BOB), 20);
	});
}

#[test]
fn unlock_without_ended_votes_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Dao::unlock(signed(EVE), BOB), Error::<Test>::NothingToUnlock);
		let index = propose(ALICE, remark());
		vote(BOB, index, true, 60);
		assert_noop!(Dao::unlock(signed(EVE), BOB), Error::<Test>::NothingToUnlock);
	});
}

// ---------------------------------------------------------------------------------------------
// close
// ---------------------------------------------------------------------------------------------

#[test]
fn a_passed_proposal_is_enacted_after_the_delay() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, set_voting_period(20));
		vote(BOB, index, true, ENDOWMENT);
		run_to(11);
		assert_ok!(close(index));
		assert_last(Event::Passed { index, ayes: ENDOWMENT, nays: 0, enact_at: 13 });
		assert_eq!(status(index), ProposalStatus::Approved { enact_at: 13 });
		assert!(open().is_empty());
		assert_eq!(held(ALICE), 0);
		assert_eq!(free(ALICE), ENDOWMENT);

		run_to(12);
		assert!(!any_enacted());
		run_to(13);
		assert_has(Event::Enacted { index, result: Ok(()) });
		let params = DaoParams { voting_period: 20, ..DefaultParams::get() };
		assert_has(Event::ParamsSet { params });
		assert_eq!(status(index), ProposalStatus::Enacted { ok: true });
		assert_eq!(Params::<Test>::get().voting_period, 20);
	});
}

#[test]
fn a_zero_enactment_delay_enacts_in_the_next_block() {
	let params = DaoParams { enactment_delay: 0, ..DefaultParams::get() };
	ExtBuilder::default().params(params).build_and_execute(|| {
		let index = pass(remark());
		assert_eq!(status(index), ProposalStatus::Approved { enact_at: 12 });
		run_to(12);
		assert_eq!(status(index), ProposalStatus::Enacted { ok: true });
	});
}

#[test]
fn a_tie_passes_at_fifty_percent_approval() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		vote(BOB, index, true, 60);
		vote(CHARLIE, index, false, 60);
		run_to(11);
		assert_ok!(close(index));
		assert_last(Event::Passed { index, ayes: 60, nays: 60, enact_at: 13 });
	});
}

#[test]
fn without_quorum_a_proposal_is_rejected_and_its_deposit_returned() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		// 99 of 500: below the 20% quorum.
		vote(BOB, index, true, 99);
		run_to(11);
		assert_ok!(close(index));
		assert_last(Event::Rejected { index, ayes: 99, nays: 0, slashed: 0 });
		assert_eq!(status(index), ProposalStatus::Rejected);
		assert!(open().is_empty());
		assert_eq!(held(ALICE), 0);
		assert_eq!(free(ALICE), ENDOWMENT);
		run_to(20);
		assert!(!any_enacted());
	});
}

#[test]
fn without_votes_a_proposal_is_rejected_whatever_the_quorum() {
	let params = DaoParams { quorum: Perbill::zero(), ..DefaultParams::get() };
	ExtBuilder::default().params(params).build_and_execute(|| {
		let index = propose(ALICE, remark());
		run_to(11);
		assert_ok!(close(index));
		assert_last(Event::Rejected { index, ayes: 0, nays: 0, slashed: 0 });
	});
}

#[test]
fn without_approval_a_proposal_is_rejected_and_its_deposit_returned() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		// 50 of 110 is below the 50% approval, but above the 20% spam threshold.
		vote(BOB, index, true, 50);
		vote(CHARLIE, index, false, 60);
		run_to(11);
		assert_ok!(close(index));
		assert_last(Event::Rejected { index, ayes: 50, nays: 60, slashed: 0 });
		assert_eq!(free(ALICE), ENDOWMENT);
	});
}

#[test]
fn spam_loses_its_deposit_to_the_treasury() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		// 10 of 110 is below the 20% spam threshold, and the quorum is reached.
		vote(BOB, index, true, 10);
		vote(CHARLIE, index, false, 100);
		run_to(11);
		assert_ok!(close(index));
		assert_last(Event::Rejected { index, ayes: 10, nays: 100, slashed: DEPOSIT });
		assert_eq!(status(index), ProposalStatus::Rejected);
		assert_eq!(held(ALICE), 0);
		assert_eq!(<Balances as Inspect<AccountId>>::total_balance(&ALICE), ENDOWMENT - DEPOSIT);
		assert_eq!(free(TREASURY), DEPOSIT);
		assert_eq!(Balances::total_issuance(), 5 * ENDOWMENT);
	});
}

#[test]
fn close_before_the_end_fails() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		run_to(10);
		assert_noop!(close(index), Error::<Test>::VotingNotOver);
	});
}

#[test]
fn close_twice_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(close(0), Error::<Test>::UnknownProposal);
		let index = propose(ALICE, remark());
		run_to(11);
		assert_ok!(close(index));
		assert_noop!(close(index), Error::<Test>::NotVoting);
	});
}

#[test]
fn close_with_a_full_scheduler_agenda_fails_until_a_later_block() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		vote(BOB, index, true, ENDOWMENT);
		for _ in 0..MAX_SCHEDULED {
			let call = Box::new(remark());
			assert_ok!(Scheduler::schedule(RuntimeOrigin::root(), 13, None, 127, call));
		}
		run_to(11);
		assert_noop!(close(index), Error::<Test>::SchedulingFailed);
		run_to(12);
		assert_ok!(close(index));
		assert_eq!(status(index), ProposalStatus::Approved { enact_at: 14 });
	});
}

// ---------------------------------------------------------------------------------------------
// cancel
// ---------------------------------------------------------------------------------------------

#[test]
fn the_proposer_cancels_a_proposal_without_votes() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		assert_ok!(cancel(signed(ALICE), index));
		assert_last(Event::Cancelled { index });
		assert_eq!(status(index), ProposalStatus::Cancelled);
		assert!(open().is_empty());
		assert_eq!(held(ALICE), 0);
		assert_eq!(free(ALICE), ENDOWMENT);
	});
}

#[test]
fn the_proposer_cannot_cancel_a_proposal_with_votes() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		vote(BOB, index, false, 10);
		assert_noop!(cancel(signed(ALICE), index), Error::<Test>::HasVotes);
		assert_ok!(Dao::remove_vote(signed(BOB), index));
		assert_ok!(cancel(signed(ALICE), index));
	});
}

#[test]
fn only_the_proposer_or_the_dao_cancels() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(cancel(signed(ALICE), 0), Error::<Test>::UnknownProposal);
		let index = propose(ALICE, remark());
		assert_noop!(cancel(signed(BOB), index), Error::<Test>::NotProposer);
		assert_noop!(cancel(RuntimeOrigin::root(), index), BadOrigin);
		assert_noop!(cancel(RuntimeOrigin::none(), index), BadOrigin);
	});
}

#[test]
fn the_proposer_cannot_cancel_an_ended_proposal() {
	ExtBuilder::default().build_and_execute(|| {
		let rejected = propose(ALICE, remark());
		run_to(11);
		assert_ok!(close(rejected));
		assert_noop!(cancel(signed(ALICE), rejected), Error::<Test>::CannotCancel);
		let approved = pass(remark());
		assert_noop!(cancel(signed(ALICE), approved), Error::<Test>::CannotCancel);
	});
}

#[test]
fn the_dao_cancels_a_voting_proposal_with_votes() {
	ExtBuilder::default().build_and_execute(|| {
		let index = propose(ALICE, remark());
		vote(BOB, index, true, 60);
		assert_ok!(cancel(dao(), index));
		assert_last(Event::Cancelled { index });
		assert_eq!(status(index), ProposalStatus::Cancelled);
		assert!(open().is_empty());
		assert_eq!(free(ALICE), ENDOWMENT);
		// The vote is unlocked at once.
		assert_ok!(Dao::unlock(signed(BOB), BOB));
		assert_eq!(frozen(BOB), 0);
	});
}

#[test]
fn the_dao_cancels_an_approved_proposal_before_its_enactment() {
	ExtBuilder::default().build_and_execute(|| {
		let (call, hash) = lookup(&set_voting_period(20));
		assert_ok!(Dao::propose(signed(ALICE), call, description(b"")));
		approve(0);
		assert!(is_requested(&hash));
		assert_ok!(cancel(dao(), 0));
		assert_last(Event::Cancelled { index: 0 });
		assert_eq!(status(0), ProposalStatus::Cancelled);
		assert!(!is_requested(&hash));
		run_to(20);
		assert!(!any_enacted());
		assert_eq!(Params::<Test>::get().voting_period, VOTING_PERIOD);
	});
}

#[test]
fn the_dao_cannot_cancel_an_ended_proposal() {
	ExtBuilder::default().build_and_execute(|| {
		let rejected = propose(ALICE, remark());
		run_to(11);
		assert_ok!(close(rejected));
		assert_noop!(cancel(dao(), rejected), Error::<Test>::CannotCancel);
		let enacted = pass(remark());
		run_to(23);
		assert_eq!(status(enacted), ProposalStatus::Enacted { ok: true });
		assert_noop!(cancel(dao(), enacted), Error::<Test>::CannotCancel);
	});
}

// ---------------------------------------------------------------------------------------------
// enact
// ---------------------------------------------------------------------------------------------

#[test]
fn only_the_dao_enacts() {
	ExtBuilder::default().build_and_execute(|| {
		let index = pass(remark());
		assert_noop!(enact(signed(ALICE), index), BadOrigin);
		// Root is not the DAO.
		assert_noop!(enact(RuntimeOrigin::root(), index), BadOrigin);
		// Not even the DAO (another proposal) enacts it before its enactment block.
		let ProposalStatus::Approved { enact_at } = status(index) else {
			panic!("a passed proposal is approved")
		};
		assert_noop!(enact(dao(), index), Error::<Test>::EnactmentNotDue);
		System::set_block_number(enact_at);
		assert_ok!(enact(dao(), index));
		assert_last(Event::Enacted { index, result: Ok(()) });
		assert_eq!(status(index), ProposalStatus::Enacted { ok: true });
	});
}

#[test]
fn enact_needs_an_approved_proposal() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(enact(dao(), 0), Error::<Test>::UnknownProposal);
		let index = propose(ALICE, remark());
		assert_noop!(enact(dao(), index), Error::<Test>::NotApproved);
		approve(index);
		run_to(13);
		assert_eq!(status(index), ProposalStatus::Enacted { ok: true });
		assert_noop!(enact(dao(), index), Error::<Test>::NotApproved);
	});
}

#[test]
fn a_failing_call_is_reported_and_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		// `remark_with_event` needs a signed origin, which the DAO is not.
		let call = RuntimeCall::System(frame_system::Call::remark_with_event {
			remark: b"hello".to_vec(),
		});
		let index = pass(call);
		run_to(13);
		assert_has(Event::Enacted { index, result: Err(BadOrigin.into()) });
		assert_eq!(status(index), ProposalStatus::Enacted { ok: false });
		assert!(!System::events().iter().any(|record| matches!(
			record.event,
			RuntimeEvent::System(frame_system::Event::Remarked { .. })
		)));
	});
}

#[test]
fn calls_the_runtime_lists_are_enacted_as_root() {
	ExtBuilder::default().build_and_execute(|| {
		let index = pass(RuntimeCall::System(frame_system::Call::set_heap_pages { pages: 64 }));
		run_to(13);
		assert_has(Event::Enacted { index, result: Ok(()) });
		assert_eq!(
			sp_io::storage::get(sp_core::storage::well_known_keys::HEAP_PAGES),
			Some(64u64.encode().into())
		);
	});
}

#[test]
fn root_calls_are_beyond_the_dao() {
	ExtBuilder::default().build_and_execute(|| {
		let call = RuntimeCall::System(frame_system::Call::set_storage {
			items: vec![(b"key".to_vec(), b"value".to_vec())],
		});
		let index = pass(call);
		run_to(13);
		assert_has(Event::Enacted { index, result: Err(BadOrigin.into()) });
		assert!(sp_io::storage::get(b"key").is_none());
	});
}

#[test]
fn a_dao_call_with_bad_arguments_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let index = pass(set_voting_period(0));
		run_to(13);
		assert_has(Event::Enacted { index, result: Err(Error::<Test>::ZeroVotingPeriod.into()) });
		assert_eq!(status(index), ProposalStatus::Enacted { ok: false });
		assert_eq!(Params::<Test>::get(), DefaultParams::get());
	});
}

#[test]
fn a_preimage_noted_after_the_proposal_is_enacted() {
	ExtBuilder::default().build_and_execute(|| {
		let call = set_voting_period(20);
		let (bounded, hash) = lookup(&call);
		assert_ok!(Dao::propose(signed(ALICE), bounded, description(b"")));
		// Requested, so noting it costs nothing.
		assert_ok!(Preimage::note_preimage(signed(CHARLIE), call.encode()));
		approve(0);
		run_to(13);
		assert_has(Event::Enacted { index: 0, result: Ok(()) });
		assert_eq!(Params::<Test>::get().voting_period, 20);
		assert!(!is_requested(&hash));
	});
}

#[test]
fn a_preimage_noted_before_the_proposal_is_enacted() {
	ExtBuilder::default().build_and_execute(|| {
		let call = set_voting_period(20);
		assert_ok!(Preimage::note_preimage(signed(CHARLIE), call.encode()));
		let (bounded, _) = lookup(&call);
		assert_ok!(Dao::propose(signed(ALICE), bounded, description(b"")));
		approve(0);
		run_to(13);
		assert_has(Event::Enacted { index: 0, result: Ok(()) });
		assert_eq!(Params::<Test>::get().voting_period, 20);
	});
}

#[test]
fn a_missing_preimage_fails_the_enactment() {
	ExtBuilder::default().build_and_execute(|| {
		let (bounded, hash) = lookup(&set_voting_period(20));
		assert_ok!(Dao::propose(signed(ALICE), bounded, description(b"")));
		approve(0);
		run_to(13);
		assert_has(Event::Enacted {
			index: 0,
			result: Err(Error::<Test>::PreimageUnavailable.into()),
		});
		assert_eq!(status(0), ProposalStatus::Enacted { ok: false });
		assert_eq!(Params::<Test>::get().voting_period, VOTING_PERIOD);
		assert!(!is_requested(&hash));
	});
}

#[test]
fn a_preimage_call_heavier_than_max_enact_weight_is_not_dispatched() {
	ExtBuilder::default().build_and_execute(|| {
		// Only an inline call is weighed at `propose`.
		let call = RuntimeCall::Dao(crate::Call::enact { index: 0 });
		assert_ok!(Preimage::note_preimage(signed(CHARLIE), call.encode()));
		let (bounded, _) = lookup(&call);
		assert_ok!(Dao::propose(signed(ALICE), bounded, description(b"")));
		approve(0);
		run_to(13);
		assert_has(Event::Enacted { index: 0, result: Err(Error::<Test>::CallTooHeavy.into()) });
		assert_eq!(status(0), ProposalStatus::Enacted { ok: false });
	});
}

// ---------------------------------------------------------------------------------------------
// set_params
// ---------------------------------------------------------------------------------------------

#[test]
fn set_params_works() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Dao::set_params(
			dao(),
			Some(20),
			Some(30),
			Some(4),
			Some(Perbill::from_percent(10)),
			Some(Perbill::from_percent(60)),
			Some(Perbill::from_percent(5)),
		));
		let params = DaoParams {
			proposal_deposit: 20,
			voting_period: 30,
			enactment_delay: 4,
			quorum: Perbill::from_percent(10),
			approval: Perbill::from_percent(60),
			spam_threshold: Perbill::from_percent(5),
		};
		assert_eq!(Params::<Test>::get(), params);
		assert_last(Event::ParamsSet { params });

		assert_ok!(Dao::set_params(dao(), None, Some(5), None, None, None, None));
		let params = DaoParams { voting_period: 5, ..params };
		assert_eq!(Params::<Test>::get(), params);
		assert_last(Event::ParamsSet { params });
	});
}

#[test]
fn only_the_dao_sets_params() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Dao::set_params(signed(ALICE), None, Some(5), None, None, None, None),
			BadOrigin
		);
		assert_noop!(
			Dao::set_params(RuntimeOrigin::root(), None, Some(5), None, None, None, None),
			BadOrigin
		);
	});
}

#[test]
fn set_params_that_change_nothing_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Dao::set_params(dao(), None, None, None, None, None, None),
			Error::<Test>::NothingToUpdate
		);
		assert_noop!(
			Dao::set_params(dao(), Some(DEPOSIT), Some(VOTING_PERIOD), None, None, None, None),
			Error::<Test>::NothingToUpdate
		);
	});
}

#[test]
fn set_params_with_a_zero_voting_period_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Dao::set_params(dao(), None, Some(0), None, None, None, None),
			Error::<Test>::ZeroVotingPeriod
		);
	});
}

#[test]
fn proposals_keep_the_deposit_and_end_they_were_submitted_with() {
	ExtBuilder::default().build_and_execute(|| {
		let old = propose(ALICE, remark());
		assert_ok!(Dao::set_params(dao(), Some(20), Some(5), None, None, None, None));
		let new = propose(BOB, remark());
		assert_eq!(status(old), ProposalStatus::Voting { end: 11 });
		assert_eq!(status(new), ProposalStatus::Voting { end: 6 });
		assert_eq!(held(ALICE), DEPOSIT);
		assert_eq!(held(BOB), 20);
		run_to(11);
		assert_ok!(close(new));
		assert_ok!(close(old));
		assert_eq!(free(ALICE), ENDOWMENT);
		assert_eq!(free(BOB), ENDOWMENT);
	});
}

// ---------------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------------

#[test]
fn try_state_detects_a_tally_that_differs_from_the_votes() {
	ExtBuilder::default().build().execute_with(|| {
		let index = propose(ALICE, remark());
		vote(BOB, index, true, 60);
		assert_ok!(Dao::do_try_state());
		Proposals::<Test>::mutate(index, |proposal| {
			if let Some(proposal) = proposal {
				proposal.tally.ayes = 61;
			}
		});
		assert!(Dao::do_try_state().is_err());
	});
}

#[test]
fn try_state_detects_a_voting_proposal_missing_from_the_open_list() {
	ExtBuilder::default().build().execute_with(|| {
		propose(ALICE, remark());
		OpenProposals::<Test>::kill();
		assert!(Dao::do_try_state().is_err());
	});
}
