//! Unit tests of the quotas pallet. Every test runs through
//! [`ExtBuilder::build_and_execute`], which checks the pallet's invariants afterwards.

use crate::{
	mock::*, Error, Event, Params, QuotaParams, QuotaRate, StakeInfo, Stakes, Unbonding,
	UnbondingChunk,
};
use frame_support::{assert_noop, assert_ok, assert_storage_noop};
use ocos_primitives::{
	Quotas as _,
	ResourceKind::{self, Gpu, Storage},
};
use sp_runtime::{traits::BadOrigin, FixedU128};

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn stake(who: AccountId, kind: ResourceKind, amount: Balance) -> sp_runtime::DispatchResult {
	Quotas::stake(signed(who), kind, amount)
}

fn unstake(who: AccountId, kind: ResourceKind, amount: Balance) -> sp_runtime::DispatchResult {
	Quotas::unstake(signed(who), kind, amount)
}

fn withdraw(who: AccountId) -> sp_runtime::DispatchResult {
	Quotas::withdraw_unbonded(signed(who)).map(|_| ()).map_err(|e| e.error)
}

fn rebond(who: AccountId, kind: ResourceKind, amount: Balance) -> sp_runtime::DispatchResult {
	Quotas::rebond(signed(who), kind, amount).map(|_| ()).map_err(|e| e.error)
}

fn assert_last(event: Event<Test>) {
	System::assert_last_event(event.into());
}

fn assert_has(event: Event<Test>) {
	System::assert_has_event(event.into());
}

fn chunk(kind: ResourceKind, amount: Balance, unlock_at: u32) -> UnbondingChunk<Balance, u32> {
	UnbondingChunk { kind, amount, unlock_at }
}

fn chunks(who: AccountId) -> Vec<UnbondingChunk<Balance, u32>> {
	Unbonding::<Test>::get(who).into_inner()
}

fn position(who: AccountId, kind: ResourceKind) -> Option<StakeInfo<Balance>> {
	Stakes::<Test>::get(who, kind)
}

fn available(who: AccountId, kind: ResourceKind) -> u64 {
	Quotas::available(&who, kind)
}

fn consume(who: AccountId, kind: ResourceKind, units: u64) -> u64 {
	Quotas::consume(&who, kind, units)
}

// ---------------------------------------------------------------------------------------------
// Genesis
// ---------------------------------------------------------------------------------------------

#[test]
fn genesis_sets_rates() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(QuotaRate::<Test>::get(Gpu), gpu_rate());
		assert_eq!(QuotaRate::<Test>::get(Storage), storage_rate());
	});
}

#[test]
fn genesis_later_entry_wins_and_unlisted_kind_is_zero() {
	ExtBuilder::default()
		.rates(vec![(Gpu, FixedU128::from_u32(1)), (Gpu, FixedU128::from_u32(3))])
		.build_and_execute(|| {
			assert_eq!(QuotaRate::<Test>::get(Gpu), FixedU128::from_u32(3));
			assert_eq!(QuotaRate::<Test>::get(Storage), FixedU128::from_u32(0));
		});
}

#[test]
fn genesis_config_json_round_trips() {
	ExtBuilder::default().build_and_execute(|| {
		let config = crate::GenesisConfig::<Test> {
			rates: vec![(Gpu, gpu_rate()), (Storage, storage_rate())],
			params: Some(QuotaParams { unbonding_period: 7, min_stake: 3 }),
		};
		let json = serde_json::to_value(&config).unwrap();
		assert_eq!(
			json,
			serde_json::json!({
				"rates": [["Gpu", "2000000000000000000"], ["Storage", "500000000000000000"]],
				"params": { "unbondingPeriod": 7, "minStake": 3 }
			})
		);
		let decoded: crate::GenesisConfig<Test> = serde_json::from_value(json).unwrap();
		assert_eq!(decoded.rates, config.rates);
		assert_eq!(decoded.params, config.params);
		assert!(serde_json::from_value::<crate::GenesisConfig<Test>>(
			serde_json::json!({ "rates": [["Cpu", "1"]] })
		)
		.is_err());
	});
}

// ---------------------------------------------------------------------------------------------
// stake
// ---------------------------------------------------------------------------------------------

