//! Unit tests: every call and error, heartbeat validation, the liveness sweep, reputation
//! math, the `NodeRegistry` trait and the invariants. Every test ends with `do_try_state`.

use crate::{
	index_key, mock::*, worker_key_proof_payload, AccessPolicy, ActiveNodes, AllowList, Call,
	Capabilities, Error, Event, GenesisGpu, GenesisNode, GpuInfo, GpuSpec, Heartbeat, HoldReason,
	NextNodeId, NodeInfo, NodeStatus, Nodes, OfflineCursor, OwnerNodes, Params, RegistryParams,
	Reputation, WeightInfo, WorkerKeys, INVALID_NODE_RETIRING, INVALID_UNKNOWN_NODE,
};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{InspectHold, Mutate},
		Hooks,
	},
	weights::Weight,
};
use ocos_primitives::{GpuClass, NodeId, NodeRegistry as _, ReputationReason, ResourceKind};
use sp_core::Pair;
#[allow(deprecated)]
use sp_runtime::traits::ValidateUnsigned;
use sp_runtime::{
	traits::BadOrigin,
	transaction_validity::{
		InvalidTransaction, TransactionSource, TransactionValidity, ValidTransaction,
	},
	FixedPointNumber, FixedU128, Perbill,
};

/// Balance of `who` held for node bonds.
fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::NodeBond.into(), &who)
}

/// Total issuance of the test currency.
fn issuance() -> Balance {
	pallet_balances::TotalIssuance::<Test>::get()
}

/// The events this pallet deposited, oldest first.
fn registry_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::NodeRegistry(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// How many `NodeOffline` events were deposited.
fn offline_events() -> usize {
	registry_events().iter().filter(|e| matches!(e, Event::NodeOffline { .. })).count()
}

/// The DAO sets the node bond and nothing else.
fn set_bond(bond: Balance) -> sp_runtime::DispatchResult {
	NodeRegistry::set_params(RuntimeOrigin::root(), Some(bond), None, None, None, None)
}

/// Whether `node` is in the `ActiveNodes` index under `kind`.
fn indexed(kind: ResourceKind, node: NodeId) -> bool {
	ActiveNodes::<Test>::contains_key(kind, index_key(node))
}

/// Pool validation of an unsigned call.
#[allow(deprecated)]
fn validate(call: &Call<Test>) -> TransactionValidity {
	<NodeRegistry as ValidateUnsigned>::validate_unsigned(TransactionSource::External, call)
}

/// Submits a heartbeat for `node` at the current block, signed by the worker of `seed`.
fn heartbeat_now(node: NodeId, seed: u8) -> sp_runtime::DispatchResult {
	let (heartbeat, signature) = signed_heartbeat(node, System::block_number(), seed);
	NodeRegistry::heartbeat(RuntimeOrigin::none(), heartbeat, signature)
}

/// Base and per-node weight of the liveness sweep.
fn sweep_weights() -> (Weight, Weight) {
	let base = <() as WeightInfo>::on_idle_sweep(0);
	(base, <() as WeightInfo>::on_idle_sweep(1).saturating_sub(base))
}

mod register {
	use super::*;

	#[test]
	fn registers_a_pending_node_and_holds_the_bond() {
		ExtBuilder::default().build_and_execute(|| {
			let caps = gpu_caps(GpuClass::HighEnd, 81_920, 1 << 40);
			let node = register_with(ALICE, 1, caps.clone());
			assert_eq!(node, 0);

			let record = Nodes::<Test>::get(node).unwrap();
			assert_eq!(record.owner, ALICE);
			assert_eq!(record.worker_key, worker_key(1));
			assert_eq!(record.capabilities, caps);
			assert_eq!(record.region.to_vec(), b"eu-west".to_vec());
			assert_eq!(record.status, NodeStatus::Pending);
			assert_eq!(record.bond, 1_000);
			assert_eq!(record.access, AccessPolicy::Open);
			assert_eq!(record.last_heartbeat, 1);
			assert_eq!(record.registered_at, 1);
			assert!(!record.offline);
			assert_eq!(record.in_flight, 0);
			assert_eq!(record.reputation, Reputation::new(0));

			assert_eq!(held(ALICE), 1_000);
			assert_eq!(Balances::free_balance(ALICE), ENDOWMENT - 1_000);
			assert_eq!(WorkerKeys::<Test>::get(worker_key(1)), Some(node));
			assert_eq!(OwnerNodes::<Test>::get(ALICE).to_vec(), vec![node]);
			assert_eq!(NextNodeId::<Test>::get(), 1);
			// Pending nodes are not indexed.
			assert!(!indexed(ResourceKind::Gpu, node));
			assert!(!indexed(ResourceKind::Storage, node));
			System::assert_last_event(
				Event::NodeRegistered {
					node,
					owner: ALICE,
					worker_key: worker_key(1),
					bond: 1_000,
				}
				.into(),
			);
		});
	}

	#[test]
	fn ids_are_sequential_across_owners() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(register_with(ALICE, 1, storage_caps(1)), 0);
			assert_eq!(register_with(BOB, 2, storage_caps(1)), 1);
			assert_eq!(register_with(ALICE, 3, storage_caps(1)), 2);
			assert_eq!(OwnerNodes::<Test>::get(ALICE).to_vec(), vec![0, 2]);
			assert_eq!(held(ALICE), 2_000);
		});
	}

	#[test]
	fn requires_a_signed_origin() {
		ExtBuilder::default().build_and_execute(|| {
			for origin in [RuntimeOrigin::root(), RuntimeOrigin::none()] {
				assert_noop!(
					NodeRegistry::register(
						origin,
						worker_key(1),
						storage_caps(1),
						bytes(b""),
						bytes(b""),
						key_proof(ALICE, 1),
					),
					BadOrigin
				);
			}
		});
	}

	#[test]
	fn rejects_a_worker_key_in_use() {
		ExtBuilder::default().build_and_execute(|| {
			register_with(ALICE, 1, storage_caps(1));
			assert_noop!(
				NodeRegistry::register(
					RuntimeOrigin::signed(BOB),
					worker_key(1),
					storage_caps(1),
					bytes(b""),
					bytes(b""),
					key_proof(BOB, 1),
				),
				Error::<Test>::WorkerKeyInUse
			);
		});
	}

	#[test]
	fn the_key_proof_payload_is_domain_tag_then_owner() {
		ExtBuilder::default().build_and_execute(|| {
			// `REGISTER_DOMAIN` is a byte slice: SCALE puts its compact length (15) first.
			let expected = [vec![15 << 2], b"ocos/worker-key".to_vec(), ALICE.encode()].concat();
			assert_eq!(worker_key_proof_payload(&ALICE), expected);
		});
	}

	#[test]
	fn rejects_a_key_proof_signed_by_another_key() {
		ExtBuilder::default().build_and_execute(|| {
			// Bob saw Alice's worker key and tries to register it first, signing with his own
			// key.
			assert_noop!(
				NodeRegistry::register(
					RuntimeOrigin::signed(BOB),
					worker_key(1),
					storage_caps(1),
					bytes(b""),
					bytes(b""),
					key_proof(BOB, 2),
				),
				Error::<Test>::InvalidKeyProof
			);
			// Nothing changed: no hold, no node, no event.
			assert_eq!(held(BOB), 0);
			assert_eq!(WorkerKeys::<Test>::get(worker_key(1)), None);
			assert_eq!(NextNodeId::<Test>::get(), 0);
			assert!(registry_events().is_empty());
			// Alice, who holds the key, registers it.
			register_with(ALICE, 1, storage_caps(1));
		});
	}

	#[test]
	fn rejects_a_key_proof_made_for_another_owner() {
		ExtBuilder::default().build_and_execute(|| {
			// Alice's proof, replayed by Bob from her `register` transaction.
			assert_noop!(
				NodeRegistry::register(
					RuntimeOrigin::signed(BOB),
					worker_key(1),
					storage_caps(1),
					bytes(b""),
					bytes(b""),
					key_proof(ALICE, 1),
				),
				Error::<Test>::InvalidKeyProof
			);
			assert_eq!(held(BOB), 0);
			assert!(registry_events().is_empty());
			register_with(ALICE, 1, storage_caps(1));
		});
	}

	#[test]
	fn rejects_a_key_proof_without_the_domain_tag() {
		ExtBuilder::default().build_and_execute(|| {
			let untagged = worker(1).sign(&ALICE.encode());
			assert_noop!(
				NodeRegistry::register(
					RuntimeOrigin::signed(ALICE),
					worker_key(1),
					storage_caps(1),
					bytes(b""),
					bytes(b""),
					untagged,
				),
				Error::<Test>::InvalidKeyProof
			);
		});
	}

	#[test]
	fn checks_the_key_proof_before_the_bond() {
		ExtBuilder::default().build_and_execute(|| {
			// `POOR` cannot hold the bond, but the bad proof is what is reported.
			assert_noop!(
				NodeRegistry::register(
					RuntimeOrigin::signed(POOR),
					worker_key(1),
					storage_caps(1),
					bytes(b""),
					bytes(b""),
					key_proof(ALICE, 1),
				),
				Error::<Test>::InvalidKeyProof
			);
		});
	}

	#[test]
	fn requires_a_capability() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				NodeRegistry::register(
					RuntimeOrigin::signed(ALICE),
					worker_key(1),
					storage_caps(0),
					bytes(b""),
					bytes(b""),
					key_proof(ALICE, 1),
				),
				Error::<Test>::NoCapability
			);
		});
	}

	#[test]
	fn rejects_an_invalid_gpu() {
		ExtBuilder::default().build_and_execute(|| {
			let no_vram = gpu_caps(GpuClass::Entry, 0, 0);
			let no_model = Capabilities {
				gpu: Some(GpuSpec { class: GpuClass::Entry, model: bytes(b""), vram_mib: 8 }),
				storage_bytes: 0,
			};
			for caps in [no_vram, no_model] {
				assert_noop!(
					NodeRegistry::register(
						RuntimeOrigin::signed(ALICE),
						worker_key(1),
						caps,
						bytes(b""),
						bytes(b""),
						key_proof(ALICE, 1),
					),
					Error::<Test>::InvalidGpuSpec
				);
			}
		});
	}

	#[test]
	fn limits_nodes_per_owner() {
		ExtBuilder::default().build_and_execute(|| {
			for seed in 1..=3 {
				register_with(ALICE, seed, storage_caps(1));
			}
			assert_noop!(
				NodeRegistry::register(
					RuntimeOrigin::signed(ALICE),
					worker_key(4),
					storage_caps(1),
					bytes(b""),
					bytes(b""),
					key_proof(ALICE, 4),
				),
				Error::<Test>::TooManyNodes
			);
		});
	}

	#[test]
	fn requires_a_balance_that_can_hold_the_bond() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				NodeRegistry::register(
					RuntimeOrigin::signed(POOR),
					worker_key(1),
					storage_caps(1),
					bytes(b""),
					bytes(b""),
					key_proof(POOR, 1),
				),
				Error::<Test>::InsufficientBalance
			);
			// Exactly the bond is not enough: the existential deposit must stay free.
			Balances::set_balance(&POOR, 1_000);
			assert_noop!(
				NodeRegistry::register(
					RuntimeOrigin::signed(POOR),
					worker_key(1),
					storage_caps(1),
					bytes(b""),
					bytes(b""),
					key_proof(POOR, 1),
				),
				Error::<Test>::InsufficientBalance
			);
			Balances::set_balance(&POOR, 1_001);
			register_with(POOR, 1, storage_caps(1));
			assert_eq!(held(POOR), 1_000);
			assert_eq!(Balances::free_balance(POOR), 1);
		});
	}

	#[test]
	fn a_zero_bond_holds_nothing() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(set_bond(0));
			let node = register_with(POOR, 1, storage_caps(1));
			assert_eq!(Nodes::<Test>::get(node).unwrap().bond, 0);
			assert_eq!(held(POOR), 0);
			assert_eq!(Balances::free_balance(POOR), POOR_ENDOWMENT);
		});
	}

	#[test]
	fn fails_when_node_ids_are_exhausted() {
		ExtBuilder::default().build_and_execute(|| {
			NextNodeId::<Test>::put(NodeId::MAX);
			assert_noop!(
				NodeRegistry::register(
					RuntimeOrigin::signed(ALICE),
					worker_key(1),
					storage_caps(1),
					bytes(b""),
					bytes(b""),
					key_proof(ALICE, 1),
				),
				Error::<Test>::NodeIdOverflow
			);
		});
	}
}

