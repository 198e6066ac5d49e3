//! Configuration of every pallet in the runtime, one concern per module.

mod consensus;
mod monetary;
mod system;
