//! `ocos-node`: the OCOS Cloud node (Aura authoring, GRANDPA finality, JSON-RPC).

mod chain_spec;
mod cli;
mod command;
mod ocos_rpc;
mod rpc;
mod service;
mod worker;

fn main() -> sc_cli::Result<()> {
	command::run()
}
