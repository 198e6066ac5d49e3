//! Unit tests: every call and error, assignment, the quorum rule with median metering and
//! reputation, deferred settlement, deadlines with reassignment and refund, cancellation,
//! attestation pool validation, the runtime API queries and the invariants. Every test ends
//! with `do_try_state` and a check that the mocks agree with the pallet.

use crate::{
	assignment_rank, lower_median, mock::*, quorum, Attestation, Call, CandidateCursor, Deadlines,
	Determinism, Error, Event, FailureKind, JobFailure, JobInfo, JobSpec, JobSpecInfo, JobSpecs,
	JobStatus, JobStatusInfo, Jobs, NextJobId, NodeJobs, Outcome, OutcomeInfo, Payment,
	ReplicaInfo, ShaderSource, ShaderSourceInfo, WeightInfo, WorkItem, Workgroups,
	INVALID_NOT_ASSIGNED, INVALID_OUTCOME, INVALID_UNKNOWN_JOB, INVALID_UNKNOWN_NODE,
	MAX_WORKGROUPS_PER_DIMENSION,
};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, dispatch::DispatchResultWithPostInfo, traits::Hooks};
use ocos_primitives::{GpuClass, NodeId, ReputationReason, Resource};
use sp_core::Pair;
#[allow(deprecated)]
use sp_runtime::traits::ValidateUnsigned;
use sp_runtime::{
	traits::BadOrigin,
	transaction_validity::{
		InvalidTransaction, TransactionSource, TransactionValidity, ValidTransaction,
	},
	DispatchError, TokenError,
};

