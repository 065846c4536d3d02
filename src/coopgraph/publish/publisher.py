"""Who publishes a release and whom to contact: from the command line, or from a setting.

`publisher_settings(folder)` reads `coopgraph.toml` in `folder` (keys `publisher` and
`contact` at the top, or in a `[publish]` table), else the `[tool.coopgraph]` table of
`folder/pyproject.toml`; the command line's `--publisher` and `--contact` win over both.
`Publisher` checks what it is given: a name that is not empty, a contact that is an e-mail
address (written into the catalogue as `mailto:`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from coopgraph.errors import CoopgraphError

SETTINGS_FILE = "coopgraph.toml"
PYPROJECT = "pyproject.toml"
_EMAIL = re.compile(r"[^@\s<>\"'(),;:\\\[\]]+@[^@\s<>\"'(),;:\\\[\]]+\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class Publisher:
    name: str
    email: str | None = None
    origin: str = "the default"  # where the values were read (for messages)

    @property
    def mailto(self) -> str | None:
        return f"mailto:{self.email}" if self.email else None


def checked_publisher(
    name: str | None, email: str | None, origin: str
) -> tuple[str | None, str | None]:
    """`name` and `email` stripped, or an error naming `origin` (an option or a file)."""
    if name is not None and not name.strip():
        raise CoopgraphError(
            f"{origin}: the publisher's name is empty", hint="give a name, e.g. --publisher 'UNODC'"
        )
    if email is not None:
        email = email.strip()
        if email.lower().startswith("mailto:"):
            email = email[len("mailto:") :]
        if not _EMAIL.fullmatch(email):
            raise CoopgraphError(
                f"{origin}: {email!r} is not an e-mail address",
                hint="give the address to write to, e.g. --contact data@example.org",
            )
    return (name.strip() if name is not None else None), email


def publisher_settings(folder: Path) -> tuple[str | None, str | None, str | None]:
    """(publisher, contact, the file they were read from) from `folder`'s coopgraph.toml,
    else its pyproject.toml's [tool.coopgraph]; (None, None, None) when neither sets them."""
    for path, table in (
        (folder / SETTINGS_FILE, None),
        (folder / PYPROJECT, ("tool", "coopgraph")),
    ):
        if not path.is_file():
            continue
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise CoopgraphError(f"{path}: cannot read the settings ({error})") from error
        except tomllib.TOMLDecodeError as error:
            raise CoopgraphError(
                f"{path}: not valid TOML ({error})", hint="fix the file or remove it"
            ) from error
        settings: object = document
        if table is None:
            settings = document.get("publish", document)
        else:
            for key in table:
                settings = settings.get(key, {}) if isinstance(settings, dict) else {}
        if not isinstance(settings, dict):
            continue
        values = []
        for key in ("publisher", "contact"):
            value = settings.get(key)
            if value is not None and not isinstance(value, str):
                raise CoopgraphError(
                    f"{path}: {key!r} must be a text", hint=f'write e.g. {key} = "..."'
                )
            values.append(value)
        if any(value is not None for value in values):
            name, email = checked_publisher(values[0], values[1], str(path))
            return name, email, str(path)
    return None, None, None
