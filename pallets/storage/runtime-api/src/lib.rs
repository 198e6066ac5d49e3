//! # DataVault runtime API
//!
//! What the node, RPC and workers may ask the runtime about pin orders: one order as stored
//! (customers following their pins: replicas, challenges, budget, status), and a storage
//! node's work list (what its worker pins, keeps, answers or referees; pins not on it are the
//! worker's to unpin). The runtime implements it with `pallet_storage::Pins` and
//! `pallet_storage::Pallet::node_work`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;

pub use ocos_primitives::NodeId;
pub use pallet_storage::{Challenge, PinId, PinTask, StorageWork};

sp_api::decl_runtime_apis! {
	/// DataVault pin orders as seen by customers and storage workers. `PinRecord` is the
	/// runtime's `pallet_storage::Pin`.
	pub trait DataVaultApi<PinRecord, BlockNumber>
	where
		PinRecord: Codec,
		BlockNumber: Codec,
	{
		/// The pin order `id` (open or ended: records are kept).
		fn pin(id: PinId) -> Option<PinRecord>;

		/// The open pins `node` holds, is assigned or referees, each with what is asked of it.
		fn node_work(node: NodeId) -> Vec<StorageWork<BlockNumber>>;
	}
}
