"""The one LaTeX codec: escaping for both BibTeX flavours, and its inverse for importers.

Every TeX special is escaped (braces as \\textbraceleft{} because BibTeX counts `\\{` as
a brace), so data can never run a command: `\\input{x}` arrives as the literal text.
Non-ASCII letters become LaTeX through pylatexenc ({\\'e}, \\ensuremath{\\lambda});
biblatex output may keep accented Latin letters as UTF-8. Characters with no LaTeX
form at all (emoji, CJK, Hebrew...) stay as UTF-8 rather than being dropped.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

from oflbib.text import fold_space, visible

SPECIALS = {
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
    # OT1 fonts print these as other glyphs; the text commands work in every encoding.
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}
# TeX ligatures that would turn data into other characters (-- into an en dash, `` into
# a quote): an empty group between the two characters keeps them apart.
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=[?!])(?=`)|(?<=,)(?=,)")
_ENSUREMATH = re.compile(r"^\\ensuremath\{(.*)\}$")
_PLAIN = re.compile(r"^[A-Za-z0-9 .,:;!?()'\"/@*+=`\[\]-]*$")


@lru_cache(maxsize=4096)
def _char(char: str, keep_latin: bool) -> str:
    if char in SPECIALS:
        return SPECIALS[char]
    if char.isascii():
        return char
    if keep_latin and "LATIN" in unicodedata.name(char, ""):
        return char
    from pylatexenc.latexencode import unicode_to_latex

    logging.getLogger("pylatexenc").setLevel(logging.ERROR)
    latex = unicode_to_latex(char, non_ascii_only=True, unknown_char_policy="keep")
    if latex == char:
        return char
    # Math letters as `$\lambda$`, the form Zotero's BibTeX importer turns back into
    # the letter (it reads pylatexenc's `\ensuremath{\lambda}` as "\ensuremathłambda").
    latex = _ENSUREMATH.sub(r"$\1$", latex)
    latex = latex if latex.startswith("{") else "{" + latex + "}"
    # pylatexenc has lossy forms (Ű as \'{U}, ħ as \={h}, ﬀ as ff): print such a
    # character as itself rather than as another one.
    return latex if latex_to_text(latex) == char else char


@lru_cache(maxsize=1 << 16)  # words, names and venues recur in every entry of a catalog
def latex_text(text: str, keep_latin: bool = False) -> str:
    """Plain Unicode text as LaTeX that prints exactly that text."""
    text = unicodedata.normalize("NFC", visible(text))
    if not _PLAIN.match(text):
        text = "".join(_char(c, keep_latin) for c in text)
    return _LIGATURE.sub("{}", text)


# Punctuation around a word that is not part of it (`(GPU),` is the word GPU).
PUNCTUATION = ".,;:!?()[]\"'"


def needs_protection(word: str, protect: set[str] | frozenset[str]) -> bool:
    """Whether a style that changes case must leave this word as it is."""
    core = word.strip(PUNCTUATION)
    return bool(core) and (core in protect or _case_matters(core))


@lru_cache(maxsize=1 << 16)  # asked for every word of every title and venue
def _case_matters(core: str) -> bool:
    if core.isalpha() and core[1:].islower():  # most words: no digit, no capital inside
        return False
    letters = [c for c in core if c.isalpha()]
    # Acronyms, internal capitals (TopoOpt, MPress), and names with digits (3D, GPT-3).
    return any(c.isupper() for c in letters[1:]) or (
        any(c.isdigit() for c in core) and bool(letters))


def latex_title(title: str, protect: list[str], keep_latin: bool = False) -> str:
    """A title for BibTeX: escaped, with acronyms, system names and internal capitals
    braced so styles that lowercase titles (plainnat, IEEEtran) keep them."""
    title = visible(title)
    words = title.split(" ")
    protected = {w for phrase in protect for w in phrase.split()}
    head = title.split(":", 1)[0] if ":" in title else ""
    lead_count = len(head.split()) if head and len(head.split()) <= 3 else 0
    out = []
    for index, word in enumerate(words):
        if index < lead_count or word.strip(PUNCTUATION) in protected:
            out.append(_brace(word, keep_latin))
            continue
        # Only a word with a part the list protects is braced otherwise than alone.
        out.append(_title_word(word, keep_latin, protected) if protected and any(
            part.strip(PUNCTUATION) in protected for part in word.split("-"))
            else _title_word_alone(word, keep_latin))
    return _LIGATURE.sub("{}", " ".join(out))


def _title_word(word: str, keep_latin: bool, protected: set[str] | frozenset[str]) -> str:
    """A title's word, braced where its case is the point. Hyphenated words are judged
    part by part: Multi-{GPU}, but Inter-Operator."""
    return "-".join(_brace(part, keep_latin) if needs_protection(part, protected)
                    else latex_text(part, keep_latin) for part in word.split("-"))


@lru_cache(maxsize=1 << 16)  # words recur across a catalog's titles
def _title_word_alone(word: str, keep_latin: bool) -> str:
    """`_title_word` for a title with no `protect` list of its own."""
    return _title_word(word, keep_latin, frozenset())


_TRAILING_PUNCTUATION = re.compile(r"^(.*?)([:.,;!?]*)$")


def _brace(word: str, keep_latin: bool) -> str:
    """`{word}` with trailing punctuation left outside: `{Bamboo}:`."""
    match = _TRAILING_PUNCTUATION.match(word)
    body, tail = (match.group(1), match.group(2)) if match else (word, "")
    if not body:
        return latex_text(word, keep_latin)
    return "{" + latex_text(body, keep_latin) + "}" + latex_text(tail, keep_latin)


@lru_cache(maxsize=1)
def _decoder():
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    db = get_default_latex_context_db().filter_context()
    db.add_context_category("oflbib", prepend=True, macros=[
        MacroTextSpec("textbraceleft", simplify_repl="{"),
        MacroTextSpec("textbraceright", simplify_repl="}"),
        MacroTextSpec("textasciicircum", simplify_repl="^"),
        MacroTextSpec("textasciitilde", simplify_repl="~"),
        MacroTextSpec("textbackslash", simplify_repl="\\"),
        MacroTextSpec("textless", simplify_repl="<"),
        MacroTextSpec("textgreater", simplify_repl=">"),
        MacroTextSpec("textbar", simplify_repl="|"),
        # Common in other people's .bib titles; pylatexenc would drop them with their text.
        MacroTextSpec("mbox", simplify_repl="%s"),
        MacroTextSpec("TeX", simplify_repl="TeX"),
        MacroTextSpec("LaTeX", simplify_repl="LaTeX"),
        MacroTextSpec("LaTeXe", simplify_repl="LaTeX2e"),
        MacroTextSpec("BibTeX", simplify_repl="BibTeX"),
    ])
    return LatexNodes2Text(latex_context=db, math_mode="text", strict_latex_spaces=True)


@lru_cache(maxsize=1)
def _walker_context():
    """The parser's macro table, built once (pylatexenc builds it anew per call)."""
    from pylatexenc.latexwalker import get_default_latex_context_db

    return get_default_latex_context_db()


