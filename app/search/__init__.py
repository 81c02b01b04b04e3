"""Search (检索): the character-bigram index of cases (numbers, names, items, letters)."""
