"""The benchmarks run end to end and speak JSON lines (timings are not checked)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STEPS = ["create_partners", "create_leads", "search_read", "search_count", "write_single",
         "write_batch", "read_group", "unlink"]
KEYS = {"bench", "step", "db", "n", "orm_s", "raw_s", "ratio", "per_s", "target", "ok"}


def test_bench_orm_quick_prints_one_json_line_per_step(tmp_path):
    # the benchmark's default: two SQLite files in a temp folder, whatever backend the suite runs
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "orm.py"), "--quick", "--no-save",
                           "--rounds", "2"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    records = [json.loads(line) for line in lines]  # every line is JSON, nothing else on stdout
    assert [r["step"] for r in records] == STEPS
    for record in records:
        assert KEYS <= record.keys(), record
        assert record["bench"] == "orm" and record["db"] == "sqlite"
        assert record["n"] > 0 and record["orm_s"] > 0 and record["raw_s"] > 0
        assert isinstance(record["ok"], bool)
        assert record["target"] and set(record["target"]) <= {"max_ratio", "min_per_s"}


def test_install_bench_prints_json_lines():
    import json
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, str(root / "bench" / "install.py"), "--rounds", "1"],
                            cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["step"] for line in lines] == ["base_with_demo", "base_with_demo_median"]
    assert lines[-1]["target"] == {"max_s": 1.0} and isinstance(lines[-1]["ok"], bool)


@pytest.mark.parametrize("bench, steps", [
    ("web", ["list_page", "list_page_10", "list_search", "list_grouped", "list_offset", "load_menus"]),
    ("rpc", ["xmlrpc_version", "xmlrpc_search_read", "jsonrpc_search_read", "json2_search_read", "xmlrpc_write"]),
    ("analysis", ["pivot", "graph", "pivot_csv", "graph_pie"]),
])
def test_http_benches_run_end_to_end(tmp_path, bench, steps):
    """The HTTP benchmarks on a few hundred rows: every step runs and prints its JSON line."""
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / f"{bench}.py"), "--rows", "300", "--requests", "2",
                           "--no-save"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["step"] for r in records] == steps
    for record in records:
        assert record["bench"] == bench and record["db"] == "sqlite" and record["median_ms"] > 0
        assert isinstance(record["sql"], int)


def test_crm_bench_prints_json_lines(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "crm.py"), "--rows", "200", "--batch", "100",
                             "--no-save"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["step"] for r in records] == ["create_leads", "write_tracked"]
    assert all(r["bench"] == "crm" and r["rows"] > 0 and r["per_s"] > 0 and r["sql"] > 0 for r in records)
