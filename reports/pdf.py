"""PDF next to Excel: a workbook rendered by LibreOffice, page set-up and all.

The PDF is made from the very workbook bytes (same content, the same
fingerprint in every page footer), by LibreOffice's headless converter, the
renderer a customer's counsel or a regulator is most likely to print with.
Where LibreOffice is not installed the request is refused, never faked.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from reports.params import ReportError

# The kinds that are attached to contracts or sent to regulators.
PDF_KINDS = ("ropa-controller", "ropa-processor", "dpa-annex")
TIMEOUT_SECONDS = 180


def soffice() -> str | None:
    """The LibreOffice binary, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def check_pdf_kind(kind: str) -> None:
    if kind not in PDF_KINDS:
        raise ReportError(
            f"--format pdf is available for {', '.join(PDF_KINDS)}, not {kind!r}"
        )
    if soffice() is None:
        raise ReportError(
            "--format pdf needs LibreOffice (soffice), which is not installed here"
        )


def to_pdf(workbook: bytes) -> bytes:
    """Render XLSX bytes to PDF bytes with LibreOffice (a private profile per
    call, so parallel conversions do not share one)."""
    binary = soffice()
    if binary is None:
        raise ReportError("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="kb-pdf-") as tmp:
        folder = Path(tmp)
        (folder / "report.xlsx").write_bytes(workbook)
        command = [
            binary,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(folder / "report.xlsx"),
        ]
        subprocess.run(
            command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
        )
        output = folder / "report.pdf"
        if not output.exists():
            raise ReportError("LibreOffice could not convert the workbook to PDF")
        return output.read_bytes()
