//! Unit tests of the billing pallet.

use crate::{mock::*, Error, Event, HoldReason, Prices, ProtocolFee, UsageRecord, UsageRecords};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{InspectHold, Mutate},
		LockableCurrency, WithdrawReasons,
	},
};
use ocos_primitives::{Billing as _, GpuClass, Resource, ResourceKind, Settlement, Usage};
use sp_runtime::{DispatchError, Permill};

/// The customer's budget on hold.
fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::Budget.into(), &who)
}

fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}

fn usage(entries: &[(AccountId, u64)]) -> Vec<Usage<AccountId>> {
	entries.iter().map(|&(provider, units)| Usage { provider, units }).collect()
}

fn hold(who: AccountId, amount: Balance) {
	assert_ok!(Billing::hold_budget(&who, amount));
}

fn gpu_quota(who: AccountId) -> u64 {
	<MockQuotas as ocos_primitives::Quotas<AccountId>>::available(&who, ResourceKind::Gpu)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Billing(event) => Some(event),
			_ => None,
		})
		.collect()
}

// ---------------------------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------------------------

#[test]
fn genesis_sets_prices_and_fee() {
	ExtBuilder::default()
		.prices(vec![(GPU, 7), (UNPRICED, 1)])
		.protocol_fee(Permill::from_percent(3))
		.build_and_execute(|| {
			assert_eq!(Prices::<Test>::get(GPU), Some(7));
			assert_eq!(Prices::<Test>::get(UNPRICED), Some(1));
			assert_eq!(Prices::<Test>::get(Resource::GpuMillis(GpuClass::Entry)), None);
			assert_eq!(ProtocolFee::<Test>::get(), Permill::from_percent(3));
		});
}

#[test]
#[should_panic(expected = "priced twice")]
fn genesis_rejects_duplicate_prices() {
	ExtBuilder::default().prices(vec![(GPU, 7), (GPU, 8)]).build();
}

#[test]
fn genesis_price_table_serde_round_trip() {
	ExtBuilder::default().build_and_execute(|| {
		let config = crate::GenesisConfig::<Test> {
			prices: vec![(Resource::GpuMillis(GpuClass::HighEnd), 1_000), (UNPRICED, 1)],
			protocol_fee: Permill::from_percent(5),
		};
		let json = serde_json::to_value(&config).unwrap();
		assert_eq!(
			json,
			serde_json::json!({
				"prices": [[{ "GpuMillis": "HighEnd" }, 1_000], ["StorageByteEpoch", 1]],
				"protocolFee": 50_000,
			})
		);
		let back: crate::GenesisConfig<Test> = serde_json::from_value(json).unwrap();
		assert_eq!(back.prices, config.prices);
		assert_eq!(back.protocol_fee, config.protocol_fee);
	});
}

#[test]
fn set_price_works() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Billing::set_price(RuntimeOrigin::root(), UNPRICED, 5));
		assert_eq!(Prices::<Test>::get(UNPRICED), Some(5));
		System::assert_last_event(Event::PriceSet { resource: UNPRICED, price: 5 }.into());

		// Overwrites, and zero is a valid (free) price.
		assert_ok!(Billing::set_price(RuntimeOrigin::root(), GPU, 0));
		assert_eq!(Prices::<Test>::get(GPU), Some(0));
		System::assert_last_event(Event::PriceSet { resource: GPU, price: 0 }.into());
	});
}

#[test]
fn set_price_requires_dao() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Billing::set_price(RuntimeOrigin::signed(CUSTOMER), UNPRICED, 5),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn remove_price_works() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Billing::remove_price(RuntimeOrigin::root(), GPU));
		assert_eq!(Prices::<Test>::get(GPU), None);
		System::assert_last_event(Event::PriceRemoved { resource: GPU }.into());

		// An unpriced resource can no longer be settled.
		hold(CUSTOMER, 100);
		assert_noop!(
			Billing::settle(&CUSTOMER, 100, GPU, &usage(&[(PROVIDER_A, 1)])),
			Error::<Test>::NoPrice
		);
	});
}

#[test]
fn remove_price_fails_when_unpriced() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Billing::remove_price(RuntimeOrigin::root(), UNPRICED),
			Error::<Test>::NoPrice
		);
	});
}

#[test]
fn remove_price_requires_dao() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Billing::remove_price(RuntimeOrigin::signed(CUSTOMER), GPU),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn set_protocol_fee_works_up_to_the_maximum() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Billing::set_protocol_fee(RuntimeOrigin::root(), Permill::from_percent(50)));
		assert_eq!(ProtocolFee::<Test>::get(), Permill::from_percent(50));
		System::assert_last_event(Event::ProtocolFeeSet { fee: Permill::from_percent(50) }.into());

		assert_ok!(Billing::set_protocol_fee(RuntimeOrigin::root(), Permill::zero()));
		assert_eq!(ProtocolFee::<Test>::get(), Permill::zero());
	});
}

#[test]
fn set_protocol_fee_rejects_fee_above_maximum() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Billing::set_protocol_fee(RuntimeOrigin::root(), Permill::from_parts(500_001)),
			Error::<Test>::FeeTooHigh
		);
		assert_noop!(
			Billing::set_protocol_fee(RuntimeOrigin::root(), Permill::one()),
			Error::<Test>::FeeTooHigh
		);
	});
}

