//! Unit tests: every call and error, placement with room and owners, reports, the failure
//! quorum, rounds with challenges, strikes, slashes, referees, re-replication, billing,
//! expiry, funding, renewal, the pool validation, the worker's work list and the invariants.
//! Every test ends with `do_try_state` and a check that the mocks agree with the pallet.

use crate::{
	decide_challenge, mock::*, AnswerState, Call, Challenge, Decision, DropReason, EndReason,
	Error, Event, NodePins, NodeUsage, Params, PinFailure, PinStatus, PinTask, Pins, Report,
	Rounds, StorageParams, StorageWork, INVALID_NOT_ASSIGNED, INVALID_SIZE, INVALID_UNKNOWN_PIN,
};
use frame_support::{assert_noop, assert_ok};
use ocos_primitives::{NodeId, ReputationReason, Resource};
#[allow(deprecated)]
use sp_runtime::traits::ValidateUnsigned;
use sp_runtime::{
	traits::BadOrigin,
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidity},
	DispatchError, Perbill, TokenError,
};

/// The events this pallet deposited, oldest first.
fn storage_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Storage(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Whether the pallet deposited `event`.
fn emitted(event: Event<Test>) -> bool {
	storage_events().contains(&event)
}

/// Pool validation of an unsigned call.
#[allow(deprecated)]
fn validate(call: &Call<Test>) -> TransactionValidity {
	<Storage as ValidateUnsigned>::validate_unsigned(TransactionSource::External, call)
}

/// The reports the registry received for `node`, in order.
fn reports_for(node: NodeId) -> Vec<ReputationReason> {
	MockRegistry::reports()
		.into_iter()
		.filter(|(reported, _, _)| *reported == node)
		.map(|(_, reason, _)| reason)
		.collect()
}

/// `node`'s strikes on `pin`.
fn strikes(pin: u64, node: NodeId) -> u8 {
	Pins::<Test>::get(pin)
		.expect("pin exists")
		.replicas
		.iter()
		.find(|replica| replica.node == node)
		.expect("node is a replica")
		.strikes
}

mod placement {
	use super::*;

	#[test]
	fn a_pin_goes_to_the_best_nodes_with_room_and_holds_its_budget() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(3);
			let pin = place(ALICE, 2);
			assert_eq!(replicas(pin), vec![nodes[0], nodes[1]]);
			assert_eq!(status(pin), PinStatus::Pinning);
			assert_eq!(MockBilling::held(ALICE), BUDGET);
			assert_eq!(NodeUsage::<Test>::get(nodes[0]), SIZE);
			assert_eq!(NodePins::<Test>::get(nodes[1]).to_vec(), vec![pin]);
			assert_eq!(MockRegistry::in_flight(nodes[0]), 1);
			assert_eq!(next_round(pin), 1 + EPOCH);
			assert_eq!(Rounds::<Test>::get(1 + EPOCH).to_vec(), vec![pin]);
			assert!(emitted(Event::PinPlaced {
				pin,
				customer: ALICE,
				size: SIZE,
				replication: 2,
				epochs: EPOCHS,
				budget: BUDGET,
				next_round: 1 + EPOCH,
			}));
			assert!(emitted(Event::ReplicaAssigned { pin, node: nodes[0] }));
			assert!(emitted(Event::ReplicaAssigned { pin, node: nodes[1] }));
		});
	}

	#[test]
	fn bad_orders_are_refused_and_hold_nothing() {
		ExtBuilder::default().build_and_execute(|| {
			storage_nodes(3);
			let pin_with = |cid_text: &[u8], size, replication, epochs, budget| {
				Storage::pin(
					RuntimeOrigin::signed(ALICE),
					cid(cid_text),
					size,
					replication,
					epochs,
					budget,
				)
			};
			assert_noop!(pin_with(b"", SIZE, 1, 1, BUDGET), Error::<Test>::InvalidCid);
			assert_noop!(pin_with(b"Qm/../etc", SIZE, 1, 1, BUDGET), Error::<Test>::InvalidCid);
			assert_noop!(pin_with(CID, 0, 1, 1, BUDGET), Error::<Test>::InvalidSize);
			assert_noop!(pin_with(CID, MAX_PIN_SIZE + 1, 1, 1, BUDGET), Error::<Test>::InvalidSize);
			assert_noop!(pin_with(CID, SIZE, 0, 1, BUDGET), Error::<Test>::InvalidReplication);
			assert_noop!(
				pin_with(CID, SIZE, MAX_REPLICAS + 1, 1, BUDGET),
				Error::<Test>::InvalidReplication
			);
			assert_noop!(pin_with(CID, SIZE, 1, 0, BUDGET), Error::<Test>::InvalidEpochs);
			assert_noop!(
				pin_with(CID, SIZE, 1, MAX_EPOCHS + 1, BUDGET),
				Error::<Test>::InvalidEpochs
			);
			assert_noop!(pin_with(CID, SIZE, 1, 1, 0), Error::<Test>::ZeroBudget);
			// One epoch of two replicas costs 2 × SIZE × PRICE.
			assert_noop!(pin_with(CID, SIZE, 2, 1, 2 * SIZE - 1), Error::<Test>::BudgetTooLow);
			assert_noop!(
				Storage::pin(RuntimeOrigin::signed(DAVE), cid(CID), SIZE, 1, 1, BUDGET),
				DispatchError::Token(TokenError::FundsUnavailable)
			);
			assert_noop!(
				Storage::pin(RuntimeOrigin::none(), cid(CID), SIZE, 1, 1, BUDGET),
				BadOrigin
			);
			assert_eq!(MockBilling::held(ALICE), 0);
		});
	}

	#[test]
	fn too_few_nodes_or_too_little_room_is_a_clear_error() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(place_order(ALICE, SIZE, 1, 1, BUDGET), Error::<Test>::NotEnoughNodes);
			storage_nodes(2);
			assert_noop!(place_order(ALICE, SIZE, 3, 1, BUDGET), Error::<Test>::NotEnoughNodes);
			// Larger than any node's capacity.
			assert_noop!(
				place_order(ALICE, CAPACITY + 1, 1, 1, 10 * BUDGET),
				Error::<Test>::InsufficientCapacity
			);
			// Room runs out: two pins of 600 bytes do not fit on one node of 1 000.
			assert_ok!(place_order(ALICE, 600, 2, 1, BUDGET * 2));
			assert_noop!(
				place_order(BOB, 600, 1, 1, BUDGET * 2),
				Error::<Test>::InsufficientCapacity
			);
			assert_ok!(place_order(BOB, 400, 2, 1, BUDGET * 2));
		});
	}

	#[test]
	fn one_replica_per_owner_and_ineligible_nodes_are_skipped() {
		ExtBuilder::default().build_and_execute(|| {
			let first = MockRegistry::add(MockNode::storage(OWNER_BASE, 1, CAPACITY, 90));
			let same_owner = MockRegistry::add(MockNode::storage(OWNER_BASE, 2, CAPACITY, 89));
			let offline = MockRegistry::add(MockNode::storage(OWNER_BASE + 1, 3, CAPACITY, 88));
			MockRegistry::mutate(offline, |node| node.live = false);
			let gpu_only = MockRegistry::add(MockNode::new(OWNER_BASE + 2, 4, 87));
			let last = MockRegistry::add(MockNode::storage(OWNER_BASE + 3, 5, CAPACITY, 10));
			let pin = place(ALICE, 2);
			assert_eq!(replicas(pin), vec![first, last]);
			for node in [same_owner, offline, gpu_only] {
				assert!(NodePins::<Test>::get(node).is_empty());
			}
		});
	}

	#[test]
	fn a_full_round_bucket_refuses_placements_until_the_next_block() {
		ExtBuilder::default().build_and_execute(|| {
			storage_nodes(3);
			for _ in 0..MAX_PINS_PER_BLOCK {
				let pin = place(ALICE, 1);
				assert_eq!(next_round(pin), 1 + EPOCH);
			}
			assert_noop!(place_order(ALICE, SIZE, 1, EPOCHS, BUDGET), Error::<Test>::RoundsFull);
			run_to(2);
			let pin = place(ALICE, 1);
			assert_eq!(next_round(pin), 2 + EPOCH);
		});
	}

	#[test]
	fn a_bucket_moves_on_whole_and_placements_fill_only_its_room() {
		ExtBuilder::default().build_and_execute(|| {
			storage_nodes(3);
			// One pin placed at block 1 has its rounds at 11, 21, …
			let first = place(ALICE, 1);
			run_to(1 + EPOCH);
			assert_eq!(next_round(first), 1 + 2 * EPOCH);
			// A pin placed in the round block joins the moved bucket while it has room.
			let second = place(ALICE, 1);
			assert_eq!(next_round(second), 1 + 2 * EPOCH);
			assert_noop!(place_order(BOB, SIZE, 1, EPOCHS, BUDGET), Error::<Test>::RoundsFull);
			run_to(1 + 2 * EPOCH);
			assert_eq!(Rounds::<Test>::get(1 + 3 * EPOCH).to_vec(), vec![first, second]);
		});
	}
}

