"""The Docker Engine API (v1.41 subset): decode, translate, delegate, encode."""
