"""Exchange with the outside: study notes to draft decks, Anki packages, CSV/TSV files."""
