"""Pure core packages: no Flask, no SQLAlchemy, plain data in and out."""