#[test]
fn set_protocol_fee_requires_dao() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Billing::set_protocol_fee(RuntimeOrigin::signed(CUSTOMER), Permill::zero()),
			DispatchError::BadOrigin
		);
	});
}

// ---------------------------------------------------------------------------------------------
// Budgets
// ---------------------------------------------------------------------------------------------

#[test]
fn hold_budget_works() {
	ExtBuilder::default().build_and_execute(|| {
		hold(CUSTOMER, 1_000);
		assert_eq!(held(CUSTOMER), 1_000);
		assert_eq!(free(CUSTOMER), CUSTOMER_BALANCE - 1_000);
		System::assert_last_event(Event::BudgetHeld { customer: CUSTOMER, amount: 1_000 }.into());

		// Budgets of several orders add up under the one hold reason.
		hold(CUSTOMER, 500);
		assert_eq!(held(CUSTOMER), 1_500);
	});
}

#[test]
fn hold_budget_rejects_zero() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Billing::hold_budget(&CUSTOMER, 0), Error::<Test>::ZeroBudget);
	});
}

#[test]
fn hold_budget_rejects_insufficient_balance() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Billing::hold_budget(&CUSTOMER, CUSTOMER_BALANCE + 1),
			Error::<Test>::InsufficientBalance
		);
		// The account must stay alive: everything but the existential deposit can be held.
		assert_noop!(
			Billing::hold_budget(&CUSTOMER, CUSTOMER_BALANCE),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(Billing::hold_budget(&NEW_PROVIDER, 1), Error::<Test>::InsufficientBalance);
		hold(CUSTOMER, CUSTOMER_BALANCE - ED);
		assert_eq!(free(CUSTOMER), ED);
	});
}

#[test]
fn refund_releases_the_budget() {
	ExtBuilder::default().build_and_execute(|| {
		hold(CUSTOMER, 1_000);
		assert_ok!(Billing::refund(&CUSTOMER, 400));
		assert_eq!(held(CUSTOMER), 600);
		assert_eq!(free(CUSTOMER), CUSTOMER_BALANCE - 600);
		System::assert_last_event(Event::BudgetReleased { customer: CUSTOMER, amount: 400 }.into());

		assert_ok!(Billing::refund(&CUSTOMER, 600));
		assert_eq!(held(CUSTOMER), 0);
		assert_eq!(free(CUSTOMER), CUSTOMER_BALANCE);
	});
}

#[test]
fn refund_rejects_more_than_held() {
	ExtBuilder::default().build_and_execute(|| {
		hold(CUSTOMER, 1_000);
		assert_noop!(Billing::refund(&CUSTOMER, 1_001), Error::<Test>::InsufficientHeld);
		assert_noop!(Billing::refund(&OTHER_CUSTOMER, 1), Error::<Test>::InsufficientHeld);
	});
}

#[test]
fn refund_of_zero_is_a_no_op() {
	ExtBuilder::default().build_and_execute(|| {
		hold(CUSTOMER, 1_000);
		let before = System::events().len();
		assert_ok!(Billing::refund(&CUSTOMER, 0));
		assert_eq!(held(CUSTOMER), 1_000);
		assert_eq!(System::events().len(), before);
	});
}

// ---------------------------------------------------------------------------------------------
// Estimates
// ---------------------------------------------------------------------------------------------

#[test]
fn estimates() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Billing::estimate_cost(GPU, 7), Some(70));
		assert_eq!(Billing::estimate(GPU, 7), 70);
		assert_eq!(Billing::estimate_cost(GPU, 0), Some(0));

		// Unpriced: `None` from the precise helper, 0 from the trait.
		assert_eq!(Billing::estimate_cost(UNPRICED, 7), None);
		assert_eq!(Billing::estimate(UNPRICED, 7), 0);

		// Quotas are not applied.
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 1_000);
		assert_eq!(Billing::estimate(GPU, 7), 70);

		// Overflow: `None` from the helper, saturated by the trait.
		assert_ok!(Billing::set_price(RuntimeOrigin::root(), GPU, u128::MAX));
		assert_eq!(Billing::estimate_cost(GPU, 1), Some(u128::MAX));
		assert_eq!(Billing::estimate_cost(GPU, 2), None);
		assert_eq!(Billing::estimate(GPU, 2), u128::MAX);
		assert_eq!(Billing::estimate(GPU, u64::MAX), u128::MAX);
	});
}

// ---------------------------------------------------------------------------------------------
// Settlement
// ---------------------------------------------------------------------------------------------

