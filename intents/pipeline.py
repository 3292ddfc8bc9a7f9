"""The spaCy pipeline: a blank English tokenizer and rule components, built once per Answerer.

- `gii_names`: every cluster, organization, location and economy name and alias from the
  knowledge base and the ordinal words (a PhraseMatcher, each pattern with the canonical name as
  its id), plus a token pattern for numbers (a Matcher), longest match first, written to
  `doc.user_data["names"]`. It is spaCy's EntityRuler without the Span objects and `doc.ents`,
  which cost more than the matching itself.
- `gii_cues`: the cue words of vocabulary.yaml, written to `doc.user_data["cues"]` as
  (label, start, end) matches; cues may overlap each other and the entities, which the entity
  ruler does not allow. (Plain tuples: building Span objects cost more than the matching.)
"""
from __future__ import annotations

import re
from typing import Any, NamedTuple

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from intents.text import matching_form
from intents.vocabulary import Vocabulary
from knowledge.base import KnowledgeBase
from knowledge.normalize import name_key

ENTITY_LABELS = {"cluster": "CLUSTER", "organization": "ORG", "location": "LOCATION", "economy": "ECONOMY"}
# When one surface form names two things, the first label here wins the phrase pattern.
LABEL_PRIORITY = ["cluster", "organization", "economy", "location"]
CUE_CACHE_SIZE = 20_000  # token texts whose cue words are kept (about 2 MB when full)
_NO_CUE: tuple[frozenset[str], bool] = (frozenset(), False)


class NameMatch(NamedTuple):
    """A name, ordinal or number found in a question, with the attributes of a spaCy entity Span."""

    label_: str
    ent_id_: str
    start: int
    end: int
    text: str
    doc: Doc


class NameMatcher:
    """Phrase patterns (names, ordinal words) and token patterns (numbers), longest match first."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab
        self.phrases = PhraseMatcher(vocab, attr="LOWER")
        self.tokens = Matcher(vocab)

    def add_patterns(self, patterns: list[dict[str, Any]], make_doc: Any) -> None:
        """EntityRuler-style patterns: {"label", "pattern" (text or token list), "id"}."""
        by_key: dict[str, list[Doc]] = {}
        for pattern in patterns:
            key = f"{pattern['label']}|{pattern.get('id', '')}"
            if isinstance(pattern["pattern"], str):
                by_key.setdefault(key, []).append(make_doc(pattern["pattern"]))
            else:
                self.tokens.add(key, [pattern["pattern"]])
        for key, docs in by_key.items():
            self.phrases.add(key, docs)

    def __call__(self, doc: Doc) -> Doc:
        strings = self.vocab.strings
        found = [(end - start, 0, start, end, match_id) for match_id, start, end in self.phrases(doc)]
        found += [(end - start, 1, start, end, match_id) for match_id, start, end in self.tokens(doc)]
        found.sort(key=lambda m: (-m[0], m[1], m[2]))  # longest, then names over numbers, then first
        taken = [False] * len(doc)
        names = []
        for _, _, start, end, match_id in found:
            if any(taken[start:end]):
                continue
            for i in range(start, end):
                taken[i] = True
            label, _, ident = strings[match_id].partition("|")
            names.append(NameMatch(label, ident, start, end, doc[start:end].text, doc))
        names.sort(key=lambda n: n.start)
        doc.user_data["names"] = names
        return doc


@Language.factory("gii_names")
def make_name_matcher(nlp: Language, name: str) -> NameMatcher:
    return NameMatcher(nlp.vocab)


class Cue(NamedTuple):
    """One cue phrase found in a question: its label, token offsets and text (the cue's own words, so a
    typo reads as what it stands for: "higer" as "higher"; a `stem*` word as typed)."""

    label: str
    start: int
    end: int
    text: str


def cues_of(doc: Doc) -> list[Cue]:
    return doc.user_data.get("cues") or []


class TokenView:
    """The token attributes the matcher reads, taken from the Doc in one pass (Token objects are costly)."""

    __slots__ = ("words", "lower", "alpha", "punct", "spaces")

    def __init__(self, doc: Doc) -> None:
        self.words: list[str] = []
        self.lower: list[str] = []
        self.alpha: list[bool] = []
        self.punct: list[bool] = []
        self.spaces: list[str] = []
        for token in doc:
            self.words.append(token.text)
            self.lower.append(token.lower_)
            self.alpha.append(token.is_alpha)
            self.punct.append(token.is_punct)
            self.spaces.append(token.whitespace_)

    def text(self, start: int, end: int) -> str:
        return "".join(w + s for w, s in zip(self.words[start:end], self.spaces[start:end])).strip()


def token_view(doc: Doc) -> TokenView:
    """The Doc's TokenView (made by the cue component), or a new one for a Doc made elsewhere."""
    view = doc.user_data.get("view")
    return view if isinstance(view, TokenView) else TokenView(doc)


