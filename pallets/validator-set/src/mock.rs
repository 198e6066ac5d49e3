//! A mock runtime for the validator-set pallet's tests and benchmarks: `frame_system` and the
//! pallet, without a session pallet (the tests call the [`SessionManager`] methods as it
//! would). The DAO is root, and the accounts with session keys are a thread-local list a test
//! may change.
//!
//! [`SessionManager`]: pallet_session::SessionManager

use crate as pallet_validator_set;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

/// Account id of the mock.
pub type AccountId = u64;

/// The default genesis validators.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
/// Accounts with session keys that are not validators at genesis.
pub const CHARLIE: AccountId = 3;
pub const DAVE: AccountId = 4;
pub const EVE: AccountId = 5;
/// An account without session keys.
pub const NO_KEYS: AccountId = 99;

/// The most validators in the mock.
pub const MAX_VALIDATORS: u32 = 4;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		ValidatorSet: pallet_validator_set,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

parameter_types! {
	/// The accounts that have set their session keys.
	pub static WithKeys: Vec<AccountId> = vec![ALICE, BOB, CHARLIE, DAVE, EVE];
	/// The fewest validators; a test may raise it before building its externalities.
	pub static MinValidators: u32 = 1;
}

/// The mock's session keys: an account has them iff it is in [`WithKeys`].
pub struct MockSessionKeys;

impl frame_support::traits::Contains<AccountId> for MockSessionKeys {
	fn contains(who: &AccountId) -> bool {
		WithKeys::get().contains(who)
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockSessionKeys {
	fn ensure_session_keys(who: &AccountId) {
		WithKeys::mutate(|keys| {
			if !keys.contains(who) {
				keys.push(*who);
			}
		});
	}
}

impl pallet_validator_set::Config for Test {
	type AddRemoveOrigin = EnsureRoot<AccountId>;
	type HasSessionKeys = MockSessionKeys;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type MinValidators = MinValidators;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockSessionKeys;
}

/// Builds test externalities; [`ExtBuilder::build_and_execute`] also checks the pallet's
/// invariants after the test.
pub struct ExtBuilder {
	validators: Vec<AccountId>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { validators: vec![ALICE, BOB] }
	}
}

impl ExtBuilder {
	/// Replaces the genesis validators.
	pub fn validators(mut self, validators: Vec<AccountId>) -> Self {
		self.validators = validators;
		self
	}

	/// The externalities at block 1 (so events are recorded).
	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_validator_set::GenesisConfig::<Test> { validators: self.validators }
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
			ValidatorSet::do_try_state().expect("invariants hold after the test");
		});
	}
}

/// The default externalities (used by the benchmark test suite).
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}
