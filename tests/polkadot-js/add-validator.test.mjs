// Token holders add a validator from Polkadot.js: Charlie's node generates session keys with an
// ownership proof, Charlie registers them, a passed proposal adds him, and after the next
// session rotations his node authors blocks that the network finalizes.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { WsProvider } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';

import { UNIT, send, sendOk, useChain, waitForFinalized, waitForHead } from './lib/chain.mjs';
import { pass } from './lib/dao.mjs';

const chain = useChain();
/** RPC to Charlie's own node, where his session keys are generated. */
let charlieNode;
before(async () => {
  charlieNode = new WsProvider(process.env.OCOS_NEW_VALIDATOR_WS);
  await charlieNode.isReady;
});
after(() => charlieNode?.disconnect());

test('a validator added by DAO vote authors blocks', async () => {
  const { api, who } = chain;
  const charlie = who.charlie.address;
  assert.ok(!(await api.query.session.validators()).some((v) => v.eq(charlie)));

  // Charlie's node makes fresh session keys and proves that Charlie's account owns them.
  const generated = await charlieNode.send('author_rotateKeysWithOwner',
    [u8aToHex(who.charlie.publicKey)]);
  assert.ok(generated.proof, 'the runtime supports ownership proofs');
  const setKeys = api.tx.session.setKeys(generated.keys, generated.proof);
  const keys = setKeys.method.args[0];
  assert.ok(keys.aura && keys.grandpa, `session keys decode by name: ${keys.toString()}`);
  await sendOk(api, setKeys, who.charlie);
  assert.equal((await api.query.session.nextKeys(charlie)).unwrap().toHex(), keys.toHex());

  // Keys alone make no validator, and no account adds one.
  const direct = await send(api, api.tx.validatorSet.addValidator(charlie), who.alice);
  assert.equal(direct.error, 'BadOrigin');

  const { result } = await pass(api, api.tx.validatorSet.addValidator(charlie), {
    proposer: who.bob,
    votes: [[who.alice, true, 500_000n * UNIT], [who.dave, true, 500_000n * UNIT]],
    description: 'Add Charlie as a validator',
  });
  assert.ok(result.isOk, `enacted with ${result.toString()}`);
  assert.ok((await api.query.validatorSet.validators()).some((v) => v.eq(charlie)));

  // The session hands the new set to Aura and GRANDPA; Charlie's node then authors blocks.
  const authored = await waitForHead(api, (header) => header.author?.eq(charlie),
    api.derive.chain.subscribeNewHeads);
  assert.ok((await api.query.session.validators()).some((v) => v.eq(charlie)));
  const auraKeys = await api.query.aura.authorities();
  assert.ok(auraKeys.some((k) => k.eq(keys.aura)), 'Charlie is an Aura authority');
  // Three GRANDPA voters now: blocks after Charlie's are still finalized.
  await waitForFinalized(api, authored.number.toNumber() + 2);
});
