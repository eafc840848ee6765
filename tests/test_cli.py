"""The signsgd-bft command line: bound, plot, report, and the subcommands not available yet."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import bounds
from proofs_check.cli import main

MAGIC = {".png": b"\x89PNG", ".pdf": b"%PDF", ".svg": b"<?xml"}


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of the main job (about a minute and a half with MNIST), shared by the tests that read it."""
    out = tmp_path_factory.mktemp("report")
    assert main(["report", "--out", str(out)]) == 0
    return out


def test_bound_vote_failure_json_has_the_design_keys_and_exact_value(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bound", "vote-failure", "--workers", "27", "--byzantine", "5", "--p", "0.8", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("exact", "cantelli", "paper_final", "rederived_final", "chernoff_kl", "hoeffding"):
        assert key in out
    assert out["exact"] == pytest.approx(float(bounds.vote_failure(27, 5, 0.8)), rel=1e-15)
    assert out["paper_final"] == pytest.approx(out["rederived_final"] / 4, rel=1e-14)


def test_bound_vote_failure_takes_the_snr_and_the_blind_attack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bound", "vote-failure", "-Q", "27", "-B", "3", "--p", "0.75", "--snr", "1.2", "--attack", "blind",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["snr"] == 1.2 and out["snr_source"] == "given"
    assert out["exact"] == pytest.approx(float(bounds.vote_failure(27, 3, 0.75, "blind")), rel=1e-12)


def test_bound_vote_failure_reports_null_bounds_outside_the_chain_domain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bound", "vote-failure", "-Q", "27", "-B", "13", "--p", "0.7", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["chain_valid"] is False and out["paper_final"] is None and out["exact"] > 0.5


@pytest.mark.parametrize("name,args", [
    ("sign-error", ["--snr", "1.0", "--batch", "4"]),
    ("tolerance", ["-Q", "27", "--p", "0.8", "--alpha", "0.3", "--snr", "0.1"]),
    ("convergence", ["-K", "100", "-Q", "27", "--alpha", "0.2", "--p", "0.9"]),
    ("list", []),
])
def test_bound_families_print_json(name: str, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bound", name, *args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)


def test_bound_reports_bad_input_as_an_error_naming_the_argument(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bound", "vote-failure", "-Q", "27", "-B", "30", "--p", "0.8"]) == 2
    err = capsys.readouterr().err
    assert "argument 'byzantine' must be an integer in [0, workers]; got 30 with workers=27" in err


@pytest.mark.parametrize("name", ["sign-error", "vote-failure", "tolerance", "convergence"])
@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_plot_writes_the_format_of_the_extension(name: str, suffix: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}{suffix}"
    assert main(["plot", name, "--out", str(out)]) == 0
    assert out.read_bytes()[:5].startswith(MAGIC[suffix])


def test_plot_rejects_an_unknown_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plot", "tolerance", "--out", str(tmp_path / "x.bmp")]) == 2
    assert "argument 'out' must end in one of" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing half-written left behind


def test_report_writes_markdown_json_and_figures(report_dir: Path) -> None:
    data = json.loads((report_dir / "report.json").read_text())
    assert (report_dir / "report.md").read_text().startswith("# signsgd-bft report")
    for rel in data["figures"].values():
        assert (report_dir / rel).read_bytes()[:4] == MAGIC[".png"]
    scan = {row["noise"]: row for row in data["paper_final_scan"]}
    # the printed last line is violated for uniform noise, the re-derived one nowhere on the grid
    assert scan["uniform"]["paper_final_violations"] > 0
    assert all(row["rederived_final_violations"] == 0 for row in scan.values())
    row = data["vote_failure_q27_snr1_gaussian"][3]
    assert row["exact"] == pytest.approx(float(bounds.vote_failure(27, 3, row["p"])), rel=1e-15)
    from simulate.mnist_data import default_mnist_root

    if default_mnist_root() is not None:  # the short MNIST run, with the test-only split stated
        assert [r["byzantine"] for r in data["mnist"]["summary"]] == [0, 9, 13]
        assert "mnist" in data["figures"] and "## MNIST" in (report_dir / "report.md").read_text()
        assert data["mnist"]["note"] in (report_dir / "report.md").read_text()
    else:
        assert "skipped" in data["mnist"]


def test_module_entry_point_and_console_help_work_without_importing_torch() -> None:
    code = ("import sys, runpy; sys.argv = ['signsgd-bft', 'bound', 'vote-failure', '-Q', '9', '--p', '0.7', '--json'];"
            "import proofs_check.cli as c; rc = c.main(sys.argv[1:]);"
            "assert 'torch' not in sys.modules and 'matplotlib' not in sys.modules, sorted(sys.modules);"
            "sys.exit(rc)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    res = subprocess.run([sys.executable, "-m", "proofs_check", "--help"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and "report" in res.stdout and "bound" in res.stdout


def test_bounds_and_proofs_check_import_without_torch() -> None:
    code = "import bounds, proofs_check, simulate, sys; assert 'torch' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


def test_votes_writes_table_csv_json_and_a_plot_that_redraws_from_the_file(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "votes"
    rc = main(["votes", "-Q", "9", "-B", "0", "2", "4", "--snr", "0.5", "--attack", "omniscient", "colluding",
               "--trials", "20000", "--out", str(out), "--no-progress"])
    assert rc == 0
    table = capsys.readouterr().out
    assert "MC rate" in table and "colluding" in table
    rows = json.loads((out / "votes.json").read_text())["rows"]
    assert len(rows) == 6 and all(r["status"] == "done" for r in rows)
    for r in rows:
        assert {"seed", "device", "version", "trials", "exact", "ci_low", "ci_high"} <= set(r)
        assert r["exact"] == pytest.approx(
            float(bounds.vote_failure(9, r["byzantine"], r["p"], r["attack"], "fail")), rel=1e-12)
    assert (out / "votes.csv").read_text().splitlines()[0].startswith("workers,byzantine")
    assert (out / "votes.png").read_bytes()[:4] == MAGIC[".png"]
    redrawn = tmp_path / "again.svg"
    assert main(["plot", "votes", "--results", str(out / "votes.json"), "--out", str(redrawn)]) == 0
    assert redrawn.read_bytes()[:5].startswith(MAGIC[".svg"])


def test_votes_seeds_depend_on_the_point_not_on_the_rest_of_the_sweep(tmp_path: Path) -> None:
    base = ["votes", "-Q", "9", "--snr", "0.5", "--attack", "blind", "--trials", "5000", "--no-progress"]
    assert main([*base, "-B", "2", "--out", str(tmp_path / "a")]) == 0
    assert main([*base, "-B", "0", "1", "2", "--out", str(tmp_path / "b")]) == 0
    a = json.loads((tmp_path / "a" / "votes.json").read_text())["rows"][0]
    b = [r for r in json.loads((tmp_path / "b" / "votes.json").read_text())["rows"] if r["byzantine"] == 2][0]
    assert a["seed"] == b["seed"] and a["failures"] == b["failures"]


def test_report_shows_the_vote_aware_adversary_failing_exactly_like_the_omniscient_one(report_dir: Path) -> None:
    rows = json.loads((report_dir / "report.json").read_text())["monte_carlo_q27_snr05"]
    by = {(r["attack"], r["byzantine"]): r for r in rows}
    for b in (0, 3, 6, 9, 12):
        assert by[("vote_aware", b)]["failures"] == by[("omniscient", b)]["failures"]
        assert by[("omniscient", b)]["failures"] >= by[("blind", b)]["failures"] or b == 0
