"""Every kind of page, for every party and for an anonymous visitor, at a desk's width (1366 px) and a
phone's (375 px): no critical or serious axe-core violation (GB/T 37668-2019, WCAG 2.1 AA in
substance), nothing wider than the phone's screen, a title of its own ("页面 - 二级建造师注册管理平台"),
and no English in the Chinese UI: text, button values, aria-label, title, placeholder, alt.

The walk starts at the home page (and, anonymous, at the public and sign-in pages) and follows every
link of this site to a page of a kind not yet seen (a kind is the path with its numbers taken out),
so it reaches the menus' pages, each list's first show, edit and add page, and what those link to.
Links that change something or send a file (delete, actions, sign-out, downloads, PDFs, exports)
are not followed. axe-core is npm's (package.json, installed by `make test-e2e`); an init script
loads it into every page, so the pages' Content-Security-Policy stays in force (and checked).

Screenshots of each party's menu pages at both widths go to artifacts/e2e/a11y-<party>-<page>-<width>.png.
"""
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlparse

import pytest

from conftest import ARTIFACTS, ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESK, PHONE = 1366, 375
SITE = "二级建造师注册管理平台"
PARTIES = ["anonymous", "app1", "ent1", "center", "admin", "secadmin", "auditor"]
ANONYMOUS_START = ["/", "/public/query", "/public/notice", "/public/announcements", "/login/",
                   "/login/?entrance=person", "/login/?entrance=enterprise", "/login/?entrance=staff"]
# the own account's forms, reached by FAB's actions (GET /action/..., not followed) from 用户信息
SIGNED_IN_START = ["/", "/users/userinfo/", "/resetmypassword/form", "/userinfoeditview/form"]
ADMIN_START = ["/resetpassword/form?pk=1"]
MAX_PAGES = 80  # page kinds per party: a bound on the walk, far above what any party reaches

# Not followed: what acts on a GET, sends a file, leaves the site or the session.
SKIP = re.compile(r"/(logout|lang|delete|action|download|attachments|filings|back)(/|$)|\.(pdf|xlsx|csv|png|jpg)$"
                  r"|/export|/image$|/login/govnet|/static/|/swagger|/api/")
DROPPED_ARGS = re.compile(r"^(_flt_|_oc_|_od_|page_|psize_|next$)")

# Words that are not English prose: formats, units and names the Chinese UI uses as they are.
# file formats and encodings are named as users meet them in their software
ALLOWED_WORDS = {"PDF", "JPG", "JPEG", "PNG", "Excel", "CSV", "UTF", "xlsx", "KB", "MB", "QR", "API", "SMS", "English"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
FILE_NAME = re.compile(r"[\w.-]+\.(pdf|jpe?g|png|xlsx|csv)\b", re.I)  # an uploaded file's name is data
WORD = re.compile(r"\b[A-Za-z][A-Za-z']{2,}\b")

TEXTS = """() => {
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || parent.closest('script, style, noscript, template')) continue;
    if (node.textContent.trim()) out.push(node.textContent.trim());
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt], input[type=submit], input[type=button], input[type=reset]')) {
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      if (el.getAttribute(name)) out.push(el.getAttribute(name));
    }
    if (['submit', 'button', 'reset'].includes(el.type) && el.value) out.push(el.value);
  }
  return out;
}"""

# after a resize: two frames, so that the page's resize handlers have run
SETTLED = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter((v) => ['critical', 'serious'].includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' | ' + (n.failureSummary || '').split('\\n').slice(0, 2).join(' '))}));
}"""


def kind(path):
    """A page's kind: its path with the numbers (row ids) taken out."""
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def local(base, current, href):
    """The link as a path and query of this site worth visiting, or None."""
    url = urlparse(urljoin(current, href))
    if url.netloc != urlparse(base).netloc or SKIP.search(url.path):
        return None
    args = [(k, v) for k, v in parse_qsl(url.query) if not DROPPED_ARGS.match(k)]
    return url.path + ("?" + urlencode(args) if args else "")


def english_words(texts, usernames):
    found = set()
    for text in texts:
        text = FILE_NAME.sub(" ", EMAIL.sub(" ", text))
        found.update(w for w in WORD.findall(text) if w not in ALLOWED_WORDS and w not in usernames)
    return found


def slug(path):
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test-e2e` installs it (npm ci, package-lock.json)")
    return AXE


def open_as(party, browser, sign_in, server):
    if party == "anonymous":
        context = browser.new_context(viewport={"width": DESK, "height": 900}, locale="zh-CN")
        return context, context.new_page()
    page = sign_in(party, width=DESK)
    return page.context, page


@pytest.mark.parametrize("party", PARTIES)
def test_pages_are_accessible_chinese_and_fit_a_phone(party, shared_server, browser, sign_in, axe_source):
    server = shared_server
    usernames = set(server.column("SELECT username FROM ab_user"))
    context, page = open_as(party, browser, sign_in, server)
    context.add_init_script(path=str(axe_source))
    problems, titles, seen = [], {}, set()
    start = ANONYMOUS_START if party == "anonymous" else SIGNED_IN_START + (ADMIN_START if party == "admin" else [])
    queue = [(p, 0) for p in start]
    while queue and len(seen) < MAX_PAGES:
        path, depth = queue.pop(0)
        if kind(path) in seen:
            continue
        seen.add(kind(path))
        page.set_viewport_size({"width": DESK, "height": 900})
        try:
            answer = page.goto(server.url + path)
        except Exception as error:  # a link that turned out to send a file
            if "Download is starting" in str(error):
                continue
            raise
        here = urlparse(page.url).path
        if answer is None or answer.status >= 400:
            problems.append(f"{path}: answered {answer.status if answer else '?'}")
            continue

        title = page.title()
        if not title.endswith(f" - {SITE}") or not title.removesuffix(f" - {SITE}").strip():
            problems.append(f"{path}: title {title!r} is not '<page> - {SITE}'")
        elif titles.setdefault(title, kind(here)) != kind(here):
            problems.append(f"{path}: title {title!r} is also {titles[title]}'s")
        words = english_words(page.evaluate(TEXTS), usernames)
        if words:
            problems.append(f"{path}: English {sorted(words)[:20]}")
        for width in (DESK, PHONE):
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(SETTLED)
            for v in page.evaluate(AXE_RUN):
                problems.append(f"{path} @{width}: axe {v['impact']} {v['id']} ({v['help']}): {v['nodes']}")
            if width == PHONE:
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > PHONE:
                    problems.append(f"{path} @{PHONE}: the page is {scroll} px wide")
            if depth <= 1:
                page.screenshot(path=str(ARTIFACTS / f"a11y-{party}-{slug(path)}-{width}.png"), full_page=True)

        for href in page.eval_on_selector_all("a[href]", "els => els.map((e) => e.getAttribute('href'))"):
            target = local(server.url, page.url, href)
            if target and kind(target) not in seen and depth < 3:
                queue.append((target, depth + 1))
    context.close()
    assert len(seen) > 1, f"{party}: the walk found no page beyond the first"
    assert not problems, f"{party}, {len(seen)} kinds of page:\n" + "\n".join(problems)
