//! Runtime-level tests of the economy and of governance: the real pallet configuration, not
//! mocks.

use frame_support::{assert_ok, traits::fungible::Inspect};
use ocos_primitives::{Billing as _, GpuClass, Resource, ResourceKind, Usage};
use pallet_node_registry::{Capabilities, GpuSpec};
use sp_core::{sr25519, Pair};
use sp_genesis_builder::DEV_RUNTIME_PRESET;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, Perbill};

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
		let (bob, charlie) =
			(Sr25519Keyring::Bob.to_account_id(), Sr25519Keyring::Charlie.to_account_id());

		// Bob's node, verified by the DAO.
		register_verified_gpu_node(&bob, GpuClass::Entry, [7; 32]);

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

		// The DAO slashes a tenth of Bob's bond to the treasury.
		assert_ok!(NodeRegistry::slash(
			dao(),
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

/// Registers a node of `owner` with a GPU of `class` and the worker key from `seed`, and has
/// the DAO verify it; returns the worker key.
fn register_verified_gpu_node(
	owner: &crate::AccountId,
	class: GpuClass,
	seed: [u8; 32],
) -> sr25519::Pair {
	let capabilities = Capabilities::<Runtime> {
		gpu: Some(GpuSpec {
			class,
			model: b"llvmpipe".to_vec().try_into().expect("short model"),
			vram_mib: 2048,
		}),
		storage_bytes: 0,
	};
	register_verified_node(owner, capabilities, seed)
}

/// Registers a node of `owner` with `capabilities` and the worker key of `seed`, and has the
/// DAO verify it; returns the worker's key pair.
fn register_verified_node(
	owner: &crate::AccountId,
	capabilities: Capabilities<Runtime>,
	seed: [u8; 32],
) -> sr25519::Pair {
	let worker = sr25519::Pair::from_seed(&seed);
	let key_proof = worker.sign(&pallet_node_registry::worker_key_proof_payload(owner));
	let node = pallet_node_registry::NextNodeId::<Runtime>::get();
	assert_ok!(NodeRegistry::register(
		RuntimeOrigin::signed(owner.clone()),
		worker.public().0,
		capabilities,
		Default::default(),
		Default::default(),
		key_proof,
	));
	assert_ok!(NodeRegistry::verify(dao(), node));
	worker
}

/// The origin of an enacted DAO proposal.
fn dao() -> RuntimeOrigin {
	pallet_dao::RawOrigin::Dao.into()
}

/// Moves to block `n`, running on the way the hooks that matter here: the scheduler (which
/// enacts passed proposals), session rotation, and GRANDPA applying authority changes.
fn run_to(n: crate::BlockNumber) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		crate::Scheduler::on_initialize(next);
		crate::Session::on_initialize(next);
		crate::Grandpa::on_finalize(next);
	}
}

/// Proposes `call` by Bob, has Alice and Charlie vote for it with enough to reach quorum,
/// closes it after the voting period and runs to its enactment; returns its index.
fn pass_proposal(call: crate::RuntimeCall) -> pallet_dao::ProposalIndex {
	use frame_support::traits::StorePreimage;
	let [alice, bob, charlie] =
		[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
			.map(|k| k.to_account_id());
	let index = pallet_dao::ProposalCount::<Runtime>::get();
	let bounded = crate::Preimage::bound(call).expect("small calls are inline");
	assert_ok!(crate::Dao::propose(
		RuntimeOrigin::signed(bob),
		Box::new(bounded),
		b"a test proposal".to_vec().try_into().expect("short description"),
	));
	for voter in [alice, charlie.clone()] {
		assert_ok!(crate::Dao::vote(RuntimeOrigin::signed(voter), index, true, 500_000 * UNIT));
	}
	let params = pallet_dao::Params::<Runtime>::get();
	run_to(System::block_number() + params.voting_period);
	assert_ok!(crate::Dao::close(RuntimeOrigin::signed(charlie), index));
	run_to(System::block_number() + params.enactment_delay.max(1));
	index
}

/// A proposal that token holders pass changes a DAO-only parameter (a billing price) with the
/// DAO origin; no account can make the change itself.
#[test]
fn a_passed_proposal_sets_a_price_as_the_dao() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let entry = Resource::GpuMillis(GpuClass::Entry);
		let call = crate::RuntimeCall::Billing(pallet_billing::Call::set_price {
			resource: entry,
			price: 20_000,
		});
		// No account may call it directly, not even the one holding most of the stake.
		for who in [Sr25519Keyring::Alice, Sr25519Keyring::Bob] {
			assert!(call.clone().dispatch(RuntimeOrigin::signed(who.to_account_id())).is_err());
		}

		let index = pass_proposal(call);
		System::assert_has_event(
			pallet_dao::Event::<Runtime>::Enacted { index, result: Ok(()) }.into(),
		);
		assert_eq!(pallet_billing::Prices::<Runtime>::get(entry), Some(20_000));
	});
}

