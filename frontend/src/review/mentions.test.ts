import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findMentions, insertMention, matchMembers, mentionedUsers, mentionQuery, splitBody, type Mentionable } from './mentions';

const members: Mentionable[] = [
  { user: 'u1', name: 'Lene Leder', email: 'leader@demo.no' },
  { user: 'u2', name: 'Per', email: 'per@demo.no' },
  { user: 'u3', name: 'Per Politiker', email: 'political@demo.no' },
  { user: 'u4', name: 'Åse Øvrebø', email: 'ase@demo.no' },
];

describe('findMentions', () => {
  it('finds "@Name" of plan members, the longest name that fits', () => {
    assert.deepEqual(mentionedUsers('Hei @Lene Leder og @Per Politiker, se her. @Per?', members), ['u1', 'u3', 'u2']);
  });

  it('ignores case, and names must end at a word boundary', () => {
    assert.deepEqual(mentionedUsers('@lene leder: ok', members), ['u1']);
    assert.deepEqual(mentionedUsers('@Persen', members), []);
    assert.deepEqual(mentionedUsers('@Åse Øvrebø!', members), ['u4']);
  });

  it('does not take e-mail addresses for mentions', () => {
    assert.deepEqual(mentionedUsers('skriv til post@Per', members), []);
  });

  it('counts each person once', () => {
    assert.deepEqual(mentionedUsers('@Per og @Per', members), ['u2']);
  });

  it('says where the mentions are', () => {
    assert.deepEqual(findMentions('Se @Per nå', members), [{ start: 3, end: 7, user: 'u2' }]);
  });
});

describe('mentionQuery', () => {
  it('finds the "@query" typed before the caret', () => {
    assert.deepEqual(mentionQuery('Hei @Le', 7), { start: 4, query: 'Le' });
    assert.deepEqual(mentionQuery('@', 1), { start: 0, query: '' });
    assert.deepEqual(mentionQuery('Hei @Lene L', 11), { start: 4, query: 'Lene L' });
  });

  it('is null outside a mention', () => {
    assert.equal(mentionQuery('Hei Le', 6), null);
    assert.equal(mentionQuery('post@demo', 9), null, 'an e-mail address');
    assert.equal(mentionQuery('@Le\nx', 5), null, 'a new line ends it');
    assert.equal(mentionQuery('@ x', 3), null);
  });
});

describe('matchMembers', () => {
  it('lists members whose name or a word of it or the e-mail starts with the query, best first', () => {
    assert.deepEqual(
      matchMembers('per', members).map((m) => m.user),
      ['u2', 'u3'],
    );
    assert.deepEqual(
      matchMembers('leder', members).map((m) => m.user),
      ['u1'],
    );
    assert.deepEqual(
      matchMembers('political', members).map((m) => m.user),
      ['u3'],
    );
    assert.deepEqual(
      matchMembers('', members, 'u1').map((m) => m.user),
      ['u2', 'u3', 'u4'],
    );
  });
});

describe('insertMention', () => {
  it('replaces the query with the full name and puts the caret after it', () => {
    const q = mentionQuery('Hei @Le takk', 7)!;
    assert.deepEqual(insertMention('Hei @Le takk', 7, q, members[0]!), { text: 'Hei @Lene Leder takk', caret: 16 });
  });
});

describe('splitBody', () => {
  it('cuts a body into text and mentions (as text, never markup)', () => {
    assert.deepEqual(splitBody('<b>@Per</b> ser på', members), [{ text: '<b>' }, { text: '@Per', user: 'u2' }, { text: '</b> ser på' }]);
    assert.deepEqual(splitBody('', members), [{ text: '' }]);
  });
});