#[test]
fn stake_works() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_eq!(position(ALICE, Gpu), Some(StakeInfo { staked: 100, used: 0, epoch: 0 }));
		assert_eq!(held(ALICE), 100);
		assert_eq!(free(ALICE), INITIAL_BALANCE - 100);
		assert_last(Event::Staked { who: ALICE, kind: Gpu, amount: 100, total: 100 });
		// Earns quota in the current epoch already: 2 GPU-ms per planck.
		assert_eq!(available(ALICE, Gpu), 200);
		assert_eq!(available(ALICE, Storage), 0);

		// Adding to a position: the added amount alone may be below `MinStake`.
		assert_ok!(stake(ALICE, Gpu, 5));
		assert_last(Event::Staked { who: ALICE, kind: Gpu, amount: 5, total: 105 });
		assert_eq!(held(ALICE), 105);
		assert_eq!(available(ALICE, Gpu), 210);
	});
}

#[test]
fn stake_kinds_are_independent() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(stake(ALICE, Storage, 50));
		assert_eq!(held(ALICE), 150);
		assert_eq!(available(ALICE, Gpu), 200);
		assert_eq!(available(ALICE, Storage), 25);
		assert_eq!(consume(ALICE, Gpu, 200), 200);
		assert_eq!(available(ALICE, Storage), 25);
	});
}

#[test]
fn stake_into_a_position_of_a_past_epoch_renews_it() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_eq!(consume(ALICE, Gpu, 150), 150);
		run_to_block(25);
		assert_ok!(stake(ALICE, Gpu, 10));
		assert_eq!(position(ALICE, Gpu), Some(StakeInfo { staked: 110, used: 0, epoch: 2 }));
		assert_eq!(available(ALICE, Gpu), 220);
	});
}

#[test]
fn stake_zero_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(stake(ALICE, Gpu, 0), Error::<Test>::ZeroAmount);
	});
}

#[test]
fn stake_below_min_stake_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(stake(ALICE, Gpu, 9), Error::<Test>::BelowMinStake);
		assert_ok!(stake(ALICE, Gpu, 10));
		assert_eq!(position(ALICE, Gpu).map(|info| info.staked), Some(10));
	});
}

#[test]
fn stake_insufficient_balance_fails() {
	ExtBuilder::default().build_and_execute(|| {
		// The existential deposit stays free.
		assert_noop!(stake(ALICE, Gpu, INITIAL_BALANCE), Error::<Test>::InsufficientBalance);
		assert_noop!(stake(ALICE, Gpu, INITIAL_BALANCE + 1), Error::<Test>::InsufficientBalance);
		assert_noop!(stake(NOBODY, Gpu, 10), Error::<Test>::InsufficientBalance);
		assert_ok!(stake(ALICE, Gpu, INITIAL_BALANCE - 1));
		assert_eq!(free(ALICE), 1);
		assert_noop!(stake(ALICE, Storage, 10), Error::<Test>::InsufficientBalance);
	});
}

#[test]
fn stake_overflow_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_noop!(stake(ALICE, Gpu, Balance::MAX), Error::<Test>::Overflow);
	});
}

// ---------------------------------------------------------------------------------------------
// unstake
// ---------------------------------------------------------------------------------------------

#[test]
fn unstake_works() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_eq!(consume(ALICE, Gpu, 150), 150);
		assert_eq!(available(ALICE, Gpu), 50);

		assert_ok!(unstake(ALICE, Gpu, 40));
		assert_last(Event::Unbonding { who: ALICE, kind: Gpu, amount: 40, unlock_at: 21 });
		// Used quota stays used; the quota shrinks at once (120 < 150 used).
		assert_eq!(position(ALICE, Gpu), Some(StakeInfo { staked: 60, used: 150, epoch: 0 }));
		assert_eq!(chunks(ALICE), vec![chunk(Gpu, 40, 21)]);
		assert_eq!(available(ALICE, Gpu), 0);
		assert_eq!(consume(ALICE, Gpu, 1), 0);
		// Still held until withdrawn.
		assert_eq!(held(ALICE), 100);
		assert_eq!(free(ALICE), INITIAL_BALANCE - 100);

		// The smaller position earns its full quota next epoch.
		run_to_block(10);
		assert_eq!(available(ALICE, Gpu), 120);
	});
}

#[test]
fn unstake_everything_removes_the_position() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(unstake(ALICE, Gpu, 100));
		assert_eq!(position(ALICE, Gpu), None);
		assert_eq!(chunks(ALICE), vec![chunk(Gpu, 100, 21)]);
		assert_eq!(available(ALICE, Gpu), 0);
		assert_eq!(held(ALICE), 100);
	});
}

