"""bench/web.py --quick runs end to end and speaks JSON lines (timings are not checked here,
only that the SQL of a list page does not grow with its size)."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
STEPS = ["list_page", "list_page_10", "list_search", "list_grouped", "list_offset", "load_menus"]


def test_web_bench_quick_prints_one_json_line_per_step(tmp_path):
    # the benchmark's default: a SQLite file in a temp folder, whatever backend the suite runs
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "web.py"), "--quick", "--no-save",
                           "--requests", "2"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]  # nothing but JSON on stdout
    assert [line["step"] for line in lines] == STEPS
    for line in lines:
        assert line["bench"] == "web" and line["db"] == "sqlite" and line["requests"] == 2
        assert line["median_ms"] > 0 and line["sql"] > 0
    first = lines[0]
    assert first["rows"] >= 10_000 and first["page"] == 80
    assert first["target"] == {"max_ms": 15.0} and isinstance(first["ok"], bool)
    assert lines[1]["sql_same_as_list_page"] is True
