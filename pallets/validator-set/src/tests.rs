//! Unit tests of the validator-set pallet. Every test that builds a valid genesis runs through
//! [`ExtBuilder::build_and_execute`], which checks the pallet's invariants afterwards.

use crate::{mock::*, Error, Event, SetChanged, Validators};
use frame_support::{assert_noop, assert_ok, assert_storage_noop, traits::IntegrityTest};
use pallet_session::SessionManager;
use sp_runtime::{traits::BadOrigin, DispatchResult};

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn add(who: AccountId) -> DispatchResult {
	ValidatorSet::add_validator(root(), who)
}

fn remove(who: AccountId) -> DispatchResult {
	ValidatorSet::remove_validator(root(), who)
}

fn validators() -> Vec<AccountId> {
	Validators::<Test>::get().into_inner()
}

fn new_session(index: u32) -> Option<Vec<AccountId>> {
	<ValidatorSet as SessionManager<AccountId>>::new_session(index)
}

fn new_session_genesis(index: u32) -> Option<Vec<AccountId>> {
	<ValidatorSet as SessionManager<AccountId>>::new_session_genesis(index)
}

fn assert_last(event: Event<Test>) {
	System::assert_last_event(event.into());
}

fn event_count() -> usize {
	System::events().len()
}

// ---------------------------------------------------------------------------------------------
// Genesis and configuration
// ---------------------------------------------------------------------------------------------

#[test]
fn genesis_stores_the_validators() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(validators(), vec![ALICE, BOB]);
		assert!(!SetChanged::<Test>::get());
	});
}

#[test]
fn genesis_keeps_the_order_given() {
	ExtBuilder::default().validators(vec![DAVE, ALICE, CHARLIE]).build_and_execute(|| {
		assert_eq!(validators(), vec![DAVE, ALICE, CHARLIE]);
	});
}

#[test]
fn genesis_accepts_a_full_set() {
	ExtBuilder::default().validators(vec![ALICE, BOB, CHARLIE, DAVE]).build_and_execute(|| {
		assert_eq!(validators().len() as u32, MAX_VALIDATORS);
	});
}

#[test]
fn an_empty_genesis_records_no_set_and_the_dao_cannot_start_one() {
	ExtBuilder::default().validators(vec![]).build_and_execute(|| {
		assert!(validators().is_empty());
		assert_eq!(new_session_genesis(0), None);
		assert_noop!(add(CHARLIE), Error::<Test>::NoValidatorSet);
	});
}

#[test]
#[should_panic(expected = "the genesis validator set lists an account twice")]
fn genesis_rejects_duplicates() {
	let _ = ExtBuilder::default().validators(vec![ALICE, BOB, ALICE]).build();
}

#[test]
#[should_panic(expected = "the genesis validator set has more than `MaxValidators` validators")]
fn genesis_rejects_too_many_validators() {
	let _ = ExtBuilder::default().validators(vec![ALICE, BOB, CHARLIE, DAVE, EVE]).build();
}

#[test]
#[should_panic(expected = "the genesis validator set has fewer than `MinValidators` validators")]
fn genesis_rejects_too_few_validators() {
	MinValidators::set(3);
	let _ = ExtBuilder::default().build();
}

#[test]
fn genesis_config_json_round_trips() {
	let config = crate::GenesisConfig::<Test> { validators: vec![ALICE, BOB] };
	let json = serde_json::to_value(&config).unwrap();
	assert_eq!(json, serde_json::json!({ "validators": [1, 2] }));
	let decoded: crate::GenesisConfig<Test> = serde_json::from_value(json).unwrap();
	assert_eq!(decoded.validators, config.validators);
	assert!(serde_json::from_value::<crate::GenesisConfig<Test>>(
		serde_json::json!({ "validators": [1], "invulnerables": [] })
	)
	.is_err());
}

#[test]
fn integrity_test_passes() {
	<ValidatorSet as IntegrityTest>::integrity_test();
}

#[test]
#[should_panic(expected = "`MinValidators` must not be zero")]
fn integrity_test_rejects_a_zero_minimum() {
	MinValidators::set(0);
	<ValidatorSet as IntegrityTest>::integrity_test();
}