#[test]
fn unstake_in_one_block_merges_chunks_of_a_kind() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(stake(ALICE, Storage, 100));
		assert_ok!(unstake(ALICE, Gpu, 10));
		assert_ok!(unstake(ALICE, Gpu, 15));
		assert_eq!(chunks(ALICE), vec![chunk(Gpu, 25, 21)]);
		// Only the last chunk is merged into, and only with the same kind.
		assert_ok!(unstake(ALICE, Storage, 10));
		assert_ok!(unstake(ALICE, Gpu, 5));
		assert_eq!(
			chunks(ALICE),
			vec![chunk(Gpu, 25, 21), chunk(Storage, 10, 21), chunk(Gpu, 5, 21)]
		);
		assert_has(Event::Unbonding { who: ALICE, kind: Gpu, amount: 15, unlock_at: 21 });
	});
}

#[test]
fn unstake_zero_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_noop!(unstake(ALICE, Gpu, 0), Error::<Test>::ZeroAmount);
	});
}

#[test]
fn unstake_without_position_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(unstake(ALICE, Gpu, 10), Error::<Test>::NotStaked);
		assert_ok!(stake(ALICE, Storage, 100));
		assert_noop!(unstake(ALICE, Gpu, 10), Error::<Test>::NotStaked);
	});
}

#[test]
fn unstake_more_than_staked_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_noop!(unstake(ALICE, Gpu, 101), Error::<Test>::InsufficientStake);
		assert_noop!(unstake(ALICE, Gpu, Balance::MAX), Error::<Test>::InsufficientStake);
	});
}

#[test]
fn unstake_leaving_less_than_min_stake_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_noop!(unstake(ALICE, Gpu, 91), Error::<Test>::BelowMinStake);
		assert_ok!(unstake(ALICE, Gpu, 90));
		assert_eq!(position(ALICE, Gpu).map(|info| info.staked), Some(10));
		// Down to zero is always allowed.
		assert_ok!(unstake(ALICE, Gpu, 10));
		assert_eq!(position(ALICE, Gpu), None);
	});
}

#[test]
fn unstake_with_a_full_queue_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		for block in 1..=MAX_UNBONDING_CHUNKS {
			run_to_block(block);
			assert_ok!(unstake(ALICE, Gpu, 10));
		}
		assert_eq!(chunks(ALICE).len(), MAX_UNBONDING_CHUNKS as usize);
		// A chunk of the same block and kind still takes more.
		assert_ok!(unstake(ALICE, Gpu, 10));
		run_to_block(MAX_UNBONDING_CHUNKS + 1);
		assert_noop!(unstake(ALICE, Gpu, 10), Error::<Test>::TooManyUnbondingChunks);

		// Withdrawing a matured chunk makes room.
		run_to_block(21);
		assert_ok!(withdraw(ALICE));
		assert_ok!(unstake(ALICE, Gpu, 10));
	});
}

// ---------------------------------------------------------------------------------------------
// withdraw_unbonded
// ---------------------------------------------------------------------------------------------

#[test]
fn withdraw_after_the_unbonding_period_works() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(unstake(ALICE, Gpu, 100));

		run_to_block(20);
		assert_noop!(withdraw(ALICE), Error::<Test>::NothingToWithdraw);

		run_to_block(21);
		assert_ok!(withdraw(ALICE));
		assert_last(Event::Withdrawn { who: ALICE, amount: 100 });
		assert!(!Unbonding::<Test>::contains_key(ALICE));
		assert_eq!(held(ALICE), 0);
		assert_eq!(free(ALICE), INITIAL_BALANCE);
	});
}

#[test]
fn withdraw_without_chunks_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(withdraw(ALICE), Error::<Test>::NothingToWithdraw);
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_noop!(withdraw(ALICE), Error::<Test>::NothingToWithdraw);
	});
}

#[test]
fn partial_withdrawals_with_several_chunks() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(stake(ALICE, Storage, 50));
		assert_ok!(unstake(ALICE, Gpu, 20));
		run_to_block(5);
		assert_ok!(unstake(ALICE, Storage, 50));
		run_to_block(10);
		assert_ok!(unstake(ALICE, Gpu, 30));
		assert_eq!(
			chunks(ALICE),
			vec![chunk(Gpu, 20, 21), chunk(Storage, 50, 25), chunk(Gpu, 30, 30)]
		);
		assert_eq!(held(ALICE), 150);

		run_to_block(21);
		assert_ok!(withdraw(ALICE));
		assert_last(Event::Withdrawn { who: ALICE, amount: 20 });
		assert_eq!(chunks(ALICE), vec![chunk(Storage, 50, 25), chunk(Gpu, 30, 30)]);
		assert_eq!(held(ALICE), 130);
		assert_eq!(free(ALICE), INITIAL_BALANCE - 130);

		run_to_block(29);
		assert_ok!(withdraw(ALICE));
		assert_last(Event::Withdrawn { who: ALICE, amount: 50 });
		assert_noop!(withdraw(ALICE), Error::<Test>::NothingToWithdraw);

		run_to_block(40);
		assert_ok!(withdraw(ALICE));
		assert_last(Event::Withdrawn { who: ALICE, amount: 30 });
		assert!(!Unbonding::<Test>::contains_key(ALICE));
		assert_eq!(held(ALICE), 50);
		assert_eq!(free(ALICE), INITIAL_BALANCE - 50);
		assert_eq!(position(ALICE, Gpu).map(|info| info.staked), Some(50));
	});
}

