//! Domain types of the billing pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use ocos_primitives::Resource;
use scale_info::TypeInfo;

/// One settled order, as kept in the customer's usage history.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct UsageRecord<BlockNumber, Balance> {
	/// Block in which the order was settled.
	pub block: BlockNumber,
	/// The resource that was metered.
	pub resource: Resource,
	/// Units delivered, summed over all providers.
	pub units: u64,
	/// Of `units`, those covered by the customer's staking quota (paid by the treasury).
	pub quota_units: u64,
	/// Taken from the customer's held budget: providers' pay, protocol fee and dust.
	pub charged: Balance,
	/// Of `charged`, the protocol fee that went to the treasury.
	pub fee: Balance,
}

/// How one provider's pay reaches it in a settlement.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Route {
	/// The customer's part moves from the held budget straight to the provider, the quota part
	/// from the treasury.
	Direct,
	/// The customer's part alone is below what the provider's account can receive (an empty
	/// account and less than the existential deposit) but the whole pay is not: the customer's
	/// part goes to the treasury and the treasury pays the provider everything.
	ViaTreasury,
	/// Even the whole pay cannot be received: the customer's part goes to the treasury and the
	/// quota part stays there.
	Diverted,
}

/// One provider's pay in a settlement, as planned before any funds move.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Payout<AccountId, Balance> {
	/// Who is paid.
	pub provider: AccountId,
	/// Share of the customer's charge net of the protocol fee.
	pub from_customer: Balance,
	/// Share of the quota subsidy paid by the treasury.
	pub from_treasury: Balance,
	/// How the pay reaches the provider.
	pub route: Route,
}