#[test]
#[should_panic(expected = "`MinValidators` must not exceed `MaxValidators`")]
fn integrity_test_rejects_a_minimum_above_the_maximum() {
	MinValidators::set(MAX_VALIDATORS + 1);
	<ValidatorSet as IntegrityTest>::integrity_test();
}

// ---------------------------------------------------------------------------------------------
// add_validator
// ---------------------------------------------------------------------------------------------

#[test]
fn add_validator_works() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(add(CHARLIE));
		assert_eq!(validators(), vec![ALICE, BOB, CHARLIE]);
		assert!(SetChanged::<Test>::get());
		assert_last(Event::ValidatorAdded { who: CHARLIE });

		assert_ok!(add(DAVE));
		assert_eq!(validators(), vec![ALICE, BOB, CHARLIE, DAVE]);
		assert_last(Event::ValidatorAdded { who: DAVE });
	});
}

#[test]
fn add_validator_requires_the_add_remove_origin() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(ValidatorSet::add_validator(RuntimeOrigin::signed(ALICE), CHARLIE), BadOrigin);
		assert_noop!(ValidatorSet::add_validator(RuntimeOrigin::none(), CHARLIE), BadOrigin);
	});
}

#[test]
fn add_validator_rejects_a_validator() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(add(BOB), Error::<Test>::AlreadyValidator);
	});
}

#[test]
fn add_validator_rejects_a_full_set() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(add(CHARLIE));
		assert_ok!(add(DAVE));
		assert_noop!(add(EVE), Error::<Test>::TooManyValidators);
		assert_eq!(validators(), vec![ALICE, BOB, CHARLIE, DAVE]);
	});
}

#[test]
fn add_validator_requires_session_keys() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(add(NO_KEYS), Error::<Test>::NoSessionKeys);
		assert!(!SetChanged::<Test>::get());

		WithKeys::mutate(|keys| keys.push(NO_KEYS));
		assert_ok!(add(NO_KEYS));
		assert_eq!(validators(), vec![ALICE, BOB, NO_KEYS]);
	});
}

#[test]
fn a_removed_validator_is_added_at_the_end() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(remove(ALICE));
		assert_ok!(add(ALICE));
		assert_eq!(validators(), vec![BOB, ALICE]);
	});
}

// ---------------------------------------------------------------------------------------------
// remove_validator
// ---------------------------------------------------------------------------------------------

#[test]
fn remove_validator_works() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(remove(ALICE));
		assert_eq!(validators(), vec![BOB]);
		assert!(SetChanged::<Test>::get());
		assert_last(Event::ValidatorRemoved { who: ALICE });
	});
}

#[test]
fn remove_validator_keeps_the_order_of_the_rest() {
	ExtBuilder::default().validators(vec![ALICE, BOB, CHARLIE, DAVE]).build_and_execute(|| {
		assert_ok!(remove(BOB));
		assert_eq!(validators(), vec![ALICE, CHARLIE, DAVE]);
		assert_ok!(remove(DAVE));
		assert_eq!(validators(), vec![ALICE, CHARLIE]);
	});
}

#[test]
fn remove_validator_requires_the_add_remove_origin() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(ValidatorSet::remove_validator(RuntimeOrigin::signed(ALICE), BOB), BadOrigin);
		assert_noop!(ValidatorSet::remove_validator(RuntimeOrigin::none(), BOB), BadOrigin);
	});
}

#[test]
fn remove_validator_rejects_a_non_validator() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(remove(CHARLIE), Error::<Test>::NotValidator);
		assert_noop!(remove(NO_KEYS), Error::<Test>::NotValidator);
	});
}

#[test]
fn remove_validator_keeps_the_minimum() {
	ExtBuilder::default().build_and_execute(|| {
		// Down to `MinValidators` (one) works; below it does not.
		assert_ok!(remove(ALICE));
		assert_noop!(remove(BOB), Error::<Test>::TooFewValidators);
		assert_eq!(validators(), vec![BOB]);
	});
}

