"""Read a message into query frames, in passes that are all driven by data.

1. The message is cut into clauses (sentences, and "..., and who ...?" inside one); only the
   clauses that ask decide what is answered. The others may only lend a subject.
2. Names and numbers are found (exact, gazetteer, fuzzy: `EntityFinder`) and become placeholders,
   so words inside a name are invisible to what follows (snips-nlu's way).
3. The lexicon marks what every other word means (slot values).
4. Constructions over the placeholder sequence build the parts that need word order: claims,
   comparisons, neighbours, top-n, yes/no shape.
5. What is left are slot values; the frame collects them, and the share of the clause's content
   words they explain is the reading's coverage (Adapt's measure of a parse).
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language

from intents.constructions import Grammar, Match, find, load_grammar, possible
from intents.entities import EntityFinder, Entities, Found
from intents.frame import Claim, Frame, Ref, Selector
from intents.lexicon import Lexicon, load_lexicon
from intents.pipeline import build_pipeline, cues_of, drop_typo_cues_on_names, token_view
from intents.text import matching_form
from intents.vocabulary import Vocabulary, load_vocabulary
from knowledge.base import KnowledgeBase
from knowledge.base import name_parts
from knowledge.normalize import name_key
from knowledge.places import Gazetteer

# Lexicon entries that only lead into a clause ("ok, what about ...", "so, who ..."): skipped to find its start.
LEAD_IN = frozenset({"filler", "thanks", "greeting", "tag"})
# Entries a clause can consist of without asking anything of its own.
LEAD_IN_ONLY = frozenset({"request", "first_person", "filler", "follow", "refer", "yesno", "tag", "statement"})
PLACEHOLDER = {"cluster": "CLUSTER", "organization": "ORG", "location": "LOC", "economy": "ECON", "place": "PLACE",
               "place_economy": "PLACE", "number": "NUM", "percent": "PCT", "ordinal": "ORD", "year": "YEAR"}
RELATION_OF = {"more": ">", "less": "<", "rel_at_least": ">=", "rel_at_most": "<=", "rel_about": "~",
               "rel_exactly": "=="}
VALUE_UNIT = {"NUM": "count", "PCT": "percent", "ORD": "ordinal"}
# Measures of one unit a claim may name side by side ("53rd by size and 58th by intensity"): each value is bound to its own.
BOUND_MEASURES = frozenset({"size", "intensity"})
UNIT_REACH = 3  # words after a value within which its unit ("of its PCT applications") is looked for first
# A sentence ends at ? ! ; : or at a full stop after a lower-case word (not "K.U. Leuven").
_INITIALS = re.compile(r"^(?:[a-z]\.){2,}$")  # "k.u.", "u.s.": a name's letters, each with its full stop
_SENTENCE_END = re.compile(r"(?<=[?!;])\s+|(?<=[a-z0-9\)\"'%][.])\s+")
# A colon or a dash separates a label or an aside from the question ("Quick check: ...", "— right?"):
# a side of up to this many words stays in the question's clause; longer sides are sentences of their own.
_SOFT_BREAK = re.compile(r":\s+|\s+(?:\u2014|--)\s+|\s*\u2014\s*")
SHORT_SIDE_WORDS = 5
LONG_MESSAGE_WORDS = 20  # from this many words on, a message mostly of unknown words is not read (hostile input)
_WORD = re.compile(r"[^\W\d_]+")
FRACTION_STEP = 10.0  # "about half", "a third or so": within half of this many points either side


@dataclass
class Clause:
    """One clause as the reader sees it: its tokens, placeholders, lexicon marks and entities."""

    text: str
    words: list[str]
    symbols: list[frozenset[str]]
    entities: Entities
    tags: dict[str, list[tuple[int, int]]]  # lexicon entry id -> spans (outside names)
    content: list[int]  # indices of content words (not stop words, not punctuation)
    question_mark: bool
    matches: list[Match] = field(default_factory=list)
    sentence: int = 0
    confirms: bool = False  # a statement joined with "is that right?": what it states is claimed

    def has(self, *entry_ids: str) -> bool:
        return any(e in self.tags for e in entry_ids)

    def first_word(self) -> int | None:
        """The first word that is not a lead-in ("ok", "so", "well", a filler): where the clause really starts."""
        for i, word in enumerate(self.words):
            if not any(c.isalnum() for c in word):
                continue
            if self.symbols[i] & LEAD_IN and not (self.symbols[i] - LEAD_IN - {"w:" + word}):
                continue
            return i
        return None

    def starts_with(self, *entry_ids: str) -> bool:
        first = self.first_word()
        return first is not None and any(e in self.symbols[first] for e in entry_ids)


@dataclass
class Reading:
    """A whole message read: the frames of its asking clauses, in order, and a subject lent by the rest."""

    frames: list[Frame]
    context_subject: str | None = None
    context_refs: list[Ref] = field(default_factory=list)


def reader_vocabulary(lexicon: Lexicon) -> Vocabulary:
    """The entity finder's vocabulary with the lexicon as its cue words (so cue words are never names)."""
    base = load_vocabulary()
    cues = {entry.id: list(entry.phrases) for entry in lexicon.entries.values()}
    ordinals = {rank: list(phrases) + lexicon.ordinals.get(rank, []) for rank, phrases in base.ordinals.items()}
    return Vocabulary(cues=cues, known_words=frozenset(base.known_words | lexicon.words), ordinals=ordinals,
                      number_words=base.number_words, dictionary=base.dictionary, fractions=base.fractions,
                      place_abbreviations=base.place_abbreviations, demonyms=base.demonyms,
                      pronoun_numbers=base.pronoun_numbers, number_phrases=base.number_phrases,
                      name_word_forms=base.name_word_forms, finder_words=base.finder_words, multiples=base.multiples)