#[test]
fn withdraw_releases_every_matured_chunk_at_once() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(stake(ALICE, Storage, 100));
		assert_ok!(unstake(ALICE, Gpu, 100));
		run_to_block(3);
		assert_ok!(unstake(ALICE, Storage, 60));
		run_to_block(100);
		assert_ok!(withdraw(ALICE));
		assert_last(Event::Withdrawn { who: ALICE, amount: 160 });
		assert_eq!(held(ALICE), 40);
		assert_eq!(free(ALICE), INITIAL_BALANCE - 40);
	});
}

// ---------------------------------------------------------------------------------------------
// rebond
// ---------------------------------------------------------------------------------------------

#[test]
fn rebond_takes_the_most_recent_chunks_first() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(unstake(ALICE, Gpu, 20));
		run_to_block(2);
		assert_ok!(unstake(ALICE, Gpu, 30));
		run_to_block(3);
		assert_ok!(unstake(ALICE, Gpu, 10));
		assert_eq!(position(ALICE, Gpu).map(|info| info.staked), Some(40));

		assert_ok!(rebond(ALICE, Gpu, 25));
		assert_last(Event::Rebonded { who: ALICE, kind: Gpu, amount: 25, total: 65 });
		assert_eq!(chunks(ALICE), vec![chunk(Gpu, 20, 21), chunk(Gpu, 15, 22)]);
		assert_eq!(position(ALICE, Gpu).map(|info| info.staked), Some(65));
		assert_eq!(held(ALICE), 100);
	});
}

#[test]
fn rebond_only_takes_chunks_of_its_kind() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(stake(ALICE, Storage, 100));
		assert_ok!(unstake(ALICE, Gpu, 30));
		run_to_block(2);
		assert_ok!(unstake(ALICE, Storage, 40));
		assert_ok!(rebond(ALICE, Gpu, 30));
		assert_eq!(chunks(ALICE), vec![chunk(Storage, 40, 22)]);
		assert_eq!(position(ALICE, Gpu).map(|info| info.staked), Some(100));
		assert_eq!(position(ALICE, Storage).map(|info| info.staked), Some(60));
	});
}

#[test]
fn rebond_restores_a_fully_unstaked_position() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(unstake(ALICE, Gpu, 100));
		assert_ok!(rebond(ALICE, Gpu, 100));
		assert_last(Event::Rebonded { who: ALICE, kind: Gpu, amount: 100, total: 100 });
		assert!(!Unbonding::<Test>::contains_key(ALICE));
		assert_eq!(position(ALICE, Gpu).map(|info| info.staked), Some(100));
		assert_eq!(held(ALICE), 100);
	});
}

#[test]
fn rebond_works_on_matured_chunks() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(unstake(ALICE, Gpu, 50));
		run_to_block(50);
		assert_ok!(rebond(ALICE, Gpu, 50));
		assert_eq!(position(ALICE, Gpu).map(|info| info.staked), Some(100));
		assert_noop!(withdraw(ALICE), Error::<Test>::NothingToWithdraw);
	});
}

#[test]
fn rebond_then_unstake_again_and_withdraw() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(unstake(ALICE, Gpu, 100));
		run_to_block(5);
		assert_ok!(rebond(ALICE, Gpu, 60));
		assert_eq!(chunks(ALICE), vec![chunk(Gpu, 40, 21)]);
		run_to_block(10);
		assert_ok!(unstake(ALICE, Gpu, 60));
		assert_eq!(chunks(ALICE), vec![chunk(Gpu, 40, 21), chunk(Gpu, 60, 30)]);

		run_to_block(21);
		assert_ok!(withdraw(ALICE));
		assert_last(Event::Withdrawn { who: ALICE, amount: 40 });
		run_to_block(30);
		assert_ok!(withdraw(ALICE));
		assert_last(Event::Withdrawn { who: ALICE, amount: 60 });

		assert_eq!(held(ALICE), 0);
		assert_eq!(free(ALICE), INITIAL_BALANCE);
		assert_eq!(position(ALICE, Gpu), None);
		assert!(!Unbonding::<Test>::contains_key(ALICE));
	});
}

