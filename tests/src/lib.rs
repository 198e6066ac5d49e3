//! End-to-end test harness for OCOS Cloud: real `ocos-node` processes driven over JSON-RPC.
//!
//! # Running
//!
//! ```text
//! cargo build --release -p ocos-node
//! cargo test --release -p ocos-e2e -- --test-threads=2
//! ```
//!
//! Environment:
//! - `OCOS_NODE_BIN`: path of the node binary. Defaults to `ocos-node` in the target directory
//!   of the test executable (so build the node with the same profile as the tests).
//! - `RUST_LOG` and friends are inherited by the nodes; extra flags can be passed per node with
//!   [`NodeBuilder::arg`].
//!
//! Every node listens on 127.0.0.1 on free ports, keeps its database and `node.log` in its own
//! base directory (temporary unless given), and is killed when its [`Node`] is dropped, also when
//! a test panics. Failures quote the tail of the node's log ([`Node::log_tail`]).
//!
//! The IPFS tests need the js-ipfs daemon installed by `scripts/setup.sh` (`npm ci` in
//! `tests/ipfs-daemon`); `OCOS_NODEJS` names the Node.js binary (default `node`).
//!
//! # Layout
//! - [`node`]: spawn, observe and stop node processes; one-shot subcommands.
//! - [`network`]: start a dev node or a network of N nodes bootstrapped from the first.
//! - [`rpc`]: typed JSON-RPC helpers (blocks, storage, events, extrinsic submission).
//! - [`wait`]: polling with generous timeouts and informative errors.
//! - [`tx`]: build signed extrinsics for `ocos-runtime`.
//! - [`dao`]: pass a DAO proposal by votes of development accounts.
//! - [`compute`]: submit GPU jobs and follow them to their end.
//! - [`datavault`]: place DataVault pin orders and follow them.
//! - [`ipfs`]: real js-ipfs daemons (Kubo RPC API) for the workers and the tests.
//! - [`ports`]: listening ports outside the ephemeral range, safe to reuse on restart.
//! - [`polkadot_js`]: run the `@polkadot/api` scenarios under `tests/polkadot-js/`.

pub mod compute;
pub mod dao;
pub mod datavault;
pub mod ipfs;
pub mod network;
pub mod node;
pub mod polkadot_js;
pub mod ports;
pub mod rpc;
pub mod tx;
pub mod wait;

pub use ipfs::IpfsDaemon;
pub use network::{start_dev, start_local_network, start_network};
pub use node::{run_subcommand, BaseDir, Node, NodeBuilder, LOG_TAIL_LINES};
pub use rpc::{Header, Outcome, Rpc};
pub use tx::ChainInfo;
pub use wait::{until, wait_best, wait_finalized, wait_peers, Check};

use ocos_runtime::{Runtime, RuntimeEvent};
use sp_core::H256;

/// Account identifier of the runtime.
pub type AccountId = <Runtime as frame_system::Config>::AccountId;
/// Transaction index (nonce) of an account.
pub type Nonce = <Runtime as frame_system::Config>::Nonce;
/// Token balance.
pub type Balance = <Runtime as pallet_balances::Config>::Balance;
/// `System::Account` entry: nonce, reference counts and balances.
pub type AccountInfo =
	frame_system::AccountInfo<Nonce, <Runtime as frame_system::Config>::AccountData>;
/// One entry of `System::Events`.
pub type EventRecord = frame_system::EventRecord<RuntimeEvent, H256>;
