//! A test runtime with `frame_system`, `pallet_balances` (u64 balances, existential deposit 1),
//! `pallet_preimage`, `pallet_scheduler` and the DAO, plus helpers to propose and vote.

use crate::{
	self as pallet_dao, BoundedCallOf, DaoParams, DescriptionOf, FreezeReason, HoldReason,
	ProposalCount, ProposalIndex, ProposalStatus, Proposals,
};
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{
		fungible::{InspectFreeze, InspectHold},
		ConstU32, EqualPrivilegeOnly, StorePreimage,
	},
	weights::Weight,
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;
/// Account ids of the test runtime.
pub type AccountId = u64;
/// Balances of the test runtime.
pub type Balance = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Preimage: pallet_preimage,
		Scheduler: pallet_scheduler,
		Dao: pallet_dao,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = ConstU32<2>;
}

impl pallet_preimage::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = ();
}

/// Most tasks the scheduler takes per block.
pub const MAX_SCHEDULED: u32 = 10;

parameter_types! {
	pub MaximumSchedulerWeight: Weight = Weight::from_parts(2_000_000_000_000, u64::MAX);
}

impl pallet_scheduler::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type MaxScheduledPerBlock = ConstU32<MAX_SCHEDULED>;
	type WeightInfo = ();
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

/// Funded accounts, [`ENDOWMENT`] each.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const DAVE: AccountId = 4;
pub const EVE: AccountId = 5;
/// An account without funds.
pub const NOBODY: AccountId = 98;
/// Receives the deposits of spam; starts without an account.
pub const TREASURY: AccountId = 99;
/// Starting balance of each funded account; the total issuance is five times this.
pub const ENDOWMENT: Balance = 100;

/// Default proposal deposit.
pub const DEPOSIT: Balance = 10;
/// Default voting period, in blocks.
pub const VOTING_PERIOD: u64 = 10;
/// Default enactment delay, in blocks.
pub const ENACTMENT_DELAY: u64 = 2;
/// Longest description, in bytes.
pub const MAX_DESCRIPTION_LEN: u32 = 64;
/// Most proposals voting at once.
pub const MAX_OPEN: u32 = 4;
/// Most votes per account.
pub const MAX_VOTES: u32 = 3;

parameter_types! {
	pub const DefaultParams: DaoParams<Balance, u64> = DaoParams {
		proposal_deposit: DEPOSIT,
		voting_period: VOTING_PERIOD,
		enactment_delay: ENACTMENT_DELAY,
		quorum: Perbill::from_percent(20),
		approval: Perbill::from_percent(50),
		spam_threshold: Perbill::from_percent(20),
	};
	pub const TreasuryAccount: AccountId = TREASURY;
	pub const MaxEnactWeight: Weight = Weight::from_parts(100_000_000_000, 1024 * 1024);
}

impl pallet_dao::Config for Test {
	type RuntimeCall = RuntimeCall;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type Scheduler = Scheduler;
	type Preimages = Preimage;
	type Treasury = TreasuryAccount;
	type DefaultParams = DefaultParams;
	type MaxDescriptionLen = ConstU32<MAX_DESCRIPTION_LEN>;
	type MaxOpenProposals = ConstU32<MAX_OPEN>;
	type MaxVotes = ConstU32<MAX_VOTES>;
	type MaxEnactWeight = MaxEnactWeight;
	type AsRoot = IsRootCall;
	type WeightInfo = ();
}

/// Builds test externalities: five funded accounts, optional genesis parameters, block 1.
#[derive(Default)]
pub struct ExtBuilder {
	params: Option<DaoParams<Balance, u64>>,
}

impl ExtBuilder {
	/// Sets genesis parameters other than the defaults.
	pub fn params(mut self, params: DaoParams<Balance, u64>) -> Self {
		self.params = Some(params);
		self
	}

