//! A mock runtime for the quotas pallet's tests and benchmarks: `frame_system`,
//! `pallet_balances` (u128 balances, existential deposit 1) and the pallet. Epochs are
//! `block / EpochLength` with a thread-local length a test may change, and the DAO is root.

use crate::{self as pallet_quotas, HoldReason, QuotaParams};
use frame_support::{
	derive_impl, parameter_types,
	traits::{fungible::InspectHold, ConstU32},
};
use frame_system::EnsureRoot;
use ocos_primitives::{EpochClock, EpochIndex, ResourceKind};
use sp_runtime::{BuildStorage, FixedU128};

type Block = frame_system::mocking::MockBlockU32<Test>;

/// Account id of the mock.
pub type AccountId = u64;
/// Balance type of the mock (as in the OCOS runtime).
pub type Balance = u128;

/// Funded accounts of the default [`ExtBuilder`].
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// An account without funds.
pub const NOBODY: AccountId = 99;
/// The free balance of each funded account at genesis.
pub const INITIAL_BALANCE: Balance = 1_000;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Quotas: pallet_quotas,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
}

/// Default unbonding period of the mock, in blocks.
pub const UNBONDING_PERIOD: u32 = 20;
/// Default minimum stake of the mock.
pub const MIN_STAKE: Balance = 10;

parameter_types! {
	pub static EpochLength: u32 = 10;
	pub const DefaultParams: QuotaParams<Balance, u32> =
		QuotaParams { unbonding_period: UNBONDING_PERIOD, min_stake: MIN_STAKE };
}

/// The mock's epoch clock: `block / EpochLength`, or epoch 0 forever for a zero length.
pub struct BlockEpochs;

impl EpochClock for BlockEpochs {
	fn current_epoch() -> EpochIndex {
		System::block_number().checked_div(EpochLength::get()).unwrap_or(0)
	}
}

/// The most unbonding chunks per account in the mock.
pub const MAX_UNBONDING_CHUNKS: u32 = 4;

impl pallet_quotas::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type DaoOrigin = EnsureRoot<AccountId>;
	type Epochs = BlockEpochs;
	type DefaultParams = DefaultParams;
	type MaxUnbondingChunks = ConstU32<MAX_UNBONDING_CHUNKS>;
	type WeightInfo = ();
}

/// Default GPU rate: 2 GPU-ms per planck staked per epoch.
pub fn gpu_rate() -> FixedU128 {
	FixedU128::from_u32(2)
}

/// Default storage rate: half a byte-epoch per planck staked per epoch.
pub fn storage_rate() -> FixedU128 {
	FixedU128::from_rational(1, 2)
}

/// Builds test externalities; [`ExtBuilder::build_and_execute`] also checks the pallet's
/// invariants after the test.
pub struct ExtBuilder {
	balances: Vec<(AccountId, Balance)>,
	rates: Vec<(ResourceKind, FixedU128)>,
	params: Option<QuotaParams<Balance, u32>>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			balances: vec![
				(ALICE, INITIAL_BALANCE),
				(BOB, INITIAL_BALANCE),
				(CHARLIE, INITIAL_BALANCE),
			],
			rates: vec![(ResourceKind::Gpu, gpu_rate()), (ResourceKind::Storage, storage_rate())],
			params: None,
		}
	}
}

impl ExtBuilder {
	/// Replaces the genesis balances.
	pub fn balances(mut self, balances: Vec<(AccountId, Balance)>) -> Self {
		self.balances = balances;
		self
	}

	/// Replaces the genesis quota rates.
	pub fn rates(mut self, rates: Vec<(ResourceKind, FixedU128)>) -> Self {
		self.rates = rates;
		self
	}

	/// Sets genesis parameters other than the defaults.
	pub fn params(mut self, params: QuotaParams<Balance, u32>) -> Self {
		self.params = Some(params);
		self
	}

	/// The externalities at block 1 (so events are recorded).
	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> { balances: self.balances, ..Default::default() }
			.assimilate_storage(&mut storage)
			.unwrap();
		pallet_quotas::GenesisConfig::<Test> { rates: self.rates, params: self.params }
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
			Quotas::do_try_state().unwrap();
		});
	}
}

/// The default externalities (used by the benchmark test suite).
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}

/// Moves to block `n`.
pub fn run_to_block(n: u32) {
	System::set_block_number(n);
}

/// The account's balance held as staked (active and unbonding).
pub fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Quotas(HoldReason::Staked), &who)
}

/// The account's free balance.
pub fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}

/// The total issuance of the mock currency.
pub fn total_issuance() -> Balance {
	Balances::total_issuance()
}