#[test]
fn settle_without_quota() {
	ExtBuilder::default().build_and_execute(|| {
		hold(CUSTOMER, 1_000);
		// 50 units at 10 = 500; fee 10% = 50; 450 split 30:20.
		let settlement =
			Billing::settle(&CUSTOMER, 1_000, GPU, &usage(&[(PROVIDER_A, 30), (PROVIDER_B, 20)]))
				.unwrap();
		assert_eq!(settlement, Settlement { quota_units: 0, charged: 500, fee: 50, released: 500 });
		assert_eq!(held(CUSTOMER), 0);
		assert_eq!(free(CUSTOMER), CUSTOMER_BALANCE - 500);
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 270);
		assert_eq!(free(PROVIDER_B), PROVIDER_BALANCE + 180);
		assert_eq!(free(TREASURY), 1_000 + 50);

		assert_eq!(
			events(),
			vec![
				Event::BudgetHeld { customer: CUSTOMER, amount: 1_000 },
				Event::ProviderPaid { provider: PROVIDER_A, amount: 270 },
				Event::ProviderPaid { provider: PROVIDER_B, amount: 180 },
				Event::BudgetReleased { customer: CUSTOMER, amount: 500 },
				Event::Charged {
					customer: CUSTOMER,
					resource: GPU,
					units: 50,
					quota_units: 0,
					charged: 500,
					fee: 50,
				},
			]
		);
		assert_eq!(
			UsageRecords::<Test>::get(CUSTOMER).into_inner(),
			vec![UsageRecord {
				block: 1,
				resource: GPU,
				units: 50,
				quota_units: 0,
				charged: 500,
				fee: 50
			}]
		);
	});
}

#[test]
fn settle_with_full_quota() {
	ExtBuilder::default().build_and_execute(|| {
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 1_000);
		hold(CUSTOMER, 1_000);
		// The treasury (1000, ED 10) can fund 99 units; all 50 are covered, worth 500, paid by
		// the treasury; nothing is charged to the budget.
		let settlement =
			Billing::settle(&CUSTOMER, 1_000, GPU, &usage(&[(PROVIDER_A, 30), (PROVIDER_B, 20)]))
				.unwrap();
		assert_eq!(settlement, Settlement { quota_units: 50, charged: 0, fee: 0, released: 1_000 });
		assert_eq!(gpu_quota(CUSTOMER), 950);
		assert_eq!(held(CUSTOMER), 0);
		assert_eq!(free(CUSTOMER), CUSTOMER_BALANCE);
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 300);
		assert_eq!(free(PROVIDER_B), PROVIDER_BALANCE + 200);
		assert_eq!(free(TREASURY), 1_000 - 500);

		System::assert_has_event(Event::ProviderPaid { provider: PROVIDER_A, amount: 300 }.into());
		System::assert_has_event(Event::ProviderPaid { provider: PROVIDER_B, amount: 200 }.into());
		System::assert_has_event(
			Event::QuotaSubsidised { customer: CUSTOMER, units: 50, amount: 500 }.into(),
		);
		System::assert_has_event(
			Event::BudgetReleased { customer: CUSTOMER, amount: 1_000 }.into(),
		);
		System::assert_last_event(
			Event::Charged {
				customer: CUSTOMER,
				resource: GPU,
				units: 50,
				quota_units: 50,
				charged: 0,
				fee: 0,
			}
			.into(),
		);
	});
}

#[test]
fn settle_with_partial_quota() {
	ExtBuilder::default().build_and_execute(|| {
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 20);
		hold(CUSTOMER, 1_000);
		// 20 units covered (200 from the treasury), 30 charged: 300, fee 30, 270 to providers.
		// A (30 of 50 units): 162 + 120; B (20 of 50): 108 + 80.
		let settlement =
			Billing::settle(&CUSTOMER, 1_000, GPU, &usage(&[(PROVIDER_A, 30), (PROVIDER_B, 20)]))
				.unwrap();
		assert_eq!(
			settlement,
			Settlement { quota_units: 20, charged: 300, fee: 30, released: 700 }
		);
		assert_eq!(gpu_quota(CUSTOMER), 0);
		assert_eq!(free(CUSTOMER), CUSTOMER_BALANCE - 300);
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 282);
		assert_eq!(free(PROVIDER_B), PROVIDER_BALANCE + 188);
		assert_eq!(free(TREASURY), 1_000 - 200 + 30);
		System::assert_has_event(
			Event::QuotaSubsidised { customer: CUSTOMER, units: 20, amount: 200 }.into(),
		);
	});
}

#[test]
fn quota_is_limited_by_what_the_treasury_can_fund() {
	ExtBuilder::default().treasury(300).build_and_execute(|| {
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 1_000);
		hold(CUSTOMER, 1_000);
		// Spare treasury balance 290 funds 29 units; 21 are charged: 210, fee 21.
		let settlement =
			Billing::settle(&CUSTOMER, 1_000, GPU, &usage(&[(PROVIDER_A, 50)])).unwrap();
		assert_eq!(
			settlement,
			Settlement { quota_units: 29, charged: 210, fee: 21, released: 790 }
		);
		assert_eq!(gpu_quota(CUSTOMER), 971);
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 189 + 290);
		// The treasury is kept alive: it pays 290, keeps its existential deposit, gets the fee.
		assert_eq!(free(TREASURY), 300 - 290 + 21);
	});
}

#[test]
fn quota_is_untouched_when_the_treasury_cannot_fund_any() {
	ExtBuilder::default().treasury(0).build_and_execute(|| {
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 1_000);
		hold(CUSTOMER, 1_000);
		let settlement =
			Billing::settle(&CUSTOMER, 1_000, GPU, &usage(&[(PROVIDER_A, 50)])).unwrap();
		assert_eq!(settlement, Settlement { quota_units: 0, charged: 500, fee: 50, released: 500 });
		assert_eq!(gpu_quota(CUSTOMER), 1_000);
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 450);
		// The fee (at least the existential deposit) creates the treasury account.
		assert_eq!(free(TREASURY), 50);
	});
}

