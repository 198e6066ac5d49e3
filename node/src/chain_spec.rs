//! Chain specifications: `dev`, `local`, `testnet` (the committed genesis snapshot) and
//! `testnet-new` (a fresh testnet genesis from the runtime's preset, to cut a new network).

use ocos_runtime::{
	genesis_config_presets::TESTNET_RUNTIME_PRESET, SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL,
	WASM_BINARY,
};
use sc_service::{ChainType, Properties};
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};

pub type ChainSpec = sc_service::GenericChainSpec;

/// The raw spec the public testnet was launched with; it changes only with a new genesis.
const TESTNET_RAW_SPEC: &[u8] = include_bytes!("../../chain-specs/testnet-raw.json");

/// Token symbol, decimals and address format, as wallets read them.
fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	let wasm = WASM_BINARY.ok_or_else(|| "the wasm runtime was not built".to_string())?;
	Ok(ChainSpec::builder(wasm, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

/// Resolves a `--chain` argument.
pub fn load(id: &str) -> Result<ChainSpec, String> {
	match id {
		"dev" => {
			from_preset("OCOS Development", "ocos_dev", ChainType::Development, DEV_RUNTIME_PRESET)
		}
		"" | "local" => from_preset(
			"OCOS Local Testnet",
			"ocos_local",
			ChainType::Local,
			LOCAL_TESTNET_RUNTIME_PRESET,
		),
		"testnet" => ChainSpec::from_json_bytes(TESTNET_RAW_SPEC),
		"testnet-new" => {
			from_preset("OCOS Testnet", "ocos_testnet", ChainType::Live, TESTNET_RUNTIME_PRESET)
		}
		path => ChainSpec::from_json_file(std::path::PathBuf::from(path)),
	}
}
