/**
 * Synthetic prompts of about N tokens. Each starts with a unique nonce so no engine's prefix cache can
 * shorten prefill (engine-apis.md §0.2); the rest are common short English words, which most BPE
 * tokenizers encode as one token each with their leading space. The server's own prompt count is what the
 * record keeps; this only aims the length.
 */
const WORDS = (
  'the of and to in is was for on that with as by at from his it an were are which this be or has had not ' +
  'but one first their its after new who they two her she been other when there all time during into ' +
  'school also more year years most only over city some world would where later up such used many can ' +
  'state about national out known university united then made'
).split(' ');

/** Words in the shared text a prompt is cut from; a seed picks where its window starts. */
const TEXT_WORDS = 1 << 16;

/**
 * One pseudo-random text per thread, built on first use (~330 KB), with each word's start offset. A prompt
 * is a window of it: slicing shares the text's memory, where joining N words cost 7.7 µs of a worker's
 * ~107 µs per request at 256 tokens, and at 1 000 streams requests are built in bursts.
 */
let shared: { readonly text: string; readonly wordStarts: Uint32Array } | undefined;

function sharedText(): { readonly text: string; readonly wordStarts: Uint32Array } {
  if (shared) return shared;
  const words: string[] = [];
  const wordStarts = new Uint32Array(TEXT_WORDS + 1);
  let offset = 0;
  let state = 0x9e3779b9;
  for (let i = 0; i < TEXT_WORDS; i++) {
    // xorshift32: cheap, deterministic word choice (the text itself does not matter, its length does).
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const word = WORDS[(state >>> 0) % WORDS.length]!;
    wordStarts[i] = offset;
    words.push(word);
    offset += word.length + 1;
  }
  wordStarts[TEXT_WORDS] = offset;
  // A trailing space, so every window of words ends in one, as every word is followed by one.
  shared = { text: `${words.join(' ')} `, wordStarts };
  return shared;
}

/** The nonce and then `promptTokens − 1` words: the text's words from a seed-chosen start, wrapping round. */
export function syntheticPrompt(promptTokens: number, nonce: string, seed: number): string {
  if (promptTokens <= 1) return nonce;
  const { text, wordStarts } = sharedText();
  let prompt = `${nonce} `;
  let start = (seed >>> 0) % TEXT_WORDS;
  let remaining = promptTokens - 1;
  while (remaining > 0) {
    const take = Math.min(remaining, TEXT_WORDS - start);
    prompt += text.slice(wordStarts[start]!, wordStarts[start + take]!);
    remaining -= take;
    start = 0;
  }
  // The window ends in the space after its last word.
  return prompt.slice(0, -1);
}