#[test]
fn quota_of_another_kind_does_not_apply() {
	ExtBuilder::default().build_and_execute(|| {
		MockQuotas::set(CUSTOMER, ResourceKind::Storage, 1_000);
		hold(CUSTOMER, 1_000);
		let settlement =
			Billing::settle(&CUSTOMER, 1_000, GPU, &usage(&[(PROVIDER_A, 50)])).unwrap();
		assert_eq!(settlement.quota_units, 0);
		assert_eq!(settlement.charged, 500);
	});
}

#[test]
fn charge_is_capped_by_the_budget() {
	ExtBuilder::default().build_and_execute(|| {
		hold(CUSTOMER, 300);
		// Worth 500, but only 300 were budgeted: fee 30, provider 270, nothing released.
		let settlement = Billing::settle(&CUSTOMER, 300, GPU, &usage(&[(PROVIDER_A, 50)])).unwrap();
		assert_eq!(settlement, Settlement { quota_units: 0, charged: 300, fee: 30, released: 0 });
		assert_eq!(held(CUSTOMER), 0);
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 270);
		assert_eq!(free(TREASURY), 1_000 + 30);
		assert!(!events().iter().any(|event| matches!(event, Event::BudgetReleased { .. })));
	});
}

#[test]
fn settle_of_zero_units_releases_everything() {
	ExtBuilder::default().build_and_execute(|| {
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 10);
		hold(CUSTOMER, 1_000);
		let settlement =
			Billing::settle(&CUSTOMER, 1_000, GPU, &usage(&[(PROVIDER_A, 0)])).unwrap();
		assert_eq!(settlement, Settlement { quota_units: 0, charged: 0, fee: 0, released: 1_000 });
		assert_eq!(gpu_quota(CUSTOMER), 10);
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE);
		assert!(!events().iter().any(|event| matches!(event, Event::ProviderPaid { .. })));

		hold(CUSTOMER, 1_000);
		let settlement = Billing::settle(&CUSTOMER, 1_000, GPU, &[]).unwrap();
		assert_eq!(settlement, Settlement { quota_units: 0, charged: 0, fee: 0, released: 1_000 });
		assert_eq!(free(CUSTOMER), CUSTOMER_BALANCE);
		assert_eq!(UsageRecords::<Test>::get(CUSTOMER).len(), 2);
	});
}

#[test]
fn settle_with_zero_budget_pays_only_quota() {
	ExtBuilder::default().build_and_execute(|| {
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 5);
		let settlement = Billing::settle(&CUSTOMER, 0, GPU, &usage(&[(PROVIDER_A, 50)])).unwrap();
		assert_eq!(settlement, Settlement { quota_units: 5, charged: 0, fee: 0, released: 0 });
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 50);
		assert_eq!(free(CUSTOMER), CUSTOMER_BALANCE);
	});
}

#[test]
fn free_resource_consumes_quota_and_charges_nothing() {
	ExtBuilder::default().prices(vec![(GPU, 0)]).build_and_execute(|| {
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 10);
		hold(CUSTOMER, 100);
		let settlement = Billing::settle(&CUSTOMER, 100, GPU, &usage(&[(PROVIDER_A, 25)])).unwrap();
		assert_eq!(settlement, Settlement { quota_units: 10, charged: 0, fee: 0, released: 100 });
		assert_eq!(gpu_quota(CUSTOMER), 0);
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE);
		assert_eq!(free(TREASURY), 1_000);
	});
}

#[test]
fn settle_with_one_provider() {
	ExtBuilder::default().build_and_execute(|| {
		hold(CUSTOMER, 100);
		let settlement = Billing::settle(&CUSTOMER, 100, GPU, &usage(&[(PROVIDER_A, 3)])).unwrap();
		// 30, fee 3.
		assert_eq!(settlement, Settlement { quota_units: 0, charged: 30, fee: 3, released: 70 });
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 27);
		assert_eq!(free(TREASURY), 1_000 + 3);
	});
}

#[test]
fn settle_with_max_providers_and_merged_entries() {
	ExtBuilder::default().build_and_execute(|| {
		hold(CUSTOMER, 1_000);
		// Four entries (the maximum), A twice: A 40 units, B 10. 500, fee 50, 450 split 4:1.
		let settlement = Billing::settle(
			&CUSTOMER,
			1_000,
			GPU,
			&usage(&[(PROVIDER_A, 10), (PROVIDER_B, 10), (PROVIDER_A, 30), (PROVIDER_C, 0)]),
		)
		.unwrap();
		assert_eq!(settlement.charged, 500);
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 360);
		assert_eq!(free(PROVIDER_B), PROVIDER_BALANCE + 90);
		assert_eq!(free(PROVIDER_C), PROVIDER_BALANCE);
		let paid: Vec<_> = events()
			.into_iter()
			.filter(|event| matches!(event, Event::ProviderPaid { .. }))
			.collect();
		assert_eq!(
			paid,
			vec![
				Event::ProviderPaid { provider: PROVIDER_A, amount: 360 },
				Event::ProviderPaid { provider: PROVIDER_B, amount: 90 },
			]
		);
	});
}

