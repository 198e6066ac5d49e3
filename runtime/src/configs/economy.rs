//! The OCOS economy: provider nodes (`pallet-node-registry`), staking quotas
//! (`pallet-quotas`) and metered billing (`pallet-billing`), governed by [`DaoOrigin`](super::DaoOrigin).

use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32},
};
use sp_runtime::{transaction_validity::TransactionPriority, Perbill, Permill};

use pallet_node_registry::RegistryParams;
use pallet_quotas::QuotaParams;

use super::{DaoOrigin, TreasuryAccount};
use crate::{
	Balance, Balances, BlockNumber, NodeRegistry, Quotas, Runtime, RuntimeHoldReason, DAYS, HOURS,
	MINUTES, UNIT,
};

parameter_types! {
	/// The registry's production parameters; development presets shorten the periods, and
	/// the DAO may change them.
	pub const RegistryDefaults: RegistryParams<Balance, BlockNumber> = RegistryParams {
		node_bond: 1_000 * UNIT,
		heartbeat_period: 10 * MINUTES,
		heartbeat_timeout: 30 * MINUTES,
		retire_cooldown: DAYS,
		// The economy epoch: quotas renew and reputation decays once per epoch.
		epoch_length: HOURS,
	};
	/// The quotas pallet's production parameters (see [`RegistryDefaults`]).
	pub const QuotaDefaults: QuotaParams<Balance, BlockNumber> =
		QuotaParams { unbonding_period: 7 * DAYS, min_stake: UNIT };
	pub const ReputationDecay: Perbill = Perbill::from_percent(98);
	pub const NodeUnsignedPriority: TransactionPriority = TransactionPriority::MAX / 2;
	pub const MaxProtocolFee: Permill = Permill::from_percent(20);
}

impl pallet_node_registry::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type DaoOrigin = DaoOrigin;
	type DefaultParams = RegistryDefaults;
	type TreasuryAccount = TreasuryAccount;
	type ReputationDecay = ReputationDecay;
	type ReputationValueUnit = ConstU128<UNIT>;
	type MaxReputationWeight = ConstU32<100>;
	type MaxNodesPerOwner = ConstU32<64>;
	type MaxAllowList = ConstU32<256>;
	type MaxModelLen = ConstU32<64>;
	type MaxRegionLen = ConstU32<32>;
	type MaxEndpointLen = ConstU32<256>;
	type MaxOfflineScan = ConstU32<32>;
	type UnsignedPriority = NodeUnsignedPriority;
	type WeightInfo = pallet_node_registry::weights::SubstrateWeight<Runtime>;
}

impl pallet_quotas::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type DaoOrigin = DaoOrigin;
	type Epochs = NodeRegistry;
	type DefaultParams = QuotaDefaults;
	type MaxUnbondingChunks = ConstU32<32>;
	type WeightInfo = pallet_quotas::weights::SubstrateWeight<Runtime>;
}

impl pallet_billing::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Quotas = Quotas;
	type TreasuryAccount = TreasuryAccount;
	type DaoOrigin = DaoOrigin;
	type MaxProtocolFee = MaxProtocolFee;
	type MaxUsageRecords = ConstU32<64>;
	type MaxProviders = ConstU32<16>;
	type WeightInfo = pallet_billing::weights::SubstrateWeight<Runtime>;
}