mod dao {
	use super::*;

	#[test]
	fn verify_activates_and_indexes_a_pending_node() {
		ExtBuilder::default().build_and_execute(|| {
			let node = register_with(ALICE, 1, gpu_caps(GpuClass::Entry, 8_192, 0));
			assert_ok!(NodeRegistry::verify(RuntimeOrigin::root(), node));
			assert_eq!(status(node), NodeStatus::Active);
			assert!(indexed(ResourceKind::Gpu, node));
			// No storage capability, so not indexed for storage.
			assert!(!indexed(ResourceKind::Storage, node));
			System::assert_last_event(Event::NodeVerified { node }.into());
		});
	}

	#[test]
	fn verify_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_noop!(
				NodeRegistry::verify(RuntimeOrigin::root(), node),
				Error::<Test>::NotPending
			);
			assert_noop!(
				NodeRegistry::verify(RuntimeOrigin::root(), 7),
				Error::<Test>::UnknownNode
			);
			assert_noop!(NodeRegistry::verify(RuntimeOrigin::signed(ALICE), node), BadOrigin);
			// Suspended nodes come back through `resume`, not `verify`.
			assert_ok!(NodeRegistry::suspend(RuntimeOrigin::root(), node));
			assert_noop!(
				NodeRegistry::verify(RuntimeOrigin::root(), node),
				Error::<Test>::NotPending
			);
		});
	}

	#[test]
	fn suspend_and_resume() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_ok!(NodeRegistry::suspend(RuntimeOrigin::root(), node));
			assert_eq!(status(node), NodeStatus::Suspended);
			assert!(!indexed(ResourceKind::Gpu, node));
			assert!(!indexed(ResourceKind::Storage, node));
			assert!(!NodeRegistry::can_serve(node, &DAVE, ResourceKind::Gpu));
			System::assert_last_event(Event::NodeSuspended { node }.into());

			assert_ok!(NodeRegistry::resume(RuntimeOrigin::root(), node));
			assert_eq!(status(node), NodeStatus::Active);
			assert!(indexed(ResourceKind::Gpu, node));
			assert!(indexed(ResourceKind::Storage, node));
			System::assert_last_event(Event::NodeResumed { node }.into());
		});
	}

	#[test]
	fn a_pending_node_can_be_suspended() {
		ExtBuilder::default().build_and_execute(|| {
			let node = register_with(ALICE, 1, storage_caps(1));
			assert_ok!(NodeRegistry::suspend(RuntimeOrigin::root(), node));
			assert_eq!(status(node), NodeStatus::Suspended);
		});
	}

	#[test]
	fn suspend_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_noop!(NodeRegistry::suspend(RuntimeOrigin::signed(ALICE), node), BadOrigin);
			assert_noop!(
				NodeRegistry::suspend(RuntimeOrigin::root(), 7),
				Error::<Test>::UnknownNode
			);
			assert_ok!(NodeRegistry::suspend(RuntimeOrigin::root(), node));
			assert_noop!(
				NodeRegistry::suspend(RuntimeOrigin::root(), node),
				Error::<Test>::CannotSuspend
			);
			let retiring = active_node(ALICE, 2);
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), retiring));
			assert_noop!(
				NodeRegistry::suspend(RuntimeOrigin::root(), retiring),
				Error::<Test>::CannotSuspend
			);
		});
	}

	#[test]
	fn resume_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_noop!(
				NodeRegistry::resume(RuntimeOrigin::root(), node),
				Error::<Test>::NotSuspended
			);
			assert_noop!(
				NodeRegistry::resume(RuntimeOrigin::root(), 7),
				Error::<Test>::UnknownNode
			);
			assert_ok!(NodeRegistry::suspend(RuntimeOrigin::root(), node));
			assert_noop!(NodeRegistry::resume(RuntimeOrigin::signed(ALICE), node), BadOrigin);
		});
	}

	#[test]
	fn slash_moves_bond_to_treasury_and_conserves_issuance() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			let total = issuance();
			let alice_total = Balances::free_balance(ALICE) + held(ALICE);
			let reason = bytes(b"wrong results");

			assert_ok!(NodeRegistry::slash(
				RuntimeOrigin::root(),
				node,
				Perbill::from_percent(25),
				reason.clone()
			));
			assert_eq!(Nodes::<Test>::get(node).unwrap().bond, 750);
			assert_eq!(held(ALICE), 750);
			// The treasury account is created by the slash.
			assert_eq!(Balances::free_balance(TREASURY), 250);
			assert_eq!(Balances::free_balance(ALICE) + held(ALICE), alice_total - 250);
			assert_eq!(issuance(), total);
			// The node keeps its status; the DAO suspends separately.
			assert_eq!(status(node), NodeStatus::Active);
			System::assert_last_event(Event::NodeSlashed { node, amount: 250, reason }.into());
		});
	}

	#[test]
	fn slash_rounds_down_and_can_take_everything() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			// 1/3 of 1000 is 333.33…: the dust stays with the owner.
			assert_ok!(NodeRegistry::slash(
				RuntimeOrigin::root(),
				node,
				Perbill::from_rational(1u32, 3u32),
				bytes(b"")
			));
			assert_eq!(Nodes::<Test>::get(node).unwrap().bond, 667);
			assert_eq!(Balances::free_balance(TREASURY), 333);
			// The whole remaining bond.
			assert_ok!(NodeRegistry::slash(
				RuntimeOrigin::root(),
				node,
				Perbill::one(),
				bytes(b"")
			));
			assert_eq!(Nodes::<Test>::get(node).unwrap().bond, 0);
			assert_eq!(held(ALICE), 0);
			assert_eq!(Balances::free_balance(TREASURY), 1_000);
			// Nothing left to slash.
			assert_noop!(
				NodeRegistry::slash(RuntimeOrigin::root(), node, Perbill::one(), bytes(b"")),
				Error::<Test>::NothingToSlash
			);
		});
	}

	#[test]
	fn other_pallets_slash_through_the_registry_trait() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			let slash = |node, fraction, reason: &[u8]| {
				<NodeRegistry as ocos_primitives::NodeRegistry<AccountId>>::slash(
					node, fraction, reason,
				)
			};
			assert_eq!(slash(node, Perbill::from_percent(10), b"challenge strikes"), 100);
			assert_eq!(Nodes::<Test>::get(node).unwrap().bond, 900);
			assert_eq!(Balances::free_balance(TREASURY), 100);
			System::assert_last_event(
				Event::NodeSlashed { node, amount: 100, reason: bytes(b"challenge strikes") }
					.into(),
			);
			// Failures return 0 and change nothing.
			assert_eq!(slash(7, Perbill::one(), b""), 0);
			assert_eq!(slash(node, Perbill::zero(), b""), 0);
			assert_eq!(Nodes::<Test>::get(node).unwrap().bond, 900);
			// A reason longer than the registry keeps is cut to its length.
			let long = vec![b'x'; crate::MAX_SLASH_REASON_LEN as usize + 10];
			assert_eq!(slash(node, Perbill::from_percent(10), &long), 90);
			System::assert_last_event(
				Event::NodeSlashed {
					node,
					amount: 90,
					reason: bytes(&long[..crate::MAX_SLASH_REASON_LEN as usize]),
				}
				.into(),
			);
		});
	}

	#[test]
	fn slash_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_noop!(
				NodeRegistry::slash(RuntimeOrigin::signed(BOB), node, Perbill::one(), bytes(b"")),
				BadOrigin
			);
			assert_noop!(
				NodeRegistry::slash(RuntimeOrigin::root(), 7, Perbill::one(), bytes(b"")),
				Error::<Test>::UnknownNode
			);
			assert_noop!(
				NodeRegistry::slash(RuntimeOrigin::root(), node, Perbill::zero(), bytes(b"")),
				Error::<Test>::NothingToSlash
			);
			// A fraction that rounds to zero plancks.
			assert_noop!(
				NodeRegistry::slash(
					RuntimeOrigin::root(),
					node,
					Perbill::from_parts(999_999),
					bytes(b"")
				),
				Error::<Test>::NothingToSlash
			);
		});
	}
}