/// The DAO authorizes runtime upgrades: `authorize_upgrade` is enacted as root, and nothing
/// else is (`set_storage`, root-only, fails as the DAO).
#[test]
fn the_dao_authorizes_upgrades_as_root_and_nothing_else() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let code_hash = sp_core::H256::repeat_byte(7);
		let index =
			pass_proposal(crate::RuntimeCall::System(frame_system::Call::authorize_upgrade {
				code_hash,
			}));
		System::assert_has_event(
			pallet_dao::Event::<Runtime>::Enacted { index, result: Ok(()) }.into(),
		);
		System::assert_has_event(
			frame_system::Event::<Runtime>::UpgradeAuthorized { code_hash, check_version: true }
				.into(),
		);

		let index = pass_proposal(crate::RuntimeCall::System(frame_system::Call::set_storage {
			items: vec![(b"key".to_vec(), b"value".to_vec())],
		}));
		System::assert_has_event(
			pallet_dao::Event::<Runtime>::Enacted {
				index,
				result: Err(sp_runtime::DispatchError::BadOrigin),
			}
			.into(),
		);
		assert_eq!(sp_io::storage::get(b"key"), None);
	});
}

/// The DAO adds a validator: an account that registered session keys (with the ownership
/// proof its keystore makes, as a validator's node does) is added by a passed proposal, and
/// within two session rotations Aura and GRANDPA include its keys.
#[test]
fn a_validator_added_by_the_dao_joins_aura_and_grandpa() {
	use codec::Encode;
	use sp_core::crypto::key_types::{AURA, GRANDPA};
	use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};

	let keystore = std::sync::Arc::new(MemoryKeystore::new());
	let mut ext = preset_ext(DEV_RUNTIME_PRESET);
	ext.register_extension(KeystoreExt::new(keystore.clone()));
	ext.execute_with(|| {
		System::set_block_number(1);
		let charlie = Sr25519Keyring::Charlie.to_account_id();
		let aura = keystore.sr25519_generate_new(AURA, Some("//Charlie")).expect("aura key");
		let grandpa = keystore.ed25519_generate_new(GRANDPA, Some("//Charlie")).expect("key");
		let mut keys = crate::SessionKeys { aura: aura.into(), grandpa: grandpa.into() };
		let proof = keys.create_ownership_proof(&charlie.encode()).expect("keys in the keystore");
		assert_ok!(crate::Session::set_keys(
			RuntimeOrigin::signed(charlie.clone()),
			keys.clone(),
			proof.encode()
		));

		// Only the DAO changes validators: an existing validator cannot add one.
		let add = crate::RuntimeCall::ValidatorSet(pallet_validator_set::Call::add_validator {
			who: charlie.clone(),
		});
		let alice = Sr25519Keyring::Alice.to_account_id();
		assert!(add.clone().dispatch(RuntimeOrigin::signed(alice)).is_err());

		let index = pass_proposal(add);
		System::assert_has_event(
			pallet_dao::Event::<Runtime>::Enacted { index, result: Ok(()) }.into(),
		);
		assert!(pallet_validator_set::Validators::<Runtime>::get().contains(&charlie));
		assert!(!pallet_aura::Authorities::<Runtime>::get().contains(&keys.aura));

		run_to(System::block_number() + 3 * crate::configs::SessionPeriod::get());
		assert!(pallet_aura::Authorities::<Runtime>::get().contains(&keys.aura));
		assert!(crate::Grandpa::grandpa_authorities().iter().any(|(id, _)| *id == keys.grandpa));
	});
}

