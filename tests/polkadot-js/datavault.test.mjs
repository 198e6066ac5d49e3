// A developer's storage pin from Polkadot.js: put a file on IPFS, order `dataVault.pin` for it,
// follow the order through the `DataVaultApi` runtime API until the worker has pinned it, renew
// it, read it through the `ocos_pin` RPC, retrieve the file by its CID, and end the order.
// Needs OCOS_WS (a node of a network whose only storage worker uses OCOS_IPFS_API).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { UNIT, findEvent, send, sendOk, useChain, waitForBlock } from './lib/chain.mjs';

const chain = useChain();
const ipfs = process.env.OCOS_IPFS_API;

async function ipfsPost(path) {
  const response = await fetch(`${ipfs}/api/v0/${path}`, { method: 'POST' });
  assert.ok(response.ok, `ipfs ${path}: ${response.status}`);
  return response;
}

/** Stores `bytes` on the daemon without pinning it: keeping it is the worker's job. */
async function ipfsPut(bytes) {
  const form = new FormData();
  form.append('file', new Blob([bytes]));
  const response = await fetch(`${ipfs}/api/v0/add?pin=false`, { method: 'POST', body: form });
  assert.ok(response.ok, `ipfs add: ${response.status}`);
  return (await response.json()).Hash;
}

async function ipfsPinned(cid) {
  const { Keys } = await (await ipfsPost('pin/ls?type=recursive')).json();
  return Object.keys(Keys ?? {}).includes(cid);
}

async function nextBlock(api) {
  await waitForBlock(api, (await api.rpc.chain.getHeader()).number.toNumber() + 1);
}

test('a developer pins a file, renews the order, reads it back and ends it', async () => {
  const { api, who } = chain;
  assert.ok(ipfs, 'OCOS_IPFS_API is not set');
  const file = new Uint8Array(100 * 1024).map((_, i) => (i * 7) % 256);
  const cid = await ipfsPut(file);

  // Bad input is refused with a named error and costs no budget.
  const empty = await send(api, api.tx.dataVault.pin(cid, 0, 1, 2, UNIT), who.dave);
  assert.equal(empty.error, 'dataVault.InvalidSize');

  const { events } = await sendOk(
    api,
    api.tx.dataVault.pin(cid, file.length, 1, 2, UNIT),
    who.dave,
  );
  const placed = findEvent(events, 'dataVault', 'PinPlaced');
  assert.ok(placed, 'no PinPlaced event');
  const id = placed.data.pin.toNumber();
  assert.ok(findEvent(events, 'dataVault', 'ReplicaAssigned', (d) => d.pin.toNumber() === id));

  // The order as the runtime API reports it: poll until the replica has pinned the file.
  let pin = (await api.call.dataVaultApi.pin(id)).unwrap();
  assert.equal(pin.customer.toString(), who.dave.address);
  while (pin.status.isPinning) {
    await nextBlock(api);
    pin = (await api.call.dataVaultApi.pin(id)).unwrap();
  }
  assert.ok(pin.status.isActive, `the order is ${pin.status.toString()}`);
  assert.ok(pin.replicas[0].state.isPinned);
  assert.ok(await ipfsPinned(cid), 'the worker did not pin the file on its daemon');

  // Two more epochs, with more budget.
  const renewed = await sendOk(api, api.tx.dataVault.renew(id, 2, UNIT / 2n), who.dave);
  const event = findEvent(renewed.events, 'dataVault', 'PinRenewed');
  assert.equal(event.data.epochs.toNumber(), 4);
  assert.equal((await api.call.dataVaultApi.pin(id)).unwrap().epochs.toNumber(), 4);

  // The same through the node's JSON RPC.
  const viaRpc = (await api.rpc.ocos.pin(id)).toJSON();
  assert.equal(viaRpc.cid, cid);
  assert.equal(viaRpc.size, file.length);
  assert.equal(viaRpc.epochs, 4);
  assert.equal(viaRpc.status, 'active');
  assert.equal(viaRpc.replicas[0].state, 'pinned');
  assert.equal(viaRpc.customer, who.dave.address);

  // Anyone retrieves the file by its CID.
  const fetched = new Uint8Array(await (await ipfsPost(`cat?arg=${cid}`)).arrayBuffer());
  assert.deepEqual(fetched, file);

  // Ending the order refunds the rest of the budget; the worker unpins the file.
  const ended = await sendOk(api, api.tx.dataVault.unpin(id), who.dave);
  const end = findEvent(ended.events, 'dataVault', 'PinEnded');
  assert.ok(end.data.reason.isUnpinned, end.data.reason.toString());
  assert.ok(end.data.refunded.toBigInt() > 0n);
  while (await ipfsPinned(cid)) await nextBlock(api);
});
