"""The seeded catalogue every sandbox peer loads (`generator`), with its schema, vocabulary, product
generator and images."""

from unopim_desktop.sandbox.catalogue.generator import Catalogue, generate_catalogue

__all__ = ["Catalogue", "generate_catalogue"]
