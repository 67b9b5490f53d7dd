"""report.html in a real browser: Debian's headless Chromium, driven by Selenium (tests/browser.py).

Each test opens a page from a file, then clicks citations and reads what the popover shows, and asserts the
page logged no console error and asked for no URL but its own (DevTools network events). A machine without
the browser skips these with the reason; in CI (``CI`` set) they fail with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import review_material as material
from browser import NoBrowser, chromium, console_errors, in_ci, page_url, requested_urls
from reportgraph.graph.graph import graph
from reportgraph.tools.writing import ReviewInputs, review_html

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        with chromium() as started:
            yield started
    except NoBrowser as error:
        if in_ci():
            pytest.fail(f"CI needs a headless Chromium for the review page's tests: {error}")
        pytest.skip(f"no headless Chromium: {error}")


def open_page(browser: Any, path: Path) -> None:
    """Load ``path`` with the logs emptied first, so what they hold next comes from this page."""
    browser.get("about:blank")
    console_errors(browser), requested_urls(browser)
    browser.get(page_url(path))


def click(browser: Any, button: Any) -> Any:
    """Click a citation; the popover it opens."""
    from selenium.webdriver.common.by import By

    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    popover = browser.find_element(By.ID, "popover")
    assert popover.is_displayed()
    return popover


def words(text: str) -> str:
    return " ".join(text.split())


def assert_quiet(browser: Any, path: Path) -> None:
    assert console_errors(browser) == []
    assert requested_urls(browser) == [page_url(path)]  # the page itself, nothing else


@pytest.mark.slow
def test_fixture_report_html_shows_each_cited_passage_in_chromium(
    browser: Any, shared_dir: Path, cache_dir: Path, tmp_path: Path
) -> None:
    """The fixture's run writes report.html; every citation carries a source id of sources.json; clicking
    one shows that source's passage and the outcome validation.json recorded for its sentence."""
    from selenium.webdriver.common.by import By

    output = tmp_path / "out"
    graph.invoke({"task_dir": str(shared_dir / "fixtures" / "longeval_zh")},
                 context={"llm": "off", "cache_dir": str(cache_dir), "output_dir": str(output)})
    page = output / "report.html"
    sources = json.loads((output / "sources.json").read_text(encoding="utf-8"))
    validation = json.loads((output / "validation.json").read_text(encoding="utf-8"))
    support = next(c for c in validation["checks"] if c["name"] == "citation_support")["figure"]
    open_page(browser, page)
    buttons = browser.find_elements(By.CSS_SELECTOR, "button.cite")
    assert len(buttons) == support["citations_checked"] > 0
    assert {b.get_attribute("data-source-id") for b in buttons} == set(sources)
    outcomes = [b.get_attribute("data-outcome") for b in buttons]
    assert outcomes == [c["outcome"] for c in support["citations"]]
    button = buttons[len(buttons) // 2]
    popover = click(browser, button)
    source = sources[button.get_attribute("data-source-id")]
    passage = popover.find_element(By.CSS_SELECTOR, "blockquote.passage")
    assert words(passage.text) == words(source["text"])
    assert popover.find_element(By.CSS_SELECTOR, "p.outcome").get_attribute("class").split()[1] == (
        button.get_attribute("data-outcome"))
    assert validation["status"] in browser.find_element(By.ID, "status").get_attribute("class")
    shot = tmp_path / "fixture.png"
    assert browser.save_screenshot(str(shot)) and shot.read_bytes().startswith(PNG_MAGIC)
    assert_quiet(browser, page)


def test_unsupported_and_unresolved_citations_show_why_in_chromium(browser: Any, tmp_path: Path) -> None:
    """A built report: the unsupported citation's popover says so with the method and the passage; a
    citation that does not resolve says why; links point into the task folder."""
    from selenium.webdriver.common.by import By

    report = material.REPORT + "\nA later audit followed [barrage.pdf p.7].\n"
    page = tmp_path / "out" / "report.html"
    page.parent.mkdir()
    page.write_text(review_html(ReviewInputs(markdown=report, registry=material.REGISTRY,
                                             validation=material.validation(report), spec=material.spec(),
                                             task_link="../task")), encoding="utf-8")
    open_page(browser, page)
    bad = browser.find_element(By.CSS_SELECTOR, 'button.cite[data-outcome="unsupported"]')
    popover = click(browser, bad)
    assert "unsupported" in popover.find_element(By.CSS_SELECTOR, "p.outcome").text
    assert "consistency" in popover.text and material.UNSUPPORTED in popover.text
    assert words(popover.find_element(By.CSS_SELECTOR, "blockquote.passage").text) == material.PLANT_PAGE.text
    link = popover.find_element(By.CSS_SELECTOR, "a.file").get_attribute("href")
    assert link == page_url(tmp_path / "task" / "barrage.pdf") + "#page=2"
    shot = tmp_path / "unsupported.png"
    assert browser.save_screenshot(str(shot)) and shot.read_bytes().startswith(PNG_MAGIC)
    missing = browser.find_element(By.CSS_SELECTOR, 'button.cite[data-outcome="unresolved"]')
    popover = click(browser, missing)
    assert "has no page 7" in popover.text and not popover.find_elements(By.CSS_SELECTOR, "blockquote")
    assert browser.find_element(By.CSS_SELECTOR, "span.sent.claim").text == material.UNCITED
    assert_quiet(browser, page)


def test_the_watchers_see_a_page_that_fetches_or_fails(browser: Any, tmp_path: Path) -> None:
    """The console and network watchers are not blind: a page that loads an image and throws is seen."""
    page = tmp_path / "loud.html"
    page.write_text('<html><body><img src="http://127.0.0.1:9/pixel.png">'
                    "<script>no_such_function();</script></body></html>", encoding="utf-8")
    open_page(browser, page)
    assert any("no_such_function" in message for message in console_errors(browser))
    assert "http://127.0.0.1:9/pixel.png" in requested_urls(browser)
