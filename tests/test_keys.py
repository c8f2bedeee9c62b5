"""The key scheme: human, ASCII, deterministic, collision suffixes in a fixed order."""

from __future__ import annotations

from oflbib.keys import ascii_fold, base_key, follows_scheme, unique_key
from oflbib.model import Entry, Person


def paper(title: str, year: int | None = 2023, *families: str) -> Entry:
    return Entry(key="", kind="paper", title=title, year=year,
                 authors=[Person(family=f, given="A.") for f in families])


def test_author_year_first_significant_word():
    assert base_key(paper("Bamboo: Making Preemptible Instances Resilient", 2023, "Thorpe")) \
        == "thorpe2023bamboo"
    assert base_key(paper("The Case for Learned Indexes", 2018, "Kraska")) == "kraska2018case"
    assert base_key(paper("λDNN: Achieving Predictable", 2022, "Xu")) == "xu2022lambdadnn"
    assert base_key(paper("On Things", 2020, "Renz-Wieland")) == "renzwieland2020things"
    assert base_key(paper("Über alles", 2020, "Müller")) == "muller2020uber"


def test_fallback_without_authors_is_system_name_and_year():
    assert base_key(paper("Bamboo: Making Preemptible Instances", 2023)) == "bamboo2023"
    assert base_key(paper("A New Paper: On Things", 2024)) == "new2024"
    software = Entry(key="", kind="software", title="Federated AI Technology Enabler")
    assert base_key(software) == "fate"
    assert base_key(Entry(key="", kind="software", title="PySyft")) == "pysyft"
    assert base_key(Entry(key="", kind="software", title="9NFL")) == "x9nfl"


def test_collisions_get_b_c_in_order():
    taken = {"li2021chimera"}
    first = unique_key("li2021chimera", taken)
    taken.add(first)
    second = unique_key("li2021chimera", taken)
    assert (first, second) == ("li2021chimerab", "li2021chimerac")
    entry = paper("Chimera: x", 2021, "Li")
    assert follows_scheme("li2021chimerab", entry)
    assert not follows_scheme("li2021chimeraa", entry)
    assert not follows_scheme("chimera", entry)


def test_ascii_fold_is_ascii():
    for text in ("Ωmega", "Ñandú", "中文", "😀", "Ø"):
        assert ascii_fold(text).isascii()