mod update {
	use super::*;

	#[test]
	fn endpoint_and_region_keep_the_node_active() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_ok!(NodeRegistry::update(
				RuntimeOrigin::signed(ALICE),
				node,
				Some(bytes(b"/ip4/10.0.0.1/tcp/4001")),
				None,
				Some(bytes(b"us-east")),
			));
			let record = Nodes::<Test>::get(node).unwrap();
			assert_eq!(record.endpoint.to_vec(), b"/ip4/10.0.0.1/tcp/4001".to_vec());
			assert_eq!(record.region.to_vec(), b"us-east".to_vec());
			assert_eq!(record.status, NodeStatus::Active);
			System::assert_last_event(Event::NodeUpdated { node, reverify: false }.into());
		});
	}

	#[test]
	fn raised_capabilities_need_verification_again() {
		ExtBuilder::default().build_and_execute(|| {
			let base = gpu_caps(GpuClass::Standard, 24_576, 1 << 30);
			let better_class = gpu_caps(GpuClass::HighEnd, 24_576, 1 << 30);
			let more_vram = gpu_caps(GpuClass::Standard, 49_152, 1 << 30);
			let more_storage = gpu_caps(GpuClass::Standard, 24_576, 1 << 31);
			let other_model = Capabilities {
				gpu: Some(GpuSpec {
					class: GpuClass::Standard,
					model: bytes(b"RTX A5000"),
					vram_mib: 24_576,
				}),
				storage_bytes: 1 << 30,
			};
			for (seed, raised) in
				[better_class, more_vram, more_storage, other_model].into_iter().enumerate()
			{
				let seed = u8::try_from(seed).unwrap() + 1;
				let owner = if seed <= 2 { ALICE } else { BOB };
				let node = register_with(owner, seed, base.clone());
				assert_ok!(NodeRegistry::verify(RuntimeOrigin::root(), node));
				assert_ok!(NodeRegistry::update(
					RuntimeOrigin::signed(owner),
					node,
					None,
					Some(raised.clone()),
					None
				));
				assert_eq!(status(node), NodeStatus::Pending);
				assert_eq!(Nodes::<Test>::get(node).unwrap().capabilities, raised);
				assert!(!indexed(ResourceKind::Gpu, node));
				assert!(!indexed(ResourceKind::Storage, node));
				System::assert_last_event(Event::NodeUpdated { node, reverify: true }.into());
			}
		});
	}

	#[test]
	fn a_gpu_where_there_was_none_needs_verification() {
		ExtBuilder::default().build_and_execute(|| {
			let node = register_with(ALICE, 1, storage_caps(1 << 30));
			assert_ok!(NodeRegistry::verify(RuntimeOrigin::root(), node));
			assert_ok!(NodeRegistry::update(
				RuntimeOrigin::signed(ALICE),
				node,
				None,
				Some(gpu_caps(GpuClass::Entry, 4_096, 1 << 30)),
				None
			));
			assert_eq!(status(node), NodeStatus::Pending);
		});
	}

	#[test]
	fn lowered_capabilities_apply_at_once() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert!(indexed(ResourceKind::Gpu, node));
			assert_ok!(NodeRegistry::update(
				RuntimeOrigin::signed(ALICE),
				node,
				None,
				Some(storage_caps(1 << 20)),
				None
			));
			assert_eq!(status(node), NodeStatus::Active);
			assert!(!indexed(ResourceKind::Gpu, node));
			assert!(indexed(ResourceKind::Storage, node));
			assert_eq!(NodeRegistry::gpu_class(node), None);
			System::assert_last_event(Event::NodeUpdated { node, reverify: false }.into());
		});
	}

	#[test]
	fn a_pending_node_stays_pending() {
		ExtBuilder::default().build_and_execute(|| {
			let node = register_with(ALICE, 1, storage_caps(1));
			assert_ok!(NodeRegistry::update(
				RuntimeOrigin::signed(ALICE),
				node,
				None,
				Some(storage_caps(2)),
				None
			));
			assert_eq!(status(node), NodeStatus::Pending);
			System::assert_last_event(Event::NodeUpdated { node, reverify: false }.into());
		});
	}

	#[test]
	fn a_suspended_node_cannot_raise_capabilities() {
		ExtBuilder::default().build_and_execute(|| {
			let node = register_with(ALICE, 1, storage_caps(100));
			assert_ok!(NodeRegistry::suspend(RuntimeOrigin::root(), node));
			assert_noop!(
				NodeRegistry::update(
					RuntimeOrigin::signed(ALICE),
					node,
					None,
					Some(storage_caps(101)),
					None
				),
				Error::<Test>::NodeSuspended
			);
			assert_ok!(NodeRegistry::update(
				RuntimeOrigin::signed(ALICE),
				node,
				None,
				Some(storage_caps(99)),
				None
			));
			assert_eq!(status(node), NodeStatus::Suspended);
		});
	}

	#[test]
	fn update_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_noop!(
				NodeRegistry::update(RuntimeOrigin::signed(ALICE), node, None, None, None),
				Error::<Test>::NothingToUpdate
			);
			assert_noop!(
				NodeRegistry::update(
					RuntimeOrigin::signed(BOB),
					node,
					Some(bytes(b"x")),
					None,
					None
				),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				NodeRegistry::update(
					RuntimeOrigin::signed(ALICE),
					7,
					Some(bytes(b"x")),
					None,
					None
				),
				Error::<Test>::UnknownNode
			);
			assert_noop!(
				NodeRegistry::update(
					RuntimeOrigin::signed(ALICE),
					node,
					None,
					Some(storage_caps(0)),
					None
				),
				Error::<Test>::NoCapability
			);
			assert_noop!(
				NodeRegistry::update(
					RuntimeOrigin::signed(ALICE),
					node,
					None,
					Some(gpu_caps(GpuClass::Entry, 0, 1)),
					None
				),
				Error::<Test>::InvalidGpuSpec
			);
			assert_noop!(
				NodeRegistry::update(RuntimeOrigin::root(), node, Some(bytes(b"x")), None, None),
				BadOrigin
			);
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));
			assert_noop!(
				NodeRegistry::update(
					RuntimeOrigin::signed(ALICE),
					node,
					Some(bytes(b"x")),
					None,
					None
				),
				Error::<Test>::NodeRetiring
			);
		});
	}
}

mod worker_keys {
	use super::*;

	/// `rotate_worker_key` by `who` of `node` to the worker key of `seed`, with that key's
	/// proof for `who`.
	fn rotate(who: AccountId, node: NodeId, seed: u8) -> sp_runtime::DispatchResult {
		NodeRegistry::rotate_worker_key(
			RuntimeOrigin::signed(who),
			node,
			worker_key(seed),
			key_proof(who, seed),
		)
	}

	#[test]
	fn rotation_moves_the_key_mapping() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_ok!(rotate(ALICE, node, 2));
			assert_eq!(NodeRegistry::worker_key(node), Some(worker_key(2)));
			assert_eq!(WorkerKeys::<Test>::get(worker_key(2)), Some(node));
			assert_eq!(WorkerKeys::<Test>::get(worker_key(1)), None);
			System::assert_last_event(
				Event::WorkerKeyRotated { node, old: worker_key(1), new: worker_key(2) }.into(),
			);
			// The old key is free for another node.
			register_with(BOB, 1, storage_caps(1));
		});
	}

	#[test]
	fn heartbeats_need_the_new_key_after_rotation() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_ok!(rotate(ALICE, node, 2));
			run_to(11);
			assert_noop!(heartbeat_now(node, 1), Error::<Test>::BadSignature);
			assert_ok!(heartbeat_now(node, 2));
		});
	}

	#[test]
	fn rotation_needs_the_new_keys_proof_for_the_owner() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			// Signed by another key than the new one.
			assert_noop!(
				NodeRegistry::rotate_worker_key(
					RuntimeOrigin::signed(ALICE),
					node,
					worker_key(2),
					key_proof(ALICE, 3),
				),
				Error::<Test>::InvalidKeyProof
			);
			// Signed by the old key instead of the new one.
			assert_noop!(
				NodeRegistry::rotate_worker_key(
					RuntimeOrigin::signed(ALICE),
					node,
					worker_key(2),
					key_proof(ALICE, 1),
				),
				Error::<Test>::InvalidKeyProof
			);
			// The new key's proof, but made for another owner.
			assert_noop!(
				NodeRegistry::rotate_worker_key(
					RuntimeOrigin::signed(ALICE),
					node,
					worker_key(2),
					key_proof(BOB, 2),
				),
				Error::<Test>::InvalidKeyProof
			);
			assert_eq!(NodeRegistry::worker_key(node), Some(worker_key(1)));
			assert!(!registry_events().iter().any(|e| matches!(e, Event::WorkerKeyRotated { .. })));
			// The proper proof rotates.
			assert_ok!(rotate(ALICE, node, 2));
			assert_eq!(NodeRegistry::worker_key(node), Some(worker_key(2)));
		});
	}

	#[test]
	fn rotation_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			register_with(BOB, 2, storage_caps(1));
			assert_noop!(rotate(ALICE, node, 2), Error::<Test>::WorkerKeyInUse);
			assert_noop!(rotate(ALICE, node, 1), Error::<Test>::WorkerKeyInUse);
			assert_noop!(rotate(BOB, node, 3), Error::<Test>::NotOwner);
			assert_noop!(rotate(ALICE, 7, 3), Error::<Test>::UnknownNode);
			assert_noop!(
				NodeRegistry::rotate_worker_key(
					RuntimeOrigin::root(),
					node,
					worker_key(3),
					key_proof(ALICE, 3),
				),
				BadOrigin
			);
		});
	}
}

