"""Glossaries written: TSV and CSV tables (``id type en fr vi [dnt] note``, readable
back), TBX-Basic v2 and JSON; :func:`save` writes a file whole or not at all."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr as _quoteattr

from ..errors import GlossaryError
from ..formats.xmlchars import xml_text
from ..fsutil import atomic_write
from .model import Entry, Glossary
from .rules import same_everywhere





def _ordered_languages(glossary: Glossary) -> list[str]:
    found = glossary.languages()
    first = [lang for lang in ("en", "fr", "vi") if lang in found]
    return first + sorted(found - set(first))



def _select(glossary: Glossary, langs: list[str] | None):
    langs = langs or _ordered_languages(glossary)
    entries = [e for e in glossary.entries if any(lang in e.terms for lang in langs)]
    return langs, entries



def _auto_dnt(entry: Entry, langs: list[str]) -> bool:
    return same_everywhere({lang: entry.terms[lang] for lang in langs if lang in entry.terms})



def _table(glossary: Glossary, langs: list[str] | None):
    langs, entries = _select(glossary, langs)
    with_dnt = any(e.dnt != _auto_dnt(e, langs) for e in entries)
    header = ["id", "type", *langs, *(["dnt"] if with_dnt else []), "note"]
    rows = []
    for e in entries:
        row = [e.id, e.type, *(" | ".join(e.terms.get(lang, ())) for lang in langs)]
        if with_dnt:
            row.append("true" if e.dnt else "false")
        row.append(" ".join(e.note.split()))
        rows.append(row)
    return header, rows



def write_tsv(glossary: Glossary, langs: list[str] | None = None) -> str:
    """The glossary as a multi-language TSV (``id type en fr vi [dnt] note``), readable back."""
    header, rows = _table(glossary, langs)
    lines = [f"# {glossary.name}: {len(rows)} entries", "\t".join(header)]
    lines += ["\t".join(row) for row in rows]
    return "\n".join(lines) + "\n"



def write_csv(glossary: Glossary, langs: list[str] | None = None) -> str:
    header, rows = _table(glossary, langs)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()



def _esc(text: str) -> str:
    """Text for TBX: escaped, without the characters XML 1.0 forbids (nothing of a valid
    glossary is lost: terms cannot hold them; a note or id could)."""
    return escape(xml_text(text))



def quoteattr(text: str) -> str:
    return _quoteattr(xml_text(text))



def write_tbx(glossary: Glossary, langs: list[str] | None = None) -> str:
    """TBX-Basic (v2, ``martif``): one ``termEntry`` per entry, the preferred term marked."""
    langs, entries = _select(glossary, langs)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
           '<martif type="TBX-Basic" xml:lang="en">\n'
           '  <martifHeader>\n'
           '    <fileDesc>\n'
           f'      <sourceDesc><p>{_esc(glossary.name)}: {len(entries)} entries</p></sourceDesc>\n'
           '    </fileDesc>\n'
           '    <encodingDesc><p type="XCSURI">TBXBasicXCSV02.xcs</p></encodingDesc>\n'
           '  </martifHeader>\n'
           '  <text>\n'
           '    <body>\n']
    for entry in entries:
        out.append(f'      <termEntry id={quoteattr(entry.id)}>\n'
                   f'        <descrip type="subjectField">{_esc(entry.type)}</descrip>\n')
        if entry.dnt != _auto_dnt(entry, langs):
            out.append(f'        <admin type="doNotTranslate">{str(entry.dnt).lower()}</admin>\n')
        if entry.note:
            out.append(f'        <note>{_esc(entry.note)}</note>\n')
        for lang in langs:
            forms = entry.terms.get(lang)
            if not forms:
                continue
            out.append(f'        <langSet xml:lang="{lang}">\n')
            for rank, form in enumerate(forms):
                status = "preferredTerm" if rank == 0 else "admittedTerm"
                out.append(f'          <tig>\n'
                           f'            <term>{_esc(form)}</term>\n'
                           f'            <termNote type="normativeAuthorization">{status}</termNote>\n'
                           f'          </tig>\n')
            out.append('        </langSet>\n')
        out.append('      </termEntry>\n')
    out.append('    </body>\n  </text>\n</martif>\n')
    return "".join(out)



def write_json(glossary: Glossary, langs: list[str] | None = None) -> str:
    langs, entries = _select(glossary, langs)
    items = []
    for entry in entries:
        item = entry.to_dict()
        item["terms"] = {lang: list(entry.terms[lang]) for lang in langs if lang in entry.terms}
        items.append(item)
    return json.dumps({"name": glossary.name, "languages": langs, "entries": items},
                      ensure_ascii=False, indent=2) + "\n"






def dumps(glossary: Glossary, fmt: str = "tsv", langs: list[str] | None = None) -> str:
    """The glossary in ``fmt`` (tsv, csv, tbx, json), optionally restricted to ``langs``."""
    from ..formats import registry

    if fmt not in registry.names("glossary"):
        raise GlossaryError(f"unknown glossary format {fmt!r} "
                            f"(one of {', '.join(registry.names('glossary'))})")
    return registry.FORMATS[fmt].write("glossary", glossary, langs)



def format_for(path: str | os.PathLike, default: str = "tsv") -> str:
    ext = Path(path).suffix.lower().lstrip(".")
    from ..formats import registry

    by_extension = {registry.FORMATS[name].extension: name for name in registry.names("glossary")}
    return by_extension.get(ext, default)



def save(glossary: Glossary, path: str | os.PathLike, fmt: str | None = None,
         langs: list[str] | None = None) -> Path:
    """Write atomically (a temporary file renamed over ``path``)."""
    path = Path(path)
    text = dumps(glossary, fmt or format_for(path), langs)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, text)