/// The events this pallet deposited, oldest first.
fn compute_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Compute(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// The last `count` events of this pallet, oldest first.
fn last_events(count: usize) -> Vec<Event<Test>> {
	let events = compute_events();
	events[events.len().saturating_sub(count)..].to_vec()
}

/// Pool validation of an unsigned call.
#[allow(deprecated)]
fn validate(call: &Call<Test>) -> TransactionValidity {
	<Compute as ValidateUnsigned>::validate_unsigned(TransactionSource::External, call)
}

/// The `attest` call of `node` on `job`, signed by the node's worker.
fn attest_call(job: u64, node: NodeId, outcome: Outcome<Test>) -> Call<Test> {
	let (attestation, signature) = signed(job, node, outcome);
	Call::attest { attestation, signature }
}

/// The stored status of `job`.
fn status(job: u64) -> JobStatus<Test> {
	Jobs::<Test>::get(job).expect("job exists").status
}

/// Whether `job` is open.
fn is_open(job: u64) -> bool {
	Jobs::<Test>::get(job).expect("job exists").is_open()
}

/// `who` cancels `job`.
fn cancel(who: AccountId, job: u64) -> DispatchResultWithPostInfo {
	Compute::cancel_job(RuntimeOrigin::signed(who), job)
}

/// The default spec with float determinism.
fn float_spec() -> JobSpec<Test> {
	JobSpec { determinism: Determinism::Float, ..spec() }
}

/// A failure report.
fn failed(kind: FailureKind) -> Outcome<Test> {
	Outcome::Failed(kind)
}

/// A completion without output CID.
fn without_cid() -> Outcome<Test> {
	Outcome::Completed { output_cid: bytes(b""), output_hash: [7; 32], gpu_millis: 1 }
}

/// A replica's share of a job of [`BUDGET`] with `replication`, as reputation values it.
fn share(replication: u64) -> u128 {
	u128::from(BUDGET / replication)
}

mod submit {
	use super::*;

	#[test]
	fn submits_and_assigns_the_best_nodes() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(4);
			let job = submit(ALICE, 3);
			assert_eq!(job, 0);

			let record = Jobs::<Test>::get(job).unwrap();
			assert_eq!(record.customer, ALICE);
			assert_eq!(record.gpu_class, GpuClass::Standard);
			assert_eq!(record.determinism, Determinism::BitExact);
			assert_eq!(record.replication, 3);
			assert_eq!(record.budget, BUDGET);
			assert_eq!(record.submitted_at, 1);
			assert_eq!(record.duration, DEADLINE);
			assert_eq!(record.deadline, 1 + DEADLINE);
			assert_eq!(record.attempt, 1);
			assert_eq!(record.status, JobStatus::Assigned);
			assert!(record.dropped.is_empty());
			assert_eq!(assigned(job), nodes[..3].to_vec());
			let owners: Vec<AccountId> = record.replicas.iter().map(|r| r.owner).collect();
			assert_eq!(owners, vec![OWNER_BASE, OWNER_BASE + 1, OWNER_BASE + 2]);
			assert!(record.replicas.iter().all(|r| r.outcome.is_none()));

			assert_eq!(JobSpecs::<Test>::get(job), Some(spec()));
			assert_eq!(NextJobId::<Test>::get(), 1);
			assert_eq!(Deadlines::<Test>::get(1 + DEADLINE).to_vec(), vec![job]);
			for node in &nodes[..3] {
				assert_eq!(NodeJobs::<Test>::get(node).to_vec(), vec![job]);
				assert_eq!(MockRegistry::in_flight(*node), 1);
			}
			assert!(NodeJobs::<Test>::get(nodes[3]).is_empty());
			assert_eq!(MockBilling::held(ALICE), BUDGET);
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT - BUDGET);
			assert_eq!(
				compute_events(),
				vec![
					Event::JobSubmitted { job, customer: ALICE, budget: BUDGET, replication: 3 },
					Event::JobAssigned {
						job,
						attempt: 1,
						nodes: bounded(nodes[..3].to_vec()),
						deadline: 1 + DEADLINE,
					},
				]
			);
		});
	}

	#[test]
	fn the_actual_weight_counts_the_candidates() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(4);
			let info = submit_spec(ALICE, spec(), 2, BUDGET).unwrap();
			assert_eq!(info.actual_weight, Some(<() as WeightInfo>::submit_job(4, 2)));
		});
	}

	#[test]
	fn equal_reputations_are_ranked_by_the_assignment_hash() {
		ExtBuilder::default().build_and_execute(|| {
			let mut nodes: Vec<NodeId> = (0..5u8)
				.map(|i| gpu_node(OWNER_BASE + u64::from(i), i + 1, GpuClass::Standard, 50))
				.collect();
			nodes.sort_by_key(|node| assignment_rank(0, *node));
			let job = submit(ALICE, 3);
			assert_eq!(assigned(job), nodes[..3].to_vec());
		});
	}

	#[test]
	fn better_classes_qualify_and_lower_ones_do_not() {
		ExtBuilder::default().build_and_execute(|| {
			let entry = gpu_node(OWNER_BASE, 1, GpuClass::Entry, 99);
			let high_end = gpu_node(OWNER_BASE + 1, 2, GpuClass::HighEnd, 10);
			let standard = gpu_node(OWNER_BASE + 2, 3, GpuClass::Standard, 50);
			let job = submit(ALICE, 2);
			assert_eq!(assigned(job), vec![standard, high_end]);
			assert!(NodeJobs::<Test>::get(entry).is_empty());
		});
	}

	#[test]
	fn an_owner_gets_at_most_one_replica() {
		ExtBuilder::default().build_and_execute(|| {
			let best = gpu_node(OWNER_BASE, 1, GpuClass::Standard, 90);
			let _second = gpu_node(OWNER_BASE, 2, GpuClass::Standard, 80);
			let other = gpu_node(OWNER_BASE + 1, 3, GpuClass::Standard, 70);
			let job = submit(ALICE, 2);
			assert_eq!(assigned(job), vec![best, other]);
			assert_noop!(submit_spec(ALICE, spec(), 3, BUDGET), Error::<Test>::NotEnoughNodes);
		});
	}

	#[test]
	fn ineligible_nodes_are_skipped() {
		ExtBuilder::default().build_and_execute(|| {
			let inactive = gpu_node(OWNER_BASE, 1, GpuClass::Standard, 99);
			MockRegistry::mutate(inactive, |node| node.active = false);
			let offline = gpu_node(OWNER_BASE + 1, 2, GpuClass::Standard, 98);
			MockRegistry::mutate(offline, |node| node.live = false);
			let private = gpu_node(OWNER_BASE + 2, 3, GpuClass::Standard, 97);
			MockRegistry::mutate(private, |node| node.allow_list = Some(vec![CHARLIE]));
			let busy = gpu_node(OWNER_BASE + 3, 4, GpuClass::Standard, 96);
			let spare = gpu_node(OWNER_BASE + 4, 5, GpuClass::Standard, 10);
			let storage_only =
				MockRegistry::add(MockNode::storage(OWNER_BASE + 5, 6, 1 << 20, 100));

			// Bob's jobs fill the best node open to him up to `MaxJobsPerNode`.
			for i in 0..MAX_JOBS_PER_NODE {
				let job = NextJobId::<Test>::get();
				let deadline = DEADLINE + u64::from(i);
				assert_ok!(submit_spec(BOB, spec_with_deadline(deadline), 1, BUDGET));
				assert_eq!(assigned(job), vec![busy]);
			}
			// Alice gets the only node left for her.
			let job = submit(ALICE, 1);
			assert_eq!(assigned(job), vec![spare]);
			// Charlie is on the allow-list of `private`.
			let job = NextJobId::<Test>::get();
			assert_ok!(submit_spec(CHARLIE, spec_with_deadline(20), 1, BUDGET));
			assert_eq!(assigned(job), vec![private]);

			for node in [inactive, offline, storage_only] {
				assert!(NodeJobs::<Test>::get(node).is_empty());
			}
		});
	}

	#[test]
	fn too_few_eligible_nodes_hold_nothing() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(2);
			assert_noop!(submit_spec(ALICE, spec(), 3, BUDGET), Error::<Test>::NotEnoughNodes);
			assert_eq!(MockBilling::held(ALICE), 0);
		});
	}

	#[test]
	fn the_spec_is_checked() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(MAX_REPLICATION as u8);
			let check = |spec: JobSpec<Test>, replication: u32, error: Error<Test>| {
				assert_noop!(submit_spec(ALICE, spec, replication, BUDGET), error);
			};
			check(spec(), 0, Error::<Test>::InvalidReplication);
			check(spec(), MAX_REPLICATION + 1, Error::<Test>::InvalidReplication);
			check(spec_with_deadline(MIN_DEADLINE - 1), 1, Error::<Test>::DeadlineTooShort);
			check(spec_with_deadline(MAX_DEADLINE + 1), 1, Error::<Test>::DeadlineTooLong);
			check(JobSpec { output_size: 0, ..spec() }, 1, Error::<Test>::InvalidOutputSize);
			check(
				JobSpec { output_size: MAX_OUTPUT + 1, ..spec() },
				1,
				Error::<Test>::InvalidOutputSize,
			);
			check(
				JobSpec { workgroups: Workgroups { x: 0, y: 1, z: 1 }, ..spec() },
				1,
				Error::<Test>::InvalidWorkgroups,
			);
			check(
				JobSpec {
					workgroups: Workgroups { x: 1, y: 1, z: MAX_WORKGROUPS_PER_DIMENSION + 1 },
					..spec()
				},
				1,
				Error::<Test>::InvalidWorkgroups,
			);
			check(JobSpec { entry_point: bytes(b""), ..spec() }, 1, Error::<Test>::EmptyEntryPoint);
			check(
				JobSpec { source: ShaderSource::Inline(bytes(b"")), ..spec() },
				1,
				Error::<Test>::EmptySource,
			);
			check(
				JobSpec { source: ShaderSource::Ipfs(bytes(b"")), ..spec() },
				1,
				Error::<Test>::EmptySource,
			);
			check(
				JobSpec { inputs: bounded(vec![bytes(b"bafyinput"), bytes(b"")]), ..spec() },
				1,
				Error::<Test>::InvalidCid,
			);

			// The bounds themselves are accepted.
			let largest = MAX_WORKGROUPS_PER_DIMENSION;
			assert_ok!(submit_spec(
				ALICE,
				JobSpec {
					source: ShaderSource::Ipfs(bytes(b"bafysource")),
					workgroups: Workgroups { x: largest, y: largest, z: largest },
					inputs: bounded(vec![]),
					output_size: MAX_OUTPUT,
					..spec_with_deadline(MIN_DEADLINE)
				},
				MAX_REPLICATION,
				BUDGET,
			));
			assert_ok!(submit_spec(ALICE, spec_with_deadline(MAX_DEADLINE), 1, BUDGET));
		});
	}

	#[test]
	fn the_budget_is_checked_and_held() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(1);
			assert_noop!(submit_spec(ALICE, spec(), 1, 0), Error::<Test>::ZeroBudget);
			assert_noop!(submit_spec(ALICE, spec(), 1, PRICE - 1), Error::<Test>::BudgetTooLow);
			// Billing's refusal to hold is passed on, and nothing is assigned.
			assert_noop!(submit_spec(DAVE, spec(), 1, BUDGET), TokenError::FundsUnavailable);
			// The price of one GPU-millisecond is enough.
			assert_ok!(submit_spec(ALICE, spec(), 1, PRICE));
			assert_eq!(MockBilling::held(ALICE), PRICE);
		});
	}

	#[test]
	fn deadline_buckets_are_bounded() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(3);
			for _ in 0..MAX_JOBS_PER_BLOCK {
				submit(ALICE, 1);
			}
			assert_noop!(submit_spec(ALICE, spec(), 1, BUDGET), Error::<Test>::DeadlineBucketFull);
			// Another deadline block has room.
			assert_ok!(submit_spec(ALICE, spec_with_deadline(DEADLINE + 1), 1, BUDGET));
		});
	}

	#[test]
	fn job_ids_can_be_exhausted() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(1);
			NextJobId::<Test>::put(u64::MAX);
			assert_noop!(submit_spec(ALICE, spec(), 1, BUDGET), Error::<Test>::JobIdOverflow);
		});
	}

	#[test]
	fn requires_a_signed_origin() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(1);
			for origin in [RuntimeOrigin::root(), RuntimeOrigin::none()] {
				assert_noop!(Compute::submit_job(origin, spec(), 1, BUDGET), BadOrigin);
			}
		});
	}

	#[test]
	fn the_candidate_window_rotates() {
		ExtBuilder::default().build_and_execute(|| {
			MaxCandidates::set(2);
			let nodes: Vec<NodeId> = (0..5u8)
				.map(|i| {
					let reputation = 10 + 10 * u32::from(i);
					gpu_node(OWNER_BASE + u64::from(i), i + 1, GpuClass::Standard, reputation)
				})
				.collect();
			// Windows [0, 1], [2, 3], [4, 0] (wrapped), [1, 2]; the better node of each wins.
			let expected = [
				(nodes[1], Some(nodes[1])),
				(nodes[3], Some(nodes[3])),
				(nodes[4], Some(nodes[0])),
				(nodes[2], Some(nodes[2])),
			];
			for (i, (chosen, cursor)) in expected.into_iter().enumerate() {
				let job = NextJobId::<Test>::get();
				let deadline = DEADLINE + i as u64;
				assert_ok!(submit_spec(ALICE, spec_with_deadline(deadline), 1, BUDGET));
				assert_eq!(assigned(job), vec![chosen]);
				assert_eq!(CandidateCursor::<Test>::get(), cursor);
			}
		});
	}

	#[test]
	fn a_small_network_is_scanned_whole() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(3);
			submit(ALICE, 1);
			assert_eq!(CandidateCursor::<Test>::get(), None);
		});
	}
}