class Reader:
    """Text -> frames. Built once per knowledge base; `read` is safe to call from one thread at a time."""

    def __init__(self, knowledge: KnowledgeBase, places: Gazetteer, lexicon: Lexicon | None = None) -> None:
        self.knowledge = knowledge
        self.lexicon = lexicon or load_lexicon()
        self.vocabulary = reader_vocabulary(self.lexicon)
        self.nlp: Language = build_pipeline(knowledge, self.vocabulary)
        self.stop_words = frozenset(self.nlp.Defaults.stop_words)
        self.places = places
        places.near("warmup")  # its index is built now, not on a user's first misspelt word
        self.finder = EntityFinder(knowledge, self.vocabulary, places, set(self.stop_words))
        self.grammar: Grammar = load_grammar(frozenset(self.lexicon.entries))
        self.known = frozenset(self.vocabulary.known_words | self.stop_words)
        self._intern_known_words(self.nlp)
        targets: dict[str, list[str]] = {}
        name_words = {w for names in knowledge.all_names().values() for surface, _ in names
                      for w in re.findall(r"[a-z]+", matching_form(surface))}
        for word in sorted(self.known | name_words):
            if word.isalpha() and len(word) >= 2:
                targets.setdefault(word[0], []).append(word)
        self._typo_targets = targets
        self._enumerators = frozenset(p for phrases in self.vocabulary.ordinals.values() for p in phrases if " " not in p) | {
            p for e in self.lexicon.entries.values() if "enumerator" in e.slot_values("shape") for p in e.phrases}
        self._name_words = frozenset(name_words)
        self._shortened_leads = frozenset(w for w in self.vocabulary.finder_words["ordinal_leads"] if w.endswith("."))
        self._organization_first_words = frozenset(name_key(surface).split(" ", 1)[0]
                                                   for surface, _ in knowledge.all_names()["organization"]) - {""}
        self._name_targets: dict[str, list[str]] = {}
        for word in sorted(name_words):
            if len(word) >= 4:
                self._name_targets.setdefault(word[0], []).append(word)
        self._starts = re.compile(r"(?:" + "|".join(
            re.escape(w) for w in sorted(self.grammar.clause_starts, key=len, reverse=True)) + r")\b", re.IGNORECASE)
        self._embedded = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(self.grammar.embedding_verbs, key=len, reverse=True))
                                    + r")\s+(?:" + "|".join(re.escape(w) for w in sorted(self.grammar.question_words, key=len, reverse=True))
                                    + r")\b", re.IGNORECASE)
        self._narrative = re.compile(r"(?:" + "|".join(
            re.escape(w) for w in sorted(self.grammar.narrative_starts, key=len, reverse=True)) + r")\b", re.IGNORECASE)
        self._splitter = re.compile(
            r",\s*but\s+(?:anyway\s+|now\s+|right now\s+|first\s+)?|"  # a contrast starts a clause of its own
            r"(?:,\s*(?:and\s+|but\s+|also\s+|or\s+)?|\s+(?:and|but|also)\s+)(?=(?:" + "|".join(
                re.escape(w) for w in sorted(self.grammar.clause_starts, key=len, reverse=True)) + r")\b)", re.IGNORECASE)

    def new_pipeline(self) -> Language:
        """A fresh pipeline like the first, with its own vocabulary (intents.memory swaps one in past a size)."""
        nlp = build_pipeline(self.knowledge, self.vocabulary)
        self._intern_known_words(nlp)
        return nlp

    def _intern_known_words(self, nlp: Language) -> None:
        # The words questions are made of, interned once: a memory zone frees only what a question adds.
        nlp.make_doc(" ".join(sorted(self.known | self.lexicon.words)))

    # -- passes -----------------------------------------------------------------------------------
    def read(self, text: str) -> Reading:
        """The frames of a message. Every string spaCy interns while reading it is freed afterwards (a memory
        zone), so what users type never grows the shared vocabulary."""
        with self.nlp.memory_zone():
            return self._read(text)

    def _read(self, text: str) -> Reading:
        split = self.split(text)
        clauses = [self.clause(part) for _, part in split]
        for clause, (number, _) in zip(clauses, split):
            clause.sentence = number
        clauses = [c for c in clauses if c.words]
        clauses = _attach_tags(clauses, self)
        clauses = self._rejoin_comparisons(clauses)
        questions = {c.sentence for c in clauses if c.question_mark}
        asking = []
        for index, clause in enumerate(clauses):
            topic = not clause.tags and all(e.type in ("cluster", "organization") for e in clause.entities.items) and any(
                o.sentence == clause.sentence and o is not clause and o.tags for o in clauses)
            if topic:
                continue  # "Quick q, Brussel-Antwerpen, how many papers ...?": the name is the topic of the question
            if clause.sentence in questions and not self._talk_only(clause):
                asking.append(clause)  # every clause of a sentence that ends with "?" is part of the question
                continue
            before = clauses[index - 1] if index else None
            if before is not None and before in asking and not clause.starts_with("first_person", "statement") \
                    and len(clause.words) <= 6 and any(self.lexicon.entry(e).slot_values("measure") for e in clause.tags):
                asking.append(clause)  # "how many articles does ULB have? the percent also": a fragment of it
                continue
            if before is not None and before.sentence == clause.sentence and clause.sentence not in questions \
                    and clause.first_word() == 0 and clause.words[0] in self.grammar.relative_words \
                    and not self._asks_for_a_kind(clause):
                continue  # "My manager compares everything to Stuttgart, which gets tiring": a relative clause
            if not questions and clause.has("request") and any(self.lexicon.entry(e).slot_values("measure") for e in clause.tags):
                asking.append(clause)  # "he asked me to find out where it ranks by size.": a request inside a statement
                continue
            # A clause split off an asking clause of the same sentence asks too ("its rank, and its top applicant").
            if self._asks(clause) or (before is not None and before in asking and before.sentence == clause.sentence):
                asking.append(clause)
        if not asking:
            contentful = [c for c in clauses if c.content or c.entities.items]
            asking = contentful[-1:] if contentful else clauses[-1:]
        stated = [c for c in clauses if c not in asking and c.tags and not set(c.tags) <= LEAD_IN_ONLY]
        empty = [c for c in asking if not c.entities.items and set(c.tags) <= LEAD_IN_ONLY
                 and not (c.has("tag") and any(s.sentence < c.sentence for s in stated))]  # "X. Is that true?" confirms X
        if empty and len(empty) < len(asking):
            asking = [c for c in asking if c not in empty]  # "I'd like to know: ...", "Please: ...": lead-ins
        talk_only = [c for c in asking if self._talk_only(c)]
        if talk_only and len(talk_only) < len(asking):
            asking = [c for c in asking if c not in talk_only]  # "Thanks. And for patents?": the question is answered
        elif talk_only and len(talk_only) == len(asking):
            rest = [c for c in clauses if c not in asking and c.tags and not self._talk_only(c)]
            measured = [c for c in rest if any(self.lexicon.entry(t).slot_values("measure") or self.lexicon.entry(t).slot_values("domain")
                                               for t in c.tags)]
            if rest:
                # "Great. Now put that next to ULB's figure.": the request is what asks; "My editor wants one number – PCT
                # applications per million ... Thanks in advance and sorry for the long message!": the one naming a figure
                asking = (measured or rest)[-1:]
        for index, clause in enumerate(asking):
            says_something = clause.entities.items or any(
                self.lexicon.entry(t).slot_values("measure") or self.lexicon.entry(t).slot_values("domain") for t in clause.tags)
            if index and clause.has("correction") and clause.sentence != asking[index - 1].sentence and says_something:
                # "What share does Toyota have? Actually scratch that, I want AGFA's share.": the question, corrected
                merged = self.clause(asking[index - 1].text.rstrip(" ?.!") + ", " + clause.text)
                merged.sentence, merged.question_mark = clause.sentence, True
                asking = asking[:index - 1] + [merged] + asking[index + 1:]
                clauses = [merged if c is clause else c for c in clauses if c is not asking[index - 1]]
                break
        joined = {id(c): self._with_statement(c, clauses) for c in asking}
        clauses = [joined.get(id(c), c) for c in clauses]  # a joined clause stands where its question stood
        asking = [joined[id(c)] for c in asking]
        others = [c for c in clauses if c not in asking]
        frames = []
        premise: str | None = None
        for clause in clauses:
            if clause.starts_with("premise") and clause not in asking[-1:]:
                premise = clause.text  # "Being the biggest publisher, what share ...": checked with the question
                continue
            if clause in asking:
                frame = self.frame(clause)
                frame.premise_text = frame.premise_text or premise
                premise = None
                if frames and not clause.question_mark and _restates(self, frame, frames[-1]):
                    continue  # "Who publishes most? I need the name of the organisation.": what the question asked
                frames.append(frame)
        subject, refs = None, []
        for other in others:
            named = other.entities.values("cluster")
            if named and subject is None:
                subject = named[0]
            refs += [Ref("organization", v, "") for v in other.entities.values("organization")
                     if not any(r.value == v for r in refs)]
        return Reading(frames, subject, refs)

    def _sentences(self, text: str) -> list[str]:
        """The message's sentences; "no. 2" and the like (an ordinal's lead shortened with a full stop) end none."""
        sentences: list[str] = []
        for sentence in _SENTENCE_END.split(text):
            last = sentences[-1].rsplit(None, 1)[-1].lower() if sentences and sentences[-1].strip() else ""
            if sentence[:1].isdigit() and last in self._shortened_leads or _INITIALS.match(last) and sentence[:1].islower():
                sentences[-1] += " " + sentence  # "no. 2", "k.u. leuven research": the full stop ends no sentence
            else:
                sentences.append(sentence)
        return sentences

    def split(self, text: str) -> list[tuple[int, str]]:
        """Sentences, then clauses that start with a question word after a comma or "and", each with the
        number of its sentence. A piece that does not itself start like a question ("Together,", "In the
        ranking by intensity,", "If AGFA's 195 are 6%,") is a lead-in of the clause after it."""
        parts: list[tuple[int, str]] = []
        starts = self._starts
        sentences: list[str] = []
        for sentence in self._sentences(text):
            sides = [p for p in _SOFT_BREAK.split(sentence) if p.strip()]
            if len(sides) > 1 and sides[0].strip().lower() in self._enumerators:
                sides = sides[1:]  # "First: 712 per million — right?": a list marker, not a rank
            current = ""
            for side in sides:
                if current and (len(current.split()) <= SHORT_SIDE_WORDS or len(side.split()) <= SHORT_SIDE_WORDS):
                    current = current.rstrip(" ,") + ", " + side
                else:
                    if current:
                        sentences.append(current)
                    current = side
            if current:
                sentences.append(current)
        for number, sentence in enumerate(sentences):
            sentence = sentence.strip()
            if not sentence:
                continue
            pieces = [p.strip(" ,") for p in self._splitter.split(sentence) if p and p.strip(" ,")]
            merged: list[str] = []
            asking: list[bool] = []  # whether each merged piece holds a question ("To prepare, could you ...")
            for piece in pieces:
                words = piece.lower().split()
                previous = merged[-1].lower().split() if merged else []
                coordinated = any(f"{c} {piece.lower()}" in sentence.lower() for c in self.grammar.coordinators if c.isalpha())
                if previous and previous[0] in self.grammar.question_words and len(previous) <= 3 and len(merged) == len(asking) \
                        and words and words[0] not in self.grammar.question_words and not self._embedded.search(piece):
                    merged[-1] = merged[-1] + " " + piece  # "which of those also show up for publications?": one question
                    continue
                if previous and previous[0] in self.grammar.question_words and words and words[0] in self.grammar.auxiliaries \
                        and not coordinated \
                        and not self.grammar.auxiliaries & set(previous) and not self.grammar.auxiliaries & {w.split("'")[-1] for w in previous}:
                    merged[-1] = merged[-1] + ", " + piece  # "What patent intensity, ..., does the cluster show?": one question
                    continue
                if merged and not asking[-1] and not self._narrative.match(merged[-1]):
                    merged[-1] = merged[-1] + ", " + piece
                    asking[-1] = bool(starts.match(piece))
                else:
                    merged.append(piece)
                    asking.append(bool(starts.match(piece) or self._embedded.search(piece)))
            parts.extend((number, piece) for piece in merged)
        return parts or [(0, text)]

    def clause(self, text: str) -> Clause:
        doc = self.nlp(matching_form(text))
        capitalized = _capitalized(text)
        drop_typo_cues_on_names(doc, capitalized)
        entities = self.finder.find(doc, capitalized)
        view = token_view(doc)
        words = view.lower
        size = len(words)
        self._extend_names_left(view, entities)
        entities.items = [e for e in entities.items if not (e.type == "ordinal" and e.start > 0
                                                            and words[e.start - 1] in self.grammar.indefinite)]
        in_name = [False] * size
        symbols: list[set[str]] = [{"w:" + w} for w in words]
        for item in entities.items:
            for i in range(item.start, min(item.end, size)):
                in_name[i] = True
                symbols[i].add(PLACEHOLDER[item.type])
        unknown = {w.lower() for term in entities.unknown_terms for w in term.split()}
        for i, word in enumerate(words):
            if not in_name[i] and word in unknown:
                symbols[i].add("UNK")
                in_name[i] = True
        tags: dict[str, list[tuple[int, int]]] = {}
        phrase_spans = []
        cues = [c for c in cues_of(doc) if not any(in_name[c.start:c.end]) or self._number_in_phrase(entities, c.start, c.end)]
        # The longest phrase wins over the phrases inside it ("market share" is not "share"; "how many
        # times" is not "how many"), and a hiding phrase ("over the last five years") over all inside it.
        hidden = [(c.start, c.end) for c in cues if self.lexicon.entry(c.label).hides]
        kept = []
        by_start: dict[int, list[Any]] = {}
        for cue in cues:
            by_start.setdefault(cue.start, []).append(cue)
        reach = max((c.end - c.start for c in cues), default=0)  # cues are short: only those starting near can hold one
        for cue in cues:
            inside_longer = any(o.end >= cue.end and o.end - o.start > cue.end - cue.start
                                for start in range(max(0, cue.start - reach), cue.start + 1) for o in by_start.get(start, ()))
            inside_hidden = bool(hidden) and any(a <= cue.start and cue.end <= b and (cue.start, cue.end) != (a, b) for a, b in hidden)
            if not inside_longer and not inside_hidden:
                kept.append(cue)
        for cue in kept:
            tags.setdefault(cue.label, []).append((cue.start, cue.end))
            if cue.end - cue.start > 1:
                phrase_spans.append((cue.start, cue.end))
            for i in range(cue.start, cue.end):
                symbols[i].add(cue.label)
        for a, b in hidden:
            for item in entities.items:
                if a <= item.start and item.end <= b and item.type in ("number", "ordinal"):
                    phrase_spans.append((a, b))
        # A number inside a phrase of the lexicon ("per 1 million", "no 1") is part of the phrase.
        reach_of = [0] * (size + 1)  # the furthest end of a phrase starting at or before each token
        for s, t in phrase_spans:
            reach_of[s] = max(reach_of[s], t)
        for i in range(1, size + 1):
            reach_of[i] = max(reach_of[i], reach_of[i - 1])
        entities.items = [e for e in entities.items if not (e.type in ("number", "ordinal") and e.start <= size
                                                            and phrase_spans and reach_of[e.start] >= e.end)]
        in_entity = {i for e in entities.items for i in range(e.start, e.end)}
        for i in range(size):
            if i not in in_entity:
                symbols[i] -= {"NUM", "ORD"}
        for a, b in list(tags.get("refer", [])):
            if b < size and "time_unit" in symbols[b]:  # "this year", "these days": a time, not a reference back
                tags["refer"].remove((a, b))
                for i in range(a, b):
                    symbols[i].discard("refer")
        if "refer" in tags and not tags["refer"]:
            del tags["refer"]
        content = [i for i, w in enumerate(words) if view.alpha[i] and w not in self.stop_words]
        frozen = [frozenset(s) for s in symbols]
        mark = text.rstrip().endswith("?")
        made = Clause(text=text, words=words, symbols=frozen, entities=entities, tags=tags,
                      content=content, question_mark=mark)
        return made

    def _extend_names_left(self, view, entities: Entities) -> None:  # type: ignore[no-untyped-def]
        """"K.U. Leuven R&D" tokenised as "k.u", ".", "leuven r&d": the tokens before a name that make it one of
        the same thing's names belong to it."""
        taken = {i: e for e in entities.items for i in range(e.start, e.end)}
        for item in entities.items:
            if item.type != "organization":
                continue
            for start in range(max(0, item.start - 3), item.start):
                if any(taken.get(i, item) is not item for i in range(start, item.start)):
                    continue
                if name_key(view.words[start]).split(" ", 1)[0] not in self._organization_first_words:
                    continue  # ", Toyota", "share Toyota": no name of ours starts with this token
                longer = view.text(start, item.end)
                if any(h.row.name == item.value for h in self.knowledge.find_organization(longer)):
                    item.start, item.text = start, longer
                    break

    @staticmethod
    def _number_in_phrase(entities: Entities, start: int, end: int) -> bool:
        """A lexicon phrase over a number ("per 1 million", "top 3" is not one): the phrase keeps its meaning."""
        inside = [e for e in entities.items if start <= e.start and e.end <= end]
        return bool(inside) and all(e.type in ("number", "ordinal") for e in inside) and end - start > 1

    def _with_statement(self, clause: Clause, clauses: list[Clause]) -> Clause:
        """"One says X is among the top 60. Is that correct?": a question with nothing of its own but a reference or a
        confirmation is asked about the statement before it."""
        measured = any(self.lexicon.entry(t).slot_values("measure") or self.lexicon.entry(t).slot_values("domain")
                       for t in clause.tags if len(self.lexicon.entry(t).readings) == 1 and t != "rank")
        # ("What position does it hold on that measure?": a rank, but which one the sentence before says.)
        bare = not clause.entities.items and set(clause.tags) <= LEAD_IN_ONLY | {"refer", "yesno", "tag", "request", "source_mention",
                                                                               "list"}  # "Could you list them for me?"
        pointing = not measured and clause.has("refer", "refer_two") and all(
            e.type in ("cluster", "year") for e in clause.entities.items)  # "where is it on that one?", "this number for X?"
        if not (bare or pointing):
            return clause
        index = clauses.index(clause)
        before = [c for c in clauses[:index] if c.tags and not set(c.tags) <= LEAD_IN_ONLY]
        if not before:
            return clause
        with_measure = [c for c in before if any(self.lexicon.entry(t).slot_values("measure") or self.lexicon.entry(t).slot_values("domain")
                                                 for t in c.tags) or any(e.type in ("number", "percent", "ordinal") for e in c.entities.items)]
        if pointing and not bare and not with_measure:
            return clause
        claimed = [c for c in before if c.has("statement")]  # "someone claimed X. I thought Y. Who's right?": X is checked
        # "... its intensity rank differs from its size rank. [...] Which of the two is the better placing?"
        source = claimed[-1] if claimed and bare else with_measure[-1] if pointing and not bare else before[-1]
        joined = self.clause(source.text.rstrip(". ") + ", " + clause.text)
        joined.sentence = clause.sentence
        joined.question_mark = clause.question_mark
        first = clause.first_word()
        joined.confirms = clause.has("yesno", "tag") and not (first is not None and clause.words[first] in self.grammar.question_words)
        return joined

    def _rejoin_comparisons(self, clauses: list[Clause]) -> list[Clause]:
        """"the size rank and its intensity rank" after "how many places apart": one comparison, not two questions."""
        result: list[Clause] = []
        for clause in clauses:
            previous = result[-1] if result else None
            comparing = previous is not None and previous.sentence == clause.sentence and previous.has(
                "difference", "how_many_more", "ratio", "twice", "compare", "same", "intersect", "missing", "between", "rel_between",
                "more", "less")
            if comparing and (clause.starts_with("follow", "refer", "possessive") and not clause.has("who", "where", "count")
                              or clause.starts_with("how_many_more", "difference")):
                joined = self.clause(previous.text + " and " + clause.text)
                joined.sentence = previous.sentence
                result[-1] = joined
                continue
            result.append(clause)
        return result

    def _settle_shared_word(self, clause: Clause, before_noun: str, otherwise: str) -> None:
        """One word read by two entries ("mean": an average, or "what does it mean"): the first reading when a table or
        measure word follows it ("mean articles per publisher"), else the second."""
        shared = set(clause.tags.get(before_noun, [])) & set(clause.tags.get(otherwise, []))
        for a, b in shared:
            follows = b < len(clause.symbols) and any(
                s in self.lexicon.entries and (self.lexicon.entry(s).slot_values("domain") or self.lexicon.entry(s).slot_values("measure"))
                for s in clause.symbols[b])
            # "Mean of its two ranks?", "the mean of the two figures": the word opens the clause or follows an article
            opens = a == clause.first_word() or a > 0 and clause.words[a - 1] in self.grammar.articles
            _untag(clause, (a, b), otherwise if follows or opens else before_noun)

    def _asks_for_a_kind(self, clause: Clause) -> bool:
        """"which three locations ...", "which organisation ...": the question word picks a kind of thing (a noun or a
        number follows it), so it asks; a relative "which" is followed by what it says ("which gets tiring")."""
        for i in range(1, min(3, len(clause.symbols))):
            if any(e.type in ("number", "ordinal") and e.start == i for e in clause.entities.items):
                return True
            if any(self.lexicon.entry(s).slot_values("noun") or self.lexicon.entry(s).slot_values("wants")
                   for s in clause.symbols[i] if s in self.lexicon.entries):
                return True
        return False

    def _talk_only(self, clause: Clause) -> bool:
        talk = {"greeting", "thanks", "bye", "filler", "refer", "first_person", "request", "tag", "yesno", "all", "follow",
                "correction"}  # "sorry for the long message": an apology with nothing corrected
        return bool(clause.tags) and set(clause.tags) <= talk and bool({"greeting", "thanks", "bye"} & set(clause.tags)) \
            and not clause.entities.items

    def _asks(self, clause: Clause) -> bool:
        """A clause asks when it ends with '?', or opens with a question word, a request, a yes/no verb or a
        correction, or names a claim tag; statements about oneself ("We're a team from Lyon") do not."""
        if clause.question_mark:
            return True
        if self._embedded.search(clause.text) and clause.starts_with("first_person") and set(clause.tags) - LEAD_IN_ONLY \
                and not any(e.type in ("place", "location", "place_economy") for e in clause.entities.items):
            return True  # "I want know how much patents K.U. Leuven R&D have filed": a question inside a statement
        first = clause.first_word()
        if first is not None and clause.words[first] in self.grammar.question_words:
            return not clause.has("first_person")  # ", where we compare our start-up": a relative clause, not a question
        if clause.starts_with("request", "yesno", "list", "describe", "correction", "count", "how_much", "follow",
                              "which_cluster", "compare", "greeting", "thanks", "help", "bye"):
            return not clause.starts_with("first_person", "statement")
        last = next((i for i in range(len(clause.words) - 1, -1, -1) if any(c.isalnum() for c in clause.words[i])), None)
        tagged = last is not None and "tag" in clause.symbols[last]
        return (tagged or clause.has("correction")) and not clause.starts_with("first_person")

    # -- the frame --------------------------------------------------------------------------------
    def frame(self, clause: Clause) -> Frame:
        frame = Frame(text=clause.text)
        _drop_corrected(clause)
        after_a_time = all(a > 0 and "YEAR" in clause.symbols[a - 1] for a, _ in clause.tags.get("by_itself", []))
        if "by_itself" in clause.tags and after_a_time:
            # "in 2024 alone": one year's figures (the profiles give five-year totals), nothing about collaboration
            a, b = clause.tags.pop("by_itself")[0]
            frame.lacking["time"] = " ".join(clause.words[a - 1:b])
        if "by_itself" in clause.tags and not any(e.type == "organization" for e in clause.entities.items):
            clause.tags["without"] = clause.tags.pop("by_itself")  # "how many are filed alone?": without collaboration
        consumed: set[int] = set()
        used: set[int] = set()  # tokens a construction gave their meaning: their lexicon marks count no more
        words_end = len(clause.symbols)
        while words_end and all(not c.isalnum() for c in clause.words[words_end - 1]):
            words_end -= 1  # END is after the last word: "..., right?" ends before the "?"
        symbols = clause.symbols[:words_end]
        present = set().union(*symbols) if symbols else set()
        for construction in self.grammar.constructions:
            if not possible(construction, present):
                continue
            for match in find(construction, symbols, clause.first_word() or 0):
                if _BUILDERS[construction.builds](self, clause, frame, match, consumed):
                    clause.matches.append(match)
                    if construction.builds not in _KEEPS_WORDS:
                        used.update(range(match.start, match.end))
        clause.tags = {e: [s for s in spans if not set(range(s[0], max(s[1], s[0] + 1))) <= used]
                       for e, spans in clause.tags.items()}
        clause.tags = {e: spans for e, spans in clause.tags.items() if spans}
        self._settle_shared_word(clause, "average", "definition")
        tags = clause.tags
        partner_lists = any({"location"} & (set(self.lexicon.entry(e).slot_values("wants")) | set(self.lexicon.entry(e).slot_values("noun")))
                            for e in clause.tags)
        if not (partner_lists and len(self._values(clause, "domain")) == 2):
            self._drop_negated_domains(clause)  # ("article partners but not patent partners": both lists, one minus the other)
        self._drop_corrected_measures(clause)
        frame.domain = _only(self._values(clause, "domain"))
        if "patents" in self._values(clause, "domain") and "articles" in self._values(clause, "domain"):
            frame.domain = "both"
            frame.first_domain = self._values(clause, "domain")[0]
        kinds = self._values(clause, "kind")
        frame.row_kind = kinds[0] if len(kinds) == 1 else None
        nouns = self._values(clause, "noun")
        frame.noun = nouns[0] if len(nouns) == 1 else None
        wants = self._values(clause, "wants")
        if frame.wants is None:
            frame.wants = wants[0] if len(wants) == 1 else (None if not wants else "|".join(wants))
        frame.said = self._values(clause, "measure") + [m for m in frame.said if m not in self._values(clause, "measure")]
        if "count" not in frame.said and self._table_noun_joined_to_a_measure(clause):
            frame.said.insert(0, "count")  # "uantwerp articles + share", "ku leuven articles and share": its count too
        if "rank" in frame.said and (len(frame.said) > 1 or set(self._values(clause, "op")) & {"difference", "more", "less"}) \
                and self._rank_only_selects(clause):
            # "how many apart are the third-ranked and the fourth?", "how far behind the one ranked just above it?": the rank
            # word picks the rows; the gap is in the table's unit
            frame.said.remove("rank")
        # plural rows: "the top applicants"; "the loaded clusters" says only cluster_word "plural"
        counted_by = [e for e in clause.tags if "count" in self.lexicon.entry(e).slot_values("measure")]
        if "share" in frame.said and "count" in frame.said and counted_by \
                and all("quantity" in self.lexicon.entry(e).slot_values("shape") for e in counted_by):
            frame.said.remove("count")  # "share of the top publisher minus the second's, how much?": "how much" of the share
        frame.plural = any(self.lexicon.entry(e).slot_values("plural") and not self.lexicon.entry(e).slot_values("cluster_word")
                           for e in clause.tags if len(self.lexicon.entry(e).readings) == 1)
        cluster_words = self._values(clause, "cluster_word")
        frame.cluster_word = "plural" if "plural" in cluster_words or frame.cluster_word == "plural" else (
            "yes" if cluster_words else None)  # a construction may have said "all the clusters" ("all four cluster")
        if frame.wants is None and frame.cluster_word == "plural" and clause.has("choice") and not frame.noun \
                and not any(e.type in ("organization", "location") for e in clause.entities.items):
            frame.wants = "cluster"  # "Of the clusters you have data on, which one is the largest?": one of the clusters
        frame.fragment = clause.starts_with("follow")
        ops = self._values(clause, "op")
        if "same" in ops and (frame.fragment or clause.starts_with("follow")) and len(
                [e for e in clause.entities.items if e.type == "organization"]) < 2:
            ops.remove("same")  # "and the same average for the applicants?": the same question again
        for op in self.grammar.operation_order:
            if op in ops:
                frame.operation = frame.operation or op
                break
        frame.ops = [o for o in self.grammar.operation_order if o in ops] + [o for o in frame.ops if o not in self.grammar.operation_order]
        if frame.operation == "list" and "top" in self._values(clause, "select") and frame.wants == "organization" \
                and clause.has("who"):
            frame.operation = ""  # "Which organization heads the list of applicants?": one row, the top one
            frame.ops = [o for o in frame.ops if o != "list"]
            # "which organizations head ...", "the cities who collaborate most ...": a plural noun wants the top ones, listed
            frame.plural = any(self.lexicon.entry(e).slot_values("noun") and self.lexicon.entry(e).slot_values("plural")
                               for e in clause.tags)
        for a, b in list(clause.tags.get("all", [])):
            if b < len(clause.symbols) and {"cluster_word", "cluster_words"} & clause.symbols[b]:
                _untag(clause, (a, b), "all")  # "for every cluster": all clusters, not all rows of a table
        selects = [s for s in self._values(clause, "select") if s not in ("top", "last") or frame.selector.kind == "none"]
        if frame.selector.kind == "none" and {"top", "last"} <= set(selects) and frame.operation in (
                "difference", "more", "less", "ratio", "compare") and not clause.entities.items:
            frame.selector = Selector("ends")  # "share gap between the top and the bottom publisher"
        if frame.selector.kind == "none" and {"top", "all"} <= set(selects):
            frame.selector = Selector("all")  # "the three top applicants combined": all the listed ones
        if frame.selector.kind == "none":
            for kind in ("prev", "next", "above", "below", "between", "other", "former", "latter", "last", "listed", "top", "all"):
                if kind in selects:
                    frame.selector = Selector(kind)
                    break
        frame.ambiguous = [e for e in tags if len(self.lexicon.entry(e).readings) > 1]
        # "whose top applicant files the most?", "which cluster's top publisher has the largest share?": two words that
        # pick the best, one for the rows, one for what is compared
        picks = sorted((s, "last" if "last" in {r.get("select") for r in self.lexicon.entry(e).readings} else "top")
                       for e, spans in tags.items() for s in spans
                       if {"top", "last"} & {r.get("select") for r in self.lexicon.entry(e).readings})
        def _before_a_measure(span: tuple[int, int]) -> bool:  # "the most applications", "the largest share", "the fewest combined"
            return span[1] < len(clause.symbols) and any(
                e in self.lexicon.entries and (self.lexicon.entry(e).slot_values("domain") or self.lexicon.entry(e).slot_values("measure")
                                               or "aggregate" in self.lexicon.entry(e).slot_values("op"))
                for e in clause.symbols[span[1]])
        rows_picked = frame.selector.kind in ("top_n", "last_n")  # "whose top three applicants file the fewest combined?"
        if (len(picks) >= 2 or rows_picked and picks) and _before_a_measure(picks[-1][0]):
            frame.superlative = "min" if picks[-1][1] == "last" else "max"
            if frame.selector.kind in ("top", "last") and len(picks) >= 2:
                frame.selector = Selector(picks[0][1])  # "the leading publisher with the fewest": the first word picks the rows
        frame.negated = "negation" in tags and not frame.yes_no or ("negation" in tags and _negated_inside(clause))
        talk = self._values(clause, "talk")
        frame.talk = talk[0] if talk else None
        frame.calc = self._values(clause, "calc")
        for kind in self._values(clause, "lacks"):
            span = next(s for e, spans in tags.items() for s in spans if kind in self.lexicon.entry(e).slot_values("lacks"))
            frame.lacking[kind] = " ".join(clause.words[span[0]:span[1]])
        shapes = set(self._values(clause, "shape"))
        frame.fragment = frame.fragment or clause.starts_with("follow") or (not clause.content and bool(clause.entities.items))
        frame.correction = "correction" in shapes
        frame.refers = "refer" in shapes or "refer_two" in shapes
        frame.possessive = "possessive" in shapes and not frame.refers  # "its articles": the cluster's, unless "it" too
        frame.refers_two = "refer_two" in shapes
        frame.reverse = "reverse" in shapes
        self._entities(clause, frame, consumed)
        if frame.left_out and "complement" in frame.ops:
            frame.left_out = []  # "Leaving KU Leuven aside, what share is everyone else's?": the rest of that row
        if frame.left_out:  # "Leaving KU Leuven aside, which two complete the top three?": left out of the rows picked
            frame.refs = [r for r in frame.refs if r.value not in {e.value for e in frame.left_out}]
            frame.excluded = list(frame.left_out)
        self._drop_negated_rows(clause, frame)
        if clause.confirms:
            frame.yes_no = True  # "The cluster filed 721 per million — is that what the profile says?"
        if not frame.yes_no and self._declarative_question(clause, frame, consumed):
            frame.yes_no = True  # "Toyota filed 126 applications?", "Second is ULB?": a statement asked as a question
        self._values_as_claims(clause, frame, consumed)
        if not frame.yes_no:
            for item in clause.entities.items:
                if item.type in ("number", "percent") and item.start not in consumed and item.number is not None \
                        and not _followed_by(clause, item.end, "time_unit"):
                    frame.values.append(Claim("==", float(item.number), "count" if item.type == "number" else "percent",
                                              text=item.text))
        places = [c for c in frame.claims if c.unit == "ordinal" and c.relation == "=="]
        if "aggregate" in frame.ops and len(places) >= 2 and frame.selector.kind == "none":
            frame.claims = [c for c in frame.claims if c not in places]  # "do the second and third together file more?"
            frame.selector = Selector("rank", ranks=[int(c.value) for c in places])
        elif "aggregate" in frame.ops and len(places) == 1 and frame.selector.kind == "none" \
                and any(r.kind == "organization" for r in frame.refs):
            # "AGFA and the second applicant together?": a named row and the row at that place, summed; no claim
            frame.claims = [c for c in frame.claims if c not in places]
            frame.selector = Selector("rank", ranks=[int(places[0].value)])
            frame.yes_no = frame.yes_no and bool(frame.claims)
        if not frame.yes_no and frame.operation in ("difference", "more", "less", "ratio") and not frame.against:
            places = [c for c in frame.claims if c.unit == "ordinal"]
            if len(places) == 1:  # "how far behind the second is it?": the row at that place is the other side
                frame.claims.remove(places[0])
                frame.against.append(Ref("rank", str(int(places[0].value)), places[0].text))
        if not frame.yes_no and frame.claims and (frame.wants == "organization" or clause.has("who")) \
                and not any(c.unit in ("top_n", "ratio", "rows") for c in frame.claims):
            frame.values += frame.claims  # "Which organisation is behind 123 of them?": the figure finds the row
            frame.claims = []
        if "rel_about" in clause.tags:
            for claim in frame.claims:
                if claim.relation == "==":
                    claim.relation = "~"  # "a third or so", "6,400-ish": the claim is approximate
                    if claim.unit == "percent" and claim.precision < FRACTION_STEP and claim.value in self.vocabulary.fractions.values():
                        claim.precision = FRACTION_STEP
        ranks = [int(e.number) for e in clause.entities.items if e.type == "ordinal" and e.number and e.start not in consumed]
        two_sided = frame.operation in ("difference", "more", "less", "ratio", "compare")
        if two_sided and len(ranks) == 1 and ranks[0] != 1 and "top" in self._values(clause, "select") \
                and not frame.against and not any(r.kind == "organization" for r in frame.refs):
            ranks = [1] + ranks  # "the gap between the top applicant and its third": the first and that one
        if ranks and frame.selector.kind in ("none", "top", "last", "listed", "all"):
            frame.selector = Selector("rank", ranks=ranks)
        elif frame.selector.kind == "other" and "aggregate" in frame.ops and (len(ranks) == 1 or not ranks and "top" in selects) \
                and not any(r.kind == "organization" for r in frame.refs):
            # "the first publisher (the top applicant) against the other two combined": that row, set against the rest
            said = next((e.text for e in clause.entities.items if e.type == "ordinal" and ranks and e.number == ranks[0]), "top")
            frame.refs.append(Ref("rank", str(ranks[0] if ranks else 1), said))
        if "intensity" in frame.said and frame.domain in ("patents", "articles") and "rank" not in frame.said \
                and "ranks" not in frame.said \
                and not any(r.kind in ("organization", "location") for r in frame.refs):
            # "how intense is it on patents?": the figure per million inhabitants of that kind, not the intensity ranking
            frame.said = ["per_million" if m == "intensity" else m for m in frame.said]
        if frame.selector.kind in ("top", "last") and frame.cluster_word and not frame.wants and not frame.refs \
                and not (frame.possessive or frame.refers or "rank" in frame.said or frame.operation) \
                and any(m in frame.said for m in ("size", "intensity", "per_million", "collab")) and not frame.yes_no:
            frame.wants = "cluster"  # "most intensive cluster you have?": the loaded cluster that leads on that measure
        if frame.selector.kind == "rank" and len(frame.selector.ranks) == 1 and frame.operation == "difference" \
                and any(m in frame.said for m in ("size", "intensity")) \
                and not any(r.kind in ("organization", "location") for r in frame.refs):
            # "How many places would it have to climb by intensity to reach 50th?": a place in the ranking, not a row
            frame.claims.append(Claim("top_n", float(frame.selector.ranks[0]), "top_n", text=str(frame.selector.ranks[0])))
            frame.selector = Selector()
        if frame.negated and not frame.yes_no and not frame.operation and frame.domain == "both" \
                and "location" in (frame.wants, frame.noun):
            frame.operation, frame.negated = "missing", False  # "a top patent partner but not a top article partner"
        if frame.negated and not frame.yes_no and not frame.operation and "share" in frame.said \
                and (any(r.kind == "organization" for r in frame.refs) or frame.selector.kind in ("top_n", "last_n", "listed", "all")):
            # "what share is not from KU Leuven?", "what share is NOT held by the top three?": the rest
            frame.operation, frame.negated = "complement", False
        if frame.selector.kind in ("above", "below") and not frame.plural and frame.operation in ("difference", "more", "less") \
                and not frame.yes_no:
            # "By how much does it trail the applicant above it?": one row, the one right above
            frame.selector = Selector("prev" if frame.selector.kind == "above" else "next")
        anchored = {r.value for r in frame.anchors}
        if frame.yes_no and frame.selector.kind in ("above", "below", "prev", "next") and anchored \
                and any(r.kind == "organization" and r.value not in anchored for r in frame.refs):
            # "Toyota is ahead of KU Leuven R&D?": a claim about the order of two rows, not a row picked next to one
            frame.operation = "more" if frame.selector.kind in ("above", "prev") else "less"
            if frame.selector.kind in ("prev", "next"):  # "right after AGFA": the very next place is claimed
                frame.claims.append(Claim("==", 1.0, "places", text="1"))
            frame.against = frame.against or list(frame.anchors)
            frame.anchors, frame.selector = [], Selector()
            frame.said = list(dict.fromkeys(frame.said + ["rank"]))
        if clause.confirms or any(m.construction.id == "tail_question" for m in clause.matches):
            frame.refers = False  # "X — is that what the profile says?": "that" is the statement, not the last answer
        named_orgs = [r for r in frame.refs if r.kind == "organization"]
        if "intersect" in frame.ops and len(named_orgs) >= 2 and len(frame.claims) == 1 \
                and frame.claims[0].unit in ("count", "percent"):
            # "Toyota and KU Leuven R&D both have a 4% share, right?": the value is claimed of each, no overlap of tables
            frame.ops = [o for o in frame.ops if o != "intersect"]
            frame.operation = frame.ops[0] if frame.ops else ""
            frame.claims = [dataclasses.replace(frame.claims[0]) for _ in named_orgs]
            frame.yes_no = True
        asked_which = [a for a, _ in clause.tags.get("choice", []) if clause.words[a] in self.grammar.question_words]
        if asked_which and frame.yes_no and not frame.claims:
            frame.yes_no, frame.choice = False, True  # "tell me which one is the better of the two": which, not yes or no
        if frame.unknown and frame.cluster_word == "plural" and not frame.lacking and all(r.kind == "cluster" for r in frame.refs) \
                and any(m in frame.said for m in ("rank", "size", "intensity", "ranks")):
            # "Where does it rank among European clusters only?": a ranking among some clusters, which we don't have
            start = next((i for i, w in enumerate(clause.words) if w in {x for u in frame.unknown for x in u.lower().split()}), None)
            ends = [b for a, b in clause.tags.get("cluster_words", []) if start is not None and a > start]
            if start is not None and ends:
                frame.lacking["attribute"] = " ".join(clause.words[start:ends[0]])
        frame.coverage = self._coverage(clause)
        return frame

    def _drop_negated_domains(self, clause: Clause) -> None:
        """"I meant publications, not patents", "the position, nothing about intensity": a domain or measure right
        after a negation is the one not meant."""
        negations = {i for spans in (clause.tags.get("negation", []),) for a, b in spans for i in range(a, b)}
        if not negations:
            return
        for entry_id in list(clause.tags):
            entry = self.lexicon.entry(entry_id)
            purely_domain = entry.slot_values("domain") and not entry.slot_values("measure")
            if not (purely_domain or entry_id in ("size", "intensity", "per_million")):
                continue  # "NOT co-published" negates the collaboration, not the articles
            kept = [(a, b) for a, b in clause.tags[entry_id] if not self._negated_at(clause, a, negations)]
            if len(kept) < len(clause.tags[entry_id]):
                slot = "domain" if entry.slot_values("domain") else "measure"
                # another word names another table or measure ("publications, not patents"); in "NOT filed with other
                # inventors" the other words name the same table, so the negation is of what follows
                others = [e for e in clause.tags if e != entry_id
                          and self.lexicon.entry(e).slot_values(slot) - entry.slot_values(slot)]
                if others or kept:
                    clause.tags[entry_id] = kept
                    if not clause.tags[entry_id] and "negation" in clause.tags:
                        clause.tags.pop("negation")  # the negation was about the word dropped, not the question
        clause.tags = {e: spans for e, spans in clause.tags.items() if spans}

    def _negated_at(self, clause: Clause, start: int, negations: set[int], reach: int = 3) -> bool:
        """A negation right before `start`, or a few words before it that name no table or thing of their own
        ("setting aside the overall size"; in "not patents but articles" the patents stand between)."""
        for j in range(start - 1, max(-1, start - 1 - reach), -1):
            if j in negations:
                return True
            if any(s.isupper() or s in self.lexicon.entries and self.lexicon.entry(s).slot_values("domain") for s in clause.symbols[j]
                   if not s.startswith("w:")) or not any(ch.isalnum() for ch in clause.words[j]):
                return False
        return False

    def _drop_corrected_measures(self, clause: Clause) -> None:
        """"PCT applications per million, I mean scientific articles per million", "the intensity rank... sorry, I wanted
        size rank": of two domains, two rankings or a count and a share, the one said before the correction is not meant."""
        marks = [a for a, _ in clause.tags.get("correction", []) if a > 0]
        if not marks:
            return
        mark = marks[-1]
        groups = {"size": "ranking", "intensity": "ranking", "count": "figure", "share": "figure"}

        def said(entry_id: str) -> set[tuple[str, str]]:
            entry = self.lexicon.entry(entry_id)
            out = {("domain", d) for d in entry.slot_values("domain")} if not entry.slot_values("measure") else set()
            return out | {(groups[m], m) for m in entry.slot_values("measure") if m in groups}

        after = {pair for e, spans in clause.tags.items() for a, _ in spans if a > mark for pair in said(e)}
        for entry_id in list(clause.tags):
            before = said(entry_id)
            if not any(g == group and v != value for g, v in before for group, value in after):
                continue
            if before & after:
                continue  # said again after the correction: meant
            kept = [(a, b) for a, b in clause.tags[entry_id] if a > mark]
            if kept:
                clause.tags[entry_id] = kept
            else:
                del clause.tags[entry_id]

    def _drop_negated_rows(self, clause: Clause, frame: Frame) -> None:
        """"wait, not KU Leuven — University of Antwerp": of two names, one right after a negation is not meant."""
        negations = {i for a, b in clause.tags.get("negation", []) for i in range(a, b)}
        if not negations or frame.yes_no:
            return
        named = [e for e in clause.entities.items if e.type in ("organization", "location")]
        dropped = {e.value for e in named if e.start - 1 in negations
                   or e.start - 2 in negations and clause.words[e.start - 1] in self.grammar.articles}
        picks_others = frame.selector.kind in ("all", "top_n", "last_n", "listed", "rank", "top", "last")
        if dropped and (len(dropped) < len({e.value for e in named}) or picks_others):
            # "forget AGFA — the share of the three top applicants combined?": the rows picked otherwise are meant
            frame.excluded = [r for r in frame.refs if r.value in dropped]
            frame.refs = [r for r in frame.refs if r.value not in dropped]
            frame.negated = False

    def _rank_claimable(self, clause: Clause) -> bool:
        """An ordinal is claimed (not a row picked) when it is said of a named row ("Toyota third?") or of the
        cluster's own rank ("Brussels–Antwerp ranks 58th by intensity?")."""
        if any(e.type in ("organization", "location") for e in clause.entities.items):
            return True
        cluster = any(e.type == "cluster" for e in clause.entities.items) or clause.has("cluster_word", "refer", "possessive")
        cluster = cluster or clause.has("size", "intensity", "both_ranks")  # only a cluster has these ranks
        return cluster and clause.has("rank", "size", "intensity", "both_ranks", "big") and not clause.has(
            "applicant", "applicants", "publisher", "publishers", "organization_noun", "organization_nouns", "who")

    def _declarative_question(self, clause: Clause, frame: Frame, consumed: set[int]) -> bool:
        """A clause ending in '?' with no question word and no request, naming a thing and a value or a rank."""
        if frame.request or clause.starts_with("request", "describe", "list"):
            return False
        if frame.operation == "difference" and any(c.unit == "top_n" for c in frame.claims):
            return False  # "And to reach the top 50 by intensity?": how far, not a claim
        if not clause.question_mark and not (clause.tags and any(
                e.type in ("number", "percent") or e.type == "ordinal" and self._rank_claimable(clause)
                for e in clause.entities.items)):
            return False  # a statement is checked only when it gives a figure or a rank ("Third: 72% are collaborative.")
        if any(w in self.grammar.question_words for w in clause.words):
            return False
        if frame.plural and frame.noun == "organization" and not frame.operation and frame.selector.kind in ("none", "all") \
                and not any(e.type in ("organization", "location") for e in clause.entities.items) \
                and frame.claims and all(c.relation in (">", ">=", "<", "<=") and c.unit in ("count", "percent") for c in frame.claims):
            return False  # "applicants over 4% share?": which rows pass the limit, not a claim about them all
        named = any(e.type in ("organization", "location", "cluster") for e in clause.entities.items)
        measured = any(self.lexicon.entry(e).slot_values("measure") or self.lexicon.entry(e).slot_values("domain")
                       for e in clause.tags)
        valued = bool(frame.claims) or any(
            e.type in ("number", "percent") or e.type == "ordinal" and self._rank_claimable(clause)
            for e in clause.entities.items if e.start not in consumed)
        # "AGFA ahead of Toyota?" claims a direction; "compared with KU Leuven?" asks for the comparison
        chosen = frame.selector.kind in ("top", "last") or frame.against and frame.operation != "compare"
        measured = measured or any(c.unit == "top_n" for c in frame.claims) or bool(frame.said)  # "4% of the total?"
        same = "same" in self._values(clause, "op")
        named_row = any(e.type in ("organization", "location") for e in clause.entities.items)
        # "Top publishing organisation in Brussels–Antwerp?" asks for the top one; "AGFA ahead of Toyota?" claims an order;
        # "Gent shows up in both lists?", "Paris on the article list?" claim a place in a list
        listed = frame.selector.kind == "listed" or frame.operation == "intersect"
        # "so they're tied?" (rows from the conversation), "so it does better on intensity than on size?" (an order claimed)
        two_rankings = frame.operation in ("more", "less") and {"size", "intensity"} <= set(frame.said)
        return (named or measured or same and frame.refers) and (valued or (chosen or listed) and named_row or same or two_rankings)

    def _table_noun_joined_to_a_measure(self, clause: Clause) -> bool:
        """A table's noun used as a figure and joined to a measure ("articles + share"): the noun asks for the count."""
        joined = self.grammar.coordinators
        for entry_id, spans in clause.tags.items():
            entry = self.lexicon.entry(entry_id)
            if not (entry.slot_values("domain") and not entry.slot_values("measure")):
                continue
            for a, b in spans:
                if b + 1 < len(clause.words) and clause.words[b] in joined and any(
                        s in self.lexicon.entries and self.lexicon.entry(s).slot_values("measure") & {"share", "rank"}
                        for s in clause.symbols[b + 1]):
                    return True
        return False

    def _rank_only_selects(self, clause: Clause) -> bool:
        """Every rank word of the clause is glued to an ordinal ("third-ranked", "ranked second"), so it picks a row
        rather than asking for its rank."""
        edges = set()
        for e in clause.entities.items:
            if e.type == "ordinal":
                edges.update({e.start - 1, e.end})
                if e.end < len(clause.words) and not clause.words[e.end].isalnum():
                    edges.add(e.end + 1)  # "third - ranked"
        for entry_id, found in clause.tags.items():  # "ranked just above it", "ranked last"
            if self.lexicon.entry(entry_id).slot_values("select") & {"prev", "next", "above", "below", "last", "top"}:
                for a, b in found:
                    edges.update({a - 1, b})
        spans = [span for entry_id, found in clause.tags.items() if self.lexicon.entry(entry_id).slot_values("measure") == {"rank"}
                 for span in found]
        return bool(spans) and bool(edges) and all(a in edges or b - 1 in edges for a, b in spans)

    def _values(self, clause: Clause, slot: str) -> list[str]:
        found: list[str] = []
        entries = self.lexicon.entries
        for entry_id in clause.tags:
            entry = entries[entry_id]
            if len(entry.readings) > 1:
                continue  # ambiguous words are settled later, against the schema
            for value in entry.sorted_values(slot):
                if value not in found:
                    found.append(value)
        return found

    def _entities(self, clause: Clause, frame: Frame, consumed: set[int]) -> None:
        """Names become refs (unless a construction took them); places and names we lack are noted."""
        in_names = self._places_in_names(clause)
        against = {(r.kind, r.value) for r in frame.against}
        anchors = {(r.kind, r.value) for r in frame.anchors}
        for item in clause.entities.items:
            if item.type in ("organization", "location", "cluster", "economy"):
                key = (item.type, item.value)
                if key in against or key in anchors or any(r.kind == item.type and r.value == item.value for r in frame.refs):
                    continue
                frame.refs.append(Ref(item.type, item.value, item.text))
            elif item.type in ("place", "place_economy"):
                frame.lacking.setdefault("place", item.value if item.how in ("gazetteer", "named as a cluster") and item.type == "place"
                                         and item.value.lower() in clause.text.lower() else
                                         _as_typed(clause.text, item.text) if item.how != "gazetteer" else item.value)
                frame.lacking_kind = ("cluster" if item.how == "named as a cluster" else
                                      "economy" if item.type == "place_economy" else "place")
            elif item.type == "year" and item.number is not None and int(item.number) not in self._editions():
                frame.lacking.setdefault("edition", str(int(item.number)))
        slips = [t for t in clause.entities.unknown_terms if self._typo(t, clause.text)]
        for term in slips:
            place = self.places.near(term) if " " not in term else None
            if place is not None and not self.knowledge.find_cluster(place.name) and not self.knowledge.find_location(place.name):
                frame.lacking.setdefault("place", place.name)  # "londen": a slip of a place we have no profile of
                frame.lacking_kind = frame.lacking_kind or "place"
        names = [t for t in clause.entities.unknown_terms if t not in slips] + in_names
        if names:
            frame.unknown = [_as_typed(clause.text, t) for t in names]

    def mostly_unknown(self, text: str, share: float, least_words: int = LONG_MESSAGE_WORDS) -> bool:
        """True for a long message where fewer than `share` of the words are ones the reader knows (a word of the
        dictionary, of the lexicon, of a name): read, it could only be "not understood"."""
        words = _WORD.findall(text.lower())
        if len(words) < least_words:
            return False
        known = sum(1 for w in words if w in self.known or w in self.vocabulary.dictionary or w in self._name_words)
        return known < share * len(words)

    def _typo(self, term: str, text: str) -> bool:
        """A word that is not a name but a slip of a known word ("Hw", "Wat", "Antwrep"): one or two letters off.
        Words written with a capital inside the sentence, or in capitals, are names whatever they look like."""
        typed = _as_typed(text, term)
        stripped = text.strip()
        if len(typed.split()) > 1 and any(w[:1].isupper() for w in typed.split()):
            return False  # "Toyota Motor Corporation": a longer name, not a slip of ours
        for word in typed.split():
            lowered = word.lower()
            where = stripped.find(word)
            before = stripped[:where].rstrip() if where > 0 else ""
            at_start = where == 0 or (where > 0 and before[-1:] in ".!?:;")
            capital = word[:1].isupper() and (not at_start or word.isupper() and len(word) > 1)
            if capital and not self._near_known(lowered, self._name_targets):
                return False  # a name as written; only a slip of one of our own names is not
            if len(lowered) <= 2 or capital:
                continue
            if not self._near_known(lowered, self._typo_targets):
                return False
        return True

    @staticmethod
    def _near_known(word: str, targets: dict[str, list[str]]) -> bool:
        """Within one slip (two for longer words) of a word with the same first letter (rapidfuzz's C scan)."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        limit = 1 if len(word) <= 5 else 2
        candidates = [w for w in targets.get(word[0], ()) if abs(len(w) - len(word)) <= 1]  # a slip, not a cut
        if not candidates:
            return False
        return process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=limit) is not None

    def _places_in_names(self, clause: Clause) -> list[str]:
        """"Ghent University", "University of Paris": a place inside an organization's name we lack."""
        found = []
        for item in clause.entities.items:
            if item.type not in ("location", "place", "cluster"):
                continue
            after = clause.symbols[item.end] if item.end < len(clause.symbols) else frozenset()
            before = clause.symbols[item.start - 1] if item.start > 0 else frozenset()
            before2 = clause.symbols[item.start - 2] if item.start > 1 else frozenset()
            noun = {"organization_noun", "university_noun", "company_noun"}
            if item.type == "cluster" and not re.search(r"\b[A-Z][a-z]+\b", clause.text):
                continue
            if item.type == "cluster":
                typed_after = clause.text.split()
                if not any(w[:1].isupper() and w.lower().rstrip("?.,") in ("university", "institute", "college", "school")
                           for w in typed_after):
                    continue  # "the leading organisation of Brussels–Antwerp": the cluster, not a name we lack
            if noun & after or ("w:of" in before and noun & before2):
                start = item.start - 2 if "w:of" in before else item.start
                end = item.end + 1 if noun & after else item.end
                found.append(" ".join(clause.words[start:end]))
                clause.entities.items.remove(item)
        return found

    def _editions(self) -> set[int]:
        return {c.edition for c in self.knowledge.clusters}

    def _values_as_claims(self, clause: Clause, frame: Frame, consumed: set[int]) -> None:
        """In a yes/no question every value not yet read is claimed as it is ("ULB third with 9%?")."""
        if not frame.yes_no:
            return
        measured = [(a, b, m) for e, spans in clause.tags.items() for m in self.lexicon.entry(e).slot_values("measure")
                    if m in BOUND_MEASURES for a, b in spans]
        several = len({m for _, _, m in measured}) > 1
        for item in clause.entities.items:
            if item.type in ("number", "percent", "ordinal") and item.start not in consumed and item.number is not None:
                if _followed_by(clause, item.end, "time_unit"):
                    continue
                if item.type == "ordinal" and not self._rank_claimable(clause):
                    continue  # "Does the third applicant have 4%?": the third is the row asked about
                if item.text.lower() == "one" and not (item.end < len(clause.symbols) and {"cluster_word", "cluster_words"}
                                                       & clause.symbols[item.end]):
                    continue  # "One says ...", "one of them": a pronoun, not a figure claimed
                unit = {"number": "count", "percent": "percent", "ordinal": "ordinal"}[item.type]
                # the nearest measure or table word, the one after the value first ("53rd by size", "712 PCT applications")
                bound = _nearest(measured, item.start, item.end) if several else None
                domain = _bound_domain(self, clause, item.start, item.end)
                named = [e for e in clause.entities.items if e.type in ("location", "organization")]
                row = None
                if unit == "ordinal" and len({e.value for e in named}) > 1:  # "... and Gent is third": Gent's place
                    before = [e for e in named if e.end <= item.start]
                    row = (before[-1] if before else min(named, key=lambda e: e.start - item.end)).value
                frame.claims.append(Claim("==", float(item.number), unit, text=item.text,
                                          precision=_precision(item.text), measure=bound, domain=domain, row=row))
                consumed.update(range(item.start, item.end))

    def _coverage(self, clause: Clause) -> float:
        """The share of content words that are names, lexicon words or known words: how much the reading explains."""
        if not clause.content:
            return 1.0 if clause.entities.items or clause.tags else 0.0
        explained = 0
        for i in clause.content:
            symbols = clause.symbols[i]
            if "UNK" not in symbols and (any(not s.startswith("w:") for s in symbols) or clause.words[i] in self.known):
                explained += 1
        return explained / len(clause.content)


