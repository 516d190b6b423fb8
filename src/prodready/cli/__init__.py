"""Thin Typer commands: parse arguments, call a part, print. No logic lives here."""
