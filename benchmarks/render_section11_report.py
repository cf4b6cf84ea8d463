"""How long the Section 11 summary PDF takes to render, and how much memory it needs.

Renders the demo's closed 2022 cycle (31 agencies, nine areas, two challenge
events) several times and prints the wall time per render, peak memory, and
the PDF's size and page count. Run from the project root, on a database of
its own (it migrates and loads the demo data when the cycle is missing):

    DJANGO_SETTINGS_MODULE=csap_portal.settings.base \\
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 \\
    .venv/bin/python benchmarks/render_section11_report.py [--runs 3] [--output report.pdf]

Timing runs are not traced; memory is measured on one further render under
tracemalloc, which slows Python down too much to time with it on.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csap_portal.settings.base")

import django  # noqa: E402
import weasyprint  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from audits.models import AuditCycle  # noqa: E402
from reports.rendering import (  # noqa: E402
    html_to_pdf,
    render_section11_summary,
    section11_summary_context,
)
from section11.demo import CLOSED_CYCLE  # noqa: E402

THEMES = """Training remains the area in which most agencies say they need to improve.

Agencies were confident about multi-agency working, and the challenge events bore that out."""
RECOMMENDATIONS = """Agencies rated Amber or Red for training share their plans.
The Business Unit repeats the challenge events in the next cycle."""


def ensure_demo() -> bool:
    """Migrate, and load the demo data if the 2022 cycle is missing. True if it loaded."""
    call_command("migrate", verbosity=0)
    if AuditCycle.objects.filter(name=CLOSED_CYCLE).exists():
        return False
    from audits.demo import seed_demo as seed_core
    from section11.demo import seed_demo as seed_section11

    settings.DEBUG = True  # the demo loaders are for development databases only
    seed_core()
    seed_section11()
    return True


def arguments(cycle: AuditCycle) -> dict[str, object]:
    return {
        "cycle": cycle,
        "title": "Section 11 summary report",
        "version_number": 1,
        "themes": THEMES,
        "recommendations": RECOMMENDATIONS,
        "generated_on": datetime.date.today(),
    }


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 1024 / 1024:.1f} MiB"


def seconds(values: list[float]) -> str:
    median = statistics.median(values)
    return f"min {min(values):.2f} s, median {median:.2f} s, max {max(values):.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed renders (default 3)")
    parser.add_argument("--output", type=Path, help="also write the PDF here")
    options = parser.parse_args()

    if ensure_demo():
        # Start again in a fresh process, so that the peak memory reported is
        # the renders' and not the demo loader's.
        print("Loaded the demo data; starting again to measure.", flush=True)
        os.execv(sys.executable, [sys.executable, *sys.argv])  # noqa: S606

    cycle = AuditCycle.objects.select_related("framework").get(name=CLOSED_CYCLE)
    kwargs = arguments(cycle)

    # One untimed render first: imports, template loading and font discovery
    # happen once per worker process, not once per report.
    with CaptureQueriesContext(connection) as queries:
        pdf = render_section11_summary(**kwargs)  # type: ignore[arg-type]

    totals, contexts, htmls, pdfs = [], [], [], []
    for _ in range(options.runs):
        start = time.perf_counter()
        context = section11_summary_context(**kwargs)  # type: ignore[arg-type]
        gathered = time.perf_counter()
        html = render_to_string("reports/pdf/section11_summary.html", context)
        templated = time.perf_counter()
        pdf = html_to_pdf(html)
        done = time.perf_counter()
        totals.append(done - start)
        contexts.append(gathered - start)
        htmls.append(templated - gathered)
        pdfs.append(done - templated)

    tracemalloc.start()
    render_section11_summary(**kwargs)  # type: ignore[arg-type]
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Linux reports ru_maxrss in KiB.
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    if options.output:
        options.output.write_bytes(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)

    print(f"Section 11 summary of {cycle.name!r}, {options.runs} timed renders")
    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores")
    print(f"Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}")
    print(f"Database: {connection.vendor}, {len(queries)} queries per render")
    print(f"Wall time per render: {seconds(totals)}")
    print(f"  gathering the figures: median {statistics.median(contexts):.3f} s")
    print(f"  rendering the HTML template: median {statistics.median(htmls):.3f} s")
    print(f"  WeasyPrint, HTML to PDF/UA-1: median {statistics.median(pdfs):.2f} s")
    print(f"Peak memory: process max RSS {mib(max_rss)}; tracemalloc peak {mib(traced_peak)}")
    print(f"PDF: {len(pdf) / 1024:.0f} KiB, {pages} pages")


if __name__ == "__main__":
    main()