#[test]
fn rounding_dust_goes_to_the_treasury() {
	ExtBuilder::default().prices(vec![(GPU, 7)]).build_and_execute(|| {
		hold(CUSTOMER, 100);
		// 3 units at 7 = 21; fee floor(2.1) = 2; 19 among three providers: 6 each, dust 1.
		let settlement = Billing::settle(
			&CUSTOMER,
			100,
			GPU,
			&usage(&[(PROVIDER_A, 1), (PROVIDER_B, 1), (PROVIDER_C, 1)]),
		)
		.unwrap();
		assert_eq!(settlement, Settlement { quota_units: 0, charged: 21, fee: 2, released: 79 });
		for provider in [PROVIDER_A, PROVIDER_B, PROVIDER_C] {
			assert_eq!(free(provider), PROVIDER_BALANCE + 6);
		}
		assert_eq!(free(TREASURY), 1_000 + 2 + 1);
		System::assert_has_event(Event::DustCollected { amount: 1 }.into());
	});
}

#[test]
fn quota_rounding_dust_stays_in_the_treasury() {
	ExtBuilder::default().prices(vec![(GPU, 7)]).build_and_execute(|| {
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 2);
		hold(CUSTOMER, 100);
		// 2 of 3 units covered: the treasury owes 14, split 3 ways: 4 each (2 stay). 1 unit
		// charged: 7, fee 0 (floor 0.7), 7 split 3 ways: 2 each, dust 1.
		let settlement = Billing::settle(
			&CUSTOMER,
			100,
			GPU,
			&usage(&[(PROVIDER_A, 1), (PROVIDER_B, 1), (PROVIDER_C, 1)]),
		)
		.unwrap();
		assert_eq!(settlement, Settlement { quota_units: 2, charged: 7, fee: 0, released: 93 });
		for provider in [PROVIDER_A, PROVIDER_B, PROVIDER_C] {
			assert_eq!(free(provider), PROVIDER_BALANCE + 4 + 2);
		}
		assert_eq!(free(TREASURY), 1_000 - 12 + 1);
		System::assert_has_event(
			Event::QuotaSubsidised { customer: CUSTOMER, units: 2, amount: 12 }.into(),
		);
		System::assert_has_event(Event::DustCollected { amount: 1 }.into());
	});
}

#[test]
fn zero_protocol_fee() {
	ExtBuilder::default().protocol_fee(Permill::zero()).build_and_execute(|| {
		hold(CUSTOMER, 100);
		let settlement =
			Billing::settle(&CUSTOMER, 100, GPU, &usage(&[(PROVIDER_A, 1), (PROVIDER_B, 2)]))
				.unwrap();
		assert_eq!(settlement, Settlement { quota_units: 0, charged: 30, fee: 0, released: 70 });
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 10);
		assert_eq!(free(PROVIDER_B), PROVIDER_BALANCE + 20);
		assert_eq!(free(TREASURY), 1_000);
	});
}

#[test]
fn full_protocol_fee() {
	ExtBuilder::default().protocol_fee(Permill::one()).build_and_execute(|| {
		hold(CUSTOMER, 100);
		let settlement =
			Billing::settle(&CUSTOMER, 100, GPU, &usage(&[(PROVIDER_A, 1), (PROVIDER_B, 2)]))
				.unwrap();
		assert_eq!(settlement, Settlement { quota_units: 0, charged: 30, fee: 30, released: 70 });
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE);
		assert_eq!(free(PROVIDER_B), PROVIDER_BALANCE);
		assert_eq!(free(TREASURY), 1_000 + 30);
		assert!(!events().iter().any(|event| matches!(event, Event::ProviderPaid { .. })));
	});
}

#[test]
fn odd_protocol_fee_rounds_down() {
	ExtBuilder::default().protocol_fee(Permill::from_parts(333_333)).build_and_execute(|| {
		hold(CUSTOMER, 100);
		// 30 × 0.333333 = 9.99999: fee 9, provider 21.
		let settlement = Billing::settle(&CUSTOMER, 100, GPU, &usage(&[(PROVIDER_A, 3)])).unwrap();
		assert_eq!(settlement, Settlement { quota_units: 0, charged: 30, fee: 9, released: 70 });
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 21);
		assert_eq!(free(TREASURY), 1_000 + 9);
	});
}

#[test]
fn provider_below_existential_deposit_is_diverted_to_the_treasury() {
	ExtBuilder::default().prices(vec![(GPU, 1)]).protocol_fee(Permill::zero()).build_and_execute(
		|| {
			hold(CUSTOMER, 100);
			// The new provider's 5 cannot open its account (ED 10): they go to the treasury;
			// the settlement goes through.
			let settlement = Billing::settle(
				&CUSTOMER,
				100,
				GPU,
				&usage(&[(NEW_PROVIDER, 5), (PROVIDER_A, 95)]),
			)
			.unwrap();
			assert_eq!(
				settlement,
				Settlement { quota_units: 0, charged: 100, fee: 0, released: 0 }
			);
			assert!(!System::account_exists(&NEW_PROVIDER));
			assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 95);
			assert_eq!(free(TREASURY), 1_000 + 5);
			System::assert_has_event(
				Event::ProviderPaymentDiverted { provider: NEW_PROVIDER, amount: 5 }.into(),
			);
			System::assert_has_event(Event::DustCollected { amount: 5 }.into());
		},
	);
}