mod attest {
	use super::*;

	#[test]
	fn records_an_attestation() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(4);
			let job = submit(ALICE, 3);
			assert_ok!(attest(job, nodes[0], completed(7, 1_000)));

			let record = Jobs::<Test>::get(job).unwrap();
			assert_eq!(record.replicas[0].outcome, Some(completed(7, 1_000)));
			assert!(record.is_open());
			System::assert_last_event(
				Event::Attested { job, node: nodes[0], outcome: completed(7, 1_000) }.into(),
			);
			assert!(Compute::pending_work(nodes[0]).is_empty());
			assert_eq!(Compute::pending_work(nodes[1]).len(), 1);
			// The node stays assigned until the job ends.
			assert_eq!(MockRegistry::in_flight(nodes[0]), 1);
			assert!(MockRegistry::reports().is_empty());
		});
	}

	#[test]
	fn the_actual_weight_follows_the_replication() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(2);
			let job = submit(ALICE, 2);
			let info = attest(job, nodes[0], completed(7, 1)).unwrap();
			assert_eq!(info.actual_weight, Some(<() as WeightInfo>::attest(2)));
		});
	}

	#[test]
	fn a_majority_completes_the_job_and_pays_the_median() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(4);
			let job = submit(ALICE, 3);
			assert_ok!(attest(job, nodes[0], completed(7, 1_000)));
			assert_ok!(attest(job, nodes[1], completed(7, 3_000)));

			// Each agreeing replica is paid the lower median of 1 000 and 3 000.
			let charged = 2 * 1_000 * PRICE;
			assert_eq!(
				status(job),
				JobStatus::Completed {
					output_cid: bytes(b"bafyout"),
					output_hash: [7; 32],
					gpu_millis: 1_000,
					payment: Payment::Settled { charged, quota_units: 0 },
				}
			);
			assert_eq!(
				MockBilling::settlements(),
				vec![SettleCall {
					customer: ALICE,
					held: BUDGET,
					resource: Resource::GpuMillis(GpuClass::Standard),
					usage: vec![(OWNER_BASE, 1_000), (OWNER_BASE + 1, 1_000)],
				}]
			);
			assert_eq!(MockBilling::held(ALICE), 0);
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT - charged);
			assert_eq!(MockBilling::paid(OWNER_BASE), 1_000 * PRICE);
			assert_eq!(MockBilling::paid(OWNER_BASE + 1), 1_000 * PRICE);
			assert_eq!(
				MockRegistry::reports(),
				vec![
					(nodes[0], ReputationReason::JobVerified, 2_000),
					(nodes[1], ReputationReason::JobVerified, 2_000),
				]
			);

			// Every replica is released, the silent one without reputation change.
			for node in &nodes[..3] {
				assert!(NodeJobs::<Test>::get(node).is_empty());
				assert_eq!(MockRegistry::in_flight(*node), 0);
			}
			assert!(Deadlines::<Test>::get(1 + DEADLINE).is_empty());
			assert!(JobSpecs::<Test>::get(job).is_none());
			assert_eq!(
				last_events(2),
				vec![
					Event::JobCompleted {
						job,
						output_cid: bytes(b"bafyout"),
						output_hash: [7; 32],
						gpu_millis: 1_000,
						nodes: bounded(vec![nodes[0], nodes[1]]),
					},
					Event::JobSettled { job, charged, quota_units: 0, released: BUDGET - charged },
				]
			);

			// The job is closed: the third replica's report comes too late.
			assert_noop!(attest(job, nodes[2], completed(7, 1_000)), Error::<Test>::JobClosed);
			// Nothing happens at the old deadline.
			run_to(1 + DEADLINE);
			assert!(matches!(status(job), JobStatus::Completed { .. }));
		});
	}

	#[test]
	fn five_replicas_pay_the_median_and_penalise_a_bit_exact_dissenter() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(6);
			let job = submit(ALICE, 5);
			assert_eq!(assigned(job), nodes[..5].to_vec());
			assert_ok!(attest(job, nodes[0], completed(7, 500)));
			assert_ok!(attest(job, nodes[1], completed(7, 9_000)));
			assert_ok!(attest(job, nodes[2], completed(8, 100)));
			assert!(is_open(job));
			assert_ok!(attest(job, nodes[3], completed(7, 1_500)));

			// The median of 500, 9 000 and 1 500: an inflated report changes nothing.
			assert!(matches!(status(job), JobStatus::Completed { gpu_millis: 1_500, .. }));
			assert_eq!(
				MockBilling::settlements()[0].usage,
				vec![(OWNER_BASE, 1_500), (OWNER_BASE + 1, 1_500), (OWNER_BASE + 3, 1_500)]
			);
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT - 3 * 1_500 * PRICE);
			assert_eq!(
				MockRegistry::reports(),
				vec![
					(nodes[0], ReputationReason::JobVerified, 3_000),
					(nodes[1], ReputationReason::JobVerified, 3_000),
					(nodes[2], ReputationReason::ResultMismatch, share(5)),
					(nodes[3], ReputationReason::JobVerified, 3_000),
				]
			);
			System::assert_has_event(Event::ResultMismatch { job, node: nodes[2] }.into());
			assert_eq!(MockRegistry::in_flight(nodes[4]), 0);
		});
	}

	#[test]
	fn the_charge_is_capped_by_the_budget() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(2);
			assert_ok!(submit_spec(ALICE, spec(), 2, 3_000));
			assert_ok!(attest(0, nodes[0], completed(7, 1_000)));
			assert_ok!(attest(0, nodes[1], completed(7, 1_000)));
			// 2 × 1 000 ms × 2 = 4 000 exceeds the budget of 3 000.
			assert!(matches!(
				status(0),
				JobStatus::Completed { payment: Payment::Settled { charged: 3_000, .. }, .. }
			));
			assert_eq!(MockBilling::settlements()[0].held, 3_000);
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT - 3_000);
		});
	}

	#[test]
	fn a_failure_against_a_completing_majority_is_penalised() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(3);
			let job = submit(ALICE, 3);
			assert_ok!(attest(job, nodes[0], failed(FailureKind::Timeout)));
			assert_ok!(attest(job, nodes[1], completed(7, 1_000)));
			// One hash and one replica to go can still make two.
			assert!(is_open(job));
			assert_ok!(attest(job, nodes[2], completed(7, 1_000)));
			assert!(matches!(status(job), JobStatus::Completed { .. }));
			assert_eq!(
				MockRegistry::reports()[0],
				(nodes[0], ReputationReason::ResultMismatch, share(3))
			);
		});
	}

	#[test]
	fn float_jobs_do_not_penalise_another_hash_but_do_penalise_failures() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(3);
			assert_ok!(submit_spec(ALICE, float_spec(), 3, BUDGET));
			assert_ok!(attest(0, nodes[0], completed(8, 1_000)));
			assert_ok!(attest(0, nodes[1], completed(7, 1_000)));
			assert_ok!(attest(0, nodes[2], completed(7, 1_000)));
			assert!(matches!(
				status(0),
				JobStatus::Completed { output_hash, .. } if output_hash == [7; 32]
			));
			assert_eq!(
				MockRegistry::reports(),
				vec![
					(nodes[1], ReputationReason::JobVerified, 2_000),
					(nodes[2], ReputationReason::JobVerified, 2_000),
				]
			);
			assert!(!compute_events().iter().any(|e| matches!(e, Event::ResultMismatch { .. })));

			assert_ok!(submit_spec(ALICE, float_spec(), 3, BUDGET));
			assert_ok!(attest(1, nodes[0], failed(FailureKind::ExecutionError)));
			assert_ok!(attest(1, nodes[1], completed(7, 1_000)));
			assert_ok!(attest(1, nodes[2], completed(7, 1_000)));
			assert!(MockRegistry::reports().contains(&(
				nodes[0],
				ReputationReason::ResultMismatch,
				share(3)
			)));
		});
	}

	#[test]
	fn a_majority_failure_refunds_without_penalty() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(3);
			let job = submit(ALICE, 3);
			assert_ok!(attest(job, nodes[0], failed(FailureKind::InvalidShader)));
			assert_ok!(attest(job, nodes[1], failed(FailureKind::InvalidShader)));

			let reason = JobFailure::Reported(FailureKind::InvalidShader);
			assert_eq!(status(job), JobStatus::Failed(reason));
			assert_eq!(MockBilling::held(ALICE), 0);
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT);
			assert!(MockRegistry::reports().is_empty());
			assert!(MockBilling::settlements().is_empty());
			for node in &nodes {
				assert_eq!(MockRegistry::in_flight(*node), 0);
			}
			assert!(JobSpecs::<Test>::get(job).is_none());
			System::assert_last_event(Event::JobFailed { job, reason, refunded: BUDGET }.into());
		});
	}

	#[test]
	fn disagreement_fails_with_no_quorum() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(2);
			let job = submit(ALICE, 2);
			assert_ok!(attest(job, nodes[0], completed(7, 1_000)));
			assert!(is_open(job));
			assert_ok!(attest(job, nodes[1], completed(8, 1_000)));
			assert_eq!(status(job), JobStatus::Failed(JobFailure::NoQuorum));
			assert!(MockRegistry::reports().is_empty());
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT);
		});
	}

	#[test]
	fn a_failure_reported_by_one_of_two_replicas_waits_for_the_other() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(2);
			let job = submit(ALICE, 2);
			assert_ok!(attest(job, nodes[0], failed(FailureKind::InvalidShader)));
			// No hash can win any more, but the failure can still reach the quorum of two.
			assert!(is_open(job));
			assert_ok!(attest(job, nodes[1], failed(FailureKind::InvalidShader)));
			let reason = JobFailure::Reported(FailureKind::InvalidShader);
			assert_eq!(status(job), JobStatus::Failed(reason));
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT);
		});
	}

	#[test]
	fn a_job_fails_as_soon_as_no_outcome_can_win() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(5);
			let job = submit(ALICE, 5);
			assert_ok!(attest(job, nodes[0], failed(FailureKind::InvalidShader)));
			assert_ok!(attest(job, nodes[1], failed(FailureKind::Timeout)));
			assert_ok!(attest(job, nodes[2], failed(FailureKind::OutOfMemory)));
			// Each failure kind could still reach three with the two replicas yet to report.
			assert!(is_open(job));
			assert_ok!(attest(job, nodes[3], completed(7, 1_000)));
			// One replica has not reported, but no hash and no failure can reach three any more.
			assert_eq!(status(job), JobStatus::Failed(JobFailure::NoQuorum));
			for node in &nodes {
				assert_eq!(MockRegistry::in_flight(*node), 0);
			}
			assert!(Compute::pending_work(nodes[4]).is_empty());
			assert!(MockRegistry::reports().is_empty());
		});
	}

	#[test]
	fn a_single_replica_decides_alone() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(1);
			let job = submit(ALICE, 1);
			assert_ok!(attest(job, nodes[0], completed(7, 250)));
			assert!(matches!(status(job), JobStatus::Completed { gpu_millis: 250, .. }));
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT - 250 * PRICE);
		});
	}

	#[test]
	fn attest_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(4);
			let job = submit(ALICE, 3);
			assert_noop!(attest(job + 1, nodes[0], completed(7, 1)), Error::<Test>::UnknownJob);
			assert_noop!(attest(job, nodes[3], completed(7, 1)), Error::<Test>::NotAssigned);
			assert_noop!(attest(job, nodes[0], without_cid()), Error::<Test>::InvalidOutcome);

			// Signed by another worker, or without the domain tag.
			let (attestation, signature) = signed_by(job, nodes[0], completed(7, 1), 9);
			assert_noop!(
				Compute::attest(RuntimeOrigin::none(), attestation, signature),
				Error::<Test>::BadSignature
			);
			let attestation = Attestation { job, node: nodes[0], outcome: completed(7, 1) };
			let untagged = worker(1).sign(&attestation.encode());
			assert_noop!(
				Compute::attest(RuntimeOrigin::none(), attestation, untagged),
				Error::<Test>::BadSignature
			);
			// Only unsigned.
			let (attestation, signature) = signed(job, nodes[0], completed(7, 1));
			assert_noop!(
				Compute::attest(RuntimeOrigin::signed(ALICE), attestation, signature),
				BadOrigin
			);
			// Once per node.
			assert_ok!(attest(job, nodes[0], completed(7, 1)));
			assert_noop!(attest(job, nodes[0], completed(7, 1)), Error::<Test>::AlreadyAttested);
		});
	}

	#[test]
	fn a_node_without_worker_key_cannot_attest() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(3);
			let job = submit(ALICE, 3);
			MockRegistry::remove(nodes[1]);
			assert_noop!(attest(job, nodes[1], completed(7, 1)), Error::<Test>::UnknownNode);
		});
	}

	#[test]
	fn attestations_end_with_the_job() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(3);
			let job = submit(ALICE, 3);
			assert_ok!(cancel(ALICE, job));
			assert_noop!(attest(job, nodes[0], completed(7, 1)), Error::<Test>::JobClosed);
		});
	}

	#[test]
	fn attestations_stop_at_the_deadline() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(3);
			let job = submit(ALICE, 3);
			let deadline = 1 + DEADLINE;
			run_to(deadline - 1);
			assert_ok!(attest(job, nodes[0], completed(7, 1)));
			// The hook would have dealt with the job first; without it the call refuses too.
			System::set_block_number(deadline);
			assert_noop!(attest(job, nodes[1], completed(7, 1)), Error::<Test>::DeadlinePassed);
			Compute::on_initialize(deadline);
			assert_eq!(status(job), JobStatus::Failed(JobFailure::Expired));
		});
	}
}

