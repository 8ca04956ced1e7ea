// The README runner's parser (tools/readme/blocks.mjs): which blocks run, with which hidden parts.
// It lives beside the generator's tests because tools/ has one jest project.
import { runnableBlocks } from '../../readme/blocks.mjs';

describe('runnableBlocks', () => {
  it('finds the blocks marked runnable, with the hidden before and after around them', () => {
    const markdown = [
      '# pkg',
      '```sh',
      'npm install pkg',
      '```',
      '<!-- runnable:before',
      "import { setup } from './x';",
      '-->',
      '',
      '```ts runnable',
      'export const a = 1;',
      '```',
      '',
      '<!-- runnable:after',
      'if (a !== 1) throw new Error();',
      '-->',
      '```ts',
      'fragment(',
      '```',
      '~~~js runnable',
      'console.log("```ts runnable inside is text")',
      '~~~',
    ].join('\n');
    expect(runnableBlocks(markdown)).toEqual([
      { line: 9, language: 'ts', code: 'export const a = 1;', before: "import { setup } from './x';", after: 'if (a !== 1) throw new Error();' },
      { line: 19, language: 'js', code: 'console.log("```ts runnable inside is text")' },
    ]);
  });

  it('refuses what would silently skip or misplace a block', () => {
    expect(() => runnableBlocks('```python runnable\nprint(1)\n```')).toThrow('line 1: a runnable block must be ts or js, got "python"');
    expect(() => runnableBlocks('```ts runnable\nx')).toThrow('line 1: a code fence that is never closed');
    expect(() => runnableBlocks('<!-- runnable:before\nx\n-->\ntext\n```ts runnable\n```')).toThrow('line 4: <!-- runnable:before must stand right before a runnable block');
    expect(() => runnableBlocks('```ts\nx\n```\n<!-- runnable:after\ny\n-->')).toThrow('line 4: <!-- runnable:after follows no runnable block');
    expect(() => runnableBlocks('<!-- runnable:after\ny')).toThrow('line 1: <!-- runnable:after has no closing -->');
  });
});
