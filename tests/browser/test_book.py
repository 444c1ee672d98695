"""The book in a real browser (``make test-browser`` builds it first with ``make docs``).

Every page of ``docs/_build/html``, served on 127.0.0.1, is opened in Debian's Chromium as
tools/browser.py opens the explorer: it must load without console errors, every image on it
must show, its math must be typeset (by the MathJax the book carries), and every link that
stays in the book must lead to an existing page and, with a ``#fragment``, to an element of
that page. A small site with one fault of each kind shows that the crawl finds them."""

import sys
import urllib.parse
from pathlib import Path

import pytest

from conftest import load_tool

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "docs" / "_build" / "html"
# the one thing on the book's pages that is not in the book: Binder's badge (README's links)
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"

# What a page holds once its images are decoded and MathJax (where the page has it) is done.
INSPECT = """async () => {
  for (const img of document.images) {
    img.loading = 'eager';
    try { await img.decode(); } catch (e) {}
  }
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  const math = Array.from(document.querySelectorAll('.math'));
  return {
    ids: Array.from(document.querySelectorAll('[id], a[name]'), e => e.id || e.name),
    links: Array.from(document.querySelectorAll('a[href]'), a => a.href),
    images: Array.from(document.images, i => [i.currentSrc || i.src, i.naturalWidth > 0]),
    math: [math.filter(m => m.querySelector('mjx-container')).length, math.length],
  };
}"""


def crawl(browser, chromium, site: Path, log: Path) -> dict:
    """Every ``.html`` file under ``site``, opened from a server on 127.0.0.1: per page (its
    path relative to ``site``) its console errors, requests that left 127.0.0.1, element
    ids, links (absolute), images (source, shown) and math (typeset, all)."""
    port = browser.free_port(0)
    command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
    command += ["--directory", str(site)]
    base = f"http://127.0.0.1:{port}/"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    out = {}
    with browser.served(command, base, log):
        page = browser.open_page(chromium, base + pages[0])
        for name in pages:
            errors, external = len(page.errors), len(page.external)
            if name != pages[0]:
                page.goto(base + name)
            out[name] = page.evaluate(INSPECT) | {
                "errors": page.errors[errors:],
                "external": page.external[external:],
            }
        page.close()
    return {"base": base, "pages": out}


def broken_links(site: Path, crawled: dict) -> list[str]:
    """``page → link`` for every link into the site that leads nowhere: a missing file, or
    a fragment that no element of the target page carries."""
    base, pages = crawled["base"], crawled["pages"]
    broken = []
    for name, result in pages.items():
        for href in result["links"]:
            if not href.startswith(base):
                continue  # another site: not checked on a machine without a network
            target, _, fragment = href[len(base) :].partition("#")
            target = urllib.parse.unquote(target.split("?")[0]) or "index.html"
            if target.endswith("/"):
                target += "index.html"
            if not (site / target).is_file():
                broken.append(f"{name} → {href}")
            elif fragment and target.endswith(".html"):
                if urllib.parse.unquote(fragment) not in pages[target]["ids"]:
                    broken.append(f"{name} → {href}")
    return broken


def linked_pages(crawled: dict) -> set[str]:
    """The pages some other page links to."""
    base, pages = crawled["base"], crawled["pages"]
    return {
        href[len(base) :].partition("#")[0] or "index.html"
        for name, result in pages.items()
        for href in result["links"]
        if href.startswith(base) and href[len(base) :].partition("#")[0] != name
    }


FAULTY_SITE = {
    "index.html": '<h1 id="top">ok</h1><a href="a.html#there">fine</a> <a href="a.html#nowhere">'
    'no anchor</a> <a href="missing.html">no page</a> <img src="missing.png">'
    "<script>console.error('boom')</script>",
    "a.html": '<p id="there"><a href="index.html#top">back</a></p>',
}


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    if not (BOOK / "index.html").is_file():
        pytest.fail(f"no book in {BOOK}: run make docs (make test-browser does)")
    work = tmp_path_factory.mktemp("book")
    faulty = work / "faulty"
    faulty.mkdir()
    for name, html in FAULTY_SITE.items():
        (faulty / name).write_text(f"<!doctype html><html><body>{html}</body></html>")
    browser = load_tool("browser")
    with browser.chromium() as chromium:
        yield {
            "book": crawl(browser, chromium, BOOK, work / "book.log"),
            "faulty": (faulty, crawl(browser, chromium, faulty, work / "faulty.log")),
        }


@pytest.fixture(scope="module")
def book(crawls):
    return crawls["book"]["pages"]


def test_the_crawl_finds_each_kind_of_fault(crawls):
    site, crawled = crawls["faulty"]
    index = crawled["pages"]["index.html"]
    assert any("boom" in e for e in index["errors"])
    assert [shown for src, shown in index["images"]] == [False]
    assert sorted(b.split(" → ")[1].rsplit("/", 1)[1] for b in broken_links(site, crawled)) == [
        "a.html#nowhere",
        "missing.html",
    ]


def test_the_book_has_every_notebook_and_its_reference_pages(book):
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(notebooks) >= 8
    expected = {f"notebooks/{p.stem}.html" for p in notebooks}
    expected |= {"index.html", "design.html", "api.html", "generated/mtlib.html"}
    assert expected <= set(book)


def test_every_page_loads_without_console_errors(book):
    assert {name: r["errors"] for name, r in book.items() if r["errors"]} == {}


def test_every_image_shows(book):
    local = {
        name: [src for src, shown in r["images"] if not shown and src.startswith("http://127.")]
        for name, r in book.items()
    }
    assert {name: srcs for name, srcs in local.items() if srcs} == {}
    assert sum(len(r["images"]) for r in book.values()) > 30  # the notebooks' figures among them


def test_nothing_is_fetched_from_elsewhere_but_binders_badge(book):
    # MathJax, fonts and scripts are the book's own: it reads offline
    assert {url for r in book.values() for url in r["external"]} <= {BINDER_BADGE}


def test_every_internal_link_and_anchor_resolves(crawls):
    assert broken_links(BOOK, crawls["book"]) == []


def test_every_page_is_linked_from_another(crawls):
    assert set(crawls["book"]["pages"]) - linked_pages(crawls["book"]) <= {"search.html"}


def test_the_math_is_typeset(book):
    typeset, total = book["notebooks/01_theory.html"]["math"]
    assert total > 10 and typeset == total
    assert all(r["math"][0] == r["math"][1] for r in book.values())
