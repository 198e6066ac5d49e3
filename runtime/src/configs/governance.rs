//! Governance: token holders' proposals and votes (`pallet-dao`), the scheduler that enacts
//! what passes, and the preimages of large calls.

use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration, ConstU32, Contains, EqualPrivilegeOnly, LinearStoragePrice,
	},
	weights::Weight,
};
use frame_system::EnsureRoot;
use pallet_dao::{DaoParams, EnsureDao};
use sp_runtime::Perbill;

use super::{system::RuntimeBlockWeights, TreasuryAccount};
use crate::{
	AccountId, Balance, Balances, BlockNumber, OriginCaller, Preimage, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin, Scheduler, System, DAYS,
	MICRO_UNIT, UNIT,
};

/// Who may change prices and rates, verify, suspend or slash nodes, spend from the treasury,
/// change validators and set the economy's parameters: the DAO, by a passed proposal, alone.
pub type DaoOrigin = EnsureDao;

parameter_types! {
	/// The DAO's production parameters; development presets shorten the periods.
	pub const DaoDefaults: DaoParams<Balance, BlockNumber> = DaoParams {
		proposal_deposit: 100 * UNIT,
		voting_period: 3 * DAYS,
		// A day to react (leave, rotate keys) before a passed proposal takes effect.
		enactment_delay: DAYS,
		quorum: Perbill::from_percent(10),
		approval: Perbill::from_percent(50),
		spam_threshold: Perbill::from_percent(10),
	};
	/// Heaviest call a proposal may carry; with `enact` it stays within the scheduler's limit.
	pub MaxEnactWeight: Weight = Perbill::from_percent(60) * RuntimeBlockWeights::get().max_block;
	/// What the scheduler may use of a block.
	pub MaximumSchedulerWeight: Weight =
		Perbill::from_percent(80) * RuntimeBlockWeights::get().max_block;
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
	pub const PreimageBaseDeposit: Balance = UNIT;
	/// 1 µOCOS per byte: noting a 500 KB runtime costs 1.5 OCOS, returned when it is unnoted.
	pub const PreimageByteDeposit: Balance = MICRO_UNIT;
}

/// The calls the DAO enacts as root: authorizing a runtime upgrade (frame-system accepts it
/// from root only). Anyone then applies the authorized code with
/// `system.applyAuthorizedUpgrade`, fee-free, so the heavy `set_code` never runs inside an
/// enactment.
pub struct RootCalls;

impl Contains<RuntimeCall> for RootCalls {
	fn contains(call: &RuntimeCall) -> bool {
		matches!(call, RuntimeCall::System(frame_system::Call::authorize_upgrade { .. }))
	}
}

impl pallet_dao::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type Scheduler = Scheduler;
	type Preimages = Preimage;
	type Treasury = TreasuryAccount;
	type DefaultParams = DaoDefaults;
	type MaxDescriptionLen = ConstU32<1024>;
	type MaxOpenProposals = ConstU32<64>;
	type MaxVotes = ConstU32<64>;
	type MaxEnactWeight = MaxEnactWeight;
	type AsRoot = RootCalls;
	type WeightInfo = pallet_dao::weights::SubstrateWeight<Runtime>;
}

impl pallet_scheduler::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	// Root exists only inside enactments: nobody schedules anything but the DAO.
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type MaxScheduledPerBlock = ConstU32<50>;
	type WeightInfo = pallet_scheduler::weights::SubstrateWeight<Runtime>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}
