//! # Node registry runtime API
//!
//! What the node, RPC and off-chain workers may ask the runtime about provider nodes: one
//! node's record (evaluated at the queried block), the paged index of active nodes per
//! resource kind, and a worker's own node. The runtime implements it with
//! `pallet_node_registry::Pallet::{node_info, active_nodes_page, worker_info}`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;

pub use ocos_primitives::{NodeId, ResourceKind, WorkerKey};
pub use pallet_node_registry::{AccessPolicy, GpuInfo, NodeInfo, NodeStatus, WorkerInfo};

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

		/// The node whose worker key is `key`, with when its next heartbeat is due: what a
		/// provider's worker asks at start and before each heartbeat.
		fn worker(key: WorkerKey) -> Option<WorkerInfo<BlockNumber>>;
	}
}
