"""The resource views: a table per kind of object, drawn cell by cell."""
