// Knowledge files: validation that reports every problem at once (hot reload, which never lets an
// invalid edit replace working knowledge, is the agency registry's: test/agencies.test.ts).
import { describe, expect, it } from 'vitest';
import { formatProblem, loadKnowledgeFiles } from '../knowledge/load.js';
import { KnowledgeLoadError, KnowledgeSource } from '../knowledge/source.js';
import { buildKnowledge } from '../knowledge/knowledge.js';
import { findEmergency } from '../knowledge/decide.js';
import { silentLogger } from '../bot/log.js';

const today = new Date('2026-11-22T10:00:00Z');

describe('kb:check problems', () => {
  it('the demo agency is valid and complete', () => {
    const result = loadKnowledgeFiles({ knowledgeDir: 'knowledge', agency: 'dvi', today });
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const ids = result.files.entries.map((e) => e.id);
    for (const id of ['dvi.about', 'dvi.contacts', 'dvi.data-complaint', 'dvi.special-needs', 'smalltalk.bot-identity']) expect(ids).toContain(id);
    const authorities = result.files.authorities.map((a) => a.id);
    for (const id of ['vid', 'pmlp', 'csdd', 'ptac', 'vdi', 'ur', 'nva', 'vsaa', 'visc', 'vpvb', 'vp', 'cert', 'tiesibsargs', 'pasvaldiba', 'emergency']) {
      expect(authorities).toContain(id);
    }
  });

  it('reports every problem at once, naming file, entry and field', () => {
    const result = loadKnowledgeFiles({ knowledgeDir: 'test/fixtures/broken-knowledge', agency: 'broken', today });
    expect(result.ok).toBe(false);
    const lines = result.problems.map(formatProblem);
    const expectLine = (re: RegExp) =>
      expect(
        lines.some((l) => re.test(l)),
        `${re} in\n${lines.join('\n')}`,
      ).toBe(true);
    expectLine(/ERROR .*broken\.dup\.yaml › broken\.dup › answer\.en: missing en translation/);
    expectLine(/ERROR .*broken\.dup\.yaml › broken\.dup › followUps\.0: "broken\.nowhere" is not an entry/);
    expectLine(/warning .*broken\.dup\.yaml › broken\.dup › reviewed: last reviewed 2020-01-01/);
    expectLine(/ERROR .*broken\.second\.yaml › broken\.dup › links\.0\.url/);
    expectLine(/ERROR .*broken\.second\.yaml › broken\.dup › .*colour/);
    expectLine(/ERROR .*broken\.third\.yaml › broken\.dup › id: id must equal the file name "broken\.third"/);
    expectLine(/ERROR .*broken\.dup\.yaml › broken\.dup › id: id also used in .*broken\.third\.yaml/);
    expectLine(/ERROR .*broken\.yaml-error\.yaml: not valid YAML/);
  });

  it('no ordinary question of the knowledge base would be sent to 112 by an emergency keyword', () => {
    // Emergency keywords win before anything else, so one that occurs in an everyday question
    // ("deg termiņš", "injured at work") would send citizens to 112. Every phrasing of every
    // entry, intent and non-emergency authority is checked against them.
    const result = loadKnowledgeFiles({ knowledgeDir: 'knowledge', agency: 'dvi', today });
    if (!result.ok) throw new Error('demo knowledge invalid');
    const knowledge = buildKnowledge(result.files);
    const questions = (q: Partial<Record<string, string[]>>) => Object.values(q).flatMap((list) => list ?? []);
    const ordinary = [
      ...result.files.entries.flatMap((e) => questions(e.questions)),
      ...result.files.intents.flatMap((i) => questions(i.questions)),
      ...result.files.authorities.filter((a) => !a.emergency).flatMap((a) => questions(a.questions)),
    ];
    expect(ordinary.length).toBeGreaterThan(1000);
    expect(ordinary.filter((q) => findEmergency(q, knowledge) !== undefined)).toEqual([]);
  });

  it('the bot refuses to start on an invalid knowledge base', () => {
    expect(() => new KnowledgeSource({ knowledgeDir: 'test/fixtures/broken-knowledge', agency: 'broken', now: () => today }, silentLogger)).toThrow(
      KnowledgeLoadError,
    );
  });
});