mod retirement {
	use super::*;

	#[test]
	fn retire_stops_new_work() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			run_to(5);
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));
			assert_eq!(status(node), NodeStatus::Retiring { since: 5 });
			assert!(!indexed(ResourceKind::Gpu, node));
			assert!(!indexed(ResourceKind::Storage, node));
			assert!(!NodeRegistry::can_serve(node, &DAVE, ResourceKind::Gpu));
			System::assert_last_event(Event::NodeRetiring { node, since: 5 }.into());
		});
	}

	#[test]
	fn pending_and_suspended_nodes_can_retire() {
		ExtBuilder::default().build_and_execute(|| {
			let pending = register_with(ALICE, 1, storage_caps(1));
			let suspended = active_node(ALICE, 2);
			assert_ok!(NodeRegistry::suspend(RuntimeOrigin::root(), suspended));
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), pending));
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), suspended));
		});
	}

	#[test]
	fn retire_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_noop!(
				NodeRegistry::retire(RuntimeOrigin::signed(BOB), node),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				NodeRegistry::retire(RuntimeOrigin::signed(ALICE), 7),
				Error::<Test>::UnknownNode
			);
			assert_noop!(NodeRegistry::retire(RuntimeOrigin::root(), node), BadOrigin);
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));
			assert_noop!(
				NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node),
				Error::<Test>::NodeRetiring
			);
		});
	}

	#[test]
	fn withdraw_after_cooldown_releases_the_bond_and_removes_the_node() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			let other = register_with(ALICE, 2, storage_caps(1));
			assert_ok!(NodeRegistry::allow_customer(RuntimeOrigin::signed(ALICE), node, DAVE));
			assert_ok!(NodeRegistry::allow_customer(RuntimeOrigin::signed(ALICE), node, BOB));
			let total = issuance();
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));

			run_to(1 + RETIRE_COOLDOWN);
			let result = NodeRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), node).unwrap();
			assert_eq!(result.actual_weight, Some(<() as WeightInfo>::withdraw_bond(2)));

			assert!(!Nodes::<Test>::contains_key(node));
			assert_eq!(WorkerKeys::<Test>::get(worker_key(1)), None);
			assert_eq!(OwnerNodes::<Test>::get(ALICE).to_vec(), vec![other]);
			assert_eq!(AllowList::<Test>::iter_prefix(node).count(), 0);
			assert_eq!(held(ALICE), 1_000);
			assert_eq!(Balances::free_balance(ALICE), ENDOWMENT - 1_000);
			assert_eq!(issuance(), total);
			System::assert_last_event(
				Event::NodeRetired { node, owner: ALICE, released: 1_000 }.into(),
			);
			// The worker key can be registered again.
			register_with(BOB, 1, storage_caps(1));
		});
	}

	#[test]
	fn withdrawing_the_last_node_clears_the_owner_entry() {
		ExtBuilder::default().build_and_execute(|| {
			let node = register_with(ALICE, 1, storage_caps(1));
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));
			run_to(1 + RETIRE_COOLDOWN);
			assert_ok!(NodeRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), node));
			assert!(!OwnerNodes::<Test>::contains_key(ALICE));
			assert_eq!(held(ALICE), 0);
			assert_eq!(Balances::free_balance(ALICE), ENDOWMENT);
		});
	}

	#[test]
	fn the_cooldown_boundary_is_exact() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			run_to(10);
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));
			run_to(10 + RETIRE_COOLDOWN - 1);
			assert_noop!(
				NodeRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), node),
				Error::<Test>::CooldownNotElapsed
			);
			run_to(10 + RETIRE_COOLDOWN);
			assert_ok!(NodeRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), node));
		});
	}

	#[test]
	fn in_flight_work_blocks_the_withdrawal() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			NodeRegistry::work_started(node);
			NodeRegistry::work_started(node);
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));
			run_to(1 + RETIRE_COOLDOWN);
			assert_noop!(
				NodeRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), node),
				Error::<Test>::WorkInFlight
			);
			NodeRegistry::work_finished(node);
			assert_noop!(
				NodeRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), node),
				Error::<Test>::WorkInFlight
			);
			NodeRegistry::work_finished(node);
			assert_ok!(NodeRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), node));
		});
	}

	#[test]
	fn a_fully_slashed_node_withdraws_nothing() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_ok!(NodeRegistry::slash(
				RuntimeOrigin::root(),
				node,
				Perbill::one(),
				bytes(b"")
			));
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));
			run_to(1 + RETIRE_COOLDOWN);
			assert_ok!(NodeRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), node));
			System::assert_last_event(
				Event::NodeRetired { node, owner: ALICE, released: 0 }.into(),
			);
			assert_eq!(Balances::free_balance(ALICE), ENDOWMENT - 1_000);
		});
	}

	#[test]
	fn withdraw_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_noop!(
				NodeRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), node),
				Error::<Test>::NotRetiring
			);
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));
			run_to(1 + RETIRE_COOLDOWN);
			assert_noop!(
				NodeRegistry::withdraw_bond(RuntimeOrigin::signed(BOB), node),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				NodeRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), 7),
				Error::<Test>::UnknownNode
			);
			assert_noop!(NodeRegistry::withdraw_bond(RuntimeOrigin::root(), node), BadOrigin);
		});
	}
}

mod access {
	use super::*;

	#[test]
	fn policy_and_allow_list_decide_who_is_served() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert!(NodeRegistry::can_serve(node, &DAVE, ResourceKind::Gpu));

			assert_ok!(NodeRegistry::set_access_policy(
				RuntimeOrigin::signed(ALICE),
				node,
				AccessPolicy::AllowList
			));
			System::assert_last_event(
				Event::AccessPolicySet { node, policy: AccessPolicy::AllowList }.into(),
			);
			assert!(!NodeRegistry::can_serve(node, &DAVE, ResourceKind::Gpu));
			// The owner is always admitted.
			assert!(NodeRegistry::can_serve(node, &ALICE, ResourceKind::Gpu));

			assert_ok!(NodeRegistry::allow_customer(RuntimeOrigin::signed(ALICE), node, DAVE));
			System::assert_last_event(Event::CustomerAllowed { node, customer: DAVE }.into());
			assert_eq!(Nodes::<Test>::get(node).unwrap().allow_list_len, 1);
			assert!(NodeRegistry::can_serve(node, &DAVE, ResourceKind::Gpu));
			assert!(!NodeRegistry::can_serve(node, &BOB, ResourceKind::Gpu));

			assert_ok!(NodeRegistry::revoke_customer(RuntimeOrigin::signed(ALICE), node, DAVE));
			System::assert_last_event(Event::CustomerRevoked { node, customer: DAVE }.into());
			assert_eq!(Nodes::<Test>::get(node).unwrap().allow_list_len, 0);
			assert!(!NodeRegistry::can_serve(node, &DAVE, ResourceKind::Gpu));

			// Back to open: everyone, and the allow-list is kept but irrelevant.
			assert_ok!(NodeRegistry::allow_customer(RuntimeOrigin::signed(ALICE), node, BOB));
			assert_ok!(NodeRegistry::set_access_policy(
				RuntimeOrigin::signed(ALICE),
				node,
				AccessPolicy::Open
			));
			assert!(NodeRegistry::can_serve(node, &DAVE, ResourceKind::Gpu));
		});
	}

	#[test]
	fn set_access_policy_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_noop!(
				NodeRegistry::set_access_policy(
					RuntimeOrigin::signed(BOB),
					node,
					AccessPolicy::Open
				),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				NodeRegistry::set_access_policy(
					RuntimeOrigin::signed(ALICE),
					7,
					AccessPolicy::Open
				),
				Error::<Test>::UnknownNode
			);
			assert_noop!(
				NodeRegistry::set_access_policy(RuntimeOrigin::root(), node, AccessPolicy::Open),
				BadOrigin
			);
		});
	}

	#[test]
	fn allow_customer_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_ok!(NodeRegistry::allow_customer(RuntimeOrigin::signed(ALICE), node, DAVE));
			assert_noop!(
				NodeRegistry::allow_customer(RuntimeOrigin::signed(ALICE), node, DAVE),
				Error::<Test>::AlreadyAllowed
			);
			for customer in [10, 11, 12] {
				assert_ok!(NodeRegistry::allow_customer(
					RuntimeOrigin::signed(ALICE),
					node,
					customer
				));
			}
			assert_noop!(
				NodeRegistry::allow_customer(RuntimeOrigin::signed(ALICE), node, 13),
				Error::<Test>::TooManyAllowed
			);
			assert_noop!(
				NodeRegistry::allow_customer(RuntimeOrigin::signed(BOB), node, 13),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				NodeRegistry::allow_customer(RuntimeOrigin::signed(ALICE), 7, 13),
				Error::<Test>::UnknownNode
			);
			assert_noop!(NodeRegistry::allow_customer(RuntimeOrigin::root(), node, 13), BadOrigin);
		});
	}

	#[test]
	fn revoke_customer_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_noop!(
				NodeRegistry::revoke_customer(RuntimeOrigin::signed(ALICE), node, DAVE),
				Error::<Test>::NotAllowed
			);
			assert_ok!(NodeRegistry::allow_customer(RuntimeOrigin::signed(ALICE), node, DAVE));
			assert_noop!(
				NodeRegistry::revoke_customer(RuntimeOrigin::signed(BOB), node, DAVE),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				NodeRegistry::revoke_customer(RuntimeOrigin::signed(ALICE), 7, DAVE),
				Error::<Test>::UnknownNode
			);
			assert_noop!(
				NodeRegistry::revoke_customer(RuntimeOrigin::root(), node, DAVE),
				BadOrigin
			);
		});
	}
}

