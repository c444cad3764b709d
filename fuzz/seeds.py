#!/usr/bin/env python3
"""Writes the committed seeds of the format fuzz targets from the real files in tests/data.

    python3 -m venv /tmp/seeds && /tmp/seeds/bin/pip install pypdf
    /tmp/seeds/bin/python fuzz/seeds.py

Every seed is a real file or cut from one (never written by hand). Real files used as they are
stay where they are (give their folders to the fuzzer as extra seed directories, fuzz/README.md);
this writes only what is cut from them:
- html_read: a DocBook book's pages (from the Spanish Project History EPUB) as one input,
  NUL-separated, each piece's first line its name;
- epub_package: the text entries of the Project History EPUB as named pieces (its image left out);
- pdf_read: one or two pages cut from each real PDF with pypdf, once as cut (compressed
  streams) and once with the content streams uncompressed, so that mutations reach the text
  operators and the layout rather than the deflate checksum.
"""

import io
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests/data/corpora"
OUT = ROOT / "fuzz/corpus"


def write(target: str, name: str, data: bytes) -> None:
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)
    print(f"{target}/{name}: {len(data):,} bytes")


def pieces(entries: list[tuple[str, bytes]]) -> bytes:
    return b"\0".join(name.encode() + b"\n" + body for name, body in entries)


def html() -> None:
    epub = zipfile.ZipFile(DATA / "es/formats/project-history/project-history.es.epub")
    pages = ["index.html", "bk01-toc.html", "ch01.html", "ch02.html", "apa.html"]
    write("html_read", "project-history-es-book",
          pieces([(p, epub.read("OEBPS/" + p)) for p in pages]))


def epub() -> None:
    z = zipfile.ZipFile(DATA / "es/formats/project-history/project-history.es.epub")
    entries = [(i.filename, z.read(i)) for i in z.infolist()
               if not i.is_dir() and not i.filename.endswith(".png")]
    # The mimetype first, as in the book.
    entries.sort(key=lambda e: e[0] != "mimetype")
    write("epub_package", "project-history-es", pieces(entries))


def pdf() -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    cuts = {
        "fhs-3.0": (DATA / "shapes-real/fhs-3.0.pdf", [9]),
        "debian-faq": (DATA / "shapes-real/debian-faq.pdf", [12]),
        "maint-guide": (DATA / "shapes-real/maint-guide.pdf", [8, 9]),
        "policy": (DATA / "formats/policy/policy.pdf", [20]),
        "maint-guide-es": (DATA / "es/formats/maint-guide/maint-guide.es.pdf", [10]),
    }
    for name, (path, pages) in cuts.items():
        reader = PdfReader(path)
        for plain in (False, True):
            writer = PdfWriter()
            for p in pages:
                page = writer.add_page(reader.pages[p])
                # The embedded font programs: most of a page's bytes, and never read by cabildo
                # (it takes widths from /Widths and text from /ToUnicode).
                for font in page["/Resources"].get("/Font", {}).values():
                    font = font.get_object()
                    for f in [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]:
                        desc = f.get("/FontDescriptor")
                        if desc is not None:
                            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                                desc.get_object().pop(NameObject(key), None)
                if plain:
                    stream = DecodedStreamObject()
                    stream.set_data(page.get_contents().get_data())
                    page[NameObject("/Contents")] = writer._add_object(stream)
            writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
            buf = io.BytesIO()
            writer.write(buf)
            write("pdf_read", f"{name}{'-plain' if plain else ''}.pdf", buf.getvalue())

html()
epub()
pdf()