mod settlement {
	use super::*;

	#[test]
	fn a_failed_settlement_is_deferred_and_retried() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(2);
			let job = submit(ALICE, 2);
			set_gpu_price(None);
			assert_ok!(attest(job, nodes[0], completed(7, 1_000)));
			assert_ok!(attest(job, nodes[1], completed(7, 1_000)));

			assert_eq!(
				status(job),
				JobStatus::Completed {
					output_cid: bytes(b"bafyout"),
					output_hash: [7; 32],
					gpu_millis: 1_000,
					payment: Payment::Pending,
				}
			);
			System::assert_last_event(
				Event::SettlementDeferred { job, error: DispatchError::Unavailable }.into(),
			);
			// The quorum stands: reputations and releases happened; the budget stays held.
			assert_eq!(MockBilling::held(ALICE), BUDGET);
			assert_eq!(MockRegistry::reports().len(), 2);
			assert!(NodeJobs::<Test>::get(nodes[0]).is_empty());

			// A retry fails while the price is missing, and changes nothing.
			assert_noop!(
				Compute::settle_job(RuntimeOrigin::signed(BOB), job),
				DispatchError::Unavailable
			);
			set_gpu_price(Some(PRICE));
			let info = Compute::settle_job(RuntimeOrigin::signed(BOB), job).unwrap();
			assert_eq!(info.actual_weight, Some(<() as WeightInfo>::settle_job(2)));

