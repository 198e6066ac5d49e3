//! # Billing runtime API
//!
//! What the node's `ocos_*` RPC, wallets and SDKs ask the runtime about prices, without
//! submitting anything: [`BillingApi::estimate_cost`] is what a number of units of a resource
//! costs at the current on-chain prices, protocol fee included and before any staking quota.
//! It is backed by `pallet_billing::Pallet::estimate_cost`.

#![cfg_attr(not(feature = "std"), no_std)]

use codec::Codec;
pub use ocos_primitives::Resource;

sp_api::decl_runtime_apis! {
	/// Cost estimates of the billing pallet, for wallets and SDKs to show before submitting.
	pub trait BillingApi<Balance: Codec> {
		/// What `units` of `resource` cost at the current price, protocol fee included and
		/// before any quota; `None` if the resource has no price or the cost overflows.
		fn estimate_cost(resource: Resource, units: u64) -> Option<Balance>;
	}
}
