//! Configuration of every pallet in the runtime, one concern per module.

mod consensus;
mod economy;
mod governance;
mod monetary;
mod system;

pub use consensus::SessionPeriod;
pub use economy::{QuotaDefaults, RegistryDefaults, TreasuryAccount};
pub use governance::{DaoDefaults, DaoOrigin};