#[test]
fn new_provider_receiving_the_existential_deposit_is_paid() {
	ExtBuilder::default().prices(vec![(GPU, 1)]).protocol_fee(Permill::zero()).build_and_execute(
		|| {
			hold(CUSTOMER, 100);
			// 10 units at 1: exactly the existential deposit.
			assert_ok!(Billing::settle(&CUSTOMER, 100, GPU, &usage(&[(NEW_PROVIDER, 10)])));
			assert_eq!(free(NEW_PROVIDER), ED);
			System::assert_has_event(
				Event::ProviderPaid { provider: NEW_PROVIDER, amount: ED }.into(),
			);
		},
	);
}

#[test]
fn provider_paid_through_the_treasury_when_only_the_whole_pay_reaches_the_deposit() {
	ExtBuilder::default().prices(vec![(GPU, 1)]).protocol_fee(Permill::zero()).build_and_execute(
		|| {
			MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 12);
			hold(CUSTOMER, 100);
			// 12 of 20 units covered (12 from the treasury), 8 charged: 8 alone cannot open the
			// provider's account, 20 can. The budget's 8 go to the treasury, which pays 20.
			let settlement =
				Billing::settle(&CUSTOMER, 100, GPU, &usage(&[(NEW_PROVIDER, 20)])).unwrap();
			assert_eq!(
				settlement,
				Settlement { quota_units: 12, charged: 8, fee: 0, released: 92 }
			);
			assert_eq!(free(NEW_PROVIDER), 20);
			assert_eq!(free(TREASURY), 1_000 + 8 - 20);
			assert_eq!(free(CUSTOMER), CUSTOMER_BALANCE - 8);
			System::assert_has_event(
				Event::ProviderPaid { provider: NEW_PROVIDER, amount: 20 }.into(),
			);
			System::assert_has_event(
				Event::QuotaSubsidised { customer: CUSTOMER, units: 12, amount: 12 }.into(),
			);
			assert!(!events().iter().any(|event| matches!(event, Event::DustCollected { .. })));
		},
	);
}

#[test]
fn diverted_provider_quota_part_stays_in_the_treasury() {
	ExtBuilder::default().prices(vec![(GPU, 1)]).protocol_fee(Permill::zero()).build_and_execute(
		|| {
			MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 3);
			hold(CUSTOMER, 100);
			// 3 covered + 3 charged = 6 < ED: nothing reaches the provider.
			let settlement =
				Billing::settle(&CUSTOMER, 100, GPU, &usage(&[(NEW_PROVIDER, 6)])).unwrap();
			assert_eq!(settlement, Settlement { quota_units: 3, charged: 3, fee: 0, released: 97 });
			assert!(!System::account_exists(&NEW_PROVIDER));
			assert_eq!(free(TREASURY), 1_000 + 3);
			System::assert_has_event(
				Event::ProviderPaymentDiverted { provider: NEW_PROVIDER, amount: 6 }.into(),
			);
			System::assert_has_event(
				Event::QuotaSubsidised { customer: CUSTOMER, units: 3, amount: 0 }.into(),
			);
		},
	);
}

#[test]
fn treasury_share_below_its_deposit_is_not_charged() {
	ExtBuilder::default().treasury(0).prices(vec![(GPU, 1)]).build_and_execute(|| {
		hold(CUSTOMER, 100);
		// 50, fee 5: the treasury account does not exist and 5 cannot open it, so the fee
		// stays with the customer; the provider gets its 45.
		let settlement = Billing::settle(&CUSTOMER, 100, GPU, &usage(&[(PROVIDER_A, 50)])).unwrap();
		assert_eq!(settlement, Settlement { quota_units: 0, charged: 45, fee: 0, released: 55 });
		assert!(!System::account_exists(&TREASURY));
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 45);
		assert_eq!(free(CUSTOMER), CUSTOMER_BALANCE - 45);
		System::assert_last_event(
			Event::Charged {
				customer: CUSTOMER,
				resource: GPU,
				units: 50,
				quota_units: 0,
				charged: 45,
				fee: 0,
			}
			.into(),
		);
	});
}

#[test]
fn provider_may_be_the_customer_or_the_treasury() {
	ExtBuilder::default().build_and_execute(|| {
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 2);
		hold(CUSTOMER, 1_000);
		// 10 units: 2 covered (20 from the treasury), 8 charged: 80, fee 8, 72 split 1:1.
		let settlement =
			Billing::settle(&CUSTOMER, 1_000, GPU, &usage(&[(CUSTOMER, 5), (TREASURY, 5)]))
				.unwrap();
		assert_eq!(settlement, Settlement { quota_units: 2, charged: 80, fee: 8, released: 920 });
		// The customer pays 80 and earns 36 + 10.
		assert_eq!(free(CUSTOMER), CUSTOMER_BALANCE - 80 + 46);
		// The treasury pays the customer 10, pays itself 10, gets 8 + its own 36.
		assert_eq!(free(TREASURY), 1_000 - 10 + 8 + 36);
		assert_eq!(held(CUSTOMER), 0);
	});
}

