"""Find the names in a question: exact phrases first, then places, then fuzzy names, then unknowns.

Strict to loose, as the style guide asks: the entity ruler's exact matches win; a gazetteer of
real places tells us when a word is a place we do not cover; rapidfuzz catches misspellings of
our own names only with a minimum length and a clear margin over the next-best name; what is
left and is no known word is kept as an unknown term, so the answer layer can refuse honestly
instead of answering about something else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from spacy.tokens import Doc

from intents.pipeline import TokenView, cues_of, token_view
from intents.vocabulary import Vocabulary
from knowledge.base import KnowledgeBase, name_parts
from knowledge.normalize import name_key
from knowledge.places import Gazetteer

FUZZY_MIN_LENGTH = 4
FUZZY_MIN_SCORE = 84.0
FUZZY_MARGIN = 6.0
FUZZY_STRONG_SCORE = 90.0  # to override a place we matched exactly inside the span
MAX_FUZZY_SPANS = 60  # a resource limit: spans tried for a misspelt name per question (a page of random words stays cheap)
MAX_NGRAM = 4
def _wordy(tokens: TokenView, i: int) -> bool:
    """A word, or a token with letters in it ("k.u.", "r&d"), that a name may start or end with."""
    return tokens.alpha[i] or (len(tokens.lower[i]) > 1 and any(c.isalpha() for c in tokens.lower[i]))


_ORDINAL_DIGITS = re.compile(r"\d+(?:st|nd|rd|th)")
_SHAPED_LIKE_ORDINAL = re.compile(r"\d+[a-z]+")
_KIND_OF_LABEL = {"CLUSTER": "cluster", "ORG": "organization", "LOCATION": "location", "ECONOMY": "economy"}


@dataclass
class Found:
    """One entity in the question, with where it stands (token offsets) and how it was found."""

    type: str
    text: str
    value: str
    start: int
    end: int
    how: str = "exact"
    number: float | None = None


@dataclass
class Entities:
    items: list[Found] = field(default_factory=list)
    unknown_terms: list[str] = field(default_factory=list)
    other_words: list[str] = field(default_factory=list)  # ordinary words the vocabulary has no use for

    def of(self, kind: str) -> list[Found]:
        return [item for item in self.items if item.type == kind]

    def values(self, kind: str) -> list[str]:
        seen: list[str] = []
        for item in self.of(kind):
            if item.value not in seen:
                seen.append(item.value)
        return seen


def parse_number(text: str, vocabulary: Vocabulary) -> float | None:
    """'8,613' -> 8613, '8.613' -> 8613 (a European thousands point), 'fifty' -> 50, '6%' -> 6."""
    cleaned = text.lower().replace(",", "").replace("%", "").strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    cleaned = re.sub(r"\s*(percent|per cent|per-cent|pct|percentage)$", "", cleaned)
    if cleaned in vocabulary.number_words:
        return float(vocabulary.number_words[cleaned])
    if " ".join(cleaned.split()) in vocabulary.number_phrases:
        return vocabulary.number_phrases[" ".join(cleaned.split())]
    try:
        return float(cleaned)
    except ValueError:
        return None


def _dashes_as_spaces(text: str) -> str:
    return " ".join(re.sub(r"\s*-\s*", " ", text).split())


_ORDINAL_INDEXES: dict[int, tuple[Vocabulary, dict[str, int]]] = {}  # holds the vocabulary, so its id stays its own


def _ordinal_index(vocabulary: Vocabulary) -> dict[str, int]:
    """The ordinal phrases of a vocabulary by their form with dashes as spaces (built once per vocabulary)."""
    entry = _ORDINAL_INDEXES.get(id(vocabulary))
    if entry is not None and entry[0] is vocabulary:
        return entry[1]
    index: dict[str, int] = {}
    for value, phrases in vocabulary.ordinals.items():
        for phrase in phrases:
            index.setdefault(_dashes_as_spaces(phrase.lower()), value)
    if len(_ORDINAL_INDEXES) > 8:
        _ORDINAL_INDEXES.clear()
    _ORDINAL_INDEXES[id(vocabulary)] = (vocabulary, index)
    return index


def parse_ordinal(text: str, vocabulary: Vocabulary) -> int | None:
    """'2nd' -> 2, '#3' -> 3, 'number two' -> 2, 'runner-up' -> 2."""
    lowered = text.lower().strip()
    value = _ordinal_index(vocabulary).get(_dashes_as_spaces(lowered))
    if value is not None:
        return value  # "runner-up" and "runner up", "number-two" and "number two" alike
    digits = re.search(r"\d+", lowered)
    if digits:
        return int(digits.group())
    last = lowered.split()[-1] if lowered.split() else ""
    if last in vocabulary.number_words:
        return vocabulary.number_words[last]
    return None


class EntityFinder:
    """Turns a parsed Doc into the list of entities the intent matcher and answers use."""

    def __init__(self, knowledge: KnowledgeBase, vocabulary: Vocabulary, places: Gazetteer,
                 stop_words: set[str]) -> None:
        self.knowledge = knowledge
        self.vocabulary = vocabulary
        self.words = vocabulary.finder_words
        self.places = places
        self.known_words = set(vocabulary.known_words) | set(stop_words)
        self.abbreviations = {key.lower(): value for key, value in vocabulary.place_abbreviations.items()}
        self.ordinal_words = frozenset(p.lower() for ps in vocabulary.ordinals.values() for p in ps if " " not in p)
        keys = [key.split() for key in places.keys()]
        self.place_first_words = frozenset(words[0] for words in keys if words)
        self.place_last_words = frozenset(words[-1] for words in keys if words)
        self.fuzzy_names: list[str] = []
        self.fuzzy_targets: list[tuple[str, str]] = []
        # Words of organization names ("university" in "University of Antwerp"): known words, yet part of a name.
        self.org_words = frozenset(w for surface, _ in knowledge.all_names()["organization"]
                                   for w in re.findall(r"[a-z]+", surface.lower()) if len(w) > 3)
        # A part of a hyphenated location name ("Rotterdam" in "Amsterdam–Rotterdam") names that location.
        self.location_parts: dict[str, str] = {}
        for surface, canonical in knowledge.all_names()["location"]:
            parts = name_parts(surface)
            if len(parts) > 1:
                for part in parts:
                    self.location_parts.setdefault(name_key(part), str(canonical))
        for kind, names in knowledge.all_names().items():
            for surface, canonical in names:
                key = name_key(surface)
                if len(key) >= FUZZY_MIN_LENGTH:
                    self.fuzzy_names.append(key)
                    self.fuzzy_targets.append((kind, str(canonical)))
        self._first_index: dict[str, int] = {}  # a name's first target (clusters come before the places they share it with)
        for i, name in enumerate(self.fuzzy_names):
            self._first_index.setdefault(name, i)

    def find(self, doc: Doc, capitalized: frozenset[str] = frozenset()) -> Entities:
        """Entities of a Doc; `capitalized` holds the lower-cased words the user wrote with a capital
        letter inside a sentence, which read as names even when they are also English words."""
        found = Entities()
        tokens = token_view(doc)
        covered = [False] * len(doc)
        soft = [False] * len(doc)  # one-word place names: a longer misspelt name may contain them
        for ent in doc.user_data.get("names", ()):
            item = self._from_ent(ent)
            if item is None:
                continue
            found.items.append(item)
            for i in range(ent.start, ent.end):
                covered[i] = True
                soft[i] = ent.end - ent.start == 1 and item.type in ("cluster", "location", "economy")
        cue_tokens = {i for cue in cues_of(doc) for i in range(cue.start, cue.end)}
        self._rest_of_names(tokens, covered, found)
        longer = self._longer_names(tokens, covered, cue_tokens, capitalized, found)
        if capitalized:
            self._abbreviations(tokens, covered, capitalized, found)
        self._demonyms(tokens, covered, found)
        self._places(tokens, covered, found, soft)
        self._fuzzy_across_places(tokens, covered, soft, cue_tokens, found)
        self._fuzzy(tokens, covered, cue_tokens, found)
        found.unknown_terms = longer + self._unknown(tokens, covered, cue_tokens, capitalized)
        found.other_words = [w for i, w in enumerate(tokens.lower) if not covered[i] and i not in cue_tokens and tokens.alpha[i]
                             and w not in self.known_words and w in self.vocabulary.dictionary and w not in capitalized]
        self._read_number_phrases(tokens, found)
        for item in found.items:
            if item.type == "location" and tokens.lower[item.end:item.end + 1] in (["cluster"], ["cluster's"]):
                item.type, item.how = "place", "named as a cluster"  # "the Paris cluster": a cluster we lack, not the partner
        fractions = {i for cue in cues_of(doc) if cue.label == "FRACTION" for i in range(cue.start, cue.end)}
        if fractions:  # "a third" is a fraction, not the third row
            found.items = [item for item in found.items if not (item.type == "ordinal" and item.start in fractions)]
        found.items.sort(key=lambda item: item.start)
        return found

    def _from_ent(self, ent) -> Found | None:  # type: ignore[no-untyped-def]
        label = ent.label_
        if label in _KIND_OF_LABEL:
            return Found(_KIND_OF_LABEL[label], ent.text, ent.ent_id_, ent.start, ent.end)
        doc = ent.doc
        before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
        lead_gap = 0
        if before == "." and ent.start > 1 and doc[ent.start - 2].lower_ + "." in self.words["ordinal_leads"]:
            before, lead_gap = doc[ent.start - 2].lower_ + ".", 1  # "no. 2" tokenised as "no", ".", "2"
        if label == "NUMBER" and (ent.text in self.ordinal_words or _ORDINAL_DIGITS.fullmatch(ent.text)
                                  or before in self.words["ordinal_leads"]):
            label = "ORDINAL"  # "second", "60th" and "#3", "number 3" are numbers to spaCy too
        if label == "ORDINAL":
            if _SHAPED_LIKE_ORDINAL.fullmatch(ent.text) and not _ORDINAL_DIGITS.fullmatch(ent.text):
                return None  # "5km", "3x": shaped like "3rd" but no ordinal
            value = parse_ordinal(ent.text, self.vocabulary)
            start = ent.start - 1 - lead_gap if before in self.words["ordinal_leads"] and label == "ORDINAL" and ent.text[:1].isdigit() else ent.start
            return Found("ordinal", doc[start:ent.end].text, str(value), start, ent.end, number=value) if value else None
        if label in ("NUMBER", "PERCENT"):
            if label == "NUMBER" and _SHAPED_LIKE_ORDINAL.fullmatch(ent.text):
                return None
            value = parse_number(ent.text, self.vocabulary)
            if value is None:
                return None
            after = [t.lower_ for t in doc[ent.end:ent.end + 2]]
            spelt = " ".join(after) in self.words["percent_phrases"]  # "6 per cent"
            if after[:1] and after[0] in self.words["percent_words"] or spelt:
                end = ent.end + (2 if spelt else 1)  # "6%", "6 percent", "6 per cent"
                return Found("percent", doc[ent.start:end].text, f"{value:g}", ent.start, end, number=value)
            kind = "percent" if label == "PERCENT" else ("year" if self._reads_as_year(ent, value) else "number")
            return Found(kind, ent.text, f"{value:g}", ent.start, ent.end, number=value)
        return None

    @staticmethod
    def _ngrams(tokens: TokenView, covered: list[bool], can_start: list[bool] | None = None,
                can_end: list[bool] | None = None) -> list[tuple[int, int]]:
        """Spans of up to MAX_NGRAM uncovered tokens that start and end with a word, longest first; `can_start` and
        `can_end` narrow them to spans whose first and last tokens may begin and end a name (a page of words stays cheap)."""
        spans = []
        n = len(tokens.lower)
        wordy = [_wordy(tokens, i) for i in range(n)]
        starts = [i for i in range(n) if wordy[i] and (can_start is None or can_start[i])]
        ends = [wordy[i] and (can_end is None or can_end[i]) for i in range(n)]
        taken = [0] * (n + 1)  # covered tokens before each position, so a span's test is one subtraction
        for i, c in enumerate(covered[:n]):
            taken[i + 1] = taken[i] + (1 if c else 0)
        for size in range(min(MAX_NGRAM, n), 0, -1):
            for start in starts:
                end = start + size
                if end <= n and ends[end - 1] and taken[end] == taken[start]:
                    spans.append((start, end))
        return spans

    def _reads_as_year(self, ent, value: float) -> bool:  # type: ignore[no-untyped-def]
        """2023 in "in 2023", "the 2023 edition", "GII 2024"; not in "between 2000 and 3000"."""
        if not (value.is_integer() and 1900 <= value <= 2100):
            return False
        doc = ent.doc
        before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
        after = doc[ent.end].lower_ if ent.end < len(doc) else ""
        return before in self.words["year_before"] or after in self.words["year_after"] or ent.start == 0

    def _read_number_phrases(self, tokens: TokenView, found: Entities) -> None:
        """"one of the top", "one in ten", "8 613": numbers that read differently in their phrase."""
        numbers = {item.start: item for item in found.items if item.type == "number"}
        for start, item in sorted(numbers.items()):
            after = tokens.lower[item.end:item.end + 3]
            before = tokens.lower[item.start - 1] if item.start > 0 else ""
            if item.number == 1 and self.vocabulary.number_words.get(tokens.lower[item.start]) == 1 and (
                    before in self.words["one_as_pronoun_after"] or any(o.end == item.start for o in found.items if o.type == "ordinal")):
                found.items.remove(item)  # "the first one", "that one": a pronoun, no number
            elif item.number == 1 and after[:1] and after[0] in self.words["one_of"]:
                found.items.remove(item)  # "one of the top applicants": no number
            elif item.number == 1 and after[:1] in (["in"], ["out"]):
                denominator = next((n for n in numbers.values() if item.end < n.start <= item.end + 3), None)
                if denominator and denominator.number:
                    found.items.remove(item)  # "one in ten": a share
                    found.items.remove(denominator)
                    found.items.append(Found("percent", tokens.text(item.start, denominator.end), f"{100 / denominator.number:g}",
                                             item.start, denominator.end, number=100 / denominator.number))
            elif (item.number is not None and item.number < 1000 and item.end in numbers and item in found.items
                  and re.fullmatch(r"\d{3}", tokens.words[item.end])):
                following = numbers[item.end]  # "8 613": a thousands space
                found.items.remove(following)
                item.number = item.number * 1000 + float(tokens.words[item.end])
                item.value, item.end = f"{item.number:g}", following.end

    def _longer_names(self, tokens: TokenView, covered: list[bool], cue_tokens: set[int], capitalized: frozenset[str],
                      found: Entities) -> list[str]:
        """"Toyota Motor Corporation" is not "Toyota": a name of ours followed by more capitalised words
        is another organization, which we don't have."""
        names = []
        for item in list(found.items):
            if item.type != "organization":
                continue
            end = item.end
            while (end < len(tokens.lower) and not covered[end] and end not in cue_tokens and tokens.alpha[end]
                   and tokens.lower[end] in capitalized and tokens.lower[end] not in self.known_words):
                end += 1
            if end > item.end:
                found.items.remove(item)
                for i in range(item.start, end):
                    covered[i] = True
                text = tokens.text(item.start, end)
                best = process.extractOne(name_key(text), self.fuzzy_names, scorer=fuzz.ratio, score_cutoff=FUZZY_STRONG_SCORE)
                if best and self.fuzzy_targets[best[2]][0] == "organization":  # "Toyota Motor Eurpoe": ours, misspelt
                    found.items.append(Found("organization", text, self.fuzzy_targets[best[2]][1], item.start, end, how="fuzzy"))
                else:
                    names.append(text)
        return names

    def _rest_of_names(self, tokens: TokenView, covered: list[bool], found: Entities) -> None:
        """"toyota motor europ": the words after a name of ours that, misspelt or not, finish an organization's longer
        name are part of it (not a place "Europe" or an unknown word); "KU Leuven Reserch and Developement" is then
        that longer name's organization, not KU Leuven."""
        for item in found.items:
            if item.type != "organization":
                continue
            for extra in range(MAX_NGRAM - 1, 0, -1):
                end = item.end + extra
                if end > len(tokens.lower) or any(covered[item.end:end]) or not all(tokens.alpha[item.end:end]):
                    continue
                last = tokens.lower[end - 1]
                if last in self.known_words and last not in self.org_words:
                    continue  # "KU Leuven R&D or Toyota", "Toyota Motor Europe share": the name ended before
                key = name_key(" ".join(tokens.lower[item.start:end]))
                best = process.extractOne(key, self.fuzzy_names, scorer=fuzz.ratio, score_cutoff=FUZZY_STRONG_SCORE)
                # the longer text must fit that name better than the name as matched does
                if best and self.fuzzy_targets[best[2]][0] == "organization" \
                        and best[1] > fuzz.ratio(name_key(" ".join(tokens.lower[item.start:item.end])), best[0]):
                    for i in range(item.end, end):
                        covered[i] = True
                    item.text, item.end, item.value = tokens.text(item.start, end), end, self.fuzzy_targets[best[2]][1]
                    break

    def _demonyms(self, tokens: TokenView, covered: list[bool], found: Entities) -> None:
        """"a Dutch cluster": the economy an adjective names (only ever used for where a cluster is)."""
        for i, word in enumerate(tokens.lower):
            economy = self.vocabulary.demonyms.get(word)
            if economy is None or covered[i]:
                continue
            ours = self.knowledge.find_economy(economy)
            found.items.append(Found("economy" if ours else "place_economy", tokens.words[i], ours or economy, i, i + 1,
                                     how="demonym"))
            covered[i] = True

    def _abbreviations(self, tokens: TokenView, covered: list[bool], capitalized: frozenset[str], found: Entities) -> None:
        """"the US", "in the UK": short place codes, read only when written in capitals."""
        for i, word in enumerate(tokens.words):
            expansion = self.abbreviations.get(word) or self.abbreviations.get(word + ".")
            if expansion is None or covered[i] or not ({word, word + "."} & capitalized):
                continue
            place = self.places.lookup(expansion)
            if place is None:
                continue
            ours = self._ours(place.name)
            kind = ours[0] if ours else ("place_economy" if place.kind == "country" else "place")
            found.items.append(Found(kind, word, ours[1] if ours else place.name, i, i + 1, how="abbreviation"))
            covered[i] = True

    def _places(self, tokens: TokenView, covered: list[bool], found: Entities, soft: list[bool]) -> None:
        """Exact gazetteer matches: a real place; ours if it is one of our names, else a place we lack."""
        can_start = [not c and (w in self.place_first_words or w[-1:] == "s" and w[:-1] in self.place_first_words)
                     for c, w in zip(covered, tokens.lower)]
        if not any(can_start):
            return  # no word here can start a place name
        can_end = [w in self.place_last_words or w[-1:] == "s" and w[:-1] in self.place_last_words for w in tokens.lower]
        for start, end in self._ngrams(tokens, covered, can_start, can_end):
            if any(covered[start:end]):
                continue
            first, last = tokens.lower[start], tokens.lower[end - 1]
            # "eindhovens share": a possessive written without its apostrophe
            bare = last[:-1] if last.endswith("s") and len(last) > 4 and last not in self.vocabulary.dictionary else None
            if end - start == 1 and bare and not (first in self.place_first_words and first in self.place_last_words):
                first = bare  # ("bruxelles", "athens" are names as written)
            if first not in self.place_first_words or not (last in self.place_last_words or bare in self.place_last_words):
                continue  # no place name starts or ends with this word: skip the lookup
            text = tokens.text(start, end)
            place = self.places.lookup(text)
            if end - start == 1 and first in self.known_words and not (place and self._ours(place.name)):
                continue  # a word we know as something else, unless it is another name of one of our places ("bruxelles")
            if place is None and bare and bare in self.place_last_words:
                place = self.places.lookup(text[:-1])
            if place is None:
                continue
            ours = self._ours(place.name) or self._ours(text)
            if ours:
                found.items.append(Found(ours[0], text, ours[1], start, end, how="place"))
            else:
                kind = "place_economy" if place.kind == "country" else "place"
                possessive = (end - start == 1 and bare is not None and place.name.lower() == bare) or \
                    tokens.lower[end:end + 1] in (["'s"], ["\u2019s"])
                # "Eindhoven's share", "eindhovens share": the place owns the figures asked, so it is asked as a cluster
                how = "named as a cluster" if possessive and kind == "place" else "gazetteer"
                found.items.append(Found(kind, text, place.name, start, end, how=how))
            for i in range(start, end):
                covered[i] = True
                soft[i] = True  # "toyta motor europe": a longer misspelt name may hold a place

    def _ours(self, name: str) -> tuple[str, str] | None:
        cluster = self.knowledge.find_cluster(name)
        if cluster:
            return "cluster", cluster.id
        hits = self.knowledge.find_location(name)
        if hits:
            return "location", hits[0].location.name
        economy = self.knowledge.find_economy(name)
        if economy:
            return "economy", economy
        part_of = self.location_parts.get(name_key(name))
        if part_of:
            return "location", part_of
        return None

    def _first_of_name(self, index: int) -> tuple[str, str]:
        """The first target with this name: a cluster that is also a partner location ("Cologne") is one
        name, not two rivals; which role it plays is read later, from the question."""
        return self.fuzzy_targets[self._first_index[self.fuzzy_names[index]]]

    def _fuzzy(self, tokens: TokenView, covered: list[bool], cue_tokens: set[int], found: Entities) -> None:
        """Misspelt names of ours: long enough, close enough, and clearly closer than any other."""
        interesting = [not covered[i] and i not in cue_tokens and tokens.alpha[i] and w not in self.known_words
                       for i, w in enumerate(tokens.lower)]
        if not self.fuzzy_names or not any(interesting):
            return  # every word is a name, a cue or a known word: nothing can be a misspelt name
        tried = 0
        for start, end in self._ngrams(tokens, covered):
            if any(covered[start:end]) or not any(interesting[start:end]):
                continue
            key = name_key(" ".join(tokens.lower[start:end]))
            if len(key) < FUZZY_MIN_LENGTH:
                continue
            tried += 1
            if tried > MAX_FUZZY_SPANS:
                break
            best = process.extract(key, self.fuzzy_names, scorer=fuzz.ratio, limit=6, score_cutoff=FUZZY_MIN_SCORE - FUZZY_MARGIN)
            if (not best or best[0][1] < FUZZY_MIN_SCORE) and len(key) <= 8:
                near = {self._first_of_name(index) for _, _, index in
                        process.extract(key, self.fuzzy_names, scorer=OSA.distance, score_cutoff=1, limit=None)
                        if abs(len(self.fuzzy_names[index]) - len(key)) <= 1}
                if len(near) == 1:  # "afga", "toyta": one swap or slip from exactly one short name
                    kind, canonical = near.pop()
                    found.items.append(Found(kind, tokens.text(start, end), canonical, start, end, how="fuzzy"))
                    for i in range(start, end):
                        covered[i] = True
                continue
            if not best or best[0][1] < FUZZY_MIN_SCORE:
                continue
            top_target = self._first_of_name(best[0][2])
            rivals = [score for _, score, index in best[1:] if self._first_of_name(index) != top_target]
            if rivals and best[0][1] - rivals[0] < FUZZY_MARGIN:
                continue
            kind, canonical = top_target
            found.items.append(Found(kind, tokens.text(start, end), canonical, start, end, how="fuzzy"))
            for i in range(start, end):
                covered[i] = True

    def _fuzzy_across_places(self, tokens: TokenView, covered: list[bool], soft: list[bool], cue_tokens: set[int],
                             found: Entities) -> None:
        """"univeristy of antwerp": a misspelt organization whose name holds a place we matched alone."""
        if not any(soft) or all(covered[i] or tokens.lower[i] in self.known_words and tokens.lower[i] not in self.org_words
                                for i in range(len(covered))):
            return
        hard = [c and not s for c, s in zip(covered, soft)]
        n = len(tokens.lower)
        # "university antwerp", "univeristy of antwerp": a word of an organization's name next to the place in it
        loose = [not covered[i] and (tokens.lower[i] in self.org_words or tokens.lower[i] not in self.known_words)
                 for i in range(n)]
        spans = {(start, end) for j in range(n) if loose[j]
                 for start in range(max(0, j - MAX_NGRAM + 1), j + 1) for end in range(j + 1, min(n, start + MAX_NGRAM) + 1)
                 if end - start >= 2 and _wordy(tokens, start) and _wordy(tokens, end - 1)
                 and not any(hard[start:end]) and any(soft[start:end])}
        tried = 0
        for start, end in sorted(spans, key=lambda span: (span[0] - span[1], span[0])):  # longest first, as _ngrams
            if not any(soft[start:end]) or not any(loose[i] and not covered[i] for i in range(start, end)):
                continue  # a name found meanwhile took this span's words
            tried += 1
            if tried > MAX_FUZZY_SPANS:
                break
            key = name_key(" ".join(tokens.lower[start:end]))
            best = process.extract(key, self.fuzzy_names, scorer=fuzz.ratio, limit=6, score_cutoff=FUZZY_STRONG_SCORE - FUZZY_MARGIN)
            if not best or best[0][1] < FUZZY_STRONG_SCORE or self.fuzzy_targets[best[0][2]][0] != "organization":
                continue
            top_target = self._first_of_name(best[0][2])
            rivals = [score for _, score, index in best[1:] if self._first_of_name(index) != top_target]
            if rivals and best[0][1] - rivals[0] < FUZZY_MARGIN:
                continue
            found.items = [item for item in found.items if not (start <= item.start and item.end <= end)]
            found.items.append(Found("organization", tokens.text(start, end), top_target[1], start, end, how="fuzzy"))
            for i in range(start, end):
                covered[i], soft[i] = True, False

    def _unknown(self, tokens: TokenView, covered: list[bool], cue_tokens: set[int],
                 capitalized: frozenset[str]) -> list[str]:
        """Runs of words that are neither names, cues nor ordinary words: possibly a name we lack."""
        runs: list[str] = []
        current: list[str] = []
        for i, word in enumerate(tokens.lower):
            unknown = (not covered[i] and i not in cue_tokens and tokens.alpha[i] and len(word) > 1
                       and word not in self.known_words
                       and (word not in self.vocabulary.dictionary or word in capitalized))
            if unknown:
                current.append(tokens.words[i])
            elif current:
                runs.append(" ".join(current))
                current = []
        if current:
            runs.append(" ".join(current))
        return runs
