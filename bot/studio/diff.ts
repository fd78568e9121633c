// What changed between two versions of an entry, field by field, as the studio shows it: lists
// (phrasings per language, keywords, links, sources, follow-ups) as items added and removed, other
// values (an answer's text per language, the owner, the review date, "offer a person") as from → to.
// Pure; works on any JSON, so a removal (null) or an invalid draft diffs too.

export type FieldChange =
  /** Items of a list added and removed (compared as JSON). */
  | { field: string; change: 'list'; added: unknown[]; removed: unknown[] }
  /** A value set, changed or cleared (undefined: absent). */
  | { field: string; change: 'value'; from: unknown; to: unknown };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The changes from `before` to `after`, in the order of their fields. */
export function diffEntries(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  diffValue('', before, after, out);
  return out;
}

function diffValue(field: string, a: unknown, b: unknown, out: FieldChange[]): void {
  if (same(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const inA = new Set(a.map((x) => JSON.stringify(x)));
    const inB = new Set(b.map((x) => JSON.stringify(x)));
    const added = b.filter((x) => !inA.has(JSON.stringify(x)));
    const removed = a.filter((x) => !inB.has(JSON.stringify(x)));
    // The same items in another order: the order is what changed (follow-ups are offered in it).
    if (added.length === 0 && removed.length === 0) out.push({ field, change: 'value', from: a, to: b });
    else out.push({ field, change: 'list', added, removed });
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) diffValue(field === '' ? key : `${field}.${key}`, a[key], b[key], out);
    return;
  }
  // A list that appears or goes: every item added or removed.
  if (Array.isArray(b) && a === undefined) return void out.push({ field, change: 'list', added: b, removed: [] });
  if (Array.isArray(a) && b === undefined) return void out.push({ field, change: 'list', added: [], removed: a });
  if (isObject(a) && b === undefined) return diffValue(field, a, {}, out);
  if (isObject(b) && a === undefined) return diffValue(field, {}, b, out);
  out.push({ field: field === '' ? '(entry)' : field, change: 'value', from: a, to: b });
}
