//! `ocos-node`: the OCOS Cloud node (Aura authoring, GRANDPA finality, JSON-RPC).

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