			let charged = 2 * 1_000 * PRICE;
			assert!(matches!(
				status(job),
				JobStatus::Completed {
					payment: Payment::Settled { charged: 4_000, quota_units: 0 },
					..
				}
			));
			System::assert_last_event(
				Event::JobSettled { job, charged, quota_units: 0, released: BUDGET - charged }
					.into(),
			);
			assert_eq!(MockBilling::held(ALICE), 0);
			assert_eq!(
				MockBilling::settlements()[0].usage,
				vec![(OWNER_BASE, 1_000), (OWNER_BASE + 1, 1_000)]
			);
			assert_noop!(
				Compute::settle_job(RuntimeOrigin::signed(BOB), job),
				Error::<Test>::NotAwaitingSettlement
			);
		});
	}

	#[test]
	fn settle_job_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(1);
			assert_noop!(
				Compute::settle_job(RuntimeOrigin::signed(BOB), 0),
				Error::<Test>::UnknownJob
			);
			let job = submit(ALICE, 1);
			// Open.
			assert_noop!(
				Compute::settle_job(RuntimeOrigin::signed(BOB), job),
				Error::<Test>::NotAwaitingSettlement
			);
			assert_noop!(Compute::settle_job(RuntimeOrigin::none(), job), BadOrigin);
			// Settled already.
			assert_ok!(attest(job, nodes[0], completed(7, 10)));
			assert_noop!(
				Compute::settle_job(RuntimeOrigin::signed(BOB), job),
				Error::<Test>::NotAwaitingSettlement
			);
		});
	}
}

mod unsigned_validation {
	use super::*;

