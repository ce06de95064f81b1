"""Automated accessibility check (axe-core, WCAG 2.1 A/AA rules) of every indicator page in
Finnish, Swedish and English, for area management, a team lead and a partner.

axe-core is not a dependency of Luotsi: install it outside the project
(``npm install --prefix /tmp/axe axe-core``) and point ``LUOTSI_AXE_JS`` at ``axe.min.js``
(default ``/tmp/axe/node_modules/axe-core/axe.min.js``). Without it the test is skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

AXE = Path(os.environ.get("LUOTSI_AXE_JS", "/tmp/axe/node_modules/axe-core/axe.min.js"))
PAGES = {
    "johto": [
        "/indicators/",
        "/indicators/series/?indicator=O1LS",
        "/indicators/municipalities/",
        "/indicators/teams/",
        "/indicators/areas/",
        "/indicators/alerts/",
        "/indicators/catalogue/",
    ],
    "tiiminveto": ["/indicators/", "/indicators/teams/", "/indicators/alerts/"],
    "kumppani": ["/indicators/", "/indicators/series/", "/indicators/areas/"],
}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def axe_js():
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed (npm install --prefix /tmp/axe axe-core; {AXE})")
    return AXE


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("user", sorted(PAGES))
def test_indicator_pages_have_no_axe_violations(browser, server, axe_js, user, lang):
    from .conftest import PASSWORD

    # axe is injected as an inline script, which the pages' CSP forbids (rightly): bypass it here
    ctx = browser.new_context(locale=lang, bypass_csp=True)
    try:
        ctx.add_cookies([{"name": "django_language", "value": lang, "url": server}])
        page = ctx.new_page()
        page.goto(f"{server}/login/")
        page.fill("#id_username", user)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{server}/")
        found = []
        for path in PAGES[user]:
            response = page.goto(f"{server}{path}")
            assert response.status == 200, path
            page.add_script_tag(path=str(axe_js))
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
            )
            assert result["passes"], f"axe checked nothing on {path}"
            found += [
                f"{path}: {v['id']} ({v['impact']}) at {v['nodes'][0]['target']}"
                for v in result["violations"]
            ]
        assert not found, "\n".join(found)
    finally:
        ctx.close()