#[test]
fn rebond_does_not_mint_quota_in_the_current_epoch() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_eq!(consume(ALICE, Gpu, 200), 200);
		// Unstaking everything removes the position with its usage...
		assert_ok!(unstake(ALICE, Gpu, 100));
		// ...but rebonding does not bring back a fresh epoch's quota.
		assert_ok!(rebond(ALICE, Gpu, 100));
		assert_eq!(available(ALICE, Gpu), 0);
		assert_eq!(consume(ALICE, Gpu, 1), 0);
		assert_eq!(position(ALICE, Gpu), Some(StakeInfo { staked: 100, used: 200, epoch: 0 }));
		// The rebonded funds earn from the next epoch on.
		run_to_block(10);
		assert_eq!(available(ALICE, Gpu), 200);
	});
}

#[test]
fn rebond_keeps_the_available_quota() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_eq!(consume(ALICE, Gpu, 50), 50);
		assert_ok!(unstake(ALICE, Gpu, 50));
		assert_eq!(available(ALICE, Gpu), 50);
		assert_ok!(rebond(ALICE, Gpu, 50));
		assert_eq!(available(ALICE, Gpu), 50);
		assert_eq!(position(ALICE, Gpu), Some(StakeInfo { staked: 100, used: 150, epoch: 0 }));
	});
}

#[test]
fn rebond_zero_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(unstake(ALICE, Gpu, 50));
		assert_noop!(rebond(ALICE, Gpu, 0), Error::<Test>::ZeroAmount);
	});
}

#[test]
fn rebond_without_unbonding_funds_of_the_kind_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(rebond(ALICE, Gpu, 10), Error::<Test>::NothingToRebond);
		assert_ok!(stake(ALICE, Storage, 100));
		assert_ok!(unstake(ALICE, Storage, 50));
		assert_noop!(rebond(ALICE, Gpu, 10), Error::<Test>::NothingToRebond);
	});
}

#[test]
fn rebond_more_than_unbonding_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(stake(ALICE, Storage, 100));
		assert_ok!(unstake(ALICE, Gpu, 30));
		assert_ok!(unstake(ALICE, Storage, 50));
		assert_noop!(rebond(ALICE, Gpu, 31), Error::<Test>::InsufficientUnbonding);
		assert_noop!(rebond(ALICE, Gpu, Balance::MAX), Error::<Test>::InsufficientUnbonding);
	});
}

#[test]
fn rebond_to_a_position_below_min_stake_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(unstake(ALICE, Gpu, 100));
		assert_noop!(rebond(ALICE, Gpu, 9), Error::<Test>::BelowMinStake);
		assert_ok!(rebond(ALICE, Gpu, 10));
		assert_eq!(chunks(ALICE), vec![chunk(Gpu, 90, 21)]);
	});
}

// ---------------------------------------------------------------------------------------------
// set_quota_rate
// ---------------------------------------------------------------------------------------------

#[test]
fn set_quota_rate_works_at_once() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_eq!(consume(ALICE, Gpu, 50), 50);
		let rate = FixedU128::from_u32(3);
		assert_ok!(Quotas::set_quota_rate(RuntimeOrigin::root(), Gpu, rate));
		assert_last(Event::QuotaRateSet { kind: Gpu, rate });
		assert_eq!(QuotaRate::<Test>::get(Gpu), rate);
		assert_eq!(available(ALICE, Gpu), 250);
		// Lowering it below what was used leaves nothing this epoch.
		assert_ok!(Quotas::set_quota_rate(
			RuntimeOrigin::root(),
			Gpu,
			FixedU128::from_rational(1, 4)
		));
		assert_eq!(available(ALICE, Gpu), 0);
	});
}

#[test]
fn set_quota_rate_requires_the_dao() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Quotas::set_quota_rate(signed(ALICE), Gpu, FixedU128::from_u32(3)), BadOrigin);
		assert_noop!(
			Quotas::set_quota_rate(RuntimeOrigin::none(), Gpu, FixedU128::from_u32(3)),
			BadOrigin
		);
	});
}

// ---------------------------------------------------------------------------------------------
// Quota: epochs, consumption, arithmetic edges
// ---------------------------------------------------------------------------------------------