mod reports {
	use super::*;

	#[test]
	fn pinned_reports_make_the_order_active() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(2);
			let pin = place(ALICE, 2);
			assert_ok!(report(pin, nodes[0], Report::Pinned { size: SIZE }));
			assert_eq!(status(pin), PinStatus::Active);
			assert!(emitted(Event::ReplicaPinned { pin, node: nodes[0] }));
			assert_noop!(
				report(pin, nodes[0], Report::Pinned { size: SIZE }),
				Error::<Test>::NotPending
			);
			assert_noop!(
				report(pin, nodes[1], Report::Pinned { size: SIZE + 1 }),
				Error::<Test>::SizeMismatch
			);
		});
	}

	#[test]
	fn reports_from_strangers_forgers_or_on_unknown_pins_are_refused() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(3);
			let pin = place(ALICE, 2);
			let stranger = nodes[2];
			assert_noop!(
				report(pin, stranger, Report::Pinned { size: SIZE }),
				Error::<Test>::NotAssigned
			);
			let (forged, signature) = signed_by(pin, nodes[0], Report::Pinned { size: SIZE }, 3);
			assert_noop!(
				Storage::report(RuntimeOrigin::none(), forged, signature),
				Error::<Test>::BadSignature
			);
			assert_noop!(
				report(pin + 1, nodes[0], Report::Pinned { size: SIZE }),
				Error::<Test>::UnknownPin
			);
			// Answers before any challenge.
			assert_noop!(
				report(pin, nodes[0], Report::Answer { round: 0, hash: [1; 32] }),
				Error::<Test>::NotChallenged
			);
			MockRegistry::remove(nodes[1]);
			assert_noop!(
				report(pin, nodes[1], Report::Pinned { size: SIZE }),
				Error::<Test>::UnknownNode
			);
			let (report, signature) = signed(pin, nodes[0], Report::Pinned { size: SIZE });
			assert_noop!(
				Storage::report(RuntimeOrigin::signed(ALICE), report, signature),
				BadOrigin
			);
		});
	}

	#[test]
	fn a_majority_reporting_a_failure_ends_the_order_and_refunds_it() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(3);
			let pin = place(ALICE, 3);
			assert_ok!(report(pin, nodes[0], Report::Failed(PinFailure::InvalidCid)));
			assert_ok!(report(pin, nodes[1], Report::Failed(PinFailure::Unavailable)));
			assert!(Pins::<Test>::get(pin).unwrap().is_open());
			assert_ok!(report(pin, nodes[2], Report::Failed(PinFailure::InvalidCid)));
			assert_eq!(status(pin), PinStatus::Ended(EndReason::Failed(PinFailure::InvalidCid)));
			assert_eq!(MockBilling::held(ALICE), 0);
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT);
			assert!(emitted(Event::PinEnded {
				pin,
				reason: EndReason::Failed(PinFailure::InvalidCid),
				refunded: BUDGET
			}));
			for node in nodes {
				assert!(NodePins::<Test>::get(node).is_empty());
				assert_eq!(NodeUsage::<Test>::get(node), 0);
			}
			assert_noop!(report(pin, 0, Report::Pinned { size: SIZE }), Error::<Test>::PinEnded);
		});
	}

	#[test]
	fn a_failure_on_a_held_pin_drops_the_reporter_who_is_replaced_at_the_round() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(3);
			let pin = place(ALICE, 2);
			assert_ok!(report(pin, nodes[0], Report::Pinned { size: SIZE }));
			assert_ok!(report(pin, nodes[1], Report::Failed(PinFailure::Unavailable)));
			assert_eq!(replicas(pin), vec![nodes[0]]);
			assert!(emitted(Event::ReplicaDropped {
				pin,
				node: nodes[1],
				reason: DropReason::ReportedFailure(PinFailure::Unavailable)
			}));
			run_to_round(pin);
			assert_eq!(replicas(pin), vec![nodes[0], nodes[2]]);
			// The failing node is not taken back.
			assert!(Pins::<Test>::get(pin).unwrap().dropped.contains(&nodes[1]));
		});
	}
}

