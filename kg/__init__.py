"""kg: a knowledge-graph builder for Chinese high-tech-zone news."""

__version__ = "0.1.0"