#[test]
fn quota_renews_in_the_next_epoch() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_eq!(consume(ALICE, Gpu, 200), 200);
		assert_eq!(available(ALICE, Gpu), 0);

		run_to_block(9);
		assert_eq!(Quotas::current_epoch(), 0);
		assert_eq!(available(ALICE, Gpu), 0);

		run_to_block(10);
		assert_eq!(Quotas::current_epoch(), 1);
		assert_eq!(available(ALICE, Gpu), 200);
		// Lazy: nothing was written yet.
		assert_eq!(position(ALICE, Gpu), Some(StakeInfo { staked: 100, used: 200, epoch: 0 }));

		assert_eq!(consume(ALICE, Gpu, 50), 50);
		assert_eq!(position(ALICE, Gpu), Some(StakeInfo { staked: 100, used: 50, epoch: 1 }));
		assert_eq!(available(ALICE, Gpu), 150);

		// Skipped epochs do not accumulate.
		run_to_block(35);
		assert_eq!(available(ALICE, Gpu), 200);
	});
}

#[test]
fn available_only_reads() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_eq!(consume(ALICE, Gpu, 200), 200);
		run_to_block(10);
		assert_storage_noop!(assert_eq!(available(ALICE, Gpu), 200));
	});
}

#[test]
fn consume_never_exceeds_available() {
	ExtBuilder::default().build_and_execute(|| {
		// Storage: half a byte-epoch per planck, so 50.
		assert_ok!(stake(ALICE, Storage, 100));
		assert_eq!(available(ALICE, Storage), 50);

		assert_eq!(consume(ALICE, Storage, 30), 30);
		assert_last(Event::QuotaConsumed { who: ALICE, kind: Storage, units: 30 });
		assert_eq!(consume(ALICE, Storage, 30), 20);
		assert_last(Event::QuotaConsumed { who: ALICE, kind: Storage, units: 20 });
		assert_eq!(available(ALICE, Storage), 0);

		assert_storage_noop!(assert_eq!(consume(ALICE, Storage, 30), 0));
		assert_eq!(consume(ALICE, Storage, u64::MAX), 0);
		assert_eq!(position(ALICE, Storage).map(|info| info.used), Some(50));
	});
}

#[test]
fn consume_zero_units_does_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		run_to_block(10);
		let events = System::events().len();
		assert_storage_noop!(assert_eq!(consume(ALICE, Gpu, 0), 0));
		assert_eq!(System::events().len(), events);
		assert_eq!(available(ALICE, Gpu), 200);
	});
}

#[test]
fn consume_without_a_position_covers_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_storage_noop!(assert_eq!(consume(NOBODY, Gpu, 10), 0));
		assert_eq!(available(NOBODY, Gpu), 0);
		assert_ok!(stake(ALICE, Storage, 100));
		assert_storage_noop!(assert_eq!(consume(ALICE, Gpu, 10), 0));
		assert_eq!(position(ALICE, Gpu), None);
	});
}

#[test]
fn zero_rate_earns_no_quota() {
	ExtBuilder::default().rates(vec![]).build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_eq!(available(ALICE, Gpu), 0);
		assert_eq!(consume(ALICE, Gpu, 10), 0);

		assert_ok!(Quotas::set_quota_rate(RuntimeOrigin::root(), Gpu, FixedU128::from_u32(1)));
		assert_eq!(available(ALICE, Gpu), 100);
		assert_ok!(Quotas::set_quota_rate(RuntimeOrigin::root(), Gpu, FixedU128::from_u32(0)));
		assert_eq!(available(ALICE, Gpu), 0);
		assert_eq!(consume(ALICE, Gpu, 10), 0);
	});
}

#[test]
fn quota_rounds_down() {
	ExtBuilder::default().build_and_execute(|| {
		// 11 × 0.5 = 5.5 → 5.
		assert_ok!(stake(ALICE, Storage, 11));
		assert_eq!(available(ALICE, Storage), 5);
		// A third is stored as 0.333…333, so 30 × it is just below 10 → 9 (rounding dust is
		// never handed out).
		let third = FixedU128::from_rational(1, 3);
		assert_ok!(Quotas::set_quota_rate(RuntimeOrigin::root(), Gpu, third));
		assert_ok!(stake(ALICE, Gpu, 30));
		assert_eq!(available(ALICE, Gpu), 9);
		assert_eq!(Quotas::epoch_quota(third, 10), 3);
		// Below one unit rounds to nothing.
		assert_eq!(Quotas::epoch_quota(FixedU128::from_rational(1, 1_000), 999), 0);
	});
}

