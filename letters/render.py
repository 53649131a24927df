"""A letter as a PDF, drawn with fpdf2.

fpdf2 is already the project's PDF writer (the subject access cover) and is
pure Python: no system libraries to install or patch, unlike WeasyPrint's
Pango and Cairo (docs/letters.md). Text is set in DejaVu Sans, a Unicode
TrueType font, when the machine has it (``FONT_DIR``: Debian and Ubuntu's
fonts-dejavu-core), so "Siobhán Ó Ceallaigh" and "Łukasz" print as written.
Without it the core Helvetica is used and a letter outside Latin-1 loses its
accent (Ł becomes L) or becomes "?": a letter always comes out.

The layout follows a printed business letter: the logo top right, the trust's
name and address, the date, "Private and confidential", the addressee, the
subject with the case reference, the paragraphs, the signature block, and
"Page n of m" at the foot of every page.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

logger = logging.getLogger(__name__)
# fontTools logs every glyph of every font subset at INFO: a page of log per letter.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
FAMILY = "DejaVu"
CORE = "Helvetica"

# Letters NFKD does not take apart (they have no combining accent).
_PLAIN = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "Đ": "D",
        "đ": "d",
        "Œ": "OE",
        "œ": "oe",
        "\u0131": "i",
    }
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SUPPORT_HEADING = "Support available to you"


@dataclass(frozen=True)
class LetterPage:
    """Everything a letter prints, already filled in (``letters.context``)."""

    trust_name: str
    address_lines: Sequence[str]
    letter_date: str
    addressee: Sequence[str]
    subject: str
    paragraphs: Sequence[str]
    signatory_name: str = ""
    signatory_title: str = ""
    logo: bytes = b""
    title: str = "Letter"
    closing: str = "Yours sincerely,"
    extra_lines: Sequence[str] = field(default_factory=tuple)
    # The trust's support services (``wellbeing``), one plain line each,
    # printed under "Support available to you" in every letter.
    support: Sequence[str] = field(default_factory=tuple)


def latin1(text: str) -> str:
    """``text`` in the core font's Latin-1: an accent outside it is dropped
    (Ł is L), anything else becomes "?"."""
    out = []
    for char in text.translate(_PLAIN):
        if ord(char) < 256:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        if not base and char in "\u2018\u2019":
            base = "'"
        elif not base and char in "\u201c\u201d":
            base = '"'
        elif not base and char in "\u2013\u2014":
            base = "-"
        out.append(base or "?")
    return "".join(out)


class _Letter(FPDF):
    footer_font: tuple[str, Callable[[str], str]] = (CORE, latin1)

    def footer(self) -> None:
        family, text = self.footer_font
        self.set_y(-15)
        self.set_font(family, "", 8)
        self.cell(0, 8, text(f"Page {self.page_no()} of {{nb}}"), align="C")


def _fonts(pdf: FPDF, font_dir: Path | None) -> tuple[str, Callable[[str], str]]:
    """The family to set text in and how text is made printable in it."""
    if font_dir is not None:
        regular, bold = font_dir / REGULAR, font_dir / BOLD
        if regular.is_file() and bold.is_file():
            try:
                pdf.add_font(FAMILY, "", str(regular))
                pdf.add_font(FAMILY, "B", str(bold))
                return FAMILY, _clean
            except Exception:  # an unreadable font file: fall back, never fail the letter
                logger.exception("Letter font %s could not be loaded", regular)
    return CORE, lambda text: latin1(_clean(text))


def _clean(text: str) -> str:
    return _CONTROLS.sub("", unicodedata.normalize("NFC", text))


def letter_pdf(page: LetterPage, *, font_dir: Path | None = FONT_DIR) -> bytes:
    """The letter as PDF bytes."""
    pdf = _Letter(format="A4")
    family, text = _fonts(pdf, font_dir)
    pdf.footer_font = (family, text)
    pdf.set_title(text(page.title))
    pdf.set_author(text(page.trust_name))
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=22)
    pdf.alias_nb_pages()
    pdf.add_page()
    _logo(pdf, page.logo)

    def lines(values: Sequence[str], size: float = 10, style: str = "", height: float = 5) -> None:
        pdf.set_font(family, style, size)
        for value in values:
            if value.strip():
                pdf.multi_cell(120, height, text(value), new_x="LMARGIN", new_y="NEXT")

    lines([page.trust_name], size=13, style="B", height=7)
    lines(page.address_lines, size=9, height=4.5)
    pdf.ln(8)
    lines([page.letter_date])
    pdf.ln(4)
    lines(["Private and confidential"], style="B")
    lines(page.addressee)
    pdf.ln(6)
    pdf.set_font(family, "B", 11)
    pdf.multi_cell(0, 6, text(page.subject), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(family, "", 10.5)
    for paragraph in page.paragraphs:
        pdf.multi_cell(0, 5.5, text(paragraph), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    if page.support:
        pdf.set_font(family, "B", 10.5)
        pdf.multi_cell(0, 5.5, text(SUPPORT_HEADING), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.set_font(family, "", 10)
        for line in page.support:
            pdf.multi_cell(0, 5, text(f"- {line}"), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        pdf.ln(2)
    pdf.ln(2)
    pdf.multi_cell(0, 5.5, text(page.closing), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    lines([page.signatory_name], style="B", size=10.5)
    lines([page.signatory_title, *page.extra_lines], size=10.5)
    return bytes(pdf.output())


def _logo(pdf: FPDF, logo: bytes) -> None:
    """The logo in a 45 x 22 mm box at the top right; a logo that cannot be
    drawn is left out (it was checked when uploaded; the letter still goes)."""
    if not logo:
        return
    try:
        pdf.image(
            io.BytesIO(logo), x=pdf.w - pdf.r_margin - 45, y=12, w=45, h=22, keep_aspect_ratio=True
        )
    except Exception:
        logger.exception("Letterhead logo could not be drawn")