mod rounds {
	use super::*;

	#[test]
	fn pinned_replicas_are_paid_for_the_first_epoch_and_challenged() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(2);
			let pin = place(ALICE, 2);
			pin_all(pin);
			run_to_round(pin);
			// Both pinned during epoch 0: paid SIZE units each.
			assert_eq!(
				MockBilling::settlements(),
				vec![SettleCall {
					customer: ALICE,
					held: 2 * SIZE * PRICE,
					resource: Resource::StorageByteEpoch,
					usage: vec![(OWNER_BASE, SIZE), (OWNER_BASE + 1, SIZE)],
				}]
			);
			assert_eq!(MockBilling::paid(OWNER_BASE), SIZE * PRICE);
			let record = Pins::<Test>::get(pin).unwrap();
			assert_eq!(record.budget, BUDGET - 2 * SIZE * PRICE);
			assert_eq!(record.epochs_done, 1);
			assert_eq!(record.round, 1);
			let challenge = challenge(pin);
			assert_eq!(challenge.round, 1);
			assert!(challenge.offset + u64::from(challenge.length) <= SIZE);
			assert_eq!(challenge.length, CHALLENGE_LENGTH);
			assert!(emitted(Event::ChallengeIssued { pin, challenge }));
			for node in nodes {
				assert_eq!(answer_state(pin, node), AnswerState::Awaiting);
			}
		});
	}

	#[test]
	fn agreeing_answers_pass_and_are_paid() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(2);
			let pin = place(ALICE, 2);
			pin_all(pin);
			run_to_round(pin);
			answer_honestly(pin, nodes[0]);
			answer_honestly(pin, nodes[1]);
			assert_noop!(
				report(pin, nodes[1], Report::Answer { round: 1, hash: [0; 32] }),
				Error::<Test>::AlreadyAnswered
			);
			run_to_round(pin);
			for node in &nodes {
				assert!(emitted(Event::ChallengePassed { pin, node: *node, round: 1 }));
				assert_eq!(reports_for(*node), vec![ReputationReason::ChallengePassed]);
			}
			assert_eq!(MockBilling::settlements().len(), 2);
			assert_eq!(MockBilling::paid(OWNER_BASE + 1), 2 * SIZE * PRICE);
			// A fresh challenge, with a fresh seed.
			assert_eq!(challenge(pin).round, 2);
		});
	}

	#[test]
	fn a_minority_answer_and_a_missing_one_are_struck_and_unpaid() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(3);
			let pin = place_three(ALICE);
			pin_all(pin);
			run_to_round(pin);
			answer_honestly(pin, nodes[0]);
			answer_honestly(pin, nodes[1]);
			answer_wrongly(pin, nodes[2]);
			run_to_round(pin);
			assert!(emitted(Event::ChallengeFailed { pin, node: nodes[2], round: 1, strikes: 1 }));
			assert_eq!(strikes(pin, nodes[2]), 1);
			assert_eq!(
				MockBilling::settlements().last().unwrap().usage,
				vec![(OWNER_BASE, SIZE), (OWNER_BASE + 1, SIZE)]
			);
			// Next epoch node 1 stays silent.
			answer_honestly(pin, nodes[0]);
			answer_honestly(pin, nodes[2]);
			run_to_round(pin);
			assert_eq!(strikes(pin, nodes[1]), 1);
			assert_eq!(strikes(pin, nodes[2]), 0);
			assert_eq!(
				reports_for(nodes[1]),
				vec![ReputationReason::ChallengePassed, ReputationReason::ChallengeFailed]
			);
		});
	}

	/// Places the default order with three replicas and a budget for it.
	fn place_three(customer: u64) -> u64 {
		let pin = crate::NextPinId::<Test>::get();
		assert_ok!(place_order(customer, SIZE, 3, MAX_EPOCHS, 5 * BUDGET));
		pin
	}

	#[test]
	fn strikes_up_to_the_limit_slash_and_replace_the_replica() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(3);
			assert_ok!(Storage::set_params(
				RuntimeOrigin::root(),
				StorageParams { strike_limit: 2, strike_slash: Perbill::from_percent(10) }
			));
			assert_ok!(place_order(ALICE, SIZE, 2, MAX_EPOCHS, 5 * BUDGET));
			let pin = 0;
			pin_all(pin);
			run_to_round(pin);
			// Node 1 never answers.
			answer_honestly(pin, nodes[0]);
			run_to_round(pin);
			assert_eq!(strikes(pin, nodes[1]), 1);
			answer_honestly(pin, nodes[0]);
			run_to_round(pin);
			assert_eq!(
				MockRegistry::slashes(),
				vec![(nodes[1], 100, b"storage challenge strikes".to_vec())]
			);
			assert!(emitted(Event::ReplicaDropped {
				pin,
				node: nodes[1],
				reason: DropReason::Strikes { slashed: 100 }
			}));
			// The third node replaces it and must pin by the next round.
			assert_eq!(replicas(pin), vec![nodes[0], nodes[2]]);
			assert_eq!(NodeUsage::<Test>::get(nodes[1]), 0);
			assert_eq!(node_work(nodes[2]).first().map(|work| work.task), Some(PinTask::Pin));
		});
	}

	#[test]
	fn a_tie_goes_to_a_referee_whose_answer_strikes_the_liar() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(3);
			// Long enough to see the dispute settled.
			assert_ok!(place_order(ALICE, SIZE, 2, MAX_EPOCHS, BUDGET));
			let pin = 0;
			pin_all(pin);
			run_to_round(pin);
			let tied = challenge(pin);
			answer_honestly(pin, nodes[0]);
			answer_wrongly(pin, nodes[1]);
			run_to_round(pin);
			// Nobody passed or failed yet, nobody was paid for the tied epoch.
			assert_eq!(strikes(pin, nodes[0]), 0);
			assert_eq!(strikes(pin, nodes[1]), 0);
			assert_eq!(MockBilling::settlements().len(), 1);
			assert!(emitted(Event::DisputeOpened { pin, round: 1, referee: nodes[2] }));
			assert_eq!(
				node_work(nodes[2]),
				vec![StorageWork {
					pin,
					cid: CID.to_vec(),
					size: SIZE,
					due: next_round(pin),
					task: PinTask::Referee(tied)
				}]
			);
			// The referee answers the tied challenge (round 1), the replicas the new one.
			let verdict = honest_answer(&tied, &content());
			assert_noop!(
				report(pin, nodes[2], Report::Answer { round: 2, hash: verdict }),
				Error::<Test>::NotChallenged
			);
			assert_ok!(report(pin, nodes[2], Report::Answer { round: 1, hash: verdict }));
			assert_noop!(
				report(pin, nodes[2], Report::Answer { round: 1, hash: verdict }),
				Error::<Test>::AlreadyAnswered
			);
			answer_honestly(pin, nodes[0]);
			answer_honestly(pin, nodes[1]);
			run_to_round(pin);
			assert!(emitted(Event::DisputeResolved { pin, round: 1, verdict: Some(verdict) }));
			assert!(emitted(Event::ChallengeFailed { pin, node: nodes[1], round: 1, strikes: 1 }));
			assert!(emitted(Event::ChallengePassed { pin, node: nodes[0], round: 1 }));
			assert_eq!(reports_for(nodes[2]), vec![ReputationReason::ChallengePassed]);
			assert!(NodePins::<Test>::get(nodes[2]).is_empty());
			// Round 2 agreed: node 1 passed it and is back to no strike.
			assert_eq!(strikes(pin, nodes[1]), 0);
		});
	}

	#[test]
	fn a_silent_referee_is_penalised_and_strikes_nobody() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(3);
			let pin = place(ALICE, 2);
			pin_all(pin);
			run_to_round(pin);
			answer_honestly(pin, nodes[0]);
			answer_wrongly(pin, nodes[1]);
			run_to_round(pin);
			answer_honestly(pin, nodes[0]);
			answer_honestly(pin, nodes[1]);
			run_to_round(pin);
			assert!(emitted(Event::DisputeResolved { pin, round: 1, verdict: None }));
			assert_eq!(reports_for(nodes[2]), vec![ReputationReason::MissedDeadline]);
			assert!(!storage_events()
				.iter()
				.any(|event| matches!(event, Event::ChallengeFailed { .. })));
		});
	}

	#[test]
	fn a_tie_without_a_possible_referee_strikes_nobody() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(2);
			let pin = place(ALICE, 2);
			pin_all(pin);
			run_to_round(pin);
			answer_honestly(pin, nodes[0]);
			answer_wrongly(pin, nodes[1]);
			run_to_round(pin);
			assert!(emitted(Event::DisputeUnrefereed { pin, round: 1 }));
			assert!(Pins::<Test>::get(pin).unwrap().dispute.is_none());
		});
	}

	#[test]
	fn a_replica_that_never_pins_is_dropped_and_replaced() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(3);
			let pin = place(ALICE, 2);
			assert_ok!(report(pin, nodes[0], Report::Pinned { size: SIZE }));
			run_to_round(pin);
			assert_eq!(reports_for(nodes[1]), vec![ReputationReason::MissedDeadline]);
			assert!(emitted(Event::ReplicaDropped {
				pin,
				node: nodes[1],
				reason: DropReason::MissedPinning
			}));
			assert_eq!(replicas(pin), vec![nodes[0], nodes[2]]);
			// Only the pinned one was paid.
			assert_eq!(MockBilling::settlements()[0].usage, vec![(OWNER_BASE, SIZE)]);
			// The replacement is not challenged until it holds the content.
			assert_eq!(answer_state(pin, nodes[2]), AnswerState::Unchallenged);
			assert_eq!(answer_state(pin, nodes[0]), AnswerState::Awaiting);
		});
	}

	#[test]
	fn without_replacements_the_order_runs_short_and_says_so() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(2);
			let pin = place(ALICE, 2);
			assert_ok!(report(pin, nodes[0], Report::Pinned { size: SIZE }));
			run_to_round(pin);
			assert_eq!(replicas(pin), vec![nodes[0]]);
			assert!(emitted(Event::ReplicationShort { pin, missing: 1 }));
		});
	}

	#[test]
	fn an_order_expires_after_its_epochs_and_refunds_the_rest() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(2);
			let pin = place(ALICE, 2);
			pin_all(pin);
			for _ in 1..EPOCHS {
				run_to_round(pin);
				answer_honestly(pin, nodes[0]);
				answer_honestly(pin, nodes[1]);
			}
			run_to_round(pin);
			let spent = u64::from(EPOCHS) * 2 * SIZE * PRICE;
			assert_eq!(status(pin), PinStatus::Ended(EndReason::Expired));
			assert!(emitted(Event::PinEnded {
				pin,
				reason: EndReason::Expired,
				refunded: BUDGET - spent
			}));
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT - spent);
			assert_eq!(MockBilling::paid(OWNER_BASE), u64::from(EPOCHS) * SIZE * PRICE);
			for node in nodes {
				assert!(node_work(node).is_empty());
			}
			assert!(Rounds::<Test>::iter().next().is_none());
		});
	}

	#[test]
	fn an_order_whose_budget_cannot_pay_the_next_epoch_ends_unfunded() {
		ExtBuilder::default().build_and_execute(|| {
			storage_nodes(2);
			// One epoch and a half of two replicas.
			assert_ok!(place_order(ALICE, SIZE, 2, MAX_EPOCHS, 3 * SIZE * PRICE));
			let pin = 0;
			pin_all(pin);
			run_to_round(pin);
			assert_eq!(status(pin), PinStatus::Ended(EndReason::Unfunded));
			assert!(emitted(Event::PinEnded {
				pin,
				reason: EndReason::Unfunded,
				refunded: SIZE * PRICE
			}));
		});
	}

	#[test]
	fn an_unpriced_epoch_is_left_unbilled() {
		ExtBuilder::default().build_and_execute(|| {
			storage_nodes(1);
			let pin = place(ALICE, 1);
			pin_all(pin);
			MockBilling::set_price(ocos_primitives::ResourceKind::Storage, None);
			run_to_round(pin);
			assert!(emitted(Event::EpochUnbilled {
				pin,
				round: 0,
				error: DispatchError::Unavailable
			}));
			assert_eq!(Pins::<Test>::get(pin).unwrap().budget, BUDGET);
		});
	}
}

