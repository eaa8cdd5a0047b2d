"""Layer 1: the deck format, its loader and validator, and content discovery."""
