/**
 * The simulator's "tokenizer": how many tokens a prompt has, and what the generated tokens are.
 *
 * Counting rule (one rule for every dialect, and what every usage/count field reports):
 *   a prompt has one token per whitespace-separated word; an array of token ids has one token per id.
 * Chat requests count the words of every message's text content; no template tokens are added. So a
 * synthetic prompt of N words is N prompt tokens on every engine, which makes server-reported prompt counts
 * predictable in tests. Generated tokens are single words with a leading space (" lorem"), one token each.
 */
import { mulberry32, type Random } from './random.js';

export interface SimToken {
  readonly id: number;
  readonly text: string;
}

/** Prompt tokens in a text: one per whitespace-separated word. */
export function countTextTokens(text: string): number {
  let count = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // space, tab, LF, VT, FF, CR, NBSP: word separators
    const space = code === 32 || (code >= 9 && code <= 13) || code === 160;
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      count++;
    }
  }
  return count;
}

/**
 * Prompt tokens of a prompt field as the engines accept it: a string, an array of token ids, or an array
 * of strings/ids mixed (llama.cpp). Returns undefined when the value is not a prompt at all.
 */
export function countPromptTokens(prompt: unknown): number | undefined {
  if (typeof prompt === 'string') return countTextTokens(prompt);
  if (Array.isArray(prompt)) {
    let total = 0;
    for (const part of prompt) {
      if (typeof part === 'number') total += 1;
      else if (typeof part === 'string') total += countTextTokens(part);
      else return undefined;
    }
    return total;
  }
  return undefined;
}

/** Text of a chat message's `content` (a string, or OpenAI content parts of type text). */
export function messageText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) {
    const parts: string[] = [];
    for (const part of content) {
      if (part && typeof part === 'object' && (part as { type?: unknown }).type === 'text') {
        const text = (part as { text?: unknown }).text;
        if (typeof text === 'string') parts.push(text);
      }
    }
    return parts.join(' ');
  }
  return undefined;
}

/** Prompt tokens of a chat `messages` array; undefined when it is not an array of messages. */
export function countMessageTokens(messages: unknown): number | undefined {
  if (!Array.isArray(messages)) return undefined;
  let total = 0;
  for (const message of messages) {
    if (!message || typeof message !== 'object') return undefined;
    const text = messageText((message as { content?: unknown }).content);
    if (text === undefined) return undefined;
    total += countTextTokens(text);
  }
  return total;
}

const WORDS = (
  'the of and to in is was that for on as with by at from his her they this which be or had are but not ' +
  'an have were their one all there been has when who will more no if out so said what up its about into ' +
  'than them can only other new some time could these two may then do first any my now such like our over ' +
  'man me even most made after also did many before must through back years where much your way well down ' +
  'should because each just those people how too little state good very make world still own see men work ' +
  'long get here between both life being under never day same another know while last might us great old ' +
  'year off come since against go came right used take three sky river light stone north quiet garden'
).split(' ');

/** Token id of vocabulary word `index` (ids start above the usual special-token range). */
const FIRST_WORD_ID = 1000;

/** One immutable token per vocabulary word, shared by every stream (no allocation per generated token). */
const VOCABULARY: readonly SimToken[] = WORDS.map((word, index) => Object.freeze({ id: FIRST_WORD_ID + index, text: ` ${word}` }));

/** Deterministic token source for one request: same seed, same tokens. */
export class TokenStream {
  readonly #random: Random;
  constructor(seed: number) {
    this.#random = mulberry32(seed);
  }
  next(): SimToken {
    return VOCABULARY[Math.floor(this.#random() * VOCABULARY.length)]!;
  }
}

/** Stand-in token ids for a prompt of `count` tokens (Ollama's `context`, SGLang `input_ids`-like fields). */
export function promptTokenIds(count: number): number[] {
  const ids = new Array<number>(count);
  for (let i = 0; i < count; i++) ids[i] = FIRST_WORD_ID + ((i * 7) % WORDS.length);
  return ids;
}