mod customer_calls {
	use super::*;

	#[test]
	fn renewing_adds_epochs_and_budget() {
		ExtBuilder::default().build_and_execute(|| {
			storage_nodes(1);
			let pin = place(ALICE, 1);
			assert_ok!(Storage::renew(RuntimeOrigin::signed(ALICE), pin, 2, 500));
			let record = Pins::<Test>::get(pin).unwrap();
			assert_eq!((record.epochs, record.budget), (EPOCHS + 2, BUDGET + 500));
			assert_eq!(MockBilling::held(ALICE), BUDGET + 500);
			assert!(emitted(Event::PinRenewed { pin, epochs: EPOCHS + 2, budget: BUDGET + 500 }));
			assert_noop!(
				Storage::renew(RuntimeOrigin::signed(ALICE), pin, 1, 0),
				Error::<Test>::InvalidEpochs
			);
			assert_noop!(
				Storage::renew(RuntimeOrigin::signed(ALICE), pin, 0, 10),
				Error::<Test>::InvalidEpochs
			);
			assert_noop!(
				Storage::renew(RuntimeOrigin::signed(BOB), pin, 0, 0),
				Error::<Test>::NotCustomer
			);
			assert_noop!(
				Storage::renew(RuntimeOrigin::signed(ALICE), pin + 1, 1, 0),
				Error::<Test>::UnknownPin
			);
		});
	}

