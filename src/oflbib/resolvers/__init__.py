"""Resolvers: enrich catalog entries from Crossref, dblp and arXiv (`registry.SOURCES`).

`registry` builds the sources (the HTTP libraries are imported only when a request is made),
`engine` plans identifier lookups and title searches, batches them, runs the sources side by
side through the response cache, and `matching` decides which record is the entry's;
`apply` merges the decided records into entries without clobbering anything.
"""