/// The DAO spends from the treasury: a passed `treasury.spend` approves a payout up to
/// `MaxTreasurySpend`, which anyone then triggers with `treasury.payout`; a larger spend is
/// refused at enactment and moves nothing.
#[test]
fn the_dao_spends_from_the_treasury() {
	use crate::configs::MaxTreasurySpend;
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let [dave, eve] = [Sr25519Keyring::Dave, Sr25519Keyring::Eve].map(|k| k.to_account_id());
		let spend = |amount| {
			crate::RuntimeCall::Treasury(pallet_treasury::Call::spend {
				asset_kind: Box::new(()),
				amount,
				beneficiary: Box::new(dave.clone()),
				valid_from: None,
			})
		};
		// Nobody spends directly.
		assert!(spend(UNIT).dispatch(RuntimeOrigin::signed(dave.clone())).is_err());

		let (treasury_before, dave_before) =
			(Balances::balance(&TreasuryAccount::get()), Balances::balance(&dave));
		let index = pass_proposal(spend(MaxTreasurySpend::get() + 1));
		System::assert_has_event(
			pallet_dao::Event::<Runtime>::Enacted {
				index,
				result: Err(pallet_treasury::Error::<Runtime>::InsufficientPermission.into()),
			}
			.into(),
		);
		assert_eq!(pallet_treasury::SpendCount::<Runtime>::get(), 0);

		let index = pass_proposal(spend(1_000 * UNIT));
		System::assert_has_event(
			pallet_dao::Event::<Runtime>::Enacted { index, result: Ok(()) }.into(),
		);
		assert_ok!(crate::Treasury::payout(RuntimeOrigin::signed(eve), 0));
		assert_eq!(Balances::balance(&dave), dave_before + 1_000 * UNIT);
		// The spam rule did not apply: both proposals' deposits went back, so the treasury lost
		// exactly the spend.
		assert_eq!(Balances::balance(&TreasuryAccount::get()), treasury_before - 1_000 * UNIT);
	});
}

/// A GPU job through the real registry and billing: Bob's verified node is assigned, its
/// worker's signed attestation completes the job, Charlie pays the metered usage (quota first,
/// none staked here) and Bob is paid, all in one block; a forged attestation is refused.
#[test]
fn a_gpu_job_is_assigned_attested_and_paid() {
	use pallet_compute::{
		Attestation, JobSpec, JobStatus, Outcome, Payment, ShaderSource, Workgroups,
	};
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let (bob, charlie) =
			(Sr25519Keyring::Bob.to_account_id(), Sr25519Keyring::Charlie.to_account_id());
		let worker = register_verified_gpu_node(&bob, GpuClass::Standard, [9; 32]);
		// The development genesis registers Alice's entry-class node 0; Bob's is node 1, and
		// the job asks for the standard class, which only his has.
		let node = 1;

		let spec = JobSpec::<Runtime> {
			source: ShaderSource::Inline(
				b"@compute @workgroup_size(1) fn main() {}".to_vec().try_into().expect("short"),
			),
			entry_point: b"main".to_vec().try_into().expect("short"),
			workgroups: Workgroups { x: 1, y: 1, z: 1 },
			inputs: Default::default(),
			output_size: 4,
			gpu_class: GpuClass::Standard,
			determinism: pallet_compute::Determinism::BitExact,
			deadline: 20,
		};
		let budget = 100 * UNIT;
		let (bob_before, charlie_before) = (Balances::balance(&bob), Balances::balance(&charlie));
		assert_ok!(crate::Compute::submit_job(
			RuntimeOrigin::signed(charlie.clone()),
			spec,
			1,
			budget
		));
		assert_eq!(crate::Compute::pending_work(node).len(), 1);

		let attestation = Attestation::<Runtime> {
			job: 0,
			node,
			outcome: Outcome::Completed {
				output_cid: b"bafy-output".to_vec().try_into().expect("short"),
				output_hash: [7; 32],
				gpu_millis: 1_500,
			},
		};
		let forged = sr25519::Pair::from_seed(&[1; 32]).sign(&attestation.signing_payload());
		assert!(crate::Compute::attest(RuntimeOrigin::none(), attestation.clone(), forged).is_err());
		let signature = worker.sign(&attestation.signing_payload());
		assert_ok!(crate::Compute::attest(RuntimeOrigin::none(), attestation, signature));

		let record = pallet_compute::Jobs::<Runtime>::get(0).expect("job kept");
		let JobStatus::Completed { gpu_millis, payment: Payment::Settled { .. }, .. } =
			record.status
		else {
			panic!("not settled: {:?}", record.status);
		};
		assert_eq!(gpu_millis, 1_500);
		// 1 500 GPU-ms at the Standard price of 50 000 plancks each; the provider gets it less
		// the 5% protocol fee.
		let cost = 1_500 * 50_000;
		assert_eq!(Balances::balance(&charlie), charlie_before - cost);
		assert_eq!(Balances::balance(&bob), bob_before + cost - cost / 20);
		assert!(crate::Compute::pending_work(node).is_empty());
	});
}