	#[test]
	fn an_unfunded_renewal_changes_nothing() {
		ExtBuilder::default().build_and_execute(|| {
			storage_nodes(1);
			let pin = place(ALICE, 1);
			MockBilling::set_free(ALICE, 10);
			assert_noop!(
				Storage::renew(RuntimeOrigin::signed(ALICE), pin, 1, 11),
				DispatchError::Token(TokenError::FundsUnavailable)
			);
			// Renewing epochs without budget is allowed; the round ends the order if unfunded.
			assert_ok!(Storage::renew(RuntimeOrigin::signed(ALICE), pin, 1, 0));
		});
	}

	#[test]
	fn unpinning_releases_every_node_and_refunds_the_budget() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(2);
			let pin = place(ALICE, 2);
			pin_all(pin);
			assert_noop!(
				Storage::unpin(RuntimeOrigin::signed(BOB), pin),
				Error::<Test>::NotCustomer
			);
			assert_ok!(Storage::unpin(RuntimeOrigin::signed(ALICE), pin));
			assert_eq!(status(pin), PinStatus::Ended(EndReason::Unpinned));
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT);
			for node in nodes {
				assert!(emitted(Event::ReplicaDropped {
					pin,
					node,
					reason: DropReason::OrderEnded
				}));
				assert_eq!(MockRegistry::in_flight(node), 0);
			}
			assert!(Rounds::<Test>::iter().next().is_none());
			assert_noop!(
				Storage::unpin(RuntimeOrigin::signed(ALICE), pin),
				Error::<Test>::PinEnded
			);
			assert_noop!(
				Storage::renew(RuntimeOrigin::signed(ALICE), pin, 1, 0),
				Error::<Test>::PinEnded
			);
		});
	}

	#[test]
	fn only_the_dao_sets_valid_params() {
		ExtBuilder::default().build_and_execute(|| {
			let params = StorageParams { strike_limit: 5, strike_slash: Perbill::from_percent(2) };
			assert_noop!(Storage::set_params(RuntimeOrigin::signed(ALICE), params), BadOrigin);
			assert_noop!(
				Storage::set_params(
					RuntimeOrigin::root(),
					StorageParams { strike_limit: 0, ..params }
				),
				Error::<Test>::InvalidParams
			);
			assert_ok!(Storage::set_params(RuntimeOrigin::root(), params));
			assert_eq!(Params::<Test>::get(), params);
			assert!(emitted(Event::ParamsSet { params }));
		});
	}
}

