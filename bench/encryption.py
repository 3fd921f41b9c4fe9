"""What encrypting ID numbers, phones and bank accounts in the database costs.

The national sheet with every encrypted column filled (members' ID numbers, the
household's phone and bank account, each member's phone) is imported into a fresh
database twice in separate processes: as shipped, and with the encrypted field's
encryption and decryption and the blind index's digest replaced by the identity
(the same code path storing plain text, the index column holding the number
itself as the old unique column did — the peer baseline). Then every encrypted
value is read back through the ORM (what a list export or the API does), 1,000 ID
numbers are looked up one by one (the form's uniqueness check, the declaration
page), and 200 households are searched by an ID number's last four digits.

    python bench/encryption.py [--members 100000] [--repeats 3]

Results: bench/results/encryption.json and the table in bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.imports import (  # noqa: E402
    HEADER,
    _django,
    _villages_file,
    fresh_postgres,
    fresh_sqlite,
    machine_meta,
    peak_rss_mib,
    postgres_url,
    rows,
)

COLUMNS = ["联系电话", "银行卡号", "本人联系电话"]


def write_csv(path: Path, members: int) -> None:
    rng = random.Random(11)
    records = rows(members)
    _villages_file(path).write_text("\n".join(sorted({row[0] for row in records})))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*HEADER, *COLUMNS])
        for record in records:
            head = record[4] == "户主"
            phone = f"13{rng.randrange(10**9):09d}"
            account = f"6228{rng.randrange(10**15):015d}" if head else ""
            writer.writerow([*record, phone if head else "", account, f"15{rng.randrange(10**9):09d}"])


def _plain_storage() -> None:
    """The peer: the same fields and code path, storing plain text."""
    from jingzhun.core import crypto

    crypto.EncryptedCharField.get_prep_value = lambda self, value: value  # type: ignore[method-assign]
    crypto.EncryptedCharField.from_db_value = lambda self, value, expression, connection: value  # type: ignore[method-assign]
    crypto.encrypter = lambda label: lambda value: value  # type: ignore[assignment]
    crypto.digester = (
        lambda purpose, tail=None: (  # type: ignore[assignment]
            lambda value: str(value or "")[-tail:] if tail else str(value or "")
        )
    )
    from jingzhun.core import bulk

    bulk.encrypter = crypto.encrypter  # type: ignore[attr-defined]


def contender(mode: str, path: Path, url: str) -> dict[str, Any]:
    _django(url, path)
    if mode == "plain":
        _plain_storage()
    from jingzhun.imports.services import household_import
    from jingzhun.registry.models import Household, Member

    started = time.perf_counter()
    report = household_import(user=None, file_name=path.name, data=path.read_bytes())
    imported = time.perf_counter() - started
    assert report.ok, report.errors[:5]
    assert report.written
    started = time.perf_counter()
    values = list(Household.objects.values_list("phone", "bank_account")) + list(
        Member.objects.values_list("phone", "id_number")
    )
    read = time.perf_counter() - started
    assert len(values) == report.households + report.members
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM registry_household WHERE phone <> '' LIMIT 1")
        stored = cursor.fetchone()[0]
        cursor.execute("SELECT id_number FROM registry_member LIMIT 1")
        stored_id = cursor.fetchone()[0]
    # Checked, so that the two contenders are what they claim to be.
    assert stored.startswith("enc1:") == (mode == "encrypted"), stored
    assert stored_id.startswith("enc1:") == (mode == "encrypted"), stored_id
    numbers = random.Random(5).sample([number for _phone, number in values[report.households :]], 1000)
    started = time.perf_counter()
    for number in numbers:
        Member.objects.get(id_number=number)
    lookup = time.perf_counter() - started
    from jingzhun.registry.selectors import _search_q

    started = time.perf_counter()
    for number in numbers[:200]:
        assert Household.objects.filter(_search_q(number[-4:])).exists()
    tail_search = time.perf_counter() - started
    return {
        "import_seconds": imported,
        "read_seconds": read,
        "lookup_seconds": lookup,
        "tail_search_seconds": tail_search,
        "values_read": len(values) * 2,
        "members": report.members,
        "households": report.households,
        "peak_mib": peak_rss_mib(),
    }


def run(mode: str, path: Path, url: str) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "contender", mode, str(path), url],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if output.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "contender":
        print(json.dumps(contender(sys.argv[2], Path(sys.argv[3]), sys.argv[4])))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--members", type=int, default=int(os.environ.get("BENCH_ENCRYPTION_MEMBERS", 100_000))
    )
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", 3)))
    args = parser.parse_args()
    postgres = postgres_url(__file__)
    results: dict[str, Any] = {"machine": machine_meta(), "members": args.members, "runs": {}}
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "members-with-phones.csv"
        write_csv(path, args.members)
        for database in ("sqlite", "postgresql"):
            for mode in ("plain", "encrypted"):
                timings = []
                for repeat in range(args.repeats):
                    label = f"enc_{mode}_{repeat}"
                    url = (
                        fresh_sqlite(Path(work), label)
                        if database == "sqlite"
                        else fresh_postgres(postgres, label)
                    )
                    timings.append(run(mode, path, url))
                summary = {
                    key: statistics.median(t[key] for t in timings)
                    for key in (
                        "import_seconds",
                        "read_seconds",
                        "lookup_seconds",
                        "tail_search_seconds",
                        "peak_mib",
                    )
                }
                results["runs"][f"{database}_{mode}"] = summary
                line = (
                    f"import {summary['import_seconds']:6.2f} s  read {summary['read_seconds']:5.2f} s  "
                    f"1000 lookups {summary['lookup_seconds']:5.2f} s  "
                    f"200 tail searches {summary['tail_search_seconds']:5.2f} s"
                )
                print(f"{database:10} {mode:9} {line}  peak {summary['peak_mib']:.0f} MiB", flush=True)
        for database in ("sqlite", "postgresql"):
            plain, encrypted = results["runs"][f"{database}_plain"], results["runs"][f"{database}_encrypted"]
            results["runs"][f"{database}_ratio"] = {
                "import": encrypted["import_seconds"] / plain["import_seconds"],
                "read": encrypted["read_seconds"] / plain["read_seconds"],
                "lookup": encrypted["lookup_seconds"] / plain["lookup_seconds"],
                "tail_search": encrypted["tail_search_seconds"] / plain["tail_search_seconds"],
            }
            ratio = results["runs"][f"{database}_ratio"]
            print(
                f"{database:10} encrypted/plain: import ×{ratio['import']:.2f}, read ×{ratio['read']:.2f}, "
                f"lookup ×{ratio['lookup']:.2f}, tail search ×{ratio['tail_search']:.2f}"
            )
    out = ROOT / "bench" / "results" / "encryption.json"
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