#[test]
fn huge_price_overflow_is_capped_by_the_budget() {
	ExtBuilder::default().prices(vec![(GPU, u128::MAX)]).build_and_execute(|| {
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 5);
		hold(CUSTOMER, 1_000);
		// 2 × u128::MAX overflows: the cost exceeds any budget, so the whole budget is
		// charged. The treasury cannot fund a single unit, so no quota is used.
		let settlement =
			Billing::settle(&CUSTOMER, 1_000, GPU, &usage(&[(PROVIDER_A, 2)])).unwrap();
		assert_eq!(
			settlement,
			Settlement { quota_units: 0, charged: 1_000, fee: 100, released: 0 }
		);
		assert_eq!(gpu_quota(CUSTOMER), 5);
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + 900);
		assert_eq!(free(TREASURY), 1_000 + 100);
	});
}

#[test]
fn large_amounts_split_exactly() {
	ExtBuilder::default()
		.prices(vec![(GPU, 1_000_000)])
		.protocol_fee(Permill::zero())
		.build_and_execute(|| {
			<Balances as Mutate<AccountId>>::set_balance(&CUSTOMER, 10u128.pow(30));
			hold(CUSTOMER, 10u128.pow(28));
			// Σ units = u64::MAX; pool × units needs more than 128 bits.
			let half = u64::MAX / 2;
			let settlement = Billing::settle(
				&CUSTOMER,
				10u128.pow(28),
				GPU,
				&usage(&[(PROVIDER_A, half), (PROVIDER_B, half + 1)]),
			)
			.unwrap();
			let cost = u128::from(u64::MAX) * 1_000_000;
			assert_eq!(settlement.charged, cost);
			assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE + u128::from(half) * 1_000_000);
			assert_eq!(free(PROVIDER_B), PROVIDER_BALANCE + u128::from(half + 1) * 1_000_000);
			assert_eq!(free(TREASURY), 1_000);
		});
}

#[test]
fn settle_rejects_unit_overflow() {
	ExtBuilder::default().build_and_execute(|| {
		hold(CUSTOMER, 1_000);
		assert_noop!(
			Billing::settle(
				&CUSTOMER,
				1_000,
				GPU,
				&usage(&[(PROVIDER_A, u64::MAX), (PROVIDER_B, 1)])
			),
			Error::<Test>::UnitsOverflow
		);
	});
}

#[test]
fn settle_rejects_too_many_providers() {
	ExtBuilder::default().build_and_execute(|| {
		hold(CUSTOMER, 1_000);
		let entries = usage(&[
			(PROVIDER_A, 1),
			(PROVIDER_B, 1),
			(PROVIDER_C, 1),
			(NEW_PROVIDER, 1),
			(NEW_PROVIDER_2, 1),
		]);
		assert_noop!(
			Billing::settle(&CUSTOMER, 1_000, GPU, &entries),
			Error::<Test>::TooManyProviders
		);
	});
}

#[test]
fn settle_rejects_unpriced_resource() {
	ExtBuilder::default().build_and_execute(|| {
		hold(CUSTOMER, 1_000);
		assert_noop!(
			Billing::settle(&CUSTOMER, 1_000, UNPRICED, &usage(&[(PROVIDER_A, 1)])),
			Error::<Test>::NoPrice
		);
	});
}

#[test]
fn settle_rejects_more_than_held_and_moves_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 10);
		hold(CUSTOMER, 100);
		let issuance = Balances::total_issuance();
		let events_before = System::events().len();
		assert_noop!(
			Billing::settle(&CUSTOMER, 101, GPU, &usage(&[(PROVIDER_A, 50)])),
			Error::<Test>::InsufficientHeld
		);
		// Another customer's hold does not count.
		hold(OTHER_CUSTOMER, 1_000);
		assert_noop!(
			Billing::settle(&CUSTOMER, 1_000, GPU, &usage(&[(PROVIDER_A, 50)])),
			Error::<Test>::InsufficientHeld
		);
		assert_eq!(held(CUSTOMER), 100);
		assert_eq!(free(CUSTOMER), CUSTOMER_BALANCE - 100);
		assert_eq!(free(PROVIDER_A), PROVIDER_BALANCE);
		assert_eq!(free(TREASURY), 1_000);
		assert_eq!(gpu_quota(CUSTOMER), 10);
		assert_eq!(Balances::total_issuance(), issuance);
		// Only the other customer's hold emitted events (`BudgetHeld`, `Balances::Held`).
		assert_eq!(System::events().len(), events_before + 2);
		assert!(UsageRecords::<Test>::get(CUSTOMER).is_empty());
	});
}

#[test]
fn settle_rejects_frozen_budget_and_rolls_back_the_quota() {
	ExtBuilder::default().build_and_execute(|| {
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 10);
		hold(CUSTOMER, 1_000);
		// A lock over the whole balance (e.g. votes) leaves no held funds movable.
		Balances::set_lock(*b"billtest", &CUSTOMER, CUSTOMER_BALANCE, WithdrawReasons::all());
		assert_noop!(
			Billing::settle(&CUSTOMER, 1_000, GPU, &usage(&[(PROVIDER_A, 50)])),
			Error::<Test>::BudgetFrozen
		);
		// The quota consumed before the check was rolled back with everything else.
		assert_eq!(gpu_quota(CUSTOMER), 10);
		assert_eq!(held(CUSTOMER), 1_000);

		// Fully covered by quota, nothing is charged to the budget, so it goes through.
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 50);
		let settlement =
			Billing::settle(&CUSTOMER, 1_000, GPU, &usage(&[(PROVIDER_A, 50)])).unwrap();
		assert_eq!(settlement, Settlement { quota_units: 50, charged: 0, fee: 0, released: 1_000 });
	});
}