# Text with none of these reads the same in LaTeX: no command, group, special or ligature.
_LATEX_SYNTAX = re.compile(r"[\\{}$~%&#^_]|--|''|``|[!?]`")
_BARE_PERCENT = re.compile(r"(?<!\\)%")
MATH = re.compile(r"(?<!\\)\$|\\\(")  # `$` not escaped, or `\(`: the value holds math


@lru_cache(maxsize=1)
def _math_decoder():
    """The decoder for values with math: a space that separates a command from the next
    word in the source is kept (`$O(n \\log n)$` reads `O(n log n)`, not `O(n logn)`)."""
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(latex_context=_decoder().latex_context, math_mode="text",
                           strict_latex_spaces="macros")


@lru_cache(maxsize=1 << 16)  # names, venues and publishers recur in a .bib file
def latex_to_text(latex: str) -> str:
    """Unicode text a BibTeX value prints: the inverse of `latex_text`/`latex_title`
    (case-protection braces vanish, escapes and accents become characters; math becomes
    its closest text)."""
    if not _LATEX_SYNTAX.search(latex):
        return fold_space(latex)
    # A `%` in a .bib value is the character, as biber and BibTeX read it (publishers'
    # abstracts: `57.0 %) were women`), not a comment that would swallow the line.
    latex = _BARE_PERCENT.sub(r"\\%", latex)
    from pylatexenc.latexwalker import LatexWalker

    logging.getLogger("pylatexenc").setLevel(logging.ERROR)
    decoder = _math_decoder() if MATH.search(latex) else _decoder()
    walker = LatexWalker(latex, latex_context=_walker_context(), tolerant_parsing=True)
    return fold_space(decoder.nodelist_to_text(walker.get_latex_nodes()[0]))