#[test]
fn huge_rate_and_stake_saturate() {
	ExtBuilder::default()
		.balances(vec![(ALICE, Balance::MAX)])
		.rates(vec![(Gpu, FixedU128::from_inner(u128::MAX)), (Storage, gpu_rate())])
		.build_and_execute(|| {
			assert_eq!(
				Quotas::epoch_quota(FixedU128::from_inner(u128::MAX), Balance::MAX),
				u64::MAX
			);
			assert_eq!(Quotas::epoch_quota(gpu_rate(), Balance::from(u64::MAX)), u64::MAX);
			assert_eq!(Quotas::epoch_quota(gpu_rate(), Balance::from(u64::MAX / 2)), u64::MAX - 1);

			assert_ok!(stake(ALICE, Gpu, Balance::MAX / 2));
			assert_ok!(stake(ALICE, Storage, Balance::MAX / 4));
			assert_eq!(available(ALICE, Gpu), u64::MAX);
			assert_eq!(available(ALICE, Storage), u64::MAX);
			assert_eq!(consume(ALICE, Gpu, u64::MAX - 1), u64::MAX - 1);
			assert_eq!(consume(ALICE, Gpu, u64::MAX), 1);
			assert_eq!(consume(ALICE, Gpu, 1), 0);
			assert_eq!(available(ALICE, Gpu), 0);

			// Rebonding a huge amount cannot overflow the usage: the capped quota does not
			// grow, so nothing more is booked and the quota stays available.
			assert_ok!(unstake(ALICE, Storage, Balance::MAX / 8));
			assert_eq!(available(ALICE, Storage), u64::MAX);
			assert_ok!(rebond(ALICE, Storage, Balance::MAX / 8));
			assert_eq!(available(ALICE, Storage), u64::MAX);
			assert_eq!(
				position(ALICE, Storage).map(|info| (info.staked, info.used)),
				Some((Balance::MAX / 4, 0))
			);
		});
}

#[test]
fn a_shorter_epoch_index_after_a_length_change_still_renews() {
	ExtBuilder::default().build_and_execute(|| {
		run_to_block(55);
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_eq!(consume(ALICE, Gpu, 200), 200);
		assert_eq!(position(ALICE, Gpu).map(|info| info.epoch), Some(5));
		// An epoch clock whose index drops (the registry's never does): the position renews
		// rather than keeping its usage until the index catches up.
		EpochLength::set(100);
		assert_eq!(Quotas::current_epoch(), 0);
		assert_eq!(available(ALICE, Gpu), 200);
	});
}

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

fn set_params(
	unbonding_period: Option<u32>,
	min_stake: Option<Balance>,
) -> sp_runtime::DispatchResult {
	Quotas::set_params(RuntimeOrigin::root(), unbonding_period, min_stake)
}

#[test]
fn params_start_as_the_defaults_and_genesis_may_override_them() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Params::<Test>::get(), DefaultParams::get());
	});
	let short = QuotaParams { unbonding_period: 2, min_stake: 1 };
	ExtBuilder::default().params(short).build_and_execute(|| {
		assert_eq!(Params::<Test>::get(), short);
		assert_ok!(stake(ALICE, Gpu, 1));
		assert_ok!(unstake(ALICE, Gpu, 1));
		run_to_block(3);
		assert_ok!(withdraw(ALICE));
	});
}

#[test]
fn the_dao_sets_params() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(set_params(Some(5), None));
		let expected = QuotaParams { unbonding_period: 5, min_stake: MIN_STAKE };
		assert_eq!(Params::<Test>::get(), expected);
		assert_last(Event::ParamsSet { params: expected });
		assert_ok!(set_params(None, Some(50)));
		assert_eq!(Params::<Test>::get(), QuotaParams { unbonding_period: 5, min_stake: 50 });
	});
}

#[test]
fn only_the_dao_sets_params_and_only_to_change_them() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Quotas::set_params(signed(ALICE), Some(5), None), BadOrigin);
		assert_noop!(set_params(None, None), Error::<Test>::NothingToUpdate);
		assert_noop!(
			set_params(Some(UNBONDING_PERIOD), Some(MIN_STAKE)),
			Error::<Test>::NothingToUpdate
		);
	});
}

#[test]
fn a_new_unbonding_period_applies_to_new_chunks_only() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 100));
		assert_ok!(unstake(ALICE, Gpu, 50));
		assert_ok!(set_params(Some(2), None));
		run_to_block(2);
		assert_ok!(unstake(ALICE, Gpu, 50));
		assert_eq!(chunks(ALICE), vec![chunk(Gpu, 50, 1 + UNBONDING_PERIOD), chunk(Gpu, 50, 4)]);
		run_to_block(4);
		assert_ok!(withdraw(ALICE));
		assert_eq!(held(ALICE), 50);
		run_to_block(1 + UNBONDING_PERIOD);
		assert_ok!(withdraw(ALICE));
		assert_eq!(held(ALICE), 0);
	});
}

