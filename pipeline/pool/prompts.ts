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

export function syntheticPrompt(promptTokens: number, nonce: string, seed: number): string {
  const parts: string[] = [nonce];
  let state = seed >>> 0 || 1;
  for (let i = 1; i < promptTokens; i++) {
    // xorshift32: cheap, deterministic word choice (the text itself does not matter, its length does).
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    parts.push(WORDS[(state >>> 0) % WORDS.length]!);
  }
  return parts.join(' ');
}