#[test]
fn settle_only_touches_the_settled_order() {
	ExtBuilder::default().build_and_execute(|| {
		hold(CUSTOMER, 500);
		hold(CUSTOMER, 700);
		let settlement = Billing::settle(&CUSTOMER, 500, GPU, &usage(&[(PROVIDER_A, 20)])).unwrap();
		assert_eq!(settlement, Settlement { quota_units: 0, charged: 200, fee: 20, released: 300 });
		assert_eq!(held(CUSTOMER), 700);
		assert_ok!(Billing::refund(&CUSTOMER, 700));
		assert_eq!(free(CUSTOMER), CUSTOMER_BALANCE - 200);
	});
}

#[test]
fn usage_records_keep_the_most_recent() {
	ExtBuilder::default().build_and_execute(|| {
		for block in 1..=4u64 {
			System::set_block_number(block);
			hold(CUSTOMER, 100);
			assert_ok!(Billing::settle(&CUSTOMER, 100, GPU, &usage(&[(PROVIDER_A, block)])));
		}
		let records = UsageRecords::<Test>::get(CUSTOMER);
		// `MaxUsageRecords` is 3: block 1's record was dropped.
		assert_eq!(records.iter().map(|record| record.block).collect::<Vec<_>>(), vec![4, 3, 2]);
		assert_eq!(
			records.first().cloned(),
			Some(UsageRecord {
				block: 4,
				resource: GPU,
				units: 4,
				quota_units: 0,
				charged: 40,
				fee: 4
			})
		);
		assert!(UsageRecords::<Test>::get(OTHER_CUSTOMER).is_empty());
	});
}

#[test]
fn total_issuance_is_conserved() {
	ExtBuilder::default().prices(vec![(GPU, 7)]).build_and_execute(|| {
		let issuance = Balances::total_issuance();
		MockQuotas::set(CUSTOMER, ResourceKind::Gpu, 4);
		hold(CUSTOMER, 1_000);
		hold(OTHER_CUSTOMER, 200);
		assert_ok!(Billing::settle(
			&CUSTOMER,
			1_000,
			GPU,
			&usage(&[(PROVIDER_A, 7), (NEW_PROVIDER, 1), (PROVIDER_B, 13), (NEW_PROVIDER_2, 3)]),
		));
		assert_ok!(Billing::settle(&OTHER_CUSTOMER, 100, GPU, &usage(&[(PROVIDER_C, 50)])));
		assert_ok!(Billing::refund(&OTHER_CUSTOMER, 100));
		assert_eq!(held(CUSTOMER) + held(OTHER_CUSTOMER), 0);
		assert_eq!(Balances::total_issuance(), issuance);
		let accounts = [
			CUSTOMER,
			OTHER_CUSTOMER,
			PROVIDER_A,
			PROVIDER_B,
			PROVIDER_C,
			NEW_PROVIDER,
			NEW_PROVIDER_2,
			TREASURY,
		];
		let total: Balance = accounts
			.iter()
			.map(|who| Balances::free_balance(who) + Balances::reserved_balance(who))
			.sum();
		assert_eq!(total, issuance);
	});
}

#[test]
fn try_state_checks_the_invariants() {
	ExtBuilder::default().build_and_execute(|| {
		let record = |block: u64| UsageRecord {
			block,
			resource: GPU,
			units: 1,
			quota_units: 0,
			charged: 10,
			fee: 1,
		};
		UsageRecords::<Test>::insert(CUSTOMER, bounded_records(vec![record(2), record(1)]));
		assert_ok!(Billing::do_try_state());

		UsageRecords::<Test>::insert(CUSTOMER, bounded_records(vec![record(1), record(2)]));
		assert!(Billing::do_try_state().is_err());

		UsageRecords::<Test>::insert(
			CUSTOMER,
			bounded_records(vec![UsageRecord { fee: 11, ..record(1) }]),
		);
		assert!(Billing::do_try_state().is_err());

		UsageRecords::<Test>::insert(
			CUSTOMER,
			bounded_records(vec![UsageRecord { quota_units: 2, ..record(1) }]),
		);
		assert!(Billing::do_try_state().is_err());
		UsageRecords::<Test>::remove(CUSTOMER);

		ProtocolFee::<Test>::put(Permill::from_percent(51));
		assert!(Billing::do_try_state().is_err());
		ProtocolFee::<Test>::put(Permill::from_percent(50));
		assert_ok!(Billing::do_try_state());
	});
}

fn bounded_records(
	records: Vec<UsageRecord<u64, Balance>>,
) -> frame_support::BoundedVec<UsageRecord<u64, Balance>, frame_support::traits::ConstU32<3>> {
	records.try_into().unwrap()
}