mod pool_and_queries {
	use super::*;

	#[test]
	fn the_pool_admits_valid_reports_until_the_next_round() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(3);
			let pin = place(ALICE, 2);
			let (report_ok, signature) = signed(pin, nodes[0], Report::Pinned { size: SIZE });
			let valid = validate(&Call::report { report: report_ok, signature: signature.clone() })
				.unwrap();
			assert_eq!(valid.priority, REPORT_PRIORITY);
			assert_eq!(valid.longevity, REPORT_LONGEVITY);
			let stale_soon = {
				run_to(next_round(pin) - 2);
				validate(&Call::report { report: report_ok, signature }).unwrap().longevity
			};
			assert_eq!(stale_soon, 2);

			let refused = |pin, node, what| {
				let (report, signature) = signed(pin, node, what);
				validate(&Call::report { report, signature }).unwrap_err()
			};
			assert_eq!(
				refused(pin + 1, nodes[0], Report::Pinned { size: SIZE }),
				InvalidTransaction::Custom(INVALID_UNKNOWN_PIN).into()
			);
			assert_eq!(
				refused(pin, nodes[2], Report::Pinned { size: SIZE }),
				InvalidTransaction::Custom(INVALID_NOT_ASSIGNED).into()
			);
			assert_eq!(
				refused(pin, nodes[0], Report::Pinned { size: 1 }),
				InvalidTransaction::Custom(INVALID_SIZE).into()
			);
			let (forged, signature) = signed_by(pin, nodes[0], Report::Pinned { size: SIZE }, 9);
			assert_eq!(
				validate(&Call::report { report: forged, signature }).unwrap_err(),
				InvalidTransaction::BadProof.into()
			);
			assert_ok!(report(pin, nodes[0], Report::Pinned { size: SIZE }));
			assert_eq!(
				refused(pin, nodes[0], Report::Pinned { size: SIZE }),
				InvalidTransaction::Stale.into()
			);
		});
	}

	#[test]
	fn the_work_list_tells_each_node_what_to_do() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = storage_nodes(2);
			let pin = place(ALICE, 2);
			let work = |node| node_work(node).into_iter().map(|w| w.task).collect::<Vec<_>>();
			assert_eq!(work(nodes[0]), vec![PinTask::Pin]);
			assert_ok!(report(pin, nodes[0], Report::Pinned { size: SIZE }));
			assert_eq!(work(nodes[0]), vec![PinTask::Hold]);
			assert_ok!(report(pin, nodes[1], Report::Pinned { size: SIZE }));
			run_to_round(pin);
			let challenge = challenge(pin);
			assert_eq!(work(nodes[0]), vec![PinTask::Answer(challenge)]);
			answer_honestly(pin, nodes[0]);
			assert_eq!(work(nodes[0]), vec![PinTask::Hold]);
			assert_ok!(Storage::unpin(RuntimeOrigin::signed(ALICE), pin));
			assert!(work(nodes[0]).is_empty());
		});
	}
}