mod heartbeats {
	use super::*;

	#[test]
	fn the_signed_payload_is_domain_tag_then_payload() {
		ExtBuilder::default().build_and_execute(|| {
			let heartbeat = Heartbeat { node: 3u64, block_number: 42u64 };
			let expected = [b"ocos/heartbeat".to_vec(), heartbeat.encode()].concat();
			assert_eq!(heartbeat.signing_payload(), expected);
		});
	}

	#[test]
	fn a_heartbeat_is_recorded() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			run_to(11);
			assert_ok!(heartbeat_now(node, 1));
			assert_eq!(Nodes::<Test>::get(node).unwrap().last_heartbeat, 11);
			System::assert_last_event(Event::HeartbeatReceived { node, block_number: 11 }.into());
			assert!(!registry_events().iter().any(|e| matches!(e, Event::NodeBackOnline { .. })));
		});
	}

	#[test]
	fn pending_and_suspended_nodes_may_heartbeat() {
		ExtBuilder::default().build_and_execute(|| {
			let pending = register_with(ALICE, 1, storage_caps(1));
			let suspended = active_node(ALICE, 2);
			assert_ok!(NodeRegistry::suspend(RuntimeOrigin::root(), suspended));
			run_to(11);
			assert_ok!(heartbeat_now(pending, 1));
			assert_ok!(heartbeat_now(suspended, 2));
		});
	}

	#[test]
	fn a_heartbeat_brings_an_offline_node_back() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			run_to(2 + HEARTBEAT_TIMEOUT);
			NodeRegistry::on_idle(System::block_number(), Weight::MAX);
			assert!(Nodes::<Test>::get(node).unwrap().offline);
			assert!(!indexed(ResourceKind::Gpu, node));

			assert_ok!(heartbeat_now(node, 1));
			let record = Nodes::<Test>::get(node).unwrap();
			assert!(!record.offline);
			assert!(indexed(ResourceKind::Gpu, node));
			assert!(indexed(ResourceKind::Storage, node));
			assert!(NodeRegistry::can_serve(node, &DAVE, ResourceKind::Gpu));
			System::assert_has_event(Event::NodeBackOnline { node }.into());
			System::assert_last_event(
				Event::HeartbeatReceived { node, block_number: 2 + HEARTBEAT_TIMEOUT }.into(),
			);
		});
	}

	#[test]
	fn heartbeat_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			run_to(15);
			let call = |block_number: u64, seed: u8| {
				let (heartbeat, signature) = signed_heartbeat(node, block_number, seed);
				NodeRegistry::heartbeat(RuntimeOrigin::none(), heartbeat, signature)
			};
			assert_noop!(call(16, 1), Error::<Test>::HeartbeatFromFuture);
			assert_noop!(call(5, 1), Error::<Test>::HeartbeatExpired);
			assert_noop!(call(15, 2), Error::<Test>::BadSignature);
			let (heartbeat, signature) = signed_heartbeat(7, 15, 1);
			assert_noop!(
				NodeRegistry::heartbeat(RuntimeOrigin::none(), heartbeat, signature),
				Error::<Test>::UnknownNode
			);
			let (heartbeat, signature) = signed_heartbeat(node, 15, 1);
			assert_noop!(
				NodeRegistry::heartbeat(RuntimeOrigin::signed(ALICE), heartbeat, signature),
				BadOrigin
			);
			// Without the domain tag the signature is refused.
			let heartbeat = Heartbeat { node, block_number: 15 };
			let untagged = worker(1).sign(&heartbeat.encode());
			assert_noop!(
				NodeRegistry::heartbeat(RuntimeOrigin::none(), heartbeat, untagged),
				Error::<Test>::BadSignature
			);

			// The oldest acceptable payload, then one period must pass.
			assert_ok!(call(6, 1));
			run_to(24);
			assert_noop!(call(24, 1), Error::<Test>::HeartbeatTooEarly);
			run_to(25);
			assert_ok!(call(25, 1));

			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));
			run_to(40);
			assert_noop!(call(40, 1), Error::<Test>::NodeRetiring);
		});
	}
}

mod unsigned_validation {
	use super::*;

	fn heartbeat_call(node: NodeId, block_number: u64, seed: u8) -> Call<Test> {
		let (heartbeat, signature) = signed_heartbeat(node, block_number, seed);
		Call::heartbeat { heartbeat, signature }
	}

	#[test]
	fn accepts_a_valid_heartbeat_once_per_period() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			run_to(11);
			// Period 1 is blocks 10..20: the transaction lives until block 20.
			let expected = ValidTransaction {
				priority: HEARTBEAT_PRIORITY,
				requires: vec![],
				provides: vec![("OcosNodeHeartbeat", (node, 1u64)).encode()],
				longevity: 9,
				propagate: true,
			};
			assert_eq!(validate(&heartbeat_call(node, 11, 1)), Ok(expected.clone()));
			// Another heartbeat of the node in the same period provides the same tag, so the
			// pool keeps one.
			run_to(13);
			assert_eq!(
				validate(&heartbeat_call(node, 12, 1)).map(|v| v.provides),
				Ok(expected.provides)
			);
			// A payload that expires before the period ends lives only until then.
			assert_eq!(validate(&heartbeat_call(node, 4, 1)).map(|v| v.longevity), Ok(1));
			// The next period has another tag.
			run_to(21);
			assert_eq!(
				validate(&heartbeat_call(node, 21, 1)).map(|v| v.provides),
				Ok(vec![("OcosNodeHeartbeat", (node, 2u64)).encode()])
			);
		});
	}

	#[test]
	fn rejects_invalid_heartbeats() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			run_to(15);
			assert_eq!(
				validate(&heartbeat_call(node, 15, 2)),
				Err(InvalidTransaction::BadProof.into())
			);
			let heartbeat = Heartbeat { node, block_number: 15 };
			let untagged = worker(1).sign(&heartbeat.encode());
			assert_eq!(
				validate(&Call::heartbeat { heartbeat, signature: untagged }),
				Err(InvalidTransaction::BadProof.into())
			);
			assert_eq!(
				validate(&heartbeat_call(node, 5, 1)),
				Err(InvalidTransaction::Stale.into())
			);
			assert_eq!(
				validate(&heartbeat_call(node, 16, 1)),
				Err(InvalidTransaction::Future.into())
			);
			assert_eq!(
				validate(&heartbeat_call(7, 15, 1)),
				Err(InvalidTransaction::Custom(INVALID_UNKNOWN_NODE).into())
			);
			assert_eq!(validate(&Call::retire { node }), Err(InvalidTransaction::Call.into()));
		});
	}

	#[test]
	fn rejects_a_second_heartbeat_in_the_period() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			// Too early: the registration (block 1) counts as the first sign of life.
			run_to(10);
			assert_eq!(
				validate(&heartbeat_call(node, 10, 1)),
				Err(InvalidTransaction::Stale.into())
			);
			run_to(11);
			assert_ok!(heartbeat_now(node, 1));
			run_to(15);
			assert_eq!(
				validate(&heartbeat_call(node, 15, 1)),
				Err(InvalidTransaction::Stale.into())
			);
		});
	}

	#[test]
	fn rejects_a_retiring_node() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));
			run_to(11);
			assert_eq!(
				validate(&heartbeat_call(node, 11, 1)),
				Err(InvalidTransaction::Custom(INVALID_NODE_RETIRING).into())
			);
		});
	}
}

mod liveness {
	use super::*;