class CueMatcher:
    """Marks cue phrases (possibly overlapping) as labelled matches in `doc.user_data["cues"]`.

    spaCy's Matcher with FUZZY and REGEX predicates costs close to a millisecond a question
    here, so this component does the same job with two tables: which cue words a token can be
    (exact, `stem*` prefix, or a small typo of a long word; cached per token text), and the
    phrases indexed by their first word.
    """

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab
        self.exact: dict[str, set[str]] = {}
        self.stems: list[str] = []
        self.fuzzy_words: list[str] = []
        self.short_words: list[str] = []
        self.phrases: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        # The same phrases indexed for matching: one-word phrases by their word, longer ones by their first two.
        self.singles: dict[str, list[str]] = {}
        self.pairs: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = {}
        self._cache: dict[str, tuple[frozenset[str], bool]] = {}
        self._by_letter: dict[str, list[str]] | None = None
        self._stem_index: dict[str, list[str]] | None = None
        self.known_words: frozenset[str] = frozenset()  # real words: never read as a typo of a cue
        # Other real words are read as a cue only as another form of it ("peoples", "filings"), never as a
        # slip into a different word ("fine" is not "file", "colleague" not "college").
        self.dictionary: frozenset[str] = frozenset()
        self.stem_endings: frozenset[str] = frozenset()  # a dictionary word is a stem's form only with one of these after it

    def add(self, label: str, phrases: list[list[str]]) -> None:
        for words in phrases:
            if not words:
                continue
            for word in words:
                if word.endswith("*") and len(word) > 1:
                    if word not in self.stems:
                        self.stems.append(word)
                else:
                    self.exact.setdefault(word, set()).add(word)
                    if word.isalpha() and len(word) >= 6 and word not in self.fuzzy_words:
                        self.fuzzy_words.append(word)
                    elif word.isalpha() and len(word) >= 4 and word not in self.short_words:
                        self.short_words.append(word)
            self.phrases.setdefault(words[0], []).append((label, tuple(words)))
            if len(words) == 1:
                self.singles.setdefault(words[0], []).append(label)
            else:
                self.pairs.setdefault((words[0], words[1]), []).append((label, tuple(words)))
        self._cache.clear()
        self._by_letter = None
        self._stem_index = None

    def words_of(self, text: str) -> frozenset[str]:
        """The cue words a token can stand for."""
        return self._lookup(text)[0]

    def _lookup(self, text: str) -> tuple[frozenset[str], bool]:
        """(cue words, read as a typo?) for a token text, cached: the same words come back all the time."""
        found = self._cache.get(text)
        if found is not None:
            return found
        words = set(self.exact.get(text, ()))
        words.update(stem for stem in self._stems_by_start().get(text[:2], ()) if text.startswith(stem[:-1])
                     and (text not in self.dictionary or not self.stem_endings or text[len(stem) - 1:] in self.stem_endings))
        typo = False
        if not words and text.isalpha() and len(text) >= 4 and text not in self.known_words:
            slips = self._typo_of(text)
            if text in self.dictionary:
                slips = [w for w in slips if text.startswith(w) or w.startswith(text)]
            words.update(slips)
            typo = bool(words)
        found = (frozenset(words), typo) if words else _NO_CUE  # most words are no cue: one shared value
        if len(self._cache) >= CUE_CACHE_SIZE:
            self._cache.clear()  # bounded, and kept for the words asked now rather than those of a flood
        self._cache[text] = found
        return found

    def _typo_of(self, text: str) -> list[str]:
        """The cue words a token is one slip from (two for long words), keeping its first letter; the scans run
        in rapidfuzz's C code over the words of that letter, so a message of random words stays cheap."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA  # a swapped pair of letters is one edit

        pools = self._pools()
        if len(text) < 6:  # short words: one edit ("sise" -> "size")
            pool = [w for w in pools.get(text[0], ()) if abs(len(w) - len(text)) <= 1]
            return [w for w, _, _ in process.extract(text, pool, scorer=OSA.distance, score_cutoff=1, limit=None)]
        limit = 1 if len(text) < 8 else 2
        pool = [w for w in pools.get(text[0], ()) if len(w) >= 6 and abs(len(w) - len(text)) <= limit]
        scored = [(distance, word) for word, distance, _ in
                  process.extract(text, pool, scorer=OSA.distance, score_cutoff=limit, limit=None)]
        scored += [(min(OSA.distance(s[:-1], text[:n], score_cutoff=limit) for n in (len(s) - 2, len(s) - 1, len(s))), s)
                   for s in self.stems if s[0] == text[0] and len(s) >= 7 and len(text) >= len(s) - 2]  # a slip may drop a letter
        scored = [(distance, word) for distance, word in scored if distance <= limit]
        if not scored:
            return []
        closest = min(distance for distance, _ in scored)  # "publsher" is "publisher", not "publishers"
        return [word for distance, word in scored if distance == closest]

    def _stems_by_start(self) -> dict[str, list[str]]:
        """The `stem*` words by their first two letters (one-letter stems under both of theirs)."""
        if self._stem_index is None:
            index: dict[str, list[str]] = {}
            for stem in self.stems:
                index.setdefault(stem[:2] if len(stem) > 2 else stem[:1], []).append(stem)
            self._stem_index = index
        return self._stem_index

    def _pools(self) -> dict[str, list[str]]:
        """The fuzzy-matchable cue words by first letter (built on first use, after every `add`)."""
        if self._by_letter is None:
            by_letter: dict[str, list[str]] = {}
            for word in self.short_words + self.fuzzy_words:
                by_letter.setdefault(word[0], []).append(word)
            self._by_letter = by_letter
        return self._by_letter

    def __call__(self, doc: Doc) -> Doc:
        view = TokenView(doc)
        doc.user_data["view"] = view
        lowers = view.lower
        looked_up = [self._lookup(word) for word in lowers]
        token_words = [words for words, _ in looked_up]
        doc.user_data["typo_tokens"] = {i for i, (_, typo) in enumerate(looked_up) if typo}
        spans = []
        size = len(lowers)
        singles, pairs = self.singles, self.pairs
        for start, words in enumerate(token_words):
            if not words:
                continue
            following = token_words[start + 1] if start + 1 < size else ()
            for first in words:
                for label in singles.get(first, ()):
                    spans.append(Cue(label, start, start + 1, lowers[start] if first.endswith("*") else first))
                for second in following:
                    for label, phrase in pairs.get((first, second), ()):
                        length = len(phrase)
                        end = start + length
                        if end > size:
                            continue
                        for offset in range(2, length):
                            if phrase[offset] not in token_words[start + offset]:
                                break
                        else:
                            spans.append(Cue(label, start, end, " ".join(
                                lowers[start + i] if word.endswith("*") else word for i, word in enumerate(phrase))))
        doc.user_data["cues"] = spans
        return doc


@Language.factory("gii_cues")
def make_cue_matcher(nlp: Language, name: str) -> CueMatcher:
    return CueMatcher(nlp.vocab)


def drop_typo_cues_on_names(doc: Doc, capitalized: frozenset[str]) -> None:
    """A capitalised word read as a typo of a cue ("Pharmaceutica") is a name, not the cue."""
    typos = doc.user_data.get("typo_tokens") or set()
    if not typos or not capitalized:
        return
    lowers = token_view(doc).lower
    names = {i for i in typos if lowers[i] in capitalized}
    if names:
        doc.user_data["cues"] = [cue for cue in cues_of(doc) if not names & set(range(cue.start, cue.end))]


def phrase_tokens(nlp: Language, phrase: str) -> list[str]:
    """How the tokenizer splits a phrase after normalisation, keeping `*` on stems."""
    words = []
    for part in matching_form(phrase).split():
        star = part.endswith("*")
        pieces = [t.text for t in nlp.make_doc(part.rstrip("*"))]
        if star and pieces:
            pieces[-1] += "*"
        words.extend(pieces)
    return words


def name_variants(name: str, word_forms: dict[str, list[str]] | None = None) -> set[str]:
    """A name as printed, with its dashes as spaces, with all punctuation dropped, and with the short forms
    people write for its words ("univ of antwerp")."""
    form = matching_form(name)
    variants = {form, re.sub(r"\s*-\s*", " ", form), re.sub(r"[/]", " ", form), name_key(name)} - {""}
    if word_forms:
        variants.update(re.sub(r" of (?:the )?", " ", v) for v in list(variants))  # "university antwerp", "uni antwerp"
    for word, shorts in (word_forms or {}).items():
        long = matching_form(word)
        for variant in list(variants):
            padded = f" {variant} "
            if f" {long} " in padded:
                variants.update(padded.replace(f" {long} ", f" {matching_form(short)} ").strip() for short in shorts)
    return variants - {""}


def build_pipeline(knowledge: KnowledgeBase, vocabulary: Vocabulary) -> Language:
    """Build the blank pipeline with its two rule components for this knowledge base."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("gii_names")
    patterns: list[dict[str, Any]] = []
    taken: dict[str, str] = {}
    names = knowledge.all_names()
    for kind in LABEL_PRIORITY:
        for surface, canonical in names[kind]:
            for variant in sorted(name_variants(surface, vocabulary.name_word_forms if kind == "organization" else None)):
                if variant in taken:
                    continue
                taken[variant] = kind
                patterns.append({"label": ENTITY_LABELS[kind], "pattern": variant, "id": str(canonical)})
    # A long organization name cut short after three or more of its words ("ku leuven research" for KU Leuven Research &
    # Development): that name, when no other name is written so; the full names above are found first.
    stop = nlp.Defaults.stop_words
    heads: dict[str, set[str]] = {}
    for surface, canonical in names["organization"]:
        for variant in name_variants(surface):
            words = variant.split()
            for n in range(3, len(words)):
                if words[n - 1].isalpha() and words[n - 1] not in stop:
                    heads.setdefault(" ".join(words[:n]), set()).add(str(canonical))
    for head, owners in sorted(heads.items()):
        if len(owners) == 1 and head not in taken:
            taken[head] = "organization"
            patterns.append({"label": ENTITY_LABELS["organization"], "pattern": head, "id": next(iter(owners))})
    patterns.extend(_number_patterns(vocabulary))
    ruler.add_patterns(patterns, nlp.make_doc)

    cues = nlp.add_pipe("gii_cues")
    cues.known_words = frozenset(vocabulary.known_words | set(nlp.Defaults.stop_words))
    cues.dictionary = vocabulary.dictionary
    cues.stem_endings = vocabulary.finder_words.get("stem_endings", frozenset())
    for label, phrases in vocabulary.cues.items():
        cues.add(label, [phrase_tokens(nlp, phrase) for phrase in phrases])
    return nlp


def _number_patterns(vocabulary: Vocabulary) -> list[dict[str, Any]]:
    """Ordinal words ("second", "number two", "runner-up") as phrase patterns, and one token pattern
    for anything number-like ("3", "53rd", "three", "8,613").

    Each token pattern costs the Matcher about a microsecond a question, so what a number is
    ("#3" and "53rd" are ordinals, "6 %" a percentage, "2024" a year) is read from its neighbours
    by the entity finder rather than by a pattern per case.
    """
    patterns: list[dict[str, Any]] = []
    for value, phrases in vocabulary.ordinals.items():
        for phrase in phrases:
            form = matching_form(phrase)
            for variant in {form, form.replace(" ", "-")}:  # "number two" and "number-two"
                patterns.append({"label": "ORDINAL", "id": str(value), "pattern": variant})
    for phrase in vocabulary.number_phrases:
        patterns.append({"label": "NUMBER", "pattern": matching_form(phrase)})  # "one and a half": one number
    patterns.append({"label": "NUMBER", "pattern": [{"LIKE_NUM": True}]})
    return patterns
