"""Importers turn outside material (an awesome-list in Markdown, a .bib file) into the model."""