	#[test]
	fn can_serve_follows_the_heartbeat_before_the_sweep() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			run_to(1 + HEARTBEAT_TIMEOUT);
			assert!(NodeRegistry::can_serve(node, &DAVE, ResourceKind::Gpu));
			run_to(2 + HEARTBEAT_TIMEOUT);
			assert!(!NodeRegistry::can_serve(node, &DAVE, ResourceKind::Gpu));
			// The index still lists it until the sweep runs.
			assert_eq!(NodeRegistry::active_nodes(ResourceKind::Gpu, None, 10), vec![node]);
			assert_eq!(NodeRegistry::node_info(node).map(|info| info.online), Some(false));
		});
	}

	#[test]
	fn the_sweep_marks_lapsed_active_nodes_once() {
		ExtBuilder::default().build_and_execute(|| {
			let active = active_node(ALICE, 1);
			let pending = register_with(ALICE, 2, storage_caps(1));
			let suspended = active_node(ALICE, 3);
			assert_ok!(NodeRegistry::suspend(RuntimeOrigin::root(), suspended));

			// Not lapsed yet.
			run_to(1 + HEARTBEAT_TIMEOUT);
			NodeRegistry::on_idle(System::block_number(), Weight::MAX);
			assert_eq!(offline_events(), 0);

			run_to(2 + HEARTBEAT_TIMEOUT);
			NodeRegistry::on_idle(System::block_number(), Weight::MAX);
			assert!(Nodes::<Test>::get(active).unwrap().offline);
			assert!(!Nodes::<Test>::get(pending).unwrap().offline);
			assert!(!Nodes::<Test>::get(suspended).unwrap().offline);
			assert!(!indexed(ResourceKind::Gpu, active));
			assert_eq!(
				NodeRegistry::active_nodes(ResourceKind::Gpu, None, 10),
				Vec::<NodeId>::new()
			);
			System::assert_has_event(Event::NodeOffline { node: active }.into());
			assert_eq!(offline_events(), 1);

			NodeRegistry::on_idle(System::block_number(), Weight::MAX);
			NodeRegistry::on_idle(System::block_number(), Weight::MAX);
			assert_eq!(offline_events(), 1);
		});
	}

	#[test]
	fn the_sweep_examines_at_most_max_offline_scan_nodes_per_block() {
		ExtBuilder::default().build_and_execute(|| {
			let mut nodes = vec![];
			for seed in 1..=6u8 {
				let owner = if seed <= 3 { ALICE } else { BOB };
				nodes.push(active_node(owner, seed));
			}
			run_to(2 + HEARTBEAT_TIMEOUT);
			let (base, per_node) = sweep_weights();

			let used = NodeRegistry::on_idle(System::block_number(), Weight::MAX);
			assert_eq!(used, base.saturating_add(per_node.saturating_mul(4)));
			assert_eq!(offline_events(), 4);
			assert!(OfflineCursor::<Test>::get().is_some());

			// The rest, then the end of the map (one more step) resets the cursor.
			let used = NodeRegistry::on_idle(System::block_number(), Weight::MAX);
			assert_eq!(used, base.saturating_add(per_node.saturating_mul(3)));
			assert_eq!(offline_events(), 6);
			assert_eq!(OfflineCursor::<Test>::get(), None);
			for node in nodes {
				assert!(Nodes::<Test>::get(node).unwrap().offline);
			}
		});
	}

	#[test]
	fn the_sweep_stays_within_the_remaining_weight() {
		ExtBuilder::default().build_and_execute(|| {
			active_node(ALICE, 1);
			active_node(ALICE, 2);
			run_to(2 + HEARTBEAT_TIMEOUT);
			let (base, per_node) = sweep_weights();

			assert_eq!(
				NodeRegistry::on_idle(System::block_number(), Weight::zero()),
				Weight::zero()
			);
			assert_eq!(
				NodeRegistry::on_idle(System::block_number(), base),
				base,
				"the base fits but no node does"
			);
			assert_eq!(offline_events(), 0);

			let limit = base.saturating_add(per_node);
			assert_eq!(NodeRegistry::on_idle(System::block_number(), limit), limit);
			assert_eq!(offline_events(), 1);
			NodeRegistry::on_idle(System::block_number(), limit);
			assert_eq!(offline_events(), 2);
		});
	}

	#[test]
	fn the_sweep_skips_removed_cursor_nodes() {
		ExtBuilder::default().build_and_execute(|| {
			let first = active_node(ALICE, 1);
			active_node(ALICE, 2);
			// A cursor pointing at a node that no longer exists still resumes the walk.
			OfflineCursor::<Test>::put(first + 100);
			run_to(2 + HEARTBEAT_TIMEOUT);
			NodeRegistry::on_idle(System::block_number(), Weight::MAX);
			NodeRegistry::on_idle(System::block_number(), Weight::MAX);
			assert_eq!(offline_events(), 2);
		});
	}
}

mod queries {
	use super::*;

	#[test]
	fn node_facts() {
		ExtBuilder::default().build_and_execute(|| {
			let gpu = active_node(ALICE, 1);
			let storage = register_with(BOB, 2, storage_caps(1 << 20));
			assert_eq!(NodeRegistry::owner(gpu), Some(ALICE));
			assert_eq!(NodeRegistry::owner(7), None);
			assert_eq!(NodeRegistry::worker_key(storage), Some(worker_key(2)));
			assert_eq!(NodeRegistry::worker_key(7), None);
			assert_eq!(NodeRegistry::gpu_class(gpu), Some(GpuClass::Standard));
			assert_eq!(NodeRegistry::gpu_class(storage), None);
			assert_eq!(NodeRegistry::gpu_class(7), None);
			assert_eq!(NodeRegistry::storage_capacity(storage), 1 << 20);
			assert_eq!(NodeRegistry::storage_capacity(7), 0);
		});
	}

	#[test]
	fn can_serve_needs_an_active_node_with_the_capability() {
		ExtBuilder::default().build_and_execute(|| {
			let storage_only = register_with(ALICE, 1, storage_caps(1));
			assert!(!NodeRegistry::can_serve(storage_only, &DAVE, ResourceKind::Storage));
			assert_ok!(NodeRegistry::verify(RuntimeOrigin::root(), storage_only));
			assert!(NodeRegistry::can_serve(storage_only, &DAVE, ResourceKind::Storage));
			assert!(!NodeRegistry::can_serve(storage_only, &DAVE, ResourceKind::Gpu));
			assert!(!NodeRegistry::can_serve(7, &DAVE, ResourceKind::Storage));
		});
	}

	#[test]
	fn active_nodes_pages_in_ascending_id_order() {
		ExtBuilder::default().build_and_execute(|| {
			// Ids across a byte boundary, where little-endian keys would sort differently.
			NextNodeId::<Test>::put(254);
			let ids: Vec<NodeId> = (1..=4u8)
				.map(|seed| active_node(if seed <= 3 { ALICE } else { BOB }, seed))
				.collect();
			assert_eq!(ids, vec![254, 255, 256, 257]);
			let storage_only = register_with(CHARLIE, 5, storage_caps(1));
			assert_ok!(NodeRegistry::verify(RuntimeOrigin::root(), storage_only));

			assert_eq!(NodeRegistry::active_nodes(ResourceKind::Gpu, None, 2), vec![254, 255]);
			assert_eq!(NodeRegistry::active_nodes(ResourceKind::Gpu, Some(255), 2), vec![256, 257]);
			assert_eq!(
				NodeRegistry::active_nodes(ResourceKind::Gpu, Some(257), 2),
				Vec::<NodeId>::new()
			);
			assert_eq!(NodeRegistry::active_nodes(ResourceKind::Gpu, Some(100), 1), vec![254]);
			assert_eq!(
				NodeRegistry::active_nodes(ResourceKind::Gpu, None, 0),
				Vec::<NodeId>::new()
			);
			assert_eq!(
				NodeRegistry::active_nodes(ResourceKind::Storage, None, 10),
				vec![254, 255, 256, 257, 258]
			);
			assert_eq!(
				NodeRegistry::active_nodes(ResourceKind::Storage, Some(NodeId::MAX), 10),
				Vec::<NodeId>::new()
			);
		});
	}

	#[test]
	fn node_info_reports_the_record_at_the_current_block() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_ok!(NodeRegistry::allow_customer(RuntimeOrigin::signed(ALICE), node, DAVE));
			NodeRegistry::work_started(node);
			assert_eq!(
				NodeRegistry::node_info(node),
				Some(NodeInfo {
					owner: ALICE,
					worker_key: worker_key(1),
					gpu: Some(GpuInfo {
						class: GpuClass::Standard,
						model: b"RTX 4090".to_vec(),
						vram_mib: 24_576,
					}),
					storage_bytes: 1 << 30,
					region: b"eu-west".to_vec(),
					endpoint: b"/dns/node.example/tcp/4001".to_vec(),
					status: NodeStatus::Active,
					bond: 1_000,
					access: AccessPolicy::Open,
					allow_list_len: 1,
					last_heartbeat: 1,
					online: true,
					in_flight: 1,
					reputation: Perbill::from_percent(50),
					registered_at: 1,
				})
			);
			assert_eq!(NodeRegistry::node_info(7), None);
		});
	}

	#[test]
	fn worker_info_finds_the_node_and_its_next_heartbeat() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_eq!(
				NodeRegistry::worker_info(worker_key(1)),
				Some(crate::WorkerInfo {
					node,
					next_heartbeat: 1 + HEARTBEAT_PERIOD,
					retiring: false,
					storage_bytes: 1 << 30,
				})
			);
			run_to(1 + HEARTBEAT_PERIOD);
			assert_ok!(heartbeat_now(node, 1));
			assert_eq!(
				NodeRegistry::worker_info(worker_key(1)).map(|info| info.next_heartbeat),
				Some(1 + 2 * HEARTBEAT_PERIOD)
			);
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));
			assert_eq!(
				NodeRegistry::worker_info(worker_key(1)).map(|info| info.retiring),
				Some(true)
			);
			assert_eq!(NodeRegistry::worker_info(worker_key(2)), None);
		});
	}
}

mod reputation {
	use super::*;

	fn fixed(n: u128) -> FixedU128 {
		FixedU128::saturating_from_integer(n)
	}

