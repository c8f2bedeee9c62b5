"""Deterministic synthetic catalogs for the benchmarks, shaped like the shipped one.

`python benchmarks/synth.py 10000 OUT/` writes OUT/catalog/ (one YAML file per section)
and OUT/list.md (the same catalog as the Markdown list `oflbib import markdown` reads).
The same entry count always gives the same bytes: one seeded random stream, no clock.

Entries mirror the shipped catalog: conference, journal, arXiv-only and workshop papers,
software and awesome lists; one to twelve authors with Latin, accented, Greek, Cyrillic
and CJK names; titles with system names, acronyms, λ and TeX specials; per-fact
provenance, the list's own text (seed), notes on a quarter of the entries, and a few
papers listed in a second section (`see:`).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from pathlib import Path

from oflbib import keys
from oflbib.catalog.store import save_catalog
from oflbib.exporters import render
from oflbib.model import Block, Catalog, Entry, Listing, Person, Provenance, Section, Seed
from oflbib.text import norm_title, slug
from oflbib.venues import CONFERENCE, JOURNAL, VENUES, format_venue_tag

SEED = 20240601

# (section, share of the entries); Frameworks holds software, Misc the awesome lists too.
SECTIONS = [("Frameworks", 0.04), ("Training", 0.30), ("Serving-Inference", 0.16),
            ("MoE", 0.06), ("Schedule", 0.12), ("Optimization", 0.14), ("GNN", 0.08),
            ("Fine-Tune", 0.04), ("Misc", 0.06)]

FAMILY = ["Thorpe", "Zhao", "Qiao", "Jia", "Zhang", "Netravali", "Xu", "Wang", "Li", "Chen",
          "Müller", "Dvořák", "Núñez", "Søndergaard", "Çelik", "Đorđević", "O'Neil",
          "van der Berg", "Łukasiewicz", "Kovačević", "Nguyễn", "Sinclair", "Venkataraman",
          "Παπαδόπουλος", "Иванова", "李", "佐藤", "Yoo", "Gonçalves", "Štěpánek"]
GIVEN = ["John", "Pengzhan", "Yifan", "Minjia", "Ravi", "Guoqing Harry", "Matthew D.", "José",
         "Åse", "Ömer", "Miloš", "Zoë", "Ingrid", "Hyun-Woo", "Νίκος", "Анна", "明", "Ana Luísa",
         "Thanh Hằng", "Chuck", "Shivaram", "François"]
ADJECTIVES = ["Efficient", "Scalable", "Elastic", "Adaptive", "Fault-Tolerant", "Low-Latency",
              "Memory-Efficient", "Heterogeneous", "Preemptible", "Decentralized", "Serverless",
              "Communication-Efficient", "Resilient", "Predictable", "Fine-Grained", "Robust",
              "Cost-Aware", "Energy-Efficient", "Privacy-Preserving", "Asynchronous",
              "Speculative", "Hierarchical", "Topology-Aware", "Dynamic", "Automated",
              "Practical", "Near-Optimal", "Lightweight", "Distributed", "Unified"]
NOUNS = ["Training", "Inference", "Serving", "Scheduling", "Pipelining", "Checkpointing",
         "Offloading", "Parallelism", "Compilation", "Caching", "Placement", "Batching",
         "Partitioning", "Sharding", "Quantization", "Pruning", "Aggregation", "Autoscaling",
         "Replication", "Prefetching", "Profiling", "Tuning", "Recovery", "Migration",
         "Compression", "Routing", "Preemption", "Allocation", "Synchronization", "Fusion"]
TOPICS = ["Large DNNs", "GPU Clusters", "Mixture-of-Experts Models", "Graph Neural Networks",
          "LLMs on Multi-GPU Servers", "Federated Learning", "Recommendation Models",
          "Transformers & CNNs", "Edge Devices", "3D Point Clouds", "λ-Calculus Workloads",
          "100% Utilisation", "Sparse_Tensors", "Spot Instances", "Data Centers",
          "Diffusion Models", "Vision Transformers", "Speech Recognition", "Knowledge Graphs",
          "Reinforcement Learning", "Embedding Tables", "Dataflow Graphs", "Serverless Functions",
          "Disaggregated Memory", "Programmable Switches", "Mobile SoCs", "Cross-Silo Clients",
          "Long-Context Attention", "Retrieval-Augmented Generation", "Sparse Attention"]
ACRONYMS = ["GPU", "DNN", "LLM", "MoE", "RDMA", "TPU", "CPU", "NVLink", "KV", "SLO"]
SYLLABLES = ["ba", "mo", "ra", "tel", "xi", "vo", "hy", "lun", "pe", "dra", "zen", "qu",
             "fi", "sto", "nex", "kai", "ori", "mu", "tra", "ze", "cor", "lin", "sa", "den",
             "gu", "wen", "pol", "ka", "ter", "shi"]
ORGS = ["Webank Fin tech", "USC", "Bytedance", "Université de Montréal", "ETH Zürich",
        "Tsinghua University", "Baidu", "OpenMined"]
NOTES = ["Title and authors from the proceedings page; the list's tag names the wrong year.",
         "Venue checked against the program; pages from the publisher's table of contents, "
         "which prints an en dash (497–513).",
         "The arXiv version (v3) revises the abstract; the peer-reviewed version is cited. "
         "Two mirrors agree on the author order, including the fifth author's initial.",
         "Also listed in another section of the list with a different repository link."]
CLASSES = ["cs.DC", "cs.LG", "cs.AR", "cs.OS", "cs.PF"]


class Synth:
    """One deterministic stream of entries; every name and title is unique."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.titles: set[str] = set()
        self.keys: set[str] = set()
        self.serial = 0

    def pick(self, items: list[str]) -> str:
        return self.rng.choice(items)

    def system_name(self) -> str:
        word = "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3)))
        style = self.rng.random()
        if style < 0.2:
            return word.upper()
        if style < 0.4:
            return word.capitalize() + self.pick(ACRONYMS)  # internal capitals: MoEtion
        return word.capitalize()

    def unique(self, make: Callable[[], str]) -> str:
        """A title no other entry has (`oflbib check` flags duplicates)."""
        while True:
            title = make()
            if norm_title(title) not in self.titles:
                self.titles.add(norm_title(title))
                return title

    def title(self) -> tuple[str, list[str]]:
        def make() -> str:
            words = [self.pick(ADJECTIVES), self.pick(NOUNS), "of", self.pick(TOPICS)]
            if self.rng.random() < 0.5:
                words += ["with", self.pick(ACRONYMS), self.pick(["Kernels", "Offload",
                                                                   "Partitioning"])]
            return f"{self.system_name()}: {' '.join(words)}"

        title = self.unique(make)
        return title, [w for w in ACRONYMS if f" {w} " in f" {title} "][:2]

    def name(self, common: list[str], share: float) -> str:
        """A name from the list (its scripts and accents), else a made-up Latin one, so
        distinct names grow with the catalog as they do in real bibliographies."""
        if self.rng.random() < share:
            return self.pick(common)
        word = "".join(self.pick(SYLLABLES) for _ in range(self.rng.randint(2, 4)))
        if self.rng.random() < 0.3:
            word = word.replace("a", "á", 1).replace("o", "ö", 1).replace("c", "č", 1)
        return word.capitalize()

    def authors(self) -> list[Person]:
        count = min(12, 1 + int(self.rng.expovariate(1 / 4)))
        return [Person(family=self.name(FAMILY, 0.5), given=self.name(GIVEN, 0.7))
                for _ in range(count)]

    def url(self, name: str) -> str:
        self.serial += 1
        return f"https://github.com/MachineLearningSystem/{name.lower()}-{self.serial}"

    def key(self, entry: Entry) -> str:
        key = keys.unique_key(keys.base_key(entry), self.keys)
        self.keys.add(key)
        return key

    def paper(self) -> tuple[Entry, Seed]:
        title, protect = self.title()
        roll = self.rng.random()
        year = self.rng.randint(2017, 2024)
        entry = Entry(key="", kind="paper", title=title, protect=protect,
                      authors=self.authors(), year=year)
        if roll < 0.55:
            entry.venue = self.pick([v.id for v in VENUES.values() if v.category == CONFERENCE])
            first = self.rng.randint(1, 900)
            entry.pages = f"{first}--{first + self.rng.randint(8, 20)}"
            if self.rng.random() < 0.6:
                entry.doi = f"10.1145/{3500000 + self.serial}.{self.rng.randint(1000, 9999)}"
        elif roll < 0.7:
            entry.venue = self.pick([v.id for v in VENUES.values() if v.category == JOURNAL])
            entry.volume, entry.number = str(self.rng.randint(1, 40)), str(self.rng.randint(1, 12))
            first = self.rng.randint(1, 3000)
            entry.pages = f"{first}--{first + self.rng.randint(10, 30)}"
            entry.doi = f"10.1109/TPDS.{year}.{self.serial:07d}"
        elif roll < 0.92:
            entry.venue = "arXiv"
        else:  # a workshop paper: no venue of the table, its own container
            entry.entry_type = "misc"
            entry.container = f"Workshop on {self.pick(NOUNS)} for {self.pick(TOPICS)}"
        if entry.venue == "arXiv" or self.rng.random() < 0.4:
            month = self.rng.randint(1, 12)
            entry.arxiv = f"{year % 100:02d}{month:02d}.{self.serial % 100000:05d}"
            entry.arxiv_class = self.pick(CLASSES)
        entry.urls = [self.url(title.split(":")[0])]
        entry.key = self.key(entry)
        entry.provenance = self.provenance(entry)
        if self.rng.random() < 0.25:
            entry.notes = self.pick(NOTES)
        tag = (f"arXiv preprint arXiv:{entry.arxiv}" if entry.venue == "arXiv"
               else format_venue_tag(entry.venue, entry.year) or None)
        listed = title
        for word in protect:
            listed = listed.replace(f" {word} ", f" {{{word}}} ", 1)
        return entry, Seed(title=listed, venue=tag, urls=list(entry.urls))

    def provenance(self, entry: Entry) -> dict[str, Provenance]:
        page = (f"https://doi.org/{entry.doi}" if entry.doi else
                f"https://arxiv.org/abs/{entry.arxiv}" if entry.arxiv else
                f"https://proceedings.example.org/{entry.key}")
        date = f"2026-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
        via = self.pick(["manual", "crossref", "arxiv"])
        facts = ["title", "authors", "venue", "year", "pages", "doi", "arxiv"]
        return {fact: Provenance(source=page, via=via, retrieved=date)
                for fact in facts if fact in ("title", "authors", "venue", "year")
                or getattr(entry, fact)}

    def software(self) -> tuple[Entry, Seed]:
        name = self.unique(self.system_name)
        organisation = self.pick(ORGS)
        urls = [self.url(name) for _ in range(self.rng.randint(1, 2))]
        entry = Entry(key="", kind="software", title=name, organisation=organisation, urls=urls)
        entry.key = self.key(entry)
        return entry, Seed(title=name, urls=list(urls), organisation=organisation)

    def awesome_list(self) -> tuple[Entry, Seed]:
        title = self.unique(lambda: f"Awesome {self.system_name()} {self.pick(NOUNS)}")
        entry = Entry(key="", kind="list", title=title, urls=[self.url("awesome")])
        entry.key = self.key(entry)
        return entry, Seed(title=title, urls=list(entry.urls))


