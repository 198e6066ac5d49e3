//! The DataVault duties against the in-memory chain and store: what the worker pins, reports,
//! answers, journals and unpins, block by block.

use pallet_storage::{Challenge, PinFailure, PinTask, Report, StorageReport};

use super::*;

const CID: &str = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
const OTHER_CID: &str = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";

fn work(pin: u64, cid: &str, size: u64, due: BlockNumber, task: PinTask) -> StorageWork {
	StorageWork { pin, cid: cid.as_bytes().to_vec(), size, due, task }
}

fn challenge(round: u32) -> Challenge {
	Challenge { round, seed: [round as u8; 32], offset: 3, length: 16 }
}

impl Setup {
	fn set_work(&self, items: Vec<StorageWork>) {
		*self.chain.storage_work.lock().expect("lock") = items;
	}

	fn storage_worker(&self) -> Worker<FakeChain, FakeExecutor, FakeStore> {
		self.worker(FakeExecutor::new(vec![Attempt::Delay("no jobs here".into())]), 1)
	}

	fn unpinned(&self) -> Vec<String> {
		self.store.unpinned.lock().expect("lock").clone()
	}
}

fn report_of(signed: &SignedReport) -> (u64, Report) {
	(signed.report.pin, signed.report.report)
}

#[tokio::test]
async fn pins_assigned_content_and_reports_the_measured_size_signed() {
	let setup = Setup::new(1_000);
	setup.set_work(vec![work(1, CID, 4_096, 20, PinTask::Pin)]);
	let worker = setup.storage_worker();

	worker.on_block(10).await.expect("served");
	eventually("the pin is reported", || setup.reports().len() == 1).await;
	let signed = setup.reports()[0];
	assert_eq!(
		signed.report,
		StorageReport { pin: 1, node: NODE, report: Report::Pinned { size: 4_096 } }
	);
	let signature = sr25519::Signature::from_raw(signed.signature);
	assert!(sr25519::Pair::verify(&signature, &signed.report.signing_payload(), &setup.public));
	assert_eq!(*setup.store.pinned.lock().expect("lock"), vec![CID.to_string()]);

	// Not included yet: not pinned again; resubmitted after 5 blocks.
	for best in 11..15 {
		worker.on_block(best).await.expect("served");
	}
	assert_eq!(setup.reports().len(), 1);
	worker.on_block(15).await.expect("served");
	assert_eq!(setup.reports().len(), 2);
	assert_eq!(setup.reports()[1], signed);
	assert_eq!(setup.store.pinned.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn content_that_does_not_match_the_order_is_reported_as_a_typed_failure() {
	let setup = Setup::new(1_000);
	setup
		.store
		.pin_results
		.lock()
		.expect("lock")
		.insert(CID.into(), PinAttempt::Failed(PinFailure::SizeMismatch));
	setup.set_work(vec![work(1, CID, 10, 20, PinTask::Pin)]);
	setup.storage_worker().on_block(10).await.expect("served");
	eventually("the failure is reported", || setup.reports().len() == 1).await;
	assert_eq!(report_of(&setup.reports()[0]), (1, Report::Failed(PinFailure::SizeMismatch)));
}

#[tokio::test]
async fn a_pin_with_nothing_to_report_yet_is_tried_again_at_a_later_block() {
	let setup = Setup::new(1_000);
	setup
		.store
		.pin_results
		.lock()
		.expect("lock")
		.insert(CID.into(), PinAttempt::Delay("the daemon is down".into()));
	setup.set_work(vec![work(1, CID, 10, 20, PinTask::Pin)]);
	let worker = setup.storage_worker();
	worker.on_block(10).await.expect("served");
	eventually("the first try ends", || setup.store.pinned.lock().expect("lock").len() == 1).await;
	tokio::time::sleep(Duration::from_millis(50)).await;
	assert!(setup.reports().is_empty());

	setup.store.pin_results.lock().expect("lock").clear();
	worker.on_block(11).await.expect("served");
	eventually("the pin is reported", || setup.reports().len() == 1).await;
	assert_eq!(report_of(&setup.reports()[0]), (1, Report::Pinned { size: 10 }));
}

#[tokio::test]
async fn no_duty_starts_without_a_block_left_to_include_its_report() {
	let setup = Setup::new(1_000);
	setup.store.answers.lock().expect("lock").insert(CID.into(), [5; 32]);
	setup.set_work(vec![
		work(1, CID, 10, 11, PinTask::Pin),
		work(2, CID, 10, 11, PinTask::Answer(challenge(1))),
	]);
	setup.storage_worker().on_block(10).await.expect("served");
	tokio::time::sleep(Duration::from_millis(50)).await;
	assert!(setup.store.pinned.lock().expect("lock").is_empty());
	assert_eq!(setup.store.reads.load(Ordering::SeqCst), 0);
	assert!(setup.reports().is_empty());
}

#[tokio::test]
async fn never_pins_beyond_the_registered_storage() {
	// The node registered 1 MiB (see `Setup::new`) and holds 768 KiB.
	let setup = Setup::new(1_000);
	setup.set_work(vec![work(1, CID, 768 << 10, 20, PinTask::Hold)]);
	let worker = setup.storage_worker();
	worker.on_block(10).await.expect("served");

	setup.set_work(vec![
		work(1, CID, 768 << 10, 20, PinTask::Hold),
		work(2, OTHER_CID, 512 << 10, 20, PinTask::Pin),
		// The same content again takes no more room.
		work(3, CID, 768 << 10, 20, PinTask::Pin),
	]);
	worker.on_block(11).await.expect("served");
	eventually("pin 3 is reported", || setup.reports().len() == 1).await;
	tokio::time::sleep(Duration::from_millis(50)).await;
	assert_eq!(report_of(&setup.reports()[0]), (3, Report::Pinned { size: 768 << 10 }));
	assert_eq!(*setup.store.pinned.lock().expect("lock"), vec![CID.to_string()]);
}

#[tokio::test]
async fn answers_challenges_once_and_a_restart_resubmits_the_journaled_answer() {
	let setup = Setup::new(1_000);
	setup.store.answers.lock().expect("lock").insert(CID.into(), [5; 32]);
	setup.set_work(vec![
		work(1, CID, 10, 20, PinTask::Answer(challenge(2))),
		work(2, CID, 10, 20, PinTask::Referee(challenge(4))),
	]);
	let first = setup.storage_worker();
	first.on_block(10).await.expect("served");
	eventually("both are answered", || setup.reports().len() == 2).await;
	let mut answers: Vec<_> = setup.reports().iter().map(report_of).collect();
	answers.sort_by_key(|(pin, _)| *pin);
	assert_eq!(
		answers,
		vec![
			(1, Report::Answer { round: 2, hash: [5; 32] }),
			(2, Report::Answer { round: 4, hash: [5; 32] }),
		]
	);
	drop(first);

	// After the restart the store would answer otherwise; the journaled answers stand.
	setup.store.answers.lock().expect("lock").insert(CID.into(), [6; 32]);
	let restarted = setup.storage_worker();
	restarted.on_block(11).await.expect("served");
	assert_eq!(setup.reports().len(), 4);
	assert_eq!(
		setup.reports()[2..].iter().filter(|signed| setup.reports()[..2].contains(signed)).count(),
		2
	);
	assert_eq!(setup.store.reads.load(Ordering::SeqCst), 2);

	// The next round's challenge is answered anew.
	setup.set_work(vec![work(1, CID, 10, 30, PinTask::Answer(challenge(3)))]);
	restarted.on_block(21).await.expect("served");
	eventually("round 3 is answered", || setup.reports().len() == 5).await;
	assert_eq!(report_of(&setup.reports()[4]), (1, Report::Answer { round: 3, hash: [6; 32] }));
}

#[tokio::test]
async fn unpins_what_left_the_work_list_unless_another_pin_keeps_the_content() {
	let setup = Setup::new(1_000);
	setup.set_work(vec![
		work(1, CID, 10, 20, PinTask::Pin),
		work(2, OTHER_CID, 10, 20, PinTask::Pin),
		work(3, OTHER_CID, 10, 20, PinTask::Pin),
	]);
	let worker = setup.storage_worker();
	worker.on_block(10).await.expect("served");
	eventually("all three are pinned", || setup.reports().len() == 3).await;

	// Pins 1 and 2 end; pin 3 keeps OTHER_CID. Nothing is unpinned within `unpin_after`.
	setup.set_work(vec![work(3, OTHER_CID, 10, 20, PinTask::Hold)]);
	worker.on_block(11).await.expect("served");
	tokio::time::sleep(Duration::from_millis(50)).await;
	assert!(setup.unpinned().is_empty());
	worker.on_block(13).await.expect("served");
	eventually("CID is unpinned", || setup.unpinned() == vec![CID.to_string()]).await;

	// Once pin 3 ends too, OTHER_CID goes; a restarted worker still knows it holds it.
	drop(worker);
	setup.set_work(vec![]);
	let restarted = setup.storage_worker();
	restarted.on_block(14).await.expect("served");
	restarted.on_block(16).await.expect("served");
	eventually("OTHER_CID is unpinned", || setup.unpinned().len() == 2).await;
	assert_eq!(setup.unpinned()[1], OTHER_CID);
	restarted.on_block(20).await.expect("served");
	tokio::time::sleep(Duration::from_millis(50)).await;
	assert_eq!(setup.unpinned().len(), 2);
}

#[tokio::test]
async fn a_held_pin_the_journal_lost_is_unpinned_when_it_ends() {
	let setup = Setup::new(1_000);
	setup.set_work(vec![work(1, CID, 10, 20, PinTask::Hold)]);
	let worker = setup.storage_worker();
	worker.on_block(10).await.expect("served");
	setup.set_work(vec![]);
	worker.on_block(11).await.expect("served");
	worker.on_block(13).await.expect("served");
	eventually("CID is unpinned", || setup.unpinned() == vec![CID.to_string()]).await;
	assert!(setup.store.pinned.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn content_shared_by_pins_that_end_together_is_unpinned() {
	let setup = Setup::new(1_000);
	setup.set_work(vec![work(1, CID, 10, 20, PinTask::Hold), work(2, CID, 10, 20, PinTask::Hold)]);
	let worker = setup.storage_worker();
	worker.on_block(10).await.expect("served");
	setup.set_work(vec![]);
	worker.on_block(11).await.expect("served");
	worker.on_block(13).await.expect("served");
	eventually("CID is unpinned", || setup.unpinned() == vec![CID.to_string()]).await;
	worker.on_block(16).await.expect("served");
	tokio::time::sleep(Duration::from_millis(50)).await;
	assert_eq!(setup.unpinned().len(), 1);
}