#[test]
fn a_raised_minimum_leaves_smaller_positions_a_way_out() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(stake(ALICE, Gpu, 20));
		assert_ok!(set_params(None, Some(100)));
		// Partial unstakes and small additions must reach the new minimum...
		assert_noop!(unstake(ALICE, Gpu, 5), Error::<Test>::BelowMinStake);
		assert_noop!(stake(ALICE, Gpu, 5), Error::<Test>::BelowMinStake);
		assert_ok!(stake(ALICE, Gpu, 80));
		// ...and a whole position can always leave.
		assert_ok!(unstake(ALICE, Gpu, 100));
		run_to_block(1 + UNBONDING_PERIOD);
		assert_ok!(withdraw(ALICE));
		assert_eq!(free(ALICE), INITIAL_BALANCE);
	});
}

// ---------------------------------------------------------------------------------------------
// Conservation and random sequences
// ---------------------------------------------------------------------------------------------

#[test]
fn total_issuance_is_conserved() {
	ExtBuilder::default().build_and_execute(|| {
		let issuance = total_issuance();
		let check = || {
			assert_eq!(total_issuance(), issuance);
			for who in [ALICE, BOB] {
				assert_eq!(free(who) + held(who), INITIAL_BALANCE);
			}
		};

		assert_ok!(stake(ALICE, Gpu, 300));
		assert_ok!(stake(BOB, Storage, 500));
		check();
		assert_eq!(consume(ALICE, Gpu, 100), 100);
		check();
		assert_ok!(unstake(ALICE, Gpu, 200));
		assert_ok!(unstake(BOB, Storage, 500));
		check();
		assert_ok!(rebond(BOB, Storage, 100));
		check();
		run_to_block(30);
		assert_ok!(withdraw(ALICE));
		assert_ok!(withdraw(BOB));
		check();
		assert_eq!(held(ALICE), 100);
		assert_eq!(held(BOB), 100);
	});
}

/// A deterministic linear congruential generator (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
	fn below(&mut self, bound: u64) -> u64 {
		self.0 =
			self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
		(self.0 >> 33) % bound
	}
}

#[test]
fn random_operation_sequences_keep_the_invariants() {
	let accounts = [ALICE, BOB, CHARLIE];
	let kinds = [Gpu, Storage];
	for seed in 0..40 {
		ExtBuilder::default().build_and_execute(|| {
			let mut rng = Lcg(seed);
			let issuance = total_issuance();
			let mut block = 1;

			for _ in 0..250 {
				let who = accounts[rng.below(3) as usize];
				let kind = kinds[rng.below(2) as usize];
				let amount = Balance::from(rng.below(150));
				match rng.below(8) {
					0 | 1 => {
						let _ = stake(who, kind, amount);
					}
					2 => {
						let _ = unstake(who, kind, amount);
					}
					3 => {
						let _ = withdraw(who);
					}
					4 => {
						let _ = rebond(who, kind, amount);
					}
					5 => {
						let before = available(who, kind);
						let units = rng.below(400);
						let covered = consume(who, kind, units);
						assert!(covered <= units && covered <= before);
						assert_eq!(available(who, kind), before - covered);
					}
					6 => {
						block += 1 + rng.below(12) as u32;
						run_to_block(block);
					}
					_ => {
						let rate = FixedU128::from_rational(rng.below(5).into(), 2);
						assert_ok!(Quotas::set_quota_rate(RuntimeOrigin::root(), kind, rate));
					}
				}

				Quotas::do_try_state().unwrap();
				assert_eq!(total_issuance(), issuance);
				for who in accounts {
					assert_eq!(free(who) + held(who), INITIAL_BALANCE);
				}
				for (_, _, info) in Stakes::<Test>::iter() {
					assert!(info.staked >= MIN_STAKE);
				}
			}

			// Nothing gets stuck: withdraw what matured, unstake everything, wait, withdraw.
			block += UNBONDING_PERIOD;
			run_to_block(block);
			for who in accounts {
				if Unbonding::<Test>::contains_key(who) {
					assert_ok!(withdraw(who));
				}
				for kind in kinds {
					if let Some(info) = position(who, kind) {
						assert_ok!(unstake(who, kind, info.staked));
					}
				}
			}
			run_to_block(block + UNBONDING_PERIOD);
			for who in accounts {
				if Unbonding::<Test>::contains_key(who) {
					assert_ok!(withdraw(who));
				}
				assert_eq!(held(who), 0);
				assert_eq!(free(who), INITIAL_BALANCE);
			}
			assert_eq!(Stakes::<Test>::iter().count(), 0);
			assert_eq!(Unbonding::<Test>::iter().count(), 0);
		});
	}
}