def synthetic_catalog(size: int, seed: int = SEED) -> Catalog:
    """A valid catalog of `size` entries (plus about 3% `see:` listings)."""
    synth = Synth(seed)
    catalog = Catalog(title="Synthetic OpenFederatedLearning",
                      blocks=[Block(prose="A synthetic list for oflbib's benchmarks.")])
    counts = [max(1, round(size * share)) for _, share in SECTIONS]
    counts[1] += size - sum(counts)  # rounding goes to Training
    for (name, _), count in zip(SECTIONS, counts):
        section = Section(name=name, file=f"{slug(name)}.yaml",
                          heading=None if name == "Frameworks" else name)
        for _ in range(count):
            roll = synth.rng.random()
            if name == "Frameworks":
                entry, seed_text = synth.software()
            elif name == "Misc" and roll < 0.3:
                entry, seed_text = synth.awesome_list()
            else:
                entry, seed_text = synth.paper()
            catalog.entries[entry.key] = entry
            section.listings.append(Listing(entry.key, seed_text, home=True))
        catalog.sections.append(section)
        if name == "Training":
            catalog.blocks.append(Block(heading="Papers", level=2))
        catalog.blocks.append(Block(section=name, heading=section.heading,
                                    level=2 if name == "Frameworks" else 3))
    papers = [lst for s in catalog.sections[1:] for lst in s.listings
              if catalog.entries[lst.key].kind == "paper"]
    listed = {s.name: {lst.key for lst in s.listings} for s in catalog.sections}
    for listing in synth.rng.sample(papers, len(papers) // 33):
        elsewhere = synth.rng.choice(catalog.sections[1:])
        if listing.key not in listed[elsewhere.name]:
            listed[elsewhere.name].add(listing.key)
            elsewhere.listings.append(Listing(listing.key, listing.seed, home=False))
    catalog.refresh_sections()
    return catalog


def write(size: int, out: Path) -> Path:
    """OUT/catalog/ and OUT/list.md for `size` entries; returns OUT."""
    catalog = synthetic_catalog(size)
    save_catalog(catalog, out / "catalog")
    (out / "list.md").write_text(render(catalog, "markdown"), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("entries", type=int, help="number of entries, e.g. 1000")
    parser.add_argument("out", type=Path, help="folder to write (catalog/ and list.md)")
    args = parser.parse_args(argv)
    write(args.entries, args.out)
    print(f"wrote {args.entries} entries to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