def _restates(reader: Reader, frame: Frame, before: Frame) -> bool:
    """A statement that only names the kind of answer the question before it already asks for ("Just the place name
    please." after "Which location ...?": "place" may mean a rank, but not here)."""
    if frame.refs or frame.claims or frame.said or frame.domain or frame.operation or frame.selector.kind != "none" \
            or frame.against or frame.anchors or frame.lacking or frame.talk:
        return False
    kinds = {frame.wants, frame.noun} | {r.get(slot) for e in frame.ambiguous for r in reader.lexicon.entry(e).readings
                                         for slot in ("wants", "noun")}
    return bool((kinds - {None}) & ({before.wants, before.noun} - {None}))


def _bound_domain(reader: Reader, clause: Clause, start: int, end: int) -> str | None:
    """The table a value at tokens [start, end) is said of, when the clause names both ("over 8,000 articles and fewer
    than 200 patent applications"): the nearest table word, one after the value first."""
    tabled = [(a, b, d) for e, spans in clause.tags.items() for d in reader.lexicon.entry(e).slot_values("domain")
              for a, b in spans]
    return _nearest(tabled, start, end) if len({d for _, _, d in tabled}) > 1 else None


def _nearest(spans: list[tuple[int, int, str]], start: int, end: int) -> str:
    """The value of the span a value at tokens [start, end) is said of: one right before it ("by intensity 58th"), else
    a unit word soon after it ("34% of its PCT applications", "53rd by size"), else the nearest one."""
    touching = [s for s in spans if s[1] == start]
    if touching:
        return touching[0][2]
    after = [s for s in spans if end <= s[0] <= end + UNIT_REACH]
    if after:
        return min(after, key=lambda s: s[0])[2]
    return min(spans, key=lambda s: s[0] - end if s[0] >= end else start - s[1] + 0.5)[2]


