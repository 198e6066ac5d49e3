//! Runtime-level tests of the economy: the real pallet configuration, not mocks.

use frame_support::{assert_ok, traits::fungible::Inspect};
use ocos_primitives::{Billing as _, GpuClass, Resource, ResourceKind, Usage};
use pallet_node_registry::{Capabilities, GpuSpec};
use sp_core::{sr25519, Pair};
use sp_genesis_builder::DEV_RUNTIME_PRESET;
use sp_keyring::Sr25519Keyring;
use sp_runtime::Perbill;

use crate::{
	configs::TreasuryAccount, genesis_config_presets::tests::preset_ext, Balances, Billing,
	NodeRegistry, Quotas, Runtime, RuntimeOrigin, System, DAYS, UNIT,
};

/// Funds move between accounts, holds and the treasury, but are never minted or burned:
/// staking, budget holds, settlement (quota subsidy and budget), refunds, slashing,
/// unbonding and withdrawal all conserve total issuance.
#[test]
fn economy_operations_conserve_total_issuance() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let issuance = Balances::total_issuance();
		let (alice, bob, charlie) = (
			Sr25519Keyring::Alice.to_account_id(),
			Sr25519Keyring::Bob.to_account_id(),
			Sr25519Keyring::Charlie.to_account_id(),
		);

		// Bob's node, verified by the interim governor.
		let worker = sr25519::Pair::from_seed(&[7; 32]);
		let key_proof = worker.sign(&pallet_node_registry::worker_key_proof_payload(&bob));
		let capabilities = Capabilities::<Runtime> {
			gpu: Some(GpuSpec {
				class: GpuClass::Entry,
				model: b"llvmpipe".to_vec().try_into().expect("short model"),
				vram_mib: 2048,
			}),
			storage_bytes: 0,
		};
		assert_ok!(NodeRegistry::register(
			RuntimeOrigin::signed(bob.clone()),
			worker.public().0,
			capabilities,
			Default::default(),
			Default::default(),
			key_proof,
		));
		assert_ok!(NodeRegistry::verify(RuntimeOrigin::signed(alice.clone()), 0));

		// Charlie stakes for GPU quota and orders work with a budget.
		assert_ok!(Quotas::stake(
			RuntimeOrigin::signed(charlie.clone()),
			ResourceKind::Gpu,
			10 * UNIT
		));
		assert_ok!(<Billing as ocos_primitives::Billing<_, _>>::hold_budget(&charlie, 100 * UNIT));
		let treasury_before = Balances::balance(&TreasuryAccount::get());
		let settlement = Billing::settle(
			&charlie,
			60 * UNIT,
			Resource::GpuMillis(GpuClass::Entry),
			&[Usage { provider: bob.clone(), units: 1_000_000 }],
		)
		.expect("settles");
		assert!(settlement.quota_units > 0, "the stake's quota covers part: {settlement:?}");
		assert!(
			settlement.charged > 0 && settlement.fee > 0,
			"the rest is charged: {settlement:?}"
		);
		assert_ne!(Balances::balance(&TreasuryAccount::get()), treasury_before);
		assert_ok!(Billing::refund(&charlie, 40 * UNIT));

		// Governance slashes a tenth of Bob's bond to the treasury.
		assert_ok!(NodeRegistry::slash(
			RuntimeOrigin::signed(alice),
			0,
			Perbill::from_percent(10),
			b"test".to_vec().try_into().expect("short reason"),
		));

		// Charlie unbonds and withdraws after the unbonding period.
		assert_ok!(Quotas::unstake(
			RuntimeOrigin::signed(charlie.clone()),
			ResourceKind::Gpu,
			10 * UNIT
		));
		System::set_block_number(1 + 7 * DAYS);
		assert_ok!(Quotas::withdraw_unbonded(RuntimeOrigin::signed(charlie)));

		assert_eq!(Balances::total_issuance(), issuance);
	});
}
