//! The treasury (`pallet-treasury`): its account receives protocol fees, slashes, spam
//! deposits and rounding dust and pays the quota subsidy; only the DAO spends from it.

use frame_support::{
	parameter_types,
	traits::{tokens::UnityAssetBalanceConversion, ConstU32},
	PalletId,
};
use frame_system::EnsureWithSuccess;
use pallet_dao::EnsureDao;
use sp_runtime::traits::{AccountIdConversion, IdentityLookup};

use crate::{AccountId, Balance, Balances, BlockNumber, Runtime, RuntimeEvent, System, DAYS, UNIT};

parameter_types! {
	pub const TreasuryPalletId: PalletId = PalletId(*b"ocos/trs");
	/// The treasury's account, held by no key.
	pub TreasuryAccount: AccountId = TreasuryPalletId::get().into_account_truncating();
	/// The most one passed proposal may spend.
	pub const MaxTreasurySpend: Balance = 100_000 * UNIT;
	/// How long an approved spend may be paid out (`treasury.payout`, by anyone).
	pub const SpendPayoutPeriod: BlockNumber = 30 * DAYS;
	/// Period of the legacy approval queue; the DAO spends through `treasury.spend`.
	pub const SpendPeriod: BlockNumber = 7 * DAYS;
}

impl pallet_treasury::Config for Runtime {
	type Currency = Balances;
	type RejectOrigin = EnsureDao;
	type RuntimeEvent = RuntimeEvent;
	type SpendPeriod = SpendPeriod;
	// Nothing is burned: unspent funds stay for the DAO.
	type Burn = ();
	type PalletId = TreasuryPalletId;
	type BurnDestination = ();
	type WeightInfo = pallet_treasury::weights::SubstrateWeight<Runtime>;
	type SpendFunds = ();
	type MaxApprovals = ConstU32<64>;
	type SpendOrigin = EnsureWithSuccess<EnsureDao, AccountId, MaxTreasurySpend>;
	// Spends are in OCOS, paid from the treasury's account to a plain account.
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = IdentityLookup<AccountId>;
	type Paymaster = frame_support::traits::tokens::pay::PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = SpendPayoutPeriod;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
	type BlockNumberProvider = System;
}