# -- construction builders: each adds what its match means to the frame -------------------------------

def _value_at(clause: Clause, span: tuple[int, int] | None) -> Found | None:
    if span is None:
        return None
    return next((e for e in clause.entities.items if e.start <= span[0] < e.end and e.type in ("number", "percent", "ordinal")), None)


def _ref_at(clause: Clause, span: tuple[int, int] | None) -> Ref | None:
    if span is None:
        return None
    item = next((e for e in clause.entities.items if e.start <= span[0] < e.end
                 and e.type in ("organization", "location", "cluster", "economy")), None)
    return Ref(item.type, item.value, item.text) if item else None


def _rank_ref(clause: Clause, span: tuple[int, int] | None) -> Ref | None:
    value = _value_at(clause, span)
    return Ref("rank", str(int(value.number)), value.text) if value is not None and value.type == "ordinal" and value.number else None


def _entry_at(clause: Clause, span: tuple[int, int] | None, choices: dict[str, str]) -> str | None:
    if span is None:
        return None
    for entry_id, value in choices.items():
        if entry_id in clause.symbols[span[0]]:
            return value
    return None


def _followed_by(clause: Clause, index: int, entry_id: str) -> bool:
    return index < len(clause.symbols) and entry_id in clause.symbols[index]


def _precision(text: str) -> float:
    """The step of the last digit written: "6,444" -> 1, "6.4" -> 0.1, "6,400" -> 100 when about."""
    digits = re.sub(r"[^\d.,]", "", text)
    if re.search(r"[.,]\d{1,2}$", digits) and not re.search(r"[.,]\d{3}$", digits):
        return 10 ** -len(re.search(r"[.,](\d{1,2})$", digits).group(1))  # type: ignore[union-attr]
    plain = re.sub(r"[^\d]", "", digits)
    zeros = len(plain) - len(plain.rstrip("0")) if plain.strip("0") else 0
    return float(10 ** zeros)