	#[test]
	fn accepts_a_valid_attestation() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(3);
			let job = submit(ALICE, 3);
			let tag = ("OcosComputeAttestation", (job, nodes[0])).encode();
			let expected = ValidTransaction {
				priority: ATTESTATION_PRIORITY,
				requires: vec![],
				provides: vec![tag.clone()],
				longevity: ATTESTATION_LONGEVITY,
				propagate: true,
			};
			assert_eq!(validate(&attest_call(job, nodes[0], completed(7, 1))), Ok(expected));
			// Another report of the same node provides the same tag, so the pool keeps one.
			assert_eq!(
				validate(&attest_call(job, nodes[0], failed(FailureKind::Timeout)))
					.map(|v| v.provides),
				Ok(vec![tag])
			);
			// Near the deadline the transaction lives only until then.
			run_to(DEADLINE - 1);
			assert_eq!(
				validate(&attest_call(job, nodes[0], completed(7, 1))).map(|v| v.longevity),
				Ok(2)
			);
		});
	}

	#[test]
	fn rejects_invalid_attestations() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(4);
			let job = submit(ALICE, 3);
			let (attestation, signature) = signed_by(job, nodes[0], completed(7, 1), 9);
			assert_eq!(
				validate(&Call::attest { attestation, signature }),
				Err(InvalidTransaction::BadProof.into())
			);
			let attestation = Attestation { job, node: nodes[0], outcome: completed(7, 1) };
			let untagged = worker(1).sign(&attestation.encode());
			assert_eq!(
				validate(&Call::attest { attestation, signature: untagged }),
				Err(InvalidTransaction::BadProof.into())
			);
			assert_eq!(
				validate(&attest_call(job + 1, nodes[0], completed(7, 1))),
				Err(InvalidTransaction::Custom(INVALID_UNKNOWN_JOB).into())
			);
			assert_eq!(
				validate(&attest_call(job, nodes[3], completed(7, 1))),
				Err(InvalidTransaction::Custom(INVALID_NOT_ASSIGNED).into())
			);
			assert_eq!(
				validate(&attest_call(job, nodes[0], without_cid())),
				Err(InvalidTransaction::Custom(INVALID_OUTCOME).into())
			);
			assert_eq!(validate(&Call::cancel_job { job }), Err(InvalidTransaction::Call.into()));
			MockRegistry::remove(nodes[2]);
			assert_eq!(
				validate(&attest_call(job, nodes[2], completed(7, 1))),
				Err(InvalidTransaction::Custom(INVALID_UNKNOWN_NODE).into())
			);
		});
	}

	#[test]
	fn rejects_stale_attestations() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(3);
			let job = submit(ALICE, 3);
			// Already attested by the node.
			assert_ok!(attest(job, nodes[0], completed(7, 1)));
			assert_eq!(
				validate(&attest_call(job, nodes[0], completed(7, 1))),
				Err(InvalidTransaction::Stale.into())
			);
			// The deadline has come.
			System::set_block_number(1 + DEADLINE);
			assert_eq!(
				validate(&attest_call(job, nodes[1], completed(7, 1))),
				Err(InvalidTransaction::Stale.into())
			);
			System::set_block_number(1);
			// The job has ended.
			assert_ok!(attest(job, nodes[1], completed(7, 1)));
			assert_eq!(
				validate(&attest_call(job, nodes[2], completed(7, 1))),
				Err(InvalidTransaction::Stale.into())
			);
		});
	}
}

mod deadlines {
	use super::*;

	#[test]
	fn non_responders_are_penalised_and_replaced() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(6);
			let job = submit(ALICE, 3);
			assert_ok!(attest(job, nodes[0], completed(7, 1_000)));
			run_to(1 + DEADLINE);

			assert_eq!(
				MockRegistry::reports(),
				vec![
					(nodes[1], ReputationReason::MissedDeadline, share(3)),
					(nodes[2], ReputationReason::MissedDeadline, share(3)),
				]
			);
			// The responder keeps its report; fresh nodes of other owners take the slots.
			let record = Jobs::<Test>::get(job).unwrap();
			assert_eq!(assigned(job), vec![nodes[0], nodes[3], nodes[4]]);
			assert_eq!(record.replicas[0].outcome, Some(completed(7, 1_000)));
			assert_eq!(record.dropped.to_vec(), vec![nodes[1], nodes[2]]);
			assert_eq!(record.attempt, 2);
			let deadline = 1 + 2 * DEADLINE;
			assert_eq!(record.deadline, deadline);
			assert_eq!(Deadlines::<Test>::get(deadline).to_vec(), vec![job]);
			assert!(!Deadlines::<Test>::contains_key(1 + DEADLINE));
			for node in [nodes[1], nodes[2]] {
				assert_eq!(MockRegistry::in_flight(node), 0);
				assert!(Compute::pending_work(node).is_empty());
			}
			assert_eq!(Compute::pending_work(nodes[3]).len(), 1);
			assert_eq!(
				last_events(3),
				vec![
					Event::DeadlineMissed { job, node: nodes[1] },
					Event::DeadlineMissed { job, node: nodes[2] },
					Event::JobAssigned {
						job,
						attempt: 2,
						nodes: bounded(vec![nodes[3], nodes[4]]),
						deadline,
					},
				]
			);

			// A dropped node's late report is refused; a fresh node's completes the job.
			assert_noop!(attest(job, nodes[1], completed(7, 1_000)), Error::<Test>::NotAssigned);
			assert_ok!(attest(job, nodes[3], completed(7, 2_000)));
			assert!(matches!(status(job), JobStatus::Completed { gpu_millis: 1_000, .. }));
		});
	}

	#[test]
	fn attempts_are_limited() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(4);
			assert_ok!(submit_spec(ALICE, spec_with_deadline(MIN_DEADLINE), 1, BUDGET));
			run_to(1 + MIN_DEADLINE);
			assert_eq!(assigned(0), vec![nodes[1]]);
			run_to(1 + 2 * MIN_DEADLINE);
			assert_eq!(assigned(0), vec![nodes[2]]);
			assert_eq!(Jobs::<Test>::get(0).unwrap().attempt, MAX_ATTEMPTS);

			run_to(1 + 3 * MIN_DEADLINE);
			assert_eq!(status(0), JobStatus::Failed(JobFailure::Expired));
			let record = Jobs::<Test>::get(0).unwrap();
			assert_eq!(record.dropped.to_vec(), vec![nodes[0], nodes[1], nodes[2]]);
			assert!(record.replicas.is_empty());
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT);
			assert_eq!(MockRegistry::reports().len(), 3);
			assert!(NodeJobs::<Test>::get(nodes[3]).is_empty());
			System::assert_last_event(
				Event::JobFailed { job: 0, reason: JobFailure::Expired, refunded: BUDGET }.into(),
			);
		});
	}

	#[test]
	fn the_lifetime_shortens_the_last_assignment() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(4);
			assert_ok!(submit_spec(ALICE, spec_with_deadline(40), 1, BUDGET));
			run_to(41);
			assert_eq!(Jobs::<Test>::get(0).unwrap().deadline, 81);
			run_to(81);
			// 40 more blocks would pass the lifetime: the third assignment ends with it.
			let record = Jobs::<Test>::get(0).unwrap();
			assert_eq!((record.attempt, record.deadline), (3, 1 + MAX_LIFETIME));
		});
	}

	#[test]
	fn a_job_expires_when_its_lifetime_leaves_too_little_time() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(4);
			assert_ok!(submit_spec(ALICE, spec_with_deadline(MAX_DEADLINE), 1, BUDGET));
			run_to(1 + MAX_DEADLINE);
			assert_eq!(Jobs::<Test>::get(0).unwrap().deadline, 1 + MAX_LIFETIME);
			run_to(1 + MAX_LIFETIME);
			let record = Jobs::<Test>::get(0).unwrap();
			assert_eq!(record.attempt, 2);
			assert_eq!(record.status, JobStatus::Failed(JobFailure::Expired));
		});
	}

	#[test]
	fn without_fresh_nodes_the_job_expires_and_responders_keep_their_reputation() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(3);
			let job = submit(ALICE, 3);
			assert_ok!(attest(job, nodes[0], completed(7, 1_000)));
			run_to(1 + DEADLINE);
			assert_eq!(status(job), JobStatus::Failed(JobFailure::Expired));
			assert_eq!(
				MockRegistry::reports(),
				vec![
					(nodes[1], ReputationReason::MissedDeadline, share(3)),
					(nodes[2], ReputationReason::MissedDeadline, share(3)),
				]
			);
			for node in &nodes {
				assert_eq!(MockRegistry::in_flight(*node), 0);
			}
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT);
		});
	}

	#[test]
	fn a_full_bucket_at_the_new_deadline_expires_the_job() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(4);
			let job = submit(ALICE, 1);
			run_to(2);
			// Block 21, where the job's reassignment would go, fills up.
			for _ in 0..MAX_JOBS_PER_BLOCK {
				assert_ok!(submit_spec(BOB, spec_with_deadline(19), 1, BUDGET));
			}
			run_to(1 + DEADLINE);
			assert_eq!(status(job), JobStatus::Failed(JobFailure::Expired));
		});
	}

	#[test]
	fn a_budget_below_the_current_price_expires_the_job() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(2);
			let job = submit(ALICE, 1);
			set_gpu_price(Some(BUDGET + 1));
			run_to(1 + DEADLINE);
			assert_eq!(status(job), JobStatus::Failed(JobFailure::Expired));
		});
	}

	#[test]
	fn the_hook_weighs_its_bucket() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(4);
			submit(ALICE, 1);
			submit(ALICE, 1);
			System::set_block_number(2);
			assert_eq!(Compute::on_initialize(2), <() as WeightInfo>::process_deadlines(0));
			run_to(DEADLINE);
			System::set_block_number(1 + DEADLINE);
			assert_eq!(
				Compute::on_initialize(1 + DEADLINE),
				<() as WeightInfo>::process_deadlines(2)
			);
			// Both were reassigned to the same later block.
			assert_eq!(Deadlines::<Test>::get(1 + 2 * DEADLINE).len(), 2);
		});
	}
}