#[test]
fn remove_validator_keeps_a_higher_minimum() {
	MinValidators::set(2);
	ExtBuilder::default().validators(vec![ALICE, BOB, CHARLIE]).build_and_execute(|| {
		assert_ok!(remove(CHARLIE));
		assert_noop!(remove(ALICE), Error::<Test>::TooFewValidators);
		assert_eq!(validators(), vec![ALICE, BOB]);
	});
}

#[test]
fn a_failed_call_leaves_no_pending_change() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(add(ALICE), Error::<Test>::AlreadyValidator);
		assert_noop!(remove(CHARLIE), Error::<Test>::NotValidator);
		assert!(!SetChanged::<Test>::get());
		assert_eq!(new_session(1), None);
	});
}

// ---------------------------------------------------------------------------------------------
// Session manager
// ---------------------------------------------------------------------------------------------

#[test]
fn new_session_without_a_change_keeps_the_set() {
	ExtBuilder::default().build_and_execute(|| {
		let events = event_count();
		assert_eq!(new_session(1), None);
		assert_eq!(new_session(2), None);
		assert_eq!(event_count(), events);
	});
}

#[test]
fn new_session_hands_over_a_change_once() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(add(CHARLIE));

		assert_eq!(new_session(2), Some(vec![ALICE, BOB, CHARLIE]));
		assert_last(Event::NewSetPlanned { session: 2, validators: vec![ALICE, BOB, CHARLIE] });
		assert!(!SetChanged::<Test>::get());

		let events = event_count();
		assert_eq!(new_session(3), None);
		assert_eq!(event_count(), events);
		assert_eq!(validators(), vec![ALICE, BOB, CHARLIE]);
	});
}

#[test]
fn several_changes_before_a_session_give_one_planned_set() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(add(CHARLIE));
		assert_ok!(add(DAVE));
		assert_ok!(remove(ALICE));

		assert_eq!(new_session(5), Some(vec![BOB, CHARLIE, DAVE]));
		assert_last(Event::NewSetPlanned { session: 5, validators: vec![BOB, CHARLIE, DAVE] });
		assert_eq!(new_session(6), None);

		// A later change is handed over at the next boundary.
		assert_ok!(remove(BOB));
		assert_eq!(new_session(7), Some(vec![CHARLIE, DAVE]));
		assert_last(Event::NewSetPlanned { session: 7, validators: vec![CHARLIE, DAVE] });
		assert_eq!(new_session(8), None);
	});
}

#[test]
fn changes_that_cancel_out_are_still_handed_over() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(add(CHARLIE));
		assert_ok!(remove(CHARLIE));
		assert_eq!(new_session(2), Some(vec![ALICE, BOB]));
		assert_eq!(new_session(3), None);
	});
}

#[test]
fn new_session_genesis_returns_the_genesis_set() {
	ExtBuilder::default().build_and_execute(|| {
		let events = event_count();
		assert_eq!(new_session_genesis(0), Some(vec![ALICE, BOB]));
		assert_eq!(new_session_genesis(1), Some(vec![ALICE, BOB]));
		assert_eq!(event_count(), events);
		assert!(!SetChanged::<Test>::get());
	});
}

#[test]
fn new_session_genesis_leaves_a_pending_change() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(add(CHARLIE));
		assert_eq!(new_session_genesis(0), Some(vec![ALICE, BOB, CHARLIE]));
		assert!(SetChanged::<Test>::get());
	});
}

#[test]
fn new_session_genesis_without_validators_defers_to_the_session_keys() {
	// Not `build_and_execute`: an empty set breaks the invariants on purpose.
	ExtBuilder::default().build().execute_with(|| {
		Validators::<Test>::kill();
		assert_eq!(new_session_genesis(0), None);
	});
}

#[test]
fn start_and_end_session_do_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(add(CHARLIE));
		assert_storage_noop!(<ValidatorSet as SessionManager<AccountId>>::start_session(1));
		assert_storage_noop!(<ValidatorSet as SessionManager<AccountId>>::end_session(1));
		assert!(SetChanged::<Test>::get());
	});
}
