"""studytool: terminal flashcards, quizzes and PyTorch demos for deep-learning basics."""

__version__ = "0.1.0"
