"""The one venue table: every venue tag of the list -> its canonical record.

Importers parse tags (`NSDI'23`, `NeurIPS '22`, `arXiv preprint arXiv:2103.13262`) with
`parse_venue_tag`; exporters ask `venue_for(entry)` for the proceedings or journal name,
entry type and publisher. Per-year names and publishers come from the proceedings' own
pages (see `Edition.source`); where a year is not in the table the series name is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CONFERENCE = "conference"
JOURNAL = "journal"
PREPRINT = "preprint"


@dataclass(frozen=True)
class Edition:
    """One year of a venue as its proceedings print it."""

    name: str
    publisher: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Venue:
    id: str
    short: str
    name: str
    kind: str
    publisher: str | None
    aliases: tuple[str, ...] = ()
    editions: dict[int, Edition] = field(default_factory=dict)

    def container(self, year: int | None) -> str:
        """Full proceedings/journal name for that year (series name if the year is unknown)."""
        edition = self.editions.get(year) if year else None
        return edition.name if edition else self.name

    def publisher_for(self, year: int | None) -> str | None:
        edition = self.editions.get(year) if year else None
        if edition and edition.publisher:
            return edition.publisher
        return self.publisher


_USENIX = "USENIX Association"
_ACM = "ACM"
_IEEE = "IEEE"

VENUES: dict[str, Venue] = {
    v.id: v
    for v in [
        Venue("NSDI", "NSDI", "USENIX Symposium on Networked Systems Design and Implementation",
              CONFERENCE, _USENIX),
        Venue("OSDI", "OSDI", "USENIX Symposium on Operating Systems Design and Implementation",
              CONFERENCE, _USENIX),
        Venue("ATC", "USENIX ATC", "USENIX Annual Technical Conference", CONFERENCE, _USENIX,
              aliases=("USENIX ATC", "USENIXATC")),
        Venue("FAST", "FAST", "USENIX Conference on File and Storage Technologies",
              CONFERENCE, _USENIX),
        Venue("SOSP", "SOSP", "ACM Symposium on Operating Systems Principles", CONFERENCE, _ACM),
        Venue("ASPLOS", "ASPLOS", "ACM International Conference on Architectural Support for "
              "Programming Languages and Operating Systems", CONFERENCE, _ACM),
        Venue("EuroSys", "EuroSys", "European Conference on Computer Systems", CONFERENCE, _ACM),
        Venue("SIGCOMM", "SIGCOMM", "ACM SIGCOMM Conference", CONFERENCE, _ACM),
        Venue("PPoPP", "PPoPP", "ACM SIGPLAN Symposium on Principles and Practice of Parallel "
              "Programming", CONFERENCE, _ACM),
        Venue("SoCC", "SoCC", "ACM Symposium on Cloud Computing", CONFERENCE, _ACM),
        Venue("SIGMETRICS", "SIGMETRICS", "Proceedings of the ACM on Measurement and Analysis of "
              "Computing Systems", JOURNAL, _ACM),
        Venue("HPCA", "HPCA", "IEEE International Symposium on High-Performance Computer "
              "Architecture", CONFERENCE, _IEEE),
        Venue("SC", "SC", "International Conference for High Performance Computing, Networking, "
              "Storage and Analysis", CONFERENCE, None),
        Venue("VLDB", "VLDB", "Proceedings of the VLDB Endowment", JOURNAL, "VLDB Endowment",
              aliases=("PVLDB",)),
        Venue("TC", "IEEE TC", "IEEE Transactions on Computers", JOURNAL, _IEEE),
        Venue("TPDS", "IEEE TPDS", "IEEE Transactions on Parallel and Distributed Systems",
              JOURNAL, _IEEE),
        Venue("NeurIPS", "NeurIPS", "Advances in Neural Information Processing Systems",
              CONFERENCE, "Curran Associates, Inc.", aliases=("NIPS",)),
        Venue("ICML", "ICML", "International Conference on Machine Learning", CONFERENCE, "PMLR"),
        Venue("ICLR", "ICLR", "International Conference on Learning Representations",
              CONFERENCE, "OpenReview.net"),
        Venue("MLSys", "MLSys", "Proceedings of Machine Learning and Systems", CONFERENCE,
              "mlsys.org"),
        Venue("ICPP", "ICPP", "International Conference on Parallel Processing", CONFERENCE,
              _ACM),
        Venue("ACL-Findings", "Findings of ACL", "Findings of the Association for Computational "
              "Linguistics", CONFERENCE, "Association for Computational Linguistics"),
        Venue("arXiv", "arXiv", "arXiv", PREPRINT, "arXiv"),
    ]
}

# Per-year proceedings names as the pages named in `source` print them.
_EDITIONS: dict[str, dict[int, Edition]] = {
    'NSDI': {
        2017: Edition('Proceedings of the 14th USENIX Conference on Networked Systems Design and Implementation',
              None, 'https://www.aminer.org/pub/58d82fcbd649053542fd6777/clipper-a-low-latency-online-prediction-serving-system'),
        2019: Edition('16th USENIX Symposium on Networked Systems Design and Implementation, NSDI 2019',
              None, 'https://researchr.org/publication/GuCSZJQLG19'),
        2022: Edition('19th USENIX Symposium on Networked Systems Design and Implementation, NSDI 2022',
              None, 'https://pure.psu.edu/en/publications/cocktail-a-multidimensional-optimization-for-model-serving-in-cloud'),
        2023: Edition('20th USENIX Symposium on Networked Systems Design and Implementation (NSDI 23)',
              None, 'https://www.usenix.org/conference/nsdi23/presentation/you'),
    },
    'OSDI': {
        2020: Edition('14th USENIX Symposium on Operating Systems Design and Implementation (OSDI 20)',
              None, 'https://www.usenix.org/conference/osdi20/presentation/mai'),
        2021: Edition('15th USENIX Symposium on Operating Systems Design and Implementation, OSDI 2021',
              None, 'https://researchr.org/publication/QiaoCSNH0GX21'),
        2022: Edition('16th USENIX Symposium on Operating Systems Design and Implementation (OSDI 22)',
              None, 'https://research.google/pubs/pub51623/'),
    },
    'ATC': {
        2019: Edition('2019 USENIX Annual Technical Conference (USENIX ATC 19)',
              None, 'https://www.usenix.org/frontpage?page=1245'),
        2021: Edition('Proceedings of the 2021 USENIX Annual Technical Conference',
              None, 'https://aminer.cn/pub/6114d0336750f87a88a5b467'),
        2022: Edition('Proceedings of the 2022 USENIX Annual Technical Conference',
              None, 'https://zbook.org/read/ca4f0d_dvabatch-diversity-aware-multi-entry-multi-exit-batching-for.html'),
        2023: Edition('2023 USENIX Annual Technical Conference (USENIX ATC 23)',
              None, 'https://www.usenix.org/conference/atc23/presentation/wangyuke'),
    },
    'ASPLOS': {
        2022: Edition('Proceedings of the 27th ACM International Conference on Architectural Support for Programming Languages and Operating Systems',
              None, 'https://api.openalex.org/works/doi:10.1145%2F3503222.3507778'),
        2023: Edition('Proceedings of the 28th ACM International Conference on Architectural Support for Programming Languages and Operating Systems',
              None, 'https://ziolee.xyz/publication/spada'),
        2024: Edition('Proceedings of the 29th ACM International Conference on Architectural Support for Programming Languages and Operating Systems',
              None, 'https://api.openalex.org/works/doi:10.1145%2F3620665.3640399'),
    },
    'EuroSys': {
        2022: Edition('Proceedings of the 17th European Conference on Computer Systems',
              None, 'https://scholarworks.bwise.kr/hanyang/handle/2021.sw.hanyang/138969'),
        2023: Edition('Proceedings of the Eighteenth European Conference on Computer Systems',
              None, 'https://www.aminer.org/pub/64634f5fd68f896efaba1473'),
    },
    'HPCA': {
        2022: Edition('Proceedings of the 28th IEEE International Symposium on High Performance Computer Architecture (HPCA)',
              None, 'https://baolin-li.netlify.app/publication/supercloud'),
        2023: Edition('2023 IEEE International Symposium on High-Performance Computer Architecture (HPCA)',
              None, 'https://api.openalex.org/works/doi:10.1109/HPCA56546.2023.10071077'),
    },
    'ICML': {
        2023: Edition('Proceedings of the 40th International Conference on Machine Learning',
              None, 'https://githubissues.com/yandex-research/swarm/readme'),
    },
    'ICPP': {
        2023: Edition('Proceedings of the 52nd International Conference on Parallel Processing',
              None, 'https://awesome-llm-papers.github.io/publications/li2023colossal'),
    },
    'MLSys': {
        2021: Edition('Proceedings of Machine Learning and Systems 3 (MLSys 2021)',
              None, 'https://proceedings.mlsys.org/paper_files/paper/2021/hash/c0987e6b6da2428e8cd43efa74790ccb-Abstract.html'),
        2022: Edition('Proceedings of Machine Learning and Systems 4 (MLSys 2022)',
              None, 'https://proceedings.mlsys.org/paper_files/paper/2022/hash/676638b91bc90529e09b22e58abb01d6-Abstract.html'),
        2023: Edition('Proceedings of Machine Learning and Systems 5 (MLSys 2023)',
              None, 'https://proceedings.mlsys.org/paper_files/paper/2023/hash/5a54f79333768effe7e8927bcccffe40-Abstract-mlsys2023.html'),
    },
    'NeurIPS': {
        2021: Edition('Advances in Neural Information Processing Systems 34 (NeurIPS 2021)',
              None, 'https://papers.nips.cc/paper/2021/hash/d01eeca8b24321cd2fe89dd85b9beb51-Abstract.html'),
        2022: Edition('Advances in Neural Information Processing Systems 35 (NeurIPS 2022)',
              None, 'http://papers.nips.cc/paper_files/paper/2022/hash/2b4bfa1cebe78d125fefd7ea6ffcfc6d-Abstract-Conference.html'),
    },
    'SC': {
        2020: Edition('SC20: International Conference for High Performance Computing, Networking, Storage and Analysis',
              None, 'https://sc20.supercomputing.org/proceedings/tech_paper/tech_paper_pages/pap493.html'),
        2021: Edition('Proceedings of the International Conference for High Performance Computing, Networking, Storage and Analysis',
              'ACM', 'https://awesomes.directory/MachineLearningSystem/Chimera'),
        2022: Edition('SC22: International Conference for High Performance Computing, Networking, Storage and Analysis',
              'IEEE Computer Society', 'https://research.buaa.edu.cn/en/publications/cognn-efficient-scheduling-for-concurrent-gnn-training-on-gpus'),
    },
    'SIGCOMM': {
        2021: Edition('Proceedings of the ACM SIGCOMM 2021 Conference',
              None, 'https://www.mendeley.com/catalogue/71d96db7-50d2-32c4-9f3c-9a178769c2ff/'),
        2022: Edition('Proceedings of the ACM SIGCOMM 2022 Conference',
              None, 'https://www.aminer.cn/pub/630dc85890e50fcafddeda20'),
    },
    'SOSP': {
        2019: Edition('Proceedings of the 27th ACM Symposium on Operating Systems Principles',
              None, 'https://api.openalex.org/works/doi:10.1145%2F3341301.3359646'),
        2021: Edition('Proceedings of the ACM SIGOPS 28th Symposium on Operating Systems Principles',
              None, 'https://hgpu.org/?p=25798'),
    },
    'SoCC': {
        2020: Edition('Proceedings of the 2020 ACM Symposium on Cloud Computing',
              None, 'https://experts.illinois.edu/en/publications/baechi-fast-device-placement-of-machine-learning-graphs'),
        2022: Edition('Proceedings of the 13th Symposium on Cloud Computing',
              None, 'https://api.openalex.org/works/doi:10.1145%2F3542929.3563510'),
    },
    'ACL-Findings': {
        2023: Edition('Findings of the Association for Computational Linguistics: ACL 2023',
              None, 'https://aclanthology.org/2023.findings-acl.580'),
    },
}
for _id, _editions in _EDITIONS.items():
    VENUES[_id].editions.update(_editions)

_BY_ALIAS: dict[str, Venue] = {}
for _venue in VENUES.values():
    for _name in (_venue.id, _venue.short, *_venue.aliases):
        _BY_ALIAS[re.sub(r"[^a-z]", "", _name.lower())] = _venue


def lookup_venue(name: str) -> Venue | None:
    """The venue record for a tag's name part, in any spelling (`Eurosys`, `PPOPP`, `MLSYS`)."""
    return _BY_ALIAS.get(re.sub(r"[^a-z]", "", name.lower()))


