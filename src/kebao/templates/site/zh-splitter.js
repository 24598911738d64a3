/*
 * kebao: Chinese queries split into the search index's own words (kebao.book.search).
 *
 * The index holds the words jieba found in the pages (三会, 一课); a query is
 * split at spaces and punctuation, and then each run of hanzi that is not a
 * word of the index becomes the fewest index words that cover the most of its
 * characters (三会一课 -> 三会 一课). Characters no word covers are left out:
 * the index has no one-character words. Sphinx then finds the pages that hold
 * every word. searchtools.js calls splitQuery only once the index is loaded.
 */
var splitQuery = (() => {
  const HAN = /\p{Script=Han}/u;
  const RUNS = /\p{Script=Han}+|[^\p{Script=Han}]+/gu;
  let known = null;  // the index's words written in hanzi
  let longest = 0;  // the longest of them, in characters

  const indexWords = () => {
    if (known === null && typeof Search !== "undefined" && Search._index) {
      known = new Set();
      for (const table of [Search._index.terms, Search._index.titleterms]) {
        for (const word of Object.keys(table || {})) {
          if (HAN.test(word)) {
            known.add(word);
            longest = Math.max(longest, [...word].length);
          }
        }
      }
    }
    return known;
  };

  // best[end] = [characters left out, words, where the last step started, the word it took (or null)]
  const segment = (run, words) => {
    const chars = [...run];
    const best = [[0, 0, 0, null]];
    for (let end = 1; end <= chars.length; end++) {
      let choice = [best[end - 1][0] + 1, best[end - 1][1], end - 1, null];
      for (let start = Math.max(0, end - longest); start <= end - 2; start++) {
        const word = chars.slice(start, end).join("");
        const [left, count] = best[start];
        if (words.has(word) && (left < choice[0] || (left === choice[0] && count + 1 < choice[1]))) {
          choice = [left, count + 1, start, word];
        }
      }
      best.push(choice);
    }
    const found = [];
    for (let end = chars.length; end > 0; end = best[end][2]) {
      if (best[end][3] !== null) found.unshift(best[end][3]);
    }
    return found;
  };

  return (query) => {
    const words = indexWords();
    const terms = [];
    const parts = query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).filter((term) => term);
    for (const part of parts) {
      if (words === null || !HAN.test(part) || words.has(part)) {
        terms.push(part);
        continue;
      }
      for (const run of part.match(RUNS)) {
        const found = HAN.test(run) && !words.has(run) ? segment(run, words) : [run];
        terms.push(...(found.length ? found : [run]));
      }
    }
    return terms;
  };
})();
