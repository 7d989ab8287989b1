/**
 * A blind index of survivors' names: what lets a case be found by its survivor's name without the name being stored
 * anywhere in the clear. Each token of the normalised name is kept only as HMAC-SHA256 under a key derived (HKDF)
 * from an identity key, so the index can be searched with the keys and tells nothing to whoever holds the database
 * alone. Exact tokens only: "Maria" finds "María López", "Mari" does not (no prefix or fuzzy match, which would need
 * many more hashes per name and make the index easier to guess against).
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import type { IdentityKeyring } from './identity-cipher';

export interface NameIndexKey {
  /** The id of the identity key it is derived from: rows under an older one are rewritten after a rotation. */
  id: string;
  key: Buffer;
}

/** Separates this key's use from sealing: the same identity key never serves as both. */
const HKDF_INFO = 'relief-cases survivor-name-index v1';

/**
 * Without a keyring identities are stored in plain text (local development only, core/identity-cipher.ts); the index
 * then uses a fixed, public key, which protects nothing and is no worse than the identity beside it.
 */
const PLAINTEXT_KEY: NameIndexKey = {
  id: 'plaintext',
  key: createHash('sha256').update(HKDF_INFO).digest(),
};

/** The index keys of a keyring: the current one first (it writes new rows), then those of older identity keys. */
export function nameIndexKeys(keyring: IdentityKeyring | undefined): NameIndexKey[] {
  if (!keyring) return [PLAINTEXT_KEY];
  return [keyring.current, ...(keyring.previous ?? [])].map(({ id, key }) => ({
    id,
    key: Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), HKDF_INFO, 32)),
  }));
}

/**
 * Latin letters that no decomposition takes apart, as a keyboard without them writes them: the Vietnamese đ (Đức is
 * typed Duc), the Polish ł, the Nordic ø, æ and ð, the German ß, the Turkish dotless ı, the Maltese ħ, the Icelandic þ.
 * And the Arabic yeh, alef maksura and kaf, which a Persian keyboard types as other letters of the same sound and
 * shape (ی, ک): a name typed on either is found from the other.
 */
const FOLDED_LETTERS: Record<string, string> = {
  đ: 'd',
  ð: 'd',
  ł: 'l',
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  ı: 'i',
  ħ: 'h',
  þ: 'th',
  ي: 'ی',
  ى: 'ی',
  ك: 'ک',
};
const FOLDABLE = new RegExp(`[${Object.keys(FOLDED_LETTERS).join('')}]`, 'g');

/**
 * The marks a name is written with or without, and found without: those every script shares (Unicode script
 * Inherited: the Latin and Cyrillic diacritics, the Arabic harakat and hamza) and the Hebrew points. Not the vowel
 * signs and viramas of Devanagari, Bengali, Thai, Myanmar and the other scripts that write vowels as marks: they are
 * letters of the name ("राम", Ram, is not "रमा", Rama), nor the kana voicing marks ("ガク" is not "カク").
 */
const OPTIONAL_MARKS = /(?![\u3099\u309A])(?=\p{Script=Inherited}|\p{Script=Hebrew})\p{M}/gu;

/**
 * The tokens of a name as it is indexed and searched: compatibility-decomposed (NFKD) with its optional marks removed,
 * lower case, the letters above folded, apostrophes dropped ("O'Brien" is "obrien"), and so are the invisible format
 * characters (Unicode category Cf: zero-width space and joiners, soft hyphen, direction marks, BOM) that a name pasted
 * from a PDF or a word processor carries inside its words, and that a Persian name holds (U+200C) within a word:
 * "Pell\u00ADu\u200Dcast" is "pellucast", as it reads; then split at anything else that is not a letter, a mark kept or
 * a digit (spaces, hyphens, dots), each token once. The stored name keeps them, as typed. Changing these rules changes every
 * token: a migration then empties the index, and the start-up backfill (app/name-index.ts) rebuilds it.
 */
export function nameTokens(name: string): string[] {
  const plain = name
    .normalize('NFKD')
    .replace(OPTIONAL_MARKS, '')
    .toLowerCase()
    .replace(FOLDABLE, (letter) => FOLDED_LETTERS[letter]!)
    .replace(/['’ʼ`\p{Cf}]/gu, '');
  return [...new Set(plain.split(/[^\p{L}\p{M}\p{N}]+/u).filter(Boolean))];
}

export function tokenHmac(key: NameIndexKey, token: string): Buffer {
  return createHmac('sha256', key.key).update(token, 'utf8').digest();
}

/**
 * What a search for `name` looks up: for each of its tokens, that token's HMAC under every key of the keyring (a case
 * indexed before a rotation is still found). A case matches when every token is among its name's tokens.
 */
export function nameSearchTerms(name: string, keyring: IdentityKeyring | undefined): Buffer[][] {
  const keys = nameIndexKeys(keyring);
  return nameTokens(name).map((token) => keys.map((key) => tokenHmac(key, token)));
}
