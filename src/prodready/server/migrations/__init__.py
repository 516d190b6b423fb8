"""Alembic migrations, shipped inside the package so ``prodready db upgrade``
works from an installed wheel (no alembic.ini, no source checkout)."""