	#[test]
	fn outcome_weights_are_value_based_and_bounded() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(NodeRegistry::outcome_weight(0), 1);
			assert_eq!(NodeRegistry::outcome_weight(VALUE_UNIT - 1), 1);
			assert_eq!(NodeRegistry::outcome_weight(VALUE_UNIT), 1);
			assert_eq!(NodeRegistry::outcome_weight(5 * VALUE_UNIT + 999), 5);
			assert_eq!(
				NodeRegistry::outcome_weight(u128::from(MAX_WEIGHT) * VALUE_UNIT),
				MAX_WEIGHT
			);
			assert_eq!(NodeRegistry::outcome_weight(u128::MAX), MAX_WEIGHT);
		});
	}

	#[test]
	fn a_new_node_scores_one_half() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			assert_eq!(NodeRegistry::reputation(node), Perbill::from_percent(50));
			assert_eq!(NodeRegistry::reputation(7), Perbill::zero());
		});
	}

	#[test]
	fn reports_update_the_beta_score() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			NodeRegistry::report(node, ReputationReason::JobVerified, 3 * VALUE_UNIT);
			// r = 3, s = 0: (3 + 1) / (3 + 2).
			let score = Perbill::from_rational(4u32, 5u32);
			assert_eq!(NodeRegistry::reputation(node), score);
			System::assert_last_event(
				Event::ReputationUpdated { node, reason: ReputationReason::JobVerified, score }
					.into(),
			);

			NodeRegistry::report(node, ReputationReason::ResultMismatch, 0);
			NodeRegistry::report(node, ReputationReason::MissedDeadline, 0);
			NodeRegistry::report(node, ReputationReason::ChallengeFailed, VALUE_UNIT);
			NodeRegistry::report(node, ReputationReason::ChallengePassed, VALUE_UNIT);
			// r = 4, s = 3: (4 + 1) / (4 + 3 + 2).
			assert_eq!(NodeRegistry::reputation(node), Perbill::from_rational(5u32, 9u32));
			let stored = Nodes::<Test>::get(node).unwrap().reputation;
			assert_eq!((stored.positive, stored.negative), (fixed(4), fixed(3)));
		});
	}

	#[test]
	fn evidence_decays_per_epoch() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			NodeRegistry::report(node, ReputationReason::JobVerified, 10 * VALUE_UNIT);
			assert_eq!(NodeRegistry::reputation(node), Perbill::from_rational(11u32, 12u32));

			// One epoch: r = 10 × 0.9 = 9, read without writing.
			run_to(EPOCH_LENGTH);
			assert_eq!(NodeRegistry::current_epoch(), 1);
			assert_eq!(NodeRegistry::reputation(node), Perbill::from_rational(10u32, 11u32));
			assert_eq!(Nodes::<Test>::get(node).unwrap().reputation.epoch, 0);

			// Two epochs: r = 10 × 0.81 = 8.1; a report decays first, then adds.
			run_to(2 * EPOCH_LENGTH);
			NodeRegistry::report(node, ReputationReason::ResultMismatch, VALUE_UNIT);
			let stored = Nodes::<Test>::get(node).unwrap().reputation;
			assert_eq!(stored.epoch, 2);
			assert_eq!(stored.positive, FixedU128::saturating_from_rational(81u32, 10u32));
			assert_eq!(stored.negative, fixed(1));
		});
	}

	#[test]
	fn long_idle_evidence_returns_to_one_half() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			NodeRegistry::report(node, ReputationReason::ResultMismatch, u128::MAX);
			assert!(NodeRegistry::reputation(node) < Perbill::from_percent(10));
			run_to(EPOCH_LENGTH * 10_000);
			assert_eq!(NodeRegistry::reputation(node), Perbill::from_percent(50));
			// Block numbers beyond `u32::MAX` epochs saturate the epoch index.
			run_to(u64::MAX);
			assert_eq!(NodeRegistry::current_epoch(), u32::MAX);
			NodeRegistry::report(node, ReputationReason::JobVerified, 0);
			assert_eq!(NodeRegistry::reputation(node), Perbill::from_rational(2u32, 3u32));
		});
	}

	#[test]
	fn reputation_math_edges() {
		ExtBuilder::default().build_and_execute(|| {
			let retain = Perbill::from_percent(90);
			let some = Reputation { positive: fixed(10), negative: fixed(5), epoch: 3 };
			// No epoch elapsed, or a clock going backwards: unchanged.
			assert_eq!(some.decayed(3, retain), some);
			assert_eq!(some.decayed(1, retain), some);
			// Every epoch there is: rounds down to nothing.
			let gone = some.decayed(u32::MAX, retain);
			assert_eq!((gone.positive, gone.negative, gone.epoch), (fixed(0), fixed(0), u32::MAX));
			assert_eq!(gone.score(), Perbill::from_percent(50));
			// The score stays within [0, 1] at the extremes.
			let max = FixedU128::from_inner(u128::MAX);
			let all_good = Reputation { positive: max, negative: fixed(0), epoch: 0 };
			let all_bad = Reputation { positive: fixed(0), negative: max, epoch: 0 };
			assert!(all_good.score() <= Perbill::one());
			assert!(all_good.score() > Perbill::from_percent(99));
			assert!(all_bad.score() < Perbill::from_percent(1));
			// Adding to a saturated sum saturates.
			let saturated = all_good.record(0, retain, true, u32::MAX);
			assert_eq!(saturated.positive, max);
			// Weights of a report land on the side of the reason.
			let recorded = Reputation::new(0).record(0, retain, false, 7);
			assert_eq!((recorded.positive, recorded.negative), (fixed(0), fixed(7)));
		});
	}

	#[test]
	fn reports_on_unknown_nodes_are_ignored() {
		ExtBuilder::default().build_and_execute(|| {
			NodeRegistry::report(7, ReputationReason::JobVerified, VALUE_UNIT);
			assert!(registry_events().is_empty());
			assert!(!Nodes::<Test>::contains_key(7));
		});
	}
}

mod work {
	use super::*;

	#[test]
	fn in_flight_counts_work() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			NodeRegistry::work_started(node);
			NodeRegistry::work_started(node);
			assert_eq!(Nodes::<Test>::get(node).unwrap().in_flight, 2);
			NodeRegistry::work_finished(node);
			assert_eq!(Nodes::<Test>::get(node).unwrap().in_flight, 1);
		});
	}

	#[test]
	#[cfg_attr(debug_assertions, should_panic(expected = "Defensive failure"))]
	fn finishing_more_work_than_started_is_defensive() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			NodeRegistry::work_finished(node);
			// Release builds log the defensive failure and saturate.
			assert_eq!(Nodes::<Test>::get(node).unwrap().in_flight, 0);
		});
	}

	#[test]
	#[cfg_attr(debug_assertions, should_panic(expected = "Defensive failure"))]
	fn work_on_an_unknown_node_is_defensive() {
		ExtBuilder::default().build_and_execute(|| {
			NodeRegistry::work_started(7);
			assert!(!Nodes::<Test>::contains_key(7));
		});
	}
}

mod params {
	use super::*;

	fn set_epoch_length(length: u64) -> sp_runtime::DispatchResult {
		NodeRegistry::set_params(RuntimeOrigin::root(), None, None, None, None, Some(length))
	}