@dataclass(frozen=True)
class VenueTag:
    """What a list's venue tag says: a venue, maybe a year, maybe an arXiv id."""

    venue: str | None
    year: int | None = None
    arxiv: str | None = None


_TAG = re.compile(r"^(?P<name>[A-Za-z][A-Za-z -]*?)\s*['\u2019]\s*(?P<yy>\d{2})$")
_ARXIV_TAG = re.compile(r"^arxiv(?:\s+preprint)?(?:\s+arxiv:\s*(?P<id>\d{4}\.\d{4,5}))?$", re.I)


def arxiv_year(arxiv_id: str) -> int | None:
    """The year a new-style arXiv id was submitted (`2103.13262` -> 2021)."""
    match = re.match(r"^(\d{2})(\d{2})\.\d{4,5}", arxiv_id)
    return 2000 + int(match.group(1)) if match else None


def parse_venue_tag(tag: str) -> VenueTag | None:
    """Parse a list's venue tag; None when the tag names no venue we know."""
    tag = " ".join(tag.split())
    arxiv_match = _ARXIV_TAG.match(tag)
    if arxiv_match:
        arxiv_id = arxiv_match.group("id")
        return VenueTag("arXiv", arxiv_year(arxiv_id) if arxiv_id else None, arxiv_id)
    match = _TAG.match(tag)
    if not match:
        return None
    venue = lookup_venue(match.group("name"))
    if venue is None:
        return None
    return VenueTag(venue.id, 2000 + int(match.group("yy")))


def format_venue_tag(venue: str | None, year: int | None) -> str:
    """The list's own tag style (`NSDI'23`) for a venue id and year; inverse of parse."""
    if not venue:
        return ""
    record = VENUES.get(venue)
    short = record.id if record else venue
    if record and record.kind == PREPRINT:
        return "arXiv"
    return f"{short}'{year % 100:02d}" if year else short
