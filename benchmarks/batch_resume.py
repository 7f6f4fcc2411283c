"""Kill `translator batch` at random points on a generated archive and check it resumes to
the same bytes as an uninterrupted run.

The archive holds --articles French articles (sentences of the sample article
recombined, with numbers of their own, a shared dateline and bylines), a JSONL feed, and
hostile members: path traversal, an absolute path, a symbolic link, a zip bomb, a
non-UTF-8 file and an empty file. The engine is the built-in default (Apertium
fr -> es -> en) unless models are installed.

    python benchmarks/batch_resume.py                      # 3000 articles, 5 kills
    python benchmarks/batch_resume.py --articles 500 --kills 3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sggp-putin-dprk.fr.txt"
REPORTERS = ("Minh Anh", "Thu Hà", "Quốc Bảo", "Lan Phương", "Đức Huy")


def make_articles(count: int, seed: int = 0) -> list[str]:
    """Articles of 6-10 sample sentences in a new order, numbers changed, plus boilerplate."""
    from translator.segment import segment

    sentences = [s.text for s in segment(SAMPLE.read_text(encoding="utf-8"), "fr")]
    rng = random.Random(seed)
    articles = []
    for n in range(count):
        picked = rng.sample(sentences, rng.randint(6, 10))
        picked = [re.sub(r"\d+", lambda m: str(int(m.group()) + n % 97), s) for s in picked]
        body = [" ".join(picked[i:i + 3]) for i in range(0, len(picked), 3)]
        articles.append("\n\n".join(["HÀ NỘI (SGGP) –"] + body
                                    + [f"Par {rng.choice(REPORTERS)}."]) + "\n")
    return articles


def write_archive(path: Path, articles: list[str]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, text in enumerate(articles):
            zf.writestr(f"sggp/{n // 100:03d}/{n:05d}.txt", text)
        zf.writestr("feed.jsonl", "".join(json.dumps({"id": f"wire-{n}", "text": text}) + "\n"
                                          for n, text in enumerate(articles[:50])))
        zf.writestr("../../etc/evil.txt", "Le chat est noir.")
        zf.writestr("/abs/evil.txt", "Le chat est noir.")
        link = zipfile.ZipInfo("sggp/link.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("sggp/bomb.txt", b"\0" * (80 * 1024 * 1024))
        zf.writestr("sggp/latin1.txt", "Le café est fermé.".encode("latin-1"))
        zf.writestr("sggp/empty.txt", b"")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="batch-resume-"))
    archive = work / "sggp.zip"
    write_archive(archive, make_articles(args.articles))
    print(f"archive: {archive} ({archive.stat().st_size / 1e6:.1f} MB, {args.articles} articles "
          "+ 50 JSONL + 6 hostile members)")
    command = [sys.executable, "-m", "translator", "batch", str(archive), "--to", "en",
               "--progress", "none"]

    started = time.perf_counter()
    full = subprocess.run(command + ["--out", str(work / "full")], capture_output=True, text=True)
    full_time = time.perf_counter() - started
    print(f"uninterrupted run: {full_time:.1f} s, exit {full.returncode}")
    print("  " + "\n  ".join(full.stdout.strip().splitlines()[:2]))
    expected = work / "full" / "translations.jsonl"

    rng = random.Random(args.seed)
    kills = 0
    started = time.perf_counter()
    while kills < args.kills:
        proc = subprocess.Popen(command + ["--out", str(work / "killed")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, max(1.5, full_time / (args.kills + 1))))
        if proc.poll() is not None:
            break
        proc.send_signal(signal.SIGKILL if kills % 2 == 0 else signal.SIGINT)
        proc.wait()
        kills += 1
        partial = (work / "killed" / "translations.jsonl").exists()
        print(f"  killed ({'SIGKILL' if kills % 2 else 'SIGINT'}), output present: {partial}")
    final = subprocess.run(command + ["--out", str(work / "killed")], capture_output=True, text=True)
    resumed_time = time.perf_counter() - started
    got = work / "killed" / "translations.jsonl"
    same = got.read_bytes() == expected.read_bytes()
    same_failures = ((work / "killed" / "failures.jsonl").read_bytes()
                     == (work / "full" / "failures.jsonl").read_bytes())
    lines = got.read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    print(f"killed {kills} times, then finished: {resumed_time:.1f} s in all, exit {final.returncode}")
    print(f"translations.jsonl: {len(lines)} records, {len(set(ids))} distinct ids; "
          f"sha256 {digest(got)} vs {digest(expected)} uninterrupted: "
          f"{'IDENTICAL' if same else 'DIFFERENT'}; failures.jsonl identical: {same_failures}")
    for line in (work / "full" / "failures.jsonl").read_text().splitlines():
        failure = json.loads(line)
        print(f"  failed: {failure['id']}: {failure['error']['code']}: {failure['error']['message']}")
    leftovers = [p.name for p in (work / "killed").iterdir() if p.name.endswith(".tmp")]
    print(f"temporary files left: {leftovers or 'none'}")
    return 0 if same and same_failures and len(ids) == len(set(ids)) else 1


if __name__ == "__main__":
    sys.exit(main())