mod cancel {
	use super::*;

	#[test]
	fn cancelling_refunds_and_releases() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(3);
			let job = submit(ALICE, 3);
			let info = cancel(ALICE, job).unwrap();
			assert_eq!(info.actual_weight, Some(<() as WeightInfo>::cancel_job(3)));

			assert_eq!(status(job), JobStatus::Cancelled);
			assert_eq!(MockBilling::held(ALICE), 0);
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT);
			for node in &nodes {
				assert_eq!(MockRegistry::in_flight(*node), 0);
				assert!(NodeJobs::<Test>::get(node).is_empty());
			}
			assert!(!Deadlines::<Test>::contains_key(1 + DEADLINE));
			assert!(JobSpecs::<Test>::get(job).is_none());
			assert!(MockRegistry::reports().is_empty());
			System::assert_last_event(Event::JobCancelled { job, refunded: BUDGET }.into());

			// Nothing happens at the old deadline; the record is kept.
			run_to(1 + DEADLINE);
			assert_eq!(status(job), JobStatus::Cancelled);
		});
	}

	#[test]
	fn cancel_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(3);
			assert_noop!(cancel(ALICE, 0), Error::<Test>::UnknownJob);
			let job = submit(ALICE, 3);
			assert_noop!(cancel(BOB, job), Error::<Test>::NotCustomer);
			assert_noop!(Compute::cancel_job(RuntimeOrigin::none(), job), BadOrigin);
			assert_ok!(attest(job, nodes[0], completed(7, 1)));
			assert_noop!(cancel(ALICE, job), Error::<Test>::AttestationsReceived);

			let other = submit(ALICE, 1);
			assert_ok!(cancel(ALICE, other));
			assert_noop!(cancel(ALICE, other), Error::<Test>::JobClosed);
		});
	}

	#[test]
	fn a_job_whose_nodes_all_missed_can_be_cancelled() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(4);
			let job = submit(ALICE, 2);
			run_to(1 + DEADLINE);
			assert_eq!(assigned(job), vec![nodes[2], nodes[3]]);
			assert_ok!(cancel(ALICE, job));
			assert_eq!(MockBilling::free(ALICE), ENDOWMENT);
		});
	}
}

mod queries {
	use super::*;

	#[test]
	fn job_info_reports_status_and_result() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(2);
			let job = submit(ALICE, 2);
			assert_eq!(
				Compute::job_info(job),
				Some(JobInfo {
					customer: ALICE,
					gpu_class: GpuClass::Standard,
					determinism: Determinism::BitExact,
					replication: 2,
					budget: BUDGET,
					submitted_at: 1,
					deadline: 1 + DEADLINE,
					attempt: 1,
					replicas: vec![
						ReplicaInfo { node: nodes[0], owner: OWNER_BASE, outcome: None },
						ReplicaInfo { node: nodes[1], owner: OWNER_BASE + 1, outcome: None },
					],
					dropped: vec![],
					status: JobStatusInfo::Assigned,
				})
			);

			assert_ok!(attest(job, nodes[0], completed(7, 1_000)));
			assert_ok!(attest(job, nodes[1], completed(7, 1_000)));
			// The record outlives the job, with its result.
			let info = Compute::job_info(job).unwrap();
			assert_eq!(
				info.replicas[0].outcome,
				Some(OutcomeInfo::Completed {
					output_cid: b"bafyout".to_vec(),
					output_hash: [7; 32],
					gpu_millis: 1_000,
				})
			);
			assert_eq!(
				info.status,
				JobStatusInfo::Completed {
					output_cid: b"bafyout".to_vec(),
					output_hash: [7; 32],
					gpu_millis: 1_000,
					payment: Payment::Settled { charged: 2 * 1_000 * PRICE, quota_units: 0 },
				}
			);
			assert_eq!(Compute::job_info(job + 1), None);
		});
	}

	#[test]
	fn pending_work_lists_the_open_jobs_a_node_has_not_attested() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(3);
			let first = submit(ALICE, 2);
			let second = NextJobId::<Test>::get();
			let by_cid = JobSpec { source: ShaderSource::Ipfs(bytes(b"bafysource")), ..spec() };
			assert_ok!(submit_spec(BOB, JobSpec { deadline: 20, ..by_cid }, 1, BUDGET));

			assert_eq!(
				Compute::pending_work(nodes[0]),
				vec![
					WorkItem {
						job: first,
						attempt: 1,
						deadline: 1 + DEADLINE,
						spec: spec().info(),
					},
					WorkItem {
						job: second,
						attempt: 1,
						deadline: 21,
						spec: JobSpecInfo {
							source: ShaderSourceInfo::Ipfs(b"bafysource".to_vec()),
							entry_point: b"main".to_vec(),
							workgroups: Workgroups { x: 1, y: 1, z: 1 },
							inputs: vec![b"bafyinput".to_vec()],
							output_size: 64,
							gpu_class: GpuClass::Standard,
							determinism: Determinism::BitExact,
							deadline: 20,
						},
					},
				]
			);
			assert_ok!(attest(first, nodes[0], completed(7, 1)));
			let jobs: Vec<u64> = Compute::pending_work(nodes[0]).iter().map(|w| w.job).collect();
			assert_eq!(jobs, vec![second]);
			assert_eq!(Compute::pending_work(nodes[1]).len(), 1);
			assert!(Compute::pending_work(nodes[2]).is_empty());
		});
	}
}

