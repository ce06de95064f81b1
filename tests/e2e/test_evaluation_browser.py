"""Issue 7 in the browser: the evaluator opens the demo evaluation's report (headings, the SVG
event study with its data table, the robustness section) and downloads the PDF."""

import pytest

pytestmark = pytest.mark.e2e

HEADINGS = (
    "Summary",
    "Design",
    "Data",
    "Pre-trends",
    "Main estimates",
    "Robustness across estimators",
    "Limitations",
    "Software and data",
)


def test_evaluator_reads_the_demo_report_and_downloads_the_pdf(login, server):
    page = login("arvioija")
    page.goto(f"{server}/evaluation/")
    page.get_by_role("link", name="Kuntakokeilut 2021–2024").first.click()
    page.get_by_role("link", name="v1").click()
    report_url = page.url.rstrip("/") + "/report/?lang=en"

    page.goto(report_url)
    headings = [h.strip() for h in page.locator("h2").all_inner_texts()]
    assert headings == list(HEADINGS)
    plot = page.locator("#h-pretrends ~ figure svg[role=img]").first
    assert plot.get_attribute("aria-labelledby") == "es-title es-desc"
    assert "Event study" in page.locator("#es-title").text_content()
    table = page.locator("table", has=page.locator("caption", has_text="the data behind the plot"))
    assert table.first.locator("tbody tr").count() > 10
    robustness = page.locator("tr[id^=robust-]")
    assert robustness.count() == 6
    assert page.locator("#h-bacon").is_visible() and page.locator("#h-synth").is_visible()
    assert "1,3" in page.locator("#h-design ~ dl").first.inner_text()  # the known hazard ratio

    page.goto(report_url.replace("lang=en", "lang=fi"))
    assert page.locator("html").get_attribute("lang") == "fi"

    with page.expect_download() as info:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.download = '';"
            " document.body.appendChild(a); a.click(); }",
            report_url.replace("/report/?lang=en", "/report.pdf?lang=en"),
        )
    path = info.value.path()
    with open(path, "rb") as f:
        assert f.read(4) == b"%PDF"