	/// The externalities, at block 1.
	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![
				(ALICE, ENDOWMENT),
				(BOB, ENDOWMENT),
				(CHARLIE, ENDOWMENT),
				(DAVE, ENDOWMENT),
				(EVE, ENDOWMENT),
			],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		pallet_dao::GenesisConfig::<Test> { params: self.params }
			.assimilate_storage(&mut storage)
			.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Dao::do_try_state().expect("invariants hold after the test");
		});
	}
}

/// Externalities for the benchmark test suite.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}

/// Runs the blocks up to `n` with their hooks, so scheduled enactments happen.
pub fn run_to(n: u64) {
	System::run_to_block::<AllPalletsWithSystem>(n);
}

/// The DAO origin.
pub fn dao() -> RuntimeOrigin {
	RuntimeOrigin::from(pallet_dao::RawOrigin::Dao)
}

/// A signed origin.
pub fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// `call` as an inline bounded call.
pub fn inline(call: RuntimeCall) -> Box<BoundedCallOf<Test>> {
	let bounded = <Preimage as StorePreimage>::bound(call).expect("the call can be bounded");
	assert!(!bounded.lookup_needed(), "the call fits inline");
	Box::new(bounded)
}

/// A call that succeeds with any origin and changes nothing.
pub fn remark() -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark { remark: vec![] })
}

/// Calls the DAO enacts as root in the mock: `set_heap_pages` (any other root-only call, such
/// as `set_storage`, stays beyond the DAO).
pub struct IsRootCall;

impl frame_support::traits::Contains<RuntimeCall> for IsRootCall {
	fn contains(call: &RuntimeCall) -> bool {
		matches!(call, RuntimeCall::System(frame_system::Call::set_heap_pages { .. }))
	}
}

/// The DAO setting the voting period to `blocks`.
pub fn set_voting_period(blocks: u64) -> RuntimeCall {
	RuntimeCall::Dao(pallet_dao::Call::set_params {
		proposal_deposit: None,
		voting_period: Some(blocks),
		enactment_delay: None,
		quorum: None,
		approval: None,
		spam_threshold: None,
	})
}

/// A description.
pub fn description(text: &[u8]) -> DescriptionOf<Test> {
	DescriptionOf::<Test>::try_from(text.to_vec()).expect("the description fits its bound")
}

/// `who` proposes `call` inline; returns the proposal's index.
pub fn propose(who: AccountId, call: RuntimeCall) -> ProposalIndex {
	let index = ProposalCount::<Test>::get();
	assert_ok!(Dao::propose(signed(who), inline(call), description(b"ipfs://proposal")));
	index
}

/// `who` votes `amount` for (`aye`) or against proposal `index`.
pub fn vote(who: AccountId, index: ProposalIndex, aye: bool, amount: Balance) {
	assert_ok!(Dao::vote(signed(who), index, aye, amount));
}

/// Closes proposal `index` (by `EVE`).
pub fn close(index: ProposalIndex) -> sp_runtime::DispatchResult {
	Dao::close(signed(EVE), index).map(|_| ()).map_err(|e| e.error)
}

/// `BOB` votes his whole balance for proposal `index` (a turnout of 20%: the quorum), and it is
/// closed at the end of its voting period.
pub fn approve(index: ProposalIndex) {
	vote(BOB, index, true, ENDOWMENT);
	let ProposalStatus::Voting { end } = status(index) else { panic!("the proposal is voting") };
	run_to(end);
	assert_ok!(close(index));
}

/// `ALICE` proposes `call` and it is approved ([`approve`]); returns its index.
pub fn pass(call: RuntimeCall) -> ProposalIndex {
	let index = propose(ALICE, call);
	approve(index);
	index
}

/// The status of proposal `index`.
pub fn status(index: ProposalIndex) -> ProposalStatus<u64> {
	Proposals::<Test>::get(index).expect("the proposal exists").status
}

/// `who`'s funds frozen for voting.
pub fn frozen(who: AccountId) -> Balance {
	Balances::balance_frozen(&RuntimeFreezeReason::Dao(FreezeReason::Voting), &who)
}

/// `who`'s funds held as proposal deposits.
pub fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Dao(HoldReason::ProposalDeposit), &who)
}

/// `who`'s free balance.
pub fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}