mod types {
	use super::*;

	#[test]
	fn the_signed_payload_is_domain_tag_then_attestation() {
		ExtBuilder::default().build_and_execute(|| {
			let attestation =
				Attestation::<Test> { job: 3, node: 5, outcome: failed(FailureKind::Timeout) };
			let expected = [b"ocos/attestation".to_vec(), attestation.encode()].concat();
			assert_eq!(attestation.signing_payload(), expected);
		});
	}

	#[test]
	fn the_assignment_rank_hashes_domain_job_and_node() {
		ExtBuilder::default().build_and_execute(|| {
			let expected = sp_io::hashing::blake2_256(&(b"ocos/assignment", 3u64, 5u64).encode());
			assert_eq!(assignment_rank(3, 5), expected);
			assert_ne!(assignment_rank(3, 5), assignment_rank(5, 3));
		});
	}

	#[test]
	fn the_quorum_is_a_strict_majority() {
		ExtBuilder::default().build_and_execute(|| {
			let quorums: Vec<u32> = (1..=5).map(quorum).collect();
			assert_eq!(quorums, vec![1, 2, 2, 3, 3]);
		});
	}

	#[test]
	fn the_lower_median() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(lower_median(vec![]), 0);
			assert_eq!(lower_median(vec![5]), 5);
			assert_eq!(lower_median(vec![3, 1]), 1);
			assert_eq!(lower_median(vec![4, 1, 3]), 3);
			assert_eq!(lower_median(vec![9, 1, 5, 7]), 5);
			assert_eq!(lower_median(vec![u64::MAX, 2, u64::MAX]), u64::MAX);
		});
	}

	#[test]
	fn workgroup_bounds() {
		ExtBuilder::default().build_and_execute(|| {
			let max = MAX_WORKGROUPS_PER_DIMENSION;
			assert!(Workgroups { x: 1, y: 1, z: 1 }.is_valid());
			assert!(Workgroups { x: max, y: max, z: max }.is_valid());
			assert!(!Workgroups { x: 1, y: 0, z: 1 }.is_valid());
			assert!(!Workgroups { x: 1, y: 1, z: max + 1 }.is_valid());
		});
	}
}

mod invariants {
	use super::*;

	#[test]
	fn integrity_test_passes() {
		ExtBuilder::default().build_and_execute(|| {
			Compute::integrity_test();
		});
	}

	#[test]
	fn try_state_detects_broken_bookkeeping() {
		ExtBuilder::default().build_and_execute(|| {
			let nodes = standard_nodes(3);
			let job = submit(ALICE, 2);

			// A replica missing its NodeJobs entry.
			NodeJobs::<Test>::remove(nodes[0]);
			assert!(Compute::do_try_state().is_err());
			NodeJobs::<Test>::mutate(nodes[0], |jobs| jobs.try_push(job).unwrap());
			assert_ok!(Compute::do_try_state());

			// A NodeJobs entry of a node that is not a replica.
			NodeJobs::<Test>::mutate(nodes[2], |jobs| jobs.try_push(job).unwrap());
			assert!(Compute::do_try_state().is_err());
			NodeJobs::<Test>::remove(nodes[2]);

			// A job missing from its deadline bucket, or listed twice.
			Deadlines::<Test>::remove(1 + DEADLINE);
			assert!(Compute::do_try_state().is_err());
			Deadlines::<Test>::mutate(1 + DEADLINE, |jobs| {
				jobs.try_push(job).unwrap();
				jobs.try_push(job).unwrap();
			});
			assert!(Compute::do_try_state().is_err());
			Deadlines::<Test>::mutate(1 + DEADLINE, |jobs| {
				jobs.pop();
			});
			assert_ok!(Compute::do_try_state());

			// An open job without its spec.
			let kept = JobSpecs::<Test>::take(job).unwrap();
			assert!(Compute::do_try_state().is_err());
			JobSpecs::<Test>::insert(job, kept);
			assert_ok!(Compute::do_try_state());
		});
	}

	#[test]
	fn every_transition_keeps_the_invariants() {
		ExtBuilder::default().build_and_execute(|| {
			standard_nodes(6);
			let steps: Vec<Box<dyn Fn()>> = vec![
				// Job 0 on nodes 0, 1, 2.
				Box::new(|| {
					submit(ALICE, 3);
				}),
				Box::new(|| {
					assert_ok!(attest(0, 0, completed(7, 10)));
				}),
				// Nodes 1 and 2 miss the deadline; 3 and 4 replace them.
				Box::new(|| run_to(1 + DEADLINE)),
				Box::new(|| {
					assert_ok!(attest(0, 3, completed(7, 20)));
				}),
				Box::new(|| {
					submit(BOB, 2);
				}),
				Box::new(|| {
					assert_ok!(cancel(BOB, 1));
				}),
				Box::new(|| {
					submit(ALICE, 2);
				}),
				Box::new(|| {
					let nodes = assigned(2);
					assert_ok!(attest(2, nodes[0], completed(7, 1)));
					assert_ok!(attest(2, nodes[1], completed(8, 1)));
				}),
				Box::new(|| {
					submit(ALICE, 1);
				}),
				Box::new(|| run_to(1 + 3 * DEADLINE)),
			];
			for step in steps {
				step();
				assert_ok!(Compute::do_try_state());
				check_mocks();
			}
			assert_eq!(
				status(0),
				JobStatus::Completed {
					output_cid: bytes(b"bafyout"),
					output_hash: [7; 32],
					gpu_millis: 10,
					payment: Payment::Settled { charged: 2 * 10 * PRICE, quota_units: 0 },
				}
			);
			assert_eq!(status(1), JobStatus::Cancelled);
			assert_eq!(status(2), JobStatus::Failed(JobFailure::NoQuorum));
		});
	}
}
