// Bad input from Polkadot.js fails cleanly: a vote larger than the voter's free balance, a vote on
// a closed proposal, and a passed proposal whose call fails when enacted. Each is reported by
// name, and nothing else changes.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { UNIT, errorName, findEvent, send, sendOk, useChain } from './lib/chain.mjs';
import { close, enactment, propose, vote } from './lib/dao.mjs';

const chain = useChain();

test('bad votes and a failing proposal change nothing but what they report', async () => {
  const { api, who } = chain;
  const validators = (await api.query.validatorSet.validators()).toHex();
  const sessionValidators = (await api.query.session.validators()).toHex();
  const reserved = async (account) =>
    (await api.query.system.account(account.address)).data.reserved.toBigInt();
  const bobHeld = await reserved(who.bob);

  // Removing Dave, who is no validator, fails at enactment.
  const { index, end } = await propose(api, api.tx.validatorSet.removeValidator(who.dave.address),
    who.bob, 'Remove a validator that does not exist');

  // A vote beyond Ferdie's free balance is refused; no freeze, no vote.
  const free = (await api.query.system.account(who.ferdie.address)).data.free.toBigInt();
  const tooMuch = await send(api, api.tx.dao.vote(index, true, free + UNIT), who.ferdie);
  assert.equal(tooMuch.error, 'dao.InsufficientBalance');
  assert.equal((await api.query.dao.votesOf(who.ferdie.address)).length, 0);
  assert.equal((await api.query.balances.freezes(who.ferdie.address)).length, 0);
  assert.equal((await api.query.dao.proposals(index)).unwrap().tally.ayes.toBigInt(), 0n);

  await vote(api, index, [[who.alice, true, 500_000n * UNIT], [who.charlie, true, 500_000n * UNIT]]);
  const { outcome } = await close(api, index, end, who.bob);
  assert.equal(outcome.method, 'Passed');

  // The proposal is closed: a late vote is refused by name and counts for nothing.
  const late = await send(api, api.tx.dao.vote(index, false, UNIT), who.eve);
  assert.equal(late.error, 'dao.NotVoting');
  assert.equal((await api.query.dao.proposals(index)).unwrap().tally.nays.toBigInt(), 0n);

  // Enacted, the call fails: the DAO reports the error by name, the proposal is marked failed,
  // the deposit is back, and the validator set is as it was.
  const { result, events } = await enactment(api, index, outcome.data.enactAt.toNumber());
  assert.ok(result.isErr, `enacted with ${result.toString()}`);
  assert.equal(errorName(api, result.asErr), 'validatorSet.NotValidator');
  assert.ok(!findEvent(events, 'validatorSet', 'ValidatorRemoved'));
  const status = (await api.query.dao.proposals(index)).unwrap().status;
  assert.ok(status.isEnacted && status.asEnacted.ok.isFalse, status.toString());
  assert.equal((await api.query.validatorSet.validators()).toHex(), validators);
  assert.equal((await api.query.session.validators()).toHex(), sessionValidators);
  assert.equal(await reserved(who.bob), bobHeld);

  // The voters get their funds back.
  await sendOk(api, api.tx.dao.unlock(who.alice.address), who.alice);
  assert.equal((await api.query.dao.votesOf(who.alice.address)).length, 0);
});
