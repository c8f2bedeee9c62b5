"""oflbib: turn a curated reading list into a bibliography people can trust.

Data flows one way: importers -> catalog -> resolvers -> catalog -> exporters.
"""

__version__ = "0.1.0"