/// A DataVault pin on the development chain, end to end through the real registry, billing
/// and randomness: Charlie's 1 MiB order goes to Alice's genesis node and Bob's new one, both
/// workers report it pinned (a forged report is refused), each epoch bills 1 MiB per replica
/// (the providers paid less the protocol fee, the fee to the treasury), the challenge is
/// answered, and after its two epochs the order expires and the rest is refunded, all without
/// minting or burning.
#[test]
fn a_pin_is_placed_pinned_challenged_paid_and_expires() {
	use frame_support::traits::Hooks;
	use pallet_storage::{EndReason, PinStatus, Report, StorageReport};
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let (bob, charlie) =
			(Sr25519Keyring::Bob.to_account_id(), Sr25519Keyring::Charlie.to_account_id());
		let storage = Capabilities::<Runtime> { gpu: None, storage_bytes: 1 << 30 };
		let bob_worker = register_verified_node(&bob, storage, [9; 32]);
		let alice_worker =
			sr25519::Pair::from_string("//Alice//worker", None).expect("dev worker key");
		let workers = [(0, alice_worker), (1, bob_worker)];
		let issuance = Balances::total_issuance();
		let treasury_before = Balances::balance(&TreasuryAccount::get());
		let charlie_before = Balances::total_balance(&charlie);

		let size = 1 << 20;
		assert_ok!(crate::DataVault::pin(
			RuntimeOrigin::signed(charlie.clone()),
			b"QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG".to_vec().try_into().expect("short"),
			size,
			2,
			2,
			100 * UNIT
		));
		let report = |node, report| StorageReport { pin: 0, node, report };
		let pinned = report(0, Report::Pinned { size });
		let forged = sr25519::Pair::from_seed(&[1; 32]).sign(&pinned.signing_payload());
		assert!(crate::DataVault::report(RuntimeOrigin::none(), pinned, forged).is_err());
		for (node, worker) in &workers {
			let pinned = report(*node, Report::Pinned { size });
			let signature = worker.sign(&pinned.signing_payload());
			assert_ok!(crate::DataVault::report(RuntimeOrigin::none(), pinned, signature));
		}

		let round = |block| {
			System::set_block_number(block);
			crate::DataVault::on_initialize(block);
		};
		// The first epoch ends at block 1 + 10: both replicas proved it by pinning.
		round(11);
		let epoch_cost = 2 * u128::from(size);
		// Free plus held: the budget stays held for the epochs to come.
		assert_eq!(Balances::total_balance(&charlie), charlie_before - epoch_cost);
		let fee = Balances::balance(&TreasuryAccount::get()) - treasury_before;
		assert!(fee > 0 && fee <= epoch_cost / 20 + 1, "fee {fee}");
		let record = pallet_storage::Pins::<Runtime>::get(0).expect("pin kept");
		let challenge = record.challenge.expect("challenged");
		assert_eq!(challenge.length, 1024);
		assert!(challenge.offset + 1024 <= size);

		// Both answer alike (the chain compares, it does not know the bytes).
		for (node, worker) in &workers {
			let answer = report(*node, Report::Answer { round: challenge.round, hash: [5; 32] });
			let signature = worker.sign(&answer.signing_payload());
			assert_ok!(crate::DataVault::report(RuntimeOrigin::none(), answer, signature));
		}
		round(21);
		let record = pallet_storage::Pins::<Runtime>::get(0).expect("pin kept");
		assert_eq!(record.status, PinStatus::Ended(EndReason::Expired));
		assert_eq!(Balances::balance(&charlie), charlie_before - 2 * epoch_cost);
		assert_eq!(Balances::total_balance(&charlie), charlie_before - 2 * epoch_cost);
		assert!(crate::DataVault::node_work(0).is_empty());
		assert_eq!(Balances::total_issuance(), issuance);
	});
}
