// Token holders upgrade the runtime from Polkadot.js: a passed proposal authorizes the hash of a
// new wasm (built with a higher spec_version), anyone applies the code fee-free, and the new
// version is live on a running network that keeps producing and finalizing blocks.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';

import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import {
  UNIT, connect, eventsAt, findEvent, send, sendOk, useChain, waitForFinalized, waitForHead,
} from './lib/chain.mjs';
import { pass } from './lib/dao.mjs';

const chain = useChain();

test('a passed proposal upgrades the runtime', async () => {
  const { api, who } = chain;
  const path = process.env.OCOS_UPGRADE_WASM;
  assert.ok(path, 'OCOS_UPGRADE_WASM names the new runtime');
  const code = u8aToHex(readFileSync(path));
  const codeHash = blake2AsHex(code, 256);
  const oldVersion = (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber();

  // Nobody but the DAO authorizes an upgrade.
  const direct = await send(api, api.tx.system.authorizeUpgrade(codeHash), who.alice);
  assert.equal(direct.error, 'BadOrigin');

  const { result, events } = await pass(api, api.tx.system.authorizeUpgrade(codeHash), {
    proposer: who.bob,
    votes: [[who.alice, true, 500_000n * UNIT], [who.charlie, true, 500_000n * UNIT]],
    description: `Upgrade the runtime to ${codeHash}`,
  });
  assert.ok(result.isOk, `enacted with ${result.toString()}`);
  const authorized = findEvent(events, 'system', 'UpgradeAuthorized');
  assert.ok(authorized, 'system.UpgradeAuthorized at enactment');
  assert.equal(authorized.data.codeHash.toHex(), codeHash);
  assert.ok(authorized.data.checkVersion.isTrue);

  // Code other than the authorized one is refused by the transaction pool; anyone submits the
  // authorized code, unsigned and fee-free.
  const other = u8aToHex(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  await assert.rejects(send(api, api.tx.system.applyAuthorizedUpgrade(other), null), /1010/);
  const applied = await send(api, api.tx.system.applyAuthorizedUpgrade(code), null);
  const upgradedAt = (await api.rpc.chain.getHeader(applied.blockHash)).number.toNumber();

  // The next block runs the new runtime; the client follows it.
  await waitForHead(api, (h) => h.number.toNumber() > upgradedAt);
  while (api.runtimeVersion.specVersion.toNumber() !== oldVersion + 1) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  // A wallet connecting now reads the upgrade block's events with the new runtime's metadata.
  // (The connection open across the upgrade is not used for decoding: @polkadot/api 16 can
  // mix up its type registries when it swaps them at an upgrade.)
  const fresh = await connect();
  after(() => fresh.disconnect());
  const upgradeEvents = await eventsAt(fresh, upgradedAt);
  const updated = findEvent(upgradeEvents, 'system', 'CodeUpdated');
  assert.ok(updated, 'system.CodeUpdated');
  assert.equal(updated.data.hash_.toHex(), codeHash);
  assert.ok(!findEvent(upgradeEvents, 'system', 'ExtrinsicFailed'));
  const version = await api.rpc.state.getRuntimeVersion();
  assert.equal(version.specName.toString(), 'ocos');
  assert.equal(version.specVersion.toNumber(), oldVersion + 1);
  const last = (await api.query.system.lastRuntimeUpgrade()).unwrap();
  assert.equal(last.specVersion.toNumber(), oldVersion + 1);

  // Blocks are still produced and finalized past the upgrade, and wallets keep working.
  const transfer = await sendOk(fresh,
    fresh.tx.balances.transferKeepAlive(who.dave.address, UNIT), who.ferdie);
  assert.ok(findEvent(transfer.events, 'balances', 'Transfer'));
  await waitForFinalized(api, upgradedAt + 3);
});