def _claim(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    relation = _entry_at(clause, match.spans[0], RELATION_OF) or "=="
    value = _value_at(clause, match.spans[-1])
    if value is None or value.number is None or value.start in consumed or _followed_by(clause, value.end, "time_unit"):
        return False
    between = clause.words[match.spans[0][0]:value.start] if match.spans[0] else []  # type: ignore[index]
    if value.text.lower() in reader.vocabulary.pronoun_numbers and "than" not in between:
        return False  # "the better one", "a bigger one": a pronoun, not a figure
    frame.claims.append(Claim(relation, float(value.number), VALUE_UNIT[PLACEHOLDER[value.type]], text=value.text,
                              precision=_precision(value.text), domain=_bound_domain(reader, clause, value.start, value.end)))
    consumed.update(range(value.start, value.end))
    return True


def _claim_between(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    low, high = _value_at(clause, match.spans[1]), _value_at(clause, match.spans[3])
    if low is None or high is None or low.number is None or high.number is None:
        return False
    unit = "percent" if "percent" in (low.type, high.type) else "count"
    frame.claims.append(Claim("between", float(low.number), unit, upper=float(high.number), text=f"{low.text}-{high.text}"))
    consumed.update(range(low.start, high.end))
    return True


def _claim_half(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    relation = _entry_at(clause, match.spans[0], RELATION_OF)
    word = clause.words[match.spans[-1][0]] if match.spans[-1] else "half"  # type: ignore[index]
    if relation is None:
        relation = "<" if "minority" in clause.symbols[match.spans[-1][0]] else ("~" if word == "half" else ">")  # type: ignore[index]
    frame.claims.append(Claim(relation, 50.0, "percent", text=word, precision=FRACTION_STEP))
    first = clause.first_word()
    if first is None or clause.words[first] not in reader.grammar.question_words:
        frame.yes_no = True  # ("Which three locations does it co-author most of its papers with?" asks for places)
    return True


def _fraction_of_row(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"less than a third of KU Leuven's share", "more than a third as many articles as KU Leuven": a fraction of
    another row's figure, claimed as a ratio to that row."""
    relation = _entry_at(clause, match.spans[0], RELATION_OF) or "=="
    start, end = (match.spans[2] or match.spans[4])[0], match.spans[4][1]  # type: ignore[index]
    value = reader.vocabulary.fractions.get(" ".join(w for w in clause.words[start:end] if w != "-"))
    ref = _ref_at(clause, match.spans[-1])
    if value is None or ref is None or ref.kind != "organization":
        return False
    frame.claims.append(Claim(relation, float(value) / 100, "ratio", text=" ".join(clause.words[start:end])))
    frame.operation = "ratio"
    frame.ops = list(dict.fromkeys(["ratio"] + frame.ops))
    frame.against.append(ref)
    consumed.update(range(start, end))
    return True


def _claim_fraction(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    relation = _entry_at(clause, match.spans[0], RELATION_OF) or "=="
    start = match.spans[2][0]  # type: ignore[index]
    if start in consumed:
        return False  # read already as a fraction of a row
    phrase = " ".join(w for w in clause.words[start:match.end] if w != "-")  # "two-thirds" as "two thirds"
    value = reader.vocabulary.fractions.get(phrase)
    if value is None:
        return False
    frame.claims.append(Claim(relation, float(value), "percent", text=phrase,
                              precision=FRACTION_STEP if relation == "~" else 1.0))
    consumed.update(range(start, match.end))
    return True


def _in_top(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    value = _value_at(clause, match.spans[-1])
    if value is None or value.number is None:
        return False
    frame.claims.append(Claim("top_n", float(value.number), "top_n", text=f"top {value.text}"))
    consumed.update(range(value.start, value.end))
    return True


def _listed(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"in the publications list": what "in the list" says (a row's place among those listed), with the table's noun
    inside it still naming the table."""
    if clause.has("top") or clause.has("last") or any(e.type == "ordinal" for e in clause.entities.items):
        return False  # "the top entry in the patent list", "second in the applicant list": the list names the table only
    clause.tags.setdefault("listed", []).append((match.start, match.end))
    return True


def _set_size(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"the four loaded clusters": the number tells how many there are, and claims nothing."""
    value = _value_at(clause, match.spans[1])
    if value is None:
        return False
    consumed.update(range(value.start, value.end))
    return True


def _order_words(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"from largest to smallest": the order of a list, picking no row (its words lose their lexicon meanings)."""
    return True


def _top_half(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    frame.claims.append(Claim("top_n", 50.0, "top_n", text="top half"))  # of the top 100 clusters
    consumed.update(range(match.start, match.end))
    return True


def _ratio_claim(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    relation = _entry_at(clause, match.spans[0], RELATION_OF) or "=="
    value = _value_at(clause, match.spans[-2]) if len(match.spans) > 1 and match.construction.id != "twice_claim" else None
    said = " ".join(clause.words[match.spans[-1][0]:match.spans[-1][1]])
    number = reader.vocabulary.multiples.get(said, 2.0) if value is None else value.number
    if number is None:
        return False
    frame.claims.append(Claim(relation, float(number), "ratio", text=f"{number:g} times"))
    frame.operation = "ratio"
    after = _ref_at(clause, (match.end, match.end + 1)) if match.end < len(clause.symbols) else None
    if after is not None and after.kind == "organization" and any(
            e.type == "organization" and e.start < match.start for e in clause.entities.items) or \
            after is not None and after.kind == "organization" and clause.has("refer"):
        frame.against.append(after)  # "KU Leuven's count is more than double UAntwerp's": UAntwerp is the unit
    if value is not None:
        consumed.update(range(value.start, value.end))
    return True


def _top_n(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    value = _value_at(clause, match.spans[-1])
    if value is None or value.number is None or value.start in consumed:
        return False
    n = int(value.number)
    rows_named = any(set(reader.lexicon.entry(e).slot_values("noun")) & {"organization", "location"} for e in clause.tags)
    longest = max((len(t.rows) for c in reader.knowledge.clusters for t in (c.top_applicants, c.top_publishers)), default=3)
    if not rows_named and n > longest * 3:
        frame.claims.append(Claim("top_n", float(n), "top_n", text=f"top {value.text}"))  # "top 50": a cluster ranking
    else:
        frame.selector = Selector("top_n", n=n)
    consumed.update(range(value.start, value.end))
    return True


def _outside_top_n(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"outside the top three": the rest beyond the first n rows (the complement keeps its meaning)."""
    return _n_rows(clause, frame, match.spans[-1], "top_n", consumed)


def _top_n_before(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"the two largest publishers": a number before the word for the top."""
    return _n_rows(clause, frame, match.spans[0], "top_n", consumed)


def _last_n(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"the last two", "the bottom 2", "the two last": the rows at the end of the table."""
    if not any(s is not None and "last" in clause.symbols[s[0]] for s in match.spans):
        return False
    return _n_rows(clause, frame, match.spans[1], "last_n", consumed)


def _n_rows(clause: Clause, frame: Frame, span: tuple[int, int] | None, kind: str, consumed: set[int]) -> bool:
    if span is not None and "refer_two" in clause.symbols[span[0]]:
        if frame.selector.kind in ("top_n", "last_n"):
            return False  # "both top-three lists": the number written says how many rows
        frame.selector = Selector(kind, n=2)  # "the two largest": "the two" names the number
        return True
    value = _value_at(clause, span)
    if value is None or value.number is None or value.start in consumed or not 1 <= value.number <= 10:
        return False
    frame.selector = Selector(kind, n=int(value.number))
    consumed.update(range(value.start, value.end))
    return True


def _between_rows(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    ends = [s for s in match.spans[1:] if s is not None and ({"ORG", "LOC", "ORD"} & clause.symbols[s[0]])]
    if len(ends) < 2:
        return False
    first, second = (_ref_at(clause, ends[0]) or _rank_ref(clause, ends[0])), (_ref_at(clause, ends[-1]) or _rank_ref(clause, ends[-1]))
    if first is None or second is None:
        return False
    if first.kind == "rank" or second.kind == "rank":
        frame.refs += [first, second]  # "and between the second and the third?": the two rows by rank
        for span in ends:
            consumed.update(range(span[0], span[1]))
        return True
    named_before = [e for e in clause.entities.items if e.type in ("organization", "location") and e.end <= match.start]
    if named_before and clause.starts_with("yesno"):
        frame.selector = Selector("between")  # "Is KU Leuven R&D between AGFA and Toyota?"
        frame.anchors = [first, second]
        frame.claims.append(Claim("between_rows", 0.0, "rows", text="between"))
        return True
    asks_row = clause.has("who") or bool(clause.words) and clause.words[0] in reader.grammar.question_words \
        and reader._asks_for_a_kind(clause)  # "Who ranks between ...", "Which applicant sits between ..."
    if clause.has("difference", "more", "less", "ratio", "twice", "aggregate", "choice") or not asks_row:
        return False  # "the difference between A and B": two rows to compare, not the one between them
    frame.selector = Selector("between")
    frame.anchors = [first, second]
    return True


def _within_each_other(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"within 5 applications of each other": the gap between the two is claimed to be at most that."""
    value = _value_at(clause, match.spans[1])
    if value is None or value.number is None or value.start in consumed:
        return False
    places = bool(match.spans[2]) and bool({"w:places", "w:place"} & clause.symbols[match.spans[2][0]])  # type: ignore[index]
    frame.claims.append(Claim("<=", float(value.number), "places" if places else "count", text=value.text))
    if places:
        frame.said = list(dict.fromkeys(frame.said + ["rank"]))
    frame.operation = "difference"
    consumed.update(range(value.start, value.end))
    return True


def _share_of_total(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"6% of the cluster total": a share of the total, said (or claimed), not the total asked for (which a question
    word asks: "AGFA's 195 are 6% of the total: what total does that imply?")."""
    grammar = reader.grammar
    if clause.words[:1] and clause.words[0] in grammar.question_words or any(
            w in grammar.question_words and w not in grammar.relative_words for w in clause.words):
        return False  # (", which is 6% of the total" is a relative clause, no question)
    _untag(clause, match.spans[-1], "total")
    frame.said = list(dict.fromkeys(frame.said + ["share"]))
    return True


def _period_claim(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"covers the last ten years": the period of the figures, claimed (checked only in a yes/no question); "last"
    there picks no row."""
    value = _value_at(clause, match.spans[1])
    if value is None or value.number is None or value.start in consumed:
        return False
    _untag(clause, match.spans[0], "last")
    frame.claims.append(Claim("==", float(value.number), "years", text=value.text))
    consumed.update(range(value.start, value.end))
    return True


def _what_it_makes(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"What does AGFA actually make?": what an organization does, which no profile says."""
    frame.lacking["attribute"] = " ".join(clause.words[match.spans[-1][0]:match.end])  # type: ignore[index]
    return True


def _both_lists_shown(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"List both top-three lists", "show me both tables": the two tables, each listed, not what they share."""
    both = match.spans[-1]
    _untag(clause, both, "intersect")
    _untag(clause, both, "refer_two")
    return True


def _times_a_row(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"how many times ULB's articles does KU Leuven publish?": the row right after "how many times" is the unit, the
    other row is measured in it."""
    ref = _ref_at(clause, match.spans[-1])
    others = [e for e in clause.entities.items if ref is not None and e.type == ref.kind and e.start >= match.end]
    if ref is None or ref.kind not in ("organization", "cluster") or not others:
        return False
    frame.against.append(ref)
    return True


def _percent_of_row(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"Toyota is how many percent of AGFA?": one row's figure as a percentage of a named other row's."""
    ref = _ref_at(clause, match.spans[-1])
    others = [e for e in clause.entities.items if e.type == "organization" and not match.start <= e.start < match.end]
    asked = match.start > 0 and ("count" in clause.symbols[match.start - 1] or clause.words[match.start - 1] in
                                 reader.grammar.question_words | set(reader.grammar.articles))  # "how many / what / a percent of"
    if not asked or ref is None or ref.kind != "organization" or not others and not clause.has("refer"):
        return False  # "what percent of AGFA's applications are collaborative?": no second row
    frame.against.append(ref)
    frame.operation = "ratio"
    frame.ops = list(dict.fromkeys(frame.ops + ["percent_of"]))
    _untag(clause, match.spans[0], "share")
    return True


def _places_claim(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"two places below AGFA": a number of places claimed, not a count of the table's unit."""
    value = _value_at(clause, match.spans[0])
    if value is None or value.number is None or value.start in consumed:
        return False
    frame.claims.append(Claim("==", float(value.number), "places", text=value.text))
    consumed.update(range(value.start, value.end))
    return True


def _row_below_by_places(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    return _row_by_places(clause, frame, match, consumed, "below")


def _row_above_by_places(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    return _row_by_places(clause, frame, match, consumed, "above")


def _row_by_places(clause: Clause, frame: Frame, match: Match, consumed: set[int], kind: str) -> bool:
    """"two places below KU Leuven": the row that many places from the named one (a claim when a row is named before)."""
    anchor = _ref_at(clause, match.spans[-1])
    value = _value_at(clause, match.spans[0])
    if anchor is None or value is None or not value.number or value.start in consumed:
        return False
    if any(e.type == anchor.kind and e.end <= match.start for e in clause.entities.items):
        return False  # "Is Toyota two places below AGFA?": a claim of the gap between two named rows
    frame.selector = Selector(kind, n=int(value.number))
    frame.anchors = [anchor]
    consumed.update(range(value.start, value.end))
    return True


def _row_after(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    # "after University of Antwerp, which organisation comes?": the next one; "Does Toyota come after AGFA?": anywhere below
    return _relative(clause, frame, match, "below" if _row_named_before(clause, match) else "next")


def _row_before(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    return _relative(clause, frame, match, "above" if _row_named_before(clause, match) else "prev")


def _row_named_before(clause: Clause, match: Match) -> bool:
    return any(e.type in ("organization", "location") and e.end <= match.start for e in clause.entities.items)


def _relative_row(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    kind = _entry_at(clause, match.spans[0], {"prev": "prev", "next": "next", "above": "above", "below": "below",
                                              "nearest": "nearest"})
    return _relative(clause, frame, match, kind)


def _relative(clause: Clause, frame: Frame, match: Match, kind: str | None) -> bool:
    anchor = _ref_at(clause, match.spans[-1])
    if kind is None or anchor is None:
        return False
    if frame.selector.n and frame.anchors == [anchor]:
        return True  # read already with its distance: "two places below KU Leuven"
    named_before = kind != "nearest" and any(e.type == anchor.kind and e.end <= match.start for e in clause.entities.items)
    if named_before and (clause.starts_with("yesno") or clause.question_mark and "tag" in clause.tags) \
            and not clause.has("how_many_more", "difference", "count", "share"):
        frame.against.append(anchor)  # "Does Toyota rank below KU Leuven R&D?": a claim about their places
        frame.said.append("rank")
        frame.operation = "less" if kind in ("next", "below") else "more"
        if kind in ("prev", "next"):  # "Toyota comes right after AGFA?": the very next place is claimed
            frame.claims.append(Claim("==", 1.0, "places", text="1"))
        return True
    if named_before and clause.has("difference", "how_many_more", "count", "share", "more", "less", "ratio", "twice"):
        frame.against.append(anchor)  # "How many points is UAntwerp ahead of ULB?": a comparison of the two
        frame.operation = frame.operation or "difference"
        return True
    frame.selector = Selector(kind)
    frame.anchors = [anchor]
    return True


def _compare_to(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    first = match.spans[0][0]  # type: ignore[index]
    if clause.words[first] == "as" and "relative_to" not in clause.symbols[first] and not clause.has("ratio", "twice"):
        return False  # "lists ULB as the second", "such as AGFA": only "times as many as X" sets X against the other
    ref = _ref_at(clause, match.spans[-1])
    value = _value_at(clause, match.spans[-1])
    last = match.spans[-1][1]  # type: ignore[index]
    if ref is None and "top" in clause.symbols[match.spans[-1][0]] and last < len(clause.symbols) \
            and {"NUM", "refer_two"} & clause.symbols[last]:  # type: ignore[index]
        return False  # "as a share of the top three applicants' combined total": those rows, not the top one
    if ref is None and "top" in clause.symbols[match.spans[-1][0]]:  # type: ignore[index]
        ref = Ref("rank", "1", "top")  # "compared to the top applicant"
        _untag(clause, match.spans[-1], "top")  # the leader is the other side, not the row asked about
    if ref is None and value is not None and value.type == "ordinal" and value.number and value.start not in consumed:
        ref = Ref("rank", str(int(value.number)), value.text)  # "fewer than the second": the row at that rank
        consumed.update(range(value.start, value.end))
    word = clause.words[match.spans[0][0]]  # type: ignore[index]
    if ref is None:
        return False
    if word in ("to", "with", "from") and not clause.has("more", "less", "difference", "ratio", "twice", "compare", "how_many_more") \
            and "w:compared" not in clause.symbols[max(0, match.start - 1)]:
        return False  # "collaborate with Paris", "belong to": no comparison
    frame.against.append(ref)
    end = match.end
    joined = reader.grammar.coordinators
    while end + 1 < len(clause.words) and clause.words[end] in joined:
        if end + 2 < len(clause.words) and clause.words[end + 1] in reader.grammar.articles:
            end += 1  # "than the University of Antwerp and the ULB combined": the article before the next name
        more = _ref_at(clause, (end + 1, end + 2))
        value = _value_at(clause, (end + 1, end + 2))
        if more is None and ref.kind == "rank" and value is not None and value.type == "ordinal" and value.number \
                and value.start not in consumed:
            more = Ref("rank", str(int(value.number)), value.text)  # "than the second and third": both places
            consumed.update(range(value.start, value.end))
        if more is None:
            break
        frame.against.append(more)  # "than either KU Leuven R&D or Toyota": both are the other side
        end = (value.end if value is not None and more.kind == "rank" else end + 2)
    return True


def _drop_corrected(clause: Clause) -> None:
    """"the University of Antwerp – no wait, I mean ULB", "the #2 applicant... er, I mean the #3": of two names or
    places of one kind on both sides of a correction, the one before it is taken back."""
    spans = clause.tags.get("correction", [])
    if not spans:
        return
    start = spans[-1][0]
    if start == 0:
        return
    kinds = ("organization", "location", "cluster", "ordinal")
    taken_back = []
    for kind in kinds:  # as many of a kind as the correction names, the last ones before it ("X than ULB? No wait, UA")
        said_after = sum(1 for e in clause.entities.items if e.start >= start and e.type == kind)
        before = [e for e in clause.entities.items if e.end <= start and e.type == kind]
        taken_back += before[len(before) - said_after:] if said_after else []
    if taken_back:
        clause.entities.items = [e for e in clause.entities.items if e not in taken_back]


def _untag(clause: Clause, span: tuple[int, int] | None, entry_id: str) -> None:
    """A word a construction gave its meaning no longer marks the clause with its lexicon entry."""
    if span is None or entry_id not in clause.tags:
        return
    clause.tags[entry_id] = [s for s in clause.tags[entry_id] if not (span[0] <= s[0] and s[1] <= max(span[1], span[0] + 1))]
    if not clause.tags[entry_id]:
        del clause.tags[entry_id]


def _which_cluster(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    frame.wants = "cluster"
    return True


def _rank_clusters(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    frame.wants, frame.plural = "cluster", True  # "rank the loaded clusters by size": all of them, in order
    frame.operation = frame.operation or "list"
    return True


def _clusters_ahead(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"How many clusters are more intensive than X?": a count of the clusters ranked above it, not a comparison."""
    frame.operation = "ahead"
    frame.ops = ["ahead"] + [o for o in frame.ops if o not in ("ahead", "more")]
    return True


def _clusters_bigger(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"how many clusters are bigger than it?": ranked above it by size, whatever ranking was talked about before."""
    _clusters_ahead(reader, clause, frame, match, consumed)
    if not {"size", "intensity", "ranks"} & set(frame.said):
        frame.said.append("size")
    return True


def _all_loaded(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"all four cluster are inside the top 60?", "size ranks, all 4": as many as the clusters loaded, or all of them
    with a cluster word after; never "all three applicants" (a number of rows)."""
    value = _value_at(clause, match.spans[1])
    if value is None or value.number is None or int(value.number) != len(reader.knowledge.clusters) \
            or len(reader.knowledge.clusters) < 2:
        return False
    after = clause.symbols[match.end] if match.end < len(clause.symbols) else frozenset()
    if any(s in reader.lexicon.entries and reader.lexicon.entry(s).slot_values("noun") for s in after):
        return False  # "all four applicants": rows
    frame.cluster_word = "plural"
    frame.selector = Selector("all")
    consumed.update(range(value.start, value.end))
    return True


def _part_of_cluster(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"the city of Antwerp alone", "Brussels itself": one place of a cluster named after several, whose figures the
    profile does not give apart from the cluster's."""
    item = next((e for e in clause.entities.items if e.type == "cluster" and match.start <= e.start < match.end), None)
    cluster = reader.knowledge.cluster(item.value) if item else None
    if item is None or cluster is None:
        return False
    parts = name_parts(cluster.shown)
    said = name_key(item.text)
    named_as_a_city = match.construction.id == "city_of"  # "the city of Antwerp": one place, however it is written
    if len(parts) < 2 or said == name_key(cluster.shown) and not named_as_a_city \
            or said not in {name_key(p) for p in parts} and not named_as_a_city:
        return False
    frame.lacking["attribute"] = " ".join(clause.words[match.start:match.end])
    return True


def _in_cluster(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"And the three in Cologne?": a name after "in" is where the rows are, the cluster (not University of Cologne)."""
    frame.in_cluster = True
    return True


def _both_ranks(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"both of Brussels–Antwerp's 2024 ranks": the two rankings of the cluster, by size and by intensity."""
    if "ranks" not in frame.said:
        frame.said.append("ranks")
    return True


def _set_aside(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"leaving KU Leuven aside", "AGFA apart": the row named is left out of the rows the question picks."""
    ref = _ref_at(clause, match.spans[1])
    if ref is None or ref.kind != "organization":
        return False
    frame.left_out.append(ref)
    return True


def _choice(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    frame.choice = True
    return True


def _direction_choice(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"is this more or less than X?", "more or fewer PCT applications than X?": which way the two compare, not a yes/no
    (without a "than" after it, "more or less 6%" means about 6%)."""
    than = next((i for i in range(match.end, len(clause.symbols)) if "w:than" in clause.symbols[i]), None)
    if than is None or not any(e.start > than and e.type in ("organization", "location", "cluster", "ordinal")
                               for e in clause.entities.items) and not any("refer" in s for s in clause.symbols[than:]):
        return False  # "more or less than half?": a claim about a value, checked as one
    frame.choice = True
    frame.operation = frame.operation or "compare"
    return True


def _yes_no(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    first = match.spans[-1][0]  # type: ignore[index]
    nxt = clause.words[first + 1] if first + 1 < len(clause.words) else ""
    if clause.words[first] in ("can", "could", "would", "will") and nxt == "you":
        return False  # "Could you tell me ...": a request
    if clause.words[first] in ("do", "does") and nxt == "you":
        return False  # "do you know ...": a request too
    frame.yes_no = True
    return True


def _yes_no_after_lead_in(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"In the Brussels–Antwerp profile, does AGFA file more ...?": a yes/no question after a lead-in that asks nothing."""
    if not clause.question_mark or any(w in reader.grammar.question_words for w in clause.words[:match.start]):
        return False
    return _yes_no(reader, clause, frame, match, consumed)


def _tag(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    frame.yes_no = True
    return True


def _bare_claim(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    if clause.has("who", "count", "how_much", "list", "which_cluster") or not clause.question_mark \
            or any(w in reader.grammar.question_words for w in clause.words):
        return False
    about = [e for e in clause.entities.items if e.type in ("organization", "location", "cluster")]
    if not about and not any(reader.lexicon.entry(e).slot_values("measure") or reader.lexicon.entry(e).slot_values("domain")
                             for e in clause.tags):
        return False  # "And the second?": a row picked by rank, nothing claimed about it
    value = _value_at(clause, match.spans[0])
    if value is None or value.start in consumed:
        return False
    frame.yes_no = True
    return True


def _premise(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    comma = clause.text.find(",")
    if comma < 0:
        return False
    frame.premise_text = clause.text[:comma]
    return True


def _without(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    frame.operation = "complement"
    frame.negated = True
    if "collab" not in frame.said:
        frame.said.append("collab")
    return True


def _request(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    frame.request = True
    return True


# Constructions whose words keep their own meaning too (the yes/no verb, a tag, a request word).
_KEEPS_WORDS = frozenset({"in_cluster", "yes_no", "tag", "request", "premise", "bare_claim", "compare_to", "choice", "which_cluster",
                          "outside_top_n", "listed", "set_size", "places_claim", "yes_no_after_lead_in", "share_of_total", "period_claim", "times_a_row", "both_lists_shown"})

def _row_by_name_word(reader: Reader, clause: Clause, frame: Frame, match: Match, consumed: set[int]) -> bool:
    """"the Leuven one", "the Antwerp one": a row told by a word of its name, when that word names one organization
    of the tables asked (or of both) — not the place of that name."""
    span = match.spans[1]
    if span is None:
        return False
    word = " ".join(clause.words[span[0]:span[1]])
    hits = {(h.row.name, h.table) for surface, _ in reader.knowledge.all_names()["organization"]
            if re.search(r"\b" + re.escape(word) + r"\b", matching_form(surface)) for h in reader.knowledge.find_organization(surface)}
    domain = _only(reader._values(clause, "domain"))
    tables = {"patents": {"applicants"}, "articles": {"publishers"}}.get(domain or "", {"applicants", "publishers"})
    names = sorted({name for name, table in hits if table in tables})
    if len(names) != 1:
        return False
    clause.entities.items = [e for e in clause.entities.items if not (e.start == span[0] and e.type in ("place", "location", "cluster"))]
    frame.refs.append(Ref("organization", names[0], word))
    consumed.update(range(span[0], span[1]))
    return True


_BUILDERS = {
    "claim": _claim, "claim_between": _claim_between, "claim_half": _claim_half, "claim_fraction": _claim_fraction,
    "in_top": _in_top, "rank_clusters": _rank_clusters, "top_n": _top_n, "top_n_before": _top_n_before, "outside_top_n": _outside_top_n, "last_n": _last_n, "between_rows": _between_rows, "relative_row": _relative_row,
    "compare_to": _compare_to, "choice": _choice, "set_aside": _set_aside, "clusters_ahead": _clusters_ahead, "clusters_bigger": _clusters_bigger, "all_loaded": _all_loaded, "part_of_cluster": _part_of_cluster, "in_cluster": _in_cluster, "both_ranks": _both_ranks, "row_by_name_word": _row_by_name_word, "yes_no": _yes_no, "tag": _tag, "bare_claim": _bare_claim,
    "premise": _premise, "request": _request, "which_cluster": _which_cluster, "top_half": _top_half, "listed": _listed, "set_size": _set_size, "order_words": _order_words,
    "places_claim": _places_claim, "percent_of_row": _percent_of_row, "times_a_row": _times_a_row, "fraction_of_row": _fraction_of_row, "both_lists_shown": _both_lists_shown, "what_it_makes": _what_it_makes, "row_after": _row_after, "row_before": _row_before, "period_claim": _period_claim, "share_of_total": _share_of_total, "within_each_other": _within_each_other, "direction_choice": _direction_choice, "yes_no_after_lead_in": _yes_no_after_lead_in, "row_below_by_places": _row_below_by_places, "row_above_by_places": _row_above_by_places,
    "ratio_claim": _ratio_claim, "without": _without,
}


# -- helpers ---------------------------------------------------------------------------------------

def _only(values: list[str]) -> str | None:
    return values[0] if len(values) == 1 else None


def _negated_inside(clause: Clause) -> bool:
    """"Is AGFA not the top applicant?": a negation after the yes/no verb, not only in the tag ("isn't it?")."""
    spans = clause.tags.get("negation", [])
    tag_spans = clause.tags.get("tag", [])
    return any(not any(t[0] <= s[0] < t[1] for t in tag_spans) and s[0] > 0 for s in spans)


def _attach_tags(clauses: list[Clause], reader: "Reader | None" = None) -> list[Clause]:
    """"... 58th by size — OK to present?": a clause that is only a tag makes the one before it a yes/no claim;
    "... about half of all articles — roughly 51%?": a clause that is only a value is the claim of the one before."""
    result: list[Clause] = []
    for clause in clauses:
        value_only = reader is not None and result and clause.question_mark and any(
            e.type in ("number", "percent") for e in clause.entities.items) and not any(
            e.type in ("organization", "location", "cluster") for e in clause.entities.items) and not any(
            reader.lexicon.entry(t).slot_values("measure") or reader.lexicon.entry(t).slot_values("domain") for t in clause.tags)
        if value_only:
            joined = reader.clause(result[-1].text + ", " + clause.text)
            joined.sentence = result[-1].sentence
            result[-1] = joined
            continue
        if clause.has("arbiter") and any(c.question_mark for c in result):
            continue  # "Is ULB second? A friend insists it is. Who is right?": the question was asked already
        if clause.has("arbiter"):
            clause.tags["tag"] = clause.tags.pop("arbiter")
        only_tag = clause.has("tag", "yesno") and not clause.entities.items and not any(
            e for e in clause.tags if e not in ("tag", "yesno", "request", "negation", "refer", "first_person")) and (
            clause.question_mark or clause.has("tag") or not clause.starts_with("first_person"))  # "my husband is a postdoc.": about the user
        if only_tag and result:
            previous = result[-1]
            # "Someone told me Ghent is a partner. Is that true?": what the statement states is claimed
            previous.confirms = previous.confirms or not previous.question_mark and not any(
                w in reader.grammar.question_words for w in previous.words) if reader is not None else previous.confirms
            previous.question_mark = True
            previous.tags.setdefault("tag", []).append((len(previous.words), len(previous.words)))
            previous.symbols = previous.symbols[:-1] + [previous.symbols[-1] | {"tag"}] if previous.symbols else previous.symbols
            continue
        result.append(clause)
    return result


_CAPITALIZED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+)\b|\b([A-Z]{2,}|(?:[A-Z]\.){2,})(?![\w.])")


def _capitalized(text: str) -> frozenset[str]:
    """Words written with a capital inside a sentence ("did Apple file") or in capitals: read as names."""
    return frozenset((word or caps).lower() for word, caps in _CAPITALIZED.findall(text.strip()))


def _as_typed(text: str, term: str) -> str:
    """`term` as the user wrote it (the reader sees lower case): 'janssen' -> 'Janssen'."""
    where = text.lower().find(term.lower())
    return text[where:where + len(term)] if where >= 0 else term
