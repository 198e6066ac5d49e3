//! Mock runtime: `frame_system`, `pallet_balances` (u128 balances, existential deposit 10)
//! and the billing pallet, with the quota pallet stood in for by [`MockQuotas`].

use crate as pallet_billing;
use codec::Encode;
use frame_support::{derive_impl, parameter_types, storage::unhashed, traits::ConstU32};
use frame_system::EnsureRoot;
use ocos_primitives::{GpuClass, Quotas, Resource, ResourceKind};
use sp_runtime::{BuildStorage, Permill};

/// Balance type of the mock (that of the OCOS runtime).
pub type Balance = u128;
/// Account id type of the mock.
pub type AccountId = u64;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Billing: pallet_billing,
	}
);

/// Existential deposit of the mock.
pub const ED: Balance = 10;
/// The customer of most tests.
pub const CUSTOMER: AccountId = 1;
/// Another customer.
pub const OTHER_CUSTOMER: AccountId = 2;
/// Providers whose accounts exist (endowed with [`PROVIDER_BALANCE`]).
pub const PROVIDER_A: AccountId = 10;
pub const PROVIDER_B: AccountId = 11;
pub const PROVIDER_C: AccountId = 12;
/// Providers whose accounts do not exist.
pub const NEW_PROVIDER: AccountId = 20;
pub const NEW_PROVIDER_2: AccountId = 21;
/// The treasury account.
pub const TREASURY: AccountId = 99;

/// Starting free balance of each customer.
pub const CUSTOMER_BALANCE: Balance = 1_000_000;
/// Starting free balance of each existing provider.
pub const PROVIDER_BALANCE: Balance = 100;

/// The GPU resource priced in the default genesis.
pub const GPU: Resource = Resource::GpuMillis(GpuClass::Standard);
/// Default price of [`GPU`].
pub const GPU_PRICE: Balance = 10;
/// A resource left unpriced in the default genesis.
pub const UNPRICED: Resource = Resource::StorageByteEpoch;

parameter_types! {
	pub const TreasuryAccount: AccountId = TREASURY;
	/// `MaxProtocolFee`, settable per test.
	pub static MaxFee: Permill = Permill::from_percent(50);
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = frame_support::traits::ConstU128<ED>;
	type AccountStore = System;
}

/// The quota pallet, stood in for by a per-account table in (unhashed) storage, so that a
/// settlement's storage layer rolls its consumption back like the real pallet's.
pub struct MockQuotas;

impl MockQuotas {
	fn key(who: AccountId, kind: ResourceKind) -> Vec<u8> {
		(b"mock-quota", who, kind).encode()
	}

	/// Gives `who` `units` of `kind` quota (replacing what was left).
	pub fn set(who: AccountId, kind: ResourceKind, units: u64) {
		unhashed::put(&Self::key(who, kind), &units);
	}
}

impl Quotas<AccountId> for MockQuotas {
	fn consume(who: &AccountId, kind: ResourceKind, units: u64) -> u64 {
		let key = Self::key(*who, kind);
		let available: u64 = unhashed::get_or_default(&key);
		let covered = available.min(units);
		unhashed::put(&key, &(available - covered));
		covered
	}

	fn available(who: &AccountId, kind: ResourceKind) -> u64 {
		unhashed::get_or_default(&Self::key(*who, kind))
	}
}

impl pallet_billing::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Quotas = MockQuotas;
	type TreasuryAccount = TreasuryAccount;
	type DaoOrigin = EnsureRoot<AccountId>;
	type MaxProtocolFee = MaxFee;
	type MaxUsageRecords = ConstU32<3>;
	type MaxProviders = ConstU32<4>;
	type WeightInfo = ();
}

/// Builds test externalities; every test runs through [`ExtBuilder::build_and_execute`].
pub struct ExtBuilder {
	treasury: Balance,
	prices: Vec<(Resource, Balance)>,
	protocol_fee: Permill,
	max_fee: Permill,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			treasury: 1_000,
			prices: vec![(GPU, GPU_PRICE)],
			protocol_fee: Permill::from_percent(10),
			max_fee: Permill::from_percent(50),
		}
	}
}

impl ExtBuilder {
	/// Starting free balance of the treasury (0: the account does not exist).
	pub fn treasury(mut self, balance: Balance) -> Self {
		self.treasury = balance;
		self
	}

	/// The genesis price table.
	pub fn prices(mut self, prices: Vec<(Resource, Balance)>) -> Self {
		self.prices = prices;
		self
	}

	/// The genesis protocol fee (raises `MaxProtocolFee` to it if needed).
	pub fn protocol_fee(mut self, fee: Permill) -> Self {
		self.protocol_fee = fee;
		self.max_fee = self.max_fee.max(fee);
		self
	}

	/// The externalities, at block 1 so that events are kept.
	pub fn build(self) -> sp_io::TestExternalities {
		MaxFee::set(self.max_fee);

		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut balances = vec![
			(CUSTOMER, CUSTOMER_BALANCE),
			(OTHER_CUSTOMER, CUSTOMER_BALANCE),
			(PROVIDER_A, PROVIDER_BALANCE),
			(PROVIDER_B, PROVIDER_BALANCE),
			(PROVIDER_C, PROVIDER_BALANCE),
		];
		if self.treasury > 0 {
			balances.push((TREASURY, self.treasury));
		}
		pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
			.assimilate_storage(&mut storage)
			.unwrap();
		pallet_billing::GenesisConfig::<Test> {
			prices: self.prices,
			protocol_fee: self.protocol_fee,
		}
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
			Billing::do_try_state().expect("billing invariants hold after the test");
		});
	}
}

/// Default externalities, for the benchmark test suite.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}
