import test from 'ava';
import { syntheticPrompt } from '../../../pipeline/pool/prompts.js';

const words = (prompt: string) => prompt.split(' ');

test('a prompt is the nonce and then N − 1 words, single-spaced, with no leading or trailing space', (t) => {
  for (const tokens of [1, 2, 256, 4096]) {
    const prompt = syntheticPrompt(tokens, '[req-1]', 42);
    t.is(words(prompt).length, tokens);
    t.is(words(prompt)[0], '[req-1]');
    t.true(words(prompt).every((word) => /^\S+$/.test(word)), `tokens=${tokens}`);
  }
});

test('the same seed gives the same prompt; other seeds give other words', (t) => {
  t.is(syntheticPrompt(256, 'n', 7), syntheticPrompt(256, 'n', 7));
  const texts = new Set(Array.from({ length: 50 }, (_, seed) => syntheticPrompt(256, 'n', seed * 7919 + 3)));
  t.is(texts.size, 50);
});

test('prompts longer than the shared text wrap round to its start and keep their length', (t) => {
  const tokens = 70_000; // more words than the 65 536-word text
  const prompt = syntheticPrompt(tokens, 'n', 65_530);
  t.is(words(prompt).length, tokens);
  t.true(words(prompt).every((word) => word.length > 0));
});

test('a negative or huge seed still picks a window inside the text', (t) => {
  for (const seed of [-1, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER]) t.is(words(syntheticPrompt(300, 'n', seed)).length, 300);
});
