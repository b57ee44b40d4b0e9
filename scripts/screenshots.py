"""Screenshots of the main pages, in English and Portuguese, for docs/screenshots/.

    make screenshots            # or: .venv/bin/python scripts/screenshots.py [--out DIR]

Builds the demo company in a temporary CLIENTELA_HOME (nothing in ./var is touched), gives it a
postal address and a logo, serves it with `clientela serve` on a free local port, signs in as
the demo admin and saves each page with Debian's Chromium (/usr/bin/chromium): 1280 pixels wide
(at most MAX_HEIGHT high), and a few at 390 (a phone). The files are named
`<page>-<language>[-phone].png`; README.md and docs/screenshots/README.md show them.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CUSTOMERS = "300"  # enough for every chart; builds in well under a minute
SEED = "12"
WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MAX_HEIGHT = 1400
LANGUAGES = ("en", "pt")
ADDRESS = r"Rua das Flores 12\n4050-262 Porto\nPortugal"
LOGO_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="250" height="60" viewBox="0 0 250 60">
<rect x="2" y="6" width="48" height="48" rx="12" fill="#7a3e1d"/>
<circle cx="26" cy="30" r="13" fill="none" stroke="#fff" stroke-width="5"/>
<text x="60" y="38" font-family="Georgia, serif" font-size="22" font-weight="700"
 fill="#3b2416">Casa Clientela</text></svg>"""

# (name, path or a key of the ids found in the demo, also at 390 px?)
STAFF_PAGES = [
    ("dashboard", "/", False),
    ("parties", "/parties/", True),
    ("party", "/parties/{party}/", True),
    ("party-form", "/parties/new/", False),
    ("analytics", "/analytics/", True),
    ("segments", "/segments/", False),
    ("segment-builder", "/segments/new/", False),
    ("my-day", "/activities/my-day/", True),
    ("activities", "/activities/", False),
    ("imports", "/imports/", False),
    ("duplicates", "/duplicates/", False),
    ("privacy", "/privacy-requests/", False),
    ("company-settings", "/settings/company/", False),
]
PUBLIC_PAGES = [
    # A customer who speaks the language of the screenshot.
    ("preference-centre", "/preferences/{token}/", True),
    ("signup", "/signup/", False),
    ("unsubscribe", "/unsubscribe/{unsubscribe}/", False),
]
FIND_IDS = """
from django.db.models import Count
from clientela.consent.services import issue_token
from clientela.parties.models import Party
party = Party.objects.annotate(n=Count("orders")).order_by("-n", "pk").first()
print("party", party.pk)
for language in ("en", "pt"):
    person = Party.objects.filter(kind="person", language=language).order_by("pk").first()
    print(f"token_{language}", issue_token(person, purpose="preferences"))
    link = issue_token(person, purpose="unsubscribe", list_purpose="newsletter")
    print(f"unsubscribe_{language}", link)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--keep", action="store_true", help="keep the temporary home")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="clientela-screenshots-"))
    env = os.environ | {"CLIENTELA_HOME": str(home), "CLIENTELA_SERVE_WORKER": "0"}
    env.pop("CLIENTELA_DATABASE_URL", None)
    clientela = [sys.executable, "-m", "clientela.cli"]
    server = None
    try:
        built = run(
            [*clientela, "demo", "--customers", CUSTOMERS, "--seed", SEED, "--no-serve"], env
        )
        password = re.search(r"Password for every demo user: (\S+)", built)
        if password is None:
            sys.exit(f"the demo did not say its password:\n{built}")
        logo = home / "logo.png"
        draw_logo(logo)
        run([*clientela, "company", "set", "--postal-address", ADDRESS, "--logo", str(logo)], env)
        ids = dict(
            line.split(" ", 1)
            for line in run([*clientela, "shell", "-c", FIND_IDS], env).split("\n")
            if line.count(" ") == 1
        )
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 # our own command, no shell
            [*clientela, "serve", "--port", str(port), "--workers", "2", "--no-access-log"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(base)
        args.out.mkdir(parents=True, exist_ok=True)
        saved = shoot(base, password.group(1), ids, args.out)
        print(f"{len(saved)} screenshots in {args.out}")  # noqa: T201 # a script's report
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


def run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 # our own command
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/sign-in/", timeout=5):  # noqa: S310 # our own server
                return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the server at {base} did not answer within {seconds} s")


def draw_logo(path: Path) -> None:
    """The demo company's logo, drawn by the browser (no image library needed)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 250, "height": 60}, device_scale_factor=2)
        page.set_content(f'<body style="margin:0">{LOGO_SVG}</body>')
        page.locator("svg").screenshot(path=str(path), omit_background=True)
        browser.close()


def shoot(base: str, password: str, ids: dict[str, str], out: Path) -> list[Path]:
    saved: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
        )
        for language in LANGUAGES:
            locale = {"en": "en-GB", "pt": "pt-PT"}[language]
            for viewport, suffix in ((WIDE, ""), (PHONE, "-phone")):
                page = signed_in(browser, base, password, locale, viewport, language)
                for name, path, phone in STAFF_PAGES + PUBLIC_PAGES:
                    if suffix and not phone:
                        continue
                    target = out / f"{name}-{language}{suffix}.png"
                    mine = {key.removesuffix(f"_{language}"): value for key, value in ids.items()}
                    save(page, base + path.format(**mine), target)
                    saved.append(target)
                page.context.close()
        browser.close()
    return saved


def signed_in(
    browser: Browser, base: str, password: str, locale: str, viewport: dict[str, int], language: str
) -> Page:
    context = browser.new_context(locale=locale, viewport=viewport)  # type: ignore[arg-type] # a ViewportSize
    page = context.new_page()
    page.goto(f"{base}/sign-in/")
    page.locator("input[name=email]").fill("demo@clientela.local")
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    # The demo admin speaks the browser's language.
    page.select_option("#header-language", "")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == language, locale  # noqa: S101 # a check
    return page


def save(page: Page, url: str, target: Path) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    width = page.viewport_size["width"] if page.viewport_size else 1280
    height = min(int(page.evaluate("document.documentElement.scrollHeight")), MAX_HEIGHT)
    page.screenshot(
        path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height}
    )
    recompress(target)


def recompress(path: Path) -> None:
    """Chromium's PNGs, their image data compressed again at zlib's best level (lossless)."""
    data = path.read_bytes()
    chunks, at = [], 8
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        chunks.append((kind, body))
        at += 12 + length
    image = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    out = [data[:8]]
    wrote_image = False
    for kind, body in chunks:
        if kind == b"IDAT":
            if wrote_image:
                continue
            kind, body, wrote_image = b"IDAT", zlib.compress(image, 9), True
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        out.append(len(body).to_bytes(4, "big") + kind + body + crc.to_bytes(4, "big"))
    smaller = b"".join(out)
    if len(smaller) < len(data):
        path.write_bytes(smaller)


if __name__ == "__main__":
    main()
