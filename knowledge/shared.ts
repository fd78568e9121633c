// What the agencies of one installation build alike from the shared files (authorities, built-in
// intents, the vote's examples), built once and handed to each agency's knowledge: the match layer
// of the shared documents and the vote's basis. Measured on dvi, they were 7.5 MB of heap and 0.3 s
// of each agency's build of 10 MB and 0.43 s.
import type { LayerSettings, MatchDocument } from './match-layer.js';
import { MatchLayer } from './match-layer.js';
import { VoteBasis, type VoteExample } from './intent-vote.js';

/**
 * Asked for the parts of some documents, it gives parts it built before when the documents are
 * the same, compared by content (an agency's files may be reshaped for it, as eval's --phrasings
 * does, so equal documents need not be the same objects), and builds new ones otherwise: an edit of
 * a shared file reaches the first agency built after it, and the next ones share its parts again.
 */
export class SharedAnalysis {
  // A few of the last parts built: agencies whose directories differ (an agency's own entry is left
  // out of its directory) each find theirs again, whatever order they are loaded in.
  private readonly layers: { documents: readonly MatchDocument[]; settings: LayerSettings; layer: MatchLayer }[] = [];
  private readonly bases: { examples: readonly VoteExample[]; others: readonly string[]; basis: VoteBasis }[] = [];
  /** How many times each part was built (a part handed out again is not built). */
  readonly builds = { layers: 0, bases: 0 };

  matchLayer(documents: readonly MatchDocument[], settings: LayerSettings): MatchLayer {
    const known = this.layers.find(
      (l) => l.settings.minSharedPrefix === settings.minSharedPrefix && l.settings.grams === settings.grams && sameDocuments(l.documents, documents),
    );
    if (known) return known.layer;
    const layer = new MatchLayer(documents, settings);
    this.builds.layers++;
    remember(this.layers, { documents, settings, layer });
    return layer;
  }

  /** The vote's basis: the labelled messages, and the questions every agency counts as "other" after its own. */
  voteBasis(examples: readonly VoteExample[], others: readonly string[]): VoteBasis {
    const known = this.bases.find(
      (b) => sameList(b.examples, examples, (x, y) => x.text === y.text && x.label === y.label) && sameList(b.others, others, same),
    );
    if (known) return known.basis;
    const basis = new VoteBasis(examples, others);
    this.builds.bases++;
    remember(this.bases, { examples, others, basis });
    return basis;
  }
}

/** Parts kept for reuse; older ones go (an edit of a shared file makes new ones). */
const KEPT_PARTS = 4;

function remember<T>(list: T[], item: T): void {
  list.unshift(item);
  list.length = Math.min(list.length, KEPT_PARTS);
}

const same = <T>(a: T, b: T) => a === b;

function sameList<T>(a: readonly T[], b: readonly T[], equal: (x: T, y: T) => boolean): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!equal(a[i]!, b[i]!)) return false;
  return true;
}

function sameDocuments(a: readonly MatchDocument[], b: readonly MatchDocument[]): boolean {
  return sameList(a, b, (x, y) => x.kind === y.kind && x.id === y.id && sameList(x.phrasings, y.phrasings, same) && sameList(x.keywords, y.keywords, same));
}
