/**
 * An index over include or exclude criteria, so an entity is tested only against the criteria
 * that could match it. Most globs are anchored by a literal at one end: they start with one
 * (`tcp/10.1.2.3/` then a star, `nginx` then a star) or end with one (a star then `/443`). Such a
 * criterion is filed under that literal in a prefix or a suffix trie, and an entity's value,
 * walked through the tries character by character, yields the candidates. Only globs with a
 * wildcard at both ends are tried on every entity.
 *
 * This is what keeps 16,000 entities against a 200-pattern rule well inside 50 ms.
 *
 * @module
 */

import type { Criterion, Feature } from "./rule.ts";

/** A trie node: children by UTF-16 code unit, and the criteria whose anchor ends here. */
interface Node {
  children: Map<number, Node>;
  criteria: Criterion[];
}

function node(): Node {
  return { children: new Map(), criteria: [] };
}

/** The tries for one feature and one case sensitivity. */
interface Tries {
  feature: Feature;
  /** Case-insensitive: the anchors, and the values walked, are lower case. */
  folded: boolean;
  prefixes: Node;
  suffixes: Node;
}

/** Reads an entity's value for a feature, folded to lower case for case-insensitive tries. */
export type ValueOf = (feature: Feature, folded: boolean) => string | null;

/** Criteria indexed by an anchored literal of one of their tests. */
export class CriteriaIndex {
  #tries: Tries[] = [];
  /** Criteria with no anchored literal in any test: tried on every entity. */
  #unanchored: Criterion[] = [];
  readonly size: number;

  constructor(criteria: readonly Criterion[]) {
    this.size = criteria.length;
    for (const criterion of criteria) this.#add(criterion);
  }

  #add(criterion: Criterion): void {
    // File the criterion under its test with the longest anchor: the most selective.
    let best:
      | { feature: Feature; caseSensitive: boolean; anchor: string; end: "prefix" | "suffix" }
      | null = null;
    for (const { feature, glob } of criterion.tests) {
      const pattern = glob.caseSensitive ? glob.pattern : glob.pattern.toLowerCase();
      const prefix = /^[^*?]*/.exec(pattern)![0];
      const suffix = /[^*?]*$/.exec(pattern)![0];
      const [anchor, end] = prefix.length >= suffix.length
        ? [prefix, "prefix" as const]
        : [suffix, "suffix" as const];
      if (anchor.length > 0 && (best === null || anchor.length > best.anchor.length)) {
        best = { feature, caseSensitive: glob.caseSensitive, anchor, end };
      }
    }
    if (best === null) {
      this.#unanchored.push(criterion);
      return;
    }
    const folded = !best.caseSensitive, feature = best.feature;
    let tries = this.#tries.find((t) => t.feature === feature && t.folded === folded);
    if (!tries) this.#tries.push(tries = { feature, folded, prefixes: node(), suffixes: node() });
    let at = best.end === "prefix" ? tries.prefixes : tries.suffixes;
    const length = best.anchor.length;
    for (let i = 0; i < length; i++) {
      const code = best.anchor.charCodeAt(best.end === "prefix" ? i : length - 1 - i);
      let next = at.children.get(code);
      if (!next) at.children.set(code, next = node());
      at = next;
    }
    at.criteria.push(criterion);
  }

  /**
   * True when some criterion matches, every test of it passing `test`. Candidates come from the
   * tries; `value` gives the entity's value for a feature.
   */
  some(value: ValueOf, test: (criterion: Criterion) => boolean): boolean {
    for (const criterion of this.#unanchored) if (test(criterion)) return true;
    for (const tries of this.#tries) {
      const text = value(tries.feature, tries.folded);
      if (text === null) continue;
      if (walk(tries.prefixes, text, false, test) || walk(tries.suffixes, text, true, test)) {
        return true;
      }
    }
    return false;
  }
}

/** Walks `text` (backwards for the suffix trie), trying the criteria filed along the way. */
function walk(
  root: Node,
  text: string,
  backwards: boolean,
  test: (c: Criterion) => boolean,
): boolean {
  let at: Node | undefined = root;
  const length = text.length;
  for (let i = 0; at !== undefined; i++) {
    for (const criterion of at.criteria) if (test(criterion)) return true;
    if (i === length) break;
    at = at.children.get(text.charCodeAt(backwards ? length - 1 - i : i));
  }
  return false;
}
