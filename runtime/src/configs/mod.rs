//! Configuration of every pallet in the runtime, one concern per module.

mod compute;
mod consensus;
mod economy;
mod governance;
mod monetary;
mod system;
mod treasury;

pub use consensus::SessionPeriod;
pub use economy::{QuotaDefaults, RegistryDefaults};
pub use governance::{DaoDefaults, DaoOrigin};
pub use treasury::{MaxTreasurySpend, TreasuryAccount};
