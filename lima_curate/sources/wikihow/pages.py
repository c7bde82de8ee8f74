"""Saved wikiHow article pages (MediaWiki HTML, as laid out in 2020) -> :class:`Article`.

Steps are the ``div.step`` of each ``div.section.steps`` (headed by its ``h3 .mw-headline``); the
intro is ``#mf-section-0``. Images, videos, reference pop-ups, ads, polls, quizzes and scripts go;
links keep their text, and a bare-URL link goes with the list item it makes up. Tips, Warnings, Q&A
and the like sit outside the step sections, so they never reach the response. A page without any
``div.step`` is not an article (category, search or user pages).
"""

from __future__ import annotations

import re
from datetime import datetime

from lima_curate import safe_json
from lima_curate.numbers import int64_or_none
from lima_curate.sources.wikihow.article import Article, Section, Step, clean_inline

# removed before any text is read: media, scripts, ads, polls, quizzes, reference markers
# with their pop-ups, step numbers (steps are renumbered) and layout helpers
_JUNK_TAGS = frozenset({"script", "style", "noscript", "video", "audio", "img", "picture", "svg",
                        "iframe", "input", "label", "button", "form"})
_JUNK_CLASSES = frozenset({"reference", "mwimg", "image_details", "video-player", "m-video-controls",
                           "m-video-wm", "step_num", "clearall", "altblock", "ts_popup", "stepanchor",
                           "method_toc"})
_JUNK_CLASS_PARTS = ("wh_ad", "poll", "quiz")
_BARE_URL = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)
# linear in the page: a tag between a label and its value holds no "<", \s already covers
# U+00A0 (two alternatives for it backtracked exponentially), and a "[" that never closes is
# looked for once (see _config_vars)
_WG_KEY = re.compile(r'"(wg[A-Za-z]+)":\s*')
_WG_SCALAR = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+|true|false|null')
_LAST_UPDATED = re.compile(r"(?:Last\s+)?Updated:\s*(?:<[^<>]*>\s*)*([A-Z][a-z]+ \d{1,2}, \d{4})")
_VIEWS = re.compile(r"Views:(?:\s|&nbsp;)*(?:<[^<>]*>\s*)*([\d,]+)")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_CRUMB_SKIP = {"home", "categories", "wikihow", "category"}


def _is_junk(tag) -> bool:
    if tag.name in _JUNK_TAGS or tag.has_attr("hidden"):
        return True
    classes = tag.get("class") or ()
    if any(c in _JUNK_CLASSES or any(part in c for part in _JUNK_CLASS_PARTS) for c in classes):
        return True
    return "_ad_" in (tag.get("id") or "") or tag.get("id") == "method_toc"


def _divs_with(root, *names: str) -> list:
    """``div`` elements carrying all of the class ``names`` (faster than CSS selectors)."""
    return [d for d in root.find_all("div", class_=names[0]) if all(n in d.get("class", ()) for n in names)]


def _config_vars(html: str) -> dict[str, object]:
    """The ``wg*`` variables of the page's ``mw.config.set({...})`` call.

    What ``re.findall`` of ``"(wg[A-Za-z]+)":\\s*("(?:[^"\\\\]|\\\\.)*"|\\[[^\\]]*\\]|-?\\d+|true|false|null)``
    found, in linear time.
    """
    found: dict[str, object] = {}
    for name, raw in _wg_pairs(html):
        if name in found:
            continue
        try:
            found[name] = safe_json.loads(raw)
        except safe_json.JSONError:
            continue
    return found


def _wg_pairs(html: str):
    """``(name, raw JSON value)`` of each ``"wgName": value`` in ``html``, in order."""
    last_close = html.rfind("]")
    position = 0
    while (key := _WG_KEY.search(html, position)) is not None:
        value_start, value_end = key.end(), None
        if html.startswith("[", value_start):
            close = html.find("]", value_start) if value_start < last_close else -1
            value_end = close + 1 if close != -1 else None
        elif (scalar := _WG_SCALAR.match(html, value_start)) is not None:
            value_end = scalar.end()
        if value_end is None:
            position = key.start() + 1
            continue
        yield key.group(1), html[value_start:value_end]
        position = value_end


def _json_ld(soup) -> list[dict]:
    blocks = []
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = safe_json.loads(script.string or "")
        except safe_json.JSONError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict):
                blocks.append(item)
    return blocks


def _iso(value: object) -> str:
    match = _ISO_DATE.match(str(value or ""))
    return "-".join(match.groups()) if match else ""


def _revision_date(html: str, wg: dict[str, object], ld: list[dict]) -> str:
    for key in ("dateModified", "datePublished"):
        for block in ld:
            if _iso(block.get(key)):
                return _iso(block[key])
    stamp = str(wg.get("wgRevisionTimestamp") or "")
    if re.fullmatch(r"\d{8,14}", stamp):
        return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
    match = _LAST_UPDATED.search(html)
    if match:
        try:
            return datetime.strptime(match.group(1), "%B %d, %Y").date().isoformat()
        except ValueError:
            return ""
    return ""


