//! Starting a single dev node or a network of nodes.

use anyhow::Result;

use crate::node::{Node, NodeBuilder};

/// A `--dev` node (Alice authoring alone), ready for RPC.
pub async fn start_dev() -> Result<Node> {
	NodeBuilder::new().dev().start().await
}

/// Starts the nodes in order, each ready for RPC; every node after the first uses the first as
/// bootnode. On failure the nodes already started are stopped (dropped).
pub async fn start_network(builders: impl IntoIterator<Item = NodeBuilder>) -> Result<Vec<Node>> {
	let mut nodes = Vec::new();
	let mut bootnode: Option<String> = None;
	for builder in builders {
		let node = match &bootnode {
			Some(addr) => builder.bootnode(addr).start().await?,
			None => {
				let node = builder.start().await?;
				bootnode = Some(node.multiaddr().await?);
				node
			}
		};
		nodes.push(node);
	}
	Ok(nodes)
}

/// A `--chain local` network with one node per well-known authority (e.g. `["alice", "bob"]`).
pub async fn start_local_network(authorities: &[&str]) -> Result<Vec<Node>> {
	start_network(authorities.iter().map(|name| NodeBuilder::new().chain("local").authority(name)))
		.await
}
