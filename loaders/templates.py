"""The empty register templates shipped in the package, copied out to where a user fills them in.

A wheel puts them inside site-packages, where nobody should edit files; `aimstrace templates
DIR` is how someone who installed the package gets them. The YAML template is all comments (worked
examples), so it is written as `NAME.yaml.example`: a folder load skips it until the user renames
it, where an empty YAML document would stop the load of the CSVs filled in beside it.
"""

from __future__ import annotations

from pathlib import Path

from aimstrace.ontology import data_path


def template_names() -> list[str]:
    """The file names of the shipped templates, sorted."""
    return sorted(entry.name for entry in data_path("templates").iterdir() if entry.is_file())


def written_name(name: str) -> str:
    """The name a template is written under: commented YAML examples get `.example` appended."""
    return f"{name}.example" if name.endswith((".yaml", ".yml")) else name


def write_templates(folder: Path) -> list[Path]:
    """Copy every template into FOLDER (created if missing); nothing is written if one exists."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder}: not a folder, so the templates cannot go there")
    names = template_names()
    present = [written_name(n) for n in names if (folder / written_name(n)).exists()]
    if present:
        # All or nothing: a half-written set of templates next to the user's own would be
        # hard to tell apart from theirs.
        raise FileExistsError(
            f"{folder}: would overwrite {', '.join(present)}; nothing was written "
            "(choose an empty folder or move those files)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    source = data_path("templates")
    written = []
    for name in names:
        target = folder / written_name(name)
        target.write_bytes(source.joinpath(name).read_bytes())
        written.append(target)
    return written
