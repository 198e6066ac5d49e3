//! The pallets `ocos-node benchmark pallet` measures (weights in each pallet's `weights.rs`).

pub use crate::{
	Balances, Billing, Compute, Dao, DataVault, NodeRegistry, Quotas, Runtime, Timestamp,
	ValidatorSet,
};

impl frame_system_benchmarking::Config for Runtime {}
impl frame_benchmarking::baseline::Config for Runtime {}

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_node_registry, NodeRegistry]
	[pallet_quotas, Quotas]
	[pallet_billing, Billing]
	[pallet_compute, Compute]
	[pallet_storage, DataVault]
	[pallet_dao, Dao]
	[pallet_validator_set, ValidatorSet]
);
