import fc from 'fast-check';
import { ConfigFormatError, isPattern, matchName, Stages, UnknownStageError } from '../src/index.js';

const word = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
const escape = (text: string) => text.replace(/[-]/g, '\\-');

describe('matchName (stage matching)', () => {
  it('an exact name wins over every regex name, wherever it sits in the file', () => {
    fc.assert(
      fc.property(word, fc.array(word, { maxLength: 5 }), fc.nat(), (name, others, at) => {
        const entries: [string, number][] = [...others.map((o, i) => [`/${escape(o)}|.*/`, i] as [string, number])];
        entries.splice(at % (entries.length + 1), 0, [name, -1]);
        const found = matchName(entries, name)!;
        return found.by === 'exact' && found.value === -1 && found.alsoMatched.length === 0;
      }),
    );
  });

  it('picks the first matching regex name in file order and reports every other match', () => {
    fc.assert(
      fc.property(word, fc.array(fc.tuple(fc.boolean(), word), { minLength: 1, maxLength: 6 }), (name, specs) => {
        // Each pattern either matches `name` (an alternation with it) or matches only its own word.
        const entries = specs.map(([matches, other], i) => [matches ? `/${escape(other)}_|${escape(name)}/` : `/${escape(other)}_/`, i] as [string, number]);
        const matching = entries.filter((_, i) => specs[i]![0]);
        const found = matchName(entries, name);
        if (matching.length === 0) return found === undefined;
        return found!.by === 'pattern' && found!.name === matching[0]![0] && JSON.stringify(found!.alsoMatched) === JSON.stringify(matching.slice(1).map(([key]) => key));
      }),
    );
  });

  it('matches the whole name, never a part of it', () => {
    fc.assert(
      fc.property(word, word, (stem, tail) => {
        const entries: [string, true][] = [[`/${escape(stem)}/`, true]];
        return matchName(entries, stem) !== undefined && matchName(entries, `${stem}${tail}`) === undefined && matchName(entries, `${tail}${stem}`) === undefined;
      }),
    );
  });

  it('treats only /…/ names as patterns', () => {
    expect(isPattern('/.*/')).toBe(true);
    expect(isPattern('/')).toBe(false);
    expect(isPattern('prod')).toBe(false);
    expect(matchName([['a.c', 1]], 'abc')).toBeUndefined();
  });
});

describe('Stages', () => {
  const stages = Stages.parse({
    prod: { environment: 'prod', key: 'alias/prod' },
    '/dev-.*/': { environment: 'dev', key: 'alias/dev' },
    '/.*/': { key: 'alias/other' },
  });

  it('resolves exact names, then regex names in order', () => {
    expect(stages.resolve('prod')).toMatchObject({ name: 'prod', by: 'exact', value: { environment: 'prod', key: 'alias/prod' } });
    expect(stages.resolve('dev-7')).toMatchObject({ name: '/dev-.*/', alsoMatched: ['/.*/'] });
    expect(stages.resolve('qa')).toMatchObject({ name: '/.*/', alsoMatched: [] });
    expect(stages.names).toEqual(['prod', '/dev-.*/', '/.*/']);
  });

  it('throws UnknownStageError listing the stages when nothing matches', () => {
    const only = Stages.parse({ prod: { key: 'k' } });
    expect(() => only.resolve('dev')).toThrow(UnknownStageError);
    expect(() => Stages.parse(undefined).resolve('dev')).toThrow(/none defined/);
  });

  it('finds the key of a per-stage key: the exact stage, else the stage a plain name matches', () => {
    expect(stages.keyFor('prod')).toBe('alias/prod');
    expect(stages.keyFor('/.*/')).toBe('alias/other');
    expect(stages.keyFor('dev-1')).toBe('alias/dev');
    expect(stages.keyFor('/qa/')).toBeUndefined();
  });

  it('rejects an empty stage name', () => {
    expect(() => Stages.parse({ '': { key: 'k' } })).toThrow(ConfigFormatError);
  });
});