mod rules {
	use super::*;

	#[test]
	fn the_challenge_rule_needs_a_strict_majority_of_the_answers() {
		let (a, b, c) = ([1; 32], [2; 32], [3; 32]);
		assert_eq!(decide_challenge(&[]), Decision::Silent);
		assert_eq!(decide_challenge(&[a]), Decision::Majority(a));
		assert_eq!(decide_challenge(&[a, a]), Decision::Majority(a));
		assert_eq!(decide_challenge(&[a, b]), Decision::Tie);
		assert_eq!(decide_challenge(&[a, b, a]), Decision::Majority(a));
		assert_eq!(decide_challenge(&[a, b, c]), Decision::Tie);
		assert_eq!(decide_challenge(&[a, a, b, b]), Decision::Tie);
	}

	#[test]
	fn challenges_stay_within_the_content() {
		for size in [1u64, 5, 16, 17, 100, 1 << 40] {
			for byte in 0..=255u8 {
				let challenge = Challenge::new(0, [byte; 32], size, 16);
				assert_eq!(u64::from(challenge.length), size.min(16));
				assert!(challenge.offset + u64::from(challenge.length) <= size);
			}
		}
		// Offsets spread over the content.
		let offsets: std::collections::BTreeSet<u64> =
			(0..=255u8).map(|byte| Challenge::new(0, [byte; 32], 1 << 20, 16).offset).collect();
		assert!(offsets.len() > 200);
	}

	#[test]
	fn the_answer_hashes_the_seed_and_the_challenged_bytes() {
		let content: Vec<u8> = (0..=255u8).cycle().take(5_000).collect();
		let challenge = Challenge::new(3, [9; 32], content.len() as u64, 1024);
		let start = challenge.offset as usize;
		let challenged = &content[start..start + challenge.length as usize];
		assert_eq!(challenge.answer(challenged), honest_answer(&challenge, &content));
		let other_seed = Challenge { seed: [8; 32], ..challenge };
		assert_ne!(other_seed.answer(challenged), challenge.answer(challenged));
		assert_ne!(challenge.answer(&challenged[1..]), challenge.answer(challenged));
	}
}
