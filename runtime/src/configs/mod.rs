//! Configuration of every pallet in the runtime, one concern per module.

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helper;
mod compute;
mod consensus;
mod datavault;
mod economy;
mod governance;
mod monetary;
mod system;
mod treasury;

pub use consensus::SessionPeriod;
pub use economy::{QuotaDefaults, RegistryDefaults};
pub use governance::{DaoDefaults, DaoOrigin};
pub use treasury::{MaxTreasurySpend, TreasuryAccount};