	#[test]
	fn start_as_the_configured_defaults() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(Params::<Test>::get(), DefaultParams::get());
			assert!(!Params::<Test>::exists());
		});
	}

	#[test]
	fn the_dao_changes_only_the_given_ones() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(NodeRegistry::set_params(
				RuntimeOrigin::root(),
				None,
				Some(4),
				Some(12),
				Some(7),
				None
			));
			let expected = RegistryParams {
				heartbeat_period: 4,
				heartbeat_timeout: 12,
				retire_cooldown: 7,
				..DefaultParams::get()
			};
			assert_eq!(Params::<Test>::get(), expected);
			System::assert_last_event(Event::ParamsSet { params: expected }.into());
		});
	}

	#[test]
	fn only_the_dao_may_change_them() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				NodeRegistry::set_params(
					RuntimeOrigin::signed(ALICE),
					Some(1),
					None,
					None,
					None,
					None
				),
				BadOrigin
			);
		});
	}

	#[test]
	fn a_change_must_change_something() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				NodeRegistry::set_params(RuntimeOrigin::root(), None, None, None, None, None),
				Error::<Test>::NothingToUpdate
			);
			assert_noop!(set_bond(NODE_BOND), Error::<Test>::NothingToUpdate);
		});
	}

	#[test]
	fn invalid_combinations_are_refused() {
		ExtBuilder::default().build_and_execute(|| {
			let set = |period, timeout, epoch| {
				NodeRegistry::set_params(RuntimeOrigin::root(), None, period, timeout, None, epoch)
			};
			assert_noop!(set(Some(0), None, None), Error::<Test>::ZeroHeartbeatPeriod);
			assert_noop!(
				set(None, Some(HEARTBEAT_PERIOD), None),
				Error::<Test>::HeartbeatTimeoutTooShort
			);
			assert_noop!(
				set(Some(HEARTBEAT_TIMEOUT), None, None),
				Error::<Test>::HeartbeatTimeoutTooShort
			);
			assert_noop!(set(None, None, Some(0)), Error::<Test>::ZeroEpochLength);
			// Period and timeout may move together.
			assert_ok!(set(Some(HEARTBEAT_TIMEOUT), Some(HEARTBEAT_TIMEOUT + 1), None));
		});
	}

	#[test]
	fn a_new_bond_applies_to_new_nodes_only() {
		ExtBuilder::default().build_and_execute(|| {
			let old = register_with(ALICE, 1, storage_caps(1));
			assert_ok!(set_bond(3 * NODE_BOND));
			let new = register_with(ALICE, 2, storage_caps(1));
			assert_eq!(Nodes::<Test>::get(old).unwrap().bond, NODE_BOND);
			assert_eq!(Nodes::<Test>::get(new).unwrap().bond, 3 * NODE_BOND);
			assert_eq!(held(ALICE), 4 * NODE_BOND);
		});
	}

	#[test]
	fn a_new_epoch_length_counts_from_the_running_epoch() {
		ExtBuilder::default().build_and_execute(|| {
			run_to(2 * EPOCH_LENGTH + 30);
			assert_eq!(NodeRegistry::current_epoch(), 2);
			// Shorter epochs: epoch 2 began at 200 and 30 blocks are three epochs of 10.
			assert_ok!(set_epoch_length(10));
			assert_eq!(NodeRegistry::current_epoch(), 5);
			run_to(2 * EPOCH_LENGTH + 39);
			assert_eq!(NodeRegistry::current_epoch(), 5);
			run_to(2 * EPOCH_LENGTH + 40);
			assert_eq!(NodeRegistry::current_epoch(), 6);
			// Longer epochs never take the number back.
			assert_ok!(set_epoch_length(1_000));
			assert_eq!(NodeRegistry::current_epoch(), 6);
			run_to(2 * EPOCH_LENGTH + 40 + 999);
			assert_eq!(NodeRegistry::current_epoch(), 6);
			run_to(2 * EPOCH_LENGTH + 40 + 1_000);
			assert_eq!(NodeRegistry::current_epoch(), 7);
		});
	}

	#[test]
	fn a_longer_timeout_brings_a_lapsed_node_back_before_the_sweep() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			run_to(2 + HEARTBEAT_TIMEOUT);
			assert!(!NodeRegistry::can_serve(node, &BOB, ResourceKind::Storage));
			assert_ok!(NodeRegistry::set_params(
				RuntimeOrigin::root(),
				None,
				None,
				Some(2 * HEARTBEAT_TIMEOUT),
				None,
				None
			));
			assert!(NodeRegistry::can_serve(node, &BOB, ResourceKind::Storage));
		});
	}

	#[test]
	fn a_shorter_cooldown_releases_retiring_bonds_sooner() {
		ExtBuilder::default().build_and_execute(|| {
			let node = register_with(ALICE, 1, storage_caps(1));
			assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));
			assert_noop!(
				NodeRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), node),
				Error::<Test>::CooldownNotElapsed
			);
			assert_ok!(NodeRegistry::set_params(
				RuntimeOrigin::root(),
				None,
				None,
				None,
				Some(0),
				None
			));
			assert_ok!(NodeRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), node));
			assert_eq!(held(ALICE), 0);
		});
	}

	#[test]
	fn genesis_may_override_the_defaults() {
		let short = RegistryParams {
			node_bond: 5,
			heartbeat_period: 1,
			heartbeat_timeout: 2,
			retire_cooldown: 3,
			epoch_length: 4,
		};
		ExtBuilder::default().params(short).build_and_execute(|| {
			assert_eq!(Params::<Test>::get(), short);
			run_to(8);
			assert_eq!(NodeRegistry::current_epoch(), 2);
			let node = register_with(ALICE, 1, storage_caps(1));
			assert_eq!(Nodes::<Test>::get(node).unwrap().bond, 5);
		});
	}

	#[test]
	#[should_panic(expected = "genesis registry parameters")]
	fn genesis_refuses_invalid_parameters() {
		let invalid = RegistryParams { epoch_length: 0, ..DefaultParams::get() };
		ExtBuilder::default().params(invalid).build();
	}
}

mod genesis {
	use super::*;

	fn genesis_node(owner: AccountId, seed: u8, gpu: bool) -> GenesisNode<AccountId> {
		GenesisNode {
			owner,
			worker_key: worker_key(seed),
			gpu: gpu.then(|| GenesisGpu {
				class: GpuClass::HighEnd,
				model: b"H100".to_vec(),
				vram_mib: 81_920,
			}),
			storage_bytes: if gpu { 0 } else { 1 << 40 },
		}
	}

	#[test]
	fn genesis_nodes_are_bonded_and_active() {
		ExtBuilder::default()
			.genesis_nodes(vec![genesis_node(ALICE, 1, true), genesis_node(BOB, 2, false)])
			.build_and_execute(|| {
				assert_eq!(NextNodeId::<Test>::get(), 2);
				assert_eq!(status(0), NodeStatus::Active);
				assert_eq!(status(1), NodeStatus::Active);
				assert_eq!(NodeRegistry::active_nodes(ResourceKind::Gpu, None, 10), vec![0]);
				assert_eq!(NodeRegistry::active_nodes(ResourceKind::Storage, None, 10), vec![1]);
				assert_eq!(held(ALICE), 1_000);
				assert_eq!(held(BOB), 1_000);
				assert_eq!(Nodes::<Test>::get(0).unwrap().last_heartbeat, 0);
				assert_eq!(NodeRegistry::gpu_class(0), Some(GpuClass::HighEnd));
				// Genesis nodes heartbeat like any other.
				run_to(HEARTBEAT_PERIOD);
				assert_ok!(heartbeat_now(0, 1));
			});
	}

	#[test]
	#[should_panic(expected = "genesis node must have a unique worker key")]
	fn genesis_rejects_duplicate_worker_keys() {
		ExtBuilder::default()
			.genesis_nodes(vec![genesis_node(ALICE, 1, true), genesis_node(BOB, 1, false)])
			.build();
	}

	#[test]
	#[should_panic(expected = "longer than MaxModelLen")]
	fn genesis_rejects_long_models() {
		let mut node = genesis_node(ALICE, 1, true);
		if let Some(gpu) = node.gpu.as_mut() {
			gpu.model = vec![b'x'; 33];
		}
		ExtBuilder::default().genesis_nodes(vec![node]).build();
	}

	#[test]
	fn genesis_config_round_trips_through_json() {
		let config = crate::GenesisConfig::<Test> {
			params: Some(DefaultParams::get()),
			nodes: vec![genesis_node(ALICE, 1, true)],
		};
		let json = serde_json::to_string(&config).unwrap();
		assert!(json.contains("\"class\":\"HighEnd\""), "{json}");
		assert!(json.contains("\"heartbeatTimeout\":30"), "{json}");
		let back: crate::GenesisConfig<Test> = serde_json::from_str(&json).unwrap();
		assert_eq!(back.nodes, config.nodes);
		assert_eq!(back.params, config.params);
	}
}

mod invariants {
	use super::*;

	#[test]
	fn integrity_test_passes() {
		ExtBuilder::default().build_and_execute(|| {
			NodeRegistry::integrity_test();
		});
	}

	#[test]
	fn try_state_detects_a_stale_index() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			ActiveNodes::<Test>::remove(ResourceKind::Gpu, index_key(node));
			assert!(NodeRegistry::do_try_state().is_err());
			ActiveNodes::<Test>::insert(ResourceKind::Gpu, index_key(node), ());
			assert_ok!(NodeRegistry::do_try_state());

			// An entry for a node that is not active.
			let pending = register_with(ALICE, 2, storage_caps(1));
			ActiveNodes::<Test>::insert(ResourceKind::Storage, index_key(pending), ());
			assert!(NodeRegistry::do_try_state().is_err());
			ActiveNodes::<Test>::remove(ResourceKind::Storage, index_key(pending));
		});
	}

	#[test]
	fn try_state_detects_bond_and_counter_mismatches() {
		ExtBuilder::default().build_and_execute(|| {
			let node = active_node(ALICE, 1);
			Nodes::<Test>::mutate(node, |record| {
				if let Some(record) = record {
					record.bond = 999;
				}
			});
			assert!(NodeRegistry::do_try_state().is_err());
			Nodes::<Test>::mutate(node, |record| {
				if let Some(record) = record {
					record.bond = 1_000;
				}
			});

			AllowList::<Test>::insert(node, DAVE, ());
			assert!(NodeRegistry::do_try_state().is_err());
			AllowList::<Test>::remove(node, DAVE);

			WorkerKeys::<Test>::insert(worker_key(9), node);
			assert!(NodeRegistry::do_try_state().is_err());
			WorkerKeys::<Test>::remove(worker_key(9));

			OwnerNodes::<Test>::mutate(BOB, |nodes| nodes.try_push(node).unwrap());
			assert!(NodeRegistry::do_try_state().is_err());
			OwnerNodes::<Test>::remove(BOB);
		});
	}

	#[test]
	fn every_transition_keeps_the_index_consistent() {
		ExtBuilder::default().build_and_execute(|| {
			let node = register_with(ALICE, 1, gpu_caps(GpuClass::Entry, 4_096, 1 << 20));
			let steps: Vec<Box<dyn Fn()>> = vec![
				Box::new(move || {
					assert_ok!(NodeRegistry::verify(RuntimeOrigin::root(), node));
				}),
				Box::new(move || {
					assert_ok!(NodeRegistry::suspend(RuntimeOrigin::root(), node));
				}),
				Box::new(move || {
					assert_ok!(NodeRegistry::resume(RuntimeOrigin::root(), node));
				}),
				Box::new(move || {
					assert_ok!(NodeRegistry::update(
						RuntimeOrigin::signed(ALICE),
						node,
						None,
						Some(storage_caps(1 << 20)),
						None
					));
				}),
				Box::new(move || {
					run_to(2 + HEARTBEAT_TIMEOUT);
					NodeRegistry::on_idle(System::block_number(), Weight::MAX);
				}),
				Box::new(move || {
					assert_ok!(heartbeat_now(node, 1));
				}),
				Box::new(move || {
					assert_ok!(NodeRegistry::retire(RuntimeOrigin::signed(ALICE), node));
				}),
				Box::new(move || {
					run_to(System::block_number() + RETIRE_COOLDOWN);
					assert_ok!(NodeRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), node));
				}),
			];
			for step in steps {
				step();
				assert_ok!(NodeRegistry::do_try_state());
			}
			assert_eq!(ActiveNodes::<Test>::iter().count(), 0);
		});
	}
}
