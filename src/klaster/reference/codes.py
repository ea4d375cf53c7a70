"""OKED code notation (plain Python, no Django): with dots for people, without for storage."""

from __future__ import annotations


def normalize_oked(code: str) -> str:
    """"10.51.1" → "10511"; strips dots and spaces; sections upper-cased."""
    return str(code).replace(".", "").replace(" ", "").strip().upper()


def display_oked(code: str) -> str:
    """"10511" → "10.51.1"; "0111" → "01.11"; "011" → "01.1"; sections and divisions unchanged."""
    if not code.isdigit() or len(code) <= 2:
        return code
    if len(code) == 3:
        return f"{code[:2]}.{code[2]}"
    if len(code) == 4:
        return f"{code[:2]}.{code[2:]}"
    return f"{code[:2]}.{code[2:4]}.{code[4:]}"
