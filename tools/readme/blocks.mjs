// Finds a README's runnable code blocks: fenced blocks whose info string has the word `runnable`,
// each with the hidden `<!-- runnable:before … -->` / `<!-- runnable:after … -->` comments that
// stand right before and after it (blank lines between are fine). See run-blocks.mjs.

const LANGUAGES = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js', mjs: 'js' };

/**
 * The runnable blocks of a Markdown text, in order: `{ line, language, code, before?, after? }`,
 * `line` being the 1-based line of the opening fence. A runnable block in a language other than
 * TypeScript or JavaScript is an error, so a typo cannot silently skip a block.
 */
export function runnableBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  let pendingBefore;
  let lastBlock;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const comment = /^<!--\s*runnable:(before|after)\s*$/.exec(line.trim());
    if (comment) {
      const end = lines.findIndex((l, j) => j > i && l.trim() === '-->');
      if (end < 0) throw new Error(`line ${i + 1}: <!-- runnable:${comment[1]} has no closing -->`);
      const code = lines.slice(i + 1, end).join('\n');
      if (comment[1] === 'before') pendingBefore = code;
      else if (lastBlock && !lastBlock.after) lastBlock.after = code;
      else throw new Error(`line ${i + 1}: <!-- runnable:after follows no runnable block`);
      i = end;
      continue;
    }
    const fence = /^(\s*)(`{3,}|~{3,})\s*([^`]*)$/.exec(line);
    if (fence) {
      const marker = fence[2];
      const info = fence[3].trim().split(/\s+/);
      const close = lines.findIndex((l, j) => j > i && l.trim().startsWith(marker[0].repeat(marker.length)) && l.trim().replace(/[`~]/g, '') === '');
      if (close < 0) throw new Error(`line ${i + 1}: a code fence that is never closed`);
      if (info.includes('runnable')) {
        const language = LANGUAGES[info[0]];
        if (!language) throw new Error(`line ${i + 1}: a runnable block must be ts or js, got ${JSON.stringify(info[0])}`);
        lastBlock = { line: i + 1, language, code: lines.slice(i + 1, close).join('\n'), ...(pendingBefore !== undefined && { before: pendingBefore }) };
        blocks.push(lastBlock);
      } else {
        lastBlock = undefined;
      }
      pendingBefore = undefined;
      i = close;
      continue;
    }
    // Only blank lines may stand between a hidden comment and its block.
    if (line.trim() !== '') {
      if (pendingBefore !== undefined) throw new Error(`line ${i + 1}: <!-- runnable:before must stand right before a runnable block`);
      lastBlock = undefined;
    }
  }
  if (pendingBefore !== undefined) throw new Error('a <!-- runnable:before at the end stands before no block');
  return blocks;
}