def _category(soup, wg: dict[str, object], ld: list[dict]) -> str:
    trails = (soup.find(id="breadcrumb"), soup.find(id="breadcrumbs"), soup.find("ul", class_="breadcrumbs"))
    for trail in trails:
        if trail is None:
            continue
        crumbs = [clean_inline(li.find("a").get_text()) for li in trail.find_all("li") if li.find("a")]
        crumbs = [c for c in crumbs if c and c.casefold() not in _CRUMB_SKIP]
        if crumbs:
            return crumbs[0]
    for block in ld:
        if block.get("@type") != "BreadcrumbList":
            continue
        items = sorted(block.get("itemListElement") or [], key=lambda i: i.get("position", 0))
        for entry in items:
            item = entry.get("item") or {}
            if "Category:" in str(item.get("@id", "")) and item.get("name"):
                return clean_inline(item["name"])
    categories = wg.get("wgCategories")
    if isinstance(categories, list) and categories:
        return clean_inline(str(categories[-1]))
    return ""


def _inline_text(element) -> str:
    """Text of an element with fractions written out (``1/3``) and spaces tidied."""
    for frac in element.find_all("span", class_="frac"):
        top, bottom = frac.find("sup"), frac.find("sub")
        if top is not None and bottom is not None:
            frac.replace_with(f" {top.get_text(strip=True)}/{bottom.get_text(strip=True)}")
    return clean_inline(element.get_text())


def _drop_bare_links(element) -> None:
    """Links whose text is a URL: drop the list item they make up, else the link."""
    for link in element.find_all("a"):
        if link.parent is None or not _BARE_URL.match(link.get_text()):
            continue
        item = link.find_parent("li")
        (item if item is not None else link).decompose()


def _step(div) -> "Step | None":
    items: list[str] = []
    while (sub_list := div.find(["ul", "ol"])) is not None:
        for item in sub_list.find_all("li", recursive=False):
            text = _inline_text(item)
            if text:
                items.append(text)
        sub_list.decompose()
    text = _inline_text(div)
    if not text and not items:
        return None
    return Step(text=text or items.pop(0), items=tuple(items))


def _sections(soup) -> tuple[Section, ...]:
    blocks = _divs_with(soup, "section", "steps") or ([soup] if soup.find("div", class_="step") else [])
    sections = []
    for block in blocks:
        heading = ""
        if block is not soup:
            h3 = block.find("h3")
            head = (h3.find(class_="mw-headline") if h3 is not None else None) or block.find(["h2", "h3"])
            heading = clean_inline(head.get_text()) if head is not None else ""
        steps = tuple(s for s in (_step(div) for div in block.find_all("div", class_="step")) if s)
        if steps:
            sections.append(Section(heading=heading, steps=steps))
    return tuple(sections)


def _intro(soup) -> str:
    block = soup.find(id="mf-section-0") or soup.find(id="intro")
    if block is None:
        return ""
    paragraphs = [_inline_text(p) for p in block.find_all("p")] or [_inline_text(block)]
    return "\n\n".join(p for p in paragraphs if p)


def _numbers(html: str, soup) -> tuple["int | None", "int | None"]:
    views = _VIEWS.search(html)
    box = soup.find(attrs={"data-helpful": True})
    helpful = box.get("data-helpful") if box is not None else None
    return (
        int64_or_none(views.group(1).replace(",", "")) if views else None,
        int64_or_none(helpful) if helpful and str(helpful).isdigit() else None,
    )


def parse_page(html: str, file: str, fallback_page_name: str) -> Article:
    """Read one saved page; an :class:`Article` without steps when it is no article."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    wg = _config_vars(html)
    ld = _json_ld(soup)
    h1 = soup.find("h1")
    title_tag = soup.find("title")
    title = str(wg.get("wgTitle") or "") or (
        clean_inline(h1.get_text()) if h1 is not None else ""
    ) or (clean_inline(title_tag.get_text()) if title_tag is not None else "")
    page_name = str(wg.get("wgPageName") or "") or fallback_page_name
    date = _revision_date(html, wg, ld)
    category = _category(soup, wg, ld)
    views, helpful = _numbers(html, soup)

    for junk in soup.find_all(_is_junk):
        if junk.parent is not None:  # not already gone with an enclosing junk element
            junk.decompose()
    _drop_bare_links(soup)
    sections = _sections(soup)
    namespace = wg.get("wgNamespaceNumber")
    not_article = ""
    if not sections:
        not_article = "no steps (div.step) on the page"
    elif namespace not in (None, 0):
        not_article = f"not an article page (namespace {namespace})"
        sections = ()
    return Article(
        title=title,
        file=file,
        layout="html",
        page_name=page_name,
        intro=_intro(soup),
        sections=sections,
        category=category,
        date=date,
        views=views,
        helpful_percent=helpful,
        not_article=not_article,
    )
