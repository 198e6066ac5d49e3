//! # Node registry runtime API
//!
//! What the node, RPC and off-chain workers may ask the runtime about provider nodes: one
//! node's record (evaluated at the queried block) and the paged index of active nodes per
//! resource kind. The runtime implements it with `pallet_node_registry::Pallet::node_info` and
//! `pallet_node_registry::Pallet::active_nodes_page`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;

pub use ocos_primitives::{NodeId, ResourceKind};
pub use pallet_node_registry::{AccessPolicy, GpuInfo, NodeInfo, NodeStatus};

sp_api::decl_runtime_apis! {
	/// Provider nodes as seen by clients.
	pub trait NodeRegistryApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// The node `id`, if registered and not retired.
		fn node(id: NodeId) -> Option<NodeInfo<AccountId, Balance, BlockNumber>>;

		/// Up to `limit` ids of active nodes offering `kind`, in ascending order, after
		/// `after` (pass the last id of the previous page; `None` for the first).
		fn active_nodes(kind: ResourceKind, after: Option<NodeId>, limit: u32) -> Vec<NodeId>;
	}
}
